"""Which backends exist for each stage, and a per-process cache of loaded ones.

Backends are named by dotted path and imported on first use, so choosing the offline
defaults never imports torch or transformers.
"""

from __future__ import annotations

import importlib
import os
import threading

from .backend import Backend

BACKENDS: dict[str, dict[str, str]] = {
    "story": {
        "template": "fairytales.pipeline.story.template.backend:TemplateStoryteller",
        "rugpt3": "fairytales.pipeline.story.transformers_lm:CausalLMStoryteller",
        "mgpt": "fairytales.pipeline.story.transformers_lm:MultilingualLMStoryteller",
    },
    "proofread": {
        "jamspell": "fairytales.pipeline.proofread.jamspell.backend:JamSpellProofreader",
        "dictionary": "fairytales.pipeline.proofread.dictionary:DictionaryProofreader",
    },
    "narration": {
        "rhvoice": "fairytales.pipeline.narration.rhvoice:RhvoiceNarrator",
        "espeak": "fairytales.pipeline.narration.espeak:EspeakNarrator",
        "silero": "fairytales.pipeline.narration.silero:SileroNarrator",
    },
    "music": {
        "music_transformer": "fairytales.pipeline.music.neural:MusicTransformerComposer",
        "procedural": "fairytales.pipeline.music.procedural:ProceduralComposer",
        "musicgen": "fairytales.pipeline.music.musicgen:MusicgenComposer",
    },
    "illustration": {
        "storybook": "fairytales.pipeline.illustration.storybook.backend:StorybookIllustrator",
        "vqgan_clip": "fairytales.pipeline.illustration.vqgan_clip:VqganClipIllustrator",
        "diffusers": "fairytales.pipeline.illustration.diffusers_t2i:DiffusersIllustrator",
    },
    "translation": {
        "parallel": "fairytales.pipeline.translation.parallel:ParallelTranslator",
        "marian": "fairytales.pipeline.translation.marian:MarianTranslator",
    },
    "video": {"ffmpeg": "fairytales.pipeline.video.ffmpeg:FfmpegEditor"},
}

# Names a backend had before it was named for what it is: stored tales and `--backend STAGE=offline` say them.
ALIASES: dict[str, dict[str, str]] = {
    "story": {"offline": "template"},
    "narration": {"offline": "espeak"},
    "illustration": {"offline": "storybook"},
    "video": {"offline": "ffmpeg"},
}

# What a stage uses when a tale names no backend: the first of these that can run here. The shipped
# JamSpell model and Music Transformer checkpoint need the project's own install (jamspell's C++ and
# torch), RHVoice its unpacked packages; where one is missing the stage falls back to the backend named last.
DEFAULT_BACKENDS: dict[str, tuple[str, ...]] = {
    "story": ("template",),
    "proofread": ("jamspell", "dictionary"),
    "narration": ("rhvoice", "espeak"),
    "music": ("music_transformer", "procedural"),
    "illustration": ("storybook",),
    "translation": ("parallel",),
    "video": ("ffmpeg",),
}

# Further backends, named in the environment: VIDEOTALES_BACKENDS="stage:name=package.module:Class,…" (an
# organiser's own illustrator, the tests' fixed-cost stand-in for a GPU model).
EXTRA_SETTING = "VIDEOTALES_BACKENDS"
for _entry in filter(None, (part.strip() for part in os.environ.get(EXTRA_SETTING, "").split(","))):
    _key, _, _path = _entry.partition("=")
    _stage, _, _name = _key.partition(":")
    if _stage not in BACKENDS or not _name or ":" not in _path:
        raise ValueError(f"{EXTRA_SETTING}: {_entry!r} is not stage:name=module:Class with a known stage")
    BACKENDS[_stage][_name] = _path

_cache: dict[tuple[str, str, str | None], Backend] = {}
_lock = threading.Lock()


def canonical(stage: str, name: str | None) -> str | None:
    """The backend's own name for ``name``, which may be an old alias («offline»); None stays None."""
    if name is None:
        return None
    return ALIASES.get(stage, {}).get(name, name)


def backend_class(stage: str, name: str) -> type[Backend]:
    try:
        target = BACKENDS[stage][canonical(stage, name)]
    except KeyError:
        known = ", ".join(sorted(BACKENDS.get(stage, {}))) or "none"
        raise KeyError(f"no backend {name!r} for stage {stage!r} (known: {known})") from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def configured_model(cls: type[Backend]) -> str | None:
    """The weights a backend uses unless a tale names others: its MODEL_<STAGE>_<NAME> variable, or
    the backend's default (a hub id or a path under models/)."""
    return os.environ.get(cls.model_setting()) or cls.default_model


def default_backend(stage: str) -> str:
    """The backend ``stage`` uses when none is named: the first of DEFAULT_BACKENDS[stage] that can
    run here with its configured weights, else the last (which needs nothing)."""
    *preferred, fallback = DEFAULT_BACKENDS[stage]
    for name in preferred:
        try:
            cls = backend_class(stage, name)
        except ImportError:
            continue
        if cls(model=configured_model(cls), device="cpu").available()[0]:
            return name
    return fallback


def get(stage: str, name: str | None = None, model: str | None = None) -> Backend:
    """The backend instance for (stage, name, model), created once per process and reused, so a
    model's weights load once per worker and serve every later tale."""
    name = canonical(stage, name) or default_backend(stage)
    cls = backend_class(stage, name)
    model = model or configured_model(cls)
    key = (stage, name, model)
    with _lock:
        if key not in _cache:
            _cache[key] = cls(model=model)
        return _cache[key]


NEEDS = ("cpu", "gpu")  # lightest first


def device_need(stage: str, name: str | None) -> str:
    """What the backend needs ("gpu" or "cpu"); a stage with none named needs the heaviest of its defaults
    (so the answer does not depend on which weights the asking machine happens to hold)."""
    needs = ["cpu"]
    for each in [canonical(stage, name)] if name else DEFAULT_BACKENDS[stage]:
        try:
            needs.append(backend_class(stage, each).device_need)
        except (KeyError, ImportError):  # unknown or not importable here: it fails wherever it runs
            continue
    return max(needs, key=NEEDS.index)


def run_need(backends: dict[str, str | None]) -> str:
    """The heaviest need of a run whose stages use ``backends`` ({stage: name or None}); stages not in it
    use their defaults."""
    return max((device_need(stage, backends.get(stage)) for stage in BACKENDS), key=NEEDS.index)
