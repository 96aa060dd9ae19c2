"""Fonts with Cyrillic glyphs (Pillow's built-in font draws Russian as boxes)."""

from __future__ import annotations

import functools
from pathlib import Path

SEARCH_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)


class FontMissing(RuntimeError):
    pass


@functools.cache
def font_path(name: str = "DejaVuSans.ttf") -> Path:
    for folder in SEARCH_DIRS:
        candidate = folder / name
        if candidate.exists():
            return candidate
    raise FontMissing(f"font {name} not found in {', '.join(map(str, SEARCH_DIRS))}: run `make install`"
                      " (apt package fonts-dejavu-core)")
