"""Which of JamSpell's candidates a misspelt word becomes.

JamSpell decides whether to change a word at all; which word it becomes is re-ranked here by how
plausible the slip is (an unstressed vowel, a voiced/voiceless pair, a doubled letter, ь/ъ cost less
than arbitrary edits, so «малоко» becomes «молоко», not the more frequent «малого»), among candidates the
dictionaries know and in the same grammatical form as the word written.
"""

from __future__ import annotations

import functools

from ...russian import morph
from .. import lexicon

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
ENDING_FROM = 6  # letters: from this length on the last two are the grammatical ending, kept as written


def fold(word: str) -> str:
    """``word`` as JamSpell's model knows it: lower-case, ё read as е (the training text is folded too)."""
    return word.lower().replace("ё", "е")


@functools.lru_cache(maxsize=65536)
def known(word: str) -> bool:
    """A word the dictionaries know is taken as written (``word`` is lower-case)."""
    counts = lexicon.counts()
    return word in counts or word.replace("ё", "е") in counts or morph().word_is_known(word)


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
    options = [(c, s) for c, s in scored if c != written and known(c) and _same_ending(written, c)]
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
    return frozenset(
        (p.tag.POS, p.tag.case, p.tag.number, p.tag.gender, p.tag.tense, p.tag.person)
        for p in morph().parse(word)
    )
