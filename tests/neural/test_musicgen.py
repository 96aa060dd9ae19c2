"""The MusicGen composer on a tiny random MusicGen built here (T5 text encoder, EnCodec at 32 kHz / 50 frames a
second, a one-layer decoder over four codebooks) with a processor (a T5 tokenizer over a few English words and
EnCodec's feature extractor), saved in the released layout and loaded through the backend's own code."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pretty_midi
import pytest
import torch

from fairytales.pipeline.backend import BackendUnavailable, OptionError
from fairytales.pipeline.music import SAMPLE_RATE, MusicCue
from fairytales.pipeline.music.moods import MOODS
from fairytales.pipeline.music.musicgen import (
    MusicgenComposer,
    join,
    mood_prompt,
    resample,
    window_prompts,
    window_spans,
)
from fairytales.pipeline.music.scene_moods import lexicon, mood_words
from fairytales.pipeline.russian import lemma
from tests.media import rms, wav_samples

WORDS = ["gentle", "major", "minor", "folk", "waltz", "slow", "dark", "sparse", "bright", "music", "box", "strings",
         "flute", "celesta", "cello", "harp", "piano", "synth", "pads", "choir", "brass", "timpani", "instrumental",
         "fairy", "tale", "film", "score", "no", "vocals", "bpm"]


@pytest.fixture(scope="module")
def tiny_musicgen(tmp_path_factory) -> Path:
    from transformers import (
        EncodecConfig,
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
        T5Tokenizer,
    )

    folder = tmp_path_factory.mktemp("tiny-musicgen")
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    pieces += [(f"▁{w}", -3.0) for w in WORDS] + [(c, -6.0) for c in "abcdefghijklmnopqrstuvwxyz0123456789,"]
    tokenizer = T5Tokenizer(vocab=pieces, extra_ids=0)
    text = T5Config(vocab_size=len(tokenizer), d_model=32, d_kv=8, d_ff=64, num_layers=1, num_heads=4)
    audio = EncodecConfig(sampling_rate=32000, audio_channels=1, hidden_size=32, num_filters=4,
                          num_residual_layers=1, upsampling_ratios=[8, 5, 4, 4], codebook_size=64, codebook_dim=32,
                          target_bandwidths=[1.2], num_lstm_layers=1, use_causal_conv=False, normalize=False,
                          chunk_length_s=None, overlap=None)  # 4 codebooks of 64 at 50 frames a second
    decoder = MusicgenDecoderConfig(vocab_size=64, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
                                    ffn_dim=64, num_codebooks=4, max_position_embeddings=256, audio_channels=1,
                                    pad_token_id=64, bos_token_id=64)
    torch.manual_seed(0)
    model = MusicgenForConditionalGeneration(MusicgenConfig(text_encoder=text, audio_encoder=audio, decoder=decoder))
    with torch.no_grad():  # EnCodec's codebooks start at zero (they are learnt by k-means): every code would sound alike
        for layer in model.audio_encoder.quantizer.layers:
            layer.codebook.embed.normal_()
    model.save_pretrained(folder)
    extractor = EncodecFeatureExtractor(feature_size=1, sampling_rate=32000, padding_value=0.0)
    MusicgenProcessor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def composer(tiny_musicgen) -> MusicgenComposer:
    backend = MusicgenComposer(model=str(tiny_musicgen))
    backend.ensure_loaded()
    return backend


# windows of 2 s continued from the last 0.5 s: several windows in a few seconds of music
SHORT = {"window": 2.0, "overlap": 0.5, "crossfade": 0.2, "guidance_scale": 1.0}


def compose(composer, tmp_path, duration=5.0, cues=None, **options):
    wav, midi = tmp_path / "music.wav", tmp_path / "music.mid"
    reports = []
    meta = composer.compose(duration, "сказка", wav, midi, {**SHORT, **options},
                            lambda f, m="": reports.append((f, m)), cues=cues)
    return wav, midi, meta, reports


def test_the_wav_has_the_requested_length_and_is_not_silence(composer, tmp_path):
    wav, midi, meta, reports = compose(composer, tmp_path, duration=5.0, seed=3)
    with wave.open(str(wav), "rb") as f:
        assert (f.getframerate(), f.getnchannels(), f.getsampwidth()) == (SAMPLE_RATE, 2, 2)
        assert f.getnframes() == 5 * SAMPLE_RATE
    samples, _ = wav_samples(wav)
    assert rms(samples) > 0.01
    assert rms(samples[-SAMPLE_RATE // 2 - 2000 : -SAMPLE_RATE // 2]) > 0.001  # music to the end, not padding
    assert meta["windows"] == 3  # 2 s, then 1.5 s new a window: 2 + 1.5 + 1.5 ≥ 5
    assert meta["mood"] == "waltz" and meta["prompt"] == mood_prompt(MOODS["waltz"])
    assert pretty_midi.PrettyMIDI(str(midi)).instruments == []  # a valid MIDI without notes
    window_reports = [m for _, m in reports if "окно" in m]
    assert len(window_reports) == 3 and "окно 3 из 3" in window_reports[-1]
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_same_seed_same_audio(composer, tmp_path):
    first = compose(composer, tmp_path / "a", duration=2.5, seed=7)[0].read_bytes()
    assert compose(composer, tmp_path / "b", duration=2.5, seed=7)[0].read_bytes() == first
    assert compose(composer, tmp_path / "c", duration=2.5, seed=8)[0].read_bytes() != first


def test_windows_continue_from_the_audio_before(composer, tmp_path, monkeypatch):
    calls = []
    generate = composer._model.generate

    def spy(**kwargs):
        calls.append({k: v.shape for k, v in kwargs.items() if hasattr(v, "shape")} | {"new": kwargs["max_new_tokens"]})
        return generate(**kwargs)

    monkeypatch.setattr(composer._model, "generate", spy)
    compose(composer, tmp_path, duration=4.0, seed=1, prompt="dark minor cello")
    assert "input_values" not in calls[0] and calls[0]["new"] == 100 + 3  # 2 s of 50 frames, 4 codebooks
    for call in calls[1:]:
        assert call["input_values"] == (1, 1, 25 * 640)  # the last 0.5 s, whole frames
    assert len(calls) == 3


def test_the_prompt_follows_the_mood(composer, tmp_path):
    assert mood_prompt(MOODS["waltz"]).startswith("gentle major folk waltz, flute, celesta, string ensemble, cello")
    assert "sweep pad" in mood_prompt(MOODS["dark"]) and "58 bpm" in mood_prompt(MOODS["dark"])
    meta = compose(composer, tmp_path, duration=1.0, seed=1, mood="dark")[2]
    assert meta["mood"] == "dark" and meta["prompt"].startswith("slow, sparse minor")
    assert compose(composer, tmp_path, duration=1.0, seed=1, prompt="solo harp")[2]["prompt"] == "solo harp"


def test_bad_options_and_missing_weights(composer, tmp_path):
    with pytest.raises(OptionError):
        compose(composer, tmp_path, duration=1.0, overlap=0.0)
    with pytest.raises(OptionError):
        composer.compose(0, "сказка", tmp_path / "m.wav", tmp_path / "m.mid", {})
    missing = MusicgenComposer(model=str(tmp_path / "nowhere"))
    assert missing.available()[0] is False
    with pytest.raises(BackendUnavailable, match="MODEL_MUSIC_MUSICGEN"):
        missing.ensure_loaded()
    with pytest.raises(BackendUnavailable, match="fetch_models"):
        MusicgenComposer(model="nobody-here/no-such-musicgen").ensure_loaded()


def test_join_cross_fades_over_the_repeated_stretch():
    before = np.ones((1, 100), dtype=np.float32)
    piece = np.concatenate([np.full((1, 20), 3.0), np.full((1, 50), 5.0)], axis=1).astype(np.float32)
    joined = join(before, piece, prompt=20, fade=10)
    assert joined.shape == (1, 150)
    assert np.allclose(joined[0, :90], 1.0) and np.allclose(joined[0, 100:], 5.0)
    assert joined[0, 90] == pytest.approx(1.0) and joined[0, 99] == pytest.approx(3.0)
    assert np.all(np.diff(joined[0, 90:100]) > 0)


def test_resample_keeps_a_tone():
    rate, seconds = 32000, 0.5
    t = np.arange(int(rate * seconds)) / rate
    tone = np.sin(2 * np.pi * 440 * t)[None, :].astype(np.float32)
    out = resample(tone, rate, SAMPLE_RATE)
    assert out.shape == (1, int(SAMPLE_RATE * seconds))
    expected = np.sin(2 * np.pi * 440 * np.arange(out.shape[1]) / SAMPLE_RATE)
    assert np.max(np.abs(out[0, 500:-500] - expected[500:-500])) < 0.01



# -- following the scenes ----------------------------------------------------------------------------

SCENES = [  # three scenes of a film, as the runner cues them: a forest, a fright, a feast
    MusicCue(1, 0.0, 2.6, "Покатился Колобок по тёмному лесу, по дремучей чаще."),
    MusicCue(2, 2.2, 4.4, "Испугался Колобок волка, страшно ему стало, задрожал он от страха."),
    MusicCue(3, 4.0, 6.0, "А потом был пир на весь мир, играли свадьбу."),
]


def cued(scenes=SCENES):
    return [MusicCue(c.scene, c.start, c.end, c.text, mood_words(c.text)) for c in scenes]


def test_scene_words_become_mood_words():
    assert mood_words("Колобок испугался волка, страшно ему стало") == ("tense",)
    assert mood_words("Был пир на весь мир, свадьбу сыграли") == ("festive",)
    assert mood_words("Шёл он лесом, лесом, да в тёмную чащу") == ("mysterious forest", "dark")
    assert mood_words("Жили-были дед да баба") == ()
    assert len(mood_words(" ".join(["страх лес пир свадьба гроза снег царь"] * 2))) == lexicon()[1]


def test_the_lexicon_holds_lemmas():
    """Every word in scene_moods.toml is the form the lemmatiser gives, or no scene could ever name it."""
    table, _ = lexicon()
    assert len(table) > 100
    assert [word for word in table if lemma(word) != word] == []


def test_each_window_is_asked_for_the_mood_of_its_scene(composer, tmp_path, monkeypatch):
    asked = []
    processor = composer._processor

    def spy(*args, **kwargs):
        asked.append(kwargs["text"][0])
        return processor(*args, **kwargs)

    monkeypatch.setattr(composer, "_processor", spy)
    wav, _, meta, _ = compose(composer, tmp_path / "a", duration=6.0, seed=4, cues=cued())
    base = mood_prompt(MOODS["waltz"])
    prompts = meta["prompts"]
    assert [p["prompt"] for p in prompts] == asked  # what the meta says is what the model was asked
    assert [(p["start"], p["end"]) for p in prompts] == [(0.0, 2.0), (2.0, 3.5), (3.5, 5.0), (5.0, 6.0)]
    assert [p["scene"] for p in prompts] == [1, 2, 3, 3]  # each window: the scene under most of its new audio
    assert all(p.startswith(base + ", ") for p in asked)
    assert "mysterious forest" in asked[0] and "tense" not in asked[0]
    assert "tense" in asked[1] and "festive" not in asked[1]
    assert "festive" in asked[2] and "festive" in asked[3] and "tense" not in asked[3]

    with wave.open(str(wav), "rb") as f:
        assert f.getnframes() == 6 * SAMPLE_RATE
    samples, _ = wav_samples(wav)
    assert rms(samples) > 0.01
    again = compose(composer, tmp_path / "b", duration=6.0, seed=4, cues=cued())[0]
    assert again.read_bytes() == wav.read_bytes()  # the same seed and scenes: the same audio
    # (the random model's near-uniform logits pick the same codes whatever the text: what it was asked is what
    # can be checked here, not that the words change what it writes)
    plain = compose(composer, tmp_path / "c", duration=6.0, seed=4, cues=cued(), scene_moods=False)[2]
    assert {p["prompt"] for p in plain["prompts"]} == {base} and {p["scene"] for p in plain["prompts"]} == {None}


def test_windows_past_the_scenes_or_without_cues_get_the_tale_prompt():
    spans = [(0.0, 2.0), (2.0, 3.5), (3.5, 5.0), (5.0, 6.5), (6.5, 8.0)]
    planned = window_prompts("waltz", cued(), spans)
    assert [p["scene"] for p in planned] == [1, 2, 3, 3, None]
    assert planned[-1]["prompt"] == "waltz"
    assert window_prompts("waltz", None, spans[:2]) == [{"prompt": "waltz", "scene": None, "moods": []}] * 2
    assert window_spans(100 + 75 + 10, 100, 25, 50.0) == [(0.0, 2.0), (2.0, 3.5), (3.5, 3.7)]
