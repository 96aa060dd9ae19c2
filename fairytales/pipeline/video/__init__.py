"""Video stage: pictures held for their narration, cross-faded, subtitled, scored."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..backend import Backend
from ..languages import DEFAULT as DEFAULT_LANGUAGE
from ..types import Cue, ProgressCallback, no_progress

WIDTH, HEIGHT, FPS = 1280, 720, 24
# The film's frame per format: the default, full HD, vertical for phone screens, square for social networks.
FORMATS: dict[str, tuple[int, int]] = {"720p": (WIDTH, HEIGHT), "1080p": (1920, 1080), "vertical": (1080, 1920),
                                       "square": (1080, 1080)}
DEFAULT_FORMAT = "720p"
FORMAT_LABELS: dict[str, str] = {"720p": "1280×720", "1080p": "1920×1080 (Full HD)",
                                 "vertical": "1080×1920, вертикальный (телефон)", "square": "1080×1080, квадрат"}


@dataclass
class ShotClip:
    """One of a scene's further pictures, shown from ``start`` seconds into the scene's narration (where its
    first sentence is read), cross-faded in over ``timeline.INNER_FADE``."""

    picture: Path
    start: float
    latent: Path | None = None


@dataclass
class SceneClip:
    picture: Path  # the scene's first shot (the whole scene when it has one)
    narration: Path
    narration_seconds: float
    cues: list[Cue] = field(default_factory=list)
    latent: Path | None = None  # the VQGAN latent the picture decodes from (vqgan_clip), for a latent morph
    shots: list[ShotClip] = field(default_factory=list)  # its further shots, in order (pipeline/shots.py)


@dataclass
class Cut:
    """What the editor is given: everything the other stages made."""

    title: str
    genre: str
    scenes: list[SceneClip]
    music: Path | None = None
    segments_dir: Path | None = None  # where the editor keeps its segments between runs, for a redo
    language: str = DEFAULT_LANGUAGE  # the tale's: the title card's words


class Editor(Backend):
    stage = "video"

    def assemble(self, cut: Cut, out_mp4: Path, out_poster: Path, options: dict,
                 progress: ProgressCallback = no_progress) -> dict:
        """Write an H.264/AAC MP4 and a JPEG poster; return {"duration": seconds, ...}."""
        raise NotImplementedError

    def prepare(self, cut: Cut, options: dict, progress: ProgressCallback = no_progress, halt=None) -> int:
        """Optional: encode ahead, while the music is still composed, what ``assemble`` of this cut (``music``
        not given yet) will use, so that the video stage has less left to do; stop starting new work once
        ``halt`` (a threading.Event) is set. Return how many pieces were made; an editor that cannot makes none."""
        return 0
