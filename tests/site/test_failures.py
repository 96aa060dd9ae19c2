"""A failure reads the same to everyone who may see the tale; its details (exception text, paths) are for
the owner and staff only, never on a public page or the websocket."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from fairytales.asgi import application
from fairytales.pipeline.failures import explain
from fairytales.tales.models import StageRun

pytestmark = pytest.mark.django_db
SECRET = "/srv/videotales/var/models/vqgan/last.ckpt: MODEL_ILLUSTRATION_VQGAN_CLIP"


@pytest.fixture
def failed(make_tale):
    tale = make_tale(status="failed", is_public=True)
    explained = explain(RuntimeError(SECRET), "illustration", 2)
    tale.error, tale.error_detail = explained.public, explained.detail
    tale.save()
    StageRun.objects.create(tale=tale, stage="illustration", status="failed", error=explained.public,
                            detail=explained.detail)
    return tale


def test_the_public_page_says_what_failed_without_details(client, failed):
    page = client.get(f"/tales/{failed.pk}/").content.decode()
    assert "«Иллюстрации», сцена 2 не удался" in page
    assert "/srv/videotales" not in page and "MODEL_ILLUSTRATION" not in page


def test_the_owner_can_read_the_details(owner_client, failed):
    page = owner_client.get(f"/tales/{failed.pk}/").content.decode()
    assert "Подробности ошибки" in page and SECRET in page


def test_staff_can_read_the_details(client, failed, django_user_model):
    client.force_login(django_user_model.objects.create_user("moderator", is_staff=True))
    assert SECRET in client.get(f"/tales/{failed.pk}/").content.decode()


def test_the_websocket_sends_no_details(failed, owner):
    async def first_message():
        communicator = WebsocketCommunicator(application, f"/ws/tales/{failed.pk}/",
                                             headers=[(b"origin", b"http://127.0.0.1")])
        communicator.scope["user"] = owner
        connected, _ = await communicator.connect()
        assert connected
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message

    message = async_to_sync(first_message)()
    assert "не удался" in str(message) and "/srv/videotales" not in str(message)


@pytest.mark.parametrize(("cause", "public"), [
    (MemoryError(), "не хватило памяти"),
    (OSError(28, "No space left on device: '/srv/media/x.part.mp4'"), "закончилось место"),
    (TimeoutError("ffmpeg"), "слишком долго"),
])
def test_each_kind_of_failure_has_its_own_message(cause, public):
    explained = explain(cause, "video")
    assert public in explained.public and "/srv" not in explained.public
