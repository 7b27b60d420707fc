"""Hostile text in a workspace, then every spreadsheet file cxlab writes: nothing run, leaked or half-written.

The payloads are the OWASP CSV-injection starts (``= + - @``, tab, carriage
return) stored as respondents' answers and as a follow-up note; the files are
read back with the csv module and openpyxl, as another program would.  A full
disk is a real one: a tmpfs of a few pages mounted for the test (as root, as
CI runs; skipped where mounting is not permitted).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cxlab import Workspace
from cxlab.cli import main

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil","x")',
    "@SUM(1)",
    "+1+1",
    "-2+3",
    "\t=1",
    "\r=1",
]
PII_COMMENT = "пишите ivan.petrov@mail.ru или +7 916 123-45-67, Иван Петров"
CONTROL_COMMENT = "Сроки\x00сорваны\x0bснова"
# A cell a spreadsheet would run: the OWASP starts, unless the whole cell is a number.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d*)?([eE][+-]?\d+)?$")


def _xml(text: str) -> str:
    """Text as an XLSX gives it back: XML reads a carriage return as a line feed."""
    return text.replace("\r", "\n")


def _runs_as_formula(text: str) -> bool:
    return text.startswith(_FORMULA_START) and not _NUMBER.match(text.strip())


def _store(ws: Workspace, table: str, key: str, column: str, values: dict) -> None:
    """Write text into the workspace as it stands, past any cleaning at the door (a workspace made before it)."""
    with ws.connect(read_only=False) as con:
        for k, v in values.items():
            con.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", [v, k])


@pytest.fixture(scope="module")
def hostile_ws(small_ws_template, tmp_path_factory):
    """The small workspace with the payloads in comments, reasons, an action note and a client's name."""
    ws = Workspace(shutil.copytree(small_ws_template.path, tmp_path_factory.mktemp("hostile") / "acme"))
    ws.load("contacts", pd.DataFrame({"contact_id": ["K6"], "client_id": ["C1"], "name": ["Иван Петров"]}))
    rows = "\n".join(f"R{i},K{i},{i + 4}" for i in range(1, 6))
    q2 = "\n".join(f"Q{i},K{i},{i + 3}" for i in range(1, 6))
    src = tmp_path_factory.mktemp("files")
    (src / "q3.csv").write_text("response_id,contact_id,nps\n" + rows + "\n", encoding="utf-8")
    (src / "q2.csv").write_text("response_id,contact_id,nps\n" + q2 + "\n", encoding="utf-8")
    ws.import_wave(str(src / "q3.csv"), "2026-Q3", errors="raise")
    ws.import_wave(str(src / "q2.csv"), "2026-Q2", errors="raise")
    ids = ["R1", "R2", "R3", "R4", "R5", "Q1", "Q2"]
    _store(ws, "responses", "response_id", "comment", dict(zip(ids, PAYLOADS)))
    _store(ws, "responses", "response_id", "reason", dict(zip(ids, reversed(PAYLOADS))))
    _store(ws, "responses", "response_id", "comment", {"Q3": "-5", "Q4": PII_COMMENT, "Q5": CONTROL_COMMENT})
    _store(ws, "responses", "response_id", "language", {"Q4": "ru"})
    actions = ws.add_actions([{"client_id": "C1", "wave_id": "2026-Q3", "note": "x"} for _ in PAYLOADS + [0]])
    _store(ws, "actions", "action_id", "note", dict(zip(actions, PAYLOADS + [CONTROL_COMMENT])))
    # A long note on a 2026-Q3 action: an export of every wave is pages bigger than one of 2026-Q2.
    ws.add_actions([{"client_id": "C3", "wave_id": "2026-Q3", "note": "очень долго " * 2000}])
    _store(ws, "clients", "client_id", "name", {"C2": '=HYPERLINK("http://evil","x")'})
    ws.load(
        "events",
        pd.DataFrame(
            {"client_id": ["C1"], "date": pd.to_datetime(["2026-07-01"]), "kind": ["downsized"], "value": [-5.0]}
        ),
    )
    stored = ws.sql("SELECT response_id, comment FROM responses").set_index("response_id")["comment"]
    assert stored["R1"] == PAYLOADS[0] and stored["Q5"] == CONTROL_COMMENT  # stored as typed
    return ws


def _export(ws, out, *options) -> tuple[int, str]:
    """``cxlab export`` in this process; its exit status."""
    return main(["export", "--workspace", str(ws.path), "--out", str(out), *options])


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _xlsx_rows(path: Path, sheet: str) -> list[dict]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _assert_no_formula_cells_csv(folder: Path) -> int:
    seen = 0
    for path in folder.glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                for cell in row:
                    assert not _runs_as_formula(cell), (path.name, cell)
                    seen += cell.startswith("'")
    return seen


def _assert_no_formula_cells_xlsx(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not _runs_as_formula(cell.value), (sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


# ------------------------------------------------------------------ formulas


def test_csv_export_neutralises_every_formula(hostile_ws, tmp_path, capsys):
    assert _export(hostile_ws, tmp_path, "--format", "csv") == 0
    assert _assert_no_formula_cells_csv(tmp_path) >= 3 * len(PAYLOADS)
    responses = {r["response_id"]: r for r in _csv_rows(tmp_path / "responses.csv")}
    ids = ["R1", "R2", "R3", "R4", "R5", "Q1", "Q2"]
    assert [responses[i]["comment"] for i in ids] == ["'" + p for p in PAYLOADS]
    assert [responses[i]["reason"] for i in ids] == ["'" + p for p in reversed(PAYLOADS)]
    notes = [r["note"] for r in _csv_rows(tmp_path / "actions.csv")]
    assert notes[: len(PAYLOADS)] == ["'" + p for p in PAYLOADS]
    assert {r["client_id"]: r["name"] for r in _csv_rows(tmp_path / "clients.csv")}["C2"] == (
        "'" + '=HYPERLINK("http://evil","x")'
    )
    # Numbers stay numbers: a negative value, a comment that is just "-5", the scores.
    assert responses["Q3"]["comment"] == "-5"
    assert float(_csv_rows(tmp_path / "events.csv")[0]["value"]) == -5.0
    assert pd.read_csv(tmp_path / "responses.csv")["nps"].dtype.kind in "if"


def test_xlsx_export_neutralises_every_formula(hostile_ws, tmp_path):
    assert _export(hostile_ws, tmp_path, "--format", "xlsx") == 0
    [path] = tmp_path.glob("*.xlsx")
    _assert_no_formula_cells_xlsx(path)
    responses = {r["response_id"]: r for r in _xlsx_rows(path, "responses")}
    ids = ["R1", "R2", "R3", "R4", "R5", "Q1", "Q2"]
    assert [responses[i]["comment"] for i in ids] == ["'" + _xml(p) for p in PAYLOADS]
    assert [responses[i]["reason"] for i in ids] == ["'" + _xml(p) for p in reversed(PAYLOADS)]
    assert [r["note"] for r in _xlsx_rows(path, "actions")][: len(PAYLOADS)] == ["'" + _xml(p) for p in PAYLOADS]
    assert responses["Q3"]["comment"] == "-5"
    [event] = _xlsx_rows(path, "events")
    assert event["value"] == -5 and isinstance(event["value"], (int, float))  # a number, not text
    assert isinstance(responses["R1"]["nps"], (int, float))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_raw_export_keeps_text_as_stored(hostile_ws, tmp_path, fmt):
    assert _export(hostile_ws, tmp_path, "--format", fmt, "--raw") == 0
    if fmt == "csv":
        responses = {r["response_id"]: r for r in _csv_rows(tmp_path / "responses.csv")}
    else:
        [path] = tmp_path.glob("*.xlsx")
        responses = {r["response_id"]: r for r in _xlsx_rows(path, "responses")}
        # Raw is the stored text, still written as text: the workbook itself holds no formula.
        _assert_no_formula_cells_xlsx_types_only(path)
    ids = ["R1", "R2", "R3", "R4", "R5", "Q1", "Q2"]
    assert [responses[i]["comment"] for i in ids] == (PAYLOADS if fmt == "csv" else [_xml(p) for p in PAYLOADS])
    # --raw opts out of the formula rule only: personal data stays masked, control characters stay out.
    assert "ivan.petrov@mail.ru" not in responses["Q4"]["comment"]
    assert responses["Q5"]["comment"] == "Срокисорваныснова"


def _assert_no_formula_cells_xlsx_types_only(path: Path) -> None:
    for sheet in openpyxl.load_workbook(path).worksheets:
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), sheet.title


# ---------------------------------------------------------- personal data


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_personal_data_in_comments_masked_without_include_pii(hostile_ws, tmp_path, fmt):
    assert _export(hostile_ws, tmp_path / "masked", "--format", fmt) == 0
    assert _export(hostile_ws, tmp_path / "pii", "--format", fmt, "--include-pii") == 0

    def comment(folder):
        if fmt == "csv":
            rows = _csv_rows(folder / "responses.csv")
        else:
            [path] = folder.glob("*.xlsx")
            rows = _xlsx_rows(path, "responses")
        return {r["response_id"]: r["comment"] for r in rows}["Q4"]

    masked = comment(tmp_path / "masked")
    for personal in ("ivan.petrov", "mail.ru", "916", "123-45-67", "Иван", "Петров"):
        assert personal not in masked, masked
    assert masked == "пишите [e-mail] или [телефон], [имя] [имя]"
    assert comment(tmp_path / "pii") == PII_COMMENT


# ------------------------------------------------------ control characters


def test_control_characters_export_to_xlsx(hostile_ws, tmp_path, capsys):
    assert _export(hostile_ws, tmp_path, "--format", "xlsx") == 0
    assert "Traceback" not in capsys.readouterr().err
    [path] = tmp_path.glob("*.xlsx")
    assert {r["response_id"]: r["comment"] for r in _xlsx_rows(path, "responses")}["Q5"] == "Срокисорваныснова"
    assert _xlsx_rows(path, "actions")[7]["note"] == "Срокисорваныснова"


def test_control_characters_leave_csv(hostile_ws, tmp_path):
    assert _export(hostile_ws, tmp_path, "--format", "csv") == 0
    text = (tmp_path / "responses.csv").read_text(encoding="utf-8-sig")
    assert "\x00" not in text and "\x0b" not in text and "Срокисорваныснова" in text


def test_parquet_export_is_data_not_a_spreadsheet(hostile_ws, tmp_path):
    """Parquet is read by programs, not spreadsheets: text as stored (control characters out), masked PII."""
    assert _export(hostile_ws, tmp_path, "--format", "parquet") == 0
    comments = pd.read_parquet(tmp_path / "responses.parquet").set_index("response_id")["comment"]
    assert comments["R1"] == PAYLOADS[0] and comments["Q5"] == "Срокисорваныснова"
    assert "ivan.petrov@mail.ru" not in comments["Q4"]


# ----------------------------------------------------------- actions list


def test_actions_list_csv_neutralises_formulas(hostile_ws, tmp_path, capsys):
    out = tmp_path / "actions.csv"
    assert main(["actions", "list", "--workspace", str(hostile_ws.path), "--csv", str(out)]) == 0
    _assert_no_formula_cells_csv(tmp_path)
    notes = [r["note"] for r in _csv_rows(out)]
    assert notes[:8] == ["'" + p for p in PAYLOADS] + ["Срокисорваныснова"]
    raw = tmp_path / "raw.csv"
    assert main(["actions", "list", "--workspace", str(hostile_ws.path), "--csv", str(raw), "--raw"]) == 0
    assert [r["note"] for r in _csv_rows(raw)][:8] == PAYLOADS + ["Срокисорваныснова"]


def test_actions_list_csv_unwritable_is_one_line(hostile_ws, tmp_path, capsys):
    (tmp_path / "taken").write_text("a file, not a folder")
    out = tmp_path / "taken" / "actions.csv"
    assert main(["actions", "list", "--workspace", str(hostile_ws.path), "--csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------- full or unwritable disk


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_full_disk_is_one_line_and_leaves_nothing(hostile_ws, tiny_disk, capsys, fmt):
    disk = tiny_disk("64k")
    out = disk / "export"
    _fill(disk, leave=8192)  # two pages: a file or two fit, the whole export (or the one workbook) does not
    assert _export(hostile_ws, out, "--format", fmt) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert "No space left on device" in err and str(out) in err, err
    # Nothing half-written: no empty or partial file and no temporary left behind.
    assert not out.exists() or list(out.iterdir()) == []


def _fill(disk: Path, leave: int = 4096) -> None:
    """Fill the mounted disk but ``leave`` bytes (a page)."""
    stat = os.statvfs(disk)
    (disk / "filler").write_bytes(b"x" * max(stat.f_bavail * stat.f_frsize - leave, 0))


def test_full_disk_keeps_the_previous_export(hostile_ws, tiny_disk, capsys):
    disk = tiny_disk("256k")
    out = disk / "export"
    assert _export(hostile_ws, out, "--format", "csv", "--wave", "2026-Q2") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _fill(disk)
    assert _export(hostile_ws, out, "--format", "csv") == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "No space left on device" in err
    # Every earlier file whole (the 2026-Q2 export, not half of the new one), and no temporary beside them.
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_read_only_disk_is_one_line(hostile_ws, tiny_disk, capsys):
    disk = tiny_disk("64k", "ro")
    assert _export(hostile_ws, disk / "export", "--format", "csv") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(disk / "export") in err and "Read-only file system" in err, err


def test_output_that_is_a_file_is_one_line(hostile_ws, tmp_path, capsys):
    (tmp_path / "out").write_text("a file, not a folder")
    assert _export(hostile_ws, tmp_path / "out", "--format", "csv") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(tmp_path / "out") in err, err
    assert (tmp_path / "out").read_text() == "a file, not a folder"


@pytest.mark.slow  # the CLI in a subprocess, as a user runs it
def test_full_disk_cli_exit_status(hostile_ws, tiny_disk):
    disk = tiny_disk("64k")
    _fill(disk, leave=8192)
    res = subprocess.run(
        [sys.executable, "-m", "cxlab.cli", "export", "--workspace", str(hostile_ws.path), "--out", str(disk / "x")],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith("cxlab export: error: ") and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "No space left on device" in res.stderr and str(disk / "x") in res.stderr
    assert not (disk / "x").exists() or list((disk / "x").iterdir()) == []


# ----------------------------------------------------------- the Excel pack


def test_pack_writer_cleans_and_never_writes_a_formula(tmp_path):
    from cxlab.present.excel import Sheet, merge_packs, write_pack

    frame = pd.DataFrame({"=text": PAYLOADS + [CONTROL_COMMENT, "-5"], "n": range(len(PAYLOADS) + 2)})
    write_pack(tmp_path / "a.xlsx", [Sheet("Comments\x0b", frame, note="=note\x00", headers={"n": "@n"})])
    write_pack(tmp_path / "b.xlsx", [Sheet("More", frame)])
    pack = merge_packs(tmp_path / "a.xlsx", [tmp_path / "b.xlsx"])
    _assert_no_formula_cells_xlsx_types_only(pack)
    book = openpyxl.load_workbook(pack)
    assert book.sheetnames == ["Comments", "More"]
    for name, top in (("Comments", 3), ("More", 1)):
        sheet = book[name]
        values = [c.value for c in sheet["A"][top:]]
        # The pack shows text as written (quote-prefixed, so Excel never runs it), control characters out.
        assert values == [_xml(p) for p in PAYLOADS] + ["Срокисорваныснова", "-5"]
        assert all(c.quotePrefix for c in sheet["A"][top : top + len(PAYLOADS)])
        assert not sheet["A"][-1].quotePrefix  # "-5" is a number written as text, not a formula
    assert book["Comments"]["A1"].value == "=note" and book["Comments"]["B3"].value == "@n"


@pytest.mark.slow  # a real run-wave on the demo workspace
def test_wave_pack_with_hostile_comments(demo_ws_copy, tmp_path):
    from cxlab.pipeline import run_wave

    ws = demo_ws_copy
    answered = ws.sql("SELECT response_id, client_id FROM responses WHERE wave_id = '2026-Q3' ORDER BY response_id")
    hostile = PAYLOADS + [CONTROL_COMMENT, "Сроки\x0bсорваны, позвоните +7 916 123-45-67"]
    _store(ws, "responses", "response_id", "comment", dict(zip(answered["response_id"], hostile)))
    # A client's name reaches the pack's sheets as it is stored (comments, risk), past the comment coding.
    _store(ws, "clients", "client_id", "name", {answered["client_id"][0]: '=HYPERLINK("http://evil","x")\x0b'})
    run = run_wave(ws, "2026-Q3", lang="en", min_n=10, reports_root=tmp_path, progress=False)
    pack = run.output_dir / "wave_pack.xlsx"
    _assert_no_formula_cells_xlsx_types_only(pack)
    with zipfile.ZipFile(pack) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in s or b"<f " in s for s in sheets)
    texts = [
        cell.value
        for sheet in openpyxl.load_workbook(pack).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    # The hostile comments are in the pack, as text (quote-prefixed when formula-like), cleaned and masked.
    assert any("=cmd|' /C calc'!A0" in t for t in texts)
    assert '=HYPERLINK("http://evil","x")' in texts
    assert not any("\x00" in t or "\x0b" in t for t in texts)
    assert not any("916" in t for t in texts if "Сроки" in t)
