"""Taking over tales whose worker went silent: a django-q2 schedule inside the cluster, made by migrate."""

import ast

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import OrmQ, Schedule

from fairytales.tales import signals

pytestmark = pytest.mark.django_db


def test_migrate_leaves_one_schedule_that_runs_every_minute():
    schedule = Schedule.objects.get(name=signals.RECOVERY_SCHEDULE)  # the test database was migrated
    assert schedule.func == "fairytales.tales.tasks.recover_interrupted"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # migrate again
    assert Schedule.objects.filter(name=signals.RECOVERY_SCHEDULE).count() == 1


def test_a_removed_schedule_comes_back_with_the_next_migrate():
    Schedule.objects.filter(name=signals.RECOVERY_SCHEDULE).delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert Schedule.objects.filter(name=signals.RECOVERY_SCHEDULE, func=signals.RECOVERY_FUNC).exists()


def test_the_scheduled_call_requeues_a_stalled_tale_only(make_tale, settings,
                                                         django_capture_on_commit_callbacks):
    settings.STALL_SECONDS = 300
    ago = timezone.now() - timezone.timedelta(minutes=10), timezone.now() - timezone.timedelta(minutes=1)
    stalled = make_tale(status="running", run_queue=[[]], heartbeat=ago[0])
    alive = make_tale(status="running", run_queue=[[]], heartbeat=ago[1])
    schedule = Schedule.objects.get(name=signals.RECOVERY_SCHEDULE)
    args = ast.literal_eval(schedule.args) if schedule.args else ()
    kwargs = ast.literal_eval(schedule.kwargs) if schedule.kwargs else {}
    with django_capture_on_commit_callbacks(execute=True):
        assert import_string(schedule.func)(*args, **kwargs) == 1  # as the cluster's scheduler calls it
    stalled.refresh_from_db()
    alive.refresh_from_db()
    assert (stalled.status, stalled.run_token) == ("queued", None) and alive.status == "running"
    assert OrmQ.objects.count() == 1
