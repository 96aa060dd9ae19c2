import os

# A model look-up that reaches for a hub retries for ~40 s here before failing: never try.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Whole tales here are made by every stage, but narrate one sentence a scene: films of seconds, not minutes
# (fairytales/pipeline/limits.py). A test about the whole narration removes it (monkeypatch.delenv), one that
# needs more of it sets it. The films are encoded with x264's fastest preset (a test of the preset sets its own).
os.environ.setdefault("VIDEOTALES_NARRATED_SENTENCES", "1")
os.environ.setdefault("VIDEOTALES_X264_PRESET", "ultrafast")
