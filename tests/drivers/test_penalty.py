"""Penalty-reward analysis against group means and statsmodels, and its classification."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxlab.drivers import penalty_reward


def test_one_attribute_penalty_and_reward_are_differences_of_means():
    # With one attribute the regression on two dummies reproduces the band means.
    x = np.array([1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 1, 2, 4, 3, 5], dtype=float)
    y = np.array([2, 3, 4, 6, 7, 8, 7, 7, 9, 10, 9, 1, 5, 8, 6, 10], dtype=float)
    frame = pd.DataFrame({"speed": x, "nps": y, "filler": np.resize([1.0, 2, 3, 4, 5], len(x))})
    out = penalty_reward(frame, "nps", ["speed"], min_cell=3).set_index("driver")
    mid = y[(x >= 3) & (x <= 4)].mean()
    assert out.loc["speed", "penalty"] == pytest.approx(mid - y[x <= 2].mean())
    assert out.loc["speed", "reward"] == pytest.approx(y[x == 5].mean() - mid)
    assert out.loc["speed", "n_low"] == 5 and out.loc["speed", "n_high"] == 4
    assert out.loc["speed", "share_low"] == pytest.approx(5 / 16)


@pytest.fixture
def asymmetric():
    rng = np.random.default_rng(2)
    n = 800
    X = pd.DataFrame(rng.integers(1, 6, size=(n, 4)).astype(float), columns=["deadlines", "ideas", "reports", "office"])
    X["nps"] = (
        7
        - 3 * (X["deadlines"] <= 2)
        + 2 * (X["ideas"] == 5)
        - 1.5 * (X["reports"] <= 2)
        + 1.5 * (X["reports"] == 5)
        + rng.normal(size=n)
    )
    X["client_id"] = np.repeat(np.arange(n // 4), 4)
    return X


def test_classifies_dissatisfiers_delighters_performance_and_neutral(asymmetric):
    out = penalty_reward(asymmetric, "nps", ["deadlines", "ideas", "reports", "office"]).set_index("driver")
    assert out["kind"].to_dict() == {
        "deadlines": "dissatisfier",
        "reports": "performance",
        "ideas": "delighter",
        "office": "neutral",
    }
    assert out.loc["deadlines", "penalty"] == pytest.approx(3, abs=0.3)
    assert out.loc["ideas", "reward"] == pytest.approx(2, abs=0.3)
    assert out.index[0] == "deadlines"  # sorted by penalty
    assert "middle as reference" in out["method"].iloc[0]


def test_cluster_robust_intervals_are_statsmodels(asymmetric):
    drivers = ["deadlines", "ideas"]
    out = penalty_reward(asymmetric, "nps", drivers, cluster="client_id").set_index("driver")
    X = pd.DataFrame(
        {
            f"{d}|{b}": (asymmetric[d] <= 2 if b == "low" else asymmetric[d] == 5).astype(float)
            for d in drivers
            for b in ("low", "high")
        }
    )
    fit = sm.OLS(asymmetric["nps"], sm.add_constant(X)).fit(
        cov_type="cluster", cov_kwds={"groups": asymmetric["client_id"]}
    )
    ci = fit.conf_int()
    assert out.loc["ideas", "reward_ci_low"] == pytest.approx(ci.loc["ideas|high", 0])
    assert out.loc["deadlines", "penalty_ci_low"] == pytest.approx(-ci.loc["deadlines|low", 1])
    assert out.loc["deadlines", "penalty_p"] == pytest.approx(fit.pvalues["deadlines|low"])
    assert "cluster-robust SE by client_id" in out["method"].iloc[0]


def test_rare_bands_are_not_estimated(asymmetric):
    frame = asymmetric.copy()
    frame["office"] = frame["office"].clip(lower=3)
    frame.loc[frame.index[:2], "office"] = 1.0
    out = penalty_reward(frame, "nps", ["deadlines", "office"], min_cell=5).set_index("driver")
    assert np.isnan(out.loc["office", "penalty"]) and out.loc["office", "n_low"] == 2
    assert not np.isnan(out.loc["office", "reward"])


def test_custom_bands_and_errors(asymmetric):
    out = penalty_reward(asymmetric, "nps", ["deadlines"], low=[1], high=[4, 5]).set_index("driver")
    assert out.loc["deadlines", "n_low"] == (asymmetric["deadlines"] == 1).sum()
    assert "high (4/5)" in out["method"].iloc[0]
    with pytest.raises(ValueError, match="overlap"):
        penalty_reward(asymmetric, "nps", ["deadlines"], low=[1, 2], high=[2, 5])
    with pytest.raises(KeyError, match="nope"):
        penalty_reward(asymmetric, "nps", ["nope"])
    with pytest.raises(ValueError, match="too few"):
        penalty_reward(asymmetric.head(5), "nps", ["deadlines", "ideas", "reports"])


def test_without_a_middle_band_nothing_is_estimated():
    # On a 1-3 scale the default bands (1-2 low, 3 high) leave no reference: no nonsense coefficients.
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {"speed": rng.integers(1, 4, 200).astype(float), "ideas": rng.integers(1, 6, 200).astype(float)}
    )
    frame["nps"] = frame["ideas"] + rng.normal(size=200)
    out = penalty_reward(frame, "nps", ["speed", "ideas"], scale=(1, 3)).set_index("driver")
    assert out.loc["speed", "kind"] == "not_estimated"
    assert np.isnan(out.loc["speed", ["penalty", "reward"]].astype(float)).all()
    assert (out["penalty"].abs().fillna(0) < 100).all()
