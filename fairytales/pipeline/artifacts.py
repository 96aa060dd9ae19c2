"""What the runner asks of wherever results are kept (the database in the site, a folder on the
command line): the current result of each node, fresh paths for new versions, and progress."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass
class Artifact:
    stage: str
    scene: int | None  # None for tale-wide stages
    files: dict[str, Path]  # role -> file, e.g. {"video": ..., "poster": ...}
    meta: dict[str, Any] = field(default_factory=dict)
    backend: str = ""
    model: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def file(self, role: str | None = None) -> Path:
        return self.files[role] if role else next(iter(self.files.values()))


class Store(Protocol):
    def current(self, stage: str, scene: int | None = None) -> Artifact | None: ...

    def path_for(self, stage: str, scene: int | None, filename: str) -> Path:
        """A path no earlier version uses: results are never overwritten."""
        ...

    def save(self, artifact: Artifact) -> None: ...

    def report(self, stage: str, status: str, fraction: float = 0.0, message: str = "",
               error: str = "", detail: str = "") -> None:
        """A stage's progress; on failure ``error`` is for everyone who sees the tale, ``detail`` for its owner."""

    def cancelled(self) -> bool: ...


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def next_version(folder: Path, stem: str) -> int:
    """1 + the highest version of ``stem`` already in ``folder`` (files ``stem-vN.ext``)."""
    versions = [int(p.stem.rsplit("-v", 1)[1]) for p in folder.glob(f"{stem}-v*.*")
                if p.stem.rsplit("-v", 1)[1].isdigit()]
    return max(versions, default=0) + 1


class DirectoryStore:
    """Results in a folder with a manifest: what ``make_tale`` uses, and the pipeline's tests."""

    def __init__(self, root: Path, echo=None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.manifest = self.root / "manifest.json"
        self.echo = echo
        self._current: dict[str, dict] = json.loads(self.manifest.read_text()) if self.manifest.exists() else {}

    @staticmethod
    def _key(stage: str, scene: int | None) -> str:
        return stage if scene is None else f"{stage}/{scene}"

    def current(self, stage: str, scene: int | None = None) -> Artifact | None:
        data = self._current.get(self._key(stage, scene))
        if data is None:
            return None
        return Artifact(stage=stage, scene=scene, files={k: self.root / v for k, v in data["files"].items()},
                        meta=data["meta"], backend=data["backend"], model=data["model"], options=data["options"])

    def path_for(self, stage: str, scene: int | None, filename: str) -> Path:
        stem, _, ext = filename.rpartition(".")
        stem = stem if scene is None else f"{stem}-{scene}"
        return self.root / f"{stem}-v{next_version(self.root, stem)}.{ext}"

    def save(self, artifact: Artifact) -> None:
        self._current[self._key(artifact.stage, artifact.scene)] = {
            "files": {k: str(v.relative_to(self.root)) for k, v in artifact.files.items()},
            "meta": artifact.meta, "backend": artifact.backend, "model": artifact.model,
            "options": artifact.options,
        }
        tmp = self.manifest.with_suffix(".part")
        tmp.write_text(json.dumps(self._current, ensure_ascii=False, indent=1))
        tmp.replace(self.manifest)

    def report(self, stage: str, status: str, fraction: float = 0.0, message: str = "", error: str = "",
               detail: str = "") -> None:
        if self.echo:
            self.echo(stage, status, fraction, message or (f"{error} ({detail})" if detail else error))

    def cancelled(self) -> bool:
        return False
