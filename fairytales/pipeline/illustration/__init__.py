"""Illustration stage: one picture per scene, from the scene's prompt."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..backend import Backend, Option
from ..types import ProgressCallback, Scene, no_progress

if TYPE_CHECKING:
    from ..cast import CastMember

WIDTH, HEIGHT = 1280, 720
DRAFT = 1280  # the long side a non-native illustrator's picture is fitted to before the upscale step
# The long side of a scene's still; 0: the film's frame. Larger stills are drawn so by the storybook
# illustrator, enlarged by the upscale step (illustration/upscale.py) for the others.
STILL = Option("still", 0, "Длинная сторона картинки, px (0 — как кадр фильма)", min=0, max=2560,
               presets=(0, 2048), form=True)
# A scene's text is cut into shots, each its own picture held at most this long (pipeline/shots.py); 0: one
# picture per scene.
SHOTS = Option("shot_seconds", 15, "Картинка на экране не дольше, с (0 — одна на сцену)", kind=int, min=0, max=120,
               presets=(0, 10, 15, 20, 30), form=True)


@dataclass
class IllustrationContext:
    """What every scene's picture shares, so the hero looks the same throughout."""

    title: str
    genre: str
    seed: int
    width: int = WIDTH  # the picture asked for: the film's aspect, the still's size
    height: int = HEIGHT
    language: str = "ru"  # the tale's: the storybook reads the words in it; the neural ones take any prompt
    # the character sheet's members this picture's scene shows (pipeline/cast.py): their looks, descriptions,
    # seeds and reference pictures; a backend picks those its scene (or shot) names with cast.shown_in
    cast: list[CastMember] = field(default_factory=list)


def shaped(width: int, height: int, context: IllustrationContext) -> tuple[int, int]:
    """A neural illustrator's size option (``width`` × ``height``, its pixel budget) in the shape of the
    picture asked for: a vertical film gets upright pictures of about the same area, not landscapes that the
    frame then crops to their middle third. A size already of that shape is kept as it is."""
    aspect = context.width / context.height
    if abs(width / height - aspect) < 0.02:
        return width, height
    area = width * height
    return round(math.sqrt(area * aspect)), round(math.sqrt(area / aspect))


class Illustrator(Backend):
    stage = "illustration"
    native_size = False  # draws at any context size itself; else it is fitted to the draft and upscaled

    def draw(
        self,
        scene: Scene,
        context: IllustrationContext,
        out_png: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
    ) -> dict:
        """Write a context.width x context.height PNG to ``out_png``; return what was drawn (for the page and
        the tests)."""
        raise NotImplementedError

    def reference(self, member: CastMember, context: IllustrationContext, out_png: Path, options: dict,
                  progress: ProgressCallback = no_progress) -> dict | None:
        """Draw ``member``'s reference picture from their description to ``out_png`` (a neural illustrator:
        every picture of them follows it); None: this illustrator needs none (it draws from the sheet)."""
        return None

    def extra_files(self, out_png: Path) -> dict[str, Path]:
        """Files the draw of ``out_png`` wrote beside it, by role, kept in the picture's result with it
        (vqgan_clip: the latent the picture decodes from, for the film's latent morphs)."""
        return {}

    @classmethod
    def work(cls, options: dict, pictures: int) -> float:
        """How much computing ``pictures`` pictures with ``options`` takes (pixels × iterations × pictures),
        bounded per tale by ``limits.MAX_PICTURE_WORK``; the offline illustrators' work is negligible."""
        return 0.0


def cover(image, width: int = WIDTH, height: int = HEIGHT):
    """``image`` scaled to cover width x height, keeping its aspect ratio, and the middle cropped: the frame
    is filled, nothing is squashed, no bars."""
    from PIL import Image  # noqa: PLC0415 - the pipeline's interfaces import nothing heavy

    scale = max(width / image.width, height / image.height)
    size = (max(width, round(image.width * scale)), max(height, round(image.height * scale)))
    resized = image.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    left, top = (resized.width - width) // 2, (resized.height - height) // 2
    return resized.crop((left, top, left + width, top + height))


def styled_prompt(scene_prompt: str, genre: str) -> str:
    """A scene's prompt with its genre's picture style, for the neural illustrators."""
    from .. import genres  # noqa: PLC0415

    text = scene_prompt.strip().rstrip(".")
    style = genres.get(genre).picture_style
    return f"{text}. {style}" if text else style
