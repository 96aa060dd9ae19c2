"""A picture for every few lines (issue 16 §1): a scene cut into shots by its sentences, each drawn from its own
words, shown from where its first sentence is read, and redrawn alone."""

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from fairytales.pipeline import shots
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.narration.rhvoice import RhvoiceNarrator
from fairytales.pipeline.runner import Choice, Redo, Runner
from fairytales.pipeline.scenes import split_scenes
from fairytales.pipeline.story.template.backend import TemplateStoryteller
from fairytales.pipeline.types import Cue, Scene, TaleRequest
from fairytales.pipeline.video import FPS, Cut, ShotClip
from fairytales.pipeline.video.ffmpeg import FfmpegEditor
from fairytales.pipeline.video.layout import layout
from fairytales.pipeline.video.single_pass import assemble_single_pass
from fairytales.pipeline.video.timeline import INNER_FADE, plan, units
from tests.pipeline.test_video_segments import clip, draw, frame_digests, frames, psnr, run_counting

LIMIT = 15


@pytest.fixture(autouse=True)
def whole_scenes(monkeypatch):
    """Shots of whole scenes: not the suite's short films (only what is narrated is cut into shots)."""
    monkeypatch.delenv("VIDEOTALES_NARRATED_SENTENCES", raising=False)


def default_scenes(language="ru", title="Колобок"):
    teller = TemplateStoryteller()
    text = teller.write(TaleRequest(title, "сказка", 6, 1, language), teller.options({}))
    return split_scenes(text, 6, language)


def test_each_shot_is_cut_at_sentences_and_estimated_within_the_limit():
    for language, title in (("ru", "Колобок"), ("en", "The Fox")):
        for scene in default_scenes(language, title):
            cut = shots.cut(scene, LIMIT, language)
            pieces = shots.sentences(scene, language)
            assert [s.first for s in cut] == [0, *[s.end for s in cut[:-1]]] and cut[-1].end == len(pieces)
            assert len(cut) >= 2  # a default scene is read for longer than 15 s
            for shot in cut:
                assert shot.seconds <= LIMIT
                assert shot.prompt.strip(" —-") in shot.text  # its prompt is one of its own sentences
            assert len({shot.prompt for shot in cut}) == len(cut)
        assert shots.cut(scene, 0, language)[0].text == scene.text  # 0: one picture per scene


def test_a_shot_starts_where_its_first_words_are_read():
    texts = ["Жил-был кот. Он жил у моря.", "Пришла лиса, хитрая и рыжая. Села у воды."]
    cues = [Cue(0.0, 1.0, "Жил-был кот."), Cue(1.2, 2.4, "Он жил у моря."),
            Cue(2.6, 4.6, "Пришла лиса, хитрая и рыжая."), Cue(4.8, 6.0, "Села у воды.")]
    assert shots.starts(texts, cues, 6.0) == [0.0, 2.6]
    # a cue that holds the end of one shot and the start of the next: in proportion inside it
    joined = [cues[0], Cue(1.2, 4.6, "Он жил у моря. Пришла лиса, хитрая и рыжая."), cues[3]]
    assert 1.2 < shots.starts(texts, joined, 6.0)[1] < 4.6
    # a narration that stops before the second shot (the suite's capped narration): it is not shown
    assert shots.starts(texts, cues[:2], 2.4) == [0.0, None]


def test_a_default_tale_narrated_by_rhvoice_holds_no_picture_longer_than_the_limit(tmp_path, monkeypatch):
    narrator = RhvoiceNarrator()
    if not narrator.available()[0]:
        pytest.skip(narrator.available()[1])
    scenes = default_scenes()
    durations, starts = [], []
    for scene in scenes:
        made = narrator.speak(scene, tmp_path / f"{scene.index}.wav", narrator.options({}))
        texts = [shot.text for shot in shots.cut(scene, LIMIT)]
        at = shots.starts(texts, made.cues, made.duration)
        assert None not in at and at == sorted(at)
        durations.append(made.duration)
        starts.append(at[1:])
    timeline = plan(durations)
    spans = units(timeline, starts)
    assert len(spans) - 1 == sum(len(s) + 1 for s in starts)  # every shot is on screen
    held = [b.start - a.start for a, b in zip(spans[1:], spans[2:])] + [spans[-1].duration]
    assert max(held) <= LIMIT, held
    assert min(held) >= 3


def test_neighbouring_shots_are_drawn_from_their_own_sentences(tmp_path):
    scene = default_scenes()[2]  # the old woman in the net, then the mouse
    cut = shots.cut(scene, LIMIT)
    from fairytales.pipeline.illustration import IllustrationContext
    from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator

    painter, drawn, pictures = StorybookIllustrator(), [], []
    for number, shot in enumerate(cut):
        out = tmp_path / f"{number}.png"
        drawn.append(painter.draw(shot.as_scene(scene), IllustrationContext("Колобок", "сказка", 1), out,
                                  {"seed": 5 + number}))
        pictures.append(np.asarray(Image.open(out).convert("L"), dtype=np.float32))
    for a, b in zip(pictures, pictures[1:]):
        assert np.abs(a - b).mean() > 4  # the same palette and hero, another picture
    # the mouse is named in the later shots only, and only they draw it
    with_mouse = ["мыш" in shot.text.lower() for shot in cut]
    assert any(with_mouse) and not all(with_mouse)
    for named, report in zip(with_mouse, drawn):
        assert ("мышь" in report["figures"]) == named, (named, report["figures"])


@pytest.fixture(scope="module")
def shot_film(tmp_path_factory):
    """Two scenes of two shots each, synthetic voices, the segmented and the single-pass film."""
    folder = tmp_path_factory.mktemp("shots")
    texts = ["Жили-были старик со старухой в маленькой избе у леса, а у них кот.",
             "Колобок покатился по дорожке в тёмный лес, где ждал волк."]
    clips = []
    for index, (text, seconds) in enumerate(zip(texts, (9.0, 8.4)), start=1):
        scene = clip(folder, index, draw(folder, index, text), seconds, text)
        scene.shots = [ShotClip(draw(folder, index, "Ночью у синего моря сидела лиса.", seed=11 + index),
                                scene.cues[1].start)]
        clips.append(scene)
    t = np.arange(25 * 44100) / 44100
    from fairytales.pipeline.narration.assemble import write_wav
    music = folder / "music.wav"
    write_wav(music, np.stack([0.2 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1).astype(np.float32), 44100)
    editor = FfmpegEditor()
    options = editor.options()
    meta = editor.assemble(Cut("Колобок", "сказка", clips, music, segments_dir=folder / "segments"),
                           folder / "new.mp4", folder / "new.jpg", options)
    assemble_single_pass(Cut("Колобок", "сказка", clips, music), folder / "old.mp4", options)
    return folder, clips, music, meta, options


def test_each_shot_is_shown_from_its_first_sentence_like_the_single_pass(shot_film):
    folder, clips, _, meta, options = shot_film
    assert meta["segments"]["made"] == sum(1 for p in (folder / "segments").glob("*.mp4"))
    timeline = plan([c.narration_seconds for c in clips], options["title_seconds"], options["crossfade"])
    spans = units(timeline, [[s.start for s in c.shots] for c in clips])
    assert [(u.scene, u.shot) for u in spans] == [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1)]
    assert meta["first_shot_ends"] == [round(spans[2].start, 3), round(spans[4].start, 3)]  # the contact sheet's
    for unit, scene in zip(spans[2::2], clips):
        segment = timeline.segments[unit.scene]
        assert unit.start + INNER_FADE == pytest.approx(segment.voice_start + scene.shots[0].start)
    middles = [round((u.start + u.duration / 2) * FPS) for u in spans[1:]]
    new, old = frames(folder / "new.mp4", set(middles)), frames(folder / "old.mp4", set(middles))
    assert min(psnr(new[f], old[f]) for f in middles) > 35
    for a, b in zip(middles, middles[1:]):  # each shot's picture, not its neighbour's
        assert psnr(new[a], new[b]) < 20


def test_redrawing_one_shot_re_encodes_only_its_span(shot_film, tmp_path, monkeypatch):
    folder, clips, music, _, options = shot_film
    kept = tmp_path / "segments"
    shutil.copytree(folder / "segments", kept)
    clips = [type(c)(c.picture, c.narration, c.narration_seconds, list(c.cues),
                     shots=[ShotClip(s.picture, s.start) for s in c.shots]) for c in clips]
    clips[0].shots[0].picture = draw(folder, 1, "Днём в поле пасся конь.", seed=31)
    made = run_counting(monkeypatch)
    FfmpegEditor().assemble(Cut("Колобок", "сказка", clips, music, segments_dir=kept), tmp_path / "redo.mp4",
                            tmp_path / "redo.jpg", options)
    assert sorted(name.split("-")[0] for name in made) == ["body", "join", "join"]
    timeline = plan([c.narration_seconds for c in clips], options["title_seconds"], options["crossfade"])
    framing = layout(timeline, FPS, shot_starts=[[s.start for s in c.shots] for c in clips])
    touched = range(framing.starts[2], framing.starts[3] + framing.fade)  # scene 1's second shot
    before, after = frame_digests(folder / "new.mp4"), frame_digests(tmp_path / "redo.mp4")
    assert sorted(before) == sorted(after)
    for number in before:  # the fade's first frame shows only the shot before (see test_video_segments)
        same = before[number] == after[number]
        assert same if number not in touched else (number == touched[0] or not same), number


REQUEST = TaleRequest(title="Колобок", genre="сказка", scenes=2, seed=4)


@pytest.mark.slow
def test_a_tale_draws_its_shots_and_a_redo_of_one_shot_remakes_that_picture_and_its_span(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDEOTALES_NARRATED_SENTENCES", "3")  # enough of each scene read for a second shot
    choices = {"story": Choice(options={"length": 900}), "illustration": Choice(options={"shot_seconds": 5})}
    store = DirectoryStore(tmp_path / "tale")
    Runner(REQUEST, store, choices).run()
    picture = store.current("illustration", 1)
    made = picture.meta["shots"]
    assert len(made) >= 2 and {f"picture_{n}" for n in range(2, len(made) + 1)} <= set(picture.files)
    scene = Scene.from_dict(json.loads(store.current("scenes").file().read_text("utf-8"))[0])
    pieces = shots.sentences(scene)
    for entry in made:
        a, b = entry["sentences"]
        assert entry["prompt"].strip(" —-") in " ".join(pieces[a:b])
    first_video = store.current("video")
    before = {role: path.read_bytes() for role, path in picture.files.items()}

    Runner(REQUEST, store, choices, [Redo("illustration", 1, options={"seed": 77}, shot=2)]).run()
    again = store.current("illustration", 1)
    after = {role: path.read_bytes() for role, path in again.files.items()}
    assert after["picture_2"] != before["picture_2"]
    assert {r: v for r, v in after.items() if r != "picture_2"} == {r: v for r, v in before.items()
                                                                    if r != "picture_2"}
    assert [e["prompt"] for e in again.meta["shots"]] == [e["prompt"] for e in made]
    old, new = frame_digests(first_video.file("video")), frame_digests(store.current("video").file("video"))
    assert sorted(old) == sorted(new)
    changed = [n for n in old if old[n] != new[n]]
    assert changed
    scene_starts = first_video.meta["scene_starts"]
    assert scene_starts[0] * FPS < min(changed) and max(changed) < scene_starts[1] * FPS + FPS

    # the shot's earlier picture, chosen again (its history on the page): the first film's frames come back
    Runner(REQUEST, store, choices, [Redo("illustration", 1, shot=2, picture=str(picture.files["picture_2"]))]).run()
    back = store.current("illustration", 1)
    assert {role: path.read_bytes() for role, path in back.files.items()} == before
    assert back.meta["shots"][1]["picked"] is True
    assert frame_digests(store.current("video").file("video")) == old

    # one shot drawn from the owner's words, then the film made square: every shot is drawn again for the new
    # frame, that one still from the owner's words and roll, the others from their sentences
    Runner(REQUEST, store, choices, [Redo("illustration", 1, shot=2, prompt="Лиса сидит на пеньке",
                                          options={"seed": 91})]).run()
    owned = store.current("illustration", 1).meta["shots"]
    assert owned[1]["prompt"] == "Лиса сидит на пеньке"
    Runner(REQUEST, store, choices, [Redo("video", options={"format": "square"})]).run()
    square = store.current("illustration", 1)
    assert square.meta["size"] == [1080, 1080] and Image.open(square.files["picture_2"]).size == (1080, 1080)
    assert [(e["prompt"], e["seed"]) for e in square.meta["shots"]] == \
        [(e["prompt"], e["seed"]) for e in owned]
    assert [e["prompt"] for e in square.meta["shots"][:1] + square.meta["shots"][2:]] == \
        [e["prompt"] for e in made[:1] + made[2:]]

    # a new roll of the whole scene, its prompt box sent back as the page filled it (shot 1's words): every
    # shot is drawn again from its own words, shot 2 still from the owner's
    Runner(REQUEST, store, choices, [Redo("illustration", 1, prompt=square.meta["prompt"],
                                          options={"seed": 5})]).run()
    rolled = store.current("illustration", 1).meta["shots"]
    assert [e["prompt"] for e in rolled] == [e["prompt"] for e in owned]
    assert [bool(e.get("own")) for e in rolled] == [number == 2 for number in range(1, len(rolled) + 1)]
    assert all(new["seed"] != old["seed"] for new, old in zip(rolled, square.meta["shots"]))
