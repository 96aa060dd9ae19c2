"""The title card (and the poster): the first picture, softened, with the title over it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from ..fonts import font_path
from ..illustration import cover
from . import HEIGHT, WIDTH

GENRE_LABEL = "Видеосказка"


def title_card(background: Path, title: str, genre: str, out: Path,
               size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
    """The card for a width × height frame: the type scales with the frame's short side and the title wraps to
    its width (a vertical frame gets more, shorter lines)."""
    width, height = size
    k = min(width, height) / HEIGHT
    image = Image.open(background).convert("RGB")
    image = image.resize(size) if image.size == size else cover(image, width, height)
    image = image.filter(ImageFilter.GaussianBlur(6 * k))
    image = ImageEnhance.Brightness(image).enhance(0.55)
    draw = ImageDraw.Draw(image)
    column = width - round(200 * k)
    title_font = _fit_font(title, "DejaVuSerif-Bold.ttf", max_size=round(92 * k), width=column,
                           smallest=round(40 * k))
    lines = textwrap.wrap(title, width=max(8, int(column / (title_font.size * 0.55)))) or [title]
    most = 3 if width >= height else 5
    line_height = int(title_font.size * 1.2)
    top = height // 2 - line_height * len(lines[:most]) // 2 - round(30 * k)
    for i, line in enumerate(lines[:most]):
        _centered(draw, top + i * line_height, line, title_font, fill=(255, 244, 214), width=width, k=k)
    small = ImageFont.truetype(str(font_path("DejaVuSans.ttf")), round(34 * k))
    _centered(draw, top + line_height * min(most, len(lines)) + round(30 * k), f"{GENRE_LABEL} · {genre}", small,
              fill=(235, 225, 200), width=width, k=k)
    image.save(out)


def _fit_font(text: str, name: str, max_size: int, width: int, smallest: int = 40) -> ImageFont.FreeTypeFont:
    size = max_size
    while size > smallest:
        font = ImageFont.truetype(str(font_path(name)), size)
        if font.getlength(text) <= width * 2:  # wraps to at most two lines
            return font
        size -= 6
    return ImageFont.truetype(str(font_path(name)), size)


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill, width: int = WIDTH, k: float = 1.0) -> None:
    x = (width - draw.textlength(text, font=font)) / 2
    draw.text((x, y), text, font=font, fill=fill, stroke_width=round(3 * k), stroke_fill=(20, 16, 30))
