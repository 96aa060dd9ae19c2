"""Narration in English and Ukrainian: RHVoice's voices of the tale's language, espeak-ng as the fallback,
Silero's per-language models, and numbers and abbreviations said in words."""

from __future__ import annotations

import warnings

import pytest

from fairytales.pipeline import registry
from fairytales.pipeline.backend import BackendUnavailable
from fairytales.pipeline.narration import reading
from fairytales.pipeline.narration.espeak import EspeakNarrator
from fairytales.pipeline.narration.rhvoice import RhvoiceNarrator, catalogue, voices
from fairytales.pipeline.narration.silero import SileroNarrator
from fairytales.pipeline.scenes import NARRATOR
from fairytales.pipeline.types import Line, Scene
from tests.media import pitch, rms, wav_samples

SHORT = {"en": "The fox ran.", "uk": "Лисиця бігла."}
LONG = {
    "en": "Once upon a time an old man and an old woman lived by the sea. One morning the old woman baked a bun "
          "and put it on the window to cool. The bun rolled off the window, across the yard and into the woods.",
    "uk": "Жили собі дід та баба біля самого синього моря. Одного ранку баба спекла колобка й поклала його на "
          "віконце вистигати. Колобок скотився з віконця, покотився через двір і далі в ліс.",
}
ENGLISH_SCENE = [("narrator", "The hen found 25 grains of wheat."), ("the fox", "Where are you going, little hen?"),
                 ("the hen", "I am going home, Mr. Fox.")]


@pytest.fixture(scope="module")
def rhvoice():
    backend = RhvoiceNarrator()
    if not backend.available()[0]:
        pytest.fail(f"RHVoice is the default narrator and `make install` unpacks it: {backend.available()[1]}")
    return backend


def scene(lines) -> Scene:
    return Scene(index=1, text="\n".join(t for _, t in lines), prompt="", lines=[Line(s, t) for s, t in lines])


def speak(narrator, tmp_path, lines, language, name="scene.wav", **options):
    out = tmp_path / name
    return narrator.speak(scene(lines), out, narrator.options(options), language=language), out


# --- RHVoice


@pytest.mark.parametrize("language", ["en", "uk"])
def test_rhvoice_speaks_the_language_as_speech_that_grows_with_the_text(rhvoice, tmp_path, language):
    short, _ = speak(rhvoice, tmp_path, [(NARRATOR, SHORT[language])], language, "short.wav")
    long, out = speak(rhvoice, tmp_path, [(NARRATOR, LONG[language])], language, "long.wav")
    samples, rate = wav_samples(out)
    assert abs(len(samples) / rate - long.duration) < 0.05
    assert rms(samples) > 0.02
    assert long.duration > 4 * short.duration and 6 < long.duration < len(LONG[language]) / 8
    assert catalogue()[long.voices[NARRATOR]].language == language
    for cue in long.cues:
        assert rms(samples[int(cue.start * rate): int(cue.end * rate)]) > 0.01, cue


def test_the_narrator_and_two_characters_of_an_english_scene_get_three_english_voices(rhvoice, tmp_path):
    narration, out = speak(rhvoice, tmp_path, ENGLISH_SCENE, "en")
    read_by = narration.voices
    assert set(read_by) == {"narrator", "the fox", "the hen"}
    assert len(set(read_by.values())) == 3
    assert all(catalogue()[voice].language == "en" for voice in read_by.values())
    assert catalogue()[read_by["the hen"]].gender == "femn"
    samples, rate = wav_samples(out)
    narrator_cue, _, hen_cue = narration.cues
    assert hen_cue.text == "I am going home, Mr. Fox."  # subtitles as written
    narrated = samples[int(narrator_cue.start * rate): int(narrator_cue.end * rate)]
    by_the_hen = samples[int(hen_cue.start * rate): int(hen_cue.end * rate)]
    assert pitch(by_the_hen, rate) > 1.15 * pitch(narrated, rate)  # a woman's voice against a man's
    again, _ = speak(rhvoice, tmp_path, ENGLISH_SCENE[1:], "en", "again.wav")
    assert again.voices == {"the fox": read_by["the fox"], "the hen": read_by["the hen"]}  # in every scene


def test_a_voice_of_another_language_gives_way_to_the_tales_own_of_the_same_gender(rhvoice):
    options = rhvoice.options()
    assert options["narrator_voice"] == "aleksandr-hq"
    assert rhvoice.voice_for(NARRATOR, options, "ru") == "aleksandr-hq"
    assert rhvoice.voice_for(NARRATOR, options, "en") == "alan"
    assert rhvoice.voice_for(NARRATOR, options, "uk") == "anatol"
    anna = rhvoice.options({"narrator_voice": "anna"})
    assert rhvoice.voice_for(NARRATOR, anna, "en") == "slt" and rhvoice.voice_for(NARRATOR, anna, "uk") == "natalia"
    clb = rhvoice.options({"narrator_voice": "clb"})
    assert rhvoice.voice_for(NARRATOR, clb, "en") == "clb"  # its own language: kept
    fox = rhvoice.voice_for("лисиця", options, "uk")
    assert catalogue()[fox].language == "uk" and catalogue()[fox].gender == "femn"


def test_each_language_lists_its_own_voices_for_the_redo_form():
    for language in ("ru", "en", "uk"):
        listed = voices(language)
        assert listed and all(catalogue()[voice].language == language for voice, _ in listed)
        assert RhvoiceNarrator.voices_in(language) == dict(listed)
    assert voices("en")[0][0] == "alan" and voices("ru")[0][0] == "aleksandr-hq"
    assert {voice for voice, _ in voices("uk")} == {"anatol", "volodymyr", "natalia", "marianna"}


# --- espeak-ng, the fallback


@pytest.mark.parametrize("language", ["en", "uk"])
def test_without_rhvoice_espeak_speaks_the_language(monkeypatch, tmp_path, language):
    monkeypatch.setenv("MODEL_NARRATION_RHVOICE", str(tmp_path / "nowhere"))
    assert registry.default_backend("narration") == "espeak"
    espeak = EspeakNarrator()
    short, _ = speak(espeak, tmp_path, [(NARRATOR, SHORT[language])], language, "short.wav")
    long, out = speak(espeak, tmp_path, [(NARRATOR, LONG[language])], language, "long.wav")
    samples, _ = wav_samples(out)
    assert rms(samples) > 0.02 and long.duration > 4 * short.duration
    assert long.voices == {NARRATOR: f"{language}+m3"}
    assert set(EspeakNarrator.voices_in(language)) == {f"{language}+{v}" for v in ("m3", "m1", "f3", "f2", "m7")}


def test_espeak_reads_english_numbers_in_words_and_subtitles_them_as_written(tmp_path):
    espeak = EspeakNarrator()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    written, a = speak(espeak, tmp_path / "a", [(NARRATOR, "Mr. Fox found 25 apples.")], "en")
    _, b = speak(espeak, tmp_path / "b", [(NARRATOR, "Mister Fox found twenty-five apples.")], "en")
    assert a.read_bytes() == b.read_bytes()
    assert " ".join(c.text for c in written.cues) == "Mr. Fox found 25 apples."


def test_a_narrator_refuses_a_language_it_does_not_speak_in_one_line(tmp_path):
    with pytest.raises(BackendUnavailable, match="cannot speak 'de'") as caught:
        EspeakNarrator().speak(scene([(NARRATOR, "Guten Tag.")]), tmp_path / "x.wav", EspeakNarrator().options(),
                               language="de")
    assert "\n" not in str(caught.value)


# --- reading: numbers and abbreviations in words


def test_numbers_are_said_in_words_in_each_language():
    assert reading.spoken("25 apples", "en") == "twenty-five apples"
    assert reading.spoken("25 яблук", "uk") == "двадцять п'ять яблук"
    assert reading.spoken("25 яблок") == "двадцать пять яблок"  # Russian, as before
    assert reading.spoken("1 лисиця і 2 лисиці, 1 яблуко", "uk") == "одна лисиця і дві лисиці, одне яблуко"
    assert reading.spoken("In 1812 the 3rd son walked 5 km, 1,000 steps, 50% of the way.", "en") == (
        "In eighteen twelve the third son walked five kilometres, one thousand steps, fifty percent of the way.")
    assert reading.spoken("У 1812 р. прийшла 3-я лисиця за 5 км.", "uk") == (
        "У тисяча вісімсот дванадцятім році прийшла третя лисиця за п'ять кілометрів.")


def test_abbreviations_and_roman_numerals_are_said_in_full():
    assert reading.spoken("Mr. Fox met Dr. Owl, etc. Henry VIII laughed.", "en") == (
        "Mister Fox met Doctor Owl, et cetera. Henry the Eighth laughed.")
    assert reading.spoken("I saw it, e.g. the moon.", "en") == "I saw it, for example the moon."  # «I» is «I»
    assert reading.spoken("Яблука, груші і т. д. Петро I жив у XIX ст.", "uk") == (
        "Яблука, груші і так далі. Петро Перший жив у дев'ятнадцятім столітті.")


# --- Silero: a model per language


def export_tiny_silero(path):
    from tests.neural import tiny_silero  # noqa: PLC0415 - torch only for these tests

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch.package's own TypedStorage deprecation
        tiny_silero.export(path)
    return path


def test_silero_without_a_model_for_the_language_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("MODEL_NARRATION_SILERO_EN", raising=False)
    export_tiny_silero(tmp_path / "v4_ru.pt")
    silero = SileroNarrator(model=str(tmp_path / "v4_ru.pt"), device="cpu")
    with pytest.raises(BackendUnavailable) as caught:
        speak(silero, tmp_path, [(NARRATOR, "Once upon a time.")], "en")
    message = str(caught.value)
    assert "\n" not in message and "MODEL_NARRATION_SILERO_EN" in message and "v3_en.pt" in message


def test_silero_reads_english_with_the_english_model_beside_the_russian_one(tmp_path, monkeypatch):
    monkeypatch.delenv("MODEL_NARRATION_SILERO_EN", raising=False)
    export_tiny_silero(tmp_path / "v4_ru.pt")
    export_tiny_silero(tmp_path / "v3_en.pt")
    silero = SileroNarrator(model=str(tmp_path), device="cpu")
    assert silero.model_file() == tmp_path / "v4_ru.pt" and silero.model_file("en") == tmp_path / "v3_en.pt"
    # «random» is in no language's table: taken as the model's own speaker (the tiny model has no en_0)
    own = dict.fromkeys(("narrator_voice", "male_voice", "female_voice", "neuter_voice"), "random")
    narration, out = speak(silero, tmp_path, [(NARRATOR, "The fox found 25 apples.")], "en", **own)
    english = silero.model_for("en")
    assert english is not silero._model  # the Russian model is not loaded for an English tale
    assert [call["text"] for call in english.calls] == ["The fox found twenty-five apples."]
    assert narration.voices == {NARRATOR: "random"} and rms(wav_samples(out)[0]) > 0.01
    with pytest.raises(BackendUnavailable, match="no 'uk' model"):
        speak(silero, tmp_path, [(NARRATOR, "Жили собі дід та баба.")], "uk")


def test_silero_gives_the_russian_default_speakers_way_to_the_languages_own():
    from fairytales.pipeline.narration.silero import voices_for  # noqa: PLC0415

    defaults = SileroNarrator().options()
    assert voices_for(defaults, "ru")["narrator_voice"] == "eugene"
    assert voices_for(defaults, "en") == {"narrator_voice": "en_0", "male_voice": "en_1", "female_voice": "en_2",
                                          "neuter_voice": "en_3"}
    assert set(voices_for(defaults, "uk").values()) == {"mykyta"}
    assert SileroNarrator.voices_in("uk") == {"mykyta": "mykyta"}
