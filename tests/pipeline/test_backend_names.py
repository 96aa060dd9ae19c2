"""Backends are named for what they are; «offline», the name stored tales carry, still works."""

import json

import pytest

from fairytales.pipeline import registry
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.runner import Choice, Redo, Runner
from fairytales.pipeline.types import TaleRequest

OLD_NAMES = {"story": "template", "narration": "espeak", "illustration": "storybook", "video": "ffmpeg"}


@pytest.mark.parametrize(("stage", "name"), OLD_NAMES.items())
def test_offline_names_the_same_backend_as_its_new_name(stage, name):
    assert registry.backend_class(stage, "offline") is registry.backend_class(stage, name)
    assert registry.backend_class(stage, name).name == name
    assert registry.get(stage, "offline") is registry.get(stage, name)


def test_an_unknown_backend_says_which_there_are():
    with pytest.raises(KeyError, match="known: .*storybook"):
        registry.backend_class("illustration", "watercolour")


@pytest.mark.slow
def test_a_tale_made_under_the_old_names_redoes_a_picture(tmp_path):
    request = TaleRequest(title="Лиса и журавль", genre="юмор", scenes=3, seed=5)
    old_choices = {stage: Choice("offline") for stage in OLD_NAMES}
    old_choices["story"].options = {"length": 1500}
    old_choices["video"].options = {"preset": "ultrafast"}
    store = DirectoryStore(tmp_path)
    first_video = Runner(request, store, old_choices).run()
    # what a tale made before the rename has on record: every backend called «offline»
    manifest = tmp_path / "manifest.json"
    record = json.loads(manifest.read_text("utf-8"))
    text = json.dumps(record, ensure_ascii=False)
    for name in OLD_NAMES.values():
        text = text.replace(f'"backend": "{name}"', '"backend": "offline"')
    manifest.write_text(text, encoding="utf-8")
    store = DirectoryStore(tmp_path)
    assert store.current("illustration", 2).backend == "offline"
    old_picture = store.current("illustration", 2).file().read_bytes()

    video = Runner(request, store, old_choices,
                   [Redo("illustration", 2, options={"seed": 77}, backend="offline")]).run()

    store = DirectoryStore(tmp_path)
    picture = store.current("illustration", 2)
    assert picture.backend == "storybook" and picture.file().read_bytes() != old_picture
    assert store.current("illustration", 1).backend == "offline"  # untouched
    assert video.file() != first_video.file() and video.file().stat().st_size > 100_000
