"""Taking over tales whose worker went silent: a django-q2 schedule inside the cluster, made by migrate."""

import ast
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import OrmQ, Schedule

from fairytales.tales import signals
from fairytales.tales.tasks import recover_dead_workers

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


def test_a_tale_whose_worker_process_died_is_taken_back_at_once(make_tale, settings,
                                                                 django_capture_on_commit_callbacks):
    """`serve` asks every few seconds: a dead worker's tale resumes without waiting STALL_SECONDS of silence."""
    settings.STALL_SECONDS = 300
    gone = subprocess.Popen(["sleep", "30"])
    gone.kill()
    gone.wait()  # reaped: its pid names no process now
    zombie = subprocess.Popen(["true"])  # exits, never reaped: a killed worker its cluster has not waited for
    zombie_pid = zombie.pid
    host = socket.gethostname()
    recent = timezone.now()
    dead = make_tale(status="running", run_queue=[[]], heartbeat=recent, worker=f"default {host}:{gone.pid}")
    undead = make_tale(status="running", run_queue=[[]], heartbeat=recent, worker=f"default {host}:{zombie_pid}")
    alive = make_tale(status="running", run_queue=[[]], heartbeat=recent, worker=f"default {host}:{os.getpid()}")
    elsewhere = make_tale(status="running", run_queue=[[]], heartbeat=recent, worker=f"gpu other-host:{gone.pid}")
    for _ in range(50):  # let `true` exit
        if Path(f"/proc/{zombie_pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
            break
        time.sleep(0.05)
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_dead_workers() == 2
    for tale in (dead, undead, alive, elsewhere):
        tale.refresh_from_db()
    assert (dead.status, dead.attempts, dead.worker) == ("queued", 0, "")
    assert undead.status == "queued"
    assert alive.status == "running" and elsewhere.status == "running"  # another machine's is the schedule's
    assert OrmQ.objects.count() >= 1
    zombie.wait()
