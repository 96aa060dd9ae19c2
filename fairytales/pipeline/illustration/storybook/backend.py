"""Offline illustration: a storybook picture drawn with Pillow from the scene's words, no model.

The scene's prompt and text are read by lemma (so «волка», «волку» and «волком» all bring the
wolf); what they name picks the sky (night, dawn, sunset, storm, day), the places (forest, sea,
hut, palace...) and the figures (animals, people, magic objects).  The tale's hero comes from its
title and looks the same in every scene: its colours are derived from the title alone.  The
genre picks the palette.  Placement varies with the seed; the same inputs give the same bytes.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ...backend import OptionError
from ...russian import WORD_RE, lemma, morph
from ...types import ProgressCallback, Scene, no_progress
from .. import HEIGHT, WIDTH, IllustrationContext, Illustrator

W, H = WIDTH, HEIGHT
SS = 2  # everything is drawn at twice the size, then reduced: smooth edges
STYLES = ("storybook", "flat")

RGB = tuple[int, int, int]

# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------

SKY_WORDS: dict[str, tuple[str, ...]] = {
    "storm": ("гроза", "буря", "гром", "молния", "ливень", "ураган", "шторм", "непогода", "туча"),
    "night": (
        "ночь", "ночью", "ночной", "луна", "лунный", "месяц", "звезда", "звездный", "полночь",
        "тьма", "темнота", "полуночный", "звездочка",
    ),
    "sunset": ("вечер", "вечером", "вечерний", "закат", "сумерки", "смеркаться", "вечереть"),
    "dawn": ("утро", "утром", "утренний", "рассвет", "заря", "восход", "рассветать", "светать", "зорька"),
}
SKY_PRIORITY = ("storm", "night", "sunset", "dawn")

DARK_MOOD = (
    "страшный", "страх", "мрачный", "темный", "жуткий", "ужас", "зловещий", "печальный", "грустный",
    "горе", "плакать", "слеза", "беда", "бояться", "тоска", "погибнуть", "смерть",
)
BRIGHT_MOOD = (
    "радость", "радостный", "веселый", "солнце", "солнышко", "праздник", "счастливый", "смех",
    "ясный", "смеяться", "радоваться", "счастье", "пир", "свадьба",
)
WINTER = (
    "зима", "зимний", "снег", "снежный", "мороз", "сугроб", "вьюга", "метель", "снежинка", "лед", "морозко"
)
AUTUMN = ("осень", "осенний", "листопад")
FIRE = ("огонь", "пламя", "огненный", "пламенный", "жечь", "гореть")

PLACE_WORDS: dict[str, str] = {
    "лес": "лес", "роща": "лес", "чаща": "лес", "бор": "лес", "лесной": "лес", "ельник": "лес",
    "тайга": "лес", "дубрава": "лес",
    "море": "море", "океан": "море", "морской": "море", "волна": "море", "остров": "море",
    "пристань": "море", "залив": "море",
    "поле": "поле", "луг": "поле", "степь": "поле", "поляна": "поле", "полянка": "поле",
    "нива": "поле", "пшеница": "поле", "рожь": "поле",
    "гора": "горы", "горы": "горы", "скала": "горы", "утес": "горы", "вершина": "горы", "горный": "горы",
    "изба": "изба", "избушка": "изба", "дом": "изба", "домик": "изба", "хижина": "изба", "хата": "изба",
    "теремок": "изба", "избенка": "изба", "лачуга": "изба", "землянка": "изба",
    "дворец": "дворец", "замок": "дворец", "терем": "дворец", "палата": "дворец", "крепость": "дворец",
    "царство": "дворец", "башня": "дворец", "хоромы": "дворец", "чертог": "дворец",
    "болото": "болото", "топь": "болото", "трясина": "болото", "болотный": "болото", "тина": "болото",
    "пещера": "пещера", "грот": "пещера", "логово": "пещера", "подземелье": "пещера", "нора": "пещера",
    "река": "река", "речка": "река", "озеро": "река", "пруд": "река", "ручей": "река", "речной": "река",
    "ручеек": "река", "омут": "река", "колодец": "река",
    "деревня": "деревня", "село": "деревня", "деревенька": "деревня", "селение": "деревня",
    "сад": "сад", "огород": "сад", "садик": "сад",
    "город": "город", "столица": "город", "улица": "город", "площадь": "город", "град": "город",
    "космос": "космос", "планета": "космос", "звездолет": "космос", "ракета": "космос",
    "галактика": "космос", "орбита": "космос", "космический": "космос", "астероид": "космос",
}
# which lemmas are lakes, castles...: drawn differently under one place name
LAKE = ("озеро", "пруд", "омут", "колодец")
CASTLE = ("замок", "крепость", "башня")

FIGURE_WORDS: dict[str, str] = {
    "волк": "волк", "волчица": "волк", "волчок": "волк", "волчонок": "волк", "волчище": "волк",
    "лиса": "лиса", "лисица": "лиса", "лисичка": "лиса", "лис": "лиса", "лисонька": "лиса",
    "медведь": "медведь", "медведица": "медведь", "мишка": "медведь", "медвежонок": "медведь",
    "косолапый": "медведь", "топтыгин": "медведь",
    "заяц": "заяц", "зайчик": "заяц", "зайка": "заяц", "зайчишка": "заяц", "кролик": "заяц",
    "зайчонок": "заяц", "косой": "заяц",
    "кот": "кот", "кошка": "кот", "котик": "кот", "котенок": "кот", "котофей": "кот", "котейка": "кот",
    "петух": "петух", "петушок": "петух", "курица": "петух", "курочка": "петух", "цыпленок": "петух",
    "ворон": "ворон", "ворона": "ворон", "галка": "ворон", "грач": "ворон",
    "птица": "птица", "птичка": "птица", "сова": "птица", "гусь": "птица", "лебедь": "птица",
    "журавль": "птица", "сокол": "птица", "орел": "птица", "воробей": "птица", "соловей": "птица",
    "синица": "птица", "жар-птица": "птица", "сорока": "птица", "голубь": "птица", "утка": "птица",
    "гусь-лебедь": "птица", "ласточка": "птица", "цапля": "птица", "филин": "птица",
    "царевна": "царевна", "девица": "царевна", "принцесса": "царевна", "красавица": "царевна",
    "княжна": "царевна", "царица": "царевна", "королева": "царевна", "невеста": "царевна",
    "королевна": "царевна", "василиса": "царевна",
    "царь": "царь", "король": "царь", "князь": "царь", "султан": "царь", "государь": "царь",
    "царевич": "царевич", "принц": "царевич", "королевич": "царевич", "княжич": "царевич",
    "богатырь": "богатырь", "рыцарь": "богатырь", "воин": "богатырь", "витязь": "богатырь",
    "солдат": "богатырь", "дружинник": "богатырь",
    "баба-яга": "баба-яга", "яга": "баба-яга", "ведьма": "баба-яга", "колдунья": "баба-яга",
    "ягишна": "баба-яга",
    "колдун": "колдун", "волшебник": "колдун", "чародей": "колдун", "кощей": "колдун", "маг": "колдун",
    "чернокнижник": "колдун", "леший": "колдун",
    "змей": "змей", "змея": "змей", "дракон": "змей", "горыныч": "змей", "горынович": "змей",
    "змей-горыныч": "змей", "чудище": "змей", "чудовище": "змей",
    "конь": "конь", "лошадь": "конь", "лошадка": "конь", "жеребец": "конь", "кобыла": "конь",
    "конек": "конь", "жеребенок": "конь", "сивка-бурка": "конь", "конек-горбунок": "конь",
    "рыба": "рыба", "рыбка": "рыба", "щука": "рыба", "ерш": "рыба", "карась": "рыба", "окунь": "рыба",
    "лягушка": "лягушка", "жаба": "лягушка", "лягушонок": "лягушка", "квакушка": "лягушка",
    "робот": "робот", "андроид": "робот", "киборг": "робот", "автомат": "робот",
    "колобок": "колобок",
    "яблоко": "яблоко", "яблочко": "яблоко",
    "яблоня": "яблоня", "яблонька": "яблоня",
    "меч": "меч", "кладенец": "меч", "сабля": "меч", "клинок": "меч",
    "кольцо": "кольцо", "колечко": "кольцо", "перстень": "кольцо",
    "сундук": "сундук", "ларец": "сундук", "сундучок": "сундук", "шкатулка": "сундук", "клад": "сундук",
    "сокровище": "сундук", "ларчик": "сундук", "золото": "сундук",
    "звезда": "звезда", "звездочка": "звезда",
    "мышь": "мышь", "мышка": "мышь", "мышонок": "мышь", "норушка": "мышь", "крыса": "мышь",
    "еж": "еж", "ежик": "еж", "ежиха": "еж",
    "собака": "собака", "пес": "собака", "щенок": "собака", "жучка": "собака", "песик": "собака",
    "дед": "дед", "дедушка": "дед", "старик": "дед", "старичок": "дед", "дедка": "дед", "рыбак": "дед",
    "бабка": "бабка", "бабушка": "бабка", "старуха": "бабка", "старушка": "бабка",
    "мальчик": "мальчик", "парень": "мальчик", "сын": "мальчик", "дурак": "мальчик", "юноша": "мальчик",
    "молодец": "мальчик", "иванушка": "мальчик", "братец": "мальчик", "пастух": "мальчик",
    "мальчишка": "мальчик", "внук": "мальчик",
    "девочка": "девочка", "дочь": "девочка", "дочка": "девочка", "внучка": "девочка",
    "падчерица": "девочка", "сестрица": "девочка", "аленушка": "девочка", "снегурочка": "девочка",
    "машенька": "девочка", "маша": "девочка", "девчонка": "девочка",
    "корабль": "корабль", "лодка": "корабль", "ладья": "корабль", "парусник": "корабль",
    "челн": "корабль", "судно": "корабль", "звездолет": "корабль", "ракета": "корабль",
}
FIREBIRD = ("жар-птица",)
GORYNYCH = ("горыныч", "горынович", "змей-горыныч")
HEN = ("курица", "курочка", "цыпленок")

COLOUR_WORDS: dict[str, RGB] = {
    "красный": (214, 52, 50), "алый": (222, 40, 60), "синий": (52, 96, 200), "голубой": (96, 170, 230),
    "зеленый": (60, 160, 80), "желтый": (240, 200, 50), "золотой": (238, 184, 48),
    "серебряный": (196, 204, 216), "белый": (240, 240, 236), "черный": (52, 48, 56),
    "серый": (136, 140, 150), "рыжий": (226, 112, 40), "бурый": (130, 84, 50), "розовый": (240, 140, 170),
    "фиолетовый": (136, 80, 190), "лиловый": (160, 110, 200), "оранжевый": (240, 140, 40),
    "изумрудный": (30, 160, 120), "медный": (190, 110, 60), "хрустальный": (190, 230, 245),
    "огненный": (240, 96, 30), "снежный": (236, 244, 252), "ледяной": (180, 220, 245),
}

# ---------------------------------------------------------------------------------------------
# Colour helpers and the palette
# ---------------------------------------------------------------------------------------------


def clamp(v: float) -> int:
    return 0 if v < 0 else 255 if v > 255 else int(round(v))


def mix(a, b, t: float) -> RGB:
    return (clamp(a[0] + (b[0] - a[0]) * t), clamp(a[1] + (b[1] - a[1]) * t), clamp(a[2] + (b[2] - a[2]) * t))


def shade(c, f: float) -> RGB:
    return (clamp(c[0] * f), clamp(c[1] * f), clamp(c[2] * f))


def light(c, t: float) -> RGB:
    return mix(c, (255, 255, 255), t)


def hexc(c) -> str:
    return "#%02x%02x%02x" % tuple(c[:3])


def hue_shift(c, degrees: float, value: float = 1.0, sat: float = 1.0) -> RGB:
    h, s, v = colorsys.rgb_to_hsv(c[0] / 255, c[1] / 255, c[2] / 255)
    r, g, b = colorsys.hsv_to_rgb((h + degrees / 360) % 1.0, min(1.0, s * sat), min(1.0, v * value))
    return (clamp(r * 255), clamp(g * 255), clamp(b * 255))


class Lit(tuple):
    """A colour that gives light (moon, windows at night, magic): the time of day does not dim it."""


@dataclass(frozen=True)
class Grade:
    sat: float = 1.0
    mul: tuple[float, float, float] = (1.0, 1.0, 1.0)
    add: tuple[float, float, float] = (0.0, 0.0, 0.0)
    pastel: float = 0.0
    contrast: float = 1.0
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)  # a colour the light takes on...
    tint_amount: float = 0.0  # ...this much of it


GRADES: dict[str, Grade] = {
    "сказка": Grade(sat=1.08, mul=(1.04, 1.0, 0.92), add=(0.01, 0.005, 0.0)),
    "детская": Grade(sat=1.3, mul=(1.04, 1.05, 1.03), add=(0.02, 0.02, 0.02), pastel=0.12, contrast=0.97),
    "ужасы": Grade(
        sat=0.42, mul=(0.72, 0.86, 1.0), add=(0.0, 0.02, 0.05), contrast=1.12, tint=(0.5, 0.75, 0.85),
        tint_amount=0.2
    ),
    "фэнтези": Grade(sat=1.2, mul=(0.94, 0.94, 1.06), add=(0.03, 0.0, 0.05)),
    "приключения": Grade(sat=1.18, mul=(1.08, 0.99, 0.82), add=(0.02, 0.01, 0.0), contrast=1.05),
    "фантастика": Grade(
        sat=1.3, mul=(0.88, 0.92, 1.12), add=(0.05, 0.0, 0.08), contrast=1.08, tint=(0.7, 0.45, 1.25),
        tint_amount=0.3
    ),
    "магический реализм": Grade(sat=0.78, mul=(1.02, 1.0, 0.9), add=(0.05, 0.04, 0.02), contrast=0.92),
    "юмор": Grade(sat=1.35, mul=(1.03, 1.03, 0.98), contrast=1.04),
    "детектив": Grade(sat=0.3, mul=(1.0, 0.93, 0.8), add=(0.01, 0.0, 0.0), contrast=1.15),
    "романтика": Grade(
        sat=0.95, mul=(1.07, 0.9, 0.96), add=(0.07, 0.03, 0.04), pastel=0.08, tint=(1.3, 0.85, 0.95),
        tint_amount=0.15
    ),
}
DEFAULT_GENRE = "сказка"

# how the time of day lights the land and the figures: (multiplier, desaturation)
LIGHTS: dict[str, tuple[tuple[float, float, float], float, tuple[float, float, float], float]] = {
    "day": ((1.0, 1.0, 1.0), 0.0, (1.0, 1.0, 1.0), 0.0),
    "dawn": ((1.02, 0.9, 0.92), 0.05, (1.02, 0.96, 0.96), 0.0),
    "sunset": ((1.06, 0.78, 0.68), 0.1, (1.04, 0.9, 0.84), 0.0),
    "night": ((0.3, 0.36, 0.6), 0.35, (0.6, 0.64, 0.86), 0.15),
    "storm": ((0.55, 0.6, 0.66), 0.4, (0.76, 0.78, 0.84), 0.2),
    "space": ((0.78, 0.74, 0.95), 0.1, (0.96, 0.95, 1.02), 0.0),
}


def grade_array(a: np.ndarray, g: Grade) -> np.ndarray:
    """Apply a genre grade to an (..., 3) array of 0..1 floats."""
    lum = (a @ np.array([0.299, 0.587, 0.114]))[..., None]
    a = lum + (a - lum) * g.sat
    a = (a - 0.5) * g.contrast + 0.5
    a = a * np.array(g.mul) + np.array(g.add)
    if g.tint_amount:
        lum = (a @ np.array([0.299, 0.587, 0.114]))[..., None]
        a = a * (1 - g.tint_amount) + lum * np.array(g.tint) * g.tint_amount
    if g.pastel:
        a = a * (1 - g.pastel) + g.pastel
    return np.clip(a, 0.0, 1.0)


class Tone:
    """Turns the colours a drawing names into the colours it paints: lighting, then the genre's grade."""

    def __init__(self, genre: str, sky: str, mood: str):
        self.grade = GRADES.get(genre, GRADES[DEFAULT_GENRE])
        land_mul, land_desat, fig_mul, fig_desat = LIGHTS[sky]
        dim = 0.85 if mood == "dark" else 1.04 if mood == "bright" else 1.0
        self.land_light = (tuple(m * dim for m in land_mul), land_desat)
        self.fig_light = (tuple(fig_mul), fig_desat)  # the mood dims the land, never the figures' own colours
        self._cache: dict = {}
        self.haze: RGB = (200, 210, 220)

    def _apply(self, c, lighting) -> RGB:
        key = (tuple(c[:3]), lighting)
        got = self._cache.get(key)
        if got is None:
            a = np.array(c[:3], dtype=float) / 255.0
            if lighting is not None:
                mul, desat = lighting
                lum = float(a @ np.array([0.299, 0.587, 0.114]))
                a = (a + (lum - a) * desat) * np.array(mul)
            a = grade_array(a, self.grade)
            got = tuple(clamp(v * 255) for v in a)
            self._cache[key] = got
        return got

    def with_alpha(self, c, rgb):
        return rgb + (c[3],) if len(c) == 4 else rgb

    def land(self, c, haze: float = 0.0):
        if isinstance(c, Lit):
            return self.with_alpha(c, self._apply(c, None))
        rgb = self._apply(c, self.land_light)
        if haze:
            rgb = mix(rgb, self.haze, haze)
        return self.with_alpha(c, rgb)

    def fig(self, c):
        if isinstance(c, Lit):
            return self.with_alpha(c, self._apply(c, None))
        return self.with_alpha(c, self._apply(c, self.fig_light))

    def glow(self, c):
        return self.with_alpha(c, self._apply(c, None))

    def sky_array(self, a: np.ndarray) -> np.ndarray:
        return grade_array(a, self.grade)


# ---------------------------------------------------------------------------------------------
# What the scene names: the plan
# ---------------------------------------------------------------------------------------------


@dataclass
class Hero:
    name: str  # the lemma from the title, e.g. "колобок"
    figure: str  # the figure key it is drawn as, e.g. "колобок", "девочка"
    look: dict  # colours and shape choices, from the title only
    motifs: list[str] = field(default_factory=list)  # magic objects the title names, shown in every scene
    places: list[str] = field(default_factory=list)  # places the title names («Теремок»), in every scene
    variant: str = ""  # which kind of the figure: "жар-птица", "горыныч"...


@dataclass
class Item:
    key: str
    variant: str = ""
    hero: bool = False
    look: dict = field(default_factory=dict)


@dataclass
class Plan:
    sky: str
    mood: str
    season: str
    places: list[str]
    place_lemmas: dict[str, str]
    figures: list[Item]
    hero: Hero
    genre: str
    seed: int
    fire: bool = False
    space: bool = False


def split_lemmas(text: str) -> list[str]:
    """Lemmas of the words; a hyphenated word also gives the lemmas of its parts («Царевна-лягушка»)."""
    out: list[str] = []
    for word in WORD_RE.findall(text):
        whole = lemma(word)
        out.append(whole)
        if "-" in word:
            out.extend(lemma(part) for part in word.split("-") if len(part) > 1)
    return out


def analyse(text: str, genre: str, hero: Hero, seed: int) -> Plan:
    words = split_lemmas(text)
    wordset = set(words)
    counts = {sky: sum(1 for w in words if w in SKY_WORDS[sky]) for sky in SKY_PRIORITY}
    sky = next((s for s in SKY_PRIORITY if counts[s]), "day")
    dark = sum(1 for w in words if w in DARK_MOOD)
    bright = sum(1 for w in words if w in BRIGHT_MOOD)
    mood = "dark" if dark > bright else "bright" if bright > dark else "calm"
    if genre == "ужасы" and mood == "calm":
        mood = "dark"
    season = "winter" if wordset & set(WINTER) else "autumn" if wordset & set(AUTUMN) else "summer"

    places: list[str] = []
    place_lemmas: dict[str, str] = {}
    figures: list[Item] = [Item(key, key) for key in hero.motifs]
    seen_fig: set[str] = {hero.figure, *hero.motifs}
    baba_yaga = False
    for i, w in enumerate(words):
        if w == "баба" and i + 1 < len(words) and words[i + 1] == "яга":
            continue
        if w in FIGURE_WORDS:
            key = FIGURE_WORDS[w]
            if key == "корабль" and (genre == "фантастика" or w in ("звездолет", "ракета")):
                key, variant = "корабль", "ракета"
            else:
                variant = w
            if key == "баба-яга":
                baba_yaga = True
            if key == "звезда" and "звезда" in seen_fig:
                continue
            if key not in seen_fig:
                seen_fig.add(key)
                figures.append(Item(key, variant))
        if w in PLACE_WORDS:
            place = PLACE_WORDS[w]
            if place not in place_lemmas:
                places.append(place)
                place_lemmas[place] = w
    for place in hero.places:
        if place not in place_lemmas:
            places.insert(0, place)
            place_lemmas[place] = place
    if wordset & set(GORYNYCH):  # «Змей Горыныч»: the dragon has three heads
        for item in figures:
            if item.key == "змей":
                item.variant = "горыныч"
    space = "космос" in places or (genre == "фантастика" and any(f.variant == "ракета" for f in figures))
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
        fire=bool(wordset & set(FIRE)),
        space=space,
    )


# Natural colours of the figures (the hero's own look overrides them)
NATURAL: dict[str, dict] = {
    "волк": {"fur": (128, 134, 146), "light": (214, 214, 220), "dark": (78, 82, 96)},
    "лиса": {"fur": (230, 118, 38), "light": (252, 242, 228), "dark": (70, 44, 36)},
    "медведь": {"fur": (138, 88, 52), "light": (204, 158, 112), "dark": (84, 54, 34)},
    "собака": {"fur": (200, 146, 88), "light": (248, 236, 214), "dark": (110, 72, 44)},
    "конь": {"fur": (168, 106, 62), "light": (236, 220, 196), "dark": (70, 46, 34)},
    "заяц": {"fur": (196, 186, 170), "light": (250, 248, 242), "dark": (120, 110, 100)},
    "кот": {"fur": (236, 150, 70), "light": (252, 236, 210), "dark": (176, 92, 40)},
    "мышь": {"fur": (160, 160, 170), "light": (236, 232, 236), "dark": (110, 110, 120)},
    "еж": {"fur": (120, 92, 70), "light": (214, 180, 140), "dark": (70, 52, 40)},
    "петух": {"fur": (200, 80, 40), "light": (248, 200, 80), "dark": (40, 110, 80)},
    "ворон": {"fur": (48, 48, 62), "light": (90, 92, 110), "dark": (26, 26, 36)},
    "птица": {"fur": (90, 150, 220), "light": (250, 230, 120), "dark": (50, 90, 160)},
    "лягушка": {"fur": (96, 176, 70), "light": (206, 232, 140), "dark": (50, 110, 44)},
    "рыба": {"fur": (248, 170, 40), "light": (255, 226, 120), "dark": (214, 96, 30)},
    "колобок": {"fur": (242, 184, 70), "light": (255, 226, 150), "dark": (196, 124, 40)},
    "змей": {"fur": (70, 150, 84), "light": (214, 220, 130), "dark": (180, 50, 50)},
    "робот": {"fur": (170, 186, 206), "light": (230, 238, 248), "dark": (80, 96, 120)},
    "корабль": {"fur": (130, 76, 44), "light": (250, 246, 232), "dark": (100, 64, 40)},
}
PEOPLE: dict[str, dict] = {
    "царевна": {
        "female": True, "main": (200, 60, 80), "second": (250, 210, 90), "hair": (150, 90, 40),
        "hat": "kokoshnik"
    },
    "царь": {
        "female": False, "main": (190, 40, 50), "second": (250, 200, 60), "hair": (220, 220, 220),
        "hat": "crown", "beard": True, "cloak": True
    },
    "царевич": {
        "female": False, "main": (60, 110, 200), "second": (250, 200, 60), "hair": (170, 110, 50),
        "hat": "crown_small"
    },
    "богатырь": {
        "female": False, "main": (150, 160, 175), "second": (190, 40, 40), "hair": (140, 90, 40),
        "hat": "helmet", "beard": True, "shield": True
    },
    "баба-яга": {
        "female": True, "main": (90, 80, 110), "second": (120, 60, 60), "hair": (200, 200, 200),
        "hat": "scarf", "old": True, "nose": True, "broom": True
    },
    "колдун": {
        "female": False, "main": (60, 50, 120), "second": (240, 210, 90), "hair": (220, 220, 230),
        "hat": "wizard", "beard": True, "staff": True
    },
    "дед": {
        "female": False, "main": (220, 220, 200), "second": (180, 60, 50), "hair": (235, 235, 235),
        "hat": "none", "beard": True, "old": True
    },
    "бабка": {
        "female": True, "main": (110, 130, 170), "second": (200, 60, 70), "hair": (225, 225, 225),
        "hat": "scarf", "old": True
    },
    "мальчик": {
        "female": False, "main": (214, 60, 50), "second": (70, 80, 120), "hair": (200, 150, 70), "hat": "cap",
        "child": True
    },
    "девочка": {
        "female": True, "main": (70, 150, 220), "second": (250, 250, 250), "hair": (200, 150, 70),
        "hat": "none", "child": True
    },
}
PERSON_KEYS = tuple(PEOPLE)

HERO_MAIN = [
    (214, 52, 58), (46, 110, 200), (40, 150, 100), (150, 70, 180), (236, 140, 30),
    (30, 150, 170), (200, 70, 130), (110, 150, 40), (240, 190, 40), (90, 90, 200),
]
HERO_SECOND = [
    (250, 210, 80), (250, 250, 245), (120, 200, 240), (250, 160, 170), (150, 230, 150), (255, 240, 150)
]
HAIR = [(90, 56, 34), (200, 150, 70), (150, 80, 40), (60, 44, 40), (230, 196, 110), (196, 90, 40)]


GENERIC_NOUNS = (
    "сказка", "история", "приключение", "легенда", "рассказ", "повесть", "сказание", "быль", "басня",
    "путешествие", "тайна", "загадка", "хроника", "книга", "глава", "часть", "случай", "дело", "миф",
    "притча", "ночь", "день", "утро", "вечер", "год", "раз", "время", "жизнь", "мир", "страна",
)
NAME_FIX = {"змея": "змей"}  # «Змей» parses as the snake; the tale means the dragon
OBJECTS = ("яблоко", "яблоня", "меч", "кольцо", "сундук", "звезда")
ANIMAL_ACCENT = ("волк", "лиса", "медведь", "собака", "конь", "заяц", "кот", "мышь", "еж", "петух",
                 "лягушка", "робот", "птица", "ворон", "корабль")


def hero_from_title(title: str) -> Hero:
    """The tale's hero: the first noun of the title, and a look taken from the title alone.

    A figure we know («Колобок», «Лиса») is drawn as itself; another noun becomes a girl or a lad by
    its gender.  A colour word («Красная Шапочка», «Серый волк») colours the hero.  Magic objects in
    the title («Молодильные яблоки») are not the hero but appear in every scene.
    """
    digest = hashlib.sha256(" ".join(title.lower().split()).encode("utf-8")).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    words = WORD_RE.findall(title)
    colour: RGB | None = None
    name = ""
    figure = ""
    female = False
    crowned = False
    motifs: list[str] = []
    places: list[str] = []
    for word in words:
        lem = lemma(word)
        if lem in COLOUR_WORDS:
            colour = colour or COLOUR_WORDS[lem]
            continue
        if lem in PLACE_WORDS and lem not in FIGURE_WORDS:
            if PLACE_WORDS[lem] not in places:
                places.append(PLACE_WORDS[lem])
            continue
        parts = [lemma(p) for p in word.split("-") if len(p) > 1] if "-" in word else []
        candidates = [lem] + parts[::-1]
        known = next((FIGURE_WORDS[c] for c in candidates if c in FIGURE_WORDS), "")
        if known in OBJECTS:
            if known not in motifs:
                motifs.append(known)
            continue
        if known:
            name, figure = lem, known
            crowned = any(FIGURE_WORDS.get(c) in ("царевна", "царь", "царевич") for c in parts)
            break
        parse = morph().parse(word.lower())[0]
        if parse.tag.POS == "NOUN" and lem not in GENERIC_NOUNS:
            name = lem
            female = parse.tag.gender == "femn"
            break
    if not name:
        name = "герой"
    if not figure:
        figure = "девица" if female else "молодец"
    title_lemmas = split_lemmas(title)
    variant = next((w for w in title_lemmas if w in GORYNYCH), name) if figure == "змей" else name
    name = NAME_FIX.get(name, name)

    main = colour or rng.choice(HERO_MAIN)
    second = rng.choice(HERO_SECOND)
    look: dict = {}
    if figure in ("девица", "молодец") or figure in PEOPLE:
        base = dict(PEOPLE.get(figure, {}))
        if figure == "девица":
            base = {"female": True, "hat": rng.choice(["kokoshnik", "scarf", "none", "wreath"])}
        elif figure == "молодец":
            base = {"female": False, "hat": rng.choice(["cap", "none", "cap"])}
        if "шапочка" in name or "капюшон" in name:
            base["hat"] = "hood"
        base["main"] = main
        base["second"] = second
        base.setdefault("hair", rng.choice(HAIR))
        if figure in ("девица", "молодец"):
            base["hair"] = rng.choice(HAIR)
        look = base
    else:
        natural = natural_look(figure, variant) or {
            "fur": main, "light": light(main, 0.6), "dark": shade(main, 0.6)
        }
        if colour is not None:
            natural["fur"] = colour
            natural["light"] = light(colour, 0.55)
            natural["dark"] = shade(colour, 0.62)
        else:
            shift = rng.uniform(-4, 4) if figure == "колобок" else rng.uniform(-10, 10)
            for k in ("fur", "light", "dark"):
                shifted = hue_shift(natural[k], shift, rng.uniform(0.95, 1.05))
                natural[k] = Lit(shifted) if isinstance(natural[k], Lit) else shifted
        natural["accent"] = main if colour is None else rng.choice(HERO_MAIN)
        natural["crown"] = crowned
        look = natural
    look["hero"] = True
    return Hero(name=name, figure=figure, look=look, motifs=motifs, places=places, variant=variant)


def hero_colours(hero: Hero) -> list[RGB]:
    """The colours the hero is painted in, the same in every scene (before the light and the palette)."""
    lk = hero.look
    if "main" in lk:
        return [lk["main"], lk["second"]]
    if hero.figure in ANIMAL_ACCENT:
        return [lk["fur"], lk["accent"]]
    return [lk["fur"]]


# ---------------------------------------------------------------------------------------------
# Drawing a figure: a pen with its own units (origin at the feet, y negative upwards)
# ---------------------------------------------------------------------------------------------

INK = (52, 38, 44)
SKIN = (248, 214, 186)
CHEEK = (246, 160, 150)
WHITE = (255, 255, 255)
BLACK = (34, 28, 34)
GOLD = (244, 194, 60)


class Pen:
    def __init__(self, scale: float, facing: int, tone, half_w: float, top: float, bottom: float = 40):
        self.k = scale * SS
        self.f = facing
        self.tone = tone
        self.w = max(8, int(2 * half_w * self.k))
        self.h = max(8, int((top + bottom) * self.k))
        self.ox = self.w / 2
        self.oy = top * self.k
        self.img = Image.new("RGBA", (self.w, self.h), (0, 0, 0, 0))
        self.d = ImageDraw.Draw(self.img)

    def pt(self, x: float, y: float) -> tuple[float, float]:
        return (self.ox + self.f * x * self.k, self.oy + y * self.k)

    def col(self, c):
        return self.tone(c)

    def poly(self, pts, fill, ol=None, w: float = 2.0) -> None:
        xy = [self.pt(x, y) for x, y in pts]
        if ol is None:
            self.d.polygon(xy, fill=self.col(fill))
        else:
            self.d.polygon(xy, fill=self.col(fill), outline=self.col(ol), width=max(1, round(w * self.k)))

    def ell(self, cx, cy, rx, ry, fill, ang: float = 0.0, ol=None, w: float = 2.0) -> None:
        n = int(min(120, max(28, (rx + ry) * self.k / 2.5)))
        ca, sa = math.cos(math.radians(ang)), math.sin(math.radians(ang))
        pts = []
        for i in range(n):
            t = 2 * math.pi * i / n
            ex, ey = rx * math.cos(t), ry * math.sin(t)
            pts.append((cx + ex * ca - ey * sa, cy + ex * sa + ey * ca))
        self.poly(pts, fill, ol, w)

    def circ(self, cx, cy, r, fill, ol=None, w: float = 2.0) -> None:
        self.ell(cx, cy, r, r, fill, 0.0, ol, w)

    def line(self, pts, fill, w: float, caps: bool = True) -> None:
        xy = [self.pt(x, y) for x, y in pts]
        width = max(1, round(w * self.k))
        colour = self.col(fill)
        self.d.line(xy, fill=colour, width=width, joint="curve")
        if caps:
            r = width / 2
            for x, y in (xy[0], xy[-1]):
                self.d.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def eye(self, x, y, r) -> None:
        self.ell(x, y, r * 0.82, r, BLACK)
        self.circ(x + r * 0.28, y - r * 0.38, r * 0.36, WHITE)

    def sparkle(self, x, y, r, colour=Lit((255, 244, 170))) -> None:
        self.poly([(x, y - r), (x + r * 0.22, y - r * 0.22), (x + r, y), (x + r * 0.22, y + r * 0.22),
                   (x, y + r), (
                       x - r * 0.22, y + r * 0.22
                   ), (x - r, y), (x - r * 0.22, y - r * 0.22)], colour)

    def smile(self, x, y, r, colour=(150, 50, 50), w=2.4) -> None:
        pts = [
            (x + r * math.cos(t), y + r * 0.55 * math.sin(t)) for t in np.linspace(0.25, math.pi - 0.25, 8)
        ]
        self.line(pts, colour, w)


# --- animals ---------------------------------------------------------------------------------


QUAD = {
    "волк": dict(leg=46, rx=64, ry=30, head=29, snout=28, ear="point", ear_len=26, tail="down", leg_w=13),
    "лиса": dict(leg=38, rx=54, ry=25, head=26, snout=27, ear="point", ear_len=28, tail="up", leg_w=10),
    "медведь": dict(leg=36, rx=78, ry=48, head=37, snout=14, ear="round", ear_len=13, tail="stub", leg_w=24),
    "собака": dict(leg=40, rx=56, ry=27, head=28, snout=20, ear="floppy", ear_len=26, tail="thin", leg_w=12),
}


def draw_quadruped(p: Pen, lk: dict, key: str) -> None:
    q = QUAD[key]
    fur, lite, dark = lk["fur"], lk["light"], lk["dark"]
    far = shade(fur, 0.8)
    rx, ry, leg, lw = q["rx"], q["ry"], q["leg"], q["leg_w"]
    bx, by = -8.0, -(leg + ry * 0.8)
    # tail, behind everything
    if q["tail"] == "down":
        p.ell(bx - rx - 18, by + 10, 40, 15, fur, ang=-28)
        p.ell(bx - rx - 46, by + 24, 14, 10, lite, ang=-28)
    elif q["tail"] == "up":
        p.ell(bx - rx - 24, by - 14, 46, 18, fur, ang=28)
        p.ell(bx - rx - 58, by - 32, 16, 12, lite, ang=28)
    elif q["tail"] == "thin":
        p.line([(bx - rx + 8, by - 4), (bx - rx - 10, by - 18), (bx - rx - 16, by - 40)], fur, 8)
    else:
        p.circ(bx - rx + 4, by - 6, 11, fur)
    # far legs, then near legs
    legs = [(bx - rx * 0.45, True), (bx + rx * 0.72, True), (bx - rx * 0.62, False), (bx + rx * 0.5, False)]
    for x, is_far in legs:
        c = far if is_far else fur
        p.line([(x, by + ry * 0.3), (x, -lw * 0.45)], c, lw)
        sock = dark if key == "лиса" else shade(c, 0.82)
        p.ell(x + 3, -lw * 0.35, lw * 0.62, lw * 0.42, sock)
    p.ell(bx, by, rx, ry, fur)
    if key == "медведь":
        p.ell(bx + rx * 0.35, by + ry * 0.25, rx * 0.42, ry * 0.55, light(fur, 0.18))
    else:
        p.ell(bx + rx * 0.55, by + ry * 0.3, rx * 0.42, ry * 0.6, lite)
    if lk.get("accent") is not None:  # the hero's scarf
        hx0 = bx + rx * 0.82
        p.ell(hx0, by - ry * 0.45, 15, ry * 0.7, lk["accent"], ang=-20)
        p.poly(
            [(hx0 - 6, by - 4), (hx0 - 26, by + ry * 0.9), (hx0 - 12, by + ry * 0.95), (hx0 + 4, by)],
            lk["accent"]
        )
    r = q["head"]
    hx, hy = bx + rx * 0.92, by - ry * 0.85 - r * 0.35
    # ears
    if q["ear"] == "point":
        e = q["ear_len"]
        for dx, c in ((-0.55, shade(fur, 0.85)), (0.05, fur)):
            base_l, base_r = (hx + (dx - 0.32) * r, hy - 0.62 * r), (hx + (dx + 0.32) * r, hy - 0.78 * r)
            tip = (hx + dx * r - 2, hy - 0.8 * r - e)
            p.poly([base_l, tip, base_r], c)
            p.poly(
                [(base_l[0] + 5, base_l[1] - 2), (tip[0] + 1, tip[1] + 10), (base_r[0] - 5, base_r[1] - 1)],
                dark if key != "лиса" else (60, 40, 40)
            )
    elif q["ear"] == "round":
        for dx in (-0.6, 0.35):
            p.circ(hx + dx * r, hy - 0.78 * r, q["ear_len"], fur)
            p.circ(hx + dx * r, hy - 0.78 * r, q["ear_len"] * 0.55, lite)
    p.circ(hx, hy, r, fur)
    if key in ("волк", "лиса"):
        p.ell(hx - r * 0.1, hy + r * 0.45, r * 0.75, r * 0.45, lite)
    sl = q["snout"]
    p.ell(
        hx + r * 0.62 + sl * 0.3, hy + r * 0.22, r * 0.38 + sl * 0.55, r * 0.42,
        lite if key != "собака" else light(fur, 0.35)
    )
    p.circ(hx + r * 0.62 + sl * 0.85 + r * 0.2, hy + r * 0.05, max(5.0, r * 0.2), BLACK)
    p.line(
        [(hx + r * 0.62 + sl * 0.6, hy + r * 0.5), (hx + r * 0.62 + sl * 0.85, hy + r * 0.45)],
        shade(dark, 0.8), 2.2
    )
    if q["ear"] == "floppy":
        p.ell(hx - r * 0.45, hy - r * 0.05, r * 0.3, q["ear_len"] * 0.75, dark, ang=15)
    p.eye(hx + r * 0.32, hy - r * 0.18, max(4.5, r * 0.19))
    if key == "волк":
        p.line([(hx + r * 0.05, hy - r * 0.5), (hx + r * 0.5, hy - r * 0.36)], dark, 3)
    if key == "медведь":
        p.line([(hx + r * 0.95, hy + r * 0.55), (hx + r * 1.2, hy + r * 0.5)], dark, 2.2)


def draw_horse(p: Pen, lk: dict, key: str) -> None:
    fur, lite, dark = lk["fur"], lk["light"], lk["dark"]
    far = shade(fur, 0.8)
    # tail
    p.poly([(-66, -124), (-84, -112), (-100, -60), (-92, -40), (-80, -60), (-70, -100)], dark)
    for x, c in ((-40, far), (58, far), (-56, fur), (42, fur)):
        p.line([(x, -104), (x, -10)], c, 13)
        p.ell(x + 2, -6, 10, 7, dark)
    p.ell(0, -112, 72, 32, fur)
    p.ell(10, -100, 50, 16, light(fur, 0.12))
    if lk.get("accent") is not None or lk.get("saddle"):
        cloth = lk.get("accent") or (190, 40, 50)
        p.poly([(-24, -140), (26, -140), (30, -96), (-28, -96)], cloth)
        p.poly([(-28, -102), (30, -102), (30, -94), (-28, -94)], GOLD)
    p.line([(46, -124), (80, -188)], fur, 34)
    p.ell(100, -186, 34, 16, fur, ang=38)
    p.ell(118, -170, 14, 12, lite, ang=38)
    p.circ(122, -170, 3.5, BLACK)
    for dx in (0, 9):
        p.poly([(74 + dx, -206), (72 + dx, -230), (86 + dx, -210)], shade(fur, 0.9 if dx else 0.8))
    for i in range(7):
        t = i / 6
        p.ell(42 + 34 * t - 8, -128 - 76 * t, 11, 16, dark, ang=-30)
    p.eye(94, -196, 5.5)


def draw_sitter(p: Pen, lk: dict, key: str) -> None:
    """Hare, cat, mouse: sitting up, three-quarter view."""
    fur, lite, dark = lk["fur"], lk["light"], lk["dark"]
    size = {"заяц": 1.0, "кот": 0.92, "мышь": 0.62}[key]
    s = size
    # tail
    if key == "заяц":
        p.circ(-38 * s, -26 * s, 14 * s, lite)
    elif key == "кот":
        p.line(
            [
                (-26 * s, -18 * s), (-56 * s, -22 * s), (-72 * s, -50 * s), (-64 * s, -82 * s),
                (-52 * s, -88 * s)
            ],
            fur, 13 * s
        )
        p.circ(-52 * s, -88 * s, 7 * s, dark)
    else:
        p.line(
            [(-26 * s, -12 * s), (-60 * s, -8 * s), (-84 * s, -22 * s), (-96 * s, -10 * s)], (230, 160, 160),
            4
        )
    p.ell(0, -50 * s, 40 * s, 48 * s, fur)
    if key == "кот":
        for i in range(3):
            p.line([(-34 * s, (-64 + i * 14) * s), (-18 * s, (-60 + i * 14) * s)], dark, 5 * s)
    p.ell(6 * s, -42 * s, 25 * s, 32 * s, lite)
    for dx in (-18, 20):
        p.ell(dx * s, -7 * s, 17 * s, 9 * s, fur)
    for dx in (-4, 18):
        p.ell(dx * s, -34 * s, 8 * s, 11 * s, light(fur, 0.2))
    if lk.get("accent") is not None:
        p.ell(6 * s, -88 * s, 30 * s, 9 * s, lk["accent"])
        p.poly([(0, -88 * s), (-12 * s, -58 * s), (2 * s, -58 * s), (10 * s, -86 * s)], lk["accent"])
    hx, hy, r = 6 * s, -118 * s, 33 * s
    if key == "заяц":
        for dx, ang in ((-13, -10), (14, 12)):
            p.ell(hx + dx * s, hy - 52 * s, 11 * s, 38 * s, fur, ang=ang)
            p.ell(hx + dx * s, hy - 50 * s, 5.5 * s, 27 * s, (246, 176, 180), ang=ang)
    elif key == "кот":
        for dx in (-1, 1):
            b0 = (hx + dx * 30 * s, hy - 8 * s)
            tip = (hx + dx * 24 * s, hy - 50 * s)
            b1 = (hx + dx * 4 * s, hy - 26 * s)
            p.poly([b0, tip, b1], fur)
            p.poly(
                [
                    (b0[0] - dx * 6 * s, b0[1] - 8 * s), (tip[0], tip[1] + 12 * s),
                    (b1[0] + dx * 6 * s, b1[1] - 2 * s)
                ],
                (246, 176, 180)
            )
    else:
        for dx in (-26, 28):
            p.circ(hx + dx * s, hy - 26 * s, 19 * s, fur)
            p.circ(hx + dx * s, hy - 26 * s, 11 * s, (246, 176, 180))
    p.ell(hx, hy, r * 1.05, r * 0.92, fur)
    if key == "кот":
        p.line([(hx - 8 * s, hy - 28 * s), (hx - 6 * s, hy - 18 * s)], dark, 4 * s)
        p.line([(hx + 6 * s, hy - 28 * s), (hx + 5 * s, hy - 18 * s)], dark, 4 * s)
    p.ell(hx + 4 * s, hy + 12 * s, 17 * s, 12 * s, lite)
    p.eye(hx - 9 * s, hy - 4 * s, 6 * s)
    p.eye(hx + 15 * s, hy - 4 * s, 6 * s)
    p.ell(hx + 4 * s, hy + 6 * s, 5 * s, 3.6 * s, (226, 110, 120))
    p.circ(hx - 17 * s, hy + 10 * s, 4.5 * s, mix(fur, CHEEK, 0.6))
    p.circ(hx + 25 * s, hy + 10 * s, 4.5 * s, mix(fur, CHEEK, 0.6))
    if key == "заяц":
        p.poly(
            [
                (hx + 1 * s, hy + 14 * s), (hx + 7 * s, hy + 14 * s), (hx + 7 * s, hy + 22 * s),
                (hx + 1 * s, hy + 22 * s)
            ],
            WHITE
        )
    else:
        for side in (-1, 1):
            for dy in (-2, 4):
                p.line(
                    [
                        (hx + 4 * s + side * 10 * s, hy + 10 * s),
                        (hx + 4 * s + side * 34 * s, hy + (10 + dy * 1.5) * s)
                    ],
                    shade(dark, 0.8), 1.4
                )


def draw_hedgehog(p: Pen, lk: dict, key: str) -> None:
    fur, lite, dark = lk["fur"], lk["light"], lk["dark"]
    pts = []
    for i in range(23):
        t = math.pi + math.pi * i / 22
        rr = 48 if i % 2 == 0 else 36
        pts.append((-6 + rr * math.cos(t), -22 + rr * 0.8 * math.sin(t)))
    pts += [(40, -14), (30, -2), (-46, -2)]
    p.poly(pts, dark)
    p.ell(-6, -22, 40, 22, fur)
    for dx in (-24, 14):
        p.ell(dx, -4, 10, 6, shade(lite, 0.8))
    p.ell(34, -18, 24, 15, lite, ang=8)
    p.circ(58, -16, 5.5, BLACK)
    p.eye(32, -26, 4.5)
    p.circ(26, -14, 4, mix(lite, CHEEK, 0.6))
    if lk.get("accent") is not None:
        p.circ(-8, -52, 12, lk["accent"])


def draw_rooster(p: Pen, lk: dict, key: str) -> None:
    body, lite, tail = lk["fur"], lk["light"], lk["dark"]
    hen = key == "hen"
    for dx in (-8, 10):
        p.line([(dx, -44), (dx, -6)], (236, 170, 40), 5)
        p.line([(dx - 8, -2), (dx, -6), (dx + 10, -2)], (236, 170, 40), 4)
    if not hen:
        for ang, c, ln in (
            (-70, tail, 48), (-50, (240, 150, 40), 50), (-28, shade(tail, 0.8), 46), (-8, (200, 60, 40), 38)
        ):
            a = math.radians(ang)
            p.ell(-34 - math.cos(a) * 14, -74 + math.sin(a) * 20, ln, 11, c, ang=ang + 180)
    else:
        p.ell(-34, -76, 18, 12, shade(body, 0.85), ang=-40)
    p.ell(0, -62, 40, 30, body)
    p.ell(-4, -62, 26, 16, shade(body, 0.8), ang=-10)
    p.ell(28, -92, 14, 22, lite)
    p.circ(32, -104, 17, lite)
    for dx, dy, r in ((24, -122, 7), (31, -126, 8), (39, -121, 7)):
        p.circ(dx, dy, r * (0.7 if hen else 1), (222, 40, 40))
    p.poly([(46, -108), (60, -102), (46, -97)], (250, 190, 40))
    p.ell(44, -90, 5, 8, (222, 40, 40))
    p.eye(37, -108, 4.5)
    if lk.get("accent") is not None:
        p.ell(20, -80, 16, 6, lk["accent"], ang=60)


def draw_bird(p: Pen, lk: dict, key: str) -> None:
    """A bird in flight; origin at its middle."""
    body, lite, dark = lk["fur"], lk["light"], lk["dark"]
    fire = key == "firebird"
    if fire:
        for i, c in enumerate(((250, 90, 30), (250, 180, 40), (240, 60, 40))):
            p.ell(-70 - i * 10, 6 + i * 10, 56, 9, Lit(c), ang=12 + i * 10)
    else:
        p.poly([(-28, -2), (-62, -14), (-66, 10), (-28, 6)], dark)
    p.poly(
        [(-2, -8), (-40, -62), (-4, -52), (18, -8)], shade(dark, 0.85) if not fire else Lit((250, 140, 40))
    )
    p.ell(0, 0, 36, 16, body, ang=-8)
    p.ell(6, 6, 22, 8, lite, ang=-8)
    p.poly([(-10, -6), (-18, -74), (16, -58), (24, -6)], dark if not fire else Lit((250, 200, 60)))
    if lk.get("accent") is not None:  # the hero's scarf
        p.poly([(20, -2), (-6, 18), (4, 22), (26, 6)], lk["accent"])
    p.circ(34, -10, 14, body)
    if lk.get("accent") is not None:
        p.ell(28, 0, 10, 6, lk["accent"], ang=-20)
    p.poly([(44, -14), (60, -8), (44, -4)], (240, 170, 40) if key != "ворон" else (60, 60, 70))
    p.eye(38, -13, 3.8)
    if fire:
        for i in range(3):
            p.circ(28 + i * 6, -28 - i * 3, 3.5, Lit((250, 200, 60)))


def draw_frog(p: Pen, lk: dict, key: str) -> None:
    fur, lite, dark = lk["fur"], lk["light"], lk["dark"]
    for dx in (-34, 34):
        p.ell(dx, -12, 20, 11, dark)
    p.ell(0, -28, 40, 26, fur)
    p.ell(0, -20, 26, 16, lite)
    for dx in (-16, 16):
        p.circ(dx, -52, 13, fur)
        p.circ(dx, -53, 9, WHITE)
        p.circ(dx + 2, -53, 5, BLACK)
    p.smile(0, -36, 18, shade(dark, 0.7), 2.4)
    for dx in (-14, 14):
        p.ell(dx, -4, 9, 5, fur)
    if lk.get("crown"):
        p.poly([(-12, -62), (-12, -78), (-6, -70), (0, -84), (6, -70), (12, -78), (12, -62)], GOLD)
        p.circ(0, -68, 3, (220, 40, 60))
    elif lk.get("accent") is not None:  # the hero's bow
        p.poly([(0, -62), (-16, -72), (-16, -54)], lk["accent"])
        p.poly([(0, -62), (16, -72), (16, -54)], lk["accent"])
        p.circ(0, -62, 5, shade(lk["accent"], 0.85))


def draw_fish(p: Pen, lk: dict, key: str) -> None:
    fur, lite, dark = lk["fur"], lk["light"], lk["dark"]
    water = (90, 160, 220)
    foam = (236, 248, 255)
    if lk.get("swim"):  # jumping out of the water: ripples and drops only
        p.ell(0, -4, 46, 9, light(water, 0.25))
        p.ell(0, -5, 30, 5, foam)
    else:  # a little pool of its own
        p.ell(0, -6, 56, 12, water)
        p.ell(0, -8, 40, 7, light(water, 0.4))
    for x, y, r in ((-40, -22, 5), (36, -26, 4), (-24, -36, 3.5), (48, -14, 3)):
        p.circ(x, y, r, foam)
    p.poly([(-26, -50), (-64, -76), (-54, -52), (-62, -28), (-28, -40)], dark)
    p.poly([(-18, -68), (-8, -90), (10, -74)], dark)
    p.ell(0, -58, 40, 21, fur, ang=-22)
    p.ell(6, -51, 26, 9, lite, ang=-22)
    p.poly([(0, -50), (-8, -36), (10, -44)], dark)
    for i in range(3):
        p.line([(-16 + i * 10, -62 + i * 4), (-12 + i * 10, -54 + i * 4)], shade(fur, 0.8), 2)
    p.eye(24, -70, 4.8)
    p.smile(32, -60, 5, shade(dark, 0.7), 1.8)
    if lk.get("accent") is not None:  # the hero fish wears a little crown
        p.poly([(14, -80), (14, -96), (20, -88), (26, -100), (32, -88), (38, -96), (38, -80)], GOLD)


def draw_kolobok(p: Pen, lk: dict, key: str) -> None:
    fur, lite, dark = lk["fur"], lk["light"], lk["dark"]
    r = 44
    p.circ(0, -r, r, dark)
    p.circ(-3, -r - 3, r - 3, fur)
    p.circ(-12, -r - 14, r * 0.55, mix(fur, lite, 0.5))
    p.circ(-18, -r - 22, r * 0.2, light(lite, 0.3))
    for x, y in ((-22, -16), (20, -70), (28, -24), (-30, -58)):
        p.circ(x, y, 2.2, shade(dark, 0.85))
    p.eye(-4, -r - 6, 6.5)
    p.eye(20, -r - 6, 6.5)
    p.circ(-14, -r + 8, 6, mix(fur, CHEEK, 0.7))
    p.circ(30, -r + 8, 6, mix(fur, CHEEK, 0.7))
    p.smile(8, -r + 6, 12, (160, 60, 40), 3)


def draw_dragon(p: Pen, lk: dict, key: str) -> None:
    """A flying dragon (Змей Горыныч has three heads); origin at its middle."""
    body, belly, wing = lk["fur"], lk["light"], lk["dark"]
    heads = 3 if key == "gorynych" else 1
    # far wing
    p.poly(
        [(-10, -20), (-70, -120), (-40, -100), (-20, -110), (0, -96), (22, -100), (30, -24)],
        shade(wing, 0.75)
    )
    # tail
    pts = [(-160 + 32 * i, 22 - 22 * math.sin(i * 0.9)) for i in range(6)]
    for i in range(5):
        p.line([pts[i], pts[i + 1]], body, 7 + i * 5)
    p.poly([(-160, 22), (-186, 8), (-180, 36)], wing)
    p.ell(0, 0, 64, 30, body, ang=-12)
    p.ell(4, 12, 48, 14, belly, ang=-12)
    for i in range(5):
        x = -50 + i * 22
        p.poly([(x - 7, -22 + i * -3), (x, -38 + i * -3), (x + 7, -24 + i * -3)], wing)
    for dx, dy in ((-24, 26), (22, 26)):
        p.line([(dx, dy - 6), (dx + 6, dy + 20)], body, 12)
        p.ell(dx + 9, dy + 22, 9, 5, shade(body, 0.7))
    # near wing
    p.poly([(-4, -16), (-40, -150), (-10, -122), (18, -138), (34, -110), (62, -118), (50, -30)], wing)
    p.line([(-4, -16), (-40, -150)], shade(wing, 0.7), 4)
    necks = [(0, 0)] if heads == 1 else [(0, -62), (34, -14), (6, 34)]
    for i, (dx, dy) in enumerate(necks):
        nx, ny = 96 + dx, -44 + dy
        p.line([(44, -12), (70, -28 + dy * 0.6), (nx, ny)], body, 22)
        p.ell(nx + 14, ny - 4, 26, 16, body, ang=-8)
        p.ell(nx + 34, ny + 2, 14, 8, belly, ang=-8)
        p.poly([(nx, ny - 14), (nx - 14, ny - 34), (nx + 8, ny - 18)], belly)
        p.circ(nx + 44, ny - 4, 2.5, BLACK)
        p.eye(nx + 16, ny - 8, 5)
        if lk.get("fire"):
            p.poly(
                [
                    (nx + 46, ny + 4), (nx + 100, ny - 8), (nx + 86, ny + 6), (nx + 112, ny + 16),
                    (nx + 84, ny + 18), (nx + 96, ny + 32), (nx + 46, ny + 12)
                ],
                Lit((250, 130, 30))
            )
            p.poly(
                [
                    (nx + 48, ny + 6), (nx + 84, ny + 4), (nx + 74, ny + 12), (nx + 88, ny + 22),
                    (nx + 48, ny + 11)
                ],
                Lit((255, 220, 90))
            )


def draw_robot(p: Pen, lk: dict, key: str) -> None:
    metal, lite, dark = lk["fur"], lk["light"], lk["dark"]
    for dx in (-18, 18):
        p.line([(dx, -70), (dx, -14)], dark, 16)
        p.ell(dx, -8, 16, 9, shade(dark, 0.8))
    p.poly([(-44, -152), (44, -152), (40, -70), (-40, -70)], metal)
    p.poly([(-28, -136), (28, -136), (26, -96), (-26, -96)], lite)
    for i, c in enumerate(((240, 80, 80), (80, 220, 120), (250, 200, 60))):
        p.circ(-14 + i * 14, -116, 5, Lit(c))
    for side in (-1, 1):
        p.line([(side * 46, -146), (side * 60, -112), (side * 58, -84)], dark, 11)
        p.circ(side * 58, -80, 9, metal)
    p.line([(0, -152), (0, -166)], dark, 10)
    p.poly([(-34, -214), (34, -214), (34, -166), (-34, -166)], metal)
    p.poly([(-26, -202), (26, -202), (26, -180), (-26, -180)], (40, 50, 70))
    for dx in (-12, 12):
        p.circ(dx, -191, 6, Lit((120, 240, 255)))
    p.line([(0, -214), (0, -236)], dark, 3)
    p.circ(0, -240, 6, Lit((250, 70, 70)))
    if lk.get("accent") is not None:
        p.poly([(-44, -152), (44, -152), (44, -142), (-44, -142)], lk["accent"])


# --- people ------------------------------------------------------------------------------------


def draw_person(p: Pen, lk: dict, key: str) -> None:
    female = lk.get("female", False)
    main, second = lk["main"], lk["second"]
    hair = lk.get("hair", (120, 80, 40))
    hat = lk.get("hat", "none")
    old = lk.get("old", False)
    yaga = key == "баба-яга"
    skin = lk.get("skin", SKIN if not yaga else (222, 204, 168))
    dark_main = shade(main, 0.72)
    accent2 = second if second != WHITE else dark_main
    # the head: hunched forward for Baba Yaga
    hx, hy = (16.0, -174.0) if yaga else (0.0, -186.0)
    # cloak / robe behind
    if lk.get("cloak"):
        p.poly([(-30, -150), (30, -150), (74, -6), (-74, -6)], shade(main, 0.78))
        p.poly([(-74, -6), (74, -6), (70, -18), (-70, -18)], WHITE)
        for i in range(6):
            p.circ(-58 + i * 23, -12, 2.4, BLACK)
    if hat == "kokoshnik":
        p.ell(hx, hy - 18, 44, 46, second)
        p.ell(hx, hy - 18, 38, 40, main)
        for i in range(7):
            a = math.pi + math.pi * (i + 0.5) / 7
            p.circ(hx + 40 * math.cos(a), hy - 18 + 42 * math.sin(a), 3.6, WHITE)
    if hat == "hood":
        p.ell(hx, hy + 4, 44, 46, main)
        p.poly([(hx - 40, hy + 10), (hx + 40, hy + 10), (46, -120), (-46, -120)], main)
    # hair behind the head
    if female and hat not in ("scarf", "hood"):
        p.ell(hx, hy + 4, 38, 40, hair)
        p.poly([(hx - 30, hy + 10), (hx + 30, hy + 10), (34, -138), (-34, -138)], hair)
    if yaga:
        for dx, dy in ((-30, 10), (-36, 26), (34, 22)):
            p.line([(hx + dx * 0.6, hy), (hx + dx, hy + dy)], hair, 4)
    # legs and boots
    boots = lk.get("boots", (110, 66, 40))
    if yaga:
        pass  # she stands in her mortar
    elif female:
        for dx in (-14, 14):
            p.ell(dx, -6, 14, 8, boots)
    else:
        trousers = lk.get("trousers", shade(second, 0.7) if second != WHITE else (70, 80, 120))
        for dx in (-13, 13):
            p.line([(dx, -72), (dx, -16)], trousers, 21)
            p.ell(dx + 3, -9, 15, 9, boots)
    # body
    if yaga:
        p.poly([(-26, -152), (26, -152), (44, -80), (-44, -80)], main)
        p.ell(-18, -118, 12, 10, shade(main, 0.8))
        p.ell(16, -128, 10, 8, second)
    elif female:
        p.poly([(-26, -152), (26, -152), (60, -12), (-60, -12)], main)
        p.poly([(-56, -30), (56, -30), (60, -12), (-60, -12)], second)
        for i in range(7):
            p.circ(-48 + i * 16, -21, 3.2, shade(second, 0.7) if second != WHITE else main)
        p.poly([(-27, -148), (27, -148), (29, -140), (-29, -140)], second)
        p.ell(0, -110, 21, 4, second)
    else:
        p.poly([(-30, -152), (30, -152), (40, -62), (-40, -62)], main)
        p.poly([(-38, -84), (38, -84), (39, -74), (-39, -74)], accent2)
        p.line([(0, -150), (0, -120)], dark_main, 2.5)
        if key == "богатырь":
            for row in range(3):
                for col in range(4):
                    p.circ(-21 + col * 14, -138 + row * 16, 5.5, shade(main, 0.85))
    if yaga:  # the mortar
        wood = (128, 104, 90)
        p.poly([(-58, -96), (58, -96), (42, -6), (-42, -6)], wood)
        p.ell(0, -96, 58, 11, shade(wood, 0.7))
        for y in (-74, -30):
            p.line([(-55 + (y + 96) * 0.16, y), (55 - (y + 96) * 0.16, y)], shade(wood, 0.8), 4)
        p.ell(0, -6, 44, 8, shade(wood, 0.85))
    # arms
    sleeve = main if key != "богатырь" else shade(main, 0.9)
    for side in (-1, 1):
        if yaga and side == 1:
            p.line([(26, -146), (46, -130), (58, -122)], sleeve, 15)
            p.circ(62, -120, 8, skin)
            continue
        p.line([(side * 26, -146), (side * 40, -116), (side * 42, -92)], sleeve, 15)
        p.circ(side * 42, -86, 8, skin)
    # accessories
    if lk.get("shield"):
        p.circ(-44, -104, 30, second)
        p.circ(-44, -104, 22, shade(second, 0.85))
        p.circ(-44, -104, 7, GOLD)
    if lk.get("sword") or key == "богатырь":
        p.line([(50, -92), (70, -196)], (214, 222, 232), 7, caps=False)
        p.line([(38, -94), (60, -90)], GOLD, 6)
        p.line([(48, -86), (46, -74)], (110, 70, 40), 6)
    if lk.get("staff"):
        p.line([(46, -10), (46, -224)], (120, 80, 50), 7)
        p.circ(46, -232, 11, Lit((120, 230, 255)))
        p.sparkle(46, -232, 22, Lit((220, 250, 255)))
    if lk.get("broom"):
        p.line([(70, -214), (54, -40)], (140, 100, 60), 6)
        p.poly([(48, -50), (30, 4), (80, 4), (62, -50)], (210, 180, 100))
        for dx in (-8, 4, 14):
            p.line([(55 + dx * 0.3, -44), (55 + dx, 0)], (170, 140, 70), 1.5)
        p.circ(62, -120, 8, skin)
    # neck and head
    p.poly([(hx * 0.5 - 8, hy + 26), (hx * 0.5 + 8, hy + 26), (8, -148), (-8, -148)], skin)
    if hat == "scarf":
        p.ell(hx, hy + 2, 40, 42, main if not yaga else second)
    p.circ(hx, hy, 32, skin)
    # hair on top
    if hat not in ("scarf", "helmet", "hood"):
        if female:
            p.ell(hx, hy - 18, 33, 19, hair)
            p.ell(hx + 12, hy - 16, 16, 12, hair)
            if hat == "none" and not old:
                for i in range(4):
                    p.ell(hx + 34 + (i % 2) * 2, hy + 20 + i * 18, 9, 11, hair)
                p.circ(hx + 34, hy + 92, 7, second)
        else:
            p.ell(hx, hy - 20, 33, 16, hair)
            for side in (-1, 1):
                p.ell(hx + side * 29, hy - 8, 7, 12, hair)
    # face
    ex = 11
    if yaga:
        p.eye(hx - ex + 4, hy - 1, 4.6)
        p.eye(hx + ex + 4, hy - 1, 4.6)
        p.line([(hx - 10, hy - 10), (hx + 0, hy - 6)], hair, 3)
        p.line([(hx + 10, hy - 6), (hx + 22, hy - 10)], hair, 3)
        p.poly([
            (hx + 10, hy - 2), (hx + 30, hy + 4), (hx + 48, hy + 20), (hx + 42, hy + 24), (hx + 24, hy + 18),
            (hx + 8, hy + 12)
        ],
               shade(skin, 0.94), ol=shade(skin, 0.62), w=1.6)
        p.circ(hx + 4, hy + 6, 3, shade(skin, 0.75))
        p.line([(hx - 4, hy + 22), (hx + 6, hy + 24), (hx + 16, hy + 22)], (110, 50, 50), 2.4)
        p.poly([(hx + 4, hy + 23), (hx + 9, hy + 23), (hx + 6, hy + 30)], WHITE)
        p.ell(hx + 2, hy + 32, 10, 6, skin)
    else:
        p.eye(hx - ex + 4, hy - 2, 4.8)
        p.eye(hx + ex + 4, hy - 2, 4.8)
        p.circ(hx - ex - 6, hy + 10, 5.5, mix(skin, CHEEK, 0.65))
        p.circ(hx + ex + 13, hy + 10, 5.5, mix(skin, CHEEK, 0.65))
        p.smile(hx + 4, hy + 12, 7.5, (170, 70, 70), 2.4)
    if old and not yaga:
        p.line([(hx - ex - 4, hy - 14), (hx - ex + 10, hy - 16)], hair, 3)
        p.line([(hx + ex - 2, hy - 16), (hx + ex + 12, hy - 14)], hair, 3)
    if lk.get("beard"):
        beard = hair
        beard_pts = [(hx - 28, hy + 4), (hx - 20, hy + 30), (hx - 8, hy + 56), (hx + 4, hy + 66),
                     (hx + 16, hy + 56), (hx + 28, hy + 30), (hx + 32, hy + 4), (hx + 20, hy + 18),
                     (hx - 12, hy + 18)]
        p.poly(beard_pts, beard)
        p.smile(hx + 4, hy + 14, 8, shade(beard, 0.75), 3)
    # hats
    if hat in ("crown", "crown_small"):
        big = hat == "crown"
        top = hy - (58 if big else 48)
        base = hy - 26
        p.poly(
            [
                (hx - 24, base), (hx - 26, top), (hx - 13, base - 14), (hx, top - 6), (hx + 13, base - 14),
                (hx + 26, top), (hx + 24, base)
            ],
            GOLD
        )
        p.poly(
            [(hx - 25, base), (hx + 25, base), (hx + 25, base - 7), (hx - 25, base - 7)], shade(GOLD, 0.85)
        )
        p.circ(hx, base - 14, 4.5, (220, 40, 60))
    elif hat == "kokoshnik":
        p.poly([(hx - 30, hy - 16), (hx + 30, hy - 16), (hx + 30, hy - 24), (hx - 30, hy - 24)], GOLD)
    elif hat == "helmet":
        steel = (196, 204, 216)
        p.ell(hx, hy - 22, 34, 24, steel)
        p.poly(
            [(hx - 35, hy - 22), (hx + 35, hy - 22), (hx + 35, hy - 12), (hx - 35, hy - 12)], (160, 168, 184)
        )
        p.poly([(hx - 10, hy - 42), (hx, hy - 80), (hx + 10, hy - 42)], steel)
        p.line([(hx + 4, hy - 12), (hx + 4, hy - 2)], (160, 168, 184), 5)
    elif hat == "wizard":
        p.poly([(hx - 42, hy - 18), (hx + 42, hy - 18), (hx + 10, hy - 108), (hx - 4, hy - 96)], main)
        p.ell(hx, hy - 18, 46, 9, dark_main)
        p.sparkle(hx - 4, hy - 56, 8, Lit((250, 220, 100)))
        p.sparkle(hx + 12, hy - 36, 5, Lit((250, 220, 100)))
    elif hat == "cap":
        p.ell(hx, hy - 22, 34, 16, accent2)
        p.ell(hx + 16, hy - 16, 24, 6, shade(accent2, 0.8))
    elif hat == "scarf":
        scarf = main if not yaga else second
        p.ell(hx, hy - 24, 36, 16, scarf)
        p.poly([(hx - 10, hy + 34), (hx + 10, hy + 34), (hx, hy + 48)], scarf)
        for i in range(4):
            p.circ(hx - 18 + i * 12, hy - 28, 3, light(scarf, 0.5))
    elif hat == "wreath":
        for i in range(9):
            a = math.pi + math.pi * i / 8
            c = ((240, 80, 90), (250, 220, 60), (250, 250, 250), (120, 170, 240))[i % 4]
            p.circ(hx + 33 * math.cos(a), hy - 8 + 26 * math.sin(a), 6.5, c)
    elif hat == "hood":
        p.ell(hx, hy - 22, 34, 18, main)


# --- objects -----------------------------------------------------------------------------------


def draw_apple(p: Pen, lk: dict, key: str) -> None:
    for x, r, c in ((-30, 16, (200, 40, 40)), (30, 15, (240, 190, 40)), (0, 22, (220, 40, 40))):
        y = -r
        p.circ(x, y, r, c)
        p.circ(x - r * 0.35, y - r * 0.35, r * 0.28, light(c, 0.55))
        p.line([(x, y - r), (x + 2, y - r - 8)], (100, 70, 40), 3)
        p.ell(x + 8, y - r - 6, 7, 3.5, (70, 160, 60), ang=-25)


def draw_apple_tree(p: Pen, lk: dict, key: str) -> None:
    trunk = (130, 86, 52)
    p.poly([(-14, 0), (14, 0), (8, -130), (-8, -130)], trunk)
    p.line([(0, -110), (-40, -160)], trunk, 9)
    p.line([(0, -120), (36, -168)], trunk, 9)
    leaf = (74, 150, 60)
    for x, y, r in (
        (-60, -170, 50), (60, -172, 50), (0, -210, 62), (-30, -236, 44), (34, -236, 44), (0, -160, 52)
    ):
        p.circ(x, y, r, leaf)
    for x, y, r in ((-40, -220, 26), (10, -240, 24), (-70, -180, 18), (30, -200, 22)):
        p.circ(x, y, r, light(leaf, 0.2))
    rng = random.Random(7)
    for _ in range(11):
        x, y = rng.uniform(-90, 90), rng.uniform(-260, -140)
        if (x / 100) ** 2 + ((y + 200) / 80) ** 2 < 1:
            p.circ(x, y, 8, (220, 40, 40))
            p.circ(x - 2.5, y - 2.5, 2.5, (255, 170, 160))


def draw_sword(p: Pen, lk: dict, key: str) -> None:
    stone = (150, 146, 150)
    p.poly([(-8, -50), (10, -178), (18, -176), (6, -48)], (220, 228, 238))
    p.line([(6, -60), (14, -170)], WHITE, 2)
    p.line([(-12, -180), (38, -174)], GOLD, 8)
    p.line([(15, -180), (18, -210)], (120, 70, 40), 8)
    p.circ(18, -214, 7, GOLD)
    p.poly([(-58, 0), (-50, -30), (-24, -52), (20, -56), (50, -36), (62, 0)], stone)
    p.poly([(-40, -8), (-30, -36), (-6, -46), (-16, -24)], light(stone, 0.2))
    p.sparkle(40, -180, 12)
    p.sparkle(-26, -140, 8)


def draw_ring(p: Pen, lk: dict, key: str) -> None:
    cushion = (180, 40, 60)
    p.ell(0, -18, 44, 18, cushion)
    p.ell(-4, -24, 28, 8, light(cushion, 0.25))
    for dx in (-44, 44):
        p.line([(dx, -16), (dx * 1.05, -2)], GOLD, 4)
    p.ell(0, -52, 22, 24, GOLD)
    p.ell(0, -52, 14, 16, (0, 0, 0, 0))  # the hole
    p.circ(0, -80, 9, Lit((80, 200, 255)))
    p.circ(-3, -83, 3, WHITE)
    p.sparkle(28, -86, 10)
    p.sparkle(-30, -66, 7)


def draw_chest(p: Pen, lk: dict, key: str) -> None:
    wood = (150, 90, 48)
    p.poly([(-54, -60), (54, -60), (54, 0), (-54, 0)], wood)
    p.ell(0, -60, 54, 26, shade(wood, 0.9))
    p.poly([(-54, -60), (54, -60), (54, -52), (-54, -52)], GOLD)
    for dx in (-36, 36):
        p.poly([(dx - 5, -84), (dx + 5, -84), (dx + 5, 0), (dx - 5, 0)], GOLD)
    p.poly([(-10, -50), (10, -50), (10, -28), (-10, -28)], GOLD)
    p.circ(0, -42, 3, BLACK)
    for x, y in ((64, -6), (76, -4), (70, -12), (-66, -5)):
        p.ell(x, y, 8, 4, Lit((250, 210, 80)))
    p.sparkle(44, -96, 10)


def draw_star(p: Pen, lk: dict, key: str) -> None:
    pts = []
    for i in range(10):
        r = 46 if i % 2 == 0 else 20
        a = -math.pi / 2 + math.pi * i / 5
        pts.append((r * math.cos(a), r * math.sin(a)))
    p.poly([(x * 1.12, y * 1.12) for x, y in pts], Lit((255, 200, 70)))
    p.poly(pts, Lit((255, 240, 150)))
    p.poly([(x * 0.5 - 4, y * 0.5 - 4) for x, y in pts], Lit((255, 252, 220)))


def draw_ship(p: Pen, lk: dict, key: str) -> None:
    hull = lk.get("fur", (130, 76, 44))
    stripe = lk.get("accent") or (214, 60, 50)
    p.line([(0, -40), (0, -220)], (100, 64, 40), 7)
    p.poly([(-70, -206), (66, -206), (80, -140), (76, -70), (-72, -70), (-60, -140)], (250, 246, 232))
    p.poly([(-70, -160), (78, -160), (78, -130), (-66, -130)], stripe)
    p.poly([(0, -222), (30, -230), (0, -238)], stripe)
    p.poly([(-118, -46), (118, -46), (92, 0), (-92, 0)], hull)
    p.poly([(-112, -38), (112, -38), (108, -30), (-108, -30)], GOLD)
    p.poly([(-118, -46), (-136, -64), (-110, -46)], hull)
    for x in (-60, -20, 20, 60):
        p.circ(x, -18, 6, (60, 40, 30))


def draw_rocket(p: Pen, lk: dict, key: str) -> None:
    p.poly([(-14, 0), (0, 44), (14, 0)], Lit((255, 170, 50)))
    p.poly([(-8, 0), (0, 26), (8, 0)], Lit((255, 240, 150)))
    p.poly([(-30, -30), (-52, 6), (-22, -6)], (214, 50, 60))
    p.poly([(30, -30), (52, 6), (22, -6)], (214, 50, 60))
    p.ell(0, -80, 32, 86, (236, 238, 246))
    p.poly([(-28, -118), (0, -176), (28, -118)], (214, 50, 60))
    p.circ(0, -96, 16, (70, 90, 130))
    p.circ(0, -96, 11, Lit((140, 220, 255)))
    p.poly([(-32, -10), (32, -10), (30, 0), (-30, 0)], (180, 184, 200))


@dataclass(frozen=True)
class Spec:
    draw: object
    width: float
    height: float
    where: str = "ground"  # ground, sky


SPECS: dict[str, Spec] = {
    "волк": Spec(draw_quadruped, 250, 170),
    "лиса": Spec(draw_quadruped, 230, 150),
    "медведь": Spec(draw_quadruped, 250, 200),
    "собака": Spec(draw_quadruped, 220, 150),
    "конь": Spec(draw_horse, 260, 240),
    "заяц": Spec(draw_sitter, 120, 230),
    "кот": Spec(draw_sitter, 150, 180),
    "мышь": Spec(draw_sitter, 110, 130),
    "еж": Spec(draw_hedgehog, 130, 80),
    "петух": Spec(draw_rooster, 130, 140),
    "ворон": Spec(draw_bird, 150, 120, "sky"),
    "птица": Spec(draw_bird, 150, 120, "sky"),
    "лягушка": Spec(draw_frog, 100, 90),
    "рыба": Spec(draw_fish, 130, 110),
    "колобок": Spec(draw_kolobok, 110, 100),
    "змей": Spec(draw_dragon, 360, 260, "sky"),
    "робот": Spec(draw_robot, 140, 250),
    "яблоко": Spec(draw_apple, 100, 70),
    "яблоня": Spec(draw_apple_tree, 200, 300),
    "меч": Spec(draw_sword, 130, 230),
    "кольцо": Spec(draw_ring, 100, 100),
    "сундук": Spec(draw_chest, 150, 110),
    "звезда": Spec(draw_star, 130, 130, "sky"),
    "корабль": Spec(draw_ship, 270, 260, "sea"),
    **{k: Spec(draw_person, 150, 250) for k in PERSON_KEYS},
    "девица": Spec(draw_person, 150, 250),
    "молодец": Spec(draw_person, 150, 250),
}
CHILD_SCALE = 0.8


def natural_look(key: str, variant: str) -> dict:
    """A figure's own colours: the wolf grey, the firebird golden, the swan white."""
    lk = dict(NATURAL.get(key, {}))
    if key == "птица" and variant in FIREBIRD:  # the firebird glows, even at night
        lk.update(fur=Lit((250, 160, 40)), light=Lit((255, 230, 120)), dark=Lit((230, 70, 30)))
    elif key == "птица" and variant in ("лебедь", "гусь", "гусь-лебедь"):
        lk.update(fur=(246, 246, 250), light=(255, 255, 255), dark=(200, 204, 220))
    elif key == "птица" and variant in ("сова", "филин"):
        lk.update(fur=(150, 110, 70), light=(220, 190, 140), dark=(100, 70, 44))
    elif key == "рыба" and variant == "щука":
        lk.update(fur=(110, 140, 80), light=(200, 210, 150), dark=(70, 90, 50))
    return lk


def look_for(item: Item, plan: Plan) -> dict:
    if item.hero:
        lk = dict(plan.hero.look)
    elif item.key in PEOPLE:
        lk = dict(PEOPLE[item.key])
    else:
        lk = natural_look(item.key, item.variant)
        lk["accent"] = None
    if item.key == "змей":
        lk["fire"] = plan.fire
    if item.key == "конь" and any(f.key == "богатырь" for f in plan.figures):
        lk["saddle"] = True
    return lk


def variant_key(item: Item) -> str:
    if item.key == "петух" and item.variant in HEN:
        return "hen"
    if item.key == "птица" and item.variant in FIREBIRD:
        return "firebird"
    if item.key == "змей" and item.variant in GORYNYCH:
        return "gorynych"
    return item.key


def render_figure(
    item: Item, plan: Plan, tone: Tone, scale: float, facing: int, style: str, swim: bool = False
) -> tuple[Image.Image, float, float]:
    """The figure on its own transparent layer; returns it and where its feet are on the layer."""
    spec = SPECS[item.key]
    lk = look_for(item, plan)
    lk["swim"] = swim
    if lk.get("child"):
        scale *= CHILD_SCALE
    half_w = spec.width / 2 + 70
    top = spec.height + 70
    bottom = 60 if spec.where != "ground" else 30
    if spec.where == "sky":
        top = spec.height * 0.75 + 40
        bottom = spec.height * 0.5 + 40
    pen = Pen(scale, facing, tone.fig, half_w, top, bottom)
    draw = spec.draw
    if item.key == "корабль" and item.variant == "ракета":
        draw = draw_rocket
    draw(pen, lk, variant_key(item))  # type: ignore[operator]
    img = pen.img
    if style == "storybook":
        img = outlined(img, tone.fig(INK), max(2.0, 3.2 * scale * SS))
    return img, pen.ox, pen.oy


def outlined(img: Image.Image, ink, width: float) -> Image.Image:
    alpha = img.getchannel("A")
    bbox = alpha.getbbox()
    if bbox is None:
        return img
    grown = alpha.filter(ImageFilter.GaussianBlur(width * 0.55))
    lut = [0 if v < 3 else min(255, (v - 3) * 40) for v in range(256)]
    mask = grown.point(lut)
    out = Image.new("RGBA", img.size, tuple(ink[:3]) + (255,))
    out.putalpha(mask)
    out.alpha_composite(img)
    return out


# ---------------------------------------------------------------------------------------------
# The landscape
# ---------------------------------------------------------------------------------------------


class Canvas:
    """The picture at SS times its size; coordinates are given in final pixels."""

    def __init__(self, tone: Tone, rng: random.Random):
        self.img = Image.new("RGB", (W * SS, H * SS), (0, 0, 0))
        self.d = ImageDraw.Draw(self.img, "RGBA")
        self.tone = tone
        self.rng = rng

    @staticmethod
    def P(x: float, y: float) -> tuple[float, float]:
        return (x * SS, y * SS)

    def poly(self, pts, fill) -> None:
        self.d.polygon([self.P(x, y) for x, y in pts], fill=fill)

    def ell(self, cx, cy, rx, ry, fill) -> None:
        self.d.ellipse(((cx - rx) * SS, (cy - ry) * SS, (cx + rx) * SS, (cy + ry) * SS), fill=fill)

    def line(self, pts, fill, w) -> None:
        self.d.line([self.P(x, y) for x, y in pts], fill=fill, width=max(1, round(w * SS)), joint="curve")

    def grad_poly(self, pts, top, bottom) -> None:
        """Fill a polygon with a vertical gradient from ``top`` to ``bottom`` (already toned)."""
        xs = [x * SS for x, _ in pts]
        ys = [y * SS for _, y in pts]
        x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
        x1, y1 = min(W * SS, int(max(xs)) + 2), min(H * SS, int(max(ys)) + 2)
        if x1 <= x0 or y1 <= y0:
            return
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(mask).polygon([(x - x0, y - y0) for x, y in zip(xs, ys)], fill=255)
        t = np.linspace(0.0, 1.0, y1 - y0)[:, None]
        col = np.array(top[:3], float) * (1 - t) + np.array(bottom[:3], float) * t
        strip = Image.fromarray(np.ascontiguousarray(col[:, None, :].round().astype(np.uint8)), "RGB")
        self.img.paste(strip.resize((x1 - x0, y1 - y0), Image.NEAREST), (x0, y0), mask)

    def layer(self, blur: float = 0.0, box: tuple[float, float, float, float] | None = None):
        return Overlay(self, blur, box)

    def paste(self, img: Image.Image, x: float, y: float, ox: float, oy: float) -> None:
        """Paste an RGBA layer so that its point (ox, oy) lands on (x, y) in final pixels."""
        self.img.paste(img, (round(x * SS - ox), round(y * SS - oy)), img)


class Overlay:
    """A transparent layer for soft or see-through things (mist, glow, clouds), blended in on exit.

    ``box`` (final pixels) limits it to where the drawing goes: much cheaper than the whole canvas.
    """

    def __init__(self, canvas: Canvas, blur: float, box: tuple[float, float, float, float] | None = None):
        self.canvas = canvas
        self.blur = blur
        pad = blur * 3 + 2
        if box is None:
            self.ox, self.oy = 0, 0
            size = canvas.img.size
        else:
            self.ox = max(0, int((box[0] - pad) * SS))
            self.oy = max(0, int((box[1] - pad) * SS))
            x1 = min(canvas.img.width, int((box[2] + pad) * SS) + 1)
            y1 = min(canvas.img.height, int((box[3] + pad) * SS) + 1)
            size = (max(1, x1 - self.ox), max(1, y1 - self.oy))
        self.img = Image.new("RGBA", size, (0, 0, 0, 0))
        self.d = ImageDraw.Draw(self.img)

    def __enter__(self) -> "Overlay":
        return self

    def __exit__(self, *exc) -> None:
        img = self.img
        bbox = img.getchannel("A").getbbox()
        if bbox is None:
            return
        pad = int(self.blur * SS * 3) + 2
        x0, y0 = max(0, bbox[0] - pad), max(0, bbox[1] - pad)
        x1, y1 = min(img.width, bbox[2] + pad), min(img.height, bbox[3] + pad)
        img = img.crop((x0, y0, x1, y1))
        if self.blur:
            img = img.filter(ImageFilter.GaussianBlur(self.blur * SS))
        self.canvas.img.paste(img, (x0 + self.ox, y0 + self.oy), img)

    def P(self, x: float, y: float) -> tuple[float, float]:
        return (x * SS - self.ox, y * SS - self.oy)

    def ell(self, cx, cy, rx, ry, fill) -> None:
        x0, y0 = self.P(cx - rx, cy - ry)
        x1, y1 = self.P(cx + rx, cy + ry)
        self.d.ellipse((x0, y0, x1, y1), fill=fill)

    def poly(self, pts, fill) -> None:
        self.d.polygon([self.P(x, y) for x, y in pts], fill=fill)

    def line(self, pts, fill, w) -> None:
        self.d.line([self.P(x, y) for x, y in pts], fill=fill, width=max(1, round(w * SS)))


SKIES: dict[str, tuple[RGB, RGB, RGB]] = {
    "day": ((86, 152, 222), (150, 200, 240), (226, 240, 246)),
    "dawn": ((104, 124, 196), (236, 168, 184), (255, 218, 166)),
    "sunset": ((62, 62, 140), (214, 106, 112), (255, 184, 92)),
    "night": ((8, 12, 38), (22, 32, 78), (52, 66, 122)),
    "storm": ((46, 50, 62), (82, 88, 100), (130, 134, 140)),
    "space": ((6, 4, 20), (22, 10, 48), (50, 22, 80)),
}

GRASS = {
    "summer": ((126, 184, 96), (98, 166, 70), (78, 140, 52)),
    "autumn": ((196, 170, 90), (176, 146, 64), (150, 118, 50)),
    "winter": ((226, 234, 246), (236, 242, 250), (214, 224, 240)),
}
FOLIAGE = {
    "summer": [(60, 130, 64), (74, 150, 70), (52, 112, 60)],
    "autumn": [(220, 130, 40), (200, 80, 40), (230, 180, 60)],
    "winter": [(60, 110, 80), (70, 120, 90), (54, 100, 76)],
}


@dataclass
class Layout:
    horizon: float  # where the far land meets the sky
    mid: float  # top of the middle ground
    front: float  # top of the foreground, where figures stand below
    sun: tuple[float, float]
    sides: dict = field(default_factory=dict)  # structure -> "left"/"right"/"back"


def wave_line(
    rng: random.Random, base: float, amp: float, x0: float = -40, x1: float = W + 40, step: float = 16
) -> list[tuple[float, float]]:
    waves = [(rng.uniform(0.6, 1.0) * amp, rng.uniform(300, 700), rng.uniform(0, 6.28)) for _ in range(3)]
    pts = []
    x = x0
    while x <= x1:
        y = base + sum(a * math.sin(2 * math.pi * x / per + ph) for a, per, ph in waves) / 2
        pts.append((x, y))
        x += step
    return pts


class Painter:
    def __init__(self, plan: Plan, style: str):
        self.plan = plan
        self.style = style
        self.rng = random.Random(plan.seed * 7919 + 17)
        self.nrng = np.random.default_rng(plan.seed & 0xFFFFFFFF)
        self.tone = Tone(plan.genre, plan.sky, plan.mood)
        self.c = Canvas(self.tone, self.rng)
        self.night = plan.sky in ("night", "storm", "space")
        self.water_spot: tuple[float, float] | None = None
        has = set(plan.places)
        horizon = H * (0.5 if "море" in has else 0.46 if "горы" in has else 0.52)
        sun_x = self.rng.choice([0.18, 0.3, 0.7, 0.82]) * W
        sun_y = {
            "day": 0.16, "dawn": 0.38, "sunset": 0.36, "night": 0.16, "storm": 0.12, "space": 0.22
        }[plan.sky] * H
        if plan.sky in ("dawn", "sunset"):
            sun_y = horizon - 24
        self.lay = Layout(horizon=horizon, mid=horizon + H * 0.1, front=H * 0.74, sun=(sun_x, sun_y))
        # structures on the sides, away from the sun's side where possible
        sides = ["left", "right"]
        self.rng.shuffle(sides)
        for place in ("изба", "пещера", "сад", "дворец", "деревня"):
            if place in has:
                if place in ("дворец", "деревня") and (
                    not sides or len([p for p in has if p in ("изба", "пещера", "сад")]) >= 1
                ):
                    self.lay.sides[place] = "back"
                elif sides:
                    self.lay.sides[place] = sides.pop(0)
                else:
                    self.lay.sides[place] = "back"

    # --- colours
    def land(self, c, haze: float = 0.0):
        return self.tone.land(c, haze)

    # --- the sky
    def sky(self) -> None:
        plan = self.plan
        top, mid, hor = SKIES[plan.sky]
        w0, h0 = 320, 180
        y = np.linspace(0.0, 1.0, h0)[:, None, None]
        hz = self.lay.horizon / H
        t1 = np.clip(y / (hz * 0.62), 0, 1)
        t2 = np.clip((y - hz * 0.62) / (hz * 0.38), 0, 1)
        a = np.array(top, float) / 255
        b = np.array(mid, float) / 255
        c = np.array(hor, float) / 255
        col = a * (1 - t1) + b * t1
        col = col * (1 - t2) + c * t2
        arr = np.repeat(col, w0, axis=1)
        xs = np.linspace(0, W, w0)[None, :]
        ys = np.linspace(0, H, h0)[:, None]
        sx, sy = self.lay.sun
        d = np.sqrt((xs - sx) ** 2 + (ys - sy) ** 2)
        glow_col = {
            "day": (1.0, 0.98, 0.86), "dawn": (1.0, 0.86, 0.7), "sunset": (1.0, 0.7, 0.4),
            "night": (0.55, 0.65, 0.9), "storm": (0.7, 0.72, 0.75), "space": (0.6, 0.3, 0.9),
        }[plan.sky]
        strength = {
            "day": 0.55, "dawn": 0.7, "sunset": 0.8, "night": 0.3, "storm": 0.15, "space": 0.25
        }[plan.sky]
        g = (np.exp(-((d / (H * 0.35)) ** 2)) * strength)[..., None]
        arr = arr * (1 - g) + np.array(glow_col) * g
        if plan.sky == "space":
            for _ in range(4):
                nx, ny = self.rng.uniform(0, W), self.rng.uniform(0, H * 0.6)
                rad = self.rng.uniform(120, 260)
                nc = np.array(
                    self.rng.choice([(0.8, 0.2, 0.7), (0.2, 0.6, 0.9), (0.5, 0.2, 0.9), (0.9, 0.4, 0.5)])
                )
                dd = np.sqrt((xs - nx) ** 2 + ((ys - ny) * 1.6) ** 2)
                gg = (np.exp(-((dd / rad) ** 2)) * 0.45)[..., None]
                arr = arr * (1 - gg) + nc * gg
        arr = self.tone.sky_array(arr)
        self.tone.haze = tuple(clamp(v * 255) for v in arr[int(h0 * hz) - 1, w0 // 2])
        img = Image.fromarray((arr * 255).astype(np.uint8), "RGB").resize(self.c.img.size, Image.BICUBIC)
        self.c.img.paste(img)

    def celestial(self) -> None:
        plan, c, rng = self.plan, self.c, self.rng
        sx, sy = self.lay.sun
        if plan.sky in ("night", "space"):
            n = 140 if plan.sky == "space" else 90
            with c.layer() as o:
                for _ in range(n):
                    x, y = rng.uniform(0, W), rng.uniform(0, self.lay.horizon)
                    r = rng.choice([0.8, 1.0, 1.2, 1.6, 2.2])
                    a = int(120 + 135 * (1 - y / self.lay.horizon) * rng.uniform(0.5, 1))
                    o.ell(x, y, r, r, (255, 250, 230, a))
            for _ in range(6):
                x, y = rng.uniform(40, W - 40), rng.uniform(20, self.lay.horizon * 0.6)
                self.star_sparkle(x, y, rng.uniform(6, 11))
        if plan.sky == "night":
            r = 46
            with c.layer(blur=26, box=(sx - r * 2.4, sy - r * 2.4, sx + r * 2.4, sy + r * 2.4)) as o:
                o.ell(sx, sy, r * 2.4, r * 2.4, self.tone.glow((200, 220, 255, 90)))
            moon = Image.new("L", (int(r * 2 * SS) + 4, int(r * 2 * SS) + 4), 0)
            md = ImageDraw.Draw(moon)
            md.ellipse((2, 2, 2 + r * 2 * SS, 2 + r * 2 * SS), fill=255)
            md.ellipse((2 + r * 0.62 * SS, 2 - r * 0.2 * SS, 2 + r * 2.5 * SS, 2 + r * 1.9 * SS), fill=0)
            fill = Image.new("RGB", moon.size, self.tone.glow((255, 244, 200)))
            c.img.paste(fill, (int((sx - r) * SS), int((sy - r) * SS)), moon)
        elif plan.sky in ("day", "dawn", "sunset"):
            r = {"day": 44, "dawn": 52, "sunset": 60}[plan.sky]
            col = {"day": (255, 240, 160), "dawn": (255, 230, 170), "sunset": (255, 170, 80)}[plan.sky]
            if plan.sky == "day":
                with c.layer(blur=22, box=(sx - r * 1.7, sy - r * 1.7, sx + r * 1.7, sy + r * 1.7)) as o:
                    o.ell(sx, sy, r * 1.7, r * 1.7, self.tone.glow(col + (90,)))
                with c.layer(box=(sx - r * 1.8, sy - r * 1.8, sx + r * 1.8, sy + r * 1.8)) as o:
                    for i in range(12):
                        a = 2 * math.pi * i / 12 + 0.1
                        a2 = a + 0.09
                        o.poly([(sx + math.cos(a) * r * 1.25, sy + math.sin(a) * r * 1.25),
                                (
                                    sx + math.cos((a + a2) / 2) * r * 1.75,
                                    sy + math.sin((a + a2) / 2) * r * 1.75
                                ),
                                (
                                    sx + math.cos(a2) * r * 1.25, sy + math.sin(a2) * r * 1.25
                                )], self.tone.glow(col + (210,)))
            c.ell(sx, sy, r, r, self.tone.glow(col))
            c.ell(sx - r * 0.25, sy - r * 0.25, r * 0.55, r * 0.55, self.tone.glow(light(col, 0.35)))
        if plan.sky == "space":
            self.planets()

    def star_sparkle(self, x, y, r) -> None:
        col = self.tone.glow((255, 250, 220))
        with self.c.layer(blur=4, box=(x - r * 1.2, y - r * 1.2, x + r * 1.2, y + r * 1.2)) as o:
            o.ell(x, y, r * 1.2, r * 1.2, col[:3] + (90,))
        self.c.poly([(x, y - r), (
            x + r * 0.2, y - r * 0.2
        ), (x + r, y), (x + r * 0.2, y + r * 0.2), (x, y + r),
                     (x - r * 0.2, y + r * 0.2), (x - r, y), (x - r * 0.2, y - r * 0.2)], col)

    def planets(self) -> None:
        rng, c = self.rng, self.c
        sx, sy = self.lay.sun
        r = rng.uniform(60, 90)
        base = rng.choice([(230, 140, 90), (120, 180, 230), (200, 120, 220), (120, 210, 170)])
        ring = self.tone.glow((240, 220, 180))
        box = ((sx - r * 1.7) * SS, (sy - r * 0.32) * SS, (sx + r * 1.7) * SS, (sy + r * 0.32) * SS)
        c.d.arc(box, 180, 360, fill=ring, width=int(5 * SS))
        c.ell(sx, sy, r, r, self.tone.glow(base))
        c.ell(sx - r * 0.3, sy - r * 0.3, r * 0.6, r * 0.6, self.tone.glow(light(base, 0.25)))
        for k in (-0.3, 0.15):
            c.line(
                [(sx - r * 0.95, sy + r * k), (sx + r * 0.95, sy + r * k + 8)],
                self.tone.glow(shade(base, 0.85)), 6
            )
        c.d.arc(box, 0, 180, fill=ring, width=int(5 * SS))
        mx = W - sx if abs(W - sx - sx) > 200 else (sx + 400) % W
        c.ell(mx, H * 0.12, 24, 24, self.tone.glow((210, 210, 230)))
        c.ell(mx + 6, H * 0.12 - 4, 6, 6, self.tone.glow((170, 170, 200)))

    def clouds(self) -> None:
        plan, rng = self.plan, self.rng
        if plan.sky == "space":
            return
        n = {"day": 3, "dawn": 3, "sunset": 3, "night": 1, "storm": 6}[plan.sky]
        if plan.mood == "dark" and plan.sky != "storm":
            n += 1
        base = {"day": (255, 255, 255), "dawn": (255, 220, 226), "sunset": (250, 170, 150),
                "night": (90, 100, 150), "storm": (70, 74, 86)}[plan.sky]
        under = {"day": (206, 222, 240), "dawn": (220, 160, 190), "sunset": (170, 100, 130),
                 "night": (50, 60, 100), "storm": (44, 46, 56)}[plan.sky]
        sx, _ = self.lay.sun
        slots = [(i + 0.5) / n for i in range(n)]
        if plan.sky != "storm":
            slots = [(i + 0.5) / 5 for i in range(5)]
            slots = [t for t in slots if abs(t * W - sx) > 170]
            rng.shuffle(slots)
            slots = sorted(slots[:n])
        for t in slots:
            x = t * W + rng.uniform(-50, 50)
            y = rng.uniform(
                H * 0.07, self.lay.horizon * 0.5
            ) if plan.sky != "storm" else rng.uniform(-10, H * 0.22)
            scale = rng.uniform(0.7, 1.2) * (1.6 if plan.sky == "storm" else 1.0)
            self.cloud(
                x, y, scale, self.tone.glow(under), self.tone.glow(base), 235 if plan.sky != "night" else 170
            )
        if plan.sky == "storm":
            self.lightning()

    def cloud(self, x, y, s, under, top, alpha) -> None:
        rng = self.rng
        puffs = []
        n = rng.randint(4, 6)
        for i in range(n):
            px = x + (i - (n - 1) / 2) * 34 * s + rng.uniform(-6, 6) * s
            r = (26 + 22 * math.sin(math.pi * (i + 0.5) / n) + rng.uniform(-4, 6)) * s
            puffs.append((px, y - r * 0.4, r))
        span = (n * 17 + 24) * s
        with self.c.layer(blur=1.2, box=(x - span - 60 * s, y - 80 * s, x + span + 60 * s, y + 30 * s)) as o:
            for px, py, r in puffs:
                o.ell(px, py + 6 * s, r, r, under[:3] + (alpha,))
            o.ell(x, y + 8 * s, (n * 17 + 20) * s, 16 * s, under[:3] + (alpha,))
            for px, py, r in puffs:
                o.ell(px - 3 * s, py - 2 * s, r * 0.92, r * 0.92, top[:3] + (alpha,))

    def lightning(self) -> None:
        rng = self.rng
        x = rng.uniform(W * 0.2, W * 0.8)
        y = H * 0.16
        pts = [(x, y)]
        while y < self.lay.horizon:
            x += rng.uniform(-30, 30)
            y += rng.uniform(30, 50)
            pts.append((x, y))
        col = self.tone.glow((255, 250, 200))
        with self.c.layer(blur=8) as o:
            o.line(pts, col[:3] + (160,), 14)
        self.c.line(pts, col, 4)

    # --- the far land
    def far(self) -> None:
        plan, rng, c = self.plan, self.rng, self.c
        has = plan.places
        hz = self.lay.horizon
        if "космос" in has:
            return
        grass = GRASS[plan.season]
        if "горы" in has:
            self.mountains(hz)
        if "море" not in has:
            pts = wave_line(rng, hz + 10, 26)
            c.grad_poly(pts + [(W + 40, H), (-40, H)], self.land(grass[0], 0.55), self.land(grass[1], 0.35))
            if "город" in has:
                self.city(hz + 14)
            if self.lay.sides.get("дворец") == "back":
                self.castle(W * rng.uniform(0.35, 0.65), hz + 18, 0.7, haze=0.35)
            if self.lay.sides.get("деревня") == "back" or "деревня" in has:
                self.village(hz + 20)
            if "лес" in has or plan.season == "winter":
                self.tree_line(hz + 20, 0.45, 40, 80)
        else:
            if "город" in has:
                self.city(hz)

    def mountains(self, hz: float) -> None:
        rng, c = self.rng, self.c
        for layer, (haze, hmin, hmax) in enumerate(((0.55, 120, 210), (0.3, 70, 150))):
            x = -80.0
            pts = [(-80.0, hz + 20)]
            peaks = []
            while x < W + 80:
                x += rng.uniform(110, 200)
                top = hz - rng.uniform(hmin, hmax)
                peaks.append((x, top))
                pts.append((x, top))
                x += rng.uniform(70, 120)
                pts.append((x, hz - rng.uniform(10, hmin * 0.5)))
            pts += [(W + 80, hz + 30), (-80, hz + 30)]
            rock = (120, 118, 150) if layer == 0 else (110, 112, 128)
            c.grad_poly(pts, self.land(light(rock, 0.1), haze), self.land(shade(rock, 0.85), haze * 0.8))
            for i, (px, py) in enumerate(peaks):
                # light side
                j = pts.index((px, py))
                lx, ly = pts[j - 1]
                c.poly(
                    [(px, py), (lx + (px - lx) * 0.35, ly + (py - ly) * 0.35), (px - 8, hz)],
                    self.land(light(rock, 0.18), haze)
                )
                # snow caps
                rx, ry = pts[j + 1] if j + 1 < len(pts) else (px + 60, py + 80)
                f = 0.28
                left = (px + (lx - px) * f, py + (ly - py) * f)
                right = (px + (rx - px) * f, py + (ry - py) * f)
                mid1 = (px + (left[0] - px) * 0.4, left[1] + 6)
                mid2 = (px + (right[0] - px) * 0.4, right[1] + 4)
                c.poly(
                    [(px, py), right, mid2, (px, left[1] - 2), mid1, left],
                    self.land((246, 248, 255), haze * 0.6)
                )

    def city(self, base: float) -> None:
        rng, c = self.rng, self.c
        future = self.plan.genre == "фантастика"
        x = rng.uniform(W * 0.05, W * 0.25)
        end = x + rng.uniform(W * 0.45, W * 0.65)
        wall = (210, 196, 180) if not future else (120, 130, 170)
        while x < end:
            w = rng.uniform(26, 60)
            h = rng.uniform(40, 110) * (1.6 if future else 1.0)
            col = self.land(shade(wall, rng.uniform(0.85, 1.05)), 0.4)
            c.poly([(x, base), (x, base - h), (x + w, base - h), (x + w, base)], col)
            if not future and rng.random() < 0.35:
                c.ell(x + w / 2, base - h - 6, w * 0.35, w * 0.45, self.land((220, 170, 60), 0.35))
                c.line(
                    [(x + w / 2, base - h - w * 0.45 - 14), (x + w / 2, base - h - w * 0.4)],
                    self.land((220, 170, 60), 0.35), 2
                )
            elif not future:
                c.poly(
                    [(x - 3, base - h), (x + w / 2, base - h - w * 0.6), (x + w + 3, base - h)],
                    self.land((170, 80, 60), 0.4)
                )
            else:
                c.line(
                    [(x + w / 2, base - h), (x + w / 2, base - h - 30)], self.land((200, 200, 230), 0.3), 2
                )
            win = Lit((255, 220, 120)) if not future else Lit((120, 240, 255))
            for wy in np.arange(base - h + 10, base - 8, 16):
                for wx in np.arange(x + 6, x + w - 8, 12):
                    if rng.random() < (0.55 if self.night or future else 0.3):
                        c.poly([(wx, wy), (wx + 5, wy), (wx + 5, wy + 7), (wx, wy + 7)],
                               self.tone.glow(win) if self.night or future else self.land(
                                   (120, 120, 150), 0.4
                               ))
            x += w + rng.uniform(-4, 6)

    def village(self, base: float) -> None:
        rng = self.rng
        n = rng.randint(3, 5)
        xs = sorted(rng.uniform(W * 0.08, W * 0.92) for _ in range(n))
        for x in xs:
            self.house(x, base + rng.uniform(-4, 10), rng.uniform(0.28, 0.38), haze=0.35)

    def tree_line(self, base: float, haze: float, hmin: float, hmax: float) -> None:
        rng = self.rng
        foliage = FOLIAGE[self.plan.season]
        x = -20.0
        while x < W + 20:
            h = rng.uniform(hmin, hmax)
            if rng.random() < 0.65:
                self.fir(x, base + rng.uniform(-6, 10), h, foliage[2], haze)
            else:
                self.round_tree(x, base + rng.uniform(-4, 10), h * 0.9, rng.choice(foliage), haze)
            x += rng.uniform(14, 30)

    # --- the middle ground
    def middle(self) -> None:
        plan = self.plan
        has = plan.places
        if "космос" in has:
            return
        if "море" in has:
            self.sea()
        else:
            self.meadow()
        if self.lay.sides.get("дворец") in ("left", "right") and "море" not in has:
            x = W * (0.2 if self.lay.sides["дворец"] == "left" else 0.8)
            self.castle(x, self.lay.front + 4, 1.0, haze=0.08)
        if "сад" in has:
            self.garden()
        if "пещера" in has:
            self.cave()
        if "изба" in has:
            side = self.lay.sides.get("изба", "left")
            x = W * (0.17 if side == "left" else 0.83) if side != "back" else W * 0.5
            legs = plan.place_lemmas.get("изба") == "курий"
            self.hut(x, self.lay.front + 6, 1.0, legs)

    def meadow(self) -> None:
        plan, rng, c = self.plan, self.rng, self.c
        has = plan.places
        grass = GRASS[plan.season]
        hz = self.lay.horizon
        mid_col = grass[1]
        if "болото" in has:
            mid_col = (112, 126, 70) if plan.season != "winter" else (200, 210, 220)
        if "поле" in has and plan.season == "summer":
            mid_col = (214, 190, 96)
        pts = wave_line(rng, hz + 46, 20)
        c.grad_poly(
            pts + [(W + 40, H), (-40, H)], self.land(light(mid_col, 0.1), 0.25), self.land(mid_col, 0.1)
        )
        if "поле" in has:
            self.field_rows(hz + 50)
        if not {"горы", "лес", "город", "болото"} & set(has) and len(has) <= 1:
            for _ in range(rng.randint(2, 4)):
                x = rng.uniform(40, W - 40)
                self.round_tree(
                    x, hz + 44 + rng.uniform(0, 10), rng.uniform(50, 80), rng.choice(FOLIAGE[plan.season]),
                    0.25
                )
        if "лес" in has:
            self.tree_line(hz + 56, 0.22, 70, 130)
            self.forest_wings()
        if "река" in has:
            if plan.place_lemmas.get("река") in LAKE:
                self.lake()
            else:
                self.river(hz + 74)
        if "болото" in has:
            self.swamp()

    def forest_wings(self) -> None:
        """Tall trees crowding both sides of the middle ground: a clearing in the forest."""
        rng = self.rng
        foliage = FOLIAGE[self.plan.season]
        for side in ("left", "right"):
            xs = [rng.uniform(0.0, 0.22) for _ in range(4)]
            for t in sorted(xs, key=lambda v: -v):
                x = t * W if side == "left" else W - t * W
                base = self.lay.front + rng.uniform(-14, 6)
                h = rng.uniform(170, 280) * (1.1 - t)
                if rng.random() < 0.6:
                    self.fir(x, base, h, foliage[2], 0.06)
                else:
                    self.round_tree(x, base, h * 0.9, rng.choice(foliage), 0.06)

    def sea(self) -> None:
        c, rng = self.c, self.rng
        hz = self.lay.horizon
        shore = wave_line(rng, self.lay.front - 8, 14)
        water_far = self.land((120, 180, 220), 0.45)
        water_near = self.land((40, 100, 170))
        c.grad_poly([(-40, hz), (W + 40, hz)] + shore[::-1], water_far, water_near)
        sx, _ = self.lay.sun
        glint = self.tone.glow((255, 250, 220)) if self.plan.sky != "storm" else self.land((200, 210, 220))
        for i in range(24):
            y = hz + 4 + i * (self.lay.front - hz - 20) / 24
            wlen = 10 + i * 2.2
            x = sx + rng.uniform(-20, 20) * (1 + i * 0.08)
            c.line([(x - wlen, y), (x + wlen, y)], glint[:3] + (150,), 1.2 + i * 0.08)
        for i in range(40):
            t = rng.random()
            y = hz + 8 + t * (self.lay.front - hz - 24)
            x = rng.uniform(0, W)
            s = 4 + t * 14
            c.line(
                [(x - s, y), (x - s / 2, y - s * 0.3), (x, y)], self.land((230, 244, 250), 0.2)[:3] + (170,),
                1 + t * 1.6
            )
        self.water_spot = (W * rng.uniform(0.3, 0.7), self.lay.front - 22)
        if "дворец" in self.plan.places or "деревня" in self.plan.places:
            side = self.lay.sides.get("дворец", self.lay.sides.get("деревня", "back"))
            if side == "back":
                side = "left" if self.lay.sun[0] > W / 2 else "right"
            self.cape(side)
        if any(f.key == "корабль" and f.variant != "ракета" for f in self.plan.figures):
            ship = next(f for f in self.plan.figures if f.key == "корабль")
            img, ox, oy = render_figure(
                ship, self.plan, self.tone, 0.62, self.rng.choice([-1, 1]), self.style
            )
            x = W * (0.22 if self.lay.sun[0] > W / 2 else 0.78)
            self.c.paste(img, x, hz + (self.lay.front - hz) * 0.45, ox, oy)
        # sand
        self.shore = shore

    def cape(self, side: str) -> None:
        """A green headland at one side of the sea, with the palace or the village on it."""
        c, rng = self.c, self.rng
        hz = self.lay.horizon
        reach = W * 0.4
        pts = []
        for i in range(25):
            t = i / 24
            y = hz + 26 - 96 * (1 - t ** 1.6) + 8 * math.sin(t * 9)
            pts.append((t * reach, y))
        pts += [(reach + 30, hz + 30), (-40, hz + 30)]
        if side == "right":
            pts = [(W - x, y) for x, y in pts]
        grass = GRASS[self.plan.season]
        c.grad_poly(pts, self.land(grass[0], 0.3), self.land(grass[2], 0.2))
        rim = [(x, y) for x, y in pts if y > hz + 20]
        if len(rim) >= 2:
            c.line(rim, self.land((236, 224, 180), 0.2), 5)
        x = W * 0.15 if side == "left" else W * 0.85
        top = hz + 26 - 96 * (1 - (0.15 / 0.4) ** 1.6)
        if "дворец" in self.plan.places:
            self.castle(x, top + 14, 0.62, haze=0.25)
        else:
            for dx in (-60, 0, 70):
                self.house(x + dx, top + 20 + abs(dx) * 0.15, 0.5, haze=0.25)
        for dx in (-140, 130):
            self.round_tree(x + dx, top + 30 + rng.uniform(0, 10), 60, FOLIAGE[self.plan.season][0], 0.25)

    def field_rows(self, top: float) -> None:
        c = self.c
        col = self.land((190, 160, 70), 0.1)
        for i in range(14):
            y = top + 10 + i * i * 0.9 + i * 4
            if y > self.lay.front:
                break
            c.line([(-20, y), (W + 20, y + 6)], col[:3] + (120,), 1.2 + i * 0.25)
        hx = W * self.rng.choice([0.12, 0.88])
        hy = top + 30
        hay = (226, 190, 90)
        pts = [(hx + 36 * math.cos(t), hy - 50 * math.sin(t)) for t in np.linspace(0, math.pi, 24)]
        c.poly(pts, self.land(hay, 0.1))
        c.poly(
            [
                (hx - 36 + 72 * t, hy - 50 * math.sin(math.pi * t) * 0.999) for t in np.linspace(0, 0.5, 12)
            ] + [(hx - 10, hy)],
            self.land(light(hay, 0.15), 0.1)
        )
        for dx in (-20, -6, 8, 22):
            c.line([(hx + dx * 0.6, hy - 40), (hx + dx, hy - 4)], self.land(shade(hay, 0.8), 0.1), 1.6)
        c.line([(hx, hy - 50), (hx, hy - 64)], self.land((120, 90, 60), 0.1), 2.5)

    def river(self, y: float) -> None:
        c, rng = self.c, self.rng
        top = wave_line(rng, y, 10, step=12)
        bot = [(x, yy + 20 + 14 * (x / W)) for x, yy in top]
        c.poly(top + bot[::-1], self.land((236, 224, 180), 0.15))
        bot2 = [(x, yy - 4) for x, yy in bot]
        top2 = [(x, yy + 4) for x, yy in top]
        c.grad_poly(top2 + bot2[::-1], self.land((150, 200, 236), 0.2), self.land((70, 140, 200), 0.1))
        wx = W * rng.uniform(0.3, 0.7)
        self.water_spot = (wx, y + 16 + 14 * wx / W)
        for i in range(18):
            x = rng.uniform(0, W)
            yy = y + 8 + rng.uniform(0, 16)
            c.line([(x, yy), (x + rng.uniform(8, 20), yy)], self.land((230, 246, 255), 0.1)[:3] + (160,), 1.4)

    def lake(self) -> None:
        c, rng = self.c, self.rng
        side = rng.choice([0.3, 0.5, 0.7])
        cx, cy = W * side, self.lay.horizon + 80
        rx, ry = W * 0.24, 34
        c.ell(cx, cy, rx + 10, ry + 7, self.land((150, 170, 90), 0.1))
        pts = [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 60)]
        c.grad_poly(pts, self.land((160, 210, 240), 0.2), self.land((60, 130, 196), 0.05))
        self.water_spot = (cx, cy + 8)
        for _ in range(10):
            x = cx + rng.uniform(-rx * 0.7, rx * 0.7)
            y = cy + rng.uniform(-ry * 0.5, ry * 0.6)
            c.line([(x, y), (x + rng.uniform(10, 24), y)], self.land((236, 248, 255), 0.1)[:3] + (170,), 1.4)
        for side_x in (cx - rx * 0.9, cx + rx * 0.85):
            self.reeds(side_x, cy + 6, 6)

    def swamp(self) -> None:
        c, rng = self.c, self.rng
        hz = self.lay.horizon
        # dead trees and dark firs on the far edge
        for _ in range(5):
            self.snag(rng.uniform(20, W - 20), hz + 50 + rng.uniform(0, 12), rng.uniform(50, 90))
        for _ in range(6):
            self.fir(rng.uniform(0, W), hz + 52 + rng.uniform(0, 8), rng.uniform(40, 70), (70, 96, 70), 0.3)
        # pools that mirror the sky, with duckweed, reeds and hummocks
        sky = self.tone.haze
        pools = [
            (rng.uniform(0.05, 0.3), 0.3), (rng.uniform(0.4, 0.6), 0.55), (rng.uniform(0.7, 0.95), 0.35),
            (rng.uniform(0.2, 0.8), 0.85)
        ]
        for tx, ty in pools:
            x = tx * W
            y = hz + 60 + ty * (self.lay.front - hz - 50)
            rx = rng.uniform(70, 120) * (0.7 + ty * 0.6)
            c.ell(x, y, rx + 6, rx * 0.2 + 4, self.land((86, 96, 60)))
            c.ell(x, y, rx, rx * 0.2, mix(self.land((50, 76, 72)), sky, 0.35))
            c.ell(
                x - rx * 0.15, y - rx * 0.05, rx * 0.6, rx * 0.07, mix(self.land((120, 150, 150)), sky, 0.5)
            )
            for _ in range(3):
                lx = x + rng.uniform(-rx * 0.6, rx * 0.6)
                c.ell(lx, y + rng.uniform(-2, 4), 8, 3, self.land((110, 170, 70)))
            self.reeds(x + rx * 0.9, y + 2, 6)
            self.reeds(x - rx * 0.85, y + 4, 4)
        for _ in range(6):
            x = rng.uniform(0, W)
            y = rng.uniform(hz + 70, self.lay.front)
            c.ell(x, y, 16, 7, self.land((96, 120, 56)))
            for dx in (-8, -2, 4, 9):
                c.line([(x + dx, y - 2), (x + dx * 1.6, y - 14)], self.land((120, 150, 64)), 1.5)
        with c.layer(blur=16) as o:
            for _ in range(6):
                o.ell(rng.uniform(0, W), rng.uniform(hz + 30, self.lay.front), rng.uniform(160, 300), 16,
                      self.land((232, 238, 232))[:3] + (110,))

    def garden(self) -> None:
        c = self.c
        side = self.lay.sides.get("сад", "right")
        x0, x1 = (0.0, W * 0.45) if side == "left" else (W * 0.55, W * 1.0)
        base = self.lay.front + 2
        for i in range(3):
            x = x0 + (x1 - x0) * (0.2 + 0.3 * i)
            self.round_tree(x, base - 24 - i % 2 * 10, 120, FOLIAGE[self.plan.season][1], 0.05, apples=True)
        fence = self.land((170, 130, 80))
        c.line([(x0, base - 16), (x1, base - 16)], fence, 4)
        c.line([(x0, base - 30), (x1, base - 30)], fence, 4)
        for x in np.arange(x0 + 6, x1, 22):
            c.poly(
                [(x - 4, base), (x - 4, base - 40), (x, base - 46), (x + 4, base - 40), (x + 4, base)], fence
            )

    def cave(self) -> None:
        c, rng = self.c, self.rng
        side = self.lay.sides.get("пещера", "left")
        cx = W * (0.14 if side == "left" else 0.86)
        base = self.lay.front + 10
        rock = (140, 130, 124)
        pts = []
        for i in range(16):
            t = math.pi + math.pi * i / 15
            r = rng.uniform(0.9, 1.08)
            pts.append((cx + 230 * math.cos(t) * r, base + 250 * math.sin(t) * r))
        c.grad_poly(
            pts + [(cx + 230, base), (cx - 230, base)], self.land(light(rock, 0.15), 0.05),
            self.land(shade(rock, 0.75))
        )
        for _ in range(5):
            x = cx + rng.uniform(-150, 150)
            y = base - rng.uniform(60, 200)
            c.line(
                [(x, y), (x + rng.uniform(-40, 40), y + rng.uniform(20, 50))], self.land(shade(rock, 0.7)), 3
            )
        mouth = [(cx - 70, base), (cx - 70, base - 90)]
        mouth += [(cx + 70 * math.cos(t), base - 90 - 70 * math.sin(t)) for t in np.linspace(math.pi, 0, 20)]
        mouth += [(cx + 70, base)]
        c.grad_poly(mouth, self.land((40, 34, 40)), self.land((14, 10, 16)))
        for dx in (-40, 10, 44):
            c.ell(
                cx + dx, base - 100, 3, 3,
                self.tone.glow((255, 220, 80)) if self.plan.mood == "dark" else (0, 0, 0, 0)
            )
        for dx in (-110, 90, 130):
            c.ell(cx + dx, base - 8, rng.uniform(16, 26), rng.uniform(10, 14), self.land(light(rock, 0.05)))

    # --- buildings and trees
    def fir(self, x, base, h, col, haze: float = 0.0) -> None:
        c = self.c
        trunk = self.land((100, 70, 50), haze)
        c.poly(
            [
                (x - h * 0.04, base), (x - h * 0.04, base - h * 0.2), (x + h * 0.04, base - h * 0.2),
                (x + h * 0.04, base)
            ],
            trunk
        )
        dark = self.land(col, haze)
        lite = self.land(light(col, 0.15), haze)
        snow = self.plan.season == "winter"
        tiers = 4 if h < 200 else 6
        for i in range(tiers):
            t = i / tiers
            yb = base - h * (0.12 + 0.88 * t * 0.95)
            w = h * (0.34 - 0.26 * t)
            yt = yb - h * (0.36 if tiers == 4 else 0.26)
            teeth = 4 if h < 200 else 6
            bottom = []
            for j in range(teeth * 2 + 1):
                bx = x + w - 2 * w * j / (teeth * 2)
                bottom.append((bx, yb + (h * 0.025 if j % 2 else 0)))
            c.poly([(x, yt)] + bottom, dark)
            c.poly([(x, yt)] + [p for p in bottom if p[0] <= x - w * 0.15] + [(x - w * 0.15, yb)], lite)
            if snow:
                c.poly([
                    (x - w * 0.45, yt + (yb - yt) * 0.45), (x, yt), (x + w * 0.45, yt + (yb - yt) * 0.45),
                    (x, yt + (yb - yt) * 0.35)
                ],
                       self.land((246, 250, 255), haze))

    def round_tree(self, x, base, h, col, haze: float = 0.0, apples: bool = False) -> None:
        c, rng = self.c, self.rng
        trunk = self.land((120, 80, 52), haze)
        c.poly(
            [
                (x - h * 0.07, base), (x - h * 0.035, base - h * 0.55), (x + h * 0.035, base - h * 0.55),
                (x + h * 0.07, base)
            ],
            trunk
        )
        dark = self.land(shade(col, 0.88), haze)
        mid = self.land(col, haze)
        lite = self.land(light(col, 0.2), haze)
        cy = base - h * 0.68
        r = h * 0.3
        for dx, dy, k in (
            (-0.55, 0.2, 0.7), (0.55, 0.2, 0.7), (0, 0.35, 0.8), (-0.3, -0.35, 0.75), (0.3, -0.35, 0.75),
            (0, -0.1, 0.95)
        ):
            c.ell(x + dx * r, cy + dy * r, r * k, r * k, dark)
        for dx, dy, k in ((-0.3, -0.35, 0.6), (0.15, -0.45, 0.55), (-0.45, 0.05, 0.5)):
            c.ell(x + dx * r, cy + dy * r, r * k, r * k, mid)
        c.ell(x - 0.35 * r, cy - 0.5 * r, r * 0.3, r * 0.3, lite)
        if self.plan.season == "winter":  # snow lying on the top of each tuft
            snow = self.land((246, 250, 255), haze)
            for dx, dy, k in ((-0.3, -0.35, 0.75), (0.3, -0.35, 0.75), (0, -0.1, 0.95)):
                cx0, cy0, rr = x + dx * r, cy + dy * r, r * k
                arc = [
                    (
                        cx0 + rr * math.cos(a), cy0 + rr * math.sin(a)
                    ) for a in np.linspace(math.radians(205), math.radians(335), 14)
                ]
                chord_y = cy0 + rr * math.sin(math.radians(205))
                bumps = [
                    (cx0 + rr * 0.9 * (1 - 2 * t), chord_y + (rr * 0.12 if i % 2 else 0)) for i,
                    t in enumerate(np.linspace(0, 1, 7))
                ]
                c.poly(arc + bumps, snow)
        if apples:
            for _ in range(7):
                a, d = rng.uniform(0, 6.28), rng.uniform(0, r * 0.85)
                c.ell(
                    x + math.cos(a) * d, cy + math.sin(a) * d * 0.8, r * 0.09, r * 0.09,
                    self.land((220, 40, 40), haze)
                )

    def snag(self, x, base, h) -> None:
        col = self.land((80, 70, 60), 0.15)
        self.c.line([(x, base), (x + 4, base - h)], col, 6)
        self.c.line([(x + 2, base - h * 0.6), (x + 24, base - h * 0.85)], col, 3)
        self.c.line([(x + 3, base - h * 0.75), (x - 20, base - h * 0.95)], col, 3)

    def reeds(self, x, base, n) -> None:
        rng = self.rng
        for i in range(n):
            dx = (i - n / 2) * 5 + rng.uniform(-2, 2)
            h = rng.uniform(26, 48)
            lean = rng.uniform(-6, 6)
            self.c.line([(x + dx, base), (x + dx + lean, base - h)], self.land((90, 120, 60)), 1.8)
            if i % 2 == 0:
                self.c.ell(x + dx + lean * 0.9, base - h + 6, 2.6, 7, self.land((110, 70, 40)))

    def house(self, x, base, s, haze: float = 0.0) -> None:
        """A small far house."""
        c = self.c
        w, h = 90 * s, 60 * s
        wall = self.land((180, 120, 70), haze)
        roof = self.land((150, 70, 50), haze)
        c.poly([(x - w / 2, base), (x - w / 2, base - h), (x + w / 2, base - h), (x + w / 2, base)], wall)
        c.poly([(x - w * 0.62, base - h), (x, base - h - w * 0.45), (x + w * 0.62, base - h)], roof)
        win = self.tone.glow((255, 210, 110)) if self.night else self.land((120, 170, 210), haze)
        c.poly(
            [
                (x - w * 0.12, base - h * 0.65), (x + w * 0.12, base - h * 0.65),
                (x + w * 0.12, base - h * 0.3), (x - w * 0.12, base - h * 0.3)
            ],
            win
        )
        c.poly(
            [
                (x + w * 0.22, base - h - w * 0.2), (x + w * 0.22, base - h - w * 0.42),
                (x + w * 0.34, base - h - w * 0.42), (x + w * 0.34, base - h - w * 0.1)
            ],
            roof
        )

    def hut(self, x, base, s, legs: bool) -> None:
        """The log hut (изба), on chicken legs when Baba Yaga lives there."""
        c = self.c
        if legs:
            leg = self.land((236, 170, 60))
            for dx in (-36, 36):
                c.line(
                    [
                        (x + dx * s, base - 70 * s), (x + dx * s - 10 * s, base - 30 * s),
                        (x + dx * s, base - 4 * s)
                    ],
                    leg, 9 * s
                )
                for tx in (-18, 0, 18):
                    c.line([(x + dx * s, base - 4 * s), (x + dx * s + tx * s, base)], leg, 6 * s)
            base -= 70 * s
        w, h = 190 * s, 120 * s
        log = (172, 112, 62)
        c.poly(
            [(x - w / 2, base), (x - w / 2, base - h), (x + w / 2, base - h), (x + w / 2, base)],
            self.land(log)
        )
        for i in range(7):
            y = base - h + (i + 0.5) * h / 7
            c.line([(x - w / 2, y + h / 14), (x + w / 2, y + h / 14)], self.land(shade(log, 0.75)), 2)
            for side in (-1, 1):
                c.ell(x + side * (w / 2 + 4 * s), y, 8 * s, 8 * s, self.land(light(log, 0.15)))
                c.ell(x + side * (w / 2 + 4 * s), y, 3.5 * s, 3.5 * s, self.land(shade(log, 0.8)))
        roof = (120, 76, 48) if self.plan.season != "winter" else (240, 244, 252)
        peak = base - h - 96 * s
        c.poly(
            [(x - w * 0.62, base - h + 6 * s), (x, peak), (x + w * 0.62, base - h + 6 * s)], self.land(roof)
        )
        c.poly(
            [(x - w * 0.5, base - h + 2 * s), (x, peak + 18 * s), (x + w * 0.5, base - h + 2 * s)],
            self.land(shade(log, 0.9))
        )
        c.line(
            [(x - w * 0.64, base - h + 8 * s), (x, peak - 2 * s), (x + w * 0.64, base - h + 8 * s)],
            self.land((246, 240, 226)), 6 * s
        )
        c.ell(
            x, peak + 52 * s, 14 * s, 14 * s,
            self.tone.glow((255, 214, 110)) if self.night else self.land((110, 150, 190))
        )
        # window with shutters
        wx, wy = x - w * 0.22, base - h * 0.55
        ww, wh = 34 * s, 40 * s
        win = self.tone.glow((255, 214, 110)) if self.night else self.land((130, 180, 220))
        c.poly(
            [
                (wx - ww / 2, wy - wh / 2), (wx + ww / 2, wy - wh / 2), (wx + ww / 2, wy + wh / 2),
                (wx - ww / 2, wy + wh / 2)
            ],
            win
        )
        c.line([(wx, wy - wh / 2), (wx, wy + wh / 2)], self.land((240, 236, 220)), 3 * s)
        c.line([(wx - ww / 2, wy), (wx + ww / 2, wy)], self.land((240, 236, 220)), 3 * s)
        for side in (-1, 1):
            sx0 = wx + side * (ww / 2 + 9 * s)
            c.poly(
                [
                    (sx0 - 9 * s, wy - wh / 2), (sx0 + 9 * s, wy - wh / 2), (sx0 + 9 * s, wy + wh / 2),
                    (sx0 - 9 * s, wy + wh / 2)
                ],
                self.land((60, 110, 170))
            )
        c.poly(
            [
                (wx - ww / 2 - 18 * s, wy - wh / 2 - 10 * s), (wx + ww / 2 + 18 * s, wy - wh / 2 - 10 * s),
                (wx, wy - wh / 2 - 22 * s)
            ],
            self.land((240, 236, 220))
        )
        # door
        dx = x + w * 0.25
        c.poly(
            [
                (dx - 20 * s, base), (dx - 20 * s, base - 76 * s), (dx + 20 * s, base - 76 * s),
                (dx + 20 * s, base)
            ],
            self.land((110, 70, 44))
        )
        c.ell(dx + 12 * s, base - 38 * s, 3 * s, 3 * s, self.land(GOLD))
        # chimney and smoke
        cx = x + w * 0.28
        c.poly(
            [
                (cx - 10 * s, base - h - 30 * s), (cx - 10 * s, base - h - 74 * s),
                (cx + 10 * s, base - h - 74 * s), (cx + 10 * s, base - h - 44 * s)
            ],
            self.land((150, 90, 70))
        )
        with c.layer(blur=4, box=(cx - 30 * s, base - h - 220 * s, cx + 80 * s, base - h - 70 * s)) as o:
            for i in range(4):
                o.ell(
                    cx + i * 10 * s, base - h - (92 + i * 26) * s, (10 + i * 5) * s, (9 + i * 4) * s,
                    self.land((236, 236, 240))[:3] + (130,)
                )

    def castle(self, x, base, s, haze: float = 0.0) -> None:
        c = self.c
        kind = self.plan.place_lemmas.get("дворец", "дворец")
        wall = self.land((236, 226, 210), haze)
        wall_dark = self.land((206, 192, 176), haze)
        roof = self.land((200, 60, 60) if kind in CASTLE else (60, 150, 140), haze)
        dome = self.land((240, 190, 60), haze)
        win = self.tone.glow((255, 214, 110)) if self.night else self.land((90, 110, 160), haze)

        def rect(x0, y0, x1, y1, col):
            c.poly([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], col)

        w, h = 200 * s, 110 * s
        rect(x - w / 2, base - h, x + w / 2, base, wall)
        for i in range(9):
            bx = x - w / 2 + i * w / 8.5
            rect(bx, base - h - 10 * s, bx + w / 17, base - h, wall)
        rect(x - 40 * s, base - h - 90 * s, x + 40 * s, base - h + 1, wall_dark)
        for side in (-1, 1):
            tx = x + side * w / 2
            rect(tx - 24 * s, base - h - 60 * s, tx + 24 * s, base, wall_dark)
            if kind in CASTLE:
                c.poly(
                    [
                        (tx - 30 * s, base - h - 60 * s), (tx, base - h - 130 * s),
                        (tx + 30 * s, base - h - 60 * s)
                    ],
                    roof
                )
            else:
                self.onion(tx, base - h - 60 * s, 30 * s, dome)
            rect(tx - 6 * s, base - h - 30 * s, tx + 6 * s, base - h - 10 * s, win)
        top = base - h - 90 * s
        if kind in CASTLE:
            c.poly([(x - 48 * s, top), (x, top - 110 * s), (x + 48 * s, top)], roof)
            c.line([(x, top - 110 * s), (x, top - 140 * s)], self.land((80, 60, 50), haze), 2 * s)
            c.poly(
                [(x, top - 140 * s), (x + 24 * s, top - 133 * s), (x, top - 126 * s)],
                self.land((220, 50, 50), haze)
            )
        else:
            self.onion(x, top, 46 * s, dome)
        for dx in (-20, 20):
            rect(x + dx * s - 7 * s, top + 30 * s, x + dx * s + 7 * s, top + 56 * s, win)
        gate = [(x - 26 * s, base), (x - 26 * s, base - 40 * s)] + [
            (
                x + 26 * s * math.cos(t), base - 40 * s - 26 * s * math.sin(t)
            ) for t in np.linspace(math.pi, 0, 12)
        ] + [(x + 26 * s, base)]
        c.poly(gate, self.land((110, 76, 56), haze))
        for dx in (-70, 70):
            rect(x + dx * s - 8 * s, base - 80 * s, x + dx * s + 8 * s, base - 54 * s, win)

    def onion(self, x, base, r, col) -> None:
        c = self.c
        pts = []
        for t in np.linspace(0, 1, 16):
            a = math.pi * t
            pts.append((x - r * math.sin(a) * (1 - 0.3 * t), base - r * 1.6 * t))
        pts = [(x - r * 0.8, base)] + [
            (
                x - r * math.sin(math.pi * 0.25 + 0.75 * math.pi * t) * (1.0 - 0.9 * t), base - r * 1.7 * t
            ) for t in np.linspace(0, 1, 16)
        ]
        right = [(2 * x - px, py) for px, py in pts[::-1]]
        c.poly(pts + right, col)
        c.line([(x, base - r * 1.7), (x, base - r * 2.2)], col, max(1.5, r * 0.08))
        c.ell(x - r * 0.3, base - r * 0.6, r * 0.15, r * 0.3, light(col, 0.35)[:3] + (160,))

    # --- the foreground
    def foreground(self) -> None:
        plan, rng, c = self.plan, self.rng, self.c
        has = plan.places
        grass = GRASS[plan.season]
        front = self.lay.front
        if "космос" in has:
            self.alien_ground()
            return
        if "море" in has:
            shore = getattr(self, "shore", wave_line(rng, front, 10))
            c.grad_poly(
                shore + [(W + 40, H), (-40, H)], self.land((240, 222, 170)), self.land((214, 190, 140))
            )
            for pt in shore[::3]:
                c.line(
                    [(pt[0] - 10, pt[1] + 2), (pt[0] + 10, pt[1] + 2)],
                    self.land((250, 250, 250))[:3] + (180,), 2
                )
            for _ in range(6):
                self.shell(rng.uniform(20, W - 20), rng.uniform(front + 40, H - 10))
            return
        col = grass[1]
        if "болото" in has and plan.season != "winter":
            col = (110, 130, 64)
        pts = wave_line(rng, front, 12)
        c.grad_poly(pts + [(W + 40, H), (-40, H)], self.land(light(col, 0.08)), self.land(shade(col, 0.78)))
        # a path
        if "изба" in has or "дворец" in has or "деревня" in has:
            side = self.lay.sides.get("изба", self.lay.sides.get("дворец", "back"))
            tx = W * (0.22 if side == "left" else 0.78 if side == "right" else 0.5)
            c.poly(
                [(tx - 18, front + 6), (tx + 18, front + 6), (W * 0.55 + 130, H + 5), (W * 0.55 - 60, H + 5)],
                self.land((222, 200, 150) if plan.season != "winter" else (214, 224, 240))[:3] + (200,)
            )
        # tufts and flowers
        tuft = self.land(shade(col, 0.7))
        for _ in range(50):
            x = rng.uniform(0, W)
            y = rng.uniform(front + 10, H)
            s = 0.6 + (y - front) / (H - front) * 1.0
            for dx, lean in ((-4, -5), (0, 0), (4, 5)):
                c.line([(x + dx * s, y), (x + (dx + lean) * s, y - 12 * s)], tuft, 1.6 * s)
        if plan.season == "summer":
            n = 26 if "поле" in has or "сад" in has else 12
            if "болото" in has:
                n = 3
            for _ in range(n):
                self.flower(rng.uniform(10, W - 10), rng.uniform(front + 8, H - 6))
        if "лес" in has and plan.season != "winter":
            for _ in range(3):
                self.mushroom(rng.uniform(20, W - 20), rng.uniform(front + 20, H - 10))
        if "лес" in has:
            self.edge_trees()
        if "болото" in has:
            for x in (rng.uniform(20, 160), rng.uniform(W - 160, W - 20)):
                self.reeds(x, rng.uniform(H - 60, H - 10), 8)
        for _ in range(2):
            x = rng.uniform(20, W - 20)
            y = rng.uniform(front + 20, H - 10)
            c.ell(x, y, 14, 8, self.land((150, 146, 146)))
            c.ell(x - 4, y - 3, 7, 4, self.land((190, 186, 186)))

    def edge_trees(self) -> None:
        rng = self.rng
        foliage = FOLIAGE[self.plan.season]
        taken = {v for k, v in self.lay.sides.items() if k in ("изба", "пещера", "сад", "дворец")}
        left, right = rng.choice([("fir", "round"), ("round", "fir"), ("fir", "fir")])
        for side, x, kind in (
            ("left", rng.uniform(-20, 30), left), ("right", W - rng.uniform(-20, 30), right)
        ):
            if side in taken:
                continue
            h = rng.uniform(460, 560)
            if kind == "fir":
                self.fir(x, H + 30, h, foliage[2])
            else:
                self.round_tree(x, H + 30, h, foliage[0])

    def flower(self, x, y) -> None:
        rng, c = self.rng, self.c
        petal = self.land(
            rng.choice([(240, 90, 110), (250, 220, 70), (255, 255, 255), (160, 120, 230), (120, 170, 250)])
        )
        s = 0.7 + (y - self.lay.front) / (H - self.lay.front) * 0.8
        c.line([(x, y), (x, y - 12 * s)], self.land((70, 130, 50)), 1.6 * s)
        for i in range(5):
            a = 2 * math.pi * i / 5
            c.ell(x + math.cos(a) * 4.2 * s, y - 14 * s + math.sin(a) * 4.2 * s, 3.2 * s, 3.2 * s, petal)
        c.ell(x, y - 14 * s, 2.4 * s, 2.4 * s, self.land((250, 200, 50)))

    def mushroom(self, x, y) -> None:
        c = self.c
        c.poly([(x - 4, y), (x - 3, y - 14), (x + 3, y - 14), (x + 4, y)], self.land((246, 240, 226)))
        pts = [(x + 14 * math.cos(t), y - 14 - 11 * math.sin(t)) for t in np.linspace(0, math.pi, 14)]
        c.poly(pts, self.land((214, 40, 40)))
        for dx, dy in ((-6, -19), (3, -22), (8, -17)):
            c.ell(x + dx, y + dy, 1.8, 1.8, self.land((255, 255, 255)))

    def shell(self, x, y) -> None:
        c = self.c
        c.ell(x, y, 7, 5, self.land((250, 200, 190)))
        c.line([(x - 4, y), (x, y - 4), (x + 4, y)], self.land((220, 150, 140)), 1)

    def alien_ground(self) -> None:
        c, rng = self.c, self.rng
        hz = self.lay.horizon + 40
        pts = wave_line(rng, hz, 30)
        c.grad_poly(pts + [(W + 40, H), (-40, H)], self.land((150, 110, 190), 0.3), self.land((80, 50, 120)))
        pts2 = wave_line(rng, self.lay.front, 14)
        c.grad_poly(pts2 + [(W + 40, H), (-40, H)], self.land((130, 90, 170)), self.land((60, 40, 90)))
        for _ in range(7):
            x = rng.uniform(0, W)
            y = rng.uniform(hz + 20, H - 10)
            r = rng.uniform(14, 40) * (0.5 + (y - hz) / (H - hz))
            c.ell(x, y, r, r * 0.3, self.land((70, 44, 100)))
            c.ell(x, y - r * 0.06, r * 0.8, r * 0.2, self.land((100, 70, 140)))
        for _ in range(4):
            x = rng.uniform(0, W)
            y = rng.uniform(self.lay.front, H)
            c.poly([(x - 8, y), (x, y - 30), (x + 8, y)], self.tone.glow((120, 240, 255)))
            with c.layer(blur=6, box=(x - 14, y - 32, x + 14, y + 4)) as o:
                o.ell(x, y - 14, 14, 18, self.tone.glow((120, 240, 255))[:3] + (90,))
        if "город" in self.plan.places:
            self.city(hz + 6)

    # --- figures
    def figures(self) -> list[str]:
        plan, rng = self.plan, self.rng
        hero_item = Item(plan.hero.figure, plan.hero.variant, hero=True)
        drawn: list[Item] = []
        ground: list[Item] = []
        sky: list[Item] = []
        for item in plan.figures:
            if item.key == "корабль":
                if item.variant == "ракета":
                    sky.append(item)
                elif "море" in plan.places:
                    drawn.append(item)  # the ship sails in the sea, drawn with it
                continue
            (sky if SPECS[item.key].where == "sky" else ground).append(item)
        hero_flies = SPECS[hero_item.key].where != "ground" and hero_item.key != "рыба"
        # the sky: birds, dragons, stars, rockets; a hero that flies takes the middle of it
        slots = [0.12, 0.3, 0.5, 0.7, 0.88]
        sx = self.lay.sun[0] / W
        slots = [s for s in slots if abs(s - sx) > 0.12]
        rng.shuffle(slots)
        if hero_flies:
            best = min(slots, key=lambda s: abs(s - 0.5))
            slots.remove(best)
            slots.append(best)
            sky.insert(0, hero_item)
        for item in sky:
            if not slots:
                ground.append(item) if item.key in ("птица", "ворон") else None
                continue
            x = slots.pop() * W
            spec = SPECS[item.key]
            y = rng.uniform(H * 0.14, self.lay.horizon * 0.62) + spec.height * 0.15
            scale = rng.uniform(0.8, 1.0) if item.key not in ("птица", "ворон") else rng.uniform(0.6, 0.8)
            if item.hero:
                scale = {"птица": 1.25, "ворон": 1.25, "корабль": 0.75}.get(item.key, 1.0)
                y = max(y, H * 0.3)
            facing = 1 if x < W / 2 else -1
            img, ox, oy = render_figure(item, plan, self.tone, scale, facing, self.style)
            if item.variant == "ракета":
                img = img.rotate(-30 * facing, resample=Image.BICUBIC, expand=False)
            if item.key == "звезда":
                with self.c.layer(blur=20, box=(x - 80, y - 80, x + 80, y + 80)) as o:
                    o.ell(x, y, 80, 80, self.tone.glow((255, 230, 140))[:3] + (120,))
            self.c.paste(img, x, y, ox, oy)
            if not item.hero:
                drawn.append(item)
        # the ground: the hero in the middle, the others around it; a fish swims in the water if there is some
        swimmers: list[Item] = []
        if self.water_spot is not None:
            swimmers = [it for it in ground if it.key == "рыба"]
            if hero_item.key == "рыба":
                swimmers.insert(0, hero_item)
                hero_flies = True  # not in the row on the ground
            ground = [it for it in ground if it not in swimmers]
        ground = ground[:6]
        mid = len(ground) // 2 + (rng.randint(0, 1) if len(ground) % 2 else 0)
        row = ground[:mid] + ([] if hero_flies else [hero_item]) + ground[mid:]
        widths = []
        for item in row:
            k = 1.18 if item.hero else 1.0
            if item.key in PEOPLE and PEOPLE[item.key].get("child"):
                k *= CHILD_SCALE
            widths.append(SPECS[item.key].width * k * 0.8)
        usable = W * 0.86
        scale = min(1.0, usable / (sum(widths) + 20 * max(0, len(row) - 1) + 1))
        gap = (usable - sum(widths) * scale) / max(1, len(row))
        x = W * 0.07 + gap / 2
        placed = []
        for item, wdt in zip(row, widths):
            cx = x + wdt * scale / 2 + rng.uniform(-gap * 0.3, gap * 0.3)
            x += wdt * scale + gap
            feet = H * (rng.uniform(0.9, 0.94) if item.hero else rng.uniform(0.82, 0.93))
            if "море" in plan.places:
                feet = max(feet, self.lay.front + 60)
            placed.append((feet, cx, item, False))
        # swimmers: in the water, where no one on the shore and no house stands in front of them
        taken = [cx for _, cx, _, _ in placed]
        for side, zone in (("left", (0.0, 0.32)), ("right", (0.68, 1.0))):
            if side in {v for k, v in self.lay.sides.items() if k in ("изба", "пещера", "сад")}:
                taken += [W * t for t in np.linspace(zone[0], zone[1], 5)]
        for item in swimmers:
            spots = [W * t for t in np.linspace(0.2, 0.8, 13)]
            cx = max(spots, key=lambda x: (min([abs(x - t) for t in taken] or [W]), -abs(x - W / 2)))
            taken.append(cx)
            placed.append((self.water_spot[1], cx, item, True))  # type: ignore[index]
        placed.sort(key=lambda t: t[0])
        for feet, cx, item, swim in placed:
            depth = 0.82 + 0.18 * (feet - H * 0.82) / (H * 0.12)
            if swim:
                depth = 1.0 if "море" in plan.places else 0.8
            k = scale * depth * (1.18 if item.hero else 1.0)
            facing = 1 if cx < W / 2 else -1
            if item.hero and len(row) == 1:
                facing = rng.choice([-1, 1])
            if not swim:
                self.shadow(cx, feet, SPECS[item.key].width * k * 0.36)
            img, ox, oy = render_figure(item, plan, self.tone, k, facing, self.style, swim)
            self.c.paste(img, cx, feet, ox, oy)
            if not item.hero:
                drawn.append(item)
        return [it.key for it in plan.figures if any(it is d for d in drawn)]

    def shadow(self, x, y, rx) -> None:
        with self.c.layer(blur=4, box=(x - rx, y - rx * 0.2, x + rx, y + rx * 0.2 + 4)) as o:
            o.ell(x, y + 2, rx, rx * 0.16, (30, 30, 40, 80))

    # --- weather and finish
    def weather(self) -> None:
        plan, rng, c = self.plan, self.rng, self.c
        if plan.sky == "storm":
            with c.layer() as o:
                for _ in range(220):
                    x, y = rng.uniform(-40, W), rng.uniform(0, H)
                    o.line([(x, y), (x + 8, y + 26)], (210, 220, 236, 70), 1.2)
        if plan.season == "winter":
            with c.layer() as o:
                for _ in range(120):
                    x, y = rng.uniform(0, W), rng.uniform(0, H)
                    r = rng.uniform(1.2, 3.6)
                    o.ell(x, y, r, r, (255, 255, 255, 200))
        if plan.sky == "night" and ("лес" in plan.places or "болото" in plan.places):
            with c.layer(blur=2) as o:
                for _ in range(14):
                    x, y = rng.uniform(0, W), rng.uniform(self.lay.horizon, H)
                    o.ell(x, y, 3, 3, (255, 250, 150, 230))

    def finish(self) -> Image.Image:
        img = self.c.img.reduce(SS)
        if self.style != "storybook":
            return img
        a = np.asarray(img).astype(np.float32)
        blot = self.nrng.normal(0, 1, (24, 42)).astype(np.float32)
        blot_img = Image.fromarray(
            ((blot * 24) + 128).clip(0, 255).astype(np.uint8), "L"
        ).resize((W, H), Image.BICUBIC)
        b = np.asarray(blot_img).astype(np.float32) * (0.03 / 128.0) + (1.0 - 0.03)
        a *= paper_sheet()
        a *= b[..., None]
        a += np.array([4, 2, -3], np.float32)
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


@functools.cache
def paper_sheet() -> np.ndarray:
    """The vignette times a fine paper grain: the same sheet under every picture."""
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    d = np.sqrt(((xs - W / 2) / (W * 0.62)) ** 2 + ((ys - H / 2) / (H * 0.62)) ** 2)
    vig = 1.0 - 0.42 * np.clip(d - 0.45, 0, None) ** 1.6
    grain = np.random.default_rng(20240611).normal(0, 1, (H, W)).astype(np.float32)
    return (vig * (1.0 + 0.016 * grain))[..., None].astype(np.float32)


def paint(
    plan: Plan, style: str = "storybook", progress: ProgressCallback = no_progress
) -> tuple[Image.Image, dict]:
    painter = Painter(plan, style)
    painter.sky()
    painter.celestial()
    painter.clouds()
    progress(0.3, "небо")
    painter.far()
    painter.middle()
    painter.foreground()
    progress(0.6, "пейзаж")
    figures = painter.figures()
    painter.weather()
    progress(0.85, "герои")
    img = painter.finish()
    sky_name = "night" if plan.sky == "space" else plan.sky
    drawn = [hexc(painter.tone.fig(c)) for c in hero_colours(plan.hero)]
    report = {
        "sky": sky_name,
        "space": plan.space,
        "mood": plan.mood,
        "season": plan.season,
        "places": list(plan.places),
        "figures": figures,
        "hero": plan.hero.name,
        "hero_figure": plan.hero.figure,
        "hero_look": [hexc(c) for c in hero_colours(plan.hero)],
        "hero_colors": drawn,
        "palette": plan.genre,
        "seed": plan.seed,
    }
    return img, report


def genre_key(genre: str) -> str:
    g = " ".join((genre or "").lower().split())
    return g if g in GRADES else DEFAULT_GENRE


class StorybookIllustrator(Illustrator):
    name = "storybook"
    label = "Книжный художник (без модели)"
    defaults = {"seed": None, "style": "storybook"}

    def draw(
        self,
        scene: Scene,
        context: IllustrationContext,
        out_png: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
    ) -> dict:
        opts = self.options(options)
        style = opts["style"] or "storybook"
        if style not in STYLES:
            raise OptionError(f"{self.stage}/{self.name}: style {style!r} is not one of {', '.join(STYLES)}")
        seed = opts["seed"] if opts["seed"] is not None else int(context.seed) + int(scene.index)
        progress(0.0, "читаю сцену")
        genre = genre_key(context.genre)
        hero = hero_from_title(context.title or "")
        plan = analyse(f"{scene.prompt}\n{scene.text}", genre, hero, int(seed))
        progress(0.1, "рисую")
        img, report = paint(plan, style, progress)
        out = Path(out_png)
        out.parent.mkdir(parents=True, exist_ok=True)
        img.save(out, "PNG", compress_level=1)  # the paper grain does not compress; level 1 is 4x faster
        progress(1.0, "картинка готова")
        return report
