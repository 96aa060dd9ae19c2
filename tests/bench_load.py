"""`make bench-load`: 20 tales submitted at once to a site with 2 workers, and 100 websocket clients
watching one of them. Every tale must finish, no task may be lost or run twice, and every client must
get the final message. Prints the figures (one run; this machine is shared and noisy)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import websockets  # noqa: E402

from tests.e2e.conftest import Browser, Site  # noqa: E402

TALES = int(os.environ.get("LOAD_TALES", 20))
WATCHERS = int(os.environ.get("LOAD_WATCHERS", 100))


def submit(base: str, i: int) -> tuple[Browser, str]:
    user = Browser(base)
    password = f"Zhar-ptitsa-{i:03d}-x"
    user.post_form("/accounts/signup/", {"username": f"load{i}", "password1": password, "password2": password})
    response = user.post_form("/tales/new/", {"title": f"Сказка номер {i}", "genre": "сказка", "scene_count": "3"})
    return user, re.search(r"/tales/([0-9a-f-]{36})/$", response.url)[1]


async def watch(url: str, headers: dict, deadline: float) -> float | None:
    """Seconds until this client saw the tale done, or None."""
    started = time.monotonic()
    async with websockets.connect(url, additional_headers=headers, open_timeout=60) as socket:
        while time.monotonic() < deadline:
            message = json.loads(await asyncio.wait_for(socket.recv(), deadline - time.monotonic()))
            status = message.get("status") if message["type"] == "tale" else message.get("tale", {}).get("status")
            if status == "done":
                return time.monotonic() - started
    return None


async def watch_all(url: str, headers: dict, deadline: float) -> list[float | None]:
    return await asyncio.gather(*(watch(url, headers, deadline) for _ in range(WATCHERS)), return_exceptions=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Site(Path(folder), Q_WORKERS="2", TALES_AT_ONCE="100", TALES_PER_DAY="100",
                    SIGNUPS_PER_HOUR="100")
        try:
            t0 = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                submitted = list(pool.map(lambda i: submit(site.base, i), range(TALES)))
            submit_seconds = time.monotonic() - t0
            user, watched = submitted[-1]  # the last one queued waits longest
            url = site.base.replace("http", "ws") + f"/ws/tales/{watched}/"
            headers = {"Cookie": user.cookie_header(), "Origin": site.base}
            results = asyncio.run(watch_all(url, headers, time.monotonic() + 3600))
            db = sqlite3.connect(Path(folder) / "videotales.sqlite3")
            deadline = time.monotonic() + 3600
            while time.monotonic() < deadline and db.execute(  # every tale, not only the watched one
                    "SELECT COUNT(*) FROM tales_tale WHERE status IN ('queued', 'running')").fetchone()[0]:
                time.sleep(2)
            time.sleep(3)  # django-q records a task once its result is saved
            total = time.monotonic() - t0
            statuses = dict(db.execute("SELECT status, COUNT(*) FROM tales_tale GROUP BY status"))
            runs = db.execute("SELECT COUNT(*), COUNT(DISTINCT args) FROM django_q_task WHERE func LIKE '%make_tale'")
            tasks, distinct = runs.fetchone()
            remade = db.execute("SELECT COUNT(*) FROM tales_artifact WHERE stage='story' AND version > 1").fetchone()[0]
            durations = db.execute("SELECT SUM(duration) FROM tales_tale WHERE status='done'").fetchone()[0] or 0
        finally:
            site.stop()
    got = [r for r in results if isinstance(r, float)]
    print(f"{TALES} tales submitted in {submit_seconds:.1f} s; all finished after {total:.0f} s; 2 workers")
    print(f"every client saw the end within {max(got, default=0):.0f} s of connecting")
    print(f"tale statuses: {statuses}")
    print(f"make_tale tasks run: {tasks} for {distinct} tales; stories made twice: {remade}")
    print(f"websocket clients that got the final message: {len(got)} of {WATCHERS}")
    print(f"video made per second of work: {durations / total:.2f} (seconds of film per wall second)")
    ok = statuses == {"done": TALES} and tasks == distinct == TALES and remade == 0 and len(got) == WATCHERS
    print("OK" if ok else "NOT OK")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
