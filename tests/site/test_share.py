"""The share panel of a public tale's page: its link, the poster as the Open Graph image, the film to
download, each still at full size; a private tale shares nothing."""

import json
import re

import pytest

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


def test_a_private_tale_has_no_share_panel_nor_open_graph(owner_client, finished):
    tale = finished(is_public=False)
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert "<video" in page  # its owner still watches it
    assert 'id="share"' not in page and "og:image" not in page


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
