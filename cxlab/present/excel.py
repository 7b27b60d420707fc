"""The Excel pack: one sheet per table, ready to read and to filter.

Headers are bold on a dark fill and wrap, panes are frozen under the header,
columns are sized to their content, shares are written as numbers formatted
as percentages (so they sort and sum), and every text is written safely by
the rules of :mod:`cxlab.safe_text`, the same ones as cxlab's CSV files:
control characters (a NUL or a vertical tab pasted from Word, which XLSX
cannot hold) are removed, and text that a spreadsheet would read as a formula
(``=``, ``+``, ``-``, ``@``, a tab or a carriage return at the start; a signed
number is not one) is stored as text with Excel's quote prefix, shown exactly
as written and never run: a client's comment cannot run in the reader's Excel.
No cell of a pack is ever a formula.

Examples
--------
>>> import pandas as pd, tempfile, openpyxl
>>> path = tempfile.mkdtemp() + "/pack.xlsx"
>>> _ = write_pack(path, [Sheet("Summary", pd.DataFrame({"metric": ["=cmd"], "share": [0.25]}),
...                             percent=["share"])])
>>> cell = openpyxl.load_workbook(path)["Summary"]["A2"]
>>> cell.value, cell.data_type
('=cmd', 's')
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cxlab.safe_text import FORMULA_STARTS, is_formula_like, strip_control

__all__ = ["Sheet", "write_pack", "write_frame", "safe_text", "merge_packs"]

#: The first characters of a formula (kept under its old name; the rule is :func:`cxlab.safe_text.neutralise_formula`).
FORMULA_TRIGGERS = FORMULA_STARTS
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")


@dataclass
class Sheet:
    """A sheet of the pack.

    Parameters
    ----------
    name : str
        Sheet name (cut to Excel's 31 characters).
    frame : DataFrame
    percent : list of str
        Columns holding shares 0-1, shown as percentages.
    decimals : dict
        Column -> number of decimals (default 1 for floats).
    headers : dict
        Column -> header text (e.g. translated labels).
    note : str
        A line written above the table (definitions, n rules).
    """

    name: str
    frame: pd.DataFrame
    percent: list[str] = field(default_factory=list)
    decimals: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    note: str | None = None


def safe_text(value: str) -> bool:
    """True when a string would be read by a spreadsheet as a formula (:func:`cxlab.safe_text.is_formula_like`)."""
    return is_formula_like(value)


def _plain(value):
    if value is None:
        return None
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def _text(cell, text: str):
    """Put text into a cell as text (control characters out; quote prefix when formula-like); the cell."""
    cell.value = strip_control(text)
    cell.data_type = "s"
    cell.quotePrefix = is_formula_like(cell.value)
    return cell


def write_frame(ws, frame: pd.DataFrame, *, percent=(), decimals=None, headers=None, note=None) -> None:
    """Write a frame into an openpyxl worksheet with the pack's formatting."""
    decimals = decimals or {}
    headers = headers or {}
    top = 1
    if note:
        _text(ws.cell(row=1, column=1), note).font = Font(italic=True, color="555555")
        top = 3
    for j, col in enumerate(frame.columns, start=1):
        cell = _text(ws.cell(row=top, column=j), str(headers.get(col, col)))
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [min(max(len(str(headers.get(c, c))), 6), 40) for c in frame.columns]
    for i, row in enumerate(frame.itertuples(index=False), start=top + 1):
        for j, value in enumerate(row, start=1):
            value = _plain(value)
            cell = ws.cell(row=i, column=j)
            col = frame.columns[j - 1]
            if isinstance(value, str):
                # openpyxl refuses control characters (IllegalCharacterError) and would store
                # "=..." as a formula: text is cleaned, and always written as text.
                value = _text(cell, value).value
                widths[j - 1] = min(max(widths[j - 1], len(value)), 60)
                continue
            cell.value = value
            if isinstance(value, float):
                if col in percent:
                    cell.number_format = "0.0%"
                else:
                    places = decimals.get(col, 1)
                    cell.number_format = "#,##0" if places == 0 else "#,##0." + "0" * places
                widths[j - 1] = max(widths[j - 1], 9)
            elif hasattr(value, "year"):
                cell.number_format = "yyyy-mm-dd"
                widths[j - 1] = max(widths[j - 1], 11)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w + 2
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    if len(frame.columns):
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(frame.columns))}{top + max(len(frame), 1)}"


def write_pack(path, sheets: list[Sheet]) -> Path:
    """Write sheets to an ``.xlsx`` file (replacing it)."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        name = strip_control(sheet.name)[:31]
        for ch in "[]:*?/\\":
            name = name.replace(ch, " ")
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        ws = wb.create_sheet(name)
        write_frame(
            ws, sheet.frame, percent=sheet.percent, decimals=sheet.decimals, headers=sheet.headers, note=sheet.note
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(wb, path)
    return path


def _save(book, path: Path) -> None:
    """Save a workbook: zipped in memory, then written in one go.

    openpyxl saving straight to a file leaves its zip open when the disk is
    full, and the zip's finaliser fails again later ("Exception ignored
    in ZipFile.__del__"); this way a full disk is one OSError, raised here.
    """
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getbuffer())


def merge_packs(target, sources) -> Path:
    """Append the sheets of other packs to ``target``, values and formatting alike.

    ``cxlab run-wave`` runs its notebooks side by side, each writing its own
    pack; this joins them into the one ``wave_pack.xlsx`` a reader opens.  A
    sheet whose name is already taken gets a numbered suffix.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = write_pack(d / "a.xlsx", [Sheet("Summary", pd.DataFrame({"x": [1]}))])
    >>> _ = write_pack(d / "b.xlsx", [Sheet("Drivers", pd.DataFrame({"y": [0.5]}), percent=["y"])])
    >>> from openpyxl import load_workbook
    >>> load_workbook(merge_packs(d / "a.xlsx", [d / "b.xlsx"])).sheetnames
    ['Summary', 'Drivers']
    """
    from copy import copy

    from openpyxl import load_workbook

    target = Path(target)
    book = load_workbook(target)
    for source in sources:
        other = load_workbook(source)
        for sheet in other.worksheets:
            name = sheet.title
            k = 1
            while name in book.sheetnames:
                k += 1
                name = f"{sheet.title[:28]}_{k}"
            out = book.create_sheet(name)
            for row in sheet.iter_rows():
                for cell in row:
                    new = out.cell(row=cell.row, column=cell.column, value=cell.value)
                    if cell.has_style:
                        new.font, new.fill = copy(cell.font), copy(cell.fill)
                        new.alignment, new.number_format = copy(cell.alignment), cell.number_format
                    if cell.data_type == "s" and isinstance(cell.value, str):
                        new.data_type = "s"  # text that looks like a formula stays text
                    new.quotePrefix = cell.quotePrefix
            for key, dim in sheet.column_dimensions.items():
                out.column_dimensions[key].width = dim.width
            out.freeze_panes = sheet.freeze_panes
            out.auto_filter.ref = sheet.auto_filter.ref
    _save(book, target)
    return target
