"""The scale-out configuration on real servers: PostgreSQL for the database and the django-q2 broker, a real
Redis for the channel layer. Both are Debian's packages (`make install-test`), started here on private unix
sockets in a temporary folder and stopped after; nothing else on the machine is touched. Then the layout of
docs/deploy.md: a web machine, a GPU cluster and a CPU cluster (`serve --role …`), Redis as the broker, and
each tale made by the cluster its backends need."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from websockets.sync.client import connect

from tests.e2e.conftest import ROOT, Browser, Site, free_port
from tests.media import streams
from tests.neural.test_story_lm import tiny_lm  # noqa: F401 - a fixture: a real, tiny neural story model

pytestmark = pytest.mark.slow
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture(scope="module")
def servers():
    """(DATABASE_URL, REDIS_URL) of a fresh PostgreSQL cluster and Redis server, both on unix sockets."""
    folder = Path(tempfile.mkdtemp(prefix="videotales-servers-"))
    folder.chmod(0o755)
    data, port = folder / "pg", free_port()
    shutil.chown(folder, "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_postgres, PG_BIN / "initdb", "-D", data, "-A", "trust", "-U", "videotales"],
                   check=True, capture_output=True)
    subprocess.run([*as_postgres, PG_BIN / "pg_ctl", "-D", data, "-w", "-l", folder / "pg.log", "-o",
                    f"-p {port} -k {folder} -c listen_addresses=''", "start"],
                   check=True, capture_output=True)
    subprocess.run([*as_postgres, PG_BIN / "createdb", "-h", folder, "-p", str(port), "-U", "videotales",
                    "videotales"], check=True, capture_output=True)
    redis_socket = folder / "redis.sock"
    redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", redis_socket, "--unixsocketperm",
                              "700", "--save", "", "--appendonly", "no", "--dir", folder],
                             stdout=subprocess.DEVNULL)
    for _ in range(100):
        if redis_socket.exists():
            break
        time.sleep(0.05)
    host = str(folder).replace("/", "%2F")
    yield f"postgres://videotales@{host}:{port}/videotales", f"unix://{redis_socket}", folder, port
    redis.terminate()
    subprocess.run([*as_postgres, PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "stop"], capture_output=True)
    redis.wait(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


def test_a_tale_is_made_on_postgresql_and_redis(servers, tmp_path):
    database_url, redis_url, folder, port = servers
    site = Site(tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url)
    try:
        user = Browser(site.base)
        user.post_form("/accounts/signup/", {"username": "scale", "password1": "Sivka-Burka-77",
                                             "password2": "Sivka-Burka-77"})
        response = user.post_form("/tales/new/", {"title": "Сивка-бурка", "genre": "сказка",
                                                  "scene_count": "3"})
        tale_id = re.search(r"/tales/([0-9a-f-]{36})/$", response.url)[1]
        ws_url = site.base.replace("http", "ws") + f"/ws/tales/{tale_id}/"
        headers = {"Cookie": user.cookie_header(), "Origin": site.base}
        with connect(ws_url, additional_headers=headers) as socket:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                message = json.loads(socket.recv(timeout=deadline - time.monotonic()))
                if message["type"] == "tale" and message["status"] in ("done", "failed"):
                    break
        assert message["status"] == "done", message
        film = tmp_path / "film.mp4"
        film.write_bytes(user.get(message["video_url"]).read())
        assert streams(film)["video"]["duration"] == pytest.approx(message["duration"], abs=0.3)
    finally:
        site.stop()
    # the rows are in PostgreSQL, not in a SQLite file beside the site
    query = "SELECT status, (SELECT count(*) FROM tales_artifact) FROM tales_tale"
    rows = subprocess.run(["runuser", "-u", "postgres", "--", PG_BIN / "psql", "-h", str(folder),
                           "-p", str(port), "-U", "videotales", "-d", "videotales", "-tAc", query],
                          check=True, capture_output=True, text=True).stdout.strip().split("|")
    assert rows[0] == "done" and int(rows[1]) >= 10
    assert not (tmp_path / "videotales.sqlite3").exists()


def psql(servers, query: str) -> list[list[str]]:
    _, _, folder, port = servers
    out = subprocess.run(["runuser", "-u", "postgres", "--", PG_BIN / "psql", "-h", str(folder),
                          "-p", str(port), "-U", "videotales", "-d", "videotales", "-tAc", query],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.strip().splitlines()]


def test_each_tale_is_made_by_the_cluster_its_backends_need(servers, tmp_path, tiny_lm):  # noqa: F811
    database_url, redis_url, _, _ = servers
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "Q_BROKER": "redis", "GPU_CLUSTER": "gpu",
           "CPU_CLUSTER": "cpu", "SECRET_KEY": "the-same-on-every-machine-" * 3, "STORY_MODELS": str(tiny_lm),
           "HF_HUB_OFFLINE": "1", "VIDEOTALES_DEVICE": "cpu"}
    web = Site(tmp_path, role="web", **env)  # migrates; the workers only work
    machines = [web, Site(tmp_path, role="gpu", **env), Site(tmp_path, role="cpu", **env)]
    try:
        quick = {"scene_count": "3", "genre": "сказка", "proofread_backend": "dictionary",
                 "narration_backend": "espeak", "music_backend": "procedural",
                 "illustration_backend": "storybook"}
        made = {}
        for user, title, story in [("gpu-user", "Лиса и журавль", {"story_backend": "rugpt3",
                                                                   "story_model": str(tiny_lm),
                                                                   "story_rugpt3_length": "300"}),
                                   ("cpu-user", "Гуси-лебеди", {"story_backend": "template"})]:
            browser = Browser(web.base)
            browser.post_form("/accounts/signup/", {"username": user, "password1": "Sivka-Burka-77",
                                                    "password2": "Sivka-Burka-77"})
            response = browser.post_form("/tales/new/", {"title": title, **quick, **story})
            made[title] = re.search(r"/tales/([0-9a-f-]{36})/$", response.url)[1]
        subprocess.run([sys.executable, "manage.py", "createsuperuser", "--noinput", "--username", "boss",
                        "--email", "boss@example.org"], cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, **env, "VIDEOTALES_VAR": str(tmp_path),
                            "DJANGO_SUPERUSER_PASSWORD": "Boss-Koschei-77"})
        staff = Browser(web.base)
        staff.post_form("/accounts/login/", {"username": "boss", "password": "Boss-Koschei-77"})
        seen, processes = set(), 0
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            states = dict(psql(servers, "SELECT title, status FROM tales_tale WHERE title IN "
                                        "('Лиса и журавль', 'Гуси-лебеди')"))
            if all(state in ("done", "failed") for state in states.values()) and len(states) == 2:
                break
            page = staff.get("/staff/workers/", {"Accept-Language": "en"}).read().decode()
            rows = [re.sub(r"<[^>]+>", " ", row).split() for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)]
            seen |= {(row[0], " ".join(row[2:6])) for row in rows if "Лиса" in row}
            processes = max(processes, page.count('<td class="process">'))
            time.sleep(1)
        assert states == {"Лиса и журавль": "done", "Гуси-лебеди": "done"}, states
        # the staff's page showed the tales on the workers that held them, and both clusters' processes
        assert ("gpu", "Лиса и журавль gpu-user") in seen, seen
        assert processes == 2
    finally:
        with ThreadPoolExecutor() as stopping:  # each takes seconds to let its workers go: all at once
            list(stopping.map(Site.stop, machines))
    ran_on = {title: psql(servers, "SELECT cluster FROM django_q_task WHERE name LIKE "
                                   f"'tale-{tale_id.replace('-', '')}-%'")
              for title, tale_id in made.items()}
    assert ran_on == {"Лиса и журавль": [["gpu"]], "Гуси-лебеди": [["cpu"]]}
    backend = psql(servers, f"SELECT backend, model FROM tales_artifact WHERE stage = 'story' AND tale_id = "
                            f"'{made['Лиса и журавль']}'")
    assert backend == [["rugpt3", str(tiny_lm)]]  # the neural story model did write it, on the gpu cluster
    schedule = "SELECT cluster FROM django_q_schedule WHERE func LIKE '%recover_interrupted'"
    assert psql(servers, schedule) == [["cpu"]]  # the CPU cluster takes over silent runs
