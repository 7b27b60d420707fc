"""Importance-performance map: quadrants, cross-hairs and bootstrap quadrant shares."""

import numpy as np
import pandas as pd
import pytest

from cxlab.drivers import QUADRANTS, importance_performance, relative_importance
from cxlab.drivers.ipa import quadrant_of


@pytest.fixture
def ratings():
    # speed matters most and is rated poorly; ideas matters and is rated well;
    # office is rated well and does not matter; paperwork neither.
    rng = np.random.default_rng(5)
    n = 600
    latent = rng.normal(size=(n, 4))
    means = np.array([2.6, 4.2, 4.4, 2.8])
    X = np.clip(np.rint(means + latent), 1, 5)
    frame = pd.DataFrame(X, columns=["speed", "ideas", "office", "paperwork"])
    frame["nps"] = (
        1.5 * latent[:, 0] + 1.0 * latent[:, 1] + 0.1 * latent[:, 2] + 0.1 * latent[:, 3] + rng.normal(size=n)
    )
    frame["client_id"] = np.repeat(np.arange(n // 2), 2)
    return frame


def test_quadrants_follow_the_cross_hairs(ratings):
    ipa = importance_performance(ratings, "nps", ["speed", "ideas", "office", "paperwork"], n_boot=300)
    t = ipa.table.set_index("driver")
    assert t.loc["speed", "quadrant"] == "concentrate"
    assert t.loc["ideas", "quadrant"] == "keep_up"
    assert t.loc["office", "quadrant"] == "overkill"
    assert t.loc["paperwork", "quadrant"] == "low_priority"
    assert ipa.importance_cut == pytest.approx(0.25)
    assert ipa.performance_cut == pytest.approx(ratings[["speed", "ideas", "office", "paperwork"]].mean().mean())
    np.testing.assert_allclose(t["performance"], ratings[t.index].mean())
    shares = relative_importance(ratings, "nps", list(t.index), method="shapley", n_boot=0).method("shapley")
    np.testing.assert_allclose(t["importance"], shares.set_index("driver").loc[t.index, "share"])
    # Clear-cut attributes keep their quadrant in nearly every resample.
    assert t.loc["speed", "quadrant_share"] > 0.95 and t.loc["office", "quadrant_share"] > 0.95
    probs = t[[f"p_{q}" for q in QUADRANTS]]
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    for d in t.index:
        assert t.loc[d, "quadrant_share"] == pytest.approx(t.loc[d, f"p_{t.loc[d, 'quadrant']}"])
    assert ((t["performance_ci_low"] <= t["performance"]) & (t["performance"] <= t["performance_ci_high"])).all()
    assert "concentrate" in ipa.summary()


def test_a_point_on_the_cross_hair_is_uncertain(ratings):
    # Two attributes alike in every respect: each sits near the cross-hairs,
    # so neither can hold one quadrant in every resample.
    rng = np.random.default_rng(9)
    n = 400
    z = rng.normal(size=(n, 2))
    frame = pd.DataFrame(np.clip(np.rint(3.5 + z), 1, 5), columns=["a", "b"])
    frame["nps"] = z.sum(axis=1) + rng.normal(size=n)
    t = importance_performance(frame, "nps", ["a", "b"], n_boot=300).table
    assert (t["quadrant_share"] < 0.9).all()


def test_fixed_cut_and_median(ratings):
    drivers = ["speed", "ideas", "office", "paperwork"]
    fixed = importance_performance(ratings, "nps", drivers, n_boot=20, performance_cut=3.0)
    assert fixed.performance_cut == 3.0
    assert fixed.table.set_index("driver").loc["paperwork", "quadrant"] == "low_priority"
    med = importance_performance(ratings, "nps", drivers, n_boot=20, performance_cut="median")
    assert med.performance_cut == pytest.approx(np.median(ratings[drivers].mean()))
    with pytest.raises(ValueError, match="performance_cut"):
        importance_performance(ratings, "nps", drivers, n_boot=20, performance_cut="mode")
    with pytest.raises(ValueError, match="n_boot"):
        importance_performance(ratings, "nps", drivers, n_boot=0)


def test_quadrant_of():
    assert quadrant_of([0.3, 0.3, 0.1, 0.1], [2, 5, 5, 2], 0.2, 3).tolist() == [
        "concentrate",
        "keep_up",
        "overkill",
        "low_priority",
    ]


def test_performance_counts_every_rater(ratings):
    # Respondents who skipped the recommend question still rated the attributes.
    drivers = ["speed", "ideas", "office", "paperwork"]
    holes = ratings.copy()
    holes.loc[holes.index[:150], "nps"] = np.nan
    holes.loc[holes.index[150:200], "ideas"] = np.nan
    t = importance_performance(holes, "nps", drivers, n_boot=50, cluster="client_id").table.set_index("driver")
    np.testing.assert_allclose(t.loc[drivers, "performance"], holes[drivers].mean())
    assert t.loc["ideas", "n"] == holes["ideas"].notna().sum()
