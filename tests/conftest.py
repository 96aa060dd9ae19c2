import os

import pytest

# A model look-up that reaches for a hub retries for ~40 s here before failing: never try.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Whole tales here are made by every stage, but narrate one sentence a scene: films of seconds, not minutes
# (fairytales/pipeline/limits.py). A test about the whole narration removes it (monkeypatch.delenv), one that
# needs more of it sets it. The films are encoded with x264's fastest preset (a test of the preset sets its own).
os.environ.setdefault("VIDEOTALES_NARRATED_SENTENCES", "1")
os.environ.setdefault("VIDEOTALES_X264_PRESET", "ultrafast")


def pytest_itemcollected(item):
    """`make test` runs the suite in two pytest-xdist workers (`--dist loadgroup`). The tests that start real
    servers (tests/e2e) all go to one of them, one after another, while the other runs the rest: they spend much
    of their time waiting for their servers, so the machine's second core works meanwhile (two of them at once
    would each have half the machine). Every other module stays whole in one worker, so its module-scoped tale
    is made once. (Marked as each test is collected, before xdist writes the marks into the tests' ids.)"""
    group = "servers" if "e2e" in item.path.parts else item.nodeid.split("::")[0]  # its module
    item.add_marker(pytest.mark.xdist_group(group))
