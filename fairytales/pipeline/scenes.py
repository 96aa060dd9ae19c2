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
    """Split the longest paragraph at a sentence boundary until there are ``count`` units."""
    units = list(units)
    while len(units) < count:
        longest = max(range(len(units)), key=lambda i: len(units[i]))
        parts = sentences(units[longest])
        if len(parts) < 2:
            break
        half = len(parts) // 2
        units[longest : longest + 1] = [" ".join(parts[:half]), " ".join(parts[half:])]
    return units


def _balanced_groups(units: list[str], count: int) -> list[list[str]]:
    """Contiguous groups whose character counts are as even as a greedy cut can make them."""
    total = sum(len(u) for u in units)
    groups: list[list[str]] = []
    current: list[str] = []
    done = 0
    for i, unit in enumerate(units):
        current.append(unit)
        done += len(unit)
        groups_left = count - len(groups) - 1
        units_left = len(units) - i - 1
        target = total * (len(groups) + 1) / count
        if groups_left and (done >= target or units_left == groups_left):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def picture_prompt(paragraphs: list[str]) -> str:
    """The scene's most concrete narrative sentence (the one naming most things), for the illustrator."""
    narrative = [s for p in paragraphs if not _DIALOGUE_DASH.match(p) for s in sentences(p)]
    candidates = narrative or [s for p in paragraphs for s in sentences(p)]
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
        if _DIALOGUE_DASH.match(paragraph):
            lines.extend(_dialogue(_DIALOGUE_DASH.sub("", paragraph, count=1)))
        else:
            lines.extend(_quoted(paragraph))
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
    lines: list[Line] = []
    pos = 0
    for match in _QUOTE.finditer(paragraph):
        before = paragraph[pos : match.start()].strip()
        if before:
            lines.append(Line(NARRATOR, before))
        lines.append(Line(_speaker(paragraph[match.end() :]), match.group(1).strip()))
        pos = match.end()
    rest = paragraph[pos:].strip(" ,—-")
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


def is_character(speaker: str) -> bool:
    return speaker != NARRATOR


def speaker_gender(speaker: str) -> str:
    """"femn", "masc" or "neut": for choosing a voice."""
    if speaker in (NARRATOR, CHARACTER):
        return "masc"
    return morph().parse(speaker)[0].tag.gender or "masc"
