"""Where everything sits in time: the title card, each scene, its narration and its subtitles.

Segments overlap by the cross-fade; each scene's voice starts ``lead`` seconds into its
segment and ends ``tail`` seconds before it, so a cross-fade never covers speech.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..types import Cue


@dataclass
class Segment:
    start: float  # in the finished video
    duration: float
    voice_start: float | None = None  # None for the title card


@dataclass
class Timeline:
    segments: list[Segment]  # the title card first, then one per scene
    duration: float
    crossfade: float


def plan(narration_seconds: list[float], title_seconds: float = 4.0, crossfade: float = 0.8,
         lead: float = 1.0, tail: float = 1.0, ending: float = 1.5) -> Timeline:
    segments = [Segment(start=0.0, duration=title_seconds)]
    for i, seconds in enumerate(narration_seconds):
        previous = segments[-1]
        start = previous.start + previous.duration - crossfade
        duration = lead + seconds + tail + (ending if i == len(narration_seconds) - 1 else 0.0)
        segments.append(Segment(start=start, duration=duration, voice_start=start + lead))
    last = segments[-1]
    return Timeline(segments=segments, duration=last.start + last.duration, crossfade=crossfade)


def shifted_cues(timeline: Timeline, cues_per_scene: list[list[Cue]]) -> list[Cue]:
    """Every scene's cues moved to the video's clock."""
    out = []
    for segment, cues in zip(timeline.segments[1:], cues_per_scene):
        for cue in cues:
            out.append(Cue(start=segment.voice_start + cue.start, end=segment.voice_start + cue.end, text=cue.text))
    return out
