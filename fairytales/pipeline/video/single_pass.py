"""The editor's first graph, kept as the reference the segmented editor is compared with (tests, bench).

One ffmpeg process for the whole film: zoompan on every frame of each picture (scaled to the frame, as the
segments' graph has it; the first editor upscaled it 2×), a chain of xfades that every frame passes through,
libass over the whole film. It looks as the film should; it costs ~2.5× the bare x264 encode of the same
frames, and a redo of one picture re-encodes everything.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from ..fonts import font_path
from . import FPS, HEIGHT, WIDTH, Cut
from .audio import mix
from .cards import title_card
from .encoder import ffmpeg_exe
from .graph import MOVES, ken_burns, quote
from .subtitles import write_ass
from .timeline import Timeline, Unit, plan, shifted_cues, units


def assemble_single_pass(cut: Cut, out_mp4: Path, options: dict) -> dict:
    """Write ``cut`` as the single-pass graph made it; return {"duration", "scene_starts"}."""
    timeline = plan([s.narration_seconds for s in cut.scenes], title_seconds=options["title_seconds"],
                    crossfade=options["crossfade"])
    with tempfile.TemporaryDirectory(prefix="edit-once-") as tmp:
        work = Path(tmp)
        card = work / "card.png"
        title_card(cut.scenes[0].picture, cut.title, cut.genre, card, language=cut.language)
        subtitles = work / "subtitles.ass"
        write_ass(shifted_cues(timeline, [s.cues for s in cut.scenes]), subtitles)
        soundtrack = work / "soundtrack.wav"
        mix(timeline, [s.narration for s in cut.scenes], cut.music, soundtrack,
            music_level=options["music_level"], ducked_level=options["ducked_level"])
        spans = units(timeline, [[shot.start for shot in s.shots] for s in cut.scenes])
        pictures = [(scene.picture if u.shot == 0 else scene.shots[u.shot - 1].picture)
                    for u in spans[1:] for scene in [cut.scenes[u.scene - 1]]]
        command = _command(timeline, spans, card, pictures, subtitles, soundtrack, out_mp4, options)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"ffmpeg failed: {result.stderr.strip()[-500:]}")
    return {"duration": round(timeline.duration, 3),
            "scene_starts": [round(s.start, 3) for s in timeline.segments[1:]]}


def _command(timeline: Timeline, spans: list[Unit], card: Path, pictures: list[Path], subtitles: Path,
             soundtrack: Path, out: Path, options: dict) -> list[str]:
    """``spans``: each picture's stretch (the title card, then every scene's shots)."""
    inputs: list[str] = []
    filters: list[str] = []
    for i, (segment, picture) in enumerate(zip(spans, [card, *pictures])):
        inputs += ["-i", str(picture)]
        frames = max(1, round(segment.duration * FPS))
        move = "still" if i == 0 else MOVES[(i - 1) % len(MOVES)]
        filters.append(f"[{i}:v]{_ken_burns(move, frames, options['zoom'])},format=yuv420p,setsar=1[s{i}]")
    last = "s0"
    for i, segment in enumerate(spans[1:], start=1):
        filters.append(f"[{last}][s{i}]xfade=transition=fade:duration={segment.fade}:"
                       f"offset={segment.start:.3f}[x{i}]")
        last = f"x{i}"
    fonts_dir = font_path("DejaVuSans.ttf").parent
    fade_out = max(0.0, timeline.duration - 1.0)
    filters.append(f"[{last}]ass={quote(subtitles)}:fontsdir={quote(fonts_dir)},"
                   f"fade=t=out:st={fade_out:.3f}:d=1,format=yuv420p[video]")
    audio_index = len(spans)
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
        *inputs, "-i", str(soundtrack),
        "-filter_complex", ";".join(filters),
        "-map", "[video]", "-map", f"{audio_index}:a",
        "-c:v", "libx264", "-preset", options["preset"], "-crf", str(options["crf"]),
        "-pix_fmt", "yuv420p", "-r", str(FPS),
        "-c:a", "aac", "-b:a", "160k", "-ar", "44100",
        "-t", f"{timeline.duration:.3f}", "-movflags", "+faststart", str(out),
    ]


def _ken_burns(move: str, frames: int, zoom: float) -> str:
    """A slow zoom or pan over ``frames`` frames, of the picture scaled to the frame in yuv420p (zoompan's
    corners then fall on even pixels, as in the segments' graph)."""
    z, x, y = ken_burns(move, frames, zoom)
    return (f"scale={WIDTH}:{HEIGHT},format=yuv420p,zoompan=z='{z}':x='{x}':y='{y}':d={frames}:"
            f"s={WIDTH}x{HEIGHT}:fps={FPS}")
