"""A tale, the files its stages made (artifacts, every version kept) and the progress of each stage."""

from __future__ import annotations

import json
import random
from collections import Counter
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fairytales.pipeline import genres, languages, registry, stages

from . import i18n

# The stages whose earlier versions the owner may bring back (a picture, a voice, the music); the video is
# then cut again. The text stages are redone, not restored: everything after them would change.
RESTORABLE = (*stages.PER_SCENE, "music")


class TaleQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(status__in=[Tale.Status.QUEUED, Tale.Status.RUNNING])

    def quota_problem(self, user, kind: str = "new", tale: Tale | None = None) -> str | None:
        """Why ``user`` may not ask for another run of kind ``kind`` (RunLog.Kind) now, or None.

        Every run counts against the caps on queued runs (RUNS_PER_TALE on ``tale``, RUNS_PER_USER on all
        the user's tales) and against RUNS_PER_DAY; a new tale also against TALES_AT_ONCE and TALES_PER_DAY.
        The days count RunLog rows, which deleting a tale does not remove. Atomic only under the owner's
        lock (tasks.lock_owner): the form asks early for its message, tasks.start asks again, locked.
        """
        since = timezone.now() - timezone.timedelta(days=1)
        mine = self.filter(owner=user)
        if tale is not None and tale.pk:
            mine = mine.exclude(pk=tale.pk)
        if kind == RunLog.Kind.NEW:
            at_once, per_day = settings.TALES_AT_ONCE, settings.TALES_PER_DAY
            if mine.in_progress().count() >= at_once:
                return _("У вас уже создаётся сказок: {count}. Дождитесь, пока одна из них будет готова.").format(count=at_once)
            made = max(RunLog.objects.filter(user=user, kind=RunLog.Kind.NEW, created__gte=since).count(),
                       mine.filter(created__gte=since).count())
            if made >= per_day:
                return _("За сутки можно создать не больше {count} сказок. Попробуйте завтра.").format(count=per_day)
        elif tale is not None:
            per_tale = settings.RUNS_PER_TALE
            if len(tale.run_queue) >= per_tale:
                return _("У этой сказки очередь заполнена: не больше {count} запусков сразу. "
                         "Дождитесь, пока они выполнятся, и попробуйте снова.").format(count=per_tale)
        per_user = settings.RUNS_PER_USER
        queued = sum(len(queue) for queue in self.filter(owner=user).in_progress().values_list("run_queue", flat=True))
        if queued >= per_user:
            return _("Ваша очередь заполнена: не больше {count} запусков на все ваши сказки сразу. "
                     "Дождитесь, пока они выполнятся, и попробуйте снова.").format(count=per_user)
        per_day = settings.RUNS_PER_DAY
        if RunLog.objects.filter(user=user, created__gte=since).count() >= per_day:
            return _("За сутки можно запустить не больше {count} сказок и переделок. Попробуйте завтра.").format(count=per_day)
        return None


class Tale(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("tale", "В очереди")
        RUNNING = "running", pgettext_lazy("tale", "Создаётся")
        DONE = "done", pgettext_lazy("tale", "Готова")
        FAILED = "failed", pgettext_lazy("tale", "Ошибка")
        CANCELLED = "cancelled", pgettext_lazy("tale", "Отменена")

    # the stored value is the genre's Russian name (the pipeline's data); the label is translated
    GENRE_CHOICES = [(name, gettext_lazy(name.capitalize())) for name in genres.NAMES]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tales")
    title = models.CharField(gettext_lazy("название"), max_length=80)
    genre = models.CharField(gettext_lazy("жанр"), max_length=32, choices=GENRE_CHOICES, default=genres.DEFAULT.name)
    scene_count = models.PositiveSmallIntegerField(gettext_lazy("сцен"), default=6)
    # the language the tale is told in, and the further ones its film carries subtitle tracks in (codes of
    # pipeline.languages; each shown by its own name, as a language switcher shows it)
    language = models.CharField(gettext_lazy("язык сказки"), max_length=8, default=languages.DEFAULT,
                                choices=list(languages.NAMES.items()))
    subtitles = models.JSONField(gettext_lazy("субтитры на других языках"), default=list, blank=True)
    seed = models.PositiveIntegerField(default=0)
    choices = models.JSONField(default=dict, blank=True)  # stage -> {"backend", "model", "options"}
    is_public = models.BooleanField(gettext_lazy("в галерее"), default=True)
    is_hidden = models.BooleanField(gettext_lazy("скрыта модератором"), default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)  # what anyone who sees the tale reads about a failure
    error_note = models.JSONField(default=dict, blank=True)  # the same as a code and parameters (pipeline.notes)
    error_detail = models.TextField(blank=True)  # the exception itself: for the owner, staff and the log
    # Runs waiting for this tale, each a list of redo requests (an empty list: make what is missing).
    # The worker that holds the tale drains them in order, so two redos never interleave.
    run_queue = models.JSONField(default=list, blank=True)
    duration = models.FloatField(null=True, blank=True)  # of the current video, seconds
    # Which worker holds the tale and when it last said so: a run whose heartbeat stops (a killed
    # worker, a restarted machine) is taken back and resumed; a stale holder sees its token gone.
    run_token = models.UUIDField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    # "cluster host:pid" of the worker process that holds it, for the staff's workers page (tasks.make_tale)
    worker = models.CharField(max_length=200, blank=True)
    # The django-q2 task queued for this tale (its argument), None while none is: at most one tale of a
    # user has one at a time, the others wait their turn here, oldest ``queued_at`` first (tasks.py).
    # A task whose token is no longer here (django-q2 re-delivering a dead one) does nothing.
    dispatch = models.UUIDField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker started the first queued run; back to 0 when that run ends. A run whose
    # worker dies (or times out) twice ends failed instead of starting a third time.
    attempts = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)

    objects = TaleQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "is_public", "is_hidden", "-created"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.seed:
            self.seed = random.randrange(1, 2**31)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("tales:tale", args=[self.pk])

    @property
    def folder(self) -> Path:
        """Where the tale's files are; it goes with the row however the row goes (signals.remove_folder)."""
        return Path(settings.MEDIA_ROOT) / "tales" / self.pk.hex

    @property
    def group_name(self) -> str:
        """The channel group that watchers of this tale join (ASCII, as Channels requires)."""
        return f"tale-{self.pk.hex}"

    def can_view(self, user) -> bool:
        """Page, files and websocket alike: a private tale is its owner's; a tale a moderator hid is its
        owner's and staff's."""
        if user.is_authenticated and user.pk == self.owner_id:
            return True
        if not self.is_public:
            return False
        return not self.is_hidden or (user.is_authenticated and user.is_staff)

    def can_see_details(self, user) -> bool:
        """Whether ``user`` may read why a stage failed in full (exception text, paths): owner and staff."""
        return user.is_authenticated and (user.pk == self.owner_id or user.is_staff)

    def failure_details(self) -> list[tuple[str, str]]:
        """(where, what) of every failure on record, for the owner's expandable block."""
        found = [(run.label, run.detail) for run in self.stage_runs.exclude(detail="")]
        if self.error_detail and all(detail != self.error_detail for _, detail in found):
            found.append((_("Сказка целиком"), self.error_detail))
        return found

    @property
    def public_error(self) -> str:
        """``error`` in the reader's language."""
        return i18n.localized(self.error, self.error_note)

    @property
    def genre_label(self) -> str:
        return self.get_genre_display()

    def can_edit(self, user) -> bool:
        return user.is_authenticated and user.pk == self.owner_id

    @property
    def duration_label(self) -> str:
        minutes, seconds = divmod(round(self.duration or 0), 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def current(self, stage: str, scene: int | None = None) -> "Artifact | None":
        return self.artifacts.filter(stage=stage, scene=scene, is_current=True).first()

    @property
    def video(self) -> "Artifact | None":
        return self.current("video")

    def story_text(self) -> str:
        """The story as the page shows it: proofread when that stage has run, else as written; "" before. Once
        its owner has rewritten a scene, the scenes' texts in turn: the story the film tells."""
        scenes = self.current("scenes")
        if scenes is not None and scenes.meta.get("rewritten"):
            return "\n\n".join(scene["text"] for scene in self._scenes())
        story = self.current("proofread") or self.current("story")
        return story.path("text").read_text("utf-8") if story else ""

    def story_paragraphs(self) -> list[str]:
        return [paragraph for paragraph in self.story_text().split("\n\n") if paragraph.strip()]

    @property
    def scenes_made(self) -> int:
        """How many scenes the current split has (0 before the scenes stage ran)."""
        scenes = self.current("scenes")
        return scenes.meta.get("count", 0) if scenes else 0

    def scene_texts(self) -> list[str]:
        """The current scenes' texts, in order (none before the scenes stage ran)."""
        return [scene["text"] for scene in self._scenes()]

    def _scenes(self) -> list[dict]:
        scenes = self.current("scenes")
        return json.loads(scenes.path("scenes").read_text("utf-8")) if scenes else []

    def scene_cards(self) -> list[dict]:
        """Each scene as its page shows it: text, prompt, current picture, and every picture it had."""
        scenes_artifact = self.current("scenes")
        if scenes_artifact is None:
            return []
        scenes = json.loads(scenes_artifact.path("scenes").read_text("utf-8"))
        pictures: dict[int, list[Artifact]] = {}
        for artifact in self.artifacts.filter(stage="illustration").order_by("scene", "-version"):
            pictures.setdefault(artifact.scene, []).append(artifact)
        option = self.narrator().voice_option  # the voice each scene is read by: its redo form offers it first
        voices = {narration.scene: (narration.options or {}).get(option) for narration in
                  self.artifacts.filter(stage="narration", is_current=True, scene__isnull=False)}
        cards = []
        for scene in scenes:
            history = pictures.get(scene["index"], [])
            current = next((a for a in history if a.is_current), None)
            prompt = current.meta.get("prompt", scene["prompt"]) if current else scene["prompt"]
            cards.append({"index": scene["index"], "text": scene["text"], "prompt": prompt,
                          "current": current, "history": history, "voice": voices.get(scene["index"])})
        return cards

    def shot_counts(self) -> dict[int, int]:
        """{scene: how many shots its current picture has} (pipeline/shots.py; one for a picture of one)."""
        return {picture.scene: max(1, len(picture.meta.get("shots") or []))
                for picture in self.artifacts.filter(stage="illustration", is_current=True, scene__isnull=False)}

    @property
    def language_name(self) -> str:
        """The tale's language by its own name («English»), whatever the reader's language."""
        return languages.NAMES.get(self.language, self.language)

    def subtitle_tracks(self) -> list[dict]:
        """The current film's subtitle tracks (its ``vtt_<code>`` files), the tale's own language first: what
        the player's ``<track>`` elements need. The track of the language burned into the picture is never the
        default (it is already on screen); with none burned in, the tale's own track is."""
        video = self.video
        if video is None:
            return []
        codes = [role.removeprefix("vtt_") for role in video.files if role.startswith("vtt_")]
        order = [code for code in video.meta.get("subtitles", []) if code in codes]
        order += sorted(code for code in codes if code not in order)
        order.sort(key=lambda code: code != self.language)  # the own language first, the rest as they were
        burned = _burned(video, self.language)
        return [{"srclang": code, "label": languages.NAMES.get(code, code), "url": video.url(f"vtt_{code}"),
                 "default": not burned and code == self.language} for code in order]

    @property
    def film_languages(self) -> tuple[str, ...]:
        """The languages the tale's film has subtitles in, its own first: the current film's tracks (a language
        whose translation failed has none); before a film, the ones asked for."""
        video = self.video
        if video is not None and video.meta.get("subtitles"):
            return tuple(video.meta["subtitles"])
        return (self.language, *languages.extra(self.language, self.subtitles or ()))

    @property
    def burned_language(self) -> str:
        """The code of the language the current film has burned into its picture, or "" (none, or no film).
        A film made before languages existed says nothing: it has the tale's own subtitles burned in."""
        video = self.video
        return _burned(video, self.language) if video else ""

    def film_settings(self) -> dict[str, str]:
        """What the current film was made with, as the «Вся сказка» forms offer it: its format and joins, the
        language burned into it ("none"), the voice most scenes are read by, the music's mood ("": the
        genre's). Empty before the film."""
        video = self.video
        if video is None:
            return {}
        options = video.options or {}
        narrator = self.narrator()
        narrations = self.artifacts.filter(stage="narration", is_current=True, scene__isnull=False)
        voices = [(narration.options or {}).get(narrator.voice_option)
                  for narration in narrations.order_by("scene")]
        voices = [voice for voice in voices if voice]
        music = self.current("music")
        return {"format": options.get("format") or "", "join": options.get("join") or "",
                "burn": self.burned_language or "none",
                "voice": Counter(voices).most_common(1)[0][0] if voices else "",  # ties: the earliest scene's
                "mood": ((music.options or {}).get("mood") or "") if music else ""}

    def narrator(self):
        """The narration backend's class the tale uses (its voices, its voice option)."""
        stored = (self.choices.get("narration") or {}).get("backend")
        return registry.backend_class("narration", stored or registry.default_backend("narration"))


def _burned(video: Artifact, language: str) -> str:
    return (video.meta.get("burned") or "") if "burned" in video.meta else language


class RunLog(models.Model):
    """One run a user asked for on the site (a new tale, a redo, a retry, an earlier version brought back).

    The daily quotas count these rows: they stay when the tale goes, so deleting a tale gives nothing back.
    """

    class Kind(models.TextChoices):
        NEW = "new", gettext_lazy("Новая сказка")
        REDO = "redo", gettext_lazy("Переделка")
        RETRY = "retry", gettext_lazy("Повтор")
        VERSION = "version", gettext_lazy("Прежняя версия")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tale = models.ForeignKey("Tale", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "created"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created:%Y-%m-%d %H:%M}"


class Artifact(models.Model):
    """One version of one node's result: files under the tale's folder, and how they were made."""

    tale = models.ForeignKey(Tale, on_delete=models.CASCADE, related_name="artifacts")
    stage = models.CharField(max_length=16)
    scene = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField()
    backend = models.CharField(max_length=64)
    model = models.CharField(max_length=255, blank=True)
    options = models.JSONField(default=dict)
    files = models.JSONField(default=dict)  # role -> path relative to MEDIA_ROOT
    checksums = models.JSONField(default=dict)  # role -> sha256
    meta = models.JSONField(default=dict)
    is_current = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["stage", "scene", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["tale", "stage", "scene", "version"], name="unique_artifact_version"),
        ]

    def __str__(self) -> str:
        where = "" if self.scene is None else f"[{self.scene}]"
        return f"{self.stage}{where} v{self.version}"

    def path(self, role: str) -> Path:
        return Path(settings.MEDIA_ROOT) / self.files[role]

    def url(self, role: str) -> str:
        return reverse("tales:tale_file", args=[self.tale_id, Path(self.files[role]).name])

    @property
    def video_url(self) -> str:
        return self.url("video")

    @property
    def poster_url(self) -> str:
        return self.url("poster")

    @property
    def url_picture(self) -> str:
        return self.url("picture")

    @property
    def url_audio(self) -> str:
        return self.url("audio")


class StageRun(models.Model):
    """The live state of one stage of a tale: what the page shows and the websocket sends."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("stage", "Ожидает")
        RUNNING = "running", pgettext_lazy("stage", "Идёт")
        DONE = "done", pgettext_lazy("stage", "Готово")
        FAILED = "failed", pgettext_lazy("stage", "Ошибка")
        CANCELLED = "cancelled", pgettext_lazy("stage", "Отменено")

    tale = models.ForeignKey(Tale, on_delete=models.CASCADE, related_name="stage_runs")
    stage = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    fraction = models.FloatField(default=0.0)
    message = models.CharField(max_length=300, blank=True)  # in Russian, as the pipeline wrote it
    note = models.JSONField(default=dict, blank=True)  # the message as a code and parameters (pipeline.notes)
    error = models.TextField(blank=True)  # public, as Tale.error
    error_note = models.JSONField(default=dict, blank=True)
    detail = models.TextField(blank=True)  # for the owner and staff only; never sent on the websocket
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tale", "stage"], name="unique_stage_run")]

    @property
    def label(self) -> str:
        return i18n.stage_label(self.stage)

    @property
    def order(self) -> int:
        return stages.ORDER.index(self.stage)

    def as_message(self) -> dict:
        """What the page and the websocket show, in the active language; ``note`` and ``error_note`` let a
        watcher's connection translate it again into its own (snapshot.localize)."""
        return {"stage": self.stage, "label": self.label, "status": self.status,
                "status_label": self.get_status_display(), "fraction": round(self.fraction, 3),
                "message": i18n.localized(self.message, self.note), "error": i18n.localized(self.error, self.error_note),
                "note": self.note or {"code": self.message} if self.message else {},
                "error_note": self.error_note or {"code": self.error} if self.error else {}}


class NodeRun(models.Model):
    """One node of a tale's run made as a django-q2 task of its own (tales/nodes.py): queued for the cluster its
    backend needs, made by whichever worker claims it first (the tale's own worker, or the node task), once."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        MADE = "made"
        FAILED = "failed"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tale = models.ForeignKey(Tale, on_delete=models.CASCADE, related_name="nodes")
    run_token = models.UUIDField()  # the run it belongs to: a node of a run taken back is void
    stage = models.CharField(max_length=16)
    scene = models.PositiveSmallIntegerField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64)  # its inputs, as the runner counted them
    backend = models.CharField(max_length=40, blank=True)
    cluster = models.CharField(max_length=100, blank=True)  # the django-q2 cluster its task is queued for
    redos = models.JSONField(default=list, blank=True)  # the run's redo requests: the node task runs the same
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    sent = models.BooleanField(default=False)  # its django-q2 task is queued
    worker = models.CharField(max_length=200, blank=True)  # "cluster host:pid" that makes (made) it
    fraction = models.FloatField(default=0.0)
    tries = models.PositiveSmallIntegerField(default=0)  # claims so far: a node whose worker dies twice fails
    error_note = models.JSONField(default=dict, blank=True)
    detail = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tale", "run_token"]), models.Index(fields=["state", "cluster"])]

    def __str__(self):
        return f"{self.stage} {self.scene or ''} of {self.tale_id} ({self.state})"
