"""Russian morphology shared by the stages (pymorphy3): one analyser per process."""

from __future__ import annotations

import functools
import re

WORD_RE = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


@functools.cache
def morph():
    import pymorphy3  # noqa: PLC0415 - loads its dictionaries (~0.3 s); only when needed

    return pymorphy3.MorphAnalyzer(lang="ru")


@functools.lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of a word, lower-case, ё kept as е so «ёж» and «еж» match."""
    return morph().parse(word.lower())[0].normal_form.replace("ё", "е")


def lemmas(text: str) -> list[str]:
    """Lemmas of the Cyrillic words in ``text``, in order."""
    return [lemma(word) for word in WORD_RE.findall(text)]
