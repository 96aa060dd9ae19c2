"""The character sheet's colours on the storybook's figures (pipeline/cast.py): a member's palette names the
colour of each part of their look («main», «fur», …). Only the parts that differ from the figure's own colours
change, so an unedited sheet draws exactly what no sheet draws, and an edited one recolours that figure in
every scene that shows it."""

from __future__ import annotations

from dataclasses import replace

from .looks import Look
from .palette import hex_colour

HERO = "hero"  # the key of the hero's colours in Plan.recolour (the others' are their figures)


def recolour(look: Look, palette: dict[str, str] | None) -> Look:
    """``look`` with the parts whose colour ``palette`` changes."""
    changed = {}
    for part, value in (palette or {}).items():
        own = getattr(look, part, None)
        if own is not None and hex_colour(own) != value.lower():
            changed[part] = tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))
    return replace(look, **changed) if changed else look


def sheet_colours(cast) -> dict[str, dict[str, str]]:
    """{figure (or HERO): palette} of the sheet's members a picture shows."""
    colours: dict[str, dict[str, str]] = {}
    for member in cast:
        colours.setdefault(HERO if member.role == "hero" else member.figure, member.palette)
    return colours


def with_sheet(plan, cast):
    """``plan`` with the sheet's colours: the hero's look recoloured, the others' kept for ``look_for``."""
    colours = sheet_colours(cast)
    if not colours:
        return plan
    hero = replace(plan.hero, look=recolour(plan.hero.look, colours.get(HERO)))
    return replace(plan, hero=hero, recolour=colours)
