"""Log-in throttling (django-axes, counted in the database): per user name from any address, per address across
user names, the client address taken from X-Forwarded-For only behind a trusted proxy, the admin's log-in too."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from fairytales.accounts.addresses import client_address

pytestmark = pytest.mark.django_db

LOCKED = "Слишком много неудачных попыток входа. Попробуйте через 15 минут."
WRONG = "Пожалуйста, введите правильные имя пользователя и пароль"
PASSWORD = "sk4zka-pass-1"  # the owner fixture's


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(client, username, password, address="203.0.113.5", path="/accounts/login/", **headers):
    client.logout()
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def is_locked(response) -> bool:
    return response.status_code == 429 and LOCKED in response.content.decode()


def test_five_wrong_passwords_lock_the_user_name_from_any_other_address_too(client, owner):
    for attempt in range(1, 6):
        response = log_in(client, "alice", "guess", address="203.0.113.5")
        if attempt < 5:
            assert response.status_code == 200 and WRONG in response.content.decode()
    assert is_locked(response)  # the fifth failure already answers with the lock
    response = log_in(client, "alice", PASSWORD, address="198.51.100.7")  # the right password, elsewhere
    assert is_locked(response)
    assert "_auth_user_id" not in client.session


def test_failures_from_many_addresses_add_up_on_one_user_name(client, owner):
    for i in range(5):
        log_in(client, "alice", "guess", address=f"198.51.100.{i + 1}")
    assert is_locked(log_in(client, "alice", PASSWORD, address="192.0.2.200"))


def test_another_user_is_not_locked_by_someone_elses_failures(client, owner, stranger):
    for i in range(5):
        log_in(client, "alice", "guess", address=f"198.51.100.{i + 1}")
    assert log_in(client, "bob", "sk4zka-pass-2", address="198.51.100.1").status_code == 302


def test_one_address_trying_many_user_names_is_locked(client, owner, settings):
    assert settings.LOGIN_ATTEMPTS_PER_ADDRESS == 20
    answers = [log_in(client, f"user{i}", "guess", address="203.0.113.5") for i in range(25)]
    assert all(r.status_code == 200 for r in answers[:19])
    assert all(is_locked(r) for r in answers[19:])
    assert is_locked(log_in(client, "alice", PASSWORD, address="203.0.113.5"))  # even the right password
    assert log_in(client, "alice", PASSWORD, address="198.51.100.7").status_code == 302  # not alice's name


def test_a_success_does_not_unlock_an_address_that_attacks_other_users(client, owner):
    for i in range(19):
        log_in(client, f"user{i}", "guess", address="203.0.113.5")
    assert log_in(client, "alice", PASSWORD, address="203.0.113.5").status_code == 302  # its own account
    assert is_locked(log_in(client, "user19", "guess", address="203.0.113.5"))
    assert is_locked(log_in(client, "alice", PASSWORD, address="203.0.113.5"))


def test_the_lock_lasts_fifteen_minutes_and_refused_tries_do_not_extend_it(client, owner):
    for _ in range(5):
        log_in(client, "alice", "guess")
    for _ in range(3):
        assert is_locked(log_in(client, "alice", "guess"))
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 5
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert is_locked(log_in(client, "alice", PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_the_counters_live_in_the_database(client, owner):
    """What every web process reads and what a restart keeps: nothing in a process's memory."""
    for _ in range(5):
        log_in(client, "alice", "guess")
    assert AccessAttempt.objects.filter(username="alice", ip_address="203.0.113.5").get().failures_since_start == 5
    call_command("axes_reset_username", "alice")  # what a moderator runs to unlock a user early
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_users_with_different_addresses_do_not_lock_each_other(client, owner, stranger,
                                                                                     settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for i in range(25):  # an attacker behind the proxy, who also makes up X-Forwarded-For entries of its own
        log_in(client, f"user{i}", "guess", address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.5")
    assert is_locked(log_in(client, "alice", PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5"))
    # the same proxy, another user: not locked
    response = log_in(client, "bob", "sk4zka-pass-2", address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_the_forwarded_header_of_an_untrusted_client_is_ignored(client, owner, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for i in range(20):
        log_in(client, f"user{i}", "guess", address="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert is_locked(log_in(client, "alice", PASSWORD, address="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.99"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_the_admin_log_in_is_limited_too(client, django_user_model):
    django_user_model.objects.create_user("moderator", password="Strazh-vorot-9", is_staff=True)
    answers = [log_in(client, "moderator", "guess", path="/admin/login/?next=/admin/") for _ in range(5)]
    assert all(r.status_code == 200 for r in answers[:4])
    assert is_locked(answers[4])
    response = log_in(client, "moderator", "Strazh-vorot-9", path="/admin/login/?next=/admin/",
                      address="198.51.100.7")
    assert is_locked(response) and "_auth_user_id" not in client.session
    # the lock counts across both log-in pages: the site's refuses the name as well
    assert is_locked(log_in(client, "moderator", "Strazh-vorot-9", address="192.0.2.1"))


def test_the_lockout_page_is_the_russian_log_in_page(client, owner):
    for _ in range(5):
        response = log_in(client, "alice", "guess")
    page = response.content.decode()
    assert response.status_code == 429 and response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "900"
    assert LOCKED in page and "<h1>Вход</h1>" in page and 'name="csrfmiddlewaretoken"' in page
    assert "Account locked" not in page and WRONG not in page


def test_the_first_failures_still_say_the_password_is_wrong(client, owner):
    response = log_in(client, "alice", "guess")
    assert response.status_code == 200 and WRONG in response.content.decode()
    assert log_in(client, "alice", PASSWORD).status_code == 302


# --- the client address ------------------------------------------------------------------------------------

def address_of(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_the_client_is_remote_addr(settings):
    settings.TRUSTED_PROXIES = []
    assert address_of("203.0.113.5", "192.0.2.1") == "203.0.113.5"
    assert address_of("127.0.0.1", "192.0.2.1") == "127.0.0.1"


def test_behind_trusted_proxies_the_client_is_the_rightmost_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert address_of("127.0.0.1", "203.0.113.5") == "203.0.113.5"
    assert address_of("127.0.0.1", "192.0.2.1, 203.0.113.5, 10.1.2.3") == "203.0.113.5"  # two proxies
    assert address_of("127.0.0.1", "203.0.113.5:51234") == "203.0.113.5"  # a proxy that adds the port
    assert address_of("127.0.0.1") == "127.0.0.1"  # no header: the proxy itself
    assert address_of("127.0.0.1", "10.9.9.9") == "10.9.9.9"  # only proxies: the farthest of them
    assert address_of("127.0.0.1", "203.0.113.5, not-an-address") == "127.0.0.1"  # garbage: go no further
    assert address_of("198.51.100.7", "203.0.113.5") == "198.51.100.7"  # not from a proxy: ignored


def test_an_ipv6_client_counts_as_its_slash_64(settings):
    settings.TRUSTED_PROXIES = ["::1"]
    assert address_of("2001:db8:1:2::5") == "2001:db8:1:2::"
    assert address_of("2001:db8:1:2:ffff::9") == "2001:db8:1:2::"
    assert address_of("::1", "[2001:db8:1:3::7]:4431") == "2001:db8:1:3::"
    assert address_of("::ffff:203.0.113.5") == "203.0.113.5"


def test_a_bad_trusted_proxies_setting_is_a_system_check_error(settings):
    from fairytales.accounts.addresses import check_trusted_proxies

    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.example"]
    errors = check_trusted_proxies(None)
    assert errors and errors[0].id == "accounts.E001" and "TRUSTED_PROXIES" in errors[0].msg
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    assert check_trusted_proxies(None) == []
