"""Scenes in each language, the parallel text cut into the same scenes, WebVTT files a browser reads."""

import html
import itertools

import webvtt

from fairytales.pipeline.scenes import NARRATOR, regroup, speaker_gender, speaker_lines, split_scenes
from fairytales.pipeline.translation import Job
from fairytales.pipeline.translation.parallel import ParallelTranslator
from fairytales.pipeline.types import Cue
from fairytales.pipeline.video import webvtt as vtt
from fairytales.pipeline.video.timeline import plan

RUSSIAN = "\n\n".join([
    "Жили-были старик со старухой в избушке у леса. Однажды испекла старуха колобок. Положила его на окошко.",
    "— Куда катишься, колобок? — спросил заяц.\n— Я тебя съем! — закричал заяц.",
    "Покатился колобок по дорожке в тёмный лес. Там встретил он серого волка.",
    "Лиса сказала: «Подойди поближе, мой милый». Колобок запел песенку.",
])
ENGLISH = "\n\n".join([
    ("Once upon a time an old man and an old woman lived by the forest. One day the old woman baked a bun. "
     "She put it on the window sill."),
    "“Where are you rolling, little bun?” asked the hare.\n“I will eat you!” the hare cried.",
    "The bun rolled down the path into the dark forest. There it met the grey wolf.",
    "The fox said, “Come closer, my dear.” The bun sang its song.",
])


def test_english_dialogue_goes_to_the_speaker_named_by_the_tag_in_either_order():
    lines = speaker_lines(["“Where are you rolling, little bun?” asked the hare.\n“I will eat you!” the hare cried."],
                          "en")
    assert [(line.speaker, line.text) for line in lines] == [
        ("hare", "Where are you rolling, little bun?"), (NARRATOR, "asked the hare."),
        ("hare", "I will eat you!"), (NARRATOR, "the hare cried.")]
    said = speaker_lines(["The old fox said, “Come closer.” Then she smiled."], "en")
    assert [line.speaker for line in said] == [NARRATOR, "fox", NARRATOR]
    named = speaker_lines(["“Run!” cried Masha."], "en")
    assert named[0].speaker == "masha" and speaker_gender("masha", "en") == "femn"


def test_english_speech_after_the_tag_and_on_the_line_after_an_announcement_keeps_its_speaker():
    lines = speaker_lines([("“Stop!” said the owl. “Who goes there?” Fox thought and answered:\n“A dream!”\n"
                            "Hare nodded and said:\n“Do not be afraid.”")], "en")
    assert [(line.speaker, line.text) for line in lines] == [
        ("owl", "Stop!"), (NARRATOR, "said the owl."), ("owl", "Who goes there?"),
        (NARRATOR, "Fox thought and answered:"), ("fox", "A dream!"), (NARRATOR, "Hare nodded and said:"),
        ("hare", "Do not be afraid.")]


def test_a_quoted_sign_in_english_stays_the_narrators():
    text = "On the gate hung a sign that read “Keep out” in red letters."
    assert speaker_lines([text], "en") == speaker_lines([text], "en")[:1]
    assert speaker_lines([text], "en")[0].speaker == NARRATOR


def test_ukrainian_dialogue_with_dashes_goes_to_the_speaker():
    lines = speaker_lines(["— Куди ти котишся, колобку? — спитав заєць."], "uk")
    assert [(line.speaker, line.text) for line in lines] == [
        ("заєць", "Куди ти котишся, колобку?"), (NARRATOR, "спитав заєць.")]
    assert speaker_gender("лисиця", "uk") == "femn"


def test_an_english_prompt_is_the_sentence_that_names_most_things():
    scenes = split_scenes(ENGLISH, 2, "en")
    assert all(scene.prompt and scene.prompt in scene.text.replace("\n", " ") for scene in scenes)
    assert not any(scene.prompt.startswith("“") for scene in scenes)  # narration, not a line of speech


def test_each_scene_records_the_stretches_of_the_story_it_holds():
    scenes = split_scenes(RUSSIAN, 6)
    held = [tuple(part) for scene in scenes for part in scene.paragraphs]
    assert [p for p, *_ in held] == sorted(p for p, *_ in held)  # in order, each paragraph covered
    assert {p for p, *_ in held} == {0, 1, 2, 3}
    for p in range(4):  # a paragraph's stretches follow each other without a gap, to its last sentence
        parts = [(a, b, total) for q, a, b, total in held if q == p]
        assert parts[0][0] == 0 and all(parts[i][1] == parts[i + 1][0] for i in range(len(parts) - 1))
        assert parts[-1][1] == parts[-1][2]
    assert held[0] == (0, 0, 1, 3)  # «Жили-были …»: the first of its paragraph's three sentences


def test_a_parallel_story_is_cut_into_the_same_scenes():
    scenes = split_scenes(RUSSIAN, 6)
    english = regroup(ENGLISH, scenes, "en")
    assert len(english) == len(scenes) and all(english)
    assert " ".join(" ".join(english).split()) == " ".join(ENGLISH.split())  # every word once, in order
    hare = next(i for i, scene in enumerate(scenes) if "Куда катишься" in scene.text)
    assert "Where are you rolling" in english[hare] and "eat you" not in english[hare]
    assert english[0].startswith("Once upon a time")


def test_a_parallel_story_with_other_paragraphs_gives_nothing():
    scenes = split_scenes(RUSSIAN, 3)
    assert regroup("Just one paragraph.", scenes, "en") == [None, None, None]


def test_a_rewritten_scene_gets_no_parallel_text_and_the_note_says_which():
    scenes = split_scenes(RUSSIAN, 3)
    scenes[1].paragraphs = []  # what the runner does to a scene its owner rewrote
    job = Job(source="ru", targets=("en",), scenes=scenes, parallel=lambda language: ENGLISH)
    seen = []
    texts = ParallelTranslator().translate(job, {}, lambda fraction, message="": seen.append(fraction))
    assert texts["en"][1] is None and texts["en"][0] and texts["en"][2]
    assert seen[-1] == 1.0


def test_known_translations_are_kept_and_only_the_others_made():
    scenes = split_scenes(RUSSIAN, 3)
    job = Job(source="ru", targets=("en",), scenes=scenes, parallel=lambda language: ENGLISH,
              known={"en": {1: "Kept as it was."}})
    texts = ParallelTranslator().translate(job, {})
    assert texts["en"][0] == "Kept as it was." and texts["en"][1]


def test_a_webvtt_file_parses_and_escapes_what_would_be_markup(tmp_path):
    cues = [Cue(0.5, 2.25, "Tom & Jerry <b>run</b>"), Cue(3661.0, 3662.5, "Одна\nстрока"), Cue(4.0, 4.0, "empty")]
    path = vtt.write_vtt(cues, tmp_path / "t.vtt", "en")
    text = path.read_text("utf-8")
    assert text.startswith("WEBVTT") and "00:00:00.500 --> 00:00:02.250" in text and "01:01:01.000" in text
    assert "&amp;" in text and "&lt;b&gt;" in text and "<b>" not in text
    parsed = webvtt.read(str(path))
    # the degenerate cue left out; a player shows the entities as the characters they stand for
    assert [html.unescape(c.text) for c in parsed] == ["Tom & Jerry <b>run</b>", "Одна строка"]
    assert parsed[0].start == "00:00:00.500" and parsed[1].start == "01:01:01.000"


def test_translated_sentences_take_the_narrations_cue_times_when_they_match():
    own = [Cue(0.0, 2.0, "Раз."), Cue(2.5, 6.0, "Два три.")]
    assert [(c.start, c.end) for c in vtt.translated_cues("One. Two three.", own, 6.5)] == [(0.0, 2.0), (2.5, 6.0)]
    spread = vtt.translated_cues("One. Two. Three three three.", own, 6.5)
    assert spread[0].start == 0.0 and abs(spread[-1].end - 6.0) < 1e-6
    assert all(a.end <= b.start + 1e-6 for a, b in itertools.pairwise(spread))
    assert spread[2].end - spread[2].start > spread[0].end - spread[0].start  # longer sentence, longer cue
    assert len(vtt.translated_cues("One. Two. Three.", own, 6.5, sentences=2)) == 2


def test_cues_on_the_film_clock_follow_the_scenes_segments():
    timeline = plan([5.0, 4.0], title_seconds=4.0, crossfade=0.8)
    moved = vtt.on_film(timeline, [[Cue(0.0, 1.0, "a")], [Cue(0.5, 1.5, "b")]])
    assert abs(moved[0].start - timeline.segments[1].voice_start) < 1e-3
    assert abs(moved[1].start - (timeline.segments[2].voice_start + 0.5)) < 1e-3
