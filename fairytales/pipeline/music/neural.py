"""Music from a Music Transformer checkpoint (see ``transformer/``), its mood following the genre.

The genre picks one of the moods (``moods.py``), which gives a key, a tempo and a band. A
one-bar primer in that key (the tonic chord rising from its bass, a note a beat) opens the piece; a
checkpoint trained with mood control tokens also gets the mood's token in front. The model goes on
from there in windows: each window of ``max_len // 2`` tokens is sampled with the context cut to the
newest tokens (the control token kept first), notes outside the key made less likely (option
``key_strength``, subtracted from their logits), until the time shifts add up to the duration.
A piece longer than SECTION_SECONDS is made of sections of equal length, each opening with the primer
(the tonic chord returns like a verse), sampled together as one batch: a small model on a CPU draws
eight rows a step in about twice the time of one, so a film's score takes a third of the time.

Event tokens carry seconds, not beats, and the corpus (music21's scores, written to MIDI at 120 beats
a minute unless marked) taught the model to write at about MODEL_TEMPO. So the primer is played at
that tempo and the whole piece is then stretched to the mood's tempo: a dark tale's music is slower.
With ``key_strength`` 0 the option ``fit_key`` moves the model's notes, all by one interval, to the
transposition that best fits the key instead. The notes are shared out by register between the mood's bass,
accompaniment and melody instruments, and rendered with the SoundFont renderer both composers use.
The same seed gives the same score (sampling runs on the CPU).
"""

from __future__ import annotations

import importlib.util
import math
import os
import random
import secrets
from pathlib import Path

import pretty_midi

from ..backend import MODELS_DIR, SEED, BackendUnavailable, Option, OptionError, first_line, torch_dtype
from ..notes import Note
from ..types import ProgressCallback, no_progress
from . import Composer, MusicCue
from .moods import MINOR_MODES, MODES, MOOD_OPTION, MOODS, NOTE_NAMES, Mood, mood_for
from .render import render_midi, track_volume
from .transformer import events

MODEL_TEMPO = 120.0  # beats a minute the model writes at (see above)
TOKENS_PER_SECOND_LIMIT = 400  # a model that never moves time on is stopped here
# A long piece is sampled as sections of at most this many of the model's seconds, all at once (see above)
SECTION_SECONDS = 30.0
MAX_NOTE = 4.0  # seconds: a note the model forgets to switch off
# Krumhansl-Kessler key profiles, from the tonic up: how well each pitch class fits a major/minor key
MAJOR_PROFILE = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
MINOR_PROFILE = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)
TRAIN_HINT = "train one with `python manage.py train_music`"


class MusicTransformerComposer(Composer):
    name = "music_transformer"
    label = "Music Transformer"
    device_need = "cpu"  # 1M parameters, trained on this CPU: a GPU would buy seconds, not minutes
    declared_options = (
        Option("temperature", 1.0, "Температура", min=0.0, max=5.0),  # above 0: it divides the logits
        Option("top_k", 32, "top_k", min=0),  # 0: no limit
        SEED,  # None here: a random one
        MOOD_OPTION,  # None: the genre's
        Option("fit_key", False, "Сдвигать ноты в тональность"),
        Option("key_strength", 4.0, "Штраф за ноты вне тональности", min=0.0, max=20.0),
    )
    default_model = str(MODELS_DIR / "music_transformer" / "model.pt")

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model or os.environ.get(self.model_setting()) or None, device)
        self.net = None
        self.moods: list[str] = []

    # weights --------------------------------------------------------------------------------------

    def checkpoint_path(self) -> Path:
        path = Path(str(self.model)).expanduser()
        return path / "model.pt" if path.is_dir() else path

    def available(self) -> tuple[bool, str]:
        # asked when a tale's music is planned: whether torch is installed, not importing it (seconds) yet
        if importlib.util.find_spec("torch") is None:
            return False, f"{self.stage}/{self.name}: torch is missing (see requirements/neural.txt)"
        if not self.checkpoint_path().is_file():
            return False, str(self.missing_weights(TRAIN_HINT))
        return True, ""

    def load(self) -> None:
        path = self.checkpoint_path()
        if not path.is_file():
            raise self.missing_weights(TRAIN_HINT)
        import torch  # noqa: PLC0415

        from .transformer.model import ModelConfig, MusicTransformer  # noqa: PLC0415

        try:
            checkpoint = torch.load(path, map_location=self.device, weights_only=True)
        except Exception as exc:  # noqa: BLE001 - a truncated or foreign file
            raise self.missing_weights(f"unreadable: {first_line(exc)}") from exc
        if not isinstance(checkpoint, dict) or checkpoint.get("vocab") != events.VOCAB_ID:
            vocab = checkpoint.get("vocab") if isinstance(checkpoint, dict) else None
            raise BackendUnavailable(
                f"{self.stage}/{self.name}: {path} is not a {events.VOCAB_ID} checkpoint (vocab {vocab!r}); "
                f"train one with `python manage.py train_music`"
            )
        net = MusicTransformer(ModelConfig(**checkpoint["config"]))
        net.load_state_dict(checkpoint["state_dict"])
        self.net = net.to(self.device, dtype=torch_dtype(self.device)).eval()
        self.moods = list(checkpoint.get("moods") or [])

    # composing ------------------------------------------------------------------------------------

    def compose(
        self,
        duration: float,
        genre: str,
        out_wav: Path,
        out_midi: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
        cues: list[MusicCue] | None = None,  # the model follows its primer and the mood, not the scenes
    ) -> dict:
        import torch  # noqa: PLC0415

        opts = self.options(options)
        if not duration or duration <= 0:
            raise OptionError(f"music/{self.name}: duration must be positive, not {duration!r}")
        temperature, top_k, key_strength = opts["temperature"], opts["top_k"], opts["key_strength"]
        if temperature == 0:
            raise OptionError(f"music/{self.name}: temperature {temperature} is outside (0, 5]")
        mood_id = mood_for(genre, opts["mood"], f"music/{self.name}")
        seed = opts["seed"] if opts["seed"] is not None else secrets.randbelow(2**31)
        self.ensure_loaded()
        mood = MOODS[mood_id]
        rng = random.Random(seed)
        tonic_pc = rng.choice(mood.tonics)

        progress(0.02, Note("Музыка: {model} ({mood})", model=Note(self.label), mood=Note(mood.description)))
        control = [events.mood_token(mood_id)] if mood_id in self.moods else []
        primer = [events.BOS, *events.encode(primer_score(mood, tonic_pc, MODEL_TEMPO))]
        tokens = control + primer
        stretch = MODEL_TEMPO / mood.tempo  # the model's seconds -> the film's
        needed = duration / stretch
        sections = max(1, math.ceil(needed / SECTION_SECONDS))
        share = needed / sections  # of the model's seconds, each section's
        bias = key_bias(tonic_pc, mood.mode, key_strength) if key_strength else None
        generator = torch.Generator().manual_seed(seed)
        window = max(1, self.net.cfg.max_len // 2)
        rows = [list(tokens) for _ in range(sections)]
        budget = int(share * TOKENS_PER_SECOND_LIMIT) + len(tokens)
        threads = torch.get_num_threads()
        # one token at a time through a small model: more threads only add overhead (14x slower with two
        # threads on a busy 2-core machine)
        torch.set_num_threads(1)
        try:
            while min(map(events.duration_of, rows)) < share and len(rows[0]) < budget:
                recent = max(1, self.net.cfg.max_len - window - len(control))
                contexts = [control + row[len(control) :][-recent:] for row in rows]
                with torch.inference_mode():
                    made = self.net.generate_batch(
                        contexts, window, temperature=temperature, top_k=top_k, generator=generator,
                        keep=len(control), bias=bias,
                    )
                for row, new in zip(rows, made):
                    row += new
                done = min(duration, min(map(events.duration_of, rows)) * sections * stretch)
                progress(0.02 + 0.78 * done / duration, Note("Музыка: сочинено {done:.0f} из {total:.0f} с",
                                                                done=done, total=duration))
        finally:
            torch.set_num_threads(threads)

        notes = join_sections([events.decode(row, max_note=MAX_NOTE).instruments[0].notes for row in rows], share)
        for note in notes:
            note.start, note.end = note.start * stretch, note.end * stretch
        shift = 0
        if opts["fit_key"]:
            after = events.duration_of(control + primer) * stretch
            shift = fit_key(notes, after, tonic_pc, mood.mode in MINOR_MODES)
        pm = self._score(notes, mood, tonic_pc, duration)
        out_midi, out_wav = Path(out_midi), Path(out_wav)
        out_midi.parent.mkdir(parents=True, exist_ok=True)
        pm.write(str(out_midi))
        progress(0.85, Note("Музыка: партитура готова, синтезирую звук"))
        written = render_midi(pm, out_wav, duration=float(duration))
        progress(1.0, Note("Музыка готова"))
        return {
            "mood": mood_id,
            "description": mood.description,
            "tempo": float(mood.tempo),
            "key": f"{NOTE_NAMES[tonic_pc]} {mood.mode}",
            "instruments": [pretty_midi.program_to_instrument_name(i.program) for i in pm.instruments],
            "tokens": sum(len(row) for row in rows) - sections * (len(control) + len(primer)),
            "sections": sections,
            "transposed": shift,
            "duration": written,
            "model": str(self.checkpoint_path()),
            "seed": seed,
            "genre": genre,
        }

    def _score(self, notes: list[pretty_midi.Note], mood: Mood, tonic_pc: int, duration: float):
        """The notes cut at ``duration`` and shared out by register: bass below the bass clef's top,
        melody from just under the mood's melody register up, accompaniment between."""
        melody_floor = max(55, mood.register - 7)
        roles = {
            "bass": (mood.bass, []),
            "accompaniment": (mood.accompaniment, []),
            "melody": (mood.melody[0], []),
        }
        for note in notes:
            if note.start >= duration - 0.05:
                continue
            note.end = min(note.end, duration - 0.01)  # MIDI ticks round; never past the end
            if note.pitch < 48:
                role = "bass"
            else:
                role = "melody" if note.pitch >= melody_floor else "accompaniment"
            roles[role][1].append(note)
        pm = pretty_midi.PrettyMIDI(initial_tempo=float(mood.tempo))
        for role, (program, role_notes) in roles.items():
            if not role_notes:
                continue
            name = pretty_midi.program_to_instrument_name(program)
            inst = pretty_midi.Instrument(program, name=f"{role}: {name}")
            inst.control_changes.append(pretty_midi.ControlChange(7, track_volume(program, role), 0.0))
            inst.notes = role_notes
            pm.instruments.append(inst)
        pm.time_signature_changes.append(pretty_midi.TimeSignature(mood.beats, 4, 0.0))
        key_number = tonic_pc + (12 if mood.mode in MINOR_MODES else 0)
        pm.key_signature_changes.append(pretty_midi.KeySignature(key_number, 0.0))
        return pm


def join_sections(sections: list[list[pretty_midi.Note]], share: float) -> list[pretty_midi.Note]:
    """The sections' notes one after another, ``share`` seconds apart: each cut at its share (the
    last is cut by the score at the piece's end) and moved to its place."""
    joined = []
    for index, notes in enumerate(sections):
        last = index == len(sections) - 1
        for note in notes:
            if not last and note.start >= share:
                continue
            if not last:
                note.end = min(note.end, share)
            note.start, note.end = note.start + index * share, note.end + index * share
            joined.append(note)
    return joined


def fit_key(notes: list[pretty_midi.Note], after: float, tonic_pc: int, minor: bool) -> int:
    """Move the notes starting at ``after`` or later (the model's, not the primer's) by the number
    of semitones (-5..6, the smaller move on a tie) that best fits their pitch classes, weighted by
    length, to the key's profile; return that number. The model follows the primer's key only
    loosely, and the mood's key and mode are what the listener should hear."""
    weights = [0.0] * 12
    for note in notes:
        if note.start >= after:
            weights[note.pitch % 12] += note.end - note.start
    if not any(weights):
        return 0
    profile = MINOR_PROFILE if minor else MAJOR_PROFILE
    mean = sum(profile) / 12
    fit = [profile[(pc - tonic_pc) % 12] - mean for pc in range(12)]

    def score(shift: int) -> float:
        return sum(w * fit[(pc + shift) % 12] for pc, w in enumerate(weights))

    shift = max(sorted(range(-5, 7), key=abs), key=score)
    for note in notes:
        if note.start >= after and 0 <= note.pitch + shift < 128:
            note.pitch += shift
    return shift


def key_bias(tonic_pc: int, mode: str, strength: float):
    """A logit bias over the vocabulary: ``-strength`` on the NOTE_ONs of pitches outside the key
    (``mode``'s scale on ``tonic_pc``), 0 elsewhere."""
    import torch  # noqa: PLC0415

    scale = {(tonic_pc + step) % 12 for step in MODES[mode]}
    bias = torch.zeros(events.VOCAB_SIZE)
    for pitch in range(events.N_PITCHES):
        if pitch % 12 not in scale:
            bias[events.NOTE_ON + pitch] = -strength
    return bias


def primer_score(mood: Mood, tonic_pc: int, tempo: float | None = None) -> pretty_midi.PrettyMIDI:
    """One bar in the mood's key, at ``tempo`` (default the mood's): the tonic chord rising from its
    bass, a note a beat (bass, root, third, fifth; in three beats the fifth joins the third), each held
    to the bar's end."""
    tempo = tempo or mood.tempo
    spb = 60.0 / tempo
    scale = MODES[mood.mode]
    tonic = mood.register + ((tonic_pc - mood.register + 6) % 12) - 6  # the tonic nearest the register
    pitches = (36 + (tonic_pc - 36) % 12, tonic - 12, tonic - 12 + scale[2], tonic - 12 + scale[4])
    onsets = (0, 1, 2, 3) if mood.beats >= 4 else (0, 1, 2, 2)
    bar = mood.beats * spb
    velocity = int(64 * mood.loudness)
    inst = pretty_midi.Instrument(0)
    inst.notes = [
        pretty_midi.Note(velocity - (6 if beat else 0), pitch, beat * spb, bar * 0.97)
        for pitch, beat in zip(pitches, onsets)
    ]
    pm = pretty_midi.PrettyMIDI(initial_tempo=float(tempo))
    pm.instruments.append(inst)
    return pm
