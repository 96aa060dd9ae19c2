"""JamSpell proofreader: a trigram language model picks, in context, the likeliest word a few edits away.

JamSpell (C++, SWIG) scores every candidate within two edits of a word by how well it fits between
its neighbours. On top of its scores this backend:

- ranks typical Russian slips as cheaper than arbitrary edits (``ranking``);
- leaves alone every word the dictionaries know (pymorphy3, the literary frequency list): a small
  language model "fixes" correct rare words far more often than it catches a real-word error;
- leaves alone capitalised words inside a sentence (names), abbreviations and words shorter than
  three letters;
- leaves alone an unknown word the text uses again (the same stem, in any form): a writer's own word
  («молодильное яблочко», «мышка-норушка») recurs, a slip seldom does;
- never changes a word's grammatical ending (``ranking``): a candidate in another case is another word;
- reads ё as е (the training text is folded the same way), so «ещё» is never "corrected" to «еще».

Only the letters of a corrected word change: punctuation, dialogue dashes and line breaks stay as
they were, and the capitalisation of the original is carried over. The model may ship packed
(``model_files``); JamSpell needs a locale made first (``locale``); ``training`` makes a model.
"""

from __future__ import annotations

import importlib.util
import lzma
import re
from dataclasses import dataclass
from pathlib import Path

from ...backend import Option
from ...notes import Note
from ...types import ProgressCallback, no_progress
from .. import CHECKED_LANGUAGES, Proofread, Proofreader
from ..typography import tidy
from .locale import INSTALL_HINT, LOCALE, LOCALE_HINT, import_jamspell, locale_obtainable
from .model_files import DEFAULT_MODEL, find_model, packed_form, present, unpack
from .ranking import KNOWN_WORD_PENALTY, UNKNOWN_WORD_PENALTY, best_candidate, fold, known

_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)  # a word as JamSpell's tokenizer sees it (its alphabet)
_SENTENCE_END = re.compile(r"[.!?…]")  # where JamSpell's tokenizer ends a sentence
_OPENING = re.compile(r"[.!?…«\"“„(]")  # after these a capital letter is no sign of a name
MIN_LETTERS = 3
STEM_LETTERS = 6


def _stem(word: str) -> str:
    """What the forms of one word share, near enough: its first letters, all but the last."""
    return fold(word)[: min(STEM_LETTERS, len(word) - 1)]


def recurring_stems(text: str) -> set[str]:
    """Stems of the unknown words that ``text`` uses more than once (see the module's docstring)."""
    counts: dict[str, int] = {}
    for word in _WORD.findall(text):
        if len(word) >= MIN_LETTERS and not known(word.lower()):
            counts[_stem(word)] = counts.get(_stem(word), 0) + 1
    return {stem for stem, n in counts.items() if n > 1}


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
    declared_options = (Option("fix_spelling", True, "Исправлять орфографию"),)

    def __init__(self, model: str | None = None, device: str | None = None):
        super().__init__(model=model, device=device)
        self._corrector = None

    def model_file(self) -> Path:
        """The model file ``self.model`` names (see ``model_files.find_model``)."""
        return find_model(Path(self.model))

    def available(self) -> tuple[bool, str]:
        if importlib.util.find_spec("jamspell") is None:
            return False, f"proofread/jamspell: the jamspell package is not installed: {INSTALL_HINT}"
        if not present(self.model_file()):
            return False, str(self.missing_weights("no such file"))
        if not locale_obtainable():
            return False, f"proofread/jamspell: no {LOCALE} locale and nothing to make it from: {LOCALE_HINT}"
        return True, ""

    def load(self) -> None:
        path = self.model_file()
        if not present(path):
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

    def fix(self, text: str, options: dict, progress: ProgressCallback = no_progress,
            language: str = "ru") -> Proofread:
        if language not in CHECKED_LANGUAGES:
            return self.unchecked(text, progress)
        text = tidy(text)
        corrections: list[tuple[str, str]] = []
        if not options.get("fix_spelling", True):
            progress(1.0, Note("Орфография не проверялась"))
            return Proofread(text=text, corrections=corrections)
        progress(0.0, Note("Загружаю модель JamSpell"))
        self.ensure_loaded()
        lines = text.split("\n")
        recurring = recurring_stems(text)
        fixed_lines = []
        for i, line in enumerate(lines):
            fixed_lines.append(self._fix_line(line, corrections, recurring))
            progress((i + 1) / len(lines), Note("Проверяю орфографию: абзац {done} из {total}",
                                                done=i + 1, total=len(lines)))
        progress(1.0, Note("Исправлено слов: {count}", count=len(corrections)))
        return Proofread(text="\n".join(fixed_lines), corrections=corrections)

    def correct(self, words: list[str], position: int) -> str:
        """The word meant at ``position`` of a sentence of lower-case, ё-folded words."""
        scored = [(w, s) for w, s in self._corrector.GetCandidatesWithScores(words, position)]
        return best_candidate(words[position], scored)

    def _fix_line(
        self, line: str, corrections: list[tuple[str, str]], recurring: set[str] = frozenset()
    ) -> str:
        replaced: list[tuple[_Token, str]] = []
        for sentence in _sentences(line):
            words = [fold(t.text) for t in sentence]  # the context: corrected words as they come
            for j, token in enumerate(sentence):
                lower = token.text.lower()
                if len(lower) < MIN_LETTERS or (token.text[0].isupper() and not token.first):
                    continue  # short words and names
                if token.text.isupper() and len(token.text) <= 4:
                    continue  # an abbreviation (a longer word in capitals is corrected in capitals)
                if known(lower) or _stem(lower) in recurring:
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
