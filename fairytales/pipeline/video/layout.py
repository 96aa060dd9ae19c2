"""The film in whole frames, cut into the pieces that are encoded one by one.

Each scene (the title card is scene 0) has its own clock: its frame 0 is where its fade-in begins, and its
slow pan or zoom runs over ``lengths[i]`` frames, as in the single-pass graph. A piece is made of *layers*,
runs of one scene's own frames: a **body** is one layer, the scene alone on screen; a **join** is two, the
scene going out and the one coming in, cross-faded over ``fade`` frames. The film's last two seconds, where
it fades to black, are a piece of their own, an **ending**. A scene of several shots is several such runs
(``timeline.units``): the layout's "scenes" are then its units, each shot with its own clock and move, and
the joins inside a scene are a plain cross-fade of ``Piece.fade`` frames.

A body depends only on its own scene, never on where the scene sits in the film, so a scene that changes
leaves every other body as it was. The joins take up the rounding of the scene starts to whole frames
(a join is ``fade`` frames, give or take one), so every scene still starts on the frame nearest its
time in the timeline, where its voice is; and the ending takes up where the closing fade falls, on the
film's clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .timeline import INNER_FADE, Timeline, Unit, units


@dataclass(frozen=True)
class Layer:
    scene: int  # 0: the title card
    first: int  # the scene's own number of the layer's first frame (may be -1 in a join)
    frames: int


@dataclass(frozen=True)
class Piece:
    kind: str  # "body", "join" or "ending"
    start: int  # the film's frame number of the piece's first frame
    frames: int
    layers: tuple[Layer, ...]  # a join: (going out, coming in)
    fade: int | None = None  # a join inside a scene: its cross-fade's frames (None: the layout's ``fade``)


@dataclass
class Layout:
    lengths: list[int]  # frames of each scene's move, title card first
    starts: list[int]  # the film's frame where each scene's fade-in begins
    fade: int  # frames of a cross-fade between scenes
    pieces: list[Piece]
    units: list[Unit] = field(default_factory=list)  # what each layer's "scene" number is: a scene's shot

    def fade_of(self, piece: Piece) -> int:
        return self.fade if piece.fade is None else piece.fade

    @property
    def frames(self) -> int:
        return sum(piece.frames for piece in self.pieces)

    def weight(self, frame: int) -> float:
        """How much of the scene coming in shows at its own frame ``frame`` of a join (as xfade has it)."""
        if self.fade <= 0:
            return 1.0 if frame >= 0 else 0.0
        return min(1.0, max(0.0, frame / self.fade))


def layout(timeline: Timeline, fps: int, ending: float = 2.0,
           shot_starts: list[list[float]] | None = None) -> Layout:
    """The film's pieces; ``shot_starts``: each scene's further shots (``timeline.units``)."""
    spans = units(timeline, shot_starts)
    lengths = [max(1, round(unit.duration * fps)) for unit in spans]
    starts = [round(unit.start * fps) for unit in spans]
    fade = _fade_frames(timeline.crossfade * fps, lengths)
    inner = _fade_frames(INNER_FADE * fps, lengths)
    fades = [0, *[fade if unit.shot == 0 else inner for unit in spans[1:]], 0]  # each unit's fade-in
    last = len(lengths) - 1
    pieces: list[Piece] = []
    at = 0  # the film's frame where the next piece starts
    for scene, length in enumerate(lengths):
        fade_in, fade_out = fades[scene], fades[scene + 1]
        if scene > 0:
            frames = starts[scene] + fade_in - at
            if frames > 0:
                out = Layer(scene - 1, lengths[scene - 1] - fade_in, frames)
                come = Layer(scene, fade_in - frames, frames)
                pieces.append(Piece("join", at, frames, (out, come), None if spans[scene].shot == 0 else fade_in))
                at += frames
        body = length - fade_in - fade_out
        tail = min(round(ending * fps), body - 1) if scene == last and scene > 0 else 0
        if body - tail > 0:
            pieces.append(Piece("body", at, body - tail, (Layer(scene, fade_in, body - tail),)))
        if tail > 0:
            pieces.append(Piece("ending", at + body - tail, tail, (Layer(scene, length - tail, tail),)))
        at += body
    return Layout(lengths=lengths, starts=starts, fade=fade, pieces=pieces, units=spans)


def _fade_frames(wanted: float, lengths: list[int]) -> int:
    """The cross-fade in frames, short enough that every scene is alone on screen for a frame or more."""
    limits = [lengths[0] - 1, lengths[-1] - 1, *[(n - 1) // 2 for n in lengths[1:-1]]]
    return max(0, min(round(wanted), *limits))
