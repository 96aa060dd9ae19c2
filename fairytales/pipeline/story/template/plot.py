"""The plot planner: from a title, a genre and a seed, the cast, the places and one template per function.

Everything random is decided here, before any text is written, so a plot can be compared and retold. The
seed's choices are kept as positions in the packs (an ``Outline``), so ``tell()`` gives the same plot in any
language whose packs mirror the Russian ones; the characters the title names are carried over by
``titles.py``.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from typing import Any

from ... import genres, russian
from . import titles
from .packs import REFERENCE, Place, grammar, pack, shared

FUNCTIONS = (  # the story grammar, one paragraph each
    "opening",
    "lack",
    "departure",
    "road",
    "donor",
    "gift",
    "arrival",
    "struggle",
    "victory",
    "return",
    "ending",
)


@functools.lru_cache(maxsize=4096)
def cast(spec: str, anim: bool = True, language: str = REFERENCE, gender: str | None = None) -> russian.NounPhrase:
    """A cast entry: «full name», «full name::short name», with «#N» when only the first N words inflect
    («Сердце Леса#1» → «Сердца Леса»). ``gender``: what a language without genders takes from the reference."""
    full, _, short = spec.partition("::")
    words = None
    if "#" in full:
        full, _, count = full.partition("#")
        words = int(count)
    return grammar(language).noun_phrase(full, gender=gender, anim=anim, short=short or None, inflected_words=words)


@dataclass(frozen=True)
class Role:
    """Who plays a role, in the plot's own terms: entry ``index`` of a pack's list ``field`` («villains»),
    or of the shared one (``source`` "shared"), or the title's noun phrase number ``index`` (``source``
    "title")."""

    source: str  # "pack", "shared" or "title"
    field: str
    index: int
    anim: bool = True


@dataclass(frozen=True)
class Outline:
    """Every choice the seed made, as positions in the packs: the plot before any language."""

    title: str
    genre: str  # the genre's name, as the seed reads it
    story: str  # its pack
    seed: Any
    roles: tuple[tuple[str, Role], ...]
    places: tuple[tuple[str, str, int], ...]  # (key, the pack's list, index)
    choices: tuple[tuple[str, int], ...]  # quest, object, food, riddle → index
    moods: tuple[int, ...]  # the order the road's moods are told in
    lair_moods: tuple[int, ...]
    templates: tuple[tuple[str, str, int], ...]  # (function, "pack" or "shared", index)
    coda: tuple[str, int]  # ("coda" or "coda_untitled", index)
    episodes: tuple[int, ...]
    fillers: tuple[int, ...]  # indices into the shared fillers followed by the genre's moods


@dataclass
class Plot:
    """Everything the seed decided, before any text is written."""

    title: str
    genre: str
    seed: Any
    roles: dict[str, russian.NounPhrase]
    places: dict[str, Place]
    values: dict[str, Any]  # str, or a list to take turns from
    templates: dict[str, str]  # function → template
    coda: str = ""  # the story's last words, after the ending
    episodes: list[str] = field(default_factory=list)
    fillers: list[str] = field(default_factory=list)
    language: str = REFERENCE
    outline: Outline | None = None  # what it was told from

    def signature(self) -> tuple:
        """What makes two plots different: the cast, the places and the templates."""
        cast_names = tuple(sorted((key, phrase.text) for key, phrase in self.roles.items()))
        place_names = tuple(sorted((key, place.name) for key, place in self.places.items()))
        return cast_names, place_names, tuple(sorted(self.templates.items())), self.coda


clean_title = titles.clean_title  # the title as the story may quote it


def _lemmas_of(phrase: russian.NounPhrase) -> set[str]:
    return {russian.lemma(part) for word in russian.WORD_RE.findall(phrase.text) for part in word.split("-")}


def _name(entry: Any) -> str:
    """The cast entry of a name, a villain or a magical object."""
    return entry if isinstance(entry, str) else entry.name


def plan(title: str, genre: str | None, seed: Any, language: str = REFERENCE) -> Plot:
    """Cast the characters, choose the places and one template per function: the whole plot, from the seed,
    told in ``language``."""
    return tell(sketch(title, genre, seed), language)


def sketch(title: str, genre: str | None, seed: Any) -> Outline:
    """The plot in its own terms. The choices are made among the Russian packs' entries (which the other
    languages mirror), with the title's characters in Russian, so every language gets the same plot."""
    told_as = genres.get(genre)
    content, common = pack(told_as.story), shared()
    rng = random.Random(f"{title}\x1f{told_as.name}\x1f{seed}")

    phrases = titles.phrases(title)
    hero_index = titles.hero_index(title)
    companion_index = treasure_index = None
    if hero_index is not None:
        after = hero_index + 1
        if after < len(phrases) and phrases[after].coordinated and phrases[after].anim:
            companion_index = after
    for index, phrase in enumerate(phrases):
        if not phrase.anim and not phrase.after_preposition and index != hero_index:
            treasure_index = index
            break

    roles: dict[str, Role] = {}
    if hero_index is None:
        roles["H"] = Role("shared", "fallback_heroes", rng.choice(range(len(common.fallback_heroes))))
        hero = cast(common.fallback_heroes[roles["H"].index])
    else:
        roles["H"] = Role("title", "", hero_index)
        hero = titles.character(title, hero_index, REFERENCE)
    taken = _lemmas_of(hero)
    if companion_index is not None:
        taken |= _lemmas_of(titles.character(title, companion_index, REFERENCE))

    def pick(source: str, name: str, entries: tuple, anim: bool = True) -> Role:
        """One of ``entries`` whose words are not the hero's («медведь» is not also the helper)."""
        options = [i for i, e in enumerate(entries) if not (_lemmas_of(cast(_name(e), anim)) & taken)]
        index = rng.choice(options or range(len(entries)))
        taken.update(_lemmas_of(cast(_name(entries[index]), anim)))
        return Role(source, name, index, anim)

    def own_or_shared(name: str, anim: bool = True) -> Role:
        entries = getattr(content, name)
        return pick("pack", name, entries, anim) if entries else pick("shared", name, getattr(common, name), anim)

    villain = pick("pack", "villains", content.villains)
    roles["V"] = villain
    roles["D"] = pick("pack", "donors", content.donors)
    roles["A"] = (Role("title", "", companion_index) if companion_index is not None
                  else pick("pack", "helpers", content.helpers))
    thing = pick("pack", "objects", content.objects, anim=False)
    roles["O"] = thing
    roles["F"] = own_or_shared("family")
    roles["C"] = own_or_shared("clues", anim=False)
    beloved = "beloved_for_heroine" if hero.gender == "femn" else "beloved_for_hero"
    roles["L"] = pick("shared", beloved, getattr(common, beloved))
    if treasure_index is not None:
        roles["T"] = Role("title", "", treasure_index, anim=False)
    elif content.treasures:
        roles["T"] = pick("pack", "treasures", content.treasures, anim=False)
    else:
        roles["T"] = roles["L"]

    places = (("HOME", "homes", rng.choice(range(len(content.homes)))),
              ("FAR", "far", rng.choice(range(len(content.far)))),
              ("LAIR", "villains", villain.index))
    food = rng.choice(range(len(content.food)))
    riddle = rng.choice(range(len(common.riddles)))
    quest = rng.choice(range(len(content.quest)))
    choices = (("quest", quest), ("object", thing.index), ("food", food), ("riddle", riddle))
    moods = tuple(rng.sample(range(len(content.moods)), len(content.moods)))
    lair_moods = tuple(rng.sample(range(len(content.lair_moods)), len(content.lair_moods)))

    own = content.templates  # the functions a genre does not tell its own way, it tells the shared way
    templates = []
    for function in FUNCTIONS:
        source = "pack" if own.get(function) else "shared"
        entries = own[function] if source == "pack" else common.templates[function]
        templates.append((function, source, rng.choice(range(len(entries)))))
    coda_kind = "coda" if clean_title(title) else "coda_untitled"
    coda = (coda_kind, rng.choice(range(len(own[coda_kind]))))
    episodes = tuple(rng.sample(range(len(common.templates["episode"])), len(common.templates["episode"])))
    filler_count = len(common.templates["filler"]) + len(content.moods)
    fillers = tuple(rng.sample(range(filler_count), filler_count))
    return Outline(title, told_as.name, told_as.story, seed, tuple(roles.items()), places, choices, moods,
                   lair_moods, tuple(templates), coda, episodes, fillers)


def tell(outline: Outline, language: str = REFERENCE) -> Plot:
    """The plot of ``outline`` in ``language``: its packs' entries at the outline's positions."""
    content, common = pack(outline.story, language), shared(language)
    reference = None if language == REFERENCE else tell(outline, REFERENCE)
    roles_by_key = dict(outline.roles)
    genderless = not getattr(grammar(language), "HAS_GENDER", True)

    def phrase(key: str, role: Role) -> russian.NounPhrase:
        if role.source == "title":
            return titles.character(outline.title, role.index, language)
        entries = getattr(content if role.source == "pack" else common, role.field)
        gender = reference.roles[key].gender if genderless and reference is not None else None
        return cast(_name(entries[role.index]), role.anim, language, gender)

    roles = {key: phrase(key, role) for key, role in outline.roles}
    places = {key: (content.villains[index].lair if name == "villains" else getattr(content, name)[index])
              for key, name, index in outline.places}
    choices = dict(outline.choices)
    food = content.food[choices["food"]]
    riddle = common.riddles[choices["riddle"]]
    values: dict[str, Any] = {
        "title": titles.title_in(outline.title, language),
        "quest": content.quest[choices["quest"]],
        "power": content.objects[roles_by_key["O"].index].power,
        "food": food.accs,
        "food_ablt": food.ablt,
        "riddle": riddle.question,
        "answer": riddle.answer,
        "mood": [content.moods[i] for i in outline.moods],
        "lair_mood": [content.lair_moods[i] for i in outline.lair_moods],
    }
    templates = {function: (content.templates[function] if source == "pack" else common.templates[function])[index]
                 for function, source, index in outline.templates}
    coda = content.templates[outline.coda[0]][outline.coda[1]]
    episodes = [common.templates["episode"][i] for i in outline.episodes]
    every_filler = list(common.templates["filler"]) + list(content.moods)
    fillers = [every_filler[i] for i in outline.fillers]
    return Plot(outline.title, outline.genre, outline.seed, roles, places, values, templates, coda, episodes,
                fillers, language, outline)
