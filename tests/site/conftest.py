import pytest


@pytest.fixture(autouse=True)
def _in_memory_site(settings, tmp_path):
    """In-process site tests keep media in a temporary folder and progress in memory.

    The tests that start real servers (tests/e2e) use the real Redis layer across processes.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
