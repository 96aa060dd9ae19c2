"""Music stage: a score as long as the narration, its mood following the genre."""

from __future__ import annotations

from pathlib import Path

from ..backend import Backend
from ..types import ProgressCallback, no_progress

SAMPLE_RATE = 44100


class Composer(Backend):
    stage = "music"

    def compose(
        self,
        duration: float,
        genre: str,
        out_wav: Path,
        out_midi: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
    ) -> dict:
        """Write a MIDI score and its rendering (mono or stereo 16-bit WAV, SAMPLE_RATE) at least
        ``duration`` seconds long; return a description (tempo, key, instruments)."""
        raise NotImplementedError
