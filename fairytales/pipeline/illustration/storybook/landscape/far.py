"""The far land under the horizon: mountains, fields, a city, a village, a line of trees."""

from __future__ import annotations

import numpy as np

from ..canvas import wave_line
from ..palette import PALETTES, Lit, light, shade
from .base import Part


class FarLand(Part):
    def far(self) -> None:
        plan, rng, canvas = self.plan, self.rng, self.canvas
        has = plan.places
        horizon = self.layout.horizon
        if "космос" in has:
            return
        grass = PALETTES.grass[plan.season]
        if "горы" in has:
            self.mountains(horizon)
        if "море" not in has:
            points = wave_line(self.W, rng, horizon + 10, 26)
            canvas.gradient_polygon(
                points + [(self.W + 40, self.H), (-40, self.H)], self.land(grass[0], 0.55), self.land(grass[1], 0.35)
            )
            if "город" in has:
                self.city(horizon + 14)
            if self.layout.sides.get("дворец") == "back":
                self.castle(self.W * rng.uniform(0.35, 0.65), horizon + 18, 0.7, haze=0.35)
            if self.layout.sides.get("деревня") == "back" or "деревня" in has:
                self.village(horizon + 20)
            if "лес" in has or plan.season == "winter":
                self.tree_line(horizon + 20, 0.45, 40, 80)
        else:
            if "город" in has:
                self.city(horizon)

    def mountains(self, horizon: float) -> None:
        rng, canvas = self.rng, self.canvas
        for layer, (haze, hmin, hmax) in enumerate(((0.55, 120, 210), (0.3, 70, 150))):
            x = -80.0
            points = [(-80.0, horizon + 20)]
            peaks = []
            while x < self.W + 80:
                x += rng.uniform(110, 200)
                top = horizon - rng.uniform(hmin, hmax)
                peaks.append((x, top))
                points.append((x, top))
                x += rng.uniform(70, 120)
                points.append((x, horizon - rng.uniform(10, hmin * 0.5)))
            points += [(self.W + 80, horizon + 30), (-80, horizon + 30)]
            rock = (120, 118, 150) if layer == 0 else (110, 112, 128)
            canvas.gradient_polygon(
                points, self.land(light(rock, 0.1), haze), self.land(shade(rock, 0.85), haze * 0.8)
            )
            for i, (px, py) in enumerate(peaks):
                # light side
                j = points.index((px, py))
                lx, ly = points[j - 1]
                canvas.polygon(
                    [(px, py), (lx + (px - lx) * 0.35, ly + (py - ly) * 0.35), (px - 8, horizon)],
                    self.land(light(rock, 0.18), haze),
                )
                # snow caps
                rx, ry = points[j + 1] if j + 1 < len(points) else (px + 60, py + 80)
                f = 0.28
                left = (px + (lx - px) * f, py + (ly - py) * f)
                right = (px + (rx - px) * f, py + (ry - py) * f)
                mid1 = (px + (left[0] - px) * 0.4, left[1] + 6)
                mid2 = (px + (right[0] - px) * 0.4, right[1] + 4)
                canvas.polygon(
                    [(px, py), right, mid2, (px, left[1] - 2), mid1, left],
                    self.land((246, 248, 255), haze * 0.6),
                )

    def city(self, base: float) -> None:
        rng, canvas = self.rng, self.canvas
        future = self.plan.genre.slug == "science_fiction"
        x = rng.uniform(self.W * 0.05, self.W * 0.25)
        end = x + rng.uniform(self.W * 0.45, self.W * 0.65)
        wall = (210, 196, 180) if not future else (120, 130, 170)
        while x < end:
            w = rng.uniform(26, 60)
            h = rng.uniform(40, 110) * (1.6 if future else 1.0)
            colour = self.land(shade(wall, rng.uniform(0.85, 1.05)), 0.4)
            canvas.polygon([(x, base), (x, base - h), (x + w, base - h), (x + w, base)], colour)
            if not future and rng.random() < 0.35:
                canvas.ellipse(x + w / 2, base - h - 6, w * 0.35, w * 0.45, self.land((220, 170, 60), 0.35))
                canvas.line(
                    [(x + w / 2, base - h - w * 0.45 - 14), (x + w / 2, base - h - w * 0.4)],
                    self.land((220, 170, 60), 0.35),
                    2,
                )
            elif not future:
                canvas.polygon(
                    [(x - 3, base - h), (x + w / 2, base - h - w * 0.6), (x + w + 3, base - h)],
                    self.land((170, 80, 60), 0.4),
                )
            else:
                canvas.line(
                    [(x + w / 2, base - h), (x + w / 2, base - h - 30)], self.land((200, 200, 230), 0.3), 2
                )
            window = Lit((255, 220, 120)) if not future else Lit((120, 240, 255))
            for wy in np.arange(base - h + 10, base - 8, 16):
                for wx in np.arange(x + 6, x + w - 8, 12):
                    if rng.random() < (0.55 if self.night or future else 0.3):
                        canvas.polygon(
                            [(wx, wy), (wx + 5, wy), (wx + 5, wy + 7), (wx, wy + 7)],
                            self.tone.glow(window)
                            if self.night or future
                            else self.land((120, 120, 150), 0.4),
                        )
            x += w + rng.uniform(-4, 6)

    def village(self, base: float) -> None:
        rng = self.rng
        n = rng.randint(3, 5)
        xs = sorted(rng.uniform(self.W * 0.08, self.W * 0.92) for _ in range(n))
        for x in xs:
            self.house(x, base + rng.uniform(-4, 10), rng.uniform(0.28, 0.38), haze=0.35)

    def tree_line(self, base: float, haze: float, hmin: float, hmax: float) -> None:
        rng = self.rng
        foliage = PALETTES.foliage[self.plan.season]
        x = -20.0
        while x < self.W + 20:
            h = rng.uniform(hmin, hmax)
            if rng.random() < 0.65:
                self.fir(x, base + rng.uniform(-6, 10), h, foliage[2], haze)
            else:
                self.round_tree(x, base + rng.uniform(-4, 10), h * 0.9, rng.choice(foliage), haze)
            x += rng.uniform(14, 30)
