"""The film's pieces encoded one ffmpeg process each, two at a time, kept by what they are made of.

A segment's file is named by a fingerprint of exactly what it is made from: the pictures' bytes, the move,
the frames, the subtitles it shows, the closing fade, the encoder and its settings, the ffmpeg build and
``VERSION`` (raise it whenever the graph changes). So a redo of one scene's picture or text makes that
scene's body and its two joins again, and every other segment is the file the last film used. Segments are
written under a temporary name and renamed when whole, so an interrupted run never leaves one that lies.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..notes import Note
from ..types import ProgressCallback
from . import FPS, HEIGHT, WIDTH
from .encoder import Encoder
from .graph import LayerLook, piece_graph
from .layout import Layout, Piece

VERSION = 2  # 2: the pictures' moves at the frame's scale (graph.py)
WORKERS = 2  # ffmpeg processes at a time: the filter graph is mostly one thread, x264 uses the rest
_DIGESTS: dict[tuple, str] = {}
# segments an ffmpeg of this process writes now, each with the event set when it is done: a film made while the
# same film's pictures are still encoded ahead (cut_ahead.py) waits for those rather than encoding them twice
_MAKING: dict[Path, threading.Event] = {}
_MAKING_LOCK = threading.Lock()
PATTERNS = ("body-*.mp4", "join-*.mp4", "ending-*.mp4", "audio-*.m4a", "audio-*.json", "*.part.*")


class VideoFailed(RuntimeError):
    pass


@dataclass
class Job:
    """One ffmpeg run (``command`` without its output) that makes ``out``, through ``out``'s .part name.
    ``frames`` weighs its progress; an audio job (``seconds``) counts its progress in time."""

    command: list[str]
    out: Path
    frames: int
    seconds: float | None = None
    before: Callable[[], None] | None = None  # run first, in the job's thread (the soundtrack's mix)
    feed: Callable[[BinaryIO], None] | None = None  # writes ffmpeg's input to its stdin (a morph's frames)
    done: float = field(default=0.0)

    @property
    def part(self) -> Path:
        return self.out.with_name(f"{self.out.stem}.part{self.out.suffix}")


def fingerprint(recipe: dict) -> str:
    return hashlib.sha1(json.dumps(recipe, sort_keys=True, default=str).encode()).hexdigest()[:24]


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, remembered per process by path, size and modification time."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _DIGESTS[key] = digest.hexdigest()
    return _DIGESTS[key]


def piece_recipe(piece: Piece, looks: list[LayerLook], layout: Layout, encoder: Encoder, options: dict,
                 ffmpeg: str, join: str = "fade") -> dict:
    """Everything a segment's frames and bytes depend on, and nothing else (not where it sits in the film)."""
    layers = []
    for layer, look in zip(piece.layers, looks):
        layers.append({
            "layer": [layer.first, layer.frames], "picture": file_digest(look.picture), "move": look.move,
            "length": look.length, "zoom": look.zoom, "fade_out": look.fade_out,
            "subtitles": look.subtitles.read_text("utf-8") if look.subtitles else None,
        })
        if look.size != (WIDTH, HEIGHT):  # the default frame adds no key: the segments kept before stay valid
            layers[-1]["size"] = list(look.size)
    recipe = {"version": VERSION, "kind": piece.kind, "frames": piece.frames, "fade": layout.fade_of(piece),
              "layers": layers, "encoder": encoder.args(options["preset"], options["crf"]),
              "ffmpeg": Path(ffmpeg).name}
    if piece.kind == "join" and join != "fade":  # the fade adds no key: the joins kept before stay valid
        recipe["join"] = join
    return recipe


def piece_command(ffmpeg: str, piece: Piece, looks: list[LayerLook], layout: Layout, encoder: Encoder,
                  options: dict, fonts: Path, transition: str = "fade") -> list[str]:
    """The ffmpeg command that encodes ``piece`` (its output path goes last); a join with xfade's
    ``transition``."""
    inputs: list[str] = []
    for look in looks:
        inputs += ["-framerate", str(FPS), "-i", str(look.picture)]
    return [ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1",
            *inputs, "-filter_complex", piece_graph(piece, looks, layout, fonts, transition), "-map", "[v]", "-an",
            *encoder.args(options["preset"], options["crf"]), "-frames:v", str(piece.frames)]


def run_jobs(jobs: list[Job], progress: ProgressCallback, start: float = 0.0, end: float = 1.0,
             workers: int = WORKERS, halt: threading.Event | None = None, nice: int = 0) -> None:
    """Run ``jobs`` ``workers`` at a time, in order, reporting their frames done between ``start`` and
    ``end``. Progress is reported from this thread only (a store may not be usable from others); if it
    raises (a cancel) or a job fails, every running ffmpeg is stopped and no .part file is left. Once
    ``halt`` is set no further job starts; the running ones finish. ``nice`` > 0 runs each ffmpeg at that lower
    priority."""
    if not jobs:
        return
    total = sum(job.frames for job in jobs) or 1
    running: set[subprocess.Popen] = set()
    stop = threading.Event()
    lock = threading.Lock()

    def one(job: Job) -> None:
        if stop.is_set() or (halt is not None and halt.is_set()):
            return
        while (other := _claim(job.out)) is not None:  # another thread of this process encodes it: wait
            while not other.wait(0.25):
                if stop.is_set():
                    return
        try:
            if job.out.exists():  # made meanwhile (by the film cut ahead): taken as it is
                job.done = job.frames
                return
            make(job)
        finally:  # whatever became of it, no half-written file is left (a made one was renamed)
            job.part.unlink(missing_ok=True)
            _release(job.out)

    def make(job: Job) -> None:
        if job.before is not None:
            job.before()
        reading = writing = None
        if job.feed is not None:  # a pipe of our own for stdin: text=True is for ffmpeg's messages only
            reading, writing = os.pipe()
        process = subprocess.Popen([*job.command, str(job.part)], stdin=reading, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        if nice > 0:  # its threads, started later by its main thread, inherit it
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, process.pid, nice)
        with lock:
            running.add(process)
            if stop.is_set():
                process.kill()
        feeder, failed = None, []
        if writing is not None:
            os.close(reading)
            feeder = threading.Thread(target=_pump, args=(job, process, writing, failed), daemon=True)
            feeder.start()
        try:
            stderr = _follow(process, job)
        finally:
            with lock:
                running.discard(process)
            if feeder is not None:
                feeder.join()
        if failed:
            job.part.unlink(missing_ok=True)
            raise failed[0]
        if process.returncode != 0:
            job.part.unlink(missing_ok=True)
            if stop.is_set():
                return
            lines = stderr.strip().splitlines()
            raise VideoFailed(f"ffmpeg failed: {lines[-1] if lines else 'no output'}")
        os.replace(job.part, job.out)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(one, job) for job in jobs]
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
                for future in finished:
                    future.result()  # a failed job raises here
                done = sum(min(job.done, job.frames) for job in jobs)
                progress(start + (end - start) * done / total, Note("Монтаж: {percent}%", percent=int(100 * done / total)))
        except BaseException:
            stop.set()
            with lock:
                for process in running:
                    process.kill()
            raise
        finally:
            stop.set()


def _claim(out: Path) -> threading.Event | None:
    """None when this thread is to make ``out`` (and ``_release`` it after), else the event of the one making it."""
    with _MAKING_LOCK:
        if out in _MAKING:
            return _MAKING[out]
        _MAKING[out] = threading.Event()
        return None


def _release(out: Path) -> None:
    with _MAKING_LOCK:
        _MAKING.pop(out).set()


def _pump(job: Job, process: subprocess.Popen, fd: int, failed: list[BaseException]) -> None:
    """Write the job's input into ffmpeg's stdin; a failure to make it stops ffmpeg and is kept."""
    try:
        with os.fdopen(fd, "wb") as pipe:
            job.feed(pipe)
    except BrokenPipeError:
        pass  # ffmpeg stopped (killed, or failed: its own message says why)
    except BaseException as exc:  # noqa: BLE001 - raised again in the job's thread
        failed.append(exc)
        process.kill()


def _follow(process: subprocess.Popen, job: Job) -> str:
    """Read ffmpeg's -progress lines into ``job.done`` until it exits; return its stderr."""
    assert process.stdout is not None and process.stderr is not None
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)
    reader.start()
    for line in process.stdout:
        if job.seconds is None:
            match = re.match(r"frame=(\d+)", line)
            if match:
                job.done = int(match.group(1))
        else:
            match = re.match(r"out_time_us=(\d+)", line)
            if match:
                job.done = job.frames * int(match.group(1)) / 1e6 / max(job.seconds, 1e-3)
    process.wait()
    reader.join()
    return errors[0] if errors else ""


def concat_list(segments: list[Path], out: Path) -> Path:
    """The concat demuxer's list of ``segments``, in order."""
    lines = ["ffconcat version 1.0"]
    for path in segments:
        escaped = str(path.resolve()).replace("'", r"'\''")
        lines.append(f"file '{escaped}'")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def prune(folder: Path, keep: set[Path]) -> None:
    """Remove the segments this film does not use (older versions of its scenes, half-written files)."""
    names = {path.name for path in keep}
    for pattern in PATTERNS:
        for path in folder.glob(pattern):
            if path.name not in names:
                path.unlink(missing_ok=True)
