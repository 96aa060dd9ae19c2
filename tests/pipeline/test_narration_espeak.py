from fairytales.pipeline.narration.espeak import EspeakNarrator
from fairytales.pipeline.scenes import split_scenes
from tests.media import pitch, rms, wav_samples

TEXT = ("Жили-были старик со старухой. Испекла старуха колобок и положила его на окошко остывать.\n\n"
        "— Куда ты катишься, колобок? — спросила лиса. — Сядь ко мне на носок и спой ещё разок.")


def speak(tmp_path, text=TEXT, **options):
    backend = EspeakNarrator()
    scene = split_scenes(text, 1)[0]
    out = tmp_path / "scene.wav"
    return backend.speak(scene, out, backend.options(options)), out


def test_it_speaks_russian_audio_that_is_not_silence(tmp_path):
    narration, out = speak(tmp_path)
    samples, rate = wav_samples(out)
    assert abs(len(samples) / rate - narration.duration) < 0.05
    assert rms(samples) > 0.02
    # about 10-20 characters a second is a calm reading pace
    assert 5 < narration.duration < len(TEXT) / 8


def test_a_longer_text_takes_longer(tmp_path):
    short, _ = speak(tmp_path, "Жили-были дед и баба.")
    long, _ = speak(tmp_path, TEXT)
    assert long.duration > 3 * short.duration


def test_cues_cover_every_word_in_order_and_sit_on_speech(tmp_path):
    narration, out = speak(tmp_path)
    assert " ".join(c.text for c in narration.cues).split() == " ".join(TEXT.replace("— ", "").split()).split()
    samples, rate = wav_samples(out)
    starts = [c.start for c in narration.cues]
    assert starts == sorted(starts)
    for cue in narration.cues:
        spoken = samples[int(cue.start * rate): int(cue.end * rate)]
        assert rms(spoken) > 0.01, cue


def test_the_characters_speak_in_other_voices_than_the_narrator(tmp_path):
    narration, out = speak(tmp_path)
    samples, rate = wav_samples(out)

    def voice(cue):
        return pitch(samples[int(cue.start * rate): int(cue.end * rate)], rate)

    narrator, fox = narration.cues[0], narration.cues[2]
    assert fox.text == "Куда ты катишься, колобок?"
    assert voice(fox) > 1.3 * voice(narrator)  # the fox has a woman's voice


def test_one_voice_for_all_when_asked(tmp_path):
    narration, out = speak(tmp_path, character_voices=False)
    samples, rate = wav_samples(out)
    pitches = [pitch(samples[int(c.start * rate): int(c.end * rate)], rate) for c in narration.cues]
    assert max(pitches) < 1.3 * min(pitches)


def test_numbers_and_abbreviations_are_read_as_words_and_subtitled_as_written(tmp_path):
    (tmp_path / "a").mkdir()
    written, _ = speak(tmp_path / "a", "В 1812 г. пришла 1 лиса.")
    (tmp_path / "b").mkdir()
    said, _ = speak(tmp_path / "b", "В тысяча восемьсот двенадцатом году пришла одна лиса.")
    assert (tmp_path / "a" / "scene.wav").read_bytes() == (tmp_path / "b" / "scene.wav").read_bytes()
    assert " ".join(c.text for c in written.cues) == "В 1812 г. пришла 1 лиса."
