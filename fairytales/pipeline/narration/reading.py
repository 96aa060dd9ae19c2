"""How a written Russian text is read aloud: what a narrator is given in place of the letters (English and
Ukrainian: ``reading_en_uk``, through ``spoken(text, language)``).

- numbers in words, agreeing with what they count: «1 минута» → «одна минута», «в 3 домах» →
  «в трёх домах», «3-й» → «третий», «1,5» → «одна целая пять десятых», «50%» → «пятьдесят процентов»;
- units and abbreviations: «5 км» → «пять километров», «в 1812 г.» → «в тысяча восемьсот двенадцатом
  году», «т. е.» → «то есть», «и т. д.» → «и так далее»;
- Roman numerals as ordinals: «Пётр I» → «Пётр Первый», «в XIX веке» → «в девятнадцатом веке»;
- ё where the dictionary allows only one reading: «еще» → «ещё», «елка» → «ёлка» (but «все» stays:
  it may be «всё»).

``spoken_words`` maps each written word (whitespace-separated, punctuation attached) to what is
said for it, one to one (an entry may be several words, or none), so that a narrator can keep the
text as written for its subtitles.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

# --- numbers in words --------------------------------------------------------------------------------------

_UNITS = tuple("ноль один два три четыре пять шесть семь восемь девять".split())
_TEENS = tuple(
    "десять одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать "
    "восемнадцать девятнадцать".split()
)
_TENS = ("", "", *"двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто".split())
_HUNDREDS = ("", *"сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот".split())
_FEMININE = {"один": "одна", "два": "две"}
_NEUTER = {"один": "одно"}
# (one, two to four, five and more), and the gender of the counted word
_SCALES = (
    (10**9, ("миллиард", "миллиарда", "миллиардов"), "masc"),
    (10**6, ("миллион", "миллиона", "миллионов"), "masc"),
    (10**3, ("тысяча", "тысячи", "тысяч"), "femn"),
)
_ORD_UNITS = tuple("нулевой первый второй третий четвёртый пятый шестой седьмой восьмой девятый".split())
_ORD_TEENS = tuple(
    "десятый одиннадцатый двенадцатый тринадцатый четырнадцатый пятнадцатый шестнадцатый семнадцатый "
    "восемнадцатый девятнадцатый".split()
)
_ORD_TENS = (
    "",
    "",
    *"двадцатый тридцатый сороковой пятидесятый шестидесятый семидесятый восьмидесятый девяностый".split(),
)
_ORD_HUNDREDS = (
    "",
    *"сотый двухсотый трёхсотый четырёхсотый пятисотый шестисотый семисотый восьмисотый девятисотый".split(),
)


def _plural(n: int, forms: tuple[str, str, str]) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def _below_thousand(n: int, gender: str = "masc") -> list[str]:
    words = []
    if n >= 100:
        words.append(_HUNDREDS[n // 100])
        n %= 100
    if 10 <= n < 20:
        words.append(_TEENS[n - 10])
    else:
        if n >= 20:
            words.append(_TENS[n // 10])
            n %= 10
        if n:
            unit = _UNITS[n]
            if gender == "femn":
                unit = _FEMININE.get(unit, unit)
            elif gender == "neut":
                unit = _NEUTER.get(unit, unit)
            words.append(unit)
    return words


def number_words(n: int, gender: str = "masc") -> str:
    """A whole number in Russian words, nominative: 2021 → «две тысячи двадцать один».

    ``gender`` ("masc", "femn", "neut") agrees «один/одна/одно», «два/две» with the counted word.
    Numbers of a trillion and more are read digit by digit.
    """
    if n < 0:
        return "минус " + number_words(-n, gender)
    if n == 0:
        return _UNITS[0]
    if n >= 10**12:
        return " ".join(_UNITS[int(d)] for d in str(n))
    words: list[str] = []
    for scale, forms, scale_gender in _SCALES:
        if n >= scale:
            count, n = divmod(n, scale)
            # «тысяча восемьсот», not «одна тысяча восемьсот»
            words += ([] if count == 1 else _below_thousand(count, scale_gender)) + [_plural(count, forms)]
    words += _below_thousand(n, gender)
    return " ".join(words)


def ordinal_words(n: int, ending: str = "") -> str:
    """An ordinal number in words, in the form its written ending asks: (3, "го") → «третьего»."""
    if n < 0 or n >= 10**6 or (n % 1000 == 0 and n not in (0, 1000)):
        return number_words(n)  # «2000-й» and the like: read as a cardinal, simply
    low = n % 100
    if n == 0:
        head, tail = 0, _ORD_UNITS[0]
    elif n == 1000:
        head, tail = 0, "тысячный"
    elif low == 0:
        head, tail = n - n % 1000, _ORD_HUNDREDS[(n % 1000) // 100]
    elif low < 10:
        head, tail = n - low, _ORD_UNITS[low]
    elif low < 20:
        head, tail = n - low, _ORD_TEENS[low - 10]
    elif low % 10 == 0:
        head, tail = n - low, _ORD_TENS[low // 10]
    else:
        head, tail = n - low % 10, _ORD_UNITS[low % 10]
    if ending:
        tail = _inflect_ordinal(tail, ending)
    return f"{number_words(head)} {tail}" if head else tail


# The case an ordinal's written ending most likely means: «в 1812-м году» is locative, not instrumental.
_CASE_ORDER = ("nomn", "accs", "gent", "loct", "datv", "ablt")


@functools.lru_cache(maxsize=1024)
def _inflect_ordinal(word: str, ending: str) -> str:
    from ..russian import morph  # noqa: PLC0415

    ending = ending.lower().replace("ё", "е")
    forms = sorted(
        morph().parse(word)[0].lexeme,
        key=lambda f: _CASE_ORDER.index(f.tag.case) if f.tag.case in _CASE_ORDER else len(_CASE_ORDER),
    )
    for form in forms:
        if form.word.replace("ё", "е").endswith(ending):
            return form.word
    return word


def _gender_of_next(text: str, end: int) -> str:
    """The gender of the noun a number counts: the first noun among the next two words."""
    from ..russian import morph  # noqa: PLC0415

    for word in re.findall(r"[А-Яа-яЁё]+", text[end : end + 40])[:2]:
        parse = morph().parse(word)[0]
        if "NOUN" in parse.tag:
            return parse.tag.gender or "masc"
    return "masc"


_DECIMAL = re.compile(r"(?<![\d.,])(\d+)[.,](\d{1,3})(?![\d.,]?\d)")
_ORDINAL = re.compile(r"(?<![\d.,])(\d+)-(й|я|е|ё|го|му|м|ми|х|ю|ей|ой|ым|ом|ое|ая|ые|ых)(?![А-Яа-яЁё])")
_INTEGER = re.compile(r"\d+")
_FRACTIONS = ("десятая", "сотая", "тысячная"), ("десятых", "сотых", "тысячных")


def spell_numbers(text: str, following: str = "") -> str:
    """Every number in ``text`` in Russian words: «В 3-й раз 2 кошки съели 1,5 пирога».

    ``following``: the text after ``text``, where the noun a number counts may be («2» + «кошки»).
    """

    def decimal(match: re.Match[str]) -> str:
        whole, fraction = int(match.group(1)), match.group(2)
        part = int(fraction)
        whole_words = (
            f"{number_words(whole, 'femn')} {'целая' if _plural(whole, ('1', '2', '5')) == '1' else 'целых'}"
        )
        kind = _FRACTIONS[0 if _plural(part, ("1", "2", "5")) == "1" else 1][len(fraction) - 1]
        return f"{whole_words} {number_words(part, 'femn')} {kind}"

    def ordinal(match: re.Match[str]) -> str:
        return ordinal_words(int(match.group(1)), match.group(2))

    def integer(match: re.Match[str]) -> str:
        return number_words(int(match.group(0)), _gender_of_next(f"{text} {following}", match.end()))

    text = _DECIMAL.sub(decimal, text)
    text = _ORDINAL.sub(ordinal, text)
    return _INTEGER.sub(integer, text)




# --- words around a number -------------------------------------------------------------------------------

_LEAD = re.compile(r"^[«\"“„(\[—–-]+")
_TRAIL = re.compile(r"[»\"”)\],;:!?…]+$")


@dataclass
class Token:
    """A written word: its leading and trailing punctuation and its core (an abbreviation keeps its dots)."""

    lead: str
    core: str
    trail: str

    @classmethod
    def of(
        cls, word: str, abbreviation: Callable[[str], bool] | None = None, lead_re: re.Pattern = _LEAD,
        trail_re: re.Pattern = _TRAIL,
    ) -> Token:
        """``word`` split; a language other than Russian gives its own ``abbreviation`` test (whether a dot
        ending a core is an abbreviation's) and the punctuation it writes before and after words."""
        lead = lead_re.match(word)
        lead = lead.group(0) if lead else ""
        rest = word[len(lead) :]
        trail = trail_re.search(rest)
        trail = trail.group(0) if trail else ""
        core = rest[: len(rest) - len(trail)]
        if core.endswith(".") and not (abbreviation or _abbreviation)(core):  # a full stop
            core, trail = core[:-1], "." + trail
        return cls(lead, core, trail)


# Said in place of abbreviations that need no number: each written form, with its dots.
ABBREVIATIONS = {
    "т.е.": "то есть", "т.д.": "так далее", "т.п.": "тому подобное", "т.к.": "так как",
    "т.н.": "так называемый", "др.": "другие", "пр.": "прочее", "напр.": "например", "см.": "смотри",
    "ок.": "около", "св.": "святой", "г-н": "господин", "г-жа": "госпожа", "им.": "имени",
}
# Units and counted words written short after a number: the noun said (its form follows the number).
UNITS = {
    "г.": "год", "гг.": "год", "в.": "век", "вв.": "век", "км": "километр", "м": "метр", "см": "сантиметр",
    "мм": "миллиметр", "кг": "килограмм", "г": "грамм", "т": "тонна", "л": "литр", "ч": "час", "ч.": "час",
    "мин": "минута", "мин.": "минута", "сек": "секунда", "сек.": "секунда", "руб.": "рубль", "р.": "рубль",
    "коп.": "копейка", "тыс.": "тысяча", "млн": "миллион", "млн.": "миллион", "млрд": "миллиард",
    "млрд.": "миллиард", "%": "процент", "°": "градус",
}
# The case a preposition puts a year, a century or a counted unit in, where it is unambiguous
# («в 1812 году», «до 5 километров», «к 3 часам»); «в» is the locative only for years and centuries.
PREPOSITION_CASES = {
    **dict.fromkeys(("от", "до", "около", "после", "из", "без", "для", "у", "кроме", "против", "вокруг",
                     "из-за", "с"), "gent"),
    **dict.fromkeys(("к", "ко"), "datv"),
    **dict.fromkeys(("над", "под", "перед", "между"), "ablt"),
    **dict.fromkeys(("при", "о", "об"), "loct"),
}
_TIME_NOUNS = {"год", "век"}
_GENDERS = {"masc", "femn", "neut"}


def _abbreviation(core: str) -> bool:
    """Whether the dot ending ``core`` is an abbreviation's: a known one, or one letter («т.», «е.»)."""
    lower = core.lower()
    return lower in ABBREVIATIONS or lower in UNITS or bool(re.fullmatch(r"[а-яё]\.", lower))


def _gender(parse) -> str:
    """A noun's gender for agreement; common-gender nouns («глава», «сирота») agree as feminine."""
    gender = parse.tag.gender
    return gender if gender in _GENDERS else "femn"
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_WHOLE = re.compile(r"^(\d+)(%|°)?$")


def roman_value(text: str, numeral: re.Pattern = _ROMAN) -> int | None:
    """The value of a well-formed Roman numeral (I..MMMCMXCIX), else None; ``numeral``: what a language
    reads as one (English: not «I»)."""
    if not numeral.match(text):
        return None
    total = 0
    for i, letter in enumerate(text):
        value = _ROMAN_VALUES[letter]
        total += -value if i + 1 < len(text) and _ROMAN_VALUES[text[i + 1]] > value else value
    return total if 0 < total < 4000 and to_roman(total) == text else None


def to_roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += letters * count
    return out


def _parse(word: str):
    from ..russian import morph  # noqa: PLC0415

    return morph().parse(word.lower())


def _noun(word: str, name: bool = False):
    """pymorphy3's likeliest parse of ``word`` as a noun (with ``name``, as a first name or surname)."""
    word = word.rstrip(".")
    for parse in _parse(word)[:3] if re.fullmatch(r"[А-Яа-яЁё-]+", word) else []:
        if parse.tag.POS == "NOUN" and parse.score >= 0.2 and "Fixd" not in parse.tag and "Abbr" not in parse.tag:
            if not name or {"Name", "Surn", "Patr"} & set(parse.tag.grammemes):
                return parse
    return None


def _inflect_words(words: str, grammemes: set[str]) -> str:
    """Each word of a number in words put in ``grammemes`` (a case, a gender), where pymorphy3 can."""
    out = []
    for word in words.split():
        parses = [p for p in _parse(word) if p.tag.POS in ("NUMR", "ADJF", "NOUN")]
        form = parses[0].inflect(grammemes) if parses else None
        out.append(form.word if form else word)
    return " ".join(out)


def _ordinal(n: int, grammemes: set[str]) -> str:
    """``n`` as an ordinal whose last word is put in ``grammemes``: «тысяча восемьсот двенадцатом»."""
    words = ordinal_words(n).split()
    parse = _parse(words[-1])[0]
    form = parse.inflect(grammemes)
    return " ".join([*words[:-1], form.word if form else words[-1]])


def _unit_phrase(n: int, noun: str, case: str, plural: bool = False) -> tuple[str, str]:
    """(the number, the unit) said together: «5 км» → («пять», «километров»), in ``case``."""
    parse = _parse(noun)[0]
    if noun in _TIME_NOUNS:  # years and centuries are counted with ordinals: «в 1812 году»
        number = "plur" if plural else "sing"
        said = _ordinal(n, {case, number} | ({"masc"} if number == "sing" else set()))
        form = (noun == "год" and case == "loct" and parse.inflect({"loc2", number})) or parse.inflect({case, number})
        return said, form.word if form else noun  # «в году», not «в годе»
    gender = _gender(parse)
    said = number_words(n, gender)
    if case != "nomn":
        said = _inflect_words(said, {case})
        form = parse.inflect({case, "sing" if n % 10 == 1 and n % 100 != 11 else "plur"})
    else:
        form = parse.make_agree_with_number(n)
    return said, form.word if form else noun


def _count(n: int, next_word: str) -> str:
    """``n`` in words agreeing with the noun it counts, if one follows: «1 минута» → «одна»,
    «в 3 домах» → «трёх». Only what is unambiguous: the case of a plural noun after a number says
    nothing in the nominative and genitive («пять котов» is nominative)."""
    noun = _noun(next_word) if next_word else None
    if noun is None:
        return number_words(n)
    gender = _gender(noun)
    said = number_words(n, gender)
    one = n % 10 == 1 and n % 100 != 11
    case = noun.tag.case
    if (one and case not in (None, "nomn")) or (not one and noun.tag.number == "plur"
                                                and case in ("datv", "ablt", "loct")):
        said = _inflect_words(said, {case, gender} if one else {case})
    return said


def _roman(value: int, before: str, after: str) -> str | None:
    """A Roman numeral said as an ordinal agreeing with its neighbour: the name before it («Петра I»
    → «Петра Первого», capitalised), else the noun after it («XIX век»), else the noun before it
    («глава IV» → «глава четвёртая»). None where it has no Russian neighbour."""
    previous = Token.of(before).core if before else ""
    name = _noun(previous, name=True) if previous[:1].isupper() else None
    if name is not None:
        return _ordinal(value, {name.tag.case or "nomn", "sing", _gender(name)}).capitalize()
    noun = _noun(Token.of(after).core) if after else None
    if noun is not None:
        if noun.tag.number == "plur":
            return _ordinal(value, {noun.tag.case or "nomn", "plur"})
        return _ordinal(value, {noun.tag.case or "nomn", "sing", _gender(noun)})
    noun = _noun(previous) if previous else None
    if noun is None:
        return None
    return _ordinal(value, {noun.tag.case or "nomn", "sing", _gender(noun)})


@functools.lru_cache(maxsize=65536)
def put_yo(word: str) -> str:
    """``word`` with ё where the dictionary knows only a reading with ё: «еще» → «ещё», «Елка» →
    «Ёлка»; «все» (все / всё) and «осел» (осел / осёл) stay as written."""
    if not re.search("[еЕ]", word) or not re.fullmatch(r"[А-Яа-яЁё]+", word):
        return word
    forms = {p.word for p in _parse(word)}
    if len(forms) != 1:
        return word
    (form,) = forms
    if "ё" not in form or len(form) != len(word) or form.replace("ё", "е") != word.lower().replace("ё", "е"):
        return word
    return "".join(
        ("Ё" if w.isupper() else "ё") if f == "ё" else w for w, f in zip(word, form)
    )


def _with_yo(text: str) -> str:
    return re.sub(r"[А-Яа-яЁё]+", lambda m: put_yo(m.group(0)), text)


def _case_after(word: str, units: bool) -> str:
    """The case a preposition ``word`` puts a year/century (``units`` False) or a unit in."""
    word = Token.of(word).core.lower() if word else ""
    if word in ("в", "во"):
        return "nomn" if units else "loct"
    return PREPOSITION_CASES.get(word, "nomn")


def _said_as_pair(token: Token, next_token: Token, first: str, second: str, ends_sentence: bool) -> tuple[str, str]:
    """Two written words said as ``first`` and ``second`` («1812 г.» → «…двенадцатом году»), their
    punctuation kept; the second's dot only where it also ends the sentence."""
    dot = "." if next_token.core.endswith(".") and ends_sentence else ""
    return f"{token.lead}{first}{token.trail}", f"{next_token.lead}{second}{dot}{next_token.trail}"


def spoken_words(words: list[str], language: str = "ru") -> list[str]:
    """What is said for each written word (see the module's docstring); as many entries as words.
    English and Ukrainian are read by ``reading_en_uk``."""
    if language != "ru":
        from .reading_en_uk import spoken_words as other  # noqa: PLC0415 - num2words only when needed

        return other(words, language)
    out = list(words)
    tokens = [Token.of(w) for w in words]
    i = 0
    while i < len(words):
        token = tokens[i]
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        next_token = tokens[i + 1] if i + 1 < len(words) else None
        next_core = next_token.core.lower() if next_token else ""
        ends_sentence = i + 2 >= len(words) or words[i + 2][:1].isupper()
        core = token.core
        whole = _WHOLE.match(core)
        roman = roman_value(core) if re.search("[А-Яа-яЁё]", before + after) else None
        pair = None  # (first, second) when this word and the next are said together
        if f"{core.lower()}{next_core}" in ABBREVIATIONS and core.endswith(".") and len(core) == 2:  # «т. е.»
            pair = ABBREVIATIONS[f"{core.lower()}{next_core}"].split(" ", 1)
        elif core.lower() in ABBREVIATIONS:
            dot = "." if core.endswith(".") and (i + 1 >= len(words) or after[:1].isupper()) else ""
            out[i] = f"{token.lead}{ABBREVIATIONS[core.lower()]}{dot}{token.trail}"
        elif whole and whole.group(2):  # «50%»
            said, unit = _unit_phrase(int(whole.group(1)), UNITS[whole.group(2)], "nomn")
            out[i] = f"{token.lead}{said} {unit}{token.trail}"
        elif whole and next_core in UNITS and not token.trail:
            noun = UNITS[next_core]
            case = _case_after(before, units=noun not in _TIME_NOUNS)
            pair = _unit_phrase(int(whole.group(1)), noun, case, plural=next_core in ("гг.", "вв."))
        elif whole:
            out[i] = f"{token.lead}{_count(int(whole.group(1)), Token.of(after).core if after else '')}{token.trail}"
        elif roman and next_core in ("в.", "вв."):  # «XIX в.»
            pair = _unit_phrase(roman, "век", _case_after(before, units=False), plural=next_core == "вв.")
        elif roman:
            said = _roman(roman, before, after)
            if said:
                out[i] = f"{token.lead}{said}{token.trail}"
        elif re.search(r"\d", core):
            out[i] = spell_numbers(words[i], " ".join(words[i + 1 : i + 3]))
        if pair:
            out[i], out[i + 1] = _said_as_pair(token, next_token, *pair, ends_sentence)
            i += 1
        i += 1
    return [_with_yo(w) for w in out]


def spoken(text: str, language: str = "ru") -> str:
    """``text`` as it is to be said in ``language``: numbers, units, abbreviations and Roman numerals in
    words (in Russian ё put in too)."""
    return " ".join(w for w in spoken_words(text.split(), language) if w)
