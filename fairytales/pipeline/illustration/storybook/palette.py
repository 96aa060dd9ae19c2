"""Colours: small helpers, the genres' grades, the skies and the light (``data/palettes.toml``), and the Tone
that turns the colours a drawing names into the colours it paints."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np

from .tables import RGB, floats, read, rgb, rgbs

LUMA = np.array([0.299, 0.587, 0.114])


def clamp(value: float) -> int:
    return 0 if value < 0 else 255 if value > 255 else int(round(value))  # noqa: RUF046 - numpy floats too


def mix(a, b, t: float) -> RGB:
    return (clamp(a[0] + (b[0] - a[0]) * t), clamp(a[1] + (b[1] - a[1]) * t), clamp(a[2] + (b[2] - a[2]) * t))


def shade(colour, factor: float) -> RGB:
    return (clamp(colour[0] * factor), clamp(colour[1] * factor), clamp(colour[2] * factor))


def light(colour, t: float) -> RGB:
    return mix(colour, (255, 255, 255), t)


def hex_colour(colour) -> str:
    red, green, blue = colour[:3]
    return f"#{red:02x}{green:02x}{blue:02x}"


def hue_shift(colour, degrees: float, value: float = 1.0, saturation: float = 1.0) -> RGB:
    h, s, v = colorsys.rgb_to_hsv(colour[0] / 255, colour[1] / 255, colour[2] / 255)
    r, g, b = colorsys.hsv_to_rgb((h + degrees / 360) % 1.0, min(1.0, s * saturation), min(1.0, v * value))
    return (clamp(r * 255), clamp(g * 255), clamp(b * 255))


class Lit(tuple):
    """A colour that gives light (moon, windows at night, magic): the time of day does not dim it."""


@dataclass(frozen=True)
class Grade:
    """A genre's colour grade, applied to 0..1 colours after the light."""

    saturation: float = 1.0
    multiply: tuple[float, float, float] = (1.0, 1.0, 1.0)
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    pastel: float = 0.0
    contrast: float = 1.0
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)  # a colour the light takes on...
    tint_amount: float = 0.0  # ...this much of it


@dataclass(frozen=True)
class Light:
    """How a time of day lights the land and the figures: a multiplier per channel; how much fades to grey."""

    land: tuple[float, float, float]
    land_fade: float
    figures: tuple[float, float, float]
    figures_fade: float


@dataclass(frozen=True)
class SkyPalette:
    top: RGB
    middle: RGB
    horizon: RGB
    glow: tuple[float, float, float]  # about the sun, the moon or the planet (0..1)
    glow_strength: float
    sun_height: float  # a share of the picture's height
    clouds: int
    cloud: RGB | None = None
    cloud_shade: RGB | None = None
    sun_radius: float | None = None  # where the sun shows
    sun: RGB | None = None


@dataclass(frozen=True)
class Palettes:
    grades: dict[str, Grade]  # by the palette names in genres.toml
    lights: dict[str, Light]  # by sky
    skies: dict[str, SkyPalette]
    grass: dict[str, tuple[RGB, ...]]  # by season: far fields; meadows and the near ground; a headland's foot
    foliage: dict[str, tuple[RGB, ...]]  # by season; firs take the last


def _grade(row: dict) -> Grade:
    return Grade(
        **{key: floats(value) if isinstance(value, list) else float(value) for key, value in row.items()}
    )


def _sky(row: dict) -> SkyPalette:
    colours = {
        key: rgb(row[key])
        for key in ("top", "middle", "horizon", "cloud", "cloud_shade", "sun")
        if key in row
    }
    return SkyPalette(
        **colours,
        glow=floats(row["glow"]),
        glow_strength=row["glow_strength"],
        sun_height=row["sun_height"],
        clouds=row["clouds"],
        sun_radius=row.get("sun_radius"),
    )


def load() -> Palettes:
    table = read("palettes.toml")
    return Palettes(
        grades={name: _grade(row) for name, row in table["grades"].items()},
        lights={
            sky: Light(floats(row["land"]), row["land_fade"], floats(row["figures"]), row["figures_fade"])
            for sky, row in table["lights"].items()
        },
        skies={name: _sky(row) for name, row in table["skies"].items()},
        grass={season: rgbs(colours) for season, colours in table["grass"].items()},
        foliage={season: rgbs(colours) for season, colours in table["foliage"].items()},
    )


PALETTES = load()


def grade_array(a: np.ndarray, grade: Grade) -> np.ndarray:
    """Apply a genre grade to an (..., 3) array of 0..1 floats."""
    lum = (a @ LUMA)[..., None]
    a = lum + (a - lum) * grade.saturation
    a = (a - 0.5) * grade.contrast + 0.5
    a = a * np.array(grade.multiply) + np.array(grade.offset)
    if grade.tint_amount:
        lum = (a @ LUMA)[..., None]
        a = a * (1 - grade.tint_amount) + lum * np.array(grade.tint) * grade.tint_amount
    if grade.pastel:
        a = a * (1 - grade.pastel) + grade.pastel
    return np.clip(a, 0.0, 1.0)


class Tone:
    """Turns the colours a drawing names into the colours it paints: lighting, then the genre's grade."""

    def __init__(self, grade: Grade, sky: str, mood: str):
        self.grade = grade
        lighting = PALETTES.lights[sky]
        dim = 0.85 if mood == "dark" else 1.04 if mood == "bright" else 1.0
        self.land_light = (tuple(m * dim for m in lighting.land), lighting.land_fade)
        # the mood dims the land, never the figures' own colours
        self.figure_light = (tuple(lighting.figures), lighting.figures_fade)
        self._cache: dict = {}
        self.haze: RGB = (200, 210, 220)  # the sky at the horizon, once the sky is painted

    def _apply(self, colour, lighting) -> RGB:
        key = (tuple(colour[:3]), lighting)
        got = self._cache.get(key)
        if got is None:
            a = np.array(colour[:3], dtype=float) / 255.0
            if lighting is not None:
                multiply, fade = lighting
                lum = float(a @ LUMA)
                a = (a + (lum - a) * fade) * np.array(multiply)
            a = grade_array(a, self.grade)
            got = tuple(clamp(v * 255) for v in a)
            self._cache[key] = got
        return got

    @staticmethod
    def with_alpha(colour, rgb_colour):
        return rgb_colour + (colour[3],) if len(colour) == 4 else rgb_colour

    def land(self, colour, haze: float = 0.0):
        if isinstance(colour, Lit):
            return self.with_alpha(colour, self._apply(colour, None))
        painted = self._apply(colour, self.land_light)
        if haze:
            painted = mix(painted, self.haze, haze)
        return self.with_alpha(colour, painted)

    def figure(self, colour):
        if isinstance(colour, Lit):
            return self.with_alpha(colour, self._apply(colour, None))
        return self.with_alpha(colour, self._apply(colour, self.figure_light))

    def glow(self, colour):
        return self.with_alpha(colour, self._apply(colour, None))

    def sky_array(self, a: np.ndarray) -> np.ndarray:
        return grade_array(a, self.grade)
