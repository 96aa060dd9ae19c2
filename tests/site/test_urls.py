"""Every address is named within its app: tales:… and accounts:…."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_names_are_namespaced(make_tale):
    tale = make_tale()
    assert reverse("tales:gallery") == "/" and reverse("tales:new_tale") == "/tales/new/"
    assert tale.get_absolute_url() == reverse("tales:tale", args=[tale.pk]) == f"/tales/{tale.pk}/"
    assert reverse("tales:tale_file", args=[tale.pk, "v.mp4"]) == f"/tales/{tale.pk}/files/v.mp4"
    assert reverse("accounts:login") == "/accounts/login/"
    assert reverse("accounts:signup") == "/accounts/signup/"


def test_a_visitor_is_sent_to_log_in_and_back(client):
    response = client.get("/tales/mine/")
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/tales/mine/"


def test_every_page_renders_its_links(client, owner, make_tale):
    tale = make_tale(status="done")
    for page in ("/", "/accounts/login/", "/accounts/signup/"):
        assert client.get(page).status_code == 200
    client.force_login(owner)
    for page in ("/", "/tales/new/", "/tales/mine/", f"/tales/{tale.pk}/"):
        assert client.get(page).status_code == 200
