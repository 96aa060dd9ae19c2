"""A scene's shots: its text cut at sentence boundaries into spans of about 8–15 s of narration, each drawn
as its own picture from its own sentences.

The pictures are drawn while the scenes are narrated, so a shot's length is estimated from its text, at a rate
per language measured against the default narrator (``data/shots.toml``). The film then shows each shot from
the narration time of its first sentence (``starts``, from the narration's cues).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .limits import narrated_sentences
from .scenes import atoms, picture_prompt, story_paragraphs
from .types import Cue, Scene

DEFAULT_SECONDS = 15


@lru_cache(maxsize=1)
def settings() -> dict:
    with open(Path(__file__).with_name("data") / "shots.toml", "rb") as file:
        return tomllib.load(file)


@dataclass
class Shot:
    first: int  # the scene's sentences it holds (``sentences(scene)``), end excluded
    end: int
    text: str
    prompt: str
    seconds: float  # its estimated narration

    def as_scene(self, scene: Scene) -> Scene:
        """The shot as an illustrator takes a scene: its own sentences and prompt."""
        return Scene(scene.index, self.text, self.prompt)


def sentences(scene: Scene, language: str = "ru") -> list[str]:
    """The scene's sentences as shots are cut by: each line of dialogue whole, each sentence of narration."""
    return [piece for paragraph in story_paragraphs(scene.text) for piece in atoms(paragraph, language)]


def reading_seconds(text: str, language: str = "ru") -> float:
    """About how long ``text`` takes to narrate (on the slow side)."""
    rates = settings()["chars_per_second"]
    return len(" ".join(text.split())) / rates.get(language, rates["default"])


def cut(scene: Scene, limit: float, language: str = "ru") -> list[Shot]:
    """The scene's shots for a picture held at most ``limit`` seconds (0: one shot, the whole scene). The
    fewest shots that keep to the limit, as even as they can be; a single sentence longer than the limit is a
    shot of its own. Only what is narrated is drawn (``limits.narrated_sentences``: the suite's short films)."""
    pieces = sentences(scene, language)
    narrated = narrated_sentences()
    text = " ".join(pieces[:narrated]) if 0 < narrated < len(pieces) else scene.text
    pieces = pieces[:narrated] if narrated > 0 else pieces
    whole = Shot(0, len(pieces), text, scene.prompt, reading_seconds(text, language))
    if limit <= 0 or len(pieces) < 2:
        return [whole]
    film = settings()["film"]
    lengths = [reading_seconds(piece, language) for piece in pieces]
    groups = _groups(lengths, limit, film["first_seconds"], film["last_seconds"])
    if len(groups) == 1:
        return [whole]
    return [Shot(a, b, " ".join(pieces[a:b]), picture_prompt(["\n".join(pieces[a:b])], language),
                 round(sum(lengths[a:b]), 2)) for a, b in groups]


def count(scenes: list[Scene], limit: float, language: str = "ru") -> int:
    """How many pictures the scenes are drawn as."""
    return sum(len(cut(scene, limit, language)) for scene in scenes)


def _groups(lengths: list[float], limit: float, first: float, last: float) -> list[tuple[int, int]]:
    """Consecutive groups of ``lengths``: the fewest whose held time (the first group's plus ``first``, the
    last one's plus ``last``) keeps within ``limit``, the longest of them as short as it can be."""
    n = len(lengths)
    prefix = [0.0]
    for length in lengths:
        prefix.append(prefix[-1] + length)

    def held(a: int, b: int) -> float:
        return prefix[b] - prefix[a] + (first if a == 0 else 0.0) + (last if b == n else 0.0)

    best_possible = max(held(i, i + 1) for i in range(n))  # every sentence alone: the least a split can do
    target = max(limit, best_possible)
    start = max(1, math.ceil(held(0, n) / max(target, 1e-6)))
    for k in range(start, n + 1):
        worst, bounds = _balanced(n, k, held)
        if worst <= target + 1e-9:
            return bounds
    return [(i, i + 1) for i in range(n)]


def _balanced(n: int, k: int, held) -> tuple[float, list[tuple[int, int]]]:
    """The split of ``n`` items into ``k`` consecutive groups whose longest ``held`` is least."""
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    cut_at = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for groups in range(1, k + 1):
        for b in range(groups, n + 1):
            for a in range(groups - 1, b):
                worst = max(best[groups - 1][a], held(a, b))
                if worst < best[groups][b]:
                    best[groups][b], cut_at[groups][b] = worst, a
    bounds, b = [], n
    for groups in range(k, 0, -1):
        a = cut_at[groups][b]
        bounds.append((a, b))
        b = a
    return best[k][n], list(reversed(bounds))


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def starts(shot_texts: list[str], cues: list[Cue], narration_seconds: float) -> list[float | None]:
    """Where each shot's narration begins (seconds into its scene's narration): the start of the cue its first
    words are in (a cue is a sentence or a piece of one), in proportion inside that cue. None for a shot
    the narration does not reach (the suite narrates only a scene's first sentences). The first shot starts
    at 0. When the cues' words cannot be followed (a text read differently), the shots start in proportion
    to their characters, if the narration is the whole text."""
    spoken, bounds = "", []
    for cue in cues:
        bounds.append((len(spoken), cue))
        spoken += _letters(cue.text)
    texts = [_letters(text) for text in shot_texts]
    out: list[float | None] = [0.0]
    at = 1  # a shot's words are looked for after the previous shot's start
    whole = sum(map(len, texts))
    for number, text in enumerate(texts[1:], start=1):
        found = spoken.find(text[:24], at) if text else -1
        if found < 0:
            before = sum(map(len, texts[:number]))
            complete = whole and len(spoken) >= 0.9 * whole
            out.append(round(narration_seconds * before / whole, 3) if complete else None)
        else:
            out.append(round(_time_at(found, bounds), 3))
            at = found + 1
    return out


def _time_at(position: int, bounds: list[tuple[int, Cue]]) -> float:
    for i, (offset, cue) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else math.inf
        if offset <= position < end:
            size = max(1, len(_letters(cue.text)))
            return cue.start + (cue.end - cue.start) * (position - offset) / size
    return bounds[-1][1].end if bounds else 0.0


def estimate(scene_count: int, limit: float) -> int:
    """About how many pictures a tale of ``scene_count`` scenes of the default length draws (what a form can say
    before the story is written): at least one a scene."""
    if limit <= 0:
        return scene_count
    typical = settings()["estimate"]
    return max(scene_count, round(typical["tale_seconds"] / (typical["shot_share"] * limit)))
