"""Translation stage: every scene's text in each of the tale's subtitle languages (``translations.json``).

A translator is given the scenes (in the tale's own language), the languages wanted, and how to get the
story's own parallel text in another language (``Job.parallel``: what a storyteller that can tell the same
plot in every language gives, None otherwise). It returns, per language, one text per scene, or None for a
scene it could not translate; the runner keeps a scene's earlier translation while its text is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..backend import Backend
from ..types import ProgressCallback, Scene, no_progress


@dataclass
class Job:
    source: str  # the tale's own language
    targets: tuple[str, ...]  # the subtitle languages
    scenes: list[Scene]
    parallel: Callable[[str], str | None] = lambda language: None  # the story in another language, or None
    # {language: {scene index: text}}: translations already made for scenes whose text has not changed
    known: dict[str, dict[int, str]] = field(default_factory=dict)
    fallback: Translator | None = None  # translates what the parallel text cannot give (marian), if configured


Translations = dict[str, list["str | None"]]  # {language: [scene text or None, …]}


class Translator(Backend):
    stage = "translation"
    languages: tuple[str, ...] = ("ru", "en", "uk")

    def can(self, source: str, target: str) -> bool:
        """Whether this translator can translate ``source`` into ``target`` here (its weights present)."""
        return source in self.languages and target in self.languages

    def translate(self, job: Job, options: dict, progress: ProgressCallback = no_progress) -> Translations:
        raise NotImplementedError

    def translate_texts(self, texts: list[str], source: str, target: str, options: dict | None = None,
                        progress: ProgressCallback = no_progress) -> list[str]:
        """Free texts (a scene each) in ``target``; what a fallback is asked for."""
        raise NotImplementedError
