"""How much work one tale may ask of the shared workers, checked before the work starts.

The forms refuse what is over a limit with a message that names it, and the runner checks again (a command
line or an old queued run may not have passed a form), so a tale never holds a worker for hours.
"""

from __future__ import annotations

MAX_SCENE_CHARS = 5000  # one scene a user writes: about five minutes read aloud
MAX_TALE_CHARS = 15000  # about twenty minutes of narration: the whole film stays under half an hour
MAX_PICTURE_WORK = 2.0e9  # pixels × iterations (or steps) × pictures, for the neural illustrators


def scene_text_problem(text: str) -> str | None:
    if len(text) > MAX_SCENE_CHARS:
        return f"Сцена длиннее {MAX_SCENE_CHARS} символов ({len(text)}): разделите её или сократите."
    return None


def tale_text_problem(texts: list[str]) -> str | None:
    """Why the tale's scenes are too long to narrate together, or None. (How the story is cut into scenes is
    the site's doing, so only a scene the user wrote is held to ``MAX_SCENE_CHARS``.)"""
    total = sum(map(len, texts))
    if total > MAX_TALE_CHARS:
        return (f"Текст сказки длиннее {MAX_TALE_CHARS} символов ({total}): её озвучка заняла бы слишком "
                "много времени. Сократите сцены.")
    return None


def picture_work_problem(work: float) -> str | None:
    """Why pictures of this size, this many iterations and this many scenes are too much, or None."""
    if work > MAX_PICTURE_WORK:
        share = work / MAX_PICTURE_WORK
        return (f"Слишком много работы для художника: в {share:.1f} раза больше допустимого. "
                "Уменьшите размер картинки, число итераций или сцен.")
    return None
