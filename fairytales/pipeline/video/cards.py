"""The title card (and the poster): the first picture, softened, with the title over it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from ..fonts import font_path
from . import HEIGHT, WIDTH

GENRE_LABEL = "Видеосказка"


def title_card(background: Path, title: str, genre: str, out: Path) -> None:
    image = Image.open(background).convert("RGB").resize((WIDTH, HEIGHT))
    image = image.filter(ImageFilter.GaussianBlur(6))
    image = ImageEnhance.Brightness(image).enhance(0.55)
    draw = ImageDraw.Draw(image)
    title_font = _fit_font(title, "DejaVuSerif-Bold.ttf", max_size=92, width=WIDTH - 200)
    lines = textwrap.wrap(title, width=max(8, int((WIDTH - 200) / (title_font.size * 0.55)))) or [title]
    line_height = int(title_font.size * 1.2)
    top = HEIGHT // 2 - line_height * len(lines) // 2 - 30
    for i, line in enumerate(lines[:3]):
        _centered(draw, top + i * line_height, line, title_font, fill=(255, 244, 214))
    small = ImageFont.truetype(str(font_path("DejaVuSans.ttf")), 34)
    _centered(draw, top + line_height * min(3, len(lines)) + 30, f"{GENRE_LABEL} · {genre}", small,
              fill=(235, 225, 200))
    image.save(out)


def _fit_font(text: str, name: str, max_size: int, width: int) -> ImageFont.FreeTypeFont:
    size = max_size
    while size > 40:
        font = ImageFont.truetype(str(font_path(name)), size)
        if font.getlength(text) <= width * 2:  # wraps to at most two lines
            return font
        size -= 6
    return ImageFont.truetype(str(font_path(name)), size)


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill) -> None:
    width = draw.textlength(text, font=font)
    x = (WIDTH - width) / 2
    draw.text((x, y), text, font=font, fill=fill, stroke_width=3, stroke_fill=(20, 16, 30))
