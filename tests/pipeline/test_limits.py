"""A tale's work is bounded before it starts: too much text or too many picture iterations fail at once, with
a message that says which limit, and nothing is narrated or drawn."""

import json

import pytest

from fairytales.pipeline import limits
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.illustration.vqgan_clip import VqganClipIllustrator
from fairytales.pipeline.runner import Choice, Redo, Runner, StageFailed
from fairytales.pipeline.text import sentences
from fairytales.pipeline.types import TaleRequest

SENTENCE = "Жила-была на свете старая лиса, и было у неё много хитрых дел. "


def test_a_story_too_long_to_narrate_fails_before_any_voice(tmp_path):
    store = DirectoryStore(tmp_path)
    huge = SENTENCE * (limits.MAX_TALE_CHARS // len(SENTENCE) + 10)
    runner = Runner(TaleRequest("Лиса", "сказка", scenes=3, seed=1), store,
                    {"proofread": Choice("dictionary")}, [Redo("story", text=huge)])
    with pytest.raises(StageFailed, match="длиннее 15000 символов"):
        runner.run()
    assert store.current("scenes") is not None  # what came before is kept
    assert store.current("narration", 1) is None and store.current("illustration", 1) is None


def test_text_limits_name_what_is_too_long():
    assert limits.tale_text_problem(["а" * 100] * 3) is None
    assert "Текст сказки длиннее" in limits.tale_text_problem(["а" * 4000] * 4)
    assert limits.scene_text_problem("а" * limits.MAX_SCENE_CHARS) is None
    assert "Сцена длиннее" in limits.scene_text_problem("а" * (limits.MAX_SCENE_CHARS + 1))


def test_picture_work_counts_size_iterations_and_pictures():
    illustrator = VqganClipIllustrator(device="cpu")
    defaults = illustrator.options()
    assert limits.picture_work_problem(VqganClipIllustrator.work(defaults, 12)) is None
    most = illustrator.options({"size": [768, 432], "iterations": 2000})
    assert "Уменьшите размер картинки" in limits.picture_work_problem(VqganClipIllustrator.work(most, 12))


def test_the_short_film_setting_narrates_the_first_sentences_of_each_scene(monkeypatch):
    from fairytales.pipeline.types import Line, Scene

    scene = Scene(1, "", "", lines=[
        Line("narrator", "Жил-был кот. Он ловил мышей."),
        Line("Кот", "— Мяу! Где же мышь?"),
        Line("narrator", "Так и жили."),
    ])
    monkeypatch.setenv(limits.NARRATED_SENTENCES_SETTING, "3")
    short = limits.narrated_part(scene)
    assert [(line.speaker, line.text) for line in short.lines] == [
        ("narrator", "Жил-был кот. Он ловил мышей."), ("Кот", "— Мяу!")]
    assert short.text == "Жил-был кот. Он ловил мышей. — Мяу!"
    monkeypatch.delenv(limits.NARRATED_SENTENCES_SETTING)
    assert limits.narrated_part(scene) is scene


def test_a_whole_tale_under_the_short_film_setting_has_a_short_film(tmp_path, monkeypatch):
    monkeypatch.setenv(limits.NARRATED_SENTENCES_SETTING, "1")
    store = DirectoryStore(tmp_path / "tale")
    Runner(TaleRequest("Колобок", "сказка", 3, seed=4), store).run()
    scenes = json.loads(store.current("scenes").file().read_text("utf-8"))
    for scene in scenes:
        narration = store.current("narration", scene["index"])
        assert len(narration.meta["cues"]) >= 1
        first_sentence = sentences(scene["text"])[0]
        assert " ".join(cue["text"] for cue in narration.meta["cues"]) == first_sentence
    assert store.current("video", None).meta["duration"] < 40
