"""The character sheet (pipeline/cast.py): the cast of a template story and of any text, the scenes that show
each, and the storybook drawing each character in the sheet's colours."""

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from fairytales.pipeline import russian
from fairytales.pipeline.artifacts import Artifact
from fairytales.pipeline.cast import apply_redo, edit, make_sheet, plot_roles, shown_in
from fairytales.pipeline.illustration import IllustrationContext
from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator
from fairytales.pipeline.runner import Redo
from fairytales.pipeline.scenes import split_scenes
from fairytales.pipeline.story.template.backend import TemplateStoryteller
from fairytales.pipeline.types import Line, Scene, TaleRequest

REQUEST = TaleRequest(title="Колобок", genre="сказка", scenes=5, seed=7)


def sheet_for(request: TaleRequest):
    story = TemplateStoryteller().write(request, {})
    scenes = split_scenes(story, request.scenes, request.language)
    told = Artifact(stage="story", scene=None, files={}, backend="template", options={"seed": None})
    roles, reference = plot_roles(request, told)
    return make_sheet(request, scenes, roles, reference), scenes


@pytest.fixture(scope="module")
def kolobok():
    return sheet_for(REQUEST)


def test_the_hero_is_found_with_the_plots_roles(kolobok):
    sheet, _ = kolobok
    roles = {member.role: member for member in sheet}
    assert set(roles) == {"hero", "helper", "villain", "donor"}
    hero = roles["hero"]
    assert (hero.name, hero.figure) == ("Колобок", "колобок")
    assert hero.description.startswith("Колобок: ") and "колобок" in hero.description
    assert hero.palette and all(value.startswith("#") and len(value) == 7 for value in hero.palette.values())


def test_each_member_is_shown_in_the_scenes_that_name_them(kolobok):
    sheet, scenes = kolobok
    hero = sheet[0]
    naming_the_hero = [scene.index for scene in scenes if "колобок" in russian.lemmas(scene.text)]
    assert hero.scenes == naming_the_hero and len(naming_the_hero) >= 3
    for member in sheet:
        for scene in scenes:
            assert (member in shown_in(sheet, scene, "ru")) == (scene.index in member.scenes)


def test_the_sheet_is_the_same_for_a_seed_and_differs_for_others(kolobok):
    sheet, _ = kolobok
    again, _ = sheet_for(REQUEST)
    assert [m.to_dict() for m in again] == [m.to_dict() for m in sheet]
    others = {tuple(m.name for m in sheet_for(replace(REQUEST, seed=seed))[0]) for seed in (1, 2, 3)}
    assert len(others | {tuple(m.name for m in sheet)}) > 1
    assert len({m.seed for m in sheet}) == len(sheet)  # a seed of their own each


def test_an_english_tale_is_described_in_english():
    sheet, _ = sheet_for(TaleRequest(title="Kolobok", genre="сказка", scenes=4, seed=7, language="en"))
    hero, helper = sheet[0], sheet[1]
    assert hero.name == "Kolobok" and "bun" in hero.description and "colours:" in hero.description
    assert helper.figure != "молодец" or "young man" in helper.description  # the lexicon's figure, in English


def test_any_text_names_its_speakers_and_the_animals_the_lexicon_knows():
    scenes = [Scene(1, "Жила-была Маша. Пошла Маша в лес и встретила медведя.", "Маша в лесу",
                    [Line("narrator", "Жила-была Маша."), Line("медведь", "Садись на пенёк!")]),
              Scene(2, "Маша вернулась домой к дедушке.", "Маша дома")]
    sheet = make_sheet(TaleRequest(title="Маша и медведь", genre="сказка", scenes=2), scenes)
    by_name = {member.name: member for member in sheet}
    assert sheet[0].role == "hero" and sheet[0].scenes == [1, 2]
    assert by_name["медведь"].figure == "медведь" and by_name["медведь"].scenes == [1]


def test_an_edit_keeps_to_one_character_and_its_colour_words_recolour_it(kolobok):
    sheet, _ = kolobok
    edited = apply_redo(sheet, Redo(stage="cast", text="Колобок: синий колобок в красной шапке",
                                    options={"character": "hero"}), "ru")
    assert edited[1:] == sheet[1:]
    hero = edited[0]
    assert hero.edited and hero.description == "Колобок: синий колобок в красной шапке"
    first = next(iter(hero.palette))
    assert hero.palette[first] == "#3460c8" and hero.palette != sheet[0].palette
    assert apply_redo(sheet, Redo(stage="cast", options={"character": "hero", "redraw": True}), "ru")[0].seed \
        != sheet[0].seed
    with pytest.raises(ValueError, match="no character"):
        apply_redo(sheet, Redo(stage="cast", text="…", options={"character": "nobody"}), "ru")
    with pytest.raises(ValueError, match="not a colour"):
        apply_redo(sheet, Redo(stage="cast", options={"character": "hero", "palette": "blue"}), "ru")


def test_an_edited_member_is_kept_when_the_sheet_is_made_again(kolobok):
    sheet, scenes = kolobok
    edited = [edit(sheet[0], "ru", "Колобок в синей рубашке"), *sheet[1:]]
    told = Artifact(stage="story", scene=None, files={}, backend="template", options={})
    again = make_sheet(REQUEST, scenes, *plot_roles(REQUEST, told), previous=edited)
    assert again[0].description == "Колобок в синей рубашке" and again[0].palette == edited[0].palette


def test_the_storybook_draws_the_sheets_colours(kolobok, tmp_path):
    sheet, scenes = kolobok
    scene = next(s for s in scenes if s.index in sheet[0].scenes)
    shown = shown_in(sheet, scene, "ru")
    context = IllustrationContext(title="Колобок", genre="сказка", seed=7, width=320, height=180)
    illustrator = StorybookIllustrator()
    plain = illustrator.draw(scene, context, tmp_path / "plain.png", {})
    as_sheet = illustrator.draw(scene, replace(context, cast=shown), tmp_path / "sheet.png", {})
    assert (tmp_path / "plain.png").read_bytes() == (tmp_path / "sheet.png").read_bytes()  # unedited: the same
    assert plain["hero_look"] == as_sheet["hero_look"] == list(sheet[0].palette.values())[:len(plain["hero_look"])]
    blue = edit(sheet[0], "ru", "Колобок: синий колобок")
    recoloured = illustrator.draw(scene, replace(context, cast=[blue, *shown[1:]]), tmp_path / "blue.png", {})
    assert recoloured["hero_look"][0] == "#3460c8"
    before, after = (np.asarray(Image.open(tmp_path / f"{n}.png"), dtype=np.int16) for n in ("plain", "blue"))
    assert np.abs(before - after).mean() > 0.1
