"""Staff moderate tales in the admin; they cannot point a tale's backends at paths or edit its queue."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "Adm1n-pass-9"))
    return client


def test_a_tales_choices_and_queue_are_read_only(admin_client, make_tale):
    tale = make_tale(status="done", choices={"illustration": {"backend": "storybook"}})
    url = f"/admin/tales/tale/{tale.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="choices"' not in page and 'name="run_queue"' not in page and 'name="is_hidden"' in page
    admin_client.post(url, {
        "owner": tale.owner_id, "title": tale.title, "genre": tale.genre, "scene_count": 3, "is_public": "on",
        "is_hidden": "on", "created_0": "2026-12-01", "created_1": "10:00:00",
        "choices": '{"illustration": {"backend": "vqgan_clip", "model": "/tmp/evil.ckpt"}}',
        "run_queue": '[[{"stage": "video"}]]',
    })
    tale.refresh_from_db()
    assert tale.is_hidden  # moderation works...
    assert tale.choices == {"illustration": {"backend": "storybook"}} and tale.run_queue == []  # ...nothing else


def test_artifacts_and_stage_runs_cannot_be_edited(admin_client, make_tale, with_file):
    artifact = with_file(make_tale(), "story", "text", "story-v1.txt", b"x")
    assert admin_client.post(f"/admin/tales/artifact/{artifact.pk}/change/", {"backend": "evil"}).status_code == 403
