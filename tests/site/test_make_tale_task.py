"""The django-q2 task, run in this process: the tale ends done with its artifacts, or failed with
a readable error and everything earlier kept."""

import pytest

from fairytales.pipeline import registry
from fairytales.tales import tasks
from fairytales.tales.models import StageRun, Tale

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_tale_is_made_and_every_stage_is_done(make_tale):
    tale = make_tale(title="Репка", scene_count=3, choices={"story": {"options": {"length": 1500}}})
    tasks.start(tale)
    assert tasks.make_tale(str(tale.pk)) == Tale.Status.DONE
    tale.refresh_from_db()
    assert tale.status == "done" and tale.finished
    assert tale.duration >= 10 and tale.duration == pytest.approx(tale.video.meta["duration"], abs=0.01)
    assert set(StageRun.objects.filter(tale=tale).values_list("status", flat=True)) == {"done"}
    video = tale.video
    assert video.path("video").exists() and video.path("poster").exists()
    assert tale.artifacts.filter(stage="illustration", is_current=True).count() == 3
    assert all(len(a.checksums) == len(a.files) for a in tale.artifacts.all())


def test_a_failing_backend_fails_its_stage_readably_and_keeps_the_rest(make_tale, monkeypatch):
    monkeypatch.setitem(registry.BACKENDS["music"], "broken",
                        "tests.pipeline.test_runner:BrokenComposer")
    tale = make_tale(title="Репка", scene_count=3, choices={"music": {"backend": "broken"}})
    tasks.start(tale)
    assert tasks.make_tale(str(tale.pk)) == Tale.Status.FAILED
    tale.refresh_from_db()
    assert "«Музыка» не удался" in tale.error and "в звуковом шрифте нет инструментов" in tale.error_detail
    runs = dict(StageRun.objects.filter(tale=tale).values_list("stage", "status"))
    assert runs["music"] == "failed" and runs["story"] == runs["illustration"] == "done"
    music = StageRun.objects.get(tale=tale, stage="music")
    assert "в звуковом шрифте нет инструментов" in music.detail and "звуковом" not in music.error
    assert tale.video is None and tale.current("narration", 1) is not None

    tale.choices = {}
    tale.save()
    tasks.start(tale)
    assert tasks.make_tale(str(tale.pk)) == Tale.Status.DONE
    assert tale.artifacts.filter(stage="story").count() == 1  # resumed, not restarted


def test_an_interrupted_tale_is_queued_again(make_tale, django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    stuck = make_tale(status="running")
    make_tale(status="done")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_interrupted(silent_for=0) == 1  # as when the site starts
    stuck.refresh_from_db()
    assert stuck.status == "queued" and OrmQ.objects.count() == 1


def test_a_failed_redo_keeps_the_last_good_video_playable_and_says_why(make_tale, client, owner, monkeypatch):
    from fairytales.pipeline.runner import Redo

    monkeypatch.setitem(registry.BACKENDS["illustration"], "broken", "tests.pipeline.test_redo:BrokenIllustrator")
    tale = make_tale(title="Репка", scene_count=3, choices={"story": {"options": {"length": 1500}}})
    tasks.start(tale)
    tasks.make_tale(str(tale.pk))
    good = tale.video
    tasks.start(tale, [Redo("illustration", 2, backend="broken")])
    assert tasks.make_tale(str(tale.pk)) == Tale.Status.FAILED
    tale.refresh_from_db()
    assert tale.video == good and good.path("video").exists()
    client.force_login(owner)
    page = client.get(f"/tales/{tale.pk}/").content.decode()
    assert "художник заболел" in page and good.video_url in page
