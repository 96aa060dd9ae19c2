"""The scale-out configuration on real servers: PostgreSQL for the database and the django-q2 broker, a real
Redis for the channel layer. Both are Debian's packages (`make install-test`), started here on private unix
sockets in a temporary folder and stopped after; nothing else on the machine is touched. Then the layout of
docs/deploy.md: a web machine, a GPU cluster and a CPU cluster (`serve --role …`), Redis as the broker, and
each tale made by the cluster its backends need."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from websockets.sync.client import connect

from tests.e2e.conftest import ROOT, Browser, Site
from tests.e2e.servers import postgresql_and_redis, psql
from tests.media import streams
from tests.neural.test_story_lm import tiny_lm  # noqa: F401 - a fixture: a real, tiny neural story model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def servers():
    """(DATABASE_URL, REDIS_URL, folder, port) of a fresh PostgreSQL cluster and Redis server (tests/e2e/servers.py)."""
    with postgresql_and_redis() as started:
        yield started


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
    [rows] = psql(servers, query)
    assert rows[0] == "done" and int(rows[1]) >= 10
    assert not (tmp_path / "videotales.sqlite3").exists()


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
        assert ("cpu", "Лиса и журавль gpu-user") in seen, seen  # its task, on the CPU cluster
        assert processes == 2
    finally:
        with ThreadPoolExecutor() as stopping:  # each takes seconds to let its workers go: all at once
            list(stopping.map(Site.stop, machines))
    ran_on = {title: psql(servers, "SELECT DISTINCT cluster FROM django_q_task WHERE name LIKE "
                                   f"'tale-{tale_id.replace('-', '')}-%'")
              for title, tale_id in made.items()}
    # each tale's own task (the neural one's twice: it let its worker go while its story was written)
    assert ran_on == {"Лиса и журавль": [["cpu"]], "Гуси-лебеди": [["cpu"]]}
    story = psql(servers, "SELECT backend, model, meta::json->>'made_by' FROM tales_artifact WHERE stage = 'story' "
                          f"AND tale_id = '{made['Лиса и журавль']}'")
    assert story[0][:2] == ["rugpt3", str(tiny_lm)]  # the neural story model wrote it, as a node task on the GPU
    assert story[0][2].startswith("gpu "), story  # cluster
    nodes = psql(servers, "SELECT DISTINCT cluster FROM django_q_task WHERE name LIKE 'node-story-%'")
    assert nodes == [["gpu"]]
    assert psql(servers, "SELECT count(*) FROM tales_noderun WHERE stage = 'story' AND state = 'made' AND tale_id = "
                         f"'{made['Лиса и журавль']}'") == [["1"]]  # made once
    schedule = "SELECT cluster FROM django_q_schedule WHERE func LIKE '%recover_interrupted'"
    assert psql(servers, schedule) == [["cpu"]]  # the CPU cluster takes over silent runs


def test_a_tale_spread_over_a_gpu_and_a_cpu_cluster(servers, tmp_path, monkeypatch, page):
    """docs/deploy.md's layout, its systemd units started as systemd would (tests/e2e/deploy_units.py): the web
    unit, two instances of the GPU unit (one worker each) and the CPU unit, PostgreSQL as the database and the
    broker, Redis for the progress. A stand-in for a GPU model draws the pictures (tests/backends.py): every
    picture is a node task on the GPU cluster, made once, by both GPU workers; the story, voices and film on the
    CPU cluster; its owner watches it made and plays the film in Chromium; and the film is the one the
    embedded configuration makes for the same seed."""
    from playwright.sync_api import expect

    from tests.backends import REGISTER
    from tests.e2e.deploy_units import Unit

    database_url, redis_url, _, _ = servers
    calls = tmp_path / "calls.log"
    here = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "MEDIA_ROOT": str(tmp_path / "media"),
            "VIDEOTALES_VAR": str(tmp_path), "ALLOWED_HOSTS": "127.0.0.1", "CSRF_TRUSTED_ORIGINS": "",
            "HTTPS": "0", "FILES_ACCEL_REDIRECT": "", "VIDEOTALES_BACKENDS": REGISTER,
            "VIDEOTALES_PICTURE_SECONDS": "2", "VIDEOTALES_CALLS": str(calls)}
    web = Unit("videotales-web.service", tmp_path, here)
    machines = [web, *(Unit("videotales-gpu@.service", tmp_path, here, str(gpu)) for gpu in (0, 1)),
                Unit("videotales-cpu.service", tmp_path, here)]
    title = "Морозко"
    try:
        web.wait_for_web()
        for gpu in machines[1:3]:  # both GPU workers take tasks before the tale is asked for
            gpu.wait_for_log("[gpu]")
        browser = Browser(web.base)
        browser.post_form("/accounts/signup/", {"username": "spread", "password1": "Sivka-Burka-77",
                                                "password2": "Sivka-Burka-77"})
        response = browser.post_form("/tales/new/", {
            "title": title, "genre": "сказка", "scene_count": "3", "proofread_backend": "dictionary",
            "narration_backend": "espeak", "music_backend": "procedural", "illustration_backend": "fixed_cost"})
        tale_id = re.search(r"/tales/([0-9a-f-]{36})/$", response.url)[1]
        # its owner watches it being made in Chromium: the progress of nodes made on other machines arrives
        # over the web machine's websocket (Redis), and the film plays when it is done
        page.context.add_cookies([{"name": c.name, "value": c.value, "url": web.base} for c in browser.jar])
        page.goto(response.url)
        expect(page.locator('[data-stage="illustration"] .stage-status')).to_have_text("Готово", timeout=300_000)
        expect(page.locator("video#video")).to_be_visible(timeout=120_000)
        played = page.evaluate("""() => new Promise((resolve, reject) => {
            const v = document.getElementById('video');
            if (v.readyState >= 1) resolve(v.duration);
            else { v.onloadedmetadata = () => resolve(v.duration); v.onerror = () => reject(v.error.message); }
        })""")
        [[status, duration]] = psql(servers, f"SELECT status, duration FROM tales_tale WHERE id = '{tale_id}'")
        assert status == "done" and played == pytest.approx(float(duration), abs=0.1)
    finally:
        with ThreadPoolExecutor() as stopping:
            list(stopping.map(Unit.stop, machines))
    made = [line.split() for line in calls.read_text().splitlines()]
    files = [Path(name).name.replace(".part", "") for _, name, _, _ in made]
    assert len(files) == len(set(files)), files  # each picture drawn once
    saved = {name.rpartition("/")[2] for [name] in psql(servers, "SELECT value FROM tales_artifact, "
                                                                "jsonb_each_text(files::jsonb) WHERE tale_id = "
                                                                f"'{tale_id}' AND value LIKE '%.png'")}
    assert saved <= set(files) and {scene for scene, _, _, _ in made} == {"1", "2", "3"}
    assert {cluster for _, _, _, cluster in made} == {"gpu"}
    assert len({pid for _, _, pid, _ in made}) == 2  # by both of the GPU machine's workers
    where = dict(psql(servers, "SELECT stage || coalesce(scene::text, ''), meta::json->>'made_by' FROM tales_artifact "
                               f"WHERE tale_id = '{tale_id}' AND is_current"))
    assert all(where[f"illustration{i}"].startswith("gpu ") for i in (1, 2, 3)), where
    assert all(where[stage].startswith("cpu ") for stage in ("story", "narration1", "video")), where
    assert psql(servers, "SELECT DISTINCT cluster FROM django_q_task WHERE name LIKE "
                         f"'tale-{tale_id.replace('-', '')}-%'") == [["cpu"]]
    # the embedded configuration's film of the same tale: the same pictures, the same length
    from fairytales.pipeline import registry
    from fairytales.pipeline.artifacts import DirectoryStore, checksum
    from fairytales.pipeline.runner import Choice, Runner
    from fairytales.pipeline.types import TaleRequest

    monkeypatch.setitem(registry.BACKENDS["illustration"], "fixed_cost", REGISTER.partition("=")[2])
    monkeypatch.setenv("VIDEOTALES_PICTURE_SECONDS", "0")
    monkeypatch.delenv("VIDEOTALES_CALLS", raising=False)
    [[seed, choices]] = psql(servers, f"SELECT seed, choices FROM tales_tale WHERE id = '{tale_id}'")
    choices = {stage: Choice(**choice) for stage, choice in json.loads(choices).items()}
    store = DirectoryStore(tmp_path / "embedded")
    Runner(TaleRequest(title=title, genre="сказка", scenes=3, seed=int(seed)), store, choices).run()
    sums = dict(psql(servers, "SELECT scene, checksums::json->>'picture' FROM tales_artifact WHERE tale_id = "
                              f"'{tale_id}' AND is_current AND stage = 'illustration'"))
    assert sums == {str(i): checksum(store.current("illustration", i).file("picture")) for i in (1, 2, 3)}
    assert float(duration) == pytest.approx(store.current("video").meta["duration"], abs=0.05)


def test_a_tale_outlives_a_killed_gpu_worker_a_database_restart_and_a_killed_cpu_cluster(servers, tmp_path):
    """Three faults in one tale's making. The GPU worker drawing a scene is killed (SIGKILL): the tale's task sees
    it gone and queues that node again, which the GPU cluster's new worker makes. PostgreSQL restarts once the
    pictures are done: the workers wait for it and carry on. The whole CPU cluster (the tale's own worker with
    it) is killed: `serve` starts it again and the tale is taken back. The tale ends done, each scene's pictures
    saved once, the other scenes never drawn again, no node left running."""
    import psutil

    from tests.backends import REGISTER
    from tests.e2e.servers import start_postgresql, stop_postgresql

    database_url, redis_url, _, _ = servers
    calls = tmp_path / "calls.log"
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "GPU_CLUSTER": "gpu", "CPU_CLUSTER": "cpu",
           "SECRET_KEY": "the-same-on-every-machine-" * 3, "VIDEOTALES_BACKENDS": REGISTER,
           "VIDEOTALES_PICTURE_SECONDS": "1", "VIDEOTALES_CALLS": str(calls), "VIDEOTALES_NARRATED_SENTENCES": "4"}
    web = Site(tmp_path, role="web", **env)
    cpu = Site(tmp_path, role="cpu", **env)
    machines = [web, Site(tmp_path, role="gpu", Q_WORKERS="2", **env), cpu]
    faults = []
    try:
        browser = Browser(web.base)
        browser.post_form("/accounts/signup/", {"username": "faults", "password1": "Sivka-Burka-77",
                                                "password2": "Sivka-Burka-77"})
        response = browser.post_form("/tales/new/", {
            "title": "Царевна-лягушка", "genre": "сказка", "scene_count": "3", "proofread_backend": "dictionary",
            "narration_backend": "espeak", "music_backend": "procedural", "illustration_backend": "fixed_cost"})
        tale_id = re.search(r"/tales/([0-9a-f-]{36})/$", response.url)[1]
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            stages = dict(psql(servers, f"SELECT stage, status FROM tales_stagerun WHERE tale_id = '{tale_id}'"))
            drawing = calls.read_text().split() if calls.exists() else []
            if not faults and drawing:  # a node has drawn its first picture: its worker dies now
                os.kill(int(drawing[2]), signal.SIGKILL)
                faults.append(("gpu worker", drawing[0], drawing[2]))
            elif len(faults) == 1 and stages.get("illustration") == "done":
                stop_postgresql(servers)
                time.sleep(3)
                start_postgresql(servers)
                faults.append(("database",))
            elif len(faults) == 2:
                [leader] = cpu.children("qcluster")
                cluster = [psutil.Process(leader), *psutil.Process(leader).children(recursive=True)]
                for process in cluster:
                    process.kill()
                faults.append(("cpu cluster", stages))
            [[status]] = psql(servers, f"SELECT status FROM tales_tale WHERE id = '{tale_id}'")
            if status in ("done", "failed"):
                break
            time.sleep(0.3)
        assert len(faults) == 3 and status == "done", (faults, psql(
            servers, f"SELECT status, error_detail FROM tales_tale WHERE id = '{tale_id}'"))
    finally:
        with ThreadPoolExecutor() as stopping:
            list(stopping.map(Site.stop, machines))
    versions = psql(servers, "SELECT scene, count(*) FROM tales_artifact WHERE stage = 'illustration' AND "
                             f"tale_id = '{tale_id}' GROUP BY scene ORDER BY scene")
    assert versions == [["1", "1"], ["2", "1"], ["3", "1"]]  # each scene's pictures saved once
    made = [line.split() for line in calls.read_text().splitlines()]
    _, scene, pid = faults[0]
    assert {p for s, _, p, _ in made if s == scene} - {pid}  # drawn again, by another worker
    others = [name for s, name, _, _ in made if s != scene]
    assert len(others) == len(set(others))  # the other scenes were never drawn again
    assert psql(servers, f"SELECT count(*) FROM tales_noderun WHERE tale_id = '{tale_id}' AND state IN "
                         "('queued', 'running') AND sent") == [["0"]]
    assert psql(servers, f"SELECT count(*) FROM tales_artifact WHERE tale_id = '{tale_id}' AND stage = 'video' "
                         "AND is_current") == [["1"]]
