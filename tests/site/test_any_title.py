"""Any title a user can type: a clear message and nothing created, or a tale whose title is clean
and shown escaped (property-based, hypothesis)."""

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from django.utils.html import escape
from hypothesis import strategies as st

from fairytales.tales.models import Tale

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def generous_quotas(settings):
    """Sixty titles in a row: the daily quotas (which deleting a tale does not reset) are not what is tried here."""
    settings.TALES_PER_DAY = settings.RUNS_PER_DAY = 10**6


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=120))
def test_any_title_is_refused_clearly_or_stored_clean(owner_client, title):
    Tale.objects.all().delete()
    response = owner_client.post("/tales/new/", {"title": title, "genre": "сказка", "scene_count": "6"})
    if response.status_code == 200:
        page = response.content.decode()
        assert any(message in page for message in ("Введите название сказки.", "Название не длиннее 80 символов.",
                                                   "Данные содержат запрещённый символ: ноль-байт"))
        assert not Tale.objects.exists()
        return
    assert response.status_code == 302
    tale = Tale.objects.get()
    assert 1 <= len(tale.title) <= 80 and tale.title == tale.title.strip()
    assert not any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in tale.title)  # no controls, no bidi overrides
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    assert f"<h1>{escape(tale.title)}</h1>" in page
