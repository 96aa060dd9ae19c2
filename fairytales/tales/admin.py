from django.contrib import admin

from .models import Artifact, StageRun, Tale


@admin.register(Tale)
class TaleAdmin(admin.ModelAdmin):
    list_display = ["title", "genre", "owner", "status", "is_public", "is_hidden", "created"]
    list_filter = ["status", "genre", "is_public", "is_hidden"]
    list_editable = ["is_hidden"]
    search_fields = ["title", "owner__username"]


@admin.register(Artifact)
class ArtifactAdmin(admin.ModelAdmin):
    list_display = ["tale", "stage", "scene", "version", "backend", "is_current", "created"]
    list_filter = ["stage", "backend"]


@admin.register(StageRun)
class StageRunAdmin(admin.ModelAdmin):
    list_display = ["tale", "stage", "status", "fraction", "message", "updated"]
