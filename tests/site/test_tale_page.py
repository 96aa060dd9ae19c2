import json
import re

import pytest

pytestmark = pytest.mark.django_db


def snapshot_of(page: str) -> dict:
    return json.loads(re.search(r'<script id="snapshot" type="application/json">(.*?)</script>', page, re.S)[1])


def test_it_shows_every_stage_and_the_current_state_at_once(client, make_tale):
    tale = make_tale(status="running")
    tale.stage_runs.create(stage="story", status="done", fraction=1.0, message="Готово")
    tale.stage_runs.create(stage="proofread", status="running", fraction=0.4, message="Проверяю орфографию")
    page = client.get(f"/tales/{tale.pk}/").content.decode()
    for label in ("Сюжет", "Орфография", "Сцены", "Озвучка", "Иллюстрации", "Музыка", "Видео"):
        assert label in page
    assert "Проверяю орфографию" in page
    state = snapshot_of(page)
    assert [s["status"] for s in state["stages"]][:3] == ["done", "running", "pending"]
    assert state["tale"]["status"] == "running" and state["tale"]["video_url"] is None


def test_a_finished_tale_has_its_player_story_and_scenes(client, make_tale, with_file):
    tale = make_tale(status="done", duration=64.0)
    with_file(tale, "video", "video", "video-v1.mp4", b"mp4")
    tale.artifacts.filter(stage="video").update(files={"video": f"tales/{tale.pk.hex}/video-v1.mp4",
                                                       "poster": f"tales/{tale.pk.hex}/poster-v1.jpg"})
    with_file(tale, "proofread", "text", "proofread-v1.txt", "Жили-были.\n\nИ жили долго.".encode())
    scenes = [{"index": 1, "text": "Жили-были.", "prompt": "Колобок в лесу", "lines": []}]
    with_file(tale, "scenes", "scenes", "scenes-v1.json", json.dumps(scenes).encode(), count=1)
    with_file(tale, "illustration", "picture", "picture-1-v1.png", b"png", scene=1, prompt="Колобок в лесу")
    page = client.get(f"/tales/{tale.pk}/").content.decode()
    assert f'src="/tales/{tale.pk}/files/video-v1.mp4"' in page and "<video" in page
    assert "<p>Жили-были.</p>" in page and "<p>И жили долго.</p>" in page
    assert f'/tales/{tale.pk}/files/picture-1-v1.png' in page and "Колобок в лесу" in page


def test_a_failed_tale_shows_the_error_and_a_retry_button_to_its_owner(owner_client, client, make_tale, stranger):
    tale = make_tale(status="failed", error="music: нет звукового шрифта")
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert "music: нет звукового шрифта" in page
    assert re.search(r'<form id="retry-form"[^>]*action="/tales/[^"]+/retry/"\s*>', page)
    client.force_login(stranger)
    assert "retry-form" not in client.get(f"/tales/{tale.pk}/").content.decode()


def test_retry_queues_the_tale_again(owner_client, make_tale, django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    tale = make_tale(status="failed", error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/tales/{tale.pk}/retry/")
    assert response.status_code == 302
    tale.refresh_from_db()
    assert (tale.status, tale.error) == ("queued", "")
    assert OrmQ.objects.count() == 1


def test_retry_is_for_the_owner_only(client, make_tale, stranger):
    tale = make_tale(status="failed")
    client.force_login(stranger)
    assert client.post(f"/tales/{tale.pk}/retry/").status_code == 403
    tale.refresh_from_db()
    assert tale.status == "failed"


def test_a_private_tale_is_not_found_by_others(client, make_tale, stranger):
    tale = make_tale(is_public=False)
    assert client.get(f"/tales/{tale.pk}/").status_code == 404
    client.force_login(stranger)
    assert client.get(f"/tales/{tale.pk}/").status_code == 404
