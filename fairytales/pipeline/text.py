"""Cutting Russian text into sentences and into chunks a voice (or a subtitle line) can take."""

from __future__ import annotations

import re

# A sentence ends at . ! ? … (possibly with closing quotes) followed by space and an opening
# of a new sentence: a capital, a dash of dialogue, or an opening quote.
# «Mr. Fox», «Dr. Owl»: an English title's dot ends no sentence. Ukrainian capitals «І», «Ї», «Є», «Ґ» open one.
_SENTENCE_END = re.compile(r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bMrs\.)"
                           r"(?<=[.!?…])[»\"')]*\s+(?=[—–\-«\"(]?\s*[А-ЯЁІЇЄҐA-Z0-9«])")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+|\s+(?=[—–]\s)")


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, whitespace-normalised, empty ones dropped."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _split_long(piece: str, max_chars: int) -> list[str]:
    """Split one over-long sentence at clause punctuation, then at spaces; never inside a word."""
    if len(piece) <= max_chars:
        return [piece]
    parts: list[str] = []
    current = ""
    for clause in _CLAUSE_BREAK.split(piece):
        for word in clause.split(" ") if len(clause) > max_chars else [clause]:
            candidate = f"{current} {word}".strip()
            if current and len(candidate) > max_chars:
                parts.append(current)
                current = word
            else:
                current = candidate
        # prefer a cut at the clause boundary when the next clause would overflow
    if current:
        parts.append(current)
    return [p for p in parts if p]


def chunks(text: str, max_chars: int) -> list[str]:
    """Sentence-sized chunks of at most ``max_chars``, cut at sentence, clause, then word boundaries.

    A single word longer than ``max_chars`` stays whole: a voice can read it, a cut could not.
    """
    out: list[str] = []
    for sentence in sentences(text):
        out.extend(_split_long(sentence, max_chars))
    return out
