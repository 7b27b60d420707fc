"""Breakdowns: one row per cell, same figures as the single-sample functions."""

import math

import numpy as np
import pandas as pd
import pytest

from cxlab.metrics import (
    NPSScaleError,
    breakdown,
    csat_mean,
    csi,
    nps,
    nps_account,
    nps_breakdown_from_counts,
    nps_clustered,
    top2box,
)

BASE = ["n", "estimate", "ci_low", "ci_high", "se", "method", "suppressed"]
SHARES = ["pct_promoters", "pct_passives", "pct_detractors"]


@pytest.fixture
def data():
    rng = np.random.default_rng(42)
    n = 60
    team = np.array(["A"] * 25 + ["B"] * 30 + ["C"] * 5)
    df = pd.DataFrame(
        {
            "team": team,
            "region": rng.choice(["north", "south"], n),
            "client_id": [f"K{i % 13:02d}" for i in range(n)],
            "nps": rng.integers(0, 11, n).astype(float),
            "overall": rng.integers(1, 6, n).astype(float),
            "q1": rng.integers(1, 6, n).astype(float),
            "q2": rng.integers(0, 11, n).astype(float),
        }
    )
    df.loc[[3, 40], "nps"] = np.nan
    df.loc[[5], "overall"] = np.nan
    return df


def test_breakdown_nps_columns_and_cells_equal_nps(data):
    out = breakdown(data, "team", min_n=10)
    assert list(out.columns) == ["team", *BASE, *SHARES]
    assert out["team"].tolist() == ["A", "B", "C"]
    for row in out.itertuples():
        cell = data.loc[data["team"] == row.team, "nps"]
        e = nps(cell)
        assert row.n == e.n
        if row.team == "C":
            continue
        assert row.estimate == pytest.approx(e.estimate)
        assert row.ci_low == pytest.approx(e.ci_low)
        assert row.ci_high == pytest.approx(e.ci_high)
        assert row.se == pytest.approx(e.se)
        assert row.pct_promoters == pytest.approx(e.extra["pct_promoters"])
        assert row.method == e.method
        assert not row.suppressed
    assert out.loc[0, "n"] == 24  # one missing answer in A
    assert out.loc[1, "n"] == 29


def test_breakdown_suppresses_small_cells_but_shows_n(data):
    out = breakdown(data, "team", min_n=10)
    c = out[out["team"] == "C"].iloc[0]
    assert c["suppressed"] and c["n"] == 5
    assert all(math.isnan(c[k]) for k in ["estimate", "ci_low", "ci_high", "se", *SHARES])
    # the same cell is shown when the threshold allows it
    shown = breakdown(data, "team", min_n=5)
    assert not shown.loc[shown["team"] == "C", "suppressed"].iloc[0]
    assert shown.loc[shown["team"] == "C", "estimate"].notna().all()


def test_breakdown_overall_row(data):
    for by in (None, []):
        out = breakdown(data, by)
        assert list(out.columns) == [*BASE, *SHARES]
        assert len(out) == 1
        assert out.loc[0, "estimate"] == pytest.approx(nps(data["nps"]).estimate)
        assert out.loc[0, "n"] == 58


def test_breakdown_two_columns_and_adjusted_wald(data):
    out = breakdown(data, ["team", "region"], min_n=0, method="adjusted-wald")
    assert list(out.columns[:2]) == ["team", "region"]
    for row in out.itertuples():
        cell = data.loc[(data["team"] == row.team) & (data["region"] == row.region), "nps"]
        e = nps(cell, method="adjusted-wald")
        assert row.n == e.n
        assert row.ci_low == pytest.approx(e.ci_low)
        assert row.estimate == pytest.approx(e.estimate)


def test_breakdown_keeps_missing_group_as_a_cell():
    df = pd.DataFrame({"team": ["A", "A", None, None], "nps": [10, 0, 9, 9]})
    out = breakdown(df, "team", min_n=1)
    assert len(out) == 2
    assert out["n"].tolist() == [2, 2]
    assert out["team"].isna().sum() == 1


def test_nps_breakdown_from_counts_equals_breakdown(data):
    v = data["nps"]
    counts = (
        data.assign(
            promoters=(v >= 9).astype(int), passives=v.between(7, 8).astype(int), detractors=(v <= 6).astype(int)
        )
        .groupby("team")[["promoters", "passives", "detractors"]]
        .sum()
        .reset_index()
    )
    from_counts = nps_breakdown_from_counts(counts, "team", min_n=10, confidence=0.9, method="wald")
    direct = breakdown(data, "team", min_n=10, confidence=0.9)
    pd.testing.assert_frame_equal(from_counts, direct)
    # finer counts (team x region) roll up to the same team figures
    finer = (
        data.assign(
            promoters=(v >= 9).astype(int), passives=v.between(7, 8).astype(int), detractors=(v <= 6).astype(int)
        )
        .groupby(["team", "region"])[["promoters", "passives", "detractors"]]
        .sum()
        .reset_index()
    )
    pd.testing.assert_frame_equal(nps_breakdown_from_counts(finer, "team", 10, 0.9), direct)


def test_nps_breakdown_from_counts_hand_cell():
    counts = pd.DataFrame({"seg": ["x", "y"], "promoters": [4, 1], "passives": [3, 0], "detractors": [3, 0]})
    out = nps_breakdown_from_counts(counts, "seg", min_n=2, confidence=0.95)
    se = math.sqrt(0.069) * 100
    assert out.loc[0, "estimate"] == pytest.approx(10)
    assert out.loc[0, "ci_high"] == pytest.approx(10 + 1.959963984540054 * se)
    assert bool(out.loc[1, "suppressed"]) and out.loc[1, "n"] == 1


def test_breakdown_refuses_other_nps_scale_and_bad_values(data):
    with pytest.raises(NPSScaleError):
        breakdown(data, "team", scale="1-5")
    with pytest.raises(NPSScaleError):
        breakdown(data, "team", metric="nps_account", scale=(1, 5))
    bad = data.copy()
    bad.loc[7, "nps"] = 12
    with pytest.raises(ValueError, match=r"12.*index 7"):
        breakdown(bad, "team")
    with pytest.raises(ValueError, match="metric"):
        breakdown(data, "team", metric="ces")
    with pytest.raises(KeyError):
        breakdown(data, "nope")


def test_breakdown_csat_and_top2box_equal_single_functions(data):
    out = breakdown(data, "team", metric="csat_mean", min_n=10)
    assert list(out.columns) == ["team", *BASE]
    a = out[out["team"] == "A"].iloc[0]
    e = csat_mean(data.loc[data["team"] == "A", "overall"])
    assert a["n"] == e.n == 24
    assert a["estimate"] == pytest.approx(e.estimate)
    assert a["ci_low"] == pytest.approx(e.ci_low)
    assert bool(out.loc[out["team"] == "C", "suppressed"].iloc[0])
    t = breakdown(data, "team", metric="top2box", min_n=10, boxes=1)
    e = top2box(data.loc[data["team"] == "B", "overall"], boxes=1)
    assert t.loc[t["team"] == "B", "estimate"].iloc[0] == pytest.approx(e.estimate)
    assert t.loc[t["team"] == "B", "ci_high"].iloc[0] == pytest.approx(e.ci_high)


def test_breakdown_csi(data):
    scales = {"q1": "1-5", "q2": "0-10"}
    out = breakdown(
        data, "team", metric="csi", value=["q1", "q2"], scale=scales, min_n=10, importance={"q1": 1, "q2": 3}
    )
    e = csi(data.loc[data["team"] == "B", ["q1", "q2"]], scales, importance={"q1": 1, "q2": 3})
    b = out[out["team"] == "B"].iloc[0]
    assert b["estimate"] == pytest.approx(e.estimate)
    assert b["se"] == pytest.approx(e.se)
    with pytest.raises(ValueError, match="item columns"):
        breakdown(data, "team", metric="csi", scale="1-5")


def test_breakdown_clustered_and_account(data):
    cl = breakdown(data, "team", metric="nps_clustered", min_n=10)
    assert list(cl.columns) == ["team", *BASE, "clusters", "design_effect"]
    sub = data[data["team"] == "A"]
    e = nps_clustered(sub["nps"], sub["client_id"])
    a = cl[cl["team"] == "A"].iloc[0]
    assert a["se"] == pytest.approx(e.se)
    assert a["design_effect"] == pytest.approx(e.extra["design_effect"])
    acc = breakdown(data, "team", metric="nps_account", cluster="client_id", min_n=5)
    assert list(acc.columns) == ["team", *BASE, "respondents"]
    e = nps_account(sub["nps"], sub["client_id"])
    a = acc[acc["team"] == "A"].iloc[0]
    assert a["n"] == e.n == 13  # accounts, not respondents
    assert a["respondents"] == 24
    assert a["estimate"] == pytest.approx(e.estimate)
    # team C: 5 respondents of 5 accounts -> suppressed at min_n=10 by accounts
    acc10 = breakdown(data, "team", metric="nps_account", min_n=10)
    assert bool(acc10.loc[acc10["team"] == "C", "suppressed"].iloc[0])
