"""Joining spoken chunks into one scene track with pauses, and timing the subtitles on it.

Every narrator backend produces (chunk text, samples) pairs; this module turns them into the
scene's WAV and its cues, so subtitles are timed by the audio actually made, not estimated.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from ..types import Cue


def read_frames(path: Path) -> tuple[np.ndarray, int]:
    """float32 samples in [-1, 1], frames × channels, and the sample rate of a 16-bit PCM WAV."""
    with wave.open(str(path), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        raw = wav.readframes(wav.getnframes())
    if width != 2:
        raise ValueError(f"{path}: expected 16-bit PCM, got {8 * width}-bit")
    return (np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0).reshape(-1, channels), rate


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono float32 samples in [-1, 1] and the sample rate of a 16-bit PCM WAV."""
    frames, rate = read_frames(path)
    return frames.mean(axis=1) if frames.shape[1] > 1 else frames[:, 0], rate


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write mono (1-D) or multi-channel (frames × channels) float samples as 16-bit PCM."""
    samples = np.clip(samples, -1.0, 1.0)
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    pcm = (samples * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def trim_silence(samples: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """Drop the leading and trailing near-silence a TTS engine pads its output with."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    margin = 200
    return samples[max(0, loud[0] - margin) : loud[-1] + margin]


def join_chunks(
    spoken: list[tuple[str, np.ndarray, float]], rate: int, out_wav: Path
) -> tuple[float, list[Cue]]:
    """``spoken``: (text, samples, pause after, seconds). Writes the track; returns its length and cues."""
    pieces: list[np.ndarray] = []
    cues: list[Cue] = []
    t = 0.0
    for text, samples, pause in spoken:
        length = len(samples) / rate
        cues.append(Cue(start=round(t, 3), end=round(t + length, 3), text=text))
        pieces.append(samples.astype(np.float32))
        pieces.append(np.zeros(int(pause * rate), dtype=np.float32))
        t += length + pause
    track = np.concatenate(pieces) if pieces else np.zeros(int(0.5 * rate), dtype=np.float32)
    write_wav(out_wav, track, rate)
    return len(track) / rate, cues
