"""The procedural composer and the MIDI renderer: real audio of the right length, moods that differ,
scores that repeat for a seed."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from fairytales.pipeline import genres
from fairytales.pipeline.backend import OptionError
from fairytales.pipeline.music import SAMPLE_RATE
from fairytales.pipeline.music import render as render_module
from fairytales.pipeline.music.moods import MOODS
from fairytales.pipeline.music.procedural import ProceduralComposer, compose_score
from fairytales.pipeline.music.render import render_midi


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Samples as floats in -1..1, shape (frames, channels), and the rate."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        channels, rate = w.getnchannels(), w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.reshape(-1, channels).astype(np.float64) / 32768.0, rate


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def compose(tmp_path: Path, duration: float, genre: str, **options) -> tuple[dict, np.ndarray, Path]:
    name = f"{genre}-{duration}-{options.get('seed')}"
    wav, midi = tmp_path / f"{name}.wav", tmp_path / f"{name}.mid"
    calls = []
    info = ProceduralComposer().compose(duration, genre, wav, midi, options, lambda f, m="": calls.append(f))
    assert calls and calls[-1] == 1.0 and calls == sorted(calls)
    audio, rate = read_wav(wav)
    assert rate == SAMPLE_RATE
    return info, audio, midi


@pytest.mark.parametrize("duration", [20.0, 75.0])
def test_wav_matches_duration_sounds_and_does_not_clip(tmp_path, duration):
    info, audio, midi = compose(tmp_path, duration, "сказка", seed=7)
    assert audio.shape[1] == 2
    assert abs(len(audio) / SAMPLE_RATE - duration) <= 0.5
    assert abs(info["duration"] - duration) <= 0.5
    peak = np.max(np.abs(audio))
    assert 0.5 < peak < 0.8  # normalised near -3 dBFS, nowhere near full scale
    assert np.mean(np.abs(audio) > 0.99) == 0
    assert rms(audio) > 0.02  # far above silence
    # it sounds all the way through, not just at the start
    second = SAMPLE_RATE
    windows = [audio[i : i + 2 * second] for i in range(0, len(audio) - 4 * second, 2 * second)]
    assert min(rms(w) for w in windows) > 0.005
    # and it ends faded out
    assert rms(audio[-SAMPLE_RATE // 20 :]) < 0.2 * rms(audio)

    pm = pretty_midi.PrettyMIDI(str(midi))
    starts = [n.start for inst in pm.instruments for n in inst.notes]
    assert min(starts) < 0.5
    assert duration - 5 < max(starts) < duration
    assert pm.get_end_time() >= duration - 0.5


def test_genres_get_their_own_mood(tmp_path):
    horror, _, horror_midi = compose(tmp_path, 20, "ужасы", seed=3)
    kids, _, kids_midi = compose(tmp_path, 20, "детская", seed=3)
    assert horror["mood"] == "dark" and kids["mood"] == "music_box"
    assert horror["tempo"] < 0.7 * kids["tempo"]
    assert "minor" in horror["key"] and "major" in kids["key"]
    assert set(horror["instruments"]) != set(kids["instruments"])

    def programs(path):
        return {inst.program for inst in pretty_midi.PrettyMIDI(str(path)).instruments if not inst.is_drum}

    assert programs(horror_midi) != programs(kids_midi)
    key_numbers = [
        pretty_midi.PrettyMIDI(str(p)).key_signature_changes[0].key_number for p in (horror_midi, kids_midi)
    ]
    assert key_numbers[0] >= 12 > key_numbers[1]  # pretty_midi: 12..23 are minor keys
    tempos = [pretty_midi.PrettyMIDI(str(p)).get_tempo_changes()[1][0] for p in (horror_midi, kids_midi)]
    assert tempos[0] < tempos[1]


def test_every_genre_has_a_mood_that_composes():
    for genre in genres.NAMES:
        mood = genres.get(genre).mood
        pm, info = compose_score(mood, 30, seed=1)
        notes = [n for inst in pm.instruments for n in inst.notes]
        assert len(notes) > 20, genre
        assert all(0 <= n.start < n.end <= 30.5 and 0 < n.velocity <= 127 for n in notes), genre
        # soft, under narration: nothing hammered
        assert max(n.velocity for n in notes) <= 90, genre
        assert info["instruments"] and info["key"], genre


def test_mood_option_overrides_genre_and_bad_options_are_refused(tmp_path):
    info, _, _ = compose(tmp_path, 8, "сказка", seed=1, mood="ужасы")
    assert info["mood"] == "dark"
    info, _, _ = compose(tmp_path, 8, "сказка", seed=1, mood="noir")
    assert info["mood"] == "noir"
    with pytest.raises(OptionError):
        compose(tmp_path, 8, "сказка", mood="polka")
    with pytest.raises(OptionError):
        compose(tmp_path, 8, "сказка", volume=3)
    info, _, _ = compose(tmp_path, 10, "сказка", seed=1, tempo=150)
    assert info["tempo"] == 150


def test_same_seed_same_score_other_seed_other_melody(tmp_path):
    _, audio_a, midi_a = compose(tmp_path / "a", 20, "фэнтези", seed=42)
    _, audio_b, midi_b = compose(tmp_path / "b", 20, "фэнтези", seed=42)
    _, _, midi_c = compose(tmp_path / "c", 20, "фэнтези", seed=43)
    assert midi_a.read_bytes() == midi_b.read_bytes()
    assert np.array_equal(audio_a, audio_b)

    def melody(path):
        pm = pretty_midi.PrettyMIDI(str(path))
        return [(n.pitch, round(n.start, 2)) for inst in pm.instruments if inst.name.startswith("melody")
                for n in inst.notes]

    assert melody(midi_a) != melody(midi_c)


def test_melody_repeats_its_motif():
    """Phrase structure: the consequent phrase opens with the antecedent's first bar."""
    pm, info = compose_score("waltz", 60, seed=5)
    bar = 60.0 / info["tempo"] * 3
    lead = next(inst for inst in pm.instruments if inst.name.startswith("melody0"))

    def bar_notes(index):
        return [(n.pitch, round((n.start - index * bar) / bar, 1)) for n in lead.notes
                if index * bar - 0.05 <= n.start < (index + 1) * bar - 0.05]

    assert bar_notes(0) and bar_notes(0) == bar_notes(4)


def test_render_puts_energy_where_the_notes_are(tmp_path):
    pm = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    piano.notes.append(pretty_midi.Note(velocity=100, pitch=60, start=1.0, end=2.0))
    piano.notes.append(pretty_midi.Note(velocity=100, pitch=64, start=1.0, end=2.0))
    pm.instruments.append(piano)
    out = tmp_path / "tiny.wav"
    written = render_midi(pm, out, duration=4.0)
    audio, rate = read_wav(out)
    assert written == pytest.approx(4.0) and len(audio) == 4 * rate and audio.shape[1] == 2
    before = audio[: int(0.95 * rate)]
    during = audio[int(1.05 * rate) : int(1.9 * rate)]
    assert np.max(np.abs(before)) < 1e-3
    assert rms(during) > 0.05
    assert rms(during) > 100 * rms(before) + 1e-9


def test_render_without_duration_runs_past_the_last_note(tmp_path):
    pm = pretty_midi.PrettyMIDI()
    flute = pretty_midi.Instrument(program=73)
    flute.notes.append(pretty_midi.Note(80, 72, 0.2, 1.2))
    pm.instruments.append(flute)
    written = render_midi(pm, tmp_path / "free.wav")
    audio, rate = read_wav(tmp_path / "free.wav")
    assert written == pytest.approx(len(audio) / rate)
    assert 2.5 < written < 4.0


def test_fallback_synth_still_sounds(tmp_path, monkeypatch):
    monkeypatch.setattr(render_module, "SOUNDFONT", tmp_path / "missing.sf2")
    pm = pretty_midi.PrettyMIDI()
    strings = pretty_midi.Instrument(program=48)
    strings.notes.append(pretty_midi.Note(90, 57, 1.0, 2.0))
    pm.instruments.append(strings)
    render_midi(pm, tmp_path / "fallback.wav", duration=3.0)
    audio, rate = read_wav(tmp_path / "fallback.wav")
    assert len(audio) == 3 * rate
    assert np.max(np.abs(audio[: int(0.95 * rate)])) < 1e-3
    assert rms(audio[int(1.05 * rate) : int(1.9 * rate)]) > 0.05


def test_all_moods_are_reachable():
    assert {genre.mood for genre in genres.TABLE.values()} == set(MOODS)
