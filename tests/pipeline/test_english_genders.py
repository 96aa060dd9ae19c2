"""One list says which English characters are «she»: the story, the scenes and the voices read it alike."""

import tomllib
from pathlib import Path

import pytest

from fairytales.pipeline import english
from fairytales.pipeline.illustration.storybook.planning import LAD, MAIDEN, hero_from_title
from fairytales.pipeline.narration import characters
from fairytales.pipeline.scenes import NARRATOR, speaker_gender, speaker_lines

with open(Path(english.__file__).with_name("data") / "english.toml", "rb") as f:
    FEMININE = tomllib.load(f)["characters"]["feminine"]


@pytest.mark.parametrize("speaker", ["woman", "the old woman", "witches", "Masha", "Little Red Riding Hood",
                                     "she-wolf", "snow maiden", "geese", "the fox's"])
def test_a_she_character_is_she_everywhere(speaker):
    assert english.gender_of(speaker) == "femn"
    assert speaker_gender(speaker, "en") == "femn"
    assert characters.gender(speaker, "en") == "femn"


@pytest.mark.parametrize("speaker", ["wolf", "the old man", "Ivan", "hare", "robot", NARRATOR])
def test_another_character_is_he_everywhere(speaker):
    assert speaker_gender(speaker, "en") == "masc"
    assert characters.gender(speaker, "en") == "masc"


def test_every_listed_word_is_she_for_the_scenes_and_the_voices():
    assert [word for word in FEMININE if characters.gender(word, "en") != "femn"] == []
    assert [word for word in FEMININE if speaker_gender(word, "en") != "femn"] == []


def test_the_storyteller_reads_a_title_heroine_from_the_same_list():
    assert english.noun_phrase("The Snow Queen").gender == "femn"
    assert english.noun_phrase("The Little Mermaid").gender == "femn"
    assert english.noun_phrase("The Brave Tin Soldier").gender == "masc"


def test_a_speaker_named_in_the_scene_gets_her_voice():
    lines = speaker_lines(["“Who is there?” asked the old witch."], "en")
    assert lines[0].speaker == "witch" and characters.gender(lines[0].speaker, "en") == "femn"


def test_ukrainian_and_russian_speakers_keep_their_dictionary_gender():
    assert characters.gender("лисиця", "uk") == "femn"
    assert characters.gender("вовк", "uk") == "masc"
    assert characters.gender("лиса", "ru") == "femn"
    assert characters.gender("волк", "ru") == "masc"


def test_the_storybook_draws_a_heroine_it_does_not_know_as_a_maiden():
    assert hero_from_title("Rapunzel", "en").figure == MAIDEN
    assert hero_from_title("Peter and the Wolf", "en").figure == LAD
