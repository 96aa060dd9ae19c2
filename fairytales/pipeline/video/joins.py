"""How one scene gives way to the next: the kind of each join, for the whole tale and per cut.

A join is its own segment (``layout.Piece`` of kind "join"), so its kind is a property of that segment: the
tale's ``join`` option, overridden for single cuts by ``joins`` («3=morph, 5=wipe»: the cut *into* scene 3,
the title card being scene 0). Every kind but the morphs is one of ffmpeg's ``xfade`` transitions with the
fade's length and weights; ``morph`` is ``morph.py``'s optical-flow morph; ``latent`` is
``latent_morph.py``'s: the VQGAN decodes in-betweens of the two pictures' latents (vqgan_clip's pictures), and
falls back to the flow morph where a picture has none.
"""

from __future__ import annotations

import re

JOINS = ("fade", "dissolve", "slide", "zoom", "wipe", "morph", "latent")
DEFAULT_JOIN = "fade"
XFADE = {"fade": "fade", "dissolve": "dissolve", "slide": "slideleft", "zoom": "zoomin", "wipe": "wipeleft"}
JOIN_LABELS: dict[str, str] = {"fade": "Наплыв", "dissolve": "Растворение", "slide": "Сдвиг", "zoom": "Наезд",
                               "wipe": "Шторка", "morph": "Превращение (оптический поток)",
                               "latent": "Перетекание (VQGAN)"}


def parse(text: str | dict | None) -> dict[int, str]:
    """«3=morph, 5:wipe» (or a mapping) as {3: "morph", 5: "wipe"}; a ValueError names what is wrong."""
    if not text:
        return {}
    pairs = text.items() if isinstance(text, dict) else (
        re.split(r"\s*[=:]\s*", part.strip(), maxsplit=1) for part in re.split(r"[,;\s]+(?=\d)", str(text))
        if part.strip())
    found: dict[int, str] = {}
    for pair in pairs:
        if len(pair) != 2 or not str(pair[0]).strip().isdigit() or int(pair[0]) < 1:
            raise ValueError(f"joins: {'='.join(map(str, pair))!r} is not «scene=kind» (e.g. 3=morph)")
        kind = str(pair[1]).strip().lower()
        if kind not in JOINS:
            raise ValueError(f"joins: no join {kind!r} (known: {', '.join(JOINS)})")
        found[int(pair[0])] = kind
    return found


def text(joins: dict[int, str]) -> str:
    """The mapping as the option writes it, in scene order: «3=morph, 5=wipe»."""
    return ", ".join(f"{scene}={kind}" for scene, kind in sorted(joins.items()))


def kind_of(scene: int, join: str, joins: dict[int, str]) -> str:
    """The kind of the cut into ``scene``."""
    return joins.get(scene, join or DEFAULT_JOIN)
