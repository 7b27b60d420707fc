"""Reading tabular files the way survey tools and spreadsheets write them.

Russian exports come in cp1251 or UTF-8 with a byte-order mark, separated by
``;`` with decimal commas, with dates as ``dd.mm.yyyy``.  Everything is read as
text first and converted column by column, so that a bad cell is reported
with its file, row and column instead of silently becoming NaN.

Row numbers are the ones a user sees in a spreadsheet: the header is row 1,
the first answer row 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.errors import DataError, InputError, Problem
from cxlab.ingest import xlsx_checks
from cxlab.ingest.encoding import Decoded, decode_text
from cxlab.ingest.limits import CellGuard, check_file_size, check_shape, check_xlsx, current, cut_text
from cxlab.safe_text import strip_control

__all__ = ["RawTable", "read_table", "sha256_bytes", "to_number", "to_datetime"]


@dataclass
class RawTable:
    """A file read as text: the frame, where it came from, and how it was read."""

    frame: pd.DataFrame  # all cells as str (missing as None)
    source: str  # file name for messages
    sha256: str  # hash of the file's bytes
    encoding: str | None
    separator: str | None
    rows: list[int]  # spreadsheet row number of each frame row
    # Every header row as read ('' for a blank cell); read_table always gives them, the readers rely on it.
    headers: list[list[str]] = None  # type: ignore[assignment]
    cleaned_cells: int = 0  # cells (headers included) that had control characters, removed
    cut_cells: int = 0  # cells cut to the limit of characters (cxlab.ingest.limits)
    encoding_notes: tuple[str, ...] = ()  # bytes an explicitly given encoding could not decode
    # Cells read as empty that the reader must refuse by name (formulas without a saved value).
    problems: list[Problem] = field(default_factory=list)

    @property
    def first_data_row(self) -> int:
        return self.rows[0] if self.rows else 2

    def row_number(self, position: int) -> int:
        return self.rows[int(position)]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes, source: str, encoding: str | None = None) -> Decoded:
    # cp1251 decodes almost any byte string, so it is never a fallback: the
    # encoding is decided by evidence, and a file that is not clearly one
    # encoding is refused with the candidates (cxlab.ingest.encoding).
    return decode_text(data, source, encoding)


def _sniff_separator(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
        return max(counts, key=counts.__getitem__) if any(counts.values()) else ","


def read_table(
    path_or_buffer, *, source: str | None = None, sheet=0, header_rows: int = 1, encoding: str | None = None
) -> RawTable:
    """Read a CSV or XLSX file into a frame of text cells.

    Parameters
    ----------
    path_or_buffer : str, Path or bytes
        The file.  ``.xlsx``/``.xlsm`` are read with openpyxl; anything else as
        delimited text with the encoding and separator detected.
    source : str, optional
        Name used in messages (default: the file name).
    sheet : int or str
        Worksheet of an Excel file.
    header_rows : int
        Rows of header; the last one gives the column names (SurveyMonkey
        writes two, Qualtrics three) and all of them are kept in
        ``RawTable.headers`` for readers that need them.
    encoding : str, optional
        Codec of a text file (``koi8_r``, ``latin_1``, ...); by default it is
        decided by evidence and a file that is not clearly one encoding is
        refused (see :mod:`cxlab.ingest.encoding`).

    Examples
    --------
    >>> t = read_table(b"a;b\\n1,5;x\\n", source="demo.csv")
    >>> t.separator, t.frame.loc[0, "a"]
    (';', '1,5')
    """
    if isinstance(path_or_buffer, (bytes, bytearray)):
        data, name = bytes(path_or_buffer), source or "<bytes>"
        suffix = ""
        check_file_size(len(data), name)
    else:
        path = Path(path_or_buffer)
        if not path.exists():
            raise InputError(Problem(str(path), None, None, "file not found"))
        if path.is_dir():
            raise InputError(Problem(str(path), None, None, "is a folder, not a file; give the export file itself"))
        check_file_size(path.stat().st_size, source or path.name)  # before reading a byte of it
        name, suffix = source or path.name, path.suffix.lower()
        try:
            data = path.read_bytes()
        except OSError as exc:  # unreadable (permissions, a device, ...): the user's to fix, not a bug
            raise InputError(Problem(str(path), None, None, f"cannot read the file: {exc.strerror}")) from None
    digest = sha256_bytes(data)
    # An .xls or an encrypted workbook (OLE2) is refused with what to do, whatever its name says.
    xlsx_checks.check_container(data, name)
    formulas: list[xlsx_checks.FormulaCell] = []
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        if data[:4] != b"PK\x03\x04":
            raise InputError(Problem(name, None, None, f"named {suffix} but not an Excel workbook (not a zip archive)"))
        check_xlsx(data, name)  # unpacked size, from the zip's directory: before openpyxl unpacks anything
        if xlsx_checks.declares_entities(data):
            raise InputError(Problem(name, None, None, xlsx_checks.ENTITIES_REFUSED))
        try:
            raw = pd.read_excel(io.BytesIO(data), sheet_name=sheet, header=None, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for a broken file
            reason = xlsx_checks.explain_excel_error(exc) or f"cannot read the Excel file: {exc}"
            raise InputError(Problem(name, None, None, reason)) from exc
        encoding = separator = None
        formulas = xlsx_checks.formula_cells(data, sheet)
    else:
        decoded = _decode(data, name, encoding)
        text, encoding, encoding_notes = decoded.text, decoded.encoding, tuple(decoded.notes)
        separator = _sniff_separator(text)
        # The csv module refuses a field over 128 KB; a long comment is cut below instead, and the file-size
        # limit already bounds the memory (the setting is the process's: it is only ever raised).
        csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
        try:
            raw = pd.read_csv(
                io.StringIO(text),
                sep=separator,
                header=None,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                engine="python",
            )
        except pd.errors.EmptyDataError:
            raise InputError(Problem(name, None, None, "the file is empty")) from None
        except (pd.errors.ParserError, csv.Error) as exc:
            raise InputError(Problem(name, None, None, f"cannot parse as CSV ('{separator}'): {exc}")) from exc
    if len(raw) < header_rows:
        raise InputError(Problem(name, None, None, "the file has no header row"))
    check_shape(len(raw) - header_rows, raw.shape[1], name)
    # Control characters go and over-long text is cut here, at the door, counted for the import report.
    guard = CellGuard()
    headers = [[_clean_cell(v, guard) or "" for v in raw.iloc[r].tolist()] for r in range(header_rows)]
    header = [_clean_header(v, i) for i, v in enumerate(raw.iloc[header_rows - 1].tolist())]
    frame = raw.iloc[header_rows:].reset_index(drop=True)
    frame.columns = header
    frame = frame.map(lambda v: _clean_cell(v, guard)).astype(object)
    frame = frame.where(frame.notna(), None)  # pandas may turn None into NaN; cells promise None
    # Rows are numbered as a spreadsheet shows them (blank rows count), then
    # blank rows are dropped: messages must point at the row the user sees.
    numbers = np.arange(len(frame)) + header_rows + 1
    keep = frame.notna().any(axis=1).to_numpy()
    frame = frame.loc[keep].reset_index(drop=True)
    return RawTable(
        frame=frame,
        source=name,
        sha256=digest,
        encoding=encoding,
        separator=separator,
        rows=numbers[keep].tolist(),
        headers=headers,
        cleaned_cells=guard.cleaned,
        cut_cells=guard.cut,
        encoding_notes=encoding_notes if encoding else (),
        problems=_formula_problems(formulas, header, header_rows, name),
    )


def _formula_problems(cells, header: list[str], header_rows: int, source: str) -> list[Problem]:
    """A problem per answer cell that holds a formula without a saved value (read as empty)."""
    return [
        Problem(
            source,
            c.row,
            header[c.column] if c.column < len(header) else None,
            f"cell {c.ref} holds a formula ({c.formula}) without a saved value; "
            "open and save the file in Excel, or export values, and import it again",
        )
        for c in cells
        if c.row > header_rows
    ]


def _clean_header(value, position: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return f"column_{position + 1}"
    # Counted once, in the headers read by _clean_cell; here only cleaned the same way.
    return cut_text(strip_control(str(value)), current().max_cell_chars).strip()


def _clean_cell(value, guard: CellGuard | None = None):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        value = (guard or CellGuard())(value).strip()
        return value if value else None
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _locator(table: RawTable | None, source: str, first_row: int):
    """Source name and position -> spreadsheet row, from the table when there is one."""
    if table is not None:
        return table.source, table.row_number
    return source, lambda i: first_row + i


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def to_number(
    values: pd.Series,
    *,
    table: RawTable | None = None,
    column: str | None = None,
    source: str = "<data>",
    first_row: int = 2,
    problems: list | None = None,
) -> pd.Series:
    """Convert text cells to floats, accepting decimal commas.

    Cells that are not numbers are reported as problems (file, row, column)
    and become NaN; pass ``problems`` to collect them, otherwise an
    :class:`InputError` is raised.

    >>> to_number(pd.Series(["4,5", "3", None])).tolist()
    [4.5, 3.0, nan]
    """
    source, row_of = _locator(table, source, first_row)
    out = np.full(len(values), np.nan)
    local: list[Problem] = []
    for i, v in enumerate(values.tolist()):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
            out[i] = float(v)
            continue
        s = str(v).strip().replace("\u00a0", "").replace(" ", "")
        if _NUMBER.match(s):
            out[i] = float(s.replace(",", "."))
        else:
            local.append(Problem(source, row_of(i), column, f"'{v}' is not a number"))
    if local:
        if problems is None:
            raise InputError(local)
        problems.extend(local)
    return pd.Series(out, index=values.index, name=values.name)


_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def _parse_date(s: str) -> pd.Timestamp:
    m = _DMY.match(s)
    if m:
        d, mo, y, hh, mm, ss = m.groups()
        return pd.Timestamp(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    if _ISO.match(s):
        ts = pd.Timestamp(s)
        # Times with a zone are stored in UTC without it, so that rows with and
        # without zones compare.
        return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts
    raise DataError(s)


def to_datetime(
    values: pd.Series,
    *,
    table: RawTable | None = None,
    column: str | None = None,
    source: str = "<data>",
    first_row: int = 2,
    problems: list | None = None,
) -> pd.Series:
    """Parse ``dd.mm.yyyy [HH:MM[:SS]]`` and ISO ``yyyy-mm-dd[ HH:MM[:SS]][zone]``; report anything else.

    Other forms (``01/02/2026``) are refused rather than guessed: a day and a
    month that could be swapped are never read silently.

    >>> to_datetime(pd.Series(["24.11.2026 10:05", "2026-11-24"])).dt.day.tolist()
    [24, 24]
    """
    source, row_of = _locator(table, source, first_row)
    out = []
    local: list[Problem] = []
    for i, v in enumerate(values.tolist()):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(pd.NaT)
            continue
        if isinstance(v, pd.Timestamp):
            out.append(v)
            continue
        try:
            out.append(_parse_date(str(v).strip()))
        except (ValueError, TypeError):
            out.append(pd.NaT)
            local.append(Problem(source, row_of(i), column, f"'{v}' is not a date (dd.mm.yyyy or yyyy-mm-dd)"))
    if local:
        if problems is None:
            raise InputError(local)
        problems.extend(local)
    return pd.Series(pd.to_datetime(pd.Series(out, dtype=object)).values, index=values.index, name=values.name)
