"""The tale page's character sheet (templates/tales/_cast.html): the current cast result, read for the page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy

from fairytales.pipeline.cast import read_sheet

register = template.Library()

ROLES = {
    "hero": gettext_lazy("Герой"),
    "helper": gettext_lazy("Помощник"),
    "villain": gettext_lazy("Злодей"),
    "donor": gettext_lazy("Даритель"),
    "character": gettext_lazy("Персонаж"),
}


def look(name: str, description: str) -> str:
    """The description under the name's heading: without the «{name}:» it starts with (the name is there for
    the pictures' prompts, which the description is added to)."""
    head, colon, rest = description.partition(":")
    if colon and head.strip().casefold() == name.strip().casefold() and rest.strip():
        return rest.strip()
    return description


@register.simple_tag
def cast_sheet(tale) -> list[dict]:
    """Each character of the tale's current sheet as the page shows them: name, role, description, palette,
    the scenes that show them and their reference picture's URL (a neural illustrator's); [] before the sheet."""
    result = tale.current("cast")
    if result is None:
        return []
    try:
        sheet = read_sheet({role: result.path(role) for role in result.files})
    except (OSError, ValueError, KeyError):  # a file gone: the page shows no sheet until it is made again
        return []

    def reference(key: str) -> str:
        return result.url(f"reference_{key}") if f"reference_{key}" in result.files else ""

    return [{"key": member.key, "name": member.name, "role": ROLES.get(member.role, member.role),
             "description": member.description, "look": look(member.name, member.description),
             "palette": list(member.palette.values()),
             "palette_text": ", ".join(member.palette.values()), "scenes": member.scenes,
             "reference": reference(member.key),
             "edited": member.edited}
            for member in sheet]
