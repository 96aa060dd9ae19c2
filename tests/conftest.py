import os

# A model look-up that reaches for a hub retries for ~40 s here before failing: never try.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
