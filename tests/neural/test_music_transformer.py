"""The Music Transformer: its event vocabulary, relative attention, training loop and composer backend,
on tiny models trained for a few steps here."""

import io
import wave

import numpy as np
import pretty_midi
import pytest
import torch

from fairytales.pipeline.backend import BackendUnavailable
from fairytales.pipeline.music import moods
from fairytales.pipeline.music.neural import MusicTransformerComposer
from fairytales.pipeline.music.transformer import events
from fairytales.pipeline.music.transformer.model import ModelConfig, MusicTransformer, skew
from fairytales.pipeline.music.transformer.train import procedural_corpus, train

TINY = ModelConfig(n_layer=2, n_head=2, d_model=32, max_len=64, dropout=0.0)


def hand_made_midi(path) -> pretty_midi.PrettyMIDI:
    pm = pretty_midi.PrettyMIDI(initial_tempo=100)
    piano = pretty_midi.Instrument(0)
    notes = [  # (pitch, start, end, velocity): a chord, a held note, a gap over 1 s, re-struck pitches
        (60, 0.0, 0.5, 80), (64, 0.0, 0.5, 80), (67, 0.013, 0.987, 81),
        (72, 0.5, 0.75, 100), (72, 0.75, 1.3, 33),
        (48, 2.734, 5.111, 1), (55, 3.0, 3.004, 127),
    ]
    piano.notes = [pretty_midi.Note(v, p, s, e) for p, s, e, v in notes]
    strings = pretty_midi.Instrument(48)
    strings.notes = [pretty_midi.Note(57, 76, 1.25, 2.5)]
    drums = pretty_midi.Instrument(0, is_drum=True)
    drums.notes = [pretty_midi.Note(90, 36, 0.0, 0.1)]
    pm.instruments += [piano, strings, drums]
    pm.write(str(path))
    return pretty_midi.PrettyMIDI(str(path))


def note_set(pm):
    notes = [n for inst in pm.instruments if not inst.is_drum for n in inst.notes]
    return sorted((n.pitch, n.start, n.end, n.velocity) for n in notes)


# --- events --------------------------------------------------------------------------------------


def test_vocabulary_layout():
    assert events.EVENT_TOKENS == 388
    assert (events.NOTE_OFF, events.TIME_SHIFT, events.VELOCITY) == (128, 256, 356)
    assert (events.PAD, events.BOS, events.EOS, events.MOOD) == (388, 389, 390, 391)
    assert events.VOCAB_SIZE == 401
    assert set(events.MOOD_NAMES) == set(moods.MOODS)
    assert events.token_name(256) == "TIME_SHIFT_10ms" and events.token_name(355) == "TIME_SHIFT_1000ms"


def test_encode_decode_round_trip(tmp_path):
    original = hand_made_midi(tmp_path / "hand.mid")
    tokens = events.encode(original)
    assert all(0 <= t < events.EVENT_TOKENS for t in tokens)
    decoded = events.decode(tokens)
    before, after = note_set(original), note_set(decoded)
    assert len(before) == len(after) == 8  # drums left out
    for (p0, s0, e0, v0), (p1, s1, e1, v1) in zip(before, after):
        assert p0 == p1
        assert abs(s0 - s1) <= 0.01 + 1e-6
        assert abs(e0 - e1) <= 0.01 + 1e-6 or (e0 - s0 < 0.01 and e1 - s1 == pytest.approx(0.01))
        assert events.velocity_bin(v0) == events.velocity_bin(v1) and v1 > 0
    # written through a MIDI file too
    decoded.write(str(tmp_path / "back.mid"))
    again = note_set(pretty_midi.PrettyMIDI(str(tmp_path / "back.mid")))
    assert [n[0] for n in again] == [n[0] for n in after]


def test_long_gaps_and_transpose():
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(0)
    inst.notes = [pretty_midi.Note(64, 60, 0.0, 0.1), pretty_midi.Note(64, 62, 3.555, 3.6)]
    pm.instruments.append(inst)
    tokens = events.encode(pm)
    assert events.duration_of(tokens) == pytest.approx(3.6)
    assert tokens.count(events.TIME_SHIFT + 99) == 3  # 3.455 s of silence: 1 s, 1 s, 1 s, 0.455 s
    up = events.transpose(tokens, 5)
    assert sorted(n.pitch for n in events.decode(up).instruments[0].notes) == [65, 67]
    assert events.transpose(tokens, 100) is None


# --- model ---------------------------------------------------------------------------------------


def test_skew_equals_direct_relative_logits():
    torch.manual_seed(1)
    B, H, L, D = 2, 3, 7, 5
    q = torch.randn(B, H, L, D)
    Er = torch.randn(H, L, D)  # row r: distance r - (L - 1)
    fast = skew(q @ Er.transpose(-1, -2))
    slow = torch.zeros(B, H, L, L)
    for i in range(L):
        for j in range(i + 1):
            slow[:, :, i, j] = (q[:, :, i] * Er[:, j - i + L - 1]).sum(-1)
    lower = torch.ones(L, L, dtype=torch.bool).tril()
    assert torch.allclose(fast[..., lower], slow[..., lower], atol=1e-5)


def test_attention_layer_uses_the_skewed_relative_logits():
    model = MusicTransformer(TINY).eval()
    attn = model.blocks[0].attn
    T = 9
    q = torch.randn(1, TINY.n_head, T, TINY.d_model // TINY.n_head)
    rel = attn.relative_logits(q, T)
    Er = attn.Er[:, TINY.max_len - T :]
    for i in range(T):
        for j in range(i + 1):
            expected = (q[0, :, i] * Er[:, j - i + T - 1]).sum(-1)
            assert torch.allclose(rel[0, :, i, j], expected, atol=1e-5)


def test_causal_mask_and_cache():
    model = MusicTransformer(TINY).eval()
    x = torch.randint(0, events.EVENT_TOKENS, (1, 20))
    changed = x.clone()
    changed[0, 12] = (x[0, 12] + 7) % events.EVENT_TOKENS
    with torch.no_grad():
        a, _, _ = model(x)
        b, _, _ = model(changed)
        assert torch.allclose(a[0, :12], b[0, :12], atol=1e-6)
        assert not torch.allclose(a[0, 12:], b[0, 12:])
        # one token at a time through the cache gives the same logits
        logits, _, caches = model(x[:, :5])
        steps = [logits[0, -1]]
        for t in range(5, 20):
            logits, _, caches = model(x[:, t : t + 1], caches=caches)
            steps.append(logits[0, -1])
        assert torch.allclose(torch.stack(steps), a[0, 4:], atol=1e-5)


def test_generate_is_seeded_and_slides_past_max_len():
    model = MusicTransformer(ModelConfig(n_layer=1, n_head=2, d_model=16, max_len=16, dropout=0.0))

    def run(seed):
        return model.generate([events.BOS], 40, top_k=8, generator=torch.Generator().manual_seed(seed))

    first = run(1)
    assert len(first) == 40 and first == run(1) and first != run(2)
    assert not set(first) & set(events.SPECIAL_TOKENS)


def test_a_batch_samples_its_rows_together_and_one_row_as_before():
    model = MusicTransformer(ModelConfig(n_layer=1, n_head=2, d_model=16, max_len=16, dropout=0.0))
    primers = [[events.BOS, 60], [events.BOS, 64], [events.BOS, 67]]
    rows = model.generate_batch(primers, 40, top_k=8, generator=torch.Generator().manual_seed(5))
    again = model.generate_batch(primers, 40, top_k=8, generator=torch.Generator().manual_seed(5))
    assert rows == again and [len(r) for r in rows] == [40, 40, 40]
    assert len({tuple(r) for r in rows}) == 3  # each row its own draws
    # with one row, the batch is the single-row sampler: the same seed draws the same tokens
    single = model.generate([events.BOS, 60], 40, top_k=8, generator=torch.Generator().manual_seed(5))
    assert single == model.generate_batch([[events.BOS, 60]], 40, top_k=8,
                                          generator=torch.Generator().manual_seed(5))[0]
    with pytest.raises(ValueError, match="one length"):
        model.generate_batch([[events.BOS], [events.BOS, 60]], 4)


# --- training ------------------------------------------------------------------------------------


def test_a_few_steps_lower_the_loss(tmp_path):
    data = [hand_made_midi(tmp_path / "hand.mid")] * 2 + [[events.TIME_SHIFT + 9, 60, 188] * 40]
    losses = train(data, TINY, steps=40, batch=8, lr=3e-3, log=lambda _: None, device="cpu", transpose=0)
    assert len(losses) == 40
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.5


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    path = tmp_path_factory.mktemp("mt") / "model.pt"
    lines = []
    data = procedural_corpus(per_mood=1, duration=15.0)
    try:
        losses = train(
            data, TINY, steps=15, batch=4, lr=3e-3, out_checkpoint=path, log=lines.append, device="cpu"
        )
    finally:
        torch.set_num_threads(threads)
    assert path.is_file() and lines[-1].startswith("saved")
    saved = torch.load(path, weights_only=True)
    assert saved["vocab"] == "mt-388-v1" and saved["loss"] == losses and saved["config"]["max_len"] == 64
    assert saved["moods"] == sorted(events.MOOD_NAMES)
    return path


def read_wav(path):
    with wave.open(str(path)) as w:
        assert w.getframerate() == 44100 and w.getsampwidth() == 2
        frames = w.getnframes()
        audio = np.frombuffer(w.readframes(frames), dtype="<i2").astype(np.float64)
    return frames, audio


def test_composer_loads_checkpoint_and_composes(checkpoint, tmp_path):
    composer = MusicTransformerComposer(model=str(checkpoint), device="cpu")
    assert composer.available() == (True, "")
    seen = []
    info = composer.compose(
        10.0, "ужасы", tmp_path / "m.wav", tmp_path / "m.mid", {"seed": 7},
        progress=lambda fraction, _: seen.append(fraction),
    )
    assert info["mood"] == "dark" and info["tempo"] == moods.MOODS["dark"].tempo
    assert info["tokens"] > 0 and info["duration"] == pytest.approx(10.0) and info["model"] == str(checkpoint)
    assert info["instruments"]
    frames, audio = read_wav(tmp_path / "m.wav")
    assert frames == 10 * 44100
    assert np.sqrt(np.mean(audio**2)) > 100  # not silent
    pm = pretty_midi.PrettyMIDI(str(tmp_path / "m.mid"))
    assert sum(len(i.notes) for i in pm.instruments) > 4
    dark = moods.MOODS["dark"]
    programs = {dark.bass, dark.accompaniment, dark.melody[0]}
    assert {i.program for i in pm.instruments} <= programs
    assert max(n.end for i in pm.instruments for n in i.notes) <= 10.0 + 1e-6
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4
    raw = composer.compose(3.0, "ужасы", tmp_path / "r.wav", tmp_path / "r.mid", {"seed": 7, "fit_key": "false"})
    assert raw["transposed"] == 0


def test_a_long_piece_is_sampled_in_sections_that_fill_it(checkpoint, tmp_path):
    composer = MusicTransformerComposer(model=str(checkpoint), device="cpu")
    seconds = 100.0  # «сказка»'s mood is slower than the model's tempo: over three sections of 30 s
    info = composer.compose(seconds, "сказка", tmp_path / "a.wav", tmp_path / "a.mid", {"seed": 11})
    assert info["sections"] >= 3
    composer.compose(seconds, "сказка", tmp_path / "b.wav", tmp_path / "b.mid", {"seed": 11})
    assert (tmp_path / "a.mid").read_bytes() == (tmp_path / "b.mid").read_bytes()
    frames, audio = read_wav(tmp_path / "a.wav")
    assert frames == seconds * 44100
    starts = sorted(n.start for i in pretty_midi.PrettyMIDI(str(tmp_path / "a.mid")).instruments for n in i.notes)
    span = seconds / info["sections"]
    for section in range(info["sections"]):  # every section has its notes, in its own span of the piece
        assert any(section * span <= start < (section + 1) * span for start in starts), section
    assert starts[-1] < seconds
    quarters = np.array_split(audio, 4)
    assert min(np.sqrt(np.mean(q**2)) for q in quarters) > 50  # no silent stretch


def test_same_seed_same_score(checkpoint, tmp_path):
    composer = MusicTransformerComposer(model=str(checkpoint), device="cpu")
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        options = {"seed": seed, "top_k": 16}
        composer.compose(4.0, "сказка", tmp_path / f"{name}.wav", tmp_path / f"{name}.mid", options)
    midi = {name: (tmp_path / f"{name}.mid").read_bytes() for name in "abc"}
    assert midi["a"] == midi["b"]
    assert midi["a"] != midi["c"]


def test_missing_checkpoint_is_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("MODEL_MUSIC_MUSIC_TRANSFORMER", raising=False)
    composer = MusicTransformerComposer(model=str(tmp_path / "nowhere" / "model.pt"))
    ok, why = composer.available()
    assert not ok and "MODEL_MUSIC_MUSIC_TRANSFORMER" in why
    with pytest.raises(BackendUnavailable) as err:
        composer.compose(5.0, "сказка", tmp_path / "m.wav", tmp_path / "m.mid", {"seed": 1})
    message = str(err.value)
    assert "\n" not in message
    assert "MODEL_MUSIC_MUSIC_TRANSFORMER" in message and "fetch_models" in message
    assert not (tmp_path / "m.wav").exists()


def test_default_model_and_setting(monkeypatch, tmp_path):
    assert MusicTransformerComposer.default_model.endswith("models/music_transformer/model.pt")
    monkeypatch.setenv("MODEL_MUSIC_MUSIC_TRANSFORMER", str(tmp_path))
    composer = MusicTransformerComposer()
    assert composer.checkpoint_path() == tmp_path / "model.pt"  # a folder holds model.pt
    with pytest.raises(Exception, match="unknown option"):
        composer.options({"tempo": 90})


def test_music21_corpus_gives_tokens():
    pytest.importorskip("music21")
    from fairytales.pipeline.music.transformer.train import music21_corpus  # noqa: PLC0415

    pieces = music21_corpus(limit=2, composers=["bach"], log=lambda _: None)
    assert len(pieces) == 2
    for tokens in pieces:
        assert len(tokens) > 50 and all(0 <= t < events.EVENT_TOKENS for t in tokens)


def test_train_music_command(tmp_path):
    from django.core.management import call_command  # noqa: PLC0415

    out = tmp_path / "cmd" / "model.pt"
    args = "--procedural 1 --steps 2 --layers 1 --heads 2 --d-model 16 --max-len 32 --batch 2 --device cpu"
    log = io.StringIO()
    call_command("train_music", *args.split(), "-o", str(out), stdout=log)
    saved = torch.load(out, weights_only=True)
    assert saved["config"]["d_model"] == 16 and len(saved["loss"]) == 2
    assert f"{out}: loss" in log.getvalue()


def test_fit_key_moves_the_continuation_into_the_mood_key():
    from fairytales.pipeline.music.neural import fit_key  # noqa: PLC0415

    c_major = [60, 62, 64, 65, 67, 69, 71, 72, 64, 67, 60]
    primer = [pretty_midi.Note(60, 62, 0.0, 0.5)]  # before ``after``: left alone
    notes = primer + [pretty_midi.Note(60, p, 1.0 + i * 0.5, 1.5 + i * 0.5) for i, p in enumerate(c_major)]
    shift = fit_key(notes, 1.0, 7, minor=False)  # to G major
    assert shift == -5 and notes[0].pitch == 62
    g_major = {7, 9, 11, 0, 2, 4, 6}
    assert {n.pitch % 12 for n in notes[1:]} <= g_major
    assert fit_key(notes, 1.0, 7, minor=False) == 0  # already there
