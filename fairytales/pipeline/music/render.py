"""Render a PrettyMIDI score to a 16-bit stereo WAV.

The General MIDI SoundFont that pretty_midi ships (TimGM6mb.sf2) is played through tinysoundfont,
event by event, straight into a numpy buffer: no audio device, no temporary MIDI file. Where
tinysoundfont is missing or fails, a small additive synthesizer stands in so that a score still
sounds. Either way the result gets a light reverb, is normalised to about -3 dBFS, fitted to the
requested duration and faded out.
"""

from __future__ import annotations

import logging
import wave
from pathlib import Path

import numpy as np
import pretty_midi

from . import SAMPLE_RATE

log = logging.getLogger(__name__)

SOUNDFONT = Path(pretty_midi.__file__).resolve().parent / "TimGM6mb.sf2"
PEAK_DBFS = -3.0
TAIL = 2.0  # seconds left for notes to ring out when no duration is given
FADE_OUT = 1.5  # seconds
DRUM_CHANNEL = 9

# How loud each program of TimGM6mb.sf2 sounds (dB RMS, five 1 s notes at velocity 64): the composers
# set each track's volume so that a flute does not drown a celesta. Programs not listed count as -30.
PROGRAM_LEVEL_DB = {
    0: -38.1, 4: -31.5, 8: -36.0, 10: -30.2, 11: -24.7, 12: -33.3, 24: -27.2, 32: -25.0, 38: -23.9,
    40: -25.5, 42: -24.8, 43: -25.1, 44: -25.0, 45: -30.7, 46: -20.5, 47: -26.8, 48: -30.1, 49: -30.0,
    52: -24.1, 56: -24.9, 58: -25.6, 60: -19.4, 70: -27.7, 71: -27.0, 73: -22.2, 82: -21.8, 89: -23.5,
    90: -30.6, 92: -24.7, 95: -29.4, 98: -26.8,
}
DRUMS_LEVEL_DB = -50.8  # the ride cymbal
QUIETEST_DB = -38.1  # the level every track is brought down to, before its role's offset
ROLE_OFFSET_DB = {
    "melody": 0.0, "accompaniment": -3.0, "bass": -2.0, "pad": -3.0, "percussion": -4.0, "drums": 0.0,
}


def track_volume(program: int, role: str, drums: bool = False) -> int:
    """The track volume (CC7, which most synths read as a cubic curve) that evens out how loud
    ``program`` sounds, less the offset of its ``role`` (a key of ROLE_OFFSET_DB)."""
    level = DRUMS_LEVEL_DB if drums else PROGRAM_LEVEL_DB.get(program, -30.0)
    gain_db = min(0.0, QUIETEST_DB - level + ROLE_OFFSET_DB[role])
    return max(1, min(127, round(127 * 10 ** (gain_db / 60))))


def render_midi(
    pm: pretty_midi.PrettyMIDI,
    out_wav: Path,
    duration: float | None = None,
    sample_rate: int = SAMPLE_RATE,
    *,
    reverb: float = 0.18,
    soundfont: Path | None = None,
) -> float:
    """Write ``pm`` as a 16-bit stereo WAV; return the seconds written.

    With ``duration`` the audio is trimmed or padded to exactly that length, otherwise it runs to the
    last note plus a short tail. ``reverb`` is the wet level (0 for a dry rendering).
    """
    length = float(duration) if duration is not None else pm.get_end_time() + TAIL
    frames = max(1, int(round(length * sample_rate)))
    try:
        audio = synthesize_soundfont(pm, frames, sample_rate, soundfont or SOUNDFONT)
    except Exception as exc:  # noqa: BLE001 - any failure of the optional synth falls back
        log.warning("tinysoundfont rendering failed (%s); falling back to additive synthesis", exc)
        audio = synthesize_additive(pm, frames, sample_rate)
    if reverb > 0:
        audio = add_reverb(audio, sample_rate, reverb)
    audio = normalise(audio, PEAK_DBFS)
    fade_out(audio, min(FADE_OUT, length / 4), sample_rate)
    write_wav(out_wav, audio, sample_rate)
    return frames / sample_rate


# --- tinysoundfont ---------------------------------------------------------------------------------


def _channels(pm: pretty_midi.PrettyMIDI) -> list[int]:
    """A MIDI channel per instrument: drums on 9, the others on the remaining 15 (shared past that)."""
    melodic = [c for c in range(16) if c != DRUM_CHANNEL]
    channels, used = [], 0
    for inst in pm.instruments:
        if inst.is_drum:
            channels.append(DRUM_CHANNEL)
        else:
            channels.append(melodic[used % len(melodic)])
            used += 1
    return channels


def _events(pm: pretty_midi.PrettyMIDI, channels: list[int]) -> list[tuple]:
    """(time, order, kind, channel, a, b), sorted; at one instant controls go first, then note-offs."""
    events = []
    for inst, chan in zip(pm.instruments, channels):
        for cc in inst.control_changes:
            events.append((cc.time, 0, "cc", chan, cc.number, cc.value))
        for bend in inst.pitch_bends:
            events.append((bend.time, 0, "bend", chan, bend.pitch + 8192, 0))
        for note in inst.notes:
            events.append((note.start, 2, "on", chan, note.pitch, note.velocity))
            events.append((note.end, 1, "off", chan, note.pitch, 0))
    events.sort(key=lambda e: (e[0], e[1]))
    return events


def synthesize_soundfont(
    pm: pretty_midi.PrettyMIDI, frames: int, sample_rate: int, soundfont: Path
) -> np.ndarray:
    """Play ``pm`` through tinysoundfont; float32 array of shape (frames, 2)."""
    import tinysoundfont  # noqa: PLC0415 - optional: the fallback covers its absence

    if not Path(soundfont).is_file():
        raise FileNotFoundError(soundfont)
    synth = tinysoundfont.Synth(samplerate=sample_rate)
    sfid = synth.sfload(str(soundfont))
    channels = _channels(pm)
    for inst, chan in zip(pm.instruments, channels):
        try:
            synth.program_select(chan, sfid, 0, inst.program, is_drums=inst.is_drum)
        except RuntimeError:  # a preset the SoundFont lacks: keep the channel's piano
            log.warning("SoundFont has no program %d", inst.program)

    buffer = bytearray(frames * 2 * 4)  # stereo float32
    view = memoryview(buffer)
    done = 0

    def advance(until: int) -> None:
        nonlocal done
        until = min(until, frames)
        if until > done:
            synth.generate_simple(until - done, buffer=view[done * 8 : until * 8])
            done = until

    for time, _, kind, chan, a, b in _events(pm, channels):
        advance(int(round(time * sample_rate)))
        if done >= frames:
            break
        if kind == "on":
            synth.noteon(chan, a, b)
        elif kind == "off":
            synth.noteoff(chan, a)
        elif kind == "cc":
            synth.control_change(chan, a, b)
        else:
            synth.pitchbend(chan, a)
    advance(frames)
    return np.frombuffer(buffer, dtype=np.float32).reshape(frames, 2).copy()


# --- fallback: additive synthesis ------------------------------------------------------------------


def synthesize_additive(pm: pretty_midi.PrettyMIDI, frames: int, sample_rate: int) -> np.ndarray:
    """A few decaying harmonics per note, panned per instrument; drums are left out."""
    out = np.zeros((frames, 2), dtype=np.float32)
    release = 0.25
    melodic = [inst for inst in pm.instruments if not inst.is_drum]
    for index, inst in enumerate(melodic):
        pan = 0.5 if len(melodic) == 1 else 0.2 + 0.6 * index / (len(melodic) - 1)
        gains = np.array([np.cos(pan * np.pi / 2), np.sin(pan * np.pi / 2)], dtype=np.float32)
        for note in inst.notes:
            start = int(note.start * sample_rate)
            if start >= frames:
                continue
            held = max(note.end - note.start, 0.02)
            n = min(int((held + release) * sample_rate), frames - start)
            t = np.arange(n, dtype=np.float32) / sample_rate
            freq = pretty_midi.note_number_to_hz(note.pitch)
            partials = [k for k in (1, 2, 3, 4) if freq * k < sample_rate / 2]
            tone = sum(np.sin(2 * np.pi * freq * k * t) / k**1.5 for k in partials)
            envelope = np.minimum(t / 0.01, 1.0) * (0.6 + 0.4 * np.exp(-t / 0.3))
            envelope *= np.clip((held + release - t) / release, 0.0, 1.0)
            signal = (note.velocity / 127.0) * 0.2 * tone * envelope
            out[start : start + n] += signal[:, None] * gains
    return out


# --- post-processing -------------------------------------------------------------------------------


def add_reverb(audio: np.ndarray, sample_rate: int, wet: float, seconds: float = 1.8) -> np.ndarray:
    """A cheap hall: the mono mix, at a quarter of the rate, convolved with decaying noise per side.

    Working at a quarter rate keeps it a fraction of a second for minutes of audio and darkens the
    tail, which is what a room does anyway.
    """
    step = 4
    frames = len(audio)
    usable = frames - frames % step
    if usable < step * 16:
        return audio
    low_rate = sample_rate / step
    mono = audio[:usable].reshape(-1, 2 * step).sum(axis=1) / (2 * step)  # both sides, ``step`` frames
    rng = np.random.default_rng(12345)  # the same room every time
    n_ir = int(seconds * low_rate)
    t = np.arange(n_ir) / low_rate
    decay = np.exp(-6.9 * t / seconds) * np.minimum(t / 0.02, 1.0)  # -60 dB at ``seconds``
    size = 1 << int(np.ceil(np.log2(len(mono) + n_ir)))
    spectrum = np.fft.rfft(mono, size)
    out = audio.copy()
    ramp = np.arange(step, dtype=np.float32) / step
    for side in range(2):
        ir = rng.standard_normal(n_ir) * decay
        ir *= wet / np.sqrt(np.sum(ir**2))
        tail = np.fft.irfft(spectrum * np.fft.rfft(ir, size), size)[: len(mono) + 1].astype(np.float32)
        # back to the full rate by linear interpolation, ``step`` frames per low-rate sample
        upsampled = (tail[:-1, None] + (tail[1:] - tail[:-1])[:, None] * ramp).ravel()
        out[:usable, side] += upsampled
    return out


def normalise(audio: np.ndarray, peak_dbfs: float = PEAK_DBFS) -> np.ndarray:
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak < 1e-9:
        return audio
    return audio * (10 ** (peak_dbfs / 20) / peak)


def fade_out(audio: np.ndarray, seconds: float, sample_rate: int) -> None:
    n = min(len(audio), int(seconds * sample_rate))
    if n > 0:
        audio[len(audio) - n :] *= np.linspace(1.0, 0.0, n, dtype=audio.dtype)[:, None]


def write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    """16-bit PCM, stereo (a mono array is duplicated)."""
    if audio.ndim == 1:
        audio = np.stack([audio, audio], axis=1)
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
