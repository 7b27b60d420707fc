"""`cxlab repair`: control characters and over-long text already stored, cleaned in one transaction."""

from __future__ import annotations

import duckdb
import pytest

from cxlab.cli import main
from cxlab.errors import WorkspaceError
from cxlab.store.repair import repair_workspace

LONG = "очень длинный комментарий " * 800  # 20,800 characters


@pytest.fixture
def dirty_ws(small_ws, csv_file):
    """A workspace into which bad text was written directly, as an import before cleaning left it."""
    small_ws.import_wave(
        csv_file("response_id,contact_id,nps,comment\nR1,K1,9,ok\nR2,K3,4,fine\nR3,K4,7,\n"), "2026-Q3"
    )
    con = duckdb.connect(str(small_ws.db_path))
    try:
        con.execute("UPDATE responses SET comment = ? WHERE response_id = 'R1'", ["Сроки\x0bсорваны\x00 снова"])
        con.execute("UPDATE responses SET comment = ? WHERE response_id = 'R2'", [LONG + "\x0c"])
        con.execute("UPDATE responses SET reason = ? WHERE response_id = 'R3'", ["\x85тишина\x7f"])
        con.execute("UPDATE clients SET name = ? WHERE client_id = 'C2'", ["Beta\x1f LLC"])
    finally:
        con.close()
    return small_ws


def stored(ws):
    r = ws.responses().set_index("response_id")
    return (
        r.at["R1", "comment"],
        r.at["R2", "comment"],
        r.at["R3", "reason"],
        ws.clients().set_index("client_id").at["C2", "name"],
    )


def test_dry_run_says_what_would_change_and_changes_nothing(dirty_ws):
    before = stored(dirty_ws)
    report = repair_workspace(dirty_ws, dry_run=True)
    assert report.changed == 4 and report.dry_run
    assert stored(dirty_ws) == before
    text = str(report)
    assert "4 cell(s) would change (dry run: nothing written)" in text
    assert "responses.comment: control characters removed from 2 cell(s), 1 cell(s) cut to 10,000 characters" in text


def test_repair_cleans_every_text_column_and_cuts_long_cells(dirty_ws):
    report = repair_workspace(dirty_ws)
    r1, r2, r3, c2 = stored(dirty_ws)
    assert r1 == "Срокисорваны снова"
    assert len(r2) == 10_000 and r2.endswith("…") and r2.startswith("очень длинный")
    assert r3 == "тишина" and c2 == "Beta LLC"
    assert {(c.table, c.column, c.cleaned, c.cut) for c in report.columns} == {
        ("clients", "name", 1, 0),
        ("responses", "comment", 2, 1),
        ("responses", "reason", 1, 0),
    }
    again = repair_workspace(dirty_ws)
    assert again.changed == 0 and "nothing changed" in str(again)


def test_the_limit_comes_from_the_workspace_settings(dirty_ws):
    dirty_ws.meta["import_limits"] = {"max_cell_chars": 50}
    repair_workspace(dirty_ws)
    assert len(stored(dirty_ws)[1]) == 50


def test_a_key_that_would_collide_rolls_everything_back(dirty_ws):
    # "C1\x0b" cleaned is "C1", which exists: the repair stops and nothing is changed, the other fixes included.
    con = duckdb.connect(str(dirty_ws.db_path))
    try:
        con.execute("INSERT INTO client_services (client_id, service_id) VALUES ('C1', 'smm'), (?, 'smm')", ["C1\x0b"])
    finally:
        con.close()
    before = stored(dirty_ws)
    with pytest.raises(WorkspaceError, match=r"nothing changed: cleaning client_services\.client_id would give two"):
        repair_workspace(dirty_ws)
    assert stored(dirty_ws) == before


def test_cli_repair_prints_per_table_and_column_and_exits_0(dirty_ws, capsys):
    assert main(["repair", "--workspace", str(dirty_ws.path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would change" in out and "clients.name: control characters removed from 1 cell(s)" in out
    assert main(["repair", "--workspace", str(dirty_ws.path), "--max-cell-chars", "100"]) == 0
    out = capsys.readouterr().out
    assert "4 cell(s) changed in one transaction" in out and "cut to 100 characters" in out
    assert len(stored(dirty_ws)[1]) == 100
    assert main(["repair", "--workspace", str(dirty_ws.path)]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_cli_repair_refuses_a_bad_limit_in_one_line(dirty_ws, capsys):
    assert main(["repair", "--workspace", str(dirty_ws.path), "--max-cell-chars", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxlab repair: error: import limit max_cell_chars must be") and err.count("\n") == 1
