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
