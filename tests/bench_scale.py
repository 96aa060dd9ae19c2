"""`make bench-scale`: the scale-out layout on real PostgreSQL and Redis servers (tests/e2e/servers.py), a web
machine, a GPU machine and a CPU machine (`serve --role …`), the pictures drawn by a stand-in for a GPU model
that costs a fixed time per picture (tests/backends.py). Prints, from one run (this machine is shared and
noisy, so ratios):

1. fan-out: one tale's illustration stage with 2 GPU workers against 1 (node tasks: ideally 0.5), at
   SCALE_FAN_OUT_SECONDS a picture (3: a model's picture takes seconds; at 1 s the stage's fixed costs, the
   queue's polling and waking the tale's task, weigh as much as the pictures);
2. load: SCALE_USERS users × SCALE_TALES tales submitted at once, with node tasks and without (the whole tale
   one task, the design before): all done, none lost, no picture drawn twice, and the time from submitting to
   the first stage starting for the last user. SCALE_USERS=0 measures the fan-out only.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.backends import REGISTER  # noqa: E402
from tests.e2e.conftest import Browser, Site  # noqa: E402
from tests.e2e.servers import postgresql_and_redis, psql  # noqa: E402

USERS = int(os.environ.get("SCALE_USERS", 50))
TALES = int(os.environ.get("SCALE_TALES", 2))
PICTURE_SECONDS = os.environ.get("SCALE_PICTURE_SECONDS", "1")
FAN_OUT_SECONDS = os.environ.get("SCALE_FAN_OUT_SECONDS", "3")
QUICK = {"genre": "сказка", "scene_count": "3", "proofread_backend": "dictionary", "narration_backend": "espeak",
         "music_backend": "procedural", "illustration_backend": "fixed_cost"}


def machines(folder: Path, servers, gpu_workers: int, **extra: str) -> list[Site]:
    database_url, redis_url = servers[:2]
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "GPU_CLUSTER": "gpu", "CPU_CLUSTER": "cpu",
           "SECRET_KEY": "the-same-on-every-machine-" * 3, "VIDEOTALES_BACKENDS": REGISTER,
           "VIDEOTALES_PICTURE_SECONDS": PICTURE_SECONDS, "VIDEOTALES_CALLS": str(folder / "calls.log"),
           "VIDEOTALES_NARRATED_SENTENCES": "3", "VIDEOTALES_X264_PRESET": "ultrafast",  # it measures queues
           "TALES_AT_ONCE": "100", "TALES_PER_DAY": "100",
           "SIGNUPS_PER_HOUR": "10000", "RUNS_PER_USER": "100", **extra}
    web = Site(folder, role="web", **env)
    return [web, Site(folder, role="gpu", Q_WORKERS=str(gpu_workers), **env), Site(folder, role="cpu", **env)]


def stop(sites: list[Site]) -> None:
    with ThreadPoolExecutor() as pool:
        list(pool.map(Site.stop, sites))


def submit(base: str, user: str, tales: int, scenes: int = 3) -> list[str]:
    browser = Browser(base)
    password = f"Zhar-ptitsa-{user}-x"
    browser.post_form("/accounts/signup/", {"username": user, "password1": password, "password2": password})
    made = []
    for i in range(tales):
        response = browser.post_form("/tales/new/", {"title": f"Сказка {user} {i}", **QUICK,
                                                     "scene_count": str(scenes)})
        made.append(re.search(r"/tales/([0-9a-f-]{36})/$", response.url)[1])
    return made


def wait(servers, tale_ids: list[str], limit: float) -> dict[str, str]:
    ids = ", ".join(f"'{tale_id}'" for tale_id in tale_ids)
    deadline = time.monotonic() + limit
    while True:
        states = dict(psql(servers, f"SELECT id, status FROM tales_tale WHERE id IN ({ids})"))
        if all(state in ("done", "failed", "cancelled") for state in states.values()) or time.monotonic() > deadline:
            return states
        time.sleep(2)


def stage_seconds(servers, tale_id: str, stage: str) -> float:
    [[seconds]] = psql(servers, "SELECT extract(epoch FROM finished - started) FROM tales_stagerun WHERE "
                                f"tale_id = '{tale_id}' AND stage = '{stage}'")
    return float(seconds)


def fan_out(servers, root: Path) -> dict[int, float]:
    """The illustration stage's seconds of one 4-scene tale with 1 and with 2 GPU workers."""
    seconds = {}
    for gpu_workers in (1, 2):
        folder = root / f"fan-out-{gpu_workers}"
        folder.mkdir()
        sites = machines(folder, servers, gpu_workers, VIDEOTALES_PICTURE_SECONDS=FAN_OUT_SECONDS)
        try:
            [tale_id] = submit(sites[0].base, f"fan{gpu_workers}", 1, scenes=4)
            states = wait(servers, [tale_id], 900)
            assert states[tale_id] == "done", states
            seconds[gpu_workers] = stage_seconds(servers, tale_id, "illustration")
        finally:
            stop(sites)
    return seconds


def load(servers, root: Path, node_tasks: bool) -> dict:
    folder = root / f"load-{'nodes' if node_tasks else 'whole'}"
    folder.mkdir()
    sites = machines(folder, servers, 2, NODE_TASKS="1" if node_tasks else "0")
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            made = list(pool.map(lambda i: submit(sites[0].base, f"u{int(node_tasks)}x{i}", TALES), range(USERS)))
        tale_ids = [tale_id for tales in made for tale_id in tales]
        states = wait(servers, tale_ids, 3 * 3600)
        elapsed = time.monotonic() - started
    finally:
        stop(sites)
    last = made[-1][0]
    [[waited]] = psql(servers, "SELECT extract(epoch FROM min(s.started) - t.created) FROM tales_stagerun s JOIN "
                               f"tales_tale t ON t.id = s.tale_id WHERE t.id = '{last}' GROUP BY t.created")
    drawn = Counter(line.split()[1].replace(".part", "") for line in (folder / "calls.log").read_text().splitlines())
    return {"done": sum(state == "done" for state in states.values()), "tales": len(tale_ids),
            "drawn twice": sum(count > 1 for count in drawn.values()), "pictures": len(drawn),
            "wait": float(waited), "all done after": elapsed}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, postgresql_and_redis() as servers:
        root = Path(folder)
        seconds = fan_out(servers, root)
        print("Scale-out on PostgreSQL + Redis, one run, 2 cores; pictures by a stand-in for a GPU model")
        print(f"fan-out: illustration stage of a 4-scene tale at {FAN_OUT_SECONDS} s a picture, 1 GPU worker "
              f"{seconds[1]:.1f} s, 2 workers {seconds[2]:.1f} s: ratio {seconds[2] / seconds[1]:.2f} (ideal 0.50)")
        if USERS <= 0:
            return
        results = {"node tasks": load(servers, root, True), "whole-tale tasks": load(servers, root, False)}
        print(f"load: {USERS} users × {TALES} tales at once, 2 GPU workers + 1 CPU worker, {PICTURE_SECONDS} s a "
              "picture")
        for name, figures in results.items():
            print(f"  {name:17} done {figures['done']}/{figures['tales']}, pictures {figures['pictures']}, drawn "
                  f"twice {figures['drawn twice']}, last user's first stage after {figures['wait']:.1f} s, "
                  f"all done after {figures['all done after']:.0f} s")
        nodes, whole = results["node tasks"], results["whole-tale tasks"]
        print(f"  node tasks / whole-tale tasks: last user's wait {nodes['wait'] / whole['wait']:.2f}, "
              f"all done {nodes['all done after'] / whole['all done after']:.2f}")


if __name__ == "__main__":
    main()
