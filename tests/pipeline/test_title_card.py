"""The film's title card (and poster): the whole title inside the frame, no empty boxes for characters the
font lacks, and the line under it in the tale's language."""

import numpy as np
import pytest
from PIL import Image

from fairytales.pipeline.video.cards import caption, title_card

BACKGROUND = (90, 140, 90)


@pytest.fixture
def background(tmp_path):
    path = tmp_path / "picture.png"
    Image.new("RGB", (1280, 720), BACKGROUND).save(path)
    return path


def card(background, tmp_path, title, size=(1280, 720), **kwargs) -> np.ndarray:
    out = tmp_path / f"card-{abs(hash((title, size, str(kwargs))))}.png"
    title_card(background, title, "сказка", out, size, **kwargs)
    return np.asarray(Image.open(out).convert("RGB")).astype(int)


def written_columns(image: np.ndarray) -> np.ndarray:
    """The columns where anything is drawn over the (uniform) background."""
    plain = image[5, 5]
    return np.flatnonzero(np.abs(image - plain).sum(axis=2).max(axis=0) > 30)


@pytest.mark.parametrize("size", [(1280, 720), (1080, 1920)])
def test_a_title_of_one_long_word_stays_inside_the_frame(background, tmp_path, size):
    image = card(background, tmp_path, "Я" * 80, size)
    columns = written_columns(image)
    assert columns.size and columns.min() > 0.03 * size[0] and columns.max() < 0.97 * size[0]


def test_characters_the_font_lacks_are_left_out_not_drawn_as_boxes(background, tmp_path):
    with_emoji = card(background, tmp_path, "Кот 🐱 и ✨ звезда")
    assert np.array_equal(with_emoji, card(background, tmp_path, "Кот и звезда"))
    assert not np.array_equal(with_emoji, card(background, tmp_path, "Кот и луна"))  # the words do count


def test_the_line_under_the_title_is_in_the_tales_language(background, tmp_path):
    assert caption("ужасы", "en") == "Videotale · horror" and caption("сказка", "uk") == "Відеоказка · казка"
    assert caption("сказка") == "Видеосказка · сказка"
    russian = card(background, tmp_path, "Колобок")
    english = card(background, tmp_path, "Колобок", language="en")
    rows = np.flatnonzero(np.abs(russian - english).sum(axis=(1, 2)))
    title_rows = np.flatnonzero(np.abs(russian - russian[5, 5]).sum(axis=2).max(axis=1) > 30)
    assert rows.size and rows.min() > title_rows.min() + 60  # the caption differs, below the same title
