"""Background tasks (django-q2): making and remaking a tale, in the worker process.

A tale's runs queue on the tale itself (``Tale.run_queue``): requests that arrive while it works are
appended and drained by the same task, one after the other. So a second redo waits for the first, and no
two workers ever work on one tale.

Fair between users: at most one django-q2 task per user is queued or working at a time (``Tale.dispatch``
holds its token). A user's other tales wait here, "queued" but not yet in the broker; when the user's task
ends it queues their next waiting tale (oldest request first), so one user's backlog never stands in the
broker ahead of another user's first tale. The recovery schedule does the same for anyone left waiting.

Routed: a tale's task goes to CPU_CLUSTER and sends each node whose backend needs a GPU to GPU_CLUSTER as a
node task (nodes.py; ``cluster_for``, docs/deploy.md); in the embedded default both are the one default cluster.

Bounded: the runs a user asks for on the site (``start`` with a ``kind``) are capped per tale and per user
and count against the daily quotas (``Tale.objects.quota_problem``), checked and queued under a lock on the
user's row, so two web processes cannot both pass the check. A run whose worker dies (killed, out of memory,
timed out) is resumed once; the second time the tale ends failed, and the run is never started again.
"""

from __future__ import annotations

import logging
import socket
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_q.tasks import async_task

from fairytales.pipeline import registry, stages
from fairytales.pipeline.backend import first_line
from fairytales.pipeline.lanes import Waiting
from fairytales.pipeline.notes import Note
from fairytales.pipeline.runner import Cancelled, Choice, Redo, Runner, StageFailed
from fairytales.pipeline.types import TaleRequest

from . import broadcast, nodes
from .models import NodeRun, RunLog, StageRun, Tale
from .snapshot import snapshot, tale_state
from .store import TaleStore
from .where import this_worker

log = logging.getLogger(__name__)
# stored in Russian, shown in the reader's language (tales/i18n.py): marked for the catalog here
INTERNAL_ERROR = gettext_noop("Что-то пошло не так на сервере. Попробуйте ещё раз.")
MAX_ATTEMPTS = 2  # starts of one run: the worker may die once (a restart, a lost machine), not twice
POISONED = gettext_noop("Сказка дважды остановила обработчик: ему не хватило памяти или времени. "
                        "Попробуйте изменить её или повторить позже.")
POISONED_AT = gettext_noop("Сказка дважды остановила обработчик на этапе «{stage}»: ему не хватило памяти или "
                           "времени. Попробуйте изменить её или повторить позже.")
POISONED_STAGE = gettext_noop("Обработчик дважды остановился на этом этапе.")
TASK = "fairytales.tales.tasks.make_tale"


class Refused(Exception):
    """A run the user may not ask for now: the message says why, in words for the user."""


def lock_owner(user_id) -> None:
    """Hold the user's row until the transaction ends: quota checks, queueing and dispatching for one user
    happen one at a time across processes (SQLite's IMMEDIATE transactions serialise writers anyway).
    FOR NO KEY UPDATE where there is one, so inserting a tale (whose foreign key share-locks the row)
    does not deadlock with it."""
    rows = get_user_model().objects.filter(pk=user_id)
    if connection.features.has_select_for_update:
        rows = rows.select_for_update(no_key=connection.features.has_select_for_no_key_update)
    list(rows.values_list("pk", flat=True))


def start(tale: Tale, redos: list[Redo] | None = None, enqueue: bool = True, kind: str | None = None) -> bool:
    """Ask for a run of the tale (with ``redos``, or none to make what is missing).

    ``kind`` (a RunLog.Kind): a run the owner asks for on the site; it must fit the caps and quotas, or
    ``Refused`` is raised and nothing changes, and it is logged for the daily quotas. None: an operator's
    run (the ``redo`` command), not limited.

    Returns True when the tale was idle and the run comes next: a worker task is queued for it when its
    owner has none (else it waits for theirs to end), unless ``enqueue`` is False, for a caller that runs
    ``make_tale`` itself. False when the run waits behind one in progress on this tale.
    """
    with transaction.atomic():
        lock_owner(tale.owner_id)
        tale = Tale.objects.select_for_update().get(pk=tale.pk)
        if kind is not None:
            problem = Tale.objects.quota_problem(tale.owner, kind, tale)
            if problem:
                raise Refused(problem)
            RunLog.objects.create(user_id=tale.owner_id, tale=tale, kind=kind)
        idle = not tale.run_queue  # a queued run stays in the queue until its task has ended it
        tale.run_queue = [*tale.run_queue, [r.to_dict() for r in redos or []]]
        fields = ["run_queue"]
        if idle:
            tale.status, tale.error, tale.error_detail, tale.finished = Tale.Status.QUEUED, "", "", None
            tale.error_note = {}
            tale.queued_at, tale.attempts = timezone.now(), 0
            fields += ["status", "error", "error_note", "error_detail", "finished", "queued_at", "attempts"]
            if not enqueue:
                tale.dispatch = uuid.uuid4()  # the caller runs it: nobody else may queue it meanwhile
                fields.append("dispatch")
        tale.save(update_fields=fields)
        if idle and enqueue:
            _dispatch_next(tale.owner_id)
    if idle:
        _reset_stages(tale)
    return idle


def _in_flight(owner_id) -> bool:
    return Tale.objects.filter(Q(dispatch__isnull=False) | Q(status=Tale.Status.RUNNING), owner_id=owner_id).exists()


def _dispatch_next(owner_id) -> Tale | None:
    """Queue a worker task for the owner's oldest waiting tale, unless one of theirs has a task already.

    Call it with the owner locked (``lock_owner``), in a transaction: the task goes to the broker when
    that commits."""
    if _in_flight(owner_id):
        return None
    waiting = (Tale.objects.filter(owner_id=owner_id, status=Tale.Status.QUEUED, dispatch__isnull=True)
               .order_by(F("queued_at").asc(nulls_first=True), "created").first())
    if waiting is not None:
        _enqueue(waiting)
    return waiting


def _enqueue(tale: Tale) -> None:
    """Give the tale a new task token and queue the task when the transaction commits."""
    token = uuid.uuid4()
    Tale.objects.filter(pk=tale.pk).update(dispatch=token)
    tale.dispatch = token
    name = f"tale-{tale.pk.hex}-{timezone.now():%H%M%S%f}"
    cluster = cluster_for(tale)
    transaction.on_commit(lambda: async_task(TASK, str(tale.pk), str(token), task_name=name, cluster=cluster))


def cluster_for(tale: Tale) -> str:
    """The django-q2 cluster a tale's task goes to. With node tasks (nodes.py), CPU_CLUSTER: the nodes that
    need a GPU are sent from there to GPU_CLUSTER. Without, the cluster that serves the heaviest need of the
    tale's queued runs: GPU_CLUSTER when one of their backends needs a GPU, else CPU_CLUSTER. Empty means the
    default cluster; named explicitly even then, since a worker of another cluster queues its owner's next
    tale too (``_dispatch_next``)."""
    if nodes.enabled():
        return settings.CPU_CLUSTER or settings.Q_CLUSTER["name"]
    queue = Tale.objects.filter(pk=tale.pk).values_list("run_queue", flat=True).first() or []
    backends = {stage: (choice or {}).get("backend") for stage, choice in (tale.choices or {}).items()}
    needs = [registry.run_need(backends)]
    needs += [registry.device_need(redo["stage"], redo["backend"]) for run in queue for redo in run
              if redo.get("backend") and redo.get("stage") in registry.BACKENDS]
    cluster = settings.GPU_CLUSTER if "gpu" in needs else settings.CPU_CLUSTER
    return cluster or settings.Q_CLUSTER["name"]


def cluster_names() -> list[str]:
    """Every django-q2 cluster runs and nodes are routed to (``cluster_for``, nodes.py): one in the embedded
    default."""
    default = settings.Q_CLUSTER["name"]
    return list(dict.fromkeys([settings.GPU_CLUSTER or default, settings.CPU_CLUSTER or default]))


def make_tale(tale_id: str, dispatch: str | None = None) -> str:
    """Drain the tale's run queue; the tale ends done, failed or cancelled, and the owner's next waiting
    tale gets its task. ``dispatch``: the token the task was queued with; a task whose token the tale no
    longer holds (django-q2 re-delivering one whose worker died, after the tale was taken back) does
    nothing. None: the caller runs the tale itself."""
    with transaction.atomic():
        tale = Tale.objects.select_for_update().filter(pk=tale_id).first()
        if tale is None:
            return "deleted"  # its owner's next tale is queued by the recovery schedule
        if dispatch is not None and str(tale.dispatch) != dispatch:
            return "stale"
        # a run whose task let its worker go while other workers made its nodes (nodes.py): started again
        resumed = tale.status == Tale.Status.RUNNING and not tale.worker and dispatch is not None
        if tale.status != Tale.Status.QUEUED and not resumed:  # someone else holds it, or it was cancelled
            if tale.status != Tale.Status.RUNNING:
                transaction.on_commit(lambda: _release(tale, dispatch))
            return tale.status
        if not resumed:
            tale.status, tale.run_token = Tale.Status.RUNNING, uuid.uuid4()
        tale.heartbeat, tale.worker = timezone.now(), this_worker()
        tale.save(update_fields=["status", "run_token", "heartbeat", "worker"])
    _announce(tale)
    status, error, detail = Tale.Status.DONE, "", ""
    while (redos := _next_run(tale)) is not None:
        if not resumed and not _attempt(tale):  # its worker died twice on it: never a third time
            stage = StageRun.objects.filter(tale=tale, status=StageRun.Status.RUNNING).first()
            status, error, detail = Tale.Status.FAILED, *_poisoned(tale, stage)
            break
        try:
            _run(tale, redos, resumed=resumed, can_let_go=dispatch is not None)
            resumed = False
            _pop_run(tale)
            status, error, detail = Tale.Status.DONE, "", ""
        except Waiting:
            return "waiting"  # its nodes start it again when they are made (nodes.wake)
        except StageFailed as exc:
            _pop_run(tale)
            status, error, detail = Tale.Status.FAILED, exc.public, exc.detail
        except Cancelled:
            if Tale.objects.filter(pk=tale.pk).values_list("run_token", flat=True).first() != tale.run_token:
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


def _attempt(tale: Tale) -> bool:
    """Count a start of the first queued run; False when it has been started MAX_ATTEMPTS times already."""
    return bool(Tale.objects.filter(pk=tale.pk, attempts__lt=MAX_ATTEMPTS).update(attempts=F("attempts") + 1))


def _poisoned(tale: Tale, stage: StageRun | None) -> tuple[str, str]:
    """(public, detail) for a run whose worker died twice; its queue is dropped and its stage failed."""
    public = Note(POISONED_AT, stage=Note(stages.label(stage.stage))) if stage else Note(POISONED)
    detail = (f"the worker went silent {MAX_ATTEMPTS} times during this run (killed, out of memory or past "
              f"TALE_TIMEOUT){f' in stage {stage.stage}' if stage else ''}; the run was dropped")
    log.error("tale %s: %s", tale.pk, detail)
    Tale.objects.filter(pk=tale.pk).update(run_queue=[], attempts=0)
    if stage is not None:
        StageRun.objects.filter(pk=stage.pk).update(
            status=StageRun.Status.FAILED, error=POISONED_STAGE, error_note={}, detail=detail,
            finished=timezone.now())
    return public, detail


def _next_run(tale: Tale) -> list[Redo] | None:
    """The first queued run; it stays queued until it ends, so a worker that dies leaves it to resume."""
    queue = Tale.objects.filter(pk=tale.pk).values_list("run_queue", flat=True).first()
    return [Redo(**redo) for redo in queue[0]] if queue else None


def _pop_run(tale: Tale) -> None:
    """The first queued run has ended. The next one gets a token of its own (what it makes is stamped with it:
    ``Runner(run=…)``), so it is not taken for the run before it."""
    with transaction.atomic():
        locked = Tale.objects.select_for_update().get(pk=tale.pk)
        locked.run_queue, locked.attempts = locked.run_queue[1:], 0
        fields = ["run_queue", "attempts"]
        if locked.run_token == tale.run_token and locked.status == Tale.Status.RUNNING:
            locked.run_token = tale.run_token = uuid.uuid4()
            fields.append("run_token")
        locked.save(update_fields=fields)


def _run(tale: Tale, redos: list[Redo], *, resumed: bool = False, can_let_go: bool = False) -> None:
    """Make the run; ``resumed``: it was made in part already, by this run's task before it let its worker go."""
    tale.refresh_from_db()
    store = TaleStore(tale, token=tale.run_token)
    if redos and not resumed:
        _reset_stages(tale)
        for redo in redos:
            if redo.version is not None:
                store.choose(redo.stage, redo.scene, redo.version)
    remote = nodes.NodeTasks(tale, tale.run_token, redos, can_let_go) if nodes.enabled() else None
    Runner(request_of(tale), store, choices_of(tale), redos, remote=remote, run=str(tale.run_token)).run()


def request_of(tale: Tale) -> TaleRequest:
    return TaleRequest(title=tale.title, genre=tale.genre, scenes=tale.scene_count, seed=tale.seed,
                       language=tale.language, subtitles=tuple(tale.subtitles or ()))


def choices_of(tale: Tale) -> dict[str, Choice]:
    return {stage: Choice(**choice) for stage, choice in (tale.choices or {}).items()}


def _reset_stages(tale: Tale) -> None:
    """Every stage back to "pending" for a new run; the ones that need no work turn "done" at once."""
    for stage in stages.ORDER:
        StageRun.objects.update_or_create(tale=tale, stage=stage, defaults={
            "status": StageRun.Status.PENDING, "fraction": 0.0, "message": "", "note": {}, "error": "", "error_note": {},
            "detail": ""})
    broadcast.send(tale.group_name, snapshot(tale))


def _finish(tale: Tale, status: str, error: str, detail: str = "") -> None:
    with transaction.atomic():
        lock_owner(tale.owner_id)
        tale = Tale.objects.select_for_update().get(pk=tale.pk)
        if tale.status == Tale.Status.CANCELLED:
            status = Tale.Status.CANCELLED
        tale.status, tale.error, tale.error_detail = status, error[:2000], detail[:2000]
        tale.error_note = error.to_dict() if isinstance(error, Note) else {}
        tale.finished, tale.dispatch, tale.attempts, tale.worker = timezone.now(), None, 0, ""
        tale.save(update_fields=["status", "error", "error_note", "error_detail", "finished", "dispatch", "attempts",
                                 "worker"])
        _dispatch_next(tale.owner_id)
    _announce(tale)


def _release(tale: Tale, dispatch: str | None) -> None:
    """A task that found its tale already ended (cancelled while it waited): free its owner's turn."""
    with transaction.atomic():
        lock_owner(tale.owner_id)
        held = Tale.objects.filter(pk=tale.pk).exclude(status__in=[Tale.Status.QUEUED, Tale.Status.RUNNING])
        if dispatch is not None:
            held = held.filter(dispatch=dispatch)
        held.update(dispatch=None)
        _dispatch_next(tale.owner_id)


def _announce(tale: Tale) -> None:
    broadcast.send(tale.group_name, {"type": "tale", **tale_state(tale)})


def cancel(tale: Tale) -> bool:
    """Stop a tale being made: its worker notices within seconds and stops; queued redos are dropped."""
    with transaction.atomic():
        tale = Tale.objects.select_for_update().get(pk=tale.pk)
        if not tale.in_progress:
            return False
        # queued, or waiting for its nodes with no worker of its own (nodes.py): nobody else marks the stages
        was_queued = tale.status == Tale.Status.QUEUED or not tale.worker
        tale.status, tale.run_queue, tale.attempts = Tale.Status.CANCELLED, [], 0
        tale.save(update_fields=["status", "run_queue", "attempts"])
    if was_queued:  # no worker holds it: nobody else will mark the stages
        StageRun.objects.filter(tale=tale).exclude(status=StageRun.Status.DONE).update(
            status=StageRun.Status.CANCELLED)
        broadcast.send(tale.group_name, snapshot(tale))
    _announce(tale)
    return True


def recover_interrupted(silent_for: float | None = None) -> int:
    """Tales whose worker died are queued again and resume from their last finished stage; the second time
    one run loses its worker, the tale ends failed instead. Returns how many tales were taken back.

    A tale is taken to be dead when its run has been silent for ``silent_for`` seconds (by default
    STALL_SECONDS: the cluster's schedule runs this every minute, see signals.py), or, with 0, whenever
    it is "running" at all (as when the site starts and no worker can be holding one: the site was stopped,
    so that interruption does not count as the run's fault). A tale whose task let its worker go and that waits in
    a cluster's queue, for its nodes or for its own task, is not dead, only waiting (``nodes.still_queued``).

    Then every user with tales waiting and no task of theirs queued or working gets their next one queued
    (a task lost with its tale, a tale deleted while its task waited), and old run logs are pruned.
    """
    if silent_for is None:
        silent_for = settings.STALL_SECONDS
    stalled = Tale.objects.filter(status=Tale.Status.RUNNING)
    if silent_for:
        stalled = stalled.filter(heartbeat__lt=timezone.now() - timezone.timedelta(seconds=silent_for))
        stalled = stalled.exclude(pk__in=nodes.still_queued(stalled))
    taken = _take_back(stalled.values_list("pk", "owner_id"), count_attempt=bool(silent_for))
    waiting = Tale.objects.filter(status=Tale.Status.QUEUED, dispatch__isnull=True)
    for owner_id in set(waiting.values_list("owner_id", flat=True)):
        with transaction.atomic():
            lock_owner(owner_id)
            _dispatch_next(owner_id)
    RunLog.objects.filter(created__lt=timezone.now() - timezone.timedelta(days=2)).delete()
    NodeRun.objects.filter(created__lt=timezone.now() - timezone.timedelta(days=2)).delete()
    return taken


def recover_dead_workers() -> int:
    """Tales held by a worker process of this machine that no longer exists (killed, out of memory) are taken
    back at once, as a silent one is after STALL_SECONDS: ``serve`` asks every few seconds, so a tale whose
    worker died resumes in seconds rather than minutes. A zombie (killed, not yet reaped) counts as dead."""
    import psutil  # noqa: PLC0415 - only the serving process needs it

    prefix = f" {socket.gethostname()}:"
    dead = {}
    held = Tale.objects.filter(status=Tale.Status.RUNNING, worker__contains=prefix)
    for pk, owner_id, worker in held.values_list("pk", "owner_id", "worker"):
        pid = worker.rpartition(":")[2]
        try:
            alive = psutil.Process(int(pid)).status() != psutil.STATUS_ZOMBIE
        except (ValueError, psutil.NoSuchProcess):
            alive = False
        except psutil.Error:  # another user's process: someone is there
            alive = True
        if not alive:
            dead[(pk, owner_id)] = worker
    return _take_back(dead, count_attempt=True, dead_workers=dead)


def _take_back(tales, count_attempt: bool, dead_workers: dict | None = None) -> int:
    """Queue each (pk, owner_id) tale again to resume, or end it failed when its run has lost its worker
    MAX_ATTEMPTS times. ``count_attempt`` False: the interruption was not the run's fault (the site stopped).
    ``dead_workers``: the worker each tale was seen held by; a tale another worker holds by now is left alone."""
    taken = 0
    for pk, owner_id in tales:
        with transaction.atomic():
            lock_owner(owner_id)
            tale = Tale.objects.select_for_update().get(pk=pk)
            if tale.status != Tale.Status.RUNNING:
                continue  # it finished meanwhile
            if dead_workers is not None and tale.worker != dead_workers[(pk, owner_id)]:
                continue  # resumed by another worker meanwhile
            if not count_attempt:
                tale.attempts = max(0, tale.attempts - 1)
            if tale.attempts >= MAX_ATTEMPTS:
                stage = StageRun.objects.filter(tale=tale, status=StageRun.Status.RUNNING).first()
                tale.error, tale.error_detail = _poisoned(tale, stage)
                tale.error_note = tale.error.to_dict()
                tale.status, tale.run_queue, tale.attempts = Tale.Status.FAILED, [], 0
                tale.run_token, tale.dispatch, tale.finished, tale.worker = None, None, timezone.now(), ""
                tale.save(update_fields=["status", "error", "error_note", "error_detail", "run_queue", "attempts",
                                         "run_token", "dispatch", "finished", "worker"])
                _dispatch_next(owner_id)
                transaction.on_commit(lambda tale=tale: (broadcast.send(tale.group_name, snapshot(tale)),
                                                         _announce(tale)))
            else:
                log.warning("tale %s: its worker %s; resuming it", tale.pk, "died" if dead_workers else "went silent")
                tale.status, tale.run_token, tale.worker = Tale.Status.QUEUED, None, ""
                tale.run_queue = tale.run_queue or [[]]
                tale.save(update_fields=["status", "run_token", "run_queue", "attempts", "worker"])
                _enqueue(tale)  # it keeps its owner's turn; the dead task's token is void
        taken += 1
    return taken
