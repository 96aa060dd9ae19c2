"""How an English or Ukrainian text is read aloud; ``reading.spoken`` sends them here (Russian stays there).

Numbers are said in words by num2words: «25 apples» → «twenty-five apples», «25 яблук» → «двадцять п'ять
яблук»; a Ukrainian number agrees in gender with the noun it counts («1 лисиця» → «одна лисиця»), and the
unit after it in number («5 км» → «п'ять кілометрів»); ordinals («3rd», «3-й»), decimals, percentages,
years after «in»/«у» and Roman numerals after a name («Henry VIII» → «Henry the Eighth») are read as such;
common abbreviations are said in full. The words and units are data: ``data/reading.toml``.

As in Russian, ``spoken_words`` maps each written word to what is said for it, one to one.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from num2words import num2words

from .reading import Token, roman_value

_LEAD = re.compile(r"^[«\"“„‘(\[—–-]+")
_TRAIL = re.compile(r"[»\"”’)\],;:!?…]+$")
_WHOLE = re.compile(r"^([$£])?(\d+)(%|°)?$")
_DECIMAL = re.compile(r"^(\d+)[.,](\d+)$")
_ORDINAL = {"en": re.compile(r"^(\d+)(st|nd|rd|th)$", re.I),
            "uk": re.compile(r"^(\d+)-(?:й|ий|ій|я|а|є|е|го|ого|му|ому|м|ім|х|их|ої|у|ю)$", re.I)}
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")  # English «1,000»: a thousand, not one point nought
_NUMBER = re.compile(r"\d+")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")  # «e.g.», «J.»: each letter with its dot
_ROMAN = {"en": re.compile(r"^[IVXLCDM]{2,}$|^[VX]$"), "uk": re.compile(r"^[IVXLCDM]+$")}  # English «I» is «I»


@dataclass(frozen=True)
class Rules:
    abbreviations: dict[str, str]
    units: dict[str, object]
    year_words: frozenset[str]

    def abbreviation(self, core: str) -> bool:
        """Whether the dot ending ``core`` is an abbreviation's: a known one, or letters each with a dot."""
        lower = core.lower()
        return lower in self.abbreviations or lower in self.units or bool(_INITIALS.fullmatch(core))


@functools.cache
def rules(language: str) -> Rules:
    with open(Path(__file__).with_name("data") / "reading.toml", "rb") as f:
        table = tomllib.load(f)[language]
    return Rules(table["abbreviations"], table["units"], frozenset(table["year_words"]))


def _morph():
    """The process's one Ukrainian analyser (it shares pymorphy3's tag class with the Russian one safely)."""
    from ..ukrainian import morph  # noqa: PLC0415 - its dictionary only when needed

    return morph()


# --- numbers -----------------------------------------------------------------------------------------------

_UK_GENDERS = {"masc": "masculine", "femn": "feminine", "neut": "neuter"}


def _noun(word: str):
    """pymorphy3's parse of a Ukrainian noun (the form as written), or None."""
    if not re.fullmatch(r"[А-Яа-яІіЇїЄєҐґ'’-]+", word or ""):
        return None
    return next((p for p in _morph().parse(word.lower()) if p.tag.POS == "NOUN"), None)


def _dictionary_form(noun: str):
    """pymorphy3's parse of a Ukrainian noun given in its dictionary form («рік», not the genitive of «ріка»)."""
    parses = _morph().parse(noun)
    return next((p for p in parses if p.tag.POS == "NOUN" and p.normal_form == noun), parses[0])


def _form(noun: str, case: str, plural: bool = False) -> str:
    """A Ukrainian noun in ``case``; of several locatives the one in -і («році», not «рокові»)."""
    forms = [f.word for f in _dictionary_form(noun).lexeme
             if case in f.tag and ("plur" in f.tag) == plural]
    if case == "loct":
        forms = [f for f in forms if f.endswith("і")] or forms
    return forms[-1] if forms else noun


def _thousand(said: str) -> str:
    """«тисяча вісімсот», as it is said, not «одна тисяча вісімсот»."""
    return said[len("одна "):] if said.startswith("одна тисяча") else said


def cardinal(n: int, language: str, gender: str = "masc") -> str:
    if language == "en":
        return num2words(n, lang="en")
    said = _thousand(num2words(n, lang="uk", gender=_UK_GENDERS.get(gender, "masculine")))
    if gender == "neut" and said.endswith("один") and n % 100 != 11:
        said = said[: -len("один")] + "одне"
    return said


def ordinal(n: int, language: str, grammemes: frozenset[str] = frozenset()) -> str:
    if language == "en":
        return num2words(n, lang="en", to="ordinal")
    words = _thousand(num2words(n, lang="uk", to="ordinal")).split()
    if grammemes:
        form = _morph().parse(words[-1])[0].inflect(set(grammemes))
        words[-1] = form.word if form else words[-1]
    return " ".join(words)


def _counted(noun: str, n: int) -> str:
    """A Ukrainian noun in the form a number asks: 1 яблуко, 2 яблука, 5 яблук."""
    last, tens = n % 10, n % 100
    if last == 1 and tens != 11:
        return noun
    if 2 <= last <= 4 and not 12 <= tens <= 14:
        return _form(noun, "nomn", plural=True)
    return _form(noun, "gent", plural=True)


def _unit(n: int, unit: object, language: str) -> tuple[str, str]:
    """(the number, the unit) said together: «5 km» → («five», «kilometres»)."""
    if language == "en":
        one, many = unit
        return cardinal(n, "en"), one if n == 1 else many
    gender = _dictionary_form(str(unit)).tag.gender
    return cardinal(n, "uk", gender or "masc"), _counted(str(unit), n)


def _ordinal_ending(core: str) -> frozenset[str]:
    """The gender a Ukrainian ordinal's written ending asks: «3-я» feminine, «3-є» neuter."""
    ending = core.rsplit("-", 1)[-1].lower()
    if ending in ("я", "а"):
        return frozenset({"femn", "nomn"})
    if ending in ("є", "е"):
        return frozenset({"neut", "nomn"})
    if ending in ("го", "ого"):
        return frozenset({"masc", "gent"})
    if ending in ("му", "ому", "м", "ім"):
        return frozenset({"masc", "loct"})
    return frozenset()


# --- words -------------------------------------------------------------------------------------------------


def _ends_sentence(words: list[str], i: int) -> bool:
    """Whether the text's ``i``-th word is its last or the next begins with a capital."""
    return i + 1 >= len(words) or words[i + 1][:1].isupper()


def spoken_words(words: list[str], language: str) -> list[str]:
    """What is said for each written word of an English or Ukrainian text; as many entries as words."""
    known = rules(language)
    out = list(words)
    tokens = [Token.of(w, known.abbreviation, _LEAD, _TRAIL) for w in words]
    i = 0
    while i < len(words):
        token = tokens[i]
        core, low = token.core, token.core.lower()
        following = tokens[i + 1] if i + 1 < len(words) else None
        next_low = following.core.lower() if following else ""
        before = tokens[i - 1].core.lower() if i else ""
        ends_sentence = i + 1 >= len(words) or words[i + 1][:1].isupper()
        if language == "en" and _GROUPED.match(core):
            core = core.replace(",", "")
        whole, decimal = _WHOLE.match(core), _DECIMAL.match(core)
        roman = roman_value(core, _ROMAN[language])
        said = None
        if len(core) == 2 and core.endswith(".") and f"{low}{next_low}" in known.abbreviations:  # «т. д.»
            first, _, second = known.abbreviations[f"{low}{next_low}"].partition(" ")
            dot = "." if following.core.endswith(".") and _ends_sentence(words, i + 1) else ""
            out[i] = f"{token.lead}{first}{token.trail}"
            out[i + 1] = f"{following.lead}{second}{dot}{following.trail}"
            i += 2
            continue
        if low in known.abbreviations:
            expansion = known.abbreviations[low]
            title = expansion[:1].isupper()  # «Mr.», «Dr.»: a name follows, the dot ends no sentence
            dot = "." if core.endswith(".") and (i + 1 >= len(words) or ends_sentence and not title) else ""
            said = expansion + dot
        elif whole and (whole.group(1) or whole.group(3)):  # «50%», «$5»
            number, unit = _unit(int(whole.group(2)), known.units[whole.group(1) or whole.group(3)], language)
            said = f"{number} {unit}"
        elif whole and next_low in known.units and not token.trail:  # «5 km»: the unit said for the next word
            n = int(whole.group(2))
            if language == "uk" and next_low in ("р.", "ст."):  # «у 1812 р.» → «у тисяча … дванадцятому році»
                case = "loct" if before in ("у", "в") else "nomn"
                noun = known.units[next_low]
                gender = "masc" if next_low == "р." else "neut"
                number = ordinal(n, "uk", frozenset({gender, case}))
                unit = _form(noun, case)
            else:
                number, unit = _unit(n, known.units[next_low], language)
            dot = "." if following.core.endswith(".") and _ends_sentence(words, i + 1) else ""
            out[i] = f"{token.lead}{number}{token.trail}"
            out[i + 1] = f"{following.lead}{unit}{dot}{following.trail}"
            i += 2
            continue
        elif whole:
            n = int(whole.group(2))
            if language == "en" and before in known.year_words and 1000 <= n <= 2099:
                said = num2words(n, lang="en", to="year")
            elif language == "uk":
                noun = _noun(following.core if following else "")
                said = cardinal(n, "uk", (noun.tag.gender if noun is not None else None) or "masc")
            else:
                said = cardinal(n, "en")
        elif decimal:
            said = num2words(float(f"{decimal.group(1)}.{decimal.group(2)}"), lang=language)
        elif _ORDINAL[language].match(core):
            n = int(_ORDINAL[language].match(core).group(1))
            said = ordinal(n, language, _ordinal_ending(core) if language == "uk" else frozenset())
        elif roman is not None and i and tokens[i - 1].core[:1].isupper() \
                and not tokens[i - 1].trail:
            if language == "en":  # «Henry VIII» → «Henry the Eighth»
                said = f"the {ordinal(roman, 'en').capitalize()}"
            else:  # «Петро I» → «Петро Перший»
                said = ordinal(roman, "uk").capitalize()
        elif roman is not None and language == "uk" and next_low == "ст.":  # «XIX ст.»
            dot = "." if i + 2 >= len(words) or words[i + 2][:1].isupper() else ""
            case = "loct" if before in ("у", "в") else "nomn"
            number = ordinal(roman, "uk", frozenset({"neut", case}))
            out[i] = f"{token.lead}{number}{token.trail}"
            out[i + 1] = f"{following.lead}{_form('століття', case)}{dot}{following.trail}"
            i += 2
            continue
        elif _NUMBER.search(core):  # «25-year-old», «5-річний»: each number in words, the rest as written
            said = _NUMBER.sub(lambda m: cardinal(int(m.group(0)), language), core)
        if said is not None:
            out[i] = f"{token.lead}{said}{token.trail}"
        i += 1
    return out
