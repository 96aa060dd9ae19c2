"""`make bench`: the time of each stage for the default tale, and the whole against the video's length.

Figures are ratios from one run (this machine is shared and noisy): a stage's share of the whole,
and the whole tale's time over the video's own running time (below 1 means faster than real time).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fairytales.pipeline.artifacts import DirectoryStore  # noqa: E402
from fairytales.pipeline.runner import Runner  # noqa: E402
from fairytales.pipeline.stages import ORDER  # noqa: E402
from fairytales.pipeline.types import TaleRequest  # noqa: E402


def bench(title: str, genre: str, scenes: int, seed: int) -> dict:
    started: dict[str, float] = {}
    spent: dict[str, float] = {}

    def echo(stage, status, fraction, message):
        if status == "running" and stage not in started:
            started[stage] = time.perf_counter()
        elif status in ("done", "failed") and stage in started:
            spent[stage] = time.perf_counter() - started[stage]

    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        video = Runner(TaleRequest(title, genre, scenes, seed), DirectoryStore(Path(folder), echo=echo)).run()
        total = time.perf_counter() - t0
    return {"total": total, "stages": spent, "video_seconds": video.meta["duration"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--title", default="Колобок")
    parser.add_argument("--genre", default="сказка")
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = bench(args.title, args.genre, args.scenes, args.seed)
    total = result["total"]
    print(f"Default tale «{args.title}» ({args.genre}, {args.scenes} scenes), one run, {os.cpu_count()} cores")
    print(f"{'stage':<14}{'seconds':>9}{'share':>8}")
    for stage in ORDER:
        seconds = result["stages"].get(stage, 0.0)
        print(f"{stage:<14}{seconds:>9.2f}{seconds / total:>8.0%}")
    print(f"{'whole tale':<14}{total:>9.2f}")
    print(f"video length  {result['video_seconds']:>9.2f}")
    ratio = total / result["video_seconds"]
    print(f"making time / video length = {ratio:.2f} ({'faster' if ratio < 1 else 'slower'} than real time)")


if __name__ == "__main__":
    main()
