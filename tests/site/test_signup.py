import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_it_creates_the_account_and_logs_in(client):
    response = client.post("/accounts/signup/", {"username": "masha", "password1": "Vo1shebnaya-palochka",
                                                 "password2": "Vo1shebnaya-palochka"})
    assert response.status_code == 302 and response.url == "/tales/new/"
    assert get_user_model().objects.filter(username="masha").exists()
    assert client.get("/tales/new/").status_code == 200


def test_it_rejects_a_weak_or_mismatched_password(client):
    response = client.post("/accounts/signup/", {"username": "masha", "password1": "12345678",
                                                 "password2": "12345679"})
    assert response.status_code == 200
    assert not get_user_model().objects.exists()
    assert "error" in response.content.decode()


def test_login_and_logout(client, owner):
    response = client.post("/accounts/login/", {"username": "alice", "password": "sk4zka-pass-1"})
    assert response.status_code == 302
    assert "Выйти (alice)" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    assert "Войти" in client.get("/").content.decode()


def test_a_wrong_password_is_told_in_russian(client, owner):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert "Пожалуйста, введите правильные имя пользователя и пароль" in response.content.decode()


def test_log_in_is_refused_for_a_while_after_repeated_failures(client, owner, settings):
    from django.core.cache import cache

    cache.clear()
    for _ in range(settings.LOGIN_ATTEMPTS):
        client.post("/accounts/login/", {"username": "alice", "password": "guess"})
    response = client.post("/accounts/login/", {"username": "alice", "password": "sk4zka-pass-1"})
    assert "Слишком много неудачных попыток входа" in response.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()
    assert client.post("/accounts/login/", {"username": "alice", "password": "sk4zka-pass-1"}).status_code == 302
