"""Typographic clean-up every proofreader applies: spaces, dashes, quotes, doubled words."""

from __future__ import annotations

import re

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[ \t\u00a0]+"), " "),  # runs of spaces
    (re.compile(r'"([^"\n]*)"'), r"«\1»"),  # straight quotes to guillemets
    (re.compile(r" +([,.;:!?…»)])"), r"\1"),  # no space before closing punctuation
    (re.compile(r"([«(]) +"), r"\1"),  # nor after opening
    (re.compile(r"(?<=\s)--?(?=\s)"), "—"),  # a hyphen between spaces is a dash
    (re.compile(r"^--?(?=\s)", re.M), "—"),  # as is one that opens a line of dialogue
    (re.compile(r"\.\.\."), "…"),
    (re.compile(r"([,;:!?])(?=[А-Яа-яЁёA-Za-z«])"), r"\1 "),  # a space after punctuation
    (re.compile(r"([.…])(?=[А-ЯЁ])"), r"\1 "),  # and between sentences
    (re.compile(r" *\n *"), "\n"),
    (re.compile(r"\n{3,}"), "\n\n"),
]
_DOUBLED = re.compile(r"\b([А-Яа-яЁё]+) \1\b", re.IGNORECASE)
# «с старым» → «со старым», «в вторник» → «во вторник», «к мне» → «ко мне»: a preposition takes
# its vowel before a cluster that starts with the same (or a hissing) sound, and in set phrases.
_CONSONANTS = "бвгджзйклмнпрстфхцчшщ"
_PREPOSITIONS = [
    (re.compile(rf"(?<![\w-])([Сс]) (?=[сСзЗшШжЖщЩ][{_CONSONANTS}]|мной\b|вс)"), r"\1о "),
    (re.compile(rf"(?<![\w-])([Вв]) (?=[вВфФ][{_CONSONANTS}]|мне\b|сне\b)"), r"\1о "),
    (re.compile(r"(?<![\w-])([Кк]) (?=мне\b|вс|вт|мног)"), r"\1о "),
]


def tidy(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    text = _DOUBLED.sub(r"\1", text)
    for pattern, replacement in _PREPOSITIONS:
        text = pattern.sub(replacement, text)
    return text.strip()
