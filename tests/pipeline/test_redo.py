"""Redoing one node of a finished tale: only what depends on it is made again, every version is kept."""

import json
import shutil

import numpy as np
import pytest

from fairytales.pipeline import limits, registry
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator
from fairytales.pipeline.runner import Choice, Redo, Runner, StageFailed
from fairytales.pipeline.types import TaleRequest
from fairytales.pipeline.video.ffmpeg import FfmpegEditor
from tests.media import frame_at, streams

pytestmark = pytest.mark.slow
REQUEST = TaleRequest(title="Колобок", genre="сказка", scenes=4, seed=3)
SHORT = {"story": Choice(options={"length": 1500})}
CALLS: list[str] = []


class CountingIllustrator(StorybookIllustrator):
    name = "counting"

    def draw(self, scene, *args, **kwargs):
        CALLS.append(f"illustration/{scene.index}")
        return super().draw(scene, *args, **kwargs)


class CountingEditor(FfmpegEditor):
    name = "counting"

    def assemble(self, *args, **kwargs):
        CALLS.append("video")
        return super().assemble(*args, **kwargs)


class BrokenIllustrator(StorybookIllustrator):
    name = "broken"

    def draw(self, *args, **kwargs):
        raise RuntimeError("художник заболел")


@pytest.fixture(autouse=True)
def counting_backends(monkeypatch):
    for stage, cls in (("illustration", CountingIllustrator), ("video", CountingEditor),
                       ("illustration", BrokenIllustrator)):
        monkeypatch.setitem(registry.BACKENDS[stage], cls.name, f"{__name__}:{cls.__name__}")
    CALLS.clear()


def choices():
    # a picture per scene: these count nodes (a scene's shots and their redo: test_shots.py)
    return {**SHORT, "illustration": Choice("counting", options={"shot_seconds": 0}), "video": Choice("counting")}


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    folder = tmp_path_factory.mktemp("finished")
    registry.BACKENDS["illustration"]["counting"] = f"{__name__}:CountingIllustrator"
    registry.BACKENDS["video"]["counting"] = f"{__name__}:CountingEditor"
    Runner(REQUEST, DirectoryStore(folder), choices()).run()
    return folder


@pytest.fixture
def tale(finished, tmp_path):
    """A private copy of the finished tale for each test."""
    folder = tmp_path / "tale"
    shutil.copytree(finished, folder)
    return folder, DirectoryStore(folder)


def files_of(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "manifest.json"}


def test_a_new_picture_for_scene_3_remakes_only_it_and_the_video(tale):
    folder, store = tale
    before_video = store.current("video")
    before = files_of(folder)
    Runner(REQUEST, store, choices(), [Redo("illustration", 3, options={"seed": 999})]).run()
    assert CALLS == ["illustration/3", "video"]
    after = files_of(folder)
    assert sorted(set(after) - set(before)) == ["picture-3-v2.png", "poster-v2.jpg", "subtitles.ru-v2.vtt",
                                                "video-v2.mp4"]
    assert {name: after[name] for name in before} == before

    new_video = store.current("video")
    starts = new_video.meta["scene_starts"]
    old, new = before_video.file("video"), new_video.file("video")
    assert streams(new)["video"]["duration"] == pytest.approx(streams(old)["video"]["duration"], abs=0.05)
    differences = [np.abs(frame_at(old, start + 1.5) - frame_at(new, start + 1.5))[:560].mean()  # above subtitles
                   for start in starts]
    others = differences[:2] + differences[3:]
    assert max(others) < 2, differences  # the other scenes look as they did
    assert differences[2] > 3 * max(max(others), 1), differences  # scene 3 shows its new picture


def test_an_edited_prompt_is_drawn_and_kept(tale):
    _, store = tale
    Runner(REQUEST, store, choices(), [Redo("illustration", 2, prompt="Ночью в тёмном лесу выл волк")]).run()
    picture = store.current("illustration", 2)
    assert picture.meta["prompt"] == "Ночью в тёмном лесу выл волк"
    assert "волк" in picture.meta["drawn"]["figures"] and picture.meta["drawn"]["sky"] == "night"


def test_editing_scene_2_remakes_its_voice_and_picture_and_the_video_follows(tale, monkeypatch):
    folder, store = tale
    monkeypatch.setenv(limits.NARRATED_SENTENCES_SETTING, "3")  # the new scene 2 read to its last words
    old_scenes = json.loads(store.current("scenes").file().read_text("utf-8"))
    old_length = store.current("video").meta["duration"]
    old_voice = store.current("narration", 2).meta["duration"]
    before = files_of(folder)
    new_text = "Колобок встретил волка у реки.\n\n— Я тебя съем! — сказал волк."
    Runner(REQUEST, store, choices(), [Redo("scenes", 2, text=new_text)]).run()

    new = sorted(set(files_of(folder)) - set(before))
    # the character sheet again too: which scenes show whom changed (its pictures' references are kept)
    assert new == ["cast-v2.json", "narration-2-v2.wav", "picture-2-v2.png", "poster-v2.jpg", "scenes-v2.json",
                   "subtitles.ru-v2.vtt", "video-v2.mp4"]
    assert CALLS == ["illustration/2", "video"]
    scenes = json.loads(store.current("scenes").file().read_text("utf-8"))
    assert scenes[1]["text"].startswith("Колобок встретил волка у реки.")
    assert [s for i, s in enumerate(scenes) if i != 1] == [s for i, s in enumerate(old_scenes) if i != 1]
    assert store.current("narration", 2).meta["cues"][-1]["text"] == "сказал волк."
    voice_change = store.current("narration", 2).meta["duration"] - old_voice
    assert store.current("video").meta["duration"] == pytest.approx(old_length + voice_change, abs=0.1)


def test_a_failed_redo_keeps_the_previous_video(tale):
    folder, store = tale
    video = store.current("video")
    with pytest.raises(StageFailed) as failure:
        Runner(REQUEST, store, choices(), [Redo("illustration", 1, backend="broken")]).run()
    assert "художник заболел" in failure.value.detail
    assert store.current("video").files == video.files and video.file("video").exists()
    assert store.current("illustration", 1).file().name == "picture-1-v1.png"


def test_new_music_with_another_mood_remakes_music_and_video_only(tale):
    folder, store = tale
    before, genres_mood = files_of(folder), store.current("music").meta["mood"]
    Runner(REQUEST, store, choices(), [Redo("music", options={"mood": "dark", "seed": 5})]).run()
    assert sorted(set(files_of(folder)) - set(before)) == ["music-v2.mid", "music-v2.wav", "poster-v2.jpg",
                                                           "subtitles.ru-v2.vtt", "video-v2.mp4"]
    assert store.current("music").meta["mood"] == "dark" != genres_mood
    # «как в жанре» on the page (the form sends an empty mood): the chosen mood is let go
    Runner(REQUEST, store, choices(), [Redo("music", options={"mood": "", "seed": 6})]).run()
    assert store.current("music").meta["mood"] == genres_mood


def test_a_rewritten_story_runs_everything_after_it_again(tale):
    _, store = tale
    text = "\n\n".join(["Жил-был Колобок у деда с бабкой. Однажды он убежал в лес."] * 6)
    Runner(REQUEST, store, choices(), [Redo("story", text=text)]).run()
    assert store.current("story").backend == "edited"
    assert store.current("proofread").file().read_text("utf-8").startswith("Жил-был Колобок у деда")
    assert sorted(CALLS) == ["illustration/1", "illustration/2", "illustration/3", "illustration/4", "video"]


def test_a_join_for_one_cut_re_encodes_that_join_and_stays_for_later_redos(finished, tale):
    folder, store = tale
    kept = finished.with_name(f"{finished.name}.segments")  # the editor's segments, beside the tale's folder
    assert kept.is_dir()
    shutil.copytree(kept, folder.with_name(f"{folder.name}.segments"))
    before = store.current("video")
    Runner(REQUEST, store, choices(), [Redo("video", options={"joins": "2=morph"})]).run()
    morphed = store.current("video")
    assert CALLS == ["video"] and morphed.options["joins"] == "2=morph" and morphed.options["join"] == "fade"
    assert morphed.meta["segments"]["made"] == 1  # that join alone; every other segment is the last film's
    assert streams(morphed.file("video"))["video"]["duration"] == pytest.approx(
        streams(before.file("video"))["video"]["duration"], abs=0.05)
    Runner(REQUEST, store, choices(), [Redo("video", options={"joins": "3=wipe"})]).run()
    assert store.current("video").options["joins"] == "2=morph, 3=wipe"  # added to the cuts the film had
    Runner(REQUEST, store, choices(), [Redo("video", options={"join": "dissolve"})]).run()
    assert (store.current("video").options["join"], store.current("video").options["joins"]) == ("dissolve", "")


def test_what_the_owner_chose_stays_when_a_node_is_made_again_for_another_reason(tale, monkeypatch):
    """A scene's voice, its picture's words and roll, and another scene's illustrator, chosen by redos, are
    kept when the node is made again because something else changed: a new film format (its pictures drawn for the new frame), a
    scene's text."""
    _, store = tale
    narrator = registry.get("narration", store.current("narration", 2).backend)
    voice = next(v for v in narrator.voices_in("ru") if v != store.current("narration", 2).options.get(
        narrator.voice_option))
    Runner(REQUEST, store, choices(), [Redo("narration", 2, options={narrator.voice_option: voice})]).run()
    Runner(REQUEST, store, choices(), [Redo("illustration", 2, prompt="Ночью в тёмном лесу выл волк",
                                            options={"seed": 4242})]).run()
    Runner(REQUEST, store, choices(), [Redo("illustration", 3, backend="storybook", options={"seed": 11})]).run()
    untouched = store.current("illustration", 1).meta["shots"]

    Runner(REQUEST, store, choices(), [Redo("video", options={"format": "vertical"})]).run()
    tall = store.current("illustration", 2)
    assert tall.meta["size"] == [1080, 1920]  # drawn again for the tall frame…
    other = store.current("illustration", 3)  # …scene 3 by the illustrator chosen for it, not the tale's
    assert other.meta["size"] == [1080, 1920] and other.backend == "storybook"
    assert store.current("illustration", 1).backend == "counting"
    owners = [("Ночью в тёмном лесу выл волк", 4242)]
    assert [(shot["prompt"], shot["seed"]) for shot in tall.meta["shots"]] == owners
    assert "волк" in tall.meta["drawn"]["figures"] and tall.meta["drawn"]["sky"] == "night"  # as they asked
    assert [(s["prompt"], s["seed"]) for s in store.current("illustration", 1).meta["shots"]] == \
        [(s["prompt"], s["seed"]) for s in untouched]  # the others from their own sentences, as before

    monkeypatch.setenv(limits.NARRATED_SENTENCES_SETTING, "3")
    new_text = "Колобок катился по полю.\n\nСветило солнце."
    slower = {**choices(), "narration": Choice(options={"rate": 0.8})}  # the tale's own choice changed since
    Runner(REQUEST, store, slower, [Redo("scenes", 2, text=new_text)]).run()
    voiced = store.current("narration", 2)
    assert voiced.options[narrator.voice_option] == voice  # read again, by the same voice…
    assert voiced.options["rate"] == 0.8  # …and what was not chosen by a redo follows the tale's choices
    assert voiced.meta["cues"][0]["text"].startswith("Колобок катился")
    assert store.current("illustration", 2).meta["prompt"] != owners[0][0]  # new words: a new prompt
