"""One piece's ffmpeg filter graph: each layer's picture moving, its subtitles, and a join's cross-fade.

Each frame of a scene is a whole-pixel window (corner, width, height) of its picture, scaled to the frame by
zoompan. The picture is first scaled to cover the frame at the frame's own size, so zoompan scales a window a
little smaller than the frame up to it (1.12× at the default zoom); the first editor's graph upscaled the
picture 2× and scaled windows twice the frame down, 4× the pixels for the same moves (which now step by about
two of the frame's pixels where they stepped by one: zoompan puts a yuv420p corner on even pixels). The window
changes only every few frames: a layer makes only the frames where something changes (the window, the
subtitles shown, the closing fade), with zoompan's own arithmetic, so they are the frames it would make for
every frame; ``fps`` repeats each (a reference, not a copy) until the next. That is a fifth (a pan) to a half
(a zoom) of a scene's frames, and libass draws on those only (docs/stack.md, "Video").

The cross-fade is xfade over the two layers with that graph's weights (the scene coming in shows
``k / fade`` of itself at its frame ``k``). Each layer runs on its scene's own clock (frame 0 where its
fade-in begins) for libass and the closing fade, so a layer looks the same wherever its scene sits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..types import Cue
from . import FPS, HEIGHT, WIDTH
from .layout import Layer, Layout, Piece

MOVES = ("zoom_in", "pan_right", "zoom_out", "pan_left")
SUBTITLE_TAIL = 0.15  # write_ass keeps a cue on screen this much longer


@dataclass(frozen=True)
class LayerLook:
    """What a layer is made of besides its frames: the picture, the move, the subtitles, the closing fade."""

    picture: Path
    move: str  # "still" for the title card, else one of MOVES
    length: int  # frames of the scene's whole move
    zoom: float
    subtitles: Path | None = None  # an ASS file on the scene's clock (only cues this layer shows)
    cues: tuple[Cue, ...] = field(default=())  # the cues in it, to know where the subtitles change
    fade_out: float | None = None  # seconds on the scene's clock where the film's closing fade begins
    size: tuple[int, int] = (WIDTH, HEIGHT)  # the film's frame


def move_of(scene: int) -> str:
    return "still" if scene == 0 else MOVES[(scene - 1) % len(MOVES)]


def ken_burns(move: str, frames: int, zoom: float) -> tuple[str, str, str]:
    """zoompan's z, x and y at the scene's frame ``on`` of a ``frames``-long move (as the single pass had)."""
    step = zoom / frames
    if move == "still":
        return "1", "0", "0"
    if move == "zoom_in":
        return f"1+{step:.6f}*on", "iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)"
    if move == "zoom_out":
        return f"{1 + zoom:.4f}-{step:.6f}*on", "iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)"
    if move == "pan_right":
        return f"{1 + zoom:.4f}", f"(iw-iw/zoom)*on/{frames}", "ih/2-(ih/zoom/2)"
    return f"{1 + zoom:.4f}", f"(iw-iw/zoom)*(1-on/{frames})", "ih/2-(ih/zoom/2)"  # pan_left


def window(move: str, k: int, frames: int, zoom: float,
           size: tuple[int, int] = (WIDTH, HEIGHT)) -> tuple[int, int, int, int]:
    """The picture's window zoompan cuts for the scene's frame ``k`` (the picture scaled to cover the frame of
    ``size``): its arithmetic, in Python's doubles as in its own (the corner to even pixels for yuv420p, the
    size to whole pixels)."""
    full_w, full_h = size
    step = float(f"{zoom / frames:.6f}")
    top = float(f"{1 + zoom:.4f}")
    z = {"still": 1.0, "zoom_in": 1 + step * k, "zoom_out": top - step * k}.get(move, top)
    z = min(10.0, max(1.0, z))
    w, h = full_w * (1.0 / z), full_h * (1.0 / z)
    if move == "still":
        x = y = 0.0
    else:
        y = full_h / 2 - (full_h / z / 2)
        if move == "pan_right":
            x = (full_w - full_w / z) * k / frames
        elif move == "pan_left":
            x = (full_w - full_w / z) * (1 - k / frames)
        else:
            x = full_w / 2 - (full_w / z / 2)
    x = int(min(max(x, 0.0), max(full_w - w, 0.0))) & ~1
    y = int(min(max(y, 0.0), max(full_h - h, 0.0))) & ~1
    return x, y, int(w), int(h)


def changes(look: LayerLook, layer: Layer) -> list[int]:
    """The layer's frames (on its scene's clock) that differ from the one before, and one past its end."""
    def subtitles_at(k: int) -> tuple[int, ...]:
        now = int(k * (1 / FPS) * 1000)  # libass's clock, as vf_subtitles gives it: whole milliseconds
        return tuple(i for i, (start, end) in enumerate(shown) if start <= now < end)

    shown = [(_centis(c.start) * 10, _centis(c.end + SUBTITLE_TAIL) * 10) for c in look.cues]
    fading = round(look.fade_out * FPS) - 1 if look.fade_out is not None else None
    made, last = [layer.first], None
    for k in range(layer.first, layer.first + layer.frames):
        state = (window(look.move, k, look.length, look.zoom, look.size), subtitles_at(k))
        if last is not None and (state != last or (fading is not None and k >= fading)):
            made.append(k)
        last = state
    return [*made, layer.first + layer.frames]


def motion(look: LayerLook, layer: Layer, fonts: Path) -> str:
    """Filters turning the one-frame picture into the layer's frames: the move, subtitles, closing fade."""
    made = changes(look, layer)
    at = _lookup(made)  # the N-th made frame's number on the scene's clock
    frame = f"(round(in_time*{FPS})+{layer.first})"  # zoompan's `on` in the single-pass graph
    z, x, y = (re.sub(r"\bon\b", frame, e) for e in ken_burns(look.move, look.length, look.zoom))
    width, height = look.size
    # a picture of another aspect than the frame covers it (scaled to fill, the middle kept), never squashed
    steps = [f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},format=yuv420p",
             f"loop=loop={len(made) - 1}:size=1",
             f"settb=1/{FPS}", f"setpts='{at}-({layer.first})'",
             f"zoompan=z='{z}':x='{x}':y='{y}':d=1:s={width}x{height}:fps={FPS}",
             "setsar=1", f"settb=1/{FPS}", f"setpts='{at}'"]
    if look.subtitles is not None:
        steps.append(f"ass={quote(look.subtitles)}:fontsdir={quote(fonts)}")
    if look.fade_out is not None:
        steps.append(f"fade=t=out:st={look.fade_out:.6f}:d=1")
    steps += [f"setpts=PTS-({layer.first})", f"fps={FPS}", f"trim=end_frame={layer.frames}",
              "setpts=PTS-STARTPTS"]
    return ",".join(steps)


def piece_graph(piece: Piece, looks: list[LayerLook], layout: Layout, fonts: Path, transition: str = "fade") -> str:
    """The filter graph of a piece whose inputs are its layers' pictures, in order; its output is [v]. A
    join is xfade's ``transition`` (``joins.XFADE``), with the fade's length and weights whichever it is."""
    fade = layout.fade_of(piece)  # a join inside a scene has its own (shorter) cross-fade
    if len(piece.layers) == 1 or fade <= 0:
        return f"[0:v]{motion(looks[0], piece.layers[0], fonts)}[v]"
    going, coming = piece.layers
    # xfade weighs frame m of its inputs (m - offset) / duration: start both layers early enough that the
    # offset is not negative, and trim those frames off again
    early = max(0, coming.first)  # frames of the fade before the join begins
    lead = -min(0, coming.first)  # frames before the fade begins (they show only `going`)
    frames = early + piece.frames
    going = Layer(going.scene, going.first - early, frames)
    coming = Layer(coming.scene, coming.first - early, frames)
    return ";".join([
        f"[0:v]{motion(looks[0], going, fonts)}[a]",
        f"[1:v]{motion(looks[1], coming, fonts)}[b]",
        (f"[a][b]xfade=transition={transition}:duration={fade / FPS:.6f}:offset={lead / FPS:.6f},"
         f"trim=start_frame={early}:end_frame={early + piece.frames},setpts=PTS-STARTPTS[v]"),
    ])


def quote(path: Path) -> str:
    """A path inside a filter graph: escape the characters the graph parser treats specially."""
    return "'" + str(path).replace("\\", "\\\\").replace("'", r"'\''").replace(":", r"\:") + "'"


def _lookup(values: list[int], offset: int = 0) -> str:
    """An ffmpeg expression for ``values[N]``: a balanced tree of ifs (a flat one is refused past ~100)."""
    if len(values) == 1:
        return str(values[0])
    half = len(values) // 2
    return (f"if(lt(N,{offset + half}),{_lookup(values[:half], offset)},"
            f"{_lookup(values[half:], offset + half)})")


def _centis(seconds: float) -> int:
    return max(0, round(seconds * 100))  # as subtitles.timestamp rounds
