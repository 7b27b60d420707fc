"""Derived results stored in the workspace: keyed by their inputs, read exactly, never stale, never a crash.

Real DuckDB workspaces, the real dashboard data and wave report, the real CLI.
The churn model runs with 20 refits (the arguments are part of the key, so
the tests' entries are their own).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from cxlab import risk
from cxlab.cli import main
from cxlab.errors import DerivedResultWarning
from cxlab.present import derived_results as dr
from cxlab.present.dashboard_data import DashboardData, Selection
from cxlab.store.results import Bundle, ResultStore, data_fingerprint, result_key

N_BOOT = 20
WAVE = "2025-Q4"  # the first demo wave with a fitted churn model: quicker than the latest

WAVE_CSV = (
    "response_id,contact_id,client_id,submitted_at,nps,overall,price,comment,attribute:deadlines,service:pr\n"
    "R1,K1,C1,2026-09-12 10:00:00,9,5,3,Отлично,5,5\n"
    "R2,K2,C1,2026-09-13 11:00:00,6,3,2,Не хватает цифр в отчёте,2,3\n"
)


@pytest.fixture(scope="module")
def derived_ws(copy_demo_ws, tmp_path_factory):
    """A copy of the demo workspace with WAVE's results derived (20 refits) by ``derive``."""
    ws = copy_demo_ws(tmp_path_factory.mktemp("derived") / "demo")
    summary = dr.derive(ws, waves=[WAVE], progress=False, dashboard=DashboardData(ws, n_boot=N_BOOT))
    assert summary.waves_scored == 1 and summary.matrices == 1 and not summary.failed, summary
    assert summary.comments > 0
    return ws


def count_calls(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args[1:2])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


# ---------------------------------------------------------------- fingerprint
def test_fingerprint_changes_on_import_and_not_on_reads(small_ws, csv_file):
    before = data_fingerprint(small_ws)
    small_ws.responses(), small_ws.response_frame(), small_ws.nps_counts("team")
    DashboardData(small_ws)
    assert data_fingerprint(small_ws) == before
    report = small_ws.import_wave(csv_file(WAVE_CSV), "2026-Q3")
    assert report.rows_loaded == 2
    after = data_fingerprint(small_ws)
    assert after["responses"] != before["responses"] and after["answers"] != before["answers"]
    assert after["clients"] == before["clients"]
    # The same file again loads nothing: nothing derived goes stale.
    small_ws.import_wave(csv_file(WAVE_CSV), "2026-Q3")
    assert data_fingerprint(small_ws) == after
    # A value changed in place (as --replace or repair do) changes it too, the row count staying the same.
    with small_ws.connect(read_only=False) as con:
        con.execute("UPDATE responses SET nps = 10 WHERE response_id = 'R2'")
    changed = data_fingerprint(small_ws)
    assert changed["responses"] != after["responses"] and changed["responses"].split(":")[0] == "2"
    keys = {result_key("risk", {"wave": "2026-Q3"}, fp) for fp in (before, after, changed)}
    assert len(keys) == 3


# ---------------------------------------------------------------- the store itself
def test_store_round_trips_frames_arrays_and_json_exactly(tmp_path):
    store = ResultStore(tmp_path)
    frame = pd.DataFrame(
        {
            "text": pd.Series(["а", None, np.nan, "b"], dtype=object, index=[4, 7, 9, 11]),
            "word": ["а", None, np.nan, "b"],  # pandas 3: str with NaN
            "x": [1.5, np.nan, 0.1 + 0.2, -0.0],
            "n": [1, 2, 3, 4],
            "when": pd.to_datetime(["2026-01-01", None, "2026-03-01", "2026-04-01"]),
            "cat": pd.Categorical(["u", "v", None, "u"]),
        },
        index=[4, 7, 9, 11],
    )
    key = result_key("demo", {"a": 1}, {"t": "1:2"})
    meta = {"total": {"r": 0.1 + 0.2, "nan": float("nan")}, "msg": {"ru": "нет", "en": "no"}}
    assert store.write("demo", key, Bundle({"f": frame}, {"d": np.arange(6.0).reshape(2, 3)}, meta))
    got = store.read("demo", key)
    pd.testing.assert_frame_equal(got.frames["f"], frame)
    assert got.frames["f"].loc[7, "text"] is None and np.isnan(got.frames["f"].loc[9, "text"])
    np.testing.assert_array_equal(got.arrays["d"], np.arange(6.0).reshape(2, 3))
    assert got.meta["total"]["r"] == 0.1 + 0.2 and np.isnan(got.meta["total"]["nan"]) and got.meta["msg"]["ru"] == "нет"
    # No pickle: an object array is refused at writing (with a warning), nothing is stored.
    with pytest.warns(DerivedResultWarning):
        assert not store.write("demo", "0" * 40, Bundle(arrays={"o": np.array([{"x": 1}], dtype=object)}))
    assert not store.has("demo", "0" * 40) and store.entries("demo") == [key]


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete", "manifest"])
def test_a_torn_or_altered_entry_is_missing_with_a_warning(tmp_path, damage):
    store = ResultStore(tmp_path)
    key = result_key("demo", {}, {})
    store.write("demo", key, Bundle({"f": pd.DataFrame({"a": range(100)})}, {"d": np.ones(50)}, {"m": 1}))
    folder = store.path("demo", key)
    target = folder / "a-d.npy"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:40])
    elif damage == "flip":
        raw = bytearray(target.read_bytes())
        raw[-1] ^= 0xFF
        target.write_bytes(bytes(raw))
    elif damage == "delete":
        (folder / "f-f.parquet").unlink()
    else:
        (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.warns(DerivedResultWarning, match="computed again"):
        assert store.read("demo", key) is None
    assert not folder.exists()  # removed, so that the next computation can store it again
    assert store.write("demo", key, Bundle(meta={"m": 2})) and store.read("demo", key).meta == {"m": 2}


def test_one_process_computes_an_entry_while_the_others_wait(tmp_path):
    import threading

    store = ResultStore(tmp_path)
    key = result_key("demo", {}, {})
    inside, order = threading.Event(), []

    def first():
        with store.computing("demo", key) as held:
            assert held
            inside.set()
            order.append("first computes")
            store.write("demo", key, Bundle(meta={"by": "first"}))
            order.append("first stored")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(5)
    with store.computing("demo", key):
        order.append("second reads " + store.read("demo", key).meta["by"])
    thread.join()
    assert order == ["first computes", "first stored", "second reads first"]


# ---------------------------------------------------------------- the dashboard reads what derive stored
def test_dashboard_reads_stored_results_without_computing_them(derived_ws, monkeypatch):
    fresh = DashboardData(derived_ws, n_boot=N_BOOT)
    sel = Selection(wave=WAVE)
    assert fresh.ready("risk", sel) and fresh.ready("ipa", sel) and fresh.ready("themes", sel)
    assert fresh.has_risk_scores(WAVE)
    assert not fresh.ready("ipa", Selection(wave=WAVE, team=fresh.options()["team"][0]))
    assert not DashboardData(derived_ws, n_boot=N_BOOT + 1).ready("risk", sel)  # other arguments: not used

    scored = count_calls(monkeypatch, risk, "score_clients")
    from cxlab import drivers, text

    mapped = count_calls(monkeypatch, drivers, "importance_performance")
    import cxlab.present.dashboard_comments as comments_module

    coded = count_calls(monkeypatch, comments_module, "code_themes")
    stored = fresh.risk_scores(WAVE), fresh.ipa(sel), fresh.coded_comments()
    assert scored == [] and mapped == [] and coded == []
    assert text  # imported for the module's side effects only

    # The same figures as computed now, field by field.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        computed = risk.score_clients(
            fresh.data, WAVE, n_boot=N_BOOT, random_state=fresh.seed, panel=fresh.panel(), lang="en"
        )
    assert_same_scores(stored[0], computed)
    live = DashboardData(derived_ws, n_boot=N_BOOT)
    assert_same_ipa(stored[1], live._ipa(sel))
    expected = live._code_comments()
    pd.testing.assert_frame_equal(stored[2], expected)
    assert stored[2].attrs == expected.attrs


def assert_same_scores(got, want):
    for name in ("wave", "total", "message", "method", "lang", "n_train_rows", "n_train_events", "train_until"):
        assert getattr(got, name) == getattr(want, name), name
    assert list(got.total) == list(want.total)  # the order metrics.json writes them in
    assert got.confidence == want.confidence and got.random_state == want.random_state
    pd.testing.assert_frame_equal(got.clients, want.clients)
    pd.testing.assert_frame_equal(got.scored_rows, want.scored_rows)
    np.testing.assert_array_equal(got.total_draws, want.total_draws)
    np.testing.assert_array_equal(got.client_draws, want.client_draws)
    for lang in ("ru", "en"):
        pd.testing.assert_series_equal(got.reasons_in(lang), want.reasons_in(lang))
        pd.testing.assert_series_equal(got.reasons_in(lang, top=1), want.reasons_in(lang, top=1))
    some = want.clients["client_id"].iloc[::3]
    assert got.total_for(some)[0] == want.total_for(some)[0]
    assert got.model.fitted_ == want.model.fitted_ and got.model.method_used_ == want.model.method_used_
    if want.model.fitted_ and want.model.method_used_ == "logistic":
        pd.testing.assert_frame_equal(got.model.odds_ratios(), want.model.odds_ratios())


def same(a, b) -> bool:
    """Equal, NaN equal to NaN (an interval without resamples is NaN on both sides)."""
    return a == b or (isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b))


def assert_same_ipa(got, want):
    if isinstance(want, str):
        assert got == want
        return
    pd.testing.assert_frame_equal(got.table, want.table)
    for name in ("importance_cut", "performance_cut", "method", "interval", "outcome"):
        assert getattr(got, name) == getattr(want, name), name
    a, b = got.importance, want.importance
    pd.testing.assert_frame_equal(a.table, b.table)
    if b.dominance is not None:
        pd.testing.assert_frame_equal(a.dominance, b.dominance)
    for name in ("outcome", "drivers", "n", "r2", "r2_ci_low", "r2_ci_high", "missing", "interval", "confidence"):
        assert same(getattr(a, name), getattr(b, name)), name
    assert a.warnings == b.warnings and a.n_rows == b.n_rows
    assert (a.draws is None) == (b.draws is None)
    for k in b.draws or {}:
        np.testing.assert_array_equal(a.draws[k], b.draws[k])


def test_a_corrupt_entry_is_recomputed_once_and_stored_again(derived_ws, monkeypatch):
    d = DashboardData(derived_ws, n_boot=N_BOOT)
    key = dr.results_of(d).key("risk", dr.DerivedResults.risk_args(WAVE, n_boot=N_BOOT))
    store = ResultStore(derived_ws.path)
    npy = store.path("risk", key) / "a-client_draws.npy"
    npy.write_bytes(npy.read_bytes()[:100])
    scored = count_calls(monkeypatch, risk, "score_clients")
    with pytest.warns(DerivedResultWarning):
        scores = d.risk_scores(WAVE)
    assert len(scored) == 1 and store.has("risk", key)
    again = DashboardData(derived_ws, n_boot=N_BOOT).risk_scores(WAVE)
    assert len(scored) == 1
    assert again.total == scores.total


def test_an_entry_of_older_data_or_other_arguments_is_not_used(derived_ws, copy_demo_ws, tmp_path, monkeypatch):
    ws = copy_demo_ws(tmp_path / "demo")
    import shutil

    shutil.copytree(derived_ws.path / "derived", ws.path / "derived")
    assert DashboardData(ws, n_boot=N_BOOT).ready("risk", Selection(WAVE))  # a copy keeps its results
    with ws.connect(read_only=False) as con:  # a follow-up action feeds the churn model, not the matrix
        con.execute(
            "INSERT INTO actions (action_id, client_id, wave_id, owner, status) "
            "SELECT 'A-test', min(client_id), ?, 'me', 'open' FROM clients",
            [WAVE],
        )
    d = DashboardData(ws, n_boot=N_BOOT)
    assert not d.ready("risk", Selection(WAVE)) and d.ready("ipa", Selection(WAVE)) and d.ready("themes", None)
    scored = count_calls(monkeypatch, risk, "score_clients")
    d.risk_scores(WAVE)
    assert len(scored) == 1
    other = DashboardData(ws, n_boot=N_BOOT, seed=1)
    assert not other.ready("risk", Selection(WAVE))
    other.risk_scores(WAVE)
    assert len(scored) == 2
    # Deriving again removes the entries of the older data, keeps the current ones of any arguments.
    store = ResultStore(ws.path)
    assert len(store.entries("risk")) == 3
    summary = dr.derive(ws, waves=[WAVE], progress=False, dashboard=d)
    assert summary.pruned == 1 and len(scored) == 2
    assert len(store.entries("risk")) == 2 and DashboardData(ws, n_boot=N_BOOT, seed=1).ready("risk", Selection(WAVE))
    assert d.ready("ipa", Selection(WAVE)) and len(store.entries("ipa")) == 1


COMPUTE_ONCE = r"""
import sys, time
from pathlib import Path
from cxlab.present.derived_results import DerivedResults, ipa_from_bundle, ipa_to_bundle
from cxlab.store import Workspace
from cxlab.summary import SurveyData

ws = Workspace(sys.argv[1])
results = DerivedResults(ws, SurveyData.from_workspace(ws))
print("ready", flush=True)
sys.stdin.readline()  # both processes start computing together


def compute():
    with open(sys.argv[2], "a") as log:
        log.write("computed\n")
    time.sleep(1.0)  # the work another process must not repeat meanwhile
    return "the reason"


print(results.get("ipa", {"test": 1}, compute, ipa_to_bundle, ipa_from_bundle), flush=True)
"""


def test_two_processes_needing_the_same_missing_entry_compute_it_once(small_ws, tmp_path):
    import subprocess
    import sys

    log = tmp_path / "computed.log"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", COMPUTE_ONCE, str(small_ws.path), str(log)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert outs == ["the reason", "the reason"]
    assert log.read_text().splitlines() == ["computed"]


def test_the_wave_report_and_the_dashboard_show_the_same_stored_revenue_at_risk(derived_ws, monkeypatch):
    from cxlab.present.risk_report import RiskReport

    scored = count_calls(monkeypatch, risk, "score_clients")
    report = RiskReport(derived_ws, WAVE, lang="ru", n_boot=N_BOOT)
    dash = DashboardData(derived_ws, n_boot=N_BOOT).risk_scores(WAVE)
    assert scored == []
    assert report.scores.total == dash.total
    pd.testing.assert_frame_equal(report.scores.clients.drop(columns="reasons"), dash.clients.drop(columns="reasons"))
    assert report.scores.lang == "ru" and report.scores.clients["reasons"].tolist() == dash.reasons_in("ru").tolist()
    sent = json.loads(json.dumps(report.scores.total))
    assert sent["revenue_at_risk"] == dash.total["revenue_at_risk"]


def test_cxlab_derive_from_the_command_line(copy_demo_ws, tmp_path, capsys):
    ws = copy_demo_ws(tmp_path / "demo")
    assert main(["derive", "--workspace", str(ws.path), "--wave", "2024-Q4", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "derived results: 1 waves scored, 1 matrices" in out
    d = DashboardData(ws)
    assert d.ready("risk", Selection("2024-Q4")) and d.ready("ipa", Selection("2024-Q4")) and d.ready("themes", None)
    assert main(["derive", "--workspace", str(ws.path), "--wave", "1999-Q1", "--quiet"]) == 1
    assert "1999-Q1: no responses" in capsys.readouterr().out


def test_cxlab_import_derives_after_committing_unless_told_not_to(small_ws, csv_file, capsys):
    path = csv_file(WAVE_CSV)
    args = ["import", "--workspace", str(small_ws.path), "--wave", "2026-Q3"]
    assert main(args + ["--no-derive", path]) == 0
    assert "derived results" not in capsys.readouterr().out
    assert not (small_ws.path / "derived").exists()
    with small_ws.connect(read_only=False) as con:
        con.execute("DELETE FROM answers; DELETE FROM responses; DELETE FROM imports; DELETE FROM nps_cube")
    assert main(args + [path]) == 0
    out = capsys.readouterr().out
    assert "2 responses loaded" in out and "derived results: 1 waves scored" in out
    assert DashboardData(small_ws).ready("risk", Selection("2026-Q3"))


def test_an_import_succeeds_when_deriving_fails_and_says_so(small_ws, csv_file, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(risk, "score_clients", broken)
    path = csv_file(WAVE_CSV)
    assert main(["import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", path]) == 0
    out = capsys.readouterr().out
    assert "2 responses loaded" in out and "not derived: risk 2026-Q3: RuntimeError: model exploded" in out
    assert len(small_ws.responses()) == 2
    d = DashboardData(small_ws)
    assert not d.ready("risk", Selection("2026-Q3")) and d.ready("ipa", Selection("2026-Q3"))
    assert ResultStore(small_ws.path).entries("risk") == []
