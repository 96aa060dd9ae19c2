"""Which backends exist for each stage, and a per-process cache of loaded ones.

Backends are named by dotted path and imported on first use, so choosing the offline
defaults never imports torch or transformers.
"""

from __future__ import annotations

import importlib
import threading

from .backend import Backend

STAGES = ("story", "proofread", "scenes", "narration", "music", "illustration", "video")

BACKENDS: dict[str, dict[str, str]] = {
    "story": {"offline": "fairytales.pipeline.story.offline:TemplateStoryteller"},
    "proofread": {"offline": "fairytales.pipeline.proofread.offline:DictionaryProofreader"},
    "narration": {"offline": "fairytales.pipeline.narration.espeak:EspeakNarrator"},
    "music": {"offline": "fairytales.pipeline.music.offline:ProceduralComposer"},
    "illustration": {"offline": "fairytales.pipeline.illustration.offline:StorybookIllustrator"},
    "video": {"offline": "fairytales.pipeline.video.ffmpeg:FfmpegEditor"},
}

DEFAULT_BACKENDS = {stage: "offline" for stage in BACKENDS}

_cache: dict[tuple[str, str, str | None], Backend] = {}
_lock = threading.Lock()


def backend_class(stage: str, name: str) -> type[Backend]:
    try:
        target = BACKENDS[stage][name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS.get(stage, {}))) or "none"
        raise KeyError(f"no backend {name!r} for stage {stage!r} (known: {known})") from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def get(stage: str, name: str | None = None, model: str | None = None) -> Backend:
    """The backend instance for (stage, name, model), created once per process and reused."""
    name = name or DEFAULT_BACKENDS[stage]
    key = (stage, name, model)
    with _lock:
        if key not in _cache:
            _cache[key] = backend_class(stage, name)(model=model)
        return _cache[key]
