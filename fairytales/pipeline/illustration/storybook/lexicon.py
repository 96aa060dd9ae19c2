"""Which words bring which sky, place, figure and colour (``data/lexicon.toml``), read once."""

from __future__ import annotations

from dataclasses import dataclass

from .tables import RGB, read, rgb, word_index


@dataclass(frozen=True)
class FigureKind:
    """Words that make a figure a kind of its own, drawn differently (a hen is a rooster's kind)."""

    figure: str
    words: frozenset[str]


@dataclass(frozen=True)
class Lexicon:
    sky_order: tuple[str, ...]  # the first of these skies the scene names is the sky
    sky_words: dict[str, frozenset[str]]
    dark: frozenset[str]
    bright: frozenset[str]
    winter: frozenset[str]
    autumn: frozenset[str]
    fire: frozenset[str]
    places: dict[str, str]  # word -> place
    lakes: frozenset[str]  # words for water drawn as a lake under the place «река»
    castles: frozenset[str]  # words for a palace drawn as a castle
    figures: dict[str, str]  # word -> figure
    kinds: dict[str, FigureKind]  # "hen", "firebird", "gorynych"
    rockets: frozenset[str]  # a ship these words name is a rocket
    colours: dict[str, RGB]
    generic_nouns: frozenset[str]  # title words that name no one («Сказка о …»)
    things: frozenset[str]  # figures that are things: in a title, motifs in every scene, never the hero
    crowning: frozenset[str]  # figures that crown an animal joined to its name («Царевна-лягушка»)
    renames: dict[str, str]  # a title's noun the tale means otherwise («змея» is the dragon)

    @property
    def place_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.places.values()))

    @property
    def figure_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.figures.values()))

    def kind_of(self, figure: str, word: str) -> str:
        """The kind ("hen", "firebird" …) ``word`` makes of ``figure``; else the figure itself."""
        for name, kind in self.kinds.items():
            if kind.figure == figure and word in kind.words:
                return name
        return figure

    def is_kind(self, word: str, kind: str) -> bool:
        return word in self.kinds[kind].words


def load() -> Lexicon:
    table = read("lexicon.toml")
    sky, title = table["sky"], table["title"]
    return Lexicon(
        sky_order=tuple(sky["order"]),
        sky_words={name: frozenset(words) for name, words in sky["words"].items()},
        dark=frozenset(table["mood"]["dark"]),
        bright=frozenset(table["mood"]["bright"]),
        winter=frozenset(table["season"]["winter"]),
        autumn=frozenset(table["season"]["autumn"]),
        fire=frozenset(table["fire"]),
        places=word_index(table["places"], "lexicon.toml [places]"),
        lakes=frozenset(table["place_kinds"]["lake"]),
        castles=frozenset(table["place_kinds"]["castle"]),
        figures=word_index(table["figures"], "lexicon.toml [figures]"),
        kinds={
            name: FigureKind(kind["figure"], frozenset(kind["words"]))
            for name, kind in table["figure_kinds"].items()
        },
        rockets=frozenset(table["rockets"]),
        colours={word: rgb(colour) for word, colour in table["colours"].items()},
        generic_nouns=frozenset(title["generic"]),
        things=frozenset(title["things"]),
        crowning=frozenset(title["crowning"]),
        renames=dict(title["rename"]),
    )


LEXICON = load()
