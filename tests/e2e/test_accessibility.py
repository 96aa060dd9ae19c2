"""Every page, in Russian and in English, passes an axe-core audit in Chromium with no serious or critical
violation (WCAG 2.1 A and AA and axe's best practices), and asks for no missing favicon.

axe-core comes from npm (`make install-test` puts it in .venv/axe); Chromium is Debian's.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .test_browser import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(sys.prefix) / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "Premudraya-Vasilisa-9"
AUDIT = """async () => {
    const result = await axe.run(document, {runOnly: {type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => ({
        id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 8)}));
}"""


@pytest.fixture
def tales(django_user_model, settings, tmp_path):
    """A user with a finished tale (film, story, a scene with two pictures) and a failed one."""
    from fairytales.pipeline.failures import explain
    from fairytales.tales.models import Artifact, Tale

    settings.MEDIA_ROOT = tmp_path / "media"
    user = django_user_model.objects.create_user("vasilisa", password=PASSWORD)
    done = Tale.objects.create(owner=user, title="Vasilisa", genre="сказка", status="done", duration=64.0)
    done.folder.mkdir(parents=True)
    for name in ("video-v1.mp4", "poster-v1.jpg", "picture-1-v1.png", "picture-1-v2.png", "proofread-v1.txt",
                 "scenes-v1.json"):
        (done.folder / name).write_bytes(b"")
    (done.folder / "proofread-v1.txt").write_text("Once upon a time.\n\nThe end.")
    (done.folder / "scenes-v1.json").write_text(json.dumps(
        [{"index": 1, "text": "Once upon a time.", "prompt": "a forest", "lines": []}]))
    where = f"tales/{done.pk.hex}"
    Artifact.objects.create(tale=done, stage="video", version=1, backend="ffmpeg",
                            files={"video": f"{where}/video-v1.mp4", "poster": f"{where}/poster-v1.jpg"})
    Artifact.objects.create(tale=done, stage="proofread", version=1, backend="test",
                            files={"text": f"{where}/proofread-v1.txt"})
    Artifact.objects.create(tale=done, stage="scenes", version=1, backend="test", meta={"count": 1},
                            files={"scenes": f"{where}/scenes-v1.json"})
    shots = [{"sentences": [0, 1], "prompt": "a forest"}, {"sentences": [1, 2], "prompt": "a fox"}]
    for version in (1, 2):  # two shots each (a picture every few lines), the second redrawn in version 2
        (done.folder / f"picture_2-1-v{version}.png").write_bytes(b"")
        Artifact.objects.create(tale=done, stage="illustration", scene=1, version=version, backend="storybook",
                                is_current=version == 2, meta={"shots": shots},
                                checksums={"picture": "same", "picture_2": f"v{version}"},
                                files={"picture": f"{where}/picture-1-v{version}.png",
                                       "picture_2": f"{where}/picture_2-1-v{version}.png"})
    public = explain(MemoryError(), "illustration", 1).public
    failed = Tale.objects.create(owner=user, title="Koshchei", genre="ужасы", status="failed", error=public,
                                 error_note=public.to_dict(), error_detail="MemoryError")
    failed.stage_runs.create(stage="illustration", status="failed", error=public, error_note=public.to_dict())
    return done, failed


def sign_in(page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.locator("#id_username").fill("vasilisa")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@contextmanager
def owners_page(live_server, **context):
    """A page of Chromium (Russian, ``context``'s viewport) signed in as the owner of ``tales``."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(locale="ru-RU", **context).new_page()
        sign_in(page, live_server.url)
        yield page
        browser.close()


@pytest.mark.parametrize("language", ["ru-RU", "en-GB"])
def test_every_page_passes_axe_with_no_serious_violations(live_server, tales, language):
    assert AXE.exists(), f"{AXE} is missing: `make install-test` installs axe-core from npm"
    done, failed = tales
    base = live_server.url
    guest_pages = ["/", "/accounts/login/", "/accounts/signup/", "/tales/00000000-0000-0000-0000-000000000000/",
                   done.get_absolute_url()]
    owner_pages = ["/", "/tales/new/", "/tales/mine/", done.get_absolute_url(), failed.get_absolute_url()]
    found, missing = {}, []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 and "favicon" in r.url else None)

        def audit(name):
            page.add_script_tag(content=AXE.read_text())
            violations = page.evaluate(AUDIT)
            if violations:
                found[name] = violations

        for path in guest_pages:
            page.goto(base + path)
            audit(f"guest {path}")
        page.goto(base + "/accounts/signup/")
        page.get_by_role("button").last.click()  # the form sent empty: its errors shown
        audit("sign-up with errors")
        sign_in(page, base)
        for path in owner_pages:
            page.goto(base + path)
            page.locator("details").evaluate_all("(all) => all.forEach((d) => d.open = true)")
            audit(f"owner {path}")
        browser.close()
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    assert not missing, missing


@pytest.mark.parametrize("width", [390, 1280])
def test_a_title_of_one_long_word_keeps_every_page_within_the_screen(live_server, tales, width):
    done, _ = tales
    done.title = "Я" * 80  # the longest title the form takes, with nowhere to break
    done.is_public = True
    done.save()
    with owners_page(live_server, viewport={"width": width, "height": 900}) as page:
        wider = {}
        for path in ("/", "/tales/mine/", done.get_absolute_url()):
            page.goto(live_server.url + path)
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            if scroll > width:
                wider[path] = scroll
    assert not wider, wider  # no page scrolls sideways


def test_the_new_tale_form_offers_the_voices_that_read_the_tales_language(live_server, tales):
    with owners_page(live_server) as page:
        page.goto(live_server.url + "/tales/new/")
        page.locator("details.advanced summary").click()
        voice = page.locator('select[name="narration_rhvoice_narrator_voice"]')
        offered = """(select) => [...select.options].filter((o) => o.value && !o.hidden && !o.disabled)
                                                      .map((o) => o.dataset.languages)"""
        assert set(voice.evaluate(offered)) == {"ru"}  # a Russian tale: Russian voices
        voice.select_option("anna")
        page.locator("#id_language").select_option("en")
        assert set(voice.evaluate(offered)) == {"en"}
        assert voice.input_value() == ""  # the Russian voice chosen before goes back to the default


def test_a_refused_scene_text_stays_in_its_form_after_the_page_has_drawn_itself(live_server, tales):
    done, _ = tales
    too_long = "Жила-была лиса у самого синего моря. " * 200
    with owners_page(live_server) as page:
        page.goto(live_server.url + done.get_absolute_url())
        page.get_by_text("Изменить текст сцены").click()
        page.locator("#text-1").fill(too_long)
        page.get_by_role("button", name="Сохранить текст сцены 1").click()
        page.wait_for_load_state()
        page.wait_for_function("() => document.getElementById('tale').dataset.ws !== undefined")
        page.wait_for_timeout(500)  # the page's own script has drawn the tale's results meanwhile
        assert page.get_by_role("alert").first.is_visible()
        assert page.locator("#text-1").is_visible()
        assert page.locator("#text-1").input_value() == too_long.strip()


def test_the_story_on_the_page_stays_the_rewritten_one_once_the_page_has_drawn_itself(live_server, tales):
    from fairytales.tales.models import Artifact

    done, _ = tales
    (done.folder / "scenes-v2.json").write_text(json.dumps(
        [{"index": 1, "text": "Колобок покатился к синему морю.", "prompt": "море", "lines": []}]))
    done.artifacts.filter(stage="scenes").update(is_current=False)
    Artifact.objects.create(tale=done, stage="scenes", version=2, backend="split",
                            meta={"count": 1, "rewritten": [1]},
                            files={"scenes": f"tales/{done.pk.hex}/scenes-v2.json"})
    with owners_page(live_server) as page:
        page.goto(live_server.url + done.get_absolute_url())  # its script has drawn the snapshot by load
        assert page.locator(".story-text").inner_text() == "Колобок покатился к синему морю."
        assert page.locator("#story-text").input_value() == "Колобок покатился к синему морю."
