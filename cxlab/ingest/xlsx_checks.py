"""Checks of a spreadsheet file before and after openpyxl reads it.

Three things a hostile or merely old file does that openpyxl reports badly:

* **Not a zip at all.**  An ``.xlsx`` is a zip archive.  An old Excel 97-2003
  workbook (``.xls``) and a password-protected ``.xlsx`` are both OLE2
  compound files (magic ``D0 CF 11 E0 A1 B1 1A E1``); openpyxl says "File is
  not a zip file".  An encrypted workbook keeps its content in a stream named
  ``EncryptedPackage`` (ECMA-376 agile/standard encryption), whose name is
  stored in UTF-16 in the compound file's directory: that tells the two apart.
  See :func:`check_container`.
* **XML entity declarations** (XXE, "billion laughs").  openpyxl parses
  through defusedxml, which refuses them with an exception openpyxl wraps in
  "see the exception for more details".  :func:`declares_entities` finds a
  declaration in the head of each XML part before openpyxl runs, and
  :func:`explain_excel_error` finds defusedxml's refusal in an exception's
  chain; both give :data:`ENTITIES_REFUSED`.
* **Formulas without a saved value.**  A workbook written by a program (not
  saved by Excel) may hold ``<f>5+4</f>`` with no cached ``<v>``: openpyxl
  and pandas read the cell as empty, silently.  :func:`formula_cells` lists
  such cells so that the import can refuse them by name.

Examples
--------
>>> try:
...     check_container(OLE_MAGIC + bytes(600), "old.xls")
... except InputError as err:
...     print(err.problems[0].message.split(";")[0])
an Excel 97-2003 workbook (.xls) or another OLE document, not an .xlsx
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

from cxlab.errors import InputError, Problem

__all__ = [
    "ENTITIES_REFUSED",
    "FormulaCell",
    "OLE_MAGIC",
    "check_container",
    "declares_entities",
    "explain_excel_error",
    "formula_cells",
    "is_ole",
]

#: First bytes of an OLE2 compound file (an .xls, an encrypted .xlsx, an old .doc, ...).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream name an encrypted Office file keeps its content in, as the compound file's directory stores it.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
#: The message for a workbook whose XML declares entities.
ENTITIES_REFUSED = "the file contains XML entity declarations, refused for safety (XXE / entity expansion)"
#: How much of each XML part is searched for a declaration: a DTD can only come before the root element.
_PROLOG_BYTES = 64 * 1024

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def is_ole(data: bytes) -> bool:
    """Whether ``data`` is an OLE2 compound file (an .xls or an encrypted Office file).

    >>> is_ole(OLE_MAGIC + bytes(10)), is_ole(b"PK\\x03\\x04")
    (True, False)
    """
    return data[:8] == OLE_MAGIC


def check_container(data: bytes, source: str) -> None:
    """Refuse an OLE2 file (an old .xls or a password-protected workbook) with what to do about it.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    source : str
        The file's name, for the message.

    Raises
    ------
    InputError
        When ``data`` starts with the OLE2 magic bytes.

    Examples
    --------
    >>> check_container(b"PK\\x03\\x04rest", "ok.xlsx")  # a zip: nothing to say
    """
    if not is_ole(data):
        return
    if _ENCRYPTED_PACKAGE in data:
        reason = (
            "a password-protected (encrypted) Excel workbook; remove the password "
            "(File > Info > Protect Workbook > Encrypt with Password, empty) and save it, or save it as CSV"
        )
    else:
        reason = (
            "an Excel 97-2003 workbook (.xls) or another OLE document, not an .xlsx; "
            "open it in Excel and save it as .xlsx or CSV"
        )
    raise InputError(Problem(source, None, None, reason))


def declares_entities(data: bytes) -> bool:
    """Whether an XML part of the zip ``data`` declares an entity (``<!ENTITY``) in its first 64 KB.

    Only the head of each part is read (a DTD comes before the root element),
    so a zip bomb is not expanded here.  A file that is not a zip gives False.

    Examples
    --------
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("xl/workbook.xml", '<!DOCTYPE x [<!ENTITY a "b">]><workbook/>')
    >>> declares_entities(buf.getvalue())
    True
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with z.open(info) as part:
                    head = part.read(_PROLOG_BYTES)
                # UTF-16 parts are searched in their own encoding too.
                if b"<!ENTITY" in head or "<!ENTITY".encode("utf-16-le") in head:
                    return True
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return False  # openpyxl will say what is wrong with the archive
    return False


def explain_excel_error(exc: BaseException) -> str | None:
    """A plain reason for openpyxl's exception when its chain says why; None otherwise.

    >>> from defusedxml import EntitiesForbidden
    >>> try:
    ...     try:
    ...         raise EntitiesForbidden("lol", None, None, None, None, None)
    ...     except EntitiesForbidden as inner:
    ...         raise ValueError("see the exception for more details") from inner
    ... except ValueError as outer:
    ...     explain_excel_error(outer) == ENTITIES_REFUSED
    True
    """
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is a dependency
        return None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DefusedXmlException):
            return ENTITIES_REFUSED
        current = current.__cause__ or current.__context__
    return None


@dataclass(frozen=True)
class FormulaCell:
    """A cell holding a formula without a saved value: spreadsheet row (1-based), column (0-based), reference."""

    row: int
    column: int
    ref: str
    formula: str


def formula_cells(data: bytes, sheet: int | str = 0) -> list[FormulaCell]:
    """Cells of a worksheet holding a formula without a saved (cached) value.

    A formula whose saved result is an empty string (``t="str"`` with an
    empty ``<v>``) has a value and is not listed.  A workbook whose parts
    cannot be found gives an empty list: this check never stops a file
    openpyxl could read.

    Parameters
    ----------
    data : bytes
        The .xlsx file.
    sheet : int or str
        The worksheet, by position or name, as in :func:`cxlab.ingest.read_table`.

    Examples
    --------
    >>> import openpyxl
    >>> wb = openpyxl.Workbook()
    >>> wb.active.append(["nps", "=5+4"])
    >>> buf = io.BytesIO(); wb.save(buf)
    >>> formula_cells(buf.getvalue())
    [FormulaCell(row=1, column=1, ref='B1', formula='=5+4')]
    """
    from defusedxml.ElementTree import fromstring, iterparse

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            part = _sheet_part(z, sheet, fromstring)
            if part is None or part not in z.namelist():
                return []
            found: list[FormulaCell] = []
            with z.open(part) as stream:
                row = col = 0
                for event, elem in iterparse(stream, events=("start", "end")):
                    tag = elem.tag
                    if event == "start":
                        if tag == _MAIN_NS + "row":
                            row = int(elem.get("r") or row + 1)
                            col = -1
                        continue
                    if tag == _MAIN_NS + "c":
                        ref = elem.get("r")
                        match = _REF.match(ref or "")
                        if match:
                            col = _column_index(match.group(1))
                            row = int(match.group(2))
                        else:
                            col += 1
                        f = elem.find(_MAIN_NS + "f")
                        if f is not None:
                            v = elem.find(_MAIN_NS + "v")
                            has_value = v is not None and (bool(v.text) or elem.get("t") == "str")
                            if not has_value:
                                cell = ref or f"{_column_letter(col)}{row}"
                                found.append(FormulaCell(row, col, cell, "=" + (f.text or "").strip()))
                    elif tag == _MAIN_NS + "row":
                        elem.clear()  # keep memory flat on a long sheet
            return found
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, OSError, EOFError):
        return []


def _sheet_part(z: zipfile.ZipFile, sheet: int | str, fromstring) -> str | None:
    """The zip member of a worksheet, found through the workbook and its relationships."""
    workbook = fromstring(z.read("xl/workbook.xml"))
    sheets = list(workbook.iter(_MAIN_NS + "sheet"))
    if isinstance(sheet, int):
        chosen = sheets[sheet] if 0 <= sheet < len(sheets) else None
    else:
        chosen = next((s for s in sheets if s.get("name") == sheet), None)
    if chosen is None:
        return None
    rid = chosen.get(_REL_NS + "id")
    rels = fromstring(z.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(_PKG_REL_NS + "Relationship"):
        if rel.get("Id") == rid:
            target = rel.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return None


def _column_index(letters: str) -> int:
    """``"A"`` -> 0, ``"AA"`` -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _column_letter(index: int) -> str:
    """0 -> ``"A"``, 26 -> ``"AA"``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
