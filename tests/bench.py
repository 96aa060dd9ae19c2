"""`make bench`: the time of each stage for the default tale, each beside the floor it is measured against.

Figures are ratios from one run (this machine is shared and noisy):
- the stage table, and the whole tale against the video's own running time;
- the **encode floor**: a bare x264 encode of the film's own frames at the editor's preset and CRF. The
  finished film is decoded once to raw yuv420p frames in a file (not timed); the floor is the time of
  ``ffmpeg -f rawvideo -i frames.yuv -c:v libx264 ...`` with the editor's encoder settings;
- the **editor alone**: the video stage made again from nothing (its kept segments removed), over the floor
  (wall clock; CPU seconds beside, which other load on the machine disturbs less). In the tale itself the
  editor encodes most pictures while the music is composed (cut_ahead.py), so its stage there is shorter;
- the whole tale over the floor;
- the **redo**: a new picture for one scene, the video stage's time over the editor alone.

This machine's speed drifts by a third over an hour, so a ratio is only fair between figures taken minutes
apart: each round (``--rounds``; ``make bench`` makes ``BENCH_ROUNDS``, 3) makes the tale, then the floor,
the editor alone and the redo, and its ratios use its own figures; with several rounds the bench prints each
round's and their median.

The runner makes several nodes at once (``VIDEOTALES_WORKERS``, default the cores): the voices and pictures
together, then the music beside the film's first segments, so stages' seconds overlap (each one's "cpu s" is the
whole process's over its span, the others' included) and the table no longer adds up to the whole tale.
``VIDEOTALES_WORKERS=1 make bench`` measures one node at a time (and no head start).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fairytales.pipeline.artifacts import DirectoryStore
from fairytales.pipeline.lanes import WORKERS_SETTING, workers
from fairytales.pipeline.runner import Redo, Runner
from fairytales.pipeline.stages import ORDER
from fairytales.pipeline.types import TaleRequest
from fairytales.pipeline.video import FPS, HEIGHT, WIDTH
from fairytales.pipeline.video.encoder import LIBX264, ffmpeg_exe
from fairytales.pipeline.video.ffmpeg import FfmpegEditor


def cpu() -> float:
    """CPU seconds of this process and its children (ffmpeg, the runner's narrating worker) so far: the finished
    ones' from the kernel, the live ones' from psutil."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    live = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
            live += times.user + times.system
        except psutil.Error:  # it has just ended: the kernel counts it once it is waited for
            continue
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + live


class Clock:
    """Wall and CPU seconds of each stage, from the store's reports."""

    def __init__(self):
        self.started: dict[str, tuple[float, float]] = {}
        self.spent: dict[str, tuple[float, float]] = {}

    def __call__(self, stage, status, fraction, message):
        if status == "running" and stage not in self.started:
            self.started[stage] = (time.perf_counter(), cpu())
        elif status in ("done", "failed") and stage in self.started:
            wall, used = self.started[stage]
            self.spent[stage] = (time.perf_counter() - wall, cpu() - used)


def floor(video: Path, work: Path) -> tuple[float, float]:
    """Wall and CPU seconds of x264 alone on ``video``'s frames, with the editor's own settings."""
    options = FfmpegEditor().options()
    frames = work / "frames.yuv"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "yuv420p",
                    str(frames)], check=True)
    command = [ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p",
               "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", str(frames),
               *LIBX264.args(options["preset"], options["crf"]), str(work / "floor.mp4")]
    try:
        wall, used = time.perf_counter(), cpu()
        subprocess.run(command, check=True)
        return time.perf_counter() - wall, cpu() - used
    finally:
        frames.unlink(missing_ok=True)


def one_round(request: TaleRequest, redo_scene: int) -> dict:
    """The tale made, then the floor, the editor alone and the redo, one after another."""
    with tempfile.TemporaryDirectory(prefix="bench-") as parent:
        folder = Path(parent) / "tale"  # the editor keeps its segments beside it, in tale.segments
        first = Clock()
        t0 = time.perf_counter()
        video = Runner(request, DirectoryStore(folder, echo=first)).run()
        total = time.perf_counter() - t0
        floor_wall, floor_cpu = floor(video.file("video"), Path(parent))
        shutil.rmtree(folder.with_name(f"{folder.name}.segments"))  # the editor alone, from nothing
        alone = Clock()
        Runner(request, DirectoryStore(folder, echo=alone), redo=[Redo("video")]).run()
        again = Clock()
        redone = Runner(request, DirectoryStore(folder, echo=again),
                        redo=[Redo("illustration", redo_scene, options={"seed": 999})]).run()
    alone_wall, alone_cpu = alone.spent["video"]
    return {"total": total, "stages": first.spent, "video": video.meta, "redone": redone.meta,
            "floor": (floor_wall, floor_cpu), "alone": (alone_wall, alone_cpu),
            "redo": again.spent["video"][0],
            "ratios": {"editor alone / floor": alone_wall / floor_wall,
                       "editor alone / floor, cpu": alone_cpu / floor_cpu,
                       "whole tale / floor": total / floor_wall,
                       "redo / editor alone": again.spent["video"][0] / alone_wall}}


def report(args: argparse.Namespace, result: dict) -> None:
    """One round's stage table and figures."""
    total, length = result["total"], result["video"]["duration"]
    floor_wall, floor_cpu = result["floor"]
    video_wall, video_cpu = result["alone"]
    print(f"{'stage':<14}{'seconds':>9}{'share':>8}{'cpu s':>9}")
    for stage in ORDER:
        wall, used = result["stages"].get(stage, (0.0, 0.0))
        print(f"{stage:<14}{wall:>9.2f}{wall / total:>8.0%}{used:>9.2f}")
    print(f"{'whole tale':<14}{total:>9.2f}")
    print(f"video length  {length:>9.2f}")
    ratio = total / length
    print(f"making time / video length = {ratio:.2f} ({'faster' if ratio < 1 else 'slower'} than real time)")
    ahead = result["video"].get("segments", {})
    print(f"in the tale the editor found {ahead.get('reused')} of {ahead.get('made', 0) + ahead.get('reused', 0)} "
          f"segments encoded while the music was composed")
    print(f"encode floor (x264 {FfmpegEditor().options()['preset']} of the film's own frames, raw frames from a "
          f"file): {floor_wall:.2f} s, {floor_cpu:.2f} cpu s")
    print(f"editor alone (the video stage from nothing): {video_wall:.2f} s, {video_cpu:.2f} cpu s")
    ratios = result["ratios"]
    print(f"editor alone / floor = {ratios['editor alone / floor']:.2f} "
          f"(cpu {ratios['editor alone / floor, cpu']:.2f})")
    print(f"whole tale / floor   = {ratios['whole tale / floor']:.2f}")
    segments = result["redone"].get("segments", {})
    print(f"redo of scene {args.redo_scene}'s picture: video stage {result['redo']:.2f} s / editor alone "
          f"{video_wall:.2f} s = {ratios['redo / editor alone']:.2f} (segments made {segments.get('made')}, "
          f"reused {segments.get('reused')})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--title", default="Колобок")
    parser.add_argument("--genre", default="сказка")
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redo-scene", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of tale, floor, editor alone and redo, one after another")
    args = parser.parse_args()
    request = TaleRequest(args.title, args.genre, args.scenes, args.seed)
    results = []
    for number in range(1, args.rounds + 1):
        results.append(one_round(request, args.redo_scene))
        if number == 1:
            encoder = results[0]["video"]["encoder"]
            print(f"Default tale «{args.title}» ({args.genre}, {args.scenes} scenes), "
                  f"{os.cpu_count()} cores, {workers()} nodes at once ({WORKERS_SETTING}), "
                  f"video encoder {encoder}")
        print(f"\n— round {number} of {args.rounds}")
        report(args, results[-1])
        sys.stdout.flush()
    if len(results) > 1:
        print(f"\n— {len(results)} rounds: each ratio's median (and range)")
        for name in results[0]["ratios"]:
            values = [result["ratios"][name] for result in results]
            print(f"{name:<28}{statistics.median(values):>6.2f}  ({min(values):.2f}–{max(values):.2f})")


if __name__ == "__main__":
    main()
