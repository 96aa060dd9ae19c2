"""The runner's store in the site: artifacts as rows, progress as StageRun rows sent to watchers."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fairytales.pipeline.artifacts import Artifact as Result
from fairytales.pipeline.artifacts import checksum, next_version
from fairytales.pipeline.notes import Note

from . import broadcast
from .models import Artifact, StageRun, Tale
from .reconnect import reconnecting
from .snapshot import artifact_message
from .where import this_worker

HEARTBEAT_EVERY = 5.0  # seconds
PREVIEW_EVERY = 2.0  # seconds between the pictures-in-progress a scene sends to its watchers


class TaleStore:
    def __init__(self, tale: Tale, token=None):
        self.tale = tale
        self.token = token  # the claim of the worker using this store
        self._beat = 0.0
        self._previews: dict[tuple[str, int], tuple[float, int]] = {}  # (stage, scene) -> (when, how many)
        self.folder = tale.folder
        self.folder.mkdir(parents=True, exist_ok=True)

    @reconnecting
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

    @reconnecting
    def save(self, result: Result) -> None:
        media = Path(settings.MEDIA_ROOT)
        result.meta.setdefault("made_by", this_worker())  # the staff see where each result was made
        with transaction.atomic():
            versions = Artifact.objects.filter(tale=self.tale, stage=result.stage, scene=result.scene)
            version = (versions.order_by("-version").values_list("version", flat=True).first() or 0) + 1
            versions.update(is_current=False)
            row = Artifact.objects.create(
                tale=self.tale, stage=result.stage, scene=result.scene, version=version,
                backend=result.backend, model=result.model or "", options=result.options, meta=result.meta,
                files={role: str(path.relative_to(media)) for role, path in result.files.items()},
                checksums={role: checksum(path) for role, path in result.files.items()},
            )
            if result.stage == "video":
                Tale.objects.filter(pk=self.tale.pk).update(duration=result.meta.get("duration"))
        self._show(row)

    @reconnecting
    def choose(self, stage: str, scene: int | None, version: int) -> None:
        """Make an earlier version current again (its files are all kept)."""
        with transaction.atomic():
            chosen = Artifact.objects.filter(tale=self.tale, stage=stage, scene=scene, version=version)
            if chosen.exists():
                Artifact.objects.filter(tale=self.tale, stage=stage, scene=scene).update(is_current=False)
                chosen.update(is_current=True)
        row = chosen.first()
        if row is not None:
            self._show(row)

    def _show(self, row: Artifact) -> None:
        """Send a result to the tale's watchers as it lands, so they see the tale take shape."""
        message = artifact_message(row)
        if message:
            broadcast.send(self.tale.group_name, message)

    @reconnecting
    def preview(self, stage: str, scene: int, picture) -> None:
        """A picture still being drawn (a PIL image), for the watchers only: not an artifact, one file a scene,
        overwritten; at most one every PREVIEW_EVERY seconds. The saved picture replaces it on the page."""
        when, count = self._previews.get((stage, scene), (0.0, 0))
        if time.monotonic() - when < PREVIEW_EVERY:
            return
        self._previews[(stage, scene)] = (time.monotonic(), count + 1)
        path = self.folder / f"preview-{scene}.png"
        part = path.with_name(f"preview-{scene}.part.png")
        picture.save(part, "PNG")
        part.replace(path)
        url = reverse("tales:tale_file", args=[self.tale.pk, path.name])
        broadcast.send(self.tale.group_name, {"type": "artifact", "stage": stage, "scene": scene, "preview": True,
                                              "url": f"{url}?n={count + 1}"})  # a new address: the page loads it

    @reconnecting
    def report(self, stage: str, status: str, fraction: float = 0.0, message: str = "", error: str = "",
               detail: str = "") -> None:
        now = timezone.now()
        run, _ = StageRun.objects.get_or_create(tale=self.tale, stage=stage)
        if status == StageRun.Status.RUNNING and run.status != StageRun.Status.RUNNING:
            run.started, run.finished = now, None
        if status in (StageRun.Status.DONE, StageRun.Status.FAILED):
            run.finished = now
        run.status, run.fraction, run.message, run.error, run.detail = status, fraction, message[:300], error, detail
        # the words as a code and parameters too, so each reader sees them in their language (tales/i18n.py)
        run.note = message.to_dict() if isinstance(message, Note) else {}
        run.error_note = error.to_dict() if isinstance(error, Note) else {}
        run.save()
        if time.monotonic() - self._beat > HEARTBEAT_EVERY:
            self._beat = time.monotonic()
            Tale.objects.filter(pk=self.tale.pk).update(heartbeat=now)
        broadcast.send(self.tale.group_name, {"type": "stage", **run.as_message()})

    @reconnecting
    def cancelled(self) -> bool:
        """The owner cancelled, or this worker lost the tale (it went silent and was resumed elsewhere)."""
        state = Tale.objects.filter(pk=self.tale.pk).values("status", "run_token").first()
        if state is None or state["status"] == Tale.Status.CANCELLED:
            return True
        return self.token is not None and state["run_token"] != self.token
