"""`make bench-abuse`: the holes of issue 11 that HTTP reaches, tried against a real `serve` site on loopback.

One attacker floods new tales, redos and retries; a second user then submits their first tale; oversized
bodies and (when the VQGAN+CLIP option is offered) bad uploads are sent; twenty viewers open a film with
`Range: bytes=0-` at once. Printed: requests tried per hole, how many were let through, server errors (must
be 0), where the second user's tale stands, tales stuck after everything is cancelled (must be 0), and the
web server's resident memory per concurrent viewer. Bounded: a few hundred requests, a few minutes.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.conftest import ROOT, Browser, Site  # noqa: E402

REDO_POSTS = int(os.environ.get("ABUSE_REDOS", "200"))
RETRY_POSTS = int(os.environ.get("ABUSE_RETRIES", "100"))
NEW_POSTS = int(os.environ.get("ABUSE_NEW", "30"))
BIG_BODIES = 3
VIEWERS = 20
FILM = 32 * 2**20
PASSWORD = "Zmei-Gorynych-3-golovy"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client(Browser):
    """A logged-in browser that counts every answer by status and never follows a redirect."""

    def __init__(self, base: str, statuses: list[int]):
        super().__init__(base)
        self.statuses = statuses
        self.raw = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.token = ""

    def log_in(self, username: str) -> None:
        self.post_form("/accounts/login/", {"username": username, "password": PASSWORD})
        page = self.get("/tales/new/").read().decode()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    def post(self, path: str, data: dict | None = None, body: bytes | None = None,
             content_type: str = "application/x-www-form-urlencoded") -> tuple[int, str]:
        if body is None:
            body = urllib.parse.urlencode({**(data or {}), "csrfmiddlewaretoken": self.token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={
            "Referer": self.base + path, "Content-Type": content_type})
        try:
            with self.raw.open(request, timeout=60) as response:
                status, text = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as answer:  # 3xx (not followed), 4xx, 5xx
            status, text = answer.code, answer.read().decode(errors="replace")
        self.statuses.append(status)
        return status, text


def shell(var: Path, code: str) -> str:
    env = {**os.environ, "VIDEOTALES_VAR": str(var), "MEDIA_ROOT": str(var / "media")}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]


def flood(client: Client, path: str, data: dict, count: int) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.post(path, data), range(count)))


def big_body(base: str) -> int:
    """A POST that declares 20 GB: the status it is answered with (413 expected), without sending it all."""
    address = urlparse(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as conn:
        conn.sendall(b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 21474836480\r\n\r\n")
        try:
            for _ in range(16):
                conn.sendall(b"x" * 65536)
        except OSError:
            pass  # refused and closed before the body: as it should
        answer = b""
        try:
            while b"\r\n" not in answer:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            pass
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return int(match[1]) if match else 0


def bad_pictures() -> dict[str, bytes]:
    """A decompression bomb (a tiny PNG that claims 30000×30000 pixels) and a truncated JPEG."""
    from PIL import Image

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    side = 30000
    rows = zlib.compress(b"\0" * (side // 8 + 1) * side, 9)
    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    jpeg = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 100, 50)).save(jpeg, "JPEG")
    return {"bomb.png": bomb, "cut.jpg": jpeg.getvalue()[: len(jpeg.getvalue()) // 2]}


def multipart(fields: dict, name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----videotales-bench-abuse"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def web_server(site: Site) -> int:
    for word in ("daphne", "uvicorn", "gunicorn", "hypercorn"):
        found = site.children(word)
        if found:
            return found[0]
    raise RuntimeError("no web server process found")


def viewers(site: Site, path: str, cookie: str, statuses: list[int]) -> tuple[float, int]:
    """Twenty viewers open the film at once and read it slowly: (web server growth per viewer, bytes each)."""
    server = web_server(site)
    address = urlparse(site.base)
    headers = {"Range": "bytes=0-", "Cookie": cookie}
    warm = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    warm.request("GET", path, headers=headers)
    warm.getresponse().read(1024)
    warm.close()
    before = resident_bytes(server)
    open_ones = []
    for _ in range(VIEWERS):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        statuses.append(response.status)
        open_ones.append((connection, response, response.read(64 * 1024)))
    time.sleep(2)
    during = resident_bytes(server)
    got = [0] * VIEWERS

    def finish(i: int) -> None:
        got[i] = len(open_ones[i][2]) + len(open_ones[i][1].read())

    threads = [threading.Thread(target=finish, args=(i,)) for i in range(VIEWERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for connection, _, _ in open_ones:
        connection.close()
    return (during - before) / VIEWERS, min(got)


def main() -> None:
    statuses: list[int] = []
    figures: list[tuple[str, int, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        var = Path(folder)
        site = Site(var)
        started = time.monotonic()
        try:
            film_tale, failed_tale = shell(var, (
                "from django.contrib.auth.models import User; from fairytales.tales.models import Tale\n"
                f"attacker = User.objects.create_user('zmei', password='{PASSWORD}')\n"
                f"User.objects.create_user('vasilisa', password='{PASSWORD}')\n"
                "done = Tale.objects.create(owner=attacker, title='Кино', genre='сказка', is_public=True,"
                " status='done')\n"
                "failed = Tale.objects.create(owner=attacker, title='Сбой', genre='сказка', status='failed',"
                " error='boom')\n"
                f"done.folder.mkdir(parents=True); (done.folder / 'video-v1.mp4').write_bytes(bytes(range(256)) * {FILM // 256})\n"
                "print(done.pk, failed.pk)")).split()
            attacker, victim = Client(site.base, statuses), Client(site.base, statuses)
            attacker.log_in("zmei")
            victim.log_in("vasilisa")
            database = sqlite3.connect(var / "videotales.sqlite3", timeout=30)

            def count(sql: str, *args) -> int:
                return database.execute(sql, args).fetchone()[0]

            new = {"title": "Змей", "genre": "сказка", "scene_count": "3"}
            flood(attacker, "/tales/new/", new, NEW_POSTS)
            made = count("SELECT COUNT(*) FROM tales_tale WHERE title = 'Змей'")
            figures.append(("new-tale flood", NEW_POSTS, f"{made} tales created (TALES_AT_ONCE, RUNS_PER_USER)"))

            flood(attacker, f"/tales/{film_tale}/redo/", {"stage": "music"}, REDO_POSTS)
            queue = database.execute("SELECT run_queue FROM tales_tale WHERE id = ?",
                                     (film_tale.replace("-", ""),)).fetchone()[0]
            figures.append(("redo flood", REDO_POSTS, f"{queue.count('music')} runs queued (RUNS_PER_TALE, RUNS_PER_USER)"))

            flood(attacker, f"/tales/{failed_tale}/retry/", {}, RETRY_POSTS)
            retried = count("SELECT COUNT(*) FROM tales_runlog WHERE kind = 'retry'")
            queued = sum(queue.count("[") - 1 for (queue,) in database.execute(
                "SELECT run_queue FROM tales_tale WHERE status IN ('queued', 'running')"))
            figures.append(("retry flood", RETRY_POSTS,
                            f"{retried} retries let through; the attacker has {queued} runs queued (RUNS_PER_USER)"))

            victim.post("/tales/new/", {**new, "title": "Василиса"})
            backlog = count("SELECT COUNT(*) FROM tales_tale t JOIN auth_user u ON u.id = t.owner_id "
                            "WHERE u.username = 'zmei' AND t.status = 'queued' AND t.dispatch IS NULL")
            in_broker = count("SELECT COUNT(*) FROM django_q_ormq")
            ahead = in_broker - 1
            theirs = count("SELECT COUNT(*) FROM tales_tale t JOIN auth_user u ON u.id = t.owner_id "
                           "WHERE u.username = 'vasilisa' AND t.dispatch IS NOT NULL")
            place = (f"{'queued for a worker at once' if theirs else 'NOT QUEUED'}; {ahead} task(s) ahead of it "
                     f"in the broker, {backlog} of the attacker's tales waiting behind it")
            figures.append(("another user's first tale", 1, place))

            big = [big_body(site.base) for _ in range(BIG_BODIES)]
            statuses.extend(big)
            figures.append(("oversized body (20 GB declared)", BIG_BODIES,
                            f"answered {sorted(set(big))} (413 expected)"))

            page = attacker.get("/tales/new/").read().decode()
            upload = re.search(r'<input type="file" name="([^"]+)"', page)
            if upload:
                before = count("SELECT COUNT(*) FROM tales_tale")
                answers = []
                for name, content in bad_pictures().items():
                    body, kind = multipart({**new, "illustration_backend": "vqgan_clip",
                                            "csrfmiddlewaretoken": attacker.token}, upload[1], name, content)
                    answers.append(attacker.post("/tales/new/", body=body, content_type=kind)[0])
                created = count("SELECT COUNT(*) FROM tales_tale") - before
                figures.append(("bad upload (bomb PNG, cut JPEG)", 2, f"answered {answers}, {created} tales created"))
            else:
                figures.append(("bad upload", 0, "skipped: the VQGAN+CLIP option is not offered here"))

            per_viewer, least = viewers(site, f"/tales/{film_tale}/files/video-v1.mp4", attacker.cookie_header(),
                                        statuses)
            memory = (f"every viewer got {least / 2**20:.0f} of {FILM / 2**20:.0f} MiB; web server resident "
                      f"memory {per_viewer / 2**20:+.2f} MiB per viewer")
            figures.append((f"{VIEWERS} concurrent Range: bytes=0-", VIEWERS, memory))

            # Everyone cancels; the workers must drain every task and leave nothing queued or running.
            for client, owner in ((attacker, "zmei"), (victim, "vasilisa")):
                ids = database.execute("SELECT t.id FROM tales_tale t JOIN auth_user u ON u.id = t.owner_id "
                                       "WHERE u.username = ? AND t.status IN ('queued', 'running')", (owner,))
                for (tale_id,) in ids.fetchall():
                    client.post(f"/tales/{tale_id[:8]}-{tale_id[8:12]}-{tale_id[12:16]}-{tale_id[16:20]}-"
                                f"{tale_id[20:]}/cancel/")
            deadline = time.monotonic() + 240
            stuck_sql = ("SELECT COUNT(*) FROM tales_tale WHERE status IN ('queued', 'running') "
                         "OR dispatch IS NOT NULL")
            while time.monotonic() < deadline and (count(stuck_sql) or count("SELECT COUNT(*) FROM django_q_ormq")):
                time.sleep(1)
            stuck = count(stuck_sql)
        finally:
            site.stop()
    errors = sum(1 for status in statuses if status >= 500)
    print(f"bench-abuse: {len(statuses)} requests in {time.monotonic() - started:.0f} s against a real `serve`")
    for hole, tried, what in figures:
        print(f"  {hole:34} {tried:4} tried  {what}")
    print(f"server errors (5xx): {errors}")
    print(f"stuck tales (queued, running or holding a task after cancelling, 240 s allowed): {stuck}")
    if errors or stuck:
        sys.exit(1)


if __name__ == "__main__":
    main()
