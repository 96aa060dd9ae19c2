"""A frequency list of Russian word forms counted in public-domain literature.

The dictionary proofreader takes a word as correct when either pymorphy3 or this list knows it
(pymorphy3 misses many literary forms, e.g. «меряться»), and ranks its corrections by these counts.
Built by ``python -m fairytales.pipeline.proofread.lexicon CORPUS`` from ../shared/data/ru_literature.txt.xz.
"""

from __future__ import annotations

import argparse
import collections
import functools
import lzma
import re
from pathlib import Path

PATH = Path(__file__).parent / "data" / "lexicon.tsv.xz"
WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)*")


@functools.cache
def counts() -> dict[str, int]:
    """word form -> count; empty when the list has not been built."""
    if not PATH.exists():
        return {}
    with lzma.open(PATH, "rt", encoding="utf-8") as handle:
        return {word: int(count) for word, _, count in (line.rstrip("\n").partition("\t") for line in handle)}


def build(corpus: Path, out: Path = PATH, min_count: int = 3) -> int:
    counter: collections.Counter[str] = collections.Counter()
    opener = lzma.open if corpus.suffix == ".xz" else open
    with opener(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            counter.update(WORD.findall(line.lower()))
    kept = sorted(((w, c) for w, c in counter.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
    out.parent.mkdir(parents=True, exist_ok=True)
    with lzma.open(out, "wt", encoding="utf-8", preset=9) as handle:
        handle.writelines(f"{word}\t{count}\n" for word, count in kept)
    return len(kept)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--min-count", type=int, default=3)
    args = parser.parse_args()
    print(f"{build(args.corpus, min_count=args.min_count)} word forms -> {PATH}")
