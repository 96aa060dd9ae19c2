"""The middle ground: a meadow (with a field, a forest clearing, a river, a swamp), a garden, a cave, and
the palace or the hut standing on it."""

from __future__ import annotations

import math

import numpy as np

from ..canvas import wave_line
from ..lexicon import LEXICON
from ..palette import PALETTES, light, shade
from .base import Part


class MiddleGround(Part):
    def middle(self) -> None:
        plan = self.plan
        has = plan.places
        if "космос" in has:
            return
        if "море" in has:
            self.sea()
        else:
            self.meadow()
        if self.layout.sides.get("дворец") in ("left", "right") and "море" not in has:
            x = self.W * (0.2 if self.layout.sides["дворец"] == "left" else 0.8)
            self.castle(x, self.layout.front + 4, 1.0, haze=0.08)
        if "сад" in has:
            self.garden()
        if "пещера" in has:
            self.cave()
        if "изба" in has:
            side = self.layout.sides.get("изба", "left")
            x = self.W * (0.17 if side == "left" else 0.83) if side != "back" else self.W * 0.5
            legs = plan.place_lemmas.get("изба") == "курий"
            self.hut(x, self.layout.front + 6, 1.0, legs)

    def meadow(self) -> None:
        plan, rng, canvas = self.plan, self.rng, self.canvas
        has = plan.places
        grass = PALETTES.grass[plan.season]
        horizon = self.layout.horizon
        middle_colour = grass[1]
        if "болото" in has:
            middle_colour = (112, 126, 70) if plan.season != "winter" else (200, 210, 220)
        if "поле" in has and plan.season == "summer":
            middle_colour = (214, 190, 96)
        points = wave_line(self.W, rng, horizon + 46, 20)
        canvas.gradient_polygon(
            points + [(self.W + 40, self.H), (-40, self.H)],
            self.land(light(middle_colour, 0.1), 0.25),
            self.land(middle_colour, 0.1),
        )
        if "поле" in has:
            self.field_rows(horizon + 50)
        if not {"горы", "лес", "город", "болото"} & set(has) and len(has) <= 1:
            for _ in range(rng.randint(2, 4)):
                x = rng.uniform(40, self.W - 40)
                self.round_tree(
                    x,
                    horizon + 44 + rng.uniform(0, 10),
                    rng.uniform(50, 80),
                    rng.choice(PALETTES.foliage[plan.season]),
                    0.25,
                )
        if "лес" in has:
            self.tree_line(horizon + 56, 0.22, 70, 130)
            self.forest_wings()
        if "река" in has:
            if plan.place_lemmas.get("река") in LEXICON.lakes:
                self.lake()
            else:
                self.river(horizon + 74)
        if "болото" in has:
            self.swamp()

    def forest_wings(self) -> None:
        """Tall trees crowding both sides of the middle ground: a clearing in the forest."""
        rng = self.rng
        foliage = PALETTES.foliage[self.plan.season]
        for side in ("left", "right"):
            xs = [rng.uniform(0.0, 0.22) for _ in range(4)]
            for t in sorted(xs, key=lambda v: -v):
                x = t * self.W if side == "left" else self.W - t * self.W
                base = self.layout.front + rng.uniform(-14, 6)
                h = rng.uniform(170, 280) * (1.1 - t)
                if rng.random() < 0.6:
                    self.fir(x, base, h, foliage[2], 0.06)
                else:
                    self.round_tree(x, base, h * 0.9, rng.choice(foliage), 0.06)

    def field_rows(self, top: float) -> None:
        canvas = self.canvas
        colour = self.land((190, 160, 70), 0.1)
        for i in range(14):
            y = top + 10 + i * i * 0.9 + i * 4
            if y > self.layout.front:
                break
            canvas.line([(-20, y), (self.W + 20, y + 6)], colour[:3] + (120,), 1.2 + i * 0.25)
        hx = self.W * self.rng.choice([0.12, 0.88])
        hy = top + 30
        hay = (226, 190, 90)
        points = [(hx + 36 * math.cos(t), hy - 50 * math.sin(t)) for t in np.linspace(0, math.pi, 24)]
        canvas.polygon(points, self.land(hay, 0.1))
        canvas.polygon(
            [(hx - 36 + 72 * t, hy - 50 * math.sin(math.pi * t) * 0.999) for t in np.linspace(0, 0.5, 12)]
            + [(hx - 10, hy)],
            self.land(light(hay, 0.15), 0.1),
        )
        for dx in (-20, -6, 8, 22):
            canvas.line([(hx + dx * 0.6, hy - 40), (hx + dx, hy - 4)], self.land(shade(hay, 0.8), 0.1), 1.6)
        canvas.line([(hx, hy - 50), (hx, hy - 64)], self.land((120, 90, 60), 0.1), 2.5)

    def garden(self) -> None:
        canvas = self.canvas
        side = self.layout.sides.get("сад", "right")
        x0, x1 = (0.0, self.W * 0.45) if side == "left" else (self.W * 0.55, self.W * 1.0)
        base = self.layout.front + 2
        for i in range(3):
            x = x0 + (x1 - x0) * (0.2 + 0.3 * i)
            self.round_tree(
                x, base - 24 - i % 2 * 10, 120, PALETTES.foliage[self.plan.season][1], 0.05, apples=True
            )
        fence = self.land((170, 130, 80))
        canvas.line([(x0, base - 16), (x1, base - 16)], fence, 4)
        canvas.line([(x0, base - 30), (x1, base - 30)], fence, 4)
        for x in np.arange(x0 + 6, x1, 22):
            canvas.polygon(
                [(x - 4, base), (x - 4, base - 40), (x, base - 46), (x + 4, base - 40), (x + 4, base)], fence
            )

    def cave(self) -> None:
        canvas, rng = self.canvas, self.rng
        side = self.layout.sides.get("пещера", "left")
        cx = self.W * (0.14 if side == "left" else 0.86)
        base = self.layout.front + 10
        rock = (140, 130, 124)
        points = []
        for i in range(16):
            t = math.pi + math.pi * i / 15
            r = rng.uniform(0.9, 1.08)
            points.append((cx + 230 * math.cos(t) * r, base + 250 * math.sin(t) * r))
        canvas.gradient_polygon(
            points + [(cx + 230, base), (cx - 230, base)],
            self.land(light(rock, 0.15), 0.05),
            self.land(shade(rock, 0.75)),
        )
        for _ in range(5):
            x = cx + rng.uniform(-150, 150)
            y = base - rng.uniform(60, 200)
            canvas.line(
                [(x, y), (x + rng.uniform(-40, 40), y + rng.uniform(20, 50))], self.land(shade(rock, 0.7)), 3
            )
        mouth = [(cx - 70, base), (cx - 70, base - 90)]
        mouth += [(cx + 70 * math.cos(t), base - 90 - 70 * math.sin(t)) for t in np.linspace(math.pi, 0, 20)]
        mouth += [(cx + 70, base)]
        canvas.gradient_polygon(mouth, self.land((40, 34, 40)), self.land((14, 10, 16)))
        for dx in (-40, 10, 44):
            canvas.ellipse(
                cx + dx,
                base - 100,
                3,
                3,
                self.tone.glow((255, 220, 80)) if self.plan.mood == "dark" else (0, 0, 0, 0),
            )
        for dx in (-110, 90, 130):
            canvas.ellipse(
                cx + dx, base - 8, rng.uniform(16, 26), rng.uniform(10, 14), self.land(light(rock, 0.05))
            )
