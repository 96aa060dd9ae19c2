from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import tasks
from .forms import TaleForm
from .models import Tale
from .snapshot import snapshot

PAGE_SIZE = 12


def gallery(request):
    tales = Tale.objects.filter(status=Tale.Status.DONE, is_public=True, is_hidden=False).select_related("owner")
    page = Paginator(tales, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tales/gallery.html", {"page": page})


@login_required
def my_tales(request):
    page = Paginator(request.user.tales.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tales/my_tales.html", {"page": page})


@login_required
def new_tale(request):
    form = TaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tale = form.save(commit=False)
        tale.owner = request.user
        tale.save()
        tasks.start(tale)
        return redirect(tale)
    return render(request, "tales/new.html", {"form": form})


def tale_detail(request, tale_id):
    tale = get_object_or_404(Tale.objects.select_related("owner"), pk=tale_id)
    if not tale.can_view(request.user):
        raise Http404
    scenes = []
    for scene in tale.artifacts.filter(stage="illustration", is_current=True).order_by("scene"):
        scenes.append({"index": scene.scene, "picture": scene.url("picture"), "prompt": scene.meta.get("prompt", "")})
    story = tale.current("proofread") or tale.current("story")
    text = story.path("text").read_text("utf-8") if story else ""
    state = snapshot(tale)
    context = {
        "tale": tale,
        "scenes": scenes,
        "story": text,
        "paragraphs": [p for p in text.split("\n\n") if p.strip()],
        "stages": state["stages"],
        "snapshot": state,
        "can_edit": tale.can_edit(request.user),
    }
    return render(request, "tales/detail.html", context)


@require_POST
@login_required
def retry(request, tale_id):
    tale = get_object_or_404(Tale, pk=tale_id)
    if not tale.can_edit(request.user):
        return HttpResponseForbidden()
    if tale.in_progress:
        messages.info(request, "Сказка уже создаётся.")
    else:
        tasks.start(tale)
    return redirect(tale)
