"""`manage.py redo TALE video --burn CODE`: the film made again with another language burned in, or none."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_a_burn_redo_of_the_video_waits_its_turn(make_tale):
    tale = make_tale(status="running", run_queue=[[]], scene_count=3)
    call_command("redo", str(tale.pk), "video", "--burn", "en")
    call_command("redo", str(tale.pk), "video", "--burn", "none")
    tale.refresh_from_db()
    assert tale.run_queue[1:] == [[{"stage": "video", "options": {"burn": "en"}}],
                                  [{"stage": "video", "options": {"burn": "none"}}]]


def test_it_refuses_an_unknown_language_and_another_stage(make_tale):
    tale = make_tale(status="running", run_queue=[[]], scene_count=3)
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("redo", str(tale.pk), "video", "--burn", "zz")
    with pytest.raises(CommandError, match="--burn is for the video"):
        call_command("redo", str(tale.pk), "music", "--burn", "en")
    tale.refresh_from_db()
    assert tale.run_queue == [[]]
