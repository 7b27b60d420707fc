"""The codebook: themes and the words that signal them, in an editable YAML file.

A codebook lives in ``templates/themes/<id>.yaml`` (the default is
``agency``) or anywhere on disk.  Its format is documented at the top of
``templates/themes/agency.yaml``: themes with labels and descriptions in
Russian and English, their ``terms`` (what the comment is about),
``negative`` and ``positive`` terms (what also says how it is going), and a
``sentiment`` lexicon (negators, clause breaks, phrases of lack, positive
and negative words).  A codebook may start with ``extends: agency`` and list
only the themes it adds or replaces.

Every term is compiled into the same dictionary forms the comments are read
in (:mod:`cxlab.text.tokens`), so a term is written once in any form.

Examples
--------
>>> cb = load_codebook()
>>> cb.theme_ids[:3]
['responsiveness', 'deadlines', 'reporting']
>>> cb.label("deadlines", "ru")
'Сроки'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from cxlab.errors import InputError, NotFoundError, Problem
from cxlab.resources import template_path
from cxlab.text.tokens import tokenize

__all__ = ["Codebook", "Theme", "Term", "load_codebook", "THEMES_DIR", "DEFAULT_CODEBOOK"]

#: Directory of the bundled codebooks (``templates/themes``, package data).
THEMES_DIR = template_path("themes")
DEFAULT_CODEBOOK = "agency"
LANGS = ("ru", "en")
POLARITY_LISTS = {"terms": 0, "negative": -1, "positive": 1}
SENTIMENT_LISTS = ("negators", "clause_breaks", "lacking", "positive", "negative")


@dataclass(frozen=True)
class Term:
    """One term as written and as matched.

    ``words`` holds one matcher per word: ``("=", lemma)`` for an exact
    dictionary form, ``("*", prefix)`` for a word that starts with the prefix.
    """

    text: str
    lang: str
    words: tuple[tuple[str, str], ...]
    polarity: int = 0


@dataclass(frozen=True)
class Theme:
    id: str
    label: dict
    description: dict
    terms: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Codebook:
    """Themes and sentiment lexicon, compiled for matching.

    Attributes
    ----------
    id : str
    themes : list of Theme
    window : int
        Words allowed between the words of a phrase.
    negation_window : int
        Words before a polar word in which a negator turns it over.
    lexicon : dict
        ``negators, clause_breaks, lacking, positive, negative`` -> list of Term.
    source : str
        File name (and its parent's, for ``extends``) the codebook came from.
    files : tuple
        ``(path, mtime)`` of each file read, so that an edit is noticed.
    """

    id: str
    themes: list[Theme]
    window: int = 3
    negation_window: int = 3
    lexicon: dict = field(default_factory=dict)
    title: dict = field(default_factory=dict)
    source: str = ""
    digest: str = ""
    files: tuple = ()

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise NotFoundError(
            f"codebook {self.id!r} has no theme {theme_id!r}; themes: {', '.join(self.theme_ids)}",
            kind="theme",
            key=theme_id,
        )

    def label(self, theme_id: str, lang: str = "ru") -> str:
        return self.theme(theme_id).label.get(lang) or theme_id

    def labels(self, lang: str = "ru") -> dict[str, str]:
        return {t.id: self.label(t.id, lang) for t in self.themes}

    def join_labels(self, ids, lang: str = "ru") -> str:
        """Theme ids joined by "; " (as ``code_themes`` writes them) -> their labels, joined the same way."""
        if not isinstance(ids, str):
            return ""
        labels = self.labels(lang)
        return "; ".join(labels.get(t, t) for t in ids.split("; ") if t)

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """Every term of every theme, one row each: for the Excel pack and for review.

        Columns ``theme, label, description, kind (terms|negative|positive|exclude), lang, term``.
        """
        kinds = {0: "terms", -1: "negative", 1: "positive"}
        rows = [
            {
                "theme": th.id,
                "label": th.label.get(lang or "ru", th.id),
                "description": th.description.get(lang or "ru", ""),
                "kind": kind,
                "lang": term.lang,
                "term": term.text,
            }
            for th in self.themes
            for kind, term in [(kinds[t.polarity], t) for t in th.terms] + [("exclude", t) for t in th.exclude]
            if lang is None or term.lang == lang
        ]
        return pd.DataFrame(rows, columns=["theme", "label", "description", "kind", "lang", "term"])


def compile_term(text: str, lang: str, polarity: int = 0) -> Term:
    """A term as matchers: each word in dictionary form, or a prefix when it ends with ``*``."""
    words = []
    for raw in str(text).split():
        if raw.endswith("*") and len(raw) > 1:
            words.append(("*", raw[:-1].lower().replace("ё", "е")))
            continue
        if raw.lower() in ("n't", "n’t"):
            words.append(("=", "n't"))
            continue
        for tok in tokenize(raw):
            words.append(("=", tok.lemma))
    return Term(text=str(text), lang=lang, words=tuple(words), polarity=polarity)


def _path_of(name) -> Path:
    if isinstance(name, Path) or str(name).endswith((".yaml", ".yml")) or "/" in str(name):
        return Path(name)
    return THEMES_DIR / f"{name}.yaml"


def _read(path: Path) -> dict:
    if not path.exists():
        known = sorted(p.stem for p in THEMES_DIR.glob("*.yaml"))
        raise InputError(
            Problem(str(path), None, None, f"codebook not found; codebooks in {THEMES_DIR}: {', '.join(known)}")
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = None if mark is None else mark.line + 1
        raise InputError(Problem(str(path), row, None, f"not valid YAML: {getattr(exc, 'problem', exc)}")) from exc
    if not isinstance(raw, dict):
        raise InputError(Problem(str(path), None, None, "a codebook is a mapping with 'themes'"))
    return raw


def _by_lang(value, where: str, path: Path, problems: list) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) - set(LANGS):
        problems.append(Problem(str(path), None, where, "expected a mapping with 'ru' and/or 'en' lists"))
        return {}
    out = {}
    for lang, items in value.items():
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, (str, int, float)) for i in items):
            problems.append(Problem(str(path), None, f"{where}.{lang}", "expected a list of words or phrases"))
            continue
        flags = [i for i in items if isinstance(i, bool)]
        if flags:
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"{where}.{lang}",
                    f"{flags[0]!r} is not a word: YAML reads unquoted no/yes/on/off as "
                    'true/false; write them in quotes ("no")',
                )
            )
            items = [i for i in items if not isinstance(i, bool)]
        out[lang] = [str(i) for i in items if str(i).strip()]
    return out


def _themes(raw: dict, path: Path, problems: list) -> list[Theme]:
    themes = []
    items = raw.get("themes") or []
    if not isinstance(items, list):
        problems.append(Problem(str(path), None, "themes", "expected a list of themes"))
        return []
    seen = set()
    for i, item in enumerate(items):
        where = f"themes[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"].isidentifier():
            problems.append(Problem(str(path), None, where, "each theme needs an 'id' (letters, digits, _)"))
            continue
        tid = item["id"]
        where = f"themes[{i}] ({tid})"
        if tid in seen:
            problems.append(Problem(str(path), None, where, "theme id used twice"))
        seen.add(tid)
        label = item.get("label") or {}
        if not isinstance(label, dict) or not all(label.get(lang) for lang in LANGS):
            problems.append(Problem(str(path), None, f"{where}.label", "needs 'ru' and 'en'"))
            label = {}
        terms = []
        for kind, polarity in POLARITY_LISTS.items():
            for lang, words in _by_lang(item.get(kind), f"{where}.{kind}", path, problems).items():
                terms += [compile_term(w, lang, polarity) for w in words]
        if not terms:
            problems.append(Problem(str(path), None, f"{where}.terms", "a theme needs at least one term"))
        exclude = [
            compile_term(w, lang)
            for lang, words in _by_lang(item.get("exclude"), f"{where}.exclude", path, problems).items()
            for w in words
        ]
        themes.append(
            Theme(
                tid,
                dict(label),
                dict(item.get("description") or {}),
                tuple(t for t in terms if t.words),
                tuple(t for t in exclude if t.words),
            )
        )
    return themes


def load_codebook(codebook=None) -> Codebook:
    """Read and compile a codebook.

    Parameters
    ----------
    codebook : None, str, Path, dict or Codebook
        ``None`` for the default (``templates/themes/agency.yaml``); a
        name under ``templates/themes``; a path to a YAML file; a mapping of
        the same shape; or an already loaded :class:`Codebook` (returned).

    Raises
    ------
    cxlab.errors.InputError
        Naming the file and the field (``themes[3] (price).terms.ru``) of
        each problem.

    Examples
    --------
    >>> cb = load_codebook({"extends": "agency", "themes": [
    ...     {"id": "paperwork", "label": {"ru": "Документы", "en": "Paperwork"},
    ...      "terms": {"ru": ["закрывающий документ", "акт"], "en": ["invoice*"]}}]})
    >>> cb.theme_ids[-1], len(cb.themes)
    ('paperwork', 11)
    """
    if isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, dict):
        return _compile(codebook, Path("<codebook>"))
    path = _path_of(codebook if codebook is not None else DEFAULT_CODEBOOK)
    # A file is read once while it and the files it extends stay unchanged (reports and the dashboard load
    # it often).
    cached = _LOADED.get(str(path.resolve()))
    if cached is not None and all(Path(f).exists() and _stamp(Path(f)) == (f, t) for f, t in cached.files):
        return cached
    _LOADED[str(path.resolve())] = loaded = _compile(_read(path), path)
    return loaded


_LOADED: dict[str, Codebook] = {}


def _compile(raw: dict, path: Path) -> Codebook:
    """A codebook from its parsed YAML (``path`` names it in errors)."""
    problems: list[Problem] = []
    base = None
    if raw.get("extends"):
        parent = _path_of(raw["extends"])
        if path.exists() and parent.resolve() == path.resolve():
            raise InputError(Problem(str(path), None, "extends", "a codebook cannot extend itself"))
        base = load_codebook(parent)
    themes = _themes(raw, path, problems)
    sentiment = raw.get("sentiment")
    if sentiment is not None and not isinstance(sentiment, dict):
        problems.append(Problem(str(path), None, "sentiment", "expected a mapping"))
        sentiment = None
    lexicon = {}
    for name in SENTIMENT_LISTS:
        if sentiment and sentiment.get(name) is not None:
            words = _by_lang(sentiment.get(name), f"sentiment.{name}", path, problems)
            polarity = {"lacking": -1, "negative": -1, "positive": 1}.get(name, 0)
            lexicon[name] = [compile_term(w, lang, polarity) for lang, ws in words.items() for w in ws]
    unknown = set(sentiment or {}) - set(SENTIMENT_LISTS) - {"negation_window"}
    if unknown:
        problems.append(
            Problem(
                str(path),
                None,
                "sentiment",
                f"unknown list(s) {', '.join(sorted(unknown))}; known: {', '.join(SENTIMENT_LISTS)}, negation_window",
            )
        )
    for key, value in (
        ("window", raw.get("window")),
        ("sentiment.negation_window", (sentiment or {}).get("negation_window")),
    ):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10):
            problems.append(Problem(str(path), None, key, f"expected a whole number 0-10, got {value!r}"))
    if problems:
        raise InputError(problems, headline=f"codebook {path} has {len(problems)} problem(s)")
    if base is not None:
        replaced = {t.id: t for t in themes}
        themes = [replaced.pop(t.id, t) for t in base.themes] + list(replaced.values())
        # An extending codebook's sentiment lists add to its parent's.
        lexicon = {name: list(base.lexicon.get(name, ())) + lexicon.get(name, []) for name in SENTIMENT_LISTS}
    if not themes:
        raise InputError(Problem(str(path), None, "themes", "the codebook has no themes"))
    window = raw.get("window", base.window if base else 3)
    neg_window = (sentiment or {}).get("negation_window", base.negation_window if base else 3)
    digest = hashlib.sha256(
        yaml.safe_dump(raw, allow_unicode=True, sort_keys=True).encode() + (base.digest.encode() if base else b"")
    ).hexdigest()[:16]
    files = ((_stamp(path),) if path.exists() else ()) + (base.files if base else ())
    return Codebook(
        id=str(raw.get("id") or path.stem),
        themes=themes,
        window=int(window),
        negation_window=int(neg_window),
        lexicon=lexicon,
        title=dict(raw.get("title") or {}),
        source=path.name + (f" (extends {base.source})" if base else ""),
        digest=digest,
        files=files,
    )


def _stamp(path: Path) -> tuple[str, int]:
    return str(path.resolve()), path.stat().st_mtime_ns


def lemma_set(codebook: Codebook) -> set[str]:
    """Every dictionary form a theme term uses (discovery leaves these out)."""
    return {value for th in codebook.themes for term in th.terms for kind, value in term.words if kind == "="}
