"""The follow-up loop: the actions table in a real DuckDB workspace, planning, and the outcome comparison."""

from __future__ import annotations

import json
import math
import shutil
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from cxlab import Workspace
from cxlab.errors import InputError, WorkspaceError
from cxlab.risk.actions import NOTE_MAX, create_actions, plan_actions
from cxlab.risk.outcomes import GROUPS, follow_up
from cxlab.schema import TABLES


def flags_frame(rows):
    """Flags as early_warnings returns them: one row per (client, rule)."""
    return pd.DataFrame(rows, columns=["wave_id", "client_id", "rule", "evidence"]).assign(
        rule_name="", severity="high", value=np.nan, threshold=np.nan
    )


# --------------------------------------------------------------------------- store: add


def test_add_actions_gives_numbered_ids_defaults_and_time_stamps(small_ws):
    before = datetime.now(UTC).replace(tzinfo=None)
    ids = small_ws.add_actions(
        [
            {
                "client_id": "C1",
                "wave_id": "2026-Q3",
                "owner": "M1",
                "due": "2026-10-30",
                "note": "позвонить",
                "rule": "nps_drop;silent",
            },
            {"client_id": "C2", "due": "30.10.2026", "status": "in_progress"},
        ]
    )
    assert ids == ["A0001", "A0002"]
    stored = small_ws.actions()
    assert stored.columns.tolist() == TABLES["actions"].names
    assert stored["action_id"].tolist() == ids
    first, second = stored.iloc[0], stored.iloc[1]
    assert (first["status"], first["owner"], first["note"], first["rule"]) == (
        "open",
        "M1",
        "позвонить",
        "nps_drop;silent",
    )
    assert second["status"] == "in_progress" and pd.isna(second["wave_id"]) and pd.isna(second["owner"])
    # Both date forms are the same day.
    assert pd.Timestamp(first["due"]) == pd.Timestamp(second["due"]) == pd.Timestamp("2026-10-30")
    # UTC, naive, set by the store.
    assert first["created_at"] == first["updated_at"]
    assert (
        before - timedelta(seconds=1)
        <= first["created_at"].to_pydatetime()
        <= datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1)
    )


def test_add_actions_accepts_a_frame_with_missing_values(small_ws):
    frame = pd.DataFrame(
        {
            "client_id": ["C1", "C3"],
            "owner": ["M1", np.nan],
            "due": [pd.Timestamp("2026-11-01"), pd.NaT],
            "status": [None, "done"],
        }
    )
    assert small_ws.add_actions(frame) == ["A0001", "A0002"]
    stored = small_ws.actions()
    assert stored["status"].tolist() == ["open", "done"]
    assert pd.isna(stored.loc[1, "owner"]) and pd.isna(stored.loc[1, "due"])
    assert small_ws.add_actions([]) == [] and small_ws.add_actions(frame.iloc[0:0]) == []


def test_ids_continue_after_the_highest_number_and_sort_by_number(small_ws):
    small_ws.load(
        "actions", pd.DataFrame({"action_id": ["A9999", "imported-7", "A0041"], "client_id": ["C1", "C2", "C3"]})
    )
    assert small_ws.add_actions({"client_id": "C2"}) == ["A10000"]
    # By number, not as text ("A10000" < "A9999" as text); ids of another form last.
    assert small_ws.actions()["action_id"].tolist() == ["A0041", "A9999", "A10000", "imported-7"]


def test_a_bad_row_in_a_batch_writes_nothing_and_names_row_column_value(small_ws):
    small_ws.add_actions([{"client_id": "C1"}])
    with pytest.raises(InputError) as err:
        small_ws.add_actions(
            [
                {"client_id": "C2", "status": "open"},
                {"client_id": "C3", "status": "finished"},
                {"client_id": "C9", "due": "31.02.2026"},
                {"client_id": None, "wave_id": "2027-Q1"},
            ]
        )
    text = str(err.value)
    assert "nothing was written" in text
    assert (
        "actions, row 2, column 'status': value 'finished' is not allowed; one of open, in_progress, done, "
        "dropped" in text
    )
    assert "row 3, column 'client_id': unknown client 'C9'" in text
    assert "row 3, column 'due': value '31.02.2026' is not a date" in text
    assert "row 4, column 'client_id': required value is empty" in text
    assert "row 4, column 'wave_id': unknown wave '2027-Q1' (waves: 2026-Q2, 2026-Q3)" in text
    assert len(err.value.problems) == 5
    # The good first row was not written either; the earlier action is untouched.
    assert small_ws.actions()["action_id"].tolist() == ["A0001"]


def test_add_actions_refuses_unknown_columns_and_types(small_ws):
    with pytest.raises(InputError, match="column 'ownr': unknown column; an action has client_id, wave_id"):
        small_ws.add_actions([{"client_id": "C1", "ownr": "M1"}])
    with pytest.raises(InputError, match="column 'action_id'"):
        small_ws.add_actions(pd.DataFrame({"action_id": ["A7"], "client_id": ["C1"]}))
    with pytest.raises(TypeError, match="DataFrame, a list of dicts or a dict"):
        small_ws.add_actions("C1")
    assert small_ws.actions().empty


def test_a_failure_while_writing_rolls_back(small_ws, monkeypatch):
    import cxlab.store.actions as store  # where add_actions looks up _insert

    def broken(con, name, frame):
        con.execute("INSERT INTO actions (action_id, client_id) VALUES ('A0001', 'C1')")
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_insert", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        small_ws.add_actions([{"client_id": "C1"}, {"client_id": "C2"}])
    monkeypatch.undo()
    assert small_ws.actions().empty


# --------------------------------------------------------------------------- store: read and update


def test_actions_filters_by_wave_client_and_status(small_ws):
    small_ws.add_actions(
        [
            {"client_id": "C1", "wave_id": "2026-Q2", "status": "done"},
            {"client_id": "C1", "wave_id": "2026-Q3"},
            {"client_id": "C2", "wave_id": "2026-Q3", "status": "dropped"},
        ]
    )
    assert small_ws.actions("2026-Q3")["action_id"].tolist() == ["A0002", "A0003"]
    assert small_ws.actions(client="C1")["action_id"].tolist() == ["A0001", "A0002"]
    assert small_ws.actions(status="open")["action_id"].tolist() == ["A0002"]
    assert small_ws.actions("2026-Q3", status=["open", "dropped"], client="C2")["action_id"].tolist() == ["A0003"]
    with pytest.raises(ValueError, match="unknown action status 'closed'; one of open, in_progress, done, dropped"):
        small_ws.actions(status="closed")
    with pytest.raises(WorkspaceError, match="wave '2027-Q1' does not exist"):
        small_ws.actions("2027-Q1")
    with pytest.raises(WorkspaceError, match="client 'C9' does not exist"):
        small_ws.actions(client="C9")
    # The generic reader knows the new columns and the wave filter.
    table = small_ws.table("actions", wave="2026-Q3")
    assert table["action_id"].tolist() == ["A0002", "A0003"] and {"rule", "updated_at"} <= set(table.columns)


def test_update_action_changes_fields_and_updated_at(small_ws):
    small_ws.add_actions([{"client_id": "C1", "owner": "M1", "note": "first call", "due": "2026-10-30"}])
    created = small_ws.actions().iloc[0]
    row = small_ws.update_action("A0001", status="done", due="15.11.2026", note="встреча проведена")
    assert row["action_id"] == "A0001" and row["status"] == "done" and row["owner"] == "M1"
    assert pd.Timestamp(row["due"]) == pd.Timestamp("2026-11-15") and row["note"] == "встреча проведена"
    assert row["created_at"] == created["created_at"] and row["updated_at"] >= created["updated_at"]
    stored = small_ws.actions().iloc[0]
    assert stored["status"] == "done" and stored["note"] == "встреча проведена"
    # An empty string clears a field.
    assert pd.isna(small_ws.update_action("A0001", owner="")["owner"])


def test_update_action_errors(small_ws):
    small_ws.add_actions([{"client_id": "C1"}])
    with pytest.raises(
        WorkspaceError,
        match=r"no action 'A0099' in workspace acme; list the ids with "
        r"`cxlab actions list --workspace .*` or Workspace.actions\(\)",
    ):
        small_ws.update_action("A0099", status="done")
    with pytest.raises(
        InputError, match="column 'status': value 'finished' is not allowed; one of open, in_progress, done, dropped"
    ):
        small_ws.update_action("A0001", status="finished", note="changed")
    with pytest.raises(InputError, match="column 'due': value 'next week' is not a date"):
        small_ws.update_action("A0001", due="next week")
    with pytest.raises(ValueError, match="nothing to change in action A0001"):
        small_ws.update_action("A0001")
    row = small_ws.actions().iloc[0]
    assert row["status"] == "open" and pd.isna(row["note"]) and row["updated_at"] == row["created_at"]


def test_an_old_workspace_gains_the_new_action_columns(small_ws):
    path = small_ws.path
    con = duckdb.connect(str(small_ws.db_path))
    try:
        # The actions table as schema version 2 created it, with one action in it.
        con.execute("DROP TABLE actions")
        con.execute(
            "CREATE TABLE actions (action_id VARCHAR, client_id VARCHAR, wave_id VARCHAR, owner VARCHAR, "
            "status VARCHAR, due DATE, note VARCHAR, created_at TIMESTAMP, PRIMARY KEY (action_id))"
        )
        con.execute(
            "INSERT INTO actions VALUES ('A0001', 'C1', '2026-Q2', 'M1', 'done', DATE '2026-07-30', "
            "'called', TIMESTAMP '2026-07-01 10:00:00')"
        )
    finally:
        con.close()
    meta = json.loads((path / "workspace.json").read_text(encoding="utf-8"))
    meta["schema_version"] = 2
    (path / "workspace.json").write_text(json.dumps(meta), encoding="utf-8")

    ws = Workspace(path)
    columns = ws.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'actions'")
    assert {"rule", "updated_at"} <= set(columns["column_name"])
    old = ws.actions().iloc[0]
    assert old["action_id"] == "A0001" and old["note"] == "called" and pd.isna(old["rule"])
    assert ws.add_actions([{"client_id": "C2", "rule": "silent"}]) == ["A0002"]
    assert json.loads((path / "workspace.json").read_text(encoding="utf-8"))["schema_version"] >= 3


# --------------------------------------------------------------------------- planning

CLIENTS = pd.DataFrame({"client_id": ["C1", "C2", "C3"], "manager": ["M1", "M2", None]})


def test_plan_actions_one_per_client_with_rules_evidence_owner_and_due():
    flags = flags_frame(
        [
            ("2026-Q3", "C2", "silent", "no answer for 2 waves"),
            ("2026-Q3", "C1", "nps_drop", "NPS 9 -> 5"),
            ("2026-Q3", "C2", "detractor", "NPS 3"),
            ("2026-Q3", "C2", "detractor", "NPS 3"),
            ("2026-Q2", "C3", "silent", "an earlier wave"),
            ("2026-Q3", "C3", "complaint", None),
        ]
    )
    plan = plan_actions(flags, CLIENTS, "2026-Q3", wave_closed_at="2026-09-30", due_days=14)
    assert plan.columns.tolist() == ["client_id", "wave_id", "owner", "status", "due", "note", "rule"]
    assert plan["client_id"].tolist() == ["C1", "C2", "C3"]
    assert plan["rule"].tolist() == ["nps_drop", "detractor;silent", "complaint"]
    assert plan["note"].tolist()[:2] == ["NPS 9 -> 5", "no answer for 2 waves; NPS 3"]
    assert pd.isna(plan.loc[2, "note"])
    assert plan["owner"].tolist()[:2] == ["M1", "M2"] and pd.isna(plan.loc[2, "owner"])
    assert (plan["status"] == "open").all() and (plan["wave_id"] == "2026-Q3").all()
    assert (plan["due"] == pd.Timestamp("2026-10-14")).all()
    assert plan.attrs["skipped"] == []

    one_owner = plan_actions(flags, CLIENTS, "2026-Q3", owner="Head of CS")
    assert (one_owner["owner"] == "Head of CS").all()
    # An open wave: due counts from today.
    assert (one_owner["due"] == pd.Timestamp.today().normalize() + pd.Timedelta(days=30)).all()


def test_plan_actions_skips_clients_already_followed_up_in_the_wave():
    flags = flags_frame([("2026-Q3", "C1", "silent", "x"), ("2026-Q3", "C2", "silent", "y")])
    existing = pd.DataFrame(
        {"client_id": ["C1", "C2"], "wave_id": ["2026-Q3", "2026-Q2"], "status": ["dropped", "done"]}
    )
    plan = plan_actions(flags, CLIENTS, "2026-Q3", existing=existing)
    assert plan["client_id"].tolist() == ["C2"] and plan.attrs["skipped"] == ["C1"]
    nothing = plan_actions(flags, CLIENTS, "2026-Q3", existing=pd.concat([existing, plan]))
    assert nothing.empty and nothing.attrs["skipped"] == ["C1", "C2"]
    assert plan_actions(flags.iloc[0:0], CLIENTS, "2026-Q3").empty


def test_plan_actions_truncates_long_evidence_and_checks_its_input():
    flags = flags_frame([("Q", "C1", f"r{i}", "x" * 200 + str(i)) for i in range(5)])
    note = plan_actions(flags, CLIENTS, "Q")["note"].iloc[0]
    assert len(note) == NOTE_MAX and note.endswith("…")
    with pytest.raises(ValueError, match="flags lacks column"):
        plan_actions(flags.drop(columns="evidence"), CLIENTS, "Q")
    with pytest.raises(ValueError, match="clients lacks column"):
        plan_actions(flags, CLIENTS.drop(columns="manager"), "Q")
    with pytest.raises(ValueError, match="due_days"):
        plan_actions(flags, CLIENTS, "Q", due_days=-1)


# --------------------------------------------------------------------------- create


@pytest.mark.slow
def test_create_actions_stores_the_plan_and_is_idempotent(small_ws):
    flags = flags_frame(
        [
            ("2026-Q3", "C1", "nps_drop", "NPS 9 -> 5"),
            ("2026-Q3", "C1", "silent", "no answer"),
            ("2026-Q3", "C3", "detractor", "NPS 2"),
        ]
    )
    created = create_actions(small_ws, "2026-Q3", flags=flags)
    assert created["action_id"].tolist() == ["A0001", "A0002"]
    assert created["client_id"].tolist() == ["C1", "C3"]
    assert created["owner"].tolist() == ["M1", "M3"] and created["rule"].tolist() == ["nps_drop;silent", "detractor"]
    # Due 30 days after the wave closed on 2026-09-30.
    assert (created["due"] == pd.Timestamp("2026-10-30")).all()
    assert created.attrs == {"flagged": 2, "skipped": []}

    small_ws.update_action("A0001", status="done")
    again = create_actions(small_ws, "2026-Q3", flags=flags)
    assert again.empty and again.attrs == {"flagged": 2, "skipped": ["C1", "C3"]}
    assert len(small_ws.actions()) == 2
    with pytest.raises(WorkspaceError, match="wave '2027-Q1' does not exist"):
        create_actions(small_ws, "2027-Q1", flags=flags)


@pytest.mark.slow
def test_create_actions_with_the_real_rules_on_the_demo(demo_ws, tmp_path):
    pytest.importorskip("cxlab.risk.rules", reason="the early-warning rules are not written yet")
    # A copy: the demo workspace is shared by the whole session.
    shutil.copytree(demo_ws.path, tmp_path / "demo")
    ws = Workspace(tmp_path / "demo")
    wave = ws.latest_wave()
    created = create_actions(ws, wave, lang="en")
    from cxlab.risk.rules import early_warnings
    from cxlab.summary import SurveyData

    flags = early_warnings(SurveyData.from_workspace(ws), wave, lang="en")
    assert created.attrs["flagged"] == flags["client_id"].nunique() == len(created)
    assert set(created["client_id"]) == set(flags["client_id"])
    assert created["rule"].notna().all() and (created["status"] == "open").all()
    assert create_actions(ws, wave).empty


# --------------------------------------------------------------------------- follow-up


def outcomes_frame(rows):
    return pd.DataFrame(
        rows, columns=["client_id", "churned", "score_before", "score_after", "flagged_again", "responded"]
    )


@pytest.fixture
def loop():
    """Six clients flagged in Q2: three with a completed action, three without."""
    flagged = pd.DataFrame(
        {
            "wave_id": ["Q2"] * 7 + ["Q1"],
            "client_id": ["C1", "C1", "C2", "C3", "C4", "C5", "C6", "C9"],
            "rule": ["silent", "nps_drop", "silent", "detractor", "silent", "silent", "silent", "silent"],
        }
    )
    actions = pd.DataFrame(
        {
            "action_id": [f"A{i}" for i in range(1, 9)],
            "client_id": ["C1", "C1", "C2", "C3", "C4", "C4", "C5", "C6"],
            "wave_id": ["Q2", "Q2", "Q2", "Q2", "Q2", "Q2", "Q1", "Q2"],
            "status": ["open", "done", "done", "done", "dropped", "in_progress", "done", "dropped"],
        }
    )
    outcomes = outcomes_frame(
        [
            ("C1", False, 4.0, 8.0, False, True),
            ("C2", False, 5.0, 6.5, True, True),
            ("C3", True, 3.0, np.nan, False, False),
            ("C4", True, 6.0, np.nan, True, False),
            ("C5", False, 5.0, 4.0, True, True),
            ("C6", False, 2.0, 5.0, True, True),
            ("C9", True, 0.0, 0.0, True, True),
        ]
    )
    return flagged, actions, outcomes


def test_follow_up_per_client(loop):
    fu = follow_up(*loop, flagged_wave="Q2")
    c = fu.clients.set_index("client_id")
    assert c.index.tolist() == ["C1", "C2", "C3", "C4", "C5", "C6"]  # C9 was flagged in Q1
    # The most advanced status; an action of another wave does not count (C5).
    assert c["action_status"].to_dict() == {
        "C1": "done",
        "C2": "done",
        "C3": "done",
        "C4": "in_progress",
        "C5": "none",
        "C6": "dropped",
    }
    assert c["completed"].tolist() == [True, True, True, False, False, False]
    assert c.loc["C1", "rule"] == "nps_drop;silent"
    assert c["score_change"].tolist()[:2] == [4.0, 1.5] and pd.isna(c.loc["C3", "score_change"])


Z_975 = stats.norm.ppf(0.975)


def wilson_by_hand(k, n, z=Z_975):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_follow_up_summary_against_hand_formulas(loop):
    fu = follow_up(*loop, flagged_wave="Q2")
    s = fu.summary.set_index("group")
    assert s.index.tolist() == list(GROUPS)
    done, rest = s.loc["completed action"], s.loc["no completed action"]
    assert (done["n_clients"], done["churned_n"], done["churned_base"]) == (3, 1, 3)
    assert (rest["n_clients"], rest["churned_n"], rest["responded_n"], rest["flagged_again_n"]) == (3, 1, 2, 3)
    assert done["churned_share"] == pytest.approx(1 / 3)
    low, high = wilson_by_hand(1, 3)
    assert (done["churned_ci_low"], done["churned_ci_high"]) == (pytest.approx(low), pytest.approx(high))
    low, high = wilson_by_hand(2, 3)
    assert (rest["responded_ci_low"], rest["responded_ci_high"]) == (pytest.approx(low), pytest.approx(high))
    # All three flagged again: the Wilson interval still has width.
    assert rest["flagged_again_share"] == 1 and rest["flagged_again_ci_low"] == pytest.approx(wilson_by_hand(3, 3)[0])

    # Score change, completed group: 4.0 and 1.5 (C3 churned without answering).
    mean, sd, n = 2.75, math.sqrt(((4 - 2.75) ** 2 + (1.5 - 2.75) ** 2) / 1), 2
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    assert (done["score_change_mean"], done["score_change_n"]) == (pytest.approx(mean), n)
    assert done["score_change_ci_low"] == pytest.approx(mean - half)
    assert done["score_change_ci_high"] == pytest.approx(mean + half)
    assert "Wilson" in done["method"] and "Student t" in done["method"]


def test_follow_up_difference_newcombe_and_welch(loop):
    fu = follow_up(*loop, flagged_wave="Q2", confidence=0.9)
    d = fu.difference.set_index("measure")
    churn = d.loc["churned_share"]
    assert churn["difference"] == pytest.approx(1 / 3 - 1 / 3)
    low, high = confint_proportions_2indep(1, 3, 1, 3, method="newcomb", compare="diff", alpha=0.1)
    assert (churn["ci_low"], churn["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert "Newcomb" in churn["method"] and (churn["n_completed"], churn["n_no_completed"]) == (3, 3)

    # Welch by hand: completed {4.0, 1.5}, not completed {-1.0, 3.0}.
    a, b = np.array([4.0, 1.5]), np.array([-1.0, 3.0])
    va, vb = a.var(ddof=1) / 2, b.var(ddof=1) / 2
    df = (va + vb) ** 2 / (va**2 + vb**2)
    half = stats.t.ppf(0.95, df) * math.sqrt(va + vb)
    score = d.loc["score_change"]
    assert score["difference"] == pytest.approx(2.75 - 1.0)
    assert (score["ci_low"], score["ci_high"]) == (pytest.approx(1.75 - half), pytest.approx(1.75 + half))
    assert "Welch" in score["method"]


def test_newcombe_on_newcombes_own_example():
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339.
    flagged = pd.DataFrame({"client_id": [f"C{i}" for i in range(150)]})
    completed = flagged["client_id"][:70]
    actions = pd.DataFrame({"client_id": completed, "wave_id": "Q2", "status": "done"})
    churned = [i < 56 for i in range(70)] + [i < 48 for i in range(80)]
    outcomes = outcomes_frame(
        {
            "client_id": flagged["client_id"],
            "churned": churned,
            "score_before": np.nan,
            "score_after": np.nan,
            "flagged_again": False,
            "responded": False,
        }
    )
    churn = follow_up(flagged, actions, outcomes, flagged_wave="Q2").difference.iloc[0]
    assert churn["difference"] == pytest.approx(56 / 70 - 48 / 80)
    assert round(churn["ci_low"], 4) == 0.0524 and round(churn["ci_high"], 4) == 0.3339
    # The hybrid score interval from the two Wilson intervals, by hand.
    (l1, u1), (l2, u2) = wilson_by_hand(56, 70), wilson_by_hand(48, 80)
    p1, p2 = 56 / 70, 48 / 80
    assert churn["ci_low"] == pytest.approx(p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    assert churn["ci_high"] == pytest.approx(p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
    # No score answered: the score figures are empty, not an error.
    assert follow_up(flagged, actions, outcomes, flagged_wave="Q2").summary["score_change_n"].tolist() == [0, 0]


def test_follow_up_unknown_outcomes_leave_the_base(loop):
    flagged, actions, outcomes = loop
    fu = follow_up(flagged, actions, outcomes[outcomes["client_id"] != "C2"], flagged_wave="Q2")
    done = fu.summary.set_index("group").loc["completed action"]
    assert (done["n_clients"], done["churned_base"], done["churned_n"]) == (3, 2, 1)
    assert pd.isna(fu.clients.set_index("client_id").loc["C2", "churned"])


def test_follow_up_text_and_note(loop):
    fu = follow_up(*loop, flagged_wave="Q2")
    en, ru = fu.summary_text("en"), fu.summary_text("ru")
    assert "wave Q2: 6 client(s), 3 with a completed action" in en
    assert "churned: 1 of 3 = 33%" in en and "Newcombe" in en and "Welch" in en
    assert "observational" in en and fu.note["en"] in en
    assert "действие выполнено по 3" in ru and "ушли: 1 из 3" in ru and fu.note["ru"] in ru
    assert "не то, что действие вызвало результат" in fu.note["ru"]


def test_follow_up_without_flagged_clients():
    empty = pd.DataFrame(columns=["client_id", "rule"])
    fu = follow_up(empty, pd.DataFrame(), pd.DataFrame(), flagged_wave="Q2")
    assert fu.clients.empty and fu.summary.empty and fu.difference.empty
    assert "churned_share" in fu.summary.columns and "action_status" in fu.clients.columns
    assert "No client was flagged in wave Q2" in fu.note["en"] and "Q2" in fu.note["ru"]
    assert "no client was flagged" in fu.summary_text("en")


def test_follow_up_without_actions(loop):
    flagged, _, outcomes = loop
    fu = follow_up(flagged, pd.DataFrame(), outcomes, flagged_wave="Q2")
    assert (fu.clients["action_status"] == "none").all()
    assert fu.summary["n_clients"].tolist() == [0, 6]
    assert pd.isna(fu.difference.iloc[0]["ci_low"])
    assert "completed action (0 client(s))" in fu.summary_text("en")


def test_follow_up_checks_its_input(loop):
    flagged, actions, outcomes = loop
    with pytest.raises(ValueError, match=r"outcomes lacks column.*responded"):
        follow_up(flagged, actions, outcomes.drop(columns="responded"), flagged_wave="Q2")
    with pytest.raises(ValueError, match="more than one row for client 'C1'"):
        follow_up(flagged, actions, pd.concat([outcomes, outcomes.iloc[:1]]), flagged_wave="Q2")
    with pytest.raises(ValueError, match="'churned' must be true/false, got 'yes'"):
        follow_up(flagged, actions, outcomes.assign(churned=["yes"] + [False] * 6), flagged_wave="Q2")
    with pytest.raises(ValueError, match="confidence"):
        follow_up(flagged, actions, outcomes, flagged_wave="Q2", confidence=95)
