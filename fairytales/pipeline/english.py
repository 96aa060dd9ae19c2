"""English for the offline storyteller: the same interface as ``russian.py``'s inflection part.

English nouns do not decline: every case form is the one form (the cases stay, so a template's markup means
the same in every language). What changes with a character is the pronoun (he/she/it, him/her/it,
his/her/its) and a few words that follow it («himself» → «herself»).
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from .russian import NounPhrase

__all__ = ["CASES", "GENDERS", "HAS_GENDER", "WORD_RE", "NounPhrase", "agree", "gender_of", "hero_from_title",
           "lemma", "noun_phrase", "possessive", "pronoun", "singular", "title_nouns", "word_forms"]

WORD_RE = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
GENDERS = ("masc", "femn", "neut")
HAS_GENDER = False  # a character's gender is the plot's (its reference language's), not a word's

_SUBJECT = {"masc": "he", "femn": "she", "neut": "it"}
_OBJECT = {"masc": "him", "femn": "her", "neut": "it"}
_POSSESSIVE = {"masc": "his", "femn": "her", "neut": "its"}

with open(Path(__file__).with_name("data") / "english.toml", "rb") as _file:
    _WORDS = tomllib.load(_file)
_GENDERED: dict[str, list[str]] = _WORDS["gendered"]  # by the masculine form
_META_NOUNS = frozenset(_WORDS["title"]["meta_nouns"])
_BREAKS = frozenset(_WORDS["title"]["breaks"])
_PREPOSITIONS = frozenset(_WORDS["title"]["prepositions"])
_ARTICLES = frozenset(_WORDS["title"]["determiners"])
_NOBODY = frozenset(_WORDS["title"]["nobody"])
_THINGS = frozenset(_WORDS["title"]["things"])
_FEMININE = frozenset(_WORDS["characters"]["feminine"])
_IRREGULAR: dict[str, str] = _WORDS["irregular"]
_LONGEST_NAME = 25  # «AAAA…» is no one's name


def lemma(word: str) -> str:
    """The word lower-case: English titles name their characters in the form a story uses."""
    return word.lower().replace("’", "'")


def lemmas(text: str) -> list[str]:
    return [lemma(word) for word in WORD_RE.findall(text)]


def inflect(word: str, case: str, number: str = "sing", anim: bool | None = None) -> str:
    """Every case of an English noun is the noun."""
    return word


@functools.lru_cache(maxsize=4096)
def agree(word: str, gender: str, case: str = "nomn", anim: bool = False, number: str = "sing") -> str:
    """The form of a gendered word («himself», «boy», «king») for ``gender``; other words as they are."""
    forms = _GENDERED.get(word.lower())
    if forms is None:
        return word
    form = forms[GENDERS.index(gender) if gender in GENDERS else 0]
    return form[:1].upper() + form[1:] if word[:1].isupper() else form


def pronoun(gender: str, case: str = "nomn", after_preposition: bool = False) -> str:
    """he/she/it as a subject, him/her/it otherwise."""
    table = _SUBJECT if case == "nomn" and not after_preposition else _OBJECT
    return table.get(gender, table["masc"])


def possessive(gender: str) -> str:
    """his/her/its."""
    return _POSSESSIVE.get(gender, "his")


def singular(word: str) -> str:
    """A lower-case English word with a simple plural strip: wolves → wolf, berries → berry, foxes → fox,
    geese → goose; «the fox's» → fox."""
    word = lemma(word).removesuffix("'s")
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ves"):
        return word[:-3] + "f"
    if len(word) > 3 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_ENDINGS = (("ies", ("y",)), ("ves", ("f", "fe")), ("es", ("", "e")), ("s", ("",)), ("ing", ("", "e")),
            ("ed", ("", "e")), ("ly", ("",)), ("y", ("",)))


def word_forms(word: str) -> list[str]:
    """The forms an English word may be listed as in a table, likeliest first: itself, its singular, its
    verb's base («burning» → «burn», «running» → «run»), the word an adverb or adjective comes from
    («scary» → «scar», «scare»: a table keeps the one it means); «the king's» is «king»."""
    word = lemma(word).removesuffix("'s")
    forms = [word, _IRREGULAR.get(word, word)]
    for ending, replacements in _ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            forms += [stem + r for r in replacements]
            if ending in ("ing", "ed") and len(stem) > 2 and stem[-1] == stem[-2]:
                forms.append(stem[:-1])
    return list(dict.fromkeys(forms))


def gender_of(text: str) -> str:
    """"femn" when a word of ``text`` names a woman or a she-character (``[characters] feminine`` in
    data/english.toml: «girl», «queen», «the old woman», «Masha», «witches»), else "masc"."""
    words = [lemma(w) for w in WORD_RE.findall(text)]
    if "-".join(words) in _FEMININE or any(w in _FEMININE or singular(w) in _FEMININE for w in words):
        return "femn"
    return "masc"


def noun_phrase(
    text: str,
    gender: str | None = None,
    anim: bool | None = None,
    short: str | None = None,
    forms: tuple[str, ...] | list[str] | None = None,
    inflected_words: int | None = None,
) -> NounPhrase:
    """A NounPhrase for ``text``; a thing (``anim`` False) is «it» whatever ``gender`` says."""
    text = " ".join((text or "").split())
    if anim is None:
        anim = True
    if not anim:
        gender = "neut"
    elif gender not in GENDERS:
        gender = gender_of(text)
    words = WORD_RE.findall(text)
    return NounPhrase(
        text=text,
        gender=gender,
        anim=anim,
        forms=tuple(forms) if forms is not None and len(forms) == len(CASES) else (text,) * len(CASES),
        short=short if short else text,
        named=any(word[:1].isupper() for word in words),
    )


def title_nouns(title: str) -> list[NounPhrase]:
    """The noun phrases of an English title, articles left out, adjectives kept, as written: «The Fox and the
    Crane» → [Fox, Crane]; «The Brave Little Robot» → [Brave Little Robot]; «The Tale of Peter Rabbit» →
    [Peter Rabbit] (after a preposition)."""
    # «{hero}» is markup, not a name
    text = re.sub(r"\{[^{}]*\}|\[[^\[\]]*\]|<[^<>]*>", " ", str(title or ""))
    tokens = re.findall(r"[A-Za-z]+(?:['’-][A-Za-z]+)*|[,&]", " ".join(text.split()))
    phrases: list[NounPhrase] = []
    chunk: list[str] = []
    flags = {"after_preposition": False, "coordinated": False}  # of the chunk being read

    def close() -> None:
        words = [w for w in chunk if w.lower() not in _ARTICLES and w.lower() not in _NOBODY]
        chunk.clear()
        if not words or words[-1].lower() in _META_NOUNS or any(len(w) > _LONGEST_NAME for w in words):
            return
        head = words[-1].lower()
        anim = head not in _THINGS and head.rstrip("s") not in _THINGS
        text = " ".join(words)
        if text.isupper() and len(text) > 1:
            text = text.title()  # «THE FOX» is «The Fox» shouted
        elif anim and not text[:1].isupper():
            text = text[:1].upper() + text[1:]  # «the fox and the crane»: characters still
        phrase = noun_phrase(text, anim=anim)
        phrases.append(NounPhrase(text=phrase.text, gender=phrase.gender, anim=anim, forms=phrase.forms,
                                  short=phrase.short, named=True, known=False, **flags))

    for token in tokens:
        word = token.lower()
        if word in _BREAKS:
            was_after_preposition = flags["after_preposition"]
            if chunk:
                close()
            coordinated = word in ("and", "&", ",", "or")
            flags["coordinated"] = coordinated and bool(phrases)
            flags["after_preposition"] = word in _PREPOSITIONS or (coordinated and was_after_preposition)
            continue
        if word in _META_NOUNS and not chunk:
            continue
        chunk.append(token)
    if chunk:
        close()
    return phrases


def hero_from_title(title: str) -> NounPhrase | None:
    """The title's first character not after a preposition, else its first character; None for nobody."""
    characters = [phrase for phrase in title_nouns(title) if phrase.anim]
    for phrase in characters:
        if not phrase.after_preposition:
            return phrase
    return characters[0] if characters else None
