"""The systemd units and the environment file of docs/deploy.md, started as systemd would start them.

Read from the page itself, so what the page says is what is tested: each unit's ExecStart run in its
WorkingDirectory with its EnvironmentFile (the page's environment block) and Environment= lines (``%i`` the
instance), the checkout's path for /srv/videotales and this interpreter for its virtual environment. The test
gives the addresses that differ here (the servers it started, its folders, a free port, plain HTTP: nginx and
TLS are the parts not started)."""

from __future__ import annotations

import configparser
import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.conftest import ROOT, free_port, serving

DOC = ROOT / "docs" / "deploy.md"
CHECKOUT = "/srv/videotales"


def units() -> dict[str, configparser.ConfigParser]:
    """{unit file name: its sections}, for every ```ini block the page names a /etc/systemd/system/ file for."""
    text = DOC.read_text("utf-8")
    found = {}
    unit = r"`/etc/systemd/system/([\w@.-]+\.service)`(?:(?!```).)*?```ini\n(.*?)```"
    for name, body in re.findall(unit, text, re.S):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # keys as written: Environment, ExecStart
        parser.read_string(_joined_environment(body))
        found[name] = parser
    return found


def _joined_environment(body: str) -> str:
    """systemd allows a key many times (Environment=…); configparser keeps one: number them."""
    count = 0

    def numbered(match):
        nonlocal count
        count += 1
        return f"Environment.{count}="

    return re.sub(r"^Environment=", numbered, body, flags=re.M)


def environment_file() -> dict[str, str]:
    """The page's /etc/videotales/env: KEY=VALUE lines, comments dropped."""
    text = DOC.read_text("utf-8")
    block = re.search(r"## The environment:.*?```sh\n(.*?)```", text, re.S)[1]
    values = {}
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


class Unit:
    """One unit's process (its own process group), started as systemd would, stopped like ``systemctl stop``."""

    def __init__(self, name: str, folder: Path, overrides: dict[str, str], instance: str = ""):
        service = units()[name]["Service"]
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env.update(environment_file())
        for key, value in service.items():
            if key.startswith("Environment."):
                variable, _, setting = value.replace("%i", instance).partition("=")
                env[variable] = setting
        self.port = free_port()
        env.update(overrides, PYTHONUNBUFFERED="1")
        command = shlex.split(service["ExecStart"].replace("%i", instance))
        command[0] = sys.executable if command[0] == f"{CHECKOUT}/.venv/bin/python" else command[0]
        if "--port" in command:
            command[command.index("--port") + 1] = str(self.port)
        self.base = f"http://127.0.0.1:{self.port}"
        workdir = Path(service["WorkingDirectory"].replace(CHECKOUT, str(ROOT)))
        self.log = open(folder / f"{name.replace('@', '-')}{instance}.log", "w")
        self.process = subprocess.Popen(command, cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.stop_seconds = float(service.get("TimeoutStopSec", "30"))

    def wait_for_web(self, limit: float = 60) -> None:
        if not serving(self.base, self.process, limit):
            self.stop()
            raise RuntimeError(f"the unit did not start: see {self.log.name}")

    def wait_for_log(self, words: str, limit: float = 90) -> None:
        """Until the unit's output says ``words`` (a cluster saying it runs: django-q2 writes it in the site's
        language, so look for the cluster's name)."""
        deadline = time.monotonic() + limit
        while words not in Path(self.log.name).read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the unit never said {words!r}: see {self.log.name}")
            time.sleep(0.3)

    def stop(self) -> None:
        """KillMode=mixed: SIGTERM to the main process, SIGKILL to what is left after TimeoutStopSec."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=self.stop_seconds)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()
