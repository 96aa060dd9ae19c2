"""Illustration stage: one picture per scene, from the scene's prompt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..backend import Backend
from ..types import ProgressCallback, Scene, no_progress

WIDTH, HEIGHT = 1280, 720


@dataclass
class IllustrationContext:
    """What every scene's picture shares, so the hero looks the same throughout."""

    title: str
    genre: str
    seed: int


class Illustrator(Backend):
    stage = "illustration"

    def draw(
        self,
        scene: Scene,
        context: IllustrationContext,
        out_png: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
    ) -> dict:
        """Write a WIDTH x HEIGHT PNG to ``out_png``; return what was drawn (for the page and the tests)."""
        raise NotImplementedError
