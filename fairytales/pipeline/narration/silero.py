"""Narration with Silero TTS v4 (Russian): neural voices, one for the narrator and one per kind of character.

Silero ships its models as torch.package files; ``v4_ru.pt`` holds the model under ("tts_models",
"model") with ``.speakers`` and ``apply_tts(text=, speaker=, sample_rate=, put_accent=, put_yo=)``,
which returns a 1-D float tensor. The file comes from Silero's server, so here it is read from
MODELS_DIR/silero/v4_ru.pt (or MODEL_NARRATION_SILERO) and never fetched at run time.

Before a chunk reaches the model:

- numbers are read out in Russian words («3 кота» → «три кота», «1 минута» → «одна минута»,
  «3-й» → «третий»);
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
import os
import re
import threading
from pathlib import Path

import numpy as np

from ..backend import BackendUnavailable, OptionError
from ..scenes import NARRATOR, speaker_gender
from ..text import chunks
from ..types import Line, ProgressCallback, Scene, no_progress
from . import Narration, Narrator
from .assemble import join_chunks, trim_silence

REPO_ROOT = Path(__file__).resolve().parents[3]
# MODELS_DIR as in the Django settings (the pipeline does not import Django).
DEFAULT_MODEL = Path(os.environ.get("MODELS_DIR") or REPO_ROOT / "models") / "silero" / "v4_ru.pt"
SAMPLE_RATES = (8000, 24000, 48000)
SENTENCE_PAUSE = 0.4
LINE_PAUSE = 0.3
# A character's voice when it would otherwise be the narrator's own.
ALTERNATIVE = {"aidar": "eugene", "eugene": "aidar", "xenia": "baya", "baya": "xenia", "kseniya": "baya"}

# --- numbers in words --------------------------------------------------------------------------------------

_UNITS = tuple("ноль один два три четыре пять шесть семь восемь девять".split())
_TEENS = tuple(
    "десять одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать "
    "восемнадцать девятнадцать".split()
)
_TENS = ("", "", *"двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто".split())
_HUNDREDS = ("", *"сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот".split())
_FEMININE = {"один": "одна", "два": "две"}
_NEUTER = {"один": "одно"}
# (one, two to four, five and more), and the gender of the counted word
_SCALES = (
    (10**9, ("миллиард", "миллиарда", "миллиардов"), "masc"),
    (10**6, ("миллион", "миллиона", "миллионов"), "masc"),
    (10**3, ("тысяча", "тысячи", "тысяч"), "femn"),
)
_ORD_UNITS = tuple("нулевой первый второй третий четвёртый пятый шестой седьмой восьмой девятый".split())
_ORD_TEENS = tuple(
    "десятый одиннадцатый двенадцатый тринадцатый четырнадцатый пятнадцатый шестнадцатый семнадцатый "
    "восемнадцатый девятнадцатый".split()
)
_ORD_TENS = (
    "",
    "",
    *"двадцатый тридцатый сороковой пятидесятый шестидесятый семидесятый восьмидесятый девяностый".split(),
)
_ORD_HUNDREDS = (
    "",
    *"сотый двухсотый трёхсотый четырёхсотый пятисотый шестисотый семисотый восьмисотый девятисотый".split(),
)


def _plural(n: int, forms: tuple[str, str, str]) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def _below_thousand(n: int, gender: str = "masc") -> list[str]:
    words = []
    if n >= 100:
        words.append(_HUNDREDS[n // 100])
        n %= 100
    if 10 <= n < 20:
        words.append(_TEENS[n - 10])
    else:
        if n >= 20:
            words.append(_TENS[n // 10])
            n %= 10
        if n:
            unit = _UNITS[n]
            if gender == "femn":
                unit = _FEMININE.get(unit, unit)
            elif gender == "neut":
                unit = _NEUTER.get(unit, unit)
            words.append(unit)
    return words


def number_words(n: int, gender: str = "masc") -> str:
    """A whole number in Russian words, nominative: 2021 → «две тысячи двадцать один».

    ``gender`` ("masc", "femn", "neut") agrees «один/одна/одно», «два/две» with the counted word.
    Numbers of a trillion and more are read digit by digit.
    """
    if n < 0:
        return "минус " + number_words(-n, gender)
    if n == 0:
        return _UNITS[0]
    if n >= 10**12:
        return " ".join(_UNITS[int(d)] for d in str(n))
    words: list[str] = []
    for scale, forms, scale_gender in _SCALES:
        if n >= scale:
            count, n = divmod(n, scale)
            # «тысяча восемьсот», not «одна тысяча восемьсот»
            words += ([] if count == 1 else _below_thousand(count, scale_gender)) + [_plural(count, forms)]
    words += _below_thousand(n, gender)
    return " ".join(words)


def ordinal_words(n: int, ending: str = "") -> str:
    """An ordinal number in words, in the form its written ending asks: (3, "го") → «третьего»."""
    if n < 0 or n >= 10**6 or (n % 1000 == 0 and n not in (0, 1000)):
        return number_words(n)  # «2000-й» and the like: read as a cardinal, simply
    low = n % 100
    if n == 0:
        head, tail = 0, _ORD_UNITS[0]
    elif n == 1000:
        head, tail = 0, "тысячный"
    elif low == 0:
        head, tail = n - n % 1000, _ORD_HUNDREDS[(n % 1000) // 100]
    elif low < 10:
        head, tail = n - low, _ORD_UNITS[low]
    elif low < 20:
        head, tail = n - low, _ORD_TEENS[low - 10]
    elif low % 10 == 0:
        head, tail = n - low, _ORD_TENS[low // 10]
    else:
        head, tail = n - low % 10, _ORD_UNITS[low % 10]
    if ending:
        tail = _inflect_ordinal(tail, ending)
    return f"{number_words(head)} {tail}" if head else tail


# The case an ordinal's written ending most likely means: «в 1812-м году» is locative, not instrumental.
_CASE_ORDER = ("nomn", "accs", "gent", "loct", "datv", "ablt")


@functools.lru_cache(maxsize=1024)
def _inflect_ordinal(word: str, ending: str) -> str:
    from ..russian import morph  # noqa: PLC0415

    ending = ending.lower().replace("ё", "е")
    forms = sorted(
        morph().parse(word)[0].lexeme,
        key=lambda f: _CASE_ORDER.index(f.tag.case) if f.tag.case in _CASE_ORDER else len(_CASE_ORDER),
    )
    for form in forms:
        if form.word.replace("ё", "е").endswith(ending):
            return form.word
    return word


def _gender_of_next(text: str, end: int) -> str:
    """The gender of the noun a number counts: the first noun among the next two words."""
    from ..russian import morph  # noqa: PLC0415

    for word in re.findall(r"[А-Яа-яЁё]+", text[end : end + 40])[:2]:
        parse = morph().parse(word)[0]
        if "NOUN" in parse.tag:
            return parse.tag.gender or "masc"
    return "masc"


_DECIMAL = re.compile(r"(?<![\d.,])(\d+)[.,](\d{1,3})(?![\d.,]?\d)")
_ORDINAL = re.compile(r"(?<![\d.,])(\d+)-(й|я|е|ё|го|му|м|ми|х|ю|ей|ой|ым|ом|ое|ая|ые|ых)(?![А-Яа-яЁё])")
_INTEGER = re.compile(r"\d+")
_FRACTIONS = ("десятая", "сотая", "тысячная"), ("десятых", "сотых", "тысячных")


def spell_numbers(text: str, following: str = "") -> str:
    """Every number in ``text`` in Russian words: «В 3-й раз 2 кошки съели 1,5 пирога».

    ``following``: the text after ``text``, where the noun a number counts may be («2» + «кошки»).
    """

    def decimal(match: re.Match[str]) -> str:
        whole, fraction = int(match.group(1)), match.group(2)
        part = int(fraction)
        whole_words = (
            f"{number_words(whole, 'femn')} {'целая' if _plural(whole, ('1', '2', '5')) == '1' else 'целых'}"
        )
        kind = _FRACTIONS[0 if _plural(part, ("1", "2", "5")) == "1" else 1][len(fraction) - 1]
        return f"{whole_words} {number_words(part, 'femn')} {kind}"

    def ordinal(match: re.Match[str]) -> str:
        return ordinal_words(int(match.group(1)), match.group(2))

    def integer(match: re.Match[str]) -> str:
        return number_words(int(match.group(0)), _gender_of_next(f"{text} {following}", match.end()))

    text = _DECIMAL.sub(decimal, text)
    text = _ORDINAL.sub(ordinal, text)
    return _INTEGER.sub(integer, text)


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
    default_model = str(DEFAULT_MODEL)
    voice_option = "narrator_voice"
    voices = {
        "eugene": "Евгений (мужской, сказочник)",
        "aidar": "Айдар (мужской)",
        "baya": "Бая (женский)",
        "kseniya": "Ксения (женский)",
        "xenia": "Ксения (женский, звонкий)",
    }
    defaults = {
        "narrator_voice": "eugene",
        "character_voices": True,
        "male_voice": "aidar",
        "female_voice": "xenia",
        "neuter_voice": "kseniya",
        "sample_rate": 48000,
        "max_chars": 140,
        "stress": True,
    }

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
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
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
        speakers = list(getattr(self._model, "speakers", []) or [])
        for key in ("narrator_voice", "male_voice", "female_voice", "neuter_voice"):
            if speakers and options[key] not in speakers:
                raise OptionError(
                    f"narration/silero: {key}={options[key]!r}: the model has {', '.join(speakers)}"
                )
        if options["sample_rate"] not in SAMPLE_RATES:
            raise OptionError(f"narration/silero: sample_rate must be one of {SAMPLE_RATES}")
        if options["max_chars"] < 20:
            raise OptionError("narration/silero: max_chars under 20 would cut speech into scraps")

    # --- text

    def spoken_words(self, piece: str, options: dict) -> tuple[list[str], bool]:
        """What the model reads for each (whitespace-separated) word of ``piece``, and whether the
        model's own accentor should still run: numbers in words, stress marks and ё put in.

        The accentor reads the whole chunk at once (homographs need their context); it only adds «+»
        and ё, so its words map back one to one onto the words they came from.
        """
        words = piece.split()
        spelled = [spell_numbers(w, " ".join(words[i + 1 : i + 3])) for i, w in enumerate(words)]
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
            progress(0.0, "Загружаю модель Silero")
        self.ensure_loaded()
        self._check(options)
        if options["stress"] and accentor.cache_info().currsize == 0:
            progress(0.0, "Загружаю модель ударений")
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
            progress((i + 1) / len(planned), f"Озвучено фраз: {i + 1} из {len(planned)}")
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
