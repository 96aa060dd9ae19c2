"""A scene's words as the lexicon's lemmas, whatever the tale's language.

The lexicon (``data/lexicon.toml``) is written in Russian lemmas. An English or Ukrainian word is first taken
to its own lemma, then to the Russian lemma it stands for (``data/lexicon_en.toml``, ``data/lexicon_uk.toml``),
so «the fox in the dark forest» and «лисиця в темному лісі» draw what «лиса в тёмном лесу» draws. A word no
table knows is kept as its own lemma: it brings nothing, as an unknown Russian word brings nothing.
"""

from __future__ import annotations

import functools
import re

from ...english import word_forms as english_forms
from ...russian import WORD_RE, lemma
from ...ukrainian import word_forms as ukrainian_forms
from .tables import read, word_index

WORDS = {
    "en": re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*"),  # «apple-tree»; «fox's» is «fox» and «s»
    "uk": re.compile(r"[А-Яа-яІіЇїЄєҐґ]+(?:['’ʼ][А-Яа-яІіЇїЄєҐґ]+)*(?:-[А-Яа-яІіЇїЄєҐґ'’ʼ]+)*"),
}


@functools.cache
def translations(language: str) -> dict[str, str]:
    """{a word of ``language``: the Russian lemma it stands for}."""
    table = read(f"lexicon_{language}.toml")
    return word_index(table["words"], f"lexicon_{language}.toml [words]")


@functools.cache
def skipped(language: str) -> frozenset[str]:
    """The words of ``language`` a title's hero is never named by (articles, prepositions, adjectives)."""
    return frozenset(read(f"lexicon_{language}.toml").get("skip", ()))


@functools.cache
def unrelated(language: str) -> frozenset[str]:
    """Written forms of ``language`` that bring nothing, though the dictionary reads them as a word that would."""
    return frozenset(read(f"lexicon_{language}.toml").get("unrelated", ()))


@functools.lru_cache(maxsize=65536)
def as_lexicon_lemma(word: str, language: str) -> str:
    """The Russian lemma the lexicon lists for ``word`` of ``language``; else the word's own first form."""
    if language == "ru":
        return lemma(word)
    if word.lower() in unrelated(language):
        return word.lower()
    forms = english_forms(word) if language == "en" else ukrainian_forms(word)
    table = translations(language)
    return next((table[form] for form in forms if form in table), forms[0])


def words_of(text: str, language: str) -> list[str]:
    """The words of ``text`` as written (hyphenated ones whole)."""
    return (WORD_RE if language == "ru" else WORDS[language]).findall(text)
