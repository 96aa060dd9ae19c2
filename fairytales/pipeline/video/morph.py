"""The flow morph: one picture turns into the next along the dense optical flow between them, no weights.

At the cut the two pictures are as they appear there (the outgoing scene's last frame of the join, the
incoming one's first). Farneback's flow is found both ways at a reduced size (a quarter of the frame's
pixels cost a sixteenth of the time, and a picture's large shapes are what move) and scaled up; the frame at
weight ``t`` is the outgoing picture carried ``t`` of the way along its flow and the incoming one ``1 - t``
of the way back along its own, blended with weight ``t`` — the weights the fade has, so a morph join is the
fade's length and lands on the same frames. The frames go to ffmpeg as a raw pipe, encoded like every
other segment (so the film still joins with a stream copy).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from . import FPS
from .encoder import Encoder
from .graph import LayerLook, motion
from .layout import Layer, Layout, Piece
from .segments import Job, VideoFailed

FLOW_SIDE = 320  # the long side the flow is found at


def flows(a: np.ndarray, b: np.ndarray, side: int = FLOW_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """Dense flow from ``a`` to ``b`` and from ``b`` to ``a`` (RGB pictures of one size), in full-size
    pixels: ``a`` at x is ``b`` at x + flow_ab(x)."""
    try:
        import cv2
    except ImportError as exc:
        raise VideoFailed("the flow morph needs OpenCV: pip install -r requirements/base.txt") from exc

    height, width = a.shape[:2]
    scale = min(1.0, side / max(width, height))
    small = (max(8, round(width * scale)), max(8, round(height * scale)))

    def gray(picture: np.ndarray) -> np.ndarray:
        return cv2.resize(cv2.cvtColor(picture, cv2.COLOR_RGB2GRAY), small, interpolation=cv2.INTER_AREA)

    ga, gb = gray(a), gray(b)
    found = []
    for first, second in ((ga, gb), (gb, ga)):
        flow = cv2.calcOpticalFlowFarneback(first, second, None, pyr_scale=0.5, levels=4, winsize=21,
                                            iterations=3, poly_n=7, poly_sigma=1.5, flags=0)
        flow = cv2.resize(flow, (width, height), interpolation=cv2.INTER_LINEAR)
        flow[..., 0] *= width / small[0]
        flow[..., 1] *= height / small[1]
        found.append(flow)
    return found[0], found[1]


def inbetween(a: np.ndarray, b: np.ndarray, flow_ab: np.ndarray, flow_ba: np.ndarray, t: float) -> np.ndarray:
    """The frame ``t`` of the way from ``a`` (t = 0) to ``b`` (t = 1)."""
    import cv2

    if t <= 0.0:
        return a
    if t >= 1.0:
        return b
    height, width = a.shape[:2]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    warped_a = cv2.remap(a, xs - t * flow_ab[..., 0], ys - t * flow_ab[..., 1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
    warped_b = cv2.remap(b, xs - (1 - t) * flow_ba[..., 0], ys - (1 - t) * flow_ba[..., 1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
    return cv2.addWeighted(warped_a, 1.0 - t, warped_b, t, 0.0)


def morph(a: np.ndarray, b: np.ndarray, weights: list[float]) -> Iterator[np.ndarray]:
    """The in-betweens at ``weights`` (each 0 … 1), the flow found once."""
    flow_ab, flow_ba = flows(a, b)
    for t in weights:
        yield inbetween(a, b, flow_ab, flow_ba, t)


def layer_frame(ffmpeg: str, look: LayerLook, scene_frame: int, fonts: Path) -> np.ndarray:
    """The layer's frame ``scene_frame`` (its scene's clock) as the film shows it: the same filters."""
    width, height = look.size
    command = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-framerate", str(FPS),
               "-i", str(look.picture), "-filter_complex",
               f"[0:v]{motion(look, Layer(0, scene_frame, 1), fonts)},format=rgb24[v]", "-map", "[v]",
               "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    result = subprocess.run(command, capture_output=True, timeout=300, check=False)
    if result.returncode != 0 or len(result.stdout) < width * height * 3:
        lines = result.stderr.decode(errors="replace").strip().splitlines()
        raise VideoFailed(f"ffmpeg failed on a morph's picture: {lines[-1] if lines else 'no frame'}")
    return np.frombuffer(result.stdout[: width * height * 3], np.uint8).reshape(height, width, 3)


def morph_job(ffmpeg: str, piece: Piece, looks: list[LayerLook], framing: Layout, encoder: Encoder,
              options: dict, fonts: Path, out: Path) -> Job:
    """The job that encodes a join ``piece`` as a flow morph: its frames are made in the job's own thread
    and piped to an ffmpeg that encodes them as the other segments are encoded."""
    going, coming = piece.layers
    width, height = looks[0].size
    weights = [framing.weight(coming.first + i) for i in range(piece.frames)]

    def feed(pipe: BinaryIO) -> None:
        a = layer_frame(ffmpeg, looks[0], going.first + piece.frames - 1, fonts)
        b = layer_frame(ffmpeg, looks[1], max(0, coming.first), fonts)
        pipe.writelines(np.ascontiguousarray(frame).tobytes() for frame in morph(a, b, weights))

    return piped_job(ffmpeg, (width, height), piece.frames, encoder, options, out, feed)


def piped_job(ffmpeg: str, size: tuple[int, int], frames: int, encoder: Encoder, options: dict, out: Path,
              feed) -> Job:
    """A job whose ``frames`` RGB frames of ``size`` are written by ``feed`` into ffmpeg's stdin and
    encoded as the other segments are encoded."""
    width, height = size
    command = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", str(FPS),
               "-i", "pipe:0", "-vf", "format=yuv420p,setsar=1", "-an",
               *encoder.args(options["preset"], options["crf"]), "-frames:v", str(frames)]
    return Job(command, out, frames, feed=feed)
