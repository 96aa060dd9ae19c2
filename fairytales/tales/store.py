"""The runner's store in the site: artifacts as rows, progress as StageRun rows sent to watchers."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fairytales.pipeline.artifacts import Artifact as Result
from fairytales.pipeline.artifacts import checksum, next_version

from . import broadcast
from .models import Artifact, StageRun, Tale


HEARTBEAT_EVERY = 5.0  # seconds


class TaleStore:
    def __init__(self, tale: Tale, token=None):
        self.tale = tale
        self.token = token  # the claim of the worker using this store
        self._beat = 0.0
        self.folder = tale.folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def current(self, stage: str, scene: int | None = None) -> Result | None:
        row = self.tale.current(stage, scene)
        if row is None or not all(row.path(role).exists() for role in row.files):
            return None
        return Result(stage=stage, scene=scene, files={r: row.path(r) for r in row.files}, meta=row.meta,
                      backend=row.backend, model=row.model or None, options=row.options)

    def path_for(self, stage: str, scene: int | None, filename: str) -> Path:
        stem, _, ext = filename.rpartition(".")
        stem = stem if scene is None else f"{stem}-{scene}"
        return self.folder / f"{stem}-v{next_version(self.folder, stem)}.{ext}"

    def save(self, result: Result) -> None:
        media = Path(settings.MEDIA_ROOT)
        with transaction.atomic():
            versions = Artifact.objects.filter(tale=self.tale, stage=result.stage, scene=result.scene)
            version = (versions.order_by("-version").values_list("version", flat=True).first() or 0) + 1
            versions.update(is_current=False)
            Artifact.objects.create(
                tale=self.tale, stage=result.stage, scene=result.scene, version=version,
                backend=result.backend, model=result.model or "", options=result.options, meta=result.meta,
                files={role: str(path.relative_to(media)) for role, path in result.files.items()},
                checksums={role: checksum(path) for role, path in result.files.items()},
            )
            if result.stage == "video":
                Tale.objects.filter(pk=self.tale.pk).update(duration=result.meta.get("duration"))

    def choose(self, stage: str, scene: int | None, version: int) -> None:
        """Make an earlier version current again (its files are all kept)."""
        with transaction.atomic():
            chosen = Artifact.objects.filter(tale=self.tale, stage=stage, scene=scene, version=version)
            if chosen.exists():
                Artifact.objects.filter(tale=self.tale, stage=stage, scene=scene).update(is_current=False)
                chosen.update(is_current=True)

    def report(self, stage: str, status: str, fraction: float = 0.0, message: str = "", error: str = "",
               detail: str = "") -> None:
        now = timezone.now()
        run, _ = StageRun.objects.get_or_create(tale=self.tale, stage=stage)
        if status == StageRun.Status.RUNNING and run.status != StageRun.Status.RUNNING:
            run.started, run.finished = now, None
        if status in (StageRun.Status.DONE, StageRun.Status.FAILED):
            run.finished = now
        run.status, run.fraction, run.message, run.error, run.detail = status, fraction, message[:300], error, detail
        run.save()
        if time.monotonic() - self._beat > HEARTBEAT_EVERY:
            self._beat = time.monotonic()
            Tale.objects.filter(pk=self.tale.pk).update(heartbeat=now)
        broadcast.send(self.tale.group_name, {"type": "stage", **run.as_message()})

    def cancelled(self) -> bool:
        """The owner cancelled, or this worker lost the tale (it went silent and was resumed elsewhere)."""
        state = Tale.objects.filter(pk=self.tale.pk).values("status", "run_token").first()
        if state is None or state["status"] == Tale.Status.CANCELLED:
            return True
        return self.token is not None and state["run_token"] != self.token
