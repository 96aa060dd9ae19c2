"""People: tsars and tsarevnas, the knight, Baba Yaga in her mortar, the wizard, old folk and children."""

from __future__ import annotations

import math

from ..looks import Look
from ..palette import Lit, light, mix, shade
from ..pen import BLACK, CHEEK, GOLD, SKIN, WHITE, Pen

HATS = ("none", "kokoshnik", "crown", "crown_small", "helmet", "scarf", "wizard", "cap", "hood", "wreath")
OLD_SKIN = (222, 204, 168)  # Baba Yaga's
BOOTS = (110, 66, 40)


def draw_person(pen: Pen, look: Look, kind: str) -> None:
    yaga = kind == "баба-яга"  # hunched forward, in her mortar, with a long nose
    main, second = look.main, look.second
    hair = look.hair or (120, 80, 40)
    skin = OLD_SKIN if yaga else SKIN
    dark_main = shade(main, 0.72)
    trim = second if second != WHITE else dark_main
    hx, hy = (16.0, -174.0) if yaga else (0.0, -186.0)  # the head's middle
    _behind(pen, look, hx, hy, hair, yaga)
    _body(pen, look, yaga, skin, trim, dark_main)
    _carried(pen, look, skin)
    _head(pen, look, hx, hy, hair, skin, yaga)
    _hat(pen, look, hx, hy, trim, dark_main, yaga)


def _behind(pen: Pen, look: Look, hx: float, hy: float, hair, yaga: bool) -> None:
    """What the body hides: a cloak, the back of a kokoshnik or a hood, long hair."""
    main, second, hat = look.main, look.second, look.hat
    if look.cloak:
        pen.polygon([(-30, -150), (30, -150), (74, -6), (-74, -6)], shade(main, 0.78))
        pen.polygon([(-74, -6), (74, -6), (70, -18), (-70, -18)], WHITE)
        for i in range(6):
            pen.circle(-58 + i * 23, -12, 2.4, BLACK)
    if hat == "kokoshnik":
        pen.ellipse(hx, hy - 18, 44, 46, second)
        pen.ellipse(hx, hy - 18, 38, 40, main)
        for i in range(7):
            a = math.pi + math.pi * (i + 0.5) / 7
            pen.circle(hx + 40 * math.cos(a), hy - 18 + 42 * math.sin(a), 3.6, WHITE)
    if hat == "hood":
        pen.ellipse(hx, hy + 4, 44, 46, main)
        pen.polygon([(hx - 40, hy + 10), (hx + 40, hy + 10), (46, -120), (-46, -120)], main)
    # hair behind the head
    if look.female and hat not in ("scarf", "hood"):
        pen.ellipse(hx, hy + 4, 38, 40, hair)
        pen.polygon([(hx - 30, hy + 10), (hx + 30, hy + 10), (34, -138), (-34, -138)], hair)
    if yaga:
        for dx, dy in ((-30, 10), (-36, 26), (34, 22)):
            pen.line([(hx + dx * 0.6, hy), (hx + dx, hy + dy)], hair, 4)


def _body(pen: Pen, look: Look, yaga: bool, skin, trim, dark_main) -> None:
    """Legs and boots, the dress or the shirt (Baba Yaga's mortar), the arms."""
    main, second = look.main, look.second
    # legs and boots
    if yaga:
        pass  # she stands in her mortar
    elif look.female:
        for dx in (-14, 14):
            pen.ellipse(dx, -6, 14, 8, BOOTS)
    else:
        trousers = shade(second, 0.7) if second != WHITE else (70, 80, 120)
        for dx in (-13, 13):
            pen.line([(dx, -72), (dx, -16)], trousers, 21)
            pen.ellipse(dx + 3, -9, 15, 9, BOOTS)
    # body
    if yaga:
        pen.polygon([(-26, -152), (26, -152), (44, -80), (-44, -80)], main)
        pen.ellipse(-18, -118, 12, 10, shade(main, 0.8))
        pen.ellipse(16, -128, 10, 8, second)
    elif look.female:
        pen.polygon([(-26, -152), (26, -152), (60, -12), (-60, -12)], main)
        pen.polygon([(-56, -30), (56, -30), (60, -12), (-60, -12)], second)
        for i in range(7):
            pen.circle(-48 + i * 16, -21, 3.2, shade(second, 0.7) if second != WHITE else main)
        pen.polygon([(-27, -148), (27, -148), (29, -140), (-29, -140)], second)
        pen.ellipse(0, -110, 21, 4, second)
    else:
        pen.polygon([(-30, -152), (30, -152), (40, -62), (-40, -62)], main)
        pen.polygon([(-38, -84), (38, -84), (39, -74), (-39, -74)], trim)
        pen.line([(0, -150), (0, -120)], dark_main, 2.5)
        if look.armour:  # chain mail
            for row in range(3):
                for column in range(4):
                    pen.circle(-21 + column * 14, -138 + row * 16, 5.5, shade(main, 0.85))
    if yaga:  # the mortar
        wood = (128, 104, 90)
        pen.polygon([(-58, -96), (58, -96), (42, -6), (-42, -6)], wood)
        pen.ellipse(0, -96, 58, 11, shade(wood, 0.7))
        for y in (-74, -30):
            pen.line([(-55 + (y + 96) * 0.16, y), (55 - (y + 96) * 0.16, y)], shade(wood, 0.8), 4)
        pen.ellipse(0, -6, 44, 8, shade(wood, 0.85))
    # arms
    sleeve = shade(main, 0.9) if look.armour else main
    for side in (-1, 1):
        if yaga and side == 1:
            pen.line([(26, -146), (46, -130), (58, -122)], sleeve, 15)
            pen.circle(62, -120, 8, skin)
            continue
        pen.line([(side * 26, -146), (side * 40, -116), (side * 42, -92)], sleeve, 15)
        pen.circle(side * 42, -86, 8, skin)


def _carried(pen: Pen, look: Look, skin) -> None:
    """A shield, a sword, a staff, a broom."""
    second = look.second
    if look.shield:
        pen.circle(-44, -104, 30, second)
        pen.circle(-44, -104, 22, shade(second, 0.85))
        pen.circle(-44, -104, 7, GOLD)
    if look.sword:
        pen.line([(50, -92), (70, -196)], (214, 222, 232), 7, caps=False)
        pen.line([(38, -94), (60, -90)], GOLD, 6)
        pen.line([(48, -86), (46, -74)], (110, 70, 40), 6)
    if look.staff:
        pen.line([(46, -10), (46, -224)], (120, 80, 50), 7)
        pen.circle(46, -232, 11, Lit((120, 230, 255)))
        pen.sparkle(46, -232, 22, Lit((220, 250, 255)))
    if look.broom:
        pen.line([(70, -214), (54, -40)], (140, 100, 60), 6)
        pen.polygon([(48, -50), (30, 4), (80, 4), (62, -50)], (210, 180, 100))
        for dx in (-8, 4, 14):
            pen.line([(55 + dx * 0.3, -44), (55 + dx, 0)], (170, 140, 70), 1.5)
        pen.circle(62, -120, 8, skin)


def _head(pen: Pen, look: Look, hx: float, hy: float, hair, skin, yaga: bool) -> None:
    """The neck, the head, hair on top, the face, a beard."""
    main, second, hat = look.main, look.second, look.hat
    pen.polygon([(hx * 0.5 - 8, hy + 26), (hx * 0.5 + 8, hy + 26), (8, -148), (-8, -148)], skin)
    if hat == "scarf":
        pen.ellipse(hx, hy + 2, 40, 42, main if not yaga else second)
    pen.circle(hx, hy, 32, skin)
    # hair on top
    if hat not in ("scarf", "helmet", "hood"):
        if look.female:
            pen.ellipse(hx, hy - 18, 33, 19, hair)
            pen.ellipse(hx + 12, hy - 16, 16, 12, hair)
            if hat == "none" and not look.old:
                for i in range(4):
                    pen.ellipse(hx + 34 + (i % 2) * 2, hy + 20 + i * 18, 9, 11, hair)
                pen.circle(hx + 34, hy + 92, 7, second)
        else:
            pen.ellipse(hx, hy - 20, 33, 16, hair)
            for side in (-1, 1):
                pen.ellipse(hx + side * 29, hy - 8, 7, 12, hair)
    # face
    eye_x = 11  # the eyes' distance from the middle
    if yaga:
        pen.eye(hx - eye_x + 4, hy - 1, 4.6)
        pen.eye(hx + eye_x + 4, hy - 1, 4.6)
        pen.line([(hx - 10, hy - 10), (hx + 0, hy - 6)], hair, 3)
        pen.line([(hx + 10, hy - 6), (hx + 22, hy - 10)], hair, 3)
        pen.polygon(
            [
                (hx + 10, hy - 2),
                (hx + 30, hy + 4),
                (hx + 48, hy + 20),
                (hx + 42, hy + 24),
                (hx + 24, hy + 18),
                (hx + 8, hy + 12),
            ],
            shade(skin, 0.94),
            outline=shade(skin, 0.62),
            width=1.6,
        )
        pen.circle(hx + 4, hy + 6, 3, shade(skin, 0.75))
        pen.line([(hx - 4, hy + 22), (hx + 6, hy + 24), (hx + 16, hy + 22)], (110, 50, 50), 2.4)
        pen.polygon([(hx + 4, hy + 23), (hx + 9, hy + 23), (hx + 6, hy + 30)], WHITE)
        pen.ellipse(hx + 2, hy + 32, 10, 6, skin)
    else:
        pen.eye(hx - eye_x + 4, hy - 2, 4.8)
        pen.eye(hx + eye_x + 4, hy - 2, 4.8)
        pen.circle(hx - eye_x - 6, hy + 10, 5.5, mix(skin, CHEEK, 0.65))
        pen.circle(hx + eye_x + 13, hy + 10, 5.5, mix(skin, CHEEK, 0.65))
        pen.smile(hx + 4, hy + 12, 7.5, (170, 70, 70), 2.4)
    if look.old and not yaga:
        pen.line([(hx - eye_x - 4, hy - 14), (hx - eye_x + 10, hy - 16)], hair, 3)
        pen.line([(hx + eye_x - 2, hy - 16), (hx + eye_x + 12, hy - 14)], hair, 3)
    if look.beard:
        beard = hair
        beard_points = [
            (hx - 28, hy + 4),
            (hx - 20, hy + 30),
            (hx - 8, hy + 56),
            (hx + 4, hy + 66),
            (hx + 16, hy + 56),
            (hx + 28, hy + 30),
            (hx + 32, hy + 4),
            (hx + 20, hy + 18),
            (hx - 12, hy + 18),
        ]
        pen.polygon(beard_points, beard)
        pen.smile(hx + 4, hy + 14, 8, shade(beard, 0.75), 3)


def _hat(pen: Pen, look: Look, hx: float, hy: float, trim, dark_main, yaga: bool) -> None:
    main, second, hat = look.main, look.second, look.hat
    if hat in ("crown", "crown_small"):
        big = hat == "crown"
        top = hy - (58 if big else 48)
        base = hy - 26
        pen.polygon(
            [
                (hx - 24, base),
                (hx - 26, top),
                (hx - 13, base - 14),
                (hx, top - 6),
                (hx + 13, base - 14),
                (hx + 26, top),
                (hx + 24, base),
            ],
            GOLD,
        )
        pen.polygon(
            [(hx - 25, base), (hx + 25, base), (hx + 25, base - 7), (hx - 25, base - 7)], shade(GOLD, 0.85)
        )
        pen.circle(hx, base - 14, 4.5, (220, 40, 60))
    elif hat == "kokoshnik":
        pen.polygon([(hx - 30, hy - 16), (hx + 30, hy - 16), (hx + 30, hy - 24), (hx - 30, hy - 24)], GOLD)
    elif hat == "helmet":
        steel = (196, 204, 216)
        pen.ellipse(hx, hy - 22, 34, 24, steel)
        pen.polygon(
            [(hx - 35, hy - 22), (hx + 35, hy - 22), (hx + 35, hy - 12), (hx - 35, hy - 12)], (160, 168, 184)
        )
        pen.polygon([(hx - 10, hy - 42), (hx, hy - 80), (hx + 10, hy - 42)], steel)
        pen.line([(hx + 4, hy - 12), (hx + 4, hy - 2)], (160, 168, 184), 5)
    elif hat == "wizard":
        pen.polygon([(hx - 42, hy - 18), (hx + 42, hy - 18), (hx + 10, hy - 108), (hx - 4, hy - 96)], main)
        pen.ellipse(hx, hy - 18, 46, 9, dark_main)
        pen.sparkle(hx - 4, hy - 56, 8, Lit((250, 220, 100)))
        pen.sparkle(hx + 12, hy - 36, 5, Lit((250, 220, 100)))
    elif hat == "cap":
        pen.ellipse(hx, hy - 22, 34, 16, trim)
        pen.ellipse(hx + 16, hy - 16, 24, 6, shade(trim, 0.8))
    elif hat == "scarf":
        scarf = main if not yaga else second
        pen.ellipse(hx, hy - 24, 36, 16, scarf)
        pen.polygon([(hx - 10, hy + 34), (hx + 10, hy + 34), (hx, hy + 48)], scarf)
        for i in range(4):
            pen.circle(hx - 18 + i * 12, hy - 28, 3, light(scarf, 0.5))
    elif hat == "wreath":
        for i in range(9):
            a = math.pi + math.pi * i / 8
            c = ((240, 80, 90), (250, 220, 60), (250, 250, 250), (120, 170, 240))[i % 4]
            pen.circle(hx + 33 * math.cos(a), hy - 8 + 26 * math.sin(a), 6.5, c)
    elif hat == "hood":
        pen.ellipse(hx, hy - 22, 34, 18, main)
