"""The upscale step with super-resolution weights: spandrel reads a tiny random ESRGAN from a .pth file,
detects it, and the step enlarges a picture with it."""

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from fairytales.pipeline.illustration import upscale
from fairytales.pipeline.illustration.upscale import Upscaler

pytest.importorskip("spandrel")
from spandrel.architectures.ESRGAN import ESRGAN  # noqa: E402


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """A random RRDBNet (two blocks of 8 features, ×2) saved as its state dict, as trained ones are shipped."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("upscale") / "tiny_esrgan_x2.pth"
    torch.save(ESRGAN(num_filters=8, num_blocks=2, scale=2).state_dict(), path)
    return str(path)


def _drawing(size=(96, 54)) -> Image.Image:
    image = Image.new("RGB", size, (40, 90, 160))
    ImageDraw.Draw(image).ellipse((20, 10, 70, 44), fill=(240, 200, 60))
    return image


def test_the_weights_are_detected_as_esrgan_x2_and_double_a_picture(weights):
    model = upscale.upscaler(weights)
    assert isinstance(model, Upscaler) and model.kind == "ESRGAN ×2"
    assert model.device == "cpu"  # the tests force it; "cuda" where there is one
    bigger = model.enlarge(_drawing())
    assert bigger.size == (192, 108)
    assert np.asarray(bigger).std() > 1.0  # a picture, not a constant


def test_the_step_with_weights_enlarges_then_fits_the_still(tmp_path, weights):
    path = tmp_path / "picture.png"
    _drawing((80, 45)).save(path)
    assert upscale.to_size(path, (128, 72), weights) == "ESRGAN ×2"  # 160×90 by the model, then to 128×72
    assert Image.open(path).size == (128, 72)


def test_weights_named_by_the_setting_that_are_not_there_fail_with_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("MODEL_ILLUSTRATION_UPSCALE", str(tmp_path / "missing.pth"))
    assert upscale.configured() == str(tmp_path / "missing.pth")
    with pytest.raises(Exception, match="MODEL_ILLUSTRATION_UPSCALE"):
        upscale.upscaler(upscale.configured())
