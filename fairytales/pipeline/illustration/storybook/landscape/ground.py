"""The foreground the figures stand on: grass with tufts, flowers and mushrooms, a beach, an alien plain."""

from __future__ import annotations

import math

import numpy as np

from ..canvas import wave_line
from ..palette import PALETTES, light, shade
from .base import Part


class Foreground(Part):
    def foreground(self) -> None:
        """The ground the figures stand on, and what grows or lies on it."""
        plan, rng, canvas = self.plan, self.rng, self.canvas
        has = plan.places
        grass = PALETTES.grass[plan.season]
        front = self.layout.front
        if "космос" in has:
            self.alien_ground()
            return
        if "море" in has:
            fallback = wave_line(
                self.W, rng, front, 10
            )  # drawn even when the sea has left its shore: keeps the draws in step
            shore = self.shore if self.shore is not None else fallback
            canvas.gradient_polygon(
                shore + [(self.W + 40, self.H), (-40, self.H)], self.land((240, 222, 170)), self.land((214, 190, 140))
            )
            for x, y in shore[::3]:
                canvas.line([(x - 10, y + 2), (x + 10, y + 2)], self.land((250, 250, 250))[:3] + (180,), 2)
            for _ in range(6):
                self.shell(rng.uniform(20, self.W - 20), rng.uniform(front + 40, self.H - 10))
            return
        colour = grass[1]
        if "болото" in has and plan.season != "winter":
            colour = (110, 130, 64)
        points = wave_line(self.W, rng, front, 12)
        canvas.gradient_polygon(
            points + [(self.W + 40, self.H), (-40, self.H)], self.land(light(colour, 0.08)), self.land(shade(colour, 0.78))
        )
        # a path
        if "изба" in has or "дворец" in has or "деревня" in has:
            side = self.layout.sides.get("изба", self.layout.sides.get("дворец", "back"))
            tx = self.W * (0.22 if side == "left" else 0.78 if side == "right" else 0.5)
            canvas.polygon(
                [(tx - 18, front + 6), (tx + 18, front + 6), (self.W * 0.55 + 130, self.H + 5), (self.W * 0.55 - 60, self.H + 5)],
                self.land((222, 200, 150) if plan.season != "winter" else (214, 224, 240))[:3] + (200,),
            )
        # tufts and flowers
        tuft = self.land(shade(colour, 0.7))
        for _ in range(50):
            x = rng.uniform(0, self.W)
            y = rng.uniform(front + 10, self.H)
            s = 0.6 + (y - front) / (self.H - front) * 1.0
            for dx, lean in ((-4, -5), (0, 0), (4, 5)):
                canvas.line([(x + dx * s, y), (x + (dx + lean) * s, y - 12 * s)], tuft, 1.6 * s)
        if plan.season == "summer":
            n = 26 if "поле" in has or "сад" in has else 12
            if "болото" in has:
                n = 3
            for _ in range(n):
                self.flower(rng.uniform(10, self.W - 10), rng.uniform(front + 8, self.H - 6))
        if "лес" in has and plan.season != "winter":
            for _ in range(3):
                self.mushroom(rng.uniform(20, self.W - 20), rng.uniform(front + 20, self.H - 10))
        if "лес" in has:
            self.edge_trees()
        if "болото" in has:
            for x in (rng.uniform(20, 160), rng.uniform(self.W - 160, self.W - 20)):
                self.reeds(x, rng.uniform(self.H - 60, self.H - 10), 8)
        for _ in range(2):
            x = rng.uniform(20, self.W - 20)
            y = rng.uniform(front + 20, self.H - 10)
            canvas.ellipse(x, y, 14, 8, self.land((150, 146, 146)))
            canvas.ellipse(x - 4, y - 3, 7, 4, self.land((190, 186, 186)))

    def edge_trees(self) -> None:
        rng = self.rng
        foliage = PALETTES.foliage[self.plan.season]
        taken = {v for k, v in self.layout.sides.items() if k in ("изба", "пещера", "сад", "дворец")}
        left, right = rng.choice([("fir", "round"), ("round", "fir"), ("fir", "fir")])
        for side, x, kind in (
            ("left", rng.uniform(-20, 30), left),
            ("right", self.W - rng.uniform(-20, 30), right),
        ):
            if side in taken:
                continue
            h = rng.uniform(460, 560)
            if kind == "fir":
                self.fir(x, self.H + 30, h, foliage[2])
            else:
                self.round_tree(x, self.H + 30, h, foliage[0])

    def flower(self, x, y) -> None:
        rng, canvas = self.rng, self.canvas
        petal = self.land(
            rng.choice([(240, 90, 110), (250, 220, 70), (255, 255, 255), (160, 120, 230), (120, 170, 250)])
        )
        s = 0.7 + (y - self.layout.front) / (self.H - self.layout.front) * 0.8
        canvas.line([(x, y), (x, y - 12 * s)], self.land((70, 130, 50)), 1.6 * s)
        for i in range(5):
            a = 2 * math.pi * i / 5
            canvas.ellipse(
                x + math.cos(a) * 4.2 * s, y - 14 * s + math.sin(a) * 4.2 * s, 3.2 * s, 3.2 * s, petal
            )
        canvas.ellipse(x, y - 14 * s, 2.4 * s, 2.4 * s, self.land((250, 200, 50)))

    def mushroom(self, x, y) -> None:
        canvas = self.canvas
        canvas.polygon([(x - 4, y), (x - 3, y - 14), (x + 3, y - 14), (x + 4, y)], self.land((246, 240, 226)))
        points = [(x + 14 * math.cos(t), y - 14 - 11 * math.sin(t)) for t in np.linspace(0, math.pi, 14)]
        canvas.polygon(points, self.land((214, 40, 40)))
        for dx, dy in ((-6, -19), (3, -22), (8, -17)):
            canvas.ellipse(x + dx, y + dy, 1.8, 1.8, self.land((255, 255, 255)))

    def shell(self, x, y) -> None:
        canvas = self.canvas
        canvas.ellipse(x, y, 7, 5, self.land((250, 200, 190)))
        canvas.line([(x - 4, y), (x, y - 4), (x + 4, y)], self.land((220, 150, 140)), 1)

    def alien_ground(self) -> None:
        canvas, rng = self.canvas, self.rng
        horizon = self.layout.horizon + 40
        points = wave_line(self.W, rng, horizon, 30)
        canvas.gradient_polygon(
            points + [(self.W + 40, self.H), (-40, self.H)], self.land((150, 110, 190), 0.3), self.land((80, 50, 120))
        )
        pts2 = wave_line(self.W, rng, self.layout.front, 14)
        canvas.gradient_polygon(
            pts2 + [(self.W + 40, self.H), (-40, self.H)], self.land((130, 90, 170)), self.land((60, 40, 90))
        )
        for _ in range(7):
            x = rng.uniform(0, self.W)
            y = rng.uniform(horizon + 20, self.H - 10)
            r = rng.uniform(14, 40) * (0.5 + (y - horizon) / (self.H - horizon))
            canvas.ellipse(x, y, r, r * 0.3, self.land((70, 44, 100)))
            canvas.ellipse(x, y - r * 0.06, r * 0.8, r * 0.2, self.land((100, 70, 140)))
        for _ in range(4):
            x = rng.uniform(0, self.W)
            y = rng.uniform(self.layout.front, self.H)
            canvas.polygon([(x - 8, y), (x, y - 30), (x + 8, y)], self.tone.glow((120, 240, 255)))
            with canvas.layer(blur=6, box=(x - 14, y - 32, x + 14, y + 4)) as overlay:
                overlay.ellipse(x, y - 14, 14, 18, self.tone.glow((120, 240, 255))[:3] + (90,))
        if "город" in self.plan.places:
            self.city(horizon + 6)
