"""Mood words for a scene: the English words (``data/scene_moods.toml``) that its Russian words call up.

A composer that follows the story (MusicGen) asks, under each scene, for the tale's mood and these words:
«Колобок испугался волка» → ("tense",), «пир на весь мир» → ("festive",). The scene's words are
lemmatised with the project's Russian helpers (pymorphy3), so every form of a word finds its entry.
"""

from __future__ import annotations

import functools
import tomllib
from collections import Counter
from pathlib import Path

from ..russian import lemmas

LEXICON = Path(__file__).with_name("data") / "scene_moods.toml"


@functools.cache
def lexicon() -> tuple[dict[str, str], int]:
    """(lemma → mood words, how many moods a scene gets at most), read once; a lemma under two moods is an
    error, not a silent choice."""
    with open(LEXICON, "rb") as f:
        data = tomllib.load(f)
    table: dict[str, str] = {}
    for mood, words in data["moods"].items():
        for word in words:
            key = word.lower().replace("ё", "е")
            if key in table:
                raise ValueError(f"music/data/scene_moods.toml: «{word}» is under both {table[key]!r} and {mood!r}")
            table[key] = mood
    return table, int(data.get("max_words", 3))


def mood_words(text: str, limit: int | None = None) -> tuple[str, ...]:
    """The moods ``text`` names most often (ties: the one named first), at most ``limit`` (default the
    lexicon's ``max_words``)."""
    table, most = lexicon()
    named = [table[lemma] for lemma in lemmas(text) if lemma in table]
    counts = Counter(named)
    order = {mood: i for i, mood in reversed(list(enumerate(named)))}
    ranked = sorted(counts, key=lambda mood: (-counts[mood], order[mood]))
    return tuple(ranked[: most if limit is None else limit])
