"""The Music Transformer's event vocabulary (Oore et al. 2018, "This time with feeling"; Huang et al. 2018).

A performance is a stream of events, one token each::

    id         event            meaning
    0..127     NOTE_ON(p)       pitch p starts sounding, at the current velocity
    128..255   NOTE_OFF(p)      pitch p stops
    256..355   TIME_SHIFT(k)    time moves on by k * 10 ms, k = 1..100 (token 256 = 10 ms, 355 = 1 s)
    356..387   VELOCITY(b)      later NOTE_ONs play at velocity bin b = velocity // 4, b = 0..31
    --- the 388 tokens above are the paper's vocabulary; what follows is ours ---
    388        PAD              fills short training crops; never a target, never sampled
    389        BOS              starts a piece
    390        EOS              ends a piece
    391..400   MOOD(m)          a control token, first in a sequence, for a model trained with moods;
                                m indexes MOOD_NAMES (the moods of moods.py, frozen here so
                                that a checkpoint keeps its meaning if moods are added later)

VOCAB_SIZE (401) is the size a model's embedding needs; "mt-388-v1" names this layout in checkpoints.

Times are quantised to 10 ms. At one instant NOTE_OFFs come before NOTE_ONs, so a pitch can end and
be struck again at once. A velocity token is written only when the bin changes and decodes to the
middle of its bin. Drums are left out; every other instrument is merged into one stream (the
vocabulary has no programs). Where a pitch is struck again while still sounding, the earlier note
is cut where the new one starts. The sustain pedal is not applied.
"""

from __future__ import annotations

import pretty_midi

VOCAB_ID = "mt-388-v1"

NOTE_ON = 0
NOTE_OFF = 128
TIME_SHIFT = 256
VELOCITY = 356
N_PITCHES = 128
N_TIME_SHIFTS = 100
N_VELOCITIES = 32
STEP = 0.01  # seconds per TIME_SHIFT unit
EVENT_TOKENS = VELOCITY + N_VELOCITIES  # 388

PAD = EVENT_TOKENS
BOS = PAD + 1
EOS = PAD + 2
MOOD = PAD + 3
MOOD_NAMES = (
    "waltz", "music_box", "dark", "modal", "heroic", "synth", "dreamy", "playful", "noir", "tender",
)
VOCAB_SIZE = MOOD + len(MOOD_NAMES)  # 401
SPECIAL_TOKENS = tuple(range(EVENT_TOKENS, VOCAB_SIZE))


def mood_token(mood: str) -> int:
    return MOOD + MOOD_NAMES.index(mood)


def velocity_bin(velocity: int) -> int:
    return max(0, min(N_VELOCITIES - 1, int(velocity) * N_VELOCITIES // 128))


def bin_velocity(b: int) -> int:
    """The middle of bin ``b`` (each bin holds 4 velocities), never 0: a NOTE_ON at 0 is silence."""
    width = 128 // N_VELOCITIES
    return max(1, min(127, b * width + width // 2))


def encode(pm: pretty_midi.PrettyMIDI) -> list[int]:
    """The event tokens of every non-drum note in ``pm`` (no BOS/EOS)."""
    notes = [n for inst in pm.instruments if not inst.is_drum for n in inst.notes]
    return encode_notes(notes)


def encode_notes(notes: list[pretty_midi.Note]) -> list[int]:
    # (step, 0 = off / 1 = on, pitch, velocity); a note lasts at least one step
    by_pitch: dict[int, list[tuple[int, int, int]]] = {}
    for note in notes:
        start = int(round(note.start / STEP))
        end = max(int(round(note.end / STEP)), start + 1)
        by_pitch.setdefault(note.pitch, []).append((start, end, note.velocity))
    events = []
    for pitch, spans in by_pitch.items():
        spans.sort()
        for i, (start, end, velocity) in enumerate(spans):
            if i + 1 < len(spans):  # overlaps a later strike of the same pitch: cut it there
                end = min(end, spans[i + 1][0])
            if end <= start:  # two strikes on the same step: keep the last
                continue
            events.append((start, 1, pitch, velocity))
            events.append((end, 0, pitch, 0))
    events.sort()

    tokens: list[int] = []
    now, current_bin = 0, None
    for step, is_on, pitch, velocity in events:
        shift = step - now
        while shift > 0:
            k = min(shift, N_TIME_SHIFTS)
            tokens.append(TIME_SHIFT + k - 1)
            shift -= k
        now = step
        if is_on:
            b = velocity_bin(velocity)
            if b != current_bin:
                tokens.append(VELOCITY + b)
                current_bin = b
            tokens.append(NOTE_ON + pitch)
        else:
            tokens.append(NOTE_OFF + pitch)
    return tokens


def decode(
    tokens,
    program: int = 0,
    tempo: float = 120.0,
    *,
    max_note: float | None = None,
    default_velocity: int = 64,
) -> pretty_midi.PrettyMIDI:
    """One instrument playing ``tokens``; special tokens are skipped. ``tempo`` only goes into the
    file (times are seconds either way). A note never switched off ends with the stream, or after
    ``max_note`` seconds when given."""
    inst = pretty_midi.Instrument(program=int(program))
    now = 0
    velocity = default_velocity
    sounding: dict[int, tuple[int, int]] = {}  # pitch -> (start step, velocity)

    def close(pitch: int, at: int) -> None:
        start, vel = sounding.pop(pitch)
        end = max(at, start + 1)
        if max_note is not None:
            end = min(end, start + max(1, int(round(max_note / STEP))))
        inst.notes.append(pretty_midi.Note(vel, pitch, start * STEP, end * STEP))

    for token in (int(t) for t in tokens):
        if NOTE_ON <= token < NOTE_OFF:
            pitch = token - NOTE_ON
            if pitch in sounding:
                close(pitch, now)
            sounding[pitch] = (now, velocity)
        elif NOTE_OFF <= token < TIME_SHIFT:
            pitch = token - NOTE_OFF
            if pitch in sounding:
                close(pitch, now)
        elif TIME_SHIFT <= token < VELOCITY:
            now += token - TIME_SHIFT + 1
        elif VELOCITY <= token < EVENT_TOKENS:
            velocity = bin_velocity(token - VELOCITY)
    for pitch in list(sounding):
        close(pitch, now)
    inst.notes.sort(key=lambda n: (n.start, n.pitch))
    pm = pretty_midi.PrettyMIDI(initial_tempo=float(tempo))
    pm.instruments.append(inst)
    return pm


def duration_of(tokens) -> float:
    """Seconds the time shifts in ``tokens`` add up to."""
    return STEP * sum(int(t) - TIME_SHIFT + 1 for t in tokens if TIME_SHIFT <= int(t) < VELOCITY)


def transpose(tokens: list[int], semitones: int) -> list[int] | None:
    """``tokens`` with every note moved by ``semitones``; None where a note would leave 0..127."""
    out = []
    for t in tokens:
        if NOTE_ON <= t < TIME_SHIFT:
            base = NOTE_ON if t < NOTE_OFF else NOTE_OFF
            pitch = t - base + semitones
            if not 0 <= pitch < N_PITCHES:
                return None
            out.append(base + pitch)
        else:
            out.append(t)
    return out


def token_name(token: int) -> str:
    """A readable name, for logs and debugging: NOTE_ON_60, TIME_SHIFT_250ms, MOOD_waltz..."""
    t = int(token)
    if t < NOTE_OFF:
        return f"NOTE_ON_{t}"
    if t < TIME_SHIFT:
        return f"NOTE_OFF_{t - NOTE_OFF}"
    if t < VELOCITY:
        return f"TIME_SHIFT_{(t - TIME_SHIFT + 1) * 10}ms"
    if t < EVENT_TOKENS:
        return f"VELOCITY_{t - VELOCITY}"
    if t < MOOD:
        return ("PAD", "BOS", "EOS")[t - PAD]
    if t < VOCAB_SIZE:
        return f"MOOD_{MOOD_NAMES[t - MOOD]}"
    raise ValueError(f"token {t} is outside the vocabulary (0..{VOCAB_SIZE - 1})")
