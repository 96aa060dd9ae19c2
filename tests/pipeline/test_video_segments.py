"""The segmented editor against the single-pass graph it replaces, and a redo that re-encodes only its span.

The film is made of storybook pictures (their paper grain punishes a frame that is off by a pixel or a
frame), a voice per scene with two cues, and music.
"""

import hashlib
import shutil
import threading

import av
import numpy as np
import pytest

from fairytales.pipeline.illustration import IllustrationContext
from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator
from fairytales.pipeline.narration.assemble import write_wav
from fairytales.pipeline.types import Cue, Scene
from fairytales.pipeline.video import FPS, Cut, SceneClip, segments
from fairytales.pipeline.video.ffmpeg import FfmpegEditor
from fairytales.pipeline.video.layout import layout
from fairytales.pipeline.video.single_pass import assemble_single_pass
from fairytales.pipeline.video.timeline import plan

TEXTS = ["Жили-были старик со старухой в маленькой избе у леса.",
         "Колобок покатился по дорожке в тёмный лес.",
         "Навстречу ему заяц: колобок, колобок, я тебя съем!",
         "Покатился колобок дальше, к реке, где жила лиса."]
VOICES = [4.3, 5.1, 3.9, 4.6]  # four scenes: a zoom in, a pan right, a zoom out, a pan left


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float32) - b.astype(np.float32)) ** 2).mean())
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def frames(path, wanted=None) -> dict[int, np.ndarray]:
    """The film's frames by number (only ``wanted`` ones, if given), decoded in one pass."""
    found = {}
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            number = round(frame.time * FPS)
            if wanted is None or number in wanted:
                found[number] = frame.to_ndarray(format="rgb24")
    return found


def frame_digests(path) -> dict[int, str]:
    """A digest of each of the film's decoded frames by number: enough to tell which frames a redo changed,
    without holding the film's pictures in memory."""
    with av.open(str(path)) as container:
        return {round(frame.time * FPS): hashlib.sha1(frame.to_ndarray().tobytes()).hexdigest()
                for frame in container.decode(video=0)}


def frame_count(path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for packet in container.demux(video=0) if packet.size)


def draw(folder, index, text, seed=1):
    out = folder / f"p{index}-{seed}.png"
    context = IllustrationContext("Колобок", "сказка", seed)
    StorybookIllustrator().draw(Scene(index, text, ""), context, out, {})
    return out


def clip(folder, index, picture, seconds, words):
    t = np.arange(int(seconds * 22050)) / 22050
    voice = (0.4 * np.sin(2 * np.pi * 180 * index * t)).astype(np.float32)
    write_wav(folder / f"n{index}-{seconds}.wav", voice, 22050)
    half = seconds / 2
    words = words.split()
    cues = [Cue(0.0, half - 0.2, " ".join(words[:4])), Cue(half, seconds, " ".join(words[4:]))]
    return SceneClip(picture, folder / f"n{index}-{seconds}.wav", seconds, cues)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    clips = [clip(folder, i, draw(folder, i, text), seconds, text)
             for i, (text, seconds) in enumerate(zip(TEXTS, VOICES), start=1)]
    t = np.arange(30 * 44100) / 44100
    music = folder / "music.wav"
    write_wav(music, np.stack([0.2 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1).astype(np.float32), 44100)
    return folder, clips, music


@pytest.fixture(scope="module")
def films(inputs, tmp_path_factory):
    _, clips, music = inputs
    out = tmp_path_factory.mktemp("films")
    editor = FfmpegEditor()
    options = editor.options()
    cut = Cut("Колобок", "сказка", clips, music, segments_dir=out / "segments")
    meta = editor.assemble(cut, out / "new.mp4", out / "new.jpg", options)
    old = assemble_single_pass(Cut("Колобок", "сказка", clips, music), out / "old.mp4", options)
    return out, meta, old, options


def cue_changes(timeline, clips) -> list[float]:
    """Film times where a subtitle appears or goes (the two editors may put these a frame apart)."""
    times = []
    for segment, scene in zip(timeline.segments[1:], clips):
        for cue in scene.cues:
            times += [segment.voice_start + cue.start, segment.voice_start + cue.end + 0.15]
    return times


def samples(timeline, clips, fade) -> list[int]:
    """Frames in each body and inside each cross-fade, away from the subtitles' changes."""
    picked = []
    for segment in timeline.segments:
        first = round(segment.start * FPS)
        body = round(segment.duration * FPS)
        picked += [first + fade // 2, first + fade - 3] if segment.start > 0 else []
        picked += [first + body * q // 8 for q in range(1, 8)]
    picked.append(round(timeline.duration * FPS) - 8)  # in the closing fade
    changes = cue_changes(timeline, clips)
    return sorted({f for f in picked if min(abs(f / FPS - t) for t in changes) > 0.12})


def test_the_segmented_film_has_the_single_pass_ones_length_and_scene_starts(films):
    out, meta, old, _ = films
    assert abs(frame_count(out / "new.mp4") - frame_count(out / "old.mp4")) <= 1
    assert meta["scene_starts"] == old["scene_starts"] and meta["duration"] == old["duration"]
    assert meta["encoder"] in ("libx264", "h264_nvenc") and meta["segments"]["reused"] == 0


def test_the_segmented_film_looks_like_the_single_pass_one(films, inputs):
    out, _, _, options = films
    clips = inputs[1]
    timeline = plan(VOICES, title_seconds=options["title_seconds"], crossfade=options["crossfade"])
    fade = layout(timeline, FPS).fade
    wanted = samples(timeline, clips, fade)
    assert len(wanted) > 30
    new, old = frames(out / "new.mp4", set(wanted)), frames(out / "old.mp4", set(wanted))
    scores = {f: psnr(new[f], old[f]) for f in wanted}
    assert min(scores.values()) > 35, sorted(scores.items(), key=lambda item: item[1])[:5]
    # the comparison can fail: in a cross-fade, the same film two frames late is already too far off
    late = frames(out / "new.mp4", {f + 2 for f in wanted})
    in_fades = [round(s.start * FPS) + fade // 2 for s in timeline.segments[1:]]
    assert max(psnr(late[f + 2], old[f]) for f in in_fades if f in old) < 35


def test_each_segment_starts_with_a_keyframe_and_all_share_one_stream_setup(films):
    out = films[0]
    setups = set()
    for path in sorted((out / "segments").glob("*.mp4")):
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            first = next(p for p in container.demux(stream) if p.size)
            assert first.is_keyframe, path.name
            context = stream.codec_context
            setups.add((bytes(context.extradata or b""), context.width, context.height, context.pix_fmt,
                        stream.average_rate))
    assert len(setups) == 1


def run_counting(monkeypatch):
    """Count the ffmpeg runs that encode a video segment (and whether the soundtrack is encoded again)."""
    made: list[str] = []
    real = segments.run_jobs

    def counting(jobs, *args, **kwargs):
        made.extend(job.out.name for job in jobs if job.out.parent.name == "segments")
        return real(jobs, *args, **kwargs)

    monkeypatch.setattr(segments, "run_jobs", counting)
    return made


def redo(films, inputs, tmp_path, monkeypatch, change):
    """Make the film again after ``change(clips)``, from a copy of the kept segments."""
    out, _, _, options = films
    folder, clips, music = inputs
    kept = tmp_path / "segments"
    shutil.copytree(out / "segments", kept)
    clips = [SceneClip(c.picture, c.narration, c.narration_seconds, list(c.cues)) for c in clips]
    change(folder, clips)
    made = run_counting(monkeypatch)
    again = FfmpegEditor().assemble(Cut("Колобок", "сказка", clips, music, segments_dir=kept),
                                    tmp_path / "redo.mp4", tmp_path / "redo.jpg", options)
    return again, made, kept


def test_a_new_picture_re_encodes_its_body_and_two_joins_only(films, inputs, tmp_path, monkeypatch):
    def new_picture(folder, clips):
        clips[1].picture = draw(folder, 2, "Ночью в тёмном лесу выл волк.", seed=7)

    again, made, kept = redo(films, inputs, tmp_path, monkeypatch, new_picture)
    assert sorted(name.split("-")[0] for name in made) == ["body", "join", "join"]
    total = len([p for p in layout(plan(VOICES), FPS).pieces])
    assert again["segments"] == {"made": 3, "reused": total - 3}
    assert len(list(kept.glob("*.mp4"))) == total  # the replaced segments are gone

    timeline = plan(VOICES)
    framing = layout(timeline, FPS)
    scene_2, scene_3 = (round(timeline.segments[i].start * FPS) for i in (2, 3))
    # from its fade-in to the end of its fade-out; the fade's first frame shows only the scene before it (the
    # encoder may draw it a little otherwise in the new join), every later one the new picture
    touched = range(scene_2, scene_3 + framing.fade)
    before, after = frame_digests(films[0] / "new.mp4"), frame_digests(tmp_path / "redo.mp4")
    assert sorted(before) == sorted(after)
    for number in before:
        same = before[number] == after[number]
        assert same if number not in touched else (number == scene_2 or not same), number


def test_new_words_for_a_scene_re_encode_only_its_body(films, inputs, tmp_path, monkeypatch):
    def new_words(folder, clips):
        clips[0].cues = [Cue(c.start, c.end, c.text.upper()) for c in clips[0].cues]

    again, made, _ = redo(films, inputs, tmp_path, monkeypatch, new_words)
    assert [name.split("-")[0] for name in made] == ["body"]  # the voice is the same: so is the soundtrack
    assert again["segments"]["made"] == 1


def test_a_longer_narration_re_encodes_that_scene_and_its_joins_and_the_soundtrack(films, inputs, tmp_path,
                                                                                monkeypatch):
    def longer(folder, clips):
        clips[2] = clip(folder, 3, clips[2].picture, 5.37, TEXTS[2])

    again, made, _ = redo(films, inputs, tmp_path, monkeypatch, longer)
    kinds = sorted(name.split("-")[0] for name in made)
    # its body, its two joins, the soundtrack; the ending (the closing fade falls on the film's clock) and a
    # later join may follow, if the film's rounding to frames moved them; never another body
    assert kinds.count("body") == 1 and kinds.count("audio") == 1 and 2 <= kinds.count("join") <= 3, kinds
    assert again["duration"] == pytest.approx(films[1]["duration"] + 5.37 - VOICES[2], abs=0.01)


def test_the_pictures_encoded_ahead_are_the_ones_the_film_uses(films, inputs, tmp_path, monkeypatch):
    """``prepare`` (while the music is composed, before there is any) encodes every picture segment the film
    will use: the film made afterwards, with the music, encodes only its soundtrack and is the same film."""
    out, first, _, options = films
    _, clips, music = inputs
    editor = FfmpegEditor()
    halted = threading.Event()
    halted.set()
    assert editor.prepare(Cut("Колобок", "сказка", clips, None, segments_dir=tmp_path / "segments"), options,
                          halt=halted) == 0  # halted before it began: nothing started
    assert not list((tmp_path / "segments").glob("*.mp4"))

    made_ahead = editor.prepare(Cut("Колобок", "сказка", clips, None, segments_dir=tmp_path / "segments"), options)
    total = len(layout(plan(VOICES), FPS).pieces)
    assert made_ahead == total == len(list((tmp_path / "segments").glob("*.mp4")))
    made = run_counting(monkeypatch)
    meta = editor.assemble(Cut("Колобок", "сказка", clips, music, segments_dir=tmp_path / "segments"),
                           tmp_path / "film.mp4", tmp_path / "film.jpg", options)
    assert meta["segments"] == {"made": 0, "reused": total}
    assert [name.split("-")[0] for name in made] == ["audio"]
    assert frame_digests(tmp_path / "film.mp4") == frame_digests(out / "new.mp4")
    with av.open(str(tmp_path / "film.mp4")) as container:
        audio = container.streams.audio[0]
        assert float(audio.duration * audio.time_base) == pytest.approx(first["duration"], abs=0.1)
