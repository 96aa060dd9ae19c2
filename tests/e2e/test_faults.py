"""Killing the real worker processes in the middle of a stage: the tale does not stay "running"; the
cluster comes back, the silent run is taken over, and the tale resumes from its last finished stage."""

import json
import os
import re
import signal
import sqlite3
import time

import pytest
from websockets.sync.client import connect

from tests.e2e.conftest import Browser, Site

pytestmark = pytest.mark.slow


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path, STALL_SECONDS="20", WATCHDOG_SECONDS="2")
    yield site
    site.stop()


def test_a_killed_worker_leaves_a_tale_that_resumes_and_finishes(site):
    user = Browser(site.base)
    user.post_form("/accounts/signup/", {"username": "crash", "password1": "Kashchei-Bessmertny-1",
                                         "password2": "Kashchei-Bessmertny-1"})
    response = user.post_form("/tales/new/", {"title": "Кощей", "genre": "сказка", "scene_count": "3"})
    tale_id = re.search(r"/tales/([0-9a-f-]{36})/$", response.url)[1]
    ws_url = site.base.replace("http", "ws") + f"/ws/tales/{tale_id}/"
    messages = []
    with connect(ws_url, additional_headers={"Cookie": user.cookie_header(), "Origin": site.base}) as socket:
        deadline = time.monotonic() + 500
        killed = False
        while time.monotonic() < deadline:
            message = json.loads(socket.recv(timeout=deadline - time.monotonic()))
            messages.append(message)
            if not killed and message.get("stage") == "illustration" and message.get("status") == "running":
                [cluster] = site.children("qcluster")
                os.killpg(cluster, signal.SIGKILL)  # the cluster and every worker it forked
                killed = True
            if message["type"] == "tale" and message["status"] in ("done", "failed") and killed:
                break
    assert killed and messages[-1]["status"] == "done", messages[-1]
    assert "starting it again" in (site.var / "serve.log").read_text()

    database = sqlite3.connect(site.var / "videotales.sqlite3")
    versions = dict(database.execute("SELECT stage, MAX(version) FROM tales_artifact GROUP BY stage"))
    assert versions["story"] == 1 and versions["narration"] == 1  # resumed, not made again from the start
    assert versions["video"] == 1
