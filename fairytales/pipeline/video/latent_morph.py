"""The latent morph: one VQGAN+CLIP picture turns into the next through the VQGAN's own latent space.

vqgan_clip saves beside each picture the quantised latent it decodes from (``SceneClip.latent``). A join
between two such pictures walks from one latent to the other, one step per frame of the join, with the fade's
weights (so it is the fade's length and lands on the same frames): at every latent position the channel
vector turns along the great circle from the first picture's direction to the second's while its length goes
straight from the one to the other (a spherical interpolation; a straight line would pass through shorter
vectors than the codebook's, and its in-betweens wash out half-way). The same VQGAN decodes the
in-betweens as they are — snapping them to the codebook would switch whole patches instead of morphing — in
batches, on the illustrator's device, loaded once per worker through the registry's cache.

Each decoded in-between is framed like the film's frames: cut by a camera window between the two layers'
(the pan or zoom each scene has there) and scaled to the frame. What the layers show beyond the picture
(their subtitles, an upscaled picture's detail) is the difference between a layer's own frame and its
decoded latent framed the same way; it is carried in with the fade's weights, so the join starts on the
outgoing scene's frame and ends on the incoming one's. A join where either picture has no latent (the title
card, another illustrator's picture, an older one) or the two come from different VQGANs is the flow morph
(``morph.py``), and the film's meta says why.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .encoder import Encoder
from .graph import LayerLook, window
from .layout import Layout, Piece
from .morph import layer_frame, piped_job
from .segments import Job, file_digest

VERSION = 1  # of the in-betweens' making: part of each latent join's recipe
DECODE_BATCH = 8  # in-betweens decoded at once
_decoding = threading.Lock()  # the two encoding threads share one model (and one GPU): one join decodes at a time


def unusable(going: Path | None, coming: Path | None, scenes: tuple[int, int]) -> str | None:
    """Why the join between two pictures with these latents cannot be a latent morph, or None when it can."""
    for path, scene in zip((going, coming), scenes):
        name = "the title card" if scene == 0 else f"the picture of scene {scene}"
        if path is None:
            return f"{name} has no VQGAN latent"
        if not Path(path).is_file():
            return f"{name}'s VQGAN latent {Path(path).name} is missing"
    if importlib.util.find_spec("torch") is None:
        return "torch is not installed (pip install -r requirements/neural.txt)"
    from ..illustration.vqgan_clip import read_latent  # noqa: PLC0415 - torch only where a latent join is

    try:
        (z_going, model_going), (z_coming, model_coming) = read_latent(going), read_latent(coming)
    except Exception as exc:  # noqa: BLE001 - an unreadable file is a reason to fall back, not to fail the film
        return f"a VQGAN latent cannot be read ({type(exc).__name__})"
    if model_going != model_coming:
        return f"the pictures of scenes {scenes[0]} and {scenes[1]} come from different VQGAN models"
    if z_going.shape != z_coming.shape:
        return (f"the latents of scenes {scenes[0]} and {scenes[1]} differ in shape "
                f"({list(z_going.shape)}, {list(z_coming.shape)})")
    root = Path(model_going)
    if not ((root / "vqgan.yaml").is_file() and (root / "vqgan.ckpt").is_file()):
        return f"the VQGAN that drew the pictures ({model_going}) is not here"
    return None


def recipe(going: Path, coming: Path) -> dict:
    """What a latent join adds to its segment's recipe (``segments.piece_recipe``)."""
    return {"latents": [file_digest(Path(going)), file_digest(Path(coming))], "latent_morph": VERSION}


def slerp(a, b, weights: list[float]):
    """In-betweens of latents ``a`` and ``b`` (1, C, H, W) at ``weights`` (0: a, 1: b) as (N, C, H, W): per
    position, the channel vector's direction along the great circle, its length in a straight line. Where the
    two directions (nearly) agree, or one vector is (nearly) zero, the straight line itself."""
    import torch  # noqa: PLC0415

    a, b = a.float(), b.float()
    t = torch.tensor(weights, dtype=torch.float32).view(-1, 1, 1, 1)
    length_a, length_b = a.norm(dim=1, keepdim=True), b.norm(dim=1, keepdim=True)
    unit_a, unit_b = a / length_a.clamp_min(1e-8), b / length_b.clamp_min(1e-8)
    omega = (unit_a * unit_b).sum(dim=1, keepdim=True).clamp(-1.0, 1.0).arccos()
    sin = omega.sin()
    straight = (sin < 1e-4) | (length_a < 1e-6) | (length_b < 1e-6)
    safe = torch.where(straight, torch.ones_like(sin), sin)
    direction = (torch.sin((1 - t) * omega) * unit_a + torch.sin(t * omega) * unit_b) / safe
    arc = direction * ((1 - t) * length_a + t * length_b)
    return torch.where(straight, (1 - t) * a + t * b, arc)


def inbetweens(going: Path, coming: Path, weights: list[float]) -> Iterator[np.ndarray]:
    """The two pictures' latents decoded, then their in-betweens at ``weights``: (H, W, 3) uint8 pictures at
    the VQGAN's size, ``len(weights) + 2`` of them, decoded ``DECODE_BATCH`` at a time."""
    import torch  # noqa: PLC0415

    from .. import registry  # noqa: PLC0415
    from ..illustration.vqgan_clip import read_latent  # noqa: PLC0415

    (z_going, model), (z_coming, _) = read_latent(going), read_latent(coming)
    decoder = registry.get("illustration", "vqgan_clip", model)  # the tale's illustrator, loaded once a worker
    latents = torch.cat([z_going.float(), z_coming.float(), slerp(z_going, z_coming, weights)])
    for start in range(0, len(latents), DECODE_BATCH):
        with _decoding:
            decoded = decoder.decode_latents(latents[start:start + DECODE_BATCH])
        yield from decoded


def framed(picture: np.ndarray, box: tuple[float, float, float, float], size: tuple[int, int]) -> np.ndarray:
    """``picture`` as a film's frame of ``size`` shows it through the camera window ``box`` (x, y, width,
    height in the picture scaled to cover the frame, as zoompan cuts it): float32 RGB."""
    from PIL import Image  # noqa: PLC0415

    width, height = size
    rows, columns = picture.shape[:2]
    scale = max(width / columns, height / rows)  # the picture covers the frame, its middle kept
    left, top = (columns * scale - width) / 2, (rows * scale - height) / 2
    x, y, w, h = box
    corners = ((x + left) / scale, (y + top) / scale, (x + w + left) / scale, (y + h + top) / scale)
    shown = Image.fromarray(picture).resize(size, Image.Resampling.BICUBIC, box=corners)
    return np.asarray(shown, dtype=np.float32)


def latent_job(ffmpeg: str, piece: Piece, looks: list[LayerLook], framing: Layout, encoder: Encoder,
               options: dict, fonts: Path, out: Path, latents: tuple[Path, Path]) -> Job:
    """The job that encodes a join ``piece`` between two pictures with latents as a latent morph: its
    frames are decoded in the job's own thread and piped to ffmpeg."""
    going, coming = piece.layers
    size = looks[0].size
    weights = [framing.weight(coming.first + i) for i in range(piece.frames)]
    last = piece.frames - 1

    def camera(i: int, t: float) -> tuple[float, ...]:
        """The window at the join's frame ``i``: the two layers' own windows there, weighed like the pictures."""
        outgoing = window(looks[0].move, going.first + i, looks[0].length, looks[0].zoom, size)
        incoming = window(looks[1].move, max(0, coming.first + i), looks[1].length, looks[1].zoom, size)
        return tuple((1 - t) * p + t * q for p, q in zip(outgoing, incoming))

    def feed(pipe: BinaryIO) -> None:
        pictures = inbetweens(*latents, weights)
        picture_going, picture_coming = next(pictures), next(pictures)
        # what each layer shows beyond its decoded picture (subtitles, resampling, an upscaler's detail)
        beyond_going = (layer_frame(ffmpeg, looks[0], going.first, fonts).astype(np.float32)
                        - framed(picture_going, camera(0, 0.0), size))
        beyond_coming = (layer_frame(ffmpeg, looks[1], max(0, coming.first + last), fonts).astype(np.float32)
                         - framed(picture_coming, camera(last, 1.0), size))
        for i, (t, picture) in enumerate(zip(weights, pictures)):
            frame = framed(picture, camera(i, t), size) + (1 - t) * beyond_going + t * beyond_coming
            pipe.write(np.clip(np.rint(frame), 0, 255).astype(np.uint8).tobytes())

    return piped_job(ffmpeg, size, piece.frames, encoder, options, out, feed)
