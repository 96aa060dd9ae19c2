"""The languages a tale is told in (``TaleRequest.language``) and carries subtitles in (``subtitles``).

Read from ``data/languages.toml``. Every stage that reads or writes words takes the tale's language from the
request (or a ``language`` argument), Russian when none is given: the tales made before languages existed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

with open(Path(__file__).with_name("data") / "languages.toml", "rb") as _file:
    _ROWS = tomllib.load(_file)["language"]
NAMES: dict[str, str] = {row["code"]: row["name"] for row in _ROWS}
FILM_WORDS: dict[str, str] = {row["code"]: row["film"] for row in _ROWS}  # «Видеосказка» on a title card

CODES: tuple[str, ...] = tuple(NAMES)
DEFAULT = "ru"


def check(code: str) -> str:
    """The code itself when it is a known language; else a ValueError that says which are."""
    if code not in NAMES:
        raise ValueError(f"no language {code!r} (known: {', '.join(CODES)})")
    return code


def extra(language: str, subtitles) -> tuple[str, ...]:
    """The subtitle languages beyond the tale's own, each once, in the order asked; unknown ones refused."""
    return tuple(dict.fromkeys(check(code) for code in subtitles if code != language))
