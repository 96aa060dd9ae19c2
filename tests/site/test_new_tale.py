import pytest
from django_q.models import OrmQ

from fairytales.tales.models import StageRun, Tale

pytestmark = pytest.mark.django_db

VALID = {"title": "  Колобок   и   лиса ", "genre": "сказка", "scene_count": "6", "is_public": "on"}


def test_it_requires_login(client):
    response = client.get("/tales/new/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_offers_the_genres_and_a_default_of_six_scenes(owner_client):
    page = owner_client.get("/tales/new/").content.decode()
    for genre in ("сказка", "ужасы", "магический реализм", "романтика"):
        assert f'value="{genre}"' in page
    assert 'value="6"' in page


def test_it_creates_the_tale_and_queues_its_run(owner_client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/tales/new/", VALID)
    tale = Tale.objects.get()
    assert response.status_code == 302 and response.url == f"/tales/{tale.pk}/"
    assert (tale.title, tale.genre, tale.scene_count, tale.owner) == ("Колобок и лиса", "сказка", 6, owner)
    assert tale.status == Tale.Status.QUEUED and tale.seed > 0
    assert OrmQ.objects.count() == 1
    assert set(StageRun.objects.values_list("stage", flat=True)) == {
        "story", "proofread", "scenes", "cast", "translation", "narration", "illustration", "music", "video"}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"title": ""}, "Введите название сказки."),
        ({"title": "   \t  "}, "Введите название сказки."),
        ({"title": "\u202e\u200b"}, "Введите название сказки."),
        ({"title": "Я" * 81}, "Название не длиннее 80 символов."),
        ({"genre": "опера"}, "Выберите жанр из списка."),
        ({"scene_count": "2"}, "Не меньше 3 сцен."),
        ({"scene_count": "13"}, "Не больше 12 сцен."),
        ({"scene_count": "шесть"}, "Введите целое число."),
    ],
)
def test_bad_input_shows_a_message_and_creates_nothing(owner_client, change, message):
    response = owner_client.post("/tales/new/", {**VALID, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Tale.objects.exists() and not OrmQ.objects.exists()


def test_html_in_the_title_is_shown_as_text(owner_client):
    owner_client.post("/tales/new/", {**VALID, "title": "<script>alert(1)</script>"})
    tale = Tale.objects.get()
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_owner_chooses_the_narrators_voice(client, django_user_model, settings):
    from fairytales.tales.models import Tale

    client.force_login(django_user_model.objects.create_user("masha", password="Medved-i-Masha-1"))
    page = client.get("/tales/new/").content.decode()
    assert "Анна (женский)" in page and 'name="narration_rhvoice_narrator_voice"' in page
    response = client.post("/tales/new/", {"title": "Колобок", "genre": "сказка", "scene_count": "3",
                                           "narration_backend": "rhvoice",
                                           "narration_rhvoice_narrator_voice": "anna"})
    assert response.status_code == 302
    assert Tale.objects.get().choices.get("narration", {}).get("options") == {"narrator_voice": "anna"}


def test_a_voice_is_offered_for_the_languages_it_reads_and_refused_for_others(owner_client):
    page = owner_client.get("/tales/new/").content.decode()
    assert '<option value="anna" data-languages="ru">' in page
    assert '<option value="slt" data-languages="en">' in page
    response = owner_client.post("/tales/new/", {**VALID, "language": "en", "narration_backend": "rhvoice",
                                                 "narration_rhvoice_narrator_voice": "anna"})
    assert response.status_code == 200
    assert "Этот голос не читает на языке сказки." in response.content.decode()
    assert not Tale.objects.exists()
    response = owner_client.post("/tales/new/", {**VALID, "language": "en", "narration_backend": "rhvoice",
                                                 "narration_rhvoice_narrator_voice": "slt"})
    assert response.status_code == 302
    assert Tale.objects.get().choices["narration"]["options"] == {"narrator_voice": "slt"}


def test_the_owner_chooses_a_vertical_film_and_2048_pixel_stills(owner_client):
    page = owner_client.get("/tales/new/").content.decode()
    assert 'name="video_ffmpeg_format"' in page and "1080×1920" in page
    assert 'name="illustration_storybook_still"' in page
    response = owner_client.post("/tales/new/", {**VALID, "video_ffmpeg_format": "vertical",
                                                 "illustration_storybook_still": "2048"})
    assert response.status_code == 302
    choices = Tale.objects.get().choices
    assert choices["video"]["options"] == {"format": "vertical"}
    assert choices["illustration"]["options"] == {"still": 2048}
    response = owner_client.post("/tales/new/", {**VALID, "video_ffmpeg_format": "cinema"})
    assert response.status_code == 200 and Tale.objects.count() == 1
