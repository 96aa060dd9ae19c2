"""The redo, version and delete views: owner only, clear messages for bad input, runs queued in order."""

import json

import pytest
from django_q.models import OrmQ

from fairytales.tales import tasks
from fairytales.tales.models import Tale

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(make_tale, with_file):
    """A done tale with three scenes on record (files are stand-ins: these tests queue, not run)."""
    tale = make_tale(status="done")
    scenes = [{"index": i, "text": f"Сцена {i}.", "prompt": f"Картинка {i}", "lines": []} for i in (1, 2, 3)]
    with_file(tale, "scenes", "scenes", "scenes-v1.json", json.dumps(scenes).encode(), count=3)
    return tale


def post(client, tale, **data):
    return client.post(f"/tales/{tale.pk}/redo/", data, follow=True)


def test_it_queues_a_new_picture_for_one_scene(owner_client, finished, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(owner_client, finished, stage="illustration", scene="2", prompt="Волк в лесу", seed="7")
    assert "Переделываю." in response.content.decode()
    finished.refresh_from_db()
    assert finished.status == "queued"
    assert finished.run_queue == [[{"stage": "illustration", "scene": 2, "options": {"seed": 7},
                                    "prompt": "Волк в лесу"}]]
    assert OrmQ.objects.count() == 1


def test_new_music_in_the_genres_mood_says_so(owner_client, finished, django_capture_on_commit_callbacks):
    """«как в жанре» sends no mood: the redo asks for none, so a mood chosen before does not stay."""
    with django_capture_on_commit_callbacks(execute=True):
        post(owner_client, finished, stage="music", mood="", seed="3")
    finished.refresh_from_db()
    assert finished.run_queue == [[{"stage": "music", "options": {"seed": 3, "mood": ""}}]]


def test_a_second_redo_waits_for_the_first(owner_client, finished, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(owner_client, finished, stage="music", mood="dark")
        voice = list(finished.narrator().voices_in(finished.language))[-1]  # one the narrator reads the tale in
        response = post(owner_client, finished, stage="narration", voice=voice)
    assert "как только закончится текущая работа" in response.content.decode()
    finished.refresh_from_db()
    assert [batch[0]["stage"] for batch in finished.run_queue] == ["music", "narration"]
    assert finished.run_queue[1][0]["options"] == {finished.narrator().voice_option: voice}
    assert OrmQ.objects.count() == 1  # one worker task drains both, in order


@pytest.mark.parametrize(
    "data, message",
    [
        ({"stage": "illustration", "scene": "4"}, "В сказке нет сцены 4."),
        ({"stage": "scenes", "scene": "1", "text": "   "}, "Текст сцены не может быть пустым."),
        ({"stage": "scenes", "text": "Новый текст"}, "Укажите, какую сцену изменить."),
        ({"stage": "narration", "voice": "robot"}, "Такого голоса нет."),
        ({"stage": "proofread"}, "Выберите корректный вариант."),
        ({"stage": "video"}, "Выберите формат фильма."),  # the same inputs would make the same film
        ({"stage": "video", "format": "8k"}, "Выберите корректный вариант."),
        ({"stage": "music", "seed": "-1"}, "Зерно — от 0."),
    ],
)
def test_bad_input_is_told_and_nothing_is_queued(owner_client, finished, data, message):
    response = post(owner_client, finished, **data)
    assert message in response.content.decode()
    finished.refresh_from_db()
    assert finished.run_queue == [] and finished.status == "done" and not OrmQ.objects.exists()


def test_redo_is_for_the_owner_only(client, finished, stranger):
    assert client.post(f"/tales/{finished.pk}/redo/", {"stage": "music"}).status_code == 302  # to log in
    client.force_login(stranger)
    assert client.post(f"/tales/{finished.pk}/redo/", {"stage": "music"}).status_code == 403
    finished.refresh_from_db()
    assert finished.run_queue == []


def test_it_rejects_get(owner_client, finished):
    assert owner_client.get(f"/tales/{finished.pk}/redo/").status_code == 405


def test_choosing_an_older_picture_queues_it(owner_client, finished, with_file, django_capture_on_commit_callbacks):
    old = with_file(finished, "illustration", "picture", "picture-1-v1.png", b"old", scene=1)
    old.is_current = False
    old.save()
    with_file(finished, "illustration", "picture", "picture-1-v2.png", b"new", scene=1, version=2)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/tales/{finished.pk}/versions/{old.pk}/")
    finished.refresh_from_db()
    assert finished.run_queue == [[{"stage": "illustration", "scene": 1, "version": 1}]]


def test_deleting_removes_the_tale_and_its_files(owner_client, finished, django_capture_on_commit_callbacks):
    folder = finished.folder
    assert folder.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/tales/{finished.pk}/delete/", follow=True)
    assert "удалена" in response.content.decode()
    assert not Tale.objects.filter(pk=finished.pk).exists() and not folder.exists()


def test_a_tale_in_progress_is_not_deleted(owner_client, make_tale):
    tale = make_tale(status="running", run_queue=[[]])
    owner_client.post(f"/tales/{tale.pk}/delete/")
    assert Tale.objects.filter(pk=tale.pk).exists()


def test_others_cannot_delete(client, finished, stranger):
    client.force_login(stranger)
    assert client.post(f"/tales/{finished.pk}/delete/").status_code == 403
    assert Tale.objects.filter(pk=finished.pk).exists()


@pytest.mark.slow
def test_two_redos_run_one_after_the_other_and_an_older_picture_comes_back(make_tale):
    tale = make_tale(title="Теремок", scene_count=3, choices={"story": {"options": {"length": 1500}}})
    tasks.start(tale)
    assert tasks.make_tale(str(tale.pk)) == "done"
    first_video = tale.video
    from fairytales.pipeline.runner import Redo

    tasks.start(tale, [Redo("illustration", 1, options={"seed": 11})])
    tasks.start(tale, [Redo("illustration", 1, options={"seed": 12})])
    assert tasks.make_tale(str(tale.pk)) == "done"
    tale.refresh_from_db()
    assert tale.run_queue == []
    versions = list(tale.artifacts.filter(stage="illustration", scene=1).order_by("version"))
    assert [(a.version, a.options["seed"], a.is_current) for a in versions] == [
        (1, versions[0].options["seed"], False), (2, 11, False), (3, 12, True)]
    assert tale.artifacts.filter(stage="video").count() == 3 and first_video.path("video").exists()

    tasks.start(tale, [Redo("illustration", 1, version=1)])
    assert tasks.make_tale(str(tale.pk)) == "done"
    assert tale.current("illustration", 1).version == 1
    assert tale.video.version == 4  # the video follows the chosen picture


def test_a_redo_without_a_seed_rolls_a_new_one(owner_client, finished):
    post(owner_client, finished, stage="illustration", scene="1")
    post(owner_client, finished, stage="illustration", scene="1")
    finished.refresh_from_db()
    seeds = [batch[0]["options"]["seed"] for batch in finished.run_queue]
    assert len(seeds) == 2 and seeds[0] != seeds[1]


def test_it_queues_a_join_for_one_cut_or_for_the_whole_film(owner_client, finished,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(owner_client, finished, stage="video", join="morph", scene="2")
        post(owner_client, finished, stage="video", join="wipe")
    finished.refresh_from_db()
    assert [batch[0]["options"] for batch in finished.run_queue] == [{"joins": "2=morph"}, {"join": "wipe"}]
    assert all(batch[0].get("scene") is None for batch in finished.run_queue)  # the video is one node
    response = post(owner_client, finished, stage="video", join="morph", scene="4")
    assert "В сказке нет сцены 4." in response.content.decode()
    assert "Выберите корректный вариант." in post(owner_client, finished, stage="video", join="spin").content.decode()
