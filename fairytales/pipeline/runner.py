"""Runs the stage graph for one tale, making only what is missing or asked for again.

    title + genre ─► story ─► proofread ─► scenes ─┬─► narration[i] ─┬─────────┐
                                                   │                 └► music ─┤
                                                   ├─► illustration[i] ────────┼─► video (+ poster, subtitle tracks)
                                                   └─► translation ────────────┘

Every stage works in the tale's language (``TaleRequest.language``); the translation stage gives each scene's
text in the further subtitle languages, and the video node writes one WebVTT track per language.

A node is made when the store has no current result for it, when it is asked for (``redo``),
or when something it depends on was made in this run. So a first run makes everything, a run
after a crash resumes after the last finished node, and a redo of one picture makes that
picture and the video.

How each node is made (its stage's backend, options, files) is makers.py's. The scenes' voices and pictures are
made several at once, the music as soon as the voices are read (it needs their lengths), where the backends allow
it; on the site, other workers may make the nodes too (node tasks): lanes.py. While the music is composed, the
editor encodes the film's pictures ahead of the video stage: cut_ahead.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import cast, languages, limits, registry, shots, stages
from .artifacts import Artifact, Store
from .cut_ahead import CutAhead
from .failures import Cancelled, LimitExceeded, StageFailed
from .lanes import BACKEND_OF, Batch, Lanes, Remote, Then, beside_others, start_children
from .lanes import Job as NodeJob
from .makers import NodeMakers
from .notes import Note, as_note
from .types import Scene, TaleRequest


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
    # an illustration redo of one shot (1-based) of its scene: that shot is drawn again, the others kept; with
    # ``picture``, a file of an earlier version of that shot taken as it is (its history on the page)
    shot: int | None = None
    picture: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, {})}


@dataclass(frozen=True)
class Wanted:
    """The one node a node task makes: its key, its inputs' fingerprint, and the node task's id."""

    stage: str
    scene: int | None
    fingerprint: str
    node: str


class NodeMade(Exception):
    def __init__(self, artifact: Artifact):
        super().__init__(f"{artifact.stage} {artifact.scene or ''} made")
        self.artifact = artifact


class NodeStale(Exception):
    """A node task's node can no longer be made as asked: an input is missing or changed (a newer run)."""


class Runner(NodeMakers):
    def __init__(self, request: TaleRequest, store: Store, choices: dict[str, Choice] | None = None,
                 redo: list[Redo] | None = None, remote: Remote | None = None, only: Wanted | None = None,
                 run: str | None = None):
        """``remote``: other workers that may make the nodes too (the site's node tasks). ``only``: make that
        one node and nothing else (what a node task asks), raising ``NodeMade`` when it is made. ``run``: this
        run's id, stamped on what it makes, so a run that resumes (its task let its worker go while other
        workers made its nodes) does not make again what it was asked to redo and has made."""
        self.request, self.run_id = request, run
        self._lanes = Lanes(store, keep=self._keep, fail=self._fail, remote=remote)
        self.store = self._lanes.store
        self.remote, self.only = remote, only
        self.choices = {stage: Choice() for stage in stages.WITH_BACKENDS}
        self.choices.update(choices or {})
        self.redo = {(r.stage, r.scene): r for r in (redo or []) if r.version is None}
        self._parallel_problems: dict[str, str] = {}  # {language: why the storyteller gave no parallel text}
        self._chosen: dict[tuple, dict] = {}  # (stage, scene) → the options redos chose for it (makers.py)
        self._chosen_backend: dict[tuple, list] = {}  # (stage, scene) → [backend, model] a redo chose for it

    # -- the graph ------------------------------------------------------------------------
    def run(self) -> Artifact:
        """Make whatever the video still needs and return the current video."""
        self._lanes.calls.owner = threading.get_ident()  # the thread that runs the store's calls
        if self.store.current("narration", 1) is None and self.only is None:  # a new tale: the narrating
            self._start_children("narration")  # children start meanwhile
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
        sheet_artifact = self._node("cast", None, {"scenes": _names(scenes_artifact), **self._cast_inputs()},
                                    lambda: self._cast(scenes))
        self._sheet = cast.read_sheet(sheet_artifact.files)
        voices = self._scene_batch("narration", scenes, lambda s: {"lines": [vars(x) for x in s.lines]},
                                   self._narration)
        frame = self._frame()
        # a picture is composed for its film's aspect: one of another aspect is drawn again (16:9 adds no key,
        # so the pictures of every tale made before formats existed stay current)
        aspect = {} if frame[0] * 9 == frame[1] * 16 else {"aspect": f"{frame[0]}x{frame[1]}"}
        pictures = self._scene_batch("illustration", scenes,
                                     lambda s: {"text": s.text, "prompt": s.prompt, **aspect,
                                                **self._cast_entries(s)},
                                     self._illustration)
        video_here = self.remote is None or not self.remote.sends("video", self._backend_name("video", None))
        ahead = CutAhead(lambda made: self._cut(scenes, made["narration"], made["illustration"], None,
                                                translation)[:3],
                         here=self.only is None and video_here)
        # the pictures are drawn while the scenes are read; the music, which needs the voices' lengths, starts
        # as soon as they are read, ahead of the pictures left; and while it is composed the editor encodes the
        # film's pictures (``CutAhead``)
        try:
            narrations, pictures, [music] = self._make_together(
                [voices, pictures],
                then=(Then(("narration",), lambda made: self._music_batch(scenes, made["narration"], ahead)),
                      Then(("narration", "illustration"), ahead.start)))
            ahead.halt()
            inputs = {"title": self.request.title, "parts": [_names(a) for a in (*narrations, *pictures, music)]}
            if others:  # a film with tracks in other languages is made again when their texts change
                inputs["translation"] = _names(translation)
            return self._node("video", None, inputs,
                              lambda: self._video(scenes, narrations, pictures, music, translation))
        except BaseException:
            ahead.stop()
            raise
        finally:
            ahead.join()

    def _music_batch(self, scenes: list[Scene], narrations: list[Artifact], ahead: CutAhead) -> Batch:
        """The music's node, once the scenes are read: as long as their voices, and (for a composer that follows
        the story) with their moods where they play."""
        needed = sum(a.meta["duration"] for a in narrations) + 10 * len(scenes)
        cues = self._music_cues(scenes, narrations)
        music_inputs = {"genre": self.request.genre}
        if self._follows_scenes():  # its music changes with the scenes' moods: made again when they change
            music_inputs["moods"] = [list(cue.moods) for cue in cues]
        batch = self._batch("music", None, music_inputs, lambda: self._music(needed, cues),
                            stale=lambda a: a.meta.get("duration", 0) < needed)
        ahead.composing = bool(batch.jobs)
        return batch

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
            chosen = illustrator.options(choice.options)
            pictures = shots.count(scenes, chosen.get("shot_seconds", shots.DEFAULT_SECONDS), self.request.language)
            work = illustrator.work(chosen, pictures)  # a picture per shot (shots.py)
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
        if self.only is not None:
            return self._only_node(stage, scene, fingerprint, make, stale)
        if (self.remote is not None and BACKEND_OF.get(stage, stage) in self.choices
                and self.remote.sends(BACKEND_OF.get(stage, stage), self._backend_name(stage, scene))):
            [[made]] = self._make_together([self._batch(stage, scene, inputs, make, stale)])
            return made
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
        if wanted and current and self.run_id and current.meta.get("run") == self.run_id:
            wanted = False  # asked for, and made by this very run before it resumed
        if (current and not wanted and current.meta.get("inputs") == fingerprint
                and not (stale and stale(current))):
            return current
        return None

    def _keep(self, artifact: Artifact, fingerprint: str) -> Note | None:
        """Save a made result under its final names; what its stage says when done, if not just «Готово»."""
        artifact.files = {role: _finish_part(path) for role, path in artifact.files.items()}
        artifact.meta["inputs"] = fingerprint
        if self.only is not None:  # which node task made it: one that runs again finds it made
            artifact.meta["node"] = self.only.node
        if self.run_id:
            artifact.meta["run"] = self.run_id
        done = artifact.meta.pop("done_note", None)
        self.store.save(artifact)
        return done

    # -- making nodes together (lanes.py) -----------------------------------------------------
    def _backend_name(self, stage: str, scene: int | None) -> str:
        """The backend that will make this node: a redo's (or an earlier redo's, ``_asked_backend``), else the
        tale's, else the stage's default ("" for a stage without backends); a stage made with another's backend
        (``BACKEND_OF``), that one's."""
        stage = BACKEND_OF.get(stage, stage)
        if stage not in self.choices:
            return ""
        name = self._asked_backend(stage, scene)[0] or self.choices[stage].backend
        return registry.canonical(stage, name) or registry.default_backend(stage)

    def _start_children(self, stage: str) -> None:
        """The narrating child processes start (lanes.start_children) while the text stages run."""
        name = self._backend_name(stage, None)
        redo = self._redo(stage)
        model = (redo and redo.model) or self.choices[stage].model
        try:
            start_children(stage, name, model or registry.configured_model(registry.backend_class(stage, name)))
        except (KeyError, ImportError):  # an unknown backend fails its stage itself, readably
            return

    def _job(self, stage: str, scene: int | None, fingerprint: str, make) -> NodeJob:
        name = self._backend_name(stage, scene)
        return NodeJob(stage, scene, fingerprint, make, beside_others(stage, name), backend=name)

    def _batch(self, stage: str, scene: int | None, inputs: dict, make, stale=None) -> Batch:
        """A single node as a batch for ``_make_together``: its current result, or the job that makes it."""
        fingerprint = _fingerprint(inputs)
        current = self._reusable(stage, scene, fingerprint, stale)
        if current:
            return Batch(stage, False, [current], {})
        return Batch(stage, False, [None], {0: self._job(stage, scene, fingerprint, make)})

    def _scene_batch(self, stage: str, scenes: list[Scene], inputs, make) -> Batch:
        """A per-scene stage as a batch for ``_make_together``: each scene's current result or the job making it."""
        batch = Batch(stage, True, [], {})
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

                if self.only is not None:  # a node task reports its own node's progress
                    scene_progress = progress
                batch.jobs[place] = self._job(stage, scene.index, fingerprint,
                                              lambda s=scene, p=scene_progress: make(s, p))
        return batch

    def _make_together(self, batches: list[Batch], then: tuple[Then, ...] = ()) -> list[list[Artifact]]:
        """The batches' results (and those of the batches ``then`` builds), their missing nodes made several at
        once (``Lanes.make``); a node task makes only its own node (``only``)."""
        if self.only is None:
            return self._lanes.make(batches, then)
        made, order, waiting, follows, stale = {}, list(batches), list(batches), list(then), False
        while waiting:
            batch = waiting.pop(0)
            self._only_batch(batch)
            if batch.jobs:  # an earlier node is not made yet: the ones that need it are not built
                stale = True
                continue
            made[batch.stage] = batch.results
            for follow in [f for f in follows if all(stage in made for stage in f.after)]:
                follows.remove(follow)
                built = follow.build({stage: made[stage] for stage in follow.after})
                if built is not None:
                    order.append(built)
                    waiting.append(built)
        if stale:
            raise NodeStale("an earlier node is not made yet")
        return [batch.results for batch in order]

    def _only_batch(self, batch: Batch) -> None:
        """In a node task: its own node, if it is in ``batch``, made (``NodeMade``), or found made already."""
        for job in batch.jobs.values():
            if (job.stage, job.scene) == (self.only.stage, self.only.scene):
                self._only_node(job.stage, job.scene, job.fingerprint, job.make)
        if batch.stage == self.only.stage:  # its node is current: made already
            for result in batch.results:
                if result is not None and result.scene == self.only.scene:
                    raise NodeMade(result)

    def _only_node(self, stage: str, scene: int | None, fingerprint: str, make, stale=None) -> Artifact:
        """In a node task: the node it makes is made (once: a task run again finds it made) and ``NodeMade``
        raised; another node is taken as it is, and a missing one stops the task (``NodeStale``)."""
        wanted = self.only
        if (stage, scene) != (wanted.stage, wanted.scene):
            current = self._reusable(stage, scene, fingerprint, stale)
            if current is None:
                raise NodeStale(f"{stage} {scene or ''} is not made yet")
            return current
        current = self.store.current(stage, scene)
        if current is not None and current.meta.get("node") == wanted.node:
            raise NodeMade(current)
        if fingerprint != wanted.fingerprint:
            raise NodeStale(f"{stage} {scene or ''}: its inputs changed since the node task was queued")
        self._check_cancelled()
        try:
            artifact = make()
        except Cancelled:
            raise
        except Exception as exc:
            raise StageFailed(stage, scene, exc) from exc
        self._keep(artifact, fingerprint)
        raise NodeMade(artifact)

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


def _fingerprint(inputs: dict) -> str:
    return hashlib.sha1(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _finish_part(path: Path) -> Path:
    if path.stem.endswith(".part"):
        final = path.with_name(path.stem[: -len(".part")] + path.suffix)
        os.replace(path, final)
        return final
    return path


def _names(artifact: Artifact) -> list[str]:
    return sorted(path.name for path in artifact.files.values())
