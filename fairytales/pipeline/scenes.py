"""Cutting a story into scenes: each with its text, a picture prompt and its lines by speaker."""

from __future__ import annotations

import re

from .russian import WORD_RE, morph
from .text import sentences
from .types import Line, Scene

NARRATOR = "narrator"
CHARACTER = "character"

_DIALOGUE_DASH = re.compile(r"^\s*[—–-]\s*")
_REMARK = re.compile(r"\s+[—–]\s+")  # «— Слова, — сказал волк, — слова.»
_QUOTE = re.compile(r"«([^»]+)»")
_REMARK_AFTER = re.compile(r"[,!?…]?\s+[—–]\s")
PROMPT_CHARS = 220


def split_scenes(text: str, count: int) -> list[Scene]:
    """``count`` scenes of similar length, cut between paragraphs (or sentences when there are too few)."""
    units = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not units:
        raise ValueError("the story is empty")
    units = _enough_units(units, count)
    groups = _balanced_groups(units, min(count, len(units)))
    return [
        Scene(index=i, text="\n\n".join(group), prompt=picture_prompt(group), lines=speaker_lines(group))
        for i, group in enumerate(groups, start=1)
    ]


def rewrite_scene(text: str) -> tuple[str, str, list[Line]]:
    """A scene's text as the user rewrote it, with its prompt and speakers worked out again."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not paragraphs:
        raise ValueError("the scene's text is empty")
    return "\n\n".join(paragraphs), picture_prompt(paragraphs), speaker_lines(paragraphs)


def _enough_units(units: list[str], count: int) -> list[str]:
    """Split long paragraphs, so scenes can come out even, and until there are ``count`` units.

    A paragraph is cut between its lines (each line of dialogue is one) or, when it is one line of
    narration, between sentences; a line of dialogue is never cut: that would lose who speaks.
    """
    units = list(units)
    target = sum(len(u) for u in units) / count

    def pieces(unit: str) -> tuple[list[str], str]:
        lines = [line for line in unit.split("\n") if line.strip()]
        if len(lines) > 1:
            return lines, "\n"
        if _DIALOGUE_DASH.match(unit):
            return [unit], " "
        return sentences(unit), " "

    while True:
        splittable = [i for i in range(len(units)) if len(pieces(units[i])[0]) > 1]
        long = [i for i in splittable if len(units[i]) > 0.8 * target]
        if len(units) >= count and not long:
            return units
        candidates = long or splittable
        if not candidates:
            return units
        i = max(candidates, key=lambda j: len(units[j]))
        parts, joiner = pieces(units[i])
        cut = min(range(1, len(parts)), key=lambda k: abs(len(joiner.join(parts[:k])) - len(units[i]) / 2))
        units[i : i + 1] = [joiner.join(parts[:cut]), joiner.join(parts[cut:])]


def _balanced_groups(units: list[str], count: int) -> list[list[str]]:
    """Contiguous groups with the longest as short as possible (the linear partition problem)."""
    lengths = [len(u) for u in units]
    n = len(units)
    prefix = [0]
    for length in lengths:
        prefix.append(prefix[-1] + length)
    inf = float("inf")
    # best[k][i]: the smallest possible longest group when the first i units form k groups
    best = [[inf] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0
    for k in range(1, count + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                value = max(best[k - 1][j], prefix[i] - prefix[j])
                if value < best[k][i]:
                    best[k][i], cut[k][i] = value, j
    bounds, i = [], n
    for k in range(count, 0, -1):
        bounds.append((cut[k][i], i))
        i = cut[k][i]
    return [units[a:b] for a, b in reversed(bounds)]


def picture_prompt(paragraphs: list[str]) -> str:
    """The scene's most concrete narrative sentence (the one naming most things), for the illustrator."""
    lines = [line for p in paragraphs for line in p.split("\n") if line.strip()]
    narrative = [s for line in lines if not _DIALOGUE_DASH.match(line) for s in sentences(line)]
    candidates = narrative or [s for line in lines for s in sentences(line)]
    best = max(candidates, key=_noun_count)
    if len(best) > PROMPT_CHARS:
        best = best[:PROMPT_CHARS].rsplit(" ", 1)[0]
    return best.strip(" —-")


def _noun_count(sentence: str) -> int:
    return sum(1 for w in WORD_RE.findall(sentence) if "NOUN" in morph().parse(w)[0].tag)


def speaker_lines(paragraphs: list[str]) -> list[Line]:
    """The scene's text as narrator's and characters' lines, in reading order."""
    lines: list[Line] = []
    for paragraph in paragraphs:
        for text in paragraph.split("\n"):
            if not text.strip():
                continue
            if _DIALOGUE_DASH.match(text):
                lines.extend(_dialogue(_DIALOGUE_DASH.sub("", text, count=1)))
            else:
                lines.extend(_quoted(text))
    return _merge_adjacent(lines)


def _dialogue(paragraph: str) -> list[Line]:
    """``Слова, — сказал волк. — Ещё слова.``: speech and the author's remarks alternate at dashes."""
    parts = _REMARK.split(paragraph)
    remarks = parts[1::2]
    speaker = _speaker(" ".join(remarks))
    lines = []
    for i, part in enumerate(parts):
        part = part.strip()
        if part:
            lines.append(Line(speaker if i % 2 == 0 else NARRATOR, part))
    return lines


def _quoted(paragraph: str) -> list[Line]:
    """Speech in «quotes»: after a colon («сказал: «…»»), opening the paragraph, or followed by the
    author's remark («…» — сказал волк). Other quotes are names and inscriptions (медаль «Звёздный
    герой», табличка «Не входить») and stay in the narrator's sentence."""
    lines: list[Line] = []
    pos = 0
    for match in _QUOTE.finditer(paragraph):
        before = paragraph[pos : match.start()].strip()
        after = paragraph[match.end() :]
        speech = before.endswith(":") or not paragraph[: match.start()].strip() or _REMARK_AFTER.match(after)
        if not speech:
            continue
        if before:
            lines.append(Line(NARRATOR, before))
        lines.append(Line(_speaker(before if before.endswith(":") else after), match.group(1).strip()))
        pos = match.end()
    rest = paragraph[pos:].lstrip(" ,.;—-").strip() if pos else paragraph.strip()
    if rest:
        lines.append(Line(NARRATOR, rest))
    return lines


def _speaker(remark: str) -> str:
    """The first noun or name in the nominative in the author's remark («сказал волк» → волк)."""
    for word in WORD_RE.findall(remark):
        parse = morph().parse(word)[0]
        if {"NOUN", "nomn"} <= set(parse.tag.grammemes) and "Abbr" not in parse.tag:
            return parse.normal_form
    return CHARACTER


def _merge_adjacent(lines: list[Line]) -> list[Line]:
    merged: list[Line] = []
    for line in lines:
        if merged and merged[-1].speaker == line.speaker:
            merged[-1] = Line(line.speaker, f"{merged[-1].text} {line.text}")
        else:
            merged.append(line)
    return merged


def speaker_gender(speaker: str) -> str:
    """"femn", "masc" or "neut": for choosing a voice."""
    if speaker in (NARRATOR, CHARACTER):
        return "masc"
    return morph().parse(speaker)[0].tag.gender or "masc"
