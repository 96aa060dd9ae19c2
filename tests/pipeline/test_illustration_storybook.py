"""The storybook illustrator: pictures drawn with Pillow from the scene's words."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from PIL import Image

from fairytales.pipeline import genres
from fairytales.pipeline.backend import OptionError
from fairytales.pipeline.illustration import HEIGHT, WIDTH, IllustrationContext
from fairytales.pipeline.illustration.storybook import lexicon, looks, palette
from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator
from fairytales.pipeline.illustration.storybook.figures import DRAWINGS, SPECS
from fairytales.pipeline.illustration.storybook.figures.animals import draw_quadruped
from fairytales.pipeline.illustration.storybook.figures.people import HATS, draw_person
from fairytales.pipeline.illustration.storybook.landscape import PLACES
from fairytales.pipeline.illustration.storybook.planning import LAD, MAIDEN, hero_from_title
from fairytales.pipeline.illustration.storybook.tables import DATA, word_index
from fairytales.pipeline.types import Scene


def draw(tmp_path, text, title="Сказка", genre="сказка", seed=1, index=1, options=None, name=None, prompt=""):
    out = tmp_path / (name or f"scene_{abs(hash((text, title, genre, seed, index, str(options))))}.png")
    scene = Scene(index=index, text=text, prompt=prompt)
    report = StorybookIllustrator().draw(scene, IllustrationContext(title, genre, seed), out, options or {})
    return out, report


def pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(np.float32)


def diff(a, b) -> float:
    return float(np.abs(pixels(a) - pixels(b)).mean())


def count_near(path, colour_hex: str, tol: int = 20) -> int:
    c = np.array([int(colour_hex[i : i + 2], 16) for i in (1, 3, 5)], np.float32)
    return int((np.abs(pixels(path) - c).max(axis=2) <= tol).sum())


def test_png_is_full_size_rgb_and_not_blank(tmp_path):
    out, report = draw(tmp_path, "Колобок катится по лесу и встречает волка.", title="Колобок")
    img = Image.open(out)
    assert img.format == "PNG"
    assert img.size == (WIDTH, HEIGHT) == (1280, 720)
    assert img.mode == "RGB"
    a = pixels(out)
    assert a.std() > 25
    colours = np.unique((a // 16).reshape(-1, 3), axis=0)
    assert len(colours) > 100
    assert report["places"] == ["лес"]
    assert report["figures"] == ["волк"]
    assert report["hero"] == "колобок"
    assert report["sky"] == "day"
    assert report["palette"] == "сказка"


def test_different_places_and_characters_give_different_pictures(tmp_path):
    forest, r1 = draw(tmp_path, "В лесу у избушки сидит лиса и медведь.", seed=3, name="forest.png")
    sea, r2 = draw(
        tmp_path, "У синего моря стоит дворец, в небе летит дракон, рядом робот.", seed=3, name="sea.png"
    )
    assert diff(forest, sea) > 12
    assert r1["places"] == ["лес", "изба"]
    assert r1["figures"] == ["лиса", "медведь"]
    assert r2["places"] == ["море", "дворец"]
    assert set(r2["figures"]) == {"змей", "робот"}


@pytest.mark.parametrize(
    "text",
    ["Иван увидел волка.", "Иван поговорил с волком.", "Иван дал хлеба волку.", "Волки выли."],
)
def test_inflected_forms_bring_the_wolf(tmp_path, text):
    out, report = draw(tmp_path, text)
    assert "волк" in report["figures"]
    plain, _ = draw(tmp_path, "Иван увидел.", name="plain.png")
    assert diff(out, plain) > 2


def test_more_places_and_figures_are_found_by_lemma(tmp_path):
    _, report = draw(
        tmp_path,
        "Ночью Баба-Яга летела над болотом, а в пещере у горы спал Змей Горыныч; у реки сидела лягушка, "
        "петух кричал, кот мурлыкал, заяц прятался, ворона каркала.",
    )
    assert report["sky"] == "night"
    assert {"болото", "пещера", "горы", "река"} <= set(report["places"])
    assert {"баба-яга", "змей", "лягушка", "петух", "кот", "заяц", "ворон"} <= set(report["figures"])
    _, report = draw(tmp_path, "Утром на рассвете в поле у деревни.")
    assert report["sky"] == "dawn" and report["places"] == ["поле", "деревня"]
    _, report = draw(tmp_path, "Вечером, на закате, в саду под яблоней лежало яблоко и сундук с кольцом.")
    assert report["sky"] == "sunset"
    assert report["places"] == ["сад"]
    assert {"яблоня", "яблоко", "сундук", "кольцо"} <= set(report["figures"])
    _, report = draw(tmp_path, "Началась гроза, буря гнула деревья.")
    assert report["sky"] == "storm"
    _, report = draw(tmp_path, "Корабль летит к далёкой планете.", genre="фантастика")
    assert "космос" in report["places"] and "корабль" in report["figures"]


def test_the_hero_is_drawn_in_every_scene_in_the_same_colours(tmp_path):
    title = "Лиса и заяц"
    texts = [
        "Лиса построила ледяную избушку в лесу.",
        "Заяц плакал в поле, мимо шёл медведь.",
        "Петух пришёл с косой к избушке.",
        "Ночью лиса убежала в лес.",
    ]
    reports = []
    for i, text in enumerate(texts, start=1):
        out, report = draw(tmp_path, text, title=title, seed=10, index=i, name=f"hero_{i}.png")
        reports.append((out, report))
    for _, report in reports:
        assert report["hero"] == "лиса"
        assert report["hero_figure"] == "лиса"
        assert "лиса" not in report["figures"]  # the hero is drawn once, as the hero
    assert len({tuple(r["hero_look"]) for _, r in reports}) == 1
    day = [(out, r) for out, r in reports if r["sky"] == "day"]
    assert len(day) == 3
    assert len({tuple(r["hero_colors"]) for _, r in day}) == 1
    for out, r in day:
        assert count_near(out, r["hero_colors"][0]) > 800  # the fox's fur
        assert count_near(out, r["hero_colors"][1]) > 80  # the hero's scarf


def test_hero_look_depends_only_on_the_title():
    a, b = hero_from_title("Колобок"), hero_from_title("Колобок")
    assert a == b and a.figure == "колобок"
    assert hero_from_title("Лиса Патрикеевна").figure == "лиса"
    assert hero_from_title("Царевна-лягушка").figure == "лягушка"
    assert hero_from_title("Иван-царевич и серый волк").figure == "царевич"
    assert hero_from_title("Красная Шапочка").look.main == (214, 52, 50)
    maša = hero_from_title("Маша и медведь")
    assert maša.name == "маша" and maša.figure == "девочка"
    unknown = hero_from_title("Дюймовочка")
    assert unknown.name == "дюймовочка" and unknown.look.female
    assert hero_from_title("").name == "герой"
    assert hero_from_title("Сказка о рыбаке и рыбке").name == "рыбак"  # «сказка» names no one
    apples = hero_from_title("Молодильные яблоки")
    assert apples.name == "герой" and apples.motifs == ["яблоко"]  # the apples appear in every scene


def test_night_is_darker_than_day(tmp_path):
    day, r_day = draw(tmp_path, "Днём в лесу у избушки гуляет заяц.", seed=4, name="day.png")
    night, r_night = draw(
        tmp_path, "Ночью в лесу у избушки светит луна, гуляет заяц.", seed=4, name="night.png"
    )
    assert r_day["sky"] == "day" and r_night["sky"] == "night"
    assert pixels(night).mean() < pixels(day).mean() - 40


def test_same_inputs_give_the_same_bytes(tmp_path):
    text = "Иван-царевич скачет на коне к замку, в небе летит жар-птица."
    a, ra = draw(tmp_path, text, title="Жар-птица", seed=5, name="a.png")
    b, rb = draw(tmp_path, text, title="Жар-птица", seed=5, name="b.png")
    assert a.read_bytes() == b.read_bytes()
    assert ra == rb
    c, _ = draw(tmp_path, text, title="Жар-птица", seed=6, name="c.png")
    assert c.read_bytes() != a.read_bytes()  # the seed moves things about


def test_seed_option_defaults_to_context_seed_plus_scene_index(tmp_path):
    text = "Медведь в лесу."
    a, ra = draw(tmp_path, text, seed=5, index=2, name="a.png")
    b, rb = draw(tmp_path, text, seed=0, index=1, options={"seed": 7}, name="b.png")
    assert ra["seed"] == rb["seed"] == 7
    assert a.read_bytes() == b.read_bytes()


def test_genres_give_different_palettes(tmp_path):
    text = "В лесу у реки гуляет заяц."
    means = {}
    for genre in ("ужасы", "детская", "фантастика", "романтика", "детектив"):
        out, report = draw(tmp_path, text, genre=genre, seed=2, name=f"{genre}.png")
        assert report["palette"] == genre
        means[genre] = pixels(out).reshape(-1, 3).mean(axis=0)
    genres = list(means)
    for i, g1 in enumerate(genres):
        for g2 in genres[i + 1 :]:
            assert np.abs(means[g1] - means[g2]).max() > 6, (g1, g2)
    assert means["ужасы"].mean() < means["детская"].mean() - 30  # dark against bright
    assert means["фантастика"][2] > means["фантастика"][1]  # blue/violet
    assert means["романтика"][0] > means["романтика"][2]  # pink/gold
    _, report = draw(tmp_path, text, genre="неизвестный жанр")
    assert report["palette"] == "сказка"


def test_text_with_no_known_words_still_gives_a_picture(tmp_path):
    out, report = draw(tmp_path, "Ничего особенного не происходило. Abc 123.", title="Тишина")
    assert report["places"] == [] and report["figures"] == []
    assert report["hero"] == "тишина"  # not a figure we know: drawn as a girl, by the noun's gender
    a = pixels(out)
    assert a.std() > 25
    assert len(np.unique((a // 16).reshape(-1, 3), axis=0)) > 50
    out2, _ = draw(tmp_path, "", title="", name="empty.png")
    assert pixels(out2).std() > 25


def test_the_prompt_is_read_too(tmp_path):
    _, report = draw(tmp_path, "Так и жили.", prompt="кот на печи в избе, за окном зима")
    assert report["figures"] == ["кот"]
    assert report["places"] == ["изба"]
    assert report["season"] == "winter"


def test_progress_is_reported(tmp_path):
    calls = []
    StorybookIllustrator().draw(
        Scene(index=1, text="Лиса в лесу.", prompt=""),
        IllustrationContext("Колобок", "детская", 0),
        tmp_path / "p.png",
        {},
        lambda fraction, message="": calls.append((fraction, message)),
    )
    assert len(calls) >= 3
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for _, m in calls)


def test_options_are_checked(tmp_path):
    with pytest.raises(OptionError):
        draw(tmp_path, "Лиса.", options={"colour": "red"})
    with pytest.raises(OptionError):
        draw(tmp_path, "Лиса.", options={"style": "oil"})
    for seed in (-1, 2**31, "семь"):
        with pytest.raises(OptionError):
            draw(tmp_path, "Лиса.", options={"seed": seed})
    out, _ = draw(tmp_path, "Лиса.", options={"style": "flat"})
    assert Image.open(out).size == (WIDTH, HEIGHT)
    backend = StorybookIllustrator()
    assert backend.name == "storybook"
    assert backend.defaults == {"seed": None, "style": "storybook", "still": 0, "shot_seconds": 15}
    assert backend.option("style").choices == ("storybook", "flat")
    seed = backend.option("seed")
    assert (seed.type, seed.default, seed.min, seed.max) == (int, None, 0, 2**31 - 1)
    assert backend.available() == (True, "")


# --- the data files: a typo in a table fails here, not in a tale -------------------------------------------


def test_every_data_file_loads():
    names = sorted(path.name for path in DATA.glob("*.toml"))
    assert names == ["lexicon.toml", "lexicon_en.toml", "lexicon_uk.toml", "looks.toml", "palettes.toml"]
    for name in names:
        with open(DATA / name, "rb") as f:
            assert tomllib.load(f)
    assert lexicon.load() == lexicon.LEXICON
    assert looks.load() == looks.LOOKS
    assert palette.load() == palette.PALETTES


def words_of(words: dict[str, str], key: str) -> set[str]:
    return {word for word, named in words.items() if named == key}


def test_every_figure_word_brings_a_figure_that_can_be_drawn():
    lex, look = lexicon.load(), looks.load()
    figures = set(lex.figure_names)
    for figure in figures:
        assert figure in SPECS and figure in DRAWINGS and figure in look.sizes, figure  # a drawing and a size
        assert figure in look.natural or figure in look.people or figure in lex.things, figure  # its colours
    assert set(SPECS) == set(look.sizes) == figures | {MAIDEN, LAD}  # nothing drawn that no word brings
    assert set(look.people) | {MAIDEN, LAD} == {key for key, draw in DRAWINGS.items() if draw is draw_person}
    assert set(look.quadrupeds) == {key for key, draw in DRAWINGS.items() if draw is draw_quadruped}
    for kind in lex.kinds.values():
        assert kind.figure in figures and kind.words <= words_of(lex.figures, kind.figure), kind
    for variant in look.variants:
        assert variant.figure in figures and variant.words <= words_of(lex.figures, variant.figure), variant
    assert lex.rockets <= words_of(lex.figures, "корабль")
    assert lex.things <= figures and lex.crowning <= figures and set(lex.renames.values()) <= figures
    assert look.accented <= figures
    for word in [*lex.figures, *lex.places, *lex.colours, *lex.generic_nouns]:
        assert word == word.lower() and "ё" not in word, word  # lemmas are lower case, ё written as е


def test_every_place_and_sky_word_brings_something_the_painter_knows():
    lex, colours = lexicon.load(), palette.load()
    assert set(lex.place_names) == set(PLACES)
    assert lex.lakes <= words_of(lex.places, "река")
    assert lex.castles <= words_of(lex.places, "дворец")
    skies = {*lex.sky_order, "day", "space"}
    assert set(lex.sky_words) == set(lex.sky_order)
    assert set(colours.skies) == set(colours.lights) == skies
    for name in ("day", "dawn", "sunset"):
        assert colours.skies[name].sun is not None and colours.skies[name].sun_radius, name
    assert all(sky.cloud is not None for sky in colours.skies.values() if sky.clouds)
    assert set(colours.grass) == set(colours.foliage) == {"summer", "autumn", "winter"}
    assert all(len(grass) == 3 for grass in colours.grass.values())


def test_every_genre_has_a_palette():
    grades = palette.load().grades
    assert {genre.palette for genre in genres.TABLE.values()} <= set(grades)


def test_looks_are_well_formed():
    look = looks.load()
    for person in look.people.values():
        assert person.hat in HATS and person.main and person.second and person.hair
    assert set(look.maiden_hats) <= set(HATS) and set(look.lad_hats) <= set(HATS)
    for build in look.quadrupeds.values():
        assert build.ear in ("point", "round", "floppy") and build.tail in ("down", "up", "thin", "stub")
    assert {size.where for size in look.sizes.values()} <= {"ground", "sky", "sea"}
    figure_looks = [*look.natural.values(), *look.people.values()]
    colours = [*lexicon.load().colours.values(), *look.hero_main, *look.hero_second, *look.hair]
    colours += [c for lk in figure_looks for c in (lk.fur, lk.light, lk.dark, lk.main) if c is not None]
    assert all(len(c) == 3 and all(0 <= v <= 255 for v in c) for c in colours)


def test_a_word_under_two_keys_is_a_mistake():
    with pytest.raises(ValueError, match="лиса"):
        word_index({"лиса": ["лиса"], "волк": ["волк", "лиса"]}, "lexicon.toml [figures]")
