"""The editor's MP4 as a viewer meets it: size, streams, length, pictures in order, subtitles, sound."""

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from fairytales.pipeline.narration.assemble import write_wav
from fairytales.pipeline.types import Cue
from fairytales.pipeline.video import FPS, Cut, SceneClip
from fairytales.pipeline.video.ffmpeg import FfmpegEditor
from fairytales.pipeline.video.layout import layout
from fairytales.pipeline.video.timeline import plan
from tests.media import frame_at, is_blank, picture, rms, streams

COLOURS = [(200, 40, 40), (40, 160, 60), (40, 60, 200)]
VOICE_SECONDS = [4.0, 6.0, 5.0]


def _tone(path, seconds, freq, rate=22050, level=0.5):
    t = np.arange(int(seconds * rate)) / rate
    write_wav(path, level * np.sin(2 * np.pi * freq * t).astype(np.float32), rate)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("video")
    clips = []
    for i, (colour, seconds) in enumerate(zip(COLOURS, VOICE_SECONDS), start=1):
        image = Image.new("RGB", (1280, 720), colour)
        ImageDraw.Draw(image).ellipse((400, 200, 880, 520), fill=(240, 220, 90))
        image.save(folder / f"p{i}.png")
        _tone(folder / f"n{i}.wav", seconds, 220.0 * i)
        clips.append(SceneClip(folder / f"p{i}.png", folder / f"n{i}.wav", seconds,
                               [Cue(0.0, seconds, f"Сцена номер {i}: жили-были")]))
    music = folder / "music.wav"
    t = np.arange(int(40 * 44100)) / 44100
    write_wav(music, np.stack([0.3 * np.sin(2 * np.pi * 660 * t)] * 2, axis=1).astype(np.float32), 44100)
    editor = FfmpegEditor()
    options = editor.options()
    reported = []
    cut = Cut("Колобок", "сказка", clips, music, segments_dir=folder / "segments")
    meta = editor.assemble(cut, folder / "tale.mp4", folder / "poster.jpg", options,
                           lambda fraction, message: reported.append(fraction))
    meta["reported"] = reported
    return folder, meta, plan(VOICE_SECONDS, title_seconds=options["title_seconds"],
                              crossfade=options["crossfade"])


def test_it_is_720p_h264_with_aac_of_the_planned_length(made):
    folder, meta, timeline = made
    info = streams(folder / "tale.mp4")
    assert info["video"]["codec"] == "h264" and (info["video"]["width"], info["video"]["height"]) == (1280, 720)
    assert info["audio"]["codec"] == "aac"
    assert abs(info["video"]["duration"] - timeline.duration) < 0.2
    assert abs(info["audio"]["duration"] - timeline.duration) < 0.2
    assert meta["duration"] == pytest.approx(timeline.duration, abs=0.01)


def test_it_is_made_of_kept_segments_with_the_encoder_on_record(made):
    folder, meta, timeline = made
    pieces = layout(timeline, FPS).pieces
    assert meta["encoder"] in ("libx264", "h264_nvenc")
    assert meta["segments"] == {"made": len(pieces), "reused": 0}
    kept = sorted(p.name for p in (folder / "segments").iterdir())
    assert len(kept) == len(pieces) + 2 and not [name for name in kept if ".part" in name]  # + the soundtrack
    with av.open(str(folder / "tale.mp4")) as container:
        assert sum(1 for packet in container.demux(video=0) if packet.size) == layout(timeline, FPS).frames
    assert meta["reported"][-1] == 1.0 and max(meta["reported"][:-1]) < 1.0


def test_each_scene_shows_its_picture_in_order(made):
    folder, _, timeline = made
    for segment, colour in zip(timeline.segments[1:], COLOURS):
        frame = frame_at(folder / "tale.mp4", segment.start + segment.duration / 2)
        corner = frame[20:120, 20:120].reshape(-1, 3).mean(axis=0)
        assert np.abs(corner - np.array(colour)).max() < 40, (segment, corner)


def test_the_title_card_and_poster_are_not_blank(made):
    folder, _, _ = made
    assert not is_blank(frame_at(folder / "tale.mp4", 1.0))
    assert picture(folder / "poster.jpg").shape == (720, 1280, 3)
    assert not is_blank(picture(folder / "poster.jpg"))


def test_subtitles_are_burned_in_while_the_voice_speaks(made):
    folder, _, timeline = made
    segment = timeline.segments[2]
    with_text = frame_at(folder / "tale.mp4", segment.voice_start + 1.0)
    without = frame_at(folder / "tale.mp4", segment.start + segment.duration - 0.3)  # after the cue ends
    bottom = slice(600, 700)
    white = lambda f: int(((f[bottom] > 235).all(axis=2)).sum())  # noqa: E731
    assert white(with_text) > 500
    assert white(without) < 50


def test_music_is_quieter_while_the_voice_speaks(made):
    folder, _, timeline = made
    with av.open(str(folder / "tale.mp4")) as container:
        audio = np.concatenate([f.to_ndarray().mean(axis=0) for f in container.decode(audio=0)])
    rate = 44100
    spectrum = lambda a, b: np.abs(np.fft.rfft(audio[int(a * rate): int(b * rate)]))  # noqa: E731
    def music_level(a, b):
        s = spectrum(a, b)
        hz = np.fft.rfftfreq(int(b * rate) - int(a * rate), 1 / rate)
        return s[(hz > 650) & (hz < 670)].max() / len(s)
    voice = timeline.segments[1].voice_start
    assert music_level(voice + 1, voice + 2) < 0.6 * music_level(2.0, 3.0)  # under speech vs title card
    assert rms(audio[int((voice + 1) * rate): int((voice + 2) * rate)]) > 0.05
