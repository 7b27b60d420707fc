"""Drivers across waves: shifts found when they happen, Kendall's tau, skipped waves."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlab.drivers import drivers_over_waves, relative_importance


def _wave(rng, wave, weights, n=300):
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["speed", "ideas", "price"])
    X["nps"] = X.to_numpy() @ np.array(weights) + rng.normal(size=n) * 0.7
    return X.assign(wave_id=wave)


@pytest.mark.slow
def test_a_shift_in_priorities_is_found_and_stable_ones_are_not():
    rng = np.random.default_rng(8)
    data = pd.concat(
        [
            _wave(rng, "2026-Q1", [0.8, 0.3, 0.2]),
            _wave(rng, "2026-Q2", [0.8, 0.3, 0.2]),
            _wave(rng, "2026-Q3", [0.2, 0.3, 0.8]),
        ]
    )
    trend = drivers_over_waves(data, "nps", ["speed", "ideas", "price"], n_boot=300)
    first = trend.changes[trend.changes["wave_after"] == "2026-Q2"].set_index("driver")
    second = trend.changes[trend.changes["wave_after"] == "2026-Q3"].set_index("driver")
    assert not first["significant"].any()
    assert second.loc["speed", "significant"] and second.loc["speed", "change"] < 0
    assert second.loc["price", "significant"] and second.loc["price", "change"] > 0
    assert (second["ci_low"] < second["change"]).all() and (second["change"] < second["ci_high"]).all()
    # Each wave's shares are relative_importance's in that wave.
    q3 = (
        relative_importance(
            data[data["wave_id"] == "2026-Q3"], "nps", ["speed", "ideas", "price"], method="shapley", n_boot=0
        )
        .method("shapley")
        .set_index("driver")["share"]
    )
    got = trend.table[trend.table["wave_id"] == "2026-Q3"].set_index("driver")["share"]
    np.testing.assert_allclose(got, q3.loc[got.index])
    tau = trend.agreement.set_index("wave_after").loc["2026-Q3", "kendall_tau"]
    t1 = trend.table[trend.table["wave_id"] == "2026-Q2"].set_index("driver")["share"]
    assert tau == pytest.approx(stats.kendalltau(t1, got.loc[t1.index]).statistic)
    assert "speed" in trend.summary()


def test_small_waves_are_skipped_with_the_reason():
    rng = np.random.default_rng(1)
    data = pd.concat(
        [_wave(rng, "A", [1, 0.5, 0.1]), _wave(rng, "B", [1, 0.5, 0.1], n=4), _wave(rng, "C", [1, 0.5, 0.1])]
    )
    trend = drivers_over_waves(data, "nps", ["speed", "ideas", "price"], n_boot=50)
    assert "B" in trend.skipped and "4 usable" in trend.skipped["B"]
    assert set(trend.table["wave_id"]) == {"A", "C"}
    assert trend.changes[["wave_before", "wave_after"]].drop_duplicates().values.tolist() == [["A", "C"]]
    with pytest.raises(ValueError, match="n_boot"):
        drivers_over_waves(data, "nps", ["speed", "ideas"], n_boot=0)


def test_p_values_are_holm_adjusted_and_clients_are_resampled_in_both_waves():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(12)
    clients = np.repeat(np.arange(150), 2)
    parts = []
    for wave, weights in (("2026-spring", [0.8, 0.3, 0.2]), ("2026-autumn", [0.3, 0.3, 0.8])):
        X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["speed", "ideas", "price"])
        X["nps"] = X.to_numpy() @ np.array(weights) + rng.normal(size=300) * 0.7
        parts.append(X.assign(wave_id=wave, client_id=clients))
    data = pd.concat(parts)
    trend = drivers_over_waves(
        data, "nps", ["speed", "ideas", "price"], n_boot=200, cluster="client_id", order=["2026-spring", "2026-autumn"]
    )
    ch = trend.changes.set_index("driver")
    assert ch["wave_before"].iloc[0] == "2026-spring"  # time order, not alphabetical
    np.testing.assert_allclose(ch["p_adjusted"], multipletests(ch["p_value"], method="holm")[1])
    assert ch.loc["speed", "p_value"] < 0.01 and ch.loc["speed", "significant"]
    assert "same clients resampled in both waves" in trend.interval


def test_a_wave_that_cannot_be_analysed_is_skipped_with_its_reason():
    rng = np.random.default_rng(3)
    good = _wave(rng, "A", [1, 0.5, 0.1])
    flat = _wave(rng, "B", [1, 0.5, 0.1]).assign(price=3.0)
    unrated = _wave(rng, "C", [1, 0.5, 0.1]).assign(ideas=np.nan)
    trend = drivers_over_waves(
        pd.concat([good, flat, unrated, _wave(rng, "D", [1, 0.5, 0.1])]), "nps", ["speed", "ideas", "price"], n_boot=30
    )
    assert "no variation in ['price']" in trend.skipped["B"]
    assert trend.skipped["C"] == "not rated in this wave: ideas"
    assert set(trend.table["wave_id"]) == {"A", "D"}
