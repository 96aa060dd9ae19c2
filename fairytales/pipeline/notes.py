"""Words for users that the pipeline sends (progress, failures) as a code and its parameters.

The pipeline never imports Django and speaks Russian in logs and on the command line; the site translates
a note into the reader's language where it is shown (``fairytales/tales/i18n.py``). A ``Note`` is a ``str``
(its Russian text, so ``print`` and logs read as before) that also carries ``code`` — the message's template,
which is the msgid in ``locale/*/LC_MESSAGES/django.po`` — and ``params`` to fill it with. A parameter may
be another note (a scene's progress inside the stage's).

    progress(0.5, Note("Озвучено фраз: {done} из {total}", done=3, total=6))

``makemessages`` (the project's own, in ``tales/management/commands``) collects every ``Note("...")``.
"""

from __future__ import annotations

from typing import Any


class Note(str):
    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> "Note":
        note = super().__new__(cls, code.format(**params) if params else code)
        note.code, note.params = code, params
        return note

    def to_dict(self) -> dict:
        return {"code": self.code,
                "params": {k: v.to_dict() if isinstance(v, Note) else v for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> "Note":
        params = {k: cls.from_dict(v) if isinstance(v, dict) and "code" in v else v
                  for k, v in (data.get("params") or {}).items()}
        return cls(data["code"], **params)

    def __reduce__(self):  # survives pickling (django-q2 passes exceptions and results between processes)
        return _note, (self.code, self.params)


def _note(code: str, params: dict) -> Note:
    return Note(code, **params)


def as_note(message: str) -> Note:
    """A plain message as a note with no parameters (its text is its code)."""
    return message if isinstance(message, Note) else Note(str(message))
