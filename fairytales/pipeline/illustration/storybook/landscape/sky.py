"""The sky: its gradient and glow, the sun, the moon or a planet, stars, clouds, lightning; and the weather
over everything (rain, snow, fireflies)."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from ..palette import PALETTES, clamp, light, shade
from ..pen import SUPERSAMPLE, four_pointed_star
from .base import Part


class Sky(Part):
    def sky(self) -> None:
        """The gradient and the glow, painted small and enlarged (it is smooth); the horizon's colour is the
        haze far things fade into."""
        plan = self.plan
        sky = PALETTES.skies[plan.sky]
        w0, h0 = 320, 180
        y = np.linspace(0.0, 1.0, h0)[:, None, None]
        horizon = self.layout.horizon / self.H  # as a share of the height
        t1 = np.clip(y / (horizon * 0.62), 0, 1)
        t2 = np.clip((y - horizon * 0.62) / (horizon * 0.38), 0, 1)
        top = np.array(sky.top, float) / 255
        middle = np.array(sky.middle, float) / 255
        low = np.array(sky.horizon, float) / 255
        colours = top * (1 - t1) + middle * t1
        colours = colours * (1 - t2) + low * t2
        arr = np.repeat(colours, w0, axis=1)
        xs = np.linspace(0, self.W, w0)[None, :]
        ys = np.linspace(0, self.H, h0)[:, None]
        sx, sy = self.layout.sun
        d = np.sqrt((xs - sx) ** 2 + (ys - sy) ** 2)
        g = (np.exp(-((d / (self.H * 0.35)) ** 2)) * sky.glow_strength)[..., None]
        arr = arr * (1 - g) + np.array(sky.glow) * g
        if plan.sky == "space":
            for _ in range(4):  # nebulae
                nx, ny = self.rng.uniform(0, self.W), self.rng.uniform(0, self.H * 0.6)
                rad = self.rng.uniform(120, 260)
                nc = np.array(
                    self.rng.choice([(0.8, 0.2, 0.7), (0.2, 0.6, 0.9), (0.5, 0.2, 0.9), (0.9, 0.4, 0.5)])
                )
                dd = np.sqrt((xs - nx) ** 2 + ((ys - ny) * 1.6) ** 2)
                gg = (np.exp(-((dd / rad) ** 2)) * 0.45)[..., None]
                arr = arr * (1 - gg) + nc * gg
        arr = self.tone.sky_array(arr)
        self.tone.haze = tuple(clamp(v * 255) for v in arr[int(h0 * horizon) - 1, w0 // 2])
        image = Image.fromarray((arr * 255).astype(np.uint8), "RGB").resize(
            self.canvas.image.size, Image.BICUBIC
        )
        self.canvas.image.paste(image)

    def celestial(self) -> None:
        """Stars at night and in space; the moon, the sun or a planet."""
        plan, canvas, rng = self.plan, self.canvas, self.rng
        sx, sy = self.layout.sun
        if plan.sky in ("night", "space"):
            n = 140 if plan.sky == "space" else 90
            with canvas.layer() as overlay:
                for _ in range(n):
                    x, y = rng.uniform(0, self.W), rng.uniform(0, self.layout.horizon)
                    r = rng.choice([0.8, 1.0, 1.2, 1.6, 2.2])
                    a = int(120 + 135 * (1 - y / self.layout.horizon) * rng.uniform(0.5, 1))
                    overlay.ellipse(x, y, r, r, (255, 250, 230, a))
            for _ in range(6):
                x, y = rng.uniform(40, self.W - 40), rng.uniform(20, self.layout.horizon * 0.6)
                self.star_sparkle(x, y, rng.uniform(6, 11))
        if plan.sky == "night":
            r = 46
            with canvas.layer(
                blur=26, box=(sx - r * 2.4, sy - r * 2.4, sx + r * 2.4, sy + r * 2.4)
            ) as overlay:
                overlay.ellipse(sx, sy, r * 2.4, r * 2.4, self.tone.glow((200, 220, 255, 90)))
            s = SUPERSAMPLE
            moon = Image.new(
                "L", (int(r * 2 * s) + 4, int(r * 2 * s) + 4), 0
            )  # a crescent: a disc less a disc
            crescent = ImageDraw.Draw(moon)
            crescent.ellipse((2, 2, 2 + r * 2 * s, 2 + r * 2 * s), fill=255)
            crescent.ellipse((2 + r * 0.62 * s, 2 - r * 0.2 * s, 2 + r * 2.5 * s, 2 + r * 1.9 * s), fill=0)
            fill = Image.new("RGB", moon.size, self.tone.glow((255, 244, 200)))
            canvas.image.paste(fill, (int((sx - r) * s), int((sy - r) * s)), moon)
        elif plan.sky in ("day", "dawn", "sunset"):
            sky = PALETTES.skies[plan.sky]
            r, colour = sky.sun_radius, sky.sun
            if plan.sky == "day":
                with canvas.layer(
                    blur=22, box=(sx - r * 1.7, sy - r * 1.7, sx + r * 1.7, sy + r * 1.7)
                ) as overlay:
                    overlay.ellipse(sx, sy, r * 1.7, r * 1.7, self.tone.glow(colour + (90,)))
                with canvas.layer(box=(sx - r * 1.8, sy - r * 1.8, sx + r * 1.8, sy + r * 1.8)) as overlay:
                    for i in range(12):  # rays
                        a = 2 * math.pi * i / 12 + 0.1
                        a2 = a + 0.09
                        middle = (a + a2) / 2
                        overlay.polygon(
                            [
                                (sx + math.cos(a) * r * 1.25, sy + math.sin(a) * r * 1.25),
                                (sx + math.cos(middle) * r * 1.75, sy + math.sin(middle) * r * 1.75),
                                (sx + math.cos(a2) * r * 1.25, sy + math.sin(a2) * r * 1.25),
                            ],
                            self.tone.glow(colour + (210,)),
                        )
            canvas.ellipse(sx, sy, r, r, self.tone.glow(colour))
            canvas.ellipse(
                sx - r * 0.25, sy - r * 0.25, r * 0.55, r * 0.55, self.tone.glow(light(colour, 0.35))
            )
        if plan.sky == "space":
            self.planets()

    def star_sparkle(self, x, y, r) -> None:
        colour = self.tone.glow((255, 250, 220))
        with self.canvas.layer(blur=4, box=(x - r * 1.2, y - r * 1.2, x + r * 1.2, y + r * 1.2)) as overlay:
            overlay.ellipse(x, y, r * 1.2, r * 1.2, colour[:3] + (90,))
        self.canvas.polygon(four_pointed_star(x, y, r, 0.2), colour)

    def planets(self) -> None:
        """A ringed planet where the sun would be, and a small moon."""
        rng, canvas = self.rng, self.canvas
        sx, sy = self.layout.sun
        r = rng.uniform(60, 90)
        base = rng.choice([(230, 140, 90), (120, 180, 230), (200, 120, 220), (120, 210, 170)])
        ring = self.tone.glow((240, 220, 180))
        s = SUPERSAMPLE
        box = ((sx - r * 1.7) * s, (sy - r * 0.32) * s, (sx + r * 1.7) * s, (sy + r * 0.32) * s)
        canvas.draw.arc(box, 180, 360, fill=ring, width=int(5 * s))  # the ring behind the planet...
        canvas.ellipse(sx, sy, r, r, self.tone.glow(base))
        canvas.ellipse(sx - r * 0.3, sy - r * 0.3, r * 0.6, r * 0.6, self.tone.glow(light(base, 0.25)))
        for k in (-0.3, 0.15):
            canvas.line(
                [(sx - r * 0.95, sy + r * k), (sx + r * 0.95, sy + r * k + 8)],
                self.tone.glow(shade(base, 0.85)),
                6,
            )
        canvas.draw.arc(box, 0, 180, fill=ring, width=int(5 * s))  # ...and in front of it
        mx = self.W - sx if abs(self.W - sx - sx) > 200 else (sx + 400) % self.W
        canvas.ellipse(mx, self.H * 0.12, 24, 24, self.tone.glow((210, 210, 230)))
        canvas.ellipse(mx + 6, self.H * 0.12 - 4, 6, 6, self.tone.glow((170, 170, 200)))

    def clouds(self) -> None:
        plan, rng = self.plan, self.rng
        sky = PALETTES.skies[plan.sky]
        if not sky.clouds:  # space
            return
        n = sky.clouds
        if plan.mood == "dark" and plan.sky != "storm":
            n += 1
        sx, _ = self.layout.sun
        slots = [(i + 0.5) / n for i in range(n)]
        if plan.sky != "storm":
            slots = [(i + 0.5) / 5 for i in range(5)]
            slots = [t for t in slots if abs(t * self.W - sx) > 170]
            rng.shuffle(slots)
            slots = sorted(slots[:n])
        for t in slots:
            x = t * self.W + rng.uniform(-50, 50)
            y = (
                rng.uniform(self.H * 0.07, self.layout.horizon * 0.5)
                if plan.sky != "storm"
                else rng.uniform(-10, self.H * 0.22)
            )
            scale = rng.uniform(0.7, 1.2) * (1.6 if plan.sky == "storm" else 1.0)
            alpha = 235 if plan.sky != "night" else 170
            self.cloud(x, y, scale, self.tone.glow(sky.cloud_shade), self.tone.glow(sky.cloud), alpha)
        if plan.sky == "storm":
            self.lightning()

    def cloud(self, x, y, s, under, top, alpha) -> None:
        rng = self.rng
        puffs = []
        n = rng.randint(4, 6)
        for i in range(n):
            px = x + (i - (n - 1) / 2) * 34 * s + rng.uniform(-6, 6) * s
            r = (26 + 22 * math.sin(math.pi * (i + 0.5) / n) + rng.uniform(-4, 6)) * s
            puffs.append((px, y - r * 0.4, r))
        span = (n * 17 + 24) * s
        with self.canvas.layer(
            blur=1.2, box=(x - span - 60 * s, y - 80 * s, x + span + 60 * s, y + 30 * s)
        ) as overlay:
            for px, py, r in puffs:
                overlay.ellipse(px, py + 6 * s, r, r, under[:3] + (alpha,))
            overlay.ellipse(x, y + 8 * s, (n * 17 + 20) * s, 16 * s, under[:3] + (alpha,))
            for px, py, r in puffs:
                overlay.ellipse(px - 3 * s, py - 2 * s, r * 0.92, r * 0.92, top[:3] + (alpha,))

    def lightning(self) -> None:
        rng = self.rng
        x = rng.uniform(self.W * 0.2, self.W * 0.8)
        y = self.H * 0.16
        points = [(x, y)]
        while y < self.layout.horizon:
            x += rng.uniform(-30, 30)
            y += rng.uniform(30, 50)
            points.append((x, y))
        colour = self.tone.glow((255, 250, 200))
        with self.canvas.layer(blur=8) as overlay:
            overlay.line(points, colour[:3] + (160,), 14)
        self.canvas.line(points, colour, 4)

    def weather(self) -> None:
        """Over everything, figures too: rain in a storm, snow in winter, fireflies in a forest at night."""
        plan, rng, canvas = self.plan, self.rng, self.canvas
        if plan.sky == "storm":
            with canvas.layer() as overlay:
                for _ in range(220):
                    x, y = rng.uniform(-40, self.W), rng.uniform(0, self.H)
                    overlay.line([(x, y), (x + 8, y + 26)], (210, 220, 236, 70), 1.2)
        if plan.season == "winter":
            with canvas.layer() as overlay:
                for _ in range(120):
                    x, y = rng.uniform(0, self.W), rng.uniform(0, self.H)
                    r = rng.uniform(1.2, 3.6)
                    overlay.ellipse(x, y, r, r, (255, 255, 255, 200))
        if plan.sky == "night" and ("лес" in plan.places or "болото" in plan.places):
            with canvas.layer(blur=2) as overlay:
                for _ in range(14):
                    x, y = rng.uniform(0, self.W), rng.uniform(self.layout.horizon, self.H)
                    overlay.ellipse(x, y, 3, 3, (255, 250, 150, 230))
