"""Ukrainian morphology for the offline storyteller (pymorphy3 with pymorphy3-dicts-uk): one analyser per
process, and the same functions russian.py offers the template writer.

The Ukrainian dictionary differs from the Russian one in ways this module works around: every reading
scores 1.0 (so pymorphy's order and the tags decide, not probabilities), common nouns also read as
indeclinable surnames («котик», «їжак»), a lemma's first form may carry no case at all (it is the
nominative), and many animals are tagged inanimate (the cast says who is a character). Apostrophes are
read in any spelling (' ’ ʼ) and written as ’.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import russian
from .russian import GENDERS, _match_capitals, _try_inflect

CASES = (*russian.CASES, "voct")  # and the vocative, to call a character by name: «Не бійся, Івасику!»


@dataclass(frozen=True)
class NounPhrase(russian.NounPhrase):
    """russian.NounPhrase with seven forms, in this module's CASES order."""

    def form(self, case: str = "nomn") -> str:
        if case in CASES and len(self.forms) == len(CASES):
            return self.forms[CASES.index(case)]
        return self.text


_LETTERS = "А-ЩЬЮЯҐЄІЇа-щьюяґєії"
_PART = rf"[{_LETTERS}]+(?:['’ʼ][{_LETTERS}]+)*"
WORD_RE = re.compile(rf"{_PART}(?:-{_PART})*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})


@functools.cache
def morph():
    import pymorphy3  # loads its dictionaries; only when needed

    russian_analyzer = russian.morph()  # first, so that loading it later cannot undo _share_tag_class
    analyzer = pymorphy3.MorphAnalyzer(lang="uk")
    _share_tag_class(russian_analyzer, analyzer)
    return analyzer


def _share_tag_class(*analyzers) -> None:
    """pymorphy3 keeps one tag class for every analyser, and loading a dictionary resets the grammemes it
    knows (the FIXME in its opencorpora_dict/storage.py): after the Ukrainian dictionary, «"Apro" in tag»
    raises on a Russian tag. Both languages run in one process, so the class learns both dictionaries'."""
    grammemes, seen = [], set()
    for analyzer in analyzers:
        with open(Path(analyzer.dictionary.path) / "grammemes.json", encoding="utf-8") as f:
            for row in json.load(f):
                if row[0] not in seen:
                    seen.add(row[0])
                    grammemes.append(row)
    analyzers[0].TagClass._init_grammemes(grammemes)


def _key(word: str) -> str:
    """A word as the dictionary spells it: lower-case, the apostrophe as '."""
    return word.lower().translate(_APOSTROPHES)


def _written(word: str) -> str:
    return word.replace("'", "’")


@functools.lru_cache(maxsize=65536)
def _parses(word: str) -> tuple:
    return tuple(morph().parse(_key(word)))


@functools.lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of a word, lower-case, with the apostrophe as '."""
    return _parses(word)[0].normal_form


def lemmas(text: str) -> list[str]:
    """Lemmas of the Ukrainian words in ``text``, in order."""
    return [lemma(word) for word in WORD_RE.findall(text)]


def word_forms(word: str) -> list[str]:
    """The forms a word may be listed as in a table: its lemma, itself in lower case, and each lemma the
    dictionary reads it as (it takes «темному» first for a form of «темне», «темрява» for «темрявий»)."""
    return list(dict.fromkeys([lemma(word), _key(word), *(parse.normal_form for parse in _parses(word))]))


_PRONOUNS = {  # nominative, genitive, dative, accusative, instrumental, locative, vocative
    "masc": ("він", "його", "йому", "його", "ним", "ньому", "він"),
    "femn": ("вона", "її", "їй", "її", "нею", "ній", "вона"),
    "neut": ("воно", "його", "йому", "його", "ним", "ньому", "воно"),
}
_PRONOUNS_AFTER_PREPOSITION = {  # «до нього», «від неї», «з ним», «на ній»
    "masc": ("він", "нього", "ньому", "нього", "ним", "ньому", "він"),
    "femn": ("вона", "неї", "ній", "неї", "нею", "ній", "вона"),
    "neut": ("воно", "нього", "ньому", "нього", "ним", "ньому", "воно"),
}
_POSSESSIVE = {"masc": "його", "femn": "її", "neut": "його"}
_GUESSED = ("FakeDictionary", "UnknAnalyzer")


def _method(parse) -> str:
    return type(parse.methods_stack[0][0]).__name__


def _case(parse) -> str | None:
    """The parse's case; the dictionary leaves it out on some lemmas' first form, the nominative."""
    if parse.tag.case:
        return parse.tag.case
    return "nomn" if parse.tag.POS == "NOUN" and "plur" not in parse.tag else None


def _is_surname_reading(parse) -> bool:
    return "Surn" in parse.tag or "Fixd" in parse.tag or "Abbr" in parse.tag


@functools.lru_cache(maxsize=65536)
def _noun_parse(word: str, anim: bool | None = None, gender: str | None = None):
    """The likeliest nominative noun reading of ``word`` (None when it has none), of ``gender`` if given."""
    parses = [(i, p) for i, p in enumerate(_parses(word)) if p.tag.POS == "NOUN" and _case(p) == "nomn"]
    if not parses:
        return None
    capital = word[:1].isupper()

    def rank(item):
        i, p = item
        tag = p.tag
        return (
            gender is None or tag.gender == gender,
            "Fixd" not in tag,  # «Федько» declines as a boy's name before it is an indeclinable surname
            anim is not None and (("anim" in tag) == anim),
            capital and "Name" in tag,
            not _is_surname_reading(p),  # «котик» is a noun before it is anyone's surname
            "sing" in tag or "plur" not in tag,
            tag.case is None,  # a lemma's own entry (its first form has no case) before odd paradigms
            anim is None and "anim" in tag,
            -i,
        )

    return max(parses, key=rank)[1]


_PREFERRED_ENDINGS = ("ому", "ся")  # of two spellings, the commoner: «сірому» (not «сірім»), «повернулася»


def _inflected(parse, *grammeme_sets):
    """``parse`` inflected, choosing the commoner spelling where the dictionary lists two for one form."""
    result = _try_inflect(parse, *grammeme_sets)
    if result is None:
        return None
    twins = [form for form in parse.lexeme if form.tag == result.tag] or [result]

    def likeness(form) -> tuple:  # «натиснула» for «натиснув», not «натисла»
        common = 0
        while common < min(len(form.word), len(parse.word)) and form.word[common] == parse.word[common]:
            common += 1
        return form.word.endswith(_PREFERRED_ENDINGS), common, form.word == result.word

    return max(twins, key=likeness)


@functools.lru_cache(maxsize=65536)
def _adjective_parse(word: str):
    """The nominative adjective (or participle) reading of ``word``, unless it is a noun of its own
    («м’ята» is mint, not «crumpled»)."""
    parses = _parses(word)
    adjectives = [p for p in parses if p.tag.POS in ("ADJF", "PRTF") and _case(p) == "nomn"]
    if not adjectives:
        return None
    adjective_lemmas = {p.normal_form for p in adjectives}
    nouns = [
        p for p in parses
        if p.tag.POS == "NOUN" and _case(p) == "nomn" and not _is_surname_reading(p) and "Name" not in p.tag
        and p.normal_form not in adjective_lemmas
    ]
    if nouns:
        return None
    return max(adjectives, key=lambda p: "sing" in p.tag)


# Words the dictionary knows only as indeclinable surnames («Федько», «Івасик», «Сірко», «лісовичок») decline
# as boys' names and animals do: like the model word with the longest common ending.
_MODELS = ("хлопчик", "батько", "Горинич", "дідок", "кобзар", "Андрій", "Пузань")
_HARD_ENDINGS = ("", "а", "ові", "а", "ом", "ові", "е")  # in CASES order
_MASCULINE_ENDINGS = tuple("бвгґджзклмнпрстфхцчшщй") + ("ь", "ко", "ло", "но")


def _guessed(word: str) -> bool:
    return _method(_parses(word)[0]) in _GUESSED


def _indeclinable(word: str) -> bool:
    """A name the dictionary lacks that ends in a vowel other than а, я, о: «Чічі», «Сіммі»."""
    return "-" not in word and _guessed(word) and _key(word)[-1:] in "еєиіїую"


def _declines_by_model(word: str) -> bool:
    """Whether ``word`` is a masculine name the dictionary only has as an indeclinable surname (or lacks)."""
    if "-" in word or not _key(word).endswith(_MASCULINE_ENDINGS):
        return False
    if _guessed(word):  # «Лоріен»: not «Лоріного»
        return True
    nominatives = [p for p in _parses(word) if p.tag.POS == "NOUN" and _case(p) == "nomn"]
    return not nominatives or all("Fixd" in p.tag or ("Surn" in p.tag and "femn" in p.tag) for p in nominatives)


def _inflect_by_model(word: str, case: str, number: str) -> str:
    key = _key(word)

    def common(model: str) -> int:
        n = 0
        while n < min(len(model), len(key)) and model.lower()[-1 - n] == key[-1 - n]:
            n += 1
        return n

    model = max(_MODELS, key=common)
    shared_ending = common(model)
    if shared_ending < 2:
        if number == "sing" and key[-1:] in "бвгґджзклмнпрстфхцчшщ":  # the hard group: «Чхун» → «Чхуна»
            return word + _HARD_ENDINGS[CASES.index(case)]
        return word
    form = inflect(model, case, number, True)
    stem = len(model) - shared_ending
    if form[:stem].lower() != model[:stem].lower():
        return word
    return _match_capitals(word, word[: len(word) - shared_ending] + form[stem:].lower())


def gender_of(word: str) -> str:
    """The grammatical gender of a noun; masc for common-gender and unknown words."""
    if _declines_by_model(word):
        return "masc"
    parse = _noun_parse(word)
    if "-" in word and not _one_dictionary_word(parse):
        return gender_of(word.split("-")[0])  # «пес-нишпорка» is a dog
    gender = parse.tag.gender if parse is not None else None
    return gender if gender in GENDERS else "masc"


@functools.lru_cache(maxsize=65536)
def inflect(word: str, case: str, number: str = "sing", anim: bool | None = None) -> str:
    """A noun given in the nominative singular, put into ``case`` (one of CASES) and ``number``.

    Capitals are kept; ``anim`` makes the accusative of a masculine character its genitive («побачив
    Колобка», «зустрів їжака») even where the dictionary calls the word inanimate. Hyphenated words the
    dictionary lacks inflect part by part («Котика-Братика»). What cannot be inflected comes back as given.
    """
    if not word or case not in CASES or (case == "nomn" and number == "sing") or _indeclinable(word):
        return word
    if _declines_by_model(word):
        return _inflect_by_model(word, case, number)
    parse = _noun_parse(word, anim, gender_of(word))
    if "-" in word and not _one_dictionary_word(parse):
        return "-".join(_inflect_part(part, case, number, anim) for part in word.split("-"))
    if parse is None:
        return word
    if case == "accs" and anim and (number == "plur" or parse.tag.gender == "masc") and not (
        number == "sing" and _key(word).endswith(("а", "я"))
    ):
        case = "gent"  # animate accusative: «побачив вовка», «побачив Миколу» stays femn-like
    result = _inflected(parse, {case, number}, {case})
    if result is None:
        return word
    return _match_capitals(word, _written(result.word))


def _one_dictionary_word(parse) -> bool:
    """Whether a hyphenated word's reading is one dictionary word («жар-птиця»), not a guess, a known prefix
    («цар-батечко») or an indeclinable surname."""
    return (parse is not None and _method(parse) == "DictionaryAnalyzer" and len(parse.methods_stack) == 1
            and not _is_surname_reading(parse))


def _inflect_part(part: str, case: str, number: str, anim: bool | None) -> str:
    if not part or (_noun_parse(part) is None and not _declines_by_model(part)):
        return part
    return inflect(part, case, number, anim)


_AGREEING = ("ADJF", "ADJS", "PRTF", "PRTS", "VERB", "NUMR", "NPRO")


@functools.lru_cache(maxsize=65536)
def agree(word: str, gender: str, case: str = "nomn", anim: bool = True, number: str = "sing") -> str:
    """An adjective, participle, past-tense verb, numeral or «сам» written in the masculine, made to agree
    with a noun of ``gender`` (in ``case``): «пішов» → «пішла», «чарівний» → «чарівної», «сам» → «самій».
    The accusative of a masculine adjective is its genitive for the animate («сірого вовка») and its
    nominative for the rest («чарівний камінь»)."""
    if gender not in GENDERS:
        gender = "masc"
    if case not in CASES:
        case = "nomn"
    parses = [(i, p) for i, p in enumerate(_parses(word)) if p.tag.POS in _AGREEING]
    if not parses:
        return word

    def rank(item):
        i, p = item
        full = p.tag.POS in ("ADJF", "PRTF", "NPRO", "NUMR")
        return (
            full and p.tag.case == "nomn" and p.word == p.normal_form,  # «чарівний», «сам»
            p.tag.POS == "VERB" and "past" in p.tag,  # «жив» lives, before «жив» alive (the short «живий»)
            full and p.tag.case == "nomn", "masc" in p.tag, p.tag.POS != "NPRO", -i,
        )

    parse = max(parses, key=rank)[1]
    if parse.tag.POS in ("ADJF", "PRTF", "NUMR", "NPRO"):
        if case == "accs" and (gender == "masc" or number == "plur"):
            case = "gent" if anim else "nomn"
        grammemes = {case, "plur"} if number == "plur" else {case, gender, "sing"}
        result = _inflected(parse, grammemes, grammemes - {"sing"})
    elif parse.tag.POS == "VERB" and "past" not in parse.tag:
        return word  # the present and the future do not show gender
    else:
        grammemes = {"plur"} if number == "plur" else {gender, "sing"}
        result = _inflected(parse, grammemes, grammemes - {"sing"})
    if result is None:
        return word
    return _match_capitals(word, _written(result.word))


def pronoun(gender: str, case: str = "nomn", after_preposition: bool = False) -> str:
    """він/вона/воно in ``case``; ``after_preposition`` gives the н-forms («до нього», «з нею», «на ній»)."""
    table = _PRONOUNS_AFTER_PREPOSITION if after_preposition else _PRONOUNS
    return table.get(gender, table["masc"])[CASES.index(case) if case in CASES else 0]


def possessive(gender: str) -> str:
    """його/її: whose («його хата», «її хата»)."""
    return _POSSESSIVE.get(gender, "його")


def noun_phrase(
    text: str,
    gender: str | None = None,
    anim: bool | None = None,
    short: str | None = None,
    forms: tuple[str, ...] | list[str] | None = None,
    inflected_words: int | None = None,
) -> NounPhrase:
    """A NounPhrase for ``text`` written in the nominative singular, as russian.noun_phrase: adjectives
    agree with their noun, nouns in apposition inflect too («хлопчика Івасика», «Змія Горинича»), the
    first word that is neither (or word number ``inflected_words``) ends the part that inflects
    («Хазяйки Мідної гори»). Seven ``forms`` in CASES order override the inflection."""
    text = " ".join((text or "").split())
    tokens = text.split(" ") if text else []
    kinds: list[str] = []
    for token in tokens:
        if not WORD_RE.fullmatch(token):
            kinds.append("keep")
        elif token[:1].isupper() and _guessed(token):  # a name the dictionary lacks: «Чічі», «Лоріен»
            kinds.append("noun")
        elif _adjective_parse(token) is not None:
            kinds.append("adj")
        elif any(_noun_parse(part) is not None or _declines_by_model(part) for part in token.split("-")):
            kinds.append("noun")
        else:
            kinds.append("keep")
    end = kinds.index("keep") if "keep" in kinds else len(tokens)
    if inflected_words is not None:
        end = min(end, inflected_words)
    nouns = [i for i in range(end) if kinds[i] == "noun"]
    head_parse = _noun_parse(tokens[nouns[0]]) if nouns else None
    if gender not in GENDERS:
        gender = gender_of(tokens[nouns[0]]) if nouns else "masc"
    if anim is None:
        anim = bool(head_parse is not None and "anim" in head_parse.tag)
    known = bool(head_parse is not None and _method(head_parse) not in _GUESSED)

    def adjective_gender(i: int) -> str:  # the gender of the noun it goes with, not the phrase's
        after = [j for j in nouns if j > i]
        before = [j for j in nouns if j < i]
        j = after[0] if after else (before[-1] if before else None)
        return gender if j is None or j == (nouns[0] if nouns else None) else gender_of(tokens[j])

    if forms is not None and len(forms) == len(CASES):
        all_forms = tuple(forms)
    else:
        built = []
        for case in CASES:
            words = []
            for i, token in enumerate(tokens):
                if i >= end or kinds[i] == "keep" or case == "nomn":
                    words.append(token)
                elif kinds[i] == "noun":
                    words.append(inflect(token, case, "sing", anim))
                else:
                    words.append(agree(token, adjective_gender(i), case, anim))
            built.append(" ".join(words))
        all_forms = tuple(built)
    return NounPhrase(
        text=text,
        gender=gender,
        anim=anim,
        forms=all_forms,
        short=short if short else text,
        named=any(token[:1].isupper() for token in tokens),
        known=known,
    )


# --- Characters in titles --------------------------------------------------------------------------------

# Nouns a title uses about itself: «Казка про рибака», «Пригоди Котигорошка».
_META_NOUNS = frozenset((  # noqa: SIM905 - a word list, as in russian.py
    "казка казочка історія оповідання розповідь легенда повість пригода байка новела глава частина "
    "подорож переказ міф притча пісня пісенка вірш"
).split())
_PREPOSITIONS = frozenset(
    "про у в до з із зі від на під над за без біля по через для коло серед між перед поміж край".split()  # noqa: SIM905
)
_COORDINATION = frozenset({"", ",", "і", "й", "та", "да", "&", "+", ", і", ", та", ", й"})


def _title_noun(word: str):
    """The noun reading of a title word, or None when it is not a noun the story can be about."""
    key = _key(word)
    if key in _PREPOSITIONS or key in _COORDINATION:
        return None
    if _adjective_parse(word) is not None:
        return None
    parses = [(i, p) for i, p in enumerate(_parses(word)) if p.tag.POS == "NOUN"]
    if not parses:
        return None
    readings = {p.tag.POS for p in _parses(word)}
    if readings & {"CONJ", "PRCL", "PREP", "NPRO"}:
        return None  # «Як кіт ловив мишей»: «як» is not the yak
    if not word[:1].isupper() and _parses(word)[0].tag.POS in ("VERB", "INFN", "ADVB"):
        return None  # «гори» (burn!) before «гора»
    capital = word[:1].isupper()

    def rank(item):
        i, p = item
        return (_case(p) is not None, _case(p) == "nomn", capital and "Name" in p.tag,
                not _is_surname_reading(p), "plur" not in p.tag, p.tag.case is None, "anim" in p.tag, -i)

    best = max(parses, key=rank)[1]
    return None if best.normal_form in _META_NOUNS else best


def _agrees_with(word: str, noun, case: str | None = None) -> bool:
    """Whether ``word`` reads as an adjective of ``noun`` (in ``case`` if given)."""
    want = case or _case(noun)
    for p in _parses(word):
        if p.tag.POS not in ("ADJF", "PRTF") or p.tag.case != want:
            continue
        if case is not None or "plur" in p.tag and "plur" in noun.tag or p.tag.gender == noun.tag.gender:
            return True
    return False


def _is_name(word: str) -> bool:
    parses = _parses(word)
    return _method(parses[0]) in _GUESSED or not morph().word_is_known(_key(word)) or any(
        "Name" in p.tag or "Patr" in p.tag for p in parses
    )


def title_nouns(title: str) -> list[NounPhrase]:
    """The noun phrases of a title, each in the nominative singular, in title order.

    «Лисичка та Журавель» → [Лисичка, Журавель]; «Казка про рибака та рибку» → [рибак, рибка] (after a
    preposition; «казка» is about the title); «Хазяйка Мідної гори» → [Хазяйка Мідної гори]; «Кирило
    Кожум’яка» → one phrase. A word keeps its capital when it is a name or not the title's first word.
    Titles with no Ukrainian nouns give [].
    """
    title = " ".join(str(title or "").split())
    matches = list(WORD_RE.finditer(title))
    tokens = [m.group(0) for m in matches]
    tokens = ["-".join(p.capitalize() for p in t.split("-")) if t.isupper() and len(t) > 1 else t
              for t in tokens]
    nouns = [_title_noun(t) for t in tokens]

    def gap(a: int, b: int) -> str:
        return title[matches[a].end(): matches[b].start()].strip()

    phrases: list[NounPhrase] = []
    i = 0
    previous_end = None
    previous_after_preposition = False
    while i < len(tokens):
        noun = nouns[i]
        if noun is None:
            i += 1
            continue
        first = i
        while first > 0 and not gap(first - 1, first) and _agrees_with(tokens[first - 1], noun):
            first -= 1
        last = i
        if i + 1 < len(tokens) and not gap(i, i + 1) and tokens[i + 1][:1].isupper():
            other = nouns[i + 1]
            if (other is not None and _case(other) == _case(noun)) or _agrees_with(tokens[i + 1], noun):
                last = i + 1  # «Змій Горинич», «Кощій Безсмертний», «Кирило Кожум’яка»
        inflected = last - first + 1
        if _case(noun) == "nomn":  # a genitive tail: «Хазяйка Мідної гори»
            j = last + 1
            adjectives = 0
            while j < len(tokens) and not gap(j - 1, j) and _agrees_with(tokens[j], nouns[j] or noun, "gent"):
                j += 1
                adjectives += 1
            if j < len(tokens) and not gap(j - 1, j) and adjectives and any(
                p.tag.POS == "NOUN" and p.tag.case == "gent" for p in _parses(tokens[j])
            ):
                last = j
        phrase = _phrase_from_title(tokens, first, i, first + inflected - 1, last, noun)
        if phrase is not None:
            before = gap(previous_end, first) if previous_end is not None else None
            coordinated = before is not None and _key(before) in _COORDINATION
            preposition = first > 0 and _key(tokens[first - 1]) in _PREPOSITIONS
            if coordinated and not preposition:
                preposition = previous_after_preposition
            phrases.append(replace(phrase, title_case=_case(noun) or "nomn", after_preposition=preposition,
                                   coordinated=coordinated))
            previous_after_preposition = preposition
        previous_end = last
        i = last + 1
    return phrases


def _phrase_from_title(tokens, first, head, inflected_last, last, noun) -> NounPhrase | None:
    nominative = noun if _case(noun) == "nomn" and "plur" not in noun.tag else (
        _inflected(noun, {"nomn", "sing"}) or noun.normalized)
    if nominative is None or "Pltm" in nominative.tag:
        return None
    gender = nominative.tag.gender if nominative.tag.gender in GENDERS else "masc"
    head_token = tokens[head]
    anim = "anim" in noun.tag or _is_name(head_token) or any(
        tokens[j][:1].isupper() for j in range(max(first, 1), inflected_last + 1)
    )
    words: list[str] = []
    names: list[str] = []
    for j in range(first, last + 1):
        token = tokens[j]
        if j == head:
            word = _written(nominative.word)
        elif j > inflected_last:
            word = token
        else:
            other = _title_noun(token) if j > head else None
            if other is not None and not _agrees_with(token, noun):
                made = other if _case(other) == "nomn" else _inflected(other, {"nomn", "sing"}, {"nomn"})
                word = _written(made.word) if made is not None else token
            else:
                word = agree(token, gender, "nomn")
        is_name = _is_name(token)
        capital = token[:1].isupper() and (j > 0 or is_name or anim)
        word = _match_capitals(token, word) if capital else word.lower()
        words.append(word)
        if is_name and capital and head <= j <= inflected_last:
            names.append(word)
    text = " ".join(words)
    named = any(word[:1].isupper() for word in words)
    if names and len(words) > 1 and not words[0][:1].isupper():
        short = " ".join(names)  # «хлопчик Івасик» → «Івасик»
    elif named or len(words) == 1 or last > inflected_last:
        short = text
    else:
        short = words[head - first]  # «сірий вовк» → «вовк»
    phrase = noun_phrase(text, gender=gender, anim=anim, short=short, inflected_words=inflected_last - first + 1)
    return replace(phrase, named=named, known=_method(_parses(head_token)[0]) not in _GUESSED)


def hero_from_title(title: str) -> NounPhrase | None:
    """The title's main character: its first animate (or name-like) noun phrase in the nominative and not
    after a preposition, else its first animate one; None when the title names nobody."""
    characters = [phrase for phrase in title_nouns(title) if phrase.anim]
    for phrase in characters:
        if phrase.title_case == "nomn" and not phrase.after_preposition:
            return phrase
    return characters[0] if characters else None


# --- Euphony: у/в and і/й by their neighbours («пішла в ліс», «зустрів у лісі», «Марійка й кіт») ---------

_VOWEL_LETTERS = frozenset("аеєиіїоуюя")
_IOTATED = tuple("йєїюя")  # begin with a й-sound: «і» before them, never «й»
_AFTER_U = ("в", "ф", "св", "тв", "хв", "зв", "дв", "льв", "гв", "кв")  # «у» before these, even after a vowel
_PREPOSITION_OR_CONJUNCTION = re.compile(r"(?<=(.)) (у|в|і|й)(?= ([^\W\d_]+))")


def euphony(text: str) -> str:
    """The prepositions у/в and the conjunctions і/й chosen by the sounds around them, as Ukrainian writes:
    between vowels or after a vowel «в», «й»; between consonants or after a pause «у», «і»; «у» before в, ф
    and such clusters, «і» before й, є, ї, ю, я. A word at the start of a sentence or line keeps its form."""

    def choose(match: re.Match) -> str:
        before, word, after = match.group(1).lower(), match.group(2), match.group(3).lower()
        pause = not before.isalpha()
        vowel_before = before in _VOWEL_LETTERS
        vowel_after = after[:1] in _VOWEL_LETTERS
        if word in ("у", "в"):
            if pause:
                chosen = "в" if vowel_after else "у"
            elif vowel_before:
                chosen = "у" if after.startswith(_AFTER_U) else "в"
            else:
                chosen = "в" if vowel_after and not after.startswith(_IOTATED) else "у"
        else:
            chosen = "й" if vowel_before and not pause and not after.startswith(_IOTATED) else "і"
        return f" {chosen}"

    return _PREPOSITION_OR_CONJUNCTION.sub(choose, text)
