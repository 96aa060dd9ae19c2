"""The tale page's websocket, through the real ASGI app (session cookie, origin check, groups)."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from django.test import Client

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


async def _closed_on(communicator) -> int | None:
    """The close code the server sent within a few seconds, None while the page stays open."""
    if await communicator.receive_nothing(timeout=3):
        return None
    output = await communicator.receive_output(timeout=1)
    return output.get("code") if output["type"] == "websocket.close" else None


@pytest.mark.parametrize("change", ["private", "hidden", "deleted"])
def test_a_watcher_who_may_no_longer_see_the_tale_is_let_go(make_tale, owner, stranger, change):
    tale = make_tale(status="done", is_public=True)
    tab = {user: session_cookie(Client(), user) for user in (owner, stranger)}  # a session each

    async def scenario():
        open_pages = {}
        for user, cookie in tab.items():
            open_pages[user] = WebsocketCommunicator(application, f"/ws/tales/{tale.pk}/",
                                                     headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)])
            assert (await open_pages[user].connect())[0]
            await open_pages[user].receive_json_from(timeout=5)  # the snapshot
        if change == "deleted":
            await database_sync_to_async(tale.delete)()
        else:
            setattr(tale, "is_public" if change == "private" else "is_hidden", change == "hidden")
            await database_sync_to_async(tale.save)()
        codes = {user: await _closed_on(page) for user, page in open_pages.items()}
        for page in open_pages.values():
            await page.disconnect()
        return codes

    codes = async_to_sync(scenario)()
    assert codes[stranger] == 4403  # no longer receives its pictures and film
    assert codes[owner] == (4403 if change == "deleted" else None)  # the owner still sees a tale that is


def test_a_save_that_changes_no_ones_access_asks_no_one_again(client, make_tale, stranger):
    tale = make_tale(status="running", is_public=False)

    async def scenario():
        page = WebsocketCommunicator(application, f"/ws/tales/{tale.pk}/",
                                     headers=[(b"origin", b"http://localhost")])
        assert (await page.connect())[0] is False  # not visible: refused at once
        tale.is_public = True
        await database_sync_to_async(tale.save)(update_fields=["is_public"])
        page = WebsocketCommunicator(application, f"/ws/tales/{tale.pk}/",
                                     headers=[(b"origin", b"http://localhost")])
        assert (await page.connect())[0]
        await page.receive_json_from(timeout=5)
        tale.status = "done"
        await database_sync_to_async(tale.save)(update_fields=["status"])
        quiet = await page.receive_nothing(timeout=2)
        await page.disconnect()
        return quiet

    assert async_to_sync(scenario)()
