"""Narration with Silero TTS v4 (Russian): neural voices, one for the narrator and one per kind of character.

Silero ships its models as torch.package files; ``v4_ru.pt`` holds the model under ("tts_models",
"model") with ``.speakers`` and ``apply_tts(text=, speaker=, sample_rate=, put_accent=, put_yo=)``,
which returns a 1-D float tensor. The file comes from Silero's server, so here it is read from
models/silero/v4_ru.pt (or MODEL_NARRATION_SILERO) and never fetched at run time.

Before a chunk reaches the model:

- numbers, units, abbreviations and Roman numerals are put in words (``reading.py``: «1 минута» →
  «одна минута», «3-й» → «третий», «т. е.» → «то есть»);
- stress marks («+» before the stressed vowel) and ё come from ``silero-stress``, which resolves
  homographs in context and runs offline. The model's own ``put_accent``/``put_yo`` are then turned
  off: they would only guess again what is already marked (without homographs). With the option
  ``stress`` off, or without silero-stress, the model's own accentor does it instead;
- characters outside the model's alphabet become pauses (dashes, brackets) or go (quotes).

Each line is cut into chunks of at most ``max_chars`` at sentence, clause and word boundaries, and
a chunk whose marked-up text grows past the limit is cut again, so the model never gets more than
``max_chars`` characters. Subtitles show the chunks as written, timed by the audio made.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import threading
from pathlib import Path

import numpy as np

from ..backend import MODELS_DIR, BackendUnavailable, Option, OptionError, first_line
from ..scenes import NARRATOR, speaker_gender
from ..text import chunks
from ..notes import Note
from ..types import Line, ProgressCallback, Scene, no_progress
from . import Narration, Narrator
from .assemble import join_chunks, trim_silence
from .reading import spoken_words

DEFAULT_MODEL = MODELS_DIR / "silero" / "v4_ru.pt"
SAMPLE_RATES = (8000, 24000, 48000)
SENTENCE_PAUSE = 0.4
LINE_PAUSE = 0.3
# A character's voice when it would otherwise be the narrator's own.
ALTERNATIVE = {"aidar": "eugene", "eugene": "aidar", "xenia": "baya", "baya": "xenia", "kseniya": "baya"}

# --- stress and ё ------------------------------------------------------------------------------------------

_accentor_lock = threading.Lock()


@functools.cache
def accentor():
    """silero-stress's Russian accentor (offline, ~3 s to load), or None when it is not installed."""
    if importlib.util.find_spec("silero_stress") is None:
        return None
    import torch  # noqa: PLC0415

    threads, grad = torch.get_num_threads(), torch.is_grad_enabled()
    try:
        from silero_stress import load_accentor  # noqa: PLC0415 - sets torch's threads to 1 on import

        return load_accentor("ru")
    finally:
        # it also leaves the process's threads at 1 and gradients switched off: a worker that then
        # trains or optimises (VQGAN+CLIP) would silently do nothing
        torch.set_num_threads(threads)
        torch.set_grad_enabled(grad)


def put_stress(text: str) -> str | None:
    """``text`` with «+» before each stressed vowel of words of two syllables or more and ё put in."""
    model = accentor()
    if model is None:
        return None
    with _accentor_lock:
        marked = model(text, stress_single_vowel=False)

    def all_of_them(match: re.Match[str]) -> str:
        at = match.start() - marked.count("+", 0, match.start())  # where it is in ``text``
        if text[at : at + 3].lower() == "всё" or not _means_all_of_them(match):
            return match.group(0)  # written with ё, or likely «всё» indeed
        return f"{match.group(1)}се"

    if len(marked.replace("+", "")) != len(text):
        return marked  # not expected: it only adds «+» and ё
    return _VSYO.sub(all_of_them, marked)


# silero-stress makes «все» (everyone) «всё» (everything) too often: «которую всё звали», «мы всё пошли».
# With a plural verb or short adjective after it, or «мы/вы/они» before it, it is «все»; a «всё» written
# with ё stays.
_VSYO = re.compile(r"(?<![А-Яа-яЁё+])([Вв])сё(?![А-Яа-яЁё+])")
_PLURAL_PRONOUNS = {"мы", "вы", "они"}


def _means_all_of_them(match: re.Match[str]) -> bool:
    from ..russian import morph  # noqa: PLC0415

    before = re.findall(r"[А-Яа-яЁё+]+", match.string[max(0, match.start() - 20) : match.start()])
    after = re.findall(r"[А-Яа-яЁё+]+", match.string[match.end() : match.end() + 40])
    if before and before[-1].replace("+", "").lower() in _PLURAL_PRONOUNS:
        return True
    if after:
        parses = morph().parse(after[0].replace("+", "").lower())[:2]  # «рады» is first a noun to pymorphy
        return any(p.tag.POS in ("VERB", "PRTS", "ADJS") and p.tag.number == "plur" for p in parses)
    return False


# --- what the model reads ----------------------------------------------------------------------------------

_PAUSES = re.compile(r"\s*[—–()\[\]]+\s*|\s+-\s+")  # dashes and brackets: a pause, as a comma
_DROPPED = re.compile(r"[«»„“”\"'`*_#<>|/\\~^]")
_HYPHEN = re.compile(r"(?<=[А-Яа-яЁё+])-(?=[А-Яа-яЁё+])")
_SPEAKABLE = re.compile(r"[А-Яа-яЁё]")
_RUNS = re.compile(r"\s*([,.!?:;])(?:\s*[,])+|\s{2,}")


def tts_text(text: str) -> str:
    """Punctuation the model has no symbol for, made into pauses or removed."""
    text = text.replace("…", "...")
    text = _DROPPED.sub("", text)
    text = _PAUSES.sub(", ", text)
    text = _HYPHEN.sub(" ", text)  # «кто-то», «Иван-царевич»: two words to the model
    text = _RUNS.sub(lambda m: m.group(1) or " ", text)
    return text.strip(" ,")


class SileroNarrator(Narrator):
    name = "silero"
    label = "Silero TTS v4"
    device_need = "gpu"
    default_model = str(DEFAULT_MODEL)
    voice_option = "narrator_voice"
    voices = {
        "eugene": "Евгений (мужской, сказочник)",
        "aidar": "Айдар (мужской)",
        "baya": "Бая (женский)",
        "kseniya": "Ксения (женский)",
        "xenia": "Ксения (женский, звонкий)",
    }
    declared_options = (
        Option("narrator_voice", "eugene", "Голос рассказчика"),
        Option("character_voices", True, "Свои голоса у героев"),
        Option("male_voice", "aidar", "Мужской голос"),
        Option("female_voice", "xenia", "Женский голос"),
        Option("neuter_voice", "kseniya", "Голос остальных"),
        Option("sample_rate", 48000, "Частота, Гц", choices=SAMPLE_RATES),
        Option("max_chars", 140, "Символов в одном куске речи", min=20, max=1000),  # under 20: scraps
        Option("stress", True, "Ударения и ё (silero-stress)"),
    )

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model=model, device=device)
        self._model = None

    def model_file(self) -> Path:
        """The package: ``self.model`` itself, or v4_ru.pt (else the one .pt) in it when it names a folder."""
        path = Path(self.model)
        if path.is_dir():
            found = sorted(path.glob("*.pt"))
            return (
                path / DEFAULT_MODEL.name if (path / DEFAULT_MODEL.name).is_file() or not found else found[0]
            )
        return path

    def available(self) -> tuple[bool, str]:
        if importlib.util.find_spec("torch") is None:
            return False, "narration/silero: torch is not installed: pip install -r requirements/neural.txt"
        if not self.model_file().is_file():
            return False, str(self.missing_weights("no such file"))
        return True, ""

    def load(self) -> None:
        path = self.model_file()
        if not path.is_file():
            raise self.missing_weights("no such file")
        try:
            import torch  # noqa: PLC0415
        except ImportError as exc:
            raise BackendUnavailable(
                "narration/silero: torch is not installed: pip install -r requirements/neural.txt"
            ) from exc
        try:
            model = torch.package.PackageImporter(str(path)).load_pickle("tts_models", "model")
        except Exception as exc:  # noqa: BLE001 - a broken or foreign file: say so in one line
            detail = first_line(exc)
            raise self.missing_weights(f"not a Silero TTS package: {detail}") from exc
        model.to(torch.device(self.device))
        self._model = model

    # --- voices

    def voice_for(self, speaker: str, options: dict) -> str:
        """The model speaker who reads ``speaker``'s lines."""
        narrator = options["narrator_voice"]
        if speaker == NARRATOR or not options["character_voices"]:
            return narrator
        kind = {"femn": "female", "neut": "neuter"}.get(speaker_gender(speaker), "male")
        voice = options[f"{kind}_voice"]
        if voice == narrator:
            voice = ALTERNATIVE.get(voice, voice)
        return voice

    def _check(self, options: dict) -> None:
        """The voices must be the loaded model's own (the declarations cannot know them)."""
        speakers = list(getattr(self._model, "speakers", []) or [])
        for key in ("narrator_voice", "male_voice", "female_voice", "neuter_voice"):
            if speakers and options[key] not in speakers:
                raise OptionError(
                    f"narration/silero: {key}={options[key]!r}: the model has {', '.join(speakers)}"
                )

    # --- text

    def spoken_words(self, piece: str, options: dict) -> tuple[list[str], bool]:
        """What the model reads for each (whitespace-separated) word of ``piece``, and whether the
        model's own accentor should still run: numbers and abbreviations in words, stress marks and ё.

        The accentor reads the whole chunk at once (homographs need their context); it only adds «+»
        and ё, so its words map back one to one onto the words they came from.
        """
        words = piece.split()
        spelled = spoken_words(words)
        if not options["stress"]:
            return spelled, True
        marked = put_stress(" ".join(spelled))
        if marked is None:
            return spelled, True
        parts = marked.split()
        sizes = [len(w.split()) for w in spelled]
        if len(parts) != sum(sizes):  # not expected: stress each word alone rather than lose the map
            return [put_stress(w) or w for w in spelled], False
        out, at = [], 0
        for size in sizes:
            out.append(" ".join(parts[at : at + size]))
            at += size
        return out, False

    def pieces(self, line: Line, options: dict) -> list[tuple[str, list[str], bool]]:
        """(subtitle, model texts, model accents) for each chunk of a line; no model text over ``max_chars``.

        Chunks are cut at sentence, clause and word boundaries. When numbers in words and stress marks
        make a chunk too long for the model, it is cut again between words, at a comma when one is
        near; a single word read longer than the limit (a very long number) is read in parts under
        one subtitle.
        """
        limit = options["max_chars"]
        out: list[tuple[str, list[str], bool]] = []
        for piece in chunks(line.text, limit):
            words = piece.split()
            said, own_accent = self.spoken_words(piece, options)
            start = 0
            while start < len(words):
                end, clause = start + 1, None
                while end < len(words) and len(tts_text(" ".join(said[start : end + 1]))) <= limit:
                    end += 1
                    if re.search(r"[,;:]$", words[end - 1]):
                        clause = end
                    elif words[end - 1] in ("—", "–") and end - 1 > start:
                        clause = end - 1  # the dash opens the next part
                if end < len(words) and clause and clause - start > (end - start) // 2:
                    end = clause  # a cut at a comma reads better than one between any two words
                text = tts_text(" ".join(said[start:end]))
                texts = [text] if len(text) <= limit else chunks(text, limit)
                texts = [t for t in texts if _SPEAKABLE.search(t)]  # only dots or Latin: nothing to say
                if texts:
                    out.append((" ".join(words[start:end]), texts, own_accent))
                start = end
        return out

    # --- speech

    def speak(
        self, scene: Scene, out_wav: Path, options: dict, progress: ProgressCallback = no_progress
    ) -> Narration:
        if not self._loaded:
            progress(0.0, Note("Загружаю модель Silero"))
        self.ensure_loaded()
        options = self.options(options)
        self._check(options)
        if options["stress"] and accentor.cache_info().currsize == 0:
            progress(0.0, Note("Загружаю модель ударений"))
        import torch  # noqa: PLC0415

        lines = scene.lines or [Line(NARRATOR, scene.text)]
        planned = [(line, piece) for line in lines for piece in self.pieces(line, options)]
        rate = options["sample_rate"]
        spoken: list[tuple[str, np.ndarray, float]] = []
        for i, (line, (subtitle, texts, own_accent)) in enumerate(planned):
            voice = self.voice_for(line.speaker, options)
            audio = [self._say(text, voice, rate, own_accent, torch) for text in texts]
            last_of_line = i + 1 == len(planned) or planned[i + 1][0] is not line
            spoken.append((subtitle, np.concatenate(audio), LINE_PAUSE if last_of_line else SENTENCE_PAUSE))
            progress((i + 1) / len(planned), Note("Озвучено фраз: {done} из {total}", done=i + 1, total=len(planned)))
        duration, cues = join_chunks(spoken, rate, out_wav)
        return Narration(duration=duration, cues=cues)

    def _say(self, text: str, voice: str, rate: int, own_accent: bool, torch) -> np.ndarray:
        try:
            with torch.inference_mode():
                audio = self._model.apply_tts(
                    text=text, speaker=voice, sample_rate=rate, put_accent=own_accent, put_yo=own_accent
                )
        except Exception as exc:
            raise RuntimeError(f"narration/silero: the model failed on {text!r} ({voice}): {exc}") from exc
        return trim_silence(_as_numpy(audio))


def _as_numpy(audio) -> np.ndarray:
    if hasattr(audio, "detach"):
        audio = audio.detach().to("cpu").float().numpy()
    samples = np.asarray(audio, dtype=np.float32).reshape(-1)
    return samples
