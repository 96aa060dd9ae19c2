"""A scene's shots on the tale page (templates/tales/_shots.html): each shot's picture and prompt, and the
pictures it had in the scene's earlier versions (pipeline/shots.py keeps a scene's shots in one result)."""

from __future__ import annotations

from django import template

register = template.Library()


def role(number: int, name: str = "picture") -> str:
    """The file role of a scene's shot ``number`` (1-based): ``picture``, ``picture_2``…"""
    return name if number == 1 else f"{name}_{number}"


@register.simple_tag
def scene_shots(scene: dict) -> list[dict]:
    """The current picture's shots (none for a scene drawn as one picture), each with its number, picture URL,
    prompt, and its history: every other picture it had in the scene's versions cut into the same shots,
    newest first, once each (a shot kept by a redo of another is the same file)."""
    current = scene.get("current")
    made = (current.meta.get("shots") if current else None) or []
    if len(made) < 2:
        return []
    cards = []
    for number, entry in enumerate(made, start=1):
        name = role(number)
        if name not in current.files:
            continue
        seen = {current.checksums.get(name)}
        history = []
        for version in scene.get("history", []):
            shots = version.meta.get("shots") or []
            if version.pk == current.pk or name not in version.files or len(shots) != len(made):
                continue
            if shots[number - 1].get("sentences") != entry.get("sentences"):
                continue
            digest = version.checksums.get(name)
            if digest in seen:
                continue
            seen.add(digest)
            history.append({"artifact": version, "url": version.url(name), "version": version.version})
        cards.append({"number": number, "url": current.url(name), "prompt": entry.get("prompt", ""),
                      "history": history})
    return cards
