"""Odd redo input gets a clear message and queues nothing: a backend for a stage that has none, text made of
invisible characters only."""

import pytest

from tests.site.test_redo import finished, post  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("data", "message"), [
    ({"stage": "scenes", "scene": "1", "text": "Новый текст", "backend": "storybook"}, "Эта модель здесь недоступна."),
    ({"stage": "illustration", "scene": "1", "backend": "watercolour"}, "Эта модель здесь недоступна."),
    ({"stage": "scenes", "scene": "2", "text": "\u200b\u200d\u2060 \u202e\ufeff"}, "Текст сцены не может быть пустым."),
    ({"stage": "music", "seed": "99999999999"}, "Зерно — не больше 2147483647."),  # says which field
])
def test_odd_input_is_told_and_nothing_is_queued(owner_client, finished, data, message):  # noqa: F811
    response = post(owner_client, finished, **data)
    assert response.status_code == 200 and message in response.content.decode()
    finished.refresh_from_db()
    assert finished.run_queue == [] and finished.status == "done"


def test_scene_edits_that_would_make_the_tale_too_long_to_narrate_are_refused(owner_client, finished):  # noqa: F811
    from fairytales.pipeline import limits

    too_long = "Жила-была лиса. " * (limits.MAX_SCENE_CHARS // 16 + 1)
    response = post(owner_client, finished, stage="scenes", scene="1", text=too_long)
    assert "Сцена длиннее" in response.content.decode()
    finished.refresh_from_db()
    assert finished.run_queue == []


def test_a_refused_scene_text_waits_in_its_form_to_be_corrected(owner_client, finished):  # noqa: F811
    from fairytales.pipeline import limits

    too_long = "Жила-была лиса у самого синего моря. " * (limits.MAX_SCENE_CHARS // 36 + 1)
    page = post(owner_client, finished, stage="scenes", scene="2", text=too_long).content.decode()
    assert 'class="notice error" role="alert"' in page  # told as a failure, not as news
    opened = page.index('<details class="edit" open>')
    assert opened < page.index('id="text-2"') < opened + 1000  # its form open…
    assert f'data-draft>{too_long.strip()}</textarea>' in page  # …with the words typed
    assert 'id="text-1" name="text" rows="8" data-fill="text">Сцена 1.<' in page  # the others as they are
    again = owner_client.get(f"/tales/{finished.pk}/").content.decode()
    assert too_long.strip() not in again  # once: a later visit shows the scene as it is


def test_a_voice_that_does_not_read_the_tales_language_is_refused(owner_client, finished):  # noqa: F811
    narrator = finished.narrator()
    foreign = next(voice for voice in narrator.voices if voice not in narrator.voices_in(finished.language))
    response = post(owner_client, finished, stage="narration", voice=foreign)
    assert "Этот голос не читает на языке сказки." in response.content.decode()
    finished.refresh_from_db()
    assert finished.run_queue == [] and finished.status == "done"
