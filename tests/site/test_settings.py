from django.conf import settings


def test_a_long_tale_is_neither_killed_early_nor_run_twice():
    cluster = settings.Q_CLUSTER
    assert cluster["timeout"] >= settings.TALE_TIMEOUT >= 3600
    assert cluster["retry"] > cluster["timeout"]
    assert cluster["max_attempts"] == 1


def test_debug_is_off_and_the_secret_is_not_in_the_repository():
    from pathlib import Path

    assert settings.DEBUG is False
    tracked = (Path(settings.BASE_DIR) / ".gitignore").read_text()
    assert "/var/" in tracked and settings.SECRET_KEY and len(settings.SECRET_KEY) >= 40


def settings_under(tmp_path, **env) -> dict:
    """The settings a fresh process reads from ``env`` (a new var/ folder each time)."""
    import json
    import os
    import subprocess
    import sys

    code = ("import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
            "['SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
            "'SECURE_PROXY_SSL_HEADER']}))")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "fairytales.settings", "VIDEOTALES_VAR": str(tmp_path),
                   **env}
    environment.pop("SECRET_KEY", None)
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=environment,
                         capture_output=True, text=True, check=True, cwd=settings.BASE_DIR)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_under_https_cookies_are_secure_http_redirects_and_hsts_is_on(tmp_path):
    secure = settings_under(tmp_path, HTTPS="1")
    assert secure["SECURE_SSL_REDIRECT"] and secure["SESSION_COOKIE_SECURE"] and secure["CSRF_COOKIE_SECURE"]
    assert secure["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert secure["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    plain = settings_under(tmp_path, HTTPS="0")
    assert not plain["SECURE_SSL_REDIRECT"] and plain["SECURE_HSTS_SECONDS"] == 0


def test_the_generated_secret_key_is_readable_by_its_owner_only(tmp_path):
    settings_under(tmp_path)
    key = tmp_path / "secret_key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_text()) >= 40
    first = key.read_text()
    settings_under(tmp_path)
    assert key.read_text() == first  # made once, then kept
