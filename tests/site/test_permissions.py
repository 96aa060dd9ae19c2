"""Who may do what, on every view and file of a tale: the owner, another user, an anonymous visitor."""

import pytest

pytestmark = pytest.mark.django_db

# (method, path under /tales/<id>/) -> the owner's action
ACTIONS = [("post", "redo/"), ("post", "versions/{artifact}/"), ("post", "delete/"), ("post", "cancel/"),
           ("post", "retry/"), ("post", "visibility/")]


@pytest.fixture
def tale(make_tale, with_file):
    tale = make_tale(status="done")
    artifact = with_file(tale, "illustration", "picture", "picture-1-v1.png", b"png", scene=1)
    tale.artifact_id = artifact.pk
    return tale


def as_who(client, who, owner, stranger):
    if who == "owner":
        client.force_login(owner)
    elif who == "stranger":
        client.force_login(stranger)
    return client


@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("who", ["owner", "stranger", "anonymous"])
def test_viewing_the_page_and_its_files(client, tale, owner, stranger, who, public):
    tale.is_public = public
    tale.save()
    client = as_who(client, who, owner, stranger)
    allowed = public or who == "owner"
    expected = 200 if allowed else 404
    assert client.get(f"/tales/{tale.pk}/").status_code == expected
    assert client.get(f"/tales/{tale.pk}/files/picture-1-v1.png").status_code == expected


@pytest.mark.parametrize("method, path", ACTIONS)
@pytest.mark.parametrize("who", ["stranger", "anonymous"])
def test_only_the_owner_acts_on_a_tale(client, tale, owner, stranger, who, method, path):
    client = as_who(client, who, owner, stranger)
    response = getattr(client, method)(f"/tales/{tale.pk}/" + path.format(artifact=tale.artifact_id),
                                       {"stage": "music"})
    assert response.status_code == (403 if who == "stranger" else 302)
    if who == "anonymous":
        assert response.url.startswith("/accounts/login/")
    tale.refresh_from_db()
    assert tale.status == "done" and tale.run_queue == [] and tale.is_public  # nothing changed


@pytest.mark.parametrize("method, path", ACTIONS)
def test_actions_refuse_get(client, tale, owner, method, path):
    client.force_login(owner)
    response = client.get(f"/tales/{tale.pk}/" + path.format(artifact=tale.artifact_id))
    assert response.status_code == 405 and response["Allow"] == "POST"
    # a page that says what happened and leads back, not the browser's blank error
    assert "Это адрес кнопки, а не страницы" in response.content.decode()
    tale.refresh_from_db()
    assert tale.status == "done" and tale.run_queue == []


def test_csrf_is_required_on_every_form(tale, owner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    for _, path in ACTIONS:
        assert client.post(f"/tales/{tale.pk}/" + path.format(artifact=tale.artifact_id)).status_code == 403
    assert client.post("/tales/new/", {"title": "Колобок", "genre": "сказка", "scene_count": 3}).status_code == 403
