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
    assert "Неверное имя пользователя или пароль" in response.content.decode()
