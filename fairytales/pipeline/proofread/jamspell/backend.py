"""JamSpell proofreader: a trigram language model picks, in context, the likeliest word a few edits away.

JamSpell (C++, SWIG) scores every candidate within two edits of a word by how well it fits between
its neighbours. On top of its scores this backend:

- ranks typical Russian slips (an unstressed vowel, a voiced/voiceless pair, a doubled letter, ь/ъ)
  as cheaper than arbitrary edits, so «малоко» becomes «молоко», not the more frequent «малого»;
- leaves alone every word the dictionaries know (pymorphy3, the literary frequency list): a small
  language model "fixes" correct rare words far more often than it catches a real-word error;
- leaves alone capitalised words inside a sentence (names), abbreviations and words shorter than
  three letters;
- leaves alone an unknown word the text uses again (the same stem, in any form): a writer's own word
  («молодильное яблочко», «мышка-норушка») recurs, a slip seldom does;
- never changes a word's grammatical ending (its last two letters, in words of six or more): a
  candidate in another case is another word, not a spelling;
- reads ё as е (the training text is folded the same way), so «ещё» is never "corrected" to «еще».

Only the letters of a corrected word change: punctuation, dialogue dashes and line breaks stay as
they were, and the capitalisation of the original is carried over.

The model the project ships, ``models/jamspell/ru_small.bin.xz``, is xz-packed (7 MB instead of 20): a
model named ``X.bin`` that is not there but ``X.bin.xz`` is gets unpacked once into
``var/models/jamspell/``, where JamSpell also writes its candidate cache (``X.bin.spell``) beside it.

JamSpell's C++ creates the ``en_US.UTF-8`` locale when it is imported and aborts the whole process
when that locale is missing; ``ensure_locale()`` makes sure it exists first (see there).
"""

from __future__ import annotations

import bz2
import ctypes
import fcntl
import functools
import gzip
import importlib.util
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from ...backend import MODELS_DIR, BackendUnavailable, var_dir
from ...types import ProgressCallback, no_progress
from .. import Proofread, Proofreader
from ..typography import tidy

DEFAULT_MODEL = MODELS_DIR / "jamspell" / "ru_small.bin"  # train_spelling writes here
ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
LOCALE = "en_US.UTF-8"  # hard-coded in jamspell's C++ (utils.cpp)
INSTALL_HINT = "pip install swig==3.0.12, then PATH=.venv/bin:$PATH pip install --no-build-isolation jamspell"
LOCALE_SOURCE = "/usr/share/i18n/locales/en_US"  # what localedef compiles it from (apt package locales)
LOCALE_HINT = "apt-get install locales (the backend then generates en_US.UTF-8 under var/locale)"

_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)  # a word as JamSpell's tokenizer sees it (its alphabet)
_SENTENCE_END = re.compile(r"[.!?…]")  # where JamSpell's tokenizer ends a sentence
_OPENING = re.compile(r"[.!?…«\"“„(]")  # after these a capital letter is no sign of a name
MIN_LETTERS = 3
ENDING_FROM = 6  # letters: from this length on the last two are the grammatical ending, kept as written
STEM_LETTERS = 6

# --- the locale JamSpell needs -----------------------------------------------------------------------------

_LC_ALL_MASK = 8127  # glibc: every category but LC_ALL itself
_locale_lock = threading.Lock()


def locale_dir() -> Path:
    """The project's own folder of compiled locales (under var/, which is not in git)."""
    return var_dir() / "locale"


def _locale_loads(name: str = LOCALE) -> bool:
    """Whether the C library can create ``name`` now (what std::locale(name) will ask it)."""
    if not sys.platform.startswith("linux"):
        return True  # nothing to check the same way; jamspell is only built and used on Linux here
    try:
        libc = ctypes.CDLL(None)
        libc.newlocale.restype = ctypes.c_void_p
        libc.newlocale.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p]
        libc.freelocale.argtypes = [ctypes.c_void_p]
    except (OSError, AttributeError):
        return True
    handle = libc.newlocale(_LC_ALL_MASK, name.encode(), None)
    if not handle:
        return False
    libc.freelocale(handle)
    return True


def _generate_locale(folder: Path) -> None:
    """Compile en_US.UTF-8 into ``folder``/en_US.utf8 with localedef (glibc's sources: apt ``locales``)."""
    localedef = shutil.which("localedef") or "/usr/bin/localedef"
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".en_US-", dir=folder))
    try:
        result = subprocess.run(
            [localedef, "-i", "en_US", "-f", "UTF-8", str(work / "en_US.utf8")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if not (work / "en_US.utf8" / "LC_CTYPE").exists():
            why = (result.stderr or result.stdout).strip().splitlines()
            raise BackendUnavailable(
                f"proofread/jamspell: cannot generate the {LOCALE} locale jamspell needs "
                f"({why[-1] if why else f'localedef exit {result.returncode}'}): {LOCALE_HINT}"
            )
        try:
            (work / "en_US.utf8").rename(folder / "en_US.utf8")
        except OSError:
            pass  # another process made it meanwhile
    except FileNotFoundError as exc:
        raise BackendUnavailable(f"proofread/jamspell: no localedef to make {LOCALE}: {LOCALE_HINT}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_locale() -> None:
    """Make ``en_US.UTF-8`` loadable in this process before jamspell is imported or used.

    A system that has it (locale-gen, locales-all) is used as is. Otherwise the locale is compiled
    once into var/locale and LOCPATH points there, for this process and the ones it starts: glibc
    reads LOCPATH each time a locale is created, and jamspell creates one with every corrector.
    Raises BackendUnavailable (instead of letting the import abort the process) when neither works.
    """
    with _locale_lock:
        if _locale_loads():
            return
        folder = locale_dir()
        if not (folder / "en_US.utf8" / "LC_CTYPE").exists():
            _generate_locale(folder)
        paths = [p for p in os.environ.get("LOCPATH", "").split(":") if p]
        if str(folder) not in paths:
            os.environ["LOCPATH"] = ":".join([str(folder), *paths])
        if not _locale_loads():
            raise BackendUnavailable(
                f"proofread/jamspell: the {LOCALE} locale in {folder} does not load: {LOCALE_HINT}"
            )


def import_jamspell():
    """The jamspell module, imported safely (its import aborts the process without the locale)."""
    if "jamspell" in sys.modules:
        return sys.modules["jamspell"]
    if importlib.util.find_spec("jamspell") is None:
        raise BackendUnavailable(f"proofread/jamspell: the jamspell package is not installed: {INSTALL_HINT}")
    ensure_locale()
    try:
        import jamspell  # noqa: PLC0415
    except ImportError as exc:
        raise BackendUnavailable(
            f"proofread/jamspell: jamspell does not import ({exc}): {INSTALL_HINT}"
        ) from exc
    return jamspell


# --- the shipped, packed model ------------------------------------------------------------------------------

PACKED = ".xz"


def packed_form(path: Path) -> Path | None:
    """The xz-packed file that stands for the model ``path`` (itself, or ``path.xz`` where ``path``
    is missing), or None when the model is a plain file or not there at all."""
    if path.suffix == PACKED and path.is_file():
        return path
    candidate = path.with_name(path.name + PACKED)
    if not path.exists() and candidate.is_file():
        return candidate
    return None


def unpack(packed: Path) -> Path:
    """``packed`` unpacked into var/models/jamspell/ (once; again when the packed file is newer),
    with JamSpell's candidate cache built there too, under a file lock so that two workers
    starting together neither unpack nor write the cache over each other."""
    folder = var_dir() / "models" / "jamspell"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / packed.name[: -len(PACKED)]
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file() and target.stat().st_mtime >= packed.stat().st_mtime:
            if Path(f"{target}.spell").is_file():
                return target
        else:
            partial = target.with_name(f".{target.name}.partial")
            with lzma.open(packed) as src, open(partial, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            Path(f"{target}.spell").unlink(missing_ok=True)  # the cache of an older model
            os.replace(partial, target)
        # JamSpell writes the candidate cache when it loads a model that has none (seconds)
        import_jamspell().TSpellCorrector().LoadLangModel(str(target))
    return target


def pack(model: Path) -> Path:
    """``model`` xz-packed beside it as ``model.xz`` (what the project ships)."""
    out = model.with_name(model.name + PACKED)
    partial = out.with_name(f".{out.name}.partial")
    with open(model, "rb") as src, lzma.open(partial, "wb", preset=9) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(partial, out)
    return out


# --- which candidate wins ----------------------------------------------------------------------------------

_VOWELS = set("аеёиоуыэюя")
_VOICING = {frozenset(p) for p in ("бп", "вф", "гк", "дт", "жш", "зс")}
_ALIKE = {frozenset(p) for p in ("еэ", "шщ", "цс", "ыи")}
_SIGNS = set("ьъ")
# Tuned on synthetic slips in held-out literature (see the module's notes in the report): with JamSpell's
# own penalty for leaving an unknown word (5) it kept a third of the errors; a word the dictionaries do
# not know is wrong far more often than not, so that penalty is dropped. One ordinary edit then costs
# as much as EDIT_WEIGHT units of JamSpell's log-score when candidates are ranked.
KNOWN_WORD_PENALTY, UNKNOWN_WORD_PENALTY = 20.0, 0.0
EDIT_WEIGHT = 8.0


def _substitution(written: str, i: int, meant: str) -> float:
    """The cost of reading ``written[i]`` as ``meant``: Russian slips cost less than arbitrary edits."""
    a = written[i]
    if a == meant:
        return 0.0
    if a in _VOWELS and meant in _VOWELS:
        return 0.5  # an unstressed vowel: the commonest Russian slip
    pair = frozenset((a, meant))
    if pair in _VOICING:
        # voiced and voiceless sound alike at the end of a word and before a consonant («дуб», «лодка»)
        devoiced = i + 1 == len(written) or (written[i + 1] not in _VOWELS and written[i + 1] not in _SIGNS)
        return 0.6 if devoiced else 0.9
    if pair in _ALIKE or {a, meant} <= _SIGNS:
        return 0.6
    return 1.0


def _indel(word: str, i: int) -> float:
    """The cost of inserting or deleting ``word[i]``: cheap when it doubles a neighbour or is a sign."""
    letter = word[i]
    if letter in _SIGNS:
        return 0.5
    if (i > 0 and word[i - 1] == letter) or (i + 1 < len(word) and word[i + 1] == letter):
        return 0.5  # «руский», «касса» → «каса»
    return 1.0


@functools.lru_cache(maxsize=65536)
def edit_cost(written: str, meant: str) -> float:
    """A Damerau–Levenshtein distance whose weights follow how Russian is misspelt."""
    n, m = len(written), len(meant)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = d[i - 1][0] + _indel(written, i - 1)
    for j in range(1, m + 1):
        d[0][j] = d[0][j - 1] + _indel(meant, j - 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(
                d[i - 1][j] + _indel(written, i - 1),
                d[i][j - 1] + _indel(meant, j - 1),
                d[i - 1][j - 1] + _substitution(written, i - 1, meant[j - 1]),
            )
            if i > 1 and j > 1 and written[i - 1] == meant[j - 2] and written[i - 2] == meant[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 0.8)
    return d[n][m]


def best_candidate(written: str, scored: list[tuple[str, float]], weight: float = EDIT_WEIGHT) -> str:
    """The word meant, from JamSpell's (candidate, score) list for ``written``.

    JamSpell decides whether to change the word at all (its best candidate is not the word as
    written); which word it becomes is re-ranked by how plausible the slip is, among candidates
    the dictionaries know.
    """
    if not scored or max(scored, key=lambda cs: cs[1])[0] == written:
        return written
    options = [(c, s) for c, s in scored if c != written and _known(c) and _same_ending(written, c)]
    if not options:
        return written
    return max(options, key=lambda cs: cs[1] - weight * edit_cost(written, cs[0]))[0]


def _same_ending(written: str, meant: str) -> bool:
    """Whether ``meant`` is the same form as ``written``: the same last two letters, or a grammatical
    reading in common (pymorphy3 reads an unknown word by its ending)."""
    if len(written) < ENDING_FROM or written[-2:] == meant[-2:]:
        return True
    return bool(_forms(written) & _forms(meant))


@functools.lru_cache(maxsize=65536)
def _forms(word: str) -> frozenset[tuple]:
    from ...russian import morph  # noqa: PLC0415

    return frozenset(
        (p.tag.POS, p.tag.case, p.tag.number, p.tag.gender, p.tag.tense, p.tag.person) for p in morph().parse(word)
    )


def _stem(word: str) -> str:
    """What the forms of one word share, near enough: its first letters, all but the last."""
    return _fold(word)[: min(STEM_LETTERS, len(word) - 1)]


def recurring_stems(text: str) -> set[str]:
    """Stems of the unknown words that ``text`` uses more than once (see the module's docstring)."""
    counts: dict[str, int] = {}
    for word in _WORD.findall(text):
        if len(word) >= MIN_LETTERS and not _known(word.lower()):
            counts[_stem(word)] = counts.get(_stem(word), 0) + 1
    return {stem for stem, n in counts.items() if n > 1}


# --- the proofreader ---------------------------------------------------------------------------------------


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е")


@functools.lru_cache(maxsize=65536)
def _known(word: str) -> bool:
    """A word the dictionaries know is taken as written (``word`` is lower-case)."""
    from ...russian import morph  # noqa: PLC0415
    from .. import lexicon  # noqa: PLC0415

    counts = lexicon.counts()
    return word in counts or word.replace("ё", "е") in counts or morph().word_is_known(word)


def _like(original: str, fixed: str) -> str:
    """``fixed`` written with the capitalisation of ``original``."""
    if len(original) > 1 and original.isupper():
        return fixed.upper()
    if original[:1].isupper():
        return fixed[:1].upper() + fixed[1:]
    return fixed


@dataclass
class _Token:
    start: int
    end: int
    text: str
    first: bool  # opens a sentence, a line or a quotation: a capital letter here is no name


def _sentences(line: str) -> list[list[_Token]]:
    """The words of a line grouped into sentences the way JamSpell's tokenizer groups them."""
    out: list[list[_Token]] = [[]]
    pos = 0
    for match in _WORD.finditer(line):
        if _SENTENCE_END.search(line, pos, match.start()) and out[-1]:
            out.append([])
        first = pos == 0 or bool(_OPENING.search(line, pos, match.start()))
        out[-1].append(_Token(match.start(), match.end(), match.group(0), first=first))
        pos = match.end()
    return [s for s in out if s]


class JamSpellProofreader(Proofreader):
    name = "jamspell"
    label = "JamSpell"
    default_model = str(DEFAULT_MODEL)
    defaults = {"fix_spelling": True}

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model=model, device=device)
        self._corrector = None

    def model_file(self) -> Path:
        """The model as named: ``self.model`` itself, or, for a folder, the default name in it or its
        first .bin (packed or not). It may be the packed form (see ``packed_form``)."""
        path = Path(self.model)
        if path.is_dir():
            if (path / DEFAULT_MODEL.name).is_file() or packed_form(path / DEFAULT_MODEL.name):
                return path / DEFAULT_MODEL.name
            found = sorted([*path.glob("*.bin"), *path.glob(f"*.bin{PACKED}")])
            return found[0] if found else path / DEFAULT_MODEL.name
        return path

    def _present(self) -> bool:
        path = self.model_file()
        return path.is_file() or packed_form(path) is not None

    def available(self) -> tuple[bool, str]:
        if importlib.util.find_spec("jamspell") is None:
            return False, f"proofread/jamspell: the jamspell package is not installed: {INSTALL_HINT}"
        if not self._present():
            return False, str(self.missing_weights("no such file"))
        if not (
            _locale_loads()
            or (locale_dir() / "en_US.utf8" / "LC_CTYPE").exists()
            or Path(LOCALE_SOURCE).exists()
        ):
            return False, f"proofread/jamspell: no {LOCALE} locale and nothing to make it from: {LOCALE_HINT}"
        return True, ""

    def load(self) -> None:
        path = self.model_file()
        if not self._present():
            raise self.missing_weights("no such file")
        jamspell = import_jamspell()
        packed = packed_form(path)
        if packed is not None:
            try:
                path = unpack(packed)
            except (OSError, lzma.LZMAError) as exc:
                raise self.missing_weights(f"cannot unpack {packed.name}: {exc}") from exc
        corrector = jamspell.TSpellCorrector()
        if not corrector.LoadLangModel(str(path)):
            raise self.missing_weights("not a JamSpell model")
        corrector.SetPenalty(KNOWN_WORD_PENALTY, UNKNOWN_WORD_PENALTY)
        self._corrector = corrector

    def fix(self, text: str, options: dict, progress: ProgressCallback = no_progress) -> Proofread:
        text = tidy(text)
        corrections: list[tuple[str, str]] = []
        if not options.get("fix_spelling", True):
            progress(1.0, "Орфография не проверялась")
            return Proofread(text=text, corrections=corrections)
        progress(0.0, "Загружаю модель JamSpell")
        self.ensure_loaded()
        lines = text.split("\n")
        recurring = recurring_stems(text)
        fixed_lines = []
        for i, line in enumerate(lines):
            fixed_lines.append(self._fix_line(line, corrections, recurring))
            progress((i + 1) / len(lines), f"Проверяю орфографию: абзац {i + 1} из {len(lines)}")
        progress(1.0, f"Исправлено слов: {len(corrections)}")
        return Proofread(text="\n".join(fixed_lines), corrections=corrections)

    def correct(self, words: list[str], position: int) -> str:
        """The word meant at ``position`` of a sentence of lower-case, ё-folded words."""
        scored = [(w, s) for w, s in self._corrector.GetCandidatesWithScores(words, position)]
        return best_candidate(words[position], scored)

    def _fix_line(self, line: str, corrections: list[tuple[str, str]], recurring: set[str] = frozenset()) -> str:
        replaced: list[tuple[_Token, str]] = []
        for sentence in _sentences(line):
            words = [_fold(t.text) for t in sentence]  # the context: corrected words as they come
            for j, token in enumerate(sentence):
                lower = token.text.lower()
                if len(lower) < MIN_LETTERS or (token.text[0].isupper() and not token.first):
                    continue  # short words and names
                if token.text.isupper() and len(token.text) <= 4:
                    continue  # an abbreviation (a longer word in capitals is corrected in capitals)
                if _known(lower) or _stem(lower) in recurring:
                    continue
                meant = self.correct(words, j)
                if meant == words[j]:
                    continue
                words[j] = meant
                fixed = _like(token.text, meant)
                replaced.append((token, fixed))
                corrections.append((token.text, fixed))
        for token, fixed in reversed(replaced):
            line = line[: token.start] + fixed + line[token.end :]
        return line


# --- training ----------------------------------------------------------------------------------------------


_COMPRESSED = {".xz": lzma.open, ".lzma": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}


def prepare_corpus(corpus: Path, out: Path, max_mb: float | None = None, block_chars: int = 1 << 16) -> int:
    """Write ``corpus`` (plain, .xz, .gz or .bz2) to ``out`` as plain text with ё read as е.

    With ``max_mb``, blocks of whole lines spread evenly over the corpus are kept, up to about that
    size, so a small model still sees every author rather than the first one: a block is kept while
    the text kept so far is behind ``max_mb`` times the share of the (compressed) file read, so one
    pass does it. Returns the bytes written.
    """
    target = max_mb * 1e6 if max_mb else None
    total = max(corpus.stat().st_size, 1)
    opener = _COMPRESSED.get(corpus.suffix.lower())
    written = 0
    with open(corpus, "rb") as raw, open(out, "w", encoding="utf-8") as dst:
        src = (
            opener(raw, "rt", encoding="utf-8", errors="replace")
            if opener
            else open(raw.fileno(), "r", encoding="utf-8", errors="replace", closefd=False)
        )
        with src:
            block: list[str] = []
            size = 0
            for line in src:
                block.append(line)
                size += len(line)
                if size < block_chars:
                    continue
                if target is None or written < target * raw.tell() / total:
                    chunk = "".join(block).replace("ё", "е").replace("Ё", "Е")
                    dst.write(chunk)
                    written += len(chunk.encode("utf-8"))
                block, size = [], 0
            if block and (target is None or written < target):
                chunk = "".join(block).replace("ё", "е").replace("Ё", "Е")
                dst.write(chunk)
                written += len(chunk.encode("utf-8"))
    return written


def train(
    corpus_path: str | Path,
    out_path: str | Path = DEFAULT_MODEL,
    alphabet: str = ALPHABET,
    max_mb: float | None = None,
) -> Path:
    """Train a JamSpell model from plain Russian text (.xz/.gz/.bz2 are decompressed to a temp file).

    Writes ``out_path`` and JamSpell's candidate cache ``out_path.spell`` beside it; both replace any
    old ones only when training succeeded. ``max_mb`` caps the text used (spread over the corpus).
    """
    corpus, out = Path(corpus_path), Path(out_path)
    if not corpus.is_file():
        raise FileNotFoundError(f"no corpus {corpus}")
    jamspell = import_jamspell()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".jamspell-", dir=out.parent) as tmp:
        text, letters, model = Path(tmp) / "corpus.txt", Path(tmp) / "alphabet.txt", Path(tmp) / out.name
        if prepare_corpus(corpus, text, max_mb) == 0:
            raise ValueError(f"{corpus}: no text")
        letters.write_text("".join(sorted(set(alphabet.lower()))), encoding="utf-8")
        if not jamspell.TSpellCorrector().TrainLangModel(str(text), str(letters), str(model)):
            raise ValueError(f"{corpus}: JamSpell could not train on it (no words of the alphabet?)")
        os.replace(f"{model}.spell", f"{out}.spell")
        os.replace(model, out)
    return out
