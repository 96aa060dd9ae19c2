"""A whole tale with every model stage on its neural backend (tiny random models built in the tests),
and each model loaded once per process however many tales it makes."""

import json

import pytest
import transformers

from fairytales.pipeline import registry
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.music.transformer.model import ModelConfig
from fairytales.pipeline.music.transformer.train import procedural_corpus, train
from fairytales.pipeline.runner import Choice, Redo, Runner
from fairytales.pipeline.types import TaleRequest
from tests.media import is_blank, picture, rms, streams, wav_samples
from tests.neural.test_jamspell import model as jamspell_model  # noqa: F401 - fixtures
from tests.neural.test_musicgen import SHORT as MUSICGEN_SHORT
from tests.neural.test_musicgen import tiny_musicgen  # noqa: F401
from tests.neural.test_silero import package as silero_package  # noqa: F401
from tests.neural.test_story_lm import tiny_lm  # noqa: F401
from tests.neural.test_vqgan_clip import models as vqgan_models  # noqa: F401

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def music_checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("mt") / "model.pt"
    config = ModelConfig(n_layer=1, n_head=2, d_model=32, max_len=64, dropout=0.0)
    train(procedural_corpus(per_mood=1, duration=20.0), config, steps=3, batch=2, out_checkpoint=path,
          log=lambda *_: None)
    return path


@pytest.fixture
def choices(tiny_lm, jamspell_model, silero_package, vqgan_models, music_checkpoint):  # noqa: F811
    return {
        "story": Choice("rugpt3", str(tiny_lm), {"length": 300, "seed": 3}),
        "proofread": Choice("jamspell", str(jamspell_model)),
        "narration": Choice("silero", str(silero_package)),
        "music": Choice("music_transformer", str(music_checkpoint)),
        "illustration": Choice("vqgan_clip", str(vqgan_models), {"size": [64, 64], "iterations": 3, "cutouts": 2}),
    }


def test_every_stage_on_its_neural_backend_makes_a_watchable_tale(tmp_path, choices):
    store = DirectoryStore(tmp_path)
    video = Runner(TaleRequest("Колобок", "сказка", scenes=3, seed=5), store, choices).run()
    for stage, backend in [("story", "rugpt3"), ("proofread", "jamspell"), ("music", "music_transformer")]:
        assert store.current(stage).backend == backend
    scenes = json.loads(store.current("scenes").file().read_text("utf-8"))
    assert len(store.current("story").file().read_text("utf-8")) >= 300 and scenes
    for scene in scenes:
        narration = store.current("narration", scene["index"])
        assert narration.backend == "silero" and rms(wav_samples(narration.file())[0]) > 0.01
        drawn = store.current("illustration", scene["index"])
        assert drawn.backend == "vqgan_clip" and not is_blank(picture(drawn.file()))
        assert drawn.meta["drawn"]["loss_end"] < drawn.meta["drawn"]["loss_start"] * 1.5
    info = streams(video.file("video"))
    assert info["video"]["width"] == 1280 and info["audio"]["codec"] == "aac"
    assert info["video"]["duration"] == pytest.approx(video.meta["duration"], abs=0.2)


def test_a_second_tale_does_not_load_the_model_again(tmp_path, tiny_lm, monkeypatch):  # noqa: F811
    loads = []
    real = transformers.AutoModelForCausalLM.from_pretrained

    def counting(*args, **kwargs):
        loads.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", counting)
    registry._cache.clear()
    story = {"story": Choice("rugpt3", str(tiny_lm), {"length": 200})}
    for i, title in enumerate(["Колобок", "Репка"]):
        store = DirectoryStore(tmp_path / str(i))
        Runner(TaleRequest(title, "сказка", scenes=3, seed=i), store, story).run()
        assert store.current("story").backend == "rugpt3"
    assert loads == [str(tiny_lm)]  # loaded for the first tale, reused by the second
    assert registry.get("story", "rugpt3", str(tiny_lm)) is registry.get("story", "rugpt3", str(tiny_lm))


def test_a_tale_with_musicgen_music(tmp_path, tiny_lm, tiny_musicgen):  # noqa: F811
    """MusicGen's audio under a whole film: as long as the narration asks, windows joined, in the mix."""
    registry._cache.clear()
    store = DirectoryStore(tmp_path)
    choices = {  # a short story: the tiny MusicGen writes a few seconds of audio a second here
        "story": Choice("rugpt3", str(tiny_lm), {"length": 200, "seed": 3}),
        "music": Choice("musicgen", str(tiny_musicgen), {**MUSICGEN_SHORT, "window": 5.0, "overlap": 1.0}),
    }
    video = Runner(TaleRequest("Колобок", "сказка", scenes=3, seed=5), store, choices).run()
    music = store.current("music")
    assert music.backend == "musicgen" and music.model == str(tiny_musicgen) and music.meta["windows"] > 1
    samples, rate = wav_samples(music.file("audio"))
    assert len(samples) / rate == pytest.approx(music.meta["duration"], abs=0.01)
    assert rms(samples) > 0.01 and music.file("midi").is_file()
    info = streams(video.file("video"))
    assert info["audio"]["codec"] == "aac"
    assert info["video"]["duration"] == pytest.approx(video.meta["duration"], abs=0.2)

    # the windows follow the scenes where the film shows them
    cues = music.meta["cues"]
    assert [cue["start"] for cue in cues] == video.meta["scene_starts"]
    base = music.meta["prompt"]
    for window in music.meta["prompts"]:
        moods = cues[window["scene"] - 1]["moods"] if window["scene"] else []
        assert window["prompt"] == ", ".join([base, *moods])
    scenes = [p["scene"] for p in music.meta["prompts"]]
    assert scenes[0] == 1 and scenes == sorted(scenes, key=lambda n: n or 99)

    # a scene rewritten in other words: its moods change, and so does the music that follows them
    fright = "Испугался Колобок волка, страшно ему стало, задрожал он от страха."
    Runner(TaleRequest("Колобок", "сказка", scenes=3, seed=5), store, choices,
           [Redo("scenes", scene=2, text=fright)]).run()
    remade = store.current("music")
    assert remade.file("audio") != music.file("audio") and remade.meta["cues"][1]["moods"] == ["tense"]
    assert all("tense" in p["prompt"] for p in remade.meta["prompts"] if p["scene"] == 2)
