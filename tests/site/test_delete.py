"""A tale's folder of files goes with its row, however the row goes: deleted alone, in bulk (the admin's
action), or with its owner's account; and only once the deletion is committed."""

import re

import pytest
from django.db import transaction

from fairytales.tales.models import Tale

# Real transactions: the folder goes when the deletion commits, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tale_with_files(make_tale, with_file):
    def make(**fields):
        tale = make_tale(**fields)
        with_file(tale, "video", "video", "video-v1.mp4", b"mp4")
        segments = tale.folder.with_name(f"{tale.folder.name}.segments")  # the editor's cache beside it
        segments.mkdir()
        (segments / "body-1.mp4").write_bytes(b"mp4")
        assert tale.folder.is_dir()
        return tale

    return make


def test_deleting_one_tale_removes_its_folder(tale_with_files):
    tale, other = tale_with_files(), tale_with_files()
    folder = tale.folder
    tale.delete()
    assert not folder.exists() and not folder.with_name(f"{folder.name}.segments").exists()
    assert other.folder.is_dir()


def test_a_bulk_delete_removes_every_folder(tale_with_files):
    tales = [tale_with_files(title=f"Сказка {i}") for i in range(3)]
    kept = tale_with_files(title="Оставить")
    Tale.objects.exclude(pk=kept.pk).delete()
    assert not any(tale.folder.exists() for tale in tales) and kept.folder.is_dir()


def test_the_admins_bulk_delete_removes_every_folder(client, django_user_model, tale_with_files):
    tales = [tale_with_files(title=f"Сказка {i}") for i in range(2)]
    client.force_login(django_user_model.objects.create_superuser("admin", password="adm1n-Pass"))
    response = client.post("/admin/tales/tale/", {"action": "delete_selected", "post": "yes",
                                                  "_selected_action": [str(tale.pk) for tale in tales]})
    assert response.status_code == 302 and not Tale.objects.exists()
    assert not any(tale.folder.exists() for tale in tales)


def test_deleting_a_user_removes_their_tales_folders(owner, stranger, tale_with_files):
    mine = [tale_with_files(), tale_with_files(title="Репка")]
    theirs = tale_with_files(owner=stranger)
    owner.delete()
    assert not Tale.objects.filter(pk__in=[tale.pk for tale in mine]).exists()
    assert not any(tale.folder.exists() for tale in mine) and theirs.folder.is_dir()


def test_a_rolled_back_delete_keeps_the_folder(tale_with_files):
    tale = tale_with_files()
    pk, folder = tale.pk, tale.folder
    with pytest.raises(RuntimeError), transaction.atomic():
        tale.delete()
        assert folder.is_dir()  # not before the commit
        raise RuntimeError("changed my mind")
    assert Tale.objects.filter(pk=pk).exists() and folder.is_dir()


@pytest.mark.parametrize("status, offered", [("running", False), ("queued", False), ("done", True),
                                              ("failed", True)])
def test_delete_is_offered_only_when_the_tale_is_not_being_made(owner_client, make_tale, status, offered):
    tale = make_tale(status=status)
    page = owner_client.get(tale.get_absolute_url()).content.decode()
    form = re.search(r'<form id="delete-form"[^>]*>', page)[0]
    assert ("hidden" not in form) is offered  # tale.js shows it when the tale's status changes over the websocket
