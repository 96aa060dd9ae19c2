"""A contact sheet: each scene of a finished film in a grid, as a PNG: its still (the picture at full size,
sharper than a frame of the film) or, with none given, the film's frame from the middle of the scene."""

from __future__ import annotations

from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

from ..fonts import font_path

THUMB = (426, 240)
GAP = 12
LABEL = 28


def scene_middles(scene_starts: list[float], duration: float,
                  first_shot_ends: list[float] | None = None) -> list[float]:
    """The moment halfway through each scene (a scene lasts until the next one starts), or through its first
    shot, the scene's still, where it has several (``first_shot_ends``: the film's meta)."""
    ends = [*scene_starts[1:], duration]
    if first_shot_ends and len(first_shot_ends) == len(ends):
        ends = [min(end, shot_end) for end, shot_end in zip(ends, first_shot_ends)]
    return [(start + end) / 2 for start, end in zip(scene_starts, ends)]


def frames_at(video: Path, moments: list[float]) -> list[Image.Image]:
    """The frames shown at ``moments`` (seconds, ascending), decoded in one pass."""
    found: list[Image.Image] = []
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            while len(found) < len(moments) and frame.time is not None and frame.time >= moments[len(found)]:
                found.append(frame.to_image())
            if len(found) == len(moments):
                break
    if len(found) < len(moments):
        raise ValueError(f"{video}: the film ends before {moments[len(found)]:.1f} s")
    return found


def thumb_size(width: int, height: int) -> tuple[int, int]:
    """A thumbnail of a width × height picture: its aspect, THUMB's long side (THUMB itself for 16:9)."""
    scale = THUMB[0] / max(width, height)
    return round(width * scale), round(height * scale)


def contact_sheet(video: Path, scene_starts: list[float], duration: float, out_png: Path,
                  title: str = "", columns: int = 3, stills: list[Path] | None = None,
                  first_shot_ends: list[float] | None = None) -> Path:
    """Write the sheet of ``video``'s scenes to ``out_png``: the scenes' ``stills`` (else the film's frames)
    in rows of ``columns``, each labelled with its scene's number and time, under ``title``."""
    moments = scene_middles(scene_starts, duration, first_shot_ends)
    frames = [Image.open(path).convert("RGB") for path in stills] if stills else frames_at(video, moments)
    thumb = thumb_size(*frames[0].size)
    rows = (len(frames) + columns - 1) // columns
    head = 48 if title else 0
    width = columns * thumb[0] + (columns + 1) * GAP
    height = head + rows * (thumb[1] + LABEL + GAP) + GAP
    sheet = Image.new("RGB", (width, height), (24, 22, 30))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(font_path()), 18)
    if title:
        draw.text((GAP, 12), title, font=ImageFont.truetype(str(font_path("DejaVuSans-Bold.ttf")), 26),
                  fill=(240, 230, 210))
    for i, (frame, moment) in enumerate(zip(frames, moments)):
        x = GAP + (i % columns) * (thumb[0] + GAP)
        y = head + GAP + (i // columns) * (thumb[1] + LABEL + GAP)
        sheet.paste(frame.resize(thumb, Image.Resampling.LANCZOS), (x, y))
        minutes, seconds = divmod(int(moment), 60)
        draw.text((x, y + thumb[1] + 4), f"Сцена {i + 1} · {minutes}:{seconds:02d}", font=font, fill=(200, 195, 185))
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out_png)
    return out_png
