"""Animals: four-legged ones side on, the sitters (hare, cat, mouse), birds, the frog, the fish, the kolobok
(the round bun, drawn here with the animals)."""

from __future__ import annotations

import math

from ..looks import LOOKS, Look
from ..palette import Lit, light, mix, shade
from ..pen import BLACK, CHEEK, GOLD, WHITE, Pen


def draw_quadruped(pen: Pen, look: Look, kind: str) -> None:
    build = LOOKS.quadrupeds[kind]
    fur, lite, dark = look.fur, look.light, look.dark
    far = shade(fur, 0.8)
    rx, ry, leg, lw = build.body_rx, build.body_ry, build.leg, build.leg_width
    bx, by = -8.0, -(leg + ry * 0.8)
    # tail, behind everything
    if build.tail == "down":
        pen.ellipse(bx - rx - 18, by + 10, 40, 15, fur, angle=-28)
        pen.ellipse(bx - rx - 46, by + 24, 14, 10, lite, angle=-28)
    elif build.tail == "up":
        pen.ellipse(bx - rx - 24, by - 14, 46, 18, fur, angle=28)
        pen.ellipse(bx - rx - 58, by - 32, 16, 12, lite, angle=28)
    elif build.tail == "thin":
        pen.line([(bx - rx + 8, by - 4), (bx - rx - 10, by - 18), (bx - rx - 16, by - 40)], fur, 8)
    else:
        pen.circle(bx - rx + 4, by - 6, 11, fur)
    # far legs, then near legs
    legs = [(bx - rx * 0.45, True), (bx + rx * 0.72, True), (bx - rx * 0.62, False), (bx + rx * 0.5, False)]
    for x, is_far in legs:
        c = far if is_far else fur
        pen.line([(x, by + ry * 0.3), (x, -lw * 0.45)], c, lw)
        sock = dark if kind == "лиса" else shade(c, 0.82)
        pen.ellipse(x + 3, -lw * 0.35, lw * 0.62, lw * 0.42, sock)
    pen.ellipse(bx, by, rx, ry, fur)
    if kind == "медведь":
        pen.ellipse(bx + rx * 0.35, by + ry * 0.25, rx * 0.42, ry * 0.55, light(fur, 0.18))
    else:
        pen.ellipse(bx + rx * 0.55, by + ry * 0.3, rx * 0.42, ry * 0.6, lite)
    if look.accent is not None:  # the hero's scarf
        hx0 = bx + rx * 0.82
        pen.ellipse(hx0, by - ry * 0.45, 15, ry * 0.7, look.accent, angle=-20)
        pen.polygon(
            [(hx0 - 6, by - 4), (hx0 - 26, by + ry * 0.9), (hx0 - 12, by + ry * 0.95), (hx0 + 4, by)],
            look.accent,
        )
    r = build.head
    hx, hy = bx + rx * 0.92, by - ry * 0.85 - r * 0.35
    # ears
    if build.ear == "point":
        e = build.ear_length
        for dx, c in ((-0.55, shade(fur, 0.85)), (0.05, fur)):
            base_l, base_r = (hx + (dx - 0.32) * r, hy - 0.62 * r), (hx + (dx + 0.32) * r, hy - 0.78 * r)
            tip = (hx + dx * r - 2, hy - 0.8 * r - e)
            pen.polygon([base_l, tip, base_r], c)
            pen.polygon(
                [(base_l[0] + 5, base_l[1] - 2), (tip[0] + 1, tip[1] + 10), (base_r[0] - 5, base_r[1] - 1)],
                dark if kind != "лиса" else (60, 40, 40),
            )
    elif build.ear == "round":
        for dx in (-0.6, 0.35):
            pen.circle(hx + dx * r, hy - 0.78 * r, build.ear_length, fur)
            pen.circle(hx + dx * r, hy - 0.78 * r, build.ear_length * 0.55, lite)
    pen.circle(hx, hy, r, fur)
    if kind in ("волк", "лиса"):
        pen.ellipse(hx - r * 0.1, hy + r * 0.45, r * 0.75, r * 0.45, lite)
    sl = build.snout
    pen.ellipse(
        hx + r * 0.62 + sl * 0.3,
        hy + r * 0.22,
        r * 0.38 + sl * 0.55,
        r * 0.42,
        lite if kind != "собака" else light(fur, 0.35),
    )
    pen.circle(hx + r * 0.62 + sl * 0.85 + r * 0.2, hy + r * 0.05, max(5.0, r * 0.2), BLACK)
    pen.line(
        [(hx + r * 0.62 + sl * 0.6, hy + r * 0.5), (hx + r * 0.62 + sl * 0.85, hy + r * 0.45)],
        shade(dark, 0.8),
        2.2,
    )
    if build.ear == "floppy":
        pen.ellipse(hx - r * 0.45, hy - r * 0.05, r * 0.3, build.ear_length * 0.75, dark, angle=15)
    pen.eye(hx + r * 0.32, hy - r * 0.18, max(4.5, r * 0.19))
    if kind == "волк":
        pen.line([(hx + r * 0.05, hy - r * 0.5), (hx + r * 0.5, hy - r * 0.36)], dark, 3)
    if kind == "медведь":
        pen.line([(hx + r * 0.95, hy + r * 0.55), (hx + r * 1.2, hy + r * 0.5)], dark, 2.2)


def draw_horse(pen: Pen, look: Look, kind: str) -> None:
    fur, lite, dark = look.fur, look.light, look.dark
    far = shade(fur, 0.8)
    # tail
    pen.polygon([(-66, -124), (-84, -112), (-100, -60), (-92, -40), (-80, -60), (-70, -100)], dark)
    for x, c in ((-40, far), (58, far), (-56, fur), (42, fur)):
        pen.line([(x, -104), (x, -10)], c, 13)
        pen.ellipse(x + 2, -6, 10, 7, dark)
    pen.ellipse(0, -112, 72, 32, fur)
    pen.ellipse(10, -100, 50, 16, light(fur, 0.12))
    if look.accent is not None or look.saddle:
        cloth = look.accent or (190, 40, 50)
        pen.polygon([(-24, -140), (26, -140), (30, -96), (-28, -96)], cloth)
        pen.polygon([(-28, -102), (30, -102), (30, -94), (-28, -94)], GOLD)
    pen.line([(46, -124), (80, -188)], fur, 34)
    pen.ellipse(100, -186, 34, 16, fur, angle=38)
    pen.ellipse(118, -170, 14, 12, lite, angle=38)
    pen.circle(122, -170, 3.5, BLACK)
    for dx in (0, 9):
        pen.polygon([(74 + dx, -206), (72 + dx, -230), (86 + dx, -210)], shade(fur, 0.9 if dx else 0.8))
    for i in range(7):
        t = i / 6
        pen.ellipse(42 + 34 * t - 8, -128 - 76 * t, 11, 16, dark, angle=-30)
    pen.eye(94, -196, 5.5)


def draw_sitter(pen: Pen, look: Look, kind: str) -> None:
    """Hare, cat, mouse: sitting up, three-quarter view."""
    fur, lite, dark = look.fur, look.light, look.dark
    s = {"заяц": 1.0, "кот": 0.92, "мышь": 0.62}[kind]  # the mouse is a small hare
    # tail
    if kind == "заяц":
        pen.circle(-38 * s, -26 * s, 14 * s, lite)
    elif kind == "кот":
        pen.line(
            [
                (-26 * s, -18 * s),
                (-56 * s, -22 * s),
                (-72 * s, -50 * s),
                (-64 * s, -82 * s),
                (-52 * s, -88 * s),
            ],
            fur,
            13 * s,
        )
        pen.circle(-52 * s, -88 * s, 7 * s, dark)
    else:
        pen.line(
            [(-26 * s, -12 * s), (-60 * s, -8 * s), (-84 * s, -22 * s), (-96 * s, -10 * s)],
            (230, 160, 160),
            4,
        )
    pen.ellipse(0, -50 * s, 40 * s, 48 * s, fur)
    if kind == "кот":
        for i in range(3):
            pen.line([(-34 * s, (-64 + i * 14) * s), (-18 * s, (-60 + i * 14) * s)], dark, 5 * s)
    pen.ellipse(6 * s, -42 * s, 25 * s, 32 * s, lite)
    for dx in (-18, 20):
        pen.ellipse(dx * s, -7 * s, 17 * s, 9 * s, fur)
    for dx in (-4, 18):
        pen.ellipse(dx * s, -34 * s, 8 * s, 11 * s, light(fur, 0.2))
    if look.accent is not None:
        pen.ellipse(6 * s, -88 * s, 30 * s, 9 * s, look.accent)
        pen.polygon([(0, -88 * s), (-12 * s, -58 * s), (2 * s, -58 * s), (10 * s, -86 * s)], look.accent)
    hx, hy, r = 6 * s, -118 * s, 33 * s
    if kind == "заяц":
        for dx, ang in ((-13, -10), (14, 12)):
            pen.ellipse(hx + dx * s, hy - 52 * s, 11 * s, 38 * s, fur, angle=ang)
            pen.ellipse(hx + dx * s, hy - 50 * s, 5.5 * s, 27 * s, (246, 176, 180), angle=ang)
    elif kind == "кот":
        for dx in (-1, 1):
            b0 = (hx + dx * 30 * s, hy - 8 * s)
            tip = (hx + dx * 24 * s, hy - 50 * s)
            b1 = (hx + dx * 4 * s, hy - 26 * s)
            pen.polygon([b0, tip, b1], fur)
            pen.polygon(
                [
                    (b0[0] - dx * 6 * s, b0[1] - 8 * s),
                    (tip[0], tip[1] + 12 * s),
                    (b1[0] + dx * 6 * s, b1[1] - 2 * s),
                ],
                (246, 176, 180),
            )
    else:
        for dx in (-26, 28):
            pen.circle(hx + dx * s, hy - 26 * s, 19 * s, fur)
            pen.circle(hx + dx * s, hy - 26 * s, 11 * s, (246, 176, 180))
    pen.ellipse(hx, hy, r * 1.05, r * 0.92, fur)
    if kind == "кот":
        pen.line([(hx - 8 * s, hy - 28 * s), (hx - 6 * s, hy - 18 * s)], dark, 4 * s)
        pen.line([(hx + 6 * s, hy - 28 * s), (hx + 5 * s, hy - 18 * s)], dark, 4 * s)
    pen.ellipse(hx + 4 * s, hy + 12 * s, 17 * s, 12 * s, lite)
    pen.eye(hx - 9 * s, hy - 4 * s, 6 * s)
    pen.eye(hx + 15 * s, hy - 4 * s, 6 * s)
    pen.ellipse(hx + 4 * s, hy + 6 * s, 5 * s, 3.6 * s, (226, 110, 120))
    pen.circle(hx - 17 * s, hy + 10 * s, 4.5 * s, mix(fur, CHEEK, 0.6))
    pen.circle(hx + 25 * s, hy + 10 * s, 4.5 * s, mix(fur, CHEEK, 0.6))
    if kind == "заяц":
        pen.polygon(
            [
                (hx + 1 * s, hy + 14 * s),
                (hx + 7 * s, hy + 14 * s),
                (hx + 7 * s, hy + 22 * s),
                (hx + 1 * s, hy + 22 * s),
            ],
            WHITE,
        )
    else:
        for side in (-1, 1):
            for dy in (-2, 4):
                pen.line(
                    [
                        (hx + 4 * s + side * 10 * s, hy + 10 * s),
                        (hx + 4 * s + side * 34 * s, hy + (10 + dy * 1.5) * s),
                    ],
                    shade(dark, 0.8),
                    1.4,
                )


def draw_hedgehog(pen: Pen, look: Look, kind: str) -> None:
    fur, lite, dark = look.fur, look.light, look.dark
    points = []
    for i in range(23):
        t = math.pi + math.pi * i / 22
        rr = 48 if i % 2 == 0 else 36
        points.append((-6 + rr * math.cos(t), -22 + rr * 0.8 * math.sin(t)))
    points += [(40, -14), (30, -2), (-46, -2)]
    pen.polygon(points, dark)
    pen.ellipse(-6, -22, 40, 22, fur)
    for dx in (-24, 14):
        pen.ellipse(dx, -4, 10, 6, shade(lite, 0.8))
    pen.ellipse(34, -18, 24, 15, lite, angle=8)
    pen.circle(58, -16, 5.5, BLACK)
    pen.eye(32, -26, 4.5)
    pen.circle(26, -14, 4, mix(lite, CHEEK, 0.6))
    if look.accent is not None:
        pen.circle(-8, -52, 12, look.accent)


def draw_rooster(pen: Pen, look: Look, kind: str) -> None:
    body, lite, tail = look.fur, look.light, look.dark
    hen = kind == "hen"
    for dx in (-8, 10):
        pen.line([(dx, -44), (dx, -6)], (236, 170, 40), 5)
        pen.line([(dx - 8, -2), (dx, -6), (dx + 10, -2)], (236, 170, 40), 4)
    if not hen:
        for ang, c, ln in (
            (-70, tail, 48),
            (-50, (240, 150, 40), 50),
            (-28, shade(tail, 0.8), 46),
            (-8, (200, 60, 40), 38),
        ):
            a = math.radians(ang)
            pen.ellipse(-34 - math.cos(a) * 14, -74 + math.sin(a) * 20, ln, 11, c, angle=ang + 180)
    else:
        pen.ellipse(-34, -76, 18, 12, shade(body, 0.85), angle=-40)
    pen.ellipse(0, -62, 40, 30, body)
    pen.ellipse(-4, -62, 26, 16, shade(body, 0.8), angle=-10)
    pen.ellipse(28, -92, 14, 22, lite)
    pen.circle(32, -104, 17, lite)
    for dx, dy, r in ((24, -122, 7), (31, -126, 8), (39, -121, 7)):
        pen.circle(dx, dy, r * (0.7 if hen else 1), (222, 40, 40))
    pen.polygon([(46, -108), (60, -102), (46, -97)], (250, 190, 40))
    pen.ellipse(44, -90, 5, 8, (222, 40, 40))
    pen.eye(37, -108, 4.5)
    if look.accent is not None:
        pen.ellipse(20, -80, 16, 6, look.accent, angle=60)


def draw_bird(pen: Pen, look: Look, kind: str) -> None:
    """A bird in flight; origin at its middle."""
    body, lite, dark = look.fur, look.light, look.dark
    fire = kind == "firebird"
    if fire:
        for i, c in enumerate(((250, 90, 30), (250, 180, 40), (240, 60, 40))):
            pen.ellipse(-70 - i * 10, 6 + i * 10, 56, 9, Lit(c), angle=12 + i * 10)
    else:
        pen.polygon([(-28, -2), (-62, -14), (-66, 10), (-28, 6)], dark)
    pen.polygon(
        [(-2, -8), (-40, -62), (-4, -52), (18, -8)], shade(dark, 0.85) if not fire else Lit((250, 140, 40))
    )
    pen.ellipse(0, 0, 36, 16, body, angle=-8)
    pen.ellipse(6, 6, 22, 8, lite, angle=-8)
    pen.polygon([(-10, -6), (-18, -74), (16, -58), (24, -6)], dark if not fire else Lit((250, 200, 60)))
    if look.accent is not None:  # the hero's scarf
        pen.polygon([(20, -2), (-6, 18), (4, 22), (26, 6)], look.accent)
    pen.circle(34, -10, 14, body)
    if look.accent is not None:
        pen.ellipse(28, 0, 10, 6, look.accent, angle=-20)
    pen.polygon([(44, -14), (60, -8), (44, -4)], (240, 170, 40) if kind != "ворон" else (60, 60, 70))
    pen.eye(38, -13, 3.8)
    if fire:
        for i in range(3):
            pen.circle(28 + i * 6, -28 - i * 3, 3.5, Lit((250, 200, 60)))


def draw_frog(pen: Pen, look: Look, kind: str) -> None:
    fur, lite, dark = look.fur, look.light, look.dark
    for dx in (-34, 34):
        pen.ellipse(dx, -12, 20, 11, dark)
    pen.ellipse(0, -28, 40, 26, fur)
    pen.ellipse(0, -20, 26, 16, lite)
    for dx in (-16, 16):
        pen.circle(dx, -52, 13, fur)
        pen.circle(dx, -53, 9, WHITE)
        pen.circle(dx + 2, -53, 5, BLACK)
    pen.smile(0, -36, 18, shade(dark, 0.7), 2.4)
    for dx in (-14, 14):
        pen.ellipse(dx, -4, 9, 5, fur)
    if look.crown:
        pen.polygon([(-12, -62), (-12, -78), (-6, -70), (0, -84), (6, -70), (12, -78), (12, -62)], GOLD)
        pen.circle(0, -68, 3, (220, 40, 60))
    elif look.accent is not None:  # the hero's bow
        pen.polygon([(0, -62), (-16, -72), (-16, -54)], look.accent)
        pen.polygon([(0, -62), (16, -72), (16, -54)], look.accent)
        pen.circle(0, -62, 5, shade(look.accent, 0.85))


def draw_fish(pen: Pen, look: Look, kind: str) -> None:
    fur, lite, dark = look.fur, look.light, look.dark
    water = (90, 160, 220)
    foam = (236, 248, 255)
    if look.swim:  # jumping out of the water: ripples and drops only
        pen.ellipse(0, -4, 46, 9, light(water, 0.25))
        pen.ellipse(0, -5, 30, 5, foam)
    else:  # a little pool of its own
        pen.ellipse(0, -6, 56, 12, water)
        pen.ellipse(0, -8, 40, 7, light(water, 0.4))
    for x, y, r in ((-40, -22, 5), (36, -26, 4), (-24, -36, 3.5), (48, -14, 3)):
        pen.circle(x, y, r, foam)
    pen.polygon([(-26, -50), (-64, -76), (-54, -52), (-62, -28), (-28, -40)], dark)
    pen.polygon([(-18, -68), (-8, -90), (10, -74)], dark)
    pen.ellipse(0, -58, 40, 21, fur, angle=-22)
    pen.ellipse(6, -51, 26, 9, lite, angle=-22)
    pen.polygon([(0, -50), (-8, -36), (10, -44)], dark)
    for i in range(3):
        pen.line([(-16 + i * 10, -62 + i * 4), (-12 + i * 10, -54 + i * 4)], shade(fur, 0.8), 2)
    pen.eye(24, -70, 4.8)
    pen.smile(32, -60, 5, shade(dark, 0.7), 1.8)
    if look.accent is not None:  # the hero fish wears a little crown
        pen.polygon([(14, -80), (14, -96), (20, -88), (26, -100), (32, -88), (38, -96), (38, -80)], GOLD)


def draw_kolobok(pen: Pen, look: Look, kind: str) -> None:
    fur, lite, dark = look.fur, look.light, look.dark
    r = 44
    pen.circle(0, -r, r, dark)
    pen.circle(-3, -r - 3, r - 3, fur)
    pen.circle(-12, -r - 14, r * 0.55, mix(fur, lite, 0.5))
    pen.circle(-18, -r - 22, r * 0.2, light(lite, 0.3))
    for x, y in ((-22, -16), (20, -70), (28, -24), (-30, -58)):
        pen.circle(x, y, 2.2, shade(dark, 0.85))
    pen.eye(-4, -r - 6, 6.5)
    pen.eye(20, -r - 6, 6.5)
    pen.circle(-14, -r + 8, 6, mix(fur, CHEEK, 0.7))
    pen.circle(30, -r + 8, 6, mix(fur, CHEEK, 0.7))
    pen.smile(8, -r + 6, 12, (160, 60, 40), 3)
