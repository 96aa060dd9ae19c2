"""The soundtrack: every scene's narration at its place, and the music ducked under the voice."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..narration.assemble import read_frames, read_wav, write_wav
from .timeline import Timeline

RATE = 44100


def resample(samples: np.ndarray, rate: int, target: int = RATE) -> np.ndarray:
    if rate == target or len(samples) == 0:
        return samples
    positions = np.arange(int(len(samples) * target / rate)) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def voice_envelope(voice: np.ndarray, window: float = 0.05, smooth: float = 0.35) -> np.ndarray:
    """0..1 per sample: how much the voice speaks here, with soft attack and release."""
    hop = max(1, int(window * RATE))
    frames = len(voice) // hop + 1
    padded = np.zeros(frames * hop, dtype=np.float32)
    padded[: len(voice)] = np.abs(voice)
    speaking = (padded.reshape(frames, hop).max(axis=1) > 0.02).astype(np.float32)
    # spread each spoken frame over ``smooth`` seconds either side, so the music dips before the voice
    spread = int(smooth / window)
    kernel = np.ones(2 * spread + 1, dtype=np.float32)
    speaking = np.minimum(1.0, np.convolve(speaking, kernel, mode="same"))
    ramp = np.convolve(speaking, np.hanning(2 * spread + 1) / np.hanning(2 * spread + 1).sum(), mode="same")
    return np.repeat(ramp, hop)[: len(voice)]


def mix(timeline: Timeline, narrations: list[Path], music: Path | None, out_wav: Path,
        music_level: float = 0.5, ducked_level: float = 0.15, voice_level: float = 0.95) -> dict:
    """Write the stereo soundtrack; return the levels used (for the artifact's record)."""
    length = int(timeline.duration * RATE)
    voice = np.zeros(length, dtype=np.float32)
    for segment, path in zip(timeline.segments[1:], narrations):
        samples, rate = read_wav(path)
        samples = resample(samples, rate)
        begin = int(segment.voice_start * RATE)
        end = min(length, begin + len(samples))
        voice[begin:end] += samples[: end - begin]
    peak = float(np.abs(voice).max()) or 1.0
    voice *= voice_level / peak
    left = right = voice
    if music is not None:
        score, rate = _read_stereo(music)
        score = np.stack([resample(score[:, c], rate) for c in range(2)], axis=1)
        if len(score) < length:  # loop rather than fall silent before the end
            score = np.tile(score, (length // len(score) + 1, 1))
        score = score[:length]
        gain = music_level - (music_level - ducked_level) * voice_envelope(voice)
        fade = np.ones(length, dtype=np.float32)
        n = min(length, int(2.0 * RATE))
        fade[-n:] = np.linspace(1.0, 0.0, n)
        fade[: int(0.5 * RATE)] = np.linspace(0.0, 1.0, int(0.5 * RATE))
        left = voice + score[:, 0] * gain * fade
        right = voice + score[:, 1] * gain * fade
    stereo = np.stack([left, right], axis=1)
    peak = float(np.abs(stereo).max())
    if peak > 0.98:
        stereo *= 0.98 / peak
    write_wav(out_wav, stereo, RATE)
    return {"music_level": music_level, "ducked_level": ducked_level}


def _read_stereo(path: Path) -> tuple[np.ndarray, int]:
    frames, rate = read_frames(path)
    return (np.repeat(frames, 2, axis=1) if frames.shape[1] == 1 else frames[:, :2]), rate
