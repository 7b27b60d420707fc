"""Themes the codebook misses: TF-IDF and NMF over a wave's comments.

By default the documents are the sentences no codebook theme caught (what
the codebook misses); with ``scope="all"`` they are whole comments.  Each
becomes the dictionary forms of its content words (nouns, verbs,
adjectives, adverbs; no prepositions, particles or pronouns, no English stop
words), with the words the codebook and its sentiment lexicon use left out.  Unigrams and
bigrams are weighted by TF-IDF and factorised by non-negative matrix
factorisation (scikit-learn, NNDSVD start, deterministic).  Each topic comes
with its top terms, how many comments it dominates, how many of those no
theme caught, and example comments, so an analyst can decide whether it is
a new theme and paste :meth:`ThemeDiscovery.to_yaml` into the codebook.

Examples
--------
>>> comments = ["Закрывающие документы приходят поздно", "Закрывающие документы опять с ошибками",
...             "Счета и закрывающие документы теряются", "Офис далеко от метро", "До офиса неудобно ехать",
...             "Офис неудобный, парковки нет"] * 2
>>> d = discover_themes(comments, n_topics=2)
>>> sorted(t.split(", ")[0] for t in d.topics["top_terms"])
['документ', 'офис']
"""

from __future__ import annotations

import itertools
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxlab.errors import ParameterError
from cxlab.text.codebook import lemma_set, load_codebook
from cxlab.text.masking import mask_personal
from cxlab.text.themes import comment_frame, theme_mentions
from cxlab.text.tokens import tokenize

__all__ = ["discover_themes", "ThemeDiscovery", "DISCOVERY_METHOD"]

DISCOVERY_METHOD = {
    "ru": "TF-IDF (слова и пары слов в словарной форме, без слов кодбука) и NMF (scikit-learn)",
    "en": "TF-IDF (words and word pairs in dictionary form, codebook words left out) and NMF (scikit-learn)",
}


@dataclass
class ThemeDiscovery:
    """Topics found in comments, with what an analyst needs to judge them.

    Attributes
    ----------
    topics : DataFrame
        ``topic, top_terms, weights, n_comments`` (comments the topic
        dominates), ``n_uncovered`` (of those, with no codebook theme),
        ``examples`` (masked, joined by " | ").
    examples : DataFrame
        ``topic, comment, weight``: up to ``n_examples`` per topic.
    n_documents : int
        Documents (sentences, or comments with ``scope="all"``) with at
        least one word left after filtering.
    message : dict
        Why nothing was found, when nothing was ({"ru": ..., "en": ...}).
    method : dict
    """

    topics: pd.DataFrame
    examples: pd.DataFrame
    n_documents: int
    message: dict = field(default_factory=dict)
    method: dict = field(default_factory=lambda: dict(DISCOVERY_METHOD))
    terms: dict = field(default_factory=dict)

    def summary(self, lang: str = "en") -> str:
        """A readable account of the topics."""
        if not len(self.topics):
            return self.message.get(lang, "")
        lines = [f"{self.method[lang]}; n = {self.n_documents}"]
        for t in self.topics.itertuples():
            lines.append(f"topic {t.topic}: {t.top_terms}  ({t.n_comments} comments, {t.n_uncovered} uncovered)")
            for ex in self.examples[self.examples["topic"] == t.topic]["comment"]:
                lines.append(f"    - {ex}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"ThemeDiscovery({len(self.topics)} topics over {self.n_documents} comments)"

    def to_yaml(self, topics=None) -> str:
        """Codebook entries for the topics, to edit and paste under ``themes:``."""
        import yaml

        entries = []
        for t in self.topics.itertuples():
            if topics is not None and t.topic not in topics:
                continue
            by_lang = defaultdict(list)
            for term in self.terms.get(t.topic, []):
                lang = "ru" if any("а" <= ch <= "я" or ch == "ё" for ch in term.lower()) else "en"
                by_lang[lang].append(term)
            entries.append({"id": f"new_topic_{t.topic}", "label": {"ru": "…", "en": "…"}, "terms": dict(by_lang)})
        return yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)


def _documents(texts, skip: set[str]) -> tuple[list[list[str]], dict[str, Counter]]:
    """Content lemmas (and adjacent pairs) of each text; the surface forms each lemma was written as."""
    docs: list[list[str]]
    surface: defaultdict[str, Counter[str]]
    docs, surface = [], defaultdict(Counter)
    for text in texts:
        words: list[str | None] = []
        for tok in tokenize(text) if isinstance(text, str) else []:
            if not tok.content or tok.person_name or tok.lemma in skip or len(tok.lemma) < 3:
                words.append(None)
                continue
            words.append(tok.lemma)
            surface[tok.lemma][tok.lemma if tok.lang == "ru" else tok.text.lower()] += 1
        grams = [w for w in words if w]
        grams += [f"{a} {b}" for a, b in itertools.pairwise(words) if a and b]
        docs.append(grams)
    return docs, surface


def _uncovered_sentences(texts, codebook) -> tuple[list[str], list[int]]:
    """Sentences that no theme caught, and the comment each came from."""
    from cxlab.text.themes import _reader
    from cxlab.text.tokens import sentences

    reader = _reader(codebook, None)
    out, owner = [], []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            continue
        for a, b in sentences(text):
            sentence = text[a:b].strip()
            if not reader.read(sentence)[0]:
                out.append(sentence)
                owner.append(i)
    return out, owner


def discover_themes(
    comments,
    codebook=None,
    n_topics: int | None = None,
    *,
    n_terms: int = 8,
    n_examples: int = 3,
    exclude_codebook: bool = True,
    min_df: int = 2,
    scope: str = "uncovered",
    names=(),
    lang: str = "ru",
    random_state: int = 0,
) -> ThemeDiscovery:
    """Find recurring topics in comments, beside or beyond the codebook.

    Parameters
    ----------
    comments : list of str, Series or DataFrame
        As for :func:`cxlab.text.code_themes`.
    codebook : default ``agency``
        Its words are left out (``exclude_codebook``), and comments it
        codes are counted as covered.
    n_topics : int, optional
        Default: one per 10 documents with words, between 2 and 6.
    n_terms, n_examples : int
        Top terms and example comments per topic.
    min_df : int
        A term must appear in at least this many documents.
    scope : {"uncovered", "all"}
        Documents: the sentences no theme caught (default), or whole comments.
    names : iterable of str
        Respondents' names, masked in the examples with e-mails and phones
        (:func:`cxlab.text.masking.mask_personal`).
    lang : {"ru", "en"}
        Language of the masks.
    random_state : int
        NMF's seed (the NNDSVD start makes it deterministic anyway).

    Returns
    -------
    ThemeDiscovery
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    frame = comment_frame(comments)
    cb = load_codebook(codebook)
    names = tuple(names or ())
    texts = frame["text"].tolist()
    if scope not in ("uncovered", "all"):
        raise ParameterError(f"scope must be 'uncovered' or 'all', not {scope!r}", parameter="scope", value=scope)
    if scope == "uncovered":
        documents, owner = _uncovered_sentences(texts, cb)
    else:
        documents, owner = texts, list(range(len(texts)))
    skip = lemma_set(cb) if exclude_codebook else set()
    skip |= {
        w
        for name in ("positive", "negative", "lacking", "negators")
        for t in cb.lexicon.get(name, ())
        for k, w in t.words
        if k == "="
    }
    docs, surface = _documents(documents, skip)
    keep = [i for i, d in enumerate(docs) if d]
    empty_topics = pd.DataFrame(columns=["topic", "top_terms", "weights", "n_comments", "n_uncovered", "examples"])
    empty_examples = pd.DataFrame(columns=["topic", "comment", "weight"])
    if len(keep) < max(2 * min_df, 5):
        return ThemeDiscovery(
            empty_topics,
            empty_examples,
            len(keep),
            message={
                "ru": f"Слишком мало комментариев для поиска новых тем ({len(keep)} с содержательными словами).",
                "en": f"Too few comments to look for new themes ({len(keep)} with content words).",
            },
        )
    try:
        vectorizer = TfidfVectorizer(analyzer=lambda d: d, min_df=min_df, sublinear_tf=True)
        matrix = vectorizer.fit_transform([docs[i] for i in keep])
    except ValueError:
        matrix = None
    if matrix is None or matrix.shape[1] < 2:
        return ThemeDiscovery(
            empty_topics,
            empty_examples,
            len(keep),
            message={
                "ru": f"Нет слов, которые повторялись бы хотя бы в {min_df} комментариях, кроме слов кодбука.",
                "en": f"No words beyond the codebook's recur in at least {min_df} comments.",
            },
        )
    k = n_topics or int(np.clip(len(keep) // 10, 2, 6))
    k = max(1, min(k, matrix.shape[0] - 1, matrix.shape[1]))
    model = NMF(n_components=k, init="nndsvd", random_state=random_state, max_iter=2000, tol=1e-3)
    with warnings.catch_warnings():
        # On a few dozen short documents NMF may stop at max_iter; the NNDSVD start makes the result
        # the same on every run, and the topics are for an analyst to judge, not a fitted model.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    vocab = vectorizer.get_feature_names_out()
    # A frame code_themes returned already knows which comments a theme caught.
    covered = (frame["n_themes"] > 0).tolist() if "n_themes" in frame else code_covered(frame, cb)
    dominant = weights.argmax(axis=1)
    strength = weights.max(axis=1)
    rows, examples, terms = [], [], {}
    for t in range(k):
        order: np.ndarray | list[int]
        order = np.argsort(-model.components_[t], kind="stable")[:n_terms]
        order = [i for i in order if model.components_[t, i] > 0]
        shown = [" ".join(_display(w, surface) for w in vocab[i].split()) for i in order]
        rows_in = list(np.where((dominant == t) & (strength > 0))[0])
        members = sorted({owner[keep[j]] for j in rows_in})
        ranked = sorted(rows_in, key=lambda j: -weights[j, t])
        ex: list[tuple[str, float]]
        ex, seen = [], set()
        for j in ranked:
            quote = mask_personal(documents[keep[j]], names, lang)
            if quote not in seen and len(ex) < n_examples:
                seen.add(quote)
                ex.append((quote, float(weights[j, t])))
        examples += [{"topic": t + 1, "comment": c, "weight": w} for c, w in ex]
        terms[t + 1] = shown
        rows.append(
            {
                "topic": t + 1,
                "top_terms": ", ".join(shown),
                "weights": ", ".join(f"{model.components_[t, i]:.2f}" for i in order),
                "n_comments": len(members),
                "n_uncovered": int(sum(not covered[i] for i in members)),
                "examples": " | ".join(c for c, _ in ex),
            }
        )
    topics = pd.DataFrame(rows).sort_values("n_comments", ascending=False, kind="stable").reset_index(drop=True)
    return ThemeDiscovery(
        topics, pd.DataFrame(examples, columns=["topic", "comment", "weight"]), len(keep), terms=terms
    )


def code_covered(frame: pd.DataFrame, codebook) -> list[bool]:
    """For each comment, whether any codebook theme caught it."""
    mentions = theme_mentions(frame[["text"]], codebook)
    hit = set(mentions["row"])
    return [label in hit for label in frame.index]


def _display(lemma: str, surface: dict) -> str:
    """How a lemma or stem is shown: itself for Russian, its commonest spelling for English stems."""
    forms = surface.get(lemma)
    return forms.most_common(1)[0][0] if forms else lemma
