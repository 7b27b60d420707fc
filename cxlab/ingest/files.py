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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.errors import DataError, InputError, Problem

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

    @property
    def first_data_row(self) -> int:
        return self.rows[0] if self.rows else 2

    def row_number(self, position: int) -> int:
        return self.rows[int(position)]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes, source: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # cp1251 decodes almost any byte string, so it is the last resort; a file
    # that is neither UTF-8 nor Cyrillic Windows text will show odd letters,
    # not fail, which is why UTF-8 is tried strictly first.
    try:
        return data.decode("cp1251"), "cp1251"
    except UnicodeDecodeError as exc:  # pragma: no cover - cp1251 maps nearly all bytes
        raise InputError(Problem(source, None, None, f"cannot decode the file: {exc}")) from exc


def _sniff_separator(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
        return max(counts, key=counts.__getitem__) if any(counts.values()) else ","


def read_table(path_or_buffer, *, source: str | None = None, sheet=0, header_rows: int = 1) -> RawTable:
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

    Examples
    --------
    >>> t = read_table(b"a;b\\n1,5;x\\n", source="demo.csv")
    >>> t.separator, t.frame.loc[0, "a"]
    (';', '1,5')
    """
    if isinstance(path_or_buffer, (bytes, bytearray)):
        data, name = bytes(path_or_buffer), source or "<bytes>"
        suffix = ""
    else:
        path = Path(path_or_buffer)
        if not path.exists():
            raise InputError(Problem(str(path), None, None, "file not found"))
        data, name, suffix = path.read_bytes(), source or path.name, path.suffix.lower()
    digest = sha256_bytes(data)
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        try:
            raw = pd.read_excel(io.BytesIO(data), sheet_name=sheet, header=None, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise InputError(Problem(name, None, None, f"cannot read the Excel file: {exc}")) from exc
        encoding = separator = None
    else:
        text, encoding = _decode(data, name)
        separator = _sniff_separator(text)
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
    headers = [[_clean_cell(v) or "" for v in raw.iloc[r].tolist()] for r in range(header_rows)]
    header = [_clean_header(v, i) for i, v in enumerate(raw.iloc[header_rows - 1].tolist())]
    frame = raw.iloc[header_rows:].reset_index(drop=True)
    frame.columns = header
    frame = frame.map(_clean_cell).astype(object)
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
    )


def _clean_header(value, position: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return f"column_{position + 1}"
    return str(value).strip()


def _clean_cell(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        value = value.strip()
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
