import pytest

pytestmark = pytest.mark.django_db

CONTENT = bytes(range(256)) * 40


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
    assert response.content == CONTENT[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(CONTENT)}"
    assert client.get(url, HTTP_RANGE="bytes=-10").content == CONTENT[-10:]
    assert client.get(url, HTTP_RANGE="bytes=10000-").content == CONTENT[10000:]


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
