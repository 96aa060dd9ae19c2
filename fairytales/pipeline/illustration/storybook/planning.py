"""Reading the scene: its lemmas pick the sky, the mood, the season, the places and the figures (the Plan);
the tale's hero comes from the title alone, so it looks the same in every scene. An English or Ukrainian
scene is read through ``words`` as the Russian lemmas the lexicon lists."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field, replace

from ... import english
from ...genres import Genre
from ...russian import morph
from .lexicon import LEXICON
from .looks import LOOKS, Look, natural_look
from .palette import Lit, hue_shift, light, shade
from .tables import RGB
from .words import as_lexicon_lemma, skipped, translations, words_of

MAIDEN, LAD = "девица", "молодец"  # a hero the lexicon does not know, by the noun's gender


@dataclass
class Hero:
    name: str  # the lemma from the title, e.g. "колобок"
    figure: str  # the figure key it is drawn as, e.g. "колобок", "девочка"
    look: Look  # colours and shape choices, from the title only
    motifs: list[str] = field(default_factory=list)  # magic objects the title names, shown in every scene
    places: list[str] = field(default_factory=list)  # places the title names («Теремок»), in every scene
    variant: str = ""  # which kind of the figure: "жар-птица", "горыныч"...


@dataclass
class Item:
    """A figure the scene names: its key, and the word that named it (which kind of the figure it is)."""

    key: str
    variant: str = ""
    hero: bool = False


@dataclass
class Plan:
    sky: str
    mood: str
    season: str
    places: list[str]
    place_lemmas: dict[str, str]  # place -> the word that named it (a lake, a castle, a hut on chicken legs)
    figures: list[Item]
    hero: Hero
    genre: Genre
    seed: int
    fire: bool = False
    space: bool = False
    recolour: dict[str, dict[str, str]] = field(default_factory=dict)  # the character sheet's (sheet.py)


def split_lemmas(text: str, language: str = "ru") -> list[str]:
    """Lemmas of the words (the lexicon's Russian ones for a text in another language); a hyphenated word
    also gives the lemmas of its parts («Царевна-лягушка»)."""
    out: list[str] = []
    for word in words_of(text, language):
        out.append(as_lexicon_lemma(word, language))
        if "-" in word:
            out.extend(as_lexicon_lemma(part, language) for part in word.split("-") if len(part) > 1)
    return out


def analyse(text: str, genre: Genre, hero: Hero, seed: int, language: str = "ru") -> Plan:
    words = split_lemmas(text, language)
    wordset = set(words)
    counts = {sky: sum(1 for w in words if w in LEXICON.sky_words[sky]) for sky in LEXICON.sky_order}
    sky = next((s for s in LEXICON.sky_order if counts[s]), "day")
    dark = sum(1 for w in words if w in LEXICON.dark)
    bright = sum(1 for w in words if w in LEXICON.bright)
    mood = "dark" if dark > bright else "bright" if bright > dark else "calm"
    if genre.slug == "horror" and mood == "calm":
        mood = "dark"
    season = "winter" if wordset & LEXICON.winter else "autumn" if wordset & LEXICON.autumn else "summer"

    places: list[str] = []
    place_lemmas: dict[str, str] = {}
    figures: list[Item] = [Item(key, key) for key in hero.motifs]
    seen_figures: set[str] = {hero.figure, *hero.motifs}
    baba_yaga = False
    for i, w in enumerate(words):
        if w == "баба" and i + 1 < len(words) and words[i + 1] == "яга":
            continue
        if w in LEXICON.figures:
            key = LEXICON.figures[w]
            if key == "корабль" and (genre.slug == "science_fiction" or w in LEXICON.rockets):
                key, variant = "корабль", "ракета"
            else:
                variant = w
            if key == "баба-яга":
                baba_yaga = True
            if key == "звезда" and "звезда" in seen_figures:
                continue
            if key not in seen_figures:
                seen_figures.add(key)
                figures.append(Item(key, variant))
        if w in LEXICON.places:
            place = LEXICON.places[w]
            if place not in place_lemmas:
                places.append(place)
                place_lemmas[place] = w
    for place in hero.places:
        if place not in place_lemmas:
            places.insert(0, place)
            place_lemmas[place] = place
    if wordset & LEXICON.kinds["gorynych"].words:  # «Змей Горыныч»: the dragon has three heads
        for item in figures:
            if item.key == "змей":
                item.variant = "горыныч"
    space = "космос" in places or (
        genre.slug == "science_fiction" and any(f.variant == "ракета" for f in figures)
    )
    if space and "космос" not in places:
        places.append("космос")
        place_lemmas["космос"] = "космос"
    ship = next((f for f in figures if f.key == "корабль"), None)
    if ship and ship.variant != "ракета" and "море" not in places and "река" not in places:
        places.append("море")
        place_lemmas["море"] = "корабль"
    if baba_yaga and "изба" not in places and len(places) < 3:
        places.append("изба")
        place_lemmas["изба"] = "избушка"
    if baba_yaga and "изба" in places:
        place_lemmas["изба"] = "курий"
    if "курий" in wordset and "изба" in places:
        place_lemmas["изба"] = "курий"
    if space:
        sky = "space"
    return Plan(
        sky=sky,
        mood=mood,
        season=season,
        places=places[:4],
        place_lemmas=place_lemmas,
        figures=figures[:7],
        hero=hero,
        genre=genre,
        seed=seed,
        fire=bool(wordset & LEXICON.fire),
        space=space,
    )


def _title_noun(word: str, word_lemma: str, language: str) -> tuple[bool, bool]:
    """(whether a title's word names someone, whether she is female). A Russian word, or one the lexicon's
    tables turned into a Russian lemma, is asked of the Russian dictionary; another Ukrainian word of the
    Ukrainian one; another English word names someone unless it is one of the words titles skip, and she is
    female when the English grammar's list says so («Rapunzel»)."""
    if language == "ru":
        parse = morph().parse(word.lower())[0]
    elif word.lower() in skipped(language):
        return False, False
    elif word_lemma in translations(language).values():
        parse = morph().parse(word_lemma)[0]
    elif language == "en":
        return True, english.gender_of(word) == "femn"
    else:
        from ...ukrainian import morph as ukrainian  # noqa: PLC0415 - its dictionary only when needed

        parse = ukrainian().parse(word.lower())[0]
    return parse.tag.POS == "NOUN", parse.tag.gender == "femn"


def hero_from_title(title: str, language: str = "ru") -> Hero:
    """The tale's hero: the first noun of the title, and a look taken from the title alone.

    A figure we know («Колобок», «Лиса») is drawn as itself; another noun becomes a girl or a lad by
    its gender.  A colour word («Красная Шапочка», «Серый волк») colours the hero.  Magic objects in
    the title («Молодильные яблоки») are not the hero but appear in every scene.
    """
    digest = hashlib.sha256(" ".join(title.lower().split()).encode("utf-8")).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    colour: RGB | None = None
    name = ""
    figure = ""
    female = False
    crowned = False
    motifs: list[str] = []
    places: list[str] = []
    for word in words_of(title, language):
        word_lemma = as_lexicon_lemma(word, language)
        if word_lemma in LEXICON.colours:
            colour = colour or LEXICON.colours[word_lemma]
            continue
        if word_lemma in LEXICON.places and word_lemma not in LEXICON.figures:
            if LEXICON.places[word_lemma] not in places:
                places.append(LEXICON.places[word_lemma])
            continue
        parts = [as_lexicon_lemma(part, language) for part in word.split("-") if len(part) > 1] \
            if "-" in word else []
        candidates = [word_lemma] + parts[::-1]
        known = next((LEXICON.figures[c] for c in candidates if c in LEXICON.figures), "")
        if known in LEXICON.things:
            if known not in motifs:
                motifs.append(known)
            continue
        if known:
            name, figure = word_lemma, known
            crowned = any(LEXICON.figures.get(part) in LEXICON.crowning for part in parts)
            break
        noun, is_female = _title_noun(word, word_lemma, language)
        if noun and word_lemma not in LEXICON.generic_nouns:
            name = word_lemma
            female = is_female
            break
    if not name:
        name = "герой"
    if not figure:
        figure = MAIDEN if female else LAD
    gorynych = LEXICON.kinds["gorynych"].words
    variant = next((w for w in split_lemmas(title, language) if w in gorynych), name) if figure == "змей" else name
    name = LEXICON.renames.get(name, name)

    main = colour or rng.choice(LOOKS.hero_main)
    second = rng.choice(LOOKS.hero_second)
    if figure in (MAIDEN, LAD) or figure in LOOKS.people:
        look = _person_look(figure, name, main, second, rng)
    else:
        look = _animal_look(figure, variant, colour, main, crowned, rng)
    return Hero(name=name, figure=figure, look=look, motifs=motifs, places=places, variant=variant)


def _person_look(figure: str, name: str, main: RGB, second: RGB, rng: random.Random) -> Look:
    if figure == MAIDEN:
        look = Look(female=True, hat=rng.choice(LOOKS.maiden_hats))
    elif figure == LAD:
        look = Look(female=False, hat=rng.choice(LOOKS.lad_hats))
    else:
        look = LOOKS.people[figure]
    if "шапочка" in name or "капюшон" in name:
        look = replace(look, hat="hood")
    hair = rng.choice(LOOKS.hair)  # drawn for every person, so the draws after it stay in step
    if figure in (MAIDEN, LAD):
        hair = rng.choice(LOOKS.hair)
    return replace(look, main=main, second=second, hair=look.hair if look.hair is not None else hair)


def _animal_look(
    figure: str, variant: str, colour: RGB | None, main: RGB, crowned: bool, rng: random.Random
) -> Look:
    look = natural_look(figure, variant)
    if look.fur is None:
        look = Look(fur=main, light=light(main, 0.6), dark=shade(main, 0.6))
    if colour is not None:
        look = replace(look, fur=colour, light=light(colour, 0.55), dark=shade(colour, 0.62))
    else:
        shift = rng.uniform(-4, 4) if figure == "колобок" else rng.uniform(-10, 10)
        shifted = {}
        for part in ("fur", "light", "dark"):
            own = getattr(look, part)
            new = hue_shift(own, shift, rng.uniform(0.95, 1.05))
            shifted[part] = Lit(new) if isinstance(own, Lit) else new
        look = replace(look, **shifted)
    accent = main if colour is None else rng.choice(LOOKS.hero_main)
    return replace(look, accent=accent, crown=crowned)


def hero_colours(hero: Hero) -> list[RGB]:
    """The colours the hero is painted in, the same in every scene (before the light and the palette)."""
    look = hero.look
    if look.main is not None:
        return [look.main, look.second]
    if hero.figure in LOOKS.accented:
        return [look.fur, look.accent]
    return [look.fur]
