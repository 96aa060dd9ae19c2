"""Quotas per user, and cancelling a tale that is being made."""

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from fairytales.tales import tasks
from fairytales.tales.models import Tale

pytestmark = pytest.mark.django_db
VALID = {"title": "Колобок", "genre": "сказка", "scene_count": "3"}


def test_at_most_n_tales_are_made_at_once_per_user(owner_client, make_tale, settings):
    settings.TALES_AT_ONCE = 2
    make_tale(status="running")
    make_tale(status="queued")
    response = owner_client.post("/tales/new/", VALID)
    assert "У вас уже создаётся сказок: 2" in response.content.decode()
    assert Tale.objects.count() == 2


def test_at_most_m_tales_a_day(owner_client, make_tale, settings):
    settings.TALES_PER_DAY = 3
    for _ in range(3):
        make_tale(status="done")
    make_tale(status="done", created=timezone.now() - timezone.timedelta(days=2))  # older: does not count
    response = owner_client.post("/tales/new/", VALID)
    assert "За сутки можно создать не больше 3 сказок" in response.content.decode()
    assert Tale.objects.count() == 4


def test_other_users_tales_do_not_count(owner_client, make_tale, stranger, settings):
    settings.TALES_AT_ONCE = 1
    make_tale(owner=stranger, status="running")
    assert owner_client.post("/tales/new/", VALID).status_code == 302


def test_the_owner_cancels_a_queued_tale(owner_client, make_tale, django_capture_on_commit_callbacks):
    tale = make_tale()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.start(tale)
    response = owner_client.post(f"/tales/{tale.pk}/cancel/", follow=True)
    assert "Отменяю" in response.content.decode()
    tale.refresh_from_db()
    assert tale.status == "cancelled" and tale.run_queue == []
    assert set(tale.stage_runs.values_list("status", flat=True)) == {"cancelled"}
    assert tasks.make_tale(str(tale.pk)) == "cancelled"  # the queued task finds it cancelled and stops
    assert OrmQ.objects.count() == 1


def test_only_the_owner_cancels(client, make_tale, stranger):
    tale = make_tale(status="running")
    client.force_login(stranger)
    assert client.post(f"/tales/{tale.pk}/cancel/").status_code == 403
    tale.refresh_from_db()
    assert tale.status == "running"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_running_tale_stops_within_seconds_of_cancel(make_tale):
    """The worker's own store notices the cancel at its next progress report."""
    import threading
    import time

    tale = make_tale(title="Теремок", scene_count=3)
    tasks.start(tale, enqueue=False)

    def cancel_when_illustrating():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if tale.stage_runs.filter(stage="illustration", status="running").exists():
                tasks.cancel(tale)
                return
            time.sleep(0.1)

    watcher = threading.Thread(target=cancel_when_illustrating)
    watcher.start()
    started = time.monotonic()
    assert tasks.make_tale(str(tale.pk)) == "cancelled"
    watcher.join()
    tale.refresh_from_db()
    assert tale.status == "cancelled" and tale.video is None
    assert tale.stage_runs.get(stage="story").status == "done"  # what was made is kept
    assert tale.stage_runs.get(stage="illustration").status == "cancelled"
    assert time.monotonic() - started < 120


def test_a_silent_worker_is_taken_over_and_the_tale_resumes(make_tale, django_capture_on_commit_callbacks):
    stalled = make_tale(status="running", run_queue=[[]], heartbeat=timezone.now() - timezone.timedelta(minutes=10))
    alive = make_tale(status="running", run_queue=[[]], heartbeat=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_interrupted(silent_for=300) == 1
    stalled.refresh_from_db()
    alive.refresh_from_db()
    assert (stalled.status, stalled.run_token) == ("queued", None) and alive.status == "running"
    assert OrmQ.objects.count() == 1
