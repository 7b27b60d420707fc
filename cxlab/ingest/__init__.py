"""Reading survey exports into canonical frames.

:func:`read_export` is the one entry point: it reads a file (CSV in UTF-8,
UTF-8 with BOM or cp1251, ``,`` or ``;`` separated, decimal commas,
``dd.mm.yyyy`` dates; or XLSX) and returns canonical ``responses`` and
``answers`` frames with an account of what was read.  The store validates
them against the workspace and loads them in one transaction.

Formats: ``"cxlab"`` (the wide response file, see
:mod:`cxlab.ingest.canonical`) and any CSV/XLSX with a ``mapping`` from its
columns to canonical fields.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cxlab.errors import InputError, Problem
from cxlab.ingest.canonical import parse_wide, to_wide
from cxlab.ingest.files import read_table, sha256_bytes

__all__ = ["ExportData", "read_export", "to_wide", "read_table"]

FORMATS = ("cxlab",)


@dataclass
class ExportData:
    """What a survey export held, in canonical form.

    Attributes
    ----------
    responses, answers : DataFrame
        Canonical columns plus ``_row`` (spreadsheet row, for messages).
    source : str
        File name.
    sha256 : str
        Hash of the file's bytes: the key of idempotent imports.
    tool : str
        Detected or given format.
    notes : list of str
        How the file was read (encoding, separator).
    """

    responses: pd.DataFrame
    answers: pd.DataFrame
    source: str
    sha256: str
    tool: str
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.responses)


def read_export(path, *, tool: str = "auto", mapping: dict[str, str] | None = None,
                source: str | None = None) -> ExportData:
    """Read a survey export.

    Parameters
    ----------
    path : str, Path, bytes or DataFrame
        CSV or XLSX file, or a frame in the wide response form.
    tool : {"auto", "cxlab"}
        Format; ``"auto"`` recognises the cxlab response file (or any file
        once ``mapping`` renames its columns).
    mapping : dict, optional
        Column of the file -> canonical field or ``<kind>:<item>``.

    Examples
    --------
    >>> data = read_export(b"response_id;client_id;nps\\nR1;C1;9\\n", source="w.csv")
    >>> data.responses[["response_id", "nps"]].to_dict("records")
    [{'response_id': 'R1', 'nps': 9.0}]
    """
    if isinstance(path, pd.DataFrame):
        # A frame is read back from its CSV form so that it goes through the
        # same checks, row numbers (header = row 1) and content hash as a file.
        path, source = path.to_csv(index=False).encode("utf-8"), source or "<DataFrame>"
    table = read_table(path, source=source)
    if tool not in ("auto",) + FORMATS:
        raise InputError(Problem(table.source, None, None,
                                 f"unknown format '{tool}'; known: auto, " + ", ".join(FORMATS)))
    cols = set((mapping or {}).get(c, c) for c in table.frame.columns)
    if tool == "auto" and "response_id" not in cols:
        raise InputError(Problem(
            table.source, 1, "response_id",
            "required column is missing (a cxlab response file needs it; "
            "for another tool's export pass mapping={file column: canonical field})"))
    responses, answers = parse_wide(table, mapping)
    notes = []
    if table.encoding:
        notes.append(f"read as {table.encoding} text separated by '{table.separator}'")
    return ExportData(responses=responses, answers=answers, source=table.source,
                      sha256=table.sha256, tool="cxlab", notes=notes)
