"""CSAT mean, top-box share and CSI against hand computations."""

import math

import numpy as np
import pandas as pd
import pytest

from cxlab.metrics import csat_mean, csi, csi_scores, top2box

Z95 = 1.959963984540054
T975 = {2: 4.302652729749464, 3: 3.182446305284263, 5: 2.570581836614739}


def wilson_by_hand(k, n, z=Z95):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_csat_mean_t_interval_by_hand():
    x = [5, 4, 4, 3, 4, 2]
    mean = 22 / 6
    sd = math.sqrt(sum((v - mean) ** 2 for v in x) / 5)
    se = sd / math.sqrt(6)
    e = csat_mean(x)
    assert e.metric == "csat_mean" and e.n == 6
    assert e.estimate == pytest.approx(mean)
    assert e.se == pytest.approx(se)
    assert e.ci_low == pytest.approx(mean - T975[5] * se)
    assert e.ci_high == pytest.approx(mean + T975[5] * se)
    assert "Student t" in e.method and "1-5" in e.method


def test_csat_mean_drops_missing_and_handles_tiny_samples():
    e = csat_mean(pd.Series([4, None, 2, np.nan]))
    assert e.n == 2 and e.estimate == pytest.approx(3.0)
    one = csat_mean([4])
    assert one.n == 1 and one.estimate == 4 and math.isnan(one.se) and math.isnan(one.ci_low)
    none = csat_mean(pd.Series([np.nan]))
    assert none.n == 0 and math.isnan(none.estimate)


def test_csat_mean_clips_interval_to_scale():
    e = csat_mean([5, 5, 4])
    assert e.ci_high == 5.0
    assert e.ci_low < 4.67


def test_csat_mean_refuses_out_of_scale_naming_index_and_value():
    with pytest.raises(ValueError, match=r"6.*index 11"):
        csat_mean(pd.Series([1, 6, 3], index=[10, 11, 12]))
    with pytest.raises(ValueError, match=r"0.*'x'"):
        csat_mean(pd.Series([0], index=["x"]))
    # the 0-10 scale accepts 0
    assert csat_mean([0, 10], scale="0-10").estimate == 5


def test_top2box_by_hand():
    x = [5, 4, 3, 2, 1, 5, 4, 4, 3, 5]  # 4s and 5s: 6
    e = top2box(x)
    lo, hi = wilson_by_hand(6, 10)
    assert e.metric == "top2box" and e.n == 10
    assert e.estimate == pytest.approx(0.6)
    assert e.ci_low == pytest.approx(lo) and e.ci_high == pytest.approx(hi)
    assert e.se == pytest.approx(math.sqrt(0.6 * 0.4 / 10))
    assert e.extra["successes"] == 6
    assert "Wilson" in e.method and "4-5 on 1-5" in e.method


def test_top2box_other_scales_and_boxes():
    assert top2box([10, 9, 8, 0], scale=(0, 10)).estimate == pytest.approx(0.5)
    three = top2box([5, 4, 3, 2], boxes=3)
    assert three.estimate == pytest.approx(0.75) and three.metric == "top3box"
    with pytest.raises(ValueError, match="boxes"):
        top2box([5], boxes=5)
    with pytest.raises(ValueError, match=r"4\.5"):
        top2box([4.5])
    with pytest.raises(ValueError, match=r"7"):
        top2box([7, 1])


ITEMS = pd.DataFrame(
    {"q1": [5, 1, 3, np.nan], "q2": [10, np.nan, 4, np.nan], "q3": [4, 2, np.nan, np.nan]},
    index=["r1", "r2", "r3", "r4"],
)
SCALES = {"q1": (1, 5), "q2": "0-10", "q3": "1-5"}


def test_csi_scores_equal_weights_by_hand():
    s = csi_scores(ITEMS, SCALES)
    # r1: q1 100, q2 100, q3 75 -> 91.67; r2: q1 0, q3 25 -> 12.5; r3: q1 50, q2 40 -> 45
    assert s.loc["r1"] == pytest.approx((100 + 100 + 75) / 3)
    assert s.loc["r2"] == pytest.approx(12.5)
    assert s.loc["r3"] == pytest.approx(45.0)
    assert math.isnan(s.loc["r4"])
    assert s.name == "csi"


def test_csi_scores_importance_weights_normalised_over_answered_items():
    w = {"q1": 2.0, "q2": 1.0, "q3": 1.0}
    s = csi_scores(ITEMS, SCALES, importance=w)
    assert s.loc["r1"] == pytest.approx((2 * 100 + 1 * 100 + 1 * 75) / 4)
    assert s.loc["r2"] == pytest.approx((2 * 0 + 1 * 25) / 3)  # q2 missing: 2 + 1 only
    assert s.loc["r3"] == pytest.approx((2 * 50 + 1 * 40) / 3)
    # a zero weight drops the item entirely
    s0 = csi_scores(ITEMS, SCALES, importance={"q1": 1, "q2": 0, "q3": 1})
    assert s0.loc["r3"] == pytest.approx(50.0)


def test_csi_estimate_t_interval_and_method():
    e = csi(ITEMS, SCALES)
    vals = [(100 + 100 + 75) / 3, 12.5, 45.0]
    mean = sum(vals) / 3
    sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / 2)
    se = sd / math.sqrt(3)
    assert e.metric == "csi" and e.n == 3
    assert e.estimate == pytest.approx(mean)
    assert e.se == pytest.approx(se)
    assert e.ci_low == pytest.approx(max(0.0, mean - T975[2] * se))
    assert e.ci_high == pytest.approx(min(100.0, mean + T975[2] * se))
    assert "equal weights" in e.method and "Student t" in e.method
    assert "(max_k" in e.method
    assert e.extra["items"] == 3 and e.extra["weighted"] is False
    assert e.extra["no_answer"] == 1
    w = csi(ITEMS, SCALES, importance={"q1": 2, "q2": 1, "q3": 1})
    assert "importance weights" in w.method and w.extra["weighted"] is True
    assert w.estimate != pytest.approx(e.estimate)


def test_csi_one_scale_for_all_items():
    items = pd.DataFrame({"a": [1, 5], "b": [3, 3]})
    assert csi_scores(items, "1-5").tolist() == [25.0, 75.0]
    assert csi_scores(items, (1, 5)).tolist() == [25.0, 75.0]


def test_csi_refusals():
    with pytest.raises(ValueError, match=r"'q2'.*11.*'r2'"):
        csi_scores(pd.DataFrame({"q2": [3, 11]}, index=["r1", "r2"]), "0-10")
    with pytest.raises(ValueError, match="no scale"):
        csi_scores(ITEMS, {"q1": (1, 5)})
    with pytest.raises(ValueError, match="importance"):
        csi_scores(ITEMS, SCALES, importance={"q1": 1, "q2": 1})
    with pytest.raises(ValueError, match=">= 0"):
        csi_scores(ITEMS, SCALES, importance={"q1": 1, "q2": -1, "q3": 1})
