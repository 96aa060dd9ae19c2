"""Story stage: a Russian tale conditioned on a title and a genre."""

from __future__ import annotations

from ..backend import Backend
from ..types import ProgressCallback, TaleRequest, no_progress


class Storyteller(Backend):
    stage = "story"

    def write(self, request: TaleRequest, options: dict, progress: ProgressCallback = no_progress) -> str:
        """The story's text (no title line, no prompt), paragraphs separated by blank lines."""
        raise NotImplementedError
