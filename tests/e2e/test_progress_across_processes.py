"""A tale submitted over HTTP is made by the django-q2 worker process, and its progress reaches a
websocket client through the web server (uvicorn): three processes, the real Redis layer between them."""

import json
import re
import time

import pytest
from websockets.sync.client import connect

from tests.e2e.conftest import Browser
from tests.media import streams

pytestmark = pytest.mark.slow
STAGES = ["story", "proofread", "scenes", "cast", "translation", "narration", "illustration", "music", "video"]


def test_the_worker_progress_reaches_a_websocket_watcher(live_site, tmp_path):
    user = Browser(live_site)
    user.post_form("/accounts/signup/", {"username": "ws-watcher", "password1": "Zolotoy-kluchik-7",
                                         "password2": "Zolotoy-kluchik-7"})
    response = user.post_form("/tales/new/", {"title": "Колобок", "genre": "сказка", "scene_count": "3",
                                              "is_public": "on"})
    tale_id = re.search(r"/tales/([0-9a-f-]{36})/$", response.url)[1]

    messages = []
    ws_url = live_site.replace("http", "ws") + f"/ws/tales/{tale_id}/"
    with connect(ws_url, additional_headers={"Cookie": user.cookie_header(), "Origin": live_site}) as socket:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            message = json.loads(socket.recv(timeout=deadline - time.monotonic()))
            messages.append(message)
            if message["type"] == "tale" and message["status"] in ("done", "failed"):
                break

    assert messages[0]["type"] == "snapshot"
    final = messages[-1]
    assert final["status"] == "done", final
    running = [m["stage"] for m in messages if m["type"] == "stage" and m["status"] == "running"]
    done = [m["stage"] for m in messages if m["type"] == "stage" and m["status"] == "done"]
    assert sorted(set(running), key=STAGES.index) == STAGES  # every stage was seen working...
    assert sorted(set(done), key=STAGES.index) == STAGES  # ...and finishing
    assert done.index("story") < done.index("video")
    fractions = [m["fraction"] for m in messages if m["type"] == "stage" and m["stage"] == "illustration"]
    assert len(set(fractions)) >= 3  # progress within a stage, not just start and end

    video = user.get(final["video_url"], headers={"Range": "bytes=0-"})
    assert video.status == 206
    path = tmp_path / "tale.mp4"
    path.write_bytes(video.read())
    info = streams(path)
    assert info["video"]["width"] == 1280 and info["audio"]["codec"] == "aac"
    assert info["video"]["duration"] == pytest.approx(final["duration"], abs=0.3)
