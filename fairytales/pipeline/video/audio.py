"""The soundtrack: every scene's narration at its place, and the music ducked under the voice.

Mixed in blocks of a few seconds, so memory does not grow with the film: the film-long quantities are kept
per 50 ms frame (how loud the voice is there), and each block's samples are made, measured and written in
turn. Two passes over the blocks: the first finds the peak the whole soundtrack is scaled by, the second
writes it.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from ..narration.assemble import read_wav
from .timeline import Timeline

RATE = 44100
WINDOW = 0.05  # seconds per frame of the ducking envelope
HOP = int(WINDOW * RATE)
BLOCK = 200 * HOP  # 10 s of samples, a whole number of frames
SMOOTH = 0.35  # seconds the music dips before and rises after the voice


def resample(samples: np.ndarray, rate: int, target: int = RATE) -> np.ndarray:
    if rate == target or len(samples) == 0:
        return samples
    positions = np.arange(int(len(samples) * target / rate)) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def ducking(speaking: np.ndarray, smooth: float = SMOOTH, window: float = WINDOW) -> np.ndarray:
    """0..1 per frame: how much the voice speaks here, with soft attack and release, from ``speaking``
    (1.0 where the voice is heard in that frame)."""
    spread = int(smooth / window)
    kernel = np.ones(2 * spread + 1, dtype=np.float32)
    speaking = np.minimum(1.0, np.convolve(speaking, kernel, mode="same"))
    return np.convolve(speaking, np.hanning(2 * spread + 1) / np.hanning(2 * spread + 1).sum(), mode="same")


class Voice:
    """The narrations at their places in the film, read block by block; at most two scenes' narrations in
    memory. A block reads only the narrations it overlaps (their lengths come from the WAV headers), so
    each is loaded and resampled about once per pass, not once per block."""

    def __init__(self, timeline: Timeline, narrations: list[Path]):
        self.placed = [(int(segment.voice_start * RATE), path, _resampled_length(path))
                       for segment, path in zip(timeline.segments[1:], narrations)]
        self._loaded: dict[Path, np.ndarray] = {}

    def _samples(self, path: Path) -> np.ndarray:
        if path not in self._loaded:
            if len(self._loaded) >= 2:
                self._loaded.pop(next(iter(self._loaded)))
            samples, rate = read_wav(path)
            self._loaded[path] = resample(samples, rate)
        return self._loaded[path]

    def block(self, start: int, end: int) -> np.ndarray:
        out = np.zeros(end - start, dtype=np.float32)
        for begin, path, length in self.placed:
            if begin >= end or begin + length <= start:
                continue
            samples = self._samples(path)
            lo, hi = max(start, begin), min(end, begin + len(samples))
            if lo < hi:
                out[lo - start : hi - start] += samples[lo - begin : hi - begin]
        return out


def _resampled_length(path: Path) -> int:
    """At least the number of samples ``resample(read_wav(path))`` has, from the header alone."""
    with wave.open(str(path), "rb") as wav:
        frames, rate = wav.getnframes(), wav.getframerate()
    return frames if rate == RATE or frames == 0 else int(frames * RATE / rate)


class Music:
    """The score resampled to RATE and looped to any length, read block by block from its WAV."""

    def __init__(self, path: Path):
        self.wav = wave.open(str(path), "rb")
        self.rate, self.channels = self.wav.getframerate(), self.wav.getnchannels()
        if self.wav.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM")
        self.frames = self.wav.getnframes()
        self.length = int(self.frames * RATE / self.rate) if self.rate != RATE else self.frames

    def _read(self, first: int, count: int) -> np.ndarray:
        self.wav.setpos(first)
        raw = np.frombuffer(self.wav.readframes(count), dtype="<i2").astype(np.float32) / 32768.0
        frames = raw.reshape(-1, self.channels)
        return np.repeat(frames, 2, axis=1) if self.channels == 1 else frames[:, :2]

    def block(self, start: int, end: int) -> np.ndarray:
        """Stereo samples ``start``..``end`` of the looped score (frames × 2)."""
        first = start % self.length
        if self.rate == RATE and first + (end - start) <= self.length:  # one stretch of the file, as it is
            return self._read(first, end - start)
        indices = np.arange(start, end) % self.length
        out = np.empty((end - start, 2), dtype=np.float32)
        # split where the loop wraps, so each piece reads one contiguous stretch of the file
        cuts = np.flatnonzero(np.diff(indices) < 0) + 1
        for piece in np.split(np.arange(end - start), cuts):
            if len(piece) == 0:
                continue
            wanted = indices[piece]
            if self.rate == RATE:
                out[piece] = self._read(int(wanted[0]), len(wanted))
                continue
            positions = wanted * (self.rate / RATE)
            first = int(positions[0])
            last = min(self.frames - 1, int(np.ceil(positions[-1])) + 1)
            source = self._read(first, last - first + 1)
            for c in range(2):
                out[piece, c] = np.interp(positions, np.arange(first, last + 1), source[:, c])
        return out

    def close(self) -> None:
        self.wav.close()


def mix(timeline: Timeline, narrations: list[Path], music: Path | None, out_wav: Path,
        music_level: float = 0.5, ducked_level: float = 0.15, voice_level: float = 0.95) -> dict:
    """Write the stereo soundtrack; return the levels used (for the artifact's record)."""
    length = int(timeline.duration * RATE)
    blocks = [(start, min(length, start + BLOCK)) for start in range(0, length, BLOCK)]
    voice = Voice(timeline, narrations)

    # how loud the voice is, per frame and at its peak
    frame_peaks = np.zeros(length // HOP + 1, dtype=np.float32)
    peak = 0.0
    for start, end in blocks:
        samples = np.abs(voice.block(start, end))
        peak = max(peak, float(samples.max(initial=0.0)))
        padded = np.zeros(-(-(end - start) // HOP) * HOP, dtype=np.float32)
        padded[: end - start] = samples
        frame_peaks[start // HOP : start // HOP + len(padded) // HOP] = padded.reshape(-1, HOP).max(axis=1)
    voice_gain = voice_level / (peak or 1.0)
    envelope = ducking((frame_peaks * np.float32(voice_gain) > 0.02).astype(np.float32))

    score = Music(music) if music is not None else None
    fade_in, fade_out = int(0.5 * RATE), min(length, int(2.0 * RATE))

    def soundtrack(start: int, end: int) -> np.ndarray:
        spoken = voice.block(start, end) * np.float32(voice_gain)
        if score is None:
            return np.stack([spoken, spoken], axis=1)
        samples = np.arange(start, end)
        gain = music_level - (music_level - ducked_level) * envelope[samples // HOP]
        if start < fade_in or end > length - fade_out:  # 2 s out at the end, then 0.5 s in at the start
            fade = np.ones(end - start, dtype=np.float32)
            tail = samples - (length - fade_out)
            fade = np.where(tail >= 0, (1.0 - tail / max(1, fade_out - 1)).astype(np.float32), fade)
            fade = np.where(samples < fade_in, (samples / max(1, fade_in - 1)).astype(np.float32), fade)
            gain = gain * fade
        return spoken[:, None] + score.block(start, end) * gain[:, None]

    try:
        loudest = max((float(np.abs(soundtrack(s, e)).max(initial=0.0)) for s, e in blocks), default=0.0)
        scale = 0.98 / loudest if loudest > 0.98 else 1.0
        with wave.open(str(out_wav), "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(RATE)
            for start, end in blocks:
                pcm = (np.clip(soundtrack(start, end) * scale, -1.0, 1.0) * 32767).astype("<i2")
                out.writeframes(pcm.tobytes())
    finally:
        if score is not None:
            score.close()
    return {"music_level": music_level, "ducked_level": ducked_level}
