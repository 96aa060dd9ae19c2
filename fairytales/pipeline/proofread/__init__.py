"""Proofread stage: spelling fixed before the voice reads the story.

The spelling models and the typography rules are Russian: a story in another language is returned as it is
written (its spaces and blank lines tidied, nothing else), marked as not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..backend import Backend
from ..notes import Note
from ..types import ProgressCallback, no_progress

CHECKED_LANGUAGES = ("ru",)
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass
class Proofread:
    text: str
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (as written, as fixed)
    checked: bool = True  # False: the language has no spelling check here; the text is as written


def tidy_spaces(text: str) -> str:
    """Runs of spaces made one, spaces at line ends and runs of blank lines dropped: right in any language."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


class Proofreader(Backend):
    stage = "proofread"

    def fix(self, text: str, options: dict, progress: ProgressCallback = no_progress,
            language: str = "ru") -> Proofread:
        raise NotImplementedError

    @staticmethod
    def unchecked(text: str, progress: ProgressCallback = no_progress) -> Proofread:
        """What a proofreader returns for a language it cannot check: the text with its spaces tidied."""
        progress(1.0, Note("Орфография не проверялась: проверка есть только для русского текста"))
        return Proofread(text=tidy_spaces(text), checked=False)
