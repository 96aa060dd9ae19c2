"""The character sheet on the tale page and its edit view: the owner sees each character and edits one, and
exactly the scenes that show that character are drawn again."""

import json

import pytest
from django_q.models import OrmQ

from fairytales.pipeline.cast import CastMember, read_sheet
from fairytales.tales import tasks

pytestmark = pytest.mark.django_db

HERO = CastMember(key="hero", role="hero", name="Колобок", figure="колобок",
                  description="Колобок: круглый румяный колобок с весёлым лицом; цвета: золотой",
                  palette={"fur": "#efab45", "accent": "#9646b4"}, seed=407, scenes=[1, 3], markers=["колобок"])
FOX = CastMember(key="villain", role="villain", name="лиса", figure="лиса", description="лиса: рыжая лиса",
                 palette={"fur": "#e67626"}, seed=408, scenes=[3], markers=["лиса"])


@pytest.fixture
def with_sheet(make_tale, with_file):
    """A done tale whose current sheet has a hero and a villain (files are stand-ins: these tests queue)."""
    tale = make_tale(status="done")
    sheet = json.dumps([HERO.to_dict(), FOX.to_dict()], ensure_ascii=False).encode()
    with_file(tale, "cast", "sheet", "cast-v1.json", sheet)
    return tale


def post(client, tale, **data):
    return client.post(f"/tales/{tale.pk}/cast/", data, follow=True)


def test_the_page_shows_each_character_with_its_palette(client, owner_client, with_sheet):
    page = owner_client.get(f"/tales/{with_sheet.pk}/").content.decode()
    # the description under the name, without the name again; the owner's form has the words in full
    assert '<p class="cast-description">круглый румяный колобок с весёлым лицом; цвета: золотой</p>' in page
    assert '<p class="cast-description">рыжая лиса</p>' in page and ">лиса: рыжая лиса</textarea>" in page
    assert 'style="background: #efab45"' in page and "В сценах: 1, 3" in page
    assert f'action="/tales/{with_sheet.pk}/cast/"' in page and 'value="villain"' in page
    client.logout()
    with_sheet.is_public = True
    with_sheet.save()
    public = client.get(f"/tales/{with_sheet.pk}/").content.decode()
    assert ">круглый румяный колобок с весёлым лицом; цвета: золотой<" in public
    assert "/cast/" not in public  # seen, not edited


def test_it_queues_an_edit_of_one_character(owner_client, with_sheet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(owner_client, with_sheet, character="hero", description="Колобок в синей шапке",
                        palette="#efab45, #9646b4")
    assert "Меняю героя" in response.content.decode()
    with_sheet.refresh_from_db()
    assert with_sheet.run_queue == [[{"stage": "cast", "options": {"character": "hero"},
                                      "text": "Колобок в синей шапке"}]]  # the colours as they were: no edit
    assert OrmQ.objects.count() == 1


def test_new_colours_or_a_new_reference_alone_are_edits(owner_client, with_sheet):
    post(owner_client, with_sheet, character="villain", description=FOX.description, palette="#3460C8")
    post(owner_client, with_sheet, character="hero", description=HERO.description, palette="#efab45, #9646b4",
         redraw="1")
    with_sheet.refresh_from_db()
    assert with_sheet.run_queue[0] == [{"stage": "cast",
                                        "options": {"character": "villain", "palette": "#3460c8"}}]
    assert with_sheet.run_queue[1] == [{"stage": "cast", "options": {"character": "hero", "redraw": True}}]


@pytest.mark.parametrize("data, message", [
    ({"character": "nobody", "description": "кто-то"}, "Такого героя нет."),
    ({"character": "hero", "palette": "blue"}, "Цвет пишется как #rrggbb"),
    ({"character": "hero", "description": HERO.description, "palette": "#efab45, #9646b4"},
     "Измените описание или цвета героя"),
])
def test_bad_input_is_told_and_nothing_is_queued(owner_client, with_sheet, data, message):
    response = post(owner_client, with_sheet, **data)
    page = response.content.decode()
    assert message in page
    if message != "Измените описание или цвета героя":  # a field's own error is the only message
        assert "Измените описание или цвета героя" not in page
    with_sheet.refresh_from_db()
    assert with_sheet.run_queue == []


def test_it_is_for_the_owner_only(client, with_sheet, stranger):
    client.force_login(stranger)
    response = client.post(f"/tales/{with_sheet.pk}/cast/", {"character": "hero", "description": "x"})
    assert response.status_code == 403
    with_sheet.refresh_from_db()
    assert with_sheet.run_queue == []


def test_it_rejects_get(owner_client, with_sheet):
    assert owner_client.get(f"/tales/{with_sheet.pk}/cast/").status_code == 405


@pytest.mark.slow
def test_an_edit_redraws_exactly_the_scenes_that_show_the_character(owner_client, make_tale):
    tale = make_tale(title="Колобок", scene_count=4, choices={"story": {"options": {"length": 1500}}})
    tasks.start(tale)
    assert tasks.make_tale(str(tale.pk)) == "done"
    cast = tale.current("cast")
    sheet = read_sheet({role: cast.path(role) for role in cast.files})
    shown = next(m for m in sheet if m.scenes and len(m.scenes) < 4)  # a character some scenes show, not all
    before = {i: tale.current("illustration", i).version for i in range(1, 5)}
    post(owner_client, tale, character=shown.key, description=f"{shown.name}: в синем плаще")
    assert tasks.make_tale(str(tale.pk)) == "done"
    after = {i: tale.current("illustration", i).version for i in range(1, 5)}
    assert {i for i in after if after[i] != before[i]} == set(shown.scenes)
    edited = read_sheet({role: tale.current("cast").path(role) for role in tale.current("cast").files})
    member = next(m for m in edited if m.key == shown.key)
    assert member.description == f"{shown.name}: в синем плаще" and member.edited
    assert tale.current("video").version == 2
