"""Values passed between stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable


@dataclass
class Line:
    """One stretch of a scene's text with its speaker: "narrator" or a character's name."""

    speaker: str
    text: str


@dataclass
class Scene:
    index: int  # 1-based, as users count them
    text: str
    prompt: str  # what the illustrator draws
    lines: list[Line] = field(default_factory=list)
    # The story's stretches it holds, each [paragraph, first sentence, end sentence, the paragraph's sentences]
    # (0-based, end excluded; a line of dialogue counts as one): what a parallel text in another language is
    # cut by (scenes.regroup). Empty for a scene its owner rewrote.
    paragraphs: list[list[int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Scene":
        lines = [Line(**line) for line in data.get("lines", [])]
        return cls(index=data["index"], text=data["text"], prompt=data["prompt"], lines=lines,
                   paragraphs=[list(part) for part in data.get("paragraphs", [])])


@dataclass
class Cue:
    """A subtitle: text shown from ``start`` to ``end`` seconds (relative to its scene's audio)."""

    start: float
    end: float
    text: str


@dataclass
class TaleRequest:
    """What a user asked for: enough, with the stored backends and seeds, to make the tale again."""

    title: str
    genre: str
    scenes: int = 6
    seed: int = 0
    language: str = "ru"  # the tale's own language (languages.CODES): its text, narration and burned subtitles
    subtitles: tuple[str, ...] = ()  # further languages the film carries subtitle tracks in


# The message is a plain str or a notes.Note (a code and parameters the site translates where it is shown).
# An illustrator's callback may also have a ``preview`` attribute, ``preview(picture: PIL.Image)``: a backend
# that improves a picture step by step (VQGAN+CLIP) hands it the picture so far, now and then.
ProgressCallback = Callable[[float, str], None]


def no_progress(fraction: float, message: str = "") -> None:
    """A progress callback that ignores what it is told."""
