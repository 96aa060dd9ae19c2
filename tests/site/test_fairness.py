"""One user cannot stall the site: runs are capped per tale and per user and count against the daily quotas
(which deleting a tale does not give back), one task per user is in the broker at a time so another user's
first tale is not queued behind a backlog, and a run whose worker dies twice ends failed instead of looping.

The worker is driven here, in this process: the broker's tasks (django-q2's ORM queue) are taken in order
and called as the cluster would call them, with the pipeline replaced by a recorder."""

import json
import re

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import OrmQ

from fairytales.tales import tasks
from fairytales.tales.models import RunLog, Tale

pytestmark = pytest.mark.django_db
NEW = {"title": "Колобок", "genre": "сказка", "scene_count": "3"}
PASSWORD = "sk4zka-pass-3"


@pytest.fixture
def finished(make_tale, with_file):
    """A done tale with three scenes on record (files are stand-ins: these tests queue, not run)."""
    def make(**fields):
        tale = make_tale(status="done", **fields)
        scenes = [{"index": i, "text": f"Сцена {i}.", "prompt": f"Картинка {i}", "lines": []} for i in (1, 2, 3)]
        with_file(tale, "scenes", "scenes", "scenes-v1.json", json.dumps(scenes).encode(), count=3)
        return tale
    return make


@pytest.fixture
def ran(monkeypatch):
    """The pipeline replaced: each run only records (tale title, redos) in the order workers ran them."""
    order = []
    monkeypatch.setattr(tasks, "_run", lambda tale, redos, **_: order.append((tale.title, [r.stage for r in redos])))
    return order


def broker() -> list[tuple[str, tuple]]:
    """(func, args) of every task waiting in django-q2's ORM broker, oldest first."""
    return [(row.func(), tuple(row.task["args"])) for row in OrmQ.objects.order_by("id")]


def work_one(capture) -> str | None:
    """The cluster's next step: take the oldest task from the broker and run it; None when it is empty."""
    row = OrmQ.objects.order_by("id").first()
    if row is None:
        return None
    task = row.task
    row.delete()
    with capture(execute=True):
        return import_string(task["func"])(*task["args"], **task["kwargs"])


def drain(capture, limit: int = 100) -> None:
    for _ in range(limit):
        if work_one(capture) is None:
            return
    raise AssertionError("the broker never emptied")


def test_500_redo_posts_leave_at_most_the_cap_queued_and_say_why(owner_client, finished, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.RUNS_PER_TALE = 3
    tale = finished()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(500):
            response = owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "music"}, follow=i % 50 == 0)
            assert response.status_code in (200, 302)
            messages = [str(m) for m in response.context["messages"]] if i % 50 == 0 else []
            if i >= 3 and i % 50 == 0:
                assert any("У этой сказки очередь заполнена: не больше 3 запусков сразу" in m for m in messages)
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert "очередь заполнена" in page  # the message of the last refused one, shown on the page
    tale.refresh_from_db()
    refused = 500 - len(tale.run_queue)
    assert len(tale.run_queue) == 3 and refused == 497
    assert OrmQ.objects.count() == 1  # one task drains the three
    assert RunLog.objects.filter(kind="redo").count() == 3  # refused ones cost nothing


def test_every_refused_post_is_a_readable_message_never_a_500(owner_client, finished, settings):
    settings.RUNS_PER_TALE = 1
    tale = finished()
    owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "music"})
    old = tale.artifacts.create(stage="music", version=1, backend="test", is_current=False)
    for url, data in [(f"/tales/{tale.pk}/redo/", {"stage": "illustration", "scene": "2"}),
                      (f"/tales/{tale.pk}/versions/{old.pk}/", {})]:
        response = owner_client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "У этой сказки очередь заполнена: не больше 1 запусков сразу" in response.content.decode()
    tale.refresh_from_db()
    assert len(tale.run_queue) == 1


def test_the_user_cap_counts_queued_runs_of_all_their_tales(owner_client, finished, settings):
    settings.RUNS_PER_TALE, settings.RUNS_PER_USER, settings.TALES_AT_ONCE = 3, 5, 10
    first, second = finished(title="Первая"), finished(title="Вторая")
    for _ in range(3):
        owner_client.post(f"/tales/{first.pk}/redo/", {"stage": "music"})
    for _ in range(3):
        response = owner_client.post(f"/tales/{second.pk}/redo/", {"stage": "music"}, follow=True)
    assert "Ваша очередь заполнена: не больше 5 запусков на все ваши сказки сразу" in response.content.decode()
    response = owner_client.post("/tales/new/", NEW)  # a new tale is a run too
    assert response.status_code == 200 and "Ваша очередь заполнена" in response.content.decode()
    assert sum(len(t.run_queue) for t in Tale.objects.all()) == 5 and Tale.objects.count() == 2


def test_retry_counts_against_the_daily_quota(owner_client, make_tale, settings):
    settings.RUNS_PER_DAY = 2
    tale = make_tale(status="failed", error="boom")
    for _ in range(2):
        owner_client.post(f"/tales/{tale.pk}/retry/")
        tasks.cancel(tale)
    response = owner_client.post(f"/tales/{tale.pk}/retry/", follow=True)
    assert response.status_code == 200
    assert "За сутки можно запустить не больше 2 сказок и переделок" in response.content.decode()
    tale.refresh_from_db()
    assert tale.status == "cancelled" and tale.run_queue == []


def test_deleting_tales_does_not_reset_the_daily_quota(owner_client, settings):
    settings.TALES_PER_DAY = 2
    for _ in range(2):
        assert owner_client.post("/tales/new/", NEW).status_code == 302
        tale = Tale.objects.get()
        tasks.cancel(tale)
        response = owner_client.post(f"/tales/{tale.pk}/delete/", follow=True)
        assert "удалена" in response.content.decode()
    response = owner_client.post("/tales/new/", NEW)
    assert response.status_code == 200
    assert "За сутки можно создать не больше 2 сказок" in response.content.decode()
    assert not Tale.objects.exists() and RunLog.objects.filter(kind="new").count() == 2


def test_the_quota_is_checked_again_under_the_users_lock(owner_client, owner, settings, monkeypatch):
    """Another web process saves a tale between this form's check and this save: the check made under the
    lock, with the save, sees it and refuses; nothing is kept."""
    settings.TALES_AT_ONCE = 1
    lock = tasks.lock_owner

    def another_process_got_there_first(user_id):
        if not Tale.objects.exists():
            Tale.objects.create(owner=owner, title="Из другого процесса", genre="сказка")
        lock(user_id)

    monkeypatch.setattr(tasks, "lock_owner", another_process_got_there_first)
    response = owner_client.post("/tales/new/", NEW)
    assert response.status_code == 200 and "У вас уже создаётся сказок: 1" in response.content.decode()
    # (here the other process's row shares this test's connection, so it goes back with ours)
    assert not Tale.objects.filter(title="Колобок").exists()
    assert not RunLog.objects.exists() and not OrmQ.objects.exists()


def test_another_users_first_tale_is_not_queued_behind_a_backlog(client, owner_client, finished, stranger,
                                                                  settings, ran,
                                                                  django_capture_on_commit_callbacks):
    settings.TALES_AT_ONCE, settings.RUNS_PER_USER = 5, 5
    with django_capture_on_commit_callbacks(execute=True):
        for title in ("Первая", "Вторая", "Третья"):
            assert owner_client.post("/tales/new/", {**NEW, "title": title}).status_code == 302
        old = finished(title="Старая")
        owner_client.post(f"/tales/{old.pk}/redo/", {"stage": "music"})
        client.force_login(stranger)
        assert client.post("/tales/new/", {**NEW, "title": "Чужая"}).status_code == 302
    first, theirs = Tale.objects.get(title="Первая"), Tale.objects.get(title="Чужая")
    # one task per user in the broker; the first user's other tales wait in the database, "queued"
    assert broker() == [("fairytales.tales.tasks.make_tale", (str(first.pk), str(first.dispatch))),
                        ("fairytales.tales.tasks.make_tale", (str(theirs.pk), str(theirs.dispatch)))]
    waiting = Tale.objects.filter(owner=first.owner, status="queued", dispatch__isnull=True)
    assert set(waiting.values_list("title", flat=True)) == {"Вторая", "Третья", "Старая"}

    drain(django_capture_on_commit_callbacks)
    assert [title for title, _ in ran] == ["Первая", "Чужая", "Вторая", "Третья", "Старая"]
    assert ran[-1] == ("Старая", ["music"])
    assert set(Tale.objects.values_list("status", flat=True)) == {"done"}
    assert not Tale.objects.filter(dispatch__isnull=False).exists()


def test_a_single_users_tales_still_all_run(owner_client, settings, ran, django_capture_on_commit_callbacks):
    settings.TALES_AT_ONCE = 2
    with django_capture_on_commit_callbacks(execute=True):
        for title in ("Первая", "Вторая"):
            owner_client.post("/tales/new/", {**NEW, "title": title})
    assert len(broker()) == 1
    drain(django_capture_on_commit_callbacks)
    assert [title for title, _ in ran] == ["Первая", "Вторая"]
    assert set(Tale.objects.values_list("status", flat=True)) == {"done"}


def test_recovery_queues_a_waiting_tale_whose_user_has_nothing_in_flight(make_tale,
                                                                         django_capture_on_commit_callbacks):
    lost = make_tale(status="queued", run_queue=[[]])  # its task was lost (a broker restarted)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_interrupted(silent_for=300) == 0
    lost.refresh_from_db()
    assert broker() == [("fairytales.tales.tasks.make_tale", (str(lost.pk), str(lost.dispatch)))]


class WorkerDied(BaseException):
    """What the worker process sees of SIGKILL: it never returns (a BaseException escapes make_tale)."""


def test_a_run_whose_worker_dies_twice_ends_failed_not_running(owner_client, monkeypatch, settings,
                                                               django_capture_on_commit_callbacks):
    settings.STALL_SECONDS = 300

    def die(tale, redos, **_):
        from fairytales.tales.models import StageRun

        StageRun.objects.filter(tale=tale, stage="music").update(status="running")
        raise WorkerDied

    monkeypatch.setattr(tasks, "_run", die)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/tales/new/", NEW)
    tale = Tale.objects.get()
    tokens = []
    for death in (1, 2):
        tokens.append(str(tale.dispatch))
        with pytest.raises(WorkerDied):
            work_one(django_capture_on_commit_callbacks)
        tale.refresh_from_db()
        assert (tale.status, tale.attempts) == ("running", death)
        Tale.objects.filter(pk=tale.pk).update(heartbeat=timezone.now() - timezone.timedelta(minutes=10))
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.recover_interrupted() == 1  # as the schedule sees a dead worker
        tale.refresh_from_db()
    assert tale.status == "failed" and tale.run_queue == [] and tale.attempts == 0
    assert "Сказка дважды остановила обработчик на этапе «Музыка»" in tale.error
    assert "Попробуйте изменить её или повторить позже" in tale.error
    assert not OrmQ.objects.exists() and tale.dispatch is None
    assert tale.stage_runs.get(stage="music").status == "failed"
    # django-q2 re-delivering a dead task (its lock ran out) finds its token void and does nothing
    assert tasks.make_tale(str(tale.pk), tokens[0]) == "stale"
    tale.refresh_from_db()
    assert tale.status == "failed"
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert "Сказка дважды остановила обработчик" in page
    assert re.search(r'<form id="retry-form"[^>]*action="/tales/[^"]+/retry/"\s*>', page)  # shown
    monkeypatch.setattr(tasks, "_run", lambda tale, redos, **_: None)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/tales/{tale.pk}/retry/")
    drain(django_capture_on_commit_callbacks)
    tale.refresh_from_db()
    assert tale.status == "done"  # the retry button starts it afresh


def test_one_death_is_resumed_and_a_stopped_site_is_not_the_runs_fault(make_tale,
                                                                        django_capture_on_commit_callbacks):
    tale = make_tale(status="running", run_queue=[[]], attempts=1, heartbeat=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_interrupted(silent_for=0) == 1  # as `serve` does when it starts
    tale.refresh_from_db()
    assert (tale.status, tale.attempts) == ("queued", 0) and OrmQ.objects.count() == 1


def test_a_run_that_raises_ends_failed_at_once(make_tale, monkeypatch, django_capture_on_commit_callbacks):
    def fail(tale, redos, **_):
        raise MemoryError("the mixer ran out of memory")

    monkeypatch.setattr(tasks, "_run", fail)
    tale = make_tale()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.start(tale)
    drain(django_capture_on_commit_callbacks)
    tale.refresh_from_db()
    assert tale.status == "failed" and tale.run_queue == [] and "MemoryError" not in tale.error
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_interrupted(silent_for=0) == 0
    assert not OrmQ.objects.exists()
