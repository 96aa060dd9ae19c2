"""Subtitles as an ASS file for ffmpeg's libass filter (Cyrillic font, outline, bottom centre)."""

from __future__ import annotations

from pathlib import Path

from ..types import Cue
from . import HEIGHT, WIDTH

def header(size: tuple[int, int] = (WIDTH, HEIGHT)) -> str:
    """The ASS header for a width × height frame: the type and its box scale with the frame's short side; a
    vertical frame gets a wider column and sits higher (above a phone's controls), so lines reflow in it."""
    width, height = size
    k = min(width, height) / HEIGHT
    side = round(110 * k) if width >= height else round(54 * k)
    bottom = round(36 * k) if width >= height else round(height * 0.14)
    return f"""[Script Info]
ScriptType: v4.00+
PlayResX: {width}
PlayResY: {height}
WrapStyle: 0
ScaledBorderAndShadow: yes

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,DejaVu Sans,{round(38 * k)},&H00FFFFFF,&H00FFFFFF,&H60101018,&H60101018,0,0,0,0,100,100,0,0,3,{round(10 * k)},0,2,{side},{side},{bottom},204

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


HEADER = header()


def timestamp(seconds: float) -> str:
    centis = max(0, round(seconds * 100))
    hours, centis = divmod(centis, 360000)
    minutes, centis = divmod(centis, 6000)
    secs, centis = divmod(centis, 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{centis:02d}"


def escape(text: str) -> str:
    """Text as libass shows it literally: no override blocks, no line-break escapes."""
    text = " ".join(text.split())
    return text.replace("\\", "\u29f5").replace("{", "(").replace("}", ")")


def write_ass(cues: list[Cue], out: Path, size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
    events = [
        f"Dialogue: 0,{timestamp(c.start)},{timestamp(c.end + 0.15)},Default,,0,0,0,,{escape(c.text)}"
        for c in cues
        if c.text.strip()
    ]
    out.write_text(header(size) + "\n".join(events) + "\n", encoding="utf-8")
