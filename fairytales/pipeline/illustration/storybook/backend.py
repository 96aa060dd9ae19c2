"""The storybook illustrator: a picture drawn with Pillow from the scene's words, no model.

The scene's prompt and text are read by lemma (so «волка», «волку» and «волком» all bring the
wolf); what they name picks the sky (night, dawn, sunset, storm, day), the places (forest, sea,
hut, palace...) and the figures (animals, people, magic objects).  The tale's hero comes from its
title and looks the same in every scene: its colours are derived from the title alone.  The
genre picks the palette.  Placement varies with the seed; the same inputs give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ... import genres
from ...backend import SEED, Option
from ...notes import Note
from ...types import ProgressCallback, Scene, no_progress
from .. import HEIGHT, SHOTS, STILL, WIDTH, IllustrationContext, Illustrator
from .painter import Painter
from .palette import hex_colour
from .planning import Plan, analyse, hero_colours, hero_from_title
from .sheet import with_sheet


def paint(
    plan: Plan, style: str = "storybook", progress: ProgressCallback = no_progress,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> tuple[Image.Image, dict]:
    """The picture, painted back to front for a frame of ``size`` (composed for its aspect, drawn at its
    pixels), and a report of what is in it."""
    painter = Painter(plan, style, size)
    painter.sky()
    painter.celestial()
    painter.clouds()
    progress(0.3, Note("небо"))
    painter.far()
    painter.middle()
    painter.foreground()
    progress(0.6, Note("пейзаж"))
    figures = painter.figures()
    painter.weather()
    progress(0.85, Note("герои"))
    image = painter.finish()
    report = {
        "sky": "night" if plan.sky == "space" else plan.sky,
        "space": plan.space,
        "mood": plan.mood,
        "season": plan.season,
        "places": list(plan.places),
        "figures": figures,
        "hero": plan.hero.name,
        "hero_figure": plan.hero.figure,
        "hero_look": [hex_colour(c) for c in hero_colours(plan.hero)],
        "hero_colors": [hex_colour(painter.tone.figure(c)) for c in hero_colours(plan.hero)],
        "palette": plan.genre.name,
        "seed": plan.seed,
    }
    return image, report


class StorybookIllustrator(Illustrator):
    name = "storybook"
    label = "Книжный художник (без модели)"
    native_size = True  # vector-like: drawn at the still's size, never enlarged
    declared_options = (SEED, Option("style", "storybook", "Стиль", choices=("storybook", "flat")),
                        STILL, SHOTS)

    def draw(
        self,
        scene: Scene,
        context: IllustrationContext,
        out_png: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
    ) -> dict:
        opts = self.options(options)  # checks the style and the seed's bounds: an OptionError otherwise
        style = opts["style"] or "storybook"
        seed = opts["seed"] if opts["seed"] is not None else int(context.seed) + int(scene.index)
        progress(0.0, Note("читаю сцену"))
        hero = hero_from_title(context.title or "", context.language)
        plan = analyse(f"{scene.prompt}\n{scene.text}", genres.get(context.genre), hero, int(seed),
                       context.language)
        plan = with_sheet(plan, context.cast)  # the character sheet's colours, where its owner changed them
        progress(0.1, Note("рисую"))
        image, report = paint(plan, style, progress, (context.width, context.height))
        out = Path(out_png)
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(out, "PNG", compress_level=1)  # the paper grain does not compress; level 1 is 4x faster
        progress(1.0, Note("картинка готова"))
        return report
