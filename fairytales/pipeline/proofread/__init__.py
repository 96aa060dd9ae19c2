"""Proofread stage: spelling fixed before the voice reads the story."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..backend import Backend
from ..types import ProgressCallback, no_progress


@dataclass
class Proofread:
    text: str
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (as written, as fixed)


class Proofreader(Backend):
    stage = "proofread"

    def fix(self, text: str, options: dict, progress: ProgressCallback = no_progress) -> Proofread:
        raise NotImplementedError
