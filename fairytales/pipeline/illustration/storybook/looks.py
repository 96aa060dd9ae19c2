"""How the figures look (``data/looks.toml``): their own colours, the people's dress, builds and sizes."""

from __future__ import annotations

from dataclasses import dataclass

from .palette import Lit
from .tables import RGB, read, rgb, rgbs


@dataclass(frozen=True)
class Look:
    """How one figure is painted. Animals and things take fur, light and dark (feathers, scales, metal, a hull
    as well) and the hero's accent; people take the rest."""

    fur: RGB | None = None
    light: RGB | None = None
    dark: RGB | None = None
    accent: RGB | None = None  # the hero's scarf, bow, saddle cloth or sail stripe
    crown: bool = False  # an animal with a crown: the frog princess
    fire: bool = False  # the dragon breathes fire
    saddle: bool = False  # the knight's horse
    swim: bool = False  # the fish jumps out of the water there is, rather than sitting in its own pool
    female: bool = False
    main: RGB | None = None  # the dress
    second: RGB | None = None  # its trim
    hair: RGB | None = None
    hat: str = "none"
    child: bool = False
    old: bool = False
    beard: bool = False
    cloak: bool = False
    shield: bool = False
    sword: bool = False
    armour: bool = False
    staff: bool = False
    broom: bool = False


COLOUR_FIELDS = frozenset({"fur", "light", "dark", "accent", "main", "second", "hair"})


def look_from(row: dict) -> Look:
    return Look(**{key: rgb(value) if key in COLOUR_FIELDS else value for key, value in row.items()})


@dataclass(frozen=True)
class Variant:
    """A kind that looks unlike the rest of its figure: the firebird, the swan, the pike."""

    figure: str
    words: frozenset[str]
    look: Look


@dataclass(frozen=True)
class Build:
    """A four-legged animal's build, in pen units."""

    leg: float
    leg_width: float
    body_rx: float  # the body's half length...
    body_ry: float  # ...and half height
    head: float  # the head's radius
    snout: float
    ear: str  # point, round, floppy
    ear_length: float
    tail: str  # down, up, thin, stub


@dataclass(frozen=True)
class Size:
    """The room a figure takes, in pen units, and where it goes: ground, sky or sea."""

    width: float
    height: float
    where: str = "ground"


@dataclass(frozen=True)
class Looks:
    natural: dict[str, Look]  # the animals' own colours
    variants: tuple[Variant, ...]
    people: dict[str, Look]
    hero_main: tuple[RGB, ...]  # the hero's colours are drawn from these unless the title names one
    hero_second: tuple[RGB, ...]
    hair: tuple[RGB, ...]
    maiden_hats: tuple[str, ...]  # for a hero the lexicon does not know
    lad_hats: tuple[str, ...]
    accented: frozenset[str]  # figures whose hero shows its accent: reported among the hero's colours
    quadrupeds: dict[str, Build]
    sizes: dict[str, Size]


def _variant(row: dict) -> Variant:
    fur, lit, dark = (rgb(row[part]) for part in ("fur", "light", "dark"))
    if row.get("glows"):  # the firebird: the night does not dim it
        fur, lit, dark = Lit(fur), Lit(lit), Lit(dark)
    return Variant(row["figure"], frozenset(row["words"]), Look(fur=fur, light=lit, dark=dark))


def load() -> Looks:
    table = read("looks.toml")
    hero = table["hero"]
    return Looks(
        natural={figure: look_from(row) for figure, row in table["natural"].items()},
        variants=tuple(_variant(row) for row in table["variants"]),
        people={person: look_from(row) for person, row in table["people"].items()},
        hero_main=rgbs(hero["main"]),
        hero_second=rgbs(hero["second"]),
        hair=rgbs(hero["hair"]),
        maiden_hats=tuple(hero["maiden_hats"]),
        lad_hats=tuple(hero["lad_hats"]),
        accented=frozenset(hero["accented"]),
        quadrupeds={animal: Build(**row) for animal, row in table["quadrupeds"].items()},
        sizes={figure: Size(**row) for figure, row in table["sizes"].items()},
    )


LOOKS = load()


def natural_look(figure: str, variant: str) -> Look:
    """A figure's own colours: the wolf grey, the firebird golden, the swan white; none for things."""
    for kind in LOOKS.variants:
        if kind.figure == figure and variant in kind.words:
            return kind.look
    return LOOKS.natural.get(figure, Look())
