"""What a fresh checkout makes a tale with, no download: the JamSpell model and the Music Transformer
checkpoint the project ships, each falling back to its pure-Python stand-in where it cannot run."""

from pathlib import Path

import pretty_midi
import pytest

from fairytales.pipeline import registry
from fairytales.pipeline.backend import MODELS_DIR
from fairytales.pipeline.music.moods import MODES, MOODS
from fairytales.pipeline.music.neural import MusicTransformerComposer
from fairytales.pipeline.proofread.jamspell.backend import JamSpellProofreader
from tests.media import rms, wav_samples

PACKED_SPELLING = MODELS_DIR / "jamspell" / "ru_small.bin.xz"
MUSIC_CHECKPOINT = MODELS_DIR / "music_transformer" / "model.pt"


def test_the_shipped_models_are_the_defaults_and_small():
    assert registry.default_backend("proofread") == "jamspell"
    assert registry.default_backend("music") == "music_transformer"
    assert registry.get("music").model == str(MUSIC_CHECKPOINT)
    assert 1e6 < PACKED_SPELLING.stat().st_size <= 20e6
    assert 1e6 < MUSIC_CHECKPOINT.stat().st_size <= 20e6


def test_without_a_shipped_model_the_stage_falls_back(monkeypatch, tmp_path):
    monkeypatch.setenv("MODEL_MUSIC_MUSIC_TRANSFORMER", str(tmp_path / "none.pt"))
    monkeypatch.setenv("MODEL_PROOFREAD_JAMSPELL", str(tmp_path / "none.bin"))
    assert registry.default_backend("music") == "procedural"
    assert registry.default_backend("proofread") == "dictionary"


def test_the_shipped_spelling_model_unpacks_once_and_fixes_slips(monkeypatch, tmp_path):
    monkeypatch.setenv("VIDEOTALES_VAR", str(tmp_path))
    fixed = JamSpellProofreader().fix("Жыла-была лиса. Пашла она в лес за малоком и встретила волка.", {})
    assert fixed.text == "Жила-была лиса. Пошла она в лес за молоком и встретила волка."
    unpacked = tmp_path / "models" / "jamspell" / "ru_small.bin"
    assert unpacked.stat().st_size > 2 * PACKED_SPELLING.stat().st_size
    assert Path(f"{unpacked}.spell").stat().st_size > 0  # JamSpell's candidate cache, built once
    made = unpacked.stat().st_mtime_ns
    assert JamSpellProofreader().fix("Кот сидел на акне.", {}).text == "Кот сидел на окне."
    assert unpacked.stat().st_mtime_ns == made


def _notes(midi: Path) -> list[pretty_midi.Note]:
    return [n for inst in pretty_midi.PrettyMIDI(str(midi)).instruments for n in inst.notes]


@pytest.fixture(scope="module")
def composed(tmp_path_factory):
    """30 s of the shipped model's music for a horror tale (mood "dark") and a funny one ("playful")."""
    import torch  # noqa: PLC0415

    folder = tmp_path_factory.mktemp("music")
    composer = MusicTransformerComposer()
    threads = torch.get_num_threads()
    out = {}
    for genre, mood in (("ужасы", "dark"), ("юмор", "playful")):
        info = composer.compose(30, genre, folder / f"{mood}.wav", folder / f"{mood}.mid", {"seed": 7})
        assert info["mood"] == mood
        assert torch.get_num_threads() == threads  # it samples on one thread and gives the rest back
        out[mood] = info, folder / f"{mood}.wav", folder / f"{mood}.mid"
    return out


def test_the_shipped_model_makes_music_of_the_length_asked(composed):
    for info, wav, midi in composed.values():
        samples, rate = wav_samples(wav)
        assert len(samples) / rate == pytest.approx(30, abs=0.05)
        assert rms(samples) > 0.01
        notes = _notes(midi)
        assert len(notes) > 30 and len({n.pitch for n in notes}) > 8  # a tune, not one repeated note
        sounding = {half for n in notes for half in range(int(n.start * 2), int(n.end * 2) + 1)}
        assert len(sounding & set(range(60))) > 0.8 * 60  # no long silences: most half-seconds sound


def test_the_mood_picks_key_tempo_and_band(composed):
    onsets = {}
    for mood, (info, _, midi) in composed.items():
        notes = _notes(midi)
        tonic = pretty_midi.note_name_to_number(info["key"].split()[0] + "4") % 12
        scale = {(tonic + step) % 12 for step in MODES[MOODS[mood].mode]}
        in_key = sum(n.end - n.start for n in notes if n.pitch % 12 in scale) / sum(n.end - n.start for n in notes)
        assert in_key > 0.9, (mood, in_key)
        assert info["tempo"] == MOODS[mood].tempo
        onsets[mood] = len({round(n.start, 2) for n in notes})
    assert composed["dark"][0]["instruments"] != composed["playful"][0]["instruments"]
    # the dark mood is half the playful one's tempo: the same model writes fewer notes a second
    assert onsets["dark"] < 0.8 * onsets["playful"]


def test_the_spelling_model_leaves_a_storys_own_words_alone():
    """Words no dictionary knows but the story uses again («молодильное яблочко», «мышка-норушка») are
    the writer's, and a candidate in another case («молотильном») is another word, not a spelling."""
    story = ("Жила-была мышка-норушка. Нашла норушка молодильное яблочко. Спрятала норушку сова, "
             "а молодильного яблочка сова не нашла. Пашла норушка дамой.")
    fixed = JamSpellProofreader().fix(story, {})
    assert fixed.corrections == [("Пашла", "Пошла")]
