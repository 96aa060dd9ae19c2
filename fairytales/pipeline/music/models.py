"""The Music Transformer checkpoints participants trained (``manage.py train_music --name NAME``): folders
under ``models/music_transformer/`` holding a ``model.pt``.

Cheap to call (no torch): the submit form lists them for a tale to pick, like the story models.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..backend import MODELS_DIR

MUSIC_MODELS_DIR = MODELS_DIR / "music_transformer"
CARD_NAME = "training_card.json"


def local_music_models(folder: str | Path | None = None) -> list[dict]:
    """The Music Transformer checkpoints participants trained: ``<folder>/<name>/model.pt`` (default
    folder ``models/music_transformer/``), sorted by name, each ``{"id": "/abs/.../<name>", "name",
    "card": training_card.json or None, "summary": one line}`` — ``id`` is what a tale's music model is
    set to (the composer takes a folder holding model.pt)."""
    root = Path(folder).expanduser() if folder else MUSIC_MODELS_DIR
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.iterdir(), key=lambda p: p.name.lower()):
        if not path.is_dir() or not (path / "model.pt").is_file():
            continue
        try:
            card = json.loads((path / CARD_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            card = None
        summary = f"{path.name}: Music Transformer"
        if isinstance(card, dict):
            summary += f", пьес: {card.get('pieces')}, шагов: {card.get('steps')}"
            if card.get("heldout_loss_after") is not None:
                summary += f", потеря на отложенных {card['heldout_loss_before']:.2f} → {card['heldout_loss_after']:.2f}"
        else:
            card = None
        found.append({"id": str(path.resolve()), "name": path.name, "card": card, "summary": summary})
    return found
