"""Manager scores with partial pooling: formulas by hand, behaviour, recovery of a known truth."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from cxlab import metrics
from cxlab.drivers import pooling
from cxlab.drivers.data import driver_frame
from cxlab.drivers.managers import NOTE, ManagerScores, manager_scores, manager_scores_over_waves
from cxlab.drivers.profile import manager_profile

# Four managers, three clients each; clients differ more than their contacts do,
# so the cluster-robust variance is above the simple-random-sampling one and
# the design-effect floor does not bind.
HAND = {
    "A": {"a1": [9, 10], "a2": [6, 7], "a3": [8, 8, 9]},
    "B": {"b1": [5, 6], "b2": [8, 9], "b3": [7, 7]},
    "C": {"c1": [10, 10], "c2": [9, 10, 10], "c3": [7, 8]},
    "D": {"d1": [4, 5], "d2": [7, 8], "d3": [6, 5, 6]},
}


def frame_from(spec: dict, outcome: str = "nps") -> pd.DataFrame:
    rows = [
        {"manager": m, "client_id": c, outcome: float(v)}
        for m, clients in spec.items()
        for c, values in clients.items()
        for v in values
    ]
    return pd.DataFrame(rows)


def hand_cluster_var(clients: dict) -> tuple[float, float, float]:
    """Mean, between-cluster variance of the mean and SRS variance, by the textbook formulas."""
    values = [v for vs in clients.values() for v in vs]
    n, G = len(values), len(clients)
    mean = sum(values) / n
    cr = G / (G - 1) * sum(sum(v - mean for v in vs) ** 2 for vs in clients.values()) / n**2
    srs = sum((v - mean) ** 2 for v in values) / (n - 1) / n
    return mean, cr, srs


@pytest.fixture(scope="module")
def demo_frame(demo_ws):
    from cxlab.summary import SurveyData

    return driver_frame(SurveyData.from_workspace(demo_ws))


def sim_frame(seed: int):
    """The driver frame of a simulated agency, built in memory as Workspace.response_frame joins it.

    In memory rather than through a demo import, so the manager of every
    response is the one in charge at the time, as the truth was generated.
    """
    from cxlab.simulate import simulate

    sim = simulate(seed=seed)
    t = sim.tables
    responses = (
        t["responses"]
        .merge(t["clients"][["client_id", "segment", "direction", "contract_value"]], on="client_id", how="left")
        .merge(t["contacts"][["contact_id", "role"]], on="contact_id", how="left")
    )
    frame, items = driver_frame(SimpleNamespace(responses=responses, answers=t["answers"]))
    return frame, items, sim.truth.manager_effects


# --------------------------------------------------------------------------- formulas


def test_eb_matches_hand_computation():
    res = manager_scores(frame_from(HAND), min_n=5, n_draws=500)
    t = res.table.set_index("manager").loc[list(HAND)]
    means, variances = [], []
    for m, clients in HAND.items():
        mean, cr, srs = hand_cluster_var(clients)
        assert cr > srs  # the floor must not be what is tested here
        assert t.loc[m, "raw_mean"] == pytest.approx(mean)
        assert t.loc[m, "raw_se"] == pytest.approx(math.sqrt(cr))
        assert t.loc[m, "clients"] == 3 and t.loc[m, "n"] == sum(map(len, clients.values()))
        means.append(mean)
        variances.append(cr)
    y, v = np.array(means), np.array(variances)

    # DerSimonian-Laird by hand, and as statsmodels gives it.
    w = 1 / v
    ybar_w = (w * y).sum() / w.sum()
    q = (w * (y - ybar_w) ** 2).sum()
    tau2 = max(0.0, (q - (len(y) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    assert tau2 > 0
    assert tau2 == pytest.approx(combine_effects(y, v, method_re="dl").tau2)
    assert res.tau == pytest.approx(math.sqrt(tau2))

    w_re = 1 / (v + tau2)
    mu = (w_re * y).sum() / w_re.sum()
    var_mu = 1 / w_re.sum()
    B = tau2 / (tau2 + v)
    est = mu + B * (y - mu)
    sd = np.sqrt(B * v + (1 - B) ** 2 * var_mu)
    z = stats.norm.ppf(0.975)
    assert res.grand_mean == pytest.approx(mu)
    assert res.grand_mean_se == pytest.approx(math.sqrt(var_mu))
    np.testing.assert_allclose(t["estimate"], est)
    np.testing.assert_allclose(t["ci_low"], est - z * sd)
    np.testing.assert_allclose(t["ci_high"], est + z * sd)
    np.testing.assert_allclose(t["shrinkage"], 1 - B)
    np.testing.assert_allclose(t["effect"], est - mu)
    esd = np.sqrt(B * v + B**2 * var_mu)
    np.testing.assert_allclose(t["effect_ci_high"] - t["effect_ci_low"], 2 * z * esd)
    np.testing.assert_allclose(t["p_above_mean"], stats.norm.cdf((est - mu) / esd))
    assert t["rank"].tolist() == list(stats.rankdata(-est, method="min").astype(int))
    assert not t["se_fallback"].any()
    assert "DerSimonian-Laird" in res.method and "cluster-robust" in res.method


def test_design_effect_floored_at_one_and_one_client_fallback():
    # E: every client holds the same spread, so the between-client variance is 0;
    # F: one client only, which cannot estimate its own clustering.
    spec = dict(HAND, E={"e1": [5, 10], "e2": [5, 10], "e3": [5, 10]}, F={"f1": [6, 9, 7, 8]})
    t = manager_scores(frame_from(spec), min_n=4, n_draws=200).table.set_index("manager")
    _, cr, srs = hand_cluster_var(spec["E"])
    assert cr == pytest.approx(0.0)
    assert t.loc["E", "raw_se"] == pytest.approx(math.sqrt(srs))
    assert not t.loc["E", "se_fallback"]
    # F: pooled within-group variance / n, times the median design effect of the
    # groups that have several clients (floored at 1).
    values = {g: [x for vs in spec[g].values() for x in vs] for g in spec}
    pooled = sum(sum((x - np.mean(v)) ** 2 for x in v) for v in values.values()) / sum(
        len(v) - 1 for v in values.values()
    )
    deffs = [hand_cluster_var(spec[g])[1] / hand_cluster_var(spec[g])[2] for g in spec if g != "F"]
    deff = max(1.0, float(np.median(deffs)))
    assert t.loc["F", "se_fallback"]
    assert t.loc["F", "raw_se"] == pytest.approx(math.sqrt(deff * pooled / 4))


# --------------------------------------------------------------------------- shrinkage


def test_small_group_is_pulled_more_than_large_one():
    rng = np.random.default_rng(5)
    rows = []
    for g, (level, n_clients) in {
        "big_hi": (8.8, 40),
        "big_lo": (7.0, 40),
        "mid": (7.8, 40),
        "mid2": (8.2, 40),
        "small_hi": (8.8, 3),
    }.items():
        for c in range(n_clients):
            client = level + rng.normal(0, 0.4)
            for _ in range(3):
                rows.append(
                    {
                        "manager": g,
                        "client_id": f"{g}{c}",
                        "nps": float(np.clip(round(client + rng.normal(0, 1.0)), 0, 10)),
                    }
                )
    t = manager_scores(pd.DataFrame(rows), min_n=5, n_draws=500).table.set_index("manager")
    assert t.loc["small_hi", "shrinkage"] > t.loc["big_hi", "shrinkage"]
    assert t.loc["small_hi", "shrinkage"] > t.drop("small_hi")["shrinkage"].max()
    pulled = (t["raw_mean"] - t["estimate"]).abs() / (t["raw_mean"] - t["estimate"].mean()).abs()
    assert pulled["small_hi"] > pulled["big_hi"]
    # Wider interval for the small group.
    width = t["ci_high"] - t["ci_low"]
    assert width["small_hi"] > width.drop("small_hi").max()


def test_no_spread_between_groups_means_everyone_at_the_grand_mean():
    same = {"a1": [6, 9], "a2": [8, 7], "a3": [10, 8]}
    spec = {m: {f"{m}{c}": v for c, v in same.items()} for m in "ABCD"}
    res = manager_scores(frame_from(spec), min_n=1, n_draws=2000)
    t = res.table
    assert res.tau == 0.0
    np.testing.assert_allclose(t["estimate"], res.grand_mean)
    assert (t["shrinkage"] == 1).all() and (t["effect"] == 0).all()
    assert (t["p_above_mean"] == 0.5).all()
    # Nothing separates the groups: every rank interval spans all ranks, P(top) ~ 1/4 each.
    assert (t["rank_ci_low"] == 1).all() and (t["rank_ci_high"] == 4).all()
    np.testing.assert_allclose(t["p_top"], 0.25, atol=0.03)


# --------------------------------------------------------------------------- suppression, ranks


def test_small_groups_are_suppressed_but_listed():
    spec = dict(HAND, S={"s1": [10, 10], "s2": [10]})
    t = manager_scores(frame_from(spec), min_n=5, n_draws=500).table
    row = t.set_index("manager").loc["S"]
    assert row["suppressed"] and row["n"] == 3 and row["clients"] == 2
    for col in ("raw_mean", "raw_se", "estimate", "ci_low", "ci_high", "p_top", "p_above_mean"):
        assert pd.isna(row[col])
    assert pd.isna(row["rank"]) and pd.isna(row["rank_ci_low"])
    assert t["manager"].iloc[-1] == "S"  # suppressed rows come last
    ranked = t[~t["suppressed"]]
    assert sorted(ranked["rank"].tolist()) == [1, 2, 3, 4]
    # The suppressed group stays out of the fit: same figures as without it.
    alone = manager_scores(frame_from(HAND), min_n=5, n_draws=500).table
    pd.testing.assert_frame_equal(ranked.reset_index(drop=True), alone)
    assert (ranked["p_top"].sum()) == pytest.approx(1.0)  # top quarter of 4 = 1 group per draw


def test_ranks_intervals_and_reproducibility(demo_frame):
    frame, _ = demo_frame
    a = manager_scores(frame, seed=3)
    t = a.table
    assert len(t) == frame["manager"].nunique() == 11
    assert ((t["rank_ci_low"] <= t["rank"]) & (t["rank"] <= t["rank_ci_high"])).all()
    assert t["p_above_mean"].between(0, 1).all() and t["p_top"].between(0, 1).all()
    assert t["p_top"].sum() == pytest.approx(math.ceil(11 / 4))
    assert (t["ci_low"] <= t["estimate"]).all() and (t["estimate"] <= t["ci_high"]).all()
    assert t["estimate"].is_monotonic_decreasing and t["rank"].iloc[0] == 1
    # Pooled estimates lie between the raw mean and the grand mean.
    lo = np.minimum(t["raw_mean"], a.grand_mean) - 1e-12
    hi = np.maximum(t["raw_mean"], a.grand_mean) + 1e-12
    assert ((lo <= t["estimate"]) & (t["estimate"] <= hi)).all()
    pd.testing.assert_frame_equal(t, manager_scores(frame, seed=3).table)
    assert isinstance(a, ManagerScores)


def test_summary_and_note(demo_frame):
    frame, _ = demo_frame
    res = manager_scores(frame, by="team")
    assert set(NOTE) == {"ru", "en"}
    assert res.note.startswith(NOTE["en"])
    text = res.summary()
    assert "Digital" in text and "rank" in text and NOTE["en"][:30] in text
    assert "Инструмент развития, а не оценка людей" in res.summary(lang="ru")
    assert len(res.table) == frame["team"].nunique()


def test_net_outcome_is_a_pooled_nps(demo_frame):
    frame, _ = demo_frame
    res = manager_scores(frame, outcome="net")
    t = res.table.set_index("manager")
    for m in t.index[:3]:
        direct = metrics.nps(frame.loc[frame["manager"] == m, "nps"]).estimate
        assert t.loc[m, "raw_mean"] == pytest.approx(direct)
    assert "NPS in points" in res.outcome_label
    assert "not the NPS percentage" in manager_scores(frame).outcome_label


def test_bad_arguments(demo_frame):
    frame, _ = demo_frame
    with pytest.raises(ValueError, match="mixedlm"):
        manager_scores(frame, adjust_for=["role"])
    with pytest.raises(ValueError):
        manager_scores(frame, method="bayes")
    with pytest.raises(KeyError):
        manager_scores(frame, outcome="nope")


# --------------------------------------------------------------------------- recovery

# Realised over 101 seeds (0-99 and 42): Spearman(estimate, truth) median 0.85
# (5th percentile ~0.64, min 0.49); Pearson(effect, truth) median 0.88 (min
# 0.66); slope of the pooled effect on the latent truth ~1.0 (0.43-1.67), of
# the raw mean ~1.3: the 0-10 scale is clipped at 10, so 1.7 points per latent
# unit shrink to ~1.3 in means.  With 1.3 the 95% effect intervals cover the
# scaled truth for 95% of managers on average.  Managers also differ by their
# clients (base satisfaction, sd 0.45), which is noise with respect to the
# truth, hence no tighter bounds on a single seed.
RECOVERY_SEEDS = (42, 1, 2)


@pytest.mark.slow
def test_recovers_simulated_manager_effects():
    rhos, slopes, covered = [], [], []
    for seed in RECOVERY_SEEDS:
        frame, _, truth = sim_frame(seed)
        t = manager_scores(frame).table.set_index("manager")
        assert not t["suppressed"].any()
        tr = truth.reindex(t.index)
        rho = stats.spearmanr(t["estimate"], tr).statistic
        r = np.corrcoef(t["effect"], tr)[0, 1]
        assert rho >= 0.6, (seed, rho)
        assert r >= 0.75, (seed, r)
        rhos.append(rho)
        slopes.append(np.polyfit(tr, t["effect"], 1)[0])
        scaled = 1.3 * (tr - tr.mean())
        covered.append(((t["effect_ci_low"] <= scaled) & (scaled <= t["effect_ci_high"])).mean())
    assert np.mean(rhos) >= 0.8
    assert 0.5 <= np.mean(slopes) <= 1.7
    assert min(covered) >= 0.8 and np.mean(covered) >= 0.9


# --------------------------------------------------------------------------- mixed model


def test_mixedlm_agrees_with_eb_and_adjusts(demo_frame):
    frame, _ = demo_frame
    eb = manager_scores(frame).table.set_index("manager")["estimate"]
    mlm = manager_scores(frame, method="mixedlm")
    est = mlm.table.set_index("manager")["estimate"].reindex(eb.index)
    assert np.corrcoef(eb, est)[0, 1] > 0.9
    assert "MixedLM" in mlm.method and mlm.tau > 0
    t = mlm.table
    assert ((t["ci_low"] < t["estimate"]) & (t["estimate"] < t["ci_high"])).all()
    assert ((t["rank_ci_low"] <= t["rank"]) & (t["rank"] <= t["rank_ci_high"])).all()
    assert t["shrinkage"].between(0, 1).all()

    adj = manager_scores(frame, method="mixedlm", adjust_for=["role", "segment"])
    a = adj.table.set_index("manager")["estimate"].reindex(eb.index)
    assert "role, segment" in adj.method
    assert a.notna().all() and not np.allclose(a, est)
    assert np.corrcoef(a, est)[0, 1] > 0.9


def test_mixedlm_failure_falls_back_to_eb(demo_frame, monkeypatch):
    frame, _ = demo_frame

    def broken(*args, **kwargs):
        raise RuntimeError("MixedLM did not converge (test)")

    monkeypatch.setattr(pooling, "_mixedlm", broken)
    with pytest.warns(RuntimeWarning, match="falling back to empirical Bayes"):
        res = manager_scores(frame, method="mixedlm")
    assert res.method.startswith("empirical Bayes")
    assert "did not converge" in res.note and "empirical Bayes" in res.note
    pd.testing.assert_frame_equal(res.table, manager_scores(frame).table)


# --------------------------------------------------------------------------- profile, waves


def test_profile_finds_the_attribute_that_separates_top_managers():
    rng = np.random.default_rng(11)
    rows = []
    for m in range(8):
        top = m < 2
        for c in range(5):
            client_level = rng.normal(0, 0.3)
            for _ in range(3):
                rows.append(
                    {
                        "manager": f"M{m}",
                        "client_id": f"M{m}C{c}",
                        "nps": float(np.clip(round(6.5 + 2.5 * top + client_level + rng.normal(0, 0.8)), 0, 10)),
                        "reporting": float(np.clip(round(3 + 1.2 * top + client_level + rng.normal(0, 0.7)), 1, 5)),
                        "deadlines": float(np.clip(round(3.5 + client_level + rng.normal(0, 0.7)), 1, 5)),
                        "proactivity": float(np.clip(round(3.2 + client_level + rng.normal(0, 0.7)), 1, 5)),
                    }
                )
    frame = pd.DataFrame(rows)
    prof = manager_profile(frame, ["deadlines", "reporting", "proactivity"])
    assert set(prof.attrs["top_groups"]) == {"M0", "M1"}
    first = prof.iloc[0]
    assert first["item"] == "reporting" and first["p_holm"] < 0.01 and first["ci_low"] > 0
    assert (prof["difference"].iloc[1:].abs() < 0.5).all()
    assert first["n_top"] == 30 and first["n_rest"] == 90 and first["clients_top"] == 10
    assert first["mean_top"] - first["mean_rest"] == pytest.approx(first["difference"])
    assert "cluster-robust" in first["method"] and "Holm" in first["method"]


def test_profile_on_the_simulation(demo_frame):
    frame, items = demo_frame
    scores = manager_scores(frame)
    prof = manager_profile(frame, items, scores=scores)
    assert sorted(prof["item"]) == sorted(items)
    assert prof["difference"].is_monotonic_decreasing
    assert (prof["p_holm"] >= prof["p_value"] - 1e-12).all()
    assert ((prof["ci_low"] <= prof["difference"]) & (prof["difference"] <= prof["ci_high"])).all()
    assert len(prof.attrs["top_groups"]) == 3  # ceil(11 / 4)
    assert (prof["n_top"] + prof["n_rest"] == len(frame)).all()


def test_scores_over_waves(demo_frame):
    frame, _ = demo_frame
    out = manager_scores_over_waves(frame, n_draws=500)
    waves = sorted(frame["wave_id"].unique())
    assert out["wave_id"].unique().tolist() == waves
    assert out.columns[:2].tolist() == ["wave_id", "manager"]
    per_wave = out.groupby("wave_id")["n"].sum()
    assert per_wave.to_dict() == frame.groupby("wave_id").size().to_dict()
    one = manager_scores(frame[frame["wave_id"] == waves[-1]], n_draws=500).table
    last = out[out["wave_id"] == waves[-1]].drop(columns=["wave_id", "grand_mean", "tau"])
    pd.testing.assert_frame_equal(last.reset_index(drop=True), one)
    assert out["suppressed"].any()  # a wave is small: some managers fall under min_n
