"""The figures: which function draws each, how much room it takes, and its layer, drawn and outlined."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from PIL import Image, ImageFilter

from ..lexicon import LEXICON
from ..looks import LOOKS, Look, natural_look
from ..palette import Tone
from ..pen import INK, SUPERSAMPLE, Pen
from ..planning import LAD, MAIDEN, Item, Plan
from ..sheet import recolour
from .animals import (
    draw_bird,
    draw_fish,
    draw_frog,
    draw_hedgehog,
    draw_horse,
    draw_kolobok,
    draw_quadruped,
    draw_rooster,
    draw_sitter,
)
from .creatures import draw_dragon, draw_robot
from .people import draw_person
from .things import (
    draw_apple,
    draw_apple_tree,
    draw_chest,
    draw_ring,
    draw_rocket,
    draw_ship,
    draw_star,
    draw_sword,
)

Drawing = Callable[[Pen, Look, str], None]  # (pen, look, kind): kind is the figure or its kind ("hen" …)

DRAWINGS: dict[str, Drawing] = {
    "волк": draw_quadruped,
    "лиса": draw_quadruped,
    "медведь": draw_quadruped,
    "собака": draw_quadruped,
    "конь": draw_horse,
    "заяц": draw_sitter,
    "кот": draw_sitter,
    "мышь": draw_sitter,
    "еж": draw_hedgehog,
    "петух": draw_rooster,
    "ворон": draw_bird,
    "птица": draw_bird,
    "лягушка": draw_frog,
    "рыба": draw_fish,
    "колобок": draw_kolobok,
    "змей": draw_dragon,
    "робот": draw_robot,
    "яблоко": draw_apple,
    "яблоня": draw_apple_tree,
    "меч": draw_sword,
    "кольцо": draw_ring,
    "сундук": draw_chest,
    "звезда": draw_star,
    "корабль": draw_ship,
    **{person: draw_person for person in (*LOOKS.people, MAIDEN, LAD)},
}
CHILD_SCALE = 0.8


@dataclass(frozen=True)
class Spec:
    draw: Drawing
    width: float
    height: float
    where: str = "ground"  # ground, sky, sea


SPECS: dict[str, Spec] = {
    figure: Spec(DRAWINGS[figure], size.width, size.height, size.where)
    for figure, size in LOOKS.sizes.items()
}


def look_for(item: Item, plan: Plan) -> Look:
    if item.hero:
        look = plan.hero.look
    elif item.key in LOOKS.people:
        look = LOOKS.people[item.key]
    else:
        look = replace(natural_look(item.key, item.variant), accent=None)
    if not item.hero:
        look = recolour(look, plan.recolour.get(item.key))
    if item.key == "змей":
        look = replace(look, fire=plan.fire)
    if item.key == "конь" and any(f.key == "богатырь" for f in plan.figures):
        look = replace(look, saddle=True)
    return look


def render_figure(
    item: Item, plan: Plan, tone: Tone, scale: float, facing: int, style: str, swim: bool = False
) -> tuple[Image.Image, float, float]:
    """The figure on its own transparent layer; returns it and where its feet are on the layer."""
    spec = SPECS[item.key]
    look = replace(look_for(item, plan), swim=swim)
    if look.child:
        scale *= CHILD_SCALE
    half_width = spec.width / 2 + 70
    top = spec.height + 70
    bottom = 60 if spec.where != "ground" else 30
    if spec.where == "sky":
        top = spec.height * 0.75 + 40
        bottom = spec.height * 0.5 + 40
    pen = Pen(scale, facing, tone.figure, half_width, top, bottom)
    draw = spec.draw
    if item.key == "корабль" and item.variant == "ракета":
        draw = draw_rocket
    draw(pen, look, LEXICON.kind_of(item.key, item.variant))
    image = pen.image
    if style == "storybook":
        image = outlined(image, tone.figure(INK), max(2.0, 3.2 * scale * SUPERSAMPLE))
    return image, pen.origin_x, pen.origin_y


def outlined(image: Image.Image, ink, width: float) -> Image.Image:
    """The figure with an ink line about it: its silhouette grown by ``width``, under it."""
    alpha = image.getchannel("A")
    bbox = alpha.getbbox()
    if bbox is None:
        return image
    grown = alpha.filter(ImageFilter.GaussianBlur(width * 0.55))
    lut = [0 if v < 3 else min(255, (v - 3) * 40) for v in range(256)]
    mask = grown.point(lut)
    out = Image.new("RGBA", image.size, tuple(ink[:3]) + (255,))
    out.putalpha(mask)
    out.alpha_composite(image)
    return out
