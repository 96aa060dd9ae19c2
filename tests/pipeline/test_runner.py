"""The whole graph on the offline backends: what each stage makes, resuming, failing, redoing."""

import json

import numpy as np
import pytest

from fairytales.pipeline import registry
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.backend import SEED
from fairytales.pipeline.music import Composer
from fairytales.pipeline.runner import Choice, Redo, Runner, StageFailed
from fairytales.pipeline.russian import lemmas
from fairytales.pipeline.types import TaleRequest
from tests.media import is_blank, picture, rms, streams, wav_samples

pytestmark = pytest.mark.slow
REQUEST = TaleRequest(title="Колобок", genre="сказка", scenes=4, seed=7)


class BrokenComposer(Composer):
    name = "broken"
    declared_options = (SEED,)

    def compose(self, *args, **kwargs):
        raise RuntimeError("в звуковом шрифте нет инструментов")


@pytest.fixture
def broken_music(monkeypatch):
    monkeypatch.setitem(registry.BACKENDS["music"], "broken", f"{__name__}:BrokenComposer")


def files_of(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "manifest.json"}


@pytest.fixture(scope="module")
def tale(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tale")
    reports = []
    store = DirectoryStore(folder, echo=lambda *report: reports.append(report))
    video = Runner(REQUEST, store).run()
    return folder, store, video, reports


def test_the_story_is_long_and_about_the_hero(tale):
    _, store, _, _ = tale
    text = store.current("proofread").file().read_text("utf-8")
    assert len(text) >= 1500
    assert lemmas(text).count("колобок") >= 3


def test_every_scene_has_text_a_prompt_a_voice_and_a_picture(tale):
    _, store, _, _ = tale
    scenes = json.loads(store.current("scenes").file().read_text("utf-8"))
    assert len(scenes) == 4 and all(s["text"] and s["prompt"] for s in scenes)
    pictures = []
    for scene in scenes:
        narration = store.current("narration", scene["index"])
        samples, rate = wav_samples(narration.file())
        assert rms(samples) > 0.02 and abs(len(samples) / rate - narration.meta["duration"]) < 0.05
        pixels = picture(store.current("illustration", scene["index"]).file())
        assert pixels.shape == (720, 1280, 3) and not is_blank(pixels)
        pictures.append(pixels)
    for a in range(len(pictures)):
        for b in range(a + 1, len(pictures)):
            assert np.abs(pictures[a] - pictures[b]).mean() > 5  # each scene its own picture


def test_the_music_lasts_as_long_as_the_narration(tale):
    _, store, _, _ = tale
    narration = sum(store.current("narration", i).meta["duration"] for i in range(1, 5))
    samples, rate = wav_samples(store.current("music").file("audio"))
    assert len(samples) / rate >= narration and rms(samples) > 0.01


def test_the_video_follows_the_narration(tale):
    _, store, video, _ = tale
    info = streams(video.file("video"))
    narration = sum(store.current("narration", i).meta["duration"] for i in range(1, 5))
    assert narration < info["video"]["duration"] < narration + 20
    assert abs(info["audio"]["duration"] - info["video"]["duration"]) < 0.3


def test_every_stage_reports_running_then_done(tale):
    *_, reports = tale
    for stage in ("story", "proofread", "scenes", "narration", "illustration", "music", "video"):
        statuses = [status for s, status, *_ in reports if s == stage]
        assert statuses[0] == "running" and statuses[-1] == "done", stage


def test_a_second_run_makes_nothing_again(tale):
    folder, store, video, _ = tale
    before = files_of(folder)
    again = Runner(REQUEST, DirectoryStore(folder)).run()
    assert again.files == video.files and files_of(folder) == before


def test_a_failing_stage_keeps_what_came_before_and_the_next_run_resumes(tmp_path, broken_music):
    store = DirectoryStore(tmp_path)
    with pytest.raises(StageFailed) as failure:
        Runner(REQUEST, store, {"music": Choice(backend="broken")}).run()
    assert "в звуковом шрифте нет инструментов" in failure.value.detail
    assert store.current("video") is None
    made = files_of(tmp_path)
    assert store.current("story") and all(store.current("illustration", i) for i in range(1, 5))

    Runner(REQUEST, store).run()
    after = files_of(tmp_path)
    assert {name: after[name] for name in made} == made  # nothing earlier was made again
    assert sorted(set(after) - set(made)) == ["music-v1.mid", "music-v1.wav", "poster-v1.jpg", "subtitles.ru-v1.vtt",
                                              "video-v1.mp4"]


def test_redoing_one_picture_makes_only_it_and_the_video(tale):
    folder, store, video, _ = tale
    before = files_of(folder)
    Runner(REQUEST, store, redo=[Redo("illustration", 2, {"seed": 12345})]).run()
    after = files_of(folder)
    pictures = [path.name for path in store.current("illustration", 2).files.values()]  # each of its shots'
    assert "picture-2-v2.png" in pictures and all(name.endswith("-2-v2.png") for name in pictures)
    assert sorted(set(after) - set(before)) == sorted([*pictures, "poster-v2.jpg", "subtitles.ru-v2.vtt",
                                                       "video-v2.mp4"])
    assert {name: after[name] for name in before} == before  # every earlier version kept as it was
    assert store.current("illustration", 2).file().name == "picture-2-v2.png"
    assert store.current("illustration", 1).file().name == "picture-1-v1.png"
