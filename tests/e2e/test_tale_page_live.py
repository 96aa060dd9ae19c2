"""The tale page as its owner meets it while the tale is being made, in Chromium against the real processes
(`manage.py serve`): a scene card that arrives over the websocket carries the same redo forms a reloaded page
shows, and they work; the music that arrives live is not downloaded before it is played.

The results arrive the way a worker sends them: through the site's own store (TaleStore.save), in another
process, over the real Redis channel layer; no worker runs, so the moment each lands is the test's."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import ROOT, Site, sign_up
from tests.e2e.test_browser import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Morozko-Ivanovich-5"
SCENES = [{"index": 1, "text": "Жила-была мачеха, и была у неё падчерица.", "prompt": "изба в зимнем лесу",
           "lines": []},
          {"index": 2, "text": "Отвёз старик дочку в лес, под большую ель.", "prompt": "девушка под елью в снегу",
           "lines": []}]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("tale-page"))
    yield site
    site.stop()


def in_site(site: Site, code: str) -> str:
    """Run ``code`` in `manage.py shell` on the site's database and media; its last printed line."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(VIDEOTALES_VAR=str(site.var), MEDIA_ROOT=str(site.var / "media"))
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def land(site: Site, tale_id: str, stage: str, role: str, filename: str, content: str, meta: dict) -> None:
    """A result saved as the worker saves it: a new file and TaleStore.save, which tells the watchers."""
    in_site(site, f"""
from fairytales.pipeline.artifacts import Artifact as Result
from fairytales.tales.models import Tale
from fairytales.tales.store import TaleStore
store = TaleStore(Tale.objects.get(pk={tale_id!r}))
path = store.path_for({stage!r}, None, {filename!r})
path.write_text({content!r}, "utf-8")
store.save(Result(stage={stage!r}, scene=None, files={{{role!r}: path}}, meta={meta!r}, backend="test"))
""")


@pytest.fixture
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_scene_card_that_arrives_live_has_working_redo_forms(site, page, tmp_path):
    sign_up(page, "marya", PASSWORD, site=site.base)
    # a tale its worker is making: nothing of it has landed yet
    tale_id = in_site(site, """
from django.contrib.auth.models import User
from django.utils import timezone
from fairytales.tales.models import Tale
tale = Tale.objects.create(owner=User.objects.get(username="marya"), title="Морозко", genre="сказка",
                           status="running", run_queue=[[]], heartbeat=timezone.now())
print(tale.pk)
""")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{site.base}/tales/{tale_id}/")
    expect(page.locator("#tale")).to_have_attribute("data-live", "yes")
    assert page.locator(".scene").count() == 0
    page.evaluate("window.__notReloaded = true")

    # the story lands: its text shows, and so does the form to change it, holding it
    story = "\n\n".join(scene["text"] for scene in SCENES)
    land(site, tale_id, "story", "text", "story.txt", story, {})
    expect(page.locator(".story .story-text p")).to_have_count(2)
    page.get_by_text("Изменить сюжет").click()
    expect(page.get_by_label("Весь текст сказки", exact=False)).to_have_value(story)

    land(site, tale_id, "scenes", "scenes", "scenes.json", json.dumps(SCENES, ensure_ascii=False), {"count": 2})
    card = page.locator('.scene[data-scene="2"]')
    expect(card.locator(".scene-text")).to_have_text(SCENES[1]["text"])
    assert page.evaluate("window.__notReloaded") is True

    # the card's forms, filled with its scene, as a reloaded page has them
    card.get_by_text("Изменить текст сцены").click()
    expect(card.get_by_label("Текст сцены 2")).to_have_value(SCENES[1]["text"])
    card.get_by_text("Перерисовать картинку").click()
    expect(card.get_by_label("Что нарисовать")).to_have_value(SCENES[1]["prompt"])
    expect(card.get_by_role("button", name="Озвучить сцену 2", include_hidden=True)).to_have_count(1)
    live_forms = without_tokens(card.locator("details.edit").evaluate_all(
        "(all) => all.map((d) => { d.open = false; return d.outerHTML; }).join('')"))

    # the music lands too: its player waits for a press before it fetches the file
    land(site, tale_id, "music", "audio", "music.ogg", "not played", {})
    music = page.locator("audio#music")
    expect(music).to_have_attribute("src", re.compile(r"/files/music-v1\.ogg$"))
    expect(music).to_be_visible()
    assert music.get_attribute("preload") == "none"
    page.wait_for_timeout(1000)
    assert music.evaluate("(audio) => audio.readyState") == 0  # HAVE_NOTHING
    assert not [url for url in requested if "music-v1" in url]

    card.get_by_text("Перерисовать картинку").click()
    page.screenshot(path=str(tmp_path / "live-card.png"), full_page=True)
    card.get_by_label("Что нарисовать").fill("девушка под елью, Морозко над ней")
    card.get_by_role("button", name="Перерисовать сцену 2").click()
    # the form was accepted (its CSRF token, its address): the redraw waits for the run in progress
    expect(page.get_by_text("Переделаю, как только закончится текущая работа.")).to_be_visible()
    queue = json.loads(in_site(site, f"""
import json
from fairytales.tales.models import Tale
print(json.dumps(Tale.objects.get(pk={tale_id!r}).run_queue, ensure_ascii=False))
"""))
    assert len(queue) == 2 and len(queue[1]) == 1, queue
    assert {key: queue[1][0].get(key) for key in ("stage", "scene", "prompt")} == {
        "stage": "illustration", "scene": 2, "prompt": "девушка под елью, Морозко над ней"}

    # the page the server renders now has the very forms the live card had
    reloaded = page.locator('.scene[data-scene="2"] details.edit')
    assert without_tokens(reloaded.evaluate_all("(all) => all.map((d) => d.outerHTML).join('')")) == live_forms

    # the run ends while the owner types in a form: the page takes the finished sections, and keeps the words
    first = page.locator('.scene[data-scene="1"]')
    first.get_by_text("Изменить текст сцены").click()
    typed = "Жила-была девушка в избушке, и пришёл к ней Морозко."
    first.get_by_label("Текст сцены 1").fill(typed)
    card.get_by_text("Перерисовать картинку").click()  # opened, nothing typed yet
    refreshed = page.locator("#tale").get_attribute("data-refreshed") or "0"
    in_site(site, f"""
from fairytales.tales import broadcast
from fairytales.tales.models import Tale
from fairytales.tales.snapshot import snapshot
Tale.objects.filter(pk={tale_id!r}).update(status="done", run_queue=[])
tale = Tale.objects.get(pk={tale_id!r})
broadcast.send(tale.group_name, snapshot(tale))
""")
    expect(page.locator("#tale")).not_to_have_attribute("data-refreshed", refreshed)
    expect(first.get_by_label("Текст сцены 1")).to_have_value(typed)
    expect(first.get_by_label("Текст сцены 1")).to_be_visible()
    expect(card.get_by_label("Что нарисовать")).to_be_visible()  # what was open stays open


FINISHED = r'''
from PIL import Image
from django.contrib.auth.models import User
from fairytales.tales.models import Artifact, Tale
owner = User.objects.create_user("alyonushka", password={password!r})
tale = Tale.objects.create(owner=owner, title="Morozko", genre="сказка", status="done", duration=64.0)
tale.folder.mkdir(parents=True)
where = f"tales/{{tale.pk.hex}}"
Image.new("RGB", (1280, 720), (40, 60, 120)).save(tale.folder / "poster-v1.jpg")
(tale.folder / "video-v1.mp4").write_bytes(b"")
(tale.folder / "music-v1.ogg").write_bytes(b"")
(tale.folder / "scenes-v1.json").write_text('[{{"index": 1, "text": "Once.", "prompt": "a fir", "lines": []}}]')
Artifact.objects.create(tale=tale, stage="video", version=1, backend="ffmpeg",
                        files={{"video": f"{{where}}/video-v1.mp4", "poster": f"{{where}}/poster-v1.jpg"}})
Artifact.objects.create(tale=tale, stage="music", version=1, backend="test", files={{"audio": f"{{where}}/music-v1.ogg"}})
Artifact.objects.create(tale=tale, stage="scenes", version=1, backend="test", meta={{"count": 1}},
                        files={{"scenes": f"{{where}}/scenes-v1.json"}})
print(tale.pk)
'''


@pytest.fixture(scope="module")
def finished(site):
    """A finished tale (its film, its music, one scene) of a user who can log in: its id."""
    return in_site(site, FINISHED.format(password=PASSWORD))


@pytest.mark.parametrize("width", [1280, 390])
def test_the_whole_tale_forms_read_as_groups_and_the_players_wait_for_play(site, finished, width):
    tale_id = finished
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900}).new_page()
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(site.base + "/accounts/login/")
        page.locator("#id_username").fill("alyonushka")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(f"{site.base}/tales/{tale_id}/")

        # the film shows its poster and fetches no more than its metadata; the music nothing until played
        video = page.locator("video#video")
        assert video.get_attribute("preload") == "metadata"
        expect(video).to_have_attribute("poster", re.compile(r"/files/poster-v1\.jpg$"))
        assert any(url.endswith("/files/poster-v1.jpg") for url in requested)
        music = page.locator("audio#music")
        expect(music).to_be_visible()
        assert music.get_attribute("preload") == "none"
        assert not [url for url in requested if "music-v1" in url]

        # each redo of the whole tale is its own form under a heading, its fields labelled, its button in it
        film = page.get_by_role("region", name="Cutting the film")
        sound = page.get_by_role("region", name="Voice and music")
        expect(film.locator("#join-form").get_by_label("Join between scenes")).to_be_visible()
        expect(film.locator("#join-form").get_by_label("Which cuts")).to_be_visible()
        expect(film.locator("#join-form").get_by_role("button", name="Change the joins")).to_be_visible()
        expect(film.locator("#burn-form").get_by_label("Subtitles in the picture")).to_be_visible()
        expect(sound.locator("#music-form").get_by_label("Mood of the music")).to_be_visible()
        expect(sound.locator("#music-form").get_by_label("Variant number (seed)")).to_be_visible()
        expect(sound.locator("#narration-form").get_by_role("button", name="Narrate every scene again")).to_be_visible()
        # nothing is wider than the screen, a phone's included; a form's button sits under its own fields
        page.locator("details").evaluate_all("(all) => all.forEach((d) => d.open = true)")
        assert page.evaluate("document.documentElement.scrollWidth") == width
        for form in ("#format-form", "#join-form", "#burn-form", "#narration-form", "#music-form"):
            fields = page.locator(f"{form} .control").last.bounding_box()
            button = page.locator(f"{form} button").bounding_box()
            assert 0 <= button["y"] - (fields["y"] + fields["height"]) < 40, form
        browser.close()


def test_a_visitors_open_page_is_told_when_the_tale_is_made_private(site, page):
    tale_id = in_site(site, """
from django.contrib.auth.models import User
from fairytales.tales.models import Tale
owner = User.objects.create_user("snegurochka")
print(Tale.objects.create(owner=owner, title="Снегурочка", genre="сказка", status="done").pk)
""")
    page.goto(f"{site.base}/tales/{tale_id}/")  # a visitor, not signed in
    expect(page.locator("#tale")).to_have_attribute("data-live", "yes")
    in_site(site, f"""
from fairytales.tales.models import Tale
tale = Tale.objects.get(pk={tale_id!r})
tale.is_public = False
tale.save(update_fields=["is_public"])  # what the owner's «убрать из галереи» does
""")
    expect(page.get_by_role("alert")).to_have_text("Эта сказка больше недоступна: её закрыли или удалили.")
    expect(page.locator("#tale")).to_have_attribute("data-live", "no")
    page.wait_for_timeout(2000)
    expect(page.locator("#tale")).to_have_attribute("data-live", "no")  # and it does not come back
    assert page.reload().status == 404
