"""The template storyteller: plan a plot from the seed, then write it out as long as the length asked.

How long a tale is (its extra episodes, the closing remarks, the filler sentences and where they go) is
decided once, on the Russian telling, and kept in a ``Layout``: every language tells the same paragraphs,
so a tale's subtitles in another language line up with its own text paragraph for paragraph.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ... import russian
from ...backend import SEED, Option
from ...types import ProgressCallback, TaleRequest, no_progress
from .. import Storyteller
from .packs import REFERENCE, shared
from .plot import FUNCTIONS, Outline, Plot, sketch, tell
from .writer import Writer, tidy

MIN_LENGTH = 1500
MAX_LENGTH = 50_000  # the padding repeats filler sentences: far beyond this it only takes time
MAX_EPISODES = 3  # 11 functions + 3 episodes = 14 paragraphs at most
SPEECH = {"ru": "—", "uk": "—", "en": "“"}  # how a line a character says starts


class TemplateStoryteller(Storyteller):
    name = "template"
    label = "Сказочник (шаблоны, без модели)"
    languages = ("ru", "en", "uk")
    declared_options = (
        SEED,  # None: the request's seed
        # 0 stands for the default and anything under MIN_LENGTH for MIN_LENGTH, as write() reads it
        Option("length", 2400, "Длина текста, символов", max=MAX_LENGTH),
    )

    def write(self, request: TaleRequest, options: dict, progress: ProgressCallback = no_progress) -> str:
        return self._tell(request, options, self.check_language(request.language), progress)

    def parallel(self, request: TaleRequest, options: dict, language: str) -> str:
        """The tale ``write()`` tells for ``request``, in ``language``: the same plot, the same paragraphs."""
        return self._tell(request, options, self.check_language(language), no_progress)

    def _tell(self, request: TaleRequest, options: dict, language: str, progress: ProgressCallback) -> str:
        options = dict(options or {})
        seed = options.get("seed")
        if seed is None:
            seed = request.seed
        length = options.get("length") or self.defaults["length"]
        try:
            length = int(length)
        except (TypeError, ValueError):
            length = self.defaults["length"]
        target = max(length, MIN_LENGTH)

        messages = shared(language).progress
        progress(0.0, messages["plan"])
        outline = sketch(request.title, request.genre, seed)
        own = language == REFERENCE
        story, layout = measure(outline, target, progress if own else no_progress)
        if not own:
            story = render(tell(outline, language), layout, progress)
        progress(1.0, messages["done"])
        return story


@dataclass(frozen=True)
class Layout:
    """What makes a plot's text as long as it is, in the plot's own terms."""

    episodes: int  # the adventures on the way
    closing: tuple[str, ...]  # the cases of the closing remarks that name the hero where the story did not
    fillers: tuple[tuple[int, int], ...]  # (paragraph, filler): the filler sentences, in the order added


def measure(outline: Outline, target: int, progress: ProgressCallback = no_progress) -> tuple[str, Layout]:
    """The Russian telling of ``outline`` at least ``target`` characters long, and its layout: as few
    episodes as reach the length, else all of them and filler sentences."""
    plot = tell(outline, REFERENCE)
    story = layout = None
    for episodes in range(MAX_EPISODES + 1):
        story, layout = lay_out(plot, episodes, progress if episodes == 0 else no_progress)
        if len(story) >= target:
            return story, layout
    progress(0.95, shared().progress["details"])
    return lay_out(plot, MAX_EPISODES, no_progress, target=target)


def compose(plot: Plot, episodes: int, progress: ProgressCallback = no_progress, target: int = 0) -> str:
    """The story for ``plot`` with ``episodes`` extra adventures on the way; filler sentences are added to
    the journey's paragraphs until the text is ``target`` characters long (counted in Russian, the same
    sentences in every language)."""
    if plot.language == REFERENCE:
        return lay_out(plot, episodes, progress, target)[0]
    _, layout = lay_out(tell(plot.outline, REFERENCE), episodes, no_progress, target)
    return render(plot, layout, progress)


def _writer(plot: Plot) -> Writer:
    return Writer(plot, random.Random(f"{plot.title}\x1f{plot.genre}\x1f{plot.seed}\x1ftext"))


def _order(plot: Plot, episodes: int) -> list[tuple[str, str]]:
    order: list[tuple[str, str]] = []
    for function in FUNCTIONS:
        order.append((function, plot.templates[function]))
        if function == "gift":
            order.extend(("episode", template) for template in plot.episodes[:episodes])
    return order


def _paragraphs(plot: Plot, writer: Writer, order: list, progress: ProgressCallback) -> list[str]:
    common = shared(plot.language)
    paragraphs: list[str] = []
    for number, (function, template) in enumerate(order):
        paragraphs.append(writer.render(template))
        progress(0.05 + 0.9 * (number + 1) / len(order), common.progress[function])
    return paragraphs


def _close(plot: Plot, writer: Writer, paragraphs: list[str], closing: tuple[str, ...]) -> None:
    common = shared(plot.language)
    for case in closing:
        paragraphs[-1] += " " + writer.render(writer.rng.choice(common.hero_in_every_case[case]))
    paragraphs[-1] += " " + writer.render(plot.coda)


def _add_filler(plot: Plot, writer: Writer, paragraphs: list[str], index: int, filler: int) -> str:
    text = writer.render(plot.fillers[filler])
    joint = "\n" if paragraphs[index].startswith(SPEECH.get(plot.language, "—")) else " "
    paragraphs[index] = text + joint + paragraphs[index]
    return text


def render(plot: Plot, layout: Layout, progress: ProgressCallback = no_progress) -> str:
    """The text of ``plot`` laid out as ``layout`` says, in the plot's language."""
    writer = _writer(plot)
    paragraphs = _paragraphs(plot, writer, _order(plot, layout.episodes), progress)
    _close(plot, writer, paragraphs, layout.closing)
    for index, filler in layout.fillers:
        _add_filler(plot, writer, paragraphs, index, filler)
    return "\n\n".join(tidy(p, plot.language) for p in paragraphs)


def lay_out(plot: Plot, episodes: int, progress: ProgressCallback = no_progress,
            target: int = 0) -> tuple[str, Layout]:
    """The Russian text of ``plot`` with ``episodes`` adventures, padded to ``target`` characters, and the
    layout that tells the same in any language."""
    writer = _writer(plot)
    order = _order(plot, episodes)
    paragraphs = _paragraphs(plot, writer, order, progress)
    # the hero is named in every case at least once: what the plot left out, the ending says
    closing = tuple(case for case in russian.CASES if case not in writer.cases["H"])
    _close(plot, writer, paragraphs, closing)
    # the journey's paragraphs take the filler sentences; before the gift, only those without the helper
    journey = [i for i, (function, _) in enumerate(order) if function in ("road", "episode", "arrival")]
    early = [i for i, filler in enumerate(plot.fillers) if "{A" not in filler and "{O" not in filler]
    every = list(range(len(plot.fillers)))
    if not early:
        journey = [i for i in journey if order[i][0] != "road"]
    text = "\n\n".join(paragraphs)
    used = {filler for filler in plot.fillers if filler in text}  # the moods the plot already told

    def next_filler(pool: list[int]) -> int:
        fresh = [i for i in pool if plot.fillers[i] not in used]
        if not fresh:  # all told: start the round again
            used.difference_update(plot.fillers[i] for i in pool)
            fresh = list(pool)
        used.add(plot.fillers[fresh[0]])
        return fresh[0]

    added: list[tuple[int, int]] = []
    length = len("\n\n".join(tidy(p) for p in paragraphs))
    turn = 0
    while target and length < target:
        while length < target:  # counting as we go, then once more exactly
            index = journey[turn % len(journey)]
            filler = next_filler(early if order[index][0] == "road" else every)
            added.append((index, filler))
            length += len(tidy(_add_filler(plot, writer, paragraphs, index, filler))) + 1
            turn += 1
        length = len("\n\n".join(tidy(p) for p in paragraphs))
    return "\n\n".join(tidy(p) for p in paragraphs), Layout(episodes, closing, tuple(added))
