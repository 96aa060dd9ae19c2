"""Which voice a character speaks in: its gender, read in the tale's language.

One rule for the whole pipeline, ``scenes.speaker_gender``: Russian and Ukrainian ask pymorphy3's
dictionaries; English, which has no grammatical gender, asks the grammar module's list of she-characters
(``english.gender_of``, ``data/english.toml``).
"""

from __future__ import annotations

from ..scenes import speaker_gender


def gender(speaker: str, language: str = "ru") -> str:
    """"masc", "femn" or "neut" for a speaker of a tale in ``language``; the narrator is "masc"."""
    return speaker_gender(speaker, language)
