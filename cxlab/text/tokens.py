"""Words of a comment in dictionary form, in Russian and English alike.

Russian is lemmatised with pymorphy3 (OpenCorpora dictionary; unknown words
such as "дедлайны" are lemmatised by its suffix predictor), so "отчётах",
"отчеты" and "отчёт" are one word, ``отчет`` (``ё`` is written ``е``:
respondents skip it).  English is stemmed with the Snowball (Porter2)
stemmer, so "reports", "reporting" and "report" are ``report``.  Each word
is treated by its script, which is how comments that mix the two languages
("сорвали deadline по отчету") are read.

Examples
--------
>>> [t.lemma for t in tokenize("Отчёты приходят с задержками")]
['отчет', 'приходить', 'с', 'задержка']
>>> [t.lemma for t in tokenize("Reports are late")]
['report', 'are', 'late']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

__all__ = ["Token", "tokenize", "lemma", "lemmas", "sentences", "CONTENT_POS"]

# Letters only: digits, underscores and punctuation split words; a hyphen
# splits too, so "бизнес-задачи" is "бизнес" + "задача" and "план-факт" two words.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# Sentence ends; a clause break inside a sentence is handled by the caller (it is language-specific).
SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|\n+|(?<=[.!?;…])(?=[А-ЯA-Z])")

#: pymorphy3 parts of speech that carry content (discovery keeps only these
#: Russian words; prepositions, conjunctions, particles and pronouns do not).
CONTENT_POS = frozenset({"NOUN", "ADJF", "ADJS", "COMP", "VERB", "INFN", "PRTF", "PRTS", "GRND", "ADVB", None})


class Token(NamedTuple):
    """A word: as written, in dictionary form, its language and where it stands."""

    text: str
    lemma: str
    lang: str
    start: int
    end: int
    content: bool
    person_name: bool = False


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _english_stop_words() -> frozenset:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@lru_cache(maxsize=500_000)
def _analyse(word: str) -> tuple[str, str, bool, bool]:
    """``(lemma, lang, content, person_name)`` of one lower-case word."""
    if CYRILLIC.search(word):
        parse = _morph().parse(word)[0]
        tag = parse.tag
        content = tag.POS in CONTENT_POS and "Apro" not in tag and "Anph" not in tag
        # A surname or first name by the dictionary, when that is the likeliest reading.
        person = bool({"Surn", "Name", "Patr"} & set(tag.grammemes)) and parse.score >= 0.3
        return parse.normal_form.replace("ё", "е"), "ru", content, person
    word = word.replace("’", "'")
    stem = _stemmer().stemWord(word)
    return stem, "en", word not in _english_stop_words() and len(word) > 1, False


@lru_cache(maxsize=100_000)
def lemmas(word: str) -> frozenset:
    """Every dictionary form pymorphy3 reads a Russian word as ("анне": "анне" and "анна")."""
    word = word.lower()
    if not CYRILLIC.search(word):
        return frozenset({lemma(word)})
    return frozenset(p.normal_form.replace("ё", "е") for p in _morph().parse(word))


def lemma(word: str) -> str:
    """Dictionary form (Russian) or Snowball stem (English) of one word.

    >>> lemma("сроков"), lemma("deadlines")
    ('срок', 'deadlin')
    """
    return _analyse(word.lower())[0]


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` with their lemmas, language and character offsets."""
    if not isinstance(text, str):
        return []
    out = []
    for m in WORD.finditer(text):
        word = m.group(0)
        lem, lang, content, person = _analyse(word.lower())
        # A capitalised word inside a sentence that the dictionary reads as a name.
        person = person and word[:1].isupper()
        out.append(Token(word, lem, lang, m.start(), m.end(), content, person))
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (ends at . ! ? ; … and line breaks)."""
    if not isinstance(text, str) or not text.strip():
        return []
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]
