"""A person in Chromium: sign up, submit a title, watch the stages move, play the film, find it in the gallery."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM_ARGS, sign_up, submit_tale

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["CHROMIUM_ARGS"]  # test_accessibility and test_tale_page_live take it from here


def test_a_visitor_makes_a_videotale_and_finds_it_in_the_gallery(live_site, page, tmp_path):
    page.goto(live_site + "/")
    page.get_by_role("link", name="Регистрация").click()
    sign_up(page, "vasilisa", "Premudraya-Vasilisa-9")

    page.get_by_label("Название сказки").fill("   ")
    page.get_by_role("button", name="Создать видеосказку").click()
    expect(page.get_by_text("Введите название сказки.")).to_be_visible()

    submit_tale(page, "Лиса и журавль", genre="сказка")
    expect(page.get_by_role("heading", name="Лиса и журавль")).to_be_visible()

    # progress arrives over the websocket, without a reload
    page.evaluate("window.__notReloaded = true")
    expect(page.locator('[data-stage="story"] .stage-status')).to_have_text("Готово", timeout=60_000)
    expect(page.locator('[data-stage="illustration"] progress')).not_to_have_attribute("value", "0", timeout=120_000)
    page.screenshot(path=str(tmp_path / "progress.png"))

    # each result shows as it lands (issue 16 §5): the story's text and the first scene's picture are on the
    # page while the film is not yet being cut; what the page itself showed at that moment, read in one go
    seen = page.wait_for_function("""() => {
        const text = document.querySelector('.story:not([hidden]) .story-text');
        const img = document.querySelector('.scene-list img.scene-picture');
        if (!text || !text.textContent.trim() || !img || !img.complete || img.naturalWidth === 0) return null;
        return {video: document.querySelector('[data-stage="video"]').className, text: text.textContent,
                picture: img.getAttribute('src'), width: img.naturalWidth};
    }""", polling=100, timeout=300_000).json_value()
    assert seen["video"] == "stage status-pending", seen
    assert len(seen["text"]) > 100 and re.search(r"/files/picture-1-v1\.png$", seen["picture"]), seen
    page.screenshot(path=str(tmp_path / "taking-shape.png"), full_page=True)

    video = page.locator("video#video")
    expect(video).to_be_visible(timeout=400_000)
    assert page.evaluate("window.__notReloaded") is True
    expect(page.locator("#tale-status")).to_have_text("Готова")

    duration = page.evaluate("""() => new Promise((resolve, reject) => {
        const v = document.getElementById('video');
        const ready = () => resolve(v.duration);
        if (v.readyState >= 1) ready(); else { v.onloadedmetadata = ready; v.onerror = () => reject(v.error.message); }
    })""")
    assert duration >= 15  # a short film: tests narrate two sentences a scene (tests/conftest.py)
    played = page.evaluate("""() => new Promise((resolve, reject) => {
        const v = document.getElementById('video');
        v.muted = true;
        v.ontimeupdate = () => { if (v.currentTime > 0.5) resolve(v.currentTime); };
        v.play().catch(reject);
        setTimeout(() => reject('did not play'), 20000);
    })""")
    assert played > 0.5
    seeked = page.evaluate("""() => new Promise((resolve) => {
        const v = document.getElementById('video');
        v.pause();
        v.onseeked = () => resolve(v.currentTime);
        v.currentTime = v.duration - 5;
    })""")
    assert seeked == pytest.approx(duration - 5, abs=1.0)

    # the story and the scenes' pictures appear too
    expect(page.locator(".scene-list img.scene-picture")).to_have_count(3, timeout=15_000)
    page.screenshot(path=str(tmp_path / "done.png"), full_page=True)
    # and each scene's shots, a picture for every few lines, each its own (issue 16 §1), each shown once: the
    # scene's own picture and prompt are its first shot's, so they give way to the list, live and on reload
    # and the page made live has what a reload shows, in the same places: the sharing links, the characters,
    # the whole tale's forms before the delete button
    outline = """() => [...document.querySelectorAll('#tale > *')]
        .map((e) => e.id || e.className.split(' ')[0])"""
    expect(page.locator("section.share")).to_be_visible()
    expect(page.locator("section.cast")).to_be_visible()
    live = page.evaluate(outline)
    for reloaded in (False, True):
        if reloaded:
            page.reload()
            assert page.evaluate(outline) == live
        shots = page.locator('.scene[data-scene="1"] img.shot-picture')
        expect(shots.first).to_be_visible()
        sources = [shots.nth(i).get_attribute("src") for i in range(shots.count())]
        assert len(sources) >= 2 and re.search(r"/files/picture-1-v1\.png$", sources[0]), sources
        assert re.search(r"/files/picture_2-1-v1\.png$", sources[1]), sources
        expect(page.locator('.scene[data-scene="1"] img.scene-picture')).to_be_hidden()
        expect(page.locator('.scene[data-scene="1"] .prompt-line')).to_be_hidden()  # shot 1's, shown with it
        expect(page.locator('.scene[data-scene="1"] img:visible[src$="/picture-1-v1.png"]')).to_have_count(1)

    page.get_by_role("link", name="Галерея").click()
    card = page.locator(".card", has_text="Лиса и журавль")
    expect(card).to_be_visible()
    expect(card).to_contain_text("vasilisa")
    expect(card.locator("img.poster")).to_be_visible()


def test_the_owner_redraws_one_scene_and_brings_the_old_picture_back(live_site, page, tmp_path):
    sign_up(page, "ivan", "Tsarevich-Ivan-42", site=live_site)
    submit_tale(page, "Гуси-лебеди")
    video = page.locator("video#video")
    expect(video).to_have_attribute("src", re.compile(r"video-v1\.mp4$"), timeout=400_000)
    scene = page.locator('.scene[data-scene="2"]')
    expect(scene.locator("img.scene-picture")).to_have_attribute("src", re.compile(r"picture-2-v1\.png$"),
                                                                  timeout=15_000)
    first_picture = scene.locator("img.scene-picture").get_attribute("src")

    scene.get_by_text("Перерисовать картинку").click()
    scene.get_by_label("Что нарисовать", exact=True).fill("Ночью в тёмном лесу выл серый волк")
    scene.get_by_role("button", name="Перерисовать сцену 2").click()
    expect(page.get_by_text("Переделываю.")).to_be_visible()
    # the old film stays playable while the new one is made, and the progress is live
    expect(video).to_have_attribute("src", re.compile(r"video-v1\.mp4$"))
    expect(video).to_have_attribute("src", re.compile(r"video-v2\.mp4$"), timeout=200_000)
    scene = page.locator('.scene[data-scene="2"]')
    expect(scene.locator("img.scene-picture")).to_have_attribute("src", re.compile(r"picture-2-v2\.png$"),
                                                                  timeout=15_000)
    expect(scene.locator(".prompt")).to_have_text("Ночью в тёмном лесу выл серый волк")
    expect(page.locator('.scene[data-scene="1"] img.scene-picture')).to_have_attribute(
        "src", re.compile(r"picture-1-v1\.png$"))
    page.screenshot(path=str(tmp_path / "redrawn.png"), full_page=True)

    scene.get_by_role("button", name="Вернуть версию 1").click()
    expect(video).to_have_attribute("src", re.compile(r"video-v3\.mp4$"), timeout=200_000)
    expect(page.locator('.scene[data-scene="2"] img.scene-picture')).to_have_attribute(
        "src", first_picture, timeout=15_000)
