"""The title card (and the poster): the first picture, softened, with the title over it."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from .. import genres, languages
from ..fonts import font_path
from ..illustration import cover
from . import HEIGHT, WIDTH


def caption(genre: str, language: str = languages.DEFAULT) -> str:
    """The line under the title, in the tale's language: «Видеосказка · сказка», "Videotale · horror"."""
    known = genres.find(genre)
    named = known.name_in(language) if known is not None and language != languages.DEFAULT else genre
    return f"{languages.FILM_WORDS.get(language, languages.FILM_WORDS[languages.DEFAULT])} · {named}"


def title_card(background: Path, title: str, genre: str, out: Path,
               size: tuple[int, int] = (WIDTH, HEIGHT), language: str = languages.DEFAULT) -> None:
    """The card for a width × height frame: the type scales with the frame's short side and the title wraps to
    its width (a vertical frame gets more, shorter lines); the caption in the tale's ``language``."""
    width, height = size
    k = min(width, height) / HEIGHT
    image = Image.open(background).convert("RGB")
    image = image.resize(size) if image.size == size else cover(image, width, height)
    image = image.filter(ImageFilter.GaussianBlur(6 * k))
    image = ImageEnhance.Brightness(image).enhance(0.55)
    draw = ImageDraw.Draw(image)
    column = width - round(200 * k)
    title = drawable(title, ImageFont.truetype(str(font_path("DejaVuSerif-Bold.ttf")), 40))
    most = 3 if width >= height else 5
    title_font, lines = _fit(title, "DejaVuSerif-Bold.ttf", max_size=round(92 * k), smallest=round(40 * k),
                             column=column, most=most)
    line_height = int(title_font.size * 1.2)
    top = height // 2 - line_height * len(lines[:most]) // 2 - round(30 * k)
    for i, line in enumerate(lines[:most]):
        _centered(draw, top + i * line_height, line, title_font, fill=(255, 244, 214), width=width, k=k)
    small = ImageFont.truetype(str(font_path("DejaVuSans.ttf")), round(34 * k))
    below = top + line_height * min(most, len(lines)) + round(30 * k)
    _centered(draw, below, caption(genre, language), small, fill=(235, 225, 200), width=width, k=k)
    image.save(out)


def drawable(text: str, font: ImageFont.FreeTypeFont) -> str:
    """``text`` without the characters ``font`` has no glyph for (an emoji in a title): a card shows the
    words, not empty boxes."""
    missing = _glyph(font, "\U0010fffd")  # a private-use character no font draws: the "no glyph" box
    kept = "".join(ch for ch in text if ch.isspace() or _glyph(font, ch) != missing)
    return " ".join(kept.split())


def _glyph(font: ImageFont.FreeTypeFont, character: str) -> bytes:
    left, top, right, bottom = font.getbbox(character)
    image = Image.new("L", (max(1, right), max(1, bottom)))
    ImageDraw.Draw(image).text((0, 0), character, font=font, fill=255)
    return image.tobytes()


def _fit(text: str, name: str, max_size: int, smallest: int, column: int,
         most: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest type (down to ``smallest``) at which ``text`` takes at most two lines of ``column`` pixels,
    and its lines; at the smallest, up to ``most`` lines, the last ending in «…» if the title goes on."""
    size = max_size
    while True:
        font = ImageFont.truetype(str(font_path(name)), size)
        lines = wrap(text, font, column) or [""]
        if len(lines) <= 2 or size <= smallest:
            break
        size = max(smallest, size - 6)
    if len(lines) > most:
        last = lines[most - 1]
        while last and font.getlength(f"{last}…") > column:
            last = last[:-1]
        lines = [*lines[:most - 1], f"{last.rstrip()}…"]
    return font, lines


def wrap(text: str, font: ImageFont.FreeTypeFont, column: int) -> list[str]:
    """``text`` in lines no wider than ``column`` pixels: broken between words, and inside a word only when
    the word alone is wider (a title of one long word)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if font.getlength(joined) <= column:
            line = joined
            continue
        if line:
            lines.append(line)
        while len(word) > 1 and font.getlength(word) > column:
            cut = next((i for i in range(len(word) - 1, 0, -1) if font.getlength(word[:i]) <= column), 1)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill, width: int = WIDTH, k: float = 1.0) -> None:
    x = (width - draw.textlength(text, font=font)) / 2
    draw.text((x, y), text, font=font, fill=fill, stroke_width=round(3 * k), stroke_fill=(20, 16, 30))
