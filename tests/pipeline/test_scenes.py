import pytest

from fairytales.pipeline.scenes import NARRATOR, speaker_lines, split_scenes
from fairytales.pipeline.types import Line

STORY = "\n\n".join(
    [
        "Жили-были старик со старухой. Испекла старуха колобок и положила на окошко.",
        "— Куда ты катишься, колобок? — спросил заяц. — Я тебя съем!",
        "Покатился колобок по дорожке в тёмный лес. Навстречу ему волк.",
        "«Не ешь меня», — сказала лиса. Колобок запел песенку.",
        "Долго ли, коротко ли, прикатился колобок к реке. Там жила лягушка.",
        "И с тех пор колобок жил у реки. Тут и сказке конец.",
    ]
)


@pytest.mark.parametrize("count", [3, 6, 8])
def test_it_makes_the_asked_number_of_scenes_in_order(count):
    scenes = split_scenes(STORY, count)
    assert [s.index for s in scenes] == list(range(1, count + 1))
    assert " ".join(" ".join(s.text.split()) for s in scenes).split() == STORY.split()


def test_each_scene_has_a_prompt_from_its_text():
    for scene in split_scenes(STORY, 3):
        assert scene.prompt and scene.prompt.split()[0] in scene.text


def test_direct_speech_goes_to_the_character_and_remarks_to_the_narrator():
    scene = next(s for s in split_scenes(STORY, 6) if "Куда ты катишься" in s.text)
    assert [(line.speaker, line.text) for line in scene.lines] == [
        ("заяц", "Куда ты катишься, колобок?"),
        (NARRATOR, "спросил заяц."),
        ("заяц", "Я тебя съем!"),
    ]


def test_quoted_speech_is_split_too():
    scene = next(s for s in split_scenes(STORY, 6) if "Не ешь меня" in s.text)
    fox = next(line for line in scene.lines if line.text == "Не ешь меня")
    assert fox.speaker == "лиса"


def test_scenes_come_out_about_even():
    story = "\n\n".join(["Короткий абзац. Совсем короткий."] * 3 + [" ".join(["Очень длинное предложение о лесе."] * 40)])
    lengths = [len(s.text) for s in split_scenes(story, 4)]
    assert max(lengths) < 2 * min(lengths)


def test_an_empty_story_is_an_error():
    with pytest.raises(ValueError):
        split_scenes("  \n\n ", 3)


def test_quotes_are_speech_only_where_someone_speaks():
    assert speaker_lines(["Роботу вручили медаль «Звёздный герой», а звезда получила антенну."]) == [
        Line("narrator", "Роботу вручили медаль «Звёздный герой», а звезда получила антенну.")]
    assert speaker_lines(["Лиса сказала: «Иди сюда!» И убежала."]) == [
        Line("narrator", "Лиса сказала:"), Line("лиса", "Иди сюда!"), Line("narrator", "И убежала.")]
    assert speaker_lines(["«Кто там?» — спросил волк. Никто не ответил."]) == [
        Line("волк", "Кто там?"), Line("narrator", "спросил волк. Никто не ответил.")]
    assert speaker_lines(["Висела табличка: «Не входить». Все вошли."])[-1] == Line("narrator", "Все вошли.")
