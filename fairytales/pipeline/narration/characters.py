"""Which voice a character speaks in: its gender, read in the tale's language.

Russian asks pymorphy3 through ``scenes.speaker_gender``; Ukrainian asks ``ukrainian.gender_of`` (pymorphy3's
Ukrainian dictionary). English has no grammatical gender: a table of the words that name women and female
animals says it (``data/english_genders.toml``, read by the speaker's last word: «the old woman»), then
``english.gender_of``.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from ..scenes import CHARACTER, NARRATOR, speaker_gender


@functools.cache
def _english() -> dict[str, str]:
    with open(Path(__file__).with_name("data") / "english_genders.toml", "rb") as f:
        table = tomllib.load(f)
    return {word: gender for gender in ("femn", "neut") for word in table[gender]}


def gender(speaker: str, language: str = "ru") -> str:
    """"masc", "femn" or "neut" for a speaker of a tale in ``language``; the narrator is "masc"."""
    if speaker in (NARRATOR, CHARACTER) or language == "ru":
        return speaker_gender(speaker)
    words = re.findall(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", speaker.lower())
    if not words:
        return "masc"
    if language == "en":
        table = _english()
        found = table.get("-".join(words), table.get(words[-1], "masc"))
        if found == "masc":  # the English storyteller's own guess («Masha»)
            from ..english import gender_of as english_gender  # noqa: PLC0415

            return english_gender(speaker)
        return found
    from ..ukrainian import gender_of as ukrainian_gender  # noqa: PLC0415 - its dictionary only when needed

    return ukrainian_gender(words[-1])
