"""Background tasks (django-q2): making and remaking a tale, in the worker process.

A tale's runs queue on the tale itself (``Tale.run_queue``): the first request queues a django-q2
task; requests that arrive while it works are appended and drained by the same task, one after
the other. So a second redo waits for the first, and no two workers ever work on one tale.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from fairytales.pipeline import stages
from fairytales.pipeline.backend import first_line
from fairytales.pipeline.runner import Cancelled, Choice, Redo, Runner, StageFailed
from fairytales.pipeline.types import TaleRequest

from . import broadcast
from .models import StageRun, Tale
from .snapshot import snapshot, tale_state
from .store import TaleStore

log = logging.getLogger(__name__)
INTERNAL_ERROR = "Что-то пошло не так на сервере. Попробуйте ещё раз."


def start(tale: Tale, redos: list[Redo] | None = None, enqueue: bool = True) -> bool:
    """Ask for a run of the tale (with ``redos``, or none to make what is missing).

    Returns True when the tale was idle and the run comes next (a worker task is queued for it
    unless ``enqueue`` is False, for a caller that runs ``make_tale`` itself), False when the run
    waits behind one in progress.
    """
    with transaction.atomic():
        tale = Tale.objects.select_for_update().get(pk=tale.pk)
        idle = not tale.run_queue  # a queued run stays in the queue until its task has ended it
        tale.run_queue = [*tale.run_queue, [r.to_dict() for r in redos or []]]
        if idle:
            tale.status, tale.error, tale.error_detail, tale.finished = Tale.Status.QUEUED, "", "", None
        tale.save(update_fields=["run_queue", "status", "error", "error_detail", "finished"])
        if idle and enqueue:
            transaction.on_commit(lambda: async_task("fairytales.tales.tasks.make_tale", str(tale.pk),
                                                     task_name=f"tale-{tale.pk.hex}-{timezone.now():%H%M%S%f}"))
    if idle:
        _reset_stages(tale)
    return idle


def make_tale(tale_id: str) -> str:
    """Drain the tale's run queue; the tale ends done, failed or cancelled."""
    with transaction.atomic():
        tale = Tale.objects.select_for_update().filter(pk=tale_id).first()
        if tale is None or tale.status != Tale.Status.QUEUED:
            return tale.status if tale else "deleted"  # someone else holds it, or it was cancelled
        tale.status, tale.run_token, tale.heartbeat = Tale.Status.RUNNING, uuid.uuid4(), timezone.now()
        tale.save(update_fields=["status", "run_token", "heartbeat"])
    _announce(tale)
    status, error, detail = Tale.Status.DONE, "", ""
    token = tale.run_token
    while (redos := _next_run(tale)) is not None:
        try:
            _run(tale, redos)
            _pop_run(tale)
            status, error, detail = Tale.Status.DONE, "", ""
        except StageFailed as exc:
            _pop_run(tale)
            status, error, detail = Tale.Status.FAILED, exc.public, exc.detail
        except Cancelled:
            if Tale.objects.filter(pk=tale.pk).values_list("run_token", flat=True).first() != token:
                return "lost"  # taken back after going silent: the worker that resumed it owns it now
            StageRun.objects.filter(tale=tale).exclude(status=StageRun.Status.DONE).update(
                status=StageRun.Status.CANCELLED)
            broadcast.send(tale.group_name, snapshot(tale))
            status, error, detail = Tale.Status.CANCELLED, "", ""
            break
        except Exception as exc:  # noqa: BLE001 - a bug must still leave the tale failed, not running
            log.exception("tale %s failed", tale_id)
            _pop_run(tale)
            status, error, detail = Tale.Status.FAILED, INTERNAL_ERROR, first_line(exc)
    _finish(tale, status, error, detail)
    return status


def _next_run(tale: Tale) -> list[Redo] | None:
    """The first queued run; it stays queued until it ends, so a worker that dies leaves it to resume."""
    queue = Tale.objects.filter(pk=tale.pk).values_list("run_queue", flat=True).first()
    return [Redo(**redo) for redo in queue[0]] if queue else None


def _pop_run(tale: Tale) -> None:
    with transaction.atomic():
        locked = Tale.objects.select_for_update().get(pk=tale.pk)
        locked.run_queue = locked.run_queue[1:]
        locked.save(update_fields=["run_queue"])


def _run(tale: Tale, redos: list[Redo]) -> None:
    tale.refresh_from_db()
    if redos:
        _reset_stages(tale)
    request = TaleRequest(title=tale.title, genre=tale.genre, scenes=tale.scene_count, seed=tale.seed)
    choices = {stage: Choice(**choice) for stage, choice in (tale.choices or {}).items()}
    store = TaleStore(tale, token=tale.run_token)
    for redo in redos:
        if redo.version is not None:
            store.choose(redo.stage, redo.scene, redo.version)
    Runner(request, store, choices, redos).run()


def _reset_stages(tale: Tale) -> None:
    """Every stage back to "pending" for a new run; the ones that need no work turn "done" at once."""
    for stage in stages.ORDER:
        StageRun.objects.update_or_create(tale=tale, stage=stage, defaults={
            "status": StageRun.Status.PENDING, "fraction": 0.0, "message": "", "error": "", "detail": ""})
    broadcast.send(tale.group_name, snapshot(tale))


def _finish(tale: Tale, status: str, error: str, detail: str = "") -> None:
    with transaction.atomic():
        tale = Tale.objects.select_for_update().get(pk=tale.pk)
        if tale.status == Tale.Status.CANCELLED:
            status = Tale.Status.CANCELLED
        tale.status, tale.error, tale.error_detail = status, error[:2000], detail[:2000]
        tale.finished = timezone.now()
        tale.save(update_fields=["status", "error", "error_detail", "finished"])
    _announce(tale)


def _announce(tale: Tale) -> None:
    broadcast.send(tale.group_name, {"type": "tale", **tale_state(tale)})


def cancel(tale: Tale) -> bool:
    """Stop a tale being made: its worker notices within seconds and stops; queued redos are dropped."""
    with transaction.atomic():
        tale = Tale.objects.select_for_update().get(pk=tale.pk)
        if not tale.in_progress:
            return False
        was_queued = tale.status == Tale.Status.QUEUED
        tale.status, tale.run_queue = Tale.Status.CANCELLED, []
        tale.save(update_fields=["status", "run_queue"])
    if was_queued:  # no worker holds it: nobody else will mark the stages
        StageRun.objects.filter(tale=tale).exclude(status=StageRun.Status.DONE).update(
            status=StageRun.Status.CANCELLED)
        broadcast.send(tale.group_name, snapshot(tale))
    _announce(tale)
    return True


def recover_interrupted(silent_for: float | None = None) -> int:
    """Tales whose worker died are queued again and resume from their last finished stage.

    A tale is taken to be dead when its run has been silent for ``silent_for`` seconds (by default
    STALL_SECONDS: the cluster's schedule runs this every minute, see signals.py), or, with 0, whenever
    it is "running" at all (as when the site starts and no worker can be holding one).
    """
    if silent_for is None:
        silent_for = settings.STALL_SECONDS
    stalled = Tale.objects.filter(status=Tale.Status.RUNNING)
    if silent_for:
        stalled = stalled.filter(heartbeat__lt=timezone.now() - timezone.timedelta(seconds=silent_for))
    interrupted = []
    for pk in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            tale = Tale.objects.select_for_update().get(pk=pk)
            if tale.status != Tale.Status.RUNNING:
                continue  # it finished meanwhile
            log.warning("tale %s: its worker went silent; resuming it", tale.pk)
            tale.status, tale.run_token = Tale.Status.QUEUED, None
            tale.run_queue = tale.run_queue or [[]]
            tale.save(update_fields=["status", "run_token", "run_queue"])
            transaction.on_commit(lambda pk=pk: async_task("fairytales.tales.tasks.make_tale", str(pk)))
        interrupted.append(pk)
    return len(interrupted)
