"""The picture being painted, and see-through layers over it.

Coordinates are in drawing units: the frame's short side is 720 of them whatever its aspect (1280 × 720
for a landscape film, 720 × 1280 for a vertical one, 720 × 720 for a square), so the figures keep their size
and the landscape spreads to the frame it is given. The canvas is SUPERSAMPLE times that; the finished
picture is reduced from it to the size asked (native for anything up to 1440 px on the short side).
"""

from __future__ import annotations

import math
import random
from typing import Self

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .. import HEIGHT, WIDTH
from .pen import SUPERSAMPLE

W, H = WIDTH, HEIGHT
SHORT_SIDE = 720  # drawing units on the frame's short side


def frame_units(width: int, height: int) -> tuple[int, int]:
    """The drawing units of a width × height picture: its aspect, with SHORT_SIDE on its short side."""
    if width >= height:
        return round(SHORT_SIDE * width / height), SHORT_SIDE
    return SHORT_SIDE, round(SHORT_SIDE * height / width)


Box = tuple[float, float, float, float]


class Canvas:
    """The picture at SUPERSAMPLE times its size in drawing units."""

    def __init__(self, width: int = W, height: int = H):
        self.W, self.H = width, height
        self.image = Image.new("RGB", (width * SUPERSAMPLE, height * SUPERSAMPLE), (0, 0, 0))
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    @staticmethod
    def point(x: float, y: float) -> tuple[float, float]:
        return (x * SUPERSAMPLE, y * SUPERSAMPLE)

    def polygon(self, points, fill) -> None:
        self.draw.polygon([self.point(x, y) for x, y in points], fill=fill)

    def ellipse(self, cx, cy, rx, ry, fill) -> None:
        s = SUPERSAMPLE
        self.draw.ellipse(((cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s), fill=fill)

    def line(self, points, fill, width) -> None:
        self.draw.line(
            [self.point(x, y) for x, y in points],
            fill=fill,
            width=max(1, round(width * SUPERSAMPLE)),
            joint="curve",
        )

    def gradient_polygon(self, points, top, bottom) -> None:
        """Fill a polygon with a vertical gradient from ``top`` to ``bottom`` (already toned)."""
        xs = [x * SUPERSAMPLE for x, _ in points]
        ys = [y * SUPERSAMPLE for _, y in points]
        x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
        x1, y1 = min(self.W * SUPERSAMPLE, int(max(xs)) + 2), min(self.H * SUPERSAMPLE, int(max(ys)) + 2)
        if x1 <= x0 or y1 <= y0:
            return
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(mask).polygon([(x - x0, y - y0) for x, y in zip(xs, ys)], fill=255)
        t = np.linspace(0.0, 1.0, y1 - y0)[:, None]
        colours = np.array(top[:3], float) * (1 - t) + np.array(bottom[:3], float) * t
        strip = Image.fromarray(np.ascontiguousarray(colours[:, None, :].round().astype(np.uint8)), "RGB")
        self.image.paste(strip.resize((x1 - x0, y1 - y0), Image.NEAREST), (x0, y0), mask)

    def layer(self, blur: float = 0.0, box: Box | None = None) -> Overlay:
        return Overlay(self, blur, box)

    def paste(self, image: Image.Image, x: float, y: float, origin_x: float, origin_y: float) -> None:
        """Paste an RGBA layer so that its point (origin_x, origin_y) lands on (x, y) in final pixels."""
        self.image.paste(image, (round(x * SUPERSAMPLE - origin_x), round(y * SUPERSAMPLE - origin_y)), image)


class Overlay:
    """A transparent layer for soft or see-through things (mist, glow, clouds), blended in on exit.

    ``box`` (final pixels) limits it to where the drawing goes: much cheaper than the whole canvas.
    """

    def __init__(self, canvas: Canvas, blur: float, box: Box | None = None):
        self.canvas = canvas
        self.blur = blur
        pad = blur * 3 + 2
        if box is None:
            self.offset_x, self.offset_y = 0, 0
            size = canvas.image.size
        else:
            self.offset_x = max(0, int((box[0] - pad) * SUPERSAMPLE))
            self.offset_y = max(0, int((box[1] - pad) * SUPERSAMPLE))
            x1 = min(canvas.image.width, int((box[2] + pad) * SUPERSAMPLE) + 1)
            y1 = min(canvas.image.height, int((box[3] + pad) * SUPERSAMPLE) + 1)
            size = (max(1, x1 - self.offset_x), max(1, y1 - self.offset_y))
        self.image = Image.new("RGBA", size, (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        image = self.image
        bbox = image.getchannel("A").getbbox()
        if bbox is None:
            return
        pad = int(self.blur * SUPERSAMPLE * 3) + 2
        x0, y0 = max(0, bbox[0] - pad), max(0, bbox[1] - pad)
        x1, y1 = min(image.width, bbox[2] + pad), min(image.height, bbox[3] + pad)
        image = image.crop((x0, y0, x1, y1))
        if self.blur:
            image = image.filter(ImageFilter.GaussianBlur(self.blur * SUPERSAMPLE))
        self.canvas.image.paste(image, (x0 + self.offset_x, y0 + self.offset_y), image)

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (x * SUPERSAMPLE - self.offset_x, y * SUPERSAMPLE - self.offset_y)

    def ellipse(self, cx, cy, rx, ry, fill) -> None:
        x0, y0 = self.point(cx - rx, cy - ry)
        x1, y1 = self.point(cx + rx, cy + ry)
        self.draw.ellipse((x0, y0, x1, y1), fill=fill)

    def polygon(self, points, fill) -> None:
        self.draw.polygon([self.point(x, y) for x, y in points], fill=fill)

    def line(self, points, fill, width) -> None:
        self.draw.line(
            [self.point(x, y) for x, y in points], fill=fill, width=max(1, round(width * SUPERSAMPLE))
        )


def wave_line(
    width: float, rng: random.Random, base: float, amp: float, x0: float = -40, x1: float | None = None,
    step: float = 16
) -> list[tuple[float, float]]:
    """A gently rolling line across a picture ``width`` wide about height ``base``: a hill's crest, a shore."""
    x1 = width + 40 if x1 is None else x1
    waves = [(rng.uniform(0.6, 1.0) * amp, rng.uniform(300, 700), rng.uniform(0, 6.28)) for _ in range(3)]
    points = []
    x = x0
    while x <= x1:
        y = base + sum(a * math.sin(2 * math.pi * x / period + phase) for a, period, phase in waves) / 2
        points.append((x, y))
        x += step
    return points
