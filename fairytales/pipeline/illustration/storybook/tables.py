"""Reading the TOML tables under ``data/``: the illustrator's content, kept apart from its drawing code."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data")

RGB = tuple[int, int, int]


def read(name: str) -> dict[str, Any]:
    with open(DATA / name, "rb") as f:
        return tomllib.load(f)


def rgb(value) -> RGB:
    """A colour from a table's [red, green, blue]."""
    red, green, blue = value
    return (int(red), int(green), int(blue))


def rgbs(values) -> tuple[RGB, ...]:
    return tuple(rgb(value) for value in values)


def floats(values) -> tuple[float, ...]:
    return tuple(float(value) for value in values)


def word_index(groups: dict[str, list[str]], table: str) -> dict[str, str]:
    """{word: key} from {key: [words]}; a word under two keys is a mistake in the table."""
    index: dict[str, str] = {}
    for key, words in groups.items():
        for word in words:
            if word in index:
                raise ValueError(f"{table}: «{word}» is under both {index[word]!r} and {key!r}")
            index[word] = key
    return index
