"""NPS arithmetic, intervals and refusals, checked against hand computations."""

import math

import numpy as np
import pandas as pd
import pytest

from cxlab.metrics import NPSScaleError, classify_nps, net_score, nps, nps_from_counts, nps_shares

Z95 = 1.959963984540054  # standard normal 97.5% quantile
TEN = [10, 9, 9, 10, 7, 8, 7, 3, 6, 0]  # 4 promoters, 3 passives, 3 detractors


def wilson_by_hand(k, n, z=Z95):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_nps_ten_scores_by_hand():
    e = nps(TEN)
    se = math.sqrt((0.4 + 0.3 - (0.4 - 0.3) ** 2) / 10) * 100  # = sqrt(0.069)*100
    assert e.metric == "nps"
    assert e.n == 10
    assert e.estimate == pytest.approx(10.0)
    assert e.se == pytest.approx(se)
    assert e.se == pytest.approx(26.2678511)
    assert e.ci_low == pytest.approx(10 - Z95 * se)
    assert e.ci_high == pytest.approx(10 + Z95 * se)
    assert e.method == "NPS, trinomial Wald interval (z)"
    assert e.extra["promoters"] == 4 and e.extra["passives"] == 3 and e.extra["detractors"] == 3
    assert e.extra["pct_promoters"] == pytest.approx(0.4)
    assert e.extra["pct_passives"] == pytest.approx(0.3)
    assert e.extra["pct_detractors"] == pytest.approx(0.3)


def test_nps_adjusted_wald_by_hand():
    e = nps(TEN, method="adjusted-wald")
    # add 3/4 to promoters and detractors, 3 to n
    n_adj = 13.0
    p_adj, d_adj = 4.75 / n_adj, 3.75 / n_adj
    centre = 100 * (p_adj - d_adj)  # 7.692...
    se = 100 * math.sqrt((p_adj + d_adj - (p_adj - d_adj) ** 2) / n_adj)
    assert centre == pytest.approx(7.6923077)
    assert e.estimate == pytest.approx(10.0)  # point estimate stays raw
    assert e.se == pytest.approx(se)
    assert e.ci_low == pytest.approx(centre - Z95 * se)
    assert e.ci_high == pytest.approx(centre + Z95 * se)
    assert "adjusted Wald" in e.method


def test_adjusted_wald_keeps_a_width_when_all_promoters():
    wald = nps_from_counts(5, 0, 0).iloc[0]
    adj = nps_from_counts(5, 0, 0, method="adjusted-wald").iloc[0]
    assert wald["se"] == 0 and wald["ci_low"] == 100 and wald["ci_high"] == 100
    # P' = 5.75, D' = 0.75, n' = 8
    p, d = 5.75 / 8, 0.75 / 8
    se = 100 * math.sqrt((p + d - (p - d) ** 2) / 8)
    assert adj["se"] == pytest.approx(se)
    assert adj["ci_low"] == pytest.approx(100 * (p - d) - Z95 * se)
    assert adj["ci_high"] == 100.0  # clipped


def test_nps_from_counts_vectorised_matches_scalars_and_handles_empty():
    P, A, D = np.array([4, 0, 9, 50]), np.array([3, 0, 0, 30]), np.array([3, 0, 1, 20])
    out = nps_from_counts(P, A, D, confidence=0.9)
    assert list(out.columns) == [
        "n",
        "promoters",
        "passives",
        "detractors",
        "pct_promoters",
        "pct_passives",
        "pct_detractors",
        "nps",
        "se",
        "ci_low",
        "ci_high",
        "method",
    ]
    assert out["n"].tolist() == [10, 0, 10, 100]
    assert out.loc[1, ["pct_promoters", "nps", "se", "ci_low", "ci_high"]].isna().all()
    for i in (0, 2, 3):
        one = nps_from_counts(int(P[i]), int(A[i]), int(D[i]), confidence=0.9).iloc[0]
        assert out.loc[i, "nps"] == pytest.approx(one["nps"])
        assert out.loc[i, "ci_low"] == pytest.approx(one["ci_low"])
    # 90%: z = 1.644854
    se = 100 * math.sqrt((0.5 + 0.2 - 0.09) / 100)
    assert out.loc[3, "ci_high"] == pytest.approx(30 + 1.6448536269514722 * se)


def test_nps_from_counts_clips_to_range_and_keeps_series_index():
    P = pd.Series([9, 1], index=["x", "y"])
    out = nps_from_counts(P, pd.Series([0, 0], index=["x", "y"]), pd.Series([1, 9], index=["x", "y"]))
    assert list(out.index) == ["x", "y"]
    se = 100 * math.sqrt((0.9 + 0.1 - 0.8**2) / 10)
    assert out.loc["x", "nps"] == pytest.approx(80)
    assert out.loc["x", "ci_high"] == 100.0  # 80 + 1.96*18.97 > 100
    assert out.loc["x", "ci_low"] == pytest.approx(80 - Z95 * se)
    assert out.loc["y", "ci_low"] == -100.0


@pytest.mark.parametrize("bad", [[-1, 2, 3], [1.5, 2, 3], [np.nan, 2, 3]])
def test_nps_from_counts_refuses_bad_counts(bad):
    with pytest.raises(ValueError):
        nps_from_counts(*bad)


def test_nps_from_counts_unknown_method():
    with pytest.raises(ValueError, match="method"):
        nps_from_counts(1, 2, 3, method="bootstrap")


def test_nps_from_counts_vectorised_rows_match_scalar_calls():
    # Speed lives in benchmarks/; here: one vectorised call equals row-by-row calls.
    rng = np.random.default_rng(0)
    P, A, D = (rng.integers(0, 50, 1_000) for _ in range(3))
    out = nps_from_counts(P, A, D)
    assert len(out) == 1_000
    for i in (0, 499, 999):
        one = nps_from_counts(int(P[i]), int(A[i]), int(D[i])).iloc[0]
        assert out.loc[i, "nps"] == pytest.approx(one["nps"]) and out.loc[i, "ci_low"] == pytest.approx(one["ci_low"])


def test_nps_drops_missing():
    e = nps(pd.Series(TEN + [None, np.nan], dtype="float64"))
    assert e.n == 10 and e.estimate == pytest.approx(10.0)


@pytest.mark.parametrize(("scale", "shown"), [((1, 5), "1-5"), ("1-5", "1-5"), ("0-5", "0-5"), ((1, 10), "1-10")])
def test_nps_refuses_other_scales(scale, shown):
    with pytest.raises(NPSScaleError) as err:
        nps([1, 2, 3], scale=scale)
    assert str(err.value) == (f"NPS is defined on the 0-10 scale only; this question uses {shown}. It is not rescaled.")
    assert isinstance(err.value, ValueError)


def test_nps_accepts_0_10_as_text():
    assert nps(TEN, scale="0-10").estimate == pytest.approx(10)


def test_nps_refuses_out_of_range_naming_index_and_value():
    s = pd.Series([5, 9, 11, 12], index=["r1", "r2", "r3", "r4"])
    with pytest.raises(ValueError, match=r"11.*'r3'.*position 2") as err:
        nps(s)
    assert not isinstance(err.value, NPSScaleError)
    with pytest.raises(ValueError, match=r"-1.*index 1"):
        nps(np.array([3, -1, 4]))


def test_nps_refuses_non_integers_and_text():
    with pytest.raises(ValueError, match=r"7\.5.*'b'.*not an integer"):
        nps(pd.Series([8, 7.5], index=["a", "b"]))
    with pytest.raises(ValueError, match=r"'ten'.*not a number"):
        nps(pd.Series(["9", "ten"]))


def test_nps_shares_wilson_by_hand():
    out = nps_shares(TEN)
    assert list(out.columns) == ["category", "count", "n", "share", "ci_low", "ci_high", "method"]
    assert out["category"].tolist() == ["promoters", "passives", "detractors"]
    assert out["count"].tolist() == [4, 3, 3]
    assert (out["n"] == 10).all()
    for row, k in zip(out.itertuples(), [4, 3, 3]):
        lo, hi = wilson_by_hand(k, 10)
        assert row.share == pytest.approx(k / 10)
        assert row.ci_low == pytest.approx(lo)
        assert row.ci_high == pytest.approx(hi)
    # 4/10: Wilson 95% is about [0.168, 0.687]
    assert out.loc[0, "ci_low"] == pytest.approx(0.1682, abs=1e-4)
    assert out.loc[0, "ci_high"] == pytest.approx(0.6873, abs=1e-4)
    assert (out["method"] == "Wilson score interval").all()


def test_classify_and_net_score():
    s = pd.Series([10, 9, 8, 7, 6, 0, None], index=list("abcdefg"))
    cls = classify_nps(s)
    assert cls.loc[list("abcdef")].tolist() == ["promoter", "promoter", "passive", "passive", "detractor", "detractor"]
    assert pd.isna(cls.loc["g"])
    net = net_score(s)
    assert net.loc[list("abcdef")].tolist() == [100, 100, 0, 0, -100, -100]
    assert math.isnan(net.loc["g"])
    assert net.dropna().mean() == pytest.approx(nps(s).estimate)
    with pytest.raises(ValueError):
        net_score([11])
