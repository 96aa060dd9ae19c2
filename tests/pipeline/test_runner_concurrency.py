"""Several nodes made at once (lanes.Lanes.make): the same files as one at a time, every scene reported, a
failing scene failing its stage by name while the others' results are kept, a cancel stopping every worker,
every store call on the runner's own thread; the music composed as soon as the voices are read, and the film's
pictures encoded meanwhile (cut_ahead.py)."""

import re
import shutil
import threading
import time

import pytest

from fairytales.pipeline import lanes, registry
from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.illustration.storybook.backend import StorybookIllustrator
from fairytales.pipeline.music.procedural import ProceduralComposer
from fairytales.pipeline.runner import Cancelled, Choice, Redo, Runner, StageFailed
from fairytales.pipeline.types import TaleRequest

pytestmark = pytest.mark.slow
REQUEST = TaleRequest(title="Колобок", genre="сказка", scenes=3, seed=4)
SHORT = {"story": Choice(options={"length": 1500})}


class FlakyIllustrator(StorybookIllustrator):
    """The storybook painter, but the second scene's picture fails."""

    name = "flaky"

    def draw(self, scene, context, path, options, progress):
        if scene.index == 2:
            raise RuntimeError("кисть сломалась на второй сцене")
        return super().draw(scene, context, path, options, progress)


class PatientComposer(ProceduralComposer):
    """The procedural composer, but slow as a big model: it writes its music only once it sees a segment of the
    film's pictures encoded (in the folder the editor keeps them in, beside the tale's), or after a minute."""

    name = "patient"

    def compose(self, duration, genre, out_wav, out_midi, options, progress=None, cues=None):
        tale = out_wav.parent
        segments = tale.with_name(f"{tale.name}.segments")
        def encoded():  # a whole one, not one being written (name.part.mp4)
            return [path for path in segments.glob("body-*.mp4") if ".part" not in path.name]

        deadline = time.monotonic() + 60
        while not encoded() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.saw_segments = bool(encoded())
        return super().compose(duration, genre, out_wav, out_midi, options, cues=cues)


class WatchedStore(DirectoryStore):
    """A folder store that notes which thread calls it, and can be cancelled."""

    def __init__(self, root, cancel_when=None):
        super().__init__(root, echo=lambda *report: self.reports.append(report))
        self.reports, self.threads, self.cancel_when = [], set(), cancel_when

    def current(self, *args, **kwargs):
        self.threads.add(threading.get_ident())
        return super().current(*args, **kwargs)

    def path_for(self, *args, **kwargs):
        self.threads.add(threading.get_ident())
        return super().path_for(*args, **kwargs)

    def save(self, artifact):
        self.threads.add(threading.get_ident())
        super().save(artifact)

    def report(self, *args, **kwargs):
        self.threads.add(threading.get_ident())
        super().report(*args, **kwargs)

    def cancelled(self):
        self.threads.add(threading.get_ident())
        return bool(self.cancel_when and self.cancel_when(self))


def files_of(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "manifest.json"}


def scenes_reported_ready(reports, stage):
    return [str(message) for s, _, _, message in reports
            if s == stage and re.fullmatch(r"Сцена \d+ из \d+ готова", str(message))]


def test_nodes_made_together_make_the_same_files_as_one_at_a_time(tmp_path, monkeypatch):
    made = {}
    for workers in ("1", "2"):
        monkeypatch.setenv(lanes.WORKERS_SETTING, workers)
        store = WatchedStore(tmp_path / workers)
        Runner(REQUEST, store, SHORT).run()
        made[workers] = files_of(tmp_path / workers)
        assert store.threads == {threading.get_ident()}, "a store call came from a worker thread"
        for stage in ("narration", "illustration"):
            ready = scenes_reported_ready(store.reports, stage)
            assert ready == [f"Сцена {k} из 3 готова" for k in (1, 2, 3)], (workers, stage, ready)
        for stage in ("narration", "illustration", "music", "video"):
            statuses = [status for s, status, *_ in store.reports if s == stage]
            assert statuses[0] == "running" and statuses[-1] == "done" and statuses.count("done") == 1, stage
    assert sorted(made["2"]) == sorted(made["1"])
    different = [name for name in made["1"] if made["1"][name] != made["2"][name]]
    assert not different, f"made together, these files differ: {different}"


def test_a_failing_scene_fails_its_stage_by_name_and_the_others_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv(lanes.WORKERS_SETTING, "2")
    monkeypatch.setitem(registry.BACKENDS["illustration"], "flaky", f"{__name__}:FlakyIllustrator")
    monkeypatch.setitem(lanes.BESIDE_OTHERS, "illustration", frozenset({"storybook", "flaky"}))
    store = WatchedStore(tmp_path)
    with pytest.raises(StageFailed) as failure:
        Runner(REQUEST, store, {**SHORT, "illustration": Choice(backend="flaky")}).run()
    assert failure.value.stage == "illustration" and failure.value.scene == 2
    assert "сцена 2" in failure.value.public and "кисть сломалась на второй сцене" in failure.value.detail
    assert store.threads == {threading.get_ident()}
    # the other pictures, and the music composed beside them, are kept; the failure is the stage's last word
    assert store.current("illustration", 1) and store.current("illustration", 3) and store.current("music")
    assert store.current("illustration", 2) is None and store.current("video") is None
    assert [status for s, status, *_ in store.reports if s == "illustration"][-1] == "failed"
    assert [status for s, status, *_ in store.reports if s == "music"][-1] == "done"
    kept = {name: data for name, data in files_of(tmp_path).items() if not name.startswith("picture-2")}

    Runner(REQUEST, store, SHORT).run()  # with a painter that works, only the second picture (and the film) is new
    after = files_of(tmp_path)
    assert {name: after[name] for name in kept} == kept
    assert store.current("illustration", 2).file().name == "picture-2-v1.png"
    assert store.current("illustration", 1).file().name == "picture-1-v1.png"


def test_a_cancel_stops_every_worker(tmp_path, monkeypatch):
    monkeypatch.setenv(lanes.WORKERS_SETTING, "2")
    store = WatchedStore(tmp_path, cancel_when=lambda s: s.current("narration", 1) is not None)
    with pytest.raises(Cancelled):
        Runner(REQUEST, store, SHORT).run()
    assert store.threads == {threading.get_ident()}
    assert store.current("narration", 1) and store.current("music") is None and store.current("video") is None
    for thread in threading.enumerate():
        if thread.name.startswith("videotales-"):
            thread.join(timeout=10)
            assert not thread.is_alive(), f"{thread.name} still runs after the cancel"


def test_the_films_pictures_are_encoded_while_the_music_is_composed(tmp_path, monkeypatch):
    monkeypatch.setenv(lanes.WORKERS_SETTING, "2")
    monkeypatch.setitem(registry.BACKENDS["music"], "patient", f"{__name__}:PatientComposer")
    monkeypatch.setitem(lanes.BESIDE_OTHERS, "music", frozenset({"procedural", "patient"}))
    store = WatchedStore(tmp_path / "tale")
    film = Runner(REQUEST, store, {**SHORT, "music": Choice(backend="patient")}).run()
    assert registry.get("music", "patient").saw_segments, "no picture was encoded while the music was composed"
    assert store.threads == {threading.get_ident()}
    # the music began as soon as the voices were read: before the video stage, with the film partly encoded
    order = [(stage, status) for stage, status, *_ in store.reports]
    assert order.index(("narration", "done")) < order.index(("music", "running")) < order.index(("video", "running"))
    made = film.meta["segments"]
    assert made["reused"] > 0, made

    # the same film as the editor makes from nothing, once the music is there
    shutil.rmtree(tmp_path / "tale.segments")
    again = Runner(REQUEST, store, {**SHORT, "music": Choice(backend="patient")}, redo=[Redo("video")]).run()
    assert again.meta["segments"] == {"made": made["made"] + made["reused"], "reused": 0}
    assert again.file("video").read_bytes() == film.file("video").read_bytes()
