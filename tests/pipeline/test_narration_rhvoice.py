"""RHVoice, the default narrator: real Russian voices, offline, one voice per character throughout the tale."""

import pytest

from fairytales.pipeline import registry
from fairytales.pipeline.backend import OptionError
from fairytales.pipeline.narration.rhvoice import RhvoiceNarrator, catalogue
from fairytales.pipeline.scenes import split_scenes
from tests.media import pitch, rms, wav_samples

TEXT = ("Жили-были старик со старухой. Испекла старуха колобок и положила его на окошко остывать.\n\n"
        "— Куда ты катишься, колобок? — спросила лиса. — Сядь ко мне на носок и спой ещё разок.\n\n"
        "— Я от дедушки ушёл! — ответил колобок.")


@pytest.fixture(scope="module")
def narrator():
    backend = RhvoiceNarrator()
    if not backend.available()[0]:
        pytest.fail(f"RHVoice is the default narrator and `make install` unpacks it: {backend.available()[1]}")
    return backend


def speak(narrator, tmp_path, text=TEXT, name="scene.wav", **options):
    scene = split_scenes(text, 1)[0]
    out = tmp_path / name
    return narrator.speak(scene, out, narrator.options(options)), out


def test_it_is_the_default_narrator_here():
    assert registry.default_backend("narration") == "rhvoice"


def test_it_speaks_russian_that_is_not_silence_at_a_calm_pace(narrator, tmp_path):
    narration, out = speak(narrator, tmp_path)
    samples, rate = wav_samples(out)
    assert abs(len(samples) / rate - narration.duration) < 0.05
    assert rms(samples) > 0.02
    assert 6 < narration.duration < len(TEXT) / 8
    assert " ".join(c.text for c in narration.cues).split() == " ".join(TEXT.replace("— ", "").split()).split()
    for cue in narration.cues:
        assert rms(samples[int(cue.start * rate): int(cue.end * rate)]) > 0.01, cue


def test_characters_speak_in_voices_of_their_gender_the_same_in_every_scene(narrator):
    options = narrator.options()
    fox, bun, wolf = (narrator.voice_for(name, options) for name in ("лиса", "колобок", "волк"))
    voices = catalogue()
    assert voices[fox].gender == "femn" and voices[bun].gender == voices[wolf].gender == "masc"
    assert options["narrator_voice"] not in (fox, bun, wolf)
    assert narrator.voice_for("лиса", options) == fox == RhvoiceNarrator().voice_for("Лиса", options)
    assert narrator.voice_for("лиса", {**options, "character_voices": False}) == options["narrator_voice"]


def test_a_character_line_sounds_different_from_the_narrator(narrator, tmp_path):
    line = "Куда ты катишься, колобок?"
    narrated, _ = narrator.say(line, "aleksandr-hq", 1.0)
    by_the_fox, rate = narrator.say(line, narrator.voice_for("лиса", narrator.options()), 1.0)
    assert rms(narrated) > 0.02 and rms(by_the_fox) > 0.02
    assert pitch(by_the_fox, rate) > 1.15 * pitch(narrated, rate)  # a woman's voice against a man's


def test_another_narrator_voice_and_rate(narrator, tmp_path):
    text = "Жили-были дед и баба. Жили они у самого синего моря."
    normal, a = speak(narrator, tmp_path, text, name="a.wav", rate=1.0)
    slow, _ = speak(narrator, tmp_path, text, name="b.wav", rate=0.6)
    assert slow.duration > 1.4 * normal.duration
    _, by_anna = speak(narrator, tmp_path, text, name="c.wav", narrator_voice="anna", rate=1.0)
    assert pitch(*wav_samples(by_anna)) > 1.15 * pitch(*wav_samples(a))
    with pytest.raises(OptionError, match="not one of"):
        narrator.options({"narrator_voice": "robot"})


def test_without_its_files_it_says_how_to_get_them(tmp_path):
    ok, why = RhvoiceNarrator(model=str(tmp_path / "nowhere")).available()
    assert not ok and "MODEL_NARRATION_RHVOICE" in why and "make install" in why
