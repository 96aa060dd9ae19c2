"""The share panel of a public tale's page: its link, the poster as the Open Graph image, the film to
download, each still at full size; a private tale shares nothing, but its owner downloads the film and
chooses whether the gallery shows it."""

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(make_tale, with_file):
    def make(**fields):
        tale = make_tale(status="done", duration=64.0, **fields)
        with_file(tale, "video", "video", "video-v1.mp4", b"mp4")
        folder = f"tales/{tale.pk.hex}"
        tale.artifacts.filter(stage="video").update(files={"video": f"{folder}/video-v1.mp4",
                                                           "poster": f"{folder}/poster-v1.jpg"})
        scenes = [{"index": 1, "text": "Жили-были.", "prompt": "Колобок в лесу", "lines": []}]
        with_file(tale, "scenes", "scenes", "scenes-v1.json", json.dumps(scenes).encode(), count=1)
        with_file(tale, "illustration", "picture", "picture-1-v1.png", b"png", scene=1, prompt="Колобок в лесу")
        return tale
    return make


def test_a_public_tale_shares_its_link_poster_and_film(client, finished):
    tale = finished(is_public=True)
    page = client.get(f"/tales/{tale.pk}/").content.decode()
    files = f"http://testserver/tales/{tale.pk}/files"
    assert f'<meta property="og:image" content="{files}/poster-v1.jpg">' in page
    assert f'<meta property="og:url" content="http://testserver/tales/{tale.pk}/">' in page
    assert f'<meta property="og:title" content="{tale.title}">' in page
    share = re.search(r'<section class="share" id="share">(.*?)</section>', page, re.S)[1]
    assert f'value="http://testserver/tales/{tale.pk}/"' in share
    assert f'href="/tales/{tale.pk}/files/video-v1.mp4" download' in share
    assert f'href="/tales/{tale.pk}/files/picture-1-v1.png" download' in page  # the still at full size


def test_a_private_tale_shares_no_link_but_its_owner_downloads_the_film(owner_client, finished):
    tale = finished(is_public=False)
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert "<video" in page and "og:image" not in page  # its owner still watches it; nothing to share
    panel = re.search(r'<section class="share" id="share">(.*?)</section>', page, re.S)[1]
    assert 'type="url"' not in panel and "Сказки нет в галерее: её видите только вы." in panel
    assert f'href="/tales/{tale.pk}/files/video-v1.mp4" download' in panel
    assert "Показывать в галерее" in panel


def test_the_owner_of_a_tale_without_a_film_still_chooses_who_sees_it(owner_client, make_tale):
    """A failed or cancelled tale is still a page anyone with its link opens: its owner can close it."""
    tale = make_tale(status="failed", is_public=True)
    panel = re.search(r'<section class="share" id="share">(.*?)</section>',
                      owner_client.get(f"/tales/{tale.pk}/").content.decode(), re.S)[1]
    assert "Убрать из галереи" in panel and "download" not in panel
    private = make_tale(status="cancelled", is_public=False)
    panel = re.search(r'<section class="share" id="share">(.*?)</section>',
                      owner_client.get(f"/tales/{private.pk}/").content.decode(), re.S)[1]
    assert "Кто видит сказку" in panel and "Показывать в галерее" in panel and "download" not in panel
    assert 'id="share"' not in Client().get(f"/tales/{tale.pk}/").content.decode()  # a visitor: no film, no panel


def test_the_owner_takes_the_tale_out_of_the_gallery_and_brings_it_back(owner_client, stranger, finished):
    tale = finished(is_public=True, title="Колобок на выставке")
    client = Client()  # a visitor
    assert "Колобок на выставке" in client.get("/").content.decode()
    response = owner_client.post(f"/tales/{tale.pk}/visibility/", {"public": "0"}, follow=True)
    assert "Сказка убрана из галереи: её видите только вы." in response.content.decode()
    assert "Колобок на выставке" not in client.get("/").content.decode()
    assert client.get(f"/tales/{tale.pk}/").status_code == 404  # a visitor no longer finds it

    response = owner_client.post(f"/tales/{tale.pk}/visibility/", {"public": "yes"}, follow=True)
    assert "Выберите, показывать ли сказку в галерее." in response.content.decode()
    tale.refresh_from_db()
    assert not tale.is_public  # bad input changes nothing
    client.force_login(stranger)
    assert client.post(f"/tales/{tale.pk}/visibility/", {"public": "1"}).status_code == 403
    client.logout()

    response = owner_client.post(f"/tales/{tale.pk}/visibility/", {"public": "1"}, follow=True)
    assert "Сказка в галерее." in response.content.decode() and 'value="0"' in response.content.decode()
    assert "Колобок на выставке" in client.get("/").content.decode()


def test_the_whole_tale_forms_show_what_the_film_was_made_with(owner_client, finished, with_file):
    tale = finished(is_public=True)
    made_with = {"format": "vertical", "join": "wipe", "burn": "none"}
    tale.artifacts.filter(stage="video").update(options=made_with, meta={"burned": ""})  # no subtitles burned
    narrator = tale.narrator()
    voice = list(narrator.voices_in(tale.language))[-1]  # not the first, which a select shows anyway
    voiced = with_file(tale, "narration", "audio", "narration-1-v1.wav", b"wav", scene=1)
    voiced.options = {narrator.voice_option: voice}
    voiced.save()
    music = with_file(tale, "music", "audio", "music-v1.wav", b"wav")
    music.options = {"mood": "dark"}
    music.save()
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert '<option value="vertical" selected>' in page and '<option value="wipe" selected>' in page
    assert '<option value="none" selected>' in page and '<option value="dark" selected>' in page
    assert f'<option value="{voice}" selected>' in page
    scene_form = re.search(r'<input type="hidden" name="stage" value="narration"><input type="hidden" '
                           r'name="scene" value="1">(.*?)</form>', page, re.S)[1]
    assert f'<option value="{voice}" selected>' in scene_form  # the scene's own redo offers its voice first
    redo = f"/tales/{tale.pk}/redo/"
    response = owner_client.post(redo, {"stage": "video", "format": "vertical"}, follow=True)
    assert "Фильм уже в этом формате." in response.content.decode()  # told, not made again
    response = owner_client.post(redo, {"stage": "video", "burn": "none"}, follow=True)
    assert "В фильме уже такие субтитры." in response.content.decode()
    tale.refresh_from_db()
    assert tale.run_queue == []


def test_the_owner_asks_for_another_format_as_a_redo_of_the_video(owner_client, finished,
                                                                    django_capture_on_commit_callbacks):
    tale = finished(is_public=True)
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert 'id="format-form"' in page and 'value="vertical"' in page
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "video", "format": "vertical"}, follow=True)
    tale.refresh_from_db()
    assert tale.run_queue == [[{"stage": "video", "options": {"format": "vertical"}}]]
    response = owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "video"}, follow=True)
    assert "Выберите формат фильма." in response.content.decode()  # no format: nothing to make again


def test_while_a_run_is_waiting_the_film_as_it_is_can_be_asked_for_again(owner_client, finished,
                                                                         django_capture_on_commit_callbacks):
    """A square film is queued; the owner changes their mind before it runs: back to the current 720p."""
    tale = finished(is_public=True)
    tale.artifacts.filter(stage="video").update(options={"format": "720p"})
    tale.status, tale.run_queue = "queued", [[{"stage": "video", "options": {"format": "square"}}]]
    tale.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "video", "format": "720p"},
                                     follow=True)
    told = re.findall(r'class="notice[^>]*>([^<]*)', response.content.decode())
    assert "Фильм уже в этом формате." not in told
    tale.refresh_from_db()
    assert tale.run_queue[-1] == [{"stage": "video", "options": {"format": "720p"}}], told
