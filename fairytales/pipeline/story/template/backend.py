"""The template storyteller: plan a plot from the seed, then write it out as long as the length asked."""

from __future__ import annotations

import random

from ... import russian
from ...backend import SEED, Option
from ...types import ProgressCallback, TaleRequest, no_progress
from .. import Storyteller
from .packs import shared
from .plot import FUNCTIONS, Plot, plan
from .writer import Writer, tidy

MIN_LENGTH = 1500
MAX_LENGTH = 50_000  # the padding repeats filler sentences: far beyond this it only takes time
MAX_EPISODES = 3  # 11 functions + 3 episodes = 14 paragraphs at most


class TemplateStoryteller(Storyteller):
    name = "template"
    label = "Сказочник (шаблоны, без модели)"
    declared_options = (
        SEED,  # None: the request's seed
        # 0 stands for the default and anything under MIN_LENGTH for MIN_LENGTH, as write() reads it
        Option("length", 2400, "Длина текста, символов", max=MAX_LENGTH),
    )

    def write(self, request: TaleRequest, options: dict, progress: ProgressCallback = no_progress) -> str:
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

        messages = shared().progress
        progress(0.0, messages["plan"])
        plot = plan(request.title, request.genre, seed)
        story = None
        for episodes in range(MAX_EPISODES + 1):
            story = compose(plot, episodes, progress if episodes == 0 else no_progress)
            if len(story) >= target:
                break
        if len(story) < target:
            progress(0.95, messages["details"])
            story = compose(plot, MAX_EPISODES, no_progress, target=target)
        progress(1.0, messages["done"])
        return story


def compose(plot: Plot, episodes: int, progress: ProgressCallback = no_progress, target: int = 0) -> str:
    """The story for ``plot`` with ``episodes`` extra adventures on the way; filler sentences are added to
    the journey's paragraphs until the text is ``target`` characters long."""
    common = shared()
    writer = Writer(plot, random.Random(f"{plot.title}\x1f{plot.genre}\x1f{plot.seed}\x1ftext"))
    order: list[tuple[str, str]] = []
    for function in FUNCTIONS:
        order.append((function, plot.templates[function]))
        if function == "gift":
            order.extend(("episode", template) for template in plot.episodes[:episodes])
    paragraphs: list[str] = []
    for number, (function, template) in enumerate(order):
        paragraphs.append(writer.render(template))
        progress(0.05 + 0.9 * (number + 1) / len(order), common.progress[function])
    # the hero is named in every case at least once: what the plot left out, the ending says
    for case in russian.CASES:
        if case not in writer.cases["H"]:
            paragraphs[-1] += " " + writer.render(writer.rng.choice(common.hero_in_every_case[case]))
    paragraphs[-1] += " " + writer.render(plot.coda)
    # the journey's paragraphs take the filler sentences; before the gift, only those without the helper
    journey = [i for i, (function, _) in enumerate(order) if function in ("road", "episode", "arrival")]
    early = [filler for filler in plot.fillers if "{A" not in filler and "{O" not in filler]
    if not early:
        journey = [i for i in journey if order[i][0] != "road"]
    text = "\n\n".join(paragraphs)
    used = {filler for filler in plot.fillers if filler in text}  # the moods the plot already told

    def next_filler(pool: list[str]) -> str:
        fresh = [filler for filler in pool if filler not in used]
        if not fresh:  # all told: start the round again
            used.difference_update(pool)
            fresh = list(pool)
        used.add(fresh[0])
        return fresh[0]

    length = len("\n\n".join(tidy(p) for p in paragraphs))
    turn = 0
    while target and length < target:
        while length < target:  # counting as we go, then once more exactly
            index = journey[turn % len(journey)]
            filler = writer.render(next_filler(early if order[index][0] == "road" else plot.fillers))
            joint = "\n" if paragraphs[index].startswith("—") else " "
            paragraphs[index] = filler + joint + paragraphs[index]
            length += len(tidy(filler)) + 1
            turn += 1
        length = len("\n\n".join(tidy(p) for p in paragraphs))
    return "\n\n".join(tidy(p) for p in paragraphs)
