"""A tale's work is bounded before it starts: too much text or too many picture iterations fail at once, with
a message that says which limit, and nothing is narrated or drawn."""

import pytest

from fairytales.pipeline import limits
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.illustration.vqgan_clip import VqganClipIllustrator
from fairytales.pipeline.runner import Choice, Redo, Runner, StageFailed
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
