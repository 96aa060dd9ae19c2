"""Fifty viewers opening a 50 MB film at once (`Range: bytes=0-`, as browsers do) through the real web server
(uvicorn): its memory does not grow with them, because files go out in bounded chunks."""

import http.client
import os
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import ROOT, Site

pytestmark = pytest.mark.slow
VIEWERS = 50
FILM = 50 * 1024 * 1024


def resident_bytes(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def site_with_a_film(tmp_path_factory):
    var = tmp_path_factory.mktemp("streaming")
    site = Site(var)
    env = {**os.environ, "VIDEOTALES_VAR": str(var), "MEDIA_ROOT": str(var / "media")}
    code = (
        "from django.contrib.auth.models import User; from fairytales.tales.models import Tale\n"
        "tale = Tale.objects.create(owner=User.objects.create_user('kino'), title='Кино', genre='сказка',"
        " is_public=True, status='done')\n"
        f"tale.folder.mkdir(parents=True); (tale.folder / 'video-v1.mp4').write_bytes(bytes(range(256)) * {FILM // 256})\n"
        "print(tale.pk)"
    )
    tale_id = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
    yield site, f"/tales/{tale_id}/files/video-v1.mp4"
    site.stop()


def test_fifty_viewers_of_a_film_do_not_grow_the_servers_memory(site_with_a_film):
    site, path = site_with_a_film
    server = site.children("uvicorn")[0]
    address = urlparse(site.base)
    connections, first_chunks = [], []
    warm = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    warm.request("GET", path, headers={"Range": "bytes=0-"})
    warm.getresponse().read(1024)  # the first request's imports and caches are not the viewers' cost
    warm.close()
    before = resident_bytes(server)
    for _ in range(VIEWERS):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        connection.request("GET", path, headers={"Range": "bytes=0-"})
        response = connection.getresponse()
        assert response.status == 206
        first_chunks.append(response.read(64 * 1024))
        connections.append((connection, response))
    time.sleep(2)  # every viewer is being served and reads slowly: what the server holds now is per viewer
    during = resident_bytes(server)
    totals = [0] * VIEWERS

    def finish(i):
        totals[i] = len(first_chunks[i]) + len(connections[i][1].read())

    threads = [threading.Thread(target=finish, args=(i,)) for i in range(VIEWERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for connection, _ in connections:
        connection.close()
    assert totals == [FILM] * VIEWERS  # everyone got the whole film
    growth = during - before
    print(f"the web server grew by {growth / 2**20:.1f} MiB for {VIEWERS} viewers of a {FILM / 2**20:.0f} MiB film")
    assert growth < 50 * 2**20
