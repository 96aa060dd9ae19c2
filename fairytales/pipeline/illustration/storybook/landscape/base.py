"""What every part of the landscape shares. The parts are mixins: ``painter.Painter`` puts them together and
sets this state up, and a part may call another's methods through ``self`` (a far village draws houses)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..canvas import Canvas
from ..palette import Tone
from ..planning import Plan

Point = tuple[float, float]


@dataclass
class Layout:
    horizon: float  # where the far land meets the sky
    mid: float  # top of the middle ground
    front: float  # top of the foreground, where figures stand below
    sun: Point
    sides: dict[str, str] = field(default_factory=dict)  # structure -> "left"/"right"/"back"


class Part:
    plan: Plan
    style: str
    rng: random.Random  # every random draw, in the order the parts are painted
    tone: Tone
    canvas: Canvas
    W: float  # the frame's width and height in drawing units (canvas.Frame)
    H: float
    layout: Layout
    night: bool  # windows glow
    water_spot: Point | None  # where a fish may swim, once there is water
    shore: list[Point] | None  # the sea's edge, once there is a sea

    def land(self, colour, haze: float = 0.0):
        """A colour of the land as painted: lit by the time of day, graded, faded into the haze far off."""
        return self.tone.land(colour, haze)
