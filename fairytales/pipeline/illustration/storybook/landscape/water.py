"""Water: the sea (with a headland and a ship), a river, a lake, a swamp."""

from __future__ import annotations

import math

import numpy as np

from ..canvas import wave_line
from ..figures import render_figure
from ..palette import PALETTES, mix
from .base import Part


class Water(Part):
    def sea(self) -> None:
        """The sea to the horizon, the sun's glint on it, waves; a headland, a ship."""
        canvas, rng = self.canvas, self.rng
        horizon = self.layout.horizon
        shore = wave_line(self.W, rng, self.layout.front - 8, 14)
        water_far = self.land((120, 180, 220), 0.45)
        water_near = self.land((40, 100, 170))
        canvas.gradient_polygon([(-40, horizon), (self.W + 40, horizon)] + shore[::-1], water_far, water_near)
        sx, _ = self.layout.sun
        glint = self.tone.glow((255, 250, 220)) if self.plan.sky != "storm" else self.land((200, 210, 220))
        for i in range(24):
            y = horizon + 4 + i * (self.layout.front - horizon - 20) / 24
            half = 10 + i * 2.2
            x = sx + rng.uniform(-20, 20) * (1 + i * 0.08)
            canvas.line([(x - half, y), (x + half, y)], glint[:3] + (150,), 1.2 + i * 0.08)
        for i in range(40):
            t = rng.random()
            y = horizon + 8 + t * (self.layout.front - horizon - 24)
            x = rng.uniform(0, self.W)
            s = 4 + t * 14
            canvas.line(
                [(x - s, y), (x - s / 2, y - s * 0.3), (x, y)],
                self.land((230, 244, 250), 0.2)[:3] + (170,),
                1 + t * 1.6,
            )
        self.water_spot = (self.W * rng.uniform(0.3, 0.7), self.layout.front - 22)
        if "дворец" in self.plan.places or "деревня" in self.plan.places:
            side = self.layout.sides.get("дворец", self.layout.sides.get("деревня", "back"))
            if side == "back":
                side = "left" if self.layout.sun[0] > self.W / 2 else "right"
            self.cape(side)
        if any(f.key == "корабль" and f.variant != "ракета" for f in self.plan.figures):
            ship = next(f for f in self.plan.figures if f.key == "корабль")
            image, origin_x, origin_y = render_figure(
                ship, self.plan, self.tone, 0.62, self.rng.choice([-1, 1]), self.style
            )
            x = self.W * (0.22 if self.layout.sun[0] > self.W / 2 else 0.78)
            self.canvas.paste(image, x, horizon + (self.layout.front - horizon) * 0.45, origin_x, origin_y)
        self.shore = shore  # the beach in the foreground starts here

    def cape(self, side: str) -> None:
        """A green headland at one side of the sea, with the palace or the village on it."""
        canvas, rng = self.canvas, self.rng
        horizon = self.layout.horizon
        reach = self.W * 0.4
        points = []
        for i in range(25):
            t = i / 24
            y = horizon + 26 - 96 * (1 - t**1.6) + 8 * math.sin(t * 9)
            points.append((t * reach, y))
        points += [(reach + 30, horizon + 30), (-40, horizon + 30)]
        if side == "right":
            points = [(self.W - x, y) for x, y in points]
        grass = PALETTES.grass[self.plan.season]
        canvas.gradient_polygon(points, self.land(grass[0], 0.3), self.land(grass[2], 0.2))
        rim = [(x, y) for x, y in points if y > horizon + 20]
        if len(rim) >= 2:
            canvas.line(rim, self.land((236, 224, 180), 0.2), 5)
        x = self.W * 0.15 if side == "left" else self.W * 0.85
        top = horizon + 26 - 96 * (1 - (0.15 / 0.4) ** 1.6)
        if "дворец" in self.plan.places:
            self.castle(x, top + 14, 0.62, haze=0.25)
        else:
            for dx in (-60, 0, 70):
                self.house(x + dx, top + 20 + abs(dx) * 0.15, 0.5, haze=0.25)
        for dx in (-140, 130):
            self.round_tree(
                x + dx, top + 30 + rng.uniform(0, 10), 60, PALETTES.foliage[self.plan.season][0], 0.25
            )

    def river(self, y: float) -> None:
        canvas, rng = self.canvas, self.rng
        top = wave_line(self.W, rng, y, 10, step=12)
        bottom = [(x, yy + 20 + 14 * (x / self.W)) for x, yy in top]
        canvas.polygon(top + bottom[::-1], self.land((236, 224, 180), 0.15))
        bottom2 = [(x, yy - 4) for x, yy in bottom]
        top2 = [(x, yy + 4) for x, yy in top]
        canvas.gradient_polygon(
            top2 + bottom2[::-1], self.land((150, 200, 236), 0.2), self.land((70, 140, 200), 0.1)
        )
        wx = self.W * rng.uniform(0.3, 0.7)
        self.water_spot = (wx, y + 16 + 14 * wx / self.W)
        for i in range(18):
            x = rng.uniform(0, self.W)
            yy = y + 8 + rng.uniform(0, 16)
            canvas.line(
                [(x, yy), (x + rng.uniform(8, 20), yy)], self.land((230, 246, 255), 0.1)[:3] + (160,), 1.4
            )

    def lake(self) -> None:
        canvas, rng = self.canvas, self.rng
        side = rng.choice([0.3, 0.5, 0.7])
        cx, cy = self.W * side, self.layout.horizon + 80
        rx, ry = self.W * 0.24, 34
        canvas.ellipse(cx, cy, rx + 10, ry + 7, self.land((150, 170, 90), 0.1))
        points = [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 60)]
        canvas.gradient_polygon(points, self.land((160, 210, 240), 0.2), self.land((60, 130, 196), 0.05))
        self.water_spot = (cx, cy + 8)
        for _ in range(10):
            x = cx + rng.uniform(-rx * 0.7, rx * 0.7)
            y = cy + rng.uniform(-ry * 0.5, ry * 0.6)
            canvas.line(
                [(x, y), (x + rng.uniform(10, 24), y)], self.land((236, 248, 255), 0.1)[:3] + (170,), 1.4
            )
        for side_x in (cx - rx * 0.9, cx + rx * 0.85):
            self.reeds(side_x, cy + 6, 6)

    def swamp(self) -> None:
        canvas, rng = self.canvas, self.rng
        horizon = self.layout.horizon
        # dead trees and dark firs on the far edge
        for _ in range(5):
            self.snag(rng.uniform(20, self.W - 20), horizon + 50 + rng.uniform(0, 12), rng.uniform(50, 90))
        for _ in range(6):
            self.fir(
                rng.uniform(0, self.W), horizon + 52 + rng.uniform(0, 8), rng.uniform(40, 70), (70, 96, 70), 0.3
            )
        # pools that mirror the sky, with duckweed, reeds and hummocks
        sky = self.tone.haze
        pools = [
            (rng.uniform(0.05, 0.3), 0.3),
            (rng.uniform(0.4, 0.6), 0.55),
            (rng.uniform(0.7, 0.95), 0.35),
            (rng.uniform(0.2, 0.8), 0.85),
        ]
        for tx, ty in pools:
            x = tx * self.W
            y = horizon + 60 + ty * (self.layout.front - horizon - 50)
            rx = rng.uniform(70, 120) * (0.7 + ty * 0.6)
            canvas.ellipse(x, y, rx + 6, rx * 0.2 + 4, self.land((86, 96, 60)))
            canvas.ellipse(x, y, rx, rx * 0.2, mix(self.land((50, 76, 72)), sky, 0.35))
            canvas.ellipse(
                x - rx * 0.15, y - rx * 0.05, rx * 0.6, rx * 0.07, mix(self.land((120, 150, 150)), sky, 0.5)
            )
            for _ in range(3):
                lx = x + rng.uniform(-rx * 0.6, rx * 0.6)
                canvas.ellipse(lx, y + rng.uniform(-2, 4), 8, 3, self.land((110, 170, 70)))
            self.reeds(x + rx * 0.9, y + 2, 6)
            self.reeds(x - rx * 0.85, y + 4, 4)
        for _ in range(6):
            x = rng.uniform(0, self.W)
            y = rng.uniform(horizon + 70, self.layout.front)
            canvas.ellipse(x, y, 16, 7, self.land((96, 120, 56)))
            for dx in (-8, -2, 4, 9):
                canvas.line([(x + dx, y - 2), (x + dx * 1.6, y - 14)], self.land((120, 150, 64)), 1.5)
        with canvas.layer(blur=16) as overlay:
            for _ in range(6):
                overlay.ellipse(
                    rng.uniform(0, self.W),
                    rng.uniform(horizon + 30, self.layout.front),
                    rng.uniform(160, 300),
                    16,
                    self.land((232, 238, 232))[:3] + (110,),
                )
