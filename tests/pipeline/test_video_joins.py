"""Joins beyond the fade: xfade's dissolve, slide, zoom and wipe, and the optical-flow morph; per tale and per
cut, a change to one cut re-encoding that join alone.

A short film (a one-second title card, two scenes) of storybook pictures: its two joins are the cut into
scene 1 and the cut into scene 2.
"""

import shutil
import time
from itertools import pairwise

import numpy as np
import pytest

from fairytales.pipeline.backend import OptionError
from fairytales.pipeline.illustration import IllustrationContext
from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator
from fairytales.pipeline.narration.assemble import write_wav
from fairytales.pipeline.types import Cue, Scene
from fairytales.pipeline.video import FPS, Cut, SceneClip, joins, segments
from fairytales.pipeline.video.ffmpeg import FfmpegEditor
from fairytales.pipeline.video.layout import layout
from fairytales.pipeline.video.morph import morph
from fairytales.pipeline.video.timeline import plan
from tests.media import streams

TEXTS = ["Жили-были старик со старухой в маленькой избе у леса.", "Колобок покатился по дорожке в тёмный лес."]
VOICES = [1.6, 1.8]
SHORT = {"title_seconds": 1.0}


def draw(folder, index, text):
    out = folder / f"p{index}.png"
    StorybookIllustrator().draw(Scene(index, text, ""), IllustrationContext("Колобок", "сказка", 1), out, {})
    return out


def pixels(path):
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


def distance(a, b) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


def decoded(path) -> dict[int, np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return {round(f.time * FPS): f.to_ndarray(format="rgb24") for f in container.decode(video=0)}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    clips = []
    for index, (text, seconds) in enumerate(zip(TEXTS, VOICES), start=1):
        t = np.arange(int(seconds * 22050)) / 22050
        write_wav(folder / f"n{index}.wav", (0.4 * np.sin(2 * np.pi * 180 * index * t)).astype(np.float32), 22050)
        clips.append(SceneClip(draw(folder, index, text), folder / f"n{index}.wav", seconds,
                               [Cue(0.0, seconds, text[:20])]))
    return folder, clips


def make(inputs, folder, name, **options):
    """The film with ``options``, its segments kept in ``folder``; and the segments it encoded."""
    made: list[str] = []
    real = segments.run_jobs

    def counting(jobs, *args, **kwargs):
        made.extend(job.out.name for job in jobs if job.out.parent == folder)
        return real(jobs, *args, **kwargs)

    segments.run_jobs = counting
    try:
        editor = FfmpegEditor()
        meta = editor.assemble(Cut("Колобок", "сказка", inputs[1], None, segments_dir=folder),
                               folder.parent / f"{name}.mp4", folder.parent / f"{name}.jpg",
                               editor.options({**SHORT, **options}))
    finally:
        segments.run_jobs = real
    return folder.parent / f"{name}.mp4", meta, made


@pytest.fixture(scope="module")
def faded(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("faded")
    return make(inputs, out / "segments", "fade")


def join_spans() -> list[range]:
    framing = layout(plan(VOICES, title_seconds=SHORT["title_seconds"]), FPS)
    return [range(p.start, p.start + p.frames) for p in framing.pieces if p.kind == "join"]


def test_the_flow_morph_moves_from_one_picture_to_the_other(inputs):
    a, b = (pixels(clip.picture) for clip in inputs[1])
    weights = [i / 8 for i in range(9)]
    started = time.perf_counter()
    frames = list(morph(a, b, weights))
    took = time.perf_counter() - started
    to_a, to_b = [distance(f, a) for f in frames], [distance(f, b) for f in frames]
    assert to_a[0] == 0 and to_b[-1] == 0
    assert all(x < y for x, y in pairwise(to_a)), to_a  # distance to A rises
    assert all(x > y for x, y in pairwise(to_b)), to_b  # distance to B falls
    # not a plain cross-fade: the halfway frame is the pictures moved, not their average
    assert distance(frames[4], ((a.astype(np.float32) + b) / 2).astype(np.uint8)) > 1.0
    assert took < 10, took  # 1280×720, flow at 320 px: well under a second a frame


@pytest.mark.parametrize("kind", ["dissolve", "slide", "zoom", "wipe", "morph"])
def test_each_join_makes_a_film_as_long_as_the_fade_and_re_encodes_only_the_joins(kind, inputs, faded, tmp_path):
    film, meta, _ = faded
    kept = tmp_path / "segments"
    shutil.copytree(film.parent / "segments", kept)
    again, again_meta, made = make(inputs, kept, kind, join=kind)
    assert sorted(name.split("-")[0] for name in made) == ["join", "join"]
    assert again_meta["duration"] == meta["duration"] and again_meta["scene_starts"] == meta["scene_starts"]
    assert streams(again)["video"]["duration"] == pytest.approx(streams(film)["video"]["duration"], abs=1e-3)
    before, after = decoded(film), decoded(again)
    assert sorted(before) == sorted(after)
    spans = join_spans()
    inside = {n for span in spans for n in span}
    assert all(np.array_equal(before[n], after[n]) for n in before if n not in inside)  # the bodies as they were
    for span in spans:
        middle = span[len(span) // 2]
        assert distance(before[middle], after[middle]) > 0.5, (kind, middle)  # not the fade


def test_a_morph_join_differs_from_both_neighbours(inputs, faded, tmp_path):
    kept = tmp_path / "segments"
    shutil.copytree(faded[0].parent / "segments", kept)
    film, _, _ = make(inputs, kept, "morph", join="morph")
    shown = decoded(film)
    assert len(shown) == len(decoded(faded[0]))
    for span in join_spans():
        going, coming = shown[span.start - 1], shown[span.stop]
        for number in list(span)[2:-2]:
            assert distance(shown[number], going) > 1 and distance(shown[number], coming) > 1, number


def test_one_cuts_join_re_encodes_that_join_alone(inputs, faded, tmp_path):
    kept = tmp_path / "segments"
    shutil.copytree(faded[0].parent / "segments", kept)
    film, meta, made = make(inputs, kept, "one", joins="2=wipe")
    assert [name.split("-")[0] for name in made] == ["join"]
    assert meta["segments"] == {"made": 1, "reused": len(layout(plan(VOICES, title_seconds=1.0), FPS).pieces) - 1}
    before, after = decoded(faded[0]), decoded(film)
    second = join_spans()[1]  # the cut into scene 2
    assert all(np.array_equal(before[n], after[n]) for n in before if n not in second)
    assert distance(before[second[len(second) // 2]], after[second[len(second) // 2]]) > 0.5


def test_the_join_options_are_checked_and_written_one_way():
    editor = FfmpegEditor()
    assert editor.options()["join"] == "fade" and editor.options()["joins"] == ""
    assert editor.options({"joins": "2:morph; 1 = wipe"})["joins"] == "1=wipe, 2=morph"
    assert joins.parse("1=wipe, 2=morph") == {1: "wipe", 2: "morph"}
    for bad in ({"join": "spin"}, {"joins": "2=spin"}, {"joins": "two=fade"}, {"joins": "0=fade"}):
        with pytest.raises(OptionError):
            editor.options(bad)


def test_a_job_fed_through_a_pipe_is_encoded_and_one_that_fails_leaves_nothing(tmp_path):
    from fairytales.pipeline.video.encoder import LIBX264, ffmpeg_exe

    def command(frames):
        return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x48", "-framerate", str(FPS), "-i", "pipe:0",
                *LIBX264.args("ultrafast", 30), "-frames:v", str(frames)]

    def feed(pipe):
        pipe.writelines(bytes([16 * i]) * (64 * 48 * 3) for i in range(12))

    out = tmp_path / "fed.mp4"
    segments.run_jobs([segments.Job(command(12), out, 12, feed=feed)], lambda *_: None)
    assert streams(out)["video"]["width"] == 64 and len(decoded(out)) == 12

    def broken(pipe):
        pipe.write(bytes(64 * 48 * 3))
        raise segments.VideoFailed("no picture")

    with pytest.raises(segments.VideoFailed, match="no picture"):
        segments.run_jobs([segments.Job(command(12), tmp_path / "broken.mp4", 12, feed=broken)], lambda *_: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fed.mp4"]
