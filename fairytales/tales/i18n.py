"""The site's side of the pipeline's words: notes (code + parameters), stage, genre, mood and backend labels,
translated into the reader's language where they are shown (the pipeline itself never imports Django).

The site's msgids are its Russian texts (Russian is the site's first language): ``locale/ru`` maps each to
itself, ``locale/en`` to English. A text stored before notes existed (or a fixed one, such as a stage's
"Готово") is translated by looking it up as a msgid; one the catalog lacks is shown as it is.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext

from fairytales.pipeline import stages
from fairytales.pipeline.notes import Note

log = logging.getLogger(__name__)


def translate(note: Note | dict | str | None) -> str:
    """``note`` (a Note, its ``to_dict()``, or a plain text) in the active language."""
    if not note:
        return ""
    if isinstance(note, Note):
        note = note.to_dict()
    if isinstance(note, str):
        return gettext(note)
    params = {key: translate(value) if isinstance(value, (dict, Note)) else value
              for key, value in (note.get("params") or {}).items()}
    code = note["code"]
    try:
        return gettext(code).format(**params) if params else gettext(code)
    except (KeyError, IndexError, ValueError):  # a translation that names a parameter wrongly
        log.warning("translation of %r does not fit its parameters", code)
        return code.format(**params)


def localized(text: str, note: dict | None = None) -> str:
    """A stored message: from its note when it has one, else its text looked up in the catalog."""
    return translate(note) if note else translate(text)


def stage_label(name: str) -> str:
    return gettext(stages.label(name))


def label(text: str) -> str:
    """A label that comes from the pipeline's code or data (a backend's, an option's, a mood's, a voice's)."""
    return gettext(text) if text else text
