"""The client × wave panel: what was known at each wave, and the churn label."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pandas as pd
import pytest

from cxlab import Workspace
from cxlab.risk.features import MODEL_FEATURES, churn_labels, client_waves, data_end, known_at, wave_cutoffs
from cxlab.summary import SurveyData

from .conftest import load_simulation


@pytest.fixture(scope="module")
def agency(tmp_path_factory):
    return load_simulation(tmp_path_factory.mktemp("feat") / "ws", seed=5, n_clients=120, n_waves=8)


def _feature_columns(panel):
    return [c for c in panel.columns if c in MODEL_FEATURES or c.startswith("attr_")] + [
        "nps_mean",
        "nps_prev",
        "n_prev",
        "prev_wave",
        "n_invited",
        "n_reached",
        "n_responses",
        "contract_value",
    ]


def test_panel_matches_the_simulated_population_and_outcome(agency):
    data, sim, _ = agency
    panel = churn_labels(data, client_waves(data))
    truth = sim.truth.churn_probabilities
    both = truth.merge(panel, on=["client_id", "wave_id"], how="outer", indicator=True)
    # Exactly the accounts the simulator had active at each wave.
    assert (both["_merge"] == "both").all()
    known = both[both["churned_12m"].notna() & both["observed_12m"]]
    assert len(known) > 300
    assert (known["churned_12m"] == known["churned_within_12m"].astype(float)).all()
    # A churn inside the window is known even before the window ends.
    early = both[(both["churned_12m"] == 1) & ~both["window_complete"]]
    assert (early["churn_date"] <= data_end(data)).all()


def test_scores_are_the_clients_respondents_means(agency):
    data, _, _ = agency
    panel = client_waves(data).set_index(["client_id", "wave_id"])
    r = data.responses
    row = r.groupby(["client_id", "wave_id"]).size().idxmax()
    mine = r[(r["client_id"] == row[0]) & (r["wave_id"] == row[1])]
    assert panel.loc[row, "nps_mean"] == pytest.approx(mine["nps"].mean())
    assert panel.loc[row, "nps_min"] == mine["nps"].min()
    assert panel.loc[row, "n_responses"] == len(mine)
    dm = mine.loc[mine["role"] == "decision_maker", "nps"]
    others = mine.loc[mine["role"] != "decision_maker", "nps"]
    if len(dm) and len(others):
        assert panel.loc[row, "divergence"] == pytest.approx(dm.mean() - others.mean())


def test_silence_and_carried_scores_by_hand(small_ws):
    """C1 answers in Q2 and is reached but silent in Q3: one silent wave, the Q2 score carried."""
    ws = small_ws
    ws.load_tables(
        {
            "invitations": pd.DataFrame(
                {
                    "wave_id": ["2026-Q2", "2026-Q2", "2026-Q3", "2026-Q3"],
                    "contact_id": ["K1", "K3", "K1", "K3"],
                    "status": ["responded", "responded", "delivered", "responded"],
                }
            ),
            "responses": pd.DataFrame(
                {
                    "response_id": ["R1", "R2", "R3"],
                    "wave_id": ["2026-Q2", "2026-Q2", "2026-Q3"],
                    "contact_id": ["K1", "K3", "K3"],
                    "client_id": ["C1", "C2", "C2"],
                    "nps": [9.0, 8.0, 4.0],
                    "overall": [5.0, 4.0, 2.0],
                }
            ),
            "events": pd.DataFrame(
                {
                    "client_id": ["C2", "C2", "C1"],
                    "date": pd.to_datetime(["2026-08-01", "2026-12-01", "2026-01-15"]),
                    "kind": ["manager_changed", "complaint", "complaint"],
                }
            ),
        }
    )
    data = SurveyData.from_workspace(ws)
    panel = client_waves(data).set_index(["client_id", "wave_id"])
    c1 = panel.loc[("C1", "2026-Q3")]
    assert c1["silent_waves"] == 1 and c1["responded"] == 0
    assert c1["nps_last"] == 9.0 and np.isnan(c1["nps_mean"])
    assert c1["waves_since_answer"] == 1
    c2 = panel.loc[("C2", "2026-Q3")]
    assert c2["nps_change"] == -4.0 and c2["overall_change"] == -2.0 and c2["prev_wave"] == "2026-Q2"
    # The manager change before the Q3 close counts; the complaint after it does not.
    assert c2["manager_changes_6m"] == 1 and c2["complaints_6m"] == 0
    # C1's complaint is 5.5 months before the Q2 close and 8.5 months before the Q3 close.
    assert panel.loc[("C1", "2026-Q2"), "complaints_6m"] == 1 and c1["complaints_6m"] == 0
    # C3 was invited in neither wave: never silent.
    assert (panel.xs("C3")["silent_waves"] == 0).all()


def test_label_is_censored_not_stayed(small_ws):
    ws = small_ws
    ws.load_tables(
        {
            "events": pd.DataFrame(
                {
                    "client_id": ["C1", "C2"],
                    "date": pd.to_datetime(["2026-08-15", "2027-03-01"]),
                    "kind": ["churned", "renewed"],
                }
            )
        }
    )
    data = SurveyData.from_workspace(ws)
    panel = churn_labels(data, client_waves(data)).set_index(["client_id", "wave_id"])
    # C1 churned 1.5 months after the Q2 close: known at once, and gone before Q3 opened.
    assert panel.loc[("C1", "2026-Q2"), "churned_12m"] == 1.0
    assert ("C1", "2026-Q3") not in panel.index
    # C2 has data to 2027-03-01 only: its 12-month windows are not over, so censored.
    assert np.isnan(panel.loc[("C2", "2026-Q2"), "churned_12m"])
    assert not panel.loc[("C2", "2026-Q2"), "window_complete"]
    later = churn_labels(data, client_waves(data), as_of="2027-07-01").set_index(["client_id", "wave_id"])
    assert later.loc[("C2", "2026-Q2"), "churned_12m"] == 0.0
    assert np.isnan(later.loc[("C2", "2026-Q3"), "churned_12m"])


@pytest.mark.slow
def test_no_leakage_features_unchanged_when_later_data_is_removed(agency, tmp_path):
    """Features of a wave from the full workspace equal those from a copy cut at that wave's close."""
    data, _, ws = agency
    cut = wave_cutoffs(data.waves, data.responses)
    wave, cutoff = cut.iloc[4]["wave_id"], cut.iloc[4]["cutoff"]
    full = client_waves(data, waves=[wave])
    # A real copy of the workspace with every later event deleted from DuckDB...
    copy = tmp_path / "cut"
    shutil.copytree(ws.path, copy)
    cut_ws = Workspace(copy)
    with cut_ws.connect(read_only=False) as con:
        removed = con.execute("DELETE FROM events WHERE date > ?", [cutoff.date()]).fetchall()
    assert removed and removed[0][0] > 0
    events_cut = client_waves(SurveyData.from_workspace(cut_ws), waves=[wave])
    # ...and, stronger, with every later wave, response and invitation gone too.
    everything_cut = client_waves(known_at(data, cutoff), waves=[wave])
    cols = _feature_columns(full)
    for other in (events_cut, everything_cut):
        pd.testing.assert_frame_equal(
            full[["client_id", "wave_id"] + cols].reset_index(drop=True),
            other[["client_id", "wave_id"] + cols].reset_index(drop=True),
        )


def test_leakage_would_be_caught(agency):
    """The comparison above can fail: removing events from before the close moves the wave's features."""
    data, _, _ = agency
    cut = wave_cutoffs(data.waves, data.responses)
    wave, cutoff = cut.iloc[4]["wave_id"], cut.iloc[4]["cutoff"]
    full = client_waves(data, waves=[wave])
    dates = pd.to_datetime(data.events["date"])
    recent = (
        (dates > cutoff - pd.Timedelta(days=120))
        & (dates <= cutoff)
        & data.events["kind"].isin(["complaint", "manager_changed"])
    )
    recent_gone = dataclasses.replace(data, events=data.events[~recent])
    earlier = client_waves(recent_gone, waves=[wave])
    assert list(full["client_id"]) == list(earlier["client_id"])
    moved = (full["complaints_6m"] != earlier["complaints_6m"]).sum() + (
        full["manager_changes_6m"] != earlier["manager_changes_6m"]
    ).sum()
    assert moved > 0


def test_unknown_wave_is_named(agency):
    data, _, _ = agency
    with pytest.raises(ValueError, match="2031-Q1"):
        client_waves(data, waves=["2031-Q1"])


def test_demo_panel(demo_data):
    panel = churn_labels(demo_data, client_waves(demo_data))
    assert panel.groupby("wave_id").size().min() > 100
    assert set(MODEL_FEATURES) <= set(panel.columns)
    # The demo's data ends at the last wave's close: only the first four waves have complete windows.
    complete = panel.groupby("wave_id")["window_complete"].all()
    assert complete.sum() == 4
