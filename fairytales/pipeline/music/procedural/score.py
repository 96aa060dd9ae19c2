"""The procedural composer's band: a mood's score, bar by bar, from the plan ``phrases`` draws.

Bass, an accompaniment figure (waltz, arpeggio, ostinato, comping...) and a pad sit under the melody, all
kept soft because the music plays under narration; every fourth period is an interlude without melody,
and the piece closes on a held tonic chord that fades.
"""

from __future__ import annotations

import math
import random

import pretty_midi

from ..moods import MINOR_MODES, MODES, NOTE_NAMES, Mood
from ..render import track_volume
from .phrases import Bar, Phrasing, Theme


class Score:
    """One piece in ``mood`` from ``seed``, ``duration`` seconds or a little more: ``write()`` makes it."""

    LOW, HIGH = -3, 9  # melody range in scale degrees around its tonic

    def __init__(self, mood: Mood, duration: float, seed: int, tempo: float | None):
        self.mood, self.duration = mood, duration
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

    # write ----------------------------------------------------------------------------------------

    def _track(self, role: str, program: int, pan: int, is_drum: bool = False) -> None:
        """A track whose volume evens out its program's loudness (see ``render.track_volume``)."""
        name = "Drums" if is_drum else pretty_midi.program_to_instrument_name(program)
        inst = pretty_midi.Instrument(program, is_drum=is_drum, name=f"{role}: {name}")
        volume = track_volume(program, role.rstrip("0123456789"), drums=is_drum)
        for number, value in ((7, volume), (10, pan), (91, 50)):
            inst.control_changes.append(pretty_midi.ControlChange(number, value, 0.0))
        self.tracks[role] = inst

    def write(self) -> tuple[pretty_midi.PrettyMIDI, dict]:
        mood = self.mood
        bars, section_themes = Phrasing(self.rng, mood).plan(self.n_bars - self.final_bars)
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
            "mood": mood.id,
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

    def melody_bar(self, index: int, bar: Bar, theme: Theme) -> None:
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
