"""What a failed stage tells whom: a message per kind of failure for everyone who sees the tale, and the
details (exception text, paths, setting names) for its owner, staff and the log only.
"""

from __future__ import annotations

import errno
import logging
import subprocess
from dataclasses import dataclass

from . import stages
from .backend import BackendUnavailable, OptionError, first_line
from .notes import Note, as_note

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The tale's owner cancelled it, or its worker lost it: the run stops at its next progress."""


class StageFailed(Exception):
    """A stage failed: ``public`` says so to anyone who sees the tale, ``detail`` is for its owner and the log."""

    def __init__(self, stage: str, scene: int | None, cause: BaseException):
        explained = explain(cause, stage, scene)
        super().__init__(explained.public)
        self.stage, self.scene, self.cause = stage, scene, cause
        self.public, self.detail = explained.public, explained.detail


class NodeFailed(Exception):
    """A node another worker failed to make (a node task): explained there, passed on as it was explained."""

    def __init__(self, public: Note, detail: str):
        super().__init__(detail)
        self.public, self.detail = public, detail


class LimitExceeded(ValueError):
    """A tale asks for more work than one tale may (pipeline/limits.py): its message is written for users."""


@dataclass(frozen=True)
class Explained:
    public: Note  # safe to show on a public page and to send on the websocket (translated where shown)
    detail: str  # for the owner, staff and the log


def explain(exc: BaseException, stage: str, scene: int | None = None) -> Explained:
    where = Note("«{stage}», сцена {scene}", stage=Note(stages.label(stage)), scene=scene) if scene else \
        Note("«{stage}»", stage=Note(stages.label(stage)))
    detail = first_line(exc)[:500]
    if isinstance(exc, NodeFailed):
        return Explained(exc.public, exc.detail)
    if isinstance(exc, LimitExceeded):
        public = as_note(exc.args[0]) if exc.args else Note(str(exc))
    elif isinstance(exc, BackendUnavailable):
        public = Note("Этап {where}: модель для него сейчас недоступна на сервере. Выберите другую или повторите позже.", where=where)
    elif isinstance(exc, OptionError):
        public = Note("Этап {where}: параметры не подходят этой модели.", where=where)
    elif isinstance(exc, MemoryError):
        public = Note("Этап {where}: не хватило памяти. Сократите сказку или выберите параметры попроще.", where=where)
    elif isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        public = Note("Этап {where}: на сервере закончилось место. Повторите позже.", where=where)
    elif isinstance(exc, (TimeoutError, subprocess.TimeoutExpired)):
        public = Note("Этап {where}: длился слишком долго и был остановлен.", where=where)
    else:
        public = Note("Этап {where} не удался. Попробуйте ещё раз или выберите другие параметры.", where=where)
        log.error("stage %s (scene %s) failed", stage, scene, exc_info=exc)
    return Explained(public, detail)
