"""A scene's mood words are the same whichever language its tale is told in."""

import pytest

from fairytales.pipeline import english, ukrainian
from fairytales.pipeline.music.scene_moods import LEXICONS, lexicon, mood_words

DARK_FOREST = {
    "ru": "Лес был тёмный и страшный. Заяц испугался и дрожал от страха.",
    "en": "The forest was dark and frightening. The hare was scared and trembled with fear.",
    "uk": "Ліс був темний і страшний. Заєць злякався і тремтів від страху.",
}
WEDDING = {
    "ru": "Сыграли свадьбу, был пир на весь мир, и все веселились во дворце царя.",
    "en": "They had a wedding and a feast for the whole world, and everyone was merry in the king's palace.",
    "uk": "Справили весілля, був бенкет на весь світ, і всі веселилися в палаці царя.",
}


def test_a_dark_frightening_forest_has_the_same_moods_in_every_language():
    moods = {language: mood_words(text, language=language) for language, text in DARK_FOREST.items()}
    assert moods["ru"] == ("tense", "mysterious forest", "dark")
    assert moods["en"] == moods["ru"]
    assert moods["uk"] == moods["ru"]


def test_a_wedding_feast_has_the_same_moods_in_every_language():
    moods = {language: mood_words(text, language=language) for language, text in WEDDING.items()}
    assert moods["ru"][0] == "festive"
    assert moods["en"] == moods["ru"]
    assert moods["uk"] == moods["ru"]


def test_every_form_of_a_word_finds_its_mood():
    assert mood_words("The wolves chased the hare; it fled, hiding in the woods", language="en") == (
        "fast chase", "tense", "mysterious forest")
    assert mood_words("Вовки гналися за зайцем, він утік і сховався в лісі", language="uk") == (
        "fast chase", "tense", "mysterious forest")


def test_a_scene_that_names_no_mood_gets_none():
    assert mood_words("There lived an old man and an old woman", language="en") == ()
    assert mood_words("Жили-були дід та баба", language="uk") == ()


def test_every_language_lists_every_mood_and_no_other():
    russian = set(lexicon("ru")[0].values())
    for language in LEXICONS:
        assert set(lexicon(language)[0].values()) == russian, language


def test_the_ukrainian_table_holds_lemmas():
    """Every word is a lemma pymorphy3's Ukrainian dictionary gives, or no scene could ever name it."""
    table, _ = lexicon("uk")
    lemmas = {word: {parse.normal_form for parse in ukrainian.morph().parse(word)} for word in table}
    assert [word for word in table if word not in lemmas[word]] == []


def test_the_english_table_holds_base_forms():
    """A listed word is found by its own forms: «frighten» by «frightened», «frightening», «frightens»."""
    table, _ = lexicon("en")
    for word in ("frightened", "frightening", "frightens", "forests", "hiding", "celebrated"):
        assert any(form in table for form in english.word_forms(word)), word


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr"):
        mood_words("La forêt sombre", language="fr")
