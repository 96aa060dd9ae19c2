import pytest
from django.utils import timezone

from fairytales.tales.models import Tale

pytestmark = pytest.mark.django_db


def test_it_lists_finished_public_tales_newest_first_with_genre_author_and_duration(client, make_tale):
    make_tale(title="Старая", status="done", duration=75, created=timezone.now() - timezone.timedelta(days=1))
    make_tale(title="Новая", genre="ужасы", status="done", duration=125)
    page = client.get("/").content.decode()
    assert page.index("Новая") < page.index("Старая")
    assert "Ужасы" in page and "alice" in page and "2:05" in page  # the genre's label, in the reader's language


def test_it_leaves_out_private_hidden_and_unfinished_tales(client, make_tale):
    make_tale(title="Тайная", status="done", is_public=False)
    make_tale(title="Скрытая", status="done", is_hidden=True)
    make_tale(title="Недописанная", status="running")
    page = client.get("/").content.decode()
    assert "Тайная" not in page and "Скрытая" not in page and "Недописанная" not in page
    assert "Здесь пока нет готовых сказок." in page


def test_it_paginates(client, make_tale):
    for i in range(14):
        make_tale(title=f"Сказка {i:02d}", status="done", created=timezone.now() - timezone.timedelta(minutes=i))
    first, second = client.get("/").content.decode(), client.get("/?page=2").content.decode()
    assert "Сказка 00" in first and "Сказка 13" not in first
    assert "Сказка 13" in second and "Страница 2 из 2" in second


def test_my_tales_lists_all_of_mine_with_status_and_no_one_elses(owner_client, make_tale, stranger):
    make_tale(title="Моя тайная", is_public=False, status="running")
    make_tale(title="Чужая", owner=stranger, status="done")
    page = owner_client.get("/tales/mine/").content.decode()
    assert "Моя тайная" in page and "Создаётся" in page
    assert "Чужая" not in page
    assert Tale.objects.count() == 2


def test_staff_hide_a_tale_from_the_gallery_in_the_admin(client, make_tale, django_user_model):
    tale = make_tale(title="Неуместная", status="done")
    staff = django_user_model.objects.create_superuser("moderator", password="Moder-ator-77")
    client.force_login(staff)
    response = client.post("/admin/tales/tale/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(tale.pk), "form-0-is_hidden": "on",
        "_save": "Сохранить"})
    assert response.status_code == 302
    tale.refresh_from_db()
    assert tale.is_hidden
    client.logout()
    assert "Неуместная" not in client.get("/").content.decode()
    assert client.get(f"/tales/{tale.pk}/").status_code == 404  # not by link either
    client.force_login(tale.owner)
    assert client.get(f"/tales/{tale.pk}/").status_code == 200  # still its owner's


def test_a_tale_being_redone_stays_in_the_gallery(client, make_tale):
    make_tale(title="Переделываемая", status="running", duration=90.0)
    assert "Переделываемая" in client.get("/").content.decode()
