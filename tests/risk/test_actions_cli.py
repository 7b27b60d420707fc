"""`cxlab actions list | add | update | create` on a real workspace, through cxlab.cli.main."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxlab.risk.actions as actions_module
from cxlab.cli import main


def run(capsys, *argv):
    code = main(["actions", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_prints_the_id_and_defaults_the_owner_to_the_manager(small_ws, capsys):
    ws = str(small_ws.path)
    code, out, err = run(
        capsys,
        "add",
        "--workspace",
        ws,
        "--client",
        "C1",
        "--wave",
        "2026-Q3",
        "--due",
        "30.10.2026",
        "--note",
        "позвонить директору",
    )
    assert code == 0, err
    assert out.strip() == "added A0001: client C1, wave 2026-Q3, owner M1, status open, due 2026-10-30"
    code, out, _ = run(capsys, "add", "--workspace", ws, "--client", "C2", "--owner", "Анна", "--status", "done")
    assert code == 0 and out.startswith("added A0002: client C2, owner Анна, status done")
    stored = small_ws.actions()
    assert stored["action_id"].tolist() == ["A0001", "A0002"]
    assert stored.loc[0, "note"] == "позвонить директору" and stored.loc[1, "owner"] == "Анна"


def test_add_with_a_bad_status_exits_2_with_one_message(small_ws, capsys):
    code, out, err = run(capsys, "add", "--workspace", str(small_ws.path), "--client", "C1", "--status", "finished")
    assert code == 2 and out == ""
    assert err.startswith("cxlab actions: error: 1 problem in the actions; nothing was written")
    assert "column 'status': value 'finished' is not allowed; one of open, in_progress, done, dropped" in err
    code, _, err = run(capsys, "add", "--workspace", str(small_ws.path), "--client", "C9")
    assert code == 2 and "unknown client 'C9'" in err
    assert small_ws.actions().empty


def test_list_prints_a_table_and_filters(small_ws, capsys):
    small_ws.add_actions(
        [
            {
                "client_id": "C1",
                "wave_id": "2026-Q3",
                "owner": "M1",
                "rule": "silent",
                "note": "нет ответа две волны подряд, менеджер сменился, клиент сократил объём работ",
            },
            {"client_id": "C2", "wave_id": "2026-Q2", "status": "done"},
        ]
    )
    code, out, _ = run(capsys, "list", "--workspace", str(small_ws.path))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].split() == ["action_id", "client_id", "name", "wave_id", "owner", "status", "due", "rule", "note"]
    assert "A0001" in lines[1] and "ООО «Альфа»" in lines[1] and lines[1].rstrip().endswith("…")
    code, out, _ = run(capsys, "list", "--workspace", str(small_ws.path), "--wave", "2026-Q2", "--status", "done")
    assert code == 0 and "A0002" in out and "A0001" not in out
    code, out, _ = run(capsys, "list", "--workspace", str(small_ws.path), "--client", "C3")
    assert code == 0 and out.strip() == "no actions"
    code, _, err = run(capsys, "list", "--workspace", str(small_ws.path), "--status", "closed")
    assert code == 2 and "unknown action status 'closed'; one of open, in_progress, done, dropped" in err


def test_list_writes_a_csv_excel_reads(small_ws, capsys, tmp_path):
    small_ws.add_actions([{"client_id": "C1", "due": "2026-10-30", "note": "встреча с директором"}])
    path = tmp_path / "actions.csv"
    code, out, _ = run(capsys, "list", "--workspace", str(small_ws.path), "--csv", str(path))
    assert code == 0 and out.strip() == f"1 action(s) written to {path}"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back.loc[0, "note"] == "встреча с директором" and back.loc[0, "due"] == "2026-10-30"
    assert back.columns[0] == "action_id"


def test_update_changes_the_row(small_ws, capsys):
    small_ws.add_actions([{"client_id": "C1", "owner": "M1"}])
    code, out, err = run(
        capsys,
        "update",
        "--workspace",
        str(small_ws.path),
        "A0001",
        "--status",
        "done",
        "--note",
        "договорились о новом объёме",
        "--due",
        "2026-11-15",
    )
    assert code == 0, err
    assert out.strip() == "updated A0001: client C1, owner M1, status done, due 2026-11-15"
    row = small_ws.actions().iloc[0]
    assert row["status"] == "done" and row["note"] == "договорились о новом объёме"


def test_update_errors_exit_2(small_ws, capsys):
    small_ws.add_actions([{"client_id": "C1"}])
    code, _, err = run(capsys, "update", "--workspace", str(small_ws.path), "A0042", "--status", "done")
    assert code == 2 and "no action 'A0042'" in err and "cxlab actions list --workspace" in err
    code, _, err = run(capsys, "update", "--workspace", str(small_ws.path), "A0001", "--status", "closed")
    assert code == 2 and "one of open, in_progress, done, dropped" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "update", "--workspace", str(small_ws.path), "A0001")
    assert code == 2 and "nothing to change" in err
    assert small_ws.actions().iloc[0]["status"] == "open"


@pytest.mark.slow
def test_create_stores_actions_for_the_flagged_clients(small_ws, capsys, monkeypatch):
    flags = pd.DataFrame(
        {
            "wave_id": ["2026-Q3"] * 3,
            "client_id": ["C1", "C1", "C3"],
            "rule": ["silent", "nps_drop", "detractor"],
            "evidence": ["нет ответа", "NPS 9 -> 5", "NPS 2"],
            "severity": "high",
            "value": np.nan,
            "threshold": np.nan,
        }
    )
    seen = {}

    def fake_rules(ws, wave, lang):
        seen.update(wave=wave, lang=lang)
        return flags

    monkeypatch.setattr(actions_module, "_early_warnings", fake_rules)
    code, out, err = run(capsys, "create", "--workspace", str(small_ws.path), "--wave", "2026-Q3", "--due-days", "14")
    assert code == 0, err
    assert seen == {"wave": "2026-Q3", "lang": "ru"}  # the workspace's language
    assert out.splitlines()[0] == (
        "wave 2026-Q3: 2 flagged client(s); 2 action(s) created, 0 skipped (already followed up in this wave)"
    )
    assert "A0001" in out and "nps_drop;silent" in out
    stored = small_ws.actions("2026-Q3")
    assert stored["client_id"].tolist() == ["C1", "C3"] and stored["owner"].tolist() == ["M1", "M3"]
    assert (stored["due"] == pd.Timestamp("2026-10-14")).all()

    code, out, _ = run(capsys, "create", "--workspace", str(small_ws.path), "--wave", "2026-Q3")
    assert code == 0 and "0 action(s) created, 2 skipped" in out
    assert len(small_ws.actions()) == 2


def test_create_errors_exit_2(small_ws, capsys):
    # No responses yet: no latest wave to default to.
    code, _, err = run(capsys, "create", "--workspace", str(small_ws.path))
    assert code == 2 and "has no responses yet" in err
    code, _, err = run(capsys, "create", "--workspace", str(small_ws.path), "--wave", "2027-Q1")
    assert code == 2 and "wave '2027-Q1' does not exist" in err
    code, _, err = run(capsys, "list", "--workspace", str(small_ws.path / "missing"))
    assert code == 2 and "no workspace at" in err


def test_the_actions_command_needs_a_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["actions"])
    assert exc.value.code == 2
    assert "list,add,update,create" in capsys.readouterr().err
