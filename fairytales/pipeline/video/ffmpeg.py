"""The editor: ffmpeg's own filters (zoompan, xfade, libass) do the per-frame work, which runs
several times faster than compositing frames in Python (see docs/stack.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..backend import Option
from ..fonts import font_path
from ..types import ProgressCallback, no_progress
from . import FPS, HEIGHT, WIDTH, Cut, Editor
from .audio import mix
from .cards import title_card
from .subtitles import write_ass
from .timeline import Timeline, plan, shifted_cues

MOVES = ("zoom_in", "pan_right", "zoom_out", "pan_left")


def ffmpeg_exe() -> str:
    import imageio_ffmpeg  # noqa: PLC0415

    return imageio_ffmpeg.get_ffmpeg_exe()


class VideoFailed(RuntimeError):
    pass


class FfmpegEditor(Editor):
    name = "ffmpeg"
    label = "Монтаж ffmpeg"
    declared_options = (
        Option("preset", "veryfast", "Скорость кодирования x264",
               choices=("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")),
        Option("crf", 23, "Качество (CRF, меньше — лучше)", min=0, max=51),
        Option("zoom", 0.12, "Наезд камеры", min=0.0, max=0.5),
        Option("crossfade", 0.8, "Переход между сценами, с", min=0.0, max=3.0),
        Option("title_seconds", 4.0, "Титр, с", min=0.0, max=15.0),
        Option("music_level", 0.5, "Громкость музыки", min=0.0, max=1.0),
        Option("ducked_level", 0.15, "Музыка под голосом", min=0.0, max=1.0),
    )

    def assemble(self, cut: Cut, out_mp4: Path, out_poster: Path, options: dict,
                 progress: ProgressCallback = no_progress) -> dict:
        if not cut.scenes:
            raise ValueError("a video needs at least one scene")
        timeline = plan([s.narration_seconds for s in cut.scenes], title_seconds=options["title_seconds"],
                        crossfade=options["crossfade"])
        with tempfile.TemporaryDirectory(prefix="edit-") as tmp:
            work = Path(tmp)
            progress(0.02, "Титульный кадр и субтитры")
            card = work / "card.png"
            title_card(cut.scenes[0].picture, cut.title, cut.genre, card)
            subtitles = work / "subtitles.ass"
            write_ass(shifted_cues(timeline, [s.cues for s in cut.scenes]), subtitles)
            progress(0.05, "Сведение звука")
            soundtrack = work / "soundtrack.wav"
            levels = mix(timeline, [s.narration for s in cut.scenes], cut.music, soundtrack,
                         music_level=options["music_level"], ducked_level=options["ducked_level"])
            command = self._command(timeline, card, [s.picture for s in cut.scenes], subtitles, soundtrack,
                                    work / "out.mp4", options)
            self._run(command, timeline.duration, progress)
            shutil.move(work / "out.mp4", out_mp4)
            _poster(card, out_poster)
        progress(1.0, "Видео готово")
        return {"duration": round(timeline.duration, 3), "width": WIDTH, "height": HEIGHT, "fps": FPS,
                "scene_starts": [round(s.start, 3) for s in timeline.segments[1:]], **levels}

    def _command(self, timeline: Timeline, card: Path, pictures: list[Path], subtitles: Path,
                 soundtrack: Path, out: Path, options: dict) -> list[str]:
        inputs: list[str] = []
        filters: list[str] = []
        for i, (segment, picture) in enumerate(zip(timeline.segments, [card, *pictures])):
            inputs += ["-i", str(picture)]
            frames = max(1, round(segment.duration * FPS))
            move = "still" if i == 0 else MOVES[(i - 1) % len(MOVES)]
            filters.append(f"[{i}:v]{_ken_burns(move, frames, options['zoom'])},format=yuv420p,setsar=1[s{i}]")
        last = "s0"
        for i, segment in enumerate(timeline.segments[1:], start=1):
            offset = segment.start
            filters.append(f"[{last}][s{i}]xfade=transition=fade:duration={timeline.crossfade}:"
                           f"offset={offset:.3f}[x{i}]")
            last = f"x{i}"
        fonts_dir = font_path("DejaVuSans.ttf").parent
        fade_out = max(0.0, timeline.duration - 1.0)
        filters.append(f"[{last}]ass={_quote(subtitles)}:fontsdir={_quote(fonts_dir)},"
                       f"fade=t=out:st={fade_out:.3f}:d=1,format=yuv420p[video]")
        audio_index = len(timeline.segments)
        return [
            ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1",
            *inputs, "-i", str(soundtrack),
            "-filter_complex", ";".join(filters),
            "-map", "[video]", "-map", f"{audio_index}:a",
            "-c:v", "libx264", "-preset", options["preset"], "-crf", str(options["crf"]),
            "-pix_fmt", "yuv420p", "-r", str(FPS),
            "-c:a", "aac", "-b:a", "160k", "-ar", "44100",
            "-t", f"{timeline.duration:.3f}", "-movflags", "+faststart", str(out),
        ]

    def _run(self, command: list[str], duration: float, progress: ProgressCallback) -> None:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stdout is not None
        try:
            for line in process.stdout:
                match = re.match(r"out_time_us=(\d+)", line)
                if match and duration > 0:
                    done = min(1.0, int(match.group(1)) / 1e6 / duration)
                    progress(0.1 + 0.88 * done, f"Монтаж: {int(done * 100)}%")  # may raise on cancel
        finally:
            if process.poll() is None:  # cancelled or failed while encoding: stop ffmpeg too
                process.kill()
                process.wait()
        stderr = process.stderr.read() if process.stderr else ""
        if process.returncode != 0:
            raise VideoFailed(f"ffmpeg failed: {stderr.strip().splitlines()[-1] if stderr.strip() else 'no output'}")


def _ken_burns(move: str, frames: int, zoom: float) -> str:
    """A slow zoom or pan over ``frames`` frames; the picture is upscaled first so the move is smooth."""
    step = zoom / frames
    if move == "still":
        z, x, y = "1", "0", "0"
    elif move == "zoom_in":
        z, x, y = f"1+{step:.6f}*on", "iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)"
    elif move == "zoom_out":
        z, x, y = f"{1 + zoom:.4f}-{step:.6f}*on", "iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)"
    elif move == "pan_right":
        z, x, y = f"{1 + zoom:.4f}", f"(iw-iw/zoom)*on/{frames}", "ih/2-(ih/zoom/2)"
    else:  # pan_left
        z, x, y = f"{1 + zoom:.4f}", f"(iw-iw/zoom)*(1-on/{frames})", "ih/2-(ih/zoom/2)"
    return (f"scale={2 * WIDTH}:{2 * HEIGHT},zoompan=z='{z}':x='{x}':y='{y}':d={frames}:"
            f"s={WIDTH}x{HEIGHT}:fps={FPS}")


def _quote(path: Path) -> str:
    """A path inside a filter graph: escape the characters the graph parser treats specially."""
    return "'" + str(path).replace("\\", "\\\\").replace("'", r"'\''").replace(":", r"\:") + "'"


def _poster(card: Path, out: Path) -> None:
    from PIL import Image  # noqa: PLC0415

    Image.open(card).convert("RGB").save(out, "JPEG", quality=88)
