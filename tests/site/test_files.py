import pytest
from asgiref.sync import async_to_sync

pytestmark = pytest.mark.django_db

CONTENT = bytes(range(256)) * 40


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def video(make_tale, with_file):
    tale = make_tale(status="done")
    with_file(tale, "video", "video", "video-v1.mp4", CONTENT)
    return tale, f"/tales/{tale.pk}/files/video-v1.mp4"


def test_it_serves_the_whole_file_with_its_type(client, video):
    _, url = video
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Accept-Ranges"] == "bytes"


def test_it_serves_byte_ranges_so_the_player_can_seek(client, video):
    _, url = video
    response = client.get(url, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert body(response) == CONTENT[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(CONTENT)}"
    assert body(client.get(url, HTTP_RANGE="bytes=-10")) == CONTENT[-10:]
    assert body(client.get(url, HTTP_RANGE="bytes=10000-")) == CONTENT[10000:]


def test_an_unsatisfiable_range_is_416(client, video):
    _, url = video
    assert client.get(url, HTTP_RANGE=f"bytes={len(CONTENT) + 5}-").status_code == 416


def test_private_files_are_only_for_the_owner(client, owner, stranger, video):
    tale, url = video
    tale.is_public = False
    tale.save()
    assert client.get(url).status_code == 404
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["..%2Fsecret_key", "missing.mp4", "VIDEO-v1.mp4"])
def test_other_names_are_not_found(client, video, name):
    tale, _ = video
    assert client.get(f"/tales/{tale.pk}/files/{name}").status_code == 404


def test_the_whole_file_goes_out_in_bounded_chunks(client, video, monkeypatch):
    monkeypatch.setattr("fairytales.tales.files.CHUNK", 1000)
    _, url = video
    response = client.get(url, HTTP_RANGE="bytes=0-")
    chunks = list(response.streaming_content)
    assert response.status_code == 206 and b"".join(chunks) == CONTENT
    assert max(map(len, chunks)) == 1000 and response["Content-Length"] == str(len(CONTENT))


def test_under_asgi_the_body_is_streamed_by_an_async_iterator(async_client, video, monkeypatch):
    monkeypatch.setattr("fairytales.tales.files.CHUNK", 1000)
    _, url = video

    async def fetch():
        response = await async_client.get(url, headers={"Range": "bytes=100-"})
        return response.is_async, [chunk async for chunk in response.streaming_content]

    is_async, chunks = async_to_sync(fetch)()
    assert is_async and b"".join(chunks) == CONTENT[100:] and max(map(len, chunks)) == 1000


def test_a_front_server_is_told_which_file_to_send(client, video, settings):
    tale, url = video
    settings.FILES_ACCEL_REDIRECT = "/protected/"
    response = client.get(url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected/tales/{tale.pk.hex}/video-v1.mp4"
    settings.FILES_ACCEL_REDIRECT, settings.FILES_SENDFILE = "", True
    assert client.get(url)["X-Sendfile"] == str((tale.folder / "video-v1.mp4").resolve())


def test_a_front_server_gets_nothing_the_user_may_not_see(client, stranger, video, settings):
    tale, url = video
    settings.FILES_ACCEL_REDIRECT = "/protected/"
    tale.is_public = False
    tale.save()
    client.force_login(stranger)
    response = client.get(url)
    assert response.status_code == 404 and "X-Accel-Redirect" not in response
