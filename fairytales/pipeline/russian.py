"""Russian morphology shared by the stages (pymorphy3): one analyser per process.

Its noun phrases, titles and pronouns take the ``language`` as a parameter: a module with the names listed
below (this one by default; ukrainian.py gives itself)."""

from __future__ import annotations

import functools
import re
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import ClassVar

WORD_RE = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


@functools.cache
def morph():
    import pymorphy3  # noqa: PLC0415 - loads its dictionaries (~0.3 s); only when needed

    return pymorphy3.MorphAnalyzer(lang="ru")


def read_tables(language: str) -> dict:
    """A language's word tables: ``data/<language>.toml``."""
    with open(Path(__file__).with_name("data") / f"{language}.toml", "rb") as file:
        return tomllib.load(file)


@functools.lru_cache(maxsize=65536)
def parses_of(word: str) -> tuple:
    """pymorphy3's readings of ``word``, likeliest first."""
    return tuple(morph().parse(word.lower()))


@functools.lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of a word, lower-case, ё kept as е so «ёж» and «еж» match."""
    return morph().parse(word.lower())[0].normal_form.replace("ё", "е")


def lemmas(text: str) -> list[str]:
    """Lemmas of the Cyrillic words in ``text``, in order."""
    return [lemma(word) for word in WORD_RE.findall(text)]


# --- Inflection: nouns, noun phrases, agreement, pronouns, characters in titles ---------------------------
# Used by the offline storyteller. Every function here falls back to the word it was given, never raises on
# odd input and never returns None.

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
GENDERS = ("masc", "femn", "neut")
TABLES = read_tables("russian")
_GUESSED = ("FakeDictionary", "UnknAnalyzer")  # pymorphy's analysers for words not in its dictionary


def _method(parse) -> str:
    return type(parse.methods_stack[0][0]).__name__


def _try_inflect(parse, *grammeme_sets):
    for grammemes in grammeme_sets:
        try:
            result = parse.inflect(set(grammemes))
        except (ValueError, KeyError):  # grammemes an odd paradigm does not know
            result = None
        if result is not None:
            return result
    return None


def _match_capitals(model: str, word: str) -> str:
    """``word`` written with the capitals of ``model``, hyphen part by hyphen part («Иван-царевич» →
    «Ивана-царевича», «Баба-Яга» → «Бабы-Яги»)."""
    model_parts, parts = model.split("-"), word.split("-")
    if len(model_parts) != len(parts):
        model_parts = (model_parts[:1] + [part.lower() for part in parts[1:]])[: len(parts)]
    out = []
    for src, dst in zip(model_parts, parts):
        if len(src) > 1 and src.isupper():
            out.append(dst.upper())
        elif src[:1].isupper():
            out.append(dst[:1].upper() + dst[1:])
        else:
            out.append(dst)
    return "-".join(out)


@functools.lru_cache(maxsize=65536)
def noun_parse(word: str, anim: bool | None = None):
    """The likeliest nominative noun reading of ``word`` (None when it has none)."""
    parses = [p for p in morph().parse(word.lower()) if p.tag.POS == "NOUN" and "nomn" in p.tag]
    if not parses:
        return None
    capital = word[:1].isupper()

    def rank(p):
        tag = p.tag
        return (
            anim is not None and (("anim" in tag) == anim),
            capital and ("Name" in tag or "Surn" in tag or "Patr" in tag),
            "sing" in tag,
            "Abbr" not in tag,
            p.score,
        )

    return max(parses, key=rank)


@functools.lru_cache(maxsize=65536)
def _adjective_parse(word: str):
    """The nominative adjective (or participle) reading of ``word``, if it is likely one."""
    parses = morph().parse(word.lower())
    adjectives = [p for p in parses if p.tag.POS in ("ADJF", "PRTF") and "nomn" in p.tag]
    if not adjectives:
        return None
    nouns = [p for p in parses if p.tag.POS == "NOUN" and "nomn" in p.tag]
    if parses[0].tag.POS in ("ADJF", "PRTF") or not nouns or max(p.score for p in adjectives) >= 0.3:
        return max(adjectives, key=lambda p: ("sing" in p.tag, p.score))
    return None


def gender_of(word: str) -> str:
    """The grammatical gender of a noun; masc for common-gender words («Незнайка») and unknown ones."""
    parse = noun_parse(word)
    gender = parse.tag.gender if parse is not None else None
    return gender if gender in GENDERS else "masc"


@functools.lru_cache(maxsize=65536)
def inflect(word: str, case: str, number: str = "sing", anim: bool | None = None) -> str:
    """A noun given in the nominative singular, put into ``case`` (one of CASES) and ``number``.

    Hyphenated words inflect in every part pymorphy inflects («Ивана-царевича», «жар-птицы»); capitals are
    kept; ``anim`` picks the animate reading where a word has both (accusative «колобка», not «колобок»).
    What cannot be inflected comes back unchanged.
    """
    if not word or case not in CASES or (case == "nomn" and number == "sing"):
        return word
    parse = noun_parse(word, anim)
    guessed = _method(parse) != "DictionaryAnalyzer" if parse is not None else True
    if "-" in word and (not _whole_word_inflects(parse) or (case == "accs" and anim and guessed)):
        return _inflect_parts(word, case, number, anim)
    if parse is None:
        return word
    if (
        case == "accs"
        and anim
        and "anim" not in parse.tag
        and (number == "plur" or (parse.tag.gender == "masc" and not word.lower().endswith(("а", "я"))))
    ):
        case = "gent"  # an inanimate word used for a character: «увидел колобка»
    result = _try_inflect(parse, {case, number}, {case})
    if result is None:
        if "-" in word:  # part by part: «гусь-лебедь» → «гуся-лебедя»
            return "-".join(inflect(part, case, number, anim) for part in word.split("-"))
        return word
    return _match_capitals(word, result.word)


def _whole_word_inflects(parse) -> bool:
    """Whether pymorphy inflects this hyphenated word right as a whole: a dictionary word («жар-птица»), or
    two dictionary words that both inflect («Иван-царевич»), not a fixed first part («конёк-горбунка»)
    nor a guessed one («старичок-лесовичок»)."""
    if parse is None:
        return False
    method = _method(parse)
    if method == "DictionaryAnalyzer":
        return True
    if method != "HyphenatedWordsAnalyzer":
        return False
    parts = parse.methods_stack[0][1:]
    for part in parts:
        if isinstance(part, str):
            return False
        if any(type(step[0]).__name__ != "DictionaryAnalyzer" for step in part):
            return False
    return True


def _inflect_parts(word: str, case: str, number: str, anim: bool | None) -> str:
    """A hyphenated word pymorphy only guessed at, inflected part by part («старичок-лесовичок» →
    «старичка-лесовичка»); parts from a preposition on stay as they are («Мальчика-с-пальчик»)."""
    parts = word.split("-")
    out = []
    for i, part in enumerate(parts):
        if not part or morph().parse(part.lower())[0].tag.POS == "PREP":
            out.extend(parts[i:])
            break
        out.append(inflect(part, case, number, anim) if noun_parse(part) is not None else part)
    return "-".join(out)


_AGREEING = ("ADJF", "ADJS", "PRTF", "PRTS", "VERB", "NUMR")


@functools.lru_cache(maxsize=65536)
def agree(word: str, gender: str, case: str = "nomn", anim: bool = False, number: str = "sing") -> str:
    """A past-tense verb, adjective or participle («пошёл», «смелый», «рад», «красная») made to agree with a
    noun of ``gender`` and ``number`` («пошла», «смелая», «рада»); full adjectives also take ``case`` (and
    ``anim`` for the accusative: «серого волка», «серый камень»). Hyphenated words agree part by part
    («жил-был» → «жила-была»). Words that do not agree come back unchanged."""
    if not word:
        return word
    if "-" in word:
        return "-".join(agree(part, gender, case, anim, number) for part in word.split("-"))
    if gender not in GENDERS:
        gender = "masc"
    if case not in CASES:
        case = "nomn"
    parses = [p for p in morph().parse(word.lower()) if p.tag.POS in _AGREEING]
    if not parses:
        return word

    def rank(p):
        full = p.tag.POS in ("ADJF", "PRTF")
        return (full and "nomn" in p.tag, "masc" in p.tag, p.tag.POS == "VERB" and "past" in p.tag, p.score)

    parse = max(parses, key=rank)
    if parse.tag.POS in ("ADJF", "PRTF", "NUMR"):
        grammemes = {case, "plur"} if number == "plur" else {case, gender, "sing"}
        if case == "accs" and (gender == "masc" or number == "plur"):
            grammemes.add("anim" if anim else "inan")
    elif parse.tag.POS == "VERB" and "past" not in parse.tag:
        return word  # present and future tenses do not show gender
    else:
        grammemes = {"plur"} if number == "plur" else {gender, "sing"}
    result = _try_inflect(parse, grammemes)
    if result is None:
        return word
    return _match_capitals(word, result.word)


def phrase_word(word: str) -> str:
    """What a word does in a noun phrase: "adj" agrees with its noun, "noun" inflects, "keep" stays."""
    if _adjective_parse(word) is not None:
        return "adj"
    return "noun" if noun_parse(word) is not None else "keep"


@dataclass(frozen=True)
class NounPhrase:
    """A noun with what goes with it («Серый волк», «мальчик Ваня», «Хозяйка Медной горы») in six cases."""

    cases: ClassVar[tuple[str, ...]] = CASES  # the order of ``forms``
    text: str  # nominative singular
    gender: str = "masc"
    anim: bool = True
    forms: tuple[str, ...] = ()  # in ``cases`` order
    short: str = ""  # how to call it after the first mention («Ваня» for «мальчик Ваня»)
    named: bool = False  # written with a capital, as a name
    known: bool = True  # the head noun is in the dictionary
    # where a title gave it
    title_case: str = "nomn"
    after_preposition: bool = False  # «о рыбаке», «на Луне»
    coordinated: bool = False  # joined to the phrase before it by «и», «да» or a comma

    def form(self, case: str = "nomn") -> str:
        if case in self.cases and len(self.forms) == len(self.cases):
            return self.forms[self.cases.index(case)]
        return self.text


# --- Characters in titles --------------------------------------------------------------------------------


def bare(word: str) -> str:
    """A word as the tables spell it."""
    return word.lower().replace("ё", "е")


_META_NOUNS = frozenset(TABLES["title"]["meta_nouns"])


def title_noun(word: str):
    """The noun reading of a title word, or None if it is unlikely to be a noun."""
    parses = parses_of(word)
    capital = word[:1].isupper()
    if not parses:
        return None
    nouns = [p for p in parses if p.tag.POS == "NOUN" and "Abbr" not in p.tag]
    if not nouns or bare(parses[0].normal_form) in _META_NOUNS:
        return None
    unknown_name = capital and not _known(parses[0].word)  # «Чиполлино»: a name the dictionary lacks
    if parses[0].tag.POS != "NOUN" and max(p.score for p in nouns) < 0.3 and not unknown_name:
        return None
    if any(p.tag.POS in ("ADJF", "PRTF") and p.score >= 0.5 for p in parses):
        return None

    def rank(p):
        return ("nomn" in p.tag and p.score >= 0.15, capital and "Name" in p.tag, p.score, "anim" in p.tag)

    best = max(nouns, key=rank)
    return None if bare(best.normal_form) in _META_NOUNS else best


def _adjective_like(parses, noun, case: str | None = None):
    """The reading of a word that agrees with ``noun`` as its adjective (in ``case`` if given)."""
    want_case = case or noun.tag.case
    for p in parses:
        if p.tag.POS not in ("ADJF", "PRTF") or p.tag.case != want_case or "Apro" in p.tag:
            continue  # «моя бабушка» is about «бабушка»
        if case is not None:
            return p
        if p.tag.number == noun.tag.number and (
            p.tag.number == "plur" or p.tag.gender == noun.tag.gender or noun.tag.gender not in GENDERS
        ):
            return p
    return None


@functools.lru_cache(maxsize=65536)
def _known(word: str) -> bool:
    return morph().word_is_known(word.lower())


def is_name(word: str) -> bool:
    parses = parses_of(word)
    return _method(parses[0]) in _GUESSED or not _known(parses[0].word) or any(
        ("Name" in p.tag or "Surn" in p.tag or "Patr" in p.tag) and p.score >= 0.2 for p in parses
    )


# --- What a language offers the noun-phrase, title and pronoun code below --------------------------------
# A language is a module with these names (this one for Russian; ukrainian.py has its own and passes itself as
# ``language``): WORD_RE, CASES, NounPhrase, TABLES (pronouns, possessive, title words), COORDINATION,
# ADJECTIVES_TAKE_PHRASE_GENDER, parses_of, bare, noun_parse, gender_of, inflect, agree, phrase_word,
# title_noun, is_name, and the functions below: the tests in which the languages' dictionaries differ.

COORDINATION = frozenset(TABLES["title"]["coordination"])
ADJECTIVES_TAKE_PHRASE_GENDER = False  # the head noun's adjectives: the noun's own gender, not the phrase's


def written(word: str) -> str:
    """A dictionary form as a text writes it."""
    return word


def case_of(parse) -> str | None:
    return parse.tag.case


def agrees(word: str, noun, case: str | None = None) -> bool:
    """Whether ``word`` reads as an adjective of ``noun`` (in ``case`` if given)."""
    return _adjective_like(parses_of(word), noun, case) is not None


def attribute_of_next(word: str, next_word: str, next_noun) -> bool:
    """Whether a title's noun is rather an attribute of the next: «Федорино горе», «Заюшкина избушка»."""
    return agrees(word, next_noun) or (word[:1].isupper() and not _known(word) and next_word[:1].islower())


def in_apposition(word: str, word_noun, noun) -> bool:
    """Whether the capitalised ``word`` after ``noun`` names it too: «Змей Горыныч», «Робот Вертер»."""
    return word_noun is not None and (word_noun.tag.case == noun.tag.case or not _known(word))


def genitive_tail(word: str, adjectives: int) -> bool:
    """Whether ``word``, after that many genitive adjectives, ends a tail: «Хозяйка Медной горы»."""
    tail = [p for p in parses_of(word) if p.tag.POS == "NOUN" and "gent" in p.tag and p.score >= 0.1]
    return bool(tail) and bool(adjectives or word[:1].isupper())


def after_preposition(word: str, gap: str) -> bool:
    """Whether ``word``, then ``gap``, is a preposition before a noun phrase: «о рыбаке», «на Луне»."""
    return not gap and parses_of(word)[0].tag.POS == "PREP"


def nominative(noun):
    """The nominative singular of a title's noun (its parse), None where there is none."""
    return _try_inflect(noun, {"nomn", "sing"}, {"nomn"})


def name_by_ending(word: str) -> bool:
    """A name the dictionary lacks («Чиполлино», «Мальвина»): its ending tells the gender, a vowel one does
    not decline."""
    return word[:1].isupper() and not _known(word) and "-" not in word


def animate(word: str, noun) -> bool:
    return any(p.tag.POS == "NOUN" and "anim" in p.tag and p.score >= 0.05 for p in parses_of(word))


def title_word(word: str, noun, gender: str, after_head: bool) -> str:
    """A title phrase's word other than its head, in the nominative: an adjective («Серый» of «Серого
    волка»), or a noun in apposition after it («Ваня» of «мальчика Вани»)."""
    other = title_noun(word) if after_head else None
    adjective = _adjective_like(parses_of(word), noun)
    if other is not None and adjective is None:
        made = _try_inflect(other, {"nomn", "sing"}, {"nomn"})
    else:
        made = _try_inflect(adjective, {"nomn", "sing", gender}) if adjective is not None else None
    return made.word if made is not None else word.lower()


_RUSSIAN = sys.modules[__name__]  # the default ``language``


# --- Pronouns, noun phrases and the characters of a title, in any such language ---------------------------


def pronoun(gender: str, case: str = "nomn", after_preposition: bool = False,
            language: ModuleType = _RUSSIAN) -> str:
    """он/она/оно in ``case``; ``after_preposition`` gives the н-forms («к нему», «у неё», «с ним»)."""
    table = language.TABLES["pronouns_after_preposition" if after_preposition else "pronouns"]
    return table.get(gender, table["masc"])[language.CASES.index(case) if case in language.CASES else 0]


def possessive(gender: str, language: ModuleType = _RUSSIAN) -> str:
    """его/её: whose («его дом», «её дом»)."""
    table = language.TABLES["possessive"]
    return table.get(gender, table["masc"])


def noun_phrase(text: str, gender: str | None = None, anim: bool | None = None, short: str | None = None,
                forms: tuple[str, ...] | list[str] | None = None, inflected_words: int | None = None,
                language: ModuleType = _RUSSIAN) -> NounPhrase:
    """A NounPhrase for ``text`` written in the nominative singular.

    Adjectives agree with the noun after them (or before, «Кощей Бессмертный»), nouns in apposition inflect
    too («мальчика Вани», «Змея Горыныча», «пирата Чёрной Бороды»); the first word that is neither (or
    word number ``inflected_words``) ends the part that inflects, so genitive tails stay («Хозяйки Медной
    горы»). Forms in the language's cases order override the inflection for words pymorphy gets wrong.
    """
    text = " ".join((text or "").split())
    tokens = text.split(" ") if text else []
    kinds = [language.phrase_word(token) if language.WORD_RE.fullmatch(token) else "keep" for token in tokens]
    end = kinds.index("keep") if "keep" in kinds else len(tokens)
    if inflected_words is not None:
        end = min(end, inflected_words)
    nouns = [i for i in range(end) if kinds[i] == "noun"]
    head_parse = language.noun_parse(tokens[nouns[0]]) if nouns else None
    if gender not in GENDERS:
        gender = language.gender_of(tokens[nouns[0]]) if nouns else "masc"
    if anim is None:
        anim = bool(head_parse is not None and "anim" in head_parse.tag)
    known = bool(head_parse is not None and _method(head_parse) not in _GUESSED)

    def adjective_gender(i: int) -> str:  # the gender of the noun it goes with
        after = [j for j in nouns if j > i]
        before = [j for j in nouns if j < i]
        j = after[0] if after else (before[-1] if before else None)
        if j is None or (language.ADJECTIVES_TAKE_PHRASE_GENDER and j == nouns[0]):
            return gender
        return language.gender_of(tokens[j])

    if forms is not None and len(forms) == len(language.CASES):
        all_forms = tuple(forms)
    else:
        built = []
        for case in language.CASES:
            words = []
            for i, token in enumerate(tokens):
                if i >= end or kinds[i] == "keep" or case == "nomn":
                    words.append(token)
                elif kinds[i] == "noun":
                    words.append(language.inflect(token, case, "sing", anim))
                else:
                    words.append(language.agree(token, adjective_gender(i), case, anim))
            built.append(" ".join(words))
        all_forms = tuple(built)
    return language.NounPhrase(text=text, gender=gender, anim=anim, forms=all_forms, short=short or text,
                               named=any(token[:1].isupper() for token in tokens), known=known)


def title_nouns(title: str, language: ModuleType = _RUSSIAN) -> list[NounPhrase]:
    """The noun phrases of a title, each put into the nominative singular, in title order.

    «Иван-царевич и Серый волк» → [Иван-царевич, Серый волк]; «Как кот ловил мышей» → [кот, мышь];
    «Сказка о рыбаке и рыбке» → [рыбак, рыбка] (after a preposition; «сказка» is about the title);
    «Хозяйка Медной горы» → [Хозяйка Медной горы]. A word keeps its capital when it is a name, a word the
    dictionary does not know, not the title's first word, or a character's («Лиса и журавль»); «ЛИСА» is
    read as «Лиса». Titles with no nouns of the language give [].
    """
    title = " ".join(str(title or "").split())
    matches = list(language.WORD_RE.finditer(title))
    tokens = [m.group(0) for m in matches]
    # «ЛИСА» is «Лиса» shouted
    tokens = ["-".join(p.capitalize() for p in t.split("-")) if t.isupper() and len(t) > 1 else t
              for t in tokens]
    nouns = [language.title_noun(token) for token in tokens]

    def gap(a: int, b: int) -> str:  # the text between word a and word b
        return title[matches[a].end() : matches[b].start()].strip()

    def joined(a: int) -> bool:  # word a and the word after it stand side by side
        return a + 1 < len(tokens) and not gap(a, a + 1)

    phrases: list[NounPhrase] = []
    i = 0
    previous_end = None
    previous_after_preposition = False
    while i < len(tokens):
        noun = nouns[i]
        if noun is not None and joined(i) and nouns[i + 1] is not None and language.attribute_of_next(
            tokens[i], tokens[i + 1], nouns[i + 1]
        ):
            noun = None
        if noun is None:
            i += 1
            continue
        first = i
        while first > 0 and joined(first - 1) and language.agrees(tokens[first - 1], noun):
            first -= 1
        last = i
        # apposition or a trailing adjective: «Змей Горыныч», «Кощей Бессмертный»
        if joined(i) and tokens[i + 1][:1].isupper() and (
            language.in_apposition(tokens[i + 1], nouns[i + 1], noun) or language.agrees(tokens[i + 1], noun)
        ):
            last = i + 1
        inflected_last = last
        # a genitive tail: «Хозяйка Медной горы», «Тайна третьей планеты»
        if language.case_of(noun) == "nomn":
            j = last + 1
            while joined(j - 1) and language.agrees(tokens[j], noun, "gent"):
                j += 1
            if joined(j - 1) and language.genitive_tail(tokens[j], j - last - 1):
                last = j
        phrase = _phrase_from_title(language, tokens, first, i, inflected_last, last, noun)
        if phrase is not None:
            before = gap(previous_end, first) if previous_end is not None else None
            coordinated = before is not None and language.bare(before) in language.COORDINATION
            preposition = first > 0 and language.after_preposition(tokens[first - 1], gap(first - 1, first))
            if coordinated and not preposition:
                preposition = previous_after_preposition
            phrases.append(replace(phrase, title_case=language.case_of(noun) or "nomn",
                                   after_preposition=preposition, coordinated=coordinated))
            previous_after_preposition = preposition
        previous_end = last
        i = last + 1
    return phrases


def _phrase_from_title(language, tokens, first, head, inflected_last, last, noun) -> NounPhrase | None:
    head_form = language.nominative(noun)
    if head_form is None or "Pltm" in head_form.tag:
        return None
    gender = head_form.tag.gender if head_form.tag.gender in GENDERS else "masc"
    head_token = tokens[head]
    if language.name_by_ending(head_token):  # its ending tells the gender, a vowel one does not decline
        gender = "femn" if head_token.lower().endswith(("а", "я")) else "masc"
        if head_token.lower().endswith(tuple("оиеуюэы")):
            return language.NounPhrase(text=head_token, gender=gender, anim=True, short=head_token, named=True,
                                       forms=(head_token,) * len(language.CASES), known=False)
    anim = language.animate(head_token, noun) or language.is_name(head_token) or any(
        tokens[j][:1].isupper() for j in range(max(first, 1), inflected_last + 1))
    words: list[str] = []
    names: list[str] = []
    for j in range(first, last + 1):
        token = tokens[j]
        if j == head:
            word = language.written(head_form.word)
        elif j > inflected_last:
            word = token  # the genitive tail, as written
        else:
            word = language.title_word(token, noun, gender, j > head)
        name_like = language.is_name(token)
        capital = token[:1].isupper() and (j > 0 or name_like or anim)  # «Лиса и журавль»: a character
        word = _match_capitals(token, word) if capital else word.lower()
        words.append(word)
        if name_like and capital and head <= j <= inflected_last:
            names.append(word)
    text = " ".join(words)
    named = any(word[:1].isupper() for word in words)
    if names and len(words) > 1 and not words[0][:1].isupper():
        short = " ".join(names)  # «мальчик Ваня» → «Ваня»
    elif named or len(words) == 1 or last > inflected_last:
        short = text
    else:
        short = words[head - first]  # «гадкий утёнок» → «утёнок»
    phrase = noun_phrase(text, gender=gender, anim=anim, short=short,
                         inflected_words=inflected_last - first + 1, language=language)
    return replace(phrase, named=named, known=_method(language.parses_of(head_token)[0]) not in _GUESSED)


def hero_from_title(title: str, language: ModuleType = _RUSSIAN) -> NounPhrase | None:
    """The title's main character: its first animate (or name-like) noun phrase in the nominative and not
    after a preposition, else its first animate one; None when the title names nobody («Про то, как»)."""
    characters = [phrase for phrase in title_nouns(title, language) if phrase.anim]
    for phrase in characters:
        if phrase.title_case == "nomn" and not phrase.after_preposition:
            return phrase
    return characters[0] if characters else None
