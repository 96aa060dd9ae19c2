"""The film's pictures encoded while its music is composed.

The editor's picture segments need the voices and the pictures, not the music (only the soundtrack does), and a
composer makes its music on one core: so once the scenes are read and drawn, a thread has the editor encode the
segments (``Editor.prepare``) into the folder it keeps them in, beside the composing. The video stage then finds
them made and encodes only what is left and the soundtrack. The thread stops starting segments when the music
is done (the video stage takes over at once, and waits for the ones still being encoded: segments.run_jobs),
and stops at once on a failure or a cancel. It runs only where the runner makes the film itself, with more than
one node at a time, and never reports to the store (whose calls belong to the runner's thread): what it makes
is only a head start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .artifacts import Artifact
from .failures import Cancelled
from .lanes import workers

log = logging.getLogger(__name__)


class CutAhead:
    """One run's head start. ``cut_of(made)`` gives the editor, its options and the cut without music from the
    saved voices and pictures ({stage: results}); ``here``: whether this runner makes the film itself."""

    def __init__(self, cut_of: Callable[[dict[str, list[Artifact]]], tuple], here: bool):
        self.cut_of, self.here = cut_of, here
        self.composing = False  # whether the music is being made in this run
        self._halt, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, made: dict[str, list[Artifact]]) -> None:
        """Called on the runner's thread once the voices and pictures are saved: start encoding, if worth it."""
        if not (self.here and self.composing and workers() >= 2):
            return
        try:
            backend, options, cut = self.cut_of(made)
        except Exception:  # the video stage meets the same problem and reports it
            log.debug("no head start for the film", exc_info=True)
            return
        self._thread = threading.Thread(target=self._encode, args=(backend, options, cut), daemon=True,
                                        name="videotales-cut-ahead")
        self._thread.start()

    def _encode(self, backend, options: dict, cut) -> None:
        def progress(fraction: float, message: str = "") -> None:
            if self._stop.is_set():
                raise Cancelled()

        try:
            backend.prepare(cut, options, progress, halt=self._halt)
        except Exception:  # a head start only: the video stage makes what is missing
            log.debug("the head start stopped", exc_info=True)

    def halt(self) -> None:
        """The music is made: start no more segments (the video stage waits for the ones being encoded)."""
        self._halt.set()

    def stop(self) -> None:
        """The run failed or was cancelled: the segments being encoded are stopped too."""
        self._halt.set()
        self._stop.set()
        self.join()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()
