"""The tales a story model is fine-tuned on: JSONL, CSV or a folder of .txt files, read into ``Tale``s, with
the seed's likes filter and a held-out split. No torch here: the command checks its data before loading a model.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import genres


@dataclass(frozen=True)
class Tale:
    title: str
    genre: str
    text: str
    likes: int | None = None


def read_tales(source: str | Path, *, min_likes: int | None = None, genre: str | None = None,
               stats: dict | None = None) -> list[Tale]:
    """The tales in ``source`` (a .jsonl/.json/.csv/.tsv file or a folder of .txt files), without empty
    ones and, when ``min_likes`` is given, only those with at least that many likes (a tale with no likes
    field is then left out). A tale without a genre gets ``genre`` (default: the default genre's).
    ``stats``, when given, is filled with what was read and left out."""
    source = Path(source).expanduser()
    fallback = genres.normalise(genre) if genre and genres.find(genre) else (genre or genres.DEFAULT.name)
    if source.is_dir():
        rows = list(_txt_rows(source))
    elif not source.is_file():
        raise FileNotFoundError(f"no file or folder {source}")
    elif source.suffix.lower() in (".jsonl", ".ndjson"):
        rows = list(_jsonl_rows(source))
    elif source.suffix.lower() == ".json":
        data = json.loads(source.read_text("utf-8"))
        rows = data.get("tales", []) if isinstance(data, dict) else data
    elif source.suffix.lower() in (".csv", ".tsv"):
        with source.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t" if source.suffix.lower() == ".tsv" else ","))
    else:
        raise ValueError(f"{source}: not a .jsonl, .json, .csv or .tsv file, nor a folder of .txt files")
    counts = {"read": 0, "empty": 0, "below_min_likes": 0, "no_likes": 0}
    tales = []
    for row in rows:
        counts["read"] += 1
        if not isinstance(row, dict):
            raise ValueError(f"{source}: a tale must be an object with title and text, not {row!r:.60}")
        title, text = _clean_line(row.get("title")), _clean_text(row.get("text"))
        if not title or not text:
            counts["empty"] += 1
            continue
        likes = _likes(row.get("likes"))
        if min_likes is not None:
            if likes is None:
                counts["no_likes"] += 1
                continue
            if likes < min_likes:
                counts["below_min_likes"] += 1
                continue
        tales.append(Tale(title=title, genre=_genre(row.get("genre"), fallback), text=text, likes=likes))
    counts["kept"] = len(tales)
    if stats is not None:
        stats.update(counts)
    return tales


def _jsonl_rows(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc


def _txt_rows(folder: Path) -> Iterable[dict]:
    """One tale per .txt file: its first non-empty line is the title, a «Жанр: …» line may follow."""
    for path in sorted(folder.rglob("*.txt")):
        lines = path.read_text("utf-8", errors="replace").splitlines()
        while lines and not lines[0].strip():
            lines.pop(0)
        if not lines:
            continue
        title, rest = lines[0], lines[1:]
        genre = None
        while rest and not rest[0].strip():
            rest.pop(0)
        if rest and re.match(r"^\s*Жанр\s*:", rest[0]):
            genre = rest.pop(0).split(":", 1)[1]
        yield {"title": title, "genre": genre, "text": "\n".join(rest)}


def _clean_line(value) -> str:
    return " ".join(str(value or "").split())


def _clean_text(value) -> str:
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _likes(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _genre(value, fallback: str) -> str:
    """A genre the table knows in its own spelling («Фэнтези» → «фэнтези»), another as written."""
    name = _clean_line(value)
    if not name:
        return fallback
    return genres.normalise(name) if genres.find(name) else name


def split_heldout(tales: list[Tale], fraction: float, seed: int) -> tuple[list[Tale], list[Tale]]:
    """(training tales, held-out tales): whole tales are held out, ``fraction`` of them and at least one."""
    if len(tales) < 2:
        raise ValueError(f"{len(tales)} tale(s): at least two are needed, one to train on and one to hold out")
    order = list(range(len(tales)))
    random.Random(seed).shuffle(order)
    count = min(len(tales) - 1, max(1, round(fraction * len(tales))))
    held = set(order[:count])
    return [t for i, t in enumerate(tales) if i not in held], [tales[i] for i in sorted(held)]
