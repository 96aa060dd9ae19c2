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

log = logging.getLogger(__name__)


class LimitExceeded(ValueError):
    """A tale asks for more work than one tale may (pipeline/limits.py): its message is written for users."""


@dataclass(frozen=True)
class Explained:
    public: str  # safe to show on a public page and to send on the websocket
    detail: str  # for the owner, staff and the log


def explain(exc: BaseException, stage: str, scene: int | None = None) -> Explained:
    where = f"«{stages.label(stage)}»" + (f", сцена {scene}" if scene else "")
    detail = first_line(exc)[:500]
    if isinstance(exc, LimitExceeded):
        public = str(exc)
    elif isinstance(exc, BackendUnavailable):
        public = f"Этап {where}: модель для него сейчас недоступна на сервере. Выберите другую или повторите позже."
    elif isinstance(exc, OptionError):
        public = f"Этап {where}: параметры не подходят этой модели."
    elif isinstance(exc, MemoryError):
        public = f"Этап {where}: не хватило памяти. Сократите сказку или выберите параметры попроще."
    elif isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        public = f"Этап {where}: на сервере закончилось место. Повторите позже."
    elif isinstance(exc, (TimeoutError, subprocess.TimeoutExpired)):
        public = f"Этап {where}: длился слишком долго и был остановлен."
    else:
        public = f"Этап {where} не удался. Попробуйте ещё раз или выберите другие параметры."
        log.error("stage %s (scene %s) failed", stage, scene, exc_info=exc)
    return Explained(public, detail)
