"""A Russian tale with English and Ukrainian subtitles, in Chromium: the film arrives live with three subtitle
tracks, and switching the player to English, then to Ukrainian, shows that language's cue inside scene 1."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_up, submit_tale

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


# The cue a track shows at ``time``: the track turned on alone ('showing', the others off), its cues loaded,
# the player moved there; the text of its active cue (or null while none is).
SHOW_AT = """async ([language, time]) => {
    const video = document.getElementById('video');
    const tracks = [...video.textTracks];
    for (const track of tracks) track.mode = track.language === language ? 'showing' : 'disabled';
    const track = tracks.find((t) => t.language === language);
    for (let i = 0; i < 200 && !(track.cues && track.cues.length); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((resolve) => { video.onseeked = resolve; video.currentTime = time; });
    for (let i = 0; i < 100 && !(track.activeCues && track.activeCues.length); i++) {
        await new Promise((r) => setTimeout(r, 50));
    }
    return track.activeCues && track.activeCues.length ? track.activeCues[0].text : null;
}"""

# A moment inside scene 1: the middle of the first cue of the tale's own track (the narration of scene 1).
SCENE_ONE = """async () => {
    const video = document.getElementById('video');
    const own = [...video.textTracks].find((t) => t.language === 'ru');
    if (own.mode === 'disabled') own.mode = 'hidden';
    for (let i = 0; i < 200 && !(own.cues && own.cues.length); i++) await new Promise((r) => setTimeout(r, 50));
    const first = own.cues[0];
    return {time: (first.startTime + first.endTime) / 2, text: first.text};
}"""


def test_a_russian_tale_plays_with_english_and_ukrainian_subtitle_tracks(live_site, page, tmp_path):
    sign_up(page, "yaroslavna", "Plach-Yaroslavny-1185", site=live_site)
    page.get_by_label("Язык сказки").select_option("ru")
    expect(page.get_by_label("Русский", exact=True)).to_be_hidden()  # the own language is not offered twice
    submit_tale(page, "Колобок", subtitles=("English", "Українська"))
    expect(page.locator(".meta .language-badge")).to_have_text("Русский")

    # the film and its tracks arrive over the websocket, without a reload
    page.evaluate("window.__notReloaded = true")
    expect(page.locator("video#video")).to_be_visible(timeout=600_000)
    expect(page.locator("#tale-status")).to_have_text("Готова", timeout=60_000)
    assert page.evaluate("window.__notReloaded") is True

    for live in (True, False):  # as the websocket brought them, then as the page itself has them
        tracks = page.evaluate("""() => [...document.querySelectorAll('#video track')].map(
            (t) => ({kind: t.kind, srclang: t.srclang, label: t.label, src: t.getAttribute('src')}))""")
        assert [(t["kind"], t["srclang"], t["label"]) for t in tracks] == [
            ("subtitles", "ru", "Русский"), ("subtitles", "en", "English"), ("subtitles", "uk", "Українська")], live
        assert all(re.search(r"/tales/[0-9a-f-]{36}/files/[a-z0-9_.-]+\.vtt$", t["src"]) for t in tracks), tracks
        assert page.evaluate("document.getElementById('video').textTracks.length") == 3

        scene_one = page.evaluate(SCENE_ONE)
        assert CYRILLIC.search(scene_one["text"]), scene_one
        english = page.evaluate(SHOW_AT, ["en", scene_one["time"]])
        assert english and LATIN.search(english) and not CYRILLIC.search(english), (english, scene_one)
        ukrainian = page.evaluate(SHOW_AT, ["uk", scene_one["time"]])
        assert ukrainian and CYRILLIC.search(ukrainian) and ukrainian != scene_one["text"], (ukrainian, scene_one)
        showing = page.evaluate("[...document.getElementById('video').textTracks].filter("
                                "(t) => t.mode === 'showing').map((t) => t.language)")
        assert showing == ["uk"]
        page.screenshot(path=str(tmp_path / f"ukrainian-{'live' if live else 'loaded'}.png"))
        if live:
            page.reload()
            expect(page.locator("video#video")).to_be_visible()

    # the film again with no subtitles in the picture: the tale's own track is then the one shown by default
    first_film = page.locator("video#video").get_attribute("src")
    burn = page.locator("#burn-form")
    expect(burn.get_by_label("Субтитры в кадре")).to_have_value("ru")  # what the film has now
    burn.get_by_label("Субтитры в кадре").select_option("none")
    burn.get_by_role("button", name="Смонтировать с этими субтитрами").click()
    expect(page.get_by_text("Переделываю.")).to_be_visible()
    video = page.locator("video#video")
    expect(video).not_to_have_attribute("src", first_film, timeout=300_000)
    expect(page.locator("#tale-status")).to_have_text("Готова", timeout=60_000)
    defaults = page.evaluate("[...document.querySelectorAll('#video track')].filter((t) => t.default)"
                             ".map((t) => t.srclang)")
    assert defaults == ["ru"]
    expect(page.locator("#burn-form select")).to_have_value("none", timeout=15_000)  # the section refreshed
    page.screenshot(path=str(tmp_path / "none-burned.png"))
