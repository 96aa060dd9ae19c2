"""The Silero narrator, loaded through its real code from a tiny torch.package with Silero's interface."""

from __future__ import annotations

import importlib.util
import re
import warnings

import numpy as np
import pytest

from fairytales.pipeline.backend import BackendUnavailable, OptionError
from fairytales.pipeline.narration import silero
from fairytales.pipeline.narration.assemble import read_wav
from fairytales.pipeline.narration.reading import number_words, ordinal_words, spell_numbers
from fairytales.pipeline.narration.silero import SileroNarrator
from fairytales.pipeline.types import Line, Scene

from . import tiny_silero

has_stress = pytest.mark.skipif(importlib.util.find_spec("silero_stress") is None, reason="no silero-stress")


def export(path, max_text=140):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch.package's own TypedStorage deprecation
        tiny_silero.export(path, max_text=max_text)
    return path


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return export(tmp_path_factory.mktemp("silero") / "v4_ru.pt")


@pytest.fixture
def narrator(package):
    voice = SileroNarrator(model=str(package), device="cpu")
    voice.ensure_loaded()
    voice._model.calls.clear()
    return voice


def scene(*lines: tuple[str, str]) -> Scene:
    return Scene(
        index=1, text="\n".join(t for _, t in lines), prompt="", lines=[Line(s, t) for s, t in lines]
    )


def speak(narrator, the_scene, tmp_path, **options):
    out = tmp_path / "scene.wav"
    return narrator.speak(the_scene, out, narrator.options(options)), out


def calls(narrator):
    return narrator._model.calls


def dominant_pitch(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[spectrum.argmax()])


# --- loading


def test_the_package_loads_through_the_real_loader(narrator):
    model = narrator._model
    assert type(model).__name__ == "TinySilero" and "<torch_package_" in type(model).__module__
    assert set(SileroNarrator.voices_in("ru")) <= set(model.speakers)  # the Russian model's (voices: every language's)
    assert str(model.gain.device) == "cpu"


def test_a_folder_holding_v4_ru_is_accepted(package):
    assert SileroNarrator(model=str(package.parent)).model_file() == package


def test_default_model_is_under_models_silero():
    assert SileroNarrator().model.replace("\\", "/").endswith("silero/v4_ru.pt")


def test_missing_model_is_one_line_naming_the_setting(tmp_path):
    voice = SileroNarrator(model=str(tmp_path / "v4_ru.pt"))
    with pytest.raises(BackendUnavailable) as caught:
        voice.ensure_loaded()
    message = str(caught.value)
    assert "\n" not in message and "MODEL_NARRATION_SILERO" in message and "fetch_models" in message
    ok, why = voice.available()
    assert not ok and "MODEL_NARRATION_SILERO" in why


def test_a_file_that_is_no_package_is_one_line(tmp_path):
    (tmp_path / "v4_ru.pt").write_bytes(b"not a zip at all")
    with pytest.raises(BackendUnavailable) as caught:
        SileroNarrator(model=str(tmp_path / "v4_ru.pt")).ensure_loaded()
    assert "\n" not in str(caught.value) and "not a Silero TTS package" in str(caught.value)


# --- chunking


LONG = (
    "Жил-был на краю дремучего леса старый мельник и было у него три сына и старший сын был умный "
    "средний был и так и сяк а младший вовсе был дурак и вот однажды пошли они все вместе в лес за "
    "дровами и заблудились в чаще где не ступала нога человека и где по ночам ухали совы и выли волки. "
) * 4


def test_no_chunk_over_the_limit_and_no_word_cut(narrator, tmp_path):
    narration, _ = speak(narrator, scene(("narrator", LONG)), tmp_path, stress=False)
    sent = [c["text"] for c in calls(narrator)]
    assert len(sent) > 4 and all(len(t) <= 140 for t in sent)
    assert " ".join(c.text for c in narration.cues).split() == LONG.split()  # every word whole, in order


@has_stress
def test_stress_marks_and_numbers_never_push_a_chunk_over_the_limit(tmp_path):
    voice = SileroNarrator(model=str(export(tmp_path / "v4_ru.pt", max_text=60)))
    text = "В 1812 году 1234 солдата прошли 2345 вёрст, а 3456 лошадей везли 7777 пушек через 9999 рек. " * 2
    narration, _ = speak(voice, scene(("narrator", text)), tmp_path, max_chars=60)
    sent = [c["text"] for c in voice._model.calls]
    assert all(len(t) <= 60 for t in sent), [len(t) for t in sent]
    assert " ".join(c.text for c in narration.cues).split() == text.split()
    assert not any(re.search(r"\d", t) for t in sent)


# --- voices


def test_characters_speak_in_other_voices(narrator, tmp_path):
    the_scene = scene(
        ("narrator", "Шёл волк по лесу и встретил лису."),
        ("волк", "Здравствуй, лиса!"),
        ("лиса", "Здравствуй, волк!"),
        ("narrator", "Так они и познакомились."),
    )
    narration, out = speak(narrator, the_scene, tmp_path, stress=False)
    assert [c["speaker"] for c in calls(narrator)] == ["eugene", "aidar", "xenia", "eugene"]
    samples, rate = read_wav(out)
    pitches = [dominant_pitch(samples[int(c.start * rate) : int(c.end * rate)], rate) for c in narration.cues]
    expected = [tiny_silero.PITCH[v] for v in ("eugene", "aidar", "xenia", "eugene")]
    assert pitches == pytest.approx(expected, abs=5)


def test_one_voice_for_all_when_character_voices_are_off(narrator, tmp_path):
    speak(
        narrator,
        scene(("narrator", "Сказал волк."), ("волк", "Привет!")),
        tmp_path,
        character_voices=False,
        narrator_voice="baya",
        stress=False,
    )
    assert {c["speaker"] for c in calls(narrator)} == {"baya"}


def test_a_character_never_borrows_the_narrators_voice(narrator, tmp_path):
    speak(
        narrator,
        scene(("narrator", "Сказал волк."), ("волк", "Привет!")),
        tmp_path,
        narrator_voice="aidar",
        stress=False,
    )
    assert [c["speaker"] for c in calls(narrator)] == ["aidar", "eugene"]


def test_unknown_voice_is_an_option_error(narrator, tmp_path):
    with pytest.raises(OptionError, match="narrator_voice"):
        speak(narrator, scene(("narrator", "Текст.")), tmp_path, narrator_voice="nobody")


# --- what the model reads


@has_stress
def test_stress_and_yo_reach_the_model(narrator, tmp_path):
    narration, _ = speak(narrator, scene(("narrator", "Ежик еще долго сидел под елкой.")), tmp_path)
    call = calls(narrator)[0]
    assert "ещ+ё" in call["text"] and "+ёлкой" in call["text"] and "+Ёжик" in call["text"]
    assert call["put_accent"] is False and call["put_yo"] is False  # already done, and better
    assert narration.cues[0].text == "Ежик еще долго сидел под елкой."  # subtitles as written


@has_stress
def test_written_yo_is_kept(narrator, tmp_path):
    speak(narrator, scene(("narrator", "Ёлка зелёная.")), tmp_path)
    assert "ёлка" in calls(narrator)[0]["text"].replace("+", "").lower()
    assert "зелёная" in calls(narrator)[0]["text"].replace("+", "")


@has_stress
def test_everyone_is_not_read_as_everything():
    # silero-stress alone reads «которую всё звали»; a written «всё» stays as written
    assert " все зв+али" in silero.put_stress("Девочка, которую все звали Шапочкой.")
    assert silero.put_stress("Мы все пошли домой.").startswith("Мы все ")
    assert "всё" in silero.put_stress("Он все знал.") and "всё" in silero.put_stress("Они всё съели.")


def test_without_stress_the_model_places_it_itself(narrator, tmp_path):
    speak(narrator, scene(("narrator", "Ежик сидел под елкой.")), tmp_path, stress=False)
    call = calls(narrator)[0]
    assert "+" not in call["text"] and call["put_accent"] is True and call["put_yo"] is True


def test_numbers_are_read_as_words(narrator, tmp_path):
    narration, _ = speak(
        narrator, scene(("narrator", "У бабушки было 2 кошки, 1 собака и 21 гусь.")), tmp_path, stress=False
    )
    text = calls(narrator)[0]["text"]
    assert "две кошки" in text and "одна собака" in text and "двадцать один гусь" in text
    assert not re.search(r"\d", text)
    assert narration.cues[0].text == "У бабушки было 2 кошки, 1 собака и 21 гусь."


def test_punctuation_the_model_lacks_becomes_pauses(narrator, tmp_path):
    speak(narrator, scene(("волк", "— Кто-то (наверное, лиса) сказал: «Привет»…")), tmp_path, stress=False)
    text = calls(narrator)[0]["text"]
    assert not set(text) & set("—«»()…")
    assert text.startswith("Кто то, наверное, лиса, сказал: Привет")


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "ноль"),
        (7, "семь"),
        (11, "одиннадцать"),
        (40, "сорок"),
        (105, "сто пять"),
        (1812, "тысяча восемьсот двенадцать"),
        (2024, "две тысячи двадцать четыре"),
        (9999, "девять тысяч девятьсот девяносто девять"),
        (21000, "двадцать одна тысяча"),
        (5_000_000, "пять миллионов"),
    ],
)
def test_number_words(n, words):
    assert number_words(n) == words


def test_ordinals_and_decimals():
    assert ordinal_words(3, "й") == "третий" and ordinal_words(3, "го") == "третьего"
    assert (
        ordinal_words(21, "я") == "двадцать первая"
        and ordinal_words(1812, "м") == "тысяча восемьсот двенадцатом"
    )
    assert spell_numbers("В 3-й раз съели 1,5 пирога") == "В третий раз съели одна целая пять десятых пирога"


# --- the track


def test_wav_is_not_silent_and_its_length_matches_the_cues(narrator, tmp_path):
    the_scene = scene(
        ("narrator", "Жили-были дед да баба. Была у них курочка Ряба."), ("курочка", "Не плачь, дед!")
    )
    narration, out = speak(narrator, the_scene, tmp_path, stress=False, sample_rate=24000)
    samples, rate = read_wav(out)
    assert rate == 24000
    assert len(samples) / rate == pytest.approx(narration.duration, abs=1e-3)
    assert narration.duration == pytest.approx(narration.cues[-1].end + silero.LINE_PAUSE, abs=0.01)
    for cue in narration.cues:
        voiced = samples[int(cue.start * rate) : int(cue.end * rate)]
        assert np.sqrt(np.mean(voiced**2)) > 0.1
    for before, after in zip(narration.cues, narration.cues[1:], strict=False):
        gap = samples[int(before.end * rate) + 10 : int(after.start * rate) - 10]
        assert after.start > before.end and np.abs(gap).max() < 0.01
    assert [c.text for c in narration.cues] == [
        "Жили-были дед да баба.",
        "Была у них курочка Ряба.",
        "Не плачь, дед!",
    ]


def test_progress_is_reported(narrator, tmp_path):
    seen = []
    narrator.speak(
        scene(("narrator", "Раз. Два. Три.")),
        tmp_path / "a.wav",
        narrator.options({"stress": False}),
        lambda f, m="": seen.append(f),
    )
    assert seen[-1] == 1.0 and seen == sorted(seen)
