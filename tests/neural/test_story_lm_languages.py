"""Language-model stories per language: the prompt in the tale's language with the genre named in it, ruGPT-3 for
Russian only, mGPT (the same code, another default model) for all three; on the tiny GPT-2 of test_story_lm."""

from __future__ import annotations

import pytest

from fairytales.pipeline import registry
from fairytales.pipeline.story.transformers_lm import (
    CausalLMStoryteller,
    MultilingualLMStoryteller,
    prompt_for,
)
from fairytales.pipeline.types import TaleRequest
from tests.neural.test_story_lm import tiny_lm  # noqa: F401 - the fixture, built once per module

OPTIONS = {"length": 120, "max_new_tokens_per_step": 32}


def test_the_prompt_is_in_the_tales_language_with_the_genre_named_in_it():
    assert prompt_for("Колобок", "сказка") == "Имя: Колобок. Жанр: сказка. Текст:"
    assert prompt_for("The Fox", "сказка", "en") == "Title: The Fox. Genre: fairy tale. Text:"
    assert prompt_for("Лисиця", "ужасы", "uk") == "Назва: Лисиця. Жанр: жахи. Текст:"


def test_rugpt3_tells_russian_only_and_mgpt_all_three():
    assert registry.backend_class("story", "rugpt3").languages == ("ru",)
    mgpt = registry.backend_class("story", "mgpt")
    assert set(mgpt.languages) == {"ru", "en", "uk"} and mgpt.default_model == "ai-forever/mGPT"
    assert mgpt.model_setting() == "MODEL_STORY_MGPT"


def test_rugpt3_refuses_an_english_tale_in_one_clear_line(tiny_lm):  # noqa: F811
    storyteller = CausalLMStoryteller(model=str(tiny_lm))
    with pytest.raises(ValueError, match=r"'en'.*ru"):
        storyteller.write(TaleRequest("The Fox", "сказка", language="en"), storyteller.options(OPTIONS))


@pytest.mark.parametrize("language, title", [("en", "The Fox"), ("uk", "Лисиця")])
def test_mgpt_writes_a_story_for_a_tale_in_any_of_its_languages(tiny_lm, language, title):  # noqa: F811
    storyteller = MultilingualLMStoryteller(model=str(tiny_lm))
    text = storyteller.write(TaleRequest(title, "сказка", seed=3, language=language), storyteller.options(OPTIONS))
    assert text.strip() and "Title:" not in text and "Назва:" not in text
