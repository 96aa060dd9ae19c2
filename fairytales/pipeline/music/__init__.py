"""Music stage: a score as long as the narration, its mood following the genre."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..backend import Backend
from ..types import ProgressCallback, no_progress

SAMPLE_RATE = 44100


@dataclass(frozen=True)
class MusicCue:
    """Where one scene plays in the film and what it is about, for a composer that follows the story.

    ``start`` and ``end`` are seconds on the film's clock (the video stage's timeline: after the title card,
    scenes overlapping by the cross-fade); ``moods`` are English mood words found in the scene's text
    (``scene_moods.mood_words``)."""

    scene: int
    start: float
    end: float
    text: str
    moods: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"scene": self.scene, "start": self.start, "end": self.end, "moods": list(self.moods)}


class Composer(Backend):
    stage = "music"
    follows_scenes = False  # True: the scenes' cues change what it writes (the runner remakes it when they do)

    def compose(
        self,
        duration: float,
        genre: str,
        out_wav: Path,
        out_midi: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
        cues: list[MusicCue] | None = None,
    ) -> dict:
        """Write a MIDI score and its rendering (mono or stereo 16-bit WAV, SAMPLE_RATE) at least
        ``duration`` seconds long; return a description (tempo, key, instruments). ``cues``, when given, say
        where each scene is in the film; a composer may follow them or not."""
        raise NotImplementedError
