"""Narration with RHVoice: the best free Russian voices (and English and Ukrainian ones), offline, a distinct
voice for every character.

RHVoice comes from Debian's non-free packages, unpacked by `make install` under `.venv/rhvoice/` (nothing
outside the project changes); `rhvoice-wrapper`'s engine binding drives its C library with that data folder,
synchronously (its TTS class keeps worker threads that would hold the process open at exit). Like espeak it is
given the text as ``reading.spoken`` says it; the subtitles keep the text as written. A character keeps one
voice through the whole tale: it is chosen from the voices of the character's gender by the character's name,
so every scene (narrated on its own) picks the same one. The voices are the tale's language's: a narrator's
voice of another language (the default, Aleksandr, in an English tale) gives way to the tale's language's
default voice of the same gender (``data/rhvoice_voices.toml``).
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..backend import REPO_ROOT, BackendUnavailable, Option
from ..notes import Note
from ..scenes import NARRATOR
from ..text import chunks
from ..types import ProgressCallback, Scene, no_progress
from . import Narration, Narrator, characters, reading
from .assemble import join_chunks, trim_silence

SENTENCE_PAUSE = 0.45
LINE_PAUSE = 0.3
DEFAULT_ROOT = REPO_ROOT / ".venv" / "rhvoice" / "root"  # where `make install` unpacks the Debian packages
LIBRARY = "usr/lib/x86_64-linux-gnu/libRHVoice.so.5"
CORE = "usr/lib/x86_64-linux-gnu/libRHVoice_core.so.7"
DATA, CONFIG = "usr/share/RHVoice", "etc/RHVoice"
INSTALL_HINT = "run `make install` (it unpacks Debian's rhvoice packages under .venv/rhvoice)"


@dataclass(frozen=True)
class Voice:
    id: str
    label: str
    language: str
    gender: str
    license: str


@functools.cache
def _table() -> dict:
    with open(Path(__file__).with_name("data") / "rhvoice_voices.toml", "rb") as f:
        return tomllib.load(f)


@functools.cache
def catalogue() -> dict[str, Voice]:
    return {row["id"]: Voice(**row) for row in _table()["voice"]}


def default_voices(language: str) -> dict[str, str]:
    """{gender: voice id}: the voice a narrator of ``language`` defaults to, by gender."""
    return dict(_table()["defaults"][language])


def voices(language: str) -> list[tuple[str, str]]:
    """(id, label) of the voices that speak ``language``, the default first: what a redo form offers."""
    own = [(v.id, v.label) for v in catalogue().values() if v.language == language]
    first = default_voices(language)["masc"] if own else None
    return sorted(own, key=lambda pair: pair[0] != first)


def narrator_voice(chosen: str, language: str) -> str:
    """The voice that narrates a tale in ``language`` when ``chosen`` was asked for: itself when it speaks
    the language, else the language's default of its gender."""
    voice = catalogue()[chosen]
    if voice.language == language:
        return chosen
    defaults = default_voices(language)
    return defaults.get(voice.gender, defaults["masc"])


class RhvoiceNarrator(Narrator):
    name = "rhvoice"
    label = "RHVoice (без модели)"
    default_model = str(DEFAULT_ROOT)  # the unpacked packages' root; MODEL_NARRATION_RHVOICE to move it
    requires = ("rhvoice_wrapper",)
    weights_marker = LIBRARY
    voices = {voice.id: voice.label for voice in catalogue().values()}
    languages = tuple(dict.fromkeys(voice.language for voice in catalogue().values()))
    declared_options = (
        Option("narrator_voice", "aleksandr-hq", "Голос рассказчика", choices=tuple(voices), form=True),
        Option("character_voices", True, "Свои голоса у героев"),
        Option("rate", 0.95, "Скорость (1 — обычная)", min=0.5, max=2.0),
        Option("max_chars", 160, "Символов в одном куске речи", min=20, max=1000),
    )

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model=model, device=device)
        self._engine = None
        self._heard: list[np.ndarray] = []
        self._rate = 24000
        self._lock = threading.Lock()  # one message at a time: the callbacks collect into this instance

    def load(self) -> None:
        ok, why = self.available()
        if not ok:
            raise BackendUnavailable(why)
        root = Path(self.model)
        from rhvoice_wrapper.rhvoice_proxy import Engine  # noqa: PLC0415 - optional until RHVoice is installed

        # libRHVoice finds its core library by name: load it first, so no LD_LIBRARY_PATH is needed
        ctypes.CDLL(str(root / CORE), mode=ctypes.RTLD_GLOBAL)
        self._engine = Engine(lib_path=str(root / LIBRARY))
        self._engine.init(self._take_samples, self._take_rate, data_path=str(root / DATA),
                          config_path=str(root / CONFIG))
        missing = sorted(set(catalogue()) - set(self._engine.voices))
        if missing:
            raise BackendUnavailable(f"narration/rhvoice: no voice {', '.join(missing)} in {root / DATA}")

    def _take_samples(self, samples, count, _user) -> int:
        self._heard.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 1

    def _take_rate(self, rate, _user) -> int:
        self._rate = rate
        return 1

    def available(self) -> tuple[bool, str]:
        ok, why = super().available()
        if not ok:
            return False, f"{why}; {INSTALL_HINT}" if "weights" in why else why
        return True, ""

    @classmethod
    def voices_in(cls, language: str) -> dict[str, str]:
        return dict(voices(language))

    def speak(self, scene: Scene, out_wav: Path, options: dict,
              progress: ProgressCallback = no_progress, language: str = "ru") -> Narration:
        self.check_language(language)
        self.ensure_loaded()
        options = self.options(options)
        pieces = [(line, piece) for line in scene.lines for piece in chunks(line.text, options["max_chars"])]
        spoken: list[tuple[str, np.ndarray, float]] = []
        read_by: dict[str, str] = {}
        rate = 24000
        for i, (line, piece) in enumerate(pieces):
            voice = read_by.setdefault(line.speaker, self.voice_for(line.speaker, options, language))
            samples, rate = self.say(reading.spoken(piece, language), voice, options["rate"])
            last_of_line = i + 1 == len(pieces) or pieces[i + 1][0] is not line
            spoken.append((piece, trim_silence(samples), LINE_PAUSE if last_of_line else SENTENCE_PAUSE))
            progress((i + 1) / len(pieces), Note("Озвучено фраз: {done} из {total}", done=i + 1, total=len(pieces)))
        duration, cues = join_chunks(spoken, rate, out_wav)
        return Narration(duration=duration, cues=cues, voices=read_by)

    def say(self, text: str, voice: str, rate: float) -> tuple[np.ndarray, int]:
        """Mono float32 samples of ``text`` in ``voice`` and their sample rate."""
        self.ensure_loaded()
        with self._lock:
            self._heard = []
            self._engine.set_params(voice_profile=voice, relative_rate=rate)
            self._engine.generate(text)
            pcm = np.concatenate(self._heard) if self._heard else np.zeros(0, dtype=np.int16)
            return pcm.astype(np.float32) / 32768.0, self._rate

    def voice_for(self, speaker: str, options: dict, language: str = "ru") -> str:
        """The narrator's voice, or the character's own: of the tale's language, by gender, the same for the
        same name everywhere."""
        narrator = narrator_voice(options["narrator_voice"], language)
        if speaker == NARRATOR or not options["character_voices"]:
            return narrator
        gender = characters.gender(speaker, language)
        pool = [v.id for v in catalogue().values() if v.language == language and v.id != narrator
                and (v.gender == gender or gender == "neut")]
        pool = pool or [narrator]
        index = int.from_bytes(hashlib.sha1(speaker.lower().encode()).digest()[:4], "big")
        return pool[index % len(pool)]
