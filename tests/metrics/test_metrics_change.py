"""Wave-over-wave changes and multiple-testing adjustment against hand computations."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlab.metrics import (
    adjust_pvalues,
    breakdown_change,
    mean_change,
    nps_change,
    nps_change_from_counts,
    proportion_change,
    top2box_change,
)

Z95 = 1.959963984540054
T975_DF4 = 2.7764451051977987

BEFORE = [10, 9, 9, 10, 7, 8, 7, 3, 6, 0]  # 4/3/3 -> NPS 10
AFTER = [10, 10, 9, 9, 10, 9, 8, 7, 5, 1]  # 6/2/2 -> NPS 40


def two_sided_normal_p(z):
    return math.erfc(abs(z) / math.sqrt(2))


def test_nps_change_independent_by_hand():
    c = nps_change(BEFORE, AFTER)
    se_b = 100 * math.sqrt((0.4 + 0.3 - 0.1**2) / 10)
    se_a = 100 * math.sqrt((0.6 + 0.2 - 0.4**2) / 10)
    se = math.sqrt(se_b**2 + se_a**2)
    z = 30 / se
    assert c.metric == "nps" and not c.paired
    assert c.estimate == pytest.approx(30)
    assert c.se == pytest.approx(se)
    assert c.statistic == pytest.approx(z)
    assert c.p_value == pytest.approx(two_sided_normal_p(z))
    assert c.ci_low == pytest.approx(30 - Z95 * se)
    assert c.ci_high == pytest.approx(30 + Z95 * se)
    assert c.n_before == 10 and c.n_after == 10
    assert c.extra["before"] == pytest.approx(10) and c.extra["after"] == pytest.approx(40)
    assert "z-test" in c.method and "independent" in c.method


def test_nps_change_from_counts_vectorised_matches_single():
    out = nps_change_from_counts(
        ([4, 40, 0], [3, 30, 0], [3, 30, 0]),
        pd.DataFrame({"promoters": [6, 50, 1], "passives": [2, 30, 1], "detractors": [2, 20, 1]}),
    )
    assert list(out.columns) == [
        "n_before",
        "n_after",
        "before",
        "after",
        "change",
        "se",
        "ci_low",
        "ci_high",
        "statistic",
        "p_value",
        "method",
    ]
    one = nps_change(BEFORE, AFTER)
    assert out.loc[0, "change"] == pytest.approx(one.estimate)
    assert out.loc[0, "p_value"] == pytest.approx(one.p_value)
    assert out.loc[1, "change"] == pytest.approx(20)
    assert out.loc[1, "n_before"] == 100
    assert math.isnan(out.loc[2, "change"]) and math.isnan(out.loc[2, "p_value"])


def test_nps_change_paired_by_hand():
    before = pd.Series([10, 6, 8, 9, 3, 10], index=["c1", "c2", "c3", "c4", "c5", "c6"])
    after = pd.Series([7, 10, 9, 6, 9, 10], index=["c5", "c1", "c2", "c3", "c4", "c9"])
    c = nps_change(before, after, paired=True)
    # pairs c1..c5: net before [100,-100,0,100,-100], after [100,100,-100,100,0]
    d = [0, 200, -100, 0, 100]
    mean = 40.0
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / 4)  # sqrt(13000)
    se = sd / math.sqrt(5)
    t = mean / se
    assert sd == pytest.approx(math.sqrt(13000))
    assert c.paired and c.n_before == c.n_after == 5 and c.extra["pairs"] == 5
    assert c.estimate == pytest.approx(mean)
    assert c.se == pytest.approx(se)
    assert c.statistic == pytest.approx(t)
    assert c.p_value == pytest.approx(2 * stats.t.sf(t, 4))
    assert c.ci_low == pytest.approx(mean - T975_DF4 * se)
    assert c.ci_high == pytest.approx(mean + T975_DF4 * se)
    assert c.extra["before"] == pytest.approx(0) and c.extra["after"] == pytest.approx(40)
    assert c.extra["unmatched_before"] == 1 and c.extra["unmatched_after"] == 1
    assert "paired" in c.method


def test_paired_refusals():
    with pytest.raises(TypeError):
        nps_change([10, 9], [9, 9], paired=True)
    with pytest.raises(ValueError, match="twice"):
        nps_change(pd.Series([9, 9], index=["a", "a"]), pd.Series([9], index=["a"]), paired=True)


def test_mean_change_welch_by_hand():
    b = [3, 4, 5, 4, 2, 3]
    a = [4, 5, 5, 4, 5, 3, 5, 4]
    mb, ma = sum(b) / 6, sum(a) / 8
    vb = sum((x - mb) ** 2 for x in b) / 5 / 6
    va = sum((x - ma) ** 2 for x in a) / 7 / 8
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / 7 + vb**2 / 5)
    c = mean_change(b, a, scale="1-5")
    assert c.estimate == pytest.approx(ma - mb)
    assert c.se == pytest.approx(se)
    assert c.statistic == pytest.approx((ma - mb) / se)
    assert c.extra["df"] == pytest.approx(df)
    assert c.p_value == pytest.approx(2 * stats.t.sf((ma - mb) / se, df))
    assert c.ci_low == pytest.approx(ma - mb - stats.t.ppf(0.975, df) * se)
    assert "Welch" in c.method
    with pytest.raises(ValueError, match="outside"):
        mean_change([6], [1, 2], scale="1-5")


def test_mean_change_paired_by_hand():
    b = pd.Series([3, 4, 2, 5, 4], index=list("abcde"))
    a = pd.Series([4, 4, 4, 5, 5], index=list("abcde"))
    d = [1, 0, 2, 0, 1]
    mean = 0.8
    se = math.sqrt(sum((x - mean) ** 2 for x in d) / 4) / math.sqrt(5)
    c = mean_change(b, a, paired=True)
    assert c.estimate == pytest.approx(mean) and c.se == pytest.approx(se)
    assert c.statistic == pytest.approx(mean / se)
    assert c.ci_high == pytest.approx(mean + T975_DF4 * se)
    assert c.n_before == 5 and c.paired


def wilson(k, n, z=Z95):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_proportion_change_newcomb_and_score_by_hand():
    c = proportion_change(20, 50, 30, 50)  # 0.4 -> 0.6
    l1, u1 = wilson(30, 50)
    l2, u2 = wilson(20, 50)
    low = 0.2 - math.sqrt((0.6 - l1) ** 2 + (u2 - 0.4) ** 2)
    high = 0.2 + math.sqrt((u1 - 0.6) ** 2 + (0.4 - l2) ** 2)
    assert c.estimate == pytest.approx(0.2)
    assert c.ci_low == pytest.approx(low) and c.ci_high == pytest.approx(high)
    # score test under H0 p1 = p2 = 0.5, with the n/(n-1) correction (n = 100)
    z = 0.2 / math.sqrt(0.25 * (1 / 50 + 1 / 50) * 100 / 99)
    assert c.statistic == pytest.approx(z)
    assert c.p_value == pytest.approx(two_sided_normal_p(z))
    assert c.n_before == 50 and c.n_after == 50
    assert "Newcomb" in c.method
    with pytest.raises(ValueError):
        proportion_change(6, 5, 1, 5)


def test_top2box_change_counts_top_boxes():
    c = top2box_change([5, 4, 2, 1, 3], [5, 4, 4, 5, 1, 2])
    direct = proportion_change(2, 5, 4, 6)
    assert c.estimate == pytest.approx(direct.estimate)
    assert c.ci_low == pytest.approx(direct.ci_low)
    assert c.metric == "top2box"


def test_adjust_pvalues_holm_and_bh_by_hand():
    assert adjust_pvalues([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert adjust_pvalues([0.01, 0.04, 0.03], "fdr_bh") == pytest.approx([0.03, 0.04, 0.04])
    out = adjust_pvalues([0.01, np.nan, 0.04, 0.03])
    assert math.isnan(out[1])
    assert out[[0, 2, 3]] == pytest.approx([0.03, 0.06, 0.06])
    assert adjust_pvalues([0.01, 0.04], None) == pytest.approx([0.01, 0.04])
    with pytest.raises(ValueError):
        adjust_pvalues([1.2])


def wave(team_scores):
    rows = [(t, s) for t, scores in team_scores.items() for s in scores]
    return pd.DataFrame(rows, columns=["team", "nps"])


CHANGE_COLS = [
    "team",
    "n_before",
    "n_after",
    "before",
    "after",
    "change",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "significant",
    "method",
    "suppressed",
]


def test_breakdown_change_nps_holm_across_tested_cells():
    before = wave({"A": [9] * 8 + [7] * 6 + [3] * 6, "B": [10] * 10 + [5] * 10, "C": [9, 9, 2], "D": [8] * 12})
    after = wave({"A": [10] * 12 + [8] * 5 + [2] * 3, "B": [10] * 9 + [6] * 11, "C": [10] * 15, "D": [9] * 6 + [8] * 6})
    out = breakdown_change(before, after, "team", min_n=10)
    assert list(out.columns) == CHANGE_COLS
    assert out["team"].tolist() == ["A", "B", "C", "D"]
    c_row = out[out["team"] == "C"].iloc[0]
    assert c_row["suppressed"] and c_row["n_before"] == 3 and c_row["n_after"] == 15
    assert math.isnan(c_row["change"]) and math.isnan(c_row["p_adjusted"])
    assert not c_row["significant"]
    raw = {}
    for t in ["A", "B", "D"]:
        c = nps_change(before.loc[before.team == t, "nps"], after.loc[after.team == t, "nps"])
        row = out[out["team"] == t].iloc[0]
        assert row["change"] == pytest.approx(c.estimate)
        assert row["ci_low"] == pytest.approx(c.ci_low)
        assert row["p_value"] == pytest.approx(c.p_value)
        raw[t] = c.p_value
    # Holm by hand over the three tested cells
    order = sorted(raw, key=raw.get)
    adj, running = {}, 0.0
    for i, t in enumerate(order):
        running = max(running, min(1.0, (3 - i) * raw[t]))
        adj[t] = running
    for t in raw:
        assert out.loc[out["team"] == t, "p_adjusted"].iloc[0] == pytest.approx(adj[t])
        assert bool(out.loc[out["team"] == t, "significant"].iloc[0]) == (adj[t] < 0.05)
    assert out.loc[0, "change"] == pytest.approx(35.0)
    assert "Holm" in out.loc[0, "method"] and "3 tested cells" in out.loc[0, "method"]
    bh = breakdown_change(before, after, "team", min_n=10, adjust="fdr_bh")
    assert "Benjamini-Hochberg" in bh.loc[0, "method"]
    none = breakdown_change(before, after, "team", min_n=10, adjust=None)
    assert (none["p_adjusted"].dropna() == none["p_value"].dropna()).all()


def test_breakdown_change_cell_present_in_one_wave_only():
    before = wave({"A": [9] * 12})
    after = wave({"A": [9] * 12, "E": [9] * 12})
    out = breakdown_change(before, after, "team", min_n=10)
    e = out[out["team"] == "E"].iloc[0]
    assert e["n_before"] == 0 and e["n_after"] == 12 and e["suppressed"]


@pytest.mark.slow
def test_breakdown_change_paired_and_csat():
    ids = [f"p{i}" for i in range(12)]
    before = pd.DataFrame(
        {
            "team": "A",
            "contact_id": ids,
            "nps": [9, 8, 7, 3, 10, 6, 9, 8, 5, 10, 7, 2],
            "overall": [4, 3, 3, 2, 5, 3, 4, 4, 2, 5, 3, 1],
        }
    )
    after = pd.DataFrame(
        {
            "team": "A",
            "contact_id": ids[::-1],
            "nps": [9, 9, 8, 8, 10, 7, 9, 9, 6, 10, 7, 4],
            "overall": [4, 4, 3, 3, 5, 3, 5, 4, 3, 5, 4, 2],
        }
    )
    out = breakdown_change(before, after, "team", paired=True, min_n=10)
    c = nps_change(before.set_index("contact_id")["nps"], after.set_index("contact_id")["nps"], paired=True)
    assert out.loc[0, "change"] == pytest.approx(c.estimate)
    assert out.loc[0, "p_value"] == pytest.approx(c.p_value)
    assert out.loc[0, "n_before"] == 12 and "paired" in out.loc[0, "method"]
    m = breakdown_change(before, after, "team", metric="csat_mean", min_n=10)
    mc = mean_change(before["overall"], after["overall"])
    assert m.loc[0, "change"] == pytest.approx(mc.estimate)
    assert m.loc[0, "ci_high"] == pytest.approx(mc.ci_high)
    t = breakdown_change(before, after, None, metric="top2box", min_n=10)
    assert list(t.columns) == CHANGE_COLS[1:]
    with pytest.raises(NotImplementedError):
        breakdown_change(before, after, "team", metric="top2box", paired=True)
