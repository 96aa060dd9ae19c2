"""Faults in a stage: ffmpeg failing, the disk filling up. The stage fails with a readable message,
what earlier stages made is kept, and no half-written file stands for a result."""

import json
import subprocess

import pytest

from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.runner import Choice, Runner, StageFailed
from fairytales.pipeline.types import TaleRequest

pytestmark = pytest.mark.slow
REQUEST = TaleRequest(title="Колобок", genre="сказка", scenes=3, seed=2)
SHORT = {"story": Choice(options={"length": 1500})}


def test_an_ffmpeg_failure_fails_the_video_stage_readably(tmp_path, monkeypatch):
    broken = tmp_path / "bin" / "ffmpeg"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\necho 'Error while opening encoder for output stream' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr("fairytales.pipeline.video.ffmpeg.ffmpeg_exe", lambda: str(broken))
    store = DirectoryStore(tmp_path / "tale")
    with pytest.raises(StageFailed) as failure:
        Runner(REQUEST, store, SHORT).run()
    assert failure.value.stage == "video" and "«Видео» не удался" in failure.value.public
    assert "ffmpeg failed: Error while opening encoder" in failure.value.detail
    monkeypatch.undo()
    assert store.current("video") is None
    assert all(store.current("illustration", i) for i in (1, 2, 3)) and store.current("music")
    assert not list((tmp_path / "tale").glob("video-*")) and not list((tmp_path / "tale").glob("*.part.*"))
    video = Runner(REQUEST, store, SHORT).run()  # the same tale, once ffmpeg is happy, resumes
    assert video.file("video").exists()


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB file system (tmpfs): room for the text stages and the voices, not for everything."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_fails_the_stage_readably_and_keeps_the_earlier_results(small_disk):
    store = DirectoryStore(small_disk)
    with pytest.raises(StageFailed) as failure:
        Runner(REQUEST, store, SHORT).run()
    assert "No space left on device" in failure.value.detail or "закончилось место" in failure.value.public
    assert failure.value.stage in ("narration", "illustration", "music", "video")
    assert store.current("story") and store.current("scenes")
    manifest = json.loads((small_disk / "manifest.json").read_text())
    for node in manifest.values():  # every result on record is a whole, renamed file
        for name in node["files"].values():
            assert ".part." not in name and (small_disk / name).stat().st_size > 0
