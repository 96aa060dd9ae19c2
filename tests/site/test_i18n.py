"""The interface in both languages: every page rendered for an English and a Russian browser shows no word of
the other language (a check over the rendered HTML, not a list of strings), the switcher changes the language,
progress notes from the pipeline are translated where they are shown, and the catalogs are complete."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from fairytales.pipeline import failures, genres, languages, registry, stages
from fairytales.pipeline.backend import BackendUnavailable
from fairytales.pipeline.music.moods import MOOD_LABELS, MOODS
from fairytales.pipeline.notes import Note
from fairytales.pipeline.story.template.packs import shared
from fairytales.pipeline.video import FORMAT_LABELS
from fairytales.pipeline.video.joins import JOIN_LABELS
from fairytales.tales import catalog, i18n

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"(?:[\u0400-\u04ff]|\\u04[0-9a-f]{2})+", re.I)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# The one word of another language any page may show: a language's name in itself (the language switcher, a
# tale's language, the new-tale form's languages, a subtitle track's label) — exactly these, nothing else.
OWN_NAMES = frozenset(languages.NAMES.values())
# Names that stay as they are on a Russian page: formats, models and tools.
PROPER_NAMES = {
    "PNG", "JPEG", "WebP", "RHVoice", "espeak-ng", "espeak", "ng", "JamSpell", "pymorphy", "VQGAN", "CLIP",
    "MusicGen", "Music", "Transformer", "ffmpeg", "CRF", "Silero", "silero", "stress", "guidance", "px", "ruGPT",
    "rugpt", "diffusers", "Stable", "Diffusion", "GPT", "Full", "HD",
}
# What a user wrote (titles, names, the story) is theirs, in whatever language: the Russian pages strip it.
LATIN_CONTENT = {"title": "The Gingerbread Man", "story": "Once upon a time.\n\nAnd they lived long.",
                 "scene": "Once upon a time.", "prompt": "A bun in the forest", "user": "alice"}


class Visible(HTMLParser):
    """The words a reader meets: text, and the attributes that are read out or shown (alt, title, placeholder,
    aria-label, data-confirm); with ``scripts``, what scripts carry too (the embedded snapshot). An element
    marked as another language (``lang="ru"`` on the switcher's «Русский» in an English page) is skipped."""

    SHOWN = {"alt", "title", "placeholder", "aria-label", "data-confirm"}

    def __init__(self, scripts: bool = False):
        super().__init__()
        self.parts, self.scripts, self.language = [], scripts, None
        self._script, self._foreign = 0, []  # the foreign element's tag while inside it

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.language = attrs.get("lang")
            return
        if self._foreign:
            self._foreign.append(tag) if tag == self._foreign[0] else None
            return
        if attrs.get("lang") and attrs["lang"] != self.language:
            self._foreign = [tag]
            return
        if tag in ("script", "style"):
            self._script += 1
        self.parts += [value for name, value in attrs.items() if name in self.SHOWN and value]

    def handle_endtag(self, tag):
        if self._foreign:
            if tag == self._foreign[0]:
                self._foreign.pop()
            return
        if tag in ("script", "style"):
            self._script -= 1

    def handle_data(self, data):
        if not self._foreign and (self.scripts or not self._script):
            self.parts.append(data)


def visible_text(html: str, scripts: bool = False) -> str:
    parser = Visible(scripts)
    parser.feed(html)
    return " ".join(parser.parts)


def unescaped(word: str) -> str:
    """A word as JSON's ``\\uXXXX`` escapes (the embedded snapshot) spell it, as it reads."""
    return re.sub(r"\\u([0-9a-f]{4})", lambda match: chr(int(match[1], 16)), word, flags=re.I)


def russian_in(html: str) -> list[str]:
    """Russian words anywhere a reader meets them, the page's scripts (the embedded snapshot) included."""
    return sorted({word for word in CYRILLIC.findall(visible_text(html, scripts=True))
                   if unescaped(word) not in OWN_NAMES})


def english_in(html: str, user_content: tuple[str, ...] = ()) -> list[str]:
    text = visible_text(html)
    for content in user_content:
        text = text.replace(content, " ")
    return sorted({word for word in LATIN_WORD.findall(text) if word not in PROPER_NAMES | OWN_NAMES})


@pytest.fixture
def latin_tale(make_tale, with_file, settings):
    """A finished tale with a film, a story, one scene and two versions of its picture (so every section and
    form of the page shows), written by its user in English."""
    from fairytales.tales.models import Artifact

    def make(**fields):
        fields.setdefault("title", LATIN_CONTENT["title"])
        tale = make_tale(**fields)
        tale.folder.mkdir(parents=True, exist_ok=True)
        for name in ("video-v1.mp4", "poster-v1.jpg", *(f"subtitles.{code}-v1.vtt" for code in languages.CODES)):
            (tale.folder / name).write_bytes(b"x")
        # a film with a subtitle track in every language (their labels are the languages' own names)
        tracks = {f"vtt_{code}": f"tales/{tale.pk.hex}/subtitles.{code}-v1.vtt" for code in languages.CODES}
        Artifact.objects.create(tale=tale, stage="video", version=1, backend="ffmpeg",
                                meta={"duration": 64.0, "subtitles": list(languages.CODES), "burned": ""},
                                files={"video": f"tales/{tale.pk.hex}/video-v1.mp4",
                                       "poster": f"tales/{tale.pk.hex}/poster-v1.jpg", **tracks})
        with_file(tale, "proofread", "text", "proofread-v1.txt", LATIN_CONTENT["story"].encode())
        scenes = [{"index": 1, "text": LATIN_CONTENT["scene"], "prompt": LATIN_CONTENT["prompt"], "lines": []}]
        with_file(tale, "scenes", "scenes", "scenes-v1.json", json.dumps(scenes).encode(), count=1)
        with_file(tale, "illustration", "picture", "picture-1-v1.png", b"png", scene=1, version=1)
        tale.artifacts.filter(stage="illustration").update(is_current=False)
        with_file(tale, "illustration", "picture", "picture-1-v2.png", b"png", scene=1, version=2,
                  prompt=LATIN_CONTENT["prompt"])
        return tale

    return make


def every_page(client, owner, stranger, make_tale, latin_tale) -> dict[str, str]:
    """Every page a reader can reach, in the language ``client`` asks for, keyed by what it is."""
    from fairytales.tales.models import Tale

    done = latin_tale(status="done", duration=64.0, subtitles=["en", "uk"])
    running = make_tale(title=LATIN_CONTENT["title"], status="running", genre="фэнтези")
    running.stage_runs.create(stage="story", status="done", fraction=1.0, message="Готово", note={"code": "Готово"})
    note = Note("Сцена {scene} из {scenes}: {inner}", scene=2, scenes=6,
                inner=Note("Озвучено фраз: {done} из {total}", done=3, total=7))
    running.stage_runs.create(stage="narration", status="running", fraction=0.3, message=note, note=note.to_dict())
    explained = failures.explain(BackendUnavailable("no weights"), "music")
    failed = make_tale(title=LATIN_CONTENT["title"], status="failed", error=explained.public,
                       error_note=explained.public.to_dict(), error_detail="no weights")
    failed.stage_runs.create(stage="music", status="failed", error=explained.public,
                             error_note=explained.public.to_dict(), detail="no weights")
    poisoned = make_tale(title=LATIN_CONTENT["title"], status="failed",
                         error="Что-то пошло не так на сервере. Попробуйте ещё раз.")
    cancelled = make_tale(title=LATIN_CONTENT["title"], status="cancelled", is_public=False)
    for _ in range(12):  # a second page of the gallery
        Tale.objects.create(owner=owner, title=LATIN_CONTENT["title"], status="done", duration=10.0)
    pages = {}
    get = lambda path, **kw: client.get(path, **kw).content.decode()  # noqa: E731
    pages["gallery (guest)"] = get("/")
    pages["log-in"] = get("/accounts/login/")
    pages["log-in, wrong password"] = client.post("/accounts/login/", {"username": "alice", "password": "no"}
                                                  ).content.decode()
    pages["sign-up"] = get("/accounts/signup/")
    pages["sign-up, errors"] = client.post("/accounts/signup/", {"username": "", "password1": "1",
                                                                 "password2": "2"}).content.decode()
    pages["tale, as a guest"] = get(done.get_absolute_url())
    pages["not found"] = client.get("/tales/00000000-0000-0000-0000-000000000000/").content.decode()
    client.force_login(owner)
    pages["gallery"] = get("/")
    pages["gallery, page 2"] = get("/?page=2")
    pages["new tale"] = get("/tales/new/")
    pages["new tale, errors"] = client.post("/tales/new/", {"title": "", "genre": "nope", "scene_count": 99}
                                            ).content.decode()
    pages["my tales"] = get("/tales/mine/")
    pages["tale, done"] = get(done.get_absolute_url())
    pages["tale, running"] = get(running.get_absolute_url())
    pages["tale, failed"] = get(failed.get_absolute_url())
    pages["tale, failed on the server"] = get(poisoned.get_absolute_url())
    pages["tale, cancelled"] = get(cancelled.get_absolute_url())
    pages["redo refused"] = client.post(f"/tales/{done.pk}/redo/", {"stage": "scenes", "scene": 5, "text": "x"},
                                        follow=True).content.decode()
    pages["redo queued"] = client.post(f"/tales/{done.pk}/redo/", {"stage": "music"}, follow=True).content.decode()
    pages["an action opened as a page"] = client.get(f"/tales/{done.pk}/delete/").content.decode()
    client.force_login(stranger)
    pages["forbidden"] = client.post(f"/tales/{done.pk}/retry/").content.decode()
    return pages


def test_every_page_in_english_has_no_russian(client, owner, stranger, make_tale, latin_tale):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    pages = every_page(client, owner, stranger, make_tale, latin_tale)
    found = {name: russian_in(html) for name, html in pages.items() if russian_in(html)}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    assert all('<html lang="en">' in html for html in pages.values() if html)
    assert "Log in" in pages["log-in"] and "Scene 2 of 6: Phrases narrated: 3 of 7" in pages["tale, running"]
    assert "Stage “Music”: its model is not available" in pages["tale, failed"]
    assert "Something went wrong on the server" in pages["tale, failed on the server"]


def test_every_page_in_russian_has_no_english(client, owner, stranger, make_tale, latin_tale):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru-RU,ru;q=0.9"
    pages = every_page(client, owner, stranger, make_tale, latin_tale)
    # what users wrote, and the hub ids of the story models offered (names, not words)
    mine = (*LATIN_CONTENT["story"].split("\n\n"), *LATIN_CONTENT.values(), "bob", "no weights",
            *settings.STORY_MODELS)
    found = {name: english_in(html, mine) for name, html in pages.items() if english_in(html, mine)}
    assert not found, found
    assert all('<html lang="ru">' in html for html in pages.values() if html)
    assert "Сцена 2 из 6: Озвучено фраз: 3 из 7" in pages["tale, running"]


def test_a_browser_with_no_preference_gets_russian(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="ru">' in page and "<h1>Вход</h1>" in page


def test_the_switcher_changes_the_language_and_returns_to_the_page(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    page = client.get("/accounts/login/").content.decode()
    assert re.search(r'<form method="post" action="/i18n/setlang/"', page)
    assert 'name="language" value="en"' in page and 'name="next" value="/accounts/login/"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page and "<h1>Log in</h1>" in page and 'value="ru"' in page
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert "<h1>Вход</h1>" in client.get("/accounts/login/").content.decode()


def test_a_progress_note_is_translated_where_it_is_shown():
    note = Note("Музыка: сочинено {done:.0f} из {total:.0f} с", done=12.4, total=60)
    stored = json.loads(json.dumps(note.to_dict()))  # as the database keeps it
    assert str(note) == "Музыка: сочинено 12 из 60 с"  # the pipeline's own words, for logs and the command line
    with translation.override("en"):
        assert i18n.translate(stored) == "Music: composed 12 of 60 s"
        assert i18n.localized("Готово") == "Done"
    with translation.override("ru"):
        assert i18n.translate(stored) == "Музыка: сочинено 12 из 60 с"


def test_the_websocket_speaks_the_pages_language(make_tale):
    from fairytales.tales.snapshot import localize

    note = Note("Монтаж: {percent}%", percent=40)
    payload = {"type": "stage", "stage": "video", "label": "Видео", "status": "running", "status_label": "Идёт",
               "fraction": 0.4, "message": str(note), "note": note.to_dict(), "error": "", "error_note": {}}
    with translation.override("en"):
        sent = localize(payload)
    assert sent == {"type": "stage", "stage": "video", "label": "Video", "status": "running",
                    "status_label": "Running", "fraction": 0.4, "message": "Editing: 40%", "error": ""}


def test_every_label_from_the_pipeline_is_in_the_catalog():
    """Stage, genre and mood names, the story template's progress, backends', options' and voices' labels: a
    new one must be added to tales/catalog.py (and translated), or an English page would show Russian."""
    shown = {*stages.LABELS.values(), *(name.capitalize() for name in genres.NAMES), *MOOD_LABELS.values(),
             *(mood.description for mood in MOODS.values()), *shared().progress.values(), *FORMAT_LABELS.values(),
             *JOIN_LABELS.values()}
    for stage, names in registry.BACKENDS.items():
        for name in names:
            cls = registry.backend_class(stage, name)
            shown |= {cls.label, *(option.label for option in cls.declared_options),
                      *(getattr(cls, "voices", None) or {}).values()}
    missing = {text for text in shown if text and CYRILLIC.search(text) and text not in catalog.STRINGS}
    assert not missing, sorted(missing)
    with translation.override("en"):
        untranslated = {text for text in catalog.STRINGS if CYRILLIC.search(translation.gettext(text))}
    assert not untranslated, sorted(untranslated)


def po_entries(path: Path) -> list[tuple[str, list[str]]]:
    """(msgid, its msgstrs) of every entry of a .po file but the header."""
    entries = []
    for block in path.read_text("utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match[1]
                fields[current] = match[2]
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            entries.append((fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")]))
    return entries


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_catalogs_are_complete_and_compiled(language):
    po = Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"
    entries = po_entries(po)
    assert len(entries) > 250
    assert not [msgid for msgid, strs in entries if not strs or not all(strs)], "untranslated entries"
    assert "#, fuzzy" not in po.read_text("utf-8")
    if language == "ru":
        assert all(strs[0] == msgid for msgid, strs in entries)  # the msgids are the Russian texts
    else:
        assert not [msgid for msgid, strs in entries if any(CYRILLIC.search(s) for s in strs)]
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        f"{mo} is missing or older than its .po: `make install` (manage.py compilemessages) builds it")


def test_the_favicon_is_linked_and_served(client):
    from django.contrib.staticfiles import finders

    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"


@pytest.mark.django_db(transaction=True)
def test_a_watcher_of_an_english_page_gets_english_over_the_websocket(make_tale):
    """The page names its language in the websocket's address; the snapshot and every update the worker
    broadcasts (in Russian, with its notes) reach that watcher in English."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from channels.testing import WebsocketCommunicator

    from fairytales.asgi import application

    tale = make_tale(status="running")
    tale.stage_runs.create(stage="story", status="running", fraction=0.5, message="Придумываю сюжет",
                           note={"code": "Придумываю сюжет"})
    note = Note("Озвучено фраз: {done} из {total}", done=1, total=4)

    async def watch(language):
        communicator = WebsocketCommunicator(application, f"/ws/tales/{tale.pk}/?lang={language}",
                                             headers=[(b"origin", b"http://localhost")])
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_json_from(timeout=5)
        await get_channel_layer().group_send(tale.group_name, {"type": "tale.event", "payload": {
            "type": "stage", "stage": "narration", "label": "Озвучка", "status": "running", "status_label": "Идёт",
            "fraction": 0.25, "message": str(note), "note": note.to_dict(), "error": "", "error_note": {}}})
        second = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return first, second

    snapshot, update = async_to_sync(watch)("en")
    story = snapshot["stages"][0]
    assert (story["label"], story["status_label"], story["message"]) == ("Story", "Running", "Planning the plot")
    assert snapshot["tale"]["status_label"] == "Being made"
    assert (update["label"], update["status_label"], update["message"]) == ("Narration", "Running",
                                                                           "Phrases narrated: 1 of 4")
    assert "note" not in update and not russian_in(json.dumps(snapshot, ensure_ascii=False))
    snapshot, update = async_to_sync(watch)("ru")
    assert snapshot["stages"][0]["message"] == "Придумываю сюжет" and update["message"] == "Озвучено фраз: 1 из 4"


def test_the_only_foreign_words_allowed_are_the_languages_own_names():
    """A language's name in itself passes on any page, as text or as the snapshot's JSON escapes; any other
    word of the other language does not, even beside one."""
    snapshot = json.dumps({"label": "Українська"})  # ASCII escapes, as json_script writes them
    assert russian_in(f'<html lang="en"><p>Русский, Українська</p><script>{snapshot}</script></html>') == []
    assert russian_in('<html lang="en"><p>Русский язык</p></html>') == ["язык"]
    assert english_in('<html lang="ru"><p>English</p></html>') == []
    assert english_in('<html lang="ru"><p>English subtitles</p></html>') == ["subtitles"]
