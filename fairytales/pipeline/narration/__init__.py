"""Narration stage: speech for one scene, with the time each subtitle line starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..backend import Backend
from ..types import Cue, ProgressCallback, Scene, no_progress


@dataclass
class Narration:
    duration: float  # seconds of audio written
    cues: list[Cue] = field(default_factory=list)  # subtitles, relative to the start of the file


class Narrator(Backend):
    stage = "narration"
    voice_option: ClassVar[str] = "narrator_voice"  # the option that picks the narrator's voice
    voices: ClassVar[dict[str, str]] = {}  # voice id -> what users see

    def speak(self, scene: Scene, out_wav: Path, options: dict, progress: ProgressCallback = no_progress) -> Narration:
        """Write the scene's speech to ``out_wav`` (mono 16-bit WAV) and return its subtitles."""
        raise NotImplementedError
