"""Runs the stage graph for one tale, making only what is missing or asked for again.

    title + genre ─► story ─► proofread ─► scenes ─┬─► narration[i] ─┐
                                                   ├─► illustration[i]├─► video (+ poster)
                                                   └─► music ─────────┘

A node is made when the store has no current result for it, when it is asked for (``redo``),
or when something it depends on was made in this run. So a first run makes everything, a run
after a crash resumes after the last finished node, and a redo of one picture makes that
picture and the video.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import failures, limits, registry, stages
from .artifacts import Artifact, Store
from .backend import SEED
from .failures import LimitExceeded
from .illustration import IllustrationContext, upscale
from .music import MusicCue
from .music.scene_moods import mood_words
from .scenes import rewrite_scene, split_scenes
from .notes import Note, as_note
from .types import Cue, Scene, TaleRequest
from .video import DEFAULT_FORMAT, FORMATS, Cut, SceneClip, joins
from .video.timeline import plan

SEED_OFFSETS = {"story": 0, "narration": 100, "illustration": 200, "music": 300}
MUSIC_SLACK = 8.0  # seconds of music beyond the narration, so a longer redo of one scene fits


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


class Runner:
    def __init__(self, request: TaleRequest, store: Store, choices: dict[str, Choice] | None = None,
                 redo: list[Redo] | None = None):
        self.request = request
        self.store = store
        self.choices = {stage: Choice() for stage in stages.WITH_BACKENDS}
        self.choices.update(choices or {})
        self.redo = {(r.stage, r.scene): r for r in (redo or []) if r.version is None}

    # -- the graph ------------------------------------------------------------------------
    def run(self) -> Artifact:
        """Make whatever the video still needs and return the current video."""
        story = self._node("story", None, {}, self._story)
        text = self._node("proofread", None, {"story": _names(story)}, lambda: self._proofread(story))
        previous = self.store.current("scenes")
        scenes_artifact = self._node("scenes", None, {"text": _names(text), "count": self.request.scenes},
                                     lambda: self._scenes(text, previous))
        scenes = [Scene.from_dict(d) for d in json.loads(scenes_artifact.file().read_text("utf-8"))]
        self._check_work(scenes)
        narrations = self._per_scene("narration", scenes, lambda s: {"lines": [vars(x) for x in s.lines]},
                                     self._narration)
        frame = self._frame()
        # a picture is composed for its film's aspect: one of another aspect is drawn again (16:9 adds no key,
        # so the pictures of every tale made before formats existed stay current)
        aspect = {} if frame[0] * 9 == frame[1] * 16 else {"aspect": f"{frame[0]}x{frame[1]}"}
        pictures = self._per_scene("illustration", scenes,
                                   lambda s: {"text": s.text, "prompt": s.prompt, **aspect}, self._illustration)
        needed = sum(a.meta["duration"] for a in narrations) + 10 * len(scenes)
        cues = self._music_cues(scenes, narrations)
        music_inputs = {"genre": self.request.genre}
        if self._follows_scenes():  # its music changes with the scenes' moods: made again when they change
            music_inputs["moods"] = [list(cue.moods) for cue in cues]
        music = self._node("music", None, music_inputs, lambda: self._music(needed, cues),
                           stale=lambda a: a.meta.get("duration", 0) < needed)
        inputs = {"title": self.request.title, "parts": [_names(a) for a in (*narrations, *pictures, music)]}
        return self._node("video", None, inputs, lambda: self._video(scenes, narrations, pictures, music))

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
        fingerprint = hashlib.sha1(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        current = self.store.current(stage, scene)
        wanted = (stage, scene) in self.redo or (stage, None) in self.redo or (
            scene is None and any(asked == stage for asked, _ in self.redo))
        if (current and not wanted and current.meta.get("inputs") == fingerprint
                and not (stale and stale(current))):
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
        artifact.files = {role: _finish_part(path) for role, path in artifact.files.items()}
        artifact.meta["inputs"] = fingerprint
        self.store.save(artifact)
        if scene is None:
            self.store.report(stage, "done", 1.0, Note("Готово"))
        return artifact

    def _per_scene(self, stage: str, scenes: list[Scene], inputs, make) -> list[Artifact]:
        results = []
        progress = self._progress(stage)
        self.store.report(stage, "running", 0.0, Note("Начинаю"))
        for i, scene in enumerate(scenes):
            def scene_progress(fraction: float, message: str = "", i=i) -> None:
                progress((i + fraction) / len(scenes), Note("Сцена {scene} из {scenes}: {inner}", scene=i + 1,
                                                                 scenes=len(scenes), inner=as_note(message)))

            results.append(self._node(stage, scene.index, inputs(scene),
                                      lambda s=scene, p=scene_progress: make(s, p)))
            progress((i + 1) / len(scenes), Note("Сцена {scene} из {scenes} готова", scene=i + 1, scenes=len(scenes)))
        self.store.report(stage, "done", 1.0, Note("Готово: сцен {scenes}", scenes=len(scenes)))
        return results

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
        backend, options = self._backend("story")
        text = backend.write(self.request, options, self._progress("story"))
        path = self._part("story", None, "story.txt")
        path.write_text(text, encoding="utf-8")
        return self._artifact("story", None, {"text": path}, {"chars": len(text)}, backend, options)

    def _proofread(self, story: Artifact) -> Artifact:
        backend, options = self._backend("proofread")
        result = backend.fix(story.file().read_text("utf-8"), options, self._progress("proofread"))
        path = self._part("proofread", None, "proofread.txt")
        path.write_text(result.text, encoding="utf-8")
        meta = {"chars": len(result.text), "corrections": result.corrections}
        return self._artifact("proofread", None, {"text": path}, meta, backend, options)

    def _scenes(self, text: Artifact, current: Artifact | None) -> Artifact:
        edits = {r.scene: r.text for (stage, _), r in self.redo.items() if stage == "scenes" and r.text}
        if edits and current is not None:  # the user rewrote some scenes: keep the others as they are
            scenes = [Scene.from_dict(d) for d in json.loads(current.file().read_text("utf-8"))]
            for scene in scenes:
                if scene.index in edits:
                    scene.text, scene.prompt, scene.lines = rewrite_scene(edits[scene.index])
        else:
            scenes = split_scenes(text.file().read_text("utf-8"), self.request.scenes)
        path = self._part("scenes", None, "scenes.json")
        path.write_text(json.dumps([s.to_dict() for s in scenes], ensure_ascii=False, indent=1), encoding="utf-8")
        return Artifact(stage="scenes", scene=None, files={"scenes": path}, meta={"count": len(scenes)},
                        backend="split", options={"count": self.request.scenes})

    def _narration(self, scene: Scene, progress) -> Artifact:
        backend, options = self._backend("narration", scene.index)
        path = self._part("narration", scene.index, "narration.wav")
        result = backend.speak(limits.narrated_part(scene), path, options, progress)
        meta = {"duration": round(result.duration, 3), "cues": [vars(c) for c in result.cues]}
        return self._artifact("narration", scene.index, {"audio": path}, meta, backend, options)

    def _illustration(self, scene: Scene, progress) -> Artifact:
        backend, options = self._backend("illustration", scene.index)
        redo = self._redo("illustration", scene.index)
        if redo and redo.prompt:
            scene = Scene(scene.index, scene.text, redo.prompt.strip(), scene.lines)
        path = self._part("illustration", scene.index, "picture.png")
        size = upscale.still_size(self._frame(), options.get("still") or 0)
        width, height = size if backend.native_size else upscale.draft_size(size)
        context = IllustrationContext(title=self.request.title, genre=self.request.genre, seed=self.request.seed,
                                      width=width, height=height)
        show = getattr(self.store, "preview", None)  # a store that shows pictures as they improve (the site's)
        if show:
            progress.preview = lambda picture, i=scene.index: show("illustration", i, picture)
        drawn = backend.draw(scene, context, path, options, progress)
        meta = {"prompt": scene.prompt, "drawn": drawn, "size": list(size)}
        enlarged = upscale.to_size(path, size, upscale.configured())  # the upscale step: a no-op at the size
        if enlarged:
            meta["upscaled"] = enlarged
        return self._artifact("illustration", scene.index, {"picture": path}, meta, backend, options)

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
                         moods=mood_words(scene.text))
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
               music: Artifact) -> Artifact:
        backend, options = self._backend("video")
        options["format"] = self._format()
        if "join" in options:  # an editor that has joins (video/joins.py)
            options["join"], options["joins"] = self._joins(options)
        clips = [
            SceneClip(picture=p.file("picture"), narration=n.file("audio"), narration_seconds=n.meta["duration"],
                      cues=[Cue(**c) for c in n.meta["cues"]])
            for n, p in zip(narrations, pictures)
        ]
        mp4 = self._part("video", None, "video.mp4")
        # the editor keeps its encoded segments between runs, so a redo re-encodes only what changed; beside
        # the tale's folder, not in it (every file in there is a versioned result)
        segments = mp4.parent.with_name(f"{mp4.parent.name}.segments")
        cut = Cut(title=self.request.title, genre=self.request.genre, scenes=clips, music=music.file("audio"),
                  segments_dir=segments)
        poster = self._part("video", None, "poster.jpg")
        meta = backend.assemble(cut, mp4, poster, options, self._progress("video"))
        return self._artifact("video", None, {"video": mp4, "poster": poster}, meta, backend, options)

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


def _finish_part(path: Path) -> Path:
    if path.stem.endswith(".part"):
        final = path.with_name(path.stem[: -len(".part")] + path.suffix)
        os.replace(path, final)
        return final
    return path


def _names(artifact: Artifact) -> list[str]:
    return sorted(path.name for path in artifact.files.values())
