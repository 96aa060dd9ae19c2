"""The genres: one table (``data/genres.toml``) gives each its story pack, picture palette and music mood.

Every stage asks ``genres.get(name)``; an unknown or oddly written genre («Сказка », «Магический  реализм») is told
as the default one rather than failing, since a stored tale's genre must always make something.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Genre:
    name: str  # as users see it and tales store it: «сказка»
    slug: str  # the same in ASCII, for file names
    story: str  # the template storyteller's pack
    palette: str  # the storybook illustrator's colour grade
    mood: str  # the composers' mood
    picture_style: str  # what the neural illustrators add to a scene's prompt
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # {language: name}, not ru

    def name_in(self, language: str) -> str:
        """The genre's name in ``language`` (a story model's prompt): «сказка» → "fairy tale", «казка»."""
        return self.names.get(language, self.name)


def _load() -> dict[str, Genre]:
    with open(Path(__file__).with_name("data") / "genres.toml", "rb") as f:
        rows = tomllib.load(f)["genre"]
    return {row["name"]: Genre(**row) for row in rows}


TABLE: dict[str, Genre] = _load()
NAMES: tuple[str, ...] = tuple(TABLE)
DEFAULT: Genre = next(iter(TABLE.values()))


def _key(text: str) -> str:
    return " ".join(str(text or "").lower().replace("ё", "е").split())


_BY_KEY = {_key(genre.name): genre for genre in TABLE.values()} | {_key(g.slug): g for g in TABLE.values()}


def find(name: str | None) -> Genre | None:
    """The genre ``name`` names (any case, spacing, ё or е, or its slug), or None."""
    return _BY_KEY.get(_key(name))


def get(name: str | None) -> Genre:
    """The genre ``name`` names, else the default."""
    return find(name) or DEFAULT


def normalise(name: str | None) -> str:
    """The genre's canonical name: «  Фэнтези» → «фэнтези», «что-то» → «сказка»."""
    return get(name).name
