"""Narration with espeak-ng: offline, instant, and with voice variants for the characters.

espeak-ng reads digits as cardinals of one gender, abbreviations letter by letter, Roman numerals as
English and «е» where «ё» is meant, so it is given the text as ``reading.spoken`` says it; the
subtitles keep the text as written. It speaks Russian, English and Ukrainian: a voice is a language and a
variant («ru+m3»), and a tale in another language keeps the variant in its own («en+m3»)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ..backend import BackendUnavailable, Option
from ..notes import Note
from ..scenes import NARRATOR
from ..text import chunks
from ..types import ProgressCallback, Scene, no_progress
from . import Narration, Narrator, characters, reading
from .assemble import join_chunks, read_wav, trim_silence

SENTENCE_PAUSE = 0.45
LINE_PAUSE = 0.3
VOICES = {"narrator": "ru+m3", "masc": "ru+m1", "femn": "ru+f3", "neut": "ru+f2"}
LANGUAGES = ("ru", "en", "uk")  # espeak-ng's voices of these names
VARIANTS = {"m3": "Мужской", "m1": "Низкий мужской", "f3": "Женский", "f2": "Высокий женский",
            "m7": "Сказочник-старик"}


def in_language(voice: str, language: str) -> str:
    """``voice`` («ru+m3») spoken in ``language``: the same variant of that language's voice («en+m3»)."""
    _, plus, variant = voice.partition("+")
    return f"{language}{plus}{variant}"


class EspeakNarrator(Narrator):
    name = "espeak"
    label = "espeak-ng (без модели)"
    voices = {f"{language}+{variant}": label for language in LANGUAGES for variant, label in VARIANTS.items()}
    languages = LANGUAGES
    declared_options = (
        Option("rate", 135, "Скорость, слов в минуту", min=60, max=300),
        Option("pitch", 45, "Высота голоса", min=0, max=99),
        Option("narrator_voice", VOICES["narrator"], "Голос рассказчика"),
        Option("character_voices", True, "Свои голоса у героев"),
        Option("max_chars", 90, "Символов в одном куске речи", min=20, max=500),
    )

    def available(self) -> tuple[bool, str]:
        if shutil.which("espeak-ng"):
            return True, ""
        return False, "espeak-ng is not installed: run `make install` (apt package espeak-ng)"

    @classmethod
    def voices_in(cls, language: str) -> dict[str, str]:
        return {voice: label for voice, label in cls.voices.items() if voice.startswith(f"{language}+")}

    def speak(self, scene: Scene, out_wav: Path, options: dict, progress: ProgressCallback = no_progress,
              language: str = "ru") -> Narration:
        self.check_language(language)
        ok, why = self.available()
        if not ok:
            raise BackendUnavailable(why)
        read_by: dict[str, str] = {}
        pieces = [(line, piece) for line in scene.lines for piece in chunks(line.text, options["max_chars"])]
        spoken: list[tuple[str, np.ndarray, float]] = []
        rate = 22050
        with tempfile.TemporaryDirectory(prefix="espeak-") as tmp:
            for i, (line, piece) in enumerate(pieces):
                voice = read_by.setdefault(line.speaker, self._voice(line.speaker, options, language))
                path = Path(tmp) / f"{i}.wav"
                subprocess.run(
                    ["espeak-ng", "-v", voice, "-s", str(options["rate"]), "-p", str(options["pitch"]),
                     "-w", str(path), "--", reading.spoken(piece, language)],
                    check=True, capture_output=True, timeout=60,
                )
                samples, rate = read_wav(path)
                last_of_line = i + 1 == len(pieces) or pieces[i + 1][0] is not line
                spoken.append((piece, trim_silence(samples), LINE_PAUSE if last_of_line else SENTENCE_PAUSE))
                progress((i + 1) / len(pieces), Note("Озвучено фраз: {done} из {total}", done=i + 1, total=len(pieces)))
        duration, cues = join_chunks(spoken, rate, out_wav)
        return Narration(duration=duration, cues=cues, voices=read_by)

    def _voice(self, speaker: str, options: dict, language: str = "ru") -> str:
        if speaker == NARRATOR or not options["character_voices"]:
            return in_language(options["narrator_voice"], language)
        return in_language(VOICES[characters.gender(speaker, language)], language)
