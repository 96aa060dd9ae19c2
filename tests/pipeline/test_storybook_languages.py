"""The storybook illustrator reads English and Ukrainian scenes: they draw what the same Russian scene draws."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fairytales.pipeline.illustration import IllustrationContext
from fairytales.pipeline.illustration.storybook import lexicon
from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator
from fairytales.pipeline.illustration.storybook.planning import LAD, MAIDEN, hero_from_title
from fairytales.pipeline.illustration.storybook.tables import read
from fairytales.pipeline.illustration.storybook.words import translations
from fairytales.pipeline.types import Scene

FOX_IN_THE_DARK_FOREST = {
    "ru": ("Лиса", "Лиса в тёмном лесу. Ночью светит луна."),
    "en": ("The Fox", "The fox in the dark forest. At night the moon shines."),
    "uk": ("Лисиця", "Лисиця в темному лісі. Вночі світить місяць."),
}


def draw(tmp_path, language, title, text, seed=3):
    out = tmp_path / f"{language}.png"
    context = IllustrationContext(title, "сказка", seed, language=language)
    report = StorybookIllustrator().draw(Scene(index=1, text=text, prompt=""), context, out, {})
    return out, report


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_fox_in_the_dark_forest_draws_what_the_russian_one_draws(tmp_path, language):
    _, russian = draw(tmp_path, "ru", *FOX_IN_THE_DARK_FOREST["ru"])
    out, report = draw(tmp_path, language, *FOX_IN_THE_DARK_FOREST[language])
    assert russian["hero"] == "лиса" and russian["places"] == ["лес"] and russian["sky"] == "night"
    for key in ("hero", "hero_figure", "places", "figures", "sky", "mood", "season"):
        assert report[key] == russian[key], key
    picture = np.asarray(Image.open(out).convert("RGB"), dtype=np.float32)
    assert picture.std() > 25  # a picture, not a blank


def test_a_scene_names_its_figures_in_any_form_of_the_word(tmp_path):
    _, english = draw(tmp_path, "en", "A Tale", "Two foxes ran past the wolves to the old mice in the snowy woods.")
    assert {"лиса", "волк", "мышь"} <= set(english["figures"])
    assert english["places"] == ["лес"] and english["season"] == "winter"
    _, ukrainian = draw(tmp_path, "uk", "Казка", "Із лисицею та вовками бігли миші засніженим лісом до хатинки.")
    assert {"лиса", "волк", "мышь"} <= set(ukrainian["figures"])
    assert ukrainian["places"][:2] == ["лес", "изба"]


def test_the_hero_comes_from_an_english_or_ukrainian_title():
    assert hero_from_title("Kolobok", "en").figure == "колобок"
    assert hero_from_title("Колобок", "uk").figure == "колобок"
    assert hero_from_title("Little Red Riding Hood", "en").look.main == hero_from_title("Красная Шапочка").look.main
    assert hero_from_title("Червона Шапочка", "uk").figure == MAIDEN
    assert hero_from_title("The Tale of the Fisherman and the Fish", "en").figure == "дед"  # «tale» names no one
    assert hero_from_title("Казка про рибалку та рибку", "uk").figure == "дед"
    assert hero_from_title("Котигорошко", "uk").figure == LAD  # a hero the lexicon does not know
    assert hero_from_title("The Golden Apples", "en").motifs == ["яблоко"]  # a thing, in every scene


@pytest.mark.parametrize("language", ["en", "uk"])
def test_every_translation_stands_for_a_lemma_the_lexicon_knows(language):
    table = read("lexicon.toml")
    known = {"шапочка"}  # the hood the planner looks for in a hero's name
    for section in (table["fire"], table["rockets"], table["title"]["generic"], table["title"]["things"]):
        known |= set(section)
    for group in (table["sky"]["words"], table["mood"], table["season"], table["places"], table["figures"]):
        known |= {word for words in group.values() for word in words}
    known |= set(lexicon.LEXICON.colours)
    stands_for = set(translations(language).values())  # loading it checks that no word is under two lemmas
    assert stands_for - known == set()
    assert len(translations(language)) > 300
