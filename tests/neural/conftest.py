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


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Tiny models gain nothing from threads, and on a busy 2-core machine two torch threads wait on
    each other (a draw took 10-20 s with two, 0.5 s with one). Restored after each module."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
