"""What a user would check of a made file: streams, durations, sizes, loudness, blankness."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
from PIL import Image


def streams(path: Path) -> dict:
    """{"video": {...}, "audio": {...}} with codec, size and duration in seconds, read with PyAV."""
    found = {}
    with av.open(str(path)) as container:
        for stream in container.streams:
            duration = float(stream.duration * stream.time_base) if stream.duration else None
            info = {"codec": stream.codec_context.name, "duration": duration}
            if stream.type == "video":
                info.update(width=stream.codec_context.width, height=stream.codec_context.height)
            found[stream.type] = info
    return found


def wav_samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        rate, channels = wav.getframerate(), wav.getnchannels()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768
    return data.reshape(-1, channels).mean(axis=1), rate


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0


def picture(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)


def is_blank(pixels: np.ndarray) -> bool:
    return float(pixels.std()) < 8.0


def frame_at(path: Path, seconds: float) -> np.ndarray:
    """The decoded video frame shown at ``seconds``, as RGB pixels."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        container.seek(int(max(0.0, seconds - 1.0) / stream.time_base), stream=stream)
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= seconds:
                return frame.to_ndarray(format="rgb24").astype(np.float32)
    raise ValueError(f"no frame at {seconds} s")


def pitch(samples: np.ndarray, rate: int) -> float:
    """Median fundamental frequency (Hz) of the voiced 40 ms frames, by autocorrelation."""
    size = int(0.04 * rate)
    lo, hi = int(rate / 400), int(rate / 60)
    found = []
    for start in range(0, len(samples) - size, size):
        frame = samples[start : start + size]
        if rms(frame) < 0.03:
            continue
        frame = frame - frame.mean()
        corr = np.correlate(frame, frame, mode="full")[size - 1 :]
        lag = lo + int(np.argmax(corr[lo:hi]))
        if corr[lag] > 0.3 * corr[0]:
            found.append(rate / lag)
    return float(np.median(found)) if found else 0.0
