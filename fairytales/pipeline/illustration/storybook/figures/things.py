"""Things: apples and the apple tree, the sword in the stone, the ring, the chest, the star, ship, rocket."""

from __future__ import annotations

import math
import random

from ..looks import Look
from ..palette import Lit, light, shade
from ..pen import BLACK, GOLD, WHITE, Pen


def draw_apple(pen: Pen, look: Look, kind: str) -> None:
    for x, r, c in ((-30, 16, (200, 40, 40)), (30, 15, (240, 190, 40)), (0, 22, (220, 40, 40))):
        y = -r
        pen.circle(x, y, r, c)
        pen.circle(x - r * 0.35, y - r * 0.35, r * 0.28, light(c, 0.55))
        pen.line([(x, y - r), (x + 2, y - r - 8)], (100, 70, 40), 3)
        pen.ellipse(x + 8, y - r - 6, 7, 3.5, (70, 160, 60), angle=-25)


def draw_apple_tree(pen: Pen, look: Look, kind: str) -> None:
    trunk = (130, 86, 52)
    pen.polygon([(-14, 0), (14, 0), (8, -130), (-8, -130)], trunk)
    pen.line([(0, -110), (-40, -160)], trunk, 9)
    pen.line([(0, -120), (36, -168)], trunk, 9)
    leaf = (74, 150, 60)
    for x, y, r in (
        (-60, -170, 50),
        (60, -172, 50),
        (0, -210, 62),
        (-30, -236, 44),
        (34, -236, 44),
        (0, -160, 52),
    ):
        pen.circle(x, y, r, leaf)
    for x, y, r in ((-40, -220, 26), (10, -240, 24), (-70, -180, 18), (30, -200, 22)):
        pen.circle(x, y, r, light(leaf, 0.2))
    rng = random.Random(7)
    for _ in range(11):
        x, y = rng.uniform(-90, 90), rng.uniform(-260, -140)
        if (x / 100) ** 2 + ((y + 200) / 80) ** 2 < 1:
            pen.circle(x, y, 8, (220, 40, 40))
            pen.circle(x - 2.5, y - 2.5, 2.5, (255, 170, 160))


def draw_sword(pen: Pen, look: Look, kind: str) -> None:
    stone = (150, 146, 150)
    pen.polygon([(-8, -50), (10, -178), (18, -176), (6, -48)], (220, 228, 238))
    pen.line([(6, -60), (14, -170)], WHITE, 2)
    pen.line([(-12, -180), (38, -174)], GOLD, 8)
    pen.line([(15, -180), (18, -210)], (120, 70, 40), 8)
    pen.circle(18, -214, 7, GOLD)
    pen.polygon([(-58, 0), (-50, -30), (-24, -52), (20, -56), (50, -36), (62, 0)], stone)
    pen.polygon([(-40, -8), (-30, -36), (-6, -46), (-16, -24)], light(stone, 0.2))
    pen.sparkle(40, -180, 12)
    pen.sparkle(-26, -140, 8)


def draw_ring(pen: Pen, look: Look, kind: str) -> None:
    cushion = (180, 40, 60)
    pen.ellipse(0, -18, 44, 18, cushion)
    pen.ellipse(-4, -24, 28, 8, light(cushion, 0.25))
    for dx in (-44, 44):
        pen.line([(dx, -16), (dx * 1.05, -2)], GOLD, 4)
    pen.ellipse(0, -52, 22, 24, GOLD)
    pen.ellipse(0, -52, 14, 16, (0, 0, 0, 0))  # the hole
    pen.circle(0, -80, 9, Lit((80, 200, 255)))
    pen.circle(-3, -83, 3, WHITE)
    pen.sparkle(28, -86, 10)
    pen.sparkle(-30, -66, 7)


def draw_chest(pen: Pen, look: Look, kind: str) -> None:
    wood = (150, 90, 48)
    pen.polygon([(-54, -60), (54, -60), (54, 0), (-54, 0)], wood)
    pen.ellipse(0, -60, 54, 26, shade(wood, 0.9))
    pen.polygon([(-54, -60), (54, -60), (54, -52), (-54, -52)], GOLD)
    for dx in (-36, 36):
        pen.polygon([(dx - 5, -84), (dx + 5, -84), (dx + 5, 0), (dx - 5, 0)], GOLD)
    pen.polygon([(-10, -50), (10, -50), (10, -28), (-10, -28)], GOLD)
    pen.circle(0, -42, 3, BLACK)
    for x, y in ((64, -6), (76, -4), (70, -12), (-66, -5)):
        pen.ellipse(x, y, 8, 4, Lit((250, 210, 80)))
    pen.sparkle(44, -96, 10)


def draw_star(pen: Pen, look: Look, kind: str) -> None:
    points = []
    for i in range(10):
        r = 46 if i % 2 == 0 else 20
        a = -math.pi / 2 + math.pi * i / 5
        points.append((r * math.cos(a), r * math.sin(a)))
    pen.polygon([(x * 1.12, y * 1.12) for x, y in points], Lit((255, 200, 70)))
    pen.polygon(points, Lit((255, 240, 150)))
    pen.polygon([(x * 0.5 - 4, y * 0.5 - 4) for x, y in points], Lit((255, 252, 220)))


def draw_ship(pen: Pen, look: Look, kind: str) -> None:
    hull = look.fur or (130, 76, 44)
    stripe = look.accent or (214, 60, 50)
    pen.line([(0, -40), (0, -220)], (100, 64, 40), 7)
    pen.polygon([(-70, -206), (66, -206), (80, -140), (76, -70), (-72, -70), (-60, -140)], (250, 246, 232))
    pen.polygon([(-70, -160), (78, -160), (78, -130), (-66, -130)], stripe)
    pen.polygon([(0, -222), (30, -230), (0, -238)], stripe)
    pen.polygon([(-118, -46), (118, -46), (92, 0), (-92, 0)], hull)
    pen.polygon([(-112, -38), (112, -38), (108, -30), (-108, -30)], GOLD)
    pen.polygon([(-118, -46), (-136, -64), (-110, -46)], hull)
    for x in (-60, -20, 20, 60):
        pen.circle(x, -18, 6, (60, 40, 30))


def draw_rocket(pen: Pen, look: Look, kind: str) -> None:
    pen.polygon([(-14, 0), (0, 44), (14, 0)], Lit((255, 170, 50)))
    pen.polygon([(-8, 0), (0, 26), (8, 0)], Lit((255, 240, 150)))
    pen.polygon([(-30, -30), (-52, 6), (-22, -6)], (214, 50, 60))
    pen.polygon([(30, -30), (52, 6), (22, -6)], (214, 50, 60))
    pen.ellipse(0, -80, 32, 86, (236, 238, 246))
    pen.polygon([(-28, -118), (0, -176), (28, -118)], (214, 50, 60))
    pen.circle(0, -96, 16, (70, 90, 130))
    pen.circle(0, -96, 11, Lit((140, 220, 255)))
    pen.polygon([(-32, -10), (32, -10), (30, 0), (-30, 0)], (180, 184, 200))
