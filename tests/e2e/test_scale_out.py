"""The scale-out configuration on real servers: PostgreSQL for the database and the django-q2 broker, a real
Redis for the channel layer. Both are Debian's packages (`make install-test`), started here on private unix
sockets in a temporary folder and stopped after; nothing else on the machine is touched."""

import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from tests.e2e.conftest import Browser, Site, free_port
from tests.media import streams

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
