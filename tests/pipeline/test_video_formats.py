"""Each film format: an MP4 of its frame, the subtitles reflowed inside it, as long as the 720p film."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from fairytales.pipeline.narration.assemble import write_wav
from fairytales.pipeline.types import Cue
from fairytales.pipeline.video import FORMATS, Cut, SceneClip
from fairytales.pipeline.video.ffmpeg import FfmpegEditor
from tests.media import frame_at, is_blank, picture, streams

VOICE_SECONDS = [2.0, 2.5]
LINE = "Жили-были старик со старухой у самого синего моря, и была у них ветхая землянка"
OPTIONS = {"title_seconds": 1.0, "crossfade": 0.4, "preset": "ultrafast"}


@pytest.fixture(scope="module")
def films(tmp_path_factory):
    """The same two short scenes cut in every format; the pictures are drawn for each frame."""
    folder = tmp_path_factory.mktemp("formats")
    editor = FfmpegEditor()
    made = {}
    for name, (width, height) in FORMATS.items():
        clips = []
        for i, seconds in enumerate(VOICE_SECONDS, start=1):
            image = Image.new("RGB", (width, height), (40, 70, 150))
            ImageDraw.Draw(image).ellipse((width * 0.3, height * 0.3, width * 0.7, height * 0.6),
                                          fill=(240, 200, 60))
            image.save(folder / f"{name}-{i}.png")
            t = np.arange(int(seconds * 22050)) / 22050
            voice = (0.4 * np.sin(2 * np.pi * 220 * i * t)).astype(np.float32)
            write_wav(folder / f"{name}-{i}.wav", voice, 22050)
            clips.append(SceneClip(folder / f"{name}-{i}.png", folder / f"{name}-{i}.wav", seconds,
                                   [Cue(0.0, seconds, LINE)]))
        options = editor.options({**OPTIONS, "format": name})
        meta = editor.assemble(Cut("Маша и медведь", "сказка", clips, None), folder / f"{name}.mp4",
                               folder / f"{name}.jpg", options)
        made[name] = (folder / f"{name}.mp4", folder / f"{name}.jpg", meta)
    return made


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_has_its_frame_and_the_720p_films_length(films, name):
    mp4, poster, meta = films[name]
    width, height = FORMATS[name]
    info = streams(mp4)["video"]
    assert (info["width"], info["height"]) == (width, height) == (meta["width"], meta["height"])
    reference = streams(films["720p"][0])["video"]["duration"]
    assert abs(info["duration"] - reference) < 0.05 and meta["duration"] == films["720p"][2]["duration"]
    card = picture(poster)
    assert card.shape == (height, width, 3) and not is_blank(card)


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_subtitles_stay_inside_each_frame(films, name):
    mp4, _, meta = films[name]
    width, height = FORMATS[name]
    start = meta["scene_starts"][1]
    spoken = frame_at(mp4, start + 1.0)
    white = (spoken > 225).all(axis=2)  # the letters; the picture has no white
    rows, columns = np.nonzero(white)
    assert len(rows) > 300, "no subtitles burned in"
    margin = 0.03 * width
    assert columns.min() > margin and columns.max() < width - margin  # wrapped, not cut at the sides
    assert rows.max() < height - 10 and rows.min() > height / 2  # in the lower half, off the bottom edge
    font = 38 * min(width, height) / 720  # the subtitles' size in this frame
    assert rows.max() - rows.min() > (2.5 if height > width else 1.5) * font  # wrapped: 3 lines, else 2
