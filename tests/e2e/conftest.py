"""A real site in separate processes: `manage.py serve` starts Redis, uvicorn and a django-q2 cluster."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(base: str, process: subprocess.Popen, limit: float = 60) -> bool:
    """Whether the web server at ``base`` answers before its ``process`` ends or ``limit`` seconds pass."""
    deadline = time.monotonic() + limit
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return True
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.3)


class Site:
    """`manage.py serve` in its own process group, on its own port, database and media folder.

    ``role``: one machine's part of a scale-out layout (``serve --role web|gpu|cpu``); a worker's has no
    web server to wait for."""

    def __init__(self, var: Path, role: str | None = None, **env_extra: str):
        self.var = var
        port = free_port()
        env = {k: v for k, v in os.environ.items()
               if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env.update(VIDEOTALES_VAR=str(var), MEDIA_ROOT=str(var / "media"), PYTHONUNBUFFERED="1", **env_extra)
        log = var / (f"serve-{role}.log" if role else "serve.log")
        self.log = open(log, "w")
        command = [sys.executable, "manage.py", "serve", "--port", str(port)]
        command += ["--role", role] if role else []
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        if role in ("gpu", "cpu"):
            return
        if not serving(self.base, self.process):
            self.stop()
            raise RuntimeError("the site did not start:\n" + log.read_text())

    def children(self, word: str) -> list[int]:
        """Process ids of the server's own children whose command line contains ``word``."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid and word in cmdline:
                found.append(int(entry.name))
        return found

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """The base URL of a site served by real processes."""
    # two sentences of each scene narrated (tests/conftest.py has one): the browser test sees a scene's shots
    site = Site(tmp_path_factory.mktemp("site"), VIDEOTALES_NARRATED_SENTENCES="2")
    yield site.base
    site.stop()


class Browser:
    """An HTTP client with cookies and Django's CSRF token, for the tests that do not need Chromium."""

    def __init__(self, base: str):
        import http.cookiejar

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, headers: dict | None = None):
        return self.opener.open(urllib.request.Request(self.base + path, headers=headers or {}), timeout=30)

    def post_form(self, path: str, data: dict):
        import urllib.parse

        page = self.get(path).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        return self.opener.open(request, timeout=30)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


# --- Chromium, for the tests that act as a person ---------------------------------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture
def viewport() -> dict:
    """The browser window's size; a module that wants a phone's overrides this fixture."""
    return {"width": 1280, "height": 900}


@pytest.fixture
def page(viewport):
    """A page of a headless Chromium set to Russian."""
    from playwright.sync_api import sync_playwright  # only the browser tests need it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ru-RU", viewport=viewport)
        yield context.new_page()
        browser.close()


def sign_up(page, name: str, password: str, site: str | None = None) -> None:
    """Sign ``name`` up with the sign-up form (on the page shown, or the ``site``'s), and see the new-tale
    form it leads to."""
    from playwright.sync_api import expect

    if site is not None:
        page.goto(site + "/accounts/signup/")
    page.get_by_label("Имя пользователя").fill(name)
    page.get_by_label("Пароль", exact=True).fill(password)
    page.get_by_label("Подтверждение пароля").fill(password)
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_role("heading", name="Новая сказка")).to_be_visible()


def submit_tale(page, title: str, scenes: int = 3, genre: str | None = None, subtitles: tuple[str, ...] = ()):
    """Fill the new-tale form (``subtitles``: the labels of the languages to check) and send it; the tale's
    page then opens."""
    from playwright.sync_api import expect

    page.get_by_label("Название сказки").fill(title)
    if genre is not None:
        page.get_by_label("Жанр").select_option(genre)
    for language in subtitles:
        page.get_by_label(language, exact=True).check()
    page.get_by_label("Сцен", exact=True).fill(str(scenes))
    page.get_by_role("button", name="Создать видеосказку").click()
    expect(page).to_have_url(re.compile(r"/tales/[0-9a-f-]{36}/$"))
