"""A scene's still at full size: the storybook draws at any size and aspect itself; any other picture is
brought to the size by the upscale step (Lanczos when no super-resolution weights are configured)."""

import numpy as np
from PIL import Image

from fairytales.pipeline.illustration import IllustrationContext, upscale
from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator
from fairytales.pipeline.types import Scene
from fairytales.pipeline.video import FORMATS
from tests.media import is_blank, picture

SCENE = Scene(1, "Колобок катился по лесу, а навстречу ему заяц.", "Колобок и заяц в лесу", [])


def _draw(tmp_path, size):
    out = tmp_path / f"{size[0]}x{size[1]}.png"
    report = StorybookIllustrator().draw(SCENE, IllustrationContext("Колобок", "сказка", 7, *size), out, {})
    return out, report


def test_still_sizes_keep_the_films_aspect():
    assert upscale.still_size(FORMATS["720p"], 0) == (1280, 720)
    assert upscale.still_size(FORMATS["720p"], 2048) == (2048, 1152)
    assert upscale.still_size(FORMATS["vertical"], 2048) == (1152, 2048)
    assert upscale.still_size(FORMATS["square"], 2048) == (2048, 2048)
    assert upscale.draft_size((2048, 1152)) == (1280, 720) and upscale.draft_size((1080, 1920)) == (720, 1280)


def test_without_weights_the_step_is_lanczos_to_2048(tmp_path):
    path = tmp_path / "picture.png"
    Image.open(_draw(tmp_path, (1280, 720))[0]).save(path)
    assert upscale.configured() is None  # no MODEL_ILLUSTRATION_UPSCALE here
    assert upscale.to_size(path, (2048, 1152)) == "lanczos"
    still = picture(path)
    assert still.shape == (1152, 2048, 3) and not is_blank(still)


def test_the_storybook_draws_a_2048_still_itself(tmp_path):
    out, report = _draw(tmp_path, (2048, 1152))
    assert Image.open(out).size == (2048, 1152) and not is_blank(picture(out))
    assert upscale.to_size(out, (2048, 1152)) is None  # nothing left for the step to do
    small = picture(_draw(tmp_path, (1280, 720))[0])
    reduced = np.asarray(Image.open(out).resize((1280, 720), Image.Resampling.LANCZOS), np.float32)
    assert np.abs(reduced - small).mean() < 12  # the same picture, drawn finer
    assert report["figures"] == ["заяц"]


def test_the_storybook_composes_for_a_vertical_and_a_square_frame(tmp_path):
    landscape = picture(_draw(tmp_path, (1280, 720))[0])
    for size in (FORMATS["vertical"], FORMATS["square"]):
        out, report = _draw(tmp_path, size)
        pixels = picture(out)
        assert pixels.shape == (size[1], size[0], 3) and not is_blank(pixels)
        assert report["figures"] == ["заяц"] and report["hero"]  # the same scene, laid out for the frame
        # sky over the top, ground under the bottom, and not the landscape's middle cut out
        top, bottom = pixels[: size[1] // 6].mean(axis=(0, 1)), pixels[-size[1] // 6:].mean(axis=(0, 1))
        assert np.abs(top - bottom).sum() > 60
        middle = landscape[:, (1280 - 405) // 2:(1280 + 405) // 2]
        cut = np.asarray(Image.fromarray(middle.astype(np.uint8)).resize(size), np.float32)
        assert np.abs(cut - pixels).mean() > 20
