"""Node tasks: a tale's nodes made as django-q2 tasks of their own, each on the cluster its backend needs.

The tale's task (tasks.make_tale) still walks the runner's graph, the one truth of what must be made; where a
node's backend needs another cluster (a picture drawn by a GPU model, with the tale's task on a CPU machine),
or other workers of its own cluster can help (a scene's voice, ``NODE_FANOUT``), the node is recorded as a
``NodeRun`` and a ``make_node`` task queued for it. Whoever claims a node first makes it, once: the tale's own
worker (its lanes, pipeline/lanes.py) or the node task, which runs the same graph with ``only`` that node. A
node task that runs twice, or after its worker died, finds the node claimed or made and does nothing; a node
whose worker dies (or goes silent for NODE_STALL_SECONDS) is queued again, once; the tale's page shows one
progress per stage and per scene wherever its nodes are made.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_q.tasks import async_task

from fairytales.pipeline import registry
from fairytales.pipeline.artifacts import Artifact as Result
from fairytales.pipeline.failures import Cancelled, NodeFailed, StageFailed
from fairytales.pipeline.lanes import BACKEND_OF, PER_SCENE, Job
from fairytales.pipeline.notes import Note
from fairytales.pipeline.runner import NodeMade, NodeStale, Redo, Runner, Wanted

from .models import NodeRun, Tale
from .reconnect import reconnecting
from .store import TaleStore
from .where import this_cluster, this_worker

log = logging.getLogger(__name__)
TASK = "fairytales.tales.nodes.make_node"
MAX_TRIES = 2  # claims of one node: its worker may die once, not twice
NODE_DIED = gettext_noop("Обработчик этого шага дважды остановился: ему не хватило памяти или времени.")
NODE_BROKEN = gettext_noop("Что-то пошло не так на сервере. Попробуйте ещё раз.")
PROGRESS_EVERY = 1.0  # seconds between a node task's progress writes
# A django-q2 cluster takes up to three tasks from the broker at a time for each worker (one it runs, one in its
# queue, one in its pusher's hand), so a busy GPU worker would sit on nodes another, idle one could start: each
# node is queued twice, and the copy that runs second finds it claimed and returns at once.
DELIVERIES = 2
HEARTBEAT_EVERY = 10.0  # seconds between a node task's heartbeats (NODE_STALL_SECONDS is far longer)


def enabled() -> bool:
    """Node tasks need workers that take them: not with django-q2's ``sync`` (everything in the caller)."""
    return settings.NODE_TASKS and not settings.Q_CLUSTER.get("sync")


def cluster_of(stage: str, backend: str | None) -> str:
    """The django-q2 cluster that makes ``stage``'s nodes with ``backend``: GPU_CLUSTER for a backend that
    needs a GPU, else CPU_CLUSTER (either empty: the default cluster)."""
    need = registry.device_need(stage, backend or None)
    return (settings.GPU_CLUSTER if need == "gpu" else settings.CPU_CLUSTER) or settings.Q_CLUSTER["name"]


class NodeTasks:
    """The ``Remote`` a tale's runner offers its nodes to (pipeline/lanes.py): one ``NodeRun`` per node."""

    def __init__(self, tale: Tale, token, redos: list[Redo], can_let_go: bool = False):
        """``can_let_go``: the tale's task was queued (it may stop and be queued again: ``let_go``)."""
        self.tale, self.token, self.can_let_go = tale, token, can_let_go
        self.redos = [redo.to_dict() for redo in redos if redo.version is None]
        self.cluster = this_cluster()
        self.rows: dict[tuple[str, int | None], NodeRun] = {}
        self.store = TaleStore(tale, token=token)

    def sends(self, stage: str, backend: str) -> bool:
        return cluster_of(BACKEND_OF.get(stage, stage), backend) != self.cluster

    @reconnecting
    def offer(self, jobs: list[Job]) -> None:
        helpers = settings.NODE_FANOUT
        for job in jobs:
            cluster = cluster_of(BACKEND_OF.get(job.stage, job.stage), job.backend)
            # a run that resumed finds a node that failed in its first part failed still, not to be made again
            row = NodeRun.objects.filter(tale=self.tale, run_token=self.token, stage=job.stage, scene=job.scene,
                                         fingerprint=job.fingerprint, state=NodeRun.State.FAILED).first()
            self.rows[(job.stage, job.scene)] = row or NodeRun.objects.create(
                tale=self.tale, run_token=self.token, stage=job.stage, scene=job.scene,
                fingerprint=job.fingerprint, backend=job.backend, cluster=cluster, redos=self.redos)
            if row is not None:
                continue
            row = self.rows[(job.stage, job.scene)]
            if row.cluster != self.cluster:
                send(row)
            elif job.stage in PER_SCENE and helpers > 0 and any(
                    other.stage == job.stage and other.scene < job.scene for other in jobs):
                helpers -= 1  # the first scene is this worker's own; later ones other workers may take
                send(row)

    @reconnecting
    def claim(self, job: Job) -> bool:
        row = self.rows[(job.stage, job.scene)]
        return bool(NodeRun.objects.filter(pk=row.pk, state=NodeRun.State.QUEUED).update(
            state=NodeRun.State.RUNNING, worker=this_worker(), heartbeat=timezone.now(), tries=F("tries") + 1))

    @reconnecting
    def look(self, jobs: list[Job]) -> None:
        rows = NodeRun.objects.in_bulk([self.rows[(job.stage, job.scene)].pk for job in jobs])
        for job in jobs:
            row = rows[self.rows[(job.stage, job.scene)].pk]
            if row.state == NodeRun.State.MADE:
                job.result = self._made(row)
                job.finished = True
            elif row.state == NodeRun.State.FAILED:
                job.result = NodeFailed(Note.from_dict(row.error_note) if row.error_note else Note(NODE_BROKEN),
                                        row.detail)
                job.finished = True
            elif row.state == NodeRun.State.CANCELLED:
                job.result, job.finished = Cancelled(), True
            elif row.state == NodeRun.State.RUNNING:
                job.fraction = row.fraction
                if _dead(row):
                    again(row)
            elif not row.sent:
                send(row)

    @reconnecting
    def settle(self, job: Job) -> None:
        row = self.rows.get((job.stage, job.scene))
        if row is None:
            return
        state = (NodeRun.State.MADE if isinstance(job.result, Result) else
                 NodeRun.State.CANCELLED if isinstance(job.result, Cancelled) else NodeRun.State.FAILED)
        NodeRun.objects.filter(pk=row.pk).update(state=state, fraction=1.0)

    @reconnecting
    def let_go(self) -> bool:
        """Let the tale's worker go while its nodes are made elsewhere: the tale stays "running", held by no
        worker, and the last of its nodes to end queues its task again (``wake``). Under the tale's lock, so a
        node that ends meanwhile either is seen ended here or sees the tale let go."""
        if not self.can_let_go:
            return False
        with transaction.atomic():
            tale = Tale.objects.select_for_update().get(pk=self.tale.pk)
            if tale.run_token != self.token or not _unfinished(tale.pk, self.token).exists():
                return False
            Tale.objects.filter(pk=tale.pk).update(worker="")
        return True

    def _made(self, row: NodeRun) -> Result | BaseException:
        current = self.store.current(row.stage, row.scene)
        if current is None or current.meta.get("node") != str(row.pk):
            return NodeFailed(Note(NODE_BROKEN), f"node {row.pk}: made, but its result is not the current one")
        return current



def send(row: NodeRun, copies: int = DELIVERIES) -> None:
    """Queue the node's task for the cluster that makes it, ``copies`` times over."""
    NodeRun.objects.filter(pk=row.pk).update(sent=True)
    row.sent = True
    for copy in range(copies):
        async_task(TASK, str(row.pk), cluster=row.cluster,
                   task_name=f"node-{row.stage}-{row.scene or 0}-{row.tale_id.hex}-{timezone.now():%H%M%S%f}-{copy}")


def again(row: NodeRun) -> None:
    """A node whose worker died: queued again, or failed the second time (its tale's task, if it let its
    worker go, is woken to say so)."""
    if row.tries >= MAX_TRIES:
        log.error("node %s: its worker %s died %s times; failing it", row, row.worker, row.tries)
        if NodeRun.objects.filter(pk=row.pk, state=NodeRun.State.RUNNING).update(
                state=NodeRun.State.FAILED, error_note=Note(NODE_DIED).to_dict(),
                detail=f"the worker making it died or went silent {row.tries} times ({row.worker})"):
            wake(row.tale_id, row.run_token)
        return
    log.warning("node %s: its worker %s died; queueing it again", row, row.worker)
    if NodeRun.objects.filter(pk=row.pk, state=NodeRun.State.RUNNING, worker=row.worker).update(
            state=NodeRun.State.QUEUED, sent=False, worker="", fraction=0.0):
        send(row)


def still_queued(tales) -> set:
    """Of these silent running tales, the ones whose task let its worker go and that wait in a queue: for their
    nodes (a crowd on a few GPUs waits longer than STALL_SECONDS), or, their nodes made, for their own task
    (``wake`` queued it behind other tales' on the CPU cluster). They are not dead: their heartbeat is renewed
    and what they wait for queued once more, in case a broker lost it (the Redis broker loses the tasks a
    killed cluster held; a copy that finds its node claimed, or its tale taken, returns at once). A run queued
    longer than TALE_TIMEOUT ago is left to be taken back, so that no tale waits "running" for ever."""
    waiting = set()
    oldest = timezone.now() - timezone.timedelta(seconds=settings.TALE_TIMEOUT)
    for pk in tales.filter(worker="", dispatch__isnull=False).values_list("pk", flat=True):
        with transaction.atomic():
            tale = Tale.objects.select_for_update().get(pk=pk)
            unfinished = list(_unfinished(pk, tale.run_token))
            if (tale.status != Tale.Status.RUNNING or tale.worker or tale.dispatch is None
                    or (tale.queued_at or tale.created) < oldest
                    or any(row.state != NodeRun.State.QUEUED for row in unfinished)):
                continue  # a node being made, and silent: its worker is gone (recover_dead_nodes, or take it back)
            Tale.objects.filter(pk=pk).update(heartbeat=timezone.now())
            if unfinished:
                transaction.on_commit(lambda rows=unfinished: [send(row, copies=1) for row in rows])
            else:
                _queue_task(tale)
        waiting.add(pk)
    return waiting


def _dead(row: NodeRun) -> bool:
    """Whether the worker making ``row`` is gone: a process of this machine that no longer exists, or silent."""
    import psutil  # noqa: PLC0415

    silent = row.heartbeat is None or (timezone.now() - row.heartbeat).total_seconds() > settings.NODE_STALL_SECONDS
    host, _, pid = row.worker.rpartition(" ")[2].rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return silent
    try:
        return psutil.Process(int(pid)).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return silent


class NodeStore(TaleStore):
    """A node task's store: its saves are the tale's results, its progress is its node's (the tale's own task
    reports the stages), and it stops when the tale is cancelled or its run was taken back."""

    def __init__(self, tale: Tale, row: NodeRun):
        super().__init__(tale, token=row.run_token)
        self.row = row
        self._written = 0.0

    @reconnecting
    def report(self, stage: str, status: str, fraction: float = 0.0, message: str = "", error: str = "",
               detail: str = "") -> None:
        if stage != self.row.stage or status != "running" or time.monotonic() - self._written < PROGRESS_EVERY:
            return
        self._written = time.monotonic()
        NodeRun.objects.filter(pk=self.row.pk).update(fraction=max(0.0, min(1.0, fraction)), heartbeat=timezone.now())


def make_node(node_id: str) -> str:
    """A node task: claim the node and make it (and nothing else), unless someone has claimed it already."""
    claimed = NodeRun.objects.filter(pk=node_id, state=NodeRun.State.QUEUED).update(
        state=NodeRun.State.RUNNING, worker=this_worker(), heartbeat=timezone.now(), tries=F("tries") + 1)
    if not claimed:
        return "taken"
    row = NodeRun.objects.select_related("tale").get(pk=node_id)
    tale = row.tale
    if tale.run_token != row.run_token or tale.status != Tale.Status.RUNNING:
        return _end(row, NodeRun.State.CANCELLED)
    from .tasks import choices_of, request_of  # noqa: PLC0415 - tasks imports this module

    wanted = Wanted(row.stage, row.scene, row.fingerprint, str(row.pk))
    runner = Runner(request_of(tale), NodeStore(tale, row), choices_of(tale), [Redo(**r) for r in row.redos],
                    only=wanted, run=str(row.run_token))
    beating = threading.Event()
    threading.Thread(target=_beat, args=(row.pk, beating), daemon=True, name=f"videotales-node-{row.pk}").start()
    try:
        runner.run()
    except NodeMade:
        return _end(row, NodeRun.State.MADE)
    except Cancelled:
        return _end(row, NodeRun.State.CANCELLED)
    except StageFailed as exc:
        return _end(row, NodeRun.State.FAILED, exc.public, exc.detail)
    except NodeStale as exc:
        return _end(row, NodeRun.State.FAILED, Note(NODE_BROKEN), str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug must still end the node, not leave it running
        log.exception("node %s failed", row)
        return _end(row, NodeRun.State.FAILED, Note(NODE_BROKEN), str(exc)[:500])
    finally:
        beating.set()
    return _end(row, NodeRun.State.FAILED, Note(NODE_BROKEN), "the graph never reached the node")


def _beat(node_id, stop: threading.Event) -> None:
    """The node's heartbeat while it is made, whatever its backend reports (a model loading for minutes says
    nothing): only a dead or hung worker goes silent."""
    try:
        while not stop.wait(HEARTBEAT_EVERY):
            with contextlib.suppress(DatabaseError):
                now = timezone.now()
                NodeRun.objects.filter(pk=node_id, state=NodeRun.State.RUNNING).update(heartbeat=now)
                # the tale's too: while its task waits, or has let its worker go, its nodes keep it alive
                Tale.objects.filter(nodes__pk=node_id, status=Tale.Status.RUNNING).update(heartbeat=now)
    finally:
        connection.close()  # this thread's own


@reconnecting
def _end(row: NodeRun, state: str, public: Note | None = None, detail: str = "") -> str:
    NodeRun.objects.filter(pk=row.pk).update(state=state, fraction=1.0 if state == NodeRun.State.MADE else row.fraction,
                                             error_note=public.to_dict() if public else {}, detail=detail[:2000])
    wake(row.tale_id, row.run_token)
    return state


def _unfinished(tale_id, token):
    return NodeRun.objects.filter(tale_id=tale_id, run_token=token, sent=True,
                                  state__in=[NodeRun.State.QUEUED, NodeRun.State.RUNNING])


def wake(tale_id, token) -> bool:
    """Queue the task of a tale that let its worker go (``NodeTasks.let_go``) once none of its nodes is left
    queued or being made; a cancelled one's too, which then frees its owner's turn."""
    with transaction.atomic():
        tale = Tale.objects.select_for_update().filter(pk=tale_id).first()
        if (tale is None or tale.worker or tale.dispatch is None or tale.run_token != token
                or tale.status not in (Tale.Status.RUNNING, Tale.Status.CANCELLED)
                or _unfinished(tale_id, token).exists()):
            return False
        _queue_task(tale)
    return True


def _queue_task(tale: Tale) -> None:
    """Queue the task of a tale that let its worker go, with its dispatch token, when the transaction commits."""
    from . import tasks  # noqa: PLC0415 - tasks imports this module

    name = f"tale-{tale.pk.hex}-{timezone.now():%H%M%S%f}"
    dispatch, cluster = str(tale.dispatch), tasks.cluster_for(tale)
    transaction.on_commit(lambda: async_task(tasks.TASK, str(tale.pk), dispatch, task_name=name, cluster=cluster))


def recover_dead_nodes() -> int:
    """Nodes being made by a worker process of this machine that no longer exists (killed, out of memory) are
    queued again at once (or failed, the second time), whether or not their tale's task is there to see it:
    ``serve`` asks every few seconds, beside ``tasks.recover_dead_workers``."""
    prefix = f" {socket.gethostname()}:"
    dead = [row for row in NodeRun.objects.filter(state=NodeRun.State.RUNNING, worker__contains=prefix)
            if _dead(row)]
    for row in dead:
        again(row)
    return len(dead)
