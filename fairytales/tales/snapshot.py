"""The state of a tale as the page and the websocket show it."""

from __future__ import annotations

from fairytales.pipeline import stages

from .models import StageRun, Tale


def tale_state(tale: Tale) -> dict:
    video = tale.video
    return {
        "status": tale.status,
        "status_label": tale.get_status_display(),
        "error": tale.error,
        "video_url": video.url("video") if video else None,
        "poster_url": video.url("poster") if video else None,
        "duration": tale.duration,
    }


def stage_states(tale: Tale) -> list[dict]:
    runs = {run.stage: run for run in tale.stage_runs.all()}
    return [
        (runs[stage] if stage in runs else StageRun(tale=tale, stage=stage)).as_message()
        for stage in stages.ORDER
    ]


def snapshot(tale: Tale) -> dict:
    return {"type": "snapshot", "tale": tale_state(tale), "stages": stage_states(tale)}

