"""Neural backends run on tiny randomly initialised models built from configs in the tests: no
weights can be downloaded here, and a hub look-up must fail at once rather than retry."""

import os

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["VIDEOTALES_DEVICE"] = "cpu"

import torch  # noqa: E402


@pytest.fixture(autouse=True)
def _deterministic():
    torch.manual_seed(0)
