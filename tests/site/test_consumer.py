"""The tale page's websocket, through the real ASGI app (session cookie, origin check, groups)."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from fairytales.asgi import application
from fairytales.tales import broadcast

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(client, user):
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _watch(path, headers, then=None):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    received = []
    if connected:
        received.append(await communicator.receive_json_from(timeout=5))
        if then:
            await then()
            received.append(await communicator.receive_json_from(timeout=5))
        await communicator.disconnect()
    return connected, code, received


def watch(tale, cookie=None, origin=b"http://localhost", then=None):
    headers = [(b"origin", origin)] + ([(b"cookie", cookie)] if cookie else [])
    return async_to_sync(_watch)(f"/ws/tales/{tale.pk}/", headers, then)


def test_it_sends_a_snapshot_on_connect(make_tale):
    tale = make_tale(status="running")
    tale.stage_runs.create(stage="story", status="running", fraction=0.5, message="Пишу")
    connected, _, received = watch(tale)
    assert connected
    snapshot = received[0]
    assert snapshot["type"] == "snapshot" and snapshot["tale"]["status"] == "running"
    assert snapshot["stages"][0] == {**snapshot["stages"][0], "stage": "story", "fraction": 0.5, "message": "Пишу"}


def test_it_forwards_what_the_worker_sends_to_the_group(make_tale):
    tale = make_tale(status="running")

    async def worker_sends():
        from channels.layers import get_channel_layer

        await get_channel_layer().group_send(tale.group_name, {"type": "tale.event", "payload": {
            "type": "stage", "stage": "music", "fraction": 0.7}})

    _, _, received = watch(tale, then=worker_sends)
    assert received[1] == {"type": "stage", "stage": "music", "fraction": 0.7}


def test_a_private_tale_is_watched_by_its_owner_alone(client, make_tale, owner, stranger):
    tale = make_tale(is_public=False)
    assert watch(tale)[0] is False
    assert watch(tale, cookie=session_cookie(client, stranger))[0] is False
    assert watch(tale, cookie=session_cookie(client, owner))[0] is True


def test_it_refuses_another_sites_origin(make_tale):
    tale = make_tale()
    assert watch(tale, origin=b"http://evil.example")[0] is False


def test_broadcast_send_never_raises_without_a_server(settings, make_tale):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": ["unix:///nonexistent/redis.sock"]}}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    broadcast.send(make_tale().group_name, {"type": "tale"})  # logs, does not raise
    channel_layers.backends.clear()
