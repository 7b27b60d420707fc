"""Answers as survey tools write them: numbers, labels, choices.

A score may come as ``9``, ``"4,0"``, ``"10 - Крайне вероятно"`` (number and
label, as choice-text exports write end points) or only as a label
(``"Скорее доволен"``).  Labels are read with the label table of the
question's scale (from the questionnaire, both languages); a label that is
not in the table is refused and reported, never guessed.

Examples
--------
>>> import pandas as pd
>>> labels = {"скорее доволен": 4, "satisfied": 4}
>>> to_score(pd.Series(["5", "Скорее доволен", "10 - Крайне вероятно"]), labels=labels).tolist()
[5.0, 4.0, 10.0]
"""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd

from cxlab.errors import InputError, Problem
from cxlab.ingest.files import _NUMBER, RawTable, _locator
from cxlab.questionnaire import normalize_label

__all__ = ["normalize_text", "to_score", "parse_flag", "is_selected", "split_choices"]

_PUNCT = string.punctuation + "«»“”„‘’…–—•"  # stripped around the parts of a split cell
# "10 - Крайне вероятно", "0 – Not at all likely", "5 (Полностью доволен)", "4. Скорее доволен"
_LEADING_NUMBER = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*(?:[-–—:.)(]|\s)\s*\D")
_QUESTION_NUMBER = re.compile(r"^\s*(?:q\s*)?\d+(?:\.\d+)*\s*[.):]\s+", re.I)


def normalize_text(value) -> str:
    """Text for comparison: :func:`~cxlab.questionnaire.normalize_label` without a leading question number.

    A leading question number (``"3. "``, ``"Q3) "``) is dropped, as exports
    often number their questions.

    >>> normalize_text("  3. Насколько ВЫ довольны работой?  ")
    'насколько вы довольны работой'
    """
    if _missing(value):
        return ""
    return normalize_label(_QUESTION_NUMBER.sub("", str(value)))


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def to_score(
    values: pd.Series,
    *,
    labels: dict[str, int] | None = None,
    table: RawTable | None = None,
    column: str | None = None,
    question: str | None = None,
    source: str = "<data>",
    first_row: int = 2,
    problems: list | None = None,
) -> pd.Series:
    """Read scores given as numbers, ``"number - label"`` or labels.

    Parameters
    ----------
    values : Series
        Cells as text.
    labels : dict, optional
        Normalised label text (see :func:`normalize_text`) -> point.
    table, column, question
        Where the cells come from, for messages.
    problems : list, optional
        Collects refused cells (which become NaN); without it an
        :class:`~cxlab.errors.InputError` is raised.
    """
    source, row_of = _locator(table, source, first_row)
    labels = labels or {}
    out = np.full(len(values), np.nan)
    local: list[Problem] = []
    for i, v in enumerate(values.tolist()):
        if _missing(v):
            continue
        if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
            out[i] = float(v)
            continue
        s = str(v).strip()
        compact = s.replace("\u00a0", "").replace(" ", "")
        if _NUMBER.match(compact):
            out[i] = float(compact.replace(",", "."))
            continue
        key = normalize_text(s)
        if key in labels:
            out[i] = float(labels[key])
            continue
        m = _LEADING_NUMBER.match(s)
        if m:
            out[i] = float(m.group(1).replace(",", "."))
            continue
        what = f" of '{question}'" if question else ""
        hint = (
            f"; known labels: {', '.join(sorted(labels)[:12])}"
            if labels
            else "; no label table for this question (pass the wave's questionnaire)"
        )
        local.append(
            Problem(
                source, row_of(i), column, f"unknown answer '{s}'{what}: not a number nor a label of the scale{hint}"
            )
        )
    if local:
        if problems is None:
            raise InputError(local)
        problems.extend(local)
    return pd.Series(out, index=values.index, name=values.name)


_TRUE = {"1", "true", "yes", "да", "complete", "completed", "finished", "завершен", "завершено", "полный"}
_FALSE = {"0", "false", "no", "нет", "partial", "incomplete", "неполный", "не завершен", "незавершен"}


def parse_flag(value) -> bool | None:
    """A yes/no cell (``1``/``0``, ``true``, ``да``, ``Complete``/``Partial``) as True/False; None otherwise.

    >>> [parse_flag(v) for v in ["1", "Нет", "Complete", "", "maybe"]]
    [True, False, True, None, None]
    """
    key = normalize_text(value)
    return True if key in _TRUE else False if key in _FALSE else None


_NOT_SELECTED = {"0", "n", "no", "нет", "false", "ложь", "не выбрано", "not selected", "unchecked"}


def is_selected(value) -> bool:
    """A per-option cell of a multiple choice: filled and not a "no" means selected.

    Tools write the option's text, ``1``, ``Y``, ``Yes`` or ``Да`` for a
    selected option and leave the cell empty (or write ``0``/``N``/``No``)
    otherwise.

    >>> [is_selected(v) for v in ["Y", "Кампании с блогерами", "0", None, "No"]]
    [True, True, False, False, False]
    """
    if _missing(value):
        return False
    return normalize_text(value) not in _NOT_SELECTED


def split_choices(cell, options: list[str], separator: str | None) -> tuple[list[str], list[str]]:
    """Split a cell listing several selected options.

    Known option labels are found first (they may contain the separator:
    ``"Copywriting, articles and op-eds"``); what is left is split on the
    separator.  Returns ``(known options found, other texts)``.

    >>> split_choices("Кампании с блогерами, Copywriting, articles and op-eds",
    ...               ["Copywriting, articles and op-eds", "Кампании с блогерами"], ",")
    (['Copywriting, articles and op-eds', 'Кампании с блогерами'], [])
    """
    if _missing(cell):
        return [], []
    text = str(cell)
    found = []
    # Longest first, so that an option that contains another is taken whole.
    for option in sorted(options, key=len, reverse=True):
        if option and option in text:
            found.append(option)
            text = text.replace(option, separator or " ")
    rest = [p.strip() for p in (text.split(separator) if separator else [text])]
    rest = [p for p in rest if p.strip(_PUNCT + " ")]
    return sorted(found, key=options.index), rest
