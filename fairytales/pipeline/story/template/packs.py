"""The storyteller's content, read from ``data/*.toml``: what all genres share, and each genre's pack.

Russian, the reference, is ``data/<name>.toml``; another language's is ``data/<language>/<name>.toml``, and
mirrors the Russian file entry by entry (same keys, lists of the same lengths in the same order, the same
``[…|…]`` choices in each template): the plan picks by position, so one plot tells in every language.
The files are read once per process. Lists keep their order (the seed picks among them by position, so the
same seed tells the same tale), and a file with a key these classes do not know fails to load.
"""

from __future__ import annotations

import functools
import importlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

DATA = Path(__file__).with_name("data")
REFERENCE = "ru"  # the language whose packs the others mirror


def path(name: str, language: str = REFERENCE) -> Path:
    """Where ``data/<name>.toml`` of ``language`` is."""
    return DATA / f"{name}.toml" if language == REFERENCE else DATA / language / f"{name}.toml"


GRAMMARS = {  # the grammar module each language's writer and planner use, imported when first needed
    "ru": "fairytales.pipeline.russian",
    "en": "fairytales.pipeline.english",
    "uk": "fairytales.pipeline.ukrainian",
}


def grammar(language: str) -> ModuleType:
    """The grammar module of ``language`` (``russian``, ``english``, ``ukrainian``)."""
    if language not in GRAMMARS:
        raise ValueError(f"the template storyteller has no grammar for {language!r}")
    return importlib.import_module(GRAMMARS[language])


@dataclass(frozen=True)
class Place:
    name: str  # «дремучий лес»
    to: str  # «в дремучий лес»
    at: str  # «в дремучем лесу»
    source: str  # «из дремучего леса»


@dataclass(frozen=True)
class Villain:
    name: str  # a cast entry: «Кощей Бессмертный::Кощей»
    lair: Place


@dataclass(frozen=True)
class Thing:
    """A magical object, and what the donor says it does."""

    name: str
    power: str


@dataclass(frozen=True)
class Food:
    accs: str  # as taken: «краюшку хлеба»
    ablt: str  # as shared: «краюшкой хлеба»


@dataclass(frozen=True)
class Riddle:
    question: str
    answer: str


@dataclass(frozen=True)
class Pack:
    """One genre's cast, places and moods, and the templates of the functions it tells its own way."""

    name: str  # the genre's ``story`` key, and the file's name
    donors: tuple[str, ...]
    helpers: tuple[str, ...]
    treasures: tuple[str, ...]  # none: the beloved is the treasure
    family: tuple[str, ...]
    quest: tuple[str, ...]
    food: tuple[Food, ...]
    moods: tuple[str, ...]
    lair_moods: tuple[str, ...]
    homes: tuple[Place, ...]
    far: tuple[Place, ...]
    villains: tuple[Villain, ...]
    objects: tuple[Thing, ...]
    templates: Mapping[str, tuple[str, ...]]  # function → templates, and the codas
    clues: tuple[str, ...] = ()  # none: the shared ones


@dataclass(frozen=True)
class Shared:
    """What every genre shares: the generic templates and the cast a genre may leave out."""

    fallback_heroes: tuple[str, ...]
    family: tuple[str, ...]
    clues: tuple[str, ...]
    beloved_for_hero: tuple[str, ...]
    beloved_for_heroine: tuple[str, ...]
    # function (or plan, details, done) → what the progress bar says: Russian in every language, the site's
    # message ids, which the page shows in its reader's language (tales/i18n.py, catalog.py)
    progress: Mapping[str, str]
    riddles: tuple[Riddle, ...]
    templates: Mapping[str, tuple[str, ...]]  # function → templates; also episode and filler
    hero_in_every_case: Mapping[str, tuple[str, ...]]  # case → closing remarks naming the hero in it


def read(name: str, language: str = REFERENCE) -> dict[str, Any]:
    """The raw content of ``data/<name>.toml`` in ``language``."""
    with open(path(name, language), "rb") as f:
        return tomllib.load(f)


def _strings(table: Mapping[str, list[str]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({key: tuple(items) for key, items in table.items()})


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """Every key of a file, its lists as tuples: the tables the caller replaces, an unknown key stays and
    fails the dataclass."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}


@functools.cache
def shared(language: str = REFERENCE) -> Shared:
    data = read("shared", language)
    return Shared(**_fields(data) | {
        "progress": MappingProxyType(dict(read("shared")["progress"])),
        "riddles": tuple(Riddle(**row) for row in data["riddles"]),
        "templates": _strings(data["templates"]),
        "hero_in_every_case": _strings(data["hero_in_every_case"]),
    })


@functools.cache
def pack(name: str, language: str = REFERENCE) -> Pack:
    """The pack of the genre whose ``story`` key is ``name`` (``genres.get(genre).story``), in ``language``."""
    data = read(name, language)
    return Pack(name=name, **_fields(data) | {
        "food": tuple(Food(**row) for row in data["food"]),
        "homes": tuple(Place(**row) for row in data["homes"]),
        "far": tuple(Place(**row) for row in data["far"]),
        "villains": tuple(Villain(**row | {"lair": Place(**row["lair"])}) for row in data["villains"]),
        "objects": tuple(Thing(**row) for row in data["objects"]),
        "templates": _strings(data["templates"]),
    })
