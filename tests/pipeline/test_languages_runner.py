"""Whole tales in a language, with subtitle tracks in others: what a viewer of the film would check."""

import html
import json
import re

import numpy as np
import pytest
import webvtt
from django.core.management import CommandError, call_command

from fairytales.pipeline import registry
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.runner import Choice, Redo, Runner, StageFailed
from fairytales.pipeline.types import TaleRequest
from tests.media import frame_at, streams

pytestmark = pytest.mark.slow
CYRILLIC = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]")
LATIN = re.compile(r"[A-Za-z]")
UKRAINIAN_ONLY = re.compile(r"[ІіЇїЄєҐґ]")
RUSSIAN_ONLY = re.compile(r"[ЫыЭэЁёЪъ]")
ENGLISH_WORDS = {"the", "and", "a", "to", "of", "was", "he", "she", "it", "in", "his", "her"}


def seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def track(video, code):
    """(start, end, text) of each cue of the film's track in ``code``, read by an independent parser."""
    return [(seconds(c.start), seconds(c.end), html.unescape(c.text))
            for c in webvtt.read(str(video.file(f"vtt_{code}")))]


def scene_texts(store):
    return [s["text"] for s in json.loads(store.current("scenes").file().read_text("utf-8"))]


@pytest.fixture(scope="module")
def tale(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tale-ru-en-uk")
    store = DirectoryStore(folder)
    request = TaleRequest(title="Колобок", genre="сказка", scenes=3, seed=5, subtitles=("en", "uk"))
    video = Runner(request, store).run()
    return request, store, video


def test_the_film_has_a_track_per_language_the_tales_own_first(tale):
    _, store, video = tale
    assert video.meta["subtitles"] == ["ru", "en", "uk"] and video.meta["burned"] == "ru"
    assert {f"vtt_{code}" for code in ("ru", "en", "uk")} <= set(video.files)
    translations = json.loads(store.current("translation").file("texts").read_text("utf-8"))
    assert set(translations) == {"en", "uk"} and all(len(texts) == 3 and all(texts) for texts in translations.values())


def test_each_track_is_in_its_language(tale):
    _, _, video = tale
    russian, english, ukrainian = (track(video, code) for code in ("ru", "en", "uk"))
    assert russian and english and ukrainian
    assert all(CYRILLIC.search(t) and not LATIN.search(t) and not UKRAINIAN_ONLY.search(t) for _, _, t in russian)
    assert all(LATIN.search(t) and not CYRILLIC.search(t) for _, _, t in english)
    english_words = {w.lower() for _, _, t in english for w in re.findall(r"[A-Za-z]+", t)}
    assert len(english_words & ENGLISH_WORDS) >= 3
    assert all(CYRILLIC.search(t) and not LATIN.search(t) and not RUSSIAN_ONLY.search(t) for _, _, t in ukrainian)
    assert sum(bool(UKRAINIAN_ONLY.search(t)) for _, _, t in ukrainian) >= len(ukrainian) / 2


def test_the_own_track_has_the_narrations_cue_times_on_the_films_clock(tale):
    _, store, video = tale
    cues = track(video, "ru")
    first = store.current("narration", 1).meta["cues"][0]
    title = registry.get("video").options()["title_seconds"]
    lead = 1.0  # the scene's voice starts a second into its segment (video/timeline.py)
    assert abs(cues[0][0] - (title - registry.get("video").options()["crossfade"] + lead + first["start"])) < 0.01
    assert cues[0][2] == " ".join(first["text"].split())


def test_every_cue_lies_inside_the_film_and_each_scenes_cues_inside_its_scene(tale):
    _, store, video = tale
    duration = streams(video.file("video"))["video"]["duration"]
    starts = video.meta["scene_starts"]
    crossfade = registry.get("video").options()["crossfade"]
    spans = [(start, (starts[i + 1] + crossfade) if i + 1 < len(starts) else duration) for i, start in enumerate(starts)]
    translations = json.loads(store.current("translation").file("texts").read_text("utf-8"))
    for code in ("ru", "en", "uk"):
        for start, end, _ in track(video, code):
            assert 0 <= start < end <= duration + 0.05
    for start, end, text in track(video, "en"):
        scene = next(i for i, scene_text in enumerate(translations["en"]) if text in " ".join(scene_text.split()))
        assert spans[scene][0] <= start and end <= spans[scene][1], (text, scene, spans)


def test_burning_english_changes_the_picture_only_where_the_subtitles_are(tale):
    request, store, video = tale
    first = track(video, "ru")[0]
    moment = (first[0] + first[1]) / 2
    russian = frame_at(video.file("video"), moment)
    english = Runner(request, store, redo=[Redo("video", options={"burn": "en"})]).run()
    assert english.meta["burned"] == "en" and english.meta["subtitles"] == ["ru", "en", "uk"]
    assert english.file("video") != video.file("video")
    burned = frame_at(english.file("video"), moment)
    height = burned.shape[0]
    difference = np.abs(burned - russian).mean(axis=(1, 2))  # per row
    assert difference[: int(height * 0.6)].mean() < 3  # the picture is the same film (but for the encoder's noise)
    assert difference[int(height * 0.75):].max() > 20  # the subtitle box says something else
    kept = Runner(request, store).run()  # a later run keeps the burned language, as it keeps the format
    assert kept.meta["burned"] == "en"


def test_a_rewritten_scene_is_translated_again_alone_and_no_voice_is_made_again(tale):
    request, store, _ = tale
    before = json.loads(store.current("translation").file("texts").read_text("utf-8"))
    voices = [store.current("narration", i).file() for i in (1, 3)]
    text = "Колобок покатился к реке и запел новую песенку."
    said = []
    store = DirectoryStore(store.root, echo=lambda *report: said.append(report))  # what the stages report
    Runner(request, store, redo=[Redo("scenes", scene=2, text=text)]).run()
    translation = store.current("translation")
    after = json.loads(translation.file("texts").read_text("utf-8"))
    for code in ("en", "uk"):
        assert after[code][0] == before[code][0] and after[code][2] == before[code][2]
    if translation.meta.get("fallback") is None:  # no MarianMT here: the rewritten scene has no parallel text
        assert after["en"][1] is None and translation.meta["missing"] == {"en": [2], "uk": [2]}
        note = "Готово; без перевода остались сцены: English — 2; Українська — 2"  # each language by its name
        assert ("translation", "done", 1.0, note) in said
    assert [store.current("narration", i).file() for i in (1, 3)] == voices


@pytest.mark.parametrize("language, title, letters", [("en", "The Fox and the Hare", LATIN),
                                                      ("uk", "Лисиця і заєць", CYRILLIC)])
def test_a_tale_in_another_language_is_told_in_it(tmp_path, language, title, letters):
    store = DirectoryStore(tmp_path)
    video = Runner(TaleRequest(title=title, genre="сказка", scenes=3, seed=2, language=language), store).run()
    texts = scene_texts(store)
    assert len(texts) == 3 and all(letters.search(t) for t in texts)
    if language == "en":
        assert not any(CYRILLIC.search(t) for t in texts)
        assert {"the", "and"} <= {w.lower() for t in texts for w in re.findall(r"[A-Za-z]+", t)}
    else:
        assert not any(LATIN.search(t) for t in texts) and any(UKRAINIAN_ONLY.search(t) for t in texts)
    assert video.meta["subtitles"] == [language] and video.meta["burned"] == language
    assert all(letters.search(t) for _, _, t in track(video, language))
    narration = store.current("narration", 1)
    narrator = registry.backend_class("narration", narration.backend)
    assert narration.meta["voices"]  # which voice read whom: every one a voice of the tale's language
    assert set(narration.meta["voices"].values()) <= set(narrator.voices_in(language))


def test_a_storyteller_that_cannot_tell_the_language_fails_the_story_readably(tmp_path):
    request = TaleRequest(title="The Fox", genre="сказка", scenes=3, language="en")
    with pytest.raises(StageFailed) as failed:
        Runner(request, DirectoryStore(tmp_path), {"story": Choice(backend="rugpt3")}).run()
    assert failed.value.stage == "story" and "'en'" in failed.value.detail and "ru" in failed.value.detail


def test_make_tale_refuses_an_unknown_language_and_makes_nothing(tmp_path):
    out = tmp_path / "tale.mp4"
    for arguments in (["--language", "xx"], ["--subtitles", "en,zz"]):
        with pytest.raises(CommandError, match="no language"):
            call_command("make_tale", "Колобок", "-o", str(out), "--workdir", str(tmp_path / "work"), *arguments)
    assert not out.exists() and not (tmp_path / "work").exists()


def test_make_tale_tells_the_tale_in_its_language_and_writes_the_tracks_beside_the_film(tmp_path):
    out = tmp_path / "fox.mp4"
    call_command("make_tale", "The Fox and the Hare", "--scenes", "3", "--language", "en", "--subtitles", "ru,en",
                 "-o", str(out))
    assert out.exists() and out.with_suffix(".jpg").exists()
    english, russian = out.with_suffix(".en.vtt"), out.with_suffix(".ru.vtt")
    assert LATIN.search(english.read_text("utf-8")) and CYRILLIC.search(russian.read_text("utf-8"))
    assert not out.with_suffix(".uk.vtt").exists()
