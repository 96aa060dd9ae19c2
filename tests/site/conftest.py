import pytest


@pytest.fixture(autouse=True)
def _in_memory_site(settings, tmp_path):
    """In-process site tests keep media in a temporary folder and progress in memory.

    The tests that start real servers (tests/e2e) use the real Redis layer across processes.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("alice", password="sk4zka-pass-1")


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user("bob", password="sk4zka-pass-2")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def make_tale(owner):
    """A tale row as a test needs it (no pipeline run)."""
    from fairytales.tales.models import Tale

    def make(**fields):
        fields.setdefault("owner", owner)
        fields.setdefault("title", "Колобок")
        fields.setdefault("genre", "сказка")
        return Tale.objects.create(**fields)

    return make


@pytest.fixture
def with_file(settings):
    """Give a tale a current artifact whose one file holds ``content``."""
    from fairytales.tales.models import Artifact

    def attach(tale, stage, role, name, content: bytes, scene=None, version=1, **meta):
        tale.folder.mkdir(parents=True, exist_ok=True)
        path = tale.folder / name
        path.write_bytes(content)
        files = {role: str(path.relative_to(settings.MEDIA_ROOT))}
        return Artifact.objects.create(tale=tale, stage=stage, scene=scene, version=version, backend="test",
                                       files=files, meta=meta)

    return attach
