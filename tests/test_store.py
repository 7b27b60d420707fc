"""Workspace: a real DuckDB file; transactional, idempotent imports; clear errors."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

import cxlab.store as store
import cxlab.store.imports as store_imports  # where import_wave looks up _insert
from cxlab import Workspace
from cxlab.errors import InputError, WorkspaceError

WAVE_CSV = (
    "response_id,contact_id,client_id,submitted_at,nps,overall,price,comment,attribute:deadlines,service:pr,need:smm\n"
    "R1,K1,C1,2026-09-12 10:00:00,9,5,3,Отлично,5,5,\n"
    "R2,K2,C1,2026-09-13 11:00:00,6,3,2,Не хватает цифр в отчёте,2,3,1\n"
    "R3,K3,C2,2026-09-14 12:00:00,10,4,3,,4,,\n"
    'R4,K4,C3,2026-09-15 09:30:00,7,4,,=HYPERLINK("x"),3,4,\n'
)


def snapshot(ws: Workspace) -> dict:
    """Every table's full content, to compare before and after a failed import."""
    return {name: ws.table(name, include_pii=True) for name in ws.tables()}


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False)


def test_create_open_and_refuse_to_clobber(tmp_path):
    Workspace.create(tmp_path / "acme", name="ACME")
    assert (tmp_path / "acme" / "workspace.duckdb").exists()
    again = Workspace(tmp_path / "acme")
    assert again.name == "ACME"
    assert set(again.tables()) >= {"clients", "contacts", "responses", "answers", "imports", "events", "actions"}
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(tmp_path / "acme")
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace(tmp_path / "nothing-here")


@pytest.mark.slow
def test_import_wave_loads_responses_and_answers(small_ws, csv_file):
    report = small_ws.import_wave(csv_file(WAVE_CSV), "2026-Q3")
    assert (report.rows_read, report.rows_loaded, report.rows_skipped) == (4, 4, 0)
    responses = small_ws.responses("2026-Q3")
    assert responses["response_id"].tolist() == ["R1", "R2", "R3", "R4"]
    assert responses["nps"].tolist() == [9, 6, 10, 7]
    assert responses.loc[1, "comment"] == "Не хватает цифр в отчёте"
    # Manager and team at the time of the response travel with it.
    assert responses["manager"].tolist() == ["M1", "M1", "M2", "M3"]
    answers = small_ws.answers("2026-Q3")
    assert len(answers) == report.answers_loaded == 4 + 3 + 1  # deadlines x4, pr x3, need x1
    need = answers[answers["kind"] == "need"]
    assert need[["response_id", "item", "value", "scale"]].values.tolist() == [["R2", "smm", 1.0, "0-1"]]
    assert set(answers.loc[answers["kind"] != "need", "scale"]) == {"1-5"}
    audit = small_ws.imports()
    assert audit[["wave_id", "rows_read", "rows_loaded"]].values.tolist() == [["2026-Q3", 4, 4]]
    assert len(audit.loc[0, "sha256"]) == 64


@pytest.mark.slow
def test_same_file_twice_loads_nothing_and_says_so(small_ws, csv_file):
    path = csv_file(WAVE_CSV)
    small_ws.import_wave(path, "2026-Q3")
    before = snapshot(small_ws)
    again = small_ws.import_wave(path, "2026-Q3")
    assert again.already_imported and again.rows_loaded == 0
    assert "already imported" in str(again)
    assert_same(before, snapshot(small_ws))


@pytest.mark.slow
def test_cumulative_export_loads_only_new_rows(small_ws, csv_file):
    first = "\n".join(WAVE_CSV.splitlines()[:3]) + "\n"
    small_ws.import_wave(csv_file(first, "part1.csv"), "2026-Q3")
    report = small_ws.import_wave(csv_file(WAVE_CSV, "all.csv"), "2026-Q3")
    assert (report.rows_loaded, report.rows_skipped) == (2, 2)
    assert len(small_ws.responses("2026-Q3")) == 4
    assert len(small_ws.imports()) == 2


def test_russian_excel_csv_cp1251_semicolons_decimal_commas(small_ws, csv_file):
    text = (
        "response_id;contact_id;submitted_at;nps;overall;comment;attribute:deadlines\n"
        "R1;K1;12.09.2026 10:05;9;4,0;Всё хорошо;4\n"
        "R2;K3;13.09.2026;3;2;Сроки срываются;1\n"
    )
    report = small_ws.import_wave(csv_file(text, encoding="cp1251"), "2026-Q3")
    assert report.rows_loaded == 2
    assert any("cp1251" in m for m in report.messages)
    r = small_ws.responses("2026-Q3")
    assert r["overall"].tolist() == [4.0, 2.0]
    assert r["client_id"].tolist() == ["C1", "C2"]  # filled from the contact
    assert r["comment"].tolist() == ["Всё хорошо", "Сроки срываются"]
    assert r.loc[0, "submitted_at"] == pd.Timestamp("2026-09-12 10:05")


@pytest.mark.slow  # sixteen refused imports, about a second each
@pytest.mark.parametrize(
    ("text", "row", "column", "words"),
    [
        ("response_id,client_id,nps\nR1,C1,9\nR2,C9,8\n", 3, "client_id", "unknown client 'C9'"),
        ("response_id,contact_id,nps\nR1,K1,9\nR2,K99,8\n", 3, "contact_id", "unknown contact 'K99'"),
        ("response_id,contact_id,client_id,nps\nR1,K1,C2,9\n", 2, "client_id", "belongs to client 'C1'"),
        ("response_id,client_id,nps\nR1,C1,9\nR2,C2,11\n", 3, "nps", "outside the wave's scale 0-10"),
        ("response_id,client_id,nps\nR1,C1,7.5\n", 2, "nps", "whole points"),
        ("response_id,client_id,overall\nR1,C1,6\n", 2, "overall", "outside the wave's scale 1-5"),
        (
            "response_id;client_id;overall\nR1;C1;4,5\n",
            2,
            "overall",
            "4.5 is outside the wave's scale 1-5 (whole points",
        ),
        ("response_id,client_id,nps\nR1,C1,9\n\nR2,C1,11\n", 4, "nps", "value 11"),
        ("response_id,client_id,submitted_at\nR1,C1,01/02/2026\n", 2, "submitted_at", "is not a date"),
        (
            "response_id,client_id,nps,attribute:deadlines\nR1,C1,9,5\nR1,C1,9,1\n",
            3,
            "response_id",
            "duplicate response id 'R1' with different answers",
        ),
        (
            "response_id,client_id,nps,attribute:deadlines\nR1,C1,9,0\n",
            2,
            "attribute:deadlines",
            "outside the scale 1-5",
        ),
        ("response_id,client_id,nps\nR1,C1,9\nR1,C2,3\n", 3, "response_id", "duplicate response id 'R1'"),
        ("response_id,nps\nR1,9\n", 1, "client_id (or contact_id)", "required column is missing"),
        ("response_id,client_id,nps\nR1,C1,nine\n", 2, "nps", "unknown answer 'nine'"),
        ("response_id,client_id,submitted_at\nR1,C1,31.02.2026\n", 2, "submitted_at", "is not a date"),
        ("response_id,client_id,colour\nR1,C1,red\n", 1, "colour", "unknown column"),
    ],
)
def test_bad_input_names_file_row_column_and_loads_nothing(small_ws, csv_file, text, row, column, words):
    before = snapshot(small_ws)
    path = csv_file(text, "bad.csv")
    with pytest.raises(InputError) as info:
        small_ws.import_wave(path, "2026-Q3", errors="raise")
    message = str(info.value)
    assert f"bad.csv, row {row}, column '{column}'" in message
    assert words in message
    assert any(p.row == row and p.column == column for p in info.value.problems)
    assert_same(before, snapshot(small_ws))


@pytest.mark.parametrize(
    ("text", "row", "column", "loaded", "words"),
    [
        ("response_id,client_id,nps\nR1,C1,9\nR2,C9,8\n", 3, "client_id", {"R1": 9}, "unknown client 'C9'"),
        ("response_id,contact_id,nps\nR1,K1,9\nR2,K99,8\n", 3, "contact_id", {"R1": 9}, "unknown contact"),
        ("response_id,client_id,nps\nR1,C1,9\nR2,C2,11\n", 3, "nps", {"R1": 9, "R2": None}, "outside"),
        ("response_id,client_id,nps\nR1,C1,nine\nR2,C2,3\n", 2, "nps", {"R1": None, "R2": 3}, "unknown answer"),
        (
            "response_id,client_id,nps,submitted_at\nR1,C1,9,31.02.2026\nR2,C2,3,15.09.2026\n",
            2,
            "submitted_at",
            {"R1": 9, "R2": 3},
            "is not a date",
        ),
        (
            "response_id,client_id,nps,attribute:deadlines\nR1,C1,9,5\nR1,C1,9,1\nR2,C2,0,3\n",
            3,
            "response_id",
            {"R2": 0},
            "duplicate response id",
        ),
    ],
)
def test_report_mode_loads_the_valid_rest_and_lists_each_refusal(small_ws, csv_file, text, row, column, loaded, words):
    report = small_ws.import_wave(csv_file(text, "messy.csv"), "2026-Q3")
    refused = report.refused_frame()
    hit = refused[(refused["row"] == row) & (refused["column"] == column)]
    assert len(hit) and words in hit["reason"].iloc[0] and (hit["file"] == "messy.csv").all()
    stored = small_ws.responses("2026-Q3").set_index("response_id")["nps"]
    assert {k: (None if pd.isna(v) else v) for k, v in stored.items()} == loaded
    assert "refused" in str(report)


def test_identical_duplicate_submission_keeps_one(small_ws, csv_file):
    text = "response_id,client_id,nps\nR1,C1,9\nR1,C1,9\nR2,C2,4\n"
    report = small_ws.import_wave(csv_file(text), "2026-Q3")
    assert (report.rows_loaded, report.rows_rejected) == (2, 1)


@pytest.mark.slow
def test_changed_response_is_refused_not_overwritten(small_ws, csv_file):
    small_ws.import_wave(csv_file("response_id,client_id,nps\nR1,C1,9\n", "a.csv"), "2026-Q3")
    with pytest.raises(InputError, match="already stored with different answers"):
        small_ws.import_wave(csv_file("response_id,client_id,nps\nR1,C1,2\n", "b.csv"), "2026-Q3", errors="raise")
    report = small_ws.import_wave(csv_file("response_id,client_id,nps\nR1,C1,2\n", "b.csv"), "2026-Q3")
    assert "already stored with different answers" in report.refused[0].message
    assert small_ws.responses()["nps"].tolist() == [9]


def test_unknown_wave_is_refused(small_ws, csv_file):
    with pytest.raises(WorkspaceError, match="wave '2030-Q1' does not exist"):
        small_ws.import_wave(csv_file(WAVE_CSV), "2030-Q1")


@pytest.mark.slow
def test_failure_while_writing_leaves_workspace_exactly_as_before(small_ws, csv_file, monkeypatch):
    small_ws.import_wave(csv_file("response_id,client_id,nps\nR0,C1,8\n", "first.csv"), "2026-Q2")
    before = snapshot(small_ws)
    real_insert = store_imports._insert

    def failing_insert(con, name, frame):
        if name == "answers":  # responses are already written inside the transaction by now
            raise RuntimeError("disk full (simulated)")
        real_insert(con, name, frame)

    monkeypatch.setattr(store_imports, "_insert", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        small_ws.import_wave(csv_file(WAVE_CSV), "2026-Q3")
    monkeypatch.undo()
    assert_same(before, snapshot(small_ws))
    # And the same file imports cleanly afterwards: the failed attempt left no trace.
    assert small_ws.import_wave(csv_file(WAVE_CSV), "2026-Q3").rows_loaded == 4


@pytest.mark.slow
def test_load_tables_is_one_transaction(small_ws):
    before = snapshot(small_ws)
    bad_contacts = pd.DataFrame({"contact_id": ["K9", "K9"], "client_id": ["C1", "C1"]})
    with pytest.raises(InputError, match="duplicate key"):
        small_ws.load_tables(
            {"clients": pd.DataFrame({"client_id": ["C4"], "name": ["Delta"]}), "contacts": bad_contacts}
        )
    assert_same(before, snapshot(small_ws))


def test_readers_hide_pii_unless_asked(small_ws):
    assert "email" not in small_ws.contacts().columns
    assert "name" not in small_ws.contacts().columns
    assert small_ws.contacts(include_pii=True)["email"].iloc[0] == "a@example.ru"


def test_nps_counts_in_duckdb_match_hand_count(small_ws, csv_file):
    small_ws.import_wave(csv_file(WAVE_CSV), "2026-Q3")
    counts = small_ws.nps_counts(["team"], wave="2026-Q3")
    # T1: R1 (9, promoter), R2 (6, detractor), R3 (10, promoter); T2: R4 (7, passive)
    assert counts.to_dict("records") == [
        {"team": "T1", "promoters": 2, "passives": 0, "detractors": 1},
        {"team": "T2", "promoters": 0, "passives": 1, "detractors": 0},
    ]
    with pytest.raises(ValueError, match="cannot break down"):
        small_ws.nps_counts(["email"])


def test_nps_refused_on_a_wave_asked_on_another_scale(small_ws, csv_file):
    from cxlab.metrics import NPSScaleError

    small_ws.add_wave("2026-Q4", nps_scale="1-5")
    small_ws.import_wave(csv_file("response_id,client_id,nps\nR1,C1,5\n"), "2026-Q4")
    with pytest.raises(NPSScaleError, match="0-10 only"):
        small_ws.nps_counts(wave="2026-Q4")


def test_file_is_plain_duckdb(small_ws, csv_file):
    small_ws.import_wave(csv_file(WAVE_CSV), "2026-Q3")
    con = duckdb.connect(str(small_ws.db_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 4
    finally:
        con.close()


def raw_counts(ws, by):
    """Counting the responses directly, the slow way, to check the cube against."""
    frame = ws.response_frame()
    frame = frame[frame["nps"].notna()]
    g = frame.assign(
        promoters=frame["nps"] >= 9, passives=frame["nps"].between(7, 8), detractors=frame["nps"] <= 6
    ).groupby(by, dropna=False)
    return g[["promoters", "passives", "detractors"]].sum().reset_index()


@pytest.mark.slow
def test_cube_counts_equal_raw_counts_through_imports_and_reloads(small_ws, csv_file):
    small_ws.import_wave(csv_file(WAVE_CSV), "2026-Q3")
    small_ws.import_wave(csv_file("response_id,contact_id,nps\nQ1,K5,3\nQ2,K3,9\n", "q2.csv"), "2026-Q2")
    for by in (["wave_id"], ["team", "role"], ["segment", "wave_id"], ["contact_id"], ["direction", "client_status"]):
        cube = small_ws.nps_counts(by)
        raw = raw_counts(small_ws, by)
        assert (
            cube[by + ["promoters", "passives", "detractors"]].values.tolist()
            == raw.sort_values(by)[by + ["promoters", "passives", "detractors"]].values.tolist()
        ), by
    # A contact's role changes: the cube follows.
    contacts = small_ws.contacts(include_pii=True)
    contacts.loc[contacts["contact_id"] == "K1", "role"] = "finance"
    small_ws.load("contacts", contacts)
    by_role = small_ws.nps_counts("role").set_index("role")
    assert by_role.loc["finance", "promoters"] == 1


@pytest.mark.slow
def test_failed_import_leaves_the_cube_as_before(small_ws, csv_file, monkeypatch):
    small_ws.import_wave(csv_file("response_id,client_id,nps\nR0,C1,8\n", "first.csv"), "2026-Q2")
    before = small_ws.nps_counts(["wave_id"])
    real_insert = store_imports._insert
    monkeypatch.setattr(
        store_imports,
        "_insert",
        lambda con, name, frame: (
            (_ for _ in ()).throw(RuntimeError("boom")) if name == "imports" else real_insert(con, name, frame)
        ),
    )
    with pytest.raises(RuntimeError):
        small_ws.import_wave(csv_file(WAVE_CSV), "2026-Q3")
    pd.testing.assert_frame_equal(small_ws.nps_counts(["wave_id"]), before)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("table", "frame", "row", "column", "words"),
    [
        (
            "contacts",
            pd.DataFrame({"contact_id": ["K8", "K9"], "client_id": ["C1", "C1"], "role": ["boss", "day_to_day"]}),
            2,
            "role",
            "'boss' is not allowed",
        ),
        (
            "clients",
            pd.DataFrame({"client_id": ["C7", None], "name": ["A", "B"]}),
            3,
            "client_id",
            "required value is empty",
        ),
        (
            "clients",
            pd.DataFrame({"client_id": ["C7"], "name": ["A"], "contract_value": [-5.0]}),
            2,
            "contract_value",
            "not allowed",
        ),
        ("clients", pd.DataFrame({"name": ["A"]}), 1, "client_id", "required column of 'clients' is missing"),
        (
            "events",
            pd.DataFrame({"client_id": ["C1"], "date": ["2026-01-01"], "kind": ["exploded"]}),
            2,
            "kind",
            "not allowed",
        ),
    ],
)
def test_reference_loads_are_validated_with_row_and_column(small_ws, table, frame, row, column, words):
    before = snapshot(small_ws)
    with pytest.raises(InputError) as info:
        small_ws.load(table, frame)
    assert any(p.row == row and p.column == column for p in info.value.problems), info.value.problems
    assert words in str(info.value)
    assert_same(before, snapshot(small_ws))


@pytest.mark.slow
def test_import_from_a_dataframe_is_checked_and_idempotent(small_ws):
    frame = pd.DataFrame(
        {"response_id": ["F1", "F2"], "contact_id": ["K1", "K4"], "nps": [10, 0], "attribute:deadlines": [5, None]}
    )
    report = small_ws.import_wave(frame, "2026-Q3")
    assert (report.rows_loaded, report.answers_loaded, report.source) == (2, 1, "<DataFrame>")
    assert small_ws.import_wave(frame, "2026-Q3").already_imported
    with pytest.raises(InputError, match=r"<DataFrame>, row 2, column 'nps'"):
        small_ws.import_wave(frame.assign(response_id=["F3", "F4"], nps=[12, 1]), "2026-Q3", errors="raise")


@pytest.mark.slow
def test_cumulative_export_with_changed_grid_answer_is_refused(small_ws, csv_file):
    small_ws.import_wave(csv_file("response_id,client_id,nps,attribute:deadlines\nR1,C1,9,5\n", "a.csv"), "2026-Q3")
    with pytest.raises(InputError, match="already stored with different answers"):
        small_ws.import_wave(
            csv_file("response_id,client_id,nps,attribute:deadlines\nR1,C1,9,2\n", "b.csv"),
            errors="raise",
            wave="2026-Q3",
        )


def test_response_stored_in_another_wave_is_refused(small_ws, csv_file):
    small_ws.import_wave(csv_file("response_id,client_id,nps\nR1,C1,9\n", "a.csv"), "2026-Q2")
    with pytest.raises(InputError, match="or in another wave"):
        small_ws.import_wave(csv_file("response_id,client_id,nps\nR1,C1,9\n", "b.csv"), "2026-Q3", errors="raise")


@pytest.mark.slow
def test_a_contacts_later_submission_supersedes_the_earlier(small_ws, csv_file):
    first = (
        "response_id,contact_id,submitted_at,nps\n"
        "R1,K1,2026-09-12 10:00,3\nR2,K1,2026-09-14 10:00,9\nR3,K3,2026-09-12 10:00,8\n"
    )
    report = small_ws.import_wave(csv_file(first, "a.csv"), "2026-Q3")
    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    assert small_ws.responses("2026-Q3")["response_id"].tolist() == ["R2", "R3"]
    # A later export brings a newer answer of K3: it replaces the stored one, in one transaction.
    second = "response_id,contact_id,submitted_at,nps\nR9,K3,2026-09-20 10:00,2\n"
    report = small_ws.import_wave(csv_file(second, "b.csv"), "2026-Q3")
    assert report.rows_loaded == 1 and any("superseded" in m for m in report.messages)
    stored = small_ws.responses("2026-Q3").set_index("contact_id")["nps"]
    assert stored.to_dict() == {"K1": 9, "K3": 2}
    assert small_ws.nps_counts().to_dict("records") == [{"promoters": 1, "passives": 0, "detractors": 1}]


def test_importance_and_rating_of_the_same_item_live_side_by_side(small_ws, csv_file):
    text = "response_id,client_id,nps,attribute:deadlines,importance:deadlines\nR1,C1,9,4,5\n"
    small_ws.import_wave(csv_file(text), "2026-Q3")
    assert sorted(small_ws.answers()["kind"]) == ["attribute", "importance"]


def test_file_without_recommend_question_is_loaded_with_a_warning(small_ws, csv_file):
    report = small_ws.import_wave(csv_file("response_id,client_id,overall\nR1,C1,4\n"), "2026-Q3")
    assert report.rows_loaded == 1 and any("recommend question" in m for m in report.messages)


def test_tokens_are_personal_data(small_ws):
    small_ws.load("invitations", pd.DataFrame({"wave_id": ["2026-Q3"], "contact_id": ["K1"], "token": ["abc123"]}))
    assert "token" not in small_ws.table("invitations").columns
    assert small_ws.table("invitations", include_pii=True)["token"].tolist() == ["abc123"]


def test_workspace_of_an_older_version_is_upgraded_on_open(small_ws):
    import json

    small_ws.import_wave(pd.DataFrame({"response_id": ["R1"], "client_id": ["C1"], "nps": [9]}), "2026-Q3")
    con = duckdb.connect(str(small_ws.db_path))
    con.execute("ALTER TABLE responses DROP COLUMN reason")
    con.execute("ALTER TABLE invitations DROP COLUMN note")
    con.close()
    meta = json.loads((small_ws.path / "workspace.json").read_text(encoding="utf-8"))
    (small_ws.path / "workspace.json").write_text(json.dumps({**meta, "schema_version": 1}), encoding="utf-8")
    ws = Workspace(small_ws.path)
    assert "reason" in ws.responses().columns and "note" in ws.table("invitations", include_pii=True).columns
    assert ws.responses()["nps"].tolist() == [9]  # nothing lost
    assert ws.responses()["complete"].tolist() == [True]
    assert (
        json.loads((ws.path / "workspace.json").read_text(encoding="utf-8"))["schema_version"] == store.SCHEMA_VERSION
    )


def test_complete_flag_of_a_cxlab_file(small_ws, csv_file):
    small_ws.import_wave(csv_file("response_id,client_id,nps,complete\nR1,C1,9,\nR2,C2,3,0\nR3,C3,8,true\n"), "2026-Q3")
    assert small_ws.responses().set_index("response_id")["complete"].to_dict() == {"R1": True, "R2": False, "R3": True}
