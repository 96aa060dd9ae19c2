"""Cutting a story into scenes: each with its text, a picture prompt and its lines by speaker.

The story is in the tale's language: Russian and Ukrainian dialogue lines open with a dash («— Куда ты? —
спросил заяц»), English ones with a quotation mark (“Where are you going?” asked the wolf). Each scene also
records which stretches of the story's paragraphs it holds (``Scene.paragraphs``), so a parallel text of the
same story in another language can be cut into the same scenes (``regroup``).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from . import english, ukrainian
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

# English: a line of speech in “curly” or "straight" quotes, and the line that opens with one.
_EN_QUOTE = re.compile(r"“([^”]+)”|\"([^\"]+)\"")
_EN_DIALOGUE = re.compile(r"^\s*[“\"]")
_EN_REMARK_AFTER = re.compile(r"\s*[a-z]")  # “Run,” said the fox / “Run!” she cried: a tag goes on lower-case
_EN_WORD = english.WORD_RE
# Where a sentence ends, cutting after its closing quotes and keeping them: the start of the space that
# follows «. » / «?” » when a new sentence (a capital, a dash, an opening quote) comes next.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[»\"”’')]*(\s+)(?=[—–\-«\"“(]?\s*[А-ЯЁІЇЄҐA-Z0-9«“])")


@lru_cache(maxsize=1)
def _words() -> dict:
    with open(Path(__file__).with_name("data") / "scene_words.toml", "rb") as file:
        return tomllib.load(file)


def split_scenes(text: str, count: int, language: str = "ru") -> list[Scene]:
    """``count`` scenes of similar length, cut between paragraphs (or sentences when there are too few)."""
    paragraphs = story_paragraphs(text)
    if not paragraphs:
        raise ValueError("the story is empty")
    units = _enough_units(list(enumerate(paragraphs)), count, language)
    spans = _spans(units, language)
    groups = _balanced_groups(list(zip(units, spans)), min(count, len(units)))
    scenes = []
    for i, group in enumerate(groups, start=1):
        texts = [text for (_, text), _ in group]
        scenes.append(Scene(index=i, text="\n\n".join(texts), prompt=picture_prompt(texts, language),
                            lines=speaker_lines(texts, language), paragraphs=_merged([span for _, span in group])))
    return scenes


def _merged(spans: list[tuple[int, int, int, int]]) -> list[list[int]]:
    """Consecutive stretches of one paragraph as one."""
    out: list[list[int]] = []
    for paragraph, start, end, total in spans:
        if out and out[-1][0] == paragraph and out[-1][2] == start:
            out[-1][2] = end
        else:
            out.append([paragraph, start, end, total])
    return out


def rewrite_scene(text: str, language: str = "ru") -> tuple[str, str, list[Line]]:
    """A scene's text as the user rewrote it, with its prompt and speakers worked out again."""
    paragraphs = story_paragraphs(text)
    if not paragraphs:
        raise ValueError("the scene's text is empty")
    return "\n\n".join(paragraphs), picture_prompt(paragraphs, language), speaker_lines(paragraphs, language)


def story_paragraphs(text: str) -> list[str]:
    """The story's paragraphs (separated by blank lines), as ``Scene.paragraphs`` counts them."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _is_dialogue(line: str, language: str) -> bool:
    return bool((_EN_DIALOGUE if language == "en" else _DIALOGUE_DASH).match(line))


def sentence_pieces(text: str) -> list[str]:
    """``text``'s sentences as written (closing quotes kept), whitespace-normalised."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    pieces, start = [], 0
    for match in _SENTENCE_BREAK.finditer(text):
        pieces.append(text[start : match.start(1)])
        start = match.end(1)
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def atoms(paragraph: str, language: str = "ru") -> list[str]:
    """The smallest pieces a scene cut keeps whole: each line of dialogue, each sentence of narration."""
    out: list[str] = []
    for line in paragraph.split("\n"):
        if not line.strip():
            continue
        out.extend([" ".join(line.split())] if _is_dialogue(line, language) else sentence_pieces(line))
    return out


def regroup(parallel: str, scenes: list[Scene], language: str) -> list[str | None]:
    """Each scene's text in a parallel story (the same story in ``language``, paragraph for paragraph),
    cut by the stretches the scene holds; None for a scene that holds none (rewritten by its owner) or when
    the parallel story has another number of paragraphs. A paragraph shared by two scenes is cut at the same
    sentence when both languages have as many, else in proportion."""
    paragraphs = story_paragraphs(parallel)
    held = [part[0] for scene in scenes for part in scene.paragraphs]
    if not held or max(held) >= len(paragraphs):
        return [None] * len(scenes)
    pieces = [atoms(p, language) for p in paragraphs]
    counts: dict[int, int] = {}  # each paragraph's pieces in the scenes' language
    for scene in scenes:
        for p, _, end, *total in scene.paragraphs:
            counts[p] = max(counts.get(p, 0), end, *total)
    out: list[str | None] = []
    for scene in scenes:
        if not scene.paragraphs:
            out.append(None)
            continue
        parts = []
        for p, start, end, *_ in scene.paragraphs:
            mine, theirs = counts[p], len(pieces[p])
            if start == 0 and end == mine:  # the whole paragraph, as written
                parts.append(paragraphs[p])
                continue
            if mine != theirs:
                start, end = round(start * theirs / mine), round(end * theirs / mine)
            parts.append(_joined(pieces[p][start:end], language))
        text = "\n\n".join(part for part in parts if part.strip())
        out.append(text or None)
    return out


def _joined(pieces: list[str], language: str) -> str:
    """Pieces of one paragraph back together: a line of dialogue on its own line, sentences by a space."""
    text = ""
    for piece in pieces:
        apart = text and (_is_dialogue(piece, language) or _is_dialogue(text.rsplit("\n", 1)[-1], language))
        text = f"{text}\n{piece}" if apart else f"{text} {piece}".strip()
    return text


def _enough_units(units: list[tuple[int, str]], count: int, language: str = "ru") -> list[tuple[int, str]]:
    """Split long paragraphs, so scenes can come out even, and until there are ``count`` units; each unit
    keeps the index of the paragraph it comes from.

    A paragraph is cut between its lines (each line of dialogue is one) or, when it is one line of
    narration, between sentences; a line of dialogue is never cut: that would lose who speaks.
    """
    units = list(units)
    target = sum(len(u) for _, u in units) / count

    def pieces(unit: str) -> tuple[list[str], str]:
        lines = [line for line in unit.split("\n") if line.strip()]
        if len(lines) > 1:
            return lines, "\n"
        if _is_dialogue(unit, language):
            return [unit], " "
        return sentence_pieces(unit), " "

    while True:
        splittable = [i for i in range(len(units)) if len(pieces(units[i][1])[0]) > 1]
        long = [i for i in splittable if len(units[i][1]) > 0.8 * target]
        if len(units) >= count and not long:
            return units
        candidates = long or splittable
        if not candidates:
            return units
        i = max(candidates, key=lambda j: len(units[j][1]))
        paragraph, text = units[i]
        parts, joiner = pieces(text)
        cut = min(range(1, len(parts)), key=lambda k: abs(len(joiner.join(parts[:k])) - len(text) / 2))
        units[i : i + 1] = [(paragraph, joiner.join(parts[:cut])), (paragraph, joiner.join(parts[cut:]))]


def _spans(units: list[tuple[int, str]], language: str) -> list[tuple[int, int, int, int]]:
    """Each unit as (paragraph, first piece, end piece, the paragraph's pieces): where it sits among its
    paragraph's ``atoms``."""
    spans, taken = [], {}
    for paragraph, text in units:
        start = taken.get(paragraph, 0)
        end = start + len(atoms(text, language))
        taken[paragraph] = end
        spans.append((paragraph, start, end))
    return [(paragraph, start, end, taken[paragraph]) for paragraph, start, end in spans]


def _balanced_groups(units: list, count: int) -> list[list]:
    """Contiguous groups with the longest as short as possible (the linear partition problem); a unit is
    measured by its text (``((paragraph, text), span)``)."""
    lengths = [len(u[0][1]) for u in units]
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


def picture_prompt(paragraphs: list[str], language: str = "ru") -> str:
    """The scene's most concrete narrative sentence (the one naming most things), for the illustrator."""
    lines = [line for p in paragraphs for line in p.split("\n") if line.strip()]
    narrative = [s for line in lines if not _is_dialogue(line, language) for s in sentences(line)]
    candidates = narrative or [s for line in lines for s in sentences(line)]
    best = max(candidates, key=lambda sentence: _thing_count(sentence, language))
    if len(best) > PROMPT_CHARS:
        best = best[:PROMPT_CHARS].rsplit(" ", 1)[0]
    return best.strip(" —-")


def _thing_count(sentence: str, language: str) -> int:
    """How many things a sentence names: its nouns (ru, uk), its content words (en)."""
    if language == "en":
        return len(english_lemmas(sentence))
    if language == "uk":
        analyser = ukrainian.morph()
        return sum(1 for w in ukrainian.WORD_RE.findall(sentence) if "NOUN" in analyser.parse(w)[0].tag)
    return sum(1 for w in WORD_RE.findall(sentence) if "NOUN" in morph().parse(w)[0].tag)


def english_lemmas(text: str) -> list[str]:
    """The content words of English text (stop words left out), as lemmas: what a picture is drawn from."""
    stop = set(_words()["en"]["stop_words"])
    return [english.singular(w) for w in _EN_WORD.findall(text) if w.lower() not in stop]


def speaker_lines(paragraphs: list[str], language: str = "ru") -> list[Line]:
    """The scene's text as narrator's and characters' lines, in reading order."""
    lines: list[Line] = []
    announced = CHARACTER  # English: who the line before announced («… the owl said:»), for a line with no tag
    for paragraph in paragraphs:
        for text in paragraph.split("\n"):
            if not text.strip():
                continue
            if language == "en":
                said = _quoted_en(text)
                if announced != CHARACTER:
                    said = [Line(announced, line.text) if line.speaker == CHARACTER else line for line in said]
                last = said[-1]
                announced = (_speaker_en(last.text) if last.speaker == NARRATOR and last.text.endswith(":")
                             else CHARACTER)
                lines.extend(said)
            elif _DIALOGUE_DASH.match(text):
                lines.extend(_dialogue(_DIALOGUE_DASH.sub("", text, count=1), language))
            else:
                lines.extend(_quoted(text, language))
    return _merge_adjacent(lines)


def _dialogue(paragraph: str, language: str = "ru") -> list[Line]:
    """``Слова, — сказал волк. — Ещё слова.``: speech and the author's remarks alternate at dashes."""
    parts = _REMARK.split(paragraph)
    remarks = parts[1::2]
    speaker = _speaker(" ".join(remarks), language)
    lines = []
    for i, part in enumerate(parts):
        part = part.strip()
        if part:
            lines.append(Line(speaker if i % 2 == 0 else NARRATOR, part))
    return lines


def _quoted(paragraph: str, language: str = "ru") -> list[Line]:
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
        lines.append(Line(_speaker(before if before.endswith(":") else after, language), match.group(1).strip()))
        pos = match.end()
    rest = paragraph[pos:].lstrip(" ,.;—-").strip() if pos else paragraph.strip()
    if rest:
        lines.append(Line(NARRATOR, rest))
    return lines


def _quoted_en(paragraph: str) -> list[Line]:
    """English speech in “quotes” (or "straight" ones): opening the line, after a comma or colon (The wolf
    said, “…”), or followed by the narrator's tag (“…,” asked the wolf / “…!” she cried), in any order. Other
    quotes (a sign that says “Keep out”) stay in the narrator's sentence. One speaker per line: the one its
    tags name."""
    matches = list(_EN_QUOTE.finditer(paragraph))

    def speech(match) -> bool:
        before = paragraph[: match.start()].rstrip()
        return not before or before.endswith((",", ":")) or _speech_tag_follows(paragraph[match.end() :])

    # a line where someone speaks is all speech between the tags (“Stop!” said the owl. “Who goes there?”)
    spoken = matches if any(speech(match) for match in matches) else []
    if not spoken:
        return [Line(NARRATOR, paragraph.strip())]
    remarks, pos = [], 0
    for match in spoken:
        remarks.append(paragraph[pos : match.start()])
        pos = match.end()
    remarks.append(paragraph[pos:])
    speaker = _speaker_en(" ".join(remarks))
    lines: list[Line] = []
    for remark, match in zip(remarks, spoken):
        remark = remark.strip(" ,")
        if remark:
            lines.append(Line(NARRATOR, remark))
        lines.append(Line(speaker, (match.group(1) or match.group(2)).strip()))
    rest = remarks[-1].strip(" ,")
    if rest:
        lines.append(Line(NARRATOR, rest))
    return lines


def _speech_tag_follows(after: str) -> bool:
    """Whether the narrator's tag of a line of speech follows: “…,” said the fox / “…!” she cried."""
    if not _EN_REMARK_AFTER.match(after):
        return False
    clause = re.split(r"[.;!?“\"]", after, maxsplit=1)[0]
    verbs = set(_words()["en"]["speech_verbs"])
    return any(word.lower() in verbs for word in _EN_WORD.findall(clause))


def _speaker_en(remark: str) -> str:
    """Who speaks, from the narrator's tags: the noun after a speech verb («asked the old wolf» → wolf) or
    before it («the wolf asked», «Masha said» → masha); a pronoun names nobody."""
    words = _words()["en"]
    verbs, stop, pronouns = set(words["speech_verbs"]), set(words["stop_words"]), set(words["pronouns"])
    for clause in re.split(r"[,;:.!?]", remark):
        tokens = _EN_WORD.findall(clause)
        lowered = [t.lower() for t in tokens]
        verb = next((i for i, t in enumerate(lowered) if t in verbs), None)
        if verb is None:
            continue
        after = [t for t in lowered[verb + 1 :] if not t.endswith("ly")]
        if after and after[0] in ("the", "a", "an", "little", "old", "young", "grey", "gray", "big"):
            phrase = [t for t in after if t not in stop and t not in verbs]
            if phrase:
                return english.singular(phrase[-1] if len(phrase) <= 2 else phrase[0])
        if after and after[0] not in stop and after[0] not in pronouns and tokens[verb + 1][0].isupper():
            return english.singular(after[0])
        before = [t for t in lowered[:verb] if t not in stop and not t.endswith(("ly", "ed")) and t not in verbs]
        if before and lowered[verb - 1] not in pronouns:
            return english.singular(before[-1])
    return CHARACTER


def _speaker(remark: str, language: str = "ru") -> str:
    """The first noun or name in the nominative in the author's remark («сказал волк» → волк)."""
    analyser, words = (ukrainian.morph(), ukrainian.WORD_RE) if language == "uk" else (morph(), WORD_RE)
    for word in words.findall(remark):
        parse = analyser.parse(word)[0]
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


def speaker_gender(speaker: str, language: str = "ru") -> str:
    """"femn", "masc" or "neut": for choosing a voice. English has no grammatical gender: the grammar
    module's list of she-characters says it («the old woman», «Masha»); Ukrainian asks pymorphy3 of the
    speaker's last word, Russian of the speaker."""
    if speaker in (NARRATOR, CHARACTER):
        return "masc"
    if language == "en":
        return english.gender_of(speaker)
    if language == "uk":
        words = ukrainian.WORD_RE.findall(speaker)
        return ukrainian.gender_of(words[-1]) if words else "masc"
    return morph().parse(speaker)[0].tag.gender or "masc"
