"""What a tale's page shows, worked out by the tale: its text, its scene cards, its narrator."""

import json
from html import escape

import pytest

from fairytales.pipeline import registry

pytestmark = pytest.mark.django_db


def test_the_story_is_the_proofread_text_when_there_is_one(make_tale, with_file):
    tale = make_tale()
    assert tale.story_text() == "" and tale.story_paragraphs() == []
    with_file(tale, "story", "text", "story-v1.txt", "Жыли-были.\n\nКонец.".encode())
    assert tale.story_text() == "Жыли-были.\n\nКонец."
    with_file(tale, "proofread", "text", "proofread-v1.txt", "Жили-были.\n\n \n\nКонец.".encode())
    assert tale.story_paragraphs() == ["Жили-были.", "Конец."]


def test_each_scene_card_has_its_current_picture_and_every_earlier_one(make_tale, with_file):
    tale = make_tale()
    assert tale.scene_cards() == [] and tale.scenes_made == 0
    scenes = [{"index": i, "text": f"Сцена {i}.", "prompt": f"Картинка {i}", "lines": []} for i in (1, 2)]
    with_file(tale, "scenes", "scenes", "scenes-v1.json", json.dumps(scenes).encode(), count=2)
    old = with_file(tale, "illustration", "picture", "picture-1-v1.png", b"old", scene=1)
    tale.artifacts.filter(pk=old.pk).update(is_current=False)
    new = with_file(tale, "illustration", "picture", "picture-1-v2.png", b"new", scene=1, version=2,
                    prompt="Колобок на пне")
    first, second = tale.scene_cards()
    assert first["current"] == new and [a.pk for a in first["history"]] == [new.pk, old.pk]
    assert first["prompt"] == "Колобок на пне"  # what it was drawn from, not what the split proposed
    assert (second["current"], second["history"], second["prompt"]) == (None, [], "Картинка 2")
    assert second["text"] == "Сцена 2."
    assert tale.scenes_made == 2


@pytest.mark.parametrize("stored", [{}, {"narration": {}}])
def test_a_tale_without_a_narrator_of_its_own_has_the_default_one(make_tale, stored):
    tale = make_tale(choices=stored)
    assert tale.narrator() is registry.backend_class("narration", registry.default_backend("narration"))


def test_an_old_tale_keeps_the_narrator_it_was_made_with(make_tale):
    tale = make_tale(choices={"narration": {"backend": "offline"}})  # what the first tales stored for espeak
    assert tale.narrator() is registry.backend_class("narration", "espeak")


@pytest.mark.slow
def test_the_story_on_the_page_follows_a_rewritten_scene(owner_client, make_tale):
    """«Текст сказки» and the story's edit box tell the story the film tells: after the owner rewrites a
    scene, its new words in its place, the other scenes' as they were (saving the story keeps the edit)."""
    from fairytales.tales import tasks  # noqa: PLC0415

    tale = make_tale(title="Колобок", scene_count=3, choices={"story": {"options": {"length": 900}}})
    tasks.start(tale)
    assert tasks.make_tale(str(tale.pk)) == "done"
    before = tale.scene_texts()
    assert tale.story_text() == tale.current("proofread").path("text").read_text("utf-8")
    new_text = "Колобок докатился до синего моря и запел песенку чайкам."
    owner_client.post(f"/tales/{tale.pk}/redo/", {"stage": "scenes", "scene": "2", "text": new_text})
    assert tasks.make_tale(str(tale.pk)) == "done"
    assert tale.story_paragraphs() == [*before[0].split("\n\n"), new_text, *before[2].split("\n\n")]
    page = owner_client.get(f"/tales/{tale.pk}/").content.decode()
    story = page[page.index('class="story'):page.index('class="scenes')]
    assert new_text in story and escape(before[1].split("\n\n")[0][:40]) not in story
    assert escape(before[0].split("\n\n")[0][:40]) in story
