"""The offline storybook illustrator: pictures drawn with Pillow from the scene's words."""

from __future__ import annotations


import numpy as np
import pytest
from PIL import Image

from fairytales.pipeline.backend import OptionError
from fairytales.pipeline.illustration import HEIGHT, WIDTH, IllustrationContext
from fairytales.pipeline.illustration.offline import StorybookIllustrator, hero_from_title
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
    assert hero_from_title("Красная Шапочка").look["main"] == (214, 52, 50)
    maša = hero_from_title("Маша и медведь")
    assert maša.name == "маша" and maša.figure == "девочка"
    unknown = hero_from_title("Дюймовочка")
    assert unknown.name == "дюймовочка" and unknown.look["female"]
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
    out, _ = draw(tmp_path, "Лиса.", options={"style": "flat"})
    assert Image.open(out).size == (WIDTH, HEIGHT)
    backend = StorybookIllustrator()
    assert backend.name == "offline"
    assert backend.defaults == {"seed": None, "style": "storybook"}
    assert backend.available() == (True, "")
