"""A tale a moderator hid is gone for everyone but its owner and staff: page, files and websocket alike."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from fairytales.asgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(make_tale, with_file):
    tale = make_tale(status="done", is_public=True, is_hidden=True)
    with_file(tale, "story", "text", "story-v1.txt", "Жили-были.".encode())
    return tale


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("moderator", is_staff=True)


def websocket_accepts(tale, user) -> bool:
    async def connect():
        communicator = WebsocketCommunicator(application, f"/ws/tales/{tale.pk}/",
                                             headers=[(b"origin", b"http://127.0.0.1")])
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    return async_to_sync(connect)()


def test_strangers_and_anonymous_get_nothing(client, hidden, stranger):
    for user in (None, stranger):
        if user:
            client.force_login(user)
        assert client.get(f"/tales/{hidden.pk}/").status_code == 404
        assert client.get(f"/tales/{hidden.pk}/files/story-v1.txt").status_code == 404
        assert hidden.title not in client.get("/").content.decode()
    assert not websocket_accepts(hidden, stranger) and not websocket_accepts(hidden, AnonymousUser())


def test_the_owner_and_staff_still_see_it(client, hidden, owner, staff):
    for user in (owner, staff):
        client.force_login(user)
        assert client.get(f"/tales/{hidden.pk}/").status_code == 200
        assert client.get(f"/tales/{hidden.pk}/files/story-v1.txt").status_code == 200
        assert websocket_accepts(hidden, user)


def test_staff_do_not_see_private_tales(client, make_tale, staff):
    private = make_tale(status="done", is_public=False)
    client.force_login(staff)
    assert client.get(f"/tales/{private.pk}/").status_code == 404
