"""Issue 16 §5: each result reaches the tale's watchers as the store saves it (the story's text, the scenes,
each scene's picture, the music), and a page opened mid-run gets what already exists in its snapshot."""

import io
import json
import wave

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from PIL import Image

from fairytales.asgi import application
from fairytales.pipeline.artifacts import Artifact as Result
from fairytales.tales.store import TaleStore

pytestmark = pytest.mark.django_db(transaction=True)
STORY = "Жили-были старик со старухой.\n\nИспекла старуха колобок."
SCENES = [{"index": 1, "text": "Жили-были старик со старухой.", "prompt": "старик и старуха в избе", "lines": []},
          {"index": 2, "text": "Испекла старуха колобок.", "prompt": "колобок на окне", "lines": []}]


def session_cookie(client, user):
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def results(store: TaleStore) -> list[Result]:
    """What the runner saves for a tale, in its order, as real files in the tale's folder."""
    story = store.path_for("story", None, "story.txt")
    story.write_text(STORY, encoding="utf-8")
    scenes = store.path_for("scenes", None, "scenes.json")
    scenes.write_text(json.dumps(SCENES, ensure_ascii=False), encoding="utf-8")
    picture = store.path_for("illustration", 1, "picture.png")
    Image.new("RGB", (64, 36), (200, 120, 40)).save(picture)
    music = store.path_for("music", None, "music.wav")
    with wave.open(str(music), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(8000), out.writeframes(b"\0\0" * 800)
    return [Result("story", None, {"text": story}, {"chars": len(STORY)}, backend="template"),
            Result("scenes", None, {"scenes": scenes}, {"count": 2}, backend="split"),
            Result("illustration", 1, {"picture": picture}, {"prompt": "старик и старуха в избе"}, backend="storybook"),
            Result("music", None, {"audio": music}, {}, backend="procedural")]


async def _watch(tale, cookie, saves=()):
    """The snapshot a watcher gets on connect, then one message per result saved while it watches."""
    communicator = WebsocketCommunicator(application, f"/ws/tales/{tale.pk}/",
                                         headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    received = [await communicator.receive_json_from(timeout=5)]
    for save in saves:
        await sync_to_async(save)()
        received.append(await communicator.receive_json_from(timeout=5))
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()
    return received


def test_each_result_reaches_the_owner_of_a_private_tale_as_it_is_saved(client, make_tale, owner, stranger):
    tale = make_tale(status="running", is_public=False)
    store = TaleStore(tale)
    saved = results(store)
    cookie = session_cookie(client, owner)
    snapshot, story, scenes, picture, music = async_to_sync(_watch)(
        tale, cookie, [lambda r=r: store.save(r) for r in saved])

    assert snapshot["type"] == "snapshot" and snapshot["artifacts"] == []
    assert story == {"type": "artifact", "stage": "story", "scene": None, "version": 1, "text": STORY}
    assert scenes["stage"] == "scenes" and scenes["scenes"] == [
        {key: scene[key] for key in ("index", "text", "prompt")} for scene in SCENES]
    assert picture == {"type": "artifact", "stage": "illustration", "scene": 1, "version": 1,
                       "url": f"/tales/{tale.pk}/files/picture-1-v1.png", "prompt": "старик и старуха в избе"}
    assert music["stage"] == "music" and music["url"] == f"/tales/{tale.pk}/files/music-v1.wav"
    # files go as addresses, never inline: every message stays small
    assert all(len(json.dumps(m, ensure_ascii=False)) < 1000 for m in (story, scenes, picture, music))

    # the address serves the picture to its owner, and to nobody else
    served = client.get(picture["url"])
    assert served.status_code == 200
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (64, 36)
    client.force_login(stranger)
    assert client.get(picture["url"]).status_code == 404


def test_a_page_opened_mid_run_gets_what_is_already_made(client, make_tale, owner):
    tale = make_tale(status="running")
    store = TaleStore(tale)
    for result in results(store):
        store.save(result)
    proofread = store.path_for("proofread", None, "proofread.txt")
    proofread.write_text(STORY.replace("колобок", "Колобок"), encoding="utf-8")
    store.save(Result("proofread", None, {"text": proofread}, {}, backend="dictionary"))

    (snapshot,) = async_to_sync(_watch)(tale, session_cookie(client, owner))
    shown = snapshot["artifacts"]
    assert [(m["stage"], m["scene"]) for m in shown] == [
        ("story", None), ("proofread", None), ("scenes", None), ("illustration", 1), ("music", None)]
    assert shown[1]["text"].endswith("Испекла старуха Колобок.")  # the proofread text comes last, and stays

    # the page itself, before any script runs: the text, a picture for scene 1, a placeholder for scene 2,
    # the music's player, and the same results in its embedded snapshot
    page = client.get(tale.get_absolute_url()).content.decode()
    assert "Испекла старуха Колобок." in page
    assert f'src="/tales/{tale.pk}/files/picture-1-v1.png"' in page
    assert page.count('class="picture-placeholder"') == 1
    assert f'<audio id="music" controls preload="none" src="/tales/{tale.pk}/files/music-v1.wav">' in page


def test_bringing_back_an_earlier_picture_shows_it_at_once(client, make_tale, owner):
    tale = make_tale(status="running")
    store = TaleStore(tale)
    for result in results(store):
        store.save(result)
    again = store.path_for("illustration", 1, "picture.png")
    Image.new("RGB", (64, 36), (10, 20, 30)).save(again)
    store.save(Result("illustration", 1, {"picture": again}, {"prompt": "ночь"}, backend="storybook"))

    _, chosen = async_to_sync(_watch)(tale, session_cookie(client, owner), [lambda: store.choose("illustration", 1, 1)])
    assert chosen["version"] == 1 and chosen["url"].endswith("/picture-1-v1.png")


def test_a_picture_in_progress_reaches_watchers_now_and_then_and_is_served(client, make_tale, owner, settings):
    """VQGAN+CLIP hands the runner its picture every few iterations (tests/neural/test_vqgan_clip.py); the
    store keeps one file a scene and sends its address, at most one every PREVIEW_EVERY seconds."""
    tale = make_tale(status="running", is_public=False)
    store = TaleStore(tale)
    early, later = Image.new("RGB", (32, 32), (0, 0, 0)), Image.new("RGB", (32, 32), (250, 250, 250))

    def two_quickly():
        store.preview("illustration", 2, early)
        store.preview("illustration", 2, later)  # too soon after the first: not sent, not written

    _, shown = async_to_sync(_watch)(tale, session_cookie(client, owner), [two_quickly])
    assert shown == {"type": "artifact", "stage": "illustration", "scene": 2, "preview": True,
                     "url": f"/tales/{tale.pk}/files/preview-2.png?n=1"}
    served = client.get(shown["url"])
    assert served.status_code == 200
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).getpixel((0, 0)) == (0, 0, 0)
    assert sorted(p.name for p in tale.folder.iterdir()) == ["preview-2.png"]  # no versions, no leftovers
    assert not tale.artifacts.exists()
