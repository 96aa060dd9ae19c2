"""The editor: the film cut into segments (the title card, each scene's body, the cross-fades between
them), each encoded by its own ffmpeg process with ffmpeg's own filters, two at a time, then joined by the
concat demuxer with a stream copy and the soundtrack muxed once. Segments are kept by what they are made
of (``Cut.segments_dir``), so a redo of one scene re-encodes only that scene's segments. Why not one graph
for the whole film, and why these filters: docs/stack.md ("Video").
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import threading
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

from ..backend import Option, OptionError
from ..fonts import font_path
from ..languages import CODES
from ..notes import Note
from ..types import Cue, ProgressCallback, no_progress
from . import DEFAULT_FORMAT, FORMAT_LABELS, FORMATS, FPS, Cut, Editor, joins, latent_morph, segments
from .audio import mix
from .cards import title_card
from .encoder import LIBX264, Encoder, choose, ffmpeg_exe, give_up
from .graph import LayerLook, move_of
from .layout import Layer, Layout, layout
from .morph import morph_job
from .segments import Job, VideoFailed, file_digest, fingerprint
from .subtitles import write_ass
from .timeline import Timeline, plan

__all__ = ["FfmpegEditor", "VideoFailed", "ffmpeg_exe"]
AUDIO = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "160k", "-ar", "44100"]
SUBTITLE_TAIL = 0.15 + 0.05  # write_ass keeps a cue 0.15 s longer; and a margin for its centiseconds
# x264's preset when a tale does not choose one: a site on slow machines may take a faster one (the suite takes
# "ultrafast": its films are for looking at, not for keeping)
PRESET_SETTING = "VIDEOTALES_X264_PRESET"
AHEAD_NICENESS = 10  # the segments encoded ahead (prepare) yield the cores to the composer they wait for


class FfmpegEditor(Editor):
    name = "ffmpeg"
    label = "Монтаж ffmpeg"
    # what the form shows for each choice
    choice_labels: ClassVar[dict[str, dict[str, str]]] = {"join": joins.JOIN_LABELS, "format": FORMAT_LABELS}
    declared_options = (
        Option("preset", "veryfast", "Скорость кодирования x264",
               choices=("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")),
        Option("crf", 23, "Качество (CRF, меньше — лучше)", min=0, max=51),
        Option("zoom", 0.12, "Наезд камеры", min=0.0, max=0.5),
        Option("crossfade", 0.8, "Переход между сценами, с", min=0.0, max=3.0),
        Option("title_seconds", 4.0, "Титр, с", min=0.0, max=15.0),
        Option("music_level", 0.5, "Громкость музыки", min=0.0, max=1.0),
        Option("ducked_level", 0.15, "Музыка под голосом", min=0.0, max=1.0),
        # the frame (video.FORMATS); the pictures are composed for its aspect, the subtitles and the card reflow
        Option("format", DEFAULT_FORMAT, "Формат фильма", choices=tuple(FORMATS), form=True),
        # how each scene gives way to the next (video/joins.py); `joins` overrides single cuts: «3=morph»
        Option("join", joins.DEFAULT_JOIN, "Вид перехода", choices=joins.JOINS, form=True),
        Option("joins", "", "Переходы по сценам (номер=вид)", kind=str),
        # the language whose subtitles are burned into the picture: "" the tale's own, a subtitle language's
        # code, or "none"; the runner hands the editor that language's cues (every language also gets a track)
        Option("burn", "", "Субтитры в кадре (код языка, none — без них)", choices=("", "none", *CODES)),
    )

    def options(self, given: dict | None = None) -> dict:
        preset = os.environ.get(PRESET_SETTING, "").strip()
        merged = super().options({"preset": preset, **(given or {})} if preset else given)
        try:
            merged["joins"] = joins.text(joins.parse(merged["joins"]))
        except ValueError as exc:
            raise OptionError(f"{self.stage}/{self.name}: {exc}") from exc
        return merged

    def assemble(self, cut: Cut, out_mp4: Path, out_poster: Path, options: dict,
                 progress: ProgressCallback = no_progress) -> dict:
        if not cut.scenes:
            raise ValueError("a video needs at least one scene")
        timeline = plan([s.narration_seconds for s in cut.scenes], title_seconds=options["title_seconds"],
                        crossfade=options["crossfade"])
        framing = layout(timeline, FPS, shot_starts=[[shot.start for shot in s.shots] for s in cut.scenes])
        size = FORMATS[options.get("format") or DEFAULT_FORMAT]
        encoder = choose()
        with tempfile.TemporaryDirectory(prefix="edit-") as tmp:
            work = Path(tmp)
            folder = _segments_folder(cut.segments_dir, work)
            progress(0.02, Note("Титульный кадр и субтитры"))
            card = work / "card.png"
            title_card(cut.scenes[0].picture, cut.title, cut.genre, card, size, cut.language)
            try:
                film = self._film(cut, timeline, framing, card, encoder, options, work, folder, progress, size)
            except VideoFailed as exc:
                if encoder.name == LIBX264.name:
                    raise
                encoder = give_up(encoder, str(exc))  # NVENC failed on a real film: libx264 at once
                film = self._film(cut, timeline, framing, card, encoder, options, work, folder, progress, size)
            shutil.move(work / "out.mp4", out_mp4)
            _poster(card, out_poster)
            if folder.parent != work:
                segments.prune(folder, film["used"])
        progress(1.0, Note("Видео готово"))
        return {"duration": round(timeline.duration, 3), "width": size[0], "height": size[1], "fps": FPS,
                "scene_starts": [round(s.start, 3) for s in timeline.segments[1:]],
                "first_shot_ends": _first_shot_ends(framing, timeline.duration), **film["levels"],
                "encoder": encoder.name, "segments": film["counts"],
                **({"join_fallbacks": film["fallbacks"]} if film["fallbacks"] else {})}

    def prepare(self, cut: Cut, options: dict, progress: ProgressCallback = no_progress,
                halt: threading.Event | None = None) -> int:
        """Encode the pictures' segments that ``assemble`` of this cut will use (with whatever music), into
        ``cut.segments_dir``, while the music is still composed; return how many were made. Once ``halt`` is
        set no further segment starts (the ones being encoded are finished)."""
        if not cut.scenes or cut.segments_dir is None:
            return 0
        timeline = plan([s.narration_seconds for s in cut.scenes], title_seconds=options["title_seconds"],
                        crossfade=options["crossfade"])
        framing = layout(timeline, FPS, shot_starts=[[shot.start for shot in s.shots] for s in cut.scenes])
        size = FORMATS[options.get("format") or DEFAULT_FORMAT]
        with tempfile.TemporaryDirectory(prefix="edit-") as tmp:
            work = Path(tmp)
            folder = _segments_folder(cut.segments_dir, work)
            if folder.parent == work:  # no folder to keep them in: they would be lost with this one
                return 0
            card = work / "card.png"
            title_card(cut.scenes[0].picture, cut.title, cut.genre, card, size, cut.language)
            _, jobs, _ = self._pictures(cut, timeline, framing, card, choose(), options, work, folder, size)
            try:
                segments.run_jobs(sorted(jobs.values(), key=lambda j: -j.frames), progress, halt=halt,
                                  nice=AHEAD_NICENESS)
            except VideoFailed:  # assemble meets it again, and says so (or falls back from NVENC)
                pass
        return sum(1 for job in jobs.values() if job.out.exists())

    def _film(self, cut: Cut, timeline: Timeline, framing: Layout, card: Path, encoder: Encoder,
              options: dict, work: Path, folder: Path, progress: ProgressCallback,
              size: tuple[int, int] = FORMATS[DEFAULT_FORMAT]) -> dict:
        """Encode the segments the folder lacks and the soundtrack, join them into work/out.mp4."""
        ffmpeg = ffmpeg_exe()
        used, video_jobs, fallbacks = self._pictures(cut, timeline, framing, card, encoder, options, work, folder,
                                                     size)
        audio, levels, audio_job = self._soundtrack(cut, timeline, options, work, folder, ffmpeg)
        # the soundtrack first (its mix is Python, beside the encoders), then the longest segments first
        jobs = [*([audio_job] if audio_job else []), *sorted(video_jobs.values(), key=lambda j: -j.frames)]
        progress(0.05, Note("Монтаж"))
        segments.run_jobs(jobs, progress, 0.05, 0.95)
        listing = segments.concat_list(used, work / "segments.ffconcat")
        join = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1",
                "-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(audio),
                "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-movflags", "+faststart"]
        segments.run_jobs([Job(join, work / "out.mp4", 1)], progress, 0.95, 0.99)
        return {"used": {*used, audio, audio.with_suffix(".json")}, "levels": levels,
                "counts": {"made": len(video_jobs), "reused": len(set(used)) - len(video_jobs)},
                "fallbacks": fallbacks}

    def _pictures(self, cut: Cut, timeline: Timeline, framing: Layout, card: Path, encoder: Encoder,
                  options: dict, work: Path, folder: Path, size: tuple[int, int]):
        """The film's picture segments in order (their files in ``folder``), the jobs that make those it lacks,
        and why a latent join fell back to a flow morph ({scene: why})."""
        ffmpeg, fonts = ffmpeg_exe(), font_path("DejaVuSans.ttf").parent
        # per unit of the layout (the title card, then each scene's shots: timeline.units)
        pictures = [card, *[_shot_of(cut, unit).picture for unit in framing.units[1:]]]
        cues = [[], *[_scene_cues(timeline.segments[unit.scene], cut.scenes[unit.scene - 1].cues, unit.start)
                      for unit in framing.units[1:]]]
        used: list[Path] = []
        video_jobs: dict[Path, Job] = {}
        per_cut = joins.parse(options.get("joins"))
        latents = [None, *[_shot_of(cut, unit).latent for unit in framing.units[1:]]]
        fallbacks: dict[str, str] = {}  # the cut into scene N: why its latent morph is a flow morph
        for number, piece in enumerate(framing.pieces):
            looks = [self._look(layer, pictures, cues, timeline, framing, options,
                                work / f"subs-{number}-{i}.ass", size) for i, layer in enumerate(piece.layers)]
            kind = joins.DEFAULT_JOIN
            coming = framing.units[piece.layers[-1].scene]
            if piece.kind == "join" and len(piece.layers) == 2 and framing.fade > 0 and coming.shot == 0:
                kind = joins.kind_of(coming.scene, options.get("join", joins.DEFAULT_JOIN), per_cut)
            pair = tuple(latents[layer.scene] for layer in piece.layers)
            if kind == "latent":
                why = latent_morph.unusable(*pair, scenes=tuple(framing.units[layer.scene].scene
                                                                 for layer in piece.layers))
                if why:
                    kind, fallbacks[str(coming.scene)] = "morph", why
            recipe = segments.piece_recipe(piece, looks, framing, encoder, options, ffmpeg, kind)
            if kind == "latent":
                recipe.update(latent_morph.recipe(*pair))
            out = folder / f"{piece.kind}-{fingerprint(recipe)}.mp4"
            used.append(out)
            if not (out.exists() and out.stat().st_size > 0) and out not in video_jobs:
                if kind == "morph":
                    video_jobs[out] = morph_job(ffmpeg, piece, looks, framing, encoder, options, fonts, out)
                    continue
                if kind == "latent":
                    video_jobs[out] = latent_morph.latent_job(ffmpeg, piece, looks, framing, encoder, options,
                                                              fonts, out, pair)
                    continue
                command = segments.piece_command(ffmpeg, piece, looks, framing, encoder, options, fonts,
                                                 joins.XFADE[kind])
                video_jobs[out] = Job(command, out, piece.frames)
        return used, video_jobs, fallbacks

    def _look(self, layer: Layer, pictures: list[Path], cues: list[list[Cue]], timeline: Timeline,
              framing: Layout, options: dict, ass: Path, size: tuple[int, int]) -> LayerLook:
        """What a layer shows: its scene's picture and move, the cues it overlaps, the closing fade."""
        begin, end = layer.first / FPS, (layer.first + layer.frames) / FPS
        shown = [c for c in cues[layer.scene]
                 if c.text.strip() and c.start < end and c.end + SUBTITLE_TAIL > begin]
        if shown:
            write_ass(shown, ass, size)
        fade_out = None
        if layer.scene == len(framing.units) - 1:  # the film's last picture
            # on the scene's clock the fade's frame depends on where the scene sits: only the ending shows it
            local = _closing_fade(timeline.duration) - framing.starts[layer.scene]
            if layer.first + layer.frames > local:
                fade_out = round(local / FPS, 6)
        return LayerLook(picture=pictures[layer.scene], move=move_of(layer.scene),
                         length=framing.lengths[layer.scene], zoom=options["zoom"],
                         subtitles=ass if shown else None, cues=tuple(shown), fade_out=fade_out, size=size)

    def _soundtrack(self, cut: Cut, timeline: Timeline, options: dict, work: Path, folder: Path,
                    ffmpeg: str) -> tuple[Path, dict, Job | None]:
        """The AAC soundtrack, kept like a segment (a redo of a picture does not mix it again); if it is not
        kept yet, the job that mixes and encodes it."""
        recipe = {"version": segments.VERSION, "audio": AUDIO, "duration": timeline.duration,
                  "voices": [[s.voice_start, file_digest(c.narration)]
                             for s, c in zip(timeline.segments[1:], cut.scenes)],
                  "music": file_digest(cut.music) if cut.music else None,
                  "levels": [options["music_level"], options["ducked_level"]]}
        out = folder / f"audio-{fingerprint(recipe)}.m4a"
        meta = out.with_suffix(".json")
        if out.exists() and meta.exists():
            return out, json.loads(meta.read_text()), None
        wav, levels = work / "soundtrack.wav", {}

        def mixed() -> None:
            levels.update(mix(timeline, [s.narration for s in cut.scenes], cut.music, wav,
                              music_level=options["music_level"], ducked_level=options["ducked_level"]))
            part = meta.with_name(f"{meta.stem}.part.json")
            part.write_text(json.dumps(levels))
            os.replace(part, meta)

        command = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1",
                   "-i", str(wav), "-vn", *AUDIO]
        frames = max(1, round(timeline.duration * FPS * 0.1))  # about its share of the work
        return out, levels, Job(command, out, frames, seconds=timeline.duration, before=mixed)


def _segments_folder(wanted: Path | None, work: Path) -> Path:
    """Where segments are kept: the cut's folder, or (none given, or it cannot be made) the work folder."""
    if wanted is not None:
        try:
            Path(wanted).mkdir(parents=True, exist_ok=True)
            return Path(wanted)
        except OSError:
            pass
    (work / "segments").mkdir()
    return work / "segments"


def _closing_fade(duration: float) -> int:
    """The film's frame where the closing fade begins, as in the single-pass graph: its time as written there
    (milliseconds), rounded to a frame as ffmpeg rounds (half away from zero)."""
    return math.floor(Fraction(f"{max(0.0, duration - 1.0):.3f}") * FPS + Fraction(1, 2))


def _first_shot_ends(framing: Layout, duration: float) -> list[float]:
    """Where each scene's first picture starts giving way (to its second shot, or to the next scene)."""
    ends = []
    for number, unit in enumerate(framing.units):
        if unit.scene > 0 and unit.shot == 0:
            following = framing.units[number + 1] if number + 1 < len(framing.units) else None
            ends.append(round(following.start if following else duration, 3))
    return ends


def _shot_of(cut: Cut, unit):
    """The scene's picture (a SceneClip) or further shot (a ShotClip) a layout unit shows."""
    scene = cut.scenes[unit.scene - 1]
    return scene if unit.shot == 0 else scene.shots[unit.shot - 1]


def _scene_cues(segment, cues: list[Cue], start: float | None = None) -> list[Cue]:
    """A scene's cues on its own clock (0 where its fade-in begins), the same wherever it sits in the film;
    with ``start``, on the clock of the scene's shot that fades in there."""
    lead = round(segment.voice_start - (segment.start if start is None else start), 6)
    return [Cue(start=lead + c.start, end=lead + c.end, text=c.text) for c in cues]


def _poster(card: Path, out: Path) -> None:
    from PIL import Image

    Image.open(card).convert("RGB").save(out, "JPEG", quality=88)
