import pytest
from django.core.management import CommandError, call_command

from fairytales.tales import tasks

pytestmark = pytest.mark.django_db


def test_it_refuses_an_unknown_tale_and_a_missing_scene(make_tale):
    with pytest.raises(CommandError, match="no tale"):
        call_command("redo", "not-a-tale", "music")
    tale = make_tale(status="done", scene_count=3)
    with pytest.raises(CommandError, match="scenes 1 to 3"):
        call_command("redo", str(tale.pk), "illustration", "--scene", "9")
    with pytest.raises(CommandError, match="needs --scene N and --text"):
        call_command("redo", str(tale.pk), "scenes", "--scene", "1")
    with pytest.raises(CommandError, match="music is redone for the whole tale"):
        call_command("redo", str(tale.pk), "music", "--scene", "1")
    tale.refresh_from_db()
    assert tale.run_queue == []


def test_while_the_tale_is_made_the_redo_waits_its_turn(make_tale, capsys):
    tale = make_tale(status="running", run_queue=[[]])
    call_command("redo", str(tale.pk), "music", "--seed", "4", "--mood", "dark")
    assert "runs right after" in capsys.readouterr().out
    tale.refresh_from_db()
    assert tale.run_queue == [[], [{"stage": "music", "options": {"seed": 4, "mood": "dark"}}]]


@pytest.mark.slow
def test_it_redoes_one_picture_here_and_now(make_tale, capsys):
    tale = make_tale(title="Гуси-лебеди", scene_count=3, choices={"story": {"options": {"length": 1500}}})
    tasks.start(tale, enqueue=False)
    tasks.make_tale(str(tale.pk))
    call_command("redo", str(tale.pk), "illustration", "--scene", "2", "--prompt", "Гуси летят над рекой",
                 "--seed", "5")
    assert "done:" in capsys.readouterr().out
    picture = tale.current("illustration", 2)
    assert (picture.version, picture.meta["prompt"], picture.options["seed"]) == (2, "Гуси летят над рекой", 5)
    assert tale.video.version == 2


def test_a_join_for_one_cut_or_the_whole_film_waits_its_turn(make_tale, capsys):
    tale = make_tale(status="running", run_queue=[[]], scene_count=3)
    call_command("redo", str(tale.pk), "video", "--join", "morph", "--scene", "2")
    call_command("redo", str(tale.pk), "video", "--join", "slide")
    tale.refresh_from_db()
    assert tale.run_queue[1:] == [[{"stage": "video", "options": {"joins": "2=morph"}}],
                                  [{"stage": "video", "options": {"join": "slide"}}]]
    with pytest.raises(CommandError, match="scenes 1 to 3"):
        call_command("redo", str(tale.pk), "video", "--join", "wipe", "--scene", "4")
