"""Background tasks (django-q2): making a tale, in the worker process."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from fairytales.pipeline.runner import ORDER, Cancelled, Choice, Runner, StageFailed
from fairytales.pipeline.types import TaleRequest

from . import broadcast
from .models import StageRun, Tale
from .snapshot import tale_state
from .store import TaleStore

log = logging.getLogger(__name__)


def enqueue(tale: Tale) -> None:
    """Queue the tale's run once the transaction that created or changed it has committed."""
    transaction.on_commit(lambda: async_task("fairytales.tales.tasks.make_tale", str(tale.pk),
                                             task_name=f"tale-{tale.pk.hex}"))


def start(tale: Tale) -> None:
    """Mark a tale queued, its unfinished stages pending, and queue it."""
    tale.status, tale.error, tale.finished = Tale.Status.QUEUED, "", None
    tale.save(update_fields=["status", "error", "finished"])
    for stage in ORDER:
        run, _ = StageRun.objects.get_or_create(tale=tale, stage=stage)
        if run.status != StageRun.Status.DONE:
            run.status, run.fraction, run.message, run.error = StageRun.Status.PENDING, 0.0, "", ""
            run.save()
    _announce(tale)
    enqueue(tale)


def make_tale(tale_id: str) -> str:
    """Run (or resume) the pipeline for one tale; the tale ends done, failed or cancelled."""
    tale = Tale.objects.get(pk=tale_id)
    if tale.status == Tale.Status.CANCELLED:
        return tale.status
    tale.status = Tale.Status.RUNNING
    tale.save(update_fields=["status"])
    _announce(tale)
    request = TaleRequest(title=tale.title, genre=tale.genre, scenes=tale.scene_count, seed=tale.seed)
    choices = {stage: Choice(**choice) for stage, choice in (tale.choices or {}).items()}
    try:
        Runner(request, TaleStore(tale), choices).run()
    except StageFailed as exc:
        _finish(tale, Tale.Status.FAILED, str(exc))
    except Cancelled:
        StageRun.objects.filter(tale=tale).exclude(status=StageRun.Status.DONE).update(
            status=StageRun.Status.CANCELLED)
        _finish(tale, Tale.Status.CANCELLED, "")
    except Exception as exc:  # noqa: BLE001 - a bug must still leave the tale failed, not running
        log.exception("tale %s failed", tale_id)
        _finish(tale, Tale.Status.FAILED, f"Внутренняя ошибка: {exc}")
    else:
        _finish(tale, Tale.Status.DONE, "")
    return tale.status


def _finish(tale: Tale, status: str, error: str) -> None:
    tale.refresh_from_db()
    if tale.status == Tale.Status.CANCELLED and status != Tale.Status.DONE:
        status = Tale.Status.CANCELLED
    tale.status, tale.error, tale.finished = status, error[:2000], timezone.now()
    tale.save(update_fields=["status", "error", "finished"])
    _announce(tale)


def _announce(tale: Tale) -> None:
    broadcast.send(tale.group_name, {"type": "tale", **tale_state(tale)})


def recover_interrupted() -> int:
    """Tales left "running" by a worker that died resume from their last finished stage."""
    interrupted = list(Tale.objects.filter(status=Tale.Status.RUNNING))
    for tale in interrupted:
        start(tale)
    return len(interrupted)
