"""`make bench`: the time of each stage for the default tale, each beside the floor it is measured against.

Figures are ratios from one run (this machine is shared and noisy):
- the stage table, and the whole tale against the video's own running time;
- the **encode floor**: a bare x264 encode of the film's own frames at the editor's preset and CRF. The
  finished film is decoded once to raw yuv420p frames in a file (not timed); the floor is the time of
  ``ffmpeg -f rawvideo -i frames.yuv -c:v libx264 ...`` with the editor's encoder settings;
  It is measured twice, after the tale and at the end, and the lower taken (this machine's speed drifts over
  minutes; the lower floor makes the ratios the stricter);
- the **editor alone**: the video stage made again from nothing (its kept segments removed), over the floor
  (wall clock; CPU seconds beside, which other load on the machine disturbs less). In the tale itself the
  editor encodes most pictures while the music is composed (cut_ahead.py), so its stage there is shorter;
- the whole tale over the floor;
- the **redo**: a new picture for one scene, the video stage's time over the editor alone.

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fairytales.pipeline.artifacts import DirectoryStore  # noqa: E402
from fairytales.pipeline.lanes import WORKERS_SETTING, workers  # noqa: E402
from fairytales.pipeline.runner import Redo, Runner  # noqa: E402
from fairytales.pipeline.stages import ORDER  # noqa: E402
from fairytales.pipeline.types import TaleRequest  # noqa: E402
from fairytales.pipeline.video import FPS, HEIGHT, WIDTH  # noqa: E402
from fairytales.pipeline.video.encoder import LIBX264, ffmpeg_exe  # noqa: E402
from fairytales.pipeline.video.ffmpeg import FfmpegEditor  # noqa: E402


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


def bench(title: str, genre: str, scenes: int, seed: int, redo_scene: int) -> dict:
    request = TaleRequest(title, genre, scenes, seed)
    with tempfile.TemporaryDirectory(prefix="bench-") as parent:
        folder = Path(parent) / "tale"  # the editor keeps its segments beside it, in tale.segments
        first = Clock()
        t0 = time.perf_counter()
        video = Runner(request, DirectoryStore(folder, echo=first)).run()
        total = time.perf_counter() - t0
        floors = [floor(video.file("video"), Path(parent))]
        shutil.rmtree(folder.with_name(f"{folder.name}.segments"))  # the editor alone, from nothing
        alone = Clock()
        Runner(request, DirectoryStore(folder, echo=alone), redo=[Redo("video")]).run()
        again = Clock()
        redone = Runner(request, DirectoryStore(folder, echo=again),
                        redo=[Redo("illustration", redo_scene, options={"seed": 999})]).run()
        floors.append(floor(video.file("video"), Path(parent)))
    return {"total": total, "stages": first.spent, "alone": alone.spent, "redo": again.spent, "video": video.meta,
            "redone": redone.meta, "floors": floors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--title", default="Колобок")
    parser.add_argument("--genre", default="сказка")
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redo-scene", type=int, default=3)
    args = parser.parse_args()
    result = bench(args.title, args.genre, args.scenes, args.seed, args.redo_scene)
    total, length = result["total"], result["video"]["duration"]
    floor_wall, floor_cpu = min(result["floors"])
    video_wall, video_cpu = result["alone"]["video"]
    redo_wall, _ = result["redo"]["video"]
    print(f"Default tale «{args.title}» ({args.genre}, {args.scenes} scenes), one run, {os.cpu_count()} cores, "
          f"{workers()} nodes at once ({WORKERS_SETTING}), video encoder {result['video']['encoder']}")
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
          f"file): {floor_wall:.2f} s, {floor_cpu:.2f} cpu s (the lower of "
          f"{' and '.join(f'{wall:.2f}' for wall, _ in result['floors'])} s)")
    print(f"editor alone (the video stage from nothing): {video_wall:.2f} s, {video_cpu:.2f} cpu s")
    print(f"editor alone / floor = {video_wall / floor_wall:.2f} (cpu {video_cpu / floor_cpu:.2f})")
    print(f"whole tale / floor   = {total / floor_wall:.2f}")
    segments = result["redone"].get("segments", {})
    print(f"redo of scene {args.redo_scene}'s picture: video stage {redo_wall:.2f} s / editor alone {video_wall:.2f} s "
          f"= {redo_wall / video_wall:.2f} (segments made {segments.get('made')}, reused {segments.get('reused')})")


if __name__ == "__main__":
    main()
