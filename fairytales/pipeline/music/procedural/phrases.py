"""The procedural composer's form: which chord each bar holds and what its melody does.

From the seed, 8-bar periods (an antecedent phrase ending on a half cadence, a consequent ending on the
tonic) whose melodies repeat and sequence a one-bar motif: a rhythm and steps picked by a random walk over
the scale. Themes A and B/C alternate (A B A C ...), A coming back a little changed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ..moods import Mood

STEPS = (-4, -3, -2, -1, 0, 1, 2, 3, 4)  # melodic moves in scale degrees
STEP_WEIGHTS = (0.2, 0.4, 1, 3, 1, 3, 1, 0.4, 0.2)
Motif = tuple[list[tuple[float, float]], list[int]]  # (onset, length) in beats; scale steps between notes


@dataclass
class Theme:
    progression: tuple[int, ...]
    motifs: list[Motif]  # bar 1 (and 3, sequenced), bar 2, bar 3 of the consequent
    half_cadence: Motif
    full_cadence: Motif
    anchor: int  # scale degree the theme starts near


@dataclass
class Bar:
    section: int
    letter: str
    position: int  # 0..7 within the period
    chord: int


class Phrasing:
    """Themes and the plan of bars, drawn from ``rng`` (the score's, so the draws keep their order)."""

    def __init__(self, rng: random.Random, mood: Mood):
        self.rng, self.mood, self.beats = rng, mood, mood.beats

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

    def _theme(self, letter: str) -> Theme:
        progressions = self.mood.progressions
        progression = progressions[0] if letter == "A" else self.rng.choice(progressions[1:])
        first, second = self._motif(), self._motif()
        return Theme(
            progression=progression,
            motifs=[first, second, self._vary(first)],
            half_cadence=self._cadence(),
            full_cadence=self._cadence(),
            anchor=self.rng.choice((2, 4, 7) if letter == "A" else (4, 5, 7)),
        )

    def plan(self, body: int) -> tuple[list[Bar], dict[tuple[int, str], Theme]]:
        """``body`` bars (all but the ending's), and the theme each (section, letter) plays."""
        themes: dict[str, Theme] = {}
        section_themes: dict[tuple[int, str], Theme] = {}
        bars: list[Bar] = []
        section = 0
        while len(bars) < body:
            letter = "A" if section % 2 == 0 else ("B" if section % 4 == 1 else "C")
            if letter not in themes:
                themes[letter] = self._theme(letter)
            theme = themes[letter]
            if section >= 2 and letter == "A":  # A comes back a little changed
                motifs = [theme.motifs[0], self._vary(theme.motifs[1]), theme.motifs[2]]
                theme = Theme(theme.progression, motifs, theme.half_cadence, self._cadence(), theme.anchor)
            section_themes[(section, letter)] = theme
            for position in range(8):
                prog = theme.progression
                chord = prog[position % 4]
                if position == 6:
                    chord = self.mood.cadence
                elif position == 7:
                    chord = 0
                bars.append(Bar(section, letter, position, chord))
            section += 1
        bars = bars[:body]
        if bars:
            bars[-1].chord = self.mood.cadence
        return bars, section_themes
