"""A film format is a redo of the video node: the same narration and music, the film's new frame, the same
length; pictures of another aspect are drawn again for it, and the format stays for later redos."""

import pytest
from PIL import Image

from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.runner import Choice, Redo, Runner
from fairytales.pipeline.types import TaleRequest
from tests.media import streams

pytestmark = pytest.mark.slow
REQUEST = TaleRequest(title="Колобок", genre="сказка", scenes=2, seed=5)
CHOICES = {"story": Choice(options={"length": 500}), "narration": Choice("espeak"),
           "music": Choice("procedural"), "video": Choice(options={"preset": "ultrafast"})}


def _current(store, stage, scenes=(1, 2)):
    return [store.current(stage, scene).file().name for scene in scenes]


def test_formats_redo_the_film_and_only_what_its_frame_needs(tmp_path):
    store = DirectoryStore(tmp_path)
    first = Runner(REQUEST, store, CHOICES).run()
    film = streams(first.file("video"))["video"]
    assert (film["width"], film["height"]) == (1280, 720)
    pictures, voices = _current(store, "illustration"), _current(store, "narration")

    wide = Runner(REQUEST, store, CHOICES, [Redo("video", options={"format": "1080p"})]).run()
    info = streams(wide.file("video"))["video"]
    assert (info["width"], info["height"]) == (1920, 1080) and wide.options["format"] == "1080p"
    assert abs(info["duration"] - film["duration"]) < 0.05
    assert _current(store, "illustration") == pictures  # the same aspect: the same pictures

    tall = Runner(REQUEST, store, CHOICES, [Redo("video", options={"format": "vertical"})]).run()
    info = streams(tall.file("video"))["video"]
    assert (info["width"], info["height"]) == (1080, 1920)
    assert abs(info["duration"] - film["duration"]) < 0.05
    assert _current(store, "narration") == voices
    redrawn = [store.current("illustration", scene) for scene in (1, 2)]
    assert [a.file().name for a in redrawn] != pictures  # drawn again for the tall frame, not cropped
    assert all(Image.open(a.file()).size == (1080, 1920) for a in redrawn)

    # a later redo of one picture keeps the vertical film
    again = Runner(REQUEST, store, CHOICES, [Redo("illustration", 1, options={"seed": 77})]).run()
    assert again.options["format"] == "vertical" and again.meta["width"] == 1080
