"""The moods both composers play in: a key, a tempo and a band each (``data/moods.toml``), and which
mood a tale gets (its genre's, from the genre table, unless the ``mood`` option says otherwise)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from .. import genres
from ..backend import Option, OptionError

MODES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
}
MINOR_MODES = {"minor", "harmonic minor", "dorian"}
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# what the procedural composer knows how to play (see procedural/score.py)
FIGURES = ("waltz", "arpeggio", "harp", "offbeat", "ostinato", "comp", "swell")
BASS_STYLES = ("root", "root_fifth", "waltz", "walking", "drone", "staccato")
PERCUSSION = ("timpani", "ride")


@dataclass(frozen=True)
class Mood:
    id: str
    label: str  # what a user sees
    description: str
    mode: str  # a key of MODES
    tonics: tuple[int, ...]  # pitch classes the key is picked from
    tempo: float  # quarter notes per minute
    beats: int  # quarter notes per bar
    progressions: tuple[tuple[int, ...], ...]  # four chords per phrase, as 0-based scale degrees
    cadence: int  # the chord before the final tonic
    melody: tuple[int, ...]  # GM programs; periods take turns
    accompaniment: int
    figure: str  # one of FIGURES
    bass: int
    bass_style: str  # one of BASS_STYLES
    pad: int | None = None
    percussion: str | None = None  # one of PERCUSSION
    density: float = 0.5  # how busy the melody is, 0..1
    register: int = 72  # the melody's tonic sits near this MIDI pitch
    pattern: tuple[int, ...] = (0, 1, 2, 1)  # arpeggio order over the voiced chord (3 = root an octave up)
    staccato: bool = False
    swing: bool = False
    sevenths: bool = False
    loudness: float = 1.0


def _tuples(value):
    """TOML's arrays as the tuples the dataclass holds (it is frozen, and moods are shared)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _mood(key: str, row: dict) -> Mood:
    """One table of moods.toml as a Mood; a misspelt field or value is an error, not a silent default."""
    where = f"music/data/moods.toml [{key}]"
    unknown = set(row) - {f.name for f in fields(Mood)} - {"id"}
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    try:
        mood = Mood(id=key, **{name: _tuples(value) for name, value in row.items()})
    except TypeError as exc:
        raise ValueError(f"{where}: {exc}") from exc
    for field, value, known in (
        ("mode", mood.mode, MODES),
        ("figure", mood.figure, FIGURES),
        ("bass_style", mood.bass_style, BASS_STYLES),
        ("percussion", mood.percussion, (None, *PERCUSSION)),
    ):
        if value not in known:
            raise ValueError(f"{where}: {field} {value!r} is not one of {', '.join(map(str, known))}")
    return mood


def _load() -> dict[str, Mood]:
    with open(Path(__file__).with_name("data") / "moods.toml", "rb") as f:
        return {key: _mood(key, row) for key, row in tomllib.load(f).items()}


MOODS: dict[str, Mood] = _load()
MOOD_LABELS: dict[str, str] = {key: mood.label for key, mood in MOODS.items()}


def mood_for(genre: str | None, mood: str | None = None, owner: str = "music") -> str:
    """The mood id for a tale of ``genre``.

    The ``mood`` option, when given, wins: a mood id, or a genre standing for its mood (any case). Else
    the genre's own mood (a genre the table does not know gets the default genre's; a mood id passed as
    the genre is taken as itself). An unknown ``mood`` is an OptionError naming ``owner``.
    """
    if mood:
        key = str(mood).strip().lower()
        if key in MOODS:
            return key
        if genres.find(key):
            return genres.find(key).mood
        raise OptionError(f"{owner}: unknown mood {mood!r} (known: {', '.join(sorted(MOODS))}, or a genre)")
    key = str(genre or "").strip().lower()
    return key if key in MOODS else genres.get(genre).mood


class MoodOption(Option):
    """The ``mood`` option: one of ``choices`` (the mood ids) or a genre standing for its mood, read in
    any case and kept as the mood id; empty means the genre's own."""

    def check(self, value, owner: str = ""):
        return mood_for(None, value, owner or "music") if value else None


MOOD_OPTION = MoodOption("mood", None, "Настроение музыки", kind=str, choices=tuple(MOODS))
