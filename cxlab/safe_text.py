"""Text that is safe to store and to write: control characters and formula-like cells.

Two rules, used at the door (imports) and by every writer (CSV, XLSX, HTML, JSON):

* **Control characters** other than tab, line feed and carriage return have no
  meaning in a survey answer; text pasted from Word carries vertical tabs
  (``\\x0b``) and form feeds, and some exports carry NUL.  XML 1.0, and so
  XLSX, cannot hold them at all.  :func:`strip_control` removes them (C0
  controls but tab/LF/CR, DEL, and the C1 block U+0080-U+009F, the same set
  openpyxl's ``ILLEGAL_CHARACTERS_RE`` refuses plus DEL and C1).
* **Formula-like cells**: a spreadsheet runs a cell that starts with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return (OWASP, "CSV Injection").
  :func:`neutralise_formula` prefixes such text with a single quote, which
  Excel, LibreOffice and Google Sheets show as text and never evaluate.

Examples
--------
>>> strip_control("Сроки\\x0bсорваны\\x00")
'Срокисорваны'
>>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise_formula("-5")  # a number stays a number
'-5'
"""

from __future__ import annotations

import re

__all__ = [
    "CONTROL_CHARACTERS",
    "FORMULA_STARTS",
    "count_control",
    "is_formula_like",
    "neutralise_formula",
    "safe_cell",
    "safe_frame",
    "strip_control",
]

#: Characters removed from text: C0 controls except tab, LF, CR; DEL; the C1 block.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: First characters that make a spreadsheet cell a formula (OWASP CSV-injection rule).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


#: The default longest text of a cell: imports cut to it (cxlab.ingest.limits), analysis reads no more.
MAX_CELL_CHARS = 10_000
#: What the end of a cut text shows.
ELLIPSIS = "…"


def cut_text(text: str, max_chars: int = MAX_CELL_CHARS) -> str:
    """``text`` cut to ``max_chars`` characters, the last one ``…`` (shorter text is left alone).

    >>> cut_text("abcdef", 4), cut_text("abc", 4)
    ('abc…', 'abc')
    """
    return text if len(text) <= max_chars else text[: max_chars - 1] + ELLIPSIS


def strip_control(text: str) -> str:
    """``text`` without control characters (tab, line feed and carriage return are kept)."""
    return CONTROL_CHARACTERS.sub("", text)


def count_control(text: str) -> int:
    """How many control characters :func:`strip_control` would remove from ``text``."""
    return len(CONTROL_CHARACTERS.findall(text))


def is_formula_like(text) -> bool:
    """True when a spreadsheet would read ``text`` as a formula: the one test behind :func:`neutralise_formula`.

    >>> is_formula_like("@SUM(1)"), is_formula_like("-5"), is_formula_like("ok"), is_formula_like(3)
    (True, False, False, False)
    """
    return isinstance(text, str) and neutralise_formula(text) != text


def neutralise_formula(text: str) -> str:
    """``text`` prefixed with ``'`` when a spreadsheet would read it as a formula; numbers are left alone.

    A signed number (``-5``, ``+7,5``) is not a formula and is kept as it is,
    so that exported scores stay numbers.
    """
    if text and text.startswith(FORMULA_STARTS) and not _NUMBER.match(text.strip()):
        return "'" + text
    return text


def safe_cell(value, *, raw: bool = False):
    """A cell as a spreadsheet file may hold it: text without control characters and, unless ``raw``, not a formula.

    Anything that is not text (numbers, dates, missing values) is returned
    unchanged: a number stays a number.

    Parameters
    ----------
    value : object
    raw : bool
        Keep formula-like text as it is (control characters are removed all
        the same: XLSX cannot hold them, and nothing reads them).

    Examples
    --------
    >>> safe_cell("=1+1"), safe_cell("=1+1", raw=True), safe_cell("a\\x00b"), safe_cell(-5)
    ("'=1+1", '=1+1', 'ab', -5)
    """
    if not isinstance(value, str):
        return value
    text = strip_control(value)
    return text if raw else neutralise_formula(text)


def safe_frame(frame, *, raw: bool = False):
    """A copy of a pandas DataFrame with :func:`safe_cell` applied to every text cell and column name.

    Only text columns (object or string dtype) are touched, so numeric
    columns keep their type and are written as numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> out = safe_frame(pd.DataFrame({"comment": ["@SUM(1)", "-5", "ok"], "nps": [-5, 9, 10]}))
    >>> out["comment"].tolist(), out["nps"].dtype.kind
    (["'@SUM(1)", '-5', 'ok'], 'i')
    """
    from pandas.api.types import is_object_dtype, is_string_dtype

    out = frame.copy()
    for col in out.columns:
        if is_object_dtype(out[col].dtype) or is_string_dtype(out[col].dtype):
            out[col] = out[col].map(lambda v: safe_cell(v, raw=raw))
    out.columns = [safe_cell(c, raw=raw) for c in out.columns]
    return out
