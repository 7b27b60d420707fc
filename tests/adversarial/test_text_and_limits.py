"""Hostile text and sizes at the door and in the writers: control characters, huge cells, huge files.

Every file is made by the test.  What a user sees is checked through
``cxlab.cli.main`` (in-process: the same handler and exit codes as the
command) and, where memory is the point, a real ``cxlab`` subprocess whose
peak memory is read from the kernel.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import duckdb
import nbformat
import openpyxl
import pytest

from cxlab.cli import main
from cxlab.present.report import json_text
from cxlab.store.repair import repair_workspace

WAVE = "2026-Q3"
CONTROL_COMMENT = "Сроки\x00сорваны\x0bснова\x0cи\x1bснова\x7f"


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def stored_responses(ws):
    return ws.responses().set_index("response_id")


# ------------------------------------------------------------------ control characters
def test_control_characters_are_removed_at_import_and_counted(small_ws, csv_file, capsys):
    path = csv_file(f"response_id,contact_id,nps,comm\x0bent\nR1,K1,9,{CONTROL_COMMENT}\nR2,K3,4,ok\n")
    code, out, err = cli(capsys, "import", "--workspace", str(small_ws.path), "--wave", WAVE, path)
    assert code == 0, err
    assert "removed control characters from 2 cell(s)" in out  # the header and R1's comment
    assert stored_responses(small_ws).at["R1", "comment"] == "Срокисорванысноваиснова"
    audit = small_ws.imports().iloc[-1]["message"]
    assert "removed control characters from 2 cell(s)" in audit  # the audit row keeps what was done
    report = small_ws.import_wave(csv_file("response_id,contact_id,nps,comment\nR3,K4,7,a\x0bb\n", "w2.csv"), WAVE)
    assert report.cleaned_cells == 1 and report.cut_cells == 0


def test_writers_are_safe_against_text_stored_before_cleaning(tmp_path):
    # JSON of the reports: no raw control characters and no \u000b-style escapes of them either.
    text = json_text({"quotes": [{"quote": CONTROL_COMMENT, "why\x0b": "\x85x"}]})
    assert json.loads(text) == {"quotes": [{"quote": "Срокисорванысноваиснова", "why": "x"}]}
    assert "\\u00" not in text and "\x7f" not in text
    # HTML of the wave report: a notebook whose output carries the characters converts without them.
    from cxlab.pipeline import notebook_to_html

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": f"<p>{CONTROL_COMMENT}</p>", "text/plain": "x"})
    ]
    nb.cells = [cell]
    html = notebook_to_html(nb, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Срокисорванысноваиснова" in html
    assert not any(ch in html for ch in "\x00\x0b\x0c\x1b\x7f")


# ------------------------------------------------------------------ cell length
def test_a_long_comment_is_cut_with_a_note_never_refused(small_ws, csv_file, capsys):
    long = "Отчёты без цифр; сроки сорваны. " * 33_000  # about 1 MB
    path = csv_file(f"response_id,contact_id,nps,comment\nR1,K1,3,{long}\nR2,K3,9,ok\n")
    code, out, err = cli(capsys, "import", "--workspace", str(small_ws.path), "--wave", WAVE, path)
    assert code == 0, err
    assert "2 responses loaded" in out and "cut 1 cell(s) to 10,000 characters" in out
    comment = stored_responses(small_ws).at["R1", "comment"]
    assert len(comment) == 10_000 and comment.endswith("…") and long.startswith(comment[:-1])


def test_the_cell_limit_comes_from_the_option_then_the_workspace(small_ws, csv_file, capsys):
    settings = small_ws.path / "workspace.json"
    meta = json.loads(settings.read_text(encoding="utf-8"))
    meta["import_limits"] = {"max_cell_chars": 50}
    settings.write_text(json.dumps(meta), encoding="utf-8")
    path = csv_file("response_id,contact_id,nps,comment\nR1,K1,3," + "x" * 200 + "\n")
    code, out, _ = cli(capsys, "import", "--workspace", str(small_ws.path), "--wave", WAVE, path)
    assert code == 0 and "cut 1 cell(s) to 50 characters" in out
    path = csv_file("response_id,contact_id,nps,comment\nR2,K3,3," + "y" * 200 + "\n", "w2.csv")
    code, out, _ = cli(
        capsys, "import", "--workspace", str(small_ws.path), "--wave", WAVE, "--max-cell-chars", "120", path
    )
    assert code == 0 and "cut 1 cell(s) to 120 characters" in out
    r = stored_responses(small_ws)
    assert (len(r.at["R1", "comment"]), len(r.at["R2", "comment"])) == (50, 120)


# ------------------------------------------------------------------ refusals
def assert_refused(small_ws, code, out, err, *, file: str, limit: str):
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("cxlab import: error: file refused, nothing was loaded: " + file), err
    assert limit in err
    assert small_ws.responses().empty and small_ws.imports().empty  # nothing stored, no audit row


def test_a_file_over_the_size_limit_is_refused(small_ws, tmp_path, capsys):
    path = tmp_path / "huge.csv"
    path.write_bytes(b"response_id,contact_id,nps\n" + b"R1,K1,9\n" * 300_000)  # 2.3 MB
    code, out, err = cli(
        capsys, "import", "--workspace", str(small_ws.path), "--wave", WAVE, "--max-file-mb", "2", str(path)
    )
    assert_refused(small_ws, code, out, err, file="huge.csv: the file is 2.3 MB", limit="over the 2 MB limit")


def test_too_many_columns_is_refused(small_ws, tmp_path, capsys):
    path = tmp_path / "wide.csv"
    header = ["response_id", "contact_id", "nps"] + [f"q{i}" for i in range(2_100)]
    path.write_text(",".join(header) + "\n" + ",".join(["R1", "K1", "9"] + ["1"] * 2_100) + "\n", encoding="utf-8")
    code, out, err = cli(capsys, "import", "--workspace", str(small_ws.path), "--wave", WAVE, str(path))
    assert_refused(small_ws, code, out, err, file="wide.csv: the file has 2,103 columns", limit="limit of 2,000")


def test_too_many_rows_is_refused_with_the_workspace_setting(small_ws, tmp_path, capsys):
    settings = small_ws.path / "workspace.json"
    meta = json.loads(settings.read_text(encoding="utf-8"))
    meta["import_limits"] = {"max_rows": 1_000}
    settings.write_text(json.dumps(meta), encoding="utf-8")
    path = tmp_path / "long.csv"
    path.write_text("response_id,contact_id,nps\n" + "".join(f"R{i},K1,9\n" for i in range(1_001)), encoding="utf-8")
    code, out, err = cli(capsys, "import", "--workspace", str(small_ws.path), "--wave", WAVE, str(path))
    assert_refused(small_ws, code, out, err, file="long.csv: the file has 1,001 rows", limit="limit of 1,000")


def test_a_bad_limit_option_is_one_line(small_ws, csv_file, capsys):
    path = csv_file("response_id,contact_id,nps\nR1,K1,9\n")
    code, _, err = cli(capsys, "import", "--workspace", str(small_ws.path), "--max-rows", "-5", path)
    assert code == 2 and err == "cxlab import: error: import limit max_rows must be a positive whole number, not -5\n"


def huge_cell_xlsx(path, cell_mb: int) -> None:
    """A small XLSX whose shared string unpacks to ``cell_mb`` MB (written in chunks: the test stays small too)."""
    wb = openpyxl.Workbook()
    wb.active.append(["response_id", "contact_id", "nps", "comment"])
    wb.active.append(["R1", "K1", 9, "MARKER"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(buf)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in src.infolist():
            body = src.read(item.filename)
            if b"MARKER" not in body:
                out.writestr(item, body)
                continue
            head, tail = body.split(b"MARKER")
            with out.open(item.filename, "w", force_zip64=True) as part:
                part.write(head)
                chunk = b"a" * (1024 * 1024)
                for _ in range(cell_mb):
                    part.write(chunk)
                part.write(tail)


@pytest.mark.slow  # writes 300 MB through zlib and starts the CLI in a subprocess
def test_a_small_xlsx_holding_a_300_mb_cell_is_refused_without_unpacking_it(small_ws, tmp_path):
    path = tmp_path / "bomb.xlsx"
    huge_cell_xlsx(path, 300)
    assert path.stat().st_size < 1_000_000
    # The command's own main() in a fresh process, which then reports its peak memory: the kernel's high-water
    # mark of its own address space (VmHWM).  Not getrusage's ru_maxrss, which Linux carries over an exec from
    # the parent: under a pytest process of 700 MB it reads 700 MB whatever the child does.
    probe = (
        "import re, sys\n"
        "from cxlab.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "status = open('/proc/self/status').read()\n"
        "print(int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) // 1024)\n"
        "sys.exit(code)\n"
    )
    args = ["import", "--workspace", str(small_ws.path), "--wave", WAVE, str(path)]
    res = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120)
    peak_mb = int(res.stdout.split()[-1])
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.startswith("cxlab import: error: file refused, nothing was loaded: bomb.xlsx: the Excel file ")
    assert "unpacks to 300.0 MB, over the 100 MB limit" in res.stderr
    assert peak_mb < 600, f"{peak_mb} MB"  # importing cxlab takes ~150 MB; the 300 MB were never unpacked
    assert small_ws.responses().empty


# ------------------------------------------------------------------ the analyses stay bounded
@pytest.mark.timeout(900)
def test_run_wave_on_the_demo_with_a_1_mb_comment_finishes_and_shows_it_cut(demo_ws_copy, tmp_path):
    from cxlab.pipeline import run_wave

    ws = demo_ws_copy
    rid = ws.responses(WAVE).dropna(subset=["nps"]).iloc[0]["response_id"]
    # Written straight into the store, as a workspace filled before the limits holds it: the import would cut it.
    words = "Сроки сорваны\x0b, менеджер не отвечает неделями, отчёты без цифр. "
    comment = words * (1_000_000 // len(words)) + "ХВОСТ-КОММЕНТАРИЯ"
    con = duckdb.connect(str(ws.db_path))
    try:
        con.execute("UPDATE responses SET comment = ? WHERE response_id = ?", [comment, rid])
    finally:
        con.close()
    assert len(ws.responses(WAVE).set_index("response_id").at[rid, "comment"]) > 1_000_000

    run = run_wave(ws, WAVE, lang="en", reports_root=tmp_path / "reports", progress=False)
    html = (run.output_dir / "wave_report.html").read_text(encoding="utf-8")
    assert "ХВОСТ-КОММЕНТАРИЯ" not in html and "\x0b" not in html
    for name in ("comments.json", "metrics.json"):
        path = run.output_dir / name
        if path.exists():
            assert "ХВОСТ-КОММЕНТАРИЯ" not in path.read_text(encoding="utf-8")
    pack = openpyxl.load_workbook(run.output_dir / "wave_pack.xlsx", read_only=True)
    longest = max(
        (
            len(v)
            for sheet in pack.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if isinstance(v, str)
        ),
        default=0,
    )
    pack.close()
    assert longest <= 10_000
    # And the store is repaired in place: the comment cut to the limit, the control characters gone.
    assert repair_workspace(ws).changed == 1
    fixed = ws.responses(WAVE).set_index("response_id").at[rid, "comment"]
    assert len(fixed) == 10_000 and "\x0b" not in fixed
