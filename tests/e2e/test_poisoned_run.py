"""A run that kills its worker every time (as a tale too big for the memory would) through the real `serve`
processes: the worker is SIGKILLed mid-stage twice; the first time the run is taken over and resumed, the
second time the tale ends failed with a readable message and the retry button; it is not run a third time."""

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
    site = Site(tmp_path, STALL_SECONDS="20")
    yield site
    site.stop()


def status_of(message: dict) -> str | None:
    if message["type"] == "tale":
        return message["status"]
    return message.get("tale", {}).get("status") if message["type"] == "snapshot" else None


def test_a_tale_whose_worker_is_killed_twice_ends_failed_not_running(site):
    user = Browser(site.base)
    user.post_form("/accounts/signup/", {"username": "koshchei", "password1": "Kashchei-Bessmertny-2",
                                         "password2": "Kashchei-Bessmertny-2"})
    response = user.post_form("/tales/new/", {"title": "Кощей", "genre": "сказка", "scene_count": "3"})
    tale_id = re.search(r"/tales/([0-9a-f-]{36})/$", response.url)[1]
    ws_url = site.base.replace("http", "ws") + f"/ws/tales/{tale_id}/"
    kills, statuses = 0, []
    with connect(ws_url, additional_headers={"Cookie": user.cookie_header(), "Origin": site.base}) as socket:
        deadline = time.monotonic() + 540
        armed = True  # kill at the next "illustration running" of a run that a worker has just claimed
        while time.monotonic() < deadline:
            message = json.loads(socket.recv(timeout=deadline - time.monotonic()))
            status = status_of(message)
            if status:
                statuses.append(status)
                if status == "running" and message["type"] == "tale":
                    armed = True
                if status in ("done", "failed", "cancelled"):
                    break
            if armed and message.get("stage") == "illustration" and message.get("status") == "running":
                [cluster] = site.children("qcluster")
                os.killpg(cluster, signal.SIGKILL)  # the cluster and the worker it forked: as the OOM killer
                kills, armed = kills + 1, False
    assert kills == 2 and statuses[-1] == "failed", (kills, statuses)

    page = user.get(f"/tales/{tale_id}/").read().decode()
    assert "Сказка дважды остановила обработчик" in page and "Попробуйте изменить её или повторить позже" in page
    assert re.search(r'<form id="retry-form"[^>]*action="/tales/[^"]+/retry/"\s*>', page)  # shown

    database = sqlite3.connect(site.var / "videotales.sqlite3")
    row = database.execute("SELECT status, run_queue, attempts, dispatch FROM tales_tale").fetchone()
    assert row == ("failed", "[]", 0, None)
    time.sleep(5)  # nothing picks it up again
    assert database.execute("SELECT status FROM tales_tale").fetchone()[0] == "failed"
    assert (site.var / "serve.log").read_text().count("starting it again") == 2
