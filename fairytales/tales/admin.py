from django.contrib import admin

from .models import Artifact, StageRun, Tale


@admin.register(Tale)
class TaleAdmin(admin.ModelAdmin):
    list_display = ["title", "genre", "language", "owner", "status", "is_public", "is_hidden", "created"]
    list_filter = ["status", "genre", "language", "is_public", "is_hidden"]
    list_editable = ["is_hidden"]
    search_fields = ["title", "owner__username"]
    # What a tale is made with and what waits for the worker are the site's to set, through its forms
    # (which offer only backends and weights that exist): staff moderate, they do not point models at paths.
    readonly_fields = ["choices", "language", "subtitles", "run_queue", "seed", "status", "run_token", "heartbeat",
                       "error", "error_detail", "dispatch", "queued_at", "attempts", "duration", "finished"]


@admin.register(Artifact)
class ArtifactAdmin(admin.ModelAdmin):
    list_display = ["tale", "stage", "scene", "version", "backend", "is_current", "created"]
    list_filter = ["stage", "backend"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a record of what was made: files, options and paths are not edited by hand


@admin.register(StageRun)
class StageRunAdmin(admin.ModelAdmin):
    list_display = ["tale", "stage", "status", "fraction", "message", "updated"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
