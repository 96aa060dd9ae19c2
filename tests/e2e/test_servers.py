"""The test servers (tests/e2e/servers.py) do not outlive a benchmark or a test run that is killed."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow

HOLD = """
import sys, time
from tests.e2e.servers import postgresql_and_redis
with postgresql_and_redis() as servers:
    print(servers[2], flush=True)
    time.sleep(120)
"""


def servers_in(folder: str) -> list[psutil.Process]:
    """The PostgreSQL and Redis processes started in ``folder``."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(folder in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


def test_a_run_ended_by_sigterm_stops_its_postgresql_and_redis():
    root = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen([sys.executable, "-c", HOLD], cwd=root, stdout=subprocess.PIPE, text=True)
    folder = holder.stdout.readline().strip()
    assert folder and Path(folder, "redis.sock").exists()
    assert len(servers_in(folder)) >= 2  # postgres (its postmaster names the folder) and redis-server
    os.kill(holder.pid, signal.SIGTERM)
    assert holder.wait(timeout=30) == 128 + signal.SIGTERM
    for _ in range(100):
        if not servers_in(folder):
            break
        time.sleep(0.1)
    assert servers_in(folder) == [] and not Path(folder).exists()
