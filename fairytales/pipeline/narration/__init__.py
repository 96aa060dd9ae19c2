"""Narration stage: speech for one scene, with the time each subtitle line starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..backend import Backend, BackendUnavailable
from ..types import Cue, ProgressCallback, Scene, no_progress


@dataclass
class Narration:
    duration: float  # seconds of audio written
    cues: list[Cue] = field(default_factory=list)  # subtitles, relative to the start of the file
    voices: dict[str, str] = field(default_factory=dict)  # speaker -> the voice that read them (for the meta)


class Narrator(Backend):
    stage = "narration"
    voice_option: ClassVar[str] = "narrator_voice"  # the option that picks the narrator's voice
    voices: ClassVar[dict[str, str]] = {}  # voice id -> what users see, every language's
    languages: ClassVar[tuple[str, ...]] = ("ru",)  # the languages it speaks

    @classmethod
    def voices_in(cls, language: str) -> dict[str, str]:
        """The voices (id -> label) that speak ``language``: what a redo form offers for a tale in it."""
        return dict(cls.voices) if language in cls.languages else {}

    def speak(self, scene: Scene, out_wav: Path, options: dict, progress: ProgressCallback = no_progress,
              language: str = "ru") -> Narration:
        """Write the scene's speech in ``language`` to ``out_wav`` (mono 16-bit WAV) and return its subtitles."""
        raise NotImplementedError

    def check_language(self, language: str) -> None:
        """BackendUnavailable, in one line, when this narrator cannot speak ``language``."""
        if language not in self.languages:
            spoken = ", ".join(self.languages)
            raise BackendUnavailable(f"{self.stage}/{self.name}: cannot speak {language!r} (only {spoken})")
