"""Subtitles as an ASS file for ffmpeg's libass filter (Cyrillic font, outline, bottom centre)."""

from __future__ import annotations

from pathlib import Path

from ..types import Cue
from . import HEIGHT, WIDTH

HEADER = f"""[Script Info]
ScriptType: v4.00+
PlayResX: {WIDTH}
PlayResY: {HEIGHT}
WrapStyle: 0
ScaledBorderAndShadow: yes

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,DejaVu Sans,38,&H00FFFFFF,&H00FFFFFF,&H60101018,&H60101018,0,0,0,0,100,100,0,0,3,10,0,2,110,110,36,204

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


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


def write_ass(cues: list[Cue], out: Path) -> None:
    events = [
        f"Dialogue: 0,{timestamp(c.start)},{timestamp(c.end + 0.15)},Default,,0,0,0,,{escape(c.text)}"
        for c in cues
        if c.text.strip()
    ]
    out.write_text(HEADER + "\n".join(events) + "\n", encoding="utf-8")
