"""Making a runner's nodes several at once: worker threads ("lanes") in the runner's process, a child process
for a backend that races with itself, and, on the site, node tasks that other workers make (``Remote``).

The scenes' voices and pictures are made several at once, scene by scene, and the music as soon as the voices
are read (a ``Then``), where the backends allow it (``BESIDE_OTHERS``; ``VIDEOTALES_WORKERS`` threads). The
results are the same as one at a time, saved in the same order, and every store call stays on the runner's own
thread (``StoreCalls``). Nodes offered to a ``Remote`` are made by whichever worker claims them first: this
runner's own lanes, or a node task elsewhere (another worker of the cluster, or the cluster the node's backend
needs); the runner waits for those and takes what they saved.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as StillRunning
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import registry
from .artifacts import Artifact, Store
from .failures import Cancelled, StageFailed
from .notes import Note
from .types import Scene, no_progress

# Backends whose nodes may be made beside other nodes: each worker has its own instance of the backend, and
# the backend keeps no process-wide state (a global random seed, torch's thread count) that the others read.
# espeak is a subprocess; the storybook painter is PIL and numpy with its own random generators; the composers
# sample with their own generator. Any other backend makes its nodes one at a time, with nothing beside it.
BESIDE_OTHERS = {
    "narration": frozenset({"rhvoice", "espeak"}),
    "illustration": frozenset({"storybook"}),
    "music": frozenset({"music_transformer", "procedural"}),
}
# ... but these race with themselves across the threads of one process (two RHVoice engines speaking at once
# now and then change each other's sound): their further workers make nodes in a child process each. Where
# the runner may have no children (a django-q worker is a daemon process) they make one node at a time.
OWN_PROCESS = {"narration": frozenset({"rhvoice"})}
PER_SCENE = ("narration", "illustration")
# Stages whose work is done by another stage's backend (the character sheet's reference pictures are drawn by
# the tale's illustrator): made where that backend may run
BACKEND_OF = {"cast": "illustration"}
# How many nodes are made at once (threads): the machine's cores, at most 4; 1 makes one node at a time
WORKERS_SETTING = "VIDEOTALES_WORKERS"
CANCEL_POLL = 1.0  # seconds between the runner's own looks at the store for a cancel while nodes are made
REMOTE_POLL = 0.5  # seconds between looks at the nodes other workers make


class Waiting(Exception):  # noqa: N818 - not an error: the run goes on when its nodes are made
    """The runner's task stops here: every node it still needs is being made by other workers, which start it
    again when they are done (``Remote.let_go``)."""


class StoreCalls:
    """Store calls from the runner's worker threads, made on the runner's own thread.

    The site's store is the Django ORM, whose connections belong to a thread: so every store call a node
    makes while it is made in a worker thread waits here for the runner's thread, which runs it."""

    def __init__(self):
        self.owner = threading.get_ident()
        self.waiting: queue.SimpleQueue = queue.SimpleQueue()  # (function, args, kwargs, Future) and finished jobs
        self.stopping = threading.Event()  # cancelled: a worker's next store call raises Cancelled

    def call(self, function, *args, **kwargs):
        if threading.get_ident() == self.owner:
            return function(*args, **kwargs)
        if self.stopping.is_set():
            raise Cancelled()
        answer: Future = Future()
        self.waiting.put((function, args, kwargs, answer))
        return answer.result()

    def run_one(self, item) -> None:
        function, args, kwargs, answer = item
        try:
            answer.set_result(function(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - the worker that asked raises it
            answer.set_exception(exc)


class StoreFromAnyThread:
    """The store, each of whose calls runs on the runner's own thread (see ``StoreCalls``)."""

    def __init__(self, store: Store, calls: StoreCalls):
        self._store, self._calls = store, calls

    def __getattr__(self, name: str):
        value = getattr(self._store, name)
        if not callable(value):
            return value
        return lambda *args, **kwargs: self._calls.call(value, *args, **kwargs)


@dataclass
class Job:
    """A node to make: ``make`` runs in a worker thread, the runner's thread keeps what it makes."""

    stage: str
    scene: int | None
    fingerprint: str
    make: Callable[[], Artifact]
    beside_others: bool  # whether it may be made while other nodes are made
    backend: str = ""  # the backend that makes it (where it may be made: ``Remote``)
    result: Artifact | BaseException | None = None
    finished: bool = False
    elsewhere: bool = False  # made (and saved) by another worker: the runner only takes it
    fraction: float = 0.0  # how far another worker is with it


@dataclass
class Batch:
    """One stage's nodes in a run of ``Lanes.make``: the results kept from before, and the jobs that make
    the others (a node's place in ``results`` is None until its job's result is saved)."""

    stage: str
    per_scene: bool
    results: list[Artifact | None]
    jobs: dict[int, Job]  # {place in results: job}
    fractions: dict[int, float] = field(default_factory=dict)  # {place: how far its job is}
    saved: int = 0  # results[:saved] are all saved (or kept), in order
    failure: Job | None = None
    started: bool = False  # reported running (when its first job started)


@dataclass
class Then:
    """Work that can start once the batches of stages ``after`` are all made and saved: ``build``, called on the
    runner's thread with those batches' results ({stage: results}), returns the batch to make next (a stage that
    needs them: the music needs the voices' lengths) or None (it started something of its own)."""

    after: tuple[str, ...]
    build: Callable[[dict[str, list[Artifact]]], Batch | None]


class Remote(Protocol):
    """Other workers that may make a runner's nodes: the site's node tasks (tales/nodes.py)."""

    def offer(self, jobs: list[Job]) -> None:
        """Record the jobs and queue node tasks for them, each on the cluster its backend needs."""

    def sends(self, stage: str, backend: str) -> bool:
        """Whether a node of ``stage`` made by ``backend`` is made elsewhere rather than on the runner's thread."""

    def claim(self, job: Job) -> bool:
        """Whether this runner makes ``job`` itself: it may here, and no node task has taken it."""

    def look(self, jobs: list[Job]) -> None:
        """For each job made elsewhere: set ``finished`` and ``result`` (the saved artifact, or the exception it
        failed with) when it is made, ``fraction`` while it is; queue again one whose worker died."""

    def settle(self, job: Job) -> None:
        """This runner made ``job`` itself (or failed to): say so to anyone looking."""

    def let_go(self) -> bool:
        """Only nodes made elsewhere are left: whether the runner's task may stop here and be started again
        when they are made (``Waiting``), rather than hold its worker while it waits."""


class Lanes:
    """Makes batches of jobs for a runner: ``keep(artifact, fingerprint)`` saves a made result (returning what
    its stage says when done), ``fail(stage, scene, cause)`` reports a stage failed and raises."""

    def __init__(self, store: Store, keep, fail, remote: Remote | None = None):
        self.calls = StoreCalls()
        self.store = StoreFromAnyThread(store, self.calls)
        self._keep, self._fail, self.remote = keep, fail, remote
        self._lane = threading.local()  # which worker a thread is: worker 0 uses the registry's backends

    def instance(self, stage: str, backend):
        """The instance of ``backend`` the calling thread's worker uses (``lane_instance``)."""
        return lane_instance(stage, backend, getattr(self._lane, "number", 0), self.calls.stopping)

    def cancelled(self) -> bool:
        return self.store.cancelled()

    def make(self, batches: list[Batch], then: tuple[Then, ...] = ()) -> list[list[Artifact]]:
        """Make the batches' jobs, several at once in worker threads where their backends allow, and return
        each batch's results in order (the batches ``then`` built, after the given ones).

        Every store call stays on this thread (workers' calls wait for it, see ``StoreCalls``), and results are
        saved in the batches' order, whatever order they are made in: the same files, versions and
        «Сцена k из n готова» as one at a time. A failing node does not stop the others: what they make is
        kept, and then its stage fails, naming the scene. A cancel stops every worker at its next progress.
        The batches' jobs start scene by scene (the first scene's voice and picture, then the second's...), and
        those of a batch ``then`` builds before any waiting.
        """
        batches = list(batches)
        jobs = [job for batch in batches for job in sorted_jobs(batch)]
        jobs.sort(key=lambda job: job.scene or 0)  # stable: a scene's nodes keep the batches' order
        for batch in batches:  # a stage with nothing to make is done now; the others when their first job starts
            if not batch.jobs:
                self._start(batch)
        if jobs and self.cancelled():
            raise Cancelled()
        waiting, running, elsewhere = [], {}, []  # running: {job id: (job, lane)}
        self._add(batches, jobs, waiting, elsewhere)
        follow = _FollowUps(list(then), batches, jobs, lambda batch: self._add(
            [batch], sorted_jobs(batch), waiting, elsewhere, ahead=True))
        try:
            follow.check(self.calls.stopping)
            self._pump(batches, waiting, running, elsewhere, follow)
        except BaseException:  # the store failed on this thread: stop the workers, and let none wait for it
            self.calls.stopping.set()
            while running:
                item = self.calls.waiting.get()
                if isinstance(item, Job):
                    running.pop(id(item))
                else:
                    self.calls.run_one(item)
            self.calls.stopping.clear()
            raise
        stopped = self.calls.stopping.is_set()
        self.calls.stopping.clear()
        for batch in batches:  # after a failure or a cancel: keep what the others made
            self._save_ready(batch, to_the_end=True)
        if stopped or any(isinstance(job.result, Cancelled) for job in jobs):
            raise Cancelled()
        failed = [batch for batch in batches if batch.failure]
        for batch in failed[1:]:
            failure = StageFailed(batch.stage, batch.failure.scene, batch.failure.result)
            self.store.report(batch.stage, "failed", 0.0, "", error=failure.public, detail=failure.detail)
        if failed:
            self._fail(failed[0].stage, failed[0].failure.scene, failed[0].failure.result)
        return [batch.results for batch in batches]

    def _add(self, batches: list[Batch], jobs: list[Job], waiting: list[Job], elsewhere: list[Job],
             ahead: bool = False) -> None:
        """Start making ``batches`` (their ``jobs``, in order): the jobs another cluster makes are offered and
        waited for from the start, the others wait for a lane (``ahead`` of those waiting already)."""
        for batch in batches:
            if not batch.jobs and not batch.started:
                self._start(batch)
        if jobs and self.remote is not None:
            self.remote.offer(jobs)
        here = []
        for job in jobs:
            if self.remote is None or not self.remote.sends(job.stage, job.backend):
                here.append(job)
                continue
            job.elsewhere = True
            elsewhere.append(job)
            batch = _batch_of(job, batches)
            if not batch.started:
                self._start(batch)
        if ahead:
            waiting[0:0] = here
        else:
            waiting.extend(here)

    def _pump(self, batches: list[Batch], waiting: list[Job], running: dict, elsewhere: list[Job],
              follow: _FollowUps) -> None:
        """Start jobs as workers come free, run the workers' store calls, save what they make, take what other
        workers made, start what waited for them; until all are made (or, after a cancel, the running ones
        have stopped)."""
        lanes = workers()
        looked = watched = time.monotonic()
        while waiting or running or elsewhere:
            while waiting and len(running) < lanes and not self.calls.stopping.is_set():
                job = waiting[0]
                if running and not (job.beside_others and all(j.beside_others for j, _ in running.values())):
                    break  # a job that must run alone waits for the others; the ones after it wait too
                waiting.pop(0)
                batch = _batch_of(job, batches)
                if not batch.started:
                    self._start(batch)
                if self.remote is not None and not self.remote.claim(job):
                    job.elsewhere = True  # a node task makes it
                    elsewhere.append(job)
                    continue
                lane = min(set(range(lanes)) - {lane for _, lane in running.values()})
                running[id(job)] = (job, lane)
                threading.Thread(target=self._work, args=(job, lane), daemon=True,
                                 name=f"videotales-{job.stage}-{job.scene or 0}").start()
            if self.calls.stopping.is_set():
                waiting.clear()
                elsewhere.clear()  # each node task sees the cancel itself
            try:
                item = self.calls.waiting.get(timeout=REMOTE_POLL if elsewhere else CANCEL_POLL)
            except queue.Empty:
                item = None
            if isinstance(item, Job):
                running.pop(id(item))
                if isinstance(item.result, Cancelled):  # one worker saw the cancel: the others stop too
                    self.calls.stopping.set()
                if self.remote is not None:
                    self.remote.settle(item)
                for batch in batches:
                    self._save_ready(batch)
                follow.check(self.calls.stopping)
            elif item is not None:
                self.calls.run_one(item)
            if elsewhere and time.monotonic() - watched >= REMOTE_POLL:
                watched = time.monotonic()
                self._take_from_elsewhere(batches, elsewhere)
                follow.check(self.calls.stopping)
                if elsewhere and not waiting and not running and not self.calls.stopping.is_set() \
                        and self.remote.let_go():
                    self._keep_made(batches)
                    raise Waiting()
            if time.monotonic() - looked >= CANCEL_POLL and not self.calls.stopping.is_set():
                looked = time.monotonic()
                if self.cancelled():
                    self.calls.stopping.set()

    def _take_from_elsewhere(self, batches: list[Batch], elsewhere: list[Job]) -> None:
        """What the node tasks have made (their progress while they make it) into the batches."""
        self.remote.look(elsewhere)
        for job in [job for job in elsewhere if job.finished]:
            elsewhere.remove(job)
            if isinstance(job.result, Cancelled):
                self.calls.stopping.set()
        for batch in batches:
            per_scene = [job for place, job in batch.jobs.items() if job.elsewhere]
            if not per_scene or not batch.per_scene:
                continue
            for place, job in batch.jobs.items():
                if job.elsewhere and not job.finished:
                    batch.fractions[place] = job.fraction
            n = len(batch.results)
            if batch.saved < n:  # beats the tale's heartbeat too, while its nodes are made elsewhere
                self.store.report(batch.stage, "running", (batch.saved + sum(batch.fractions.values())) / n,
                                  Note("Сцен готово: {done} из {scenes}", done=batch.saved, scenes=n))
            self._save_ready(batch)

    def _keep_made(self, batches: list[Batch]) -> None:
        """Save what this runner made and has not saved yet (a later place's result, waiting for an earlier
        one made elsewhere), before its task lets its worker go: the run that resumes finds it current."""
        for batch in batches:
            for place, job in batch.jobs.items():
                if job.finished and not job.elsewhere and isinstance(job.result, Artifact) \
                        and batch.results[place] is None:
                    self._keep(job.result, job.fingerprint)
                    batch.results[place] = job.result

    def _start(self, batch: Batch) -> None:
        """Report the stage running (or done, when all of it is kept) and the scenes it keeps."""
        batch.started = True
        if batch.per_scene or batch.jobs:
            self.store.report(batch.stage, "running", 0.0, Note("Начинаю"))
        else:
            self.store.report(batch.stage, "done", 1.0, Note("Готово (сохранено ранее)"))
        self._save_ready(batch)

    def _work(self, job: Job, lane: int) -> None:
        """A worker thread: make one node, then hand it (or why it failed) to the runner's thread."""
        self._lane.number = lane
        try:
            job.result = job.make()
        except BaseException as exc:  # noqa: BLE001 - the runner's thread fails the stage with it
            job.result = exc
        job.finished = True
        self.calls.waiting.put(job)

    def _save_ready(self, batch: Batch, to_the_end: bool = False) -> None:
        """Save the batch's made results that all earlier ones are saved before, in order (all that were made,
        ``to_the_end``), and report each scene and the stage done. A result made elsewhere is saved already."""
        n, before = len(batch.results), batch.saved
        while batch.started and batch.saved < n:
            place = batch.saved
            job = batch.jobs.get(place)
            if job is not None and batch.results[place] is None:
                if not job.finished:
                    if not to_the_end:
                        return
                elif isinstance(job.result, Artifact):
                    batch.results[place] = job.result
                    done = None if job.elsewhere else self._keep(job.result, job.fingerprint)
                    if not batch.per_scene:
                        self.store.report(batch.stage, "done", 1.0, done or Note("Готово"))
                elif not isinstance(job.result, Cancelled) and batch.failure is None:
                    batch.failure = job
            batch.fractions.pop(place, None)
            batch.saved += 1
            if batch.per_scene and batch.results[place] is not None:
                self.store.report(batch.stage, "running", batch.saved / n,
                                  Note("Сцена {scene} из {scenes} готова", scene=place + 1, scenes=n))
        if batch.per_scene and before < batch.saved == n and all(batch.results) and not to_the_end:
            self.store.report(batch.stage, "done", 1.0, Note("Готово: сцен {scenes}", scenes=n))


class _FollowUps:
    """The ``Then`` of one ``Lanes.make``, each built once the batches it waits for are all saved (never after a
    failure among them, or a cancel); the batches built join ``batches`` and their jobs ``jobs``."""

    def __init__(self, pending: list[Then], batches: list[Batch], jobs: list[Job], add: Callable[[Batch], None]):
        self.pending, self.batches, self.jobs, self.add = pending, batches, jobs, add

    def check(self, stopping: threading.Event) -> None:
        for follow in list(self.pending):
            after = [batch for batch in self.batches if batch.stage in follow.after]
            if stopping.is_set() or any(batch.failure for batch in after):
                self.pending.remove(follow)
            elif len(after) == len(follow.after) and all(batch.saved == len(batch.results) for batch in after):
                self.pending.remove(follow)
                batch = follow.build({batch.stage: batch.results for batch in after})
                if batch is not None:
                    self.batches.append(batch)
                    self.jobs.extend(sorted_jobs(batch))
                    self.add(batch)


def sorted_jobs(batch: Batch) -> list[Job]:
    return [job for _, job in sorted(batch.jobs.items())]


def _batch_of(job: Job, batches: list[Batch]) -> Batch:
    return next(b for b in batches if any(j is job for j in b.jobs.values()))


def beside_others(stage: str, name: str) -> bool:
    """Whether ``name``'s nodes of ``stage`` may be made in a thread beside other nodes, in this process."""
    if name in OWN_PROCESS.get(stage, ()) and multiprocessing.current_process().daemon:
        return False
    return name in BESIDE_OTHERS.get(stage, ())


def start_children(stage: str, name: str, model: str | None) -> None:
    """Start the child processes (and load the backend in them) of the workers that will make ``stage``'s
    nodes in a process of their own, while the text stages run, so the nodes need not wait for them."""
    if name not in OWN_PROCESS.get(stage, ()) or not beside_others(stage, name):
        return
    for lane in range(1, workers()):
        child = _child(lane)
        try:
            if child is not None:
                child.submit(_load_in_child, stage, name, model)
        except (BrokenProcessPool, RuntimeError):  # it died: its scenes fall back (see _ChildNarrator)
            with _spares_lock:
                _children[lane] = None


_spares: dict[tuple[str, str, str | None, int], Any] = {}
_spares_lock = threading.Lock()


def lane_instance(stage: str, backend, lane: int, stopping: threading.Event):
    """The instance of ``backend`` that worker ``lane`` uses: the registry's own for worker 0 (and for any
    node made alone), another of its own, kept for the process, for each further worker of a per-scene
    stage whose backend makes nodes beside others (in a child process, for OWN_PROCESS backends). No two
    threads ever use one instance at once."""
    if lane == 0 or stage not in PER_SCENE or backend.name not in BESIDE_OTHERS.get(stage, ()):
        return backend
    if backend.name in OWN_PROCESS.get(stage, ()):
        return _ChildNarrator(backend, lane, stopping)
    key = (stage, backend.name, backend.model, lane)
    with _spares_lock:
        if key not in _spares:
            _spares[key] = type(backend)(model=backend.model)
        return _spares[key]


_children: dict[int, ProcessPoolExecutor | None] = {}  # {worker: its child process (None: it cannot have one)}


class _ChildNarrator:
    """A narrator whose ``speak`` runs in worker ``lane``'s child process, with an instance of its own there;
    the rest is the registry's instance. It reports no progress inside a scene; a cancel stops the waiting.
    Where the child cannot run (it dies, or cannot start: a script without ``if __name__ == "__main__"``) the
    registry's instance speaks, taking turns with worker 0 phrase by phrase (its own lock)."""

    def __init__(self, backend, lane: int, stopping: threading.Event):
        self._backend, self._lane, self._stopping = backend, lane, stopping

    def __getattr__(self, name: str):
        return getattr(self._backend, name)

    def ensure_loaded(self) -> None:
        """The child loads its own instance."""

    def speak(self, scene: Scene, out_wav: Path, options: dict, progress=no_progress, language: str = "ru"):
        child = _child(self._lane)
        if child is None:
            return self._backend.speak(scene, out_wav, options, progress, language=language)
        try:
            answer = child.submit(_speak_in_child, self._backend.stage, self._backend.name, self._backend.model,
                                  scene, out_wav, options, language)
            while True:
                try:
                    return answer.result(timeout=0.25)
                except StillRunning:
                    if self._stopping.is_set():
                        answer.cancel()
                        raise Cancelled() from None
        except BrokenProcessPool:
            with _spares_lock:
                _children[self._lane] = None
            return self._backend.speak(scene, out_wav, options, progress, language=language)


def _child(lane: int) -> ProcessPoolExecutor | None:
    """Worker ``lane``'s child process, started on first use (None: it cannot have one)."""
    with _spares_lock:
        if lane not in _children:
            _children[lane] = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return _children[lane]


def _load_in_child(stage: str, name: str, model: str | None) -> None:
    registry.get(stage, name, model).ensure_loaded()


def _speak_in_child(stage: str, name: str, model: str | None, scene: Scene, out_wav: Path, options: dict,
                    language: str):
    backend = registry.get(stage, name, model)
    backend.ensure_loaded()
    return backend.speak(scene, out_wav, options, language=language)


def workers() -> int:
    """How many nodes are made at once: ``VIDEOTALES_WORKERS``, else the machine's cores (at most 4)."""
    given = os.environ.get(WORKERS_SETTING, "").strip()
    if given:
        return max(1, int(given))
    return max(1, min(os.cpu_count() or 1, 4))
