"""Real PostgreSQL and Redis servers for the scale-out tests and ``make bench-scale``: Debian's packages
(`make install-test`), started on private unix sockets in a temporary folder and stopped after; nothing else on
the machine is touched."""

import contextlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.e2e.conftest import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
AS_POSTGRES = ["runuser", "-u", "postgres", "--"]


@contextlib.contextmanager
def postgresql_and_redis():
    """(DATABASE_URL, REDIS_URL, folder, port) of a fresh PostgreSQL cluster and Redis server."""
    with stopped_by_sigterm(), _servers() as servers:
        yield servers


@contextlib.contextmanager
def stopped_by_sigterm():
    """A SIGTERM (``timeout``, ``kill``, a cancelled CI job) ends the process as Ctrl-C does, through the
    ``finally`` that stops the servers: they run detached (pg_ctl) or on their own, and would outlive it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _servers():
    folder = Path(tempfile.mkdtemp(prefix="videotales-servers-"))
    folder.chmod(0o755)
    data, port = folder / "pg", free_port()
    shutil.chown(folder, "postgres")
    subprocess.run([*AS_POSTGRES, PG_BIN / "initdb", "-D", data, "-A", "trust", "-U", "videotales"],
                   check=True, capture_output=True)
    start_postgresql((folder, port))
    subprocess.run([*AS_POSTGRES, PG_BIN / "createdb", "-h", folder, "-p", str(port), "-U", "videotales",
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
    try:
        yield f"postgres://videotales@{host}:{port}/videotales", f"unix://{redis_socket}", folder, port
    finally:
        redis.terminate()
        stop_postgresql((folder, port))
        redis.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def start_postgresql(servers) -> None:
    folder, port = servers[-2:]
    subprocess.run([*AS_POSTGRES, PG_BIN / "pg_ctl", "-D", folder / "pg", "-w", "-l", folder / "pg.log", "-o",
                    f"-p {port} -k {folder} -c listen_addresses=''", "start"], check=True, capture_output=True)


def stop_postgresql(servers) -> None:
    folder = servers[-2]
    subprocess.run([*AS_POSTGRES, PG_BIN / "pg_ctl", "-D", folder / "pg", "-m", "fast", "stop"], capture_output=True)


def psql(servers, query: str) -> list[list[str]]:
    """The rows ``query`` gives, each a list of its columns as text."""
    folder, port = servers[-2:]
    out = subprocess.run([*AS_POSTGRES, PG_BIN / "psql", "-h", str(folder), "-p", str(port), "-U", "videotales",
                          "-d", "videotales", "-tAc", query], check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.strip().splitlines()]
