"""Buildings: a far house, the log hut (on chicken legs for Baba Yaga), the palace or the castle."""

from __future__ import annotations

import math

import numpy as np

from ..lexicon import LEXICON
from ..palette import light, shade
from ..pen import GOLD
from .base import Part


class Buildings(Part):
    def house(self, x, base, s, haze: float = 0.0) -> None:
        """A small far house."""
        canvas = self.canvas
        w, h = 90 * s, 60 * s
        wall = self.land((180, 120, 70), haze)
        roof = self.land((150, 70, 50), haze)
        canvas.polygon(
            [(x - w / 2, base), (x - w / 2, base - h), (x + w / 2, base - h), (x + w / 2, base)], wall
        )
        canvas.polygon([(x - w * 0.62, base - h), (x, base - h - w * 0.45), (x + w * 0.62, base - h)], roof)
        window = self.tone.glow((255, 210, 110)) if self.night else self.land((120, 170, 210), haze)
        canvas.polygon(
            [
                (x - w * 0.12, base - h * 0.65),
                (x + w * 0.12, base - h * 0.65),
                (x + w * 0.12, base - h * 0.3),
                (x - w * 0.12, base - h * 0.3),
            ],
            window,
        )
        canvas.polygon(
            [
                (x + w * 0.22, base - h - w * 0.2),
                (x + w * 0.22, base - h - w * 0.42),
                (x + w * 0.34, base - h - w * 0.42),
                (x + w * 0.34, base - h - w * 0.1),
            ],
            roof,
        )

    def hut(self, x, base, s, legs: bool) -> None:
        """The log hut (изба), on chicken legs when Baba Yaga lives there."""
        canvas = self.canvas
        if legs:
            leg = self.land((236, 170, 60))
            for dx in (-36, 36):
                canvas.line(
                    [
                        (x + dx * s, base - 70 * s),
                        (x + dx * s - 10 * s, base - 30 * s),
                        (x + dx * s, base - 4 * s),
                    ],
                    leg,
                    9 * s,
                )
                for tx in (-18, 0, 18):
                    canvas.line([(x + dx * s, base - 4 * s), (x + dx * s + tx * s, base)], leg, 6 * s)
            base -= 70 * s
        w, h = 190 * s, 120 * s
        log = (172, 112, 62)
        canvas.polygon(
            [(x - w / 2, base), (x - w / 2, base - h), (x + w / 2, base - h), (x + w / 2, base)],
            self.land(log),
        )
        for i in range(7):
            y = base - h + (i + 0.5) * h / 7
            canvas.line([(x - w / 2, y + h / 14), (x + w / 2, y + h / 14)], self.land(shade(log, 0.75)), 2)
            for side in (-1, 1):
                canvas.ellipse(x + side * (w / 2 + 4 * s), y, 8 * s, 8 * s, self.land(light(log, 0.15)))
                canvas.ellipse(x + side * (w / 2 + 4 * s), y, 3.5 * s, 3.5 * s, self.land(shade(log, 0.8)))
        roof = (120, 76, 48) if self.plan.season != "winter" else (240, 244, 252)
        peak = base - h - 96 * s
        canvas.polygon(
            [(x - w * 0.62, base - h + 6 * s), (x, peak), (x + w * 0.62, base - h + 6 * s)], self.land(roof)
        )
        canvas.polygon(
            [(x - w * 0.5, base - h + 2 * s), (x, peak + 18 * s), (x + w * 0.5, base - h + 2 * s)],
            self.land(shade(log, 0.9)),
        )
        canvas.line(
            [(x - w * 0.64, base - h + 8 * s), (x, peak - 2 * s), (x + w * 0.64, base - h + 8 * s)],
            self.land((246, 240, 226)),
            6 * s,
        )
        canvas.ellipse(
            x,
            peak + 52 * s,
            14 * s,
            14 * s,
            self.tone.glow((255, 214, 110)) if self.night else self.land((110, 150, 190)),
        )
        # window with shutters
        wx, wy = x - w * 0.22, base - h * 0.55
        ww, wh = 34 * s, 40 * s
        window = self.tone.glow((255, 214, 110)) if self.night else self.land((130, 180, 220))
        canvas.polygon(
            [
                (wx - ww / 2, wy - wh / 2),
                (wx + ww / 2, wy - wh / 2),
                (wx + ww / 2, wy + wh / 2),
                (wx - ww / 2, wy + wh / 2),
            ],
            window,
        )
        canvas.line([(wx, wy - wh / 2), (wx, wy + wh / 2)], self.land((240, 236, 220)), 3 * s)
        canvas.line([(wx - ww / 2, wy), (wx + ww / 2, wy)], self.land((240, 236, 220)), 3 * s)
        for side in (-1, 1):
            sx0 = wx + side * (ww / 2 + 9 * s)
            canvas.polygon(
                [
                    (sx0 - 9 * s, wy - wh / 2),
                    (sx0 + 9 * s, wy - wh / 2),
                    (sx0 + 9 * s, wy + wh / 2),
                    (sx0 - 9 * s, wy + wh / 2),
                ],
                self.land((60, 110, 170)),
            )
        canvas.polygon(
            [
                (wx - ww / 2 - 18 * s, wy - wh / 2 - 10 * s),
                (wx + ww / 2 + 18 * s, wy - wh / 2 - 10 * s),
                (wx, wy - wh / 2 - 22 * s),
            ],
            self.land((240, 236, 220)),
        )
        # door
        dx = x + w * 0.25
        canvas.polygon(
            [
                (dx - 20 * s, base),
                (dx - 20 * s, base - 76 * s),
                (dx + 20 * s, base - 76 * s),
                (dx + 20 * s, base),
            ],
            self.land((110, 70, 44)),
        )
        canvas.ellipse(dx + 12 * s, base - 38 * s, 3 * s, 3 * s, self.land(GOLD))
        # chimney and smoke
        cx = x + w * 0.28
        canvas.polygon(
            [
                (cx - 10 * s, base - h - 30 * s),
                (cx - 10 * s, base - h - 74 * s),
                (cx + 10 * s, base - h - 74 * s),
                (cx + 10 * s, base - h - 44 * s),
            ],
            self.land((150, 90, 70)),
        )
        with canvas.layer(
            blur=4, box=(cx - 30 * s, base - h - 220 * s, cx + 80 * s, base - h - 70 * s)
        ) as overlay:
            for i in range(4):
                overlay.ellipse(
                    cx + i * 10 * s,
                    base - h - (92 + i * 26) * s,
                    (10 + i * 5) * s,
                    (9 + i * 4) * s,
                    self.land((236, 236, 240))[:3] + (130,),
                )

    def castle(self, x, base, s, haze: float = 0.0) -> None:
        canvas = self.canvas
        kind = self.plan.place_lemmas.get("дворец", "дворец")
        wall = self.land((236, 226, 210), haze)
        wall_dark = self.land((206, 192, 176), haze)
        roof = self.land((200, 60, 60) if kind in LEXICON.castles else (60, 150, 140), haze)
        dome = self.land((240, 190, 60), haze)
        window = self.tone.glow((255, 214, 110)) if self.night else self.land((90, 110, 160), haze)

        def rect(x0, y0, x1, y1, colour):
            canvas.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], colour)

        w, h = 200 * s, 110 * s
        rect(x - w / 2, base - h, x + w / 2, base, wall)
        for i in range(9):
            bx = x - w / 2 + i * w / 8.5
            rect(bx, base - h - 10 * s, bx + w / 17, base - h, wall)
        rect(x - 40 * s, base - h - 90 * s, x + 40 * s, base - h + 1, wall_dark)
        for side in (-1, 1):
            tx = x + side * w / 2
            rect(tx - 24 * s, base - h - 60 * s, tx + 24 * s, base, wall_dark)
            if kind in LEXICON.castles:
                canvas.polygon(
                    [
                        (tx - 30 * s, base - h - 60 * s),
                        (tx, base - h - 130 * s),
                        (tx + 30 * s, base - h - 60 * s),
                    ],
                    roof,
                )
            else:
                self.onion(tx, base - h - 60 * s, 30 * s, dome)
            rect(tx - 6 * s, base - h - 30 * s, tx + 6 * s, base - h - 10 * s, window)
        top = base - h - 90 * s
        if kind in LEXICON.castles:
            canvas.polygon([(x - 48 * s, top), (x, top - 110 * s), (x + 48 * s, top)], roof)
            canvas.line([(x, top - 110 * s), (x, top - 140 * s)], self.land((80, 60, 50), haze), 2 * s)
            canvas.polygon(
                [(x, top - 140 * s), (x + 24 * s, top - 133 * s), (x, top - 126 * s)],
                self.land((220, 50, 50), haze),
            )
        else:
            self.onion(x, top, 46 * s, dome)
        for dx in (-20, 20):
            rect(x + dx * s - 7 * s, top + 30 * s, x + dx * s + 7 * s, top + 56 * s, window)
        gate = (
            [(x - 26 * s, base), (x - 26 * s, base - 40 * s)]
            + [
                (x + 26 * s * math.cos(t), base - 40 * s - 26 * s * math.sin(t))
                for t in np.linspace(math.pi, 0, 12)
            ]
            + [(x + 26 * s, base)]
        )
        canvas.polygon(gate, self.land((110, 76, 56), haze))
        for dx in (-70, 70):
            rect(x + dx * s - 8 * s, base - 80 * s, x + dx * s + 8 * s, base - 54 * s, window)

    def onion(self, x, base, r, colour) -> None:
        canvas = self.canvas
        points = []
        for t in np.linspace(0, 1, 16):
            a = math.pi * t
            points.append((x - r * math.sin(a) * (1 - 0.3 * t), base - r * 1.6 * t))
        points = [(x - r * 0.8, base)] + [
            (x - r * math.sin(math.pi * 0.25 + 0.75 * math.pi * t) * (1.0 - 0.9 * t), base - r * 1.7 * t)
            for t in np.linspace(0, 1, 16)
        ]
        right = [(2 * x - px, py) for px, py in points[::-1]]
        canvas.polygon(points + right, colour)
        canvas.line([(x, base - r * 1.7), (x, base - r * 2.2)], colour, max(1.5, r * 0.08))
        canvas.ellipse(x - r * 0.3, base - r * 0.6, r * 0.15, r * 0.3, light(colour, 0.35)[:3] + (160,))
