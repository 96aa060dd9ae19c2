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
import sys
from pathlib import Path

from . import russian
from .russian import _GUESSED, GENDERS, _match_capitals, _method, _try_inflect

CASES = (*russian.CASES, "voct")  # and the vocative, to call a character by name: «Не бійся, Івасику!»
TABLES = russian.read_tables("ukrainian")


class NounPhrase(russian.NounPhrase):
    """russian.NounPhrase with seven forms, in this module's CASES order."""

    cases = CASES


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


def bare(word: str) -> str:
    """A word as the dictionary spells it: lower-case, the apostrophe as '."""
    return word.lower().translate(_APOSTROPHES)


def written(word: str) -> str:
    return word.replace("'", "’")


@functools.lru_cache(maxsize=65536)
def parses_of(word: str) -> tuple:
    return tuple(morph().parse(bare(word)))


@functools.lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of a word, lower-case, with the apostrophe as '."""
    return parses_of(word)[0].normal_form


def lemmas(text: str) -> list[str]:
    """Lemmas of the Ukrainian words in ``text``, in order."""
    return [lemma(word) for word in WORD_RE.findall(text)]


def word_forms(word: str) -> list[str]:
    """The forms a word may be listed as in a table: its lemma, itself in lower case, and each lemma the
    dictionary reads it as (it takes «темному» first for a form of «темне», «темрява» for «темрявий»)."""
    return list(dict.fromkeys([lemma(word), bare(word), *(parse.normal_form for parse in parses_of(word))]))


def case_of(parse) -> str | None:
    """The parse's case; the dictionary leaves it out on some lemmas' first form, the nominative."""
    if parse.tag.case:
        return parse.tag.case
    return "nomn" if parse.tag.POS == "NOUN" and "plur" not in parse.tag else None


def _is_surname_reading(parse) -> bool:
    return "Surn" in parse.tag or "Fixd" in parse.tag or "Abbr" in parse.tag


@functools.lru_cache(maxsize=65536)
def noun_parse(word: str, anim: bool | None = None, gender: str | None = None):
    """The likeliest nominative noun reading of ``word`` (None when it has none), of ``gender`` if given."""
    parses = [(i, p) for i, p in enumerate(parses_of(word)) if p.tag.POS == "NOUN" and case_of(p) == "nomn"]
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
    parses = parses_of(word)
    adjectives = [p for p in parses if p.tag.POS in ("ADJF", "PRTF") and case_of(p) == "nomn"]
    if not adjectives:
        return None
    adjective_lemmas = {p.normal_form for p in adjectives}
    nouns = [
        p for p in parses
        if p.tag.POS == "NOUN" and case_of(p) == "nomn" and not _is_surname_reading(p) and "Name" not in p.tag
        and p.normal_form not in adjective_lemmas
    ]
    if nouns:
        return None
    return max(adjectives, key=lambda p: "sing" in p.tag)


# Words the dictionary knows only as indeclinable surnames («Федько», «Івасик», «Сірко», «лісовичок») decline
# as boys' names and animals do: like the model word with the longest common ending.
_MODELS = tuple(TABLES["models"]["words"])
_HARD_ENDINGS = tuple(TABLES["models"]["hard_endings"])  # in CASES order
_MASCULINE_ENDINGS = tuple(TABLES["models"]["masculine_endings"])


def _guessed(word: str) -> bool:
    return _method(parses_of(word)[0]) in _GUESSED


def _indeclinable(word: str) -> bool:
    """A name the dictionary lacks that ends in a vowel other than а, я, о: «Чічі», «Сіммі»."""
    return "-" not in word and _guessed(word) and bare(word)[-1:] in "еєиіїую"


def _declines_by_model(word: str) -> bool:
    """Whether ``word`` is a masculine name the dictionary only has as an indeclinable surname (or lacks)."""
    if "-" in word or not bare(word).endswith(_MASCULINE_ENDINGS):
        return False
    if _guessed(word):  # «Лоріен»: not «Лоріного»
        return True
    nominatives = [p for p in parses_of(word) if p.tag.POS == "NOUN" and case_of(p) == "nomn"]
    return not nominatives or all("Fixd" in p.tag or ("Surn" in p.tag and "femn" in p.tag) for p in nominatives)


def _inflect_by_model(word: str, case: str, number: str) -> str:
    key = bare(word)

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
    parse = noun_parse(word)
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
    parse = noun_parse(word, anim, gender_of(word))
    if "-" in word and not _one_dictionary_word(parse):
        return "-".join(_inflect_part(part, case, number, anim) for part in word.split("-"))
    if parse is None:
        return word
    if case == "accs" and anim and (number == "plur" or parse.tag.gender == "masc") and not (
        number == "sing" and bare(word).endswith(("а", "я"))
    ):
        case = "gent"  # animate accusative: «побачив вовка», «побачив Миколу» stays femn-like
    result = _inflected(parse, {case, number}, {case})
    if result is None:
        return word
    return _match_capitals(word, written(result.word))


def _one_dictionary_word(parse) -> bool:
    """Whether a hyphenated word's reading is one dictionary word («жар-птиця»), not a guess, a known prefix
    («цар-батечко») or an indeclinable surname."""
    return (parse is not None and _method(parse) == "DictionaryAnalyzer" and len(parse.methods_stack) == 1
            and not _is_surname_reading(parse))


def _inflect_part(part: str, case: str, number: str, anim: bool | None) -> str:
    if not part or (noun_parse(part) is None and not _declines_by_model(part)):
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
    parses = [(i, p) for i, p in enumerate(parses_of(word)) if p.tag.POS in _AGREEING]
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
    return _match_capitals(word, written(result.word))


def phrase_word(word: str) -> str:
    """What a word does in a noun phrase (as russian.py's): a name the dictionary lacks is a noun («Чічі»,
    «Лоріен»), and so is a hyphenated word with a noun part."""
    if word[:1].isupper() and _guessed(word):
        return "noun"
    if _adjective_parse(word) is not None:
        return "adj"
    if any(noun_parse(part) is not None or _declines_by_model(part) for part in word.split("-")):
        return "noun"
    return "keep"


# --- Characters in titles --------------------------------------------------------------------------------

_META_NOUNS = frozenset(TABLES["title"]["meta_nouns"])  # «Казка про рибака», «Пригоди Котигорошка»
_PREPOSITIONS = frozenset(TABLES["title"]["prepositions"])
COORDINATION = frozenset(TABLES["title"]["coordination"])


def title_noun(word: str):
    """The noun reading of a title word, or None when it is not a noun the story can be about."""
    key = bare(word)
    if key in _PREPOSITIONS or key in COORDINATION:
        return None
    if _adjective_parse(word) is not None:
        return None
    parses = [(i, p) for i, p in enumerate(parses_of(word)) if p.tag.POS == "NOUN"]
    if not parses:
        return None
    readings = {p.tag.POS for p in parses_of(word)}
    if readings & {"CONJ", "PRCL", "PREP", "NPRO"}:
        return None  # «Як кіт ловив мишей»: «як» is not the yak
    if not word[:1].isupper() and parses_of(word)[0].tag.POS in ("VERB", "INFN", "ADVB"):
        return None  # «гори» (burn!) before «гора»
    capital = word[:1].isupper()

    def rank(item):
        i, p = item
        return (case_of(p) is not None, case_of(p) == "nomn", capital and "Name" in p.tag,
                not _is_surname_reading(p), "plur" not in p.tag, p.tag.case is None, "anim" in p.tag, -i)

    best = max(parses, key=rank)[1]
    return None if best.normal_form in _META_NOUNS else best


def agrees(word: str, noun, case: str | None = None) -> bool:
    """Whether ``word`` reads as an adjective of ``noun`` (in ``case`` if given)."""
    want = case or case_of(noun)
    for p in parses_of(word):
        if p.tag.POS not in ("ADJF", "PRTF") or p.tag.case != want:
            continue
        if case is not None or "plur" in p.tag and "plur" in noun.tag or p.tag.gender == noun.tag.gender:
            return True
    return False


def is_name(word: str) -> bool:
    parses = parses_of(word)
    return _method(parses[0]) in _GUESSED or not morph().word_is_known(bare(word)) or any(
        "Name" in p.tag or "Patr" in p.tag for p in parses
    )


def title_word(word: str, noun, gender: str, after_head: bool) -> str:
    """A title phrase's word other than its head, in the nominative: a noun in apposition after it
    («Івасик» of «хлопчика Івасика»), else an adjective («Сірий» of «Сірого Вовка»)."""
    other = title_noun(word) if after_head else None
    if other is not None and not agrees(word, noun):
        made = other if case_of(other) == "nomn" else _inflected(other, {"nomn", "sing"}, {"nomn"})
        return written(made.word) if made is not None else word
    return agree(word, gender, "nomn")


# What russian.py's noun-phrase, title and pronoun code needs besides the functions above (this module is the
# ``language`` it is given):
ADJECTIVES_TAKE_PHRASE_GENDER = True  # a character's, where the cast gives it


def attribute_of_next(word: str, next_word: str, next_noun) -> bool:
    return False


def in_apposition(word: str, word_noun, noun) -> bool:
    return word_noun is not None and case_of(word_noun) == case_of(noun)  # «Змій Горинич», «Кирило Кожум’яка»


def genitive_tail(word: str, adjectives: int) -> bool:  # «Хазяйка Мідної гори»
    return bool(adjectives) and any(p.tag.POS == "NOUN" and p.tag.case == "gent" for p in parses_of(word))


def after_preposition(word: str, gap: str) -> bool:
    return bare(word) in _PREPOSITIONS


def nominative(noun):
    if case_of(noun) == "nomn" and "plur" not in noun.tag:
        return noun
    return _inflected(noun, {"nomn", "sing"}) or noun.normalized


def name_by_ending(word: str) -> bool:
    return False  # a name the dictionary lacks declines by a model word (_declines_by_model)


def animate(word: str, noun) -> bool:
    return "anim" in noun.tag  # many animals are tagged inanimate: a capital or a name makes a character


_UKRAINIAN = sys.modules[__name__]
noun_phrase = functools.partial(russian.noun_phrase, language=_UKRAINIAN)
title_nouns = functools.partial(russian.title_nouns, language=_UKRAINIAN)
hero_from_title = functools.partial(russian.hero_from_title, language=_UKRAINIAN)
pronoun = functools.partial(russian.pronoun, language=_UKRAINIAN)
possessive = functools.partial(russian.possessive, language=_UKRAINIAN)


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
