"""The upscale step: a scene's picture brought to its still's size after it is drawn.

A step of the illustration node, not a stage: it runs per picture right after the drawing, its result is
the picture's one file, and a redo of one picture upscales that picture only. With super-resolution
weights named by MODEL_ILLUSTRATION_UPSCALE (an ESRGAN, Real-ESRGAN, SwinIR … file, ``.pth`` or
``.safetensors``; spandrel reads the architecture and the scale from the weights themselves) the picture is
enlarged by the model, on the GPU where there is one, then reduced to the exact size with Lanczos; without
weights it is Lanczos alone. A picture that is already the size (the storybook draws at any size) is left
as it is.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image

from ..backend import Backend, BackendUnavailable
from . import DRAFT, cover

_lock = threading.Lock()
_loaded: dict[str, Upscaler] = {}


def still_size(frame: tuple[int, int], still: int) -> tuple[int, int]:
    """A still's pixels: the film frame's aspect, ``still`` on the long side (0: the frame itself)."""
    width, height = frame
    if not still:
        return width, height
    scale = still / max(width, height)
    return round(width * scale), round(height * scale)


def draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size a non-native illustrator draws at: ``size``, or its aspect at DRAFT on the long side."""
    return still_size(size, DRAFT) if max(size) > DRAFT else size


class Upscaler(Backend):
    """A super-resolution model read by spandrel; named like a backend so its setting and its errors read
    like every other weights' (MODEL_ILLUSTRATION_UPSCALE)."""

    stage = "illustration"
    name = "upscale"
    requires = ("torch", "spandrel")

    def load(self) -> None:
        ok, why = self.available()
        if not ok:
            raise BackendUnavailable(why)
        import torch  # noqa: PLC0415 - only with weights
        from spandrel import ImageModelDescriptor, ModelLoader  # noqa: PLC0415

        descriptor = ModelLoader(torch.device(self.device)).load_from_file(str(Path(self.model).expanduser()))
        if not isinstance(descriptor, ImageModelDescriptor) or descriptor.scale < 2:
            raise BackendUnavailable(f"{self.model_setting()}: {self.model} is not a super-resolution model")
        self.descriptor = descriptor.eval()
        if self.device.startswith("cuda") and descriptor.supports_half:
            self.descriptor.half()

    @property
    def kind(self) -> str:
        """What the weights are, as spandrel detected them: «ESRGAN ×2»."""
        return f"{self.descriptor.architecture.name} ×{self.descriptor.scale}"

    def enlarge(self, image: Image.Image) -> Image.Image:
        """``image`` enlarged once by the model's scale."""
        import numpy as np  # noqa: PLC0415
        import torch  # noqa: PLC0415

        dtype = next(self.descriptor.model.parameters()).dtype
        pixels = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0)
        batch = pixels.permute(2, 0, 1).unsqueeze(0).to(self.device, dtype)
        with torch.inference_mode():
            out = self.descriptor(batch).clamp(0, 1)
        array = (out[0].permute(1, 2, 0).float().cpu().numpy() * 255.0).round().astype(np.uint8)
        return Image.fromarray(array, "RGB")


def upscaler(weights: str | None) -> Upscaler | None:
    """The loaded model for ``weights`` (once per process), or None when none are configured."""
    if not weights:
        return None
    with _lock:
        if weights not in _loaded:
            model = Upscaler(model=weights)
            model.ensure_loaded()
            _loaded[weights] = model
        return _loaded[weights]


def configured() -> str | None:
    """The weights MODEL_ILLUSTRATION_UPSCALE names, if any."""
    from ..registry import configured_model  # noqa: PLC0415

    return configured_model(Upscaler)


def to_size(picture: Path, size: tuple[int, int], weights: str | None = None) -> str | None:
    """Bring the PNG at ``picture`` to ``size`` in place; return how («ESRGAN ×2», «lanczos»), or None when
    it was that size already."""
    image = Image.open(picture)
    if image.size == tuple(size):
        return None
    image.load()
    how = "lanczos"
    model = upscaler(weights) if image.width < size[0] or image.height < size[1] else None
    if model is not None:
        how = model.kind
        while image.width < size[0] or image.height < size[1]:
            image = model.enlarge(image)
    cover(image, *size).save(picture, "PNG", compress_level=1)
    return how
