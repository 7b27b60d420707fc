"""Representative quotes of a theme, safe to publish.

A quote is the sentence (or sentences) of a comment where the theme is
mentioned, cut at 240 characters.  Quotes are ranked by how
typical they are of the theme's comments (cosine similarity of their TF-IDF
vector of dictionary forms to the theme's centroid) and picked greedily with
maximal marginal relevance, so that two or three quotes say different
things; when praise and complaint are both present, both are shown, the
commoner first.  E-mail addresses, phone numbers and the names passed in
``names`` are masked; a quote carries no respondent, client or contact.

Examples
--------
>>> from cxlab.text import code_themes
>>> coded = code_themes(["Сроки сорвали, пишите на a@b.ru", "Сроки опять сорвали", "Всё вовремя, спасибо"])
>>> representative_quotes(coded, "deadlines", k=2)["quote"].tolist()
['Сроки сорвали, пишите на [e-mail]', 'Всё вовремя, спасибо']
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from cxlab.errors import NotFoundError
from cxlab.text.masking import mask_personal
from cxlab.text.themes import theme_mentions
from cxlab.text.tokens import tokenize

__all__ = ["representative_quotes", "QUOTE_METHOD"]

QUOTE_METHOD = {
    "ru": "самые типичные для темы фразы (косинусная близость TF-IDF к центру темы, отбор MMR); "
    "e-mail, телефоны и имена респондентов скрыты",
    "en": "the most typical sentences of the theme (TF-IDF cosine similarity to the theme's centroid, MMR "
    "selection); e-mails, phones and respondents' names masked",
}
SHORT = 240
MAX_CANDIDATES = 300


def _most_typical(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """The k rows nearest the centroid (sparse; no n x n matrix)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(token_pattern=r"\S+").fit_transform(frame["doc"])
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    sim = matrix @ centroid
    keep = np.argsort(-sim, kind="stable")[:k]
    # Keep both polarities in the pool, so that _pick can still show praise and complaint.
    for polarity in frame["polarity"].unique():
        rows = np.flatnonzero(frame["polarity"].to_numpy() == polarity)
        if not np.isin(rows, keep).any():
            keep = np.append(keep, rows[np.argmax(sim[rows])])
    return frame.iloc[np.sort(keep)].reset_index(drop=True)


def _quote_text(text: str, sentence: str, evidence: str = "") -> str:
    """The sentences that mention the theme; a long one is cut around the theme's first word."""
    quote = sentence or text.strip()
    if len(quote) <= SHORT:
        return quote
    first = evidence.split(", ")[0].split(" ")[0] if evidence else ""
    at = max(quote.find(first), 0) if first else 0
    start = max(0, min(at - SHORT // 3, len(quote) - SHORT + 2))
    cut = quote[start : start + SHORT - 2]
    if start:
        cut = "…" + cut.split(" ", 1)[-1]
    if start + SHORT - 2 < len(quote):
        cut = cut.rsplit(" ", 1)[0] + "…"
    return cut


def representative_quotes(
    coded: pd.DataFrame,
    theme: str,
    k: int = 3,
    *,
    score: str | None = "nps",
    codebook=None,
    names=None,
    lang: str = "ru",
    diversity: float = 0.3,
) -> pd.DataFrame:
    """Two or three quotes that show what clients say about a theme.

    Parameters
    ----------
    coded : DataFrame
        :func:`cxlab.text.code_themes` output.
    theme : str
        Theme id.
    k : int
        Quotes wanted (fewer when fewer comments mention the theme).
    score : str or None
        Column with the 0-10 score, shown beside the quote.
    codebook : default ``agency``
    names : iterable of str, optional
        Personal names to mask in the quotes (respondents' names from the
        contacts table): any inflected form of each part is masked.
    lang : {"ru", "en"}
        Language of the masks.
    diversity : float
        0 = most typical only, 1 = most different from the quotes already picked.

    Returns
    -------
    DataFrame
        ``theme, quote, polarity, score, similarity`` and ``row`` (the
        comment's index label, for joining back by an analyst; reports drop it).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    cols = ["theme", "quote", "polarity", "score", "similarity", "row"]
    if theme not in coded.columns:
        raise NotFoundError(f"no theme column {theme!r}; pass the frame code_themes returned", kind="column", key=theme)
    part = coded[coded[theme].astype(bool)]
    if not len(part):
        return pd.DataFrame(columns=cols)
    mentions = theme_mentions(part[["text"]], codebook)
    mentions = mentions[mentions["theme"] == theme].set_index("row")
    names = tuple(names or ())
    # Masked first, then cut: a phone number cut in half would no longer look like one.
    quotes = [
        _quote_text(t, mask_personal(mentions.at[i, "sentence"], names, lang), mentions.at[i, "evidence"])
        if i in mentions.index
        else _quote_text(t, mask_personal(t, names, lang))
        for i, t in zip(part.index, part["text"])
    ]
    polarity = [mentions.at[i, "polarity"] if i in mentions.index else "neutral" for i in part.index]
    docs = [" ".join(t.lemma for t in tokenize(q) if t.content) or q for q in quotes]
    frame = pd.DataFrame(
        {"quote": quotes, "polarity": polarity, "doc": docs, "row": part.index}, index=range(len(part))
    )
    # One quote per distinct (masked) text: the same sentence from two respondents is one voice twice.
    frame = frame.drop_duplicates("quote")
    if score is not None and score in part.columns:
        frame["score"] = pd.to_numeric(part[score], errors="coerce").to_numpy()[frame.index]
    else:
        frame["score"] = np.nan
    if len(frame) > MAX_CANDIDATES:
        # Pairwise similarity is n x n: rank by typicality first, then diversify among the most typical.
        frame = _most_typical(frame, MAX_CANDIDATES)
    try:
        matrix = TfidfVectorizer(token_pattern=r"\S+").fit_transform(frame["doc"])
    except ValueError:  # no words at all
        matrix = None
    if matrix is not None:
        centroid = np.asarray(matrix.mean(axis=0))
        norm = np.linalg.norm(centroid) or 1.0
        frame["similarity"] = (matrix @ centroid.T).ravel() / norm
        pairwise = (matrix @ matrix.T).toarray()
    else:
        frame["similarity"] = 0.0
        pairwise = np.zeros((len(frame), len(frame)))
    picked = _pick(frame, pairwise, k, diversity)
    out = frame.iloc[picked].assign(theme=theme)
    return out[cols].reset_index(drop=True)


def _pick(frame: pd.DataFrame, pairwise: np.ndarray, k: int, diversity: float) -> list[int]:
    """Maximal marginal relevance, with praise and complaint both shown when both exist."""
    sim = frame["similarity"].to_numpy()
    pol = frame["polarity"].to_numpy()
    counts = pd.Series(pol[pol != "neutral"]).value_counts()
    wanted = list(counts.index[:2]) if k >= 2 else []
    chosen: list[int] = []
    while len(chosen) < min(k, len(frame)):
        best, best_value = None, -np.inf
        need = [p for p in wanted if p not in set(pol[chosen])]
        for i in range(len(frame)):
            if i in chosen:
                continue
            if need and pol[i] != need[0] and (pol == need[0]).any():
                continue
            redundancy = max((pairwise[i, j] for j in chosen), default=0.0)
            value = (1 - diversity) * sim[i] - diversity * redundancy
            if value > best_value:
                best, best_value = i, value
        # Some row is always left to pick: fewer were chosen than the frame has.
        chosen.append(cast(int, best))
    return chosen
