"""A scene's words as the lexicon's lemmas, whatever the tale's language.

The lexicon (``data/lexicon.toml``) is written in Russian lemmas. An English or Ukrainian word is first taken
to its own lemma, then to the Russian lemma it stands for (``data/lexicon_en.toml``, ``data/lexicon_uk.toml``),
so «the fox in the dark forest» and «лисиця в темному лісі» draw what «лиса в тёмном лесу» draws. A word no
table knows is kept as its own lemma: it brings nothing, as an unknown Russian word brings nothing.
"""

from __future__ import annotations

import functools
import re

from ...russian import WORD_RE, lemma
from .tables import read, word_index

WORDS = {
    "en": re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*"),  # «apple-tree»; «fox's» is «fox» and «s»
    "uk": re.compile(r"[А-Яа-яІіЇїЄєҐґ]+(?:['’ʼ][А-Яа-яІіЇїЄєҐґ]+)*(?:-[А-Яа-яІіЇїЄєҐґ'’ʼ]+)*"),
}
_IRREGULAR = {"mice": "mouse", "geese": "goose", "men": "man", "women": "woman", "children": "child",
              "feet": "foot", "teeth": "tooth", "oxen": "ox", "wives": "wife", "knives": "knife",
              "burnt": "burn", "fell": "fall", "sat": "sit", "flew": "fly"}


@functools.cache
def translations(language: str) -> dict[str, str]:
    """{a word of ``language``: the Russian lemma it stands for}."""
    table = read(f"lexicon_{language}.toml")
    return word_index(table["words"], f"lexicon_{language}.toml [words]")


@functools.cache
def skipped(language: str) -> frozenset[str]:
    """The words of ``language`` a title's hero is never named by (articles, prepositions, adjectives)."""
    return frozenset(read(f"lexicon_{language}.toml").get("skip", ()))


def english_forms(word: str) -> list[str]:
    """The forms an English word may be listed as: itself, its singular, its verb's base («burning» → «burn»)."""
    word = word.lower()
    forms = [word, _IRREGULAR.get(word, word)]
    for ending, replacements in (("ies", ("y",)), ("ves", ("f", "fe")), ("es", ("", "e")), ("s", ("",)),
                                 ("ing", ("", "e")), ("ed", ("", "e")), ("ly", ("",)), ("y", ("",))):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            forms += [stem + r for r in replacements]
            if ending in ("ing", "ed") and len(stem) > 2 and stem[-1] == stem[-2]:
                forms.append(stem[:-1])  # «running» → «run»
    return list(dict.fromkeys(forms))


def ukrainian_forms(word: str) -> list[str]:
    """The forms a Ukrainian word may be listed as: its lemma, itself in lower case, and each lemma
    pymorphy3's Ukrainian dictionary reads it as (it takes «темному» first for a form of «темне»)."""
    from ... import ukrainian  # noqa: PLC0415 - its dictionary only when needed

    lower = word.lower().replace("’", "'").replace("ʼ", "'")
    forms = [ukrainian.lemma(word), lower, *(parse.normal_form for parse in ukrainian.morph().parse(lower))]
    return list(dict.fromkeys(forms))


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
