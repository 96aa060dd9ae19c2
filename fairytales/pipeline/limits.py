"""How much work one tale may ask of the shared workers, checked before the work starts.

The forms refuse what is over a limit with a message that names it, and the runner checks again (a command
line or an old queued run may not have passed a form), so a tale never holds a worker for hours.
"""

from __future__ import annotations

import os
from dataclasses import replace

from .notes import Note
from .scenes import NARRATOR
from .text import sentences
from .types import Line, Scene

MAX_SCENE_CHARS = 5000  # one scene a user writes: about five minutes read aloud
MAX_TALE_CHARS = 15000  # about twenty minutes of narration: the whole film stays under half an hour
MAX_PICTURE_WORK = 2.0e9  # pixels × iterations (or steps) × pictures, for the neural illustrators
# A whole-tale check that needs *a* film, not a four-minute one, sets this: each scene's narration (and so
# its stretch of the film) is only its first N sentences. The story, scenes and pictures are made whole.
NARRATED_SENTENCES_SETTING = "VIDEOTALES_NARRATED_SENTENCES"


def scene_text_problem(text: str) -> str | None:
    if len(text) > MAX_SCENE_CHARS:
        return Note("Сцена длиннее {limit} символов ({length}): разделите её или сократите.", limit=MAX_SCENE_CHARS,
                    length=len(text))
    return None


def tale_text_problem(texts: list[str]) -> str | None:
    """Why the tale's scenes are too long to narrate together, or None. (How the story is cut into scenes is
    the site's doing, so only a scene the user wrote is held to ``MAX_SCENE_CHARS``.)"""
    total = sum(map(len, texts))
    if total > MAX_TALE_CHARS:
        return Note("Текст сказки длиннее {limit} символов ({length}): её озвучка заняла бы слишком много времени. "
                    "Сократите сцены.", limit=MAX_TALE_CHARS, length=total)
    return None


def picture_work_problem(work: float) -> str | None:
    """Why pictures of this size, this many iterations and this many scenes are too much, or None."""
    if work > MAX_PICTURE_WORK:
        share = work / MAX_PICTURE_WORK
        return Note("Слишком много работы для художника: в {share:.1f} раза больше допустимого. "
                    "Уменьшите размер картинки, число итераций или сцен.", share=share)
    return None


def narrated_sentences() -> int:
    """How many sentences of each scene are narrated (NARRATED_SENTENCES_SETTING, the suite's short films);
    0: all of them."""
    return int(os.environ.get(NARRATED_SENTENCES_SETTING) or 0)


def narrated_part(scene: Scene) -> Scene:
    """``scene`` as the narrator reads it: whole, or its first N sentences when NARRATED_SENTENCES_SETTING
    says N (the suite's short films)."""
    limit = narrated_sentences()
    if limit <= 0:
        return scene
    lines, left = [], limit
    for line in scene.lines or [Line(NARRATOR, scene.text)]:
        kept = sentences(line.text)[:left]
        if kept:
            lines.append(Line(line.speaker, " ".join(kept)))
            left -= len(kept)
        if left <= 0:
            break
    return replace(scene, text=" ".join(line.text for line in lines), lines=lines)
