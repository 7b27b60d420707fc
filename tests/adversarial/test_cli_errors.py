"""The command line's one error handler: one line, exit 2, nothing half-written; and no flood of refusals.

Covers a malformed, list-shaped or nested ``--mapping``, an empty ``--wave``
on every command that has one, 2,000 refused rows (20 shown, all in a file),
and a full disk during ``cxlab import``: a real one, a tmpfs mounted for the
test and filled (as root, as CI runs; skipped with the reason where mounting
is not permitted).  Most cases call :func:`cxlab.cli.main` in-process; the
full disk runs the real ``cxlab`` executable in a subprocess.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cxlab import Workspace
from cxlab.cli import main

ROWS = "response_id,contact_id,nps\nR1,K1,9\nR2,K3,6\n"


def _state(ws: Workspace) -> tuple[int, int, int]:
    with ws.connect() as con:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("responses", "answers", "imports")
        )


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


# --- 2. --mapping files that are not 'column: field' lines -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("nps: [nps\n", 2, "not valid YAML"),
        ("- nps\n- overall\n", 1, "not a list"),
        ("'just a word'\n", 1, "not a single value"),
        (
            "score:\n  field: nps\n",
            2,
            "column 'score' must map to one field name (nps, overall, client_id, ...), not a nested mapping",
        ),
        (
            "score: [nps, overall]\n",
            1,
            "column 'score' must map to one field name (nps, overall, client_id, ...), not a list",
        ),
        ("? [a, b]\n: nps\n", 1, "not valid YAML: found unhashable key"),
        ("score:\n", 1, "column 'score' has no field"),
        ("score: nps\nscore: overall\n", 2, "column 'score' is mapped twice (first on line 1)"),
        ("x: !!python/object/apply:os.system [echo pwned]\n", 1, "not valid YAML: could not determine a constructor"),
    ],
    ids=["malformed", "list", "scalar", "nested", "list-value", "list-key", "empty-field", "twice", "python-tag"],
)
def test_a_bad_mapping_is_one_line_naming_file_and_line(small_ws, tmp_path, capsys, text, line, reason):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    data = tmp_path / "wave.csv"
    data.write_text("response_id,contact_id,score\nR1,K1,9\n")
    before = _state(small_ws)
    code = main(
        ["import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", "--mapping", str(mapping), str(data)]
    )
    assert code == 2
    err = _one_line(capsys)
    assert f"{mapping}, row {line}: " in err and reason in err, err
    assert _state(small_ws) == before


def test_a_good_mapping_still_maps(small_ws, tmp_path, capsys):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("# comment\nscore: nps\n2024: ignore\n", encoding="utf-8")
    data = tmp_path / "wave.csv"
    data.write_text("response_id,contact_id,score,2024\nR1,K1,9,x\n")
    code = main(
        ["import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", "--mapping", str(mapping), str(data)]
    )
    assert code == 0, capsys.readouterr()
    assert small_ws.responses()["nps"].tolist() == [9]


# --- 8. an empty --wave -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["metrics"],
        ["run-wave"],
        ["export", "--out", "OUT"],
        ["import", "FILE"],
        ["actions", "list"],
        ["wave", "status"],
    ],
    ids=lambda c: c[0] + (" " + c[1] if len(c) > 1 and c[1].isalpha() and c[1].islower() else ""),
)
@pytest.mark.parametrize("wave", ["", "  "], ids=["empty", "blank"])
def test_an_empty_wave_is_refused_not_read_as_the_latest(small_ws, tmp_path, capsys, command, wave):
    data = tmp_path / "wave.csv"
    data.write_text(ROWS)
    args = [str(data) if a == "FILE" else str(tmp_path / "out") if a == "OUT" else a for a in command]
    before = _state(small_ws)
    assert main([args[0], *args[1:], "--workspace", str(small_ws.path), "--wave", wave]) == 2
    err = _one_line(capsys)
    assert "--wave is empty; give a wave id" in err
    assert _state(small_ws) == before
    assert not (tmp_path / "out").exists()


# --- 7. thousands of refusals -------------------------------------------------------------------------------------


def _unmatched(tmp_path, n: int) -> Path:
    path = tmp_path / "unmatched.csv"
    path.write_text("response_id,client_id,nps\n" + "".join(f"U{i},NOPE{i},{i % 11}\n" for i in range(n)))
    return path


def test_thousands_of_refusals_show_twenty_and_list_all_in_a_file(small_ws, tmp_path, capsys):
    path = _unmatched(tmp_path, 2000)
    assert main(["import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", str(path)]) == 1  # as before
    out = capsys.readouterr().out
    shown = [line for line in out.splitlines() if line.startswith("    unmatched.csv, row ")]
    assert len(shown) == 20
    last = next(line for line in out.splitlines() if line.startswith("    ... and "))
    assert last.startswith("    ... and 1,980 more; all in ")
    listed = Path(last.split("all in ", 1)[1])
    assert listed.parent == small_ws.path / "refusals"
    with listed.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2000 and rows[-1]["row"] == "2001" and "NOPE1999" in rows[-1]["reason"]
    assert len(out) < 10_000


def test_a_problems_file_gets_every_refusal_of_every_file(small_ws, tmp_path, capsys):
    first = _unmatched(tmp_path, 3)
    second = tmp_path / "second.csv"
    second.write_text("response_id,client_id,nps\nV1,=HYPERLINK(1),5\n")
    listed = tmp_path / "problems.csv"
    code = main(
        ["import", "--workspace", str(small_ws.path), "--wave", "2026-Q3"]
        + ["--problems-file", str(listed), str(first), str(second)]
    )
    assert code == 1
    out = capsys.readouterr().out
    assert f"listed in {listed}" in out and "more;" not in out
    with listed.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["file"] for r in rows] == ["unmatched.csv"] * 3 + ["second.csv"]
    assert not any(r["reason"].startswith(("=", "+", "@")) for r in rows)
    assert "HYPERLINK" in rows[-1]["reason"]


def test_a_few_refusals_are_all_shown_and_no_file_is_written(small_ws, tmp_path, capsys):
    path = _unmatched(tmp_path, 20)
    assert main(["import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("    unmatched.csv, row ") == 20 and "more;" not in out
    assert not (small_ws.path / "refusals").exists()


# --- 9. a full disk during import ---------------------------------------------------------------------------------


def _fill(disk: Path) -> Path:
    """Fill the disk to the last byte; the filler, to remove afterwards."""
    filler = disk / "filler"
    stat = os.statvfs(disk)
    with filler.open("wb") as f, contextlib.suppress(OSError):  # full: what was wanted
        f.write(b"\0" * (stat.f_bavail * stat.f_frsize))
    return filler


@pytest.mark.slow
def test_a_full_disk_during_import_is_one_line_and_nothing_is_written(small_ws, tmp_path, tiny_disk):
    disk = tiny_disk("32m")
    ws = Workspace(shutil.copytree(small_ws.path, disk / "acme"))
    before = _state(ws)
    data = tmp_path / "wave.csv"
    comment = "сроки сорваны " * 40
    data.write_text(
        "response_id,contact_id,nps,comment\n" + "".join(f"R{i},K{i % 5 + 1},{i % 11},{comment}\n" for i in range(5))
    )
    filler = _fill(disk)
    cxlab = Path(sys.executable).parent / "cxlab"
    res = subprocess.run(
        [str(cxlab), "import", "--workspace", str(ws.path), "--wave", "2026-Q3", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    filler.unlink()
    err = res.stderr.strip()
    assert res.returncode == 2, (res.stdout, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("cxlab import: error: No space left on device (workspace ") and str(ws.path) in err, err
    assert "the transaction was rolled back" in err
    # Nothing half-written: the workspace opens, and holds what it held.
    assert _state(Workspace(ws.path)) == before
    # Once there is room again, the same file imports.
    assert main(["import", "--workspace", str(ws.path), "--wave", "2026-Q3", str(data)]) == 0
    assert _state(Workspace(ws.path))[0] == before[0] + 5


def test_a_bug_keeps_its_traceback(monkeypatch, small_ws):
    """Only the known cases become one line: anything else is a bug and propagates."""
    import cxlab.store

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cxlab.store.Workspace, "import_wave", broken)
    with pytest.raises(ZeroDivisionError):
        main(["import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", "x.csv"])


def test_a_forbidden_file_is_one_line(monkeypatch, small_ws, capsys):
    """EACCES met anywhere below the handler (here, by the store) is said in one line naming the file."""
    import cxlab.store

    def forbidden(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/srv/ws/workspace.duckdb")

    monkeypatch.setattr(cxlab.store.Workspace, "import_wave", forbidden)
    assert main(["import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", "x.csv"]) == 2
    err = _one_line(capsys)
    assert "Permission denied: /srv/ws/workspace.duckdb (workspace " in err
