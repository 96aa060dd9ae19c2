"""Mood words for a scene: the English words (``data/scene_moods.toml``) that its words call up.

A composer that follows the story (MusicGen) asks, under each scene, for the tale's mood and these words:
«Колобок испугался волка» → ("tense",), «пир на весь мир» → ("festive",). The moods are the same in every
language; each language lists the words that call them up (``scene_moods.toml`` for Russian,
``scene_moods_en.toml``, ``scene_moods_uk.toml``), and a scene's words are read with that language's grammar
module, so every form of a word finds its entry: Russian and Ukrainian by pymorphy3's lemmas, English by its
simple forms («wolves» → «wolf», «frightened» → «frighten»).
"""

from __future__ import annotations

import functools
import tomllib
from collections import Counter
from pathlib import Path

from .. import english, russian, ukrainian

DATA = Path(__file__).with_name("data")
LEXICON = DATA / "scene_moods.toml"  # the moods, their Russian words and max_words
LEXICONS = {"ru": LEXICON, "en": DATA / "scene_moods_en.toml", "uk": DATA / "scene_moods_uk.toml"}


def _key(word: str) -> str:
    return word.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


@functools.cache
def lexicon(language: str = "ru") -> tuple[dict[str, str], int]:
    """(word → mood, how many moods a scene gets at most) for ``language``, read once. A word under two moods,
    or a mood the Russian table does not have, is an error, not a silent choice."""
    if language not in LEXICONS:
        raise ValueError(f"no scene moods for language {language!r} (known: {', '.join(LEXICONS)})")
    with open(LEXICON, "rb") as f:
        base = tomllib.load(f)
    data = base
    if language != "ru":
        with open(LEXICONS[language], "rb") as f:
            data = tomllib.load(f)
    name = f"music/data/{LEXICONS[language].name}"
    table: dict[str, str] = {}
    for mood, words in data["moods"].items():
        if mood not in base["moods"]:
            raise ValueError(f"{name}: no mood {mood!r} in scene_moods.toml")
        for word in words:
            key = _key(word)
            if key in table:
                raise ValueError(f"{name}: «{word}» is under both {table[key]!r} and {mood!r}")
            table[key] = mood
    return table, int(base.get("max_words", 3))


def _forms(word: str, language: str) -> list[str]:
    """The forms ``word`` may be listed as in ``language``'s table, likeliest first."""
    if language == "en":
        return english.word_forms(word)
    if language == "uk":
        return ukrainian.word_forms(word)
    return [russian.lemma(word)]


_WORDS = {"ru": russian.WORD_RE, "en": english.WORD_RE, "uk": ukrainian.WORD_RE}


def mood_words(text: str, limit: int | None = None, language: str = "ru") -> tuple[str, ...]:
    """The moods ``text`` (in ``language``) names most often (ties: the one named first), at most ``limit``
    (default the lexicon's ``max_words``)."""
    table, most = lexicon(language)
    named = []
    for word in _WORDS[language].findall(text):
        mood = next((table[form] for form in map(_key, _forms(word, language)) if form in table), None)
        if mood is not None:
            named.append(mood)
    counts = Counter(named)
    order = {mood: i for i, mood in reversed(list(enumerate(named)))}
    ranked = sorted(counts, key=lambda mood: (-counts[mood], order[mood]))
    return tuple(ranked[: most if limit is None else limit])
