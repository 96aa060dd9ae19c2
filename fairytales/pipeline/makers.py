"""How each node of a tale's graph is made: the stage methods of the runner (runner.py walks the graph, decides
what to make and keeps it; these call the stage's backend with its options and say which files it made)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from . import cast, languages, limits, registry, shots
from .artifacts import Artifact
from .backend import SEED, first_line
from .illustration import IllustrationContext, upscale
from .music import MusicCue
from .music.scene_moods import mood_words
from .notes import Note
from .scenes import rewrite_scene, split_scenes
from .translation import Job
from .types import Cue, Scene
from .video import DEFAULT_FORMAT, FORMATS, Cut, SceneClip, ShotClip, joins, webvtt
from .video.timeline import plan

if TYPE_CHECKING:
    from .runner import Redo

SEED_OFFSETS = {"story": 0, "narration": 100, "illustration": 200, "music": 300}
# Stages whose node, made again for another reason (a new format, a character edited, a scene's text), keeps
# the options its owner chose for it by a redo: a scene's voice, the music's mood and roll, a picture's roll.
KEEPS_CHOSEN = ("narration", "illustration", "music")
MUSIC_SLACK = 8.0  # seconds of music beyond the narration, so a longer redo of one scene fits


class NodeMakers:
    """The runner's stage methods (a mixin of ``runner.Runner``, whose state they read: request, choices,
    redo, store)."""

    def _part(self, stage: str, scene: int | None, filename: str) -> Path:
        """Where a backend writes a new file: ``name.part.ext`` (the extension stays last, for the
        libraries that choose a format by it), renamed to the version's own name only when the whole
        node has succeeded, so a half-written file never stands for a result."""
        final = self.store.path_for(stage, scene, filename)
        return final.with_name(f"{final.stem}.part{final.suffix}")

    def _redo(self, stage: str, scene: int | None = None) -> Redo | None:
        return self.redo.get((stage, scene)) or self.redo.get((stage, None))

    def _asked_backend(self, stage: str, scene: int | None) -> tuple[str | None, str | None]:
        """The backend and model a redo of this node asks for; else, for a node that keeps what was chosen for
        it, the ones an earlier redo chose (its result's ``meta["chosen_backend"]``): a scene redrawn by
        another illustrator is drawn by it again for a new format. (None, model): the tale's backend."""
        redo = self._redo(stage, scene)
        if redo and redo.backend:
            return redo.backend, redo.model
        current = self.store.current(stage, scene) if stage in KEEPS_CHOSEN else None
        kept = current.meta.get("chosen_backend") if current is not None else None
        if kept:
            return kept[0], (redo and redo.model) or kept[1]
        return None, redo and redo.model

    def _backend(self, stage: str, scene: int | None = None):
        choice = self.choices[stage]
        redo = self._redo(stage, scene)
        overrides = dict(choice.options)
        chosen = registry.canonical(stage, choice.backend) or registry.default_backend(stage)
        asked, model = self._asked_backend(stage, scene)
        if asked and registry.canonical(stage, asked) != chosen:
            backend = registry.get(stage, asked, model)
            overrides = {}  # the tale's options were for the other backend
            self._chosen_backend[(stage, scene)] = [asked, model]
        else:
            backend = registry.get(stage, choice.backend, model or choice.model)
        if stage in KEEPS_CHOSEN:
            chosen = {**self._chosen_before(stage, scene, backend), **(redo.options if redo else {})}
            self._chosen[(stage, scene)] = chosen
            overrides.update(chosen)
        elif redo:
            overrides.update(redo.options)
        options = backend.options(overrides)
        if "seed" in options and options["seed"] is None:
            seed = self.request.seed + SEED_OFFSETS.get(stage, 0) + (scene or 0)
            options["seed"] = seed % (SEED.max + 1)  # a tale's seed near the top still gives a valid one
        backend = self._lanes.instance(stage, backend)
        backend.ensure_loaded()
        return backend, options

    def _chosen_before(self, stage: str, scene: int | None, backend) -> dict:
        """What redos of this node chose so far (its current result's ``chosen``), where the same backend
        makes it again: only those options, laid over the tale's choices, so a changed default still reaches
        it."""
        current = self.store.current(stage, scene)
        if current is None or (registry.canonical(stage, current.backend)
                               != registry.canonical(stage, backend.name)):
            return {}
        chosen = current.meta.get("chosen", {})
        return {key: value for key, value in chosen.items() if key in backend.defaults}

    def _artifact(self, stage, scene, files, meta, backend, options) -> Artifact:
        chosen = self._chosen.get((stage, scene))
        if chosen:  # kept with the result, for the next time it is made (``_chosen_before``)
            meta = {**meta, "chosen": chosen}
        if (stage, scene) in self._chosen_backend:  # and the backend a redo chose (``_asked_backend``)
            meta = {**meta, "chosen_backend": self._chosen_backend[(stage, scene)]}
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
        meta: dict = {}
        if edits and current is not None:  # the user rewrote some scenes: keep the others as they are
            scenes = [Scene.from_dict(d) for d in json.loads(current.file().read_text("utf-8"))]
            for scene in scenes:
                if scene.index in edits:
                    scene.text, scene.prompt, scene.lines = rewrite_scene(edits[scene.index], self.request.language)
                    scene.paragraphs = []  # it no longer holds the story's words: no parallel text has it
            # the scenes rewritten so far: the story they tell is no longer the story stage's text
            meta["rewritten"] = sorted({*current.meta.get("rewritten", []), *edits})
        else:
            scenes = split_scenes(text.file().read_text("utf-8"), self.request.scenes, self.request.language)
        path = self._part("scenes", None, "scenes.json")
        path.write_text(json.dumps([s.to_dict() for s in scenes], ensure_ascii=False, indent=1), encoding="utf-8")
        return Artifact(stage="scenes", scene=None, files={"scenes": path}, backend="split",
                        meta={"count": len(scenes), **meta}, options={"count": self.request.scenes})

    def _cast_inputs(self) -> dict:
        """What the character sheet's references are drawn by: the tale's illustrator."""
        choice = self.choices["illustration"]
        name = registry.canonical("illustration", choice.backend) or registry.default_backend("illustration")
        return {"illustrator": name, "model": choice.model} if name != "storybook" else {}

    def _cast(self, scenes: list[Scene]) -> Artifact:
        """The character sheet (pipeline/cast.py), with the owner's edit of one character when asked, and
        each main character's reference picture for a neural illustrator."""
        current = self.store.current("cast")
        try:
            previous = cast.read_sheet(current.files) if current else []
        except (OSError, ValueError, KeyError):  # its file gone: the sheet is made afresh
            current, previous = None, []
        roles, reference = cast.plot_roles(self.request, self.store.current("story"))
        sheet = cast.make_sheet(self.request, scenes, roles, reference, previous)
        redo = self._redo("cast")
        if redo:
            sheet = cast.apply_redo(sheet, redo, self.request.language)
        backend, options = self._backend("illustration")
        width, height = upscale.draft_size(upscale.still_size(self._frame(), 0))
        context = IllustrationContext(title=self.request.title, genre=self.request.genre, seed=self.request.seed,
                                      width=width, height=height, language=self.request.language)
        references = cast.draw_references(sheet, previous if current and current.backend == backend.name else [],
                                          backend, options, context, lambda name: self._part("cast", None, name),
                                          self._progress("cast"))
        path = cast.write_sheet(sheet, self._part("cast", None, "cast.json"))
        meta = {"members": [m.key for m in sheet], "references": sorted(references)}
        return Artifact(stage="cast", scene=None, files={"sheet": path, **references}, meta=meta,
                        backend=backend.name, model=backend.model)

    def _cast_of(self, scene: int) -> list:
        """The sheet's members scene ``scene`` shows."""
        return [member for member in getattr(self, "_sheet", []) if scene in member.scenes]

    def _cast_entries(self, scene: Scene) -> dict:
        """The illustration node's inputs from the sheet: the entries of the edited characters its scene shows,
        so an edit of one character remakes exactly their scenes. An unedited sheet is made from the scenes
        alone, as the pictures are (it adds no key, so the pictures of tales made before it stay current)."""
        members = [member for member in self._cast_of(scene.index) if member.edited]
        return {"cast": [member.entry() for member in members]} if members else {}

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
                f"{languages.NAMES[language]} — {', '.join(map(str, indices))}"
                for language, indices in missing.items()))
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
        """The scene's pictures, one per shot (shots.py): ``picture`` is the first, ``picture_2``… the others. A
        redo of one shot draws that one again (or takes an earlier picture of it) and keeps the others."""
        backend, options = self._backend("illustration", scene.index)
        redo = self._redo("illustration", scene.index)
        limit = options.get("shot_seconds", shots.DEFAULT_SECONDS)
        planned = shots.cut(scene, limit, self.request.language)
        wanted = redo.shot if redo and redo.scene == scene.index and redo.shot else None
        current = self.store.current("illustration", scene.index)
        kept = self._kept_shots(current, planned)
        own: set[int] = set()  # the shots drawn from the owner's new words
        if redo and redo.prompt and redo.prompt.strip() != _prompt_shown(current, scene, wanted):
            # the owner's words (the box was changed): for the shot asked for, else for every shot
            for number, shot in enumerate(planned, start=1):
                if wanted in (None, number):
                    shot.prompt = redo.prompt.strip()
                    own.add(number)
        # each shot keeps the owner's earlier words for it while its sentences are the same; drawn again for
        # another reason (a new format, a character edited), also its roll
        before = {number: shot["entry"] for number, shot in kept.items()}
        # a roll means the same picture only to the backend that drew it; the owner's words mean it to any
        same_roll = current is not None and (registry.canonical("illustration", current.backend)
                                             == registry.canonical("illustration", backend.name))
        if not wanted:
            kept = {}  # none is kept as it is: every shot is drawn again
        size = upscale.still_size(self._frame(), options.get("still") or 0)
        width, height = size if backend.native_size else upscale.draft_size(size)
        context = IllustrationContext(title=self.request.title, genre=self.request.genre, seed=self.request.seed,
                                      width=width, height=height, language=self.request.language,
                                      cast=self._cast_of(scene.index))
        show = getattr(self.store, "preview", None)  # a store that shows pictures as they improve (the site's)
        files: dict[str, Path] = {}
        made: list[dict] = []
        for number, shot in enumerate(planned, start=1):
            suffix = "" if number == 1 else f"_{number}"
            path = self._part("illustration", scene.index, f"picture{suffix}.png")
            words = _digest(shot.text)
            # the current picture of these very words: drawn again (a new frame, a character edited), it keeps
            # its roll, and the owner's prompt for it
            earlier_entry = before.get(number, {}) if before.get(number, {}).get("text") == words else {}
            if earlier_entry.get("own") and number not in own:
                shot.prompt = earlier_entry["prompt"]
                own.add(number)
            entry = {"sentences": [shot.first, shot.end], "prompt": shot.prompt, "text": words}
            if number in own:  # the owner's words, for these sentences
                entry["own"] = True
            earlier = kept.get(number) if number != wanted else None
            if number == wanted and redo.picture:  # an earlier picture of this shot, chosen on the page
                picked = {"drawn": {}, "picked": True}
                if redo.options.get("seed") is not None:  # the roll it was drawn with (views.choose_shot)
                    picked["seed"] = redo.options["seed"]
                earlier = {"files": {"picture": Path(redo.picture)}, "entry": picked}
            if earlier is not None:  # the same picture in the new version: linked, not drawn again
                for role, old in earlier["files"].items():
                    target = path if role == "picture" else self._part("illustration", scene.index,
                                                                        f"{role}{suffix}{old.suffix}")
                    _link(old, target)
                    files[f"{role}{suffix}"] = target
                made.append({**entry, **earlier["entry"]})  # a kept picture keeps the prompt it was drawn from
                continue
            shot_options = dict(options)
            if not redo and same_roll and earlier_entry.get("seed") is not None and "seed" in shot_options:
                shot_options["seed"] = earlier_entry["seed"]
            elif shot_options.get("seed") is not None and number > 1:  # each shot its own roll, 1 the scene's
                shot_options["seed"] = (shot_options["seed"] + 7919 * (number - 1)) % (SEED.max + 1)

            def shot_progress(fraction: float, message: str = "", number=number):
                progress((number - 1 + fraction) / len(planned), message)

            if show:
                shot_progress.preview = lambda picture, i=scene.index: show("illustration", i, picture)
            drawn = backend.draw(shot.as_scene(scene), context, path, shot_options, shot_progress)
            entry.update(drawn=drawn, seed=shot_options.get("seed"))
            enlarged = upscale.to_size(path, size, upscale.configured())  # the upscale step: a no-op at the size
            if enlarged:
                entry["upscaled"] = enlarged
            files[f"picture{suffix}"] = path
            # vqgan_clip: the latent, for latent morphs
            files.update({f"{role}{suffix}": extra for role, extra in backend.extra_files(path).items()})
            made.append(entry)
        meta = {"prompt": made[0]["prompt"], "drawn": made[0].get("drawn", {}), "size": list(size),
                "shot_seconds": limit, "shots": made}
        if made[0].get("upscaled"):
            meta["upscaled"] = made[0]["upscaled"]
        return self._artifact("illustration", scene.index, files, meta, backend, options)

    @staticmethod
    def _kept_shots(current: Artifact | None, planned: list) -> dict[int, dict]:
        """The current picture's shots that a redo of one shot keeps, by number: only when it was cut into the
        same shots (the same sentences)."""
        made = (current.meta.get("shots") if current else None) or []
        if [entry.get("sentences") for entry in made] != [[shot.first, shot.end] for shot in planned]:
            return {}
        kept = {}
        for number, entry in enumerate(made, start=1):
            suffix = "" if number == 1 else f"_{number}"
            roles = {role[: len(role) - len(suffix)] if suffix else role: path
                     for role, path in current.files.items()
                     if (role.endswith(suffix) if suffix else "_" not in role)}
            if "picture" in roles:
                kept[number] = {"files": roles, "entry": {k: v for k, v in entry.items() if k != "picked"}}
        return kept

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
        backend, options, cut, tracks, burned = self._cut(scenes, narrations, pictures, music, translation)
        mp4 = self._part("video", None, "video.mp4")
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

    def _cut(self, scenes: list[Scene], narrations: list[Artifact], pictures: list[Artifact],
             music: Artifact | None, translation: Artifact):
        """The editor, its options, and what it is given (without music, for ``Editor.prepare``); the subtitle
        tracks and the language burned in."""
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
                      cues=[] if burned == "none" else tracks[burned][i], latent=p.files.get("latent"),
                      shots=self._shot_clips(scene, n, p))
            for i, (scene, n, p) in enumerate(zip(scenes, narrations, pictures))
        ]
        # the editor keeps its encoded segments between runs, so a redo re-encodes only what changed; beside
        # the tale's folder, not in it (every file in there is a versioned result)
        folder = self._part("video", None, "video.mp4").parent
        cut = Cut(title=self.request.title, genre=self.request.genre, scenes=clips,
                  language=self.request.language, music=music.file("audio") if music is not None else None,
                  segments_dir=folder.with_name(f"{folder.name}.segments"))
        return backend, options, cut, tracks, burned

    def _shot_clips(self, scene: Scene, narration: Artifact, picture: Artifact) -> list[ShotClip]:
        """The scene's further shots on its narration's clock: each from where its first sentence is read
        (the narration's cues); a shot the narration does not reach is not shown."""
        made = picture.meta.get("shots") or []
        if len(made) < 2:
            return []
        pieces = shots.sentences(scene, self.request.language)
        texts = [" ".join(pieces[a:b]) for a, b in (entry["sentences"] for entry in made)]
        starts = shots.starts(texts, [Cue(**c) for c in narration.meta["cues"]], narration.meta["duration"])
        return [ShotClip(picture=picture.files[f"picture_{number}"], start=start,
                         latent=picture.files.get(f"latent_{number}"))
                for number, start in enumerate(starts, start=1)
                if number > 1 and start is not None and f"picture_{number}" in picture.files]

    def _subtitle_cues(self, narrations: list[Artifact], translation: Artifact) -> dict[str, list[list[Cue]]]:
        """Each language's cues per scene, relative to the scene's narration: the tale's own from the
        narration, each other one from its translation (its sentences over the narrated stretch)."""
        own = [[Cue(**c) for c in n.meta["cues"]] for n in narrations]
        tracks = {self.request.language: own}
        try:
            texts = json.loads(translation.file("texts").read_text("utf-8"))
        except (OSError, ValueError, KeyError):
            texts = {}
        narrated = limits.narrated_sentences()
        for language in self._subtitle_languages():
            scene_texts = texts.get(language) or []
            if not any(scene_texts):
                continue
            tracks[language] = [
                webvtt.translated_cues(text, cues, n.meta["duration"], narrated) if text else []
                for text, cues, n in zip([*scene_texts, *[None] * len(own)], own, narrations)]
        return tracks


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _link(source: Path, target: Path) -> None:
    """``source``'s bytes at ``target`` (a result kept in a new version): a hard link where the disk allows."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _prompt_shown(current: Artifact | None, scene: Scene, shot: int | None) -> str:
    """What the page's prompt box for the scene (``shot`` None) or one of its shots was filled with, from the
    scene's current picture: a redo that sends it back unchanged asks for a new roll, not for these words to be
    the owner's."""
    if current is None:
        return scene.prompt
    made = current.meta.get("shots") or []
    if shot and shot <= len(made):
        return made[shot - 1].get("prompt", "")
    return current.meta.get("prompt", scene.prompt)
