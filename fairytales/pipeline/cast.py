"""The character sheet: the tale's cast, each with a fixed description, palette and seed, and the scenes
that show them, so every picture draws the same hero.

The template storyteller's plot names the roles (hero, helper, villain, donor: ``story/template/plot.py``);
an LM story's cast is its title's hero, the speakers of its lines and the animals and people the storybook
lexicon knows in its text. A character is recognised in a text by lemma (any case of its name). The look
comes from the storybook lexicon (what the offline illustrator draws it as) and the words from
``data/cast.toml``, in the tale's language; the palette is the storybook's own colours of that figure, so an
unedited sheet draws the same pictures as no sheet, and an edited one recolours the figure in every scene.
A neural illustrator draws a reference picture of each main character once (``Illustrator.reference``).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .backend import SEED
from .illustration.storybook.figures import look_for
from .illustration.storybook.lexicon import LEXICON
from .illustration.storybook.palette import hex_colour
from .illustration.storybook.planning import Item, hero_from_title
from .illustration.storybook.words import as_lexicon_lemma, words_of
from .story.template import plot
from .story.template.packs import grammar as _grammar
from .types import Scene, TaleRequest

DATA = Path(__file__).with_name("data") / "cast.toml"
SEED_OFFSET = 400  # beside makers.SEED_OFFSETS: a character's seed is the tale's + this + its place
MAX_MEMBERS = 8
LOOK_PARTS = ("main", "second", "hair", "fur", "light", "dark", "accent")  # storybook Look colour fields


@functools.cache
def table() -> dict[str, Any]:
    with open(DATA, "rb") as handle:
        return tomllib.load(handle)


@dataclass
class CastMember:
    """One character of the sheet. ``reference`` (a neural illustrator's picture of them) is a file of the
    cast result, not part of the sheet's JSON."""

    key: str  # "hero", "helper", "villain", "donor", or "character-N"
    role: str  # "hero", "helper", "villain", "donor" or "character"
    name: str  # as the tale names them, in its language
    figure: str  # what the storybook draws them as (its lexicon's figure key)
    description: str
    palette: dict[str, str]  # storybook look part → "#rrggbb"
    seed: int
    scenes: list[int] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)  # lemmas that name them in a text
    edited: bool = False  # the owner's words: kept when the sheet is made again
    reference: Path | None = None

    @property
    def main(self) -> bool:
        return self.role in table()["roles"]["main"]

    def entry(self) -> dict:
        """What a picture of them depends on (the illustration node's inputs): edit one, redraw its scenes."""
        return {"key": self.key, "description": self.description, "palette": self.palette, "seed": self.seed}

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("reference")
        return data

    @classmethod
    def from_dict(cls, data: dict, reference: Path | None = None) -> CastMember:
        known = {f.name for f in fields(cls)} - {"reference"}
        return cls(**{k: v for k, v in data.items() if k in known}, reference=reference)


# -- reading texts -------------------------------------------------------------------------------------------

def text_lemmas(text: str, language: str) -> set[str]:
    """The lemmas of ``text``'s words (and of a hyphenated word's parts)."""
    grammar = _grammar(language)
    out: set[str] = set()
    for word in grammar.WORD_RE.findall(text):
        out.add(grammar.lemma(word))
        if "-" in word:
            out.update(grammar.lemma(part) for part in word.split("-") if len(part) > 1)
    return out


def markers(name: str, language: str) -> list[str]:
    """The lemmas a text names ``name`` by, in any of its cases («Дружок»: «дружок», and «дружка», which
    the dictionary reads «Дружка» as)."""
    grammar = _grammar(language)
    skip = set(table()[language]["skip"])
    found: set[str] = set()
    for word in grammar.WORD_RE.findall(name):
        if word.lower() in skip:
            continue
        for part in [word, *(p for p in word.split("-") if len(p) > 1 and "-" in word)]:
            for case in grammar.CASES:
                form = grammar.inflect(part, case)
                found.add(grammar.lemma(form))
    named = found - skip
    return sorted(named - set(LEXICON.colours) or named)  # «Красная Шапочка» is not every red thing


def shown_in(cast: list[CastMember], scene: Scene, language: str) -> list[CastMember]:
    """The members that ``scene`` (a scene or one shot of it) names: what its picture should show."""
    found = text_lemmas(f"{scene.prompt}\n{scene.text}", language)
    return [member for member in cast if set(member.markers) & found]


# -- the sheet -----------------------------------------------------------------------------------------------

def make_sheet(request: TaleRequest, scenes: list[Scene], plot_roles: dict | None = None,
               reference_roles: dict | None = None, previous: list[CastMember] | None = None) -> list[CastMember]:
    """The cast of the tale: the plot's roles (``plot_roles``: role key → noun phrase, for a template story;
    ``reference_roles``: the same plot's in Russian, which the storybook lexicon reads) or the characters
    the scenes name; each with the scenes that show them. A member the owner edited keeps their words,
    palette and seed."""
    language = request.language
    if plot_roles:
        people = _plot_people(request, plot_roles, reference_roles or plot_roles)
    else:
        people = _named_people(request, scenes)
    kept = {member.key: member for member in previous or [] if member.edited}
    sheet: list[CastMember] = []
    lemmas = [text_lemmas(f"{scene.prompt}\n{scene.text}", language) for scene in scenes]
    for place, (key, role, name, figure, palette) in enumerate(people[:MAX_MEMBERS]):
        found = markers(name, language)
        member = CastMember(key=key, role=role, name=name, figure=figure, palette=palette,
                            description=describe(name, figure, palette, language),
                            seed=(request.seed + SEED_OFFSET + place) % (SEED.max + 1), markers=found)
        if key in kept and kept[key].name == name:
            old = kept[key]
            member = replace(member, description=old.description, palette=old.palette, seed=old.seed, edited=True)
        member.scenes = [scene.index for scene, words in zip(scenes, lemmas) if set(found) & words]
        sheet.append(member)
    return sheet


def _plot_people(request: TaleRequest, roles: dict, reference: dict) -> list[tuple]:
    keys = table()["roles"]["plot_keys"]
    people = []
    for role in table()["roles"]["order"]:
        phrase = roles.get(keys[role])
        if phrase is None:
            continue
        name = phrase.short or phrase.text
        figure, palette = (_hero_look(request) if role == "hero"
                           else _look(reference.get(keys[role], phrase).text, "ru" if reference is not roles
                                      else request.language))
        people.append((role, role, name, figure, palette))
    return people


def _named_people(request: TaleRequest, scenes: list[Scene]) -> list[tuple]:
    """An LM story's cast: the title's hero, then whoever speaks, then the figures the lexicon knows."""
    language = request.language
    grammar = _grammar(language)
    figure, palette = _hero_look(request)
    hero_name = _hero_name(request)
    people = [("hero", "hero", hero_name, figure, palette)]
    seen = {figure, *markers(hero_name, language)}
    candidates: list[str] = []
    for scene in scenes:
        candidates += [line.speaker for line in scene.lines if line.speaker not in ("narrator", "character")]
        for word in words_of(scene.text, language):
            known = LEXICON.figures.get(as_lexicon_lemma(word, language))
            if known and known not in LEXICON.things:
                candidates.append(grammar.lemma(word))
    for name in candidates:
        figure, palette = _look(name, language)
        if figure in seen or set(markers(name, language)) & seen:
            continue
        seen.update({figure, *markers(name, language)})
        people.append((f"character-{len(people)}", "character", name, figure, palette))
    return people


def _hero_name(request: TaleRequest) -> str:
    title_hero = _grammar(request.language).hero_from_title(request.title)
    return title_hero.text if title_hero is not None else hero_from_title(request.title, request.language).name


def _hero_look(request: TaleRequest) -> tuple[str, dict[str, str]]:
    """What the storybook draws the title's hero as, and in which colours."""
    hero = hero_from_title(request.title, request.language)
    return hero.figure, _palette(hero.look)


def _look(name: str, language: str) -> tuple[str, dict[str, str]]:
    """What the storybook draws a character named ``name`` as (the lexicon's figure), in its own colours."""
    drawn = hero_from_title(name, language)  # the figure a title of that name would be; its look if none
    own = look_for(Item(drawn.figure, drawn.variant), _NO_PLAN)
    palette = _palette(own) or _palette(drawn.look)
    return drawn.figure, palette


# what ``look_for`` asks a plan (whether the dragon breathes fire, the horse is saddled): not on the sheet
_NO_PLAN = SimpleNamespace(fire=False, figures=(), recolour={})


def _palette(look) -> dict[str, str]:
    return {part: hex_colour(getattr(look, part)) for part in LOOK_PARTS if getattr(look, part) is not None}


def describe(name: str, figure: str, palette: dict[str, str], language: str) -> str:
    """«{name}: {look}; цвета: …» in ``language``, from ``data/cast.toml``."""
    words = table()[language]
    look = words["looks"].get(figure) or words["looks"]["молодец"]
    colours = list(dict.fromkeys(colour_name(value, language) for value in list(palette.values())[:3]))
    return words["template"].format(name=name, look=look, colours=", ".join(colours))


def colour_name(value: str, language: str) -> str:
    """The lexicon's colour word nearest ``value`` ("#rrggbb"), in ``language``."""
    rgb = tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))
    nearest = min(LEXICON.colours, key=lambda word: sum((a - b) ** 2 for a, b in zip(LEXICON.colours[word], rgb)))
    return nearest if language == "ru" else table()["colours"][nearest][language]


def colours_named(text: str, language: str) -> list[str]:
    """The colours ("#rrggbb") the lexicon's colour words in ``text`` name, in order."""
    found = [as_lexicon_lemma(word, language) for word in words_of(text, language)]
    return list(dict.fromkeys(hex_colour(LEXICON.colours[w]) for w in found if w in LEXICON.colours))


def edit(member: CastMember, language: str, description: str | None = None, palette: list[str] | None = None,
         redraw: bool = False) -> CastMember:
    """The member as the owner edits them: new words (whose colour words recolour the palette, first part
    first: «в синем платье» makes the dress blue), explicit colours, or only a new reference (a new seed)."""
    new_palette = dict(member.palette)
    colours = list(palette or [])
    if description is not None and not colours:
        in_name = set(colours_named(member.name, language))  # «Красная Шапочка … в синем»: blue
        colours = [colour for colour in colours_named(description, language) if colour not in in_name]
    for part, colour in zip(new_palette, colours):
        new_palette[part] = colour.lower()
    return replace(member, description=(description or member.description).strip(), palette=new_palette,
                   seed=(member.seed + 1) % (SEED.max + 1) if redraw else member.seed, edited=True)


def write_sheet(sheet: list[CastMember], path: Path) -> Path:
    path.write_text(json.dumps([m.to_dict() for m in sheet], ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read_sheet(files: dict[str, Path]) -> list[CastMember]:
    """The sheet of a cast result (its files: ``sheet`` and ``reference_<key>``)."""
    data = json.loads(Path(files["sheet"]).read_text("utf-8"))
    return [CastMember.from_dict(d, files.get(f"reference_{d['key']}")) for d in data]


# -- the cast node (what Runner._cast calls) -----------------------------------------------------------------

def plot_roles(request: TaleRequest, story) -> tuple[dict | None, dict | None]:
    """The template storyteller's roles for the current story (in the tale's language and in Russian), or
    (None, None) for a story another backend wrote or its owner edited."""
    if story is None or story.backend != "template":
        return None, None
    seed = story.options.get("seed")
    seed = request.seed if seed is None else seed
    roles = plot.plan(request.title, request.genre, seed, request.language).roles
    return roles, (roles if request.language == "ru" else plot.plan(request.title, request.genre, seed, "ru").roles)


def apply_redo(sheet: list[CastMember], redo, language: str) -> list[CastMember]:
    """The sheet with the owner's edit of one character (``redo.options["character"]``: their key): new words
    (``redo.text``), colours (``options["palette"]``: "#rrggbb" comma-separated), or a new reference
    (``options["redraw"]``)."""
    key = (redo.options or {}).get("character")
    if key is None:
        return sheet
    if key not in {member.key for member in sheet}:
        raise ValueError(f"cast: no character {key!r} (the sheet has {', '.join(m.key for m in sheet)})")
    palette = redo.options.get("palette") or []
    if isinstance(palette, str):
        palette = [p.strip() for p in palette.split(",") if p.strip()]
    for colour in palette:
        if len(colour) != 7 or colour[0] != "#" or any(c not in "0123456789abcdefABCDEF" for c in colour[1:]):
            raise ValueError(f"cast: {colour!r} is not a colour (#rrggbb)")
    return [edit(m, language, redo.text, palette, bool(redo.options.get("redraw"))) if m.key == key else m
            for m in sheet]


def draw_references(sheet: list[CastMember], previous: list[CastMember], illustrator, options: dict, context,
                    part, progress) -> dict[str, Path]:
    """Each main character's reference picture, by the tale's illustrator (none for one that draws from the
    sheet itself): kept from the previous sheet while their entry is the same, else drawn anew to
    ``part(filename)``. Returns the cast result's files ``reference_<key>``."""
    before = {member.key: member for member in previous}
    mains = [member for member in sheet if member.main]
    files: dict[str, Path] = {}
    for number, member in enumerate(mains):
        path = part(f"reference-{member.key}.png")
        old = before.get(member.key)
        kept = old is not None and old.reference is not None and old.reference.is_file()
        if kept and old.entry() == member.entry():
            try:
                os.link(old.reference, path)
            except OSError:
                shutil.copyfile(old.reference, path)
        else:
            def inner(fraction: float, message: str = "", number=number) -> None:
                progress((number + fraction) / len(mains), message)

            member_context = replace(context, cast=[member])
            if illustrator.reference(member, member_context, path, options, inner) is None:
                return {}
        files[f"reference_{member.key}"] = member.reference = path
    return files


def described(prompt: str, members: list[CastMember]) -> str:
    """A scene's prompt followed by the sheet's words for whoever it shows (before the genre's style words,
    which a text encoder's length cuts first)."""
    if not members:
        return prompt
    return "; ".join([prompt.strip().rstrip("."), *(member.description for member in members)])
