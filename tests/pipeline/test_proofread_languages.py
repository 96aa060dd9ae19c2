"""Proofreading is Russian: a story in English or Ukrainian comes back as written, marked as not checked."""

from __future__ import annotations

import pytest

from fairytales.pipeline.proofread.dictionary import DictionaryProofreader
from fairytales.pipeline.proofread.jamspell.backend import JamSpellProofreader

ENGLISH = ("Once upon a time there lived an old man.\n\n"
           "“Where are you going, little bun?” asked the fox. \"Sit on my nose,\" she said -- and smiled...")
UKRAINIAN = "Жили собі дід та баба.\n\n— Куди ти котишся, колобку? — спитала лисиця. — Сядь мені на носа."


@pytest.mark.parametrize("proofreader", [JamSpellProofreader, DictionaryProofreader])
@pytest.mark.parametrize("text, language", [(ENGLISH, "en"), (UKRAINIAN, "uk")])
def test_a_story_in_another_language_is_left_as_written(proofreader, text, language):
    notes = []
    result = proofreader().fix(f"  {text.replace('lived', 'lived  ')}\n\n\n", {}, lambda f, m="": notes.append(m),
                               language=language)
    assert result.text == text  # only the run of spaces and the blank lines go: no guillemets, no dashes
    assert result.corrections == [] and result.checked is False
    assert "не проверялась" in str(notes[-1])


def test_russian_is_still_checked():
    result = DictionaryProofreader().fix("Испекла старуха калобок,  и покатился он.", {}, language="ru")
    assert result.checked and result.text == "Испекла старуха колобок, и покатился он."
