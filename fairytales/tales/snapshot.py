"""The state of a tale as the page and the websocket show it, in the active language."""

from __future__ import annotations

import json

from fairytales.pipeline import stages

from . import i18n
from .models import Artifact, StageRun, Tale

# The results a watcher sees as they land: the text, the scenes, each scene's picture, the music.
SHOWN = ("story", "proofread", "scenes", "illustration", "music")


def tale_state(tale: Tale) -> dict:
    video = tale.video
    return {
        "status": tale.status,
        "status_label": tale.get_status_display(),
        "error": tale.public_error,
        "error_note": tale.error_note or ({"code": tale.error} if tale.error else {}),
        "video_url": video.url("video") if video else None,
        "poster_url": video.url("poster") if video else None,
        "tracks": tale.subtitle_tracks(),  # the film's subtitle tracks: srclang, label (its own name), url, default
        "duration": tale.duration,
    }


def stage_states(tale: Tale) -> list[dict]:
    runs = {run.stage: run for run in tale.stage_runs.all()}
    return [
        (runs[stage] if stage in runs else StageRun(tale=tale, stage=stage)).as_message()
        for stage in stages.ORDER
    ]


def artifact_message(artifact: Artifact) -> dict | None:
    """What the page shows of a result that has just landed: texts inline, files as URLs of the tale's file
    view (which checks who may see them); None for the results the page does not show live."""
    if artifact.stage not in SHOWN:
        return None
    message = {"type": "artifact", "stage": artifact.stage, "scene": artifact.scene, "version": artifact.version}
    try:
        if artifact.stage in ("story", "proofread"):
            message["text"] = artifact.path("text").read_text("utf-8")
        elif artifact.stage == "scenes":
            scenes = json.loads(artifact.path("scenes").read_text("utf-8"))
            message["scenes"] = [{"index": s["index"], "text": s["text"], "prompt": s["prompt"]} for s in scenes]
            if artifact.meta.get("rewritten"):  # the story the film tells is the scenes' (Tale.story_text)
                message["story"] = "\n\n".join(s["text"] for s in scenes)
        elif artifact.stage == "illustration":
            message.update(url=artifact.url("picture"), prompt=artifact.meta.get("prompt", ""))
            made = artifact.meta.get("shots") or []
            if len(made) > 1:  # a scene drawn as several shots (pipeline/shots.py): each picture and prompt
                message["shots"] = [{"url": artifact.url("picture" if n == 1 else f"picture_{n}"),
                                     "prompt": entry.get("prompt", "")} for n, entry in enumerate(made, start=1)]
        else:
            message["url"] = artifact.url("audio")
    except (OSError, KeyError, ValueError):  # a file gone or unreadable: the page shows it on its next load
        return None
    return message


def artifact_messages(tale: Tale) -> list[dict]:
    """The current results a page opened mid-run shows, in the order they were made (proofread after story)."""
    rows = tale.artifacts.filter(stage__in=SHOWN, is_current=True)
    found = [artifact_message(row) for row in sorted(rows, key=lambda a: (stages.ORDER.index(a.stage), a.scene or 0))]
    return [message for message in found if message]


def snapshot(tale: Tale) -> dict:
    return {"type": "snapshot", "tale": tale_state(tale), "stages": stage_states(tale),
            "artifacts": artifact_messages(tale)}


def _localize_state(state: dict, statuses) -> dict:
    """One stage's or the tale's state translated again from its codes (the worker wrote it in its own
    language); the codes themselves are not sent on."""
    state = dict(state)
    note, error_note = state.pop("note", None), state.pop("error_note", None)
    if "stage" in state and "label" in state:
        state["label"] = i18n.stage_label(state["stage"])
    if "status" in state and "status_label" in state and state["status"] in statuses.values:
        state["status_label"] = str(statuses(state["status"]).label)
    if state.get("message"):
        state["message"] = i18n.localized(state["message"], note)
    if state.get("error"):
        state["error"] = i18n.localized(state["error"], error_note)
    return state


def localize(payload: dict) -> dict:
    """A message for one watcher, in the language active now (TaleProgressConsumer's)."""
    if payload.get("type") == "stage":
        return _localize_state(payload, StageRun.Status)
    if payload.get("type") == "tale":
        return _localize_state(payload, Tale.Status)
    if payload.get("type") == "snapshot":
        return {**payload, "tale": _localize_state(payload.get("tale") or {}, Tale.Status),
                "stages": [_localize_state(stage, StageRun.Status) for stage in payload.get("stages") or []]}
    return payload

