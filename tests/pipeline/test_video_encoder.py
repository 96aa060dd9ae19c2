"""The editor's encoder choice (NVENC where a GPU encodes a trial frame, else libx264 at once) and its frame
layout (every scene on its own frame, each body the same wherever its scene sits)."""

import pytest

from fairytales.pipeline.video import FPS, encoder
from fairytales.pipeline.video.encoder import Encoder
from fairytales.pipeline.video.layout import layout
from fairytales.pipeline.video.timeline import plan

CPU_BUILD = """Encoders:
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)
"""
GPU_BUILD = CPU_BUILD + " V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)\n"


@pytest.fixture
def asked(monkeypatch):
    """ffmpeg -encoders answers what the test says; the trial encode is the real one, counted."""
    calls = {"listed": 0, "trials": []}
    listing = {"text": CPU_BUILD}
    real_trial = encoder.trial

    def listed(ffmpeg):
        calls["listed"] += 1
        return listing["text"]

    def trial(ffmpeg, name):
        calls["trials"].append(name)
        return real_trial(ffmpeg, name)

    monkeypatch.setattr(encoder, "listed_encoders", listed)
    monkeypatch.setattr(encoder, "trial", trial)
    encoder.forget()
    yield calls, listing
    encoder.forget()


def test_without_nvenc_in_the_build_it_is_libx264_and_nothing_is_tried(asked):
    calls, _ = asked
    chosen = encoder.choose()
    assert chosen.name == "libx264" and "no h264_nvenc" in chosen.why
    assert calls["trials"] == []


def test_a_listed_nvenc_is_used_only_if_a_trial_frame_encodes(asked):
    calls, listing = asked
    listing["text"] = GPU_BUILD
    chosen = encoder.choose()
    assert calls["trials"] == ["h264_nvenc"]
    works = encoder.trial(encoder.ffmpeg_exe(), "h264_nvenc") == ""  # a GPU here, or not
    assert chosen.name == ("h264_nvenc" if works else "libx264")
    if not works:
        assert "trial frame failed" in chosen.why


def test_the_answer_is_asked_once_per_process(asked):
    calls, listing = asked
    listing["text"] = GPU_BUILD
    first = encoder.choose()
    listing["text"] = CPU_BUILD
    assert encoder.choose() is first
    assert calls["listed"] == 1 and len(calls["trials"]) == 1


def test_nvenc_failing_on_a_film_falls_back_to_libx264_for_the_process(asked):
    fallback = encoder.give_up(Encoder("h264_nvenc"), "out of sessions")
    assert fallback.name == "libx264" and encoder.choose() is fallback
    assert asked[0]["listed"] == 0


def test_both_encoders_make_the_same_kind_of_stream():
    x264 = Encoder("libx264").args("veryfast", 23)
    nvenc = Encoder("h264_nvenc").args("veryfast", 23)
    assert x264[:4] == ["-c:v", "libx264", "-preset", "veryfast"] and "-crf" in x264
    assert nvenc[:4] == ["-c:v", "h264_nvenc", "-preset", "p3"] and nvenc[nvenc.index("-cq") + 1] == "23"
    shared = lambda args: args[args.index("-pix_fmt"):]
    assert shared(x264) == shared(nvenc) == ["-pix_fmt", "yuv420p", "-r", str(FPS), "-g", str(10 * FPS)]


def pieces_of(voices, crossfade=0.8):
    return layout(plan(voices, crossfade=crossfade), FPS)


@pytest.mark.parametrize("voices", [[4.0, 6.0, 5.0], [3.217, 11.913, 0.5, 7.777, 20.049], [9.99]])
def test_the_pieces_cover_the_film_and_every_scene_starts_on_its_own_frame(voices):
    timeline = plan(voices)
    framing = layout(timeline, FPS)
    at = 0
    for piece in framing.pieces:
        assert piece.start == at and piece.frames >= 1
        at += piece.frames
    assert abs(framing.frames - timeline.duration * FPS) <= 1
    bodies = [p for p in framing.pieces if p.kind == "body"]
    assert len(bodies) == len(voices) + 1
    for scene, (segment, body) in enumerate(zip(timeline.segments, bodies)):
        layer = body.layers[0]
        assert layer.scene == scene
        assert body.start - layer.first == round(segment.start * FPS)  # its own frame 0 is where it starts
    for join in (p for p in framing.pieces if p.kind == "join"):
        assert abs(join.frames - framing.fade) <= 1
        _, coming = join.layers
        assert coming.first + coming.frames == framing.fade  # the join ends where the scene is fully in


def test_a_body_does_not_depend_on_where_its_scene_sits():
    before = pieces_of([4.0, 6.0, 5.0, 7.5])
    after = pieces_of([4.0, 6.37, 5.0, 7.5])  # scene 2 speaks longer: scenes 3 and 4 move
    bodies = lambda f: [p.layers for p in f.pieces if p.kind == "body"]
    assert bodies(before)[3:] == bodies(after)[3:] and bodies(before)[:2] == bodies(after)[:2]
    assert bodies(before)[2] != bodies(after)[2]


def test_no_crossfade_is_a_cut():
    framing = pieces_of([4.0, 6.0], crossfade=0.0)
    assert framing.fade == 0 and abs(framing.frames - plan([4.0, 6.0], crossfade=0.0).duration * FPS) <= 1
