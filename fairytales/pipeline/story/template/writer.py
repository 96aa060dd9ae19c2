"""The markup writer: templates to text, for one plot.

Templates (in ``data/*.toml``) are plain strings with two kinds of markup:

* ``{H}``, ``{H.gent}`` … a role in a case (H hero, A helper, D donor, V villain, F family, O magical
  object, T treasure, C clue, L beloved). The first mention uses the full name, later ones the short one
  («мальчик Ваня» → «Ваня»); ``{H.full.datv}`` forces the full one. ``{H.he}``, ``{H.he.gent}`` are
  pronouns, ``{H.nhe.datv}`` their forms after a preposition («к нему»), ``{H.his}`` is его/её.
  ``{H|пошёл}`` makes a word agree with the role's gender («пошла»), ``{O|волшебный.accs}`` in a case too;
  ``пошёл{H|.}`` is the same as ``{H|пошёл}``.
  Places: ``{FAR}`` (nominative), ``{FAR.to}``, ``{FAR.at}``, ``{FAR.source}``. Lower-case names
  (``{quest}``, ``{mood}``, ``{power}``, ``{title}``…) are values, templates themselves.
* ``[один|другой|третий]`` picks one of the variants.

Paragraphs are separated by a blank line; inside one, each line a character says starts a new line with a
dash, Russian style: «— Куда путь держишь? — спросил волк.», or in English with its quotation marks:
«“Where are you going?” asked the wolf.» The grammar (inflection, agreement, pronouns) is the plot's
language's module; in English every case is the one form and ``{H|himself}`` gives «herself».
"""

from __future__ import annotations

import random
import re

from .packs import grammar
from .plot import Plot

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SUFFIX_AGREEMENT = re.compile(r"([А-Яа-яЁё]+)\{([A-Z]+)\|\.\}")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)((?:\.[a-z_]+)*)(?:\|([^{}]*))?\}")
_MARKUP = re.compile(r"[{}\[\]|]")
PLACE_FORMS = ("name", "to", "at", "source")


class TemplateError(ValueError):
    """A template names a role, place or form that does not exist, or leaves markup open: a data bug."""


class Writer:
    """Fills templates for one plot, remembering who has already been introduced by full name."""

    def __init__(self, plot: Plot, rng: random.Random):
        self.plot = plot
        self.rng = rng
        self.mentioned: set[str] = set()
        self.cases: dict[str, set[str]] = {key: set() for key in plot.roles}  # cases each role was named in
        self.turns: dict[str, int] = {}
        self.grammar = grammar(plot.language)
        self.shorts = {
            key: (phrase if phrase.short in ("", phrase.text) else
                  self.grammar.noun_phrase(phrase.short, gender=phrase.gender, anim=phrase.anim))
            for key, phrase in plot.roles.items()
        }

    def render(self, template: str, depth: int = 0) -> str:
        text = self._choose(template)
        text = _agreement_in_braces(text)
        return _PLACEHOLDER.sub(lambda m: self._fill(m, depth), text)

    def check(self, template: str) -> None:
        """Raise a TemplateError unless all of ``template`` resolves for this plot: every variant of every
        choice, every role, place and value in each form and case it asks for, every brace and bracket
        closed. A word meant to agree with a role must change from masculine to feminine (pymorphy3 leaves a
        word it does not know as written)."""
        text = _CHOICE.sub(lambda m: " ".join(_split_outside_braces(m.group(1))), template)
        text = _agreement_in_braces(text)
        for match in _PLACEHOLDER.finditer(text):
            key, word = match.group(1), match.group(3)
            if key in self.plot.roles and word is not None:
                base, _, case = word.partition(".")
                case = case or "nomn"
                masculine, feminine = (self.grammar.agree(base, gender, case) for gender in ("masc", "femn"))
                if case in self.grammar.CASES and masculine == feminine:
                    raise TemplateError(f"{match.group(0)} does not change with the gender of {key}")
        rest = _PLACEHOLDER.sub(lambda m: self._fill(m, 0), text)
        if _MARKUP.search(rest):
            raise TemplateError(f"unbalanced markup in {template!r}: {rest!r}")

    def _choose(self, template: str) -> str:
        def one(match: re.Match) -> str:
            return self.rng.choice(_split_outside_braces(match.group(1)))

        return _CHOICE.sub(one, template)

    def _fill(self, match: re.Match, depth: int) -> str:
        key, subs, word = match.group(1), [s for s in match.group(2).split(".") if s], match.group(3)
        if key in self.plot.roles:
            return self._role(key, subs, word)
        if key in self.plot.places:
            place = self.plot.places[key]
            attribute = subs[0] if subs else "name"
            if attribute not in PLACE_FORMS or len(subs) > 1 or word is not None:
                raise TemplateError(f"unknown place form {match.group(0)}")
            return getattr(place, attribute)
        if key in self.plot.values:
            if subs or word is not None:
                raise TemplateError(f"a value has no forms: {match.group(0)}")
            value = self.plot.values[key]
            if isinstance(value, list):
                turn = self.turns.get(key, 0)
                self.turns[key] = turn + 1
                value = value[turn % len(value)] if value else ""
            if depth > 3:
                raise TemplateError(f"values nest too deep at {match.group(0)}")
            return self.render(str(value), depth + 1)
        raise TemplateError(f"unknown name in {match.group(0)}")

    def _role(self, key: str, subs: list[str], word: str | None) -> str:
        phrase = self.plot.roles[key]
        if word is not None:  # {H|пошёл}, {O|волшебный.accs}
            base, _, case = word.partition(".")
            if case and case not in self.grammar.CASES:
                raise TemplateError(f"unknown case in {{{key}|{word}}}")
            return self.grammar.agree(base, phrase.gender, case or "nomn", phrase.anim)
        case = "nomn"
        full = pronoun = False
        after_preposition = False
        possessive = False
        for sub in subs:
            if sub in self.grammar.CASES:
                case = sub
            elif sub == "full":
                full = True
            elif sub == "he":
                pronoun = True
            elif sub == "nhe":
                pronoun = after_preposition = True
            elif sub == "his":
                possessive = True
            else:
                raise TemplateError(f"unknown form .{sub} of {key}")
        if possessive:
            return self.grammar.possessive(phrase.gender)
        if pronoun:
            return self.grammar.pronoun(phrase.gender, case, after_preposition)
        self.cases[key].add(case)
        if full or key not in self.mentioned:
            self.mentioned.add(key)
            return phrase.form(case)
        return self.shorts[key].form(case)


def _agreement_in_braces(text: str) -> str:
    """«пошёл{H|.}» → «{H|пошёл}»."""
    return _SUFFIX_AGREEMENT.sub(lambda m: f"{{{m.group(2)}|{m.group(1)}}}", text)


def _split_outside_braces(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


_SENTENCE_START = re.compile(
    r"([.!?…]\s+[«\"“]?|^\s*(?:— |«|“)?|\.\s+— |:\s+[«“]|\n(?:— |“)?)([a-zа-яёіїєґ])")
_AN = re.compile(r"\b([Aa]) (?=[aeiouAEIOU])(?!one\b|use|uni|eu)")


def tidy(text: str, language: str = "ru") -> str:
    """Spaces, punctuation and capitals at sentence starts, after templates were filled (and in English,
    «a» before a vowel is «an»)."""
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip()
        line = re.sub(r" +([,.!?;:…»”])", r"\1", line)
        line = re.sub(r"([«“]) +", r"\1", line)
        line = re.sub(r",{2,}", ",", line)
        line = line.replace("...", "…")
        line = re.sub(r"\.{2,}", ".", line)
        line = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), line)
        if language == "en":
            line = _AN.sub(lambda m: m.group(1) + "n ", line)
        elif language == "uk":
            line = grammar("uk").euphony(line)  # у/в, і/й by the sounds around them
        lines.append(line)
    text = "\n".join(line for line in lines if line)
    if text and text[-1] not in ".!?…»”":
        text += "."
    return text
