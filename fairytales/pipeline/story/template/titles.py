"""The characters a title names, in any language the tale is told in.

A title is read in its own language, told by its letters (і, ї, є, ґ: Ukrainian; Latin: English; else
Russian), whatever language the tale is in: «Маша и медведь» gives «Маша» and «медведь», «The Fox and the
Crane» «Fox» and «Crane». To tell the same plot in another language, each character is named through the
common fairy-tale words of ``data/title_words.toml`` (медведь → bear → ведмідь), and a name it lacks is
transliterated (Маша → Masha → Маша).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, replace

from ... import russian
from .packs import DATA, REFERENCE, grammar

_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_CYRILLIC = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]")
_LATIN = re.compile(r"[A-Za-z]")
_TITLE_KEEP = re.compile(r"[^\w\s\-,.!?:;'()…]", re.UNICODE)
_WORD = re.compile(r"[A-Za-zА-Яа-яЁёІіЇїЄєҐґ']+(?:-[A-Za-zА-Яа-яЁёІіЇїЄєҐґ']+)*")
_ARTICLES = frozenset({"the", "a", "an"})


def clean_title(title: str | None) -> str:
    """The title as it may be quoted in the story: no emoji, braces or quotes, one line, not too long."""
    text = _TITLE_KEEP.sub(" ", str(title or ""))
    text = text.replace("_", " ")
    text = " ".join(text.split()).strip(" -,:;")
    if len(text) > 80:
        text = text[:80].rsplit(" ", 1)[0].rstrip(" -,:;")
    return text if any(ch.isalpha() for ch in text) else ""


def language_of(title: str | None) -> str:
    """The language a title is written in, by its letters: «uk» for і, ї, є, ґ, «en» for Latin letters and
    no Cyrillic, else «ru»."""
    text = str(title or "")
    if _UKRAINIAN_LETTERS.search(text):
        return "uk"
    if _LATIN.search(text) and not _CYRILLIC.search(text):
        return "en"
    return "ru"


@dataclass(frozen=True)
class Word:
    """One common fairy-tale word in every language: ``forms[language]``, ``genders[language]``."""

    pos: str  # noun, adj, or a function word (conj, prep)
    forms: dict
    genders: dict


@dataclass(frozen=True)
class Lexicon:
    words: tuple[Word, ...]
    transliteration: dict  # "ru>en" → {letters: letters}, longest first

    @functools.cached_property
    def index(self) -> dict:
        """(language, lower-case word) → Word."""
        table = {}
        for word in self.words:
            for language, form in word.forms.items():
                table.setdefault((language, _key(form)), word)
        return table


def _key(word: str) -> str:
    return word.lower().replace("ё", "е")


@functools.cache
def lexicon() -> Lexicon:
    with open(DATA / "title_words.toml", "rb") as f:
        data = tomllib.load(f)
    words = []
    for row in data["words"]:
        row = dict(row)
        pos = row.pop("pos", "noun")
        genders = row.pop("gender", {})
        words.append(Word(pos, row, genders))
    tables = {pair: dict(sorted(table.items(), key=lambda item: -len(item[0])))
              for pair, table in data["transliteration"].items()}
    return Lexicon(tuple(words), tables)


def transliterate(word: str, source: str, target: str) -> str:
    """``word`` written in the letters of ``target`` (Маша → Masha, Jack → Джек), capitals kept."""
    if source == target:
        return word
    table = lexicon().transliteration.get(f"{source}>{target}")
    if table is None:
        return word
    out, i, lower = [], 0, word.lower()
    while i < len(word):
        for letters, replacement in table.items():
            if lower.startswith(letters, i):
                piece = replacement
                if word[i].isupper() and piece:
                    piece = piece[0].upper() + piece[1:]
                out.append(piece)
                i += len(letters)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def _grammar_of(language: str):
    """The grammar that reads a title in ``language``; Russian's when that language's is not installed."""
    try:
        return grammar(language)
    except ImportError:
        return russian


@functools.lru_cache(maxsize=1024)
def _read(title: str) -> tuple[tuple, int | None]:
    language = language_of(title)
    module = _grammar_of(language)
    found = module.title_nouns(title)
    hero = module.hero_from_title(title)
    index = found.index(hero) if hero is not None and hero in found else None
    if language == "en":  # English words show no gender: a character the lexicon knows takes its («Fox»: she)
        found = [_with_lexicon_gender(phrase) for phrase in found]
    return tuple(found), index


def _with_lexicon_gender(phrase):
    words = phrase.text.split()
    entry = _lookup(words[-1], "en") if words and phrase.anim else None
    gender = entry.genders.get("en") if entry is not None else None
    return replace(phrase, gender=gender) if gender else phrase


def phrases(title: str) -> list:
    """The title's noun phrases, in its own language (``title_nouns`` of its grammar)."""
    return list(_read(str(title or ""))[0])


def hero_index(title: str) -> int | None:
    """Which of ``phrases(title)`` is the hero (``hero_from_title`` of its grammar), None for nobody."""
    return _read(str(title or ""))[1]


def _lookup(word: str, language: str) -> Word | None:
    words = lexicon().index
    found = words.get((language, _key(word)))
    if found is None and language != "en":
        found = words.get((language, _key(_grammar_of(language).lemma(word))))
    if found is None and language == "en" and word.lower().endswith("s"):
        found = words.get((language, _key(word[:-1])))
    return found


def translate_words(text: str, source: str, target: str) -> tuple[list[tuple[str, Word | None, bool]], str | None]:
    """The words of ``text`` in ``target``, each with its lexicon entry (None: transliterated) and whether
    it was written with a capital; and the gender the lexicon gives the phrase in ``target``."""
    whole = lexicon().index.get((source, _key(text)))
    if whole is not None:
        capital = text[:1].isupper()
        return [(whole.forms.get(target, text), whole, capital)], whole.genders.get(target)
    out, gender = [], None
    for token in text.split():
        if source == "en" and token.lower() in _ARTICLES:
            continue
        entry = _lookup(token, source)
        if entry is not None and target in entry.forms:
            out.append((entry.forms[target], entry, token[:1].isupper()))
            if entry.pos == "noun" and target in entry.genders:
                gender = entry.genders[target]
        else:
            out.append((transliterate(token, source, target), None, token[:1].isupper()))
    return out, gender


@functools.lru_cache(maxsize=1024)
def _character(title: str, index: int, language: str):
    source = language_of(title)
    phrase = phrases(title)[index]
    if source == language:
        return phrase
    module = grammar(language)
    words, gender = translate_words(phrase.text, source, language)
    gender = gender or phrase.gender
    named = phrase.named or any(capital for _, _, capital in words)
    text = _assemble(words, gender, named, phrase.anim, language)
    short = None
    if phrase.short and phrase.short != phrase.text:
        short_words, _ = translate_words(phrase.short, source, language)
        short = _assemble(short_words, gender, named, phrase.anim, language)
    made = module.noun_phrase(text, gender=gender, anim=phrase.anim, short=short)
    return replace(made, title_case=phrase.title_case, after_preposition=phrase.after_preposition,
                   coordinated=phrase.coordinated)


def character(title: str, index: int, language: str = REFERENCE):
    """The title's noun phrase number ``index`` as a character of a tale told in ``language``."""
    return _character(str(title or ""), index, language)


def _assemble(words: list, gender: str, named: bool, anim: bool, language: str) -> str:
    parts = []
    for form, entry, capital in words:
        if language != "en" and entry is not None and entry.pos == "adj":
            form = grammar(language).agree(form, gender)
        if named and language == "en":  # «Grey Wolf», «the Firebird»
            form = " ".join(word if word in _SMALL_WORDS else "-".join(part[:1].upper() + part[1:]
                                                                       for part in word.split("-"))
                            for word in form.split(" "))
        elif capital:  # «Іван-царевич», as the lexicon writes it
            form = form[:1].upper() + form[1:]
        parts.append(form)
    text = " ".join(parts)
    if language == "en" and not named and text and not text.startswith("the "):
        text = "the " + text  # «кот» is «the cat»; a name goes without
    return text


_SMALL_WORDS = frozenset({"and", "or", "of", "in", "on", "at", "to", "with", "about", "from", "the", "a", "an"})


@functools.lru_cache(maxsize=1024)
def title_in(title: str, language: str) -> str:
    """The title as the story quotes it in ``language``: as typed when it is in that language or in Latin
    letters (which a Russian or Ukrainian reader reads too), and between Russian and Ukrainian unless the
    lexicon has the whole title («Снежная королева» → «Снігова королева»). An English tale's Cyrillic title is
    translated when the lexicon knows all its words but names («Маша и медведь» → «Masha and the Bear»),
    else transliterated whole («Как кот ловил мышей» → «Kak kot lovil myshey»)."""
    text = clean_title(title)
    source = language_of(text)
    if not text or source == language or source == "en":
        return text
    whole = lexicon().index.get((source, _key(text)))
    if language != "en":  # both read Cyrillic: as typed, unless the lexicon has the whole title
        return _capitalised(whole.forms[language]) if whole is not None and language in whole.forms else text
    if whole is not None and "en" in whole.forms:
        form = whole.forms["en"]
        return _title_case(form if form[:1].isupper() or form.startswith("the ") else "the " + form)
    tokens = list(_WORD.finditer(text))
    entries = [_title_word(match.group(0), source) for match in tokens]
    names = {word for phrase in phrases(title) if phrase.named for word in phrase.text.split()}
    if any(entry is None and match.group(0) not in names for match, entry in zip(tokens, entries)):
        return _WORD.sub(lambda m: transliterate(m.group(0), source, "en"), text)
    out, position, previous = [], 0, None
    for match, entry in zip(tokens, entries):
        if entry is None:
            word = transliterate(match.group(0), source, "en")
        else:
            word = entry.forms["en"]
            common = entry.pos in ("noun", "adj") and not word[:1].isupper() and not word.startswith("the ")
            if common and (previous is None or previous.pos != "adj"):
                word = "the " + word  # «медведь» is «the Bear»
        out += [text[position:match.start()], word]
        position = match.end()
        previous = entry
    return _title_case("".join(out) + text[position:])


def _title_word(word: str, source: str) -> Word | None:
    """The lexicon's entry for a title's word: a noun or function word in its dictionary form, an adjective
    in any form («Снежная»)."""
    entry = _lookup(word, source)
    if entry is None:
        return None
    if entry.pos == "adj" or _key(word) == _key(entry.forms.get(source, "")):
        return entry
    return None


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _title_case(text: str) -> str:
    words = text.split(" ")
    return " ".join(word if (i and word.lower() in _SMALL_WORDS) else word[:1].upper() + word[1:]
                    for i, word in enumerate(words))
