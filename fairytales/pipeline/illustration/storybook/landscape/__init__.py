"""The landscape, painted back to front: the sky, the far land, the middle ground (with water and buildings),
the foreground. Each module is one part (a mixin of ``painter.Painter``); trees and buildings serve them
all."""

from __future__ import annotations

from .buildings import Buildings
from .far import FarLand
from .ground import Foreground
from .middle import MiddleGround
from .sky import Sky
from .trees import Trees
from .water import Water

# The places the landscape knows how to paint: every place in data/lexicon.toml must be one of these.
PLACES = (
    "лес",
    "море",
    "поле",
    "горы",
    "изба",
    "дворец",
    "болото",
    "пещера",
    "река",
    "деревня",
    "сад",
    "город",
    "космос",
)

__all__ = ["PLACES", "Buildings", "FarLand", "Foreground", "MiddleGround", "Sky", "Trees", "Water"]
