"""Subtitle tracks as WebVTT files (what a browser's ``<track>`` reads), one per language, on the film's clock.

The tale's own language takes the narration's cues (the times the burned-in subtitles have); another language
takes its translated sentences, timed over the same scene (``translated_cues``).
"""

from __future__ import annotations

from pathlib import Path

from ..scenes import sentence_pieces
from ..types import Cue
from .timeline import Timeline


def timestamp(seconds: float) -> str:
    """HH:MM:SS.mmm, as WebVTT requires."""
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def escape(text: str) -> str:
    """A cue's text as WebVTT shows it literally: one line, ``&`` ``<`` ``>`` as entities, no ``-->``."""
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_vtt(cues: list[Cue], out: Path, language: str = "") -> Path:
    """A WebVTT file of ``cues`` (times on the film's clock), in order, empty ones left out."""
    blocks = ["WEBVTT" + (f" - {language}" if language else "")]
    number = 0
    for cue in sorted(cues, key=lambda c: c.start):
        text = escape(cue.text)
        if not text or cue.end <= cue.start:
            continue
        number += 1
        blocks.append(f"{number}\n{timestamp(cue.start)} --> {timestamp(cue.end)}\n{text}")
    out.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return out


def on_film(timeline: Timeline, cues_per_scene: list[list[Cue]]) -> list[Cue]:
    """Every scene's cues (relative to its narration) moved to the film's clock."""
    out = []
    for segment, cues in zip(timeline.segments[1:], cues_per_scene):
        for cue in cues:
            out.append(Cue(start=round(segment.voice_start + cue.start, 3), end=round(segment.voice_start + cue.end, 3),
                           text=cue.text))
    return out


def translated_cues(text: str, own: list[Cue], seconds: float, sentences: int = 0) -> list[Cue]:
    """A scene's translation as cues relative to its narration (as ``own``, the narration's cues, are).

    When the translation has as many sentences as the narration has cues, each takes its cue's times;
    otherwise the sentences share the narrated stretch (the first cue's start to the last one's end, or the
    whole narration) in proportion to their length. ``sentences``: only the first so many are narrated (the
    suite's short films, limits.narrated_part), so only they are timed.
    """
    pieces = sentence_pieces(text)
    if sentences > 0:
        pieces = pieces[:sentences]
    if not pieces:
        return []
    if len(pieces) == len(own):
        return [Cue(start=cue.start, end=cue.end, text=piece) for cue, piece in zip(own, pieces)]
    start = own[0].start if own else 0.0
    end = own[-1].end if own else seconds
    if end <= start:
        start, end = 0.0, max(seconds, 0.5)
    total = sum(len(p) for p in pieces)
    cues, at = [], start
    for piece in pieces:
        length = (end - start) * len(piece) / total
        cues.append(Cue(start=round(at, 3), end=round(at + length, 3), text=piece))
        at += length
    return cues
