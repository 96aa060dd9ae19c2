"""Where everything sits in time: the title card, each scene, its narration and its subtitles.

Segments overlap by the cross-fade; each scene's voice starts ``lead`` seconds into its
segment and ends ``tail`` seconds before it, so a cross-fade never covers speech. A scene with several
shots (pipeline/shots.py) shows them one after another inside its segment (``units``): each from where its
first sentence is read, cross-faded in over ``INNER_FADE``.
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


INNER_FADE = 0.5  # the cross-fade between two shots of one scene, seconds
SHORTEST = 2.0  # the least a shot is on screen: a shot that would be shorter is left out (its scene's previous stays)


@dataclass
class Unit:
    """One picture's stretch of the film: the title card, or a scene's shot."""

    scene: int  # 0: the title card
    shot: int  # 0: the scene's first picture; n: its n-th further shot (SceneClip.shots[n - 1])
    start: float  # where its fade-in begins, in the finished video
    duration: float
    fade: float = 0.0  # its fade-in: the cut into it (the timeline's cross-fade, INNER_FADE inside a scene)


def units(timeline: Timeline, shot_starts: list[list[float]] | None = None, inner_fade: float = INNER_FADE,
          shortest: float = SHORTEST) -> list[Unit]:
    """The film's pictures in order, each with its stretch: the title card, then each scene's shots.
    ``shot_starts[i]``: where scene i + 1's further shots begin, seconds into its narration."""
    out = [Unit(0, 0, 0.0, timeline.segments[0].duration)]
    for i, segment in enumerate(timeline.segments[1:]):
        end = segment.start + segment.duration
        scene = [Unit(i + 1, 0, segment.start, 0.0, timeline.crossfade)]
        for number, start in enumerate((shot_starts or [])[i] if shot_starts and i < len(shot_starts) else [],
                                       start=1):
            at = segment.voice_start + start - inner_fade  # the picture is in when its first sentence is read
            if at - scene[-1].start >= shortest and end - at >= shortest + timeline.crossfade:
                scene.append(Unit(i + 1, number, round(at, 6), 0.0, inner_fade))
        for unit, following in zip(scene, [*scene[1:], None]):
            unit.duration = (following.start + following.fade if following else end) - unit.start
        out += scene
    return out
