"""`manage.py make_tale` from the shell: a film with sound, its poster and a contact sheet of its scenes."""

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from fairytales.pipeline.video.contact_sheet import GAP, LABEL, THUMB, scene_middles
from tests.media import frame_at, is_blank, streams


@pytest.mark.slow
def test_a_tale_from_the_shell_with_its_contact_sheet(tmp_path, capsys):
    out, sheet, work = tmp_path / "repka.mp4", tmp_path / "repka.png", tmp_path / "work"
    call_command("make_tale", "Репка", "--genre", "детская", "--scenes", "3", "--seed", "4",
                 "--options", 'story={"length": 1500}', "-o", str(out), "--sheet", str(sheet),
                 "--workdir", str(work))
    assert "contact sheet" in capsys.readouterr().out
    found = streams(out)
    assert found["video"]["codec"] == "h264" and found["audio"]["codec"] == "aac"
    assert found["video"]["duration"] > 10 and abs(found["video"]["duration"] - found["audio"]["duration"]) < 0.5
    assert (tmp_path / "repka.jpg").stat().st_size > 10_000
    manifest = json.loads((work / "manifest.json").read_text())
    video_meta = manifest["video"]["meta"]

    image = np.asarray(Image.open(sheet).convert("RGB"), dtype=np.float32)
    thumbs, stills = [], []
    for i, moment in enumerate(scene_middles(video_meta["scene_starts"], video_meta["duration"],
                                             video_meta["first_shot_ends"])):  # each scene's first shot
        x, y = GAP + i * (THUMB[0] + GAP), 48 + GAP
        thumb = image[y : y + THUMB[1], x : x + THUMB[0]]
        assert not is_blank(thumb)
        still = work / manifest[f"illustration/{i + 1}"]["files"]["picture"]
        stills.append(np.asarray(Image.open(still).resize(THUMB), np.float32))
        frame = np.asarray(Image.fromarray(frame_at(out, moment).astype(np.uint8)).resize(THUMB), np.float32)
        assert np.abs(thumb - frame).mean() < 20  # the scene the film shows then
        thumbs.append(thumb)
    assert len(thumbs) == 3 and image.shape[0] == 48 + GAP + THUMB[1] + LABEL + GAP
    for i, thumb in enumerate(thumbs):  # each scene's own still, at full size: the one nearest its thumbnail
        distances = [np.abs(thumb - still).mean() for still in stills]
        assert distances[i] < 6 and distances[i] == min(distances) and sorted(distances)[1] > 5, distances


def test_bad_input_is_refused_before_anything_is_made(tmp_path):
    with pytest.raises(CommandError, match="--scenes"):
        call_command("make_tale", "Репка", "--scenes", "2", "-o", str(tmp_path / "x.mp4"))
    with pytest.raises(CommandError, match="title"):
        call_command("make_tale", "   ", "-o", str(tmp_path / "x.mp4"))
    assert not list(tmp_path.iterdir())
