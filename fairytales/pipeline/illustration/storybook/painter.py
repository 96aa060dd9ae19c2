"""The painter: lays the picture out, paints the landscape's parts from the sky forwards, places the figures,
and finishes the picture on paper."""

from __future__ import annotations

import functools
import random

import numpy as np
from PIL import Image

from .canvas import Canvas, H, W, frame_units
from .figures import CHILD_SCALE, SPECS, render_figure
from .landscape import Buildings, FarLand, Foreground, MiddleGround, Sky, Trees, Water
from .landscape.base import Layout
from .looks import LOOKS
from .palette import PALETTES, Tone
from .pen import SUPERSAMPLE
from .planning import Item, Plan


class Painter(Sky, FarLand, MiddleGround, Water, Buildings, Trees, Foreground):
    def __init__(self, plan: Plan, style: str, size: tuple[int, int] = (W, H)):
        self.plan = plan
        self.size = size  # the finished picture's pixels
        self.W, self.H = frame_units(*size)
        self.style = style
        self.rng = random.Random(plan.seed * 7919 + 17)
        self.blot_rng = np.random.default_rng(plan.seed & 0xFFFFFFFF)  # the paper's blots
        self.tone = Tone(PALETTES.grades[plan.genre.palette], plan.sky, plan.mood)
        self.canvas = Canvas(self.W, self.H)
        self.night = plan.sky in ("night", "storm", "space")
        self.water_spot = None
        self.shore = None
        has = set(plan.places)
        horizon = self.H * (0.5 if "море" in has else 0.46 if "горы" in has else 0.52)
        sun_x = self.rng.choice([0.18, 0.3, 0.7, 0.82]) * self.W
        sun_y = PALETTES.skies[plan.sky].sun_height * self.H
        if plan.sky in ("dawn", "sunset"):
            sun_y = horizon - 24
        self.layout = Layout(horizon=horizon, mid=horizon + self.H * 0.1, front=self.H * 0.74, sun=(sun_x, sun_y))
        # structures on the sides, away from the sun's side where possible
        sides = ["left", "right"]
        self.rng.shuffle(sides)
        for place in ("изба", "пещера", "сад", "дворец", "деревня"):
            if place in has:
                if place in ("дворец", "деревня") and (
                    not sides or len([p for p in has if p in ("изба", "пещера", "сад")]) >= 1
                ):
                    self.layout.sides[place] = "back"
                elif sides:
                    self.layout.sides[place] = sides.pop(0)
                else:
                    self.layout.sides[place] = "back"

    def figures(self) -> list[str]:
        """Place and draw the figures: flyers in the sky, the others in a row on the ground with the hero in
        the middle, a fish in the water. Returns the figures drawn besides the hero, in the scene's order."""
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
        sx = self.layout.sun[0] / self.W
        slots = [s for s in slots if abs(s - sx) > 0.12]
        rng.shuffle(slots)
        if hero_flies:
            best = min(slots, key=lambda s: abs(s - 0.5))
            slots.remove(best)
            slots.append(best)
            sky.insert(0, hero_item)
        for item in sky:
            if not slots:  # no room left in the sky: a bird comes down to the ground, the rest stay out
                if item.key in ("птица", "ворон"):
                    ground.append(item)
                continue
            x = slots.pop() * self.W
            spec = SPECS[item.key]
            y = rng.uniform(self.H * 0.14, self.layout.horizon * 0.62) + spec.height * 0.15
            scale = rng.uniform(0.8, 1.0) if item.key not in ("птица", "ворон") else rng.uniform(0.6, 0.8)
            if item.hero:
                scale = {"птица": 1.25, "ворон": 1.25, "корабль": 0.75}.get(item.key, 1.0)
                y = max(y, self.H * 0.3)
            facing = 1 if x < self.W / 2 else -1
            image, origin_x, origin_y = render_figure(item, plan, self.tone, scale, facing, self.style)
            if item.variant == "ракета":
                image = image.rotate(-30 * facing, resample=Image.BICUBIC, expand=False)
            if item.key == "звезда":
                with self.canvas.layer(blur=20, box=(x - 80, y - 80, x + 80, y + 80)) as overlay:
                    overlay.ellipse(x, y, 80, 80, self.tone.glow((255, 230, 140))[:3] + (120,))
            self.canvas.paste(image, x, y, origin_x, origin_y)
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
            if item.key in LOOKS.people and LOOKS.people[item.key].child:
                k *= CHILD_SCALE
            widths.append(SPECS[item.key].width * k * 0.8)
        usable = self.W * 0.86
        scale = min(1.0, usable / (sum(widths) + 20 * max(0, len(row) - 1) + 1))
        gap = (usable - sum(widths) * scale) / max(1, len(row))
        x = self.W * 0.07 + gap / 2
        placed = []
        for item, width in zip(row, widths):
            cx = x + width * scale / 2 + rng.uniform(-gap * 0.3, gap * 0.3)
            x += width * scale + gap
            feet = self.H * (rng.uniform(0.9, 0.94) if item.hero else rng.uniform(0.82, 0.93))
            if "море" in plan.places:
                feet = max(feet, self.layout.front + 60)
            placed.append((feet, cx, item, False))
        # swimmers: in the water, where no one on the shore and no house stands in front of them
        taken = [cx for _, cx, _, _ in placed]
        for side, zone in (("left", (0.0, 0.32)), ("right", (0.68, 1.0))):
            if side in {v for k, v in self.layout.sides.items() if k in ("изба", "пещера", "сад")}:
                taken += [self.W * t for t in np.linspace(zone[0], zone[1], 5)]
        water_y = self.water_spot[1] if self.water_spot is not None else 0.0
        for item in swimmers:
            spots = [self.W * t for t in np.linspace(0.2, 0.8, 13)]
            cx = max(spots, key=lambda x: (min([abs(x - t) for t in taken] or [self.W]), -abs(x - self.W / 2)))
            taken.append(cx)
            placed.append((water_y, cx, item, True))
        placed.sort(key=lambda t: t[0])
        for feet, cx, item, swim in placed:
            depth = 0.82 + 0.18 * (feet - self.H * 0.82) / (self.H * 0.12)
            if swim:
                depth = 1.0 if "море" in plan.places else 0.8
            k = scale * depth * (1.18 if item.hero else 1.0)
            facing = 1 if cx < self.W / 2 else -1
            if item.hero and len(row) == 1:
                facing = rng.choice([-1, 1])
            if not swim:
                self.shadow(cx, feet, SPECS[item.key].width * k * 0.36)
            image, origin_x, origin_y = render_figure(item, plan, self.tone, k, facing, self.style, swim)
            self.canvas.paste(image, cx, feet, origin_x, origin_y)
            if not item.hero:
                drawn.append(item)
        return [it.key for it in plan.figures if any(it is d for d in drawn)]

    def shadow(self, x, y, rx) -> None:
        with self.canvas.layer(blur=4, box=(x - rx, y - rx * 0.2, x + rx, y + rx * 0.2 + 4)) as overlay:
            overlay.ellipse(x, y + 2, rx, rx * 0.16, (30, 30, 40, 80))

    def finish(self) -> Image.Image:
        """Reduce to the final size; a storybook picture goes on paper: grain, blots, a vignette, warmth."""
        if self.canvas.image.size == (self.size[0] * SUPERSAMPLE, self.size[1] * SUPERSAMPLE):
            image = self.canvas.image.reduce(SUPERSAMPLE)
        else:  # another size than the drawing units: reduced from the supersampled canvas, never enlarged
            image = self.canvas.image.resize(self.size, Image.Resampling.LANCZOS)
        if self.style != "storybook":
            return image
        width, height = self.size
        a = np.asarray(image).astype(np.float32)
        longest = max(width, height)
        blot = self.blot_rng.normal(0, 1, (round(42 * height / longest), round(42 * width / longest)))
        blots = Image.fromarray(((blot.astype(np.float32) * 24) + 128).clip(0, 255).astype(np.uint8), "L").resize(
            (width, height), Image.BICUBIC
        )
        b = np.asarray(blots).astype(np.float32) * (0.03 / 128.0) + (1.0 - 0.03)
        a *= paper_sheet(width, height)
        a *= b[..., None]
        a += np.array([4, 2, -3], np.float32)
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


@functools.cache
def paper_sheet(width: int = W, height: int = H) -> np.ndarray:
    """The vignette times a fine paper grain: the same sheet under every picture of a size."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    d = np.sqrt(((xs - width / 2) / (width * 0.62)) ** 2 + ((ys - height / 2) / (height * 0.62)) ** 2)
    vignette = 1.0 - 0.42 * np.clip(d - 0.45, 0, None) ** 1.6
    grain = np.random.default_rng(20240611).normal(0, 1, (height, width)).astype(np.float32)
    return (vignette * (1.0 + 0.016 * grain))[..., None].astype(np.float32)
