import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


def test_someone_signed_in_is_not_shown_the_log_in_form_again(client, owner):
    client.force_login(owner)
    response = client.get("/accounts/login/")
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/accounts/login/?next=/tales/mine/").url == "/tales/mine/"
    assert client.get("/accounts/login/?next=/accounts/login/").url == "/"  # a link that loops: home, not a 500


def test_a_wrong_password_is_told_in_russian(client, owner):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert "Пожалуйста, введите правильные имя пользователя и пароль" in response.content.decode()


def test_log_in_is_refused_for_a_while_after_repeated_failures(client, owner, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.LOGIN_ATTEMPTS):
        client.post("/accounts/login/", {"username": "alice", "password": "guess"})
    response = client.post("/accounts/login/", {"username": "alice", "password": "sk4zka-pass-1"})
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа. Попробуйте через 15 минут." in response.content.decode()
    assert "_auth_user_id" not in client.session
    AccessAttempt.objects.all().delete()  # 15 minutes later (the attempts have expired)
    assert client.post("/accounts/login/", {"username": "alice", "password": "sk4zka-pass-1"}).status_code == 302


# --- sign-ups per address ----------------------------------------------------------------------------------

SIGNUP_LIMITED = "Слишком много регистраций с вашего адреса за последний час."


def sign_up(username, address="203.0.113.5", **headers):
    from django.test import Client

    return Client().post("/accounts/signup/", {"username": username, "password1": "Vo1shebnaya-palochka",
                                               "password2": "Vo1shebnaya-palochka"}, REMOTE_ADDR=address, **headers)


def test_an_address_makes_at_most_signups_per_hour_accounts(settings):
    assert settings.SIGNUPS_PER_HOUR == 5
    for i in range(5):
        assert sign_up(f"masha{i}").status_code == 302
    response = sign_up("masha5")
    page = response.content.decode()
    assert response.status_code == 429
    assert SIGNUP_LIMITED in page and "Попробуйте через 60 минут." in page
    assert '<p class="error" role="alert">' in page and "<h1>Регистрация</h1>" in page
    assert not get_user_model().objects.filter(username="masha5").exists()
    assert sign_up("masha5", address="198.51.100.7").status_code == 302  # another address still may


def test_deleting_the_accounts_gives_no_place_back(settings):
    settings.SIGNUPS_PER_HOUR = 2
    sign_up("masha0"), sign_up("masha1")
    get_user_model().objects.all().delete()
    assert sign_up("masha2").status_code == 429


def test_the_places_come_back_after_an_hour(settings):
    from datetime import timedelta

    from fairytales.accounts.models import SignUp

    settings.SIGNUPS_PER_HOUR = 2
    sign_up("masha0"), sign_up("masha1")
    SignUp.objects.filter(address="203.0.113.5").update(created_at=timezone.now() - timedelta(minutes=40))
    assert "Попробуйте через 20 минут." in sign_up("masha2").content.decode()
    SignUp.objects.filter(address="203.0.113.5").update(created_at=timezone.now() - timedelta(minutes=61))
    assert sign_up("masha2").status_code == 302
    assert SignUp.objects.count() == 1  # the old ones are dropped


def test_a_refused_sign_up_says_nothing_else_about_the_form(settings):
    settings.SIGNUPS_PER_HOUR = 1
    sign_up("masha0")
    page = sign_up("masha0").content.decode()  # a taken name: not told while refused
    assert SIGNUP_LIMITED in page and "уже существует" not in page


def test_behind_a_trusted_proxy_sign_ups_count_per_forwarded_address(settings):
    settings.SIGNUPS_PER_HOUR = 1
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert sign_up("masha0", address="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 302
    assert sign_up("masha1", address="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    assert sign_up("masha2", address="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5").status_code == 429
    settings.TRUSTED_PROXIES = []
    assert sign_up("masha3", address="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 302
    assert sign_up("masha4", address="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.3").status_code == 429
