"""Clustered, account-level and revenue-weighted NPS against hand computations."""

import math

import numpy as np
import pandas as pd
import pytest

from cxlab.metrics import nps, nps_account, nps_clustered, nps_revenue_weighted

Z95 = 1.959963984540054
T975_DF2 = 4.302652729749464

# a: promoter, promoter, detractor; b: passive, detractor; c: promoter
SCORES = [10, 9, 3, 8, 0, 10]
CLUSTERS = ["a", "a", "a", "b", "b", "c"]


def test_nps_clustered_three_clusters_by_hand():
    e = nps_clustered(SCORES, CLUSTERS)
    net = [100, 100, -100, 0, -100, 100]
    mean = sum(net) / 6  # 16.67
    tot_a = (100 - mean) + (100 - mean) + (-100 - mean)  # 50
    tot_b = (0 - mean) + (-100 - mean)  # -133.33
    tot_c = 100 - mean  # 83.33
    var = 3 / 2 * (tot_a**2 + tot_b**2 + tot_c**2) / 6**2
    assert tot_a == pytest.approx(50) and tot_b == pytest.approx(-133.3333333)
    assert e.estimate == pytest.approx(mean)
    assert e.estimate == pytest.approx(nps(SCORES).estimate)  # same quantity as nps()
    assert e.se == pytest.approx(math.sqrt(var))
    assert e.se == pytest.approx(33.6788, abs=1e-3)
    assert e.ci_low == pytest.approx(mean - Z95 * math.sqrt(var))
    assert e.n == 6 and e.extra["clusters"] == 3
    # design effect: clustered variance over the SRS variance (trinomial * n/(n-1))
    p, d = 3 / 6, 2 / 6
    var_srs = 100**2 * (p + d - (p - d) ** 2) / 6 * 6 / 5
    assert e.extra["design_effect"] == pytest.approx(var / var_srs)
    assert "cluster" in e.method


def test_design_effect_is_one_with_one_respondent_per_cluster():
    scores = [10, 9, 3, 8, 0, 10, 7, 6]
    e = nps_clustered(scores, list("abcdefgh"))
    assert e.extra["design_effect"] == pytest.approx(1.0)
    assert e.extra["clusters"] == 8


def test_design_effect_above_one_for_homogeneous_clusters():
    scores = [10, 10, 10, 9, 0, 1, 2, 3, 8, 7, 8, 7]
    clusters = ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    assert nps_clustered(scores, clusters).extra["design_effect"] > 1.5


def test_nps_clustered_aligns_series_and_drops_missing():
    s = pd.Series([10, np.nan, 3, 8], index=[7, 8, 9, 10])
    c = pd.Series(["a", "a", "b", "b"], index=[7, 8, 9, 10])
    e = nps_clustered(s, c)
    assert e.n == 3 and e.extra["clusters"] == 2
    with pytest.raises(ValueError, match="same index"):
        nps_clustered(s, c.reset_index(drop=True))
    with pytest.raises(ValueError, match="missing"):
        nps_clustered([10, 3], ["a", None])


# A: promoter + detractor -> 0; B: promoter -> 100; C: passive, passive, detractor -> -33.3
ACC_SCORES = [10, 2, 9, 7, 8, 5]
ACCOUNTS = ["A", "A", "B", "C", "C", "C"]


def test_nps_account_rule_on_constructed_case():
    e = nps_account(ACC_SCORES, ACCOUNTS)
    values = [0.0, 100.0, -100 / 3]
    mean = sum(values) / 3
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 2)
    se = sd / math.sqrt(3)
    assert e.metric == "nps_account"
    assert e.estimate == pytest.approx(22.2222222)
    assert e.n == 3 and e.extra["respondents"] == 6
    assert e.se == pytest.approx(se)
    assert e.ci_low == pytest.approx(max(-100, mean - T975_DF2 * se))
    assert e.ci_high == pytest.approx(min(100, mean + T975_DF2 * se))
    # respondent-level NPS of the same answers is 0 (2 promoters, 2 detractors of 6)
    assert nps(ACC_SCORES).estimate == pytest.approx(0.0)
    assert "each account counts once" in e.method
    assert "one promoter and one detractor count 0" in e.method


def test_nps_account_single_account_has_no_interval():
    e = nps_account([10, 3], ["A", "A"])
    assert e.estimate == 0 and e.n == 1 and math.isnan(e.se) and math.isnan(e.ci_low)


REVENUE = {"A": 100.0, "B": 300.0, "C": 600.0, "Z": 5.0}  # Z has no answers: ignored


def test_nps_revenue_weighted_by_hand():
    e = nps_revenue_weighted(ACC_SCORES, ACCOUNTS, REVENUE)
    a = [0.0, 100.0, -100 / 3]
    w = [100.0, 300.0, 600.0]
    R = sum(wi * ai for wi, ai in zip(w, a)) / sum(w)  # (30000 - 20000)/1000 = 10
    var = 3 / 2 * sum(wi**2 * (ai - R) ** 2 for wi, ai in zip(w, a)) / sum(w) ** 2
    assert pytest.approx(10.0) == R
    assert e.metric == "nps_revenue_weighted"
    assert e.estimate == pytest.approx(R)
    assert e.se == pytest.approx(math.sqrt(var))
    assert e.ci_low == pytest.approx(R - Z95 * math.sqrt(var))
    assert e.ci_high == pytest.approx(min(100.0, R + Z95 * math.sqrt(var)))
    assert e.n == 3 and e.extra["respondents"] == 6
    assert e.extra["effective_n"] == pytest.approx(1000**2 / (100**2 + 300**2 + 600**2))


def test_revenue_as_series_or_per_respondent_array_agree():
    by_account = nps_revenue_weighted(ACC_SCORES, ACCOUNTS, pd.Series(REVENUE))
    per_answer = nps_revenue_weighted(ACC_SCORES, ACCOUNTS, [REVENUE[a] for a in ACCOUNTS])
    assert per_answer.estimate == pytest.approx(by_account.estimate)
    assert per_answer.se == pytest.approx(by_account.se)
    df = pd.DataFrame(
        {"nps": ACC_SCORES, "client": ACCOUNTS, "rev": [REVENUE[a] for a in ACCOUNTS]}, index=list("uvwxyz")
    )
    aligned = nps_revenue_weighted(df["nps"], df["client"], df["rev"])
    assert aligned.estimate == pytest.approx(by_account.estimate)


def test_equal_revenue_gives_account_nps_and_its_se():
    acc = nps_account(ACC_SCORES, ACCOUNTS)
    eq = nps_revenue_weighted(ACC_SCORES, ACCOUNTS, {"A": 7, "B": 7, "C": 7})
    assert eq.estimate == pytest.approx(acc.estimate)
    assert eq.se == pytest.approx(acc.se)
    assert eq.extra["effective_n"] == pytest.approx(3)


def test_revenue_refusals():
    with pytest.raises(ValueError, match="no revenue for account 'C'"):
        nps_revenue_weighted(ACC_SCORES, ACCOUNTS, {"A": 1.0, "B": 2.0})
    with pytest.raises(ValueError, match="differs"):
        nps_revenue_weighted(ACC_SCORES, ACCOUNTS, [1, 2, 3, 3, 3, 3])
    with pytest.raises(ValueError, match=">= 0"):
        nps_revenue_weighted(ACC_SCORES, ACCOUNTS, {"A": -1.0, "B": 2.0, "C": 1.0})


def test_zero_revenue_account_carries_no_weight():
    e = nps_revenue_weighted(ACC_SCORES, ACCOUNTS, {"A": 0.0, "B": 1.0, "C": 1.0})
    assert e.n == 2 and e.extra["zero_revenue_accounts"] == 1
    assert e.estimate == pytest.approx((100 - 100 / 3) / 2)
