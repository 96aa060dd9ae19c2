"""Offline music: a small procedural piece whose mood follows the genre, no model needed.

A mood fixes the mode, the tempo, the metre, the chord progressions and the band (General MIDI
programs). From a seed the composer writes 8-bar periods (an antecedent phrase ending on a half
cadence, a consequent ending on the tonic) whose melodies repeat and sequence a one-bar motif picked
by a random walk over the scale; themes A and B/C alternate (A B A C ...), every fourth period is an
interlude without melody, and the piece closes on a held tonic chord that fades. Bass, an
accompaniment figure (waltz, arpeggio, ostinato, comping...) and a pad sit under the melody, all
kept soft because the music plays under narration.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

import pretty_midi

from ..backend import OptionError
from ..types import ProgressCallback, no_progress
from . import Composer
from .render import render_midi

MODES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
}
MINOR_MODES = {"minor", "harmonic minor", "dorian"}
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@dataclass(frozen=True)
class Mood:
    description: str
    mode: str
    tonics: tuple[int, ...]  # pitch classes the key is picked from
    tempo: float  # quarter notes per minute
    beats: int  # quarter notes per bar
    progressions: tuple[tuple[int, ...], ...]  # four chords per phrase, as 0-based scale degrees
    cadence: int  # the chord before the final tonic
    melody: tuple[int, ...]  # GM programs; periods take turns
    accompaniment: int
    figure: str  # waltz | arpeggio | harp | offbeat | ostinato | comp | swell
    bass: int
    bass_style: str  # root | root_fifth | waltz | walking | drone | staccato
    pad: int | None = None
    percussion: str | None = None  # timpani | ride
    density: float = 0.5  # how busy the melody is, 0..1
    register: int = 72  # the melody's tonic sits near this MIDI pitch
    pattern: tuple[int, ...] = (0, 1, 2, 1)  # arpeggio order over the voiced chord (3 = root an octave up)
    staccato: bool = False
    swing: bool = False
    sevenths: bool = False
    loudness: float = 1.0


MOODS: dict[str, Mood] = {
    "waltz": Mood(
        "gentle major folk waltz", "major", (5, 7, 2, 0), 96, 3,
        ((0, 3, 4, 0), (0, 5, 3, 4), (0, 4, 5, 3), (3, 0, 1, 4)), 4,
        melody=(73, 8), accompaniment=48, figure="waltz", bass=42, bass_style="waltz",
        density=0.45, register=74,
    ),
    "music_box": Mood(
        "bright major music box", "major", (0, 2, 5, 7), 104, 4,
        ((0, 3, 4, 0), (0, 5, 1, 4), (0, 3, 0, 4), (0, 2, 3, 4)), 4,
        melody=(10, 8), accompaniment=12, figure="arpeggio", bass=32, bass_style="root_fifth",
        density=0.55, register=79, pattern=(0, 1, 2, 3, 2, 1),
    ),
    "dark": Mood(
        "slow, sparse minor with low strings and pads", "harmonic minor", (2, 0, 4), 58, 4,
        ((0, 5, 1, 4), (0, 3, 1, 4), (0, 0, 5, 4), (0, 6, 3, 4)), 4,
        melody=(42, 92), accompaniment=44, figure="swell", bass=43, bass_style="drone", pad=95,
        density=0.2, register=62, loudness=0.85,
    ),
    "modal": Mood(
        "dorian harp with choir and strings", "dorian", (2, 4, 9), 80, 4,
        ((0, 3, 0, 6), (0, 2, 6, 3), (0, 6, 3, 0), (0, 4, 6, 3)), 6,
        melody=(73, 60), accompaniment=46, figure="harp", bass=42, bass_style="root", pad=52,
        density=0.45, register=74,
    ),
    "heroic": Mood(
        "energetic major with brass and timpani", "major", (2, 3, 0, 10), 112, 4,
        ((0, 4, 5, 3), (0, 3, 4, 4), (5, 3, 0, 4), (0, 2, 3, 4)), 4,
        melody=(60, 56), accompaniment=48, figure="ostinato", bass=43, bass_style="root_fifth",
        percussion="timpani", density=0.55, register=67, loudness=0.9,
    ),
    "synth": Mood(
        "synth pads and arpeggios", "minor", (9, 4, 5), 96, 4,
        ((0, 5, 2, 6), (0, 3, 5, 6), (0, 5, 6, 4), (0, 2, 5, 6)), 6,
        melody=(98, 82), accompaniment=90, figure="arpeggio", bass=38, bass_style="root", pad=89,
        density=0.35, register=76, pattern=(0, 1, 2, 3),
    ),
    "dreamy": Mood(
        "lydian haze with vibraphone", "lydian", (5, 0, 7), 76, 4,
        ((0, 1, 0, 1), (0, 1, 5, 4), (0, 6, 1, 0), (5, 1, 0, 1)), 1,
        melody=(11, 73), accompaniment=24, figure="arpeggio", bass=32, bass_style="root", pad=49,
        density=0.4, register=74, pattern=(0, 2, 1, 2),
    ),
    "playful": Mood(
        "staccato bassoon over pizzicato", "major", (5, 10, 0, 7), 120, 4,
        ((0, 4, 0, 4), (0, 3, 4, 0), (0, 1, 4, 0), (0, 5, 1, 4)), 4,
        melody=(70, 71), accompaniment=45, figure="offbeat", bass=58, bass_style="staccato",
        density=0.6, register=57, staccato=True, loudness=0.9,
    ),
    "noir": Mood(
        "minor swing with piano and walking bass", "harmonic minor", (0, 5, 7, 2), 92, 4,
        ((0, 3, 1, 4), (0, 5, 1, 4), (0, 3, 0, 4), (0, 5, 3, 4)), 4,
        melody=(0, 11), accompaniment=4, figure="comp", bass=32, bass_style="walking",
        percussion="ride", density=0.45, register=72, swing=True, sevenths=True,
    ),
    "tender": Mood(
        "slow major with piano and strings", "major", (3, 8, 5, 2, 7), 66, 4,
        ((0, 5, 3, 4), (0, 2, 3, 4), (5, 3, 0, 4), (0, 4, 5, 3)), 4,
        melody=(0, 40), accompaniment=0, figure="arpeggio", bass=42, bass_style="root", pad=49,
        density=0.4, register=72, pattern=(0, 2, 1, 2),
    ),
}

# How loud each program of TimGM6mb.sf2 sounds (dB RMS, five 1 s notes at velocity 64): the composer
# sets each track's volume so that a flute does not drown a celesta. Programs not listed count as -30.
PROGRAM_LEVEL_DB = {
    0: -38.1, 4: -31.5, 8: -36.0, 10: -30.2, 11: -24.7, 12: -33.3, 24: -27.2, 32: -25.0, 38: -23.9,
    40: -25.5, 42: -24.8, 43: -25.1, 44: -25.0, 45: -30.7, 46: -20.5, 47: -26.8, 48: -30.1, 49: -30.0,
    52: -24.1, 56: -24.9, 58: -25.6, 60: -19.4, 70: -27.7, 71: -27.0, 73: -22.2, 82: -21.8, 89: -23.5,
    90: -30.6, 92: -24.7, 95: -29.4, 98: -26.8,
}
DRUMS_LEVEL_DB = -50.8  # the ride cymbal
QUIETEST_DB = -38.1  # the level every track is brought down to, before its role's offset
ROLE_OFFSET_DB = {
    "melody": 0.0, "accompaniment": -3.0, "bass": -2.0, "pad": -3.0, "percussion": -4.0, "drums": 0.0,
}

GENRE_MOODS = {
    "сказка": "waltz",
    "детская": "music_box",
    "ужасы": "dark",
    "фэнтези": "modal",
    "приключения": "heroic",
    "фантастика": "synth",
    "магический реализм": "dreamy",
    "юмор": "playful",
    "детектив": "noir",
    "романтика": "tender",
}  # a genre missing here (tests check there is none) gets the fairy-tale waltz


def mood_for(genre: str, mood: str | None = None) -> str:
    """The mood id: the ``mood`` option (a mood id or a genre) if given, else the genre's own."""
    for wanted in (mood, genre):
        if not wanted:
            continue
        key = str(wanted).strip().lower()
        if key in MOODS:
            return key
        if key in GENRE_MOODS:
            return GENRE_MOODS[key]
        if wanted is mood:
            known = ", ".join(sorted(MOODS))
            raise OptionError(f"music/procedural: unknown mood {mood!r} (known: {known}, or a genre)")
    return GENRE_MOODS["сказка"]


class ProceduralComposer(Composer):
    name = "procedural"
    label = "Композитор (процедурный, без модели)"
    defaults = {"seed": None, "mood": None, "tempo": None}

    def compose(
        self,
        duration: float,
        genre: str,
        out_wav: Path,
        out_midi: Path,
        options: dict,
        progress: ProgressCallback = no_progress,
    ) -> dict:
        opts = self.options(options)
        if not duration or duration <= 0:
            raise OptionError(f"music/procedural: duration must be positive, not {duration!r}")
        mood = mood_for(genre, opts["mood"])
        seed = _int_option("seed", opts["seed"]) if opts["seed"] is not None else secrets.randbelow(2**31)
        tempo = None
        if opts["tempo"] is not None:
            tempo = _float_option("tempo", opts["tempo"])
            if not 30 <= tempo <= 240:
                raise OptionError(f"music/procedural: tempo {tempo} is outside 30..240")

        progress(0.05, f"Музыка: пишу партитуру ({MOODS[mood].description})")
        pm, info = compose_score(mood, float(duration), seed, tempo)
        out_midi, out_wav = Path(out_midi), Path(out_wav)
        out_midi.parent.mkdir(parents=True, exist_ok=True)
        pm.write(str(out_midi))
        progress(0.35, "Музыка: партитура готова, синтезирую звук")
        written = render_midi(pm, out_wav, duration=float(duration))
        progress(1.0, "Музыка готова")
        return {**info, "duration": written, "seed": seed, "genre": genre}


def _int_option(name: str, value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"music/procedural: option {name}={value!r}: {exc}") from exc


def _float_option(name: str, value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"music/procedural: option {name}={value!r}: {exc}") from exc


def compose_score(
    mood: str, duration: float, seed: int, tempo: float | None = None
) -> tuple[pretty_midi.PrettyMIDI, dict]:
    """The score, ``duration`` seconds or a little more, and its description."""
    return _Score(MOODS[mood], mood, duration, seed, tempo).write()


# --- the composer proper ---------------------------------------------------------------------------

STEPS = (-4, -3, -2, -1, 0, 1, 2, 3, 4)  # melodic moves in scale degrees
STEP_WEIGHTS = (0.2, 0.4, 1, 3, 1, 3, 1, 0.4, 0.2)
Motif = tuple[list[tuple[float, float]], list[int]]  # (onset, length) in beats; scale steps between notes


@dataclass
class _Theme:
    progression: tuple[int, ...]
    motifs: list[Motif]  # bar 1 (and 3, sequenced), bar 2, bar 3 of the consequent
    half_cadence: Motif
    full_cadence: Motif
    anchor: int  # scale degree the theme starts near


@dataclass
class _Bar:
    section: int
    letter: str
    position: int  # 0..7 within the period
    chord: int


class _Score:
    LOW, HIGH = -3, 9  # melody range in scale degrees around its tonic

    def __init__(self, mood: Mood, mood_id: str, duration: float, seed: int, tempo: float | None):
        self.mood, self.mood_id, self.duration = mood, mood_id, duration
        self.rng = random.Random(seed)
        self.scale = MODES[mood.mode]
        self.tonic_pc = self.rng.choice(mood.tonics)
        self.beats = mood.beats
        self.tempo, self.n_bars = self._fit_tempo(tempo)
        self.spb = 60.0 / self.tempo  # seconds per beat
        self.final_bars = 1 if self.beats * self.spb >= 3.0 else 2
        self.melody_tonic = _nearest_pitch(self.tonic_pc, mood.register)
        self.chord_size = 4 if mood.sevenths else 3
        self.prev_degree = 4
        self.prev_voicing: list[int] | None = None
        self.prev_bass_chord: int | None = None
        self.pm = pretty_midi.PrettyMIDI(initial_tempo=self.tempo)
        self.tracks: dict[str, pretty_midi.Instrument] = {}

    def _fit_tempo(self, wanted: float | None) -> tuple[float, int]:
        """A whole number of bars: the mood's tempo nudged (at most 15%) to end on ``duration``."""
        nominal = wanted or self.mood.tempo
        bar = self.beats * 60.0 / nominal
        if wanted is None:
            bars = max(3, round(self.duration / bar))
            tempo = self.beats * 60.0 * bars / self.duration
            if 0.85 <= tempo / nominal <= 1.15:
                return tempo, bars
        return nominal, max(3, math.ceil(self.duration / bar - 1e-6))

    # pitches ------------------------------------------------------------------------------------

    def degree_pitch(self, degree: int, tonic: int) -> int:
        return tonic + 12 * (degree // 7) + self.scale[degree % 7]

    def pc(self, degree: int) -> int:
        return (self.tonic_pc + self.scale[degree % 7]) % 12

    def chord_degrees(self, root: int) -> list[int]:
        return [root + 2 * i for i in range(self.chord_size)]

    def chord_tones(self, root: int, roots_only: bool = False) -> list[int]:
        """Melody scale degrees (within range, one octave to spare) that belong to the chord."""
        wanted = {root % 7} if roots_only else {d % 7 for d in self.chord_degrees(root)[:3]}
        return [d for d in range(self.LOW - 7, self.HIGH + 8) if d % 7 in wanted]

    def voicing(self, root: int, low: int = 53) -> list[int]:
        """The chord in close position from ``low`` up, the inversion nearest the previous one."""
        pcs = [self.pc(d) for d in self.chord_degrees(root)]
        best, best_cost = None, None
        for inversion in range(len(pcs)):
            order = pcs[inversion:] + pcs[:inversion]
            notes = [low + (order[0] - low) % 12]
            for pc in order[1:]:
                notes.append(notes[-1] + ((pc - notes[-1]) % 12 or 12))
            if self.prev_voicing:
                cost = sum(abs(a - b) for a, b in zip(notes, self.prev_voicing))
            else:
                cost = abs(notes[0] - low - 5)
            if best_cost is None or cost < best_cost:
                best, best_cost = notes, cost
        self.prev_voicing = best
        return best

    def bass_pitch(self, degree: int) -> int:
        return 36 + (self.pc(degree) - 36) % 12

    # time -----------------------------------------------------------------------------------------

    def at(self, bar: int, beat: float) -> float:
        whole = math.floor(beat + 1e-9)
        frac = beat - whole
        if self.mood.swing and abs(frac - 0.5) < 1e-6:
            frac = 2 / 3
        return (bar * self.beats + whole + frac) * self.spb

    def note(self, role: str, pitch: int, bar: int, beat: float, length: float, velocity: float) -> None:
        start = self.at(bar, beat)
        end = self.at(bar, beat + length)
        if role != "drums" and start > 0:
            start += self.rng.uniform(-0.006, 0.006)  # a hint of a human player
        velocity = velocity * self.mood.loudness + self.rng.uniform(-3, 3)
        start = max(0.0, start)
        self.tracks[role].notes.append(
            pretty_midi.Note(int(max(1, min(127, velocity))), int(pitch), start, max(end, start + 0.02))
        )

    # plan -----------------------------------------------------------------------------------------

    def _rhythm(self) -> list[tuple[float, float]]:
        """One bar of onsets and lengths, the downbeat always sounding."""
        density = self.mood.density
        cells = [  # (durations, is_rest, weight)
            ((1.0,), False, 2.0),
            ((0.5, 0.5), False, 4.0 * density),
            ((1.5, 0.5), False, 1.0),
            ((2.0,), False, 2.5 * (1 - density)),
            ((3.0,), False, 1.5 * (1 - density)),
            ((1.0,), True, 2.0 * (1 - density)),
        ]
        notes, pos = [], 0.0
        while pos < self.beats - 1e-9:
            fitting = [c for c in cells if sum(c[0]) <= self.beats - pos + 1e-9 and not (c[1] and pos == 0)]
            durations, rest, _ = self.rng.choices(fitting, weights=[c[2] for c in fitting])[0]
            if not rest:
                for d in durations:
                    notes.append((pos, d))
                    pos += d
            else:
                pos += durations[0]
        return notes

    def _steps(self, count: int) -> list[int]:
        """A random walk: mostly steps, the odd leap, a leap answered by a step back."""
        steps, last = [], 0
        for _ in range(count):
            if abs(last) >= 3:
                step = -int(math.copysign(1, last)) * self.rng.choice((1, 1, 2))
            else:
                step = self.rng.choices(STEPS, STEP_WEIGHTS)[0]
            steps.append(step)
            last = step
        return steps

    def _motif(self) -> Motif:
        """A bar of melody: a rhythm (two notes or more, but in sparse moods) and steps between its notes."""
        rhythm = self._rhythm()
        for _ in range(20):
            if len(rhythm) >= (2 if self.mood.density >= 0.3 else 1):
                break
            rhythm = self._rhythm()
        return rhythm, self._steps(len(rhythm) - 1)

    def _cadence(self) -> Motif:
        if self.beats >= 3 and self.rng.random() < 0.5:  # a held note and a pickup into the next phrase
            return [(0.0, self.beats - 1.0), (self.beats - 1.0, 1.0)], [self.rng.choice((-1, 1, 2))]
        return [(0.0, float(self.beats))], []

    def _vary(self, motif: Motif) -> Motif:
        rhythm, steps = motif
        steps = list(steps)
        if steps:
            i = self.rng.randrange(len(steps))
            steps[i] += self.rng.choice((-1, 1))
        return rhythm, steps

    def _theme(self, letter: str) -> _Theme:
        progressions = self.mood.progressions
        progression = progressions[0] if letter == "A" else self.rng.choice(progressions[1:])
        first, second = self._motif(), self._motif()
        return _Theme(
            progression=progression,
            motifs=[first, second, self._vary(first)],
            half_cadence=self._cadence(),
            full_cadence=self._cadence(),
            anchor=self.rng.choice((2, 4, 7) if letter == "A" else (4, 5, 7)),
        )

    def plan(self) -> tuple[list[_Bar], dict[tuple[int, str], _Theme]]:
        body = self.n_bars - self.final_bars
        themes: dict[str, _Theme] = {}
        section_themes: dict[tuple[int, str], _Theme] = {}
        bars: list[_Bar] = []
        section = 0
        while len(bars) < body:
            letter = "A" if section % 2 == 0 else ("B" if section % 4 == 1 else "C")
            if letter not in themes:
                themes[letter] = self._theme(letter)
            theme = themes[letter]
            if section >= 2 and letter == "A":  # A comes back a little changed
                motifs = [theme.motifs[0], self._vary(theme.motifs[1]), theme.motifs[2]]
                theme = _Theme(theme.progression, motifs, theme.half_cadence, self._cadence(), theme.anchor)
            section_themes[(section, letter)] = theme
            for position in range(8):
                prog = theme.progression
                chord = prog[position % 4]
                if position == 6:
                    chord = self.mood.cadence
                elif position == 7:
                    chord = 0
                bars.append(_Bar(section, letter, position, chord))
            section += 1
        bars = bars[:body]
        if bars:
            bars[-1].chord = self.mood.cadence
        return bars, section_themes

    # write ----------------------------------------------------------------------------------------

    def _track(self, role: str, program: int, pan: int, is_drum: bool = False) -> None:
        """A track whose volume (CC7, which most synths read as a cubic curve) evens out its program."""
        name = "Drums" if is_drum else pretty_midi.program_to_instrument_name(program)
        inst = pretty_midi.Instrument(program, is_drum=is_drum, name=f"{role}: {name}")
        level = DRUMS_LEVEL_DB if is_drum else PROGRAM_LEVEL_DB.get(program, -30.0)
        gain_db = min(0.0, QUIETEST_DB - level + ROLE_OFFSET_DB[role.rstrip("0123456789")])
        volume = max(1, min(127, round(127 * 10 ** (gain_db / 60))))
        for number, value in ((7, volume), (10, pan), (91, 50)):
            inst.control_changes.append(pretty_midi.ControlChange(number, value, 0.0))
        self.tracks[role] = inst

    def write(self) -> tuple[pretty_midi.PrettyMIDI, dict]:
        mood = self.mood
        bars, section_themes = self.plan()
        for i, program in enumerate(mood.melody):
            self._track(f"melody{i}", program, 64 + (8 if i else 0))
        self._track("accompaniment", mood.accompaniment, 44)
        self._track("bass", mood.bass, 60)
        if mood.pad is not None:
            self._track("pad", mood.pad, 84)
        if mood.percussion == "timpani":
            self._track("percussion", 47, 70)
        elif mood.percussion == "ride":
            self._track("drums", 0, 76, is_drum=True)

        pad_chord, pad_start = None, 0
        for index, bar in enumerate(bars):
            theme = section_themes[(bar.section, bar.letter)]
            next_chord = bars[index + 1].chord if index + 1 < len(bars) else 0
            if bar.position in (0, 4):  # both phrases of a period open alike
                self.prev_degree = theme.anchor
            if bar.section % 4 != 3:  # every fourth period is an interlude: no melody
                self.melody_bar(index, bar, theme)
            self.accompany(index, bar.chord, bar.position)
            self.bass_bar(index, bar.chord, next_chord)
            if mood.pad is not None and bar.chord != pad_chord:
                if pad_chord is not None:
                    self.pad(pad_chord, pad_start, index)
                pad_chord, pad_start = bar.chord, index
            self.percussion_bar(index, bar.position)
        if mood.pad is not None and pad_chord is not None:
            self.pad(pad_chord, pad_start, len(bars))
        self.ending(len(bars), bars[-1].section if bars else 0)

        self.pm.instruments = [t for t in self.tracks.values() if t.notes]
        self.pm.time_signature_changes.append(pretty_midi.TimeSignature(self.beats, 4, 0.0))
        minor = mood.mode in MINOR_MODES
        key_number = self.tonic_pc + (12 if minor else 0)  # pretty_midi: 0..11 major, 12..23 minor
        self.pm.key_signature_changes.append(pretty_midi.KeySignature(key_number, 0.0))
        info = {
            "mood": self.mood_id,
            "description": mood.description,
            "tempo": round(self.tempo, 1),
            "meter": f"{self.beats}/4",
            "key": f"{NOTE_NAMES[self.tonic_pc]} {mood.mode}",
            "instruments": [
                "Drums" if t.is_drum else pretty_midi.program_to_instrument_name(t.program)
                for t in self.pm.instruments
            ],
            "bars": self.n_bars,
        }
        return self.pm, info

    def melody_bar(self, index: int, bar: _Bar, theme: _Theme) -> None:
        position = bar.position
        role = f"melody{bar.section % len(self.mood.melody)}"
        if position in (3, 7):
            rhythm, steps = theme.half_cadence if position == 3 else theme.full_cadence
            tones = self.chord_tones(bar.chord, roots_only=position == 7)
        else:
            rhythm, steps = theme.motifs[2] if position == 6 else theme.motifs[position % 2]
            tones = self.chord_tones(bar.chord)
        degree = min(tones, key=lambda d: (abs(d - self.prev_degree), d))
        degrees = [degree]
        for step in steps:
            nxt = degree + step
            if not self.LOW <= nxt <= self.HIGH:
                nxt = degree - step
            degrees.append(nxt)
            degree = nxt
        # the shape of a phrase: rising into its third bar, easing off at the cadence
        base = (62, 66, 70, 60)[position % 4] - (4 if position >= 4 else 0)
        for (onset, length), degree in zip(rhythm, degrees):
            if length >= 1.5 and degree not in tones:  # held notes belong to the chord
                degree = min(tones, key=lambda d: abs(d - degree))
            accent = 6 if onset == 0 else (2 if onset == int(onset) else 0)
            held = length * (0.45 if self.mood.staccato else 0.95)
            self.note(role, self.degree_pitch(degree, self.melody_tonic), index, onset, held, base + accent)
        self.prev_degree = degrees[-1]

    def accompany(self, index: int, chord: int, position: int) -> None:
        figure, beats = self.mood.figure, self.beats
        voicing = self.voicing(chord)
        root = next(p for p in voicing if p % 12 == self.pc(chord))  # the voicing may be an inversion
        fifth = root + (self.pc(chord + 4) - root) % 12
        role = "accompaniment"
        if figure == "waltz":
            for beat in range(1, beats):
                for pitch in voicing:
                    self.note(role, pitch, index, beat, 0.8, 40)
        elif figure == "arpeggio":
            tones = voicing + [p + 12 for p in voicing]
            for step in range(beats * 2):
                pitch = tones[self.mood.pattern[step % len(self.mood.pattern)]]
                self.note(role, pitch, index, step / 2, 1.0, 42 if step == 0 else 36)
        elif figure == "harp":
            tones = sorted({root - 12, fifth - 12, *voicing[:3], *(p + 12 for p in voicing[:3])})
            for step, pitch in enumerate(tones[: beats * 2]):
                self.note(role, pitch, index, step / 2, beats - step / 2, 42 - step)
        elif figure == "offbeat":
            for beat in range(1, beats, 2):
                for pitch in voicing:
                    self.note(role, pitch, index, beat, 0.3, 34)
        elif figure == "ostinato":
            for step in range(beats * 2):
                pitch = root if step % 4 in (0, 1) else (fifth if step % 4 == 2 else root + 12)
                self.note(role, pitch, index, step / 2, 0.45, 44 if step % 2 == 0 else 34)
        elif figure == "comp":
            for beat in (1.0, 2.5) if position % 2 else (1.0, 3.0):
                for pitch in voicing:
                    self.note(role, pitch, index, beat, 0.6, 40)
        elif figure == "swell":
            if index % 2 == 0:
                for pitch in voicing[1:]:
                    self.note(role, pitch + 12, index, 0.0, 2 * beats - 0.1, 30)

    def bass_bar(self, index: int, chord: int, next_chord: int) -> None:
        style, beats = self.mood.bass_style, self.beats
        root = self.bass_pitch(chord)
        fifth = root + 7 if root + 7 <= 52 else root - 5
        if style == "root":
            self.note("bass", root, index, 0, beats - 0.05, 52)
        elif style == "root_fifth":
            half = beats // 2
            self.note("bass", root, index, 0, half - 0.05, 54)
            self.note("bass", fifth, index, half, beats - half - 0.05, 46)
        elif style == "waltz":  # the fifth only when the chord stays
            self.note("bass", fifth if chord == self.prev_bass_chord else root, index, 0, 0.9, 52)
        elif style == "staccato":
            for beat in range(0, beats, 2):
                self.note("bass", root if beat == 0 else fifth, index, beat, 0.4, 52)
        elif style == "drone":
            self.note("bass", root, index, 0, beats - 0.05, 48)
        elif style == "walking":
            third = self.bass_pitch(chord + 2)
            third = third if third > root else third + 12
            fifth = fifth if fifth > root else fifth + 12
            target = self.bass_pitch(next_chord)
            target = min((target, target + 12), key=lambda t: abs(t - fifth))
            line = [root, third, fifth, target + self.rng.choice((-1, 1))]  # a chromatic approach
            for beat, pitch in enumerate(line[:beats]):
                self.note("bass", pitch, index, beat, 0.9, 50 if beat == 0 else 44)
        self.prev_bass_chord = chord

    def pad(self, chord: int, first: int, stop: int) -> None:
        pcs = [self.pc(d) for d in self.chord_degrees(chord)[:3]]
        pitches = [60 + (pc - 60) % 12 for pc in pcs]
        for pitch in pitches:
            self.note("pad", pitch, first, 0, (stop - first) * self.beats - 0.1, 34)

    def percussion_bar(self, index: int, position: int) -> None:
        beats = self.beats
        if self.mood.percussion == "timpani":
            root = 41 + (self.tonic_pc - 41) % 12
            if position % 2 == 0:
                self.note("percussion", root, index, 0, 1.0, 44)
            if position in (3, 7):
                for beat in (beats - 1.0, beats - 0.5):
                    self.note("percussion", root + 7 if root + 7 <= 53 else root - 5, index, beat, 0.5, 34)
        elif self.mood.percussion == "ride":
            for beat in range(beats):
                self.note("drums", 51, index, beat, 0.3, 50)
                if beat % 2 == 1:
                    self.note("drums", 51, index, beat + 0.5, 0.2, 38)
                    self.note("drums", 44, index, beat, 0.2, 44)

    def ending(self, first: int, section: int) -> None:
        """The tonic, held to the end; the expression fades over the last bar."""
        length = self.final_bars * self.beats - 0.05
        self.prev_voicing = None
        for step, pitch in enumerate(self.voicing(0)):
            self.note("accompaniment", pitch, first, 0.12 * step, length - 0.12 * step, 40)
        self.note("bass", self.bass_pitch(0), first, 0, length, 50)
        tonic = min(self.chord_tones(0, roots_only=True), key=lambda d: abs(d - self.prev_degree))
        melody = f"melody{section % len(self.mood.melody)}"
        self.note(melody, self.degree_pitch(tonic, self.melody_tonic), first, 0, length, 56)
        if "pad" in self.tracks:
            self.pad(0, first, first + self.final_bars)
        if self.mood.percussion == "timpani":
            self.note("percussion", 41 + (self.tonic_pc - 41) % 12, first, 0, 2.0, 40)
        elif self.mood.percussion == "ride":
            self.note("drums", 51, first, 0, 1.0, 44)
        start = self.at(first + self.final_bars - 1, 0)
        end = self.at(first + self.final_bars, 0)
        for track in self.tracks.values():
            for k in range(9):
                t = start + (end - start) * k / 8
                track.control_changes.append(pretty_midi.ControlChange(11, int(127 - 87 * k / 8), t))


def _nearest_pitch(pc: int, around: int) -> int:
    return around + ((pc - around + 6) % 12) - 6
