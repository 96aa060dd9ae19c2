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

English and Ukrainian tales are read by Silero's models of those languages (v3_en.pt, v4_ua.pt), found
beside the Russian one or where MODEL_NARRATION_SILERO_EN / _UK say; their speakers and defaults are in
``data/silero_voices.toml``. Stress marks are Russian only: the other models read the text as it is.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import threading
import tomllib
from pathlib import Path

import numpy as np

from ..backend import MODELS_DIR, BackendUnavailable, Option, OptionError, first_line
from ..notes import Note
from ..scenes import NARRATOR
from ..text import chunks
from ..types import Line, ProgressCallback, Scene, no_progress
from . import Narration, Narrator, characters
from .assemble import join_chunks, trim_silence
from .reading import spoken_words

DEFAULT_MODEL = MODELS_DIR / "silero" / "v4_ru.pt"
SAMPLE_RATES = (8000, 24000, 48000)
SENTENCE_PAUSE = 0.4
LINE_PAUSE = 0.3
# A character's voice when it would otherwise be the narrator's own.
ALTERNATIVE = {"aidar": "eugene", "eugene": "aidar", "xenia": "baya", "baya": "xenia", "kseniya": "baya"}
VOICE_KEYS = {"narrator_voice": "narrator", "male_voice": "male", "female_voice": "female",
              "neuter_voice": "neuter"}


@functools.cache
def language_models() -> dict[str, dict]:
    """{language: its files, url, default speakers and voices} from ``data/silero_voices.toml``."""
    with open(Path(__file__).with_name("data") / "silero_voices.toml", "rb") as f:
        return tomllib.load(f)


def voices_for(options: dict, language: str) -> dict[str, str]:
    """The voice options for a tale in ``language``: a speaker of another language's model gives way to the
    language's default for that part; a name no table lists is taken as the model's own."""
    table = language_models()
    own = table[language]
    foreign = {voice for code, row in table.items() if code != language for voice in row["voices"]}
    return {key: own[part] if options[key] in foreign and options[key] not in own["voices"] else options[key]
            for key, part in VOICE_KEYS.items()}

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
SPEAKABLE = {"ru": _SPEAKABLE, "uk": re.compile(r"[А-Яа-яІіЇїЄєҐґ]"), "en": re.compile(r"[A-Za-z]")}
_RUNS = re.compile(r"\s*([,.!?:;])(?:\s*[,])+|\s{2,}")


_APOSTROPHE = re.compile(r"(?<=[А-Яа-яІіЇїЄєҐґ])['’ʼ](?=[А-Яа-яІіЇїЄєҐґ])")  # Ukrainian «п'ять»: a letter


def tts_text(text: str, language: str = "ru") -> str:
    """Punctuation the model has no symbol for, made into pauses or removed."""
    text = text.replace("…", "...")
    if language == "uk":
        text = _APOSTROPHE.sub("\0", text)  # kept through the quotes' removal
    text = _DROPPED.sub("", text).replace("\0", "'")
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
    voices = {voice: label for row in language_models().values() for voice, label in row["voices"].items()}
    languages = tuple(language_models())
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
        self._models: dict[str, object] = {}  # the other languages' models, loaded when a tale needs them
        self._models_lock = threading.Lock()

    @classmethod
    def voices_in(cls, language: str) -> dict[str, str]:
        return dict(language_models().get(language, {}).get("voices", {}))

    def model_file(self, language: str = "ru") -> Path:
        """The package: ``self.model`` itself, or v4_ru.pt (else the one .pt that is no other language's) in it
        when it names a folder. Another language's: where MODEL_NARRATION_SILERO_<LANGUAGE> says (a file, or a
        folder holding it), else beside the Russian one."""
        path = Path(self.model)
        if language != "ru":
            names = language_models()[language]["files"]
            setting = os.environ.get(f"{self.model_setting()}_{language.upper()}")
            folder = Path(setting) if setting else (path if path.is_dir() else path.parent)
            if setting and not folder.is_dir():
                return folder
            return next((folder / name for name in names if (folder / name).is_file()), folder / names[0])
        if path.is_dir():
            others = {name for code, row in language_models().items() if code != "ru" for name in row["files"]}
            found = [p for p in sorted(path.glob("*.pt")) if p.name not in others]
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
        self._model = self._read(path, self.missing_weights)

    def _read(self, path: Path, missing) -> object:
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
            raise missing(f"not a Silero TTS package: {detail}") from exc
        model.to(torch.device(self.device))
        return model

    def model_for(self, language: str) -> object:
        """The loaded model that reads ``language`` (each loaded once); one line when there is none."""
        if language == "ru":
            self.ensure_loaded()
            return self._model
        with self._models_lock:
            if language not in self._models:
                path = self.model_file(language)
                row = language_models()[language]

                def missing(detail: str) -> BackendUnavailable:
                    return BackendUnavailable(
                        f"narration/silero: no {language!r} model at {path} ({detail}); set "
                        f"{self.model_setting()}_{language.upper()} to Silero's {row['files'][0]} ({row['url']})")

                if not path.is_file():
                    raise missing("no such file")
                self._models[language] = self._read(path, missing)
            return self._models[language]

    # --- voices

    def voice_for(self, speaker: str, options: dict, language: str = "ru") -> str:
        """The model speaker who reads ``speaker``'s lines in a tale in ``language``."""
        options = {**options, **voices_for(options, language)}
        narrator = options["narrator_voice"]
        if speaker == NARRATOR or not options["character_voices"]:
            return narrator
        kind = {"femn": "female", "neut": "neuter"}.get(characters.gender(speaker, language), "male")
        voice = options[f"{kind}_voice"]
        if voice == narrator:
            voice = ALTERNATIVE.get(voice, voice)
        return voice

    def _check(self, options: dict, model=None) -> None:
        """The voices must be the loaded model's own (the declarations cannot know them)."""
        speakers = list(getattr(model or self._model, "speakers", []) or [])
        for key in VOICE_KEYS:
            if speakers and options[key] not in speakers:
                raise OptionError(
                    f"narration/silero: {key}={options[key]!r}: the model has {', '.join(speakers)}"
                )

    # --- text

    def spoken_words(self, piece: str, options: dict, language: str = "ru") -> tuple[list[str], bool]:
        """What the model reads for each (whitespace-separated) word of ``piece``, and whether the
        model's own accentor should still run: numbers and abbreviations in words, stress marks and ё.

        The accentor reads the whole chunk at once (homographs need their context); it only adds «+»
        and ё, so its words map back one to one onto the words they came from.
        """
        words = piece.split()
        spelled = spoken_words(words, language)
        if language != "ru":
            return spelled, False  # stress marks are the Russian model's
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

    def pieces(self, line: Line, options: dict, language: str = "ru") -> list[tuple[str, list[str], bool]]:
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
            said, own_accent = self.spoken_words(piece, options, language)
            start = 0
            while start < len(words):
                end, clause = start + 1, None
                while end < len(words) and len(tts_text(" ".join(said[start : end + 1]), language)) <= limit:
                    end += 1
                    if re.search(r"[,;:]$", words[end - 1]):
                        clause = end
                    elif words[end - 1] in ("—", "–") and end - 1 > start:
                        clause = end - 1  # the dash opens the next part
                if end < len(words) and clause and clause - start > (end - start) // 2:
                    end = clause  # a cut at a comma reads better than one between any two words
                text = tts_text(" ".join(said[start:end]), language)
                texts = [text] if len(text) <= limit else chunks(text, limit)
                texts = [t for t in texts if SPEAKABLE[language].search(t)]  # only dots, or another alphabet
                if texts:
                    out.append((" ".join(words[start:end]), texts, own_accent))
                start = end
        return out

    # --- speech

    def speak(
        self, scene: Scene, out_wav: Path, options: dict, progress: ProgressCallback = no_progress,
        language: str = "ru",
    ) -> Narration:
        self.check_language(language)
        if (language == "ru" and not self._loaded) or (language != "ru" and language not in self._models):
            progress(0.0, Note("Загружаю модель Silero"))
        model = self.model_for(language)
        options = self.options(options)
        options = {**options, **voices_for(options, language)}
        self._check(options, model)
        if language == "ru" and options["stress"] and accentor.cache_info().currsize == 0:
            progress(0.0, Note("Загружаю модель ударений"))
        import torch  # noqa: PLC0415

        lines = scene.lines or [Line(NARRATOR, scene.text)]
        planned = [(line, piece) for line in lines for piece in self.pieces(line, options, language)]
        rate = options["sample_rate"]
        spoken: list[tuple[str, np.ndarray, float]] = []
        read_by: dict[str, str] = {}
        for i, (line, (subtitle, texts, own_accent)) in enumerate(planned):
            voice = read_by.setdefault(line.speaker, self.voice_for(line.speaker, options, language))
            audio = [self._say(text, voice, rate, own_accent, torch, model, language) for text in texts]
            last_of_line = i + 1 == len(planned) or planned[i + 1][0] is not line
            spoken.append((subtitle, np.concatenate(audio), LINE_PAUSE if last_of_line else SENTENCE_PAUSE))
            progress((i + 1) / len(planned), Note("Озвучено фраз: {done} из {total}", done=i + 1, total=len(planned)))
        duration, cues = join_chunks(spoken, rate, out_wav)
        return Narration(duration=duration, cues=cues, voices=read_by)

    def _say(self, text: str, voice: str, rate: int, own_accent: bool, torch, model=None,
             language: str = "ru") -> np.ndarray:
        model = model or self._model
        accents = {"put_accent": own_accent, "put_yo": own_accent} if language == "ru" else {}
        try:
            with torch.inference_mode():
                audio = model.apply_tts(text=text, speaker=voice, sample_rate=rate, **accents)
        except Exception as exc:
            raise RuntimeError(f"narration/silero: the model failed on {text!r} ({voice}): {exc}") from exc
        return trim_silence(_as_numpy(audio))


def _as_numpy(audio) -> np.ndarray:
    if hasattr(audio, "detach"):
        audio = audio.detach().to("cpu").float().numpy()
    samples = np.asarray(audio, dtype=np.float32).reshape(-1)
    return samples
