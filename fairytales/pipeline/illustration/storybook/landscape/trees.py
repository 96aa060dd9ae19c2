"""Trees and plants: firs, round trees (with snow or apples), dead snags, reeds."""

from __future__ import annotations

import math

import numpy as np

from ..palette import light, shade
from .base import Part


class Trees(Part):
    def fir(self, x, base, h, colour, haze: float = 0.0) -> None:
        canvas = self.canvas
        trunk = self.land((100, 70, 50), haze)
        canvas.polygon(
            [
                (x - h * 0.04, base),
                (x - h * 0.04, base - h * 0.2),
                (x + h * 0.04, base - h * 0.2),
                (x + h * 0.04, base),
            ],
            trunk,
        )
        dark = self.land(colour, haze)
        lite = self.land(light(colour, 0.15), haze)
        snow = self.plan.season == "winter"
        tiers = 4 if h < 200 else 6
        for i in range(tiers):
            t = i / tiers
            yb = base - h * (0.12 + 0.88 * t * 0.95)
            w = h * (0.34 - 0.26 * t)
            yt = yb - h * (0.36 if tiers == 4 else 0.26)
            teeth = 4 if h < 200 else 6
            bottom = []
            for j in range(teeth * 2 + 1):
                bx = x + w - 2 * w * j / (teeth * 2)
                bottom.append((bx, yb + (h * 0.025 if j % 2 else 0)))
            canvas.polygon([(x, yt)] + bottom, dark)
            canvas.polygon(
                [(x, yt)] + [p for p in bottom if p[0] <= x - w * 0.15] + [(x - w * 0.15, yb)], lite
            )
            if snow:
                canvas.polygon(
                    [
                        (x - w * 0.45, yt + (yb - yt) * 0.45),
                        (x, yt),
                        (x + w * 0.45, yt + (yb - yt) * 0.45),
                        (x, yt + (yb - yt) * 0.35),
                    ],
                    self.land((246, 250, 255), haze),
                )

    def round_tree(self, x, base, h, colour, haze: float = 0.0, apples: bool = False) -> None:
        canvas, rng = self.canvas, self.rng
        trunk = self.land((120, 80, 52), haze)
        canvas.polygon(
            [
                (x - h * 0.07, base),
                (x - h * 0.035, base - h * 0.55),
                (x + h * 0.035, base - h * 0.55),
                (x + h * 0.07, base),
            ],
            trunk,
        )
        dark = self.land(shade(colour, 0.88), haze)
        mid = self.land(colour, haze)
        lite = self.land(light(colour, 0.2), haze)
        cy = base - h * 0.68
        r = h * 0.3
        for dx, dy, k in (
            (-0.55, 0.2, 0.7),
            (0.55, 0.2, 0.7),
            (0, 0.35, 0.8),
            (-0.3, -0.35, 0.75),
            (0.3, -0.35, 0.75),
            (0, -0.1, 0.95),
        ):
            canvas.ellipse(x + dx * r, cy + dy * r, r * k, r * k, dark)
        for dx, dy, k in ((-0.3, -0.35, 0.6), (0.15, -0.45, 0.55), (-0.45, 0.05, 0.5)):
            canvas.ellipse(x + dx * r, cy + dy * r, r * k, r * k, mid)
        canvas.ellipse(x - 0.35 * r, cy - 0.5 * r, r * 0.3, r * 0.3, lite)
        if self.plan.season == "winter":  # snow lying on the top of each tuft
            snow = self.land((246, 250, 255), haze)
            for dx, dy, k in ((-0.3, -0.35, 0.75), (0.3, -0.35, 0.75), (0, -0.1, 0.95)):
                cx0, cy0, rr = x + dx * r, cy + dy * r, r * k
                arc = [
                    (cx0 + rr * math.cos(a), cy0 + rr * math.sin(a))
                    for a in np.linspace(math.radians(205), math.radians(335), 14)
                ]
                chord_y = cy0 + rr * math.sin(math.radians(205))
                bumps = [
                    (cx0 + rr * 0.9 * (1 - 2 * t), chord_y + (rr * 0.12 if i % 2 else 0))
                    for i, t in enumerate(np.linspace(0, 1, 7))
                ]
                canvas.polygon(arc + bumps, snow)
        if apples:
            for _ in range(7):
                a, d = rng.uniform(0, 6.28), rng.uniform(0, r * 0.85)
                canvas.ellipse(
                    x + math.cos(a) * d,
                    cy + math.sin(a) * d * 0.8,
                    r * 0.09,
                    r * 0.09,
                    self.land((220, 40, 40), haze),
                )

    def snag(self, x, base, h) -> None:
        colour = self.land((80, 70, 60), 0.15)
        self.canvas.line([(x, base), (x + 4, base - h)], colour, 6)
        self.canvas.line([(x + 2, base - h * 0.6), (x + 24, base - h * 0.85)], colour, 3)
        self.canvas.line([(x + 3, base - h * 0.75), (x - 20, base - h * 0.95)], colour, 3)

    def reeds(self, x, base, n) -> None:
        rng = self.rng
        for i in range(n):
            dx = (i - n / 2) * 5 + rng.uniform(-2, 2)
            h = rng.uniform(26, 48)
            lean = rng.uniform(-6, 6)
            self.canvas.line([(x + dx, base), (x + dx + lean, base - h)], self.land((90, 120, 60)), 1.8)
            if i % 2 == 0:
                self.canvas.ellipse(x + dx + lean * 0.9, base - h + 6, 2.6, 7, self.land((110, 70, 40)))
