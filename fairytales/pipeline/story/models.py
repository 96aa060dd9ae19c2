"""The story models participants trained (``manage.py train_story``): folders under ``models/story/``.

Cheap to call (no torch): the submit form lists them beside ``STORY_MODELS`` without anyone editing that
setting. A folder counts when it holds a whole model (config.json) or a LoRA adapter (adapter_config.json);
its training card (training_card.json), when there is one, says what it was trained on and how well.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..backend import MODELS_DIR

STORY_MODELS_DIR = MODELS_DIR / "story"
CARD_NAME = "training_card.json"


def local_story_models(folder: str | Path | None = None) -> list[dict]:
    """The trained story models under ``folder`` (default ``models/story/``), sorted by name, each

        {"id": "/abs/path/models/story/NAME",  # what a tale's story model is set to
         "name": "NAME", "adapter": bool, "base": "the base model" or None,
         "card": {... training_card.json ...} or None,
         "summary": "one line for a user: base, data, steps, held-out loss before → after"}

    Half-written folders (``*.partial``) and folders without a model are left out."""
    root = Path(folder).expanduser() if folder else STORY_MODELS_DIR
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.iterdir(), key=lambda p: p.name.lower()):
        if not path.is_dir() or path.name.endswith(".partial") or path.name.startswith("."):
            continue
        adapter = (path / "adapter_config.json").is_file()
        if not adapter and not (path / "config.json").is_file():
            continue
        card = _read_json(path / CARD_NAME)
        base = (card or {}).get("base_model")
        if adapter and not base:
            base = (_read_json(path / "adapter_config.json") or {}).get("base_model_name_or_path")
        found.append({"id": str(path.resolve()), "name": path.name, "adapter": adapter, "base": base,
                      "card": card, "summary": summary(path.name, card, adapter)})
    return found


def summary(name: str, card: dict | None, adapter: bool = False) -> str:
    """«NAME: LoRA на BASE, 18 сказок, 200 шагов, потеря на отложенных 4.31 → 3.12» (what the card says)."""
    if not card:
        return f"{name}: {'LoRA-адаптер' if adapter else 'модель'} без карточки обучения"
    parts = [("LoRA на " if card.get("method") == "lora" else "дообучена ") + str(card.get("base_model", "?"))]
    data = card.get("data") or {}
    if data.get("tales"):
        parts.append(f"сказок: {data['tales']}")
    if card.get("steps") is not None:
        parts.append(f"шагов: {card['steps']}")
    before, after = card.get("heldout_loss_before"), card.get("heldout_loss_after")
    if before is not None and after is not None:
        parts.append(f"потеря на отложенных {before:.2f} → {after:.2f}")
    return f"{name}: " + ", ".join(parts)


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
