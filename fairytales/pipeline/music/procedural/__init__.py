"""Offline music: a small procedural piece whose mood follows the genre, no model needed.

A mood (``moods.py``) fixes the mode, the tempo, the metre, the chord progressions and the band (General
MIDI programs). From a seed the composer plans 8-bar periods of themes built on one-bar motifs
(``phrases``) and plays them with the mood's band (``score``): melody, bass, an accompaniment figure and a
pad, kept soft because the music plays under narration, closing on a held tonic chord that fades.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pretty_midi

from ...backend import SEED, Option, OptionError
from ...notes import Note
from ...types import ProgressCallback, no_progress
from .. import Composer, MusicCue
from ..moods import MOOD_OPTION, MOODS, mood_for
from ..render import render_midi
from .score import Score


class ProceduralComposer(Composer):
    name = "procedural"
    label = "Композитор (процедурный, без модели)"
    declared_options = (
        SEED,  # None here: a random one
        MOOD_OPTION,  # None: the genre's
        Option("tempo", None, "Темп, четвертей в минуту", kind=float, min=30, max=240),  # None: the mood's
    )

    def compose(
        self,
        duration: float,
        genre: str,
        out_wav: Path,
        out_midi: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
        cues: list[MusicCue] | None = None,  # the phrases follow the mood, not the scenes
    ) -> dict:
        opts = self.options(options)
        if not duration or duration <= 0:
            raise OptionError(f"music/procedural: duration must be positive, not {duration!r}")
        mood = mood_for(genre, opts["mood"], "music/procedural")
        seed = opts["seed"] if opts["seed"] is not None else secrets.randbelow(2**31)

        progress(0.05, Note("Музыка: пишу партитуру ({mood})", mood=Note(MOODS[mood].description)))
        pm, info = compose_score(mood, float(duration), seed, opts["tempo"])
        out_midi, out_wav = Path(out_midi), Path(out_wav)
        out_midi.parent.mkdir(parents=True, exist_ok=True)
        pm.write(str(out_midi))
        progress(0.35, Note("Музыка: партитура готова, синтезирую звук"))
        written = render_midi(pm, out_wav, duration=float(duration))
        progress(1.0, Note("Музыка готова"))
        return {**info, "duration": written, "seed": seed, "genre": genre}


def compose_score(
    mood: str, duration: float, seed: int, tempo: float | None = None
) -> tuple[pretty_midi.PrettyMIDI, dict]:
    """The score in the mood ``mood`` (an id), ``duration`` seconds or a little more, and its description."""
    return Score(MOODS[mood], duration, seed, tempo).write()
