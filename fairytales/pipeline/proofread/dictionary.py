"""Dictionary proofreader: pymorphy3's dictionary and a frequency list counted in classic literature
say which word forms exist; a misspelt word is replaced by the most frequent known form one edit away.

Words written with a capital letter are left alone (names, the hero); so is anything with no
single clear correction: a proofreader that "fixes" a correct rare word does more harm than good.
"""

from __future__ import annotations

import functools
import re

from ..backend import Option
from ..notes import Note
from ..russian import morph
from ..types import ProgressCallback, no_progress
from . import CHECKED_LANGUAGES, Proofread, Proofreader, lexicon
from .typography import tidy

ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_WORD = re.compile(r"(?<![\w-])[а-яё]{4,}(?![\w-])")


@functools.cache
def _frequencies():
    from spellchecker import SpellChecker  # noqa: PLC0415

    return SpellChecker(language="ru", distance=1).word_frequency


def _known(word: str) -> bool:
    return word in lexicon.counts() or morph().word_is_known(word)


def _frequency(word: str) -> tuple[int, int]:
    """How common a word is: in literature first, in everyday speech (pyspellchecker's list) next."""
    return lexicon.counts().get(word, 0), _frequencies()[word]


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return deletes | transposes | replaces | inserts


def correct_word(word: str) -> str | None:
    """The correction of a lower-case word, or None when it is fine or has no clear fix."""
    if _known(word):
        return None
    candidates = [c for c in _edits1(word) if _known(c)]
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda c: (_frequency(c), c), reverse=True)
    if len(ranked) > 1:
        best, second = _frequency(ranked[0]), _frequency(ranked[1])
        if best[0] <= 2 * second[0] and best[1] <= 2 * second[1]:
            return None  # no clear winner: leave it
    return ranked[0]


class DictionaryProofreader(Proofreader):
    name = "dictionary"
    label = "Словарная проверка (pymorphy3)"
    declared_options = (Option("fix_spelling", True, "Исправлять орфографию"),)

    def fix(self, text: str, options: dict, progress: ProgressCallback = no_progress,
            language: str = "ru") -> Proofread:
        if language not in CHECKED_LANGUAGES:
            return self.unchecked(text, progress)
        text = tidy(text)
        corrections: list[tuple[str, str]] = []
        if options.get("fix_spelling", True):
            progress(0.1, Note("Проверяю орфографию"))

            def replace(match: re.Match[str]) -> str:
                fixed = correct_word(match.group(0))
                if fixed is None:
                    return match.group(0)
                corrections.append((match.group(0), fixed))
                return fixed

            text = _WORD.sub(replace, text)
        progress(1.0, Note("Исправлено слов: {count}", count=len(corrections)))
        return Proofread(text=text, corrections=corrections)
