"""The plot planner: from a title, a genre and a seed, the cast, the places and one template per function.

Everything random is decided here, before any text is written, so a plot can be compared and retold.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass, field
from typing import Any

from ... import genres, russian
from .packs import Place, pack, shared

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
def cast(spec: str, anim: bool = True) -> russian.NounPhrase:
    """A cast entry: «full name», «full name::short name», with «#N» when only the first N words inflect
    («Сердце Леса#1» → «Сердца Леса»)."""
    full, _, short = spec.partition("::")
    words = None
    if "#" in full:
        full, _, count = full.partition("#")
        words = int(count)
    return russian.noun_phrase(full, anim=anim, short=short or None, inflected_words=words)


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

    def signature(self) -> tuple:
        """What makes two plots different: the cast, the places and the templates."""
        cast_names = tuple(sorted((key, phrase.text) for key, phrase in self.roles.items()))
        place_names = tuple(sorted((key, place.name) for key, place in self.places.items()))
        return cast_names, place_names, tuple(sorted(self.templates.items())), self.coda


_TITLE_KEEP = re.compile(r"[^\w\s\-,.!?:;'()…]", re.UNICODE)


def clean_title(title: str | None) -> str:
    """The title as it may be quoted in the story: no emoji, braces or quotes, one line, not too long."""
    text = _TITLE_KEEP.sub(" ", str(title or ""))
    text = text.replace("_", " ")
    text = " ".join(text.split()).strip(" -,:;")
    if len(text) > 80:
        text = text[:80].rsplit(" ", 1)[0].rstrip(" -,:;")
    return text if any(ch.isalpha() for ch in text) else ""


def _lemmas_of(phrase: russian.NounPhrase) -> set[str]:
    return {russian.lemma(part) for word in russian.WORD_RE.findall(phrase.text) for part in word.split("-")}


def _name(entry: Any) -> str:
    """The cast entry of a name, a villain or a magical object."""
    return entry if isinstance(entry, str) else entry.name


def plan(title: str, genre: str | None, seed: Any) -> Plot:
    """Cast the characters, choose the places and one template per function: the whole plot, from the seed."""
    told_as = genres.get(genre)
    content, common = pack(told_as.story), shared()
    rng = random.Random(f"{title}\x1f{told_as.name}\x1f{seed}")

    phrases = russian.title_nouns(title)
    hero = russian.hero_from_title(title)
    companion = None
    treasure = None
    if hero is not None:
        index = phrases.index(hero)
        if index + 1 < len(phrases) and phrases[index + 1].coordinated and phrases[index + 1].anim:
            companion = phrases[index + 1]
    for phrase in phrases:
        if not phrase.anim and not phrase.after_preposition and phrase is not hero:
            treasure = phrase
            break
    if hero is None:
        hero = cast(rng.choice(common.fallback_heroes))
    taken = _lemmas_of(hero) | (_lemmas_of(companion) if companion else set())

    def pick(entries: tuple, anim: bool = True):
        """One of ``entries`` whose words are not the hero's («медведь» is not also the helper)."""
        options = [e for e in entries if not (_lemmas_of(cast(_name(e), anim)) & taken)] or list(entries)
        choice = rng.choice(options)
        taken.update(_lemmas_of(cast(_name(choice), anim)))
        return choice

    villain = pick(content.villains)
    roles: dict[str, russian.NounPhrase] = {"H": hero, "V": cast(villain.name)}
    roles["D"] = cast(pick(content.donors))
    roles["A"] = companion if companion is not None else cast(pick(content.helpers))
    thing = pick(content.objects, anim=False)
    roles["O"] = cast(thing.name, anim=False)
    roles["F"] = cast(pick(content.family or common.family))
    roles["C"] = cast(pick(content.clues or common.clues, anim=False), anim=False)
    beloved = common.beloved_for_heroine if hero.gender == "femn" else common.beloved_for_hero
    roles["L"] = cast(pick(beloved))
    if treasure is not None:
        roles["T"] = treasure
    elif content.treasures:
        roles["T"] = cast(pick(content.treasures, anim=False), anim=False)
    else:
        roles["T"] = roles["L"]

    places = {"HOME": rng.choice(content.homes), "FAR": rng.choice(content.far), "LAIR": villain.lair}
    food = rng.choice(content.food)
    riddle = rng.choice(common.riddles)
    values: dict[str, Any] = {
        "title": clean_title(title),
        "quest": rng.choice(content.quest),
        "power": thing.power,
        "food": food.accs,
        "food_ablt": food.ablt,
        "riddle": riddle.question,
        "answer": riddle.answer,
        "mood": rng.sample(content.moods, len(content.moods)),
        "lair_mood": rng.sample(content.lair_moods, len(content.lair_moods)),
    }

    own = content.templates  # the functions a genre does not tell its own way, it tells the shared way
    templates = {function: rng.choice(own.get(function) or common.templates[function])
                 for function in FUNCTIONS}
    coda = rng.choice(own["coda"] if values["title"] else own["coda_untitled"])
    episodes = rng.sample(common.templates["episode"], len(common.templates["episode"]))
    fillers = common.templates["filler"] + content.moods
    return Plot(title, told_as.name, seed, roles, places, values, templates, coda, episodes,
                rng.sample(fillers, len(fillers)))
