"""Files that are not what an import expects: each refused in one line naming it, exit 2, nothing stored.

Every hostile file is made here from a real openpyxl workbook or by hand
(no committed binaries): a folder given as the file, a header without rows,
an old ``.xls`` and a password-protected workbook (OLE2 compound files), XXE
and "billion laughs" workbooks (the sheet XML rewritten inside a real
workbook's zip) and formulas without a saved value.  The command line is
called in-process (:func:`cxlab.cli.main`, the real entry point and its one
error handler): an exception that escaped it would fail the test with its
traceback.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cxlab import Workspace
from cxlab.cli import main
from cxlab.errors import InputError
from cxlab.ingest import read_export, read_table

HEADER = ["response_id", "contact_id", "nps", "comment"]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENTITIES_REFUSED = "the file contains XML entity declarations, refused for safety (XXE / entity expansion)"


def _state(ws: Workspace) -> tuple[int, int, int]:
    """(responses, answers, imports): what an import that refuses must leave as it was."""
    with ws.connect() as con:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("responses", "answers", "imports")
        )


def _import(ws: Workspace, *files, extra=()) -> int:
    return main(["import", "--workspace", str(ws.path), "--wave", "2026-Q3", *extra, *map(str, files)])


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def _workbook(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite_sheet(data: bytes, edit) -> bytes:
    """The workbook ``data`` with its first sheet's XML passed through ``edit`` (str -> str)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            body = zin.read(name)
            if name == "xl/worksheets/sheet1.xml":
                body = edit(body.decode("utf-8")).encode("utf-8")
            zout.writestr(name, body)
    return out.getvalue()


def _with_doctype(doctype: str, entity_ref: str):
    """A sheet edit: ``doctype`` after the XML declaration, ``entity_ref`` as the text of the first string cell."""

    def edit(xml: str) -> str:
        decl, rest = xml.split("?>", 1) if xml.startswith("<?xml") else ("", xml)
        rest = rest.replace("<t>R1</t>", f"<t>{entity_ref}</t>", 1)
        return (decl + "?>" if decl else "") + doctype + rest

    return edit


def _ole(streams: list[str]) -> bytes:
    """A minimal OLE2 compound file: the magic, a header, and a directory naming ``streams`` (UTF-16, as Office)."""
    header = OLE_MAGIC + bytes(16) + struct.pack("<HHH", 0x3E, 3, 0xFFFE) + bytes(512 - 30)
    entries = b""
    for name in ["Root Entry", *streams]:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entries += raw.ljust(64, b"\x00") + struct.pack("<H", len(raw)) + bytes(128 - 66)
    return header + entries.ljust(512, b"\x00")


# --- 1. a folder given as the file ------------------------------------------------------------------------------


def test_a_folder_given_as_the_file_is_one_line(small_ws, tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    before = _state(small_ws)
    assert _import(small_ws, folder) == 2
    err = _one_line(capsys)
    assert str(folder) in err and "is a folder, not a file" in err
    assert _state(small_ws) == before


# --- 3. a header and no rows ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("header.csv", ",".join(HEADER) + "\n"),
        ("header_blank_lines.csv", ";".join(HEADER) + "\n\n;;;\n\n"),
        ("header.xlsx", None),
    ],
    ids=["csv", "csv-blank-lines", "xlsx"],
)
def test_a_header_without_rows_is_refused_and_not_audited(small_ws, tmp_path, capsys, name, content):
    path = tmp_path / name
    path.write_bytes(_workbook([HEADER]) if content is None else content.encode("utf-8"))
    before = _state(small_ws)
    assert _import(small_ws, path) == 2
    err = _one_line(capsys)
    assert f"{name}: no answer rows in the file" in err
    assert _state(small_ws) == before  # no row in imports either


# --- 4. an old .xls, an encrypted workbook ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["old.xlsx", "old.xls", "old.csv"])
def test_an_old_xls_is_told_apart_whatever_its_name(small_ws, tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(_ole(["Workbook", "\x05SummaryInformation"]))
    before = _state(small_ws)
    assert _import(small_ws, path) == 2
    err = _one_line(capsys)
    assert f"{name}: an Excel 97-2003 workbook (.xls)" in err and "save it as .xlsx or CSV" in err
    assert "zip" not in err
    assert _state(small_ws) == before


def test_a_password_protected_workbook_says_remove_the_password(small_ws, tmp_path, capsys):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(_ole(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"]))
    before = _state(small_ws)
    assert _import(small_ws, path) == 2
    err = _one_line(capsys)
    assert "secret.xlsx: a password-protected (encrypted) Excel workbook; remove the password" in err
    assert _state(small_ws) == before


def test_a_text_file_named_xlsx_says_it_is_not_a_workbook(tmp_path):
    path = tmp_path / "renamed.xlsx"
    path.write_text("response_id,nps\nR1,9\n")
    with pytest.raises(InputError, match=r"renamed.xlsx: named .xlsx but not an Excel workbook"):
        read_table(path)


# --- 5. XXE and billion laughs ----------------------------------------------------------------------------------

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)
XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("name", "doctype", "ref"), [("laughs.xlsx", LAUGHS, "&lol9;"), ("xxe.xlsx", XXE, "&xxe;")], ids=["laughs", "xxe"]
)
def test_entity_declarations_are_refused_for_safety(small_ws, tmp_path, capsys, name, doctype, ref):
    good = _workbook([HEADER, ["R1", "K1", 9, "ok"]])
    path = tmp_path / name
    path.write_bytes(_rewrite_sheet(good, _with_doctype(doctype, ref)))
    before = _state(small_ws)
    assert _import(small_ws, path) == 2
    err = _one_line(capsys)
    assert f"{name}: {ENTITIES_REFUSED}" in err
    assert "root:" not in err and "lollol" not in err  # nothing read from the disk, nothing expanded
    assert _state(small_ws) == before


def test_a_declaration_past_the_prefilter_is_still_explained(tmp_path):
    """A DTD pushed past the first 64 KB by a comment: openpyxl (defusedxml) refuses it, the reason is kept."""
    good = _workbook([HEADER, ["R1", "K1", 9, "ok"]])
    padded = "<!--" + "x" * 70_000 + "-->" + LAUGHS
    path = tmp_path / "padded.xlsx"
    path.write_bytes(_rewrite_sheet(good, _with_doctype(padded, "&lol9;")))
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.problems[0].message == ENTITIES_REFUSED


# --- 6. formulas without a saved value ----------------------------------------------------------------------------


def test_formulas_without_saved_values_are_refused_by_cell(small_ws, tmp_path, capsys):
    """The formula cells are refused as problems (exit 1), the rest of the file is loaded."""
    path = tmp_path / "formulas.xlsx"
    path.write_bytes(_workbook([HEADER, ["R1", "K1", "=5+4", "ok"], ["R2", "K3", 7, "fine"], ["R3", "K4", "=4+4", ""]]))
    assert _import(small_ws, path) == 1
    out = capsys.readouterr().out
    assert "formulas.xlsx, row 2, column 'nps': cell C2 holds a formula (=5+4) without a saved value" in out
    assert "formulas.xlsx, row 4, column 'nps': cell C4 holds a formula (=4+4) without a saved value" in out
    assert "open and save the file in Excel, or export values" in out
    stored = small_ws.responses().set_index("response_id")["nps"]
    assert stored.loc["R2"] == 7 and stored[["R1", "R3"]].isna().all()


def test_formulas_without_saved_values_refuse_the_file_when_strict(small_ws, tmp_path, capsys):
    path = tmp_path / "formulas.xlsx"
    path.write_bytes(_workbook([HEADER, ["R1", "K1", "=5+4", "ok"]]))
    before = _state(small_ws)
    assert _import(small_ws, path, extra=["--strict"]) == 2
    assert "row 2, column 'nps': cell C2 holds a formula (=5+4) without a saved value" in _one_line(capsys)
    assert _state(small_ws) == before


def test_formulas_with_saved_values_are_read_as_values():
    """What Excel saves (a cached <v>, an empty string result as t="str") is a value, not a problem."""
    from cxlab.ingest.xlsx_checks import formula_cells

    data = _workbook([HEADER, ["R1", "K1", "=5+4", '=""']])

    def cache(xml: str) -> str:
        xml = xml.replace("<f>5+4</f><v />", "<f>5+4</f><v>9</v>").replace("<f>5+4</f><v></v>", "<f>5+4</f><v>9</v>")
        return xml.replace('<c r="D2">', '<c r="D2" t="str">')

    cached = _rewrite_sheet(data, cache)
    assert formula_cells(cached) == []
    result = read_export(cached, source="saved.xlsx", errors="raise")
    assert result.responses["nps"].tolist() == [9.0]


def test_formula_cells_are_found_on_the_named_sheet():
    from cxlab.ingest.xlsx_checks import formula_cells

    wb = openpyxl.Workbook()
    wb.active.append(["nps"])
    wb.active.append([5])
    second = wb.create_sheet("Ответы")
    second.append(["nps"])
    second.append(["=SUM(1,2)"])
    buf = io.BytesIO()
    wb.save(buf)
    assert formula_cells(buf.getvalue(), 0) == []
    assert [(c.row, c.ref, c.formula) for c in formula_cells(buf.getvalue(), "Ответы")] == [(2, "A2", "=SUM(1,2)")]
    assert formula_cells(b"not a zip") == []


def test_odd_files_leave_no_file_behind(small_ws, tmp_path, capsys):
    """Refused files add nothing to the workspace folder (no list of refusals, no temporary)."""
    before = sorted(p.relative_to(small_ws.path) for p in Path(small_ws.path).rglob("*") if p.suffix != ".wal")
    path = tmp_path / "old.xls"
    path.write_bytes(_ole(["Workbook"]))
    assert _import(small_ws, path) == 2
    capsys.readouterr()
    after = sorted(p.relative_to(small_ws.path) for p in Path(small_ws.path).rglob("*") if p.suffix != ".wal")
    assert after == before
