"""The figure pen: draws one figure on its own transparent layer, in its own units (origin at the feet,
y negative upwards, x towards where the figure faces)."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from .palette import Lit

SUPERSAMPLE = 2  # everything is drawn at twice the size, then reduced: smooth edges

INK = (52, 38, 44)
SKIN = (248, 214, 186)
CHEEK = (246, 160, 150)
WHITE = (255, 255, 255)
BLACK = (34, 28, 34)
GOLD = (244, 194, 60)
SPARKLE = Lit((255, 244, 170))


def four_pointed_star(x: float, y: float, r: float, waist: float) -> list[tuple[float, float]]:
    """A sparkle's outline: four points ``r`` from the centre, pinched to ``waist`` × r between them."""
    w = r * waist
    return [(x, y - r), (x + w, y - w), (x + r, y), (x + w, y + w), (x, y + r), (x - w, y + w), (x - r, y),
            (x - w, y - w)]


class Pen:
    def __init__(self, scale: float, facing: int, tone, half_width: float, top: float, bottom: float = 40):
        self.unit = scale * SUPERSAMPLE  # layer pixels per pen unit
        self.facing = facing  # 1: facing right, -1: facing left
        self.tone = tone  # the colour a named colour is painted in
        self.width = max(8, int(2 * half_width * self.unit))
        self.height = max(8, int((top + bottom) * self.unit))
        self.origin_x = self.width / 2  # where the feet are on the layer
        self.origin_y = top * self.unit
        self.image = Image.new("RGBA", (self.width, self.height), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (self.origin_x + self.facing * x * self.unit, self.origin_y + y * self.unit)

    def colour(self, colour):
        return self.tone(colour)

    def polygon(self, points, fill, outline=None, width: float = 2.0) -> None:
        xy = [self.point(x, y) for x, y in points]
        if outline is None:
            self.draw.polygon(xy, fill=self.colour(fill))
        else:
            self.draw.polygon(
                xy,
                fill=self.colour(fill),
                outline=self.colour(outline),
                width=max(1, round(width * self.unit)),
            )

    def ellipse(self, cx, cy, rx, ry, fill, angle: float = 0.0, outline=None, width: float = 2.0) -> None:
        n = int(min(120, max(28, (rx + ry) * self.unit / 2.5)))
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        points = []
        for i in range(n):
            t = 2 * math.pi * i / n
            ex, ey = rx * math.cos(t), ry * math.sin(t)
            points.append((cx + ex * cos - ey * sin, cy + ex * sin + ey * cos))
        self.polygon(points, fill, outline, width)

    def circle(self, cx, cy, r, fill, outline=None, width: float = 2.0) -> None:
        self.ellipse(cx, cy, r, r, fill, 0.0, outline, width)

    def line(self, points, fill, width: float, caps: bool = True) -> None:
        xy = [self.point(x, y) for x, y in points]
        pixels = max(1, round(width * self.unit))
        colour = self.colour(fill)
        self.draw.line(xy, fill=colour, width=pixels, joint="curve")
        if caps:
            r = pixels / 2
            for x, y in (xy[0], xy[-1]):
                self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def eye(self, x, y, r) -> None:
        self.ellipse(x, y, r * 0.82, r, BLACK)
        self.circle(x + r * 0.28, y - r * 0.38, r * 0.36, WHITE)

    def sparkle(self, x, y, r, colour=SPARKLE) -> None:
        self.polygon(four_pointed_star(x, y, r, 0.22), colour)

    def smile(self, x, y, r, colour=(150, 50, 50), width=2.4) -> None:
        points = [
            (x + r * math.cos(t), y + r * 0.55 * math.sin(t)) for t in np.linspace(0.25, math.pi - 0.25, 8)
        ]
        self.line(points, colour, width)
