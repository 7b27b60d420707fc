"""Theme coding of comments with a transparent codebook, and the sentiment of each mention.

:func:`code_themes` gives one row per comment and one boolean column per
theme; :func:`theme_mentions` gives one row per theme found in a comment,
with the words that matched and whether it was said as praise or complaint.

How a comment is read (every step can be checked against the codebook):

1. Words are put in dictionary form (:mod:`cxlab.text.tokens`: pymorphy3 for
   Russian, Snowball for English), each by its own script, so one comment
   may mix both languages.
2. A theme is present when one of its terms matches inside one sentence
   (phrases: all words, any order, at most ``window`` words apart).
3. Polarity is lexicon-based: every positive or negative word, phrase of
   lack ("не хватает", "not enough") and polar theme term in the same clause
   counts, the nearer the more (weight ``1 / (1 + distance)``, a comma adds
   3 to the distance); a negator up to ``negation_window`` words before a
   polar word turns it over ("без опозданий", "no complaints", "не дорого"),
   phrases of lack are never turned over.  A clause after "но", "однако",
   "but", "however" weighs 1.5 times: it carries the point.  With no cue in
   the clause the sentence decides; with none there, the mention is neutral.

Examples
--------
>>> coded = code_themes(["Не хватает цифр в отчётах, и сроки сорвали.", "Always on time, great team!"])
>>> coded.loc[0, ["reporting", "deadlines", "team_people"]].tolist()
[True, True, False]
>>> coded.loc[1, ["reporting", "deadlines", "team_people"]].tolist()
[False, True, True]
>>> theme_mentions(["Нет претензий к срокам"])[["theme", "polarity"]].values.tolist()
[['deadlines', 'positive']]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.errors import DataError, ParameterError
from cxlab.safe_text import MAX_CELL_CHARS, cut_text, strip_control
from cxlab.text.codebook import Codebook, Term, load_codebook
from cxlab.text.tokens import Token, sentences, tokenize

__all__ = ["code_themes", "theme_mentions", "theme_ids", "comment_frame", "SENTIMENT_METHOD", "POLARITY_NAMES"]

SENTIMENT_METHOD = {
    "ru": "словарный метод с учётом отрицаний и оборотов нехватки (кодбук cxlab)",
    "en": "lexicon-based, with negation and phrases of lack (cxlab codebook)",
}
POLARITY_NAMES = {1: "positive", -1: "negative", 0: "neutral"}
OUTPUT_COLUMNS = ("lang", "n_themes", "positive_themes", "negative_themes", "sentiment", "sentiment_score")
CONTRAST_WEIGHT = 1.5
COMMA_DISTANCE = 3
_CONTRAST = {"но", "однако", "зато", "but", "however", "yet"}
#: Columns holding the respondent's own words: why the score, and the open comment.
TEXT_COLUMNS = ("reason", "comment")
#: Longest text read (and then shown) per comment: the import's default cell limit
#: (cxlab.ingest.limits). Text stored before that limit, or longer by a workspace's own setting, is cut
#: here, so that one comment of a megabyte cannot stall a report or the dashboard.
MAX_TEXT_CHARS = MAX_CELL_CHARS


@dataclass(frozen=True)
class _Match:
    term: Term
    positions: tuple[int, ...]


class _Matcher:
    """Finds the terms of a list in a sentence's tokens (an index by first exact word, then a full check)."""

    def __init__(self, terms, window: int, negators=frozenset()):
        self.window = window
        self.negators = negators
        self.by_lemma: dict[str, list[Term]] = defaultdict(list)
        self.by_prefix: list[Term] = []
        for term in terms:
            exact = [v for k, v in term.words if k == "="]
            if exact:
                # Index by the rarest-looking (longest) exact word.
                self.by_lemma[max(exact, key=len)].append(term)
            else:
                self.by_prefix.append(term)

    def find(self, toks: list[Token]) -> list[_Match]:
        lemmas = [t.lemma for t in toks]
        lowers = [t.text.lower().replace("ё", "е") for t in toks]
        # In reading order (never a set's order), so that results do not depend on the hash seed.
        candidates = {id(t): t for lem in dict.fromkeys(lemmas) for t in self.by_lemma.get(lem, ())}
        for t in self.by_prefix:
            candidates[id(t)] = t
        out = []
        for term in candidates.values():
            out += [_Match(term, pos) for pos in self._positions(term, lemmas, lowers)]
        return out

    def _positions(self, term: Term, lemmas, lowers) -> list[tuple[int, ...]]:
        """Every occurrence of the term (an exclusion may cover one and not another)."""
        hits = []
        for kind, value in term.words:
            if kind == "=":
                where = [
                    i for i, lem in enumerate(lemmas) if lem == value or (value == "n't" and lowers[i].endswith("n't"))
                ]
            else:
                where = [
                    i
                    for i, (lem, low) in enumerate(zip(lemmas, lowers))
                    if lem.startswith(value) or low.startswith(value)
                ]
            if not where:
                return []
            hits.append(where)
        if len(hits) == 1:
            return [(p,) for p in hits[0]]
        span = len(hits) - 1 + self.window
        # "нет результата" is not "результат ... нет": a phrase led by a negator keeps its order.
        ordered = term.words[0][1] in self.negators
        taken: set[int]
        found, taken = [], set()
        for anchor in hits[0] if ordered else sorted({p for h in hits for p in h}):
            chosen, used = [], set()
            for h in hits:
                p = next((q for q in h if anchor <= q <= anchor + span and q not in used), None)
                if p is None:
                    break
                chosen.append(p)
                used.add(p)
            else:
                if not taken & set(chosen):
                    found.append(tuple(chosen))
                    taken |= set(chosen)
        return found


class _Reader:
    """A codebook compiled for reading comments; results cached by text."""

    def __init__(self, codebook: Codebook, lang: str | None):
        self.codebook = codebook
        keep = (lambda t: True) if lang is None else (lambda t: t.lang == lang)
        self.theme_of: dict[int, list[str]] = {}
        theme_terms, exclude_terms = [], []
        for th in codebook.themes:
            for term in th.terms:
                if keep(term):
                    theme_terms.append(term)
                    self.theme_of.setdefault(id(term), []).append(th.id)
            for term in th.exclude:
                if keep(term):
                    exclude_terms.append(term)
                    self.theme_of.setdefault(id(term), []).append(th.id)
        lex = codebook.lexicon
        self.negators = frozenset(v for t in lex.get("negators", ()) if keep(t) for k, v in t.words)
        self.themes = _Matcher(theme_terms, codebook.window, self.negators)
        self.exclude = _Matcher(exclude_terms, codebook.window, self.negators)
        self.polar = _Matcher(
            [t for name in ("lacking", "negative", "positive") for t in lex.get(name, ()) if keep(t)], 2, self.negators
        )
        self.lacking = {id(t) for t in lex.get("lacking", ())}
        self.breaks = _Matcher([t for t in lex.get("clause_breaks", ()) if keep(t)], 0)
        self.cache: dict[str, tuple] = {}

    def read(self, text: str) -> tuple[list[dict], int, int]:
        """``(mentions, positive cues, negative cues)`` of one comment."""
        if text in self.cache:
            return self.cache[text]
        mentions, n_pos, n_neg = [], 0, 0
        toks_all = tokenize(text)
        starts = [t.start for t in toks_all]
        for a, b in sentences(text):
            toks = toks_all[bisect_left(starts, a) : bisect_left(starts, b)]
            if not toks:
                continue
            clause, weight, commas, contrast = self._clauses(text, toks)
            found: dict[str, list] = defaultdict(list)
            excluded: dict[str, set] = defaultdict(set)
            for m in self.exclude.find(toks):
                for theme in self.theme_of[id(m.term)]:
                    excluded[theme] |= set(range(min(m.positions), max(m.positions) + 1))
            for m in self.themes.find(toks):
                for theme in self.theme_of[id(m.term)]:
                    if not excluded[theme] & set(m.positions):
                        found[theme].append(m)
            cues = self._cues(toks, commas, [m for ms in found.values() for m in ms])
            n_pos += sum(1 for p in cues.values() if p > 0)
            n_neg += sum(1 for p in cues.values() if p < 0)
            order = {t: i for i, t in enumerate(self.codebook.theme_ids)}
            for theme, matches in sorted(
                found.items(), key=lambda kv: (min(min(m.positions) for m in kv[1]), order[kv[0]])
            ):
                # One vote per clause, however many of the theme's words it holds.
                by_clause: dict[int, set] = defaultdict(set)
                for m in matches:
                    by_clause[clause[min(m.positions)]] |= set(m.positions)
                score = sum(
                    self._polarity(tuple(sorted(pos)), cues, clause, weight, commas, contrast)
                    for pos in by_clause.values()
                )
                positions = sorted({q for m in matches for q in m.positions})
                mentions.append(
                    {
                        "theme": theme,
                        "score": score,
                        "evidence": ", ".join(
                            dict.fromkeys(" ".join(toks[q].text for q in m.positions) for m in matches)
                        ),
                        "sentence": text[a:b].strip(),
                        "start": toks[positions[0]].start,
                        "end": toks[positions[-1]].end,
                    }
                )
        result = (mentions, n_pos, n_neg)
        if len(self.cache) < 200_000:
            self.cache[text] = result
        return result

    @staticmethod
    def _polarity(positions: tuple, cues: dict, clause, weight, commas, contrast) -> float:
        """-1..1 (1.5 in a clause after "but"): the cues of the mention's clause, nearer ones weighing more."""
        first = positions[0]
        here = clause[first]

        def mean(items):
            w = [
                1 / (1 + min(abs(pos - q) for q in positions) + COMMA_DISTANCE * abs(commas[pos] - commas[first]))
                for pos, _ in items
            ]
            return sum(wi * p for wi, (_, p) in zip(w, items)) / sum(w)

        near = [(pos, p) for pos, p in cues.items() if clause[pos] == here]
        if near:
            return weight[first] * mean(near)
        if contrast[here] and here > 0:
            # "Креатив сильный, но сроки едут": after "but" the clause turns the previous one over.
            before = [p for pos, p in cues.items() if clause[pos] == here - 1]
            if before:
                return -weight[first] * float(np.sign(sum(before)))
        return mean(list(cues.items())) if cues else 0.0

    def _clauses(self, text: str, toks: list[Token]):
        """Clause number, clause weight and comma count before each token; which clauses follow a contrast."""
        breaks = {min(m.positions) for m in self.breaks.find(toks)}
        clause, weight, commas, contrast = [], [], [], [False]
        c, w, k = 0, 1.0, 0
        for i, t in enumerate(toks):
            gap = text[toks[i - 1].end : t.start] if i else ""
            k += gap.count(",")
            if i and (re.search(r"[:—–]|\s-\s", gap) or i in breaks):
                c += 1
                is_contrast = i in breaks and t.lemma in _CONTRAST
                w = CONTRAST_WEIGHT if is_contrast else 1.0
                contrast.append(is_contrast)
            clause.append(c)
            weight.append(w)
            commas.append(k)
        return clause, weight, commas, contrast

    def _is_negator(self, tok: Token) -> bool:
        return tok.lemma in self.negators or tok.text.lower().endswith(("n't", "n’t"))

    def _cues(self, toks: list[Token], commas: list[int], theme_matches: list[_Match]) -> dict[int, float]:
        """Position -> polarity of every polar word or phrase, negation applied; absence of a theme word.

        A negator turns over the first polar word after it within the
        window and the same comma segment ("без опозданий", "no complaints").
        A negator just before a plain theme word says it is missing ("нет
        аналитики", "no reports"): a negative cue.
        """
        cues: dict[int, float] = {}
        covered: set[int] = set()
        used: set[int] = set()
        matches = self.polar.find(toks) + [m for m in theme_matches if m.term.polarity != 0]
        # Longest first: "не хватает" before "хватает", "would like" before "like".
        matches.sort(key=lambda m: (-len(m.positions), min(m.positions)))
        window = self.codebook.negation_window
        # A wish or lack turns over the praise that follows it: "хотелось бы более подробных отчётов".
        wishing = {q for m in matches if id(m.term) in self.lacking for q in m.positions}
        for m in matches:
            if covered & set(m.positions):
                continue
            polarity = float(m.term.polarity)
            first = min(m.positions)
            if id(m.term) not in self.lacking and not any(k == "=" and v in self.negators for k, v in m.term.words):
                # A negator between the words of a phrase written in another order ("сроки не соблюдают",
                # "deadlines were not met"), else one just before it.
                inside = [i for i in range(first + 1, max(m.positions)) if i not in m.positions]
                before = []
                for i in range(first - 1, max(-1, first - window - 1), -1):
                    if commas[i] != commas[first]:
                        break
                    before.append(i)
                for i in inside + before:
                    if (self._is_negator(toks[i]) or (i in wishing and polarity > 0)) and i not in used:
                        polarity = -polarity
                        used.add(i)
                        break
            covered |= set(m.positions)
            cues[first] = polarity
        for m in theme_matches:
            first = min(m.positions)
            if m.term.polarity or first in cues:
                continue
            for i in range(first - 1, max(-1, first - 3), -1):
                if commas[i] != commas[first]:
                    break
                if self._is_negator(toks[i]) and i not in used and i not in covered:
                    cues[first] = -1.0
                    used.add(i)
                    break
        return cues


_READERS: dict[tuple, _Reader] = {}


def _reader(codebook, lang) -> _Reader:
    """The compiled reader of a codebook object (kept while that very object is in use)."""
    cb = load_codebook(codebook)
    if lang not in (None, "ru", "en"):
        raise ParameterError(f"lang must be 'ru', 'en' or None (both), not {lang!r}", parameter="lang", value=lang)
    key = (id(cb), lang)
    reader = _READERS.get(key)
    if reader is None or reader.codebook is not cb:
        if len(_READERS) > 32:
            _READERS.clear()
        _READERS[key] = reader = _Reader(cb, lang)
    return reader


def comment_frame(comments) -> pd.DataFrame:
    """Comments as a frame with a ``text`` column, whatever form they came in.

    A list or Series of strings becomes ``text``; a DataFrame keeps its
    columns and gets ``text`` from its ``text`` column, or from ``reason``
    and ``comment`` joined (both are the respondent's words: why the score,
    and what to improve).  The text is cleaned of control characters and
    cut to :data:`MAX_TEXT_CHARS` characters.
    """
    if isinstance(comments, pd.DataFrame):
        frame = comments.copy()
        if "text" in frame:
            frame["text"] = frame["text"].map(_bounded).astype(object)
        else:
            cols = [c for c in TEXT_COLUMNS if c in frame]
            if not cols:
                raise DataError(
                    f"a frame of comments needs a 'text', 'comment' or 'reason' column; it has {list(frame.columns)}",
                    columns=["text", *TEXT_COLUMNS],
                )
            values = zip(*(frame[c].tolist() for c in cols))
            frame["text"] = pd.Series(
                [_bounded(" ".join(_sentence(v) for v in row if isinstance(v, str) and v.strip())) for row in values],
                index=frame.index,
                dtype=object,
            )
        return frame
    if isinstance(comments, str):
        comments = [comments]
    series = pd.Series(comments, dtype=object) if not isinstance(comments, pd.Series) else comments.astype(object)
    return pd.DataFrame({"text": series.map(_bounded).astype(object)})


def _bounded(text):
    """Text without control characters, cut to :data:`MAX_TEXT_CHARS` (the last character ``…``)."""
    if not isinstance(text, str):
        return text
    return cut_text(strip_control(text), MAX_TEXT_CHARS)


def _sentence(text: str) -> str:
    """A text that ends like a sentence, so that two answers joined are two sentences."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…;" else text + "."


def _per_comment(texts, reader: _Reader) -> list[dict]:
    """For each text, theme -> merged mention (score, evidence, sentence, start, end), in reading order."""
    out = []
    for text in texts:
        merged: dict[str, dict] = {}
        if isinstance(text, str) and text.strip():
            for m in reader.read(text)[0]:
                got = merged.get(m["theme"])
                if got is None:
                    merged[m["theme"]] = dict(m)
                    continue
                # One row per comment and theme: the mentions' scores add up.
                got["score"] += m["score"]
                got["evidence"] = ", ".join(dict.fromkeys(got["evidence"].split(", ") + m["evidence"].split(", ")))
                if m["sentence"] not in got["sentence"]:
                    got["sentence"] += " … " + m["sentence"]
                got["start"], got["end"] = min(got["start"], m["start"]), max(got["end"], m["end"])
        out.append(merged)
    return out


def _polarity_name(score: float) -> str:
    return POLARITY_NAMES[int(np.sign(round(score, 9)))]


def theme_mentions(comments, codebook=None, lang: str | None = None) -> pd.DataFrame:
    """One row per theme found in a comment, with its polarity and the words that matched.

    Parameters
    ----------
    comments : list of str, Series or DataFrame
        See :func:`comment_frame`.
    codebook : None, str, path, dict or Codebook
        See :func:`cxlab.text.codebook.load_codebook`; default ``agency``.
    lang : {None, "ru", "en"}
        ``None`` reads both languages in every comment (mixed comments);
        ``"ru"`` or ``"en"`` uses only that language's terms.

    Returns
    -------
    DataFrame
        ``row`` (the comment's index label), ``theme``, ``polarity``
        (positive | negative | neutral), ``score`` (the signed weight of the
        cues, summed over the comment's clauses), ``evidence`` (the matched
        words as written), ``sentence``, ``start``, ``end`` (character
        offsets of the first and last matched word).

    Examples
    --------
    >>> m = theme_mentions(["Дороговато, но результат отличный"])
    >>> m[["theme", "polarity", "evidence"]].values.tolist()
    [['price', 'negative', 'Дороговато'], ['results', 'positive', 'результат, отличный результат']]
    """
    frame = comment_frame(comments)
    reader = _reader(codebook, lang)
    rows = [
        {
            "row": label,
            "theme": theme,
            "polarity": _polarity_name(m["score"]),
            **{k: m[k] for k in ("score", "evidence", "sentence", "start", "end")},
        }
        for label, merged in zip(frame.index, _per_comment(frame["text"], reader))
        for theme, m in merged.items()
    ]
    return pd.DataFrame(rows, columns=["row", "theme", "polarity", "score", "evidence", "sentence", "start", "end"])


def code_themes(comments, codebook=None, lang: str | None = None) -> pd.DataFrame:
    """Code comments by theme: one row per comment, one boolean column per theme.

    Parameters
    ----------
    comments : list of str, Series or DataFrame
        A DataFrame keeps its columns (``response_id``, ``nps``, ``wave_id``
        ...); its text is ``text``, or ``reason`` and ``comment`` joined.
    codebook : None, str, path, dict or Codebook
        Default: ``templates/themes/agency.yaml``.
    lang : {None, "ru", "en"}
        ``None`` (default) reads every word by its script, so Russian,
        English and mixed comments are coded in one pass.

    Returns
    -------
    DataFrame
        Same index as the input.  The input's columns, then ``text``,
        ``lang`` (ru | en | mixed, by the letters of the words; empty for
        no text), one boolean column per theme (codebook order),
        ``n_themes``, ``positive_themes`` and ``negative_themes`` (theme ids
        joined by "; "), ``sentiment`` (positive | negative | mixed |
        neutral; empty for no text) and ``sentiment_score`` ((positive cues
        - negative cues) / all cues, -1..1).  The method is in
        ``attrs["method"]``.

    Examples
    --------
    >>> c = code_themes(["Сроки сорвали, менеджер не отвечает неделями", "Thanks, all good"])
    >>> c.loc[0, "negative_themes"], c.loc[0, "sentiment"], int(c.loc[1, "n_themes"])
    ('responsiveness; deadlines', 'negative', 0)
    """
    frame = comment_frame(comments)
    reader = _reader(codebook, lang)
    ids = reader.codebook.theme_ids
    clash = [c for c in ids + list(OUTPUT_COLUMNS) if c in frame.columns]
    if clash:
        raise DataError(
            f"the comments already have a column {clash[0]!r}, which code_themes writes "
            f"(a theme or one of {', '.join(OUTPUT_COLUMNS)}); rename it first",
            columns=clash,
        )
    texts = frame["text"].tolist()
    per = _per_comment(texts, reader)
    present = {t: np.zeros(len(frame), dtype=bool) for t in ids}
    pos, neg, langs, sentiment, score = [], [], [], [], []
    for i, (text, merged) in enumerate(zip(texts, per)):
        for theme in merged:
            present[theme][i] = True
        pos.append("; ".join(t for t in ids if t in merged and merged[t]["score"] > 1e-9))
        neg.append("; ".join(t for t in ids if t in merged and merged[t]["score"] < -1e-9))
        if not isinstance(text, str) or not text.strip():
            langs.append("")
            sentiment.append("")
            score.append(np.nan)
            continue
        scripts = {t.lang for t in tokenize(text)}
        langs.append("mixed" if len(scripts) > 1 else next(iter(scripts), ""))
        _, n_pos, n_neg = reader.read(text)
        sentiment.append("mixed" if n_pos and n_neg else "positive" if n_pos else "negative" if n_neg else "neutral")
        score.append((n_pos - n_neg) / (n_pos + n_neg) if n_pos + n_neg else 0.0)

    def column(values):
        return pd.Series(values, index=frame.index, dtype=object)

    out = frame.assign(lang=column(langs), **present)
    out["n_themes"] = np.sum([present[t] for t in ids], axis=0).astype(int) if len(frame) else 0
    out["positive_themes"] = column(pos)
    out["negative_themes"] = column(neg)
    out["sentiment"] = column(sentiment)
    out["sentiment_score"] = pd.Series(score, index=frame.index, dtype=float)
    out.attrs["method"] = {
        "ru": f"Темы по кодбуку «{reader.codebook.id}» (леммы pymorphy3, стемминг Snowball), тональность: "
        f"{SENTIMENT_METHOD['ru']}",
        "en": f"Themes by the '{reader.codebook.id}' codebook (pymorphy3 lemmas, Snowball stems); sentiment: "
        f"{SENTIMENT_METHOD['en']}",
    }
    out.attrs["codebook"] = reader.codebook.id
    return out


def theme_ids(coded: pd.DataFrame, codebook=None) -> pd.Series:
    """The themes of each coded comment as codebook ids joined by "; " (codebook order).

    >>> theme_ids(code_themes(["Дорого, и сроки сорвали"])).tolist()
    ['deadlines; price']
    """
    cols = [t for t in load_codebook(codebook).theme_ids if t in coded]
    if not len(coded) or not cols:
        return pd.Series("", index=coded.index, dtype=object)
    present = coded[cols].to_numpy(dtype=bool)
    return pd.Series(
        ["; ".join(t for t, on in zip(cols, row) if on) for row in present], index=coded.index, dtype=object
    )
