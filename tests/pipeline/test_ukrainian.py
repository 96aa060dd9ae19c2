"""Ukrainian morphology for the template storyteller, on real Ukrainian words.

Run with: .venv/bin/python -m pytest tests/pipeline/test_ukrainian.py -p no:django -q
"""

from __future__ import annotations

import random
import re

import pytest

from fairytales.pipeline import genres, russian
from fairytales.pipeline import ukrainian as uk
from fairytales.pipeline.story.template.backend import TemplateStoryteller
from fairytales.pipeline.story.template.packs import DATA, pack, read
from fairytales.pipeline.story.template.plot import plan
from fairytales.pipeline.story.template.writer import TemplateError, Writer
from fairytales.pipeline.types import TaleRequest


def test_words_include_ukrainian_letters_and_the_apostrophe():
    assert uk.WORD_RE.findall("Кирило Кожум’яка і м'ята, їжак, ґудзик, Євген") == [
        "Кирило", "Кожум’яка", "і", "м'ята", "їжак", "ґудзик", "Євген"]


def test_lemma_reads_any_apostrophe():
    assert uk.lemma("вовка") == "вовк"
    assert uk.lemma("м’яти") == uk.lemma("м'яти") == "м'ята"


@pytest.mark.parametrize(("text", "forms"), [
    ("Сірий Вовк", ("Сірий Вовк", "Сірого Вовка", "Сірому Вовкові", "Сірого Вовка", "Сірим Вовком",
                    "Сірому Вовкові", "Сірий Вовче")),
    ("Баба Яга", ("Баба Яга", "Баби Яги", "Бабі Язі", "Бабу Ягу", "Бабою Ягою", "Бабі Язі", "Бабо Яго")),
    ("мудра сова", ("мудра сова", "мудрої сови", "мудрій сові", "мудру сову", "мудрою совою", "мудрій сові",
                    "мудра сово")),
    ("хлопчик Івасик", ("хлопчик Івасик", "хлопчика Івасика", "хлопчикові Івасикові", "хлопчика Івасика",
                        "хлопчиком Івасиком", "хлопчикові Івасикові", "хлопчику Івасику")),
])
def test_noun_phrases_inflect_in_seven_cases(text, forms):
    assert uk.noun_phrase(text, anim=True).forms == forms


@pytest.mark.parametrize(("text", "vocative"), [
    ("добрий молодець Іван", "добрий молодче Іване"),
    ("Ганнуся", "Ганнусю"),
    ("Котигорошко", "Котигорошку"),
    ("Федько", "Федьку"),
    ("Чічі", "Чічі"),
])
def test_the_vocative_calls_a_character(text, vocative):
    assert uk.noun_phrase(text, anim=True).form("voct") == vocative


def test_an_object_keeps_its_nominative_in_the_accusative():
    phrase = uk.noun_phrase("чарівний камінь", anim=False)
    assert phrase.form("accs") == "чарівний камінь"
    assert phrase.form("ablt") == "чарівним каменем"


def test_only_the_first_words_inflect_when_asked():
    assert uk.noun_phrase("Серце Лісу", inflected_words=1).form("gent") == "Серця Лісу"


def test_a_character_the_dictionary_calls_inanimate_takes_the_animate_accusative():
    assert uk.inflect("їжак", "accs", anim=True) == "їжака"
    assert uk.inflect("Колобок", "accs", anim=True) == "Колобка"
    assert uk.inflect("Колобок", "accs", anim=False) == "Колобок"


@pytest.mark.parametrize(("name", "genitive", "dative"), [
    ("Федько", "Федька", "Федькові"),  # the dictionary has it only as an indeclinable surname
    ("Сірко", "Сірка", "Сіркові"),
    ("Івасик", "Івасика", "Івасикові"),
    ("Лоріен", "Лоріена", "Лоріенові"),  # not in the dictionary at all
    ("Чічі", "Чічі", "Чічі"),  # a foreign name in -і does not decline
])
def test_boys_names_and_pets_names_decline(name, genitive, dative):
    phrase = uk.noun_phrase(name, anim=True)
    assert (phrase.gender, phrase.form("gent"), phrase.form("datv")) == ("masc", genitive, dative)


def test_hyphenated_names_decline_in_both_parts():
    assert uk.noun_phrase("дідок-лісовичок", anim=True).form("gent") == "дідка-лісовичка"
    assert uk.noun_phrase("цар-батечко", anim=True).form("datv") == "цареві-батечкові"
    assert uk.noun_phrase("Баба-Яга").form("ablt") == "Бабою-Ягою"


def test_the_apostrophe_is_written_typographically():
    assert uk.noun_phrase("Кирило Кожум'яка").form("datv") == "Кирилові Кожум’яці"


@pytest.mark.parametrize(("word", "masculine", "feminine", "neuter"), [
    ("пішов", "пішов", "пішла", "пішло"),
    ("сказав", "сказав", "сказала", "сказало"),
    ("повернувся", "повернувся", "повернулася", "повернулося"),
    ("чарівний", "чарівний", "чарівна", "чарівне"),
    ("сам", "сам", "сама", "саме"),
])
def test_words_agree_with_gender(word, masculine, feminine, neuter):
    assert [uk.agree(word, gender) for gender in uk.GENDERS] == [masculine, feminine, neuter]


def test_adjectives_agree_in_case():
    assert uk.agree("сам", "femn", "datv") == "самій"
    assert uk.agree("сердитий", "masc", "accs", anim=True) == "сердитого"
    assert uk.agree("сердитий", "masc", "accs", anim=False) == "сердитий"
    assert uk.agree("чарівний", "femn", "accs") == "чарівну"


def test_present_tense_does_not_change():
    assert uk.agree("іде", "femn") == "іде"


def test_pronouns():
    assert [uk.pronoun("masc", case) for case in uk.CASES[:6]] == ["він", "його", "йому", "його", "ним", "ньому"]
    assert [uk.pronoun("femn", case) for case in uk.CASES[:6]] == ["вона", "її", "їй", "її", "нею", "ній"]
    assert [uk.pronoun("femn", case, after_preposition=True) for case in ("gent", "datv", "accs")] == [
        "неї", "ній", "неї"]
    assert uk.pronoun("masc", "gent", after_preposition=True) == "нього"
    assert uk.possessive("femn") == "її"
    assert uk.possessive("neut") == "його"


@pytest.mark.parametrize(("text", "euphonious"), [
    ("Лисичка вирушила у дорогу.", "Лисичка вирушила в дорогу."),  # after a vowel
    ("Він зустрів в лісі вовка.", "Він зустрів у лісі вовка."),  # between consonants
    ("Вона пішла у Вінницю.", "Вона пішла у Вінницю."),  # before в
    ("Марійка і кіт.", "Марійка й кіт."),
    ("Кіт й Марійка.", "Кіт і Марійка."),
    ("Оленка і Юрко.", "Оленка і Юрко."),  # before a й-sound
    ("Ходили, й співали.", "Ходили, і співали."),  # after a pause
    ("У лісі було темно. І тихо.", "У лісі було темно. І тихо."),  # a sentence's first word stays
])
def test_euphony_chooses_u_or_v_and_i_or_y(text, euphonious):
    assert uk.euphony(text) == euphonious


def _titles(title):
    return [(phrase.text, phrase.gender, phrase.anim) for phrase in uk.title_nouns(title)]


def test_title_with_two_characters():
    assert _titles("Лисичка та Журавель") == [("Лисичка", "femn", True), ("Журавель", "masc", True)]
    assert uk.title_nouns("Лисичка та Журавель")[1].coordinated


def test_title_after_a_preposition_is_put_into_the_nominative():
    phrases = uk.title_nouns("Казка про рибака та рибку")
    assert [phrase.text for phrase in phrases] == ["рибак", "рибка"]
    assert all(phrase.after_preposition for phrase in phrases)


def test_title_with_apposition_and_genitive_tail():
    assert _titles("Кирило Кожум'яка") == [("Кирило Кожум’яка", "masc", True)]
    assert _titles("Змій Горинич") == [("Змій Горинич", "masc", True)]
    assert uk.title_nouns("Хазяйка Мідної гори")[0].form("datv") == "Хазяйці Мідної гори"


def test_title_words_that_are_not_nouns_are_skipped():
    assert _titles("Як кіт ловив мишей") == [("кіт", "masc", True), ("миша", "femn", True)]


def test_hero_from_title():
    assert uk.hero_from_title("Сірий вовк і Червона Шапочка").text == "Сірий вовк"
    assert uk.hero_from_title("Пригоди Котигорошка").text == "Котигорошко"
    assert uk.hero_from_title("Робот і зірка").text == "Робот"
    assert uk.hero_from_title("Зайчикова хатка") is None
    assert uk.hero_from_title("Hello") is None


def test_russian_still_reads_its_tags_after_the_ukrainian_dictionary_loads():
    """pymorphy3 shares one tag class between languages; loading Ukrainian must not break Russian."""
    uk.morph()
    assert [phrase.text for phrase in russian.title_nouns("Иван-царевич и Серый волк")] == [
        "Иван-царевич", "Серый волк"]
    assert russian.noun_phrase("Серый волк").form("datv") == "Серому волку"


# --- The Ukrainian packs: every template resolves, every tale reads as Ukrainian ----------------------------

HEROES = ("Івасик-Телесик", "Лисичка і журавель", "Їжаченя")  # a hero, a heroine, a neuter hero


@pytest.fixture(scope="module")
def writers() -> dict[str, list[Writer]]:
    """Per genre, writers for plots told in Ukrainian of a hero, a heroine and a neuter hero."""
    out = {}
    for genre in genres.NAMES:
        out[genre] = [Writer(plan(title, genre, 1, language="uk"), random.Random(0)) for title in HEROES]
        assert [w.plot.roles["H"].gender for w in out[genre]] == ["masc", "femn", "neut"]
    return out


def _strings_in(value, where: str = ""):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_in(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings_in(item, f"{where}[{index}]")


def test_every_genre_has_its_ukrainian_file():
    stories = {genre.story for genre in genres.TABLE.values()}
    assert {p.stem for p in (DATA / "uk").glob("*.toml")} == stories | {"shared"}
    for story in stories:
        assert pack(story, "uk").name == story  # it loads: no unknown key, none missing


@pytest.mark.parametrize("genre", genres.NAMES)
def test_every_ukrainian_template_resolves(genre, writers):
    """Every string of uk/shared.toml and of the genre's uk file, every variant of every choice, for a hero,
    a heroine and a neuter hero: each placeholder resolves, no markup is left open, and every word meant to
    agree with a role changes from masculine to feminine."""
    problems = []
    for name in ("shared", genres.get(genre).story):
        for where, text in _strings_in(read(name, "uk")):
            for writer in writers[genre]:
                try:
                    writer.check(text)
                except TemplateError as exc:
                    problems.append(f"{name}{where} for {writer.plot.roles['H'].text}: {exc}")
    assert not problems


RUSSIAN_ONLY_LETTERS = re.compile(r"[ыэъёЫЭЪЁ]")
UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")


@pytest.mark.parametrize("genre", genres.NAMES)
@pytest.mark.parametrize("title", ["Лисичка і журавель", "Колобок", ""])
def test_a_ukrainian_tale_is_ukrainian(title, genre):
    text = TemplateStoryteller().write(TaleRequest(title, genre, seed=7, language="uk"), {})
    words = [word.lower() for word in uk.WORD_RE.findall(text)]
    assert not re.search(r"[{}\[\]|]", text)  # no markup left
    assert not RUSSIAN_ONLY_LETTERS.search(text)
    assert len(UKRAINIAN_LETTERS.findall(text)) > 50
    assert "і" in words and "не" in words
    assert len({"що", "й", "та", "як", "коли", "це", "від", "до", "вже", "тільки"} & set(words)) >= 4
    assert not {"и", "что", "он", "она", "был", "была"} & set(words)
    assert "\n— " in text  # dialogue with dashes, as in Ukrainian books


def test_a_heroine_gets_feminine_verbs_in_ukrainian():
    text = TemplateStoryteller().write(TaleRequest("Лисичка і журавель", "сказка", seed=3, language="uk"), {})
    heroine = [line for line in text.split("\n") if re.search(r"— (сказав|відповів|сказала|відповіла) Лисичка", line)]
    assert heroine and all(re.search(r"— (сказала|відповіла) Лисичка", line) for line in heroine)
    assert re.search(r"\b(вона|її|їй)\b", text)
