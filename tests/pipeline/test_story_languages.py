"""The template storyteller in every language: one plot, told paragraph for paragraph in Russian, English and
Ukrainian (the parallel texts a tale's subtitle tracks are made from).

Run with: .venv/bin/python -m pytest tests/pipeline/test_story_languages.py -p no:django -q
"""

from __future__ import annotations

import random
import re

import pytest

from fairytales.pipeline import genres
from fairytales.pipeline.story.template import titles
from fairytales.pipeline.story.template.backend import (
    MAX_EPISODES,
    TemplateStoryteller,
    compose,
    measure,
    render,
)
from fairytales.pipeline.story.template.packs import DATA, pack, path, read, shared
from fairytales.pipeline.story.template.plot import FUNCTIONS, plan, sketch
from fairytales.pipeline.story.template.writer import TemplateError, Writer
from fairytales.pipeline.types import TaleRequest

GENRES = genres.NAMES
PACKS = sorted(p.stem for p in DATA.glob("*.toml") if p.stem != "title_words")
CYRILLIC = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]")
MARKUP = re.compile(r"[{}\[\]|]|None")
CHOICE = re.compile(r"\[([^\[\]]*)\]")
TURN_VALUES = re.compile(r"\{(mood|lair_mood)\}")  # values told in turns: their order is the plot's


@pytest.fixture(scope="module")
def teller() -> TemplateStoryteller:
    return TemplateStoryteller()


def tell(teller, title, genre="сказка", seed=0, language="ru", **options) -> str:
    request = TaleRequest(title=title, genre=genre, seed=seed, language=language)
    return teller.write(request, teller.options(options))


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def has_ukrainian() -> bool:
    try:
        import fairytales.pipeline.ukrainian  # noqa: F401
    except ImportError:
        return False
    return all(path(name, "uk").exists() for name in PACKS)


LANGUAGES = ("ru", "en", "uk") if has_ukrainian() else ("ru", "en")


# --- The packs of every language mirror the Russian ones ------------------------------------------------


def variants(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    return parts + ["".join(current)]


def choices_of(template: str) -> tuple:
    """What keeps the writer's random picks in step: the number of variants of each [a|b] choice in order,
    and the values told in turns ({mood}) in the text each set of variants gives."""
    sizes = tuple(len(variants(m.group(1))) for m in CHOICE.finditer(template))
    turns = []
    for k in range(max(sizes, default=1)):  # every choice's k-th variant (or its last)

        def pick(match: re.Match, k: int = k) -> str:
            options = variants(match.group(1))
            return options[min(k, len(options) - 1)]

        turns.append(tuple(TURN_VALUES.findall(CHOICE.sub(pick, template))))
    return sizes, tuple(turns)


def mirror_problems(reference, other, where: str = "") -> list[str]:
    """Where ``other`` (a TOML file's content) does not mirror ``reference``: a key more or less, a list of
    another length, a template with other choices."""
    if isinstance(reference, dict):
        if not isinstance(other, dict):
            return [f"{where}: not a table"]
        problems = [f"{where}.{key}: missing" for key in reference if key not in other]
        problems += [f"{where}.{key}: not in the Russian file" for key in other if key not in reference]
        for key in reference.keys() & other.keys():
            problems += mirror_problems(reference[key], other[key], f"{where}.{key}")
        return problems
    if isinstance(reference, list):
        if not isinstance(other, list) or len(other) != len(reference):
            return [f"{where}: {len(reference)} entries in Russian, {len(other) if isinstance(other, list) else 0} here"]
        return [problem for i, (a, b) in enumerate(zip(reference, other))
                for problem in mirror_problems(a, b, f"{where}[{i}]")]
    if isinstance(reference, str):
        if not isinstance(other, str) or not other.strip():
            return [f"{where}: empty"]
        if choices_of(reference) != choices_of(other):
            return [f"{where}: choices {choices_of(other)}, in Russian {choices_of(reference)}"]
        return []
    return [] if type(reference) is type(other) else [f"{where}: {type(other).__name__}, not {type(reference).__name__}"]


@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize("name", PACKS)
def test_every_pack_mirrors_the_russian_one(language, name):
    """Same keys, lists of the same length in the same order, and in each template the same choices: the
    plan picks by position and the writer's random picks stay in step, so every language tells one plot."""
    if not path(name, language).exists():
        if language == "en":
            pytest.fail(f"data/en/{name}.toml is missing")
        pytest.skip(f"no data/{language}/{name}.toml yet")
    reference = read(name)
    if name == "shared":  # the progress texts are the Russian ones in every language (the site's message ids)
        reference = {key: value for key, value in reference.items() if key != "progress"}
    problems = mirror_problems(reference, read(name, language))
    assert not problems, "\n".join(problems)


def test_the_mirror_check_catches_a_broken_pack():
    english = read("fairy_tale", "en")
    english["templates"]["struggle"][0] = english["templates"]["struggle"][0].replace("[crept|stole]", "crept")
    english["donors"].pop()
    del english["quest"]
    problems = mirror_problems(read("fairy_tale"), english)
    assert any(p.startswith(".templates.struggle[0]: choices") for p in problems), problems
    assert ".donors: 4 entries in Russian, 3 here" in problems
    assert ".quest: missing" in problems


@pytest.fixture(scope="module")
def english_writers() -> dict[str, list[Writer]]:
    """Per genre, English writers for a hero, a heroine and a neuter hero."""
    return {genre: [Writer(plan(title, genre, 1, "en"), random.Random(0))
                    for title in ("Колобок", "Маша и медведь", "Чудище")] for genre in GENRES}


@pytest.mark.parametrize("genre", GENRES)
def test_every_english_template_resolves(genre, english_writers):
    """Every string of the English shared.toml and genre file resolves for every plot: roles, places and
    values in the forms asked, every choice closed, every word meant to follow gender does."""
    problems = []
    for name in ("shared", genres.get(genre).story):
        for where, text in strings_in(read(name, "en")):
            for writer in english_writers[genre]:
                try:
                    writer.check(text)
                except TemplateError as exc:
                    problems.append(f"{name}{where}: {exc}")
    assert not problems, "\n".join(problems)


def strings_in(value, where: str = ""):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, f"{where}[{index}]")


# --- English tales ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("genre", GENRES)
def test_an_english_tale_is_english(teller, genre):
    """Latin letters only, English words, no markup, speech in English quotation marks, capitals at every
    sentence start, and the hero named in full first, then short."""
    story = tell(teller, "Про то, как", genre, seed=3, language="en")
    assert not CYRILLIC.search(story) and not MARKUP.search(story), story
    words = re.findall(r"[a-z]+", story.lower())
    assert words.count("the") >= 20 and words.count("and") >= 10
    assert "“" in story and "—" not in story
    assert not re.search(r"(?:^|[.!?] )[a-z]", story, flags=re.MULTILINE), story
    assert not re.search(r"\ba [aeiou]", story)
    hero = plan("Про то, как", genre, 3, "en").roles["H"]
    assert hero.text == "little " + hero.short  # «little Vanya», then «Vanya»
    first = story.index(hero.short)
    assert story[first - len("little "):first].lower() == "little "  # the first mention is the full name
    assert story.lower().count(hero.text.lower()) < story.count(hero.short) - 5


def test_a_heroine_is_she_and_a_hero_he(teller):
    masha = tell(teller, "Маша и медведь", "сказка", seed=2, language="en")
    assert re.search(r"\b[Ss]he\b", masha) and "Masha" in masha
    kolobok = tell(teller, "Колобок", "сказка", seed=2, language="en")
    assert re.search(r"\b[Hh]e\b", kolobok) and "Kolobok" in kolobok


def test_an_english_tales_progress_says_what_a_russian_ones_does(teller):
    """The progress messages are the site's message ids, which the page shows in its reader's language (not
    the tale's: an English tale watched on the Russian site reads Russian progress)."""
    said = {}
    for language in ("ru", "en"):
        said[language] = []
        teller.write(TaleRequest("Колобок", "сказка", seed=1, language=language), teller.options({}),
                     lambda fraction, message="", language=language: said[language].append(message))
    assert said["en"][0] == "Придумываю сюжет" and said["en"][-1] == said["ru"][-1]
    assert set(said["en"]) <= set(said["ru"]) | {"Дописываю подробности"}


def test_write_refuses_a_language_it_does_not_tell(teller):
    with pytest.raises(ValueError, match="does not tell tales in 'de'"):
        tell(teller, "Колобок", language="de")
    assert TemplateStoryteller.languages == ("ru", "en", "uk")


# --- One plot in every language ---------------------------------------------------------------------------


CASES = [("Колобок", "сказка", 1), ("Маша и медведь", "детская", 2), ("Робот и звезда", "фантастика", 3),
         ("The Fox and the Crane", "юмор", 4), ("Про то, как", "ужасы", 5), ("Иван-царевич и Серый волк",
         "романтика", 6), ("The Brave Little Robot", "приключения", 7), ("Гуси-лебеди", "детектив", 8),
         ("Снежная королева", "фэнтези", 9), ("Hello", "магический реализм", 10)]


@pytest.mark.parametrize(("title", "genre", "seed"), CASES)
def test_parallel_texts_have_the_same_paragraphs(teller, title, genre, seed):
    """The same request in every language: as many paragraphs, each the same number of spoken lines, and
    the same cast at the same positions of the plan."""
    for length in (0, 6000):
        tales = {language: tell(teller, title, genre, seed, language, length=length) for language in LANGUAGES}
        counts = {language: len(paragraphs(text)) for language, text in tales.items()}
        assert len(set(counts.values())) == 1, counts
        for language, text in tales.items():
            assert not MARKUP.search(text), (language, text)
        assert len(tales["ru"]) >= max(length, 1500)
    outlines = {language: plan(title, genre, seed, language).outline for language in LANGUAGES}
    assert len(set(outlines.values())) == 1


@pytest.mark.parametrize(("title", "genre", "seed"), CASES[:4])
def test_parallel_is_write_in_that_language(teller, title, genre, seed):
    request = TaleRequest(title=title, genre=genre, seed=seed)
    options = teller.options({"length": 4000})
    for language in LANGUAGES:
        told = teller.write(TaleRequest(title=title, genre=genre, seed=seed, language=language), options)
        assert teller.parallel(request, options, language) == told
    assert teller.parallel(request, options, "ru") == teller.write(request, options)


def test_the_russian_layout_renders_the_russian_text():
    """The layout decided on the Russian text, rendered again, is that text: nothing else decides length."""
    for title, genre, seed in CASES[:5]:
        for target in (0, 7000):
            story, layout = measure(sketch(title, genre, seed), target)
            assert render(plan(title, genre, seed), layout) == story


def test_a_russian_title_names_the_same_characters_in_english():
    plot = plan("Маша и медведь", "сказка", 1, "en")
    assert (plot.roles["H"].text, plot.roles["H"].gender) == ("Masha", "femn")
    assert plot.roles["A"].text == "the bear"
    plot = plan("Иван-царевич и Серый волк", "сказка", 1, "en")
    assert (plot.roles["H"].text, plot.roles["A"].text) == ("Prince Ivan", "Grey Wolf")
    assert plan("Колобок", "сказка", 1, "en").roles["H"].text == "Kolobok"
    assert plan("Аленький цветочек", "сказка", 0, "en").roles["T"].text == "the scarlet little flower"


def test_an_english_title_gives_an_english_hero_and_a_russian_one():
    assert titles.language_of("The Fox and the Crane") == "en"
    english = plan("The Fox and the Crane", "сказка", 1, "en")
    assert (english.roles["H"].text, english.roles["A"].text) == ("Fox", "Crane")
    russian_plot = plan("The Fox and the Crane", "сказка", 1, "ru")
    assert (russian_plot.roles["H"].text, russian_plot.roles["H"].gender) == ("Лиса", "femn")
    assert russian_plot.roles["A"].text == "Журавль"
    assert russian_plot.roles["H"].form("gent") == "Лисы"  # a Russian word, inflected
    robot = plan("The Brave Little Robot", "приключения", 2, "en").roles["H"]
    assert robot.text == "Brave Little Robot"
    assert plan("The Brave Little Robot", "приключения", 2, "ru").roles["H"].text == "Храбрый Маленький Робот"


def test_names_are_transliterated_across_scripts():
    assert titles.transliterate("Маша", "ru", "en") == "Masha"
    assert titles.transliterate("Щукарь", "ru", "en") == "Shchukar"
    assert titles.transliterate("Jack", "en", "ru") == "Джак"
    assert plan("Тимоша и лиса", "сказка", 1, "en").roles["H"].text == "Timosha"


@pytest.mark.parametrize(("title", "language"), [("Колобок", "ru"), ("The Fox and the Crane", "en"),
                                                 ("Їжачок у тумані", "uk"), ("Лисичка і журавель", "uk"),
                                                 ("Hello", "en"), ("", "ru"), ("🐉", "ru")])
def test_a_title_is_read_in_the_language_of_its_letters(title, language):
    assert titles.language_of(title) == language


def test_the_title_is_quoted_in_the_tale_s_language(teller):
    assert "“Masha and the Bear”" in tell(teller, "Маша и медведь", "сказка", 1, "en")
    assert "«The Fox and the Crane»" in tell(teller, "The Fox and the Crane", "сказка", 1, "ru")


def test_every_english_template_renders_cleanly():
    """Each function's every template in English, for a hero, a heroine and a neuter hero."""
    for genre in GENRES:
        for title in ("Колобок", "Маша и медведь", "Чудище"):
            base = plan(title, genre, 1, "en")
            layout = measure(base.outline, 6000)[1]  # all the episodes and fillers too
            for function in FUNCTIONS:
                for template in _templates_of(base, function):
                    base.templates[function] = template
                    text = render(base, layout)
                    assert not MARKUP.search(text) and not CYRILLIC.search(text), (genre, function, template)


def _templates_of(plot, function: str) -> tuple[str, ...]:
    own = pack(plot.outline.story, "en").templates
    return own.get(function) or shared("en").templates[function]


def test_compose_tells_an_english_plot_in_english():
    plot = plan("Колобок", "сказка", 1, "en")
    text = compose(plot, MAX_EPISODES)
    assert len(paragraphs(text)) == len(paragraphs(compose(plan("Колобок", "сказка", 1), MAX_EPISODES)))
    assert not CYRILLIC.search(text)
