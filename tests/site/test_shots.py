"""A scene's shots on the tale page: each picture with its prompt, a redo of one shot, an earlier picture back."""

import json

import pytest

from fairytales.tales.models import Artifact

pytestmark = pytest.mark.django_db
SHOTS = [{"sentences": [0, 2], "prompt": "Старик и старуха в избе", "seed": 1234},
         {"sentences": [2, 4], "prompt": "Лиса в лесу", "seed": 4321, "own": True}]  # the owner's words


def pictures(tale, settings, version, contents, current):
    """Scene 1's pictures in one result: shot 1 ``picture``, shot 2 ``picture_2``."""
    files, checksums = {}, {}
    for number, content in enumerate(contents, start=1):
        role = "picture" if number == 1 else f"picture_{number}"
        path = tale.folder / f"{role}-1-v{version}.png"
        path.write_bytes(content)
        files[role], checksums[role] = str(path.relative_to(settings.MEDIA_ROOT)), content.hex()
    return Artifact.objects.create(tale=tale, stage="illustration", scene=1, version=version, backend="storybook",
                                   files=files, checksums=checksums, is_current=current,
                                   meta={"prompt": SHOTS[0]["prompt"], "shots": SHOTS})


@pytest.fixture
def shot_tale(make_tale, with_file, settings):
    """A done tale whose scene 1 has two shots; its second was redrawn (version 2), its first kept."""
    tale = make_tale(status="done")
    scenes = [{"index": i, "text": f"Сцена {i}.", "prompt": f"Картинка {i}", "lines": []} for i in (1, 2)]
    with_file(tale, "scenes", "scenes", "scenes-v1.json", json.dumps(scenes).encode(), count=2)
    old = pictures(tale, settings, 1, [b"first", b"second"], current=False)
    pictures(tale, settings, 2, [b"first", b"second, redrawn"], current=True)
    return tale, old


def test_the_page_shows_each_shot_with_its_prompt_and_redo(owner_client, shot_tale):
    tale, _ = shot_tale
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert "Картинок в сцене: 2" in page
    assert f"/tales/{tale.pk}/files/picture-1-v2.png" in page and f"/tales/{tale.pk}/files/picture_2-1-v2.png" in page
    assert "Лиса в лесу" in page and "Старик и старуха в избе" in page
    assert '<input type="hidden" name="shot" value="2">' in page
    assert "Перерисовать кадр 2 сцены 1" in page


def test_it_shows_only_pictures_a_shot_had_before(owner_client, shot_tale):
    tale, old = shot_tale
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert f"/tales/{tale.pk}/files/picture_2-1-v1.png" in page  # shot 2's earlier picture
    assert f"/versions/{old.pk}/shots/2/" in page
    assert f"/versions/{old.pk}/shots/1/" not in page  # shot 1 is the same picture in both versions


def test_a_stranger_sees_the_shots_but_no_redo(client, shot_tale):
    tale, _ = shot_tale
    tale.is_public = True
    tale.save()
    page = client.get(f"/tales/{tale.pk}/").content.decode()
    assert "picture_2-1-v2.png" in page and 'name="shot"' not in page


def test_it_queues_a_redo_of_one_shot(owner_client, shot_tale, django_capture_on_commit_callbacks):
    tale, _ = shot_tale
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "illustration", "scene": "1", "shot": "2",
                                                      "prompt": "Лиса у реки", "seed": "5"})
    tale.refresh_from_db()
    assert tale.run_queue == [[{"stage": "illustration", "scene": 1, "options": {"seed": 5},
                                "prompt": "Лиса у реки", "shot": 2}]]


def test_a_shot_the_scene_does_not_have_is_told_and_nothing_is_queued(owner_client, shot_tale):
    tale, _ = shot_tale
    response = owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "illustration", "scene": "1", "shot": "3"},
                                 follow=True)
    assert "В сцене 1 нет кадра 3." in response.content.decode()
    tale.refresh_from_db()
    assert tale.run_queue == []


def test_it_queues_an_earlier_picture_of_one_shot(owner_client, shot_tale, django_capture_on_commit_callbacks):
    tale, old = shot_tale
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/tales/{tale.pk}/versions/{old.pk}/shots/2/")
    tale.refresh_from_db()
    [[redo]] = tale.run_queue
    assert redo["shot"] == 2 and redo["scene"] == 1 and redo["picture"].endswith("picture_2-1-v1.png")
    # with the owner's words and the roll it was drawn from: a new frame draws it from them
    assert redo["prompt"] == "Лиса в лесу" and redo["options"] == {"seed": 4321}


def test_an_earlier_picture_drawn_from_the_storys_words_brings_its_roll_only(owner_client, shot_tale,
                                                                              django_capture_on_commit_callbacks):
    tale, old = shot_tale
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/tales/{tale.pk}/versions/{old.pk}/shots/1/")
    tale.refresh_from_db()
    [[redo]] = tale.run_queue
    assert redo["shot"] == 1 and redo["options"] == {"seed": 1234}
    assert redo.get("prompt") is None  # not the owner's words: the shot's own words stay the story's


def test_choosing_a_shot_requires_the_owner(client, stranger, shot_tale):
    tale, old = shot_tale
    client.force_login(stranger)
    response = client.post(f"/tales/{tale.pk}/versions/{old.pk}/shots/2/")
    assert response.status_code in (403, 404)
    tale.refresh_from_db()
    assert not tale.run_queue


def test_choosing_a_shot_the_version_lacks_is_404(owner_client, shot_tale):
    tale, old = shot_tale
    assert owner_client.post(f"/tales/{tale.pk}/versions/{old.pk}/shots/5/").status_code == 404


def test_the_form_says_how_many_pictures_a_tale_draws(owner_client):
    page = owner_client.get("/tales/new/").content.decode()
    assert "Картинка на экране не дольше, с (0 — одна на сцену)" in page
    assert "15 с: около 31 картинок на 6 сцен" in page and "одна на сцену: 6 картинок на 6 сцен" in page


def test_a_scene_of_shots_reaches_the_live_page_with_each_picture(shot_tale):
    from fairytales.tales.snapshot import artifact_message

    tale, _ = shot_tale
    message = artifact_message(tale.artifacts.get(stage="illustration", scene=1, is_current=True))
    assert message["shots"] == [
        {"url": f"/tales/{tale.pk}/files/picture-1-v2.png", "prompt": "Старик и старуха в избе"},
        {"url": f"/tales/{tale.pk}/files/picture_2-1-v2.png", "prompt": "Лиса в лесу"}]
