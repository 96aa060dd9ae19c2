"""Runs the stage graph for one tale, making only what is missing or asked for again.

    title + genre ─► story ─► proofread ─► scenes ─┬─► narration[i] ─┐
                                                   ├─► illustration[i]├─► video (+ poster, subtitle tracks)
                                                   ├─► music ─────────┤
                                                   └─► translation ───┘

Every stage works in the tale's language (``TaleRequest.language``); the translation stage gives each scene's
text in the further subtitle languages, and the video node writes one WebVTT track per language.

A node is made when the store has no current result for it, when it is asked for (``redo``),
or when something it depends on was made in this run. So a first run makes everything, a run
after a crash resumes after the last finished node, and a redo of one picture makes that
picture and the video.

The scenes' voices are made several at once, and the pictures while the music is composed (``_together``:
worker threads, a child process for RHVoice; ``VIDEOTALES_WORKERS``), where the backends allow it
(``BESIDE_OTHERS``). The results are the same as one at a time, saved in the same order, and every store call
stays on the runner's own thread.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as StillRunning
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import failures, languages, limits, registry, stages
from .artifacts import Artifact, Store
from .backend import SEED, first_line
from .failures import LimitExceeded
from .illustration import IllustrationContext, upscale
from .music import MusicCue
from .music.scene_moods import mood_words
from .notes import Note, as_note
from .scenes import rewrite_scene, split_scenes
from .translation import Job
from .types import Cue, Scene, TaleRequest, no_progress
from .video import DEFAULT_FORMAT, FORMATS, Cut, SceneClip, joins, webvtt
from .video.timeline import plan

SEED_OFFSETS = {"story": 0, "narration": 100, "illustration": 200, "music": 300}
MUSIC_SLACK = 8.0  # seconds of music beyond the narration, so a longer redo of one scene fits

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
# How many nodes are made at once (threads): the machine's cores, at most 4; 1 makes one node at a time
WORKERS_SETTING = "VIDEOTALES_WORKERS"
CANCEL_POLL = 1.0  # seconds between the runner's own looks at the store for a cancel while nodes are made


class Cancelled(Exception):
    pass


class StageFailed(Exception):
    """A stage failed: ``public`` says so to anyone who sees the tale, ``detail`` is for its owner and the log."""

    def __init__(self, stage: str, scene: int | None, cause: BaseException):
        explained = failures.explain(cause, stage, scene)
        super().__init__(explained.public)
        self.stage, self.scene, self.cause = stage, scene, cause
        self.public, self.detail = explained.public, explained.detail


@dataclass
class Choice:
    """Which backend makes a stage, with which weights and options."""

    backend: str | None = None  # None: the stage's default (registry.default_backend)
    model: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Redo:
    """A node asked for again: option overrides for this time (a new seed, another voice), another
    backend, or the user's own words (``text`` for the story or one scene, ``prompt`` for a picture)."""

    stage: str
    scene: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    backend: str | None = None
    model: str | None = None
    text: str | None = None
    prompt: str | None = None
    version: int | None = None  # not made again: the store's version to make current (an older picture)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, {})}


class _Calls:
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


class _StoreFromAnyThread:
    """The store, each of whose calls runs on the runner's own thread (see ``_Calls``)."""

    def __init__(self, store: Store, calls: _Calls):
        self._store, self._calls = store, calls

    def __getattr__(self, name: str):
        value = getattr(self._store, name)
        if not callable(value):
            return value
        return lambda *args, **kwargs: self._calls.call(value, *args, **kwargs)


@dataclass
class _Job:
    """A node to make: ``make`` runs in a worker thread, the runner's thread keeps what it makes."""

    stage: str
    scene: int | None
    fingerprint: str
    make: Callable[[], Artifact]
    beside_others: bool  # whether it may be made while other nodes are made
    result: Artifact | BaseException | None = None
    finished: bool = False


@dataclass
class _Batch:
    """One stage's nodes in a run of ``_together``: the results kept from before, and the jobs that make
    the others (a node's place in ``results`` is None until its job's result is saved)."""

    stage: str
    per_scene: bool
    results: list[Artifact | None]
    jobs: dict[int, _Job]  # {place in results: job}
    fractions: dict[int, float] = field(default_factory=dict)  # {place: how far its job is}
    saved: int = 0  # results[:saved] are all saved (or kept), in order
    failure: _Job | None = None
    started: bool = False  # reported running (when its first job started)


class Runner:
    def __init__(self, request: TaleRequest, store: Store, choices: dict[str, Choice] | None = None,
                 redo: list[Redo] | None = None):
        self.request = request
        self._calls = _Calls()
        self.store = _StoreFromAnyThread(store, self._calls)
        self._lane = threading.local()  # which worker a thread is: worker 0 uses the registry's backends
        self.choices = {stage: Choice() for stage in stages.WITH_BACKENDS}
        self.choices.update(choices or {})
        self.redo = {(r.stage, r.scene): r for r in (redo or []) if r.version is None}
        self._parallel_problems: dict[str, str] = {}  # {language: why the storyteller gave no parallel text}

    # -- the graph ------------------------------------------------------------------------
    def run(self) -> Artifact:
        """Make whatever the video still needs and return the current video."""
        self._calls.owner = threading.get_ident()  # the thread that runs the store's calls
        if self.store.current("narration", 1) is None:  # a new tale: the narrating children start meanwhile
            self._start_children("narration")
        story = self._node("story", None, {}, self._story)
        text = self._node("proofread", None, {"story": _names(story)}, lambda: self._proofread(story))
        previous = self.store.current("scenes")
        scenes_artifact = self._node("scenes", None, {"text": _names(text), "count": self.request.scenes},
                                     lambda: self._scenes(text, previous))
        scenes = [Scene.from_dict(d) for d in json.loads(scenes_artifact.file().read_text("utf-8"))]
        others = self._subtitle_languages()
        # with no other language there is nothing to translate: the scenes are no input then
        translation = self._node("translation", None,
                                 {"scenes": _names(scenes_artifact), "languages": list(others)} if others else {},
                                 lambda: self._translation(scenes, others))
        self._check_work(scenes)
        [narrations] = self._together([self._scene_batch("narration", scenes,
                                                         lambda s: {"lines": [vars(x) for x in s.lines]},
                                                         self._narration)])
        frame = self._frame()
        # a picture is composed for its film's aspect: one of another aspect is drawn again (16:9 adds no key,
        # so the pictures of every tale made before formats existed stay current)
        aspect = {} if frame[0] * 9 == frame[1] * 16 else {"aspect": f"{frame[0]}x{frame[1]}"}
        pictures = self._scene_batch("illustration", scenes,
                                     lambda s: {"text": s.text, "prompt": s.prompt, **aspect}, self._illustration)
        needed = sum(a.meta["duration"] for a in narrations) + 10 * len(scenes)
        cues = self._music_cues(scenes, narrations)
        music_inputs = {"genre": self.request.genre}
        if self._follows_scenes():  # its music changes with the scenes' moods: made again when they change
            music_inputs["moods"] = [list(cue.moods) for cue in cues]
        music = self._batch("music", None, music_inputs, lambda: self._music(needed, cues),
                            stale=lambda a: a.meta.get("duration", 0) < needed)
        # the music needs only the narration: it is composed while the pictures are drawn (it starts first: it
        # is the longer)
        pictures, [music] = self._together([pictures, music], first="music")
        inputs = {"title": self.request.title, "parts": [_names(a) for a in (*narrations, *pictures, music)]}
        if others:  # a film with tracks in other languages is made again when their texts change
            inputs["translation"] = _names(translation)
        return self._node("video", None, inputs, lambda: self._video(scenes, narrations, pictures, music, translation))

    def _subtitle_languages(self) -> tuple[str, ...]:
        """The tale's further subtitle languages; an unknown one fails the translation stage readably."""
        try:
            languages.check(self.request.language)
            return languages.extra(self.request.language, self.request.subtitles)
        except ValueError as exc:
            self._fail("translation", None, exc)

    def _check_work(self, scenes: list[Scene]) -> None:
        """Refuse, before any voice or picture is made, a tale whose text or pictures are over the limits."""
        problem = limits.tale_text_problem([scene.text for scene in scenes])
        if problem:
            self._fail("narration", None, LimitExceeded(problem))
        choice = self.choices["illustration"]
        try:
            illustrator = registry.get("illustration", choice.backend, choice.model)
            work = illustrator.work(illustrator.options(choice.options), len(scenes))
        except Exception as exc:  # noqa: BLE001 - an unknown backend or bad options fail the stage readably
            self._fail("illustration", None, exc)
        problem = limits.picture_work_problem(work)
        if problem:
            self._fail("illustration", None, LimitExceeded(problem))

    def _fail(self, stage: str, scene: int | None, cause: BaseException):
        failed = StageFailed(stage, scene, cause)
        self.store.report(stage, "failed", 0.0, "", error=failed.public, detail=failed.detail)
        raise failed from cause

    def _node(self, stage: str, scene: int | None, inputs: dict, make, stale=None) -> Artifact:
        """The current result of a node, made anew if it is missing, asked for, or its inputs changed.

        ``inputs`` identifies what the node is made from (file names are unique per version), so an
        edit upstream reaches exactly the nodes that read what changed.
        """
        fingerprint = _fingerprint(inputs)
        current = self._reusable(stage, scene, fingerprint, stale)
        if current:
            if scene is None:
                self.store.report(stage, "done", 1.0, Note("Готово (сохранено ранее)"))
            return current
        self._check_cancelled()
        if scene is None:
            self.store.report(stage, "running", 0.0, Note("Начинаю"))
        try:
            artifact = make()
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - any backend failure becomes a readable stage error
            self._fail(stage, scene, exc)
        done = self._keep(artifact, fingerprint)
        if scene is None:
            self.store.report(stage, "done", 1.0, done or Note("Готово"))
        return artifact

    def _reusable(self, stage: str, scene: int | None, fingerprint: str, stale=None) -> Artifact | None:
        """The node's current result, if it is current for these inputs and not asked for again."""
        current = self.store.current(stage, scene)
        wanted = (stage, scene) in self.redo or (stage, None) in self.redo or (
            scene is None and any(asked == stage for asked, _ in self.redo))
        if (current and not wanted and current.meta.get("inputs") == fingerprint
                and not (stale and stale(current))):
            return current
        return None

    def _keep(self, artifact: Artifact, fingerprint: str) -> Note | None:
        """Save a made result under its final names; what its stage says when done, if not just «Готово»."""
        artifact.files = {role: _finish_part(path) for role, path in artifact.files.items()}
        artifact.meta["inputs"] = fingerprint
        done = artifact.meta.pop("done_note", None)
        self.store.save(artifact)
        return done

    # -- making nodes together -------------------------------------------------------------
    def _beside_others(self, stage: str, scene: int | None) -> bool:
        """Whether the backend that will make this node may make it in a thread beside other nodes."""
        redo = self._redo(stage, scene)
        name = (redo and redo.backend) or self.choices[stage].backend
        name = registry.canonical(stage, name) or registry.default_backend(stage)
        if name in OWN_PROCESS.get(stage, ()) and multiprocessing.current_process().daemon:
            return False
        return name in BESIDE_OTHERS.get(stage, ())

    def _start_children(self, stage: str) -> None:
        """Start the child processes (and load the backend in them) of the workers that will make ``stage``'s
        nodes in a process of their own, while the text stages run, so the nodes need not wait for them."""
        redo = self._redo(stage)
        name = registry.canonical(stage, (redo and redo.backend) or self.choices[stage].backend)
        name = name or registry.default_backend(stage)
        if name not in OWN_PROCESS.get(stage, ()) or not self._beside_others(stage, None):
            return
        model = (redo and redo.model) or self.choices[stage].model
        model = model or registry.configured_model(registry.backend_class(stage, name))
        for lane in range(1, workers()):
            child = _child(lane)
            try:
                if child is not None:
                    child.submit(_load_in_child, stage, name, model)
            except (BrokenProcessPool, RuntimeError):  # it died: its scenes fall back (see _ChildNarrator)
                with _spares_lock:
                    _children[lane] = None

    def _batch(self, stage: str, scene: int | None, inputs: dict, make, stale=None) -> _Batch:
        """A single node as a batch for ``_together``: its current result, or the job that makes it."""
        fingerprint = _fingerprint(inputs)
        current = self._reusable(stage, scene, fingerprint, stale)
        if current:
            return _Batch(stage, False, [current], {})
        return _Batch(stage, False, [None], {0: _Job(stage, scene, fingerprint, make,
                                                     self._beside_others(stage, scene))})

    def _scene_batch(self, stage: str, scenes: list[Scene], inputs, make) -> _Batch:
        """A per-scene stage as a batch for ``_together``: each scene's current result or the job making it."""
        batch = _Batch(stage, True, [], {})
        n = len(scenes)
        for place, scene in enumerate(scenes):
            fingerprint = _fingerprint(inputs(scene))
            current = self._reusable(stage, scene.index, fingerprint)
            batch.results.append(current)
            if current is None:
                progress = self._progress(stage)  # each scene's own: scenes made at once report in turn

                def scene_progress(fraction: float, message: str = "", place=place, progress=progress):
                    batch.fractions[place] = fraction
                    progress((batch.saved + sum(batch.fractions.values())) / n,
                             Note("Сцена {scene} из {scenes}: {inner}", scene=place + 1, scenes=n,
                                  inner=as_note(message)))

                batch.jobs[place] = _Job(stage, scene.index, fingerprint,
                                         lambda s=scene, p=scene_progress: make(s, p),
                                         self._beside_others(stage, scene.index))
        return batch

    def _together(self, batches: list[_Batch], first: str | None = None) -> list[list[Artifact]]:
        """Make the batches' jobs, several at once in worker threads where their backends allow, and return
        each batch's results in order.

        Every store call stays on this thread (workers' calls wait for it, see ``_Calls``), and results are
        saved in the batches' order, whatever order they are made in: the same files, versions and
        «Сцена k из n готова» as one at a time. A failing node does not stop the others: what they make is
        kept, and then its stage fails, naming the scene. A cancel stops every worker at its next progress.
        The jobs of stage ``first`` start first.
        """
        jobs = [job for batch in batches for _, job in sorted(batch.jobs.items())]
        jobs.sort(key=lambda job: job.stage != first)  # stable: each stage's jobs keep their order
        for batch in batches:  # a stage with nothing to make is done now; the others when their first job starts
            if not batch.jobs:
                self._start(batch)
        if jobs:
            self._check_cancelled()
        waiting, running = list(jobs), {}  # {job id: (job, lane)}
        try:
            self._pump(batches, waiting, running)
        except BaseException:  # the store failed on this thread: stop the workers, and let none wait for it
            self._calls.stopping.set()
            while running:
                item = self._calls.waiting.get()
                if isinstance(item, _Job):
                    running.pop(id(item))
                else:
                    self._calls.run_one(item)
            self._calls.stopping.clear()
            raise
        stopped = self._calls.stopping.is_set()
        self._calls.stopping.clear()
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

    def _pump(self, batches: list[_Batch], waiting: list[_Job], running: dict) -> None:
        """Start jobs as workers come free, run the workers' store calls, save what they make; until all are
        made (or, after a cancel, the running ones have stopped)."""
        lanes = workers()
        looked = time.monotonic()
        while waiting or running:
            while waiting and len(running) < lanes and not self._calls.stopping.is_set():
                job = waiting[0]
                if running and not (job.beside_others and all(j.beside_others for j, _ in running.values())):
                    break  # a job that must run alone waits for the others; the ones after it wait too
                waiting.pop(0)
                batch = next(b for b in batches if any(j is job for j in b.jobs.values()))
                if not batch.started:
                    self._start(batch)
                lane = min(set(range(lanes)) - {lane for _, lane in running.values()})
                running[id(job)] = (job, lane)
                threading.Thread(target=self._work, args=(job, lane), daemon=True,
                                 name=f"videotales-{job.stage}-{job.scene or 0}").start()
            if self._calls.stopping.is_set():
                waiting.clear()
            try:
                item = self._calls.waiting.get(timeout=CANCEL_POLL)
            except queue.Empty:
                item = None
            if isinstance(item, _Job):
                running.pop(id(item))
                if isinstance(item.result, Cancelled):  # one worker saw the cancel: the others stop too
                    self._calls.stopping.set()
                for batch in batches:
                    self._save_ready(batch)
            elif item is not None:
                self._calls.run_one(item)
            if time.monotonic() - looked >= CANCEL_POLL and not self._calls.stopping.is_set():
                looked = time.monotonic()
                if self.store.cancelled():
                    self._calls.stopping.set()

    def _start(self, batch: _Batch) -> None:
        """Report the stage running (or done, when all of it is kept) and the scenes it keeps."""
        batch.started = True
        if batch.per_scene or batch.jobs:
            self.store.report(batch.stage, "running", 0.0, Note("Начинаю"))
        else:
            self.store.report(batch.stage, "done", 1.0, Note("Готово (сохранено ранее)"))
        self._save_ready(batch)

    def _work(self, job: _Job, lane: int) -> None:
        """A worker thread: make one node, then hand it (or why it failed) to the runner's thread."""
        self._lane.number = lane
        try:
            job.result = job.make()
        except BaseException as exc:  # noqa: BLE001 - the runner's thread fails the stage with it
            job.result = exc
        job.finished = True
        self._calls.waiting.put(job)

    def _save_ready(self, batch: _Batch, to_the_end: bool = False) -> None:
        """Save the batch's made results that all earlier ones are saved before, in order (all that were made,
        ``to_the_end``), and report each scene and the stage done."""
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
                    done = self._keep(job.result, job.fingerprint)
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

    # -- the stages -----------------------------------------------------------------------
    def _part(self, stage: str, scene: int | None, filename: str) -> Path:
        """Where a backend writes a new file: ``name.part.ext`` (the extension stays last, for the
        libraries that choose a format by it), renamed to the version's own name only when the whole
        node has succeeded, so a half-written file never stands for a result."""
        final = self.store.path_for(stage, scene, filename)
        return final.with_name(f"{final.stem}.part{final.suffix}")

    def _redo(self, stage: str, scene: int | None = None) -> Redo | None:
        return self.redo.get((stage, scene)) or self.redo.get((stage, None))

    def _backend(self, stage: str, scene: int | None = None):
        choice = self.choices[stage]
        redo = self._redo(stage, scene)
        overrides = dict(choice.options)
        chosen = registry.canonical(stage, choice.backend) or registry.default_backend(stage)
        if redo and redo.backend and registry.canonical(stage, redo.backend) != chosen:
            backend = registry.get(stage, redo.backend, redo.model)
            overrides = {}  # the tale's options were for the other backend
        else:
            backend = registry.get(stage, choice.backend, (redo and redo.model) or choice.model)
        if redo:
            overrides.update(redo.options)
        options = backend.options(overrides)
        if "seed" in options and options["seed"] is None:
            seed = self.request.seed + SEED_OFFSETS.get(stage, 0) + (scene or 0)
            options["seed"] = seed % (SEED.max + 1)  # a tale's seed near the top still gives a valid one
        backend = _lane_instance(stage, backend, getattr(self._lane, "number", 0), self._calls.stopping)
        backend.ensure_loaded()
        return backend, options

    def _artifact(self, stage, scene, files, meta, backend, options) -> Artifact:
        return Artifact(stage=stage, scene=scene, files=files, meta=meta, backend=backend.name,
                        model=backend.model, options=options)

    def _story(self) -> Artifact:
        redo = self._redo("story")
        if redo and redo.text is not None:  # the user's own text
            path = self._part("story", None, "story.txt")
            path.write_text(redo.text.strip(), encoding="utf-8")
            return Artifact(stage="story", scene=None, files={"text": path}, meta={"chars": len(redo.text)},
                            backend="edited")
        self._check_story_language()
        backend, options = self._backend("story")
        text = backend.write(self.request, options, self._progress("story"))
        path = self._part("story", None, "story.txt")
        path.write_text(text, encoding="utf-8")
        return self._artifact("story", None, {"text": path}, {"chars": len(text)}, backend, options)

    def _check_story_language(self) -> None:
        """A storyteller that cannot tell the tale's language fails the story stage at once, before it loads."""
        redo = self._redo("story")
        name = registry.canonical("story", (redo and redo.backend) or self.choices["story"].backend)
        name = name or registry.default_backend("story")
        told = getattr(registry.backend_class("story", name), "languages", ("ru",))
        if self.request.language not in told:
            raise ValueError(f"story/{name}: this storyteller does not tell tales in "
                             f"{languages.NAMES.get(self.request.language, self.request.language)} "
                             f"({self.request.language!r}); it tells them in {', '.join(told)}")

    def _proofread(self, story: Artifact) -> Artifact:
        backend, options = self._backend("proofread")
        result = backend.fix(story.file().read_text("utf-8"), options, self._progress("proofread"),
                             language=self.request.language)
        path = self._part("proofread", None, "proofread.txt")
        path.write_text(result.text, encoding="utf-8")
        meta = {"chars": len(result.text), "corrections": result.corrections}
        if not getattr(result, "checked", True):  # no spelling check for the tale's language
            meta.update(checked=False, done_note=Note("Орфография не проверялась"))
        return self._artifact("proofread", None, {"text": path}, meta, backend, options)

    def _scenes(self, text: Artifact, current: Artifact | None) -> Artifact:
        edits = {r.scene: r.text for (stage, _), r in self.redo.items() if stage == "scenes" and r.text}
        if edits and current is not None:  # the user rewrote some scenes: keep the others as they are
            scenes = [Scene.from_dict(d) for d in json.loads(current.file().read_text("utf-8"))]
            for scene in scenes:
                if scene.index in edits:
                    scene.text, scene.prompt, scene.lines = rewrite_scene(edits[scene.index], self.request.language)
                    scene.paragraphs = []  # it no longer holds the story's words: no parallel text has it
        else:
            scenes = split_scenes(text.file().read_text("utf-8"), self.request.scenes, self.request.language)
        path = self._part("scenes", None, "scenes.json")
        path.write_text(json.dumps([s.to_dict() for s in scenes], ensure_ascii=False, indent=1), encoding="utf-8")
        return Artifact(stage="scenes", scene=None, files={"scenes": path}, meta={"count": len(scenes)},
                        backend="split", options={"count": self.request.scenes})

    def _translation(self, scenes: list[Scene], others: tuple[str, ...]) -> Artifact:
        """Each scene's text in each further subtitle language (``translations.json``: {language: [text or
        null per scene]}). A scene whose text is unchanged keeps its earlier translation."""
        path = self._part("translation", None, "translations.json")
        sources = [_digest(scene.text) for scene in scenes]
        if not others:
            path.write_text("{}", encoding="utf-8")
            return Artifact(stage="translation", scene=None, files={"texts": path}, backend="none",
                            meta={"languages": [], "sources": sources, "missing": {},
                                  "done_note": Note("Других языков нет")})
        backend, options = self._backend("translation")
        fallback = None
        if options.get("fallback"):
            try:
                marian = registry.get("translation", "marian")
                if any(marian.can(self.request.language, language) for language in others):
                    fallback = marian
            except Exception:  # noqa: BLE001 - no transformers here: no fallback
                fallback = None
        self._parallel_problems = {}
        job = Job(source=self.request.language, targets=others, scenes=scenes, parallel=self._parallel_story,
                  known=self._known_translations(backend.name, sources), fallback=fallback)
        texts = backend.translate(job, options, self._progress("translation"))
        path.write_text(json.dumps(texts, ensure_ascii=False, indent=1), encoding="utf-8")
        missing = {language: [scene.index for scene, text in zip(scenes, texts[language]) if not text]
                   for language in others}
        missing = {language: indices for language, indices in missing.items() if indices}
        meta = {"languages": list(others), "sources": sources, "missing": missing}
        if fallback is not None:
            meta["fallback"] = fallback.name
        if self._parallel_problems:
            meta["parallel_failed"] = self._parallel_problems
        if missing:
            meta["done_note"] = Note("Готово; без перевода остались сцены: {missing}", missing="; ".join(
                f"{language}: {', '.join(map(str, indices))}" for language, indices in missing.items()))
        return self._artifact("translation", None, {"texts": path}, meta, backend, options)

    def _parallel_story(self, language: str) -> str | None:
        """The current story told in ``language`` by the storyteller that wrote it, or None (an edited story,
        a backend that cannot)."""
        story = self.store.current("story")
        if story is None or story.backend in ("", "edited"):
            return None
        try:
            teller = registry.get("story", story.backend, story.model)
            method = getattr(teller, "parallel", None)
            if method is None:
                return None
            teller.ensure_loaded()
            return method(self.request, teller.options(story.options), language)
        except Exception as exc:  # noqa: BLE001 - subtitles are not worth the film: the scenes go untranslated,
            self._parallel_problems[language] = first_line(exc)  # and the stage's meta says why
            return None

    def _known_translations(self, backend: str, sources: list[str]) -> dict[str, dict[int, str]]:
        """The current translation's texts of scenes whose text is unchanged (same place, same words), when
        the same backend made it and no redo asks for it again."""
        current = self.store.current("translation")
        if current is None or current.backend != backend or self._redo("translation"):
            return {}
        try:
            texts = json.loads(current.file("texts").read_text("utf-8"))
        except (OSError, ValueError, KeyError):
            return {}
        before = current.meta.get("sources") or []
        known: dict[str, dict[int, str]] = {}
        for language, scene_texts in texts.items():
            known[language] = {i + 1: text for i, (text, old, new) in enumerate(zip(scene_texts, before, sources))
                               if text and old == new}
        return known

    def _narration(self, scene: Scene, progress) -> Artifact:
        backend, options = self._backend("narration", scene.index)
        if hasattr(backend, "check_language"):
            backend.check_language(self.request.language)
        path = self._part("narration", scene.index, "narration.wav")
        result = backend.speak(limits.narrated_part(scene), path, options, progress, language=self.request.language)
        meta = {"duration": round(result.duration, 3), "cues": [vars(c) for c in result.cues]}
        if getattr(result, "voices", None):  # which voice read which speaker
            meta["voices"] = dict(result.voices)
        return self._artifact("narration", scene.index, {"audio": path}, meta, backend, options)

    def _illustration(self, scene: Scene, progress) -> Artifact:
        backend, options = self._backend("illustration", scene.index)
        redo = self._redo("illustration", scene.index)
        if redo and redo.prompt:
            scene = Scene(scene.index, scene.text, redo.prompt.strip(), scene.lines, scene.paragraphs)
        path = self._part("illustration", scene.index, "picture.png")
        size = upscale.still_size(self._frame(), options.get("still") or 0)
        width, height = size if backend.native_size else upscale.draft_size(size)
        context = IllustrationContext(title=self.request.title, genre=self.request.genre, seed=self.request.seed,
                                      width=width, height=height, language=self.request.language)
        show = getattr(self.store, "preview", None)  # a store that shows pictures as they improve (the site's)
        if show:
            progress.preview = lambda picture, i=scene.index: show("illustration", i, picture)
        drawn = backend.draw(scene, context, path, options, progress)
        meta = {"prompt": scene.prompt, "drawn": drawn, "size": list(size)}
        enlarged = upscale.to_size(path, size, upscale.configured())  # the upscale step: a no-op at the size
        if enlarged:
            meta["upscaled"] = enlarged
        files = {"picture": path, **backend.extra_files(path)}  # vqgan_clip: the latent, for latent morphs
        return self._artifact("illustration", scene.index, files, meta, backend, options)

    def _format(self) -> str:
        """The film's format: a redo's, else the current film's (a format chosen by a redo stays), else the
        tale's."""
        redo = self._redo("video")
        current = self.store.current("video")
        for options in (redo.options if redo else {}, current.options if current else {},
                        self.choices["video"].options):
            if (options or {}).get("format"):
                return options["format"]
        return DEFAULT_FORMAT

    def _joins(self, options: dict) -> tuple[str, str]:
        """The film's joins, kept like its format: a redo's kind for every cut (it clears the single cuts'),
        else the current film's, else the tale's; a redo's kinds for single cuts («3=morph») are added to the
        ones the film has."""
        redo, current = self._redo("video"), self.store.current("video")
        given = (redo.options if redo else {}) or {}
        kept = (current.options if current else {}) or {}
        join = given.get("join") or kept.get("join") or options["join"]
        if given.get("join"):
            cuts = {}
        else:
            cuts = joins.parse(kept["joins"] if "joins" in kept else self.choices["video"].options.get("joins"))
        cuts.update(joins.parse(given.get("joins")))
        return join, joins.text(cuts)

    def _burn(self) -> str:
        """The language burned into the film ("" for the tale's own, "none"), kept like the format: a redo's,
        else the current film's, else the tale's."""
        redo = self._redo("video")
        current = self.store.current("video")
        for options in (redo.options if redo else {}, current.options if current else {},
                        self.choices["video"].options):
            if (options or {}).get("burn"):
                return options["burn"]
        return ""

    def _frame(self) -> tuple[int, int]:
        """The film's frame (width, height); an unknown format fails the video stage readably."""
        name = self._format()
        if name not in FORMATS:
            self._fail("video", None, ValueError(f"video: no format {name!r} (known: {', '.join(FORMATS)})"))
        return FORMATS[name]

    def _follows_scenes(self) -> bool:
        """Whether the music stage's backend (the tale's, or a redo's) writes its music after the scenes."""
        redo = self._redo("music")
        name = (redo and redo.backend) or self.choices["music"].backend
        try:
            cls = registry.backend_class("music", registry.canonical("music", name) or registry.default_backend("music"))
        except Exception:  # noqa: BLE001 - an unknown backend fails the stage itself, readably
            return False
        return bool(getattr(cls, "follows_scenes", False))

    def _music_cues(self, scenes: list[Scene], narrations: list[Artifact]) -> list[MusicCue]:
        """Where each scene will play in the film, on the video stage's own timeline (its title card and
        cross-fade options), with the scene's mood words: what a composer that follows the story needs."""
        choice = self.choices["video"]
        try:
            options = registry.get("video", choice.backend, choice.model).options(choice.options)
        except Exception:  # noqa: BLE001 - bad video options fail the video stage; the music takes the defaults
            options = {}
        timings = {key: options[key] for key in ("title_seconds", "crossfade") if key in options}
        timeline = plan([n.meta["duration"] for n in narrations], **timings)
        return [MusicCue(scene=scene.index, start=round(segment.start, 3),
                         end=round(segment.start + segment.duration, 3), text=scene.text,
                         moods=mood_words(scene.text, language=self.request.language))
                for scene, segment in zip(scenes, timeline.segments[1:])]

    def _music(self, duration: float, cues: list[MusicCue]) -> Artifact:
        backend, options = self._backend("music")
        wav = self._part("music", None, "music.wav")
        midi = self._part("music", None, "music.mid")
        meta = backend.compose(duration + MUSIC_SLACK, self.request.genre, wav, midi, options, self._progress("music"),
                               cues=cues)
        meta = {**meta, "duration": round(duration + MUSIC_SLACK, 3), "cues": [cue.to_dict() for cue in cues]}
        return self._artifact("music", None, {"audio": wav, "midi": midi}, meta, backend, options)

    def _video(self, scenes: list[Scene], narrations: list[Artifact], pictures: list[Artifact],
               music: Artifact, translation: Artifact) -> Artifact:
        backend, options = self._backend("video")
        options["format"] = self._format()
        if "join" in options:  # an editor that has joins (video/joins.py)
            options["join"], options["joins"] = self._joins(options)
        tracks = self._subtitle_cues(narrations, translation)
        burn = self._burn()
        burned = self.request.language if burn in ("", self.request.language) else burn
        if burned not in (*tracks, "none"):
            raise ValueError(f"video: cannot burn in {burn!r}: the film's subtitles are in "
                             f"{', '.join(tracks)} (or none)")
        if "burn" in options:
            options["burn"] = burn
        clips = [
            SceneClip(picture=p.file("picture"), narration=n.file("audio"), narration_seconds=n.meta["duration"],
                      cues=[] if burned == "none" else tracks[burned][i], latent=p.files.get("latent"))
            for i, (n, p) in enumerate(zip(narrations, pictures))
        ]
        mp4 = self._part("video", None, "video.mp4")
        # the editor keeps its encoded segments between runs, so a redo re-encodes only what changed; beside
        # the tale's folder, not in it (every file in there is a versioned result)
        segments = mp4.parent.with_name(f"{mp4.parent.name}.segments")
        cut = Cut(title=self.request.title, genre=self.request.genre, scenes=clips, music=music.file("audio"),
                  segments_dir=segments)
        poster = self._part("video", None, "poster.jpg")
        meta = backend.assemble(cut, mp4, poster, options, self._progress("video"))
        files = {"video": mp4, "poster": poster}
        timeline = plan([n.meta["duration"] for n in narrations],
                        **{key: options[key] for key in ("title_seconds", "crossfade") if key in options})
        for language, cues in tracks.items():  # one WebVTT track per language, on the film's clock
            on_film = webvtt.on_film(timeline, cues)
            if on_film:
                files[f"vtt_{language}"] = webvtt.write_vtt(
                    on_film, self._part("video", None, f"subtitles.{language}.vtt"), language)
        meta = {**meta, "subtitles": [code for code in tracks if f"vtt_{code}" in files],
                "burned": "" if burned == "none" else burned}
        return self._artifact("video", None, files, meta, backend, options)

    def _subtitle_cues(self, narrations: list[Artifact], translation: Artifact) -> dict[str, list[list[Cue]]]:
        """Each language's cues per scene, relative to the scene's narration: the tale's own from the
        narration, each other one from its translation (its sentences over the narrated stretch)."""
        own = [[Cue(**c) for c in n.meta["cues"]] for n in narrations]
        tracks = {self.request.language: own}
        try:
            texts = json.loads(translation.file("texts").read_text("utf-8"))
        except (OSError, ValueError, KeyError):
            texts = {}
        narrated = int(os.environ.get(limits.NARRATED_SENTENCES_SETTING) or 0)
        for language in self._subtitle_languages():
            scene_texts = texts.get(language) or []
            if not any(scene_texts):
                continue
            tracks[language] = [
                webvtt.translated_cues(text, cues, n.meta["duration"], narrated) if text else []
                for text, cues, n in zip([*scene_texts, *[None] * len(own)], own, narrations)]
        return tracks

    # -- progress -------------------------------------------------------------------------
    def _progress(self, stage: str):
        """A progress callback for ``stage`` that also notices a cancel request."""
        last = [0.0]

        def progress(fraction: float, message: str = "") -> None:
            now = time.monotonic()
            if now - last[0] >= 0.25 or fraction >= 1.0:
                last[0] = now
                self._check_cancelled()
                self.store.report(stage, "running", max(0.0, min(1.0, fraction)), as_note(message))

        return progress

    def _check_cancelled(self) -> None:
        if self.store.cancelled():
            raise Cancelled()


_spares: dict[tuple[str, str, str | None, int], Any] = {}
_spares_lock = threading.Lock()


def _lane_instance(stage: str, backend, lane: int, stopping: threading.Event):
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


def _fingerprint(inputs: dict) -> str:
    return hashlib.sha1(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _finish_part(path: Path) -> Path:
    if path.stem.endswith(".part"):
        final = path.with_name(path.stem[: -len(".part")] + path.suffix)
        os.replace(path, final)
        return final
    return path


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _names(artifact: Artifact) -> list[str]:
    return sorted(path.name for path in artifact.files.values())
