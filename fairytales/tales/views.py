from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fairytales.pipeline import languages, limits
from fairytales.pipeline.runner import Redo
from fairytales.pipeline.story.models import local_story_models
from fairytales.pipeline.video import joins

from . import i18n, tasks
from .forms import FORMAT_LABELS, MOOD_LABELS, CastForm, RedoForm, TaleForm, runnable_backends
from .models import RESTORABLE, RunLog, Tale
from .snapshot import localize, snapshot
from .templatetags.cast_sheet import cast_sheet
from .templatetags.scene_shots import role as shot_role

PAGE_SIZE = 12
# the scene number in the scene redo forms the page keeps as a <template>: tale.js puts a live card's in its place
SCENE_SLOT = "№№"  # no letters: the template reads as words of neither language
# the text of a story or scene edit the form refused, kept for one showing of the tale's page: its form opens
# with it, so a long text is corrected, not typed again
DRAFT = "redo_draft"


def gallery(request):
    # a tale with a film stays in the gallery while it is being redone, or if a redo failed
    tales = Tale.objects.filter(Q(status=Tale.Status.DONE) | Q(duration__isnull=False), is_public=True,
                                is_hidden=False).select_related("owner")
    page = Paginator(tales, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tales/gallery.html", {"page": page})


@login_required
def my_tales(request):
    page = Paginator(request.user.tales.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tales/my_tales.html", {"page": page})


@login_required
def new_tale(request):
    trained = [model["id"] for model in local_story_models()]  # made by `manage.py train_story`
    form = TaleForm(request.POST or None, request.FILES or None, owner=request.user,
                    story_models=[*settings.STORY_MODELS, *trained])
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the quotas are checked again under the user's lock, with the save
                tasks.lock_owner(request.user.pk)
                tale = form.save(commit=False)
                tale.owner = request.user
                tale.save()
                tasks.start(tale, kind=RunLog.Kind.NEW)  # Refused: nothing is kept
                form.save_uploads(tale)
        except tasks.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect(tale)
    return render(request, "tales/new.html", {"form": form})


def tale_detail(request, tale_id):
    tale = get_object_or_404(Tale.objects.select_related("owner"), pk=tale_id)
    if not tale.can_view(request.user):
        raise Http404
    state, can_edit = localize(snapshot(tale)), tale.can_edit(request.user)
    kept = request.session.get(DRAFT) or {}
    draft = request.session.pop(DRAFT) if can_edit and kept.get("tale") == str(tale.pk) else {}
    context = {
        "draft": draft,
        "film": tale.film_settings() if can_edit else {},
        "tale": tale,
        "scenes": tale.scene_cards(),
        "story": tale.story_text(),
        "paragraphs": tale.story_paragraphs(),
        "music": tale.current("music"),
        "stages": state["stages"],
        "snapshot": state,
        "can_edit": can_edit,
        "failure_details": tale.failure_details() if tale.can_see_details(request.user) else [],
        "voices": {key: i18n.label(name) for key, name in _voices(tale).items()},
        "moods": {key: i18n.label(name) for key, name in MOOD_LABELS.items()},
        "formats": {key: i18n.label(name) for key, name in FORMAT_LABELS.items()},
        "joins": {key: i18n.label(name) for key, name in joins.JOIN_LABELS.items()},
        "illustrators": runnable_backends("illustration") if can_edit else [],
        "scene_slot": {"index": SCENE_SLOT, "text": "", "prompt": ""},
        "tracks": tale.subtitle_tracks(),
        "burn_choices": [(code, languages.NAMES[code]) for code in tale.film_languages],
    }
    return render(request, "tales/detail.html", context)


def _voices(tale: Tale) -> dict[str, str]:
    """The narrator's voices that speak the tale's language (id -> label): what its redo forms offer."""
    narrator = tale.narrator()
    return narrator.voices_in(tale.language) or narrator.voices  # a narrator of other languages: all it has


def _owned(request, tale_id) -> Tale:
    tale = get_object_or_404(Tale, pk=tale_id)
    if not tale.can_edit(request.user):
        raise PermissionDenied
    return tale


@require_POST
@login_required
def redo(request, tale_id):
    tale = _owned(request, tale_id)
    # while a run is waiting or running, the film it makes may differ from the current one: not compared
    form = RedoForm(request.POST, scene_count=tale.scenes_made, narrator=tale.narrator(),
                    scene_texts=tale.scene_texts(), film_languages=tale.film_languages,
                    film={} if tale.in_progress else tale.film_settings(), language=tale.language,
                    shot_counts=tale.shot_counts())
    return _queue_redo(request, tale, form, _("Переделываю."))


def _queue_redo(request, tale: Tale, form, started: str):
    """Queue the redo a valid ``form`` asks for (``started``: what the owner is told when it starts at once), or
    say why not; back to the tale's page either way."""
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        _keep_draft(request, tale, form.data)
        return redirect(tale)
    try:
        queued = tasks.start(tale, [form.redo()], kind=RunLog.Kind.REDO)
    except tasks.Refused as refusal:
        messages.error(request, str(refusal))
        _keep_draft(request, tale, form.data)
        return redirect(tale)
    messages.info(request, started if queued else _("Переделаю, как только закончится текущая работа."))
    return redirect(tale)


def _keep_draft(request, tale: Tale, data) -> None:
    """The story's or a scene's text the owner sent and the site refused: it waits in its form (``DRAFT``)."""
    text = (data.get("text") or "").strip()
    if text and data.get("stage") in ("story", "scenes"):
        request.session[DRAFT] = {"tale": str(tale.pk), "stage": data["stage"],
                                  "scene": data.get("scene") or "", "text": text[:2 * limits.MAX_TALE_CHARS]}


@require_POST
@login_required
def choose_version(request, tale_id, artifact_id):
    tale = _owned(request, tale_id)
    artifact = get_object_or_404(tale.artifacts, pk=artifact_id, stage__in=RESTORABLE)
    try:
        tasks.start(tale, [Redo(stage=artifact.stage, scene=artifact.scene, version=artifact.version)],
                    kind=RunLog.Kind.VERSION)
    except tasks.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect(tale)
    messages.info(request, _("Возвращаю выбранную версию и пересобираю видео."))
    return redirect(tale)


@require_POST
@login_required
def delete(request, tale_id):
    tale = _owned(request, tale_id)
    if tale.in_progress:
        messages.error(request, _("Сказка сейчас создаётся: удалить её можно, когда работа закончится."))
        return redirect(tale)
    tale.delete()
    messages.info(request, _("Сказка «{title}» удалена.").format(title=tale.title))
    return redirect("tales:my_tales")


@require_POST
@login_required
def visibility(request, tale_id):
    """The owner shows the tale in the gallery or takes it out: the new-tale form's choice, changed later."""
    tale = _owned(request, tale_id)
    wanted = request.POST.get("public")
    if wanted not in ("0", "1"):
        messages.error(request, _("Выберите, показывать ли сказку в галерее."))
        return redirect(tale)
    tale.is_public = wanted == "1"
    tale.save(update_fields=["is_public"])
    if not tale.is_public:
        messages.info(request, _("Сказка убрана из галереи: её видите только вы."))
    elif tale.is_hidden:
        messages.info(request, _("Сказка будет в галерее, когда модератор её вернёт."))
    else:
        messages.info(request, _("Сказка в галерее."))
    return redirect(tale)


@require_POST
@login_required
def cancel(request, tale_id):
    tale = _owned(request, tale_id)
    if tasks.cancel(tale):
        messages.info(request, _("Отменяю: работа остановится через несколько секунд."))
    return redirect(tale)


@require_POST
@login_required
def retry(request, tale_id):
    tale = _owned(request, tale_id)
    if tale.in_progress:
        messages.info(request, _("Сказка уже создаётся."))
        return redirect(tale)
    try:
        tasks.start(tale, kind=RunLog.Kind.RETRY)
    except tasks.Refused as refusal:
        messages.error(request, str(refusal))
    return redirect(tale)


@require_POST
@login_required
def edit_cast(request, tale_id):
    """An edit of one character of the sheet: every scene that shows them is drawn again, the film follows."""
    tale = _owned(request, tale_id)
    sheet = {member["key"]: member for member in cast_sheet(tale)}
    form = CastForm(request.POST, sheet=sheet)
    return _queue_redo(request, tale, form, _("Меняю героя: сцены с ним нарисуются заново."))


@require_POST
@login_required
def choose_shot(request, tale_id, artifact_id, shot):
    """An earlier picture of one shot of a scene back in the film: the scene's pictures again with it, its other
    shots as they are, and the film's span of that scene re-encoded."""
    tale = _owned(request, tale_id)
    artifact = get_object_or_404(tale.artifacts, pk=artifact_id, stage="illustration")
    name = shot_role(shot)
    if name not in artifact.files:
        raise Http404
    # with the roll it was drawn from, and the owner's words where they were its: what the page shows for it,
    # and what draws it again later
    made = artifact.meta.get("shots") or []
    drawn = made[shot - 1] if shot <= len(made) else {}
    redo = Redo(stage="illustration", scene=artifact.scene, shot=shot, picture=str(artifact.path(name)),
                prompt=drawn.get("prompt") if drawn.get("own") else None,
                options={"seed": drawn["seed"]} if drawn.get("seed") is not None else {})
    try:
        tasks.start(tale, [redo], kind=RunLog.Kind.VERSION)
    except tasks.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect(tale)
    messages.info(request, _("Возвращаю выбранную картинку и пересобираю видео."))
    return redirect(tale)
