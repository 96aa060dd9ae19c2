"""The soundtrack is mixed in blocks: memory does not grow with the film, and the music ducks under the voice."""

import tracemalloc
import wave

import numpy as np

from fairytales.pipeline.narration.assemble import read_frames, write_wav
from fairytales.pipeline.video.audio import RATE, mix
from fairytales.pipeline.video.timeline import plan

SCENE_SECONDS = 30.0


def tone(seconds: float, rate: int, hz: float, level: float) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def write_long_music(path, seconds: float, rate: int = 32000) -> None:
    """A stereo score written a minute at a time, so making it does not cost what the test measures."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        for _ in range(int(seconds // 60) + 1):
            minute = tone(60, rate, 330, 0.5)
            out.writeframes((np.stack([minute, minute], axis=1) * 32767).astype("<i2").tobytes())


def soundtrack(tmp_path, scenes: int):
    """Peak traced memory of mixing a film of ``scenes`` half-minute scenes, and the mixed file."""
    narration = tmp_path / "voice.wav"
    speech = tone(SCENE_SECONDS, 24000, 220, 0.3)
    speech[: len(speech) // 2] = 0.0  # the first half of each scene is silent: the music comes up there
    write_wav(narration, speech, 24000)
    timeline = plan([SCENE_SECONDS] * scenes)
    music = tmp_path / "music.wav"
    write_long_music(music, timeline.duration / 2)  # shorter than the film: it loops
    out = tmp_path / f"mix-{scenes}.wav"
    tracemalloc.start()
    mix(timeline, [narration] * scenes, music, out)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, out, timeline


def test_memory_does_not_grow_with_the_film(tmp_path):
    short_peak, _, _ = soundtrack(tmp_path, 4)
    long_peak, out, timeline = soundtrack(tmp_path, 24)  # 12 minutes of film
    assert long_peak < 1.3 * short_peak, (short_peak, long_peak)
    with wave.open(str(out)) as wav:
        assert wav.getnframes() == int(timeline.duration * RATE) and wav.getnchannels() == 2


def test_the_music_ducks_under_the_voice_and_fades_at_the_ends(tmp_path):
    _, out, timeline = soundtrack(tmp_path, 3)
    frames, rate = read_frames(out)
    left = frames[:, 0]

    def loudness(at: float, span: float = 0.5) -> float:
        return float(np.sqrt(np.mean(left[int(at * rate): int((at + span) * rate)] ** 2)))

    scene = timeline.segments[2]
    quiet_part = scene.voice_start + SCENE_SECONDS * 0.2  # music alone
    spoken_part = scene.voice_start + SCENE_SECONDS * 0.8  # voice over ducked music
    music_alone = loudness(quiet_part)
    assert music_alone > 0.1
    assert loudness(0.0, span=0.1) < 0.3 * music_alone  # fading in
    assert loudness(timeline.duration - 0.2, span=0.2) < 0.3 * music_alone  # fading out
    # under the voice the music drops to a third of its level: measured at a quiet instant of the tone
    spectrum = np.abs(np.fft.rfft(left[int(spoken_part * rate): int((spoken_part + 1) * rate)]))
    freqs = np.fft.rfftfreq(rate, 1 / rate)
    alone = np.abs(np.fft.rfft(left[int(quiet_part * rate): int((quiet_part + 1) * rate)]))
    music_under_voice = spectrum[np.argmin(abs(freqs - 330))] / alone[np.argmin(abs(freqs - 330))]
    assert 0.2 < music_under_voice < 0.4
    assert spectrum[np.argmin(abs(freqs - 220))] > 10 * spectrum[np.argmin(abs(freqs - 330))] / 3
