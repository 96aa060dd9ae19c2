"""Story stage: a tale conditioned on a title and a genre, in the request's language."""

from __future__ import annotations

from ..backend import Backend
from ..types import ProgressCallback, TaleRequest, no_progress


class Storyteller(Backend):
    stage = "story"
    languages: tuple[str, ...] = ("ru",)  # the languages it can tell a tale in

    def write(self, request: TaleRequest, options: dict, progress: ProgressCallback = no_progress) -> str:
        """The story's text (no title line, no prompt), paragraphs separated by blank lines."""
        raise NotImplementedError

    def parallel(self, request: TaleRequest, options: dict, language: str) -> str | None:
        """The same story as ``write()`` tells for ``request``, told in ``language`` paragraph for paragraph
        (what subtitles in another language are made from); None when the backend cannot (a language
        model writes one text only)."""
        return None

    def check_language(self, language: str) -> str:
        """``language`` itself when this backend tells tales in it; else a ValueError that says which it does."""
        if language not in self.languages:
            raise ValueError(f"the {self.name} storyteller does not tell tales in {language!r} "
                             f"(it does: {', '.join(self.languages)})")
        return language
