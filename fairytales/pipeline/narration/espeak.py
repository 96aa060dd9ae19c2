"""Narration with espeak-ng: offline, instant, and with voice variants for the characters.

espeak-ng reads digits as cardinals of one gender, abbreviations letter by letter, Roman numerals as
English and «е» where «ё» is meant, so it is given the text as ``reading.spoken`` says it; the
subtitles keep the text as written."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ..backend import BackendUnavailable, Option
from ..scenes import NARRATOR, speaker_gender
from ..text import chunks
from ..notes import Note
from ..types import ProgressCallback, Scene, no_progress
from . import Narration, Narrator, reading
from .assemble import join_chunks, read_wav, trim_silence

SENTENCE_PAUSE = 0.45
LINE_PAUSE = 0.3
VOICES = {"narrator": "ru+m3", "masc": "ru+m1", "femn": "ru+f3", "neut": "ru+f2"}


class EspeakNarrator(Narrator):
    name = "espeak"
    label = "espeak-ng (без модели)"
    voices = {"ru+m3": "Мужской", "ru+m1": "Низкий мужской", "ru+f3": "Женский", "ru+f2": "Высокий женский",
              "ru+m7": "Сказочник-старик"}
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

    def speak(self, scene: Scene, out_wav: Path, options: dict, progress: ProgressCallback = no_progress) -> Narration:
        ok, why = self.available()
        if not ok:
            raise BackendUnavailable(why)
        pieces = [(line, piece) for line in scene.lines for piece in chunks(line.text, options["max_chars"])]
        spoken: list[tuple[str, np.ndarray, float]] = []
        rate = 22050
        with tempfile.TemporaryDirectory(prefix="espeak-") as tmp:
            for i, (line, piece) in enumerate(pieces):
                voice = self._voice(line.speaker, options)
                path = Path(tmp) / f"{i}.wav"
                subprocess.run(
                    ["espeak-ng", "-v", voice, "-s", str(options["rate"]), "-p", str(options["pitch"]),
                     "-w", str(path), "--", reading.spoken(piece)],
                    check=True, capture_output=True, timeout=60,
                )
                samples, rate = read_wav(path)
                last_of_line = i + 1 == len(pieces) or pieces[i + 1][0] is not line
                spoken.append((piece, trim_silence(samples), LINE_PAUSE if last_of_line else SENTENCE_PAUSE))
                progress((i + 1) / len(pieces), Note("Озвучено фраз: {done} из {total}", done=i + 1, total=len(pieces)))
        duration, cues = join_chunks(spoken, rate, out_wav)
        return Narration(duration=duration, cues=cues)

    def _voice(self, speaker: str, options: dict) -> str:
        if speaker == NARRATOR or not options["character_voices"]:
            return options["narrator_voice"]
        return VOICES[speaker_gender(speaker)]
