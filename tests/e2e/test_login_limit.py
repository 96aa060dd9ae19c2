"""The log-in limit holds across web processes and restarts: `manage.py serve` and a second web server on the
same settings and database (as in scale-out, two web processes behind one front), failures made alternately
on both add up to one lock, both refuse, and the lock is still there after each process is restarted.

The second process is a bare uvicorn, not a second `serve`: a second `serve` on the same var/ would start a
Redis of its own on the first one's socket path and a second worker cluster."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Browser, Site, free_port, serving

pytestmark = pytest.mark.slow
LOCKED = "Слишком много неудачных попыток входа. Попробуйте через 15 минут."
PASSWORD = "Serenkiy-volchok-5"


class WebProcess:
    """One more uvicorn on a site's settings, database and Redis (what another web node would be)."""

    def __init__(self, var: Path):
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env.update(VIDEOTALES_VAR=str(var), MEDIA_ROOT=str(var / "media"), REDIS_URL=f"unix://{var / 'redis.sock'}",
                   PYTHONUNBUFFERED="1")
        self.log = open(var / f"web-{port}.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "fairytales.asgi:application", "--host", "127.0.0.1", "--port",
             str(port), "--lifespan", "off", "--no-proxy-headers"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        if not serving(self.base, self.process):
            self.stop()
            raise RuntimeError("the web process did not start:\n" + Path(self.log.name).read_text())

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def log_in(base: str, password: str) -> tuple[int, str]:
    """A fresh visitor's log-in as "lisa": the status and the page."""
    try:
        response = Browser(base).post_form("/accounts/login/", {"username": "lisa", "password": password})
        return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def refuses(base: str) -> bool:
    status, page = log_in(base, PASSWORD)  # the right password
    return status == 429 and LOCKED in page


def test_the_log_in_limit_holds_across_web_processes_and_restarts(tmp_path):
    servers: list = []
    try:
        site = Site(tmp_path)
        servers.append(site)
        other = WebProcess(tmp_path)
        servers.append(other)
        Browser(site.base).post_form("/accounts/signup/", {"username": "lisa", "password1": PASSWORD,
                                                           "password2": PASSWORD})

        statuses = [log_in(base, "guess")[0] for base in [site.base, other.base] * 2 + [site.base]]
        assert statuses == [200, 200, 200, 200, 429]  # five failures, alternately on two processes: locked
        assert refuses(site.base) and refuses(other.base)

        site.stop()  # the serve process (its Redis, cluster and web server) goes: the lock was not in it
        servers.remove(site)
        assert refuses(other.base)
        site = Site(tmp_path)
        servers.append(site)
        assert refuses(site.base)

        other.stop()
        servers.remove(other)
        other = WebProcess(tmp_path)
        servers.append(other)
        assert refuses(other.base) and refuses(site.base)
    finally:
        for server in servers:
            server.stop()
