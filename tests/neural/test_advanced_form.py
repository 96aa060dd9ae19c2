"""The submit form's "Дополнительно": only backends whose weights are here are offered, and a
participant's model and options reach the tale's record."""

import io

import pytest
from PIL import Image

from fairytales.tales.models import Tale
from tests.neural.test_story_lm import tiny_lm  # noqa: F401 - fixtures
from tests.neural.test_vqgan_clip import models as vqgan_models  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_client(client, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(django_user_model.objects.create_user("masha", password="Medved-i-Masha-1"))
    return client


def test_only_runnable_backends_are_offered(user_client, monkeypatch, tmp_path):
    monkeypatch.setenv("MODEL_ILLUSTRATION_VQGAN_CLIP", str(tmp_path / "nothing-here"))
    monkeypatch.setenv("MODEL_STORY_RUGPT3", str(tmp_path / "nothing-here"))
    page = user_client.get("/tales/new/").content.decode()
    assert 'value="storybook"' in page
    assert 'value="vqgan_clip"' not in page and 'value="rugpt3"' not in page


def test_a_participants_model_and_options_are_stored(user_client, monkeypatch, tiny_lm, vqgan_models, settings):  # noqa: F811
    monkeypatch.setenv("MODEL_ILLUSTRATION_VQGAN_CLIP", str(vqgan_models))
    settings.STORY_MODELS = [str(tiny_lm)]
    page = user_client.get("/tales/new/").content.decode()
    assert 'value="vqgan_clip"' in page and f'value="{tiny_lm}"' in page
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(picture, "PNG")
    picture.seek(0)
    picture.name = "../../etc/мой рисунок.png"
    response = user_client.post("/tales/new/", {
        "title": "Колобок", "genre": "сказка", "scene_count": "3",
        "story_backend": "rugpt3", "story_model": str(tiny_lm), "story_rugpt3_temperature": "0.7",
        "story_rugpt3_top_k": "20", "illustration_backend": "vqgan_clip", "illustration_vqgan_clip_iterations": "25",
        "illustration_vqgan_clip_size": "384x216", "illustration_vqgan_clip_init_image": picture,
    })
    assert response.status_code == 302, response.context["form"].errors
    tale = Tale.objects.get()
    assert tale.choices["story"] == {"backend": "rugpt3", "model": str(tiny_lm),
                                     "options": {"temperature": 0.7, "top_k": 20}}
    illustration = tale.choices["illustration"]
    assert illustration["backend"] == "vqgan_clip"
    assert illustration["options"]["iterations"] == 25 and illustration["options"]["size"] == [384, 216]
    init = illustration["options"]["init_image"]
    assert init == str(tale.folder / "init-image.png")  # our name, in the tale's folder
    assert Image.open(init).getpixel((5, 5)) == (200, 30, 30)


def picture_file(kind: str, size=(64, 64), mode="RGB") -> io.BytesIO:
    data = io.BytesIO()
    Image.new(mode, size, 1 if mode == "1" else (200, 30, 30)).save(data, kind)
    data.seek(0)
    return data


def truncated_jpeg() -> io.BytesIO:
    whole = picture_file("JPEG", (640, 480)).getvalue()
    return io.BytesIO(whole[: len(whole) * 2 // 3])


def decompression_bomb() -> io.BytesIO:
    """A few KB of 1-bit PNG that would be a 500 MB RGB array once decoded."""
    return picture_file("PNG", (13000, 13000), mode="1")


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: io.BytesIO(b"not a picture"), "Это не картинка"),
    (lambda: picture_file("GIF"), "PNG, JPEG или WebP"),
    (truncated_jpeg, "не целиком"),
    (decompression_bomb, "слишком большая"),
    (lambda: picture_file("PNG", (5000, 5000), mode="1"), "слишком большая"),
])
def test_a_bad_upload_is_a_form_error_and_creates_nothing(user_client, monkeypatch, vqgan_models, upload,  # noqa: F811
                                                          message, settings):
    monkeypatch.setenv("MODEL_ILLUSTRATION_VQGAN_CLIP", str(vqgan_models))
    response = user_client.post("/tales/new/", {
        "title": "Колобок", "genre": "сказка", "scene_count": "3", "illustration_backend": "vqgan_clip",
        "illustration_vqgan_clip_init_image": upload(),
    })
    assert response.status_code == 200 and message in response.content.decode()
    assert not Tale.objects.exists() and not (settings.MEDIA_ROOT / "tales").exists()


def test_too_much_picture_work_is_refused_up_front(user_client, monkeypatch, vqgan_models):  # noqa: F811
    monkeypatch.setenv("MODEL_ILLUSTRATION_VQGAN_CLIP", str(vqgan_models))
    response = user_client.post("/tales/new/", {
        "title": "Колобок", "genre": "сказка", "scene_count": "12", "illustration_backend": "vqgan_clip",
        "illustration_vqgan_clip_iterations": "2000", "illustration_vqgan_clip_size": "768x432",
    })
    assert response.status_code == 200 and "Слишком много работы для художника" in response.content.decode()
    assert not Tale.objects.exists()
