"""Creatures of tales and of science fiction: the dragon (three-headed Gorynych too) and the robot."""

from __future__ import annotations

import math

from ..looks import Look
from ..palette import Lit, shade
from ..pen import BLACK, Pen


def draw_dragon(pen: Pen, look: Look, kind: str) -> None:
    """A flying dragon (Змей Горыныч has three heads); origin at its middle."""
    body, belly, wing = look.fur, look.light, look.dark
    heads = 3 if kind == "gorynych" else 1
    # far wing
    pen.polygon(
        [(-10, -20), (-70, -120), (-40, -100), (-20, -110), (0, -96), (22, -100), (30, -24)],
        shade(wing, 0.75),
    )
    # tail
    points = [(-160 + 32 * i, 22 - 22 * math.sin(i * 0.9)) for i in range(6)]
    for i in range(5):
        pen.line([points[i], points[i + 1]], body, 7 + i * 5)
    pen.polygon([(-160, 22), (-186, 8), (-180, 36)], wing)
    pen.ellipse(0, 0, 64, 30, body, angle=-12)
    pen.ellipse(4, 12, 48, 14, belly, angle=-12)
    for i in range(5):
        x = -50 + i * 22
        pen.polygon([(x - 7, -22 + i * -3), (x, -38 + i * -3), (x + 7, -24 + i * -3)], wing)
    for dx, dy in ((-24, 26), (22, 26)):
        pen.line([(dx, dy - 6), (dx + 6, dy + 20)], body, 12)
        pen.ellipse(dx + 9, dy + 22, 9, 5, shade(body, 0.7))
    # near wing
    pen.polygon([(-4, -16), (-40, -150), (-10, -122), (18, -138), (34, -110), (62, -118), (50, -30)], wing)
    pen.line([(-4, -16), (-40, -150)], shade(wing, 0.7), 4)
    necks = [(0, 0)] if heads == 1 else [(0, -62), (34, -14), (6, 34)]
    for i, (dx, dy) in enumerate(necks):
        nx, ny = 96 + dx, -44 + dy
        pen.line([(44, -12), (70, -28 + dy * 0.6), (nx, ny)], body, 22)
        pen.ellipse(nx + 14, ny - 4, 26, 16, body, angle=-8)
        pen.ellipse(nx + 34, ny + 2, 14, 8, belly, angle=-8)
        pen.polygon([(nx, ny - 14), (nx - 14, ny - 34), (nx + 8, ny - 18)], belly)
        pen.circle(nx + 44, ny - 4, 2.5, BLACK)
        pen.eye(nx + 16, ny - 8, 5)
        if look.fire:
            pen.polygon(
                [
                    (nx + 46, ny + 4),
                    (nx + 100, ny - 8),
                    (nx + 86, ny + 6),
                    (nx + 112, ny + 16),
                    (nx + 84, ny + 18),
                    (nx + 96, ny + 32),
                    (nx + 46, ny + 12),
                ],
                Lit((250, 130, 30)),
            )
            pen.polygon(
                [
                    (nx + 48, ny + 6),
                    (nx + 84, ny + 4),
                    (nx + 74, ny + 12),
                    (nx + 88, ny + 22),
                    (nx + 48, ny + 11),
                ],
                Lit((255, 220, 90)),
            )


def draw_robot(pen: Pen, look: Look, kind: str) -> None:
    metal, lite, dark = look.fur, look.light, look.dark
    for dx in (-18, 18):
        pen.line([(dx, -70), (dx, -14)], dark, 16)
        pen.ellipse(dx, -8, 16, 9, shade(dark, 0.8))
    pen.polygon([(-44, -152), (44, -152), (40, -70), (-40, -70)], metal)
    pen.polygon([(-28, -136), (28, -136), (26, -96), (-26, -96)], lite)
    for i, c in enumerate(((240, 80, 80), (80, 220, 120), (250, 200, 60))):
        pen.circle(-14 + i * 14, -116, 5, Lit(c))
    for side in (-1, 1):
        pen.line([(side * 46, -146), (side * 60, -112), (side * 58, -84)], dark, 11)
        pen.circle(side * 58, -80, 9, metal)
    pen.line([(0, -152), (0, -166)], dark, 10)
    pen.polygon([(-34, -214), (34, -214), (34, -166), (-34, -166)], metal)
    pen.polygon([(-26, -202), (26, -202), (26, -180), (-26, -180)], (40, 50, 70))
    for dx in (-12, 12):
        pen.circle(dx, -191, 6, Lit((120, 240, 255)))
    pen.line([(0, -214), (0, -236)], dark, 3)
    pen.circle(0, -240, 6, Lit((250, 70, 70)))
    if look.accent is not None:
        pen.polygon([(-44, -152), (44, -152), (44, -142), (-44, -142)], look.accent)
