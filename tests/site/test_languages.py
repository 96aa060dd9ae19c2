"""A tale's language and its further subtitle languages: asked for on the new-tale form, shown on its page, in the
gallery and on "my tales"; the film's subtitle tracks in the player (served to those who may see the tale, as
WebVTT); the film made again with another language burned in, or none."""

from __future__ import annotations

import re

import pytest
from django_q.models import OrmQ

from fairytales.pipeline import languages
from fairytales.pipeline.types import Cue
from fairytales.pipeline.video.webvtt import write_vtt
from fairytales.tales.models import Artifact, Tale

pytestmark = pytest.mark.django_db

VALID = {"title": "Колобок", "genre": "сказка", "scene_count": "3", "is_public": "on"}
CUES = {"ru": "Жили-были старик со старухой.", "en": "Once upon a time there lived an old man and an old woman.",
        "uk": "Жили-були дід та баба."}


def filmed(tale, codes=("ru", "en", "uk"), burned="", version=1) -> Artifact:
    """Give ``tale`` a current film whose subtitle tracks are real WebVTT files, one per language in ``codes``
    (the tale's own first), as the video stage leaves them."""
    tale.folder.mkdir(parents=True, exist_ok=True)
    folder = f"tales/{tale.pk.hex}"
    files = {"video": f"{folder}/video-v{version}.mp4", "poster": f"{folder}/poster-v{version}.jpg"}
    (tale.folder / f"video-v{version}.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (tale.folder / f"poster-v{version}.jpg").write_bytes(b"\xff\xd8\xff")
    for code in codes:
        name = f"subtitles.{code}-v{version}.vtt"
        write_vtt([Cue(start=1.0, end=4.0, text=CUES[code])], tale.folder / name, code)
        files[f"vtt_{code}"] = f"{folder}/{name}"
    tale.artifacts.filter(stage="video").update(is_current=False)
    video = Artifact.objects.create(tale=tale, stage="video", version=version, backend="ffmpeg", files=files,
                                    meta={"duration": 12.0, "subtitles": list(codes), "burned": burned})
    Tale.objects.filter(pk=tale.pk).update(duration=12.0)
    return video


def tracks_in(page: str) -> list[dict]:
    """The ``<track>`` elements of the page's player, each as its attributes."""
    player = re.search(r'<video id="video".*?</video>', page, re.S)[0]
    found = []
    for tag in re.findall(r"<track\b[^>]*>", player):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        attributes["default"] = bool(re.search(r"\sdefault\b", tag))
        found.append(attributes)
    return found


# the new-tale form

def test_the_form_offers_each_language_by_its_own_name(owner_client):
    page = owner_client.get("/tales/new/").content.decode()
    assert "Язык сказки" in page and "Субтитры на других языках" in page
    select = re.search(r'<select name="language".*?</select>', page, re.S)[0]
    assert re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', select) == [
        ("ru", "Русский"), ("en", "English"), ("uk", "Українська")]
    assert re.search(r'<option value="ru"[^>]*selected', select)  # Russian unless asked otherwise
    for code, name in languages.NAMES.items():
        box = rf'<input type="checkbox" name="subtitles" value="{code}"[^>]*>'
        assert re.search(rf'<label lang="{code}">{box} {name}</label>', page)


def test_a_tale_is_made_in_its_language_with_subtitles_in_others(owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/tales/new/", {**VALID, "language": "en", "subtitles": ["uk", "ru"]})
    tale = Tale.objects.get()
    assert response.status_code == 302 and response.url == tale.get_absolute_url()
    assert (tale.language, tale.subtitles, tale.genre) == ("en", ["uk", "ru"], "сказка")
    assert OrmQ.objects.count() == 1


def test_the_tales_own_language_ticked_again_is_dropped(owner_client):
    owner_client.post("/tales/new/", {**VALID, "language": "uk", "subtitles": ["uk", "en", "en"]})
    assert Tale.objects.values_list("language", "subtitles").get() == ("uk", ["en"])


def test_a_form_that_names_no_language_makes_a_russian_tale_without_further_subtitles(owner_client):
    owner_client.post("/tales/new/", VALID)
    assert Tale.objects.values_list("language", "subtitles").get() == ("ru", [])


@pytest.mark.parametrize("change, message", [
    ({"subtitles": ["en", "de"]}, "Субтитров на языке «de» нет: выберите язык из списка."),
    ({"language": "de"}, "Выберите язык сказки из списка."),
])
def test_an_unknown_language_is_an_error_and_nothing_is_made(owner_client, change, message):
    response = owner_client.post("/tales/new/", {**VALID, **change})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Tale.objects.exists() and not OrmQ.objects.exists()


def test_the_error_is_in_the_readers_language(owner_client):
    owner_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = owner_client.post("/tales/new/", {**VALID, "subtitles": ["xx"]}).content.decode()
    assert "There are no subtitles in “xx”: choose a language from the list." in page
    assert "Subtitles in other languages" in page and "Tale&#x27;s language" in page


# where a tale's language shows

def test_the_language_shows_on_the_page_in_the_gallery_and_on_my_tales(owner_client, make_tale):
    tale = make_tale(title="The Gingerbread Man", language="en", status="done", subtitles=["ru"])
    filmed(tale, codes=("en", "ru"))
    badge = '<span class="language-badge" title="Язык сказки"><span lang="en">English</span></span>'
    for path in (tale.get_absolute_url(), "/", "/tales/mine/"):
        page = owner_client.get(path).content.decode()
        assert badge in page, path


# the player's subtitle tracks

def test_the_player_has_a_track_per_language_the_own_one_default_when_none_is_burned(client, make_tale):
    tale = make_tale(status="done", subtitles=["en", "uk"])
    video = filmed(tale)
    tracks = tracks_in(client.get(tale.get_absolute_url()).content.decode())
    assert [(t["kind"], t["srclang"], t["label"], t["default"]) for t in tracks] == [
        ("subtitles", "ru", "Русский", True), ("subtitles", "en", "English", False),
        ("subtitles", "uk", "Українська", False)]
    assert [t["src"] for t in tracks] == [video.url(f"vtt_{code}") for code in ("ru", "en", "uk")]


def test_the_language_burned_into_the_picture_is_no_default_track(client, make_tale):
    tale = make_tale(status="done", subtitles=["en"])
    filmed(tale, codes=("ru", "en"), burned="ru")
    tracks = tracks_in(client.get(tale.get_absolute_url()).content.decode())
    assert [(t["srclang"], t["default"]) for t in tracks] == [("ru", False), ("en", False)]


def test_a_film_without_subtitle_files_has_no_tracks(client, make_tale):
    tale = make_tale(status="done")
    filmed(tale, codes=())  # as every film made before languages existed
    page = client.get(tale.get_absolute_url()).content.decode()
    assert '<video id="video"' in page and "<track" not in page


def test_a_track_is_served_as_webvtt_to_those_who_may_see_the_tale(client, owner, stranger, make_tale):
    tale = make_tale(status="done", is_public=False, subtitles=["en"])
    video = filmed(tale, codes=("ru", "en"))
    url = video.url("vtt_en")
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vtt")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("WEBVTT") and "00:00:01.000 --> 00:00:04.000\n" + CUES["en"] in body
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_the_live_snapshot_carries_the_tracks(make_tale):
    from fairytales.tales.snapshot import localize, snapshot

    tale = make_tale(status="done", subtitles=["uk"])
    video = filmed(tale, codes=("ru", "uk"), burned="uk")
    state = localize(snapshot(tale))["tale"]
    assert state["video_url"] == video.url("video")
    assert state["tracks"] == [
        {"srclang": "ru", "label": "Русский", "url": video.url("vtt_ru"), "default": False},
        {"srclang": "uk", "label": "Українська", "url": video.url("vtt_uk"), "default": False}]


# the film again with another language burned in

def test_the_owner_is_offered_each_language_of_the_film_and_none_to_burn_in(owner_client, make_tale):
    tale = make_tale(status="done", subtitles=["en"])
    filmed(tale, codes=("ru", "en"), burned="en")
    page = owner_client.get(tale.get_absolute_url()).content.decode()
    form = re.search(r'<form[^>]*id="burn-form".*?</form>', page, re.S)[0]
    assert 'name="stage" value="video"' in form and "Субтитры в кадре" in form
    assert re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', form) == [
        ("ru", "Русский"), ("en", "English"), ("none", "без субтитров")]
    assert re.search(r'<option value="en"[^>]*selected', form)  # what the film has now
    assert "Скачать фильм" in page  # the download link stays


@pytest.mark.parametrize("burn", ["uk", "none"])
def test_it_queues_the_film_again_with_a_language_burned_in_or_none(owner_client, make_tale, burn,
                                                                     django_capture_on_commit_callbacks):
    tale = make_tale(status="done", subtitles=["uk"])
    filmed(tale, codes=("ru", "uk"), burned="ru")  # the tale's own in the picture: either is a change
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "video", "burn": burn}, follow=True)
    assert "Переделываю." in response.content.decode()
    tale.refresh_from_db()
    assert tale.run_queue == [[{"stage": "video", "options": {"burn": burn}}]]
    assert OrmQ.objects.count() == 1


@pytest.mark.parametrize("burn, message", [
    ("en", "В этой сказке нет субтитров на языке «English»."),
    ("de", "Такого языка субтитров нет."),
])
def test_a_language_the_film_has_no_subtitles_in_is_refused(owner_client, make_tale, burn, message):
    tale = make_tale(status="done", subtitles=["uk"])
    filmed(tale, codes=("ru", "uk"))
    response = owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "video", "burn": burn}, follow=True)
    assert message in response.content.decode()
    tale.refresh_from_db()
    assert tale.run_queue == [] and not OrmQ.objects.exists()


def test_burning_in_is_for_the_owner_only(client, stranger, make_tale):
    tale = make_tale(status="done", subtitles=["uk"])
    filmed(tale, codes=("ru", "uk"))
    client.force_login(stranger)
    assert client.post(f"/tales/{tale.pk}/redo/", {"stage": "video", "burn": "none"}).status_code == 403
    tale.refresh_from_db()
    assert tale.run_queue == []


def test_the_narration_redo_offers_the_voices_that_speak_the_tales_language(owner_client, make_tale):
    tale = make_tale(status="done", language="uk")
    filmed(tale, codes=("uk",))
    narrator = tale.narrator()
    page = owner_client.get(tale.get_absolute_url()).content.decode()
    offered = set(re.findall(r'<select name="voice">(.*?)</select>', page, re.S))
    assert len(offered) == 1  # every scene's form and the whole tale's offer the same voices
    ids = re.findall(r'<option value="([^"]+)"', offered.pop())
    assert ids and set(ids) == set(narrator.voices_in("uk")) and not set(ids) & set(narrator.voices_in("ru"))


# the tale's fields reach the pipeline

@pytest.mark.slow
def test_an_english_tale_with_russian_subtitles_is_made_so(make_tale):
    """The worker's run asks the pipeline for the tale's language and its further subtitle languages: the
    story comes out in English, and the film carries an English and a Russian track (English first)."""
    from fairytales.tales import tasks

    tale = make_tale(title="The Gingerbread Man", language="en", subtitles=["ru"], scene_count=3)
    tasks.start(tale)
    assert tasks.make_tale(str(tale.pk)) == Tale.Status.DONE
    tale.refresh_from_db()
    story = tale.story_text()
    assert re.search(r"[A-Za-z]{3,}", story) and not re.search(r"[\u0400-\u04ff]", story), story[:200]
    video = tale.video
    assert video.meta["subtitles"] == ["en", "ru"]
    assert [track["srclang"] for track in tale.subtitle_tracks()] == ["en", "ru"]
    english, russian = (video.path(f"vtt_{code}").read_text("utf-8") for code in ("en", "ru"))
    assert english.startswith("WEBVTT") and russian.startswith("WEBVTT")
    assert re.search(r"[\u0400-\u04ff]", russian) and not re.search(r"[\u0400-\u04ff]", english)
