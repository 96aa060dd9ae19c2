"""Whatever a user types reaches every text-handling step safely (property-based, hypothesis)."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairytales.pipeline.illustration import IllustrationContext
from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator
from fairytales.pipeline.proofread.dictionary import DictionaryProofreader
from fairytales.pipeline.scenes import rewrite_scene, split_scenes
from fairytales.pipeline.story.template.backend import TemplateStoryteller
from fairytales.pipeline.types import Scene, TaleRequest
from fairytales.pipeline.video.subtitles import escape
from tests.media import is_blank, picture

titles = st.text(min_size=1, max_size=80).filter(lambda t: t.strip())
texts = st.text(max_size=600)


@settings(max_examples=40, deadline=None)
@given(title=titles, genre=st.sampled_from(["сказка", "ужасы", "фантастика", "детектив"]))
def test_any_title_gives_a_whole_story(title, genre):
    story = TemplateStoryteller()
    text = story.write(TaleRequest(title=title, genre=genre), story.options(), lambda f, m: None)
    assert len(text) >= 1500
    assert "{" not in text.replace(title, "") and "None" not in text.replace(title, "")


@settings(max_examples=60, deadline=None)
@given(text=texts, count=st.integers(3, 12))
def test_any_text_is_cut_into_scenes_without_losing_words(text, count):
    if not text.strip():
        return
    scenes = split_scenes(text, count)
    assert 1 <= len(scenes) <= count
    assert " ".join(s.text for s in scenes).split() == text.split()


@settings(max_examples=60, deadline=None)
@given(text=texts)
def test_any_edited_scene_keeps_its_words(text):
    if not text.strip():
        return
    new_text, prompt, lines = rewrite_scene(text)
    assert new_text.split() == text.split()
    assert len(prompt) <= 220


@settings(max_examples=60, deadline=None)
@given(text=texts)
def test_a_subtitle_can_never_break_out_of_its_line(text):
    line = escape(text)
    assert "\n" not in line and "\r" not in line and "{" not in line and "\\" not in line


@settings(max_examples=60, deadline=None)
@given(text=texts)
def test_the_proofreader_changes_words_only_by_its_rules(text):
    backend = DictionaryProofreader()
    result = backend.fix(text, backend.options())
    words_in, words_out = re.findall(r"\w+", text), re.findall(r"\w+", result.text)
    allowed = set(words_in) | {right for _, right in result.corrections} | {"со", "во", "ко", "Со", "Во", "Ко"}
    assert set(words_out) <= allowed
    assert len(words_out) <= len(words_in)  # only a doubled word ever goes


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prompt=st.text(max_size=200), title=titles)
def test_any_prompt_gives_a_picture(tmp_path, prompt, title):
    backend = StorybookIllustrator()
    out = tmp_path / "picture.png"
    backend.draw(Scene(1, prompt, prompt), IllustrationContext(title, "сказка", 1), out, backend.options(),
                 lambda f, m: None)
    assert not is_blank(picture(out))
