"""What the narrators say for numbers, units, abbreviations, Roman numerals and a missing ё."""

import pytest

from fairytales.pipeline.narration.reading import put_yo, roman_value, spoken, spoken_words


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Прошла 1 минута.", "Прошла одна минута."),
        ("У 1 девочки было 21 яблоко.", "У одной девочки было двадцать одно яблоко."),
        ("В 3 домах горел свет.", "В трёх домах горел свет."),
        ("Их было 3, а стало 2.", "Их было три, а стало два."),
        ("В 3-й раз он пришёл.", "В третий раз он пришёл."),
        ("Было 1,5 пирога.", "Было одна целая пять десятых пирога."),
        ("Это было в 1812 г. под Москвой.", "Это было в тысяча восемьсот двенадцатом году под Москвой."),
        ("Мы шли 5 км до реки.", "Мы шли пять километров до реки."),
        ("Осталось до 5 км.", "Осталось до пяти километров."),
        ("Стоил 2 руб. и 1 коп.", "Стоил два рубля и одна копейка."),
        ("Скидка 50%.", "Скидка пятьдесят процентов."),
        ("Ели кашу, пироги и т. д.", "Ели кашу, пироги и так далее."),
        ("Это т. е. так и было.", "Это то есть так и было."),
        ("пироги, блины и т.п.", "пироги, блины и тому подобное."),  # the dot ends the sentence too
        ("Пётр I построил флот.", "Пётр Первый построил флот."),
        ("При Петре I всё изменилось.", "При Петре Первом всё изменилось."),
        ("Екатерина II правила долго.", "Екатерина Вторая правила долго."),
        ("Было это в XIX веке.", "Было это в девятнадцатом веке."),
        ("Жили в XIX в. люди.", "Жили в девятнадцатом веке люди."),
        ("Глава IV", "Глава четвёртая"),
        ("Он ел мед и еще елку, а все смотрели.", "Он ел мёд и ещё ёлку, а все смотрели."),
        ("Ее ковер пошел в дело.", "Её ковёр пошёл в дело."),
        ("— Жили-были дед да баба!", "— Жили-были дед да баба!"),
    ],
)
def test_said_as_a_reader_would_say_it(written, said):
    assert spoken(written) == said


def test_one_entry_per_written_word_so_subtitles_stay_as_written():
    words = "В 1812 г. Пётр I и т. д. ел 5 кг меда".split()
    said = spoken_words(words)
    assert len(said) == len(words)
    assert said[:4] == ["В", "тысяча восемьсот двенадцатом", "году.", "Пётр"]
    assert said[-1] == "мёда"


def test_yo_only_where_the_word_has_one_reading():
    assert put_yo("Еще") == "Ещё" and put_yo("ЕЛКА") == "ЁЛКА"
    for ambiguous in ("все", "осел", "небо", "берег"):
        assert put_yo(ambiguous) == ambiguous
    assert put_yo("hello") == "hello" and put_yo("лес") == "лес"


def test_roman_numerals_are_checked():
    assert roman_value("XIX") == 19 and roman_value("MCMXLV") == 1945
    assert roman_value("IIII") is None and roman_value("VX") is None and roman_value("XIV2") is None
    assert spoken("Глава XIV началась") == "Глава четырнадцатая началась"
    assert spoken("Track IV") == "Track IV"  # no Russian word beside it: left alone
