"""relative_importance: every method against statsmodels / scipy / its definition, intervals, warnings."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.outliers_influence import variance_inflation_factor

from cxlab.drivers import DriverWarning, relative_importance
from cxlab.drivers.importance_methods import correlation_matrix, johnson_weights
from cxlab.drivers.resampling import weighted_ranks
from cxlab.stats.resampling import resample_weights

DRIVERS = ["speed", "ideas", "reports", "price"]


@pytest.fixture
def survey():
    rng = np.random.default_rng(11)
    n_clients, per = 120, 3
    client = np.repeat(np.arange(n_clients), per)
    shared = rng.normal(size=n_clients)[client]
    X = rng.normal(size=(len(client), 4)) + 0.5 * shared[:, None]
    X[:, 1] += 0.4 * X[:, 0]
    y = X @ np.array([0.6, 0.35, 0.15, 0.0]) + rng.normal(size=len(client))
    frame = pd.DataFrame(X, columns=DRIVERS)
    frame["nps"] = y
    frame["client_id"] = [f"C{c}" for c in client]
    return frame


def _ols(frame):
    z = (frame - frame.mean()) / frame.std()
    return sm.OLS(z["nps"], sm.add_constant(z[DRIVERS])).fit()


def test_importances_sum_to_r2_and_shares_to_one(survey):
    res = relative_importance(survey, "nps", DRIVERS, n_boot=0)
    r2 = _ols(survey[DRIVERS + ["nps"]]).rsquared
    assert res.r2 == pytest.approx(r2)
    for method in ("shapley", "johnson", "ols"):
        assert res.method(method)["importance"].sum() == pytest.approx(r2), method
    for method in ("shapley", "johnson", "ols", "pearson", "spearman"):
        assert res.method(method)["share"].sum() == pytest.approx(1.0), method
    assert set(res.table["method"]) == {"shapley", "johnson", "ols", "pearson", "spearman"}
    assert (res.table["n"] == len(survey)).all()


def test_ols_rows_are_statsmodels_standardised_betas_pratt_and_vif(survey):
    res = relative_importance(survey, "nps", DRIVERS, method="ols", n_boot=0).method("ols").set_index("driver")
    fit = _ols(survey[DRIVERS + ["nps"]])
    r = survey[DRIVERS].corrwith(survey["nps"])
    for d in DRIVERS:
        assert res.loc[d, "estimate"] == pytest.approx(fit.params[d])
        assert res.loc[d, "se"] == pytest.approx(fit.bse[d])
        assert res.loc[d, "p_value"] == pytest.approx(fit.pvalues[d])
        assert res.loc[d, "importance"] == pytest.approx(fit.params[d] * r[d])
    exog = sm.add_constant(survey[DRIVERS]).to_numpy()
    for j, d in enumerate(DRIVERS, start=1):
        assert res.loc[d, "vif"] == pytest.approx(variance_inflation_factor(exog, j))


def test_cluster_robust_ols_standard_errors(survey):
    res = relative_importance(survey, "nps", DRIVERS, method="ols", cluster="client_id", n_boot=0)
    z = (survey[DRIVERS + ["nps"]] - survey[DRIVERS + ["nps"]].mean()) / survey[DRIVERS + ["nps"]].std()
    fit = sm.OLS(z["nps"], sm.add_constant(z[DRIVERS])).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(survey["client_id"])[0]}
    )
    np.testing.assert_allclose(res.method("ols").set_index("driver").loc[DRIVERS, "se"], fit.bse[DRIVERS])


def test_correlations_are_scipys(survey):
    res = relative_importance(survey, "nps", DRIVERS, method="correlation", n_boot=0)
    for method, fn in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
        rows = res.method(method).set_index("driver")
        for d in DRIVERS:
            r, p = fn(survey[d], survey["nps"])
            assert rows.loc[d, "estimate"] == pytest.approx(r)
            assert rows.loc[d, "importance"] == pytest.approx(r**2)
            assert rows.loc[d, "p_value"] == pytest.approx(p)


def test_johnson_matches_the_svd_construction(survey):
    # Johnson (2000): Z = U V' is the orthonormal matrix closest to the
    # standardised drivers X = U S V'; regress y on Z (beta) and X on Z (Lambda).
    X = survey[DRIVERS].to_numpy()
    X = (X - X.mean(0)) / X.std(0)
    y = survey["nps"].to_numpy()
    y = (y - y.mean()) / y.std()
    U, _S, Vt = np.linalg.svd(X, full_matrices=False)
    Z = U @ Vt
    beta = np.linalg.lstsq(Z, y, rcond=None)[0]
    lam = np.linalg.lstsq(Z, X, rcond=None)[0]
    expected = (lam**2).T @ (beta**2) / len(y)  # X'X/n scaling of the correlations
    expected = expected * (1 / expected.sum()) * _ols(survey[DRIVERS + ["nps"]]).rsquared
    got = johnson_weights(np.corrcoef(np.column_stack([X, y]), rowvar=False))
    np.testing.assert_allclose(got, expected, rtol=1e-8)


def test_recovers_the_simulators_driver_weights(demo_ws):
    from cxlab.drivers import driver_frame
    from cxlab.simulate import DRIVER_WEIGHTS
    from cxlab.summary import SurveyData

    frame, items = driver_frame(SurveyData.from_workspace(demo_ws))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriverWarning)
        res = relative_importance(frame, "nps", items, method=["shapley", "johnson"], cluster="client_id", n_boot=200)
    truth = pd.Series(DRIVER_WEIGHTS)
    for method in ("shapley", "johnson"):
        share = res.method(method).set_index("driver")["share"]
        rho = stats.spearmanr(share, truth.reindex(share.index)).statistic
        assert rho >= 0.85, (method, rho)
        assert share.idxmax() == truth.idxmax()


def test_bootstrap_intervals_contain_the_estimates_and_repeat_with_the_seed(survey):
    a = relative_importance(survey, "nps", DRIVERS, cluster="client_id", n_boot=300, seed=4)
    b = relative_importance(survey, "nps", DRIVERS, cluster="client_id", n_boot=300, seed=4)
    pd.testing.assert_frame_equal(a.table, b.table)
    t = a.table
    assert ((t["ci_low"] <= t["importance"] + 1e-12) & (t["importance"] <= t["ci_high"] + 1e-12)).all()
    assert ((t["rank_ci_low"] <= t["rank"]) & (t["rank"] <= t["rank_ci_high"])).all()
    assert a.r2_ci_low < a.r2 < a.r2_ci_high
    assert "resamples of clients" in a.interval
    # The strongest driver stays near the top in every resample; the null one stays out of it.
    shap = a.method("shapley").set_index("driver")
    assert shap.loc["speed", "rank"] == 1 and shap.loc["speed", "rank_ci_high"] <= 2
    assert shap.loc["price", "rank_ci_low"] >= 3


def test_cluster_resamples_keep_clients_whole():
    clusters = np.array(["a", "a", "b", "c", "c", "c"])
    weights = resample_weights(6, clusters, 200, np.random.default_rng(0))
    assert weights.shape == (200, 6)
    assert (weights[:, 0] == weights[:, 1]).all() and (weights[:, 3] == weights[:, 5]).all()
    assert (weights[:, [0, 2, 3]].sum(axis=1) == 3).all()  # three clusters drawn each time
    rows = resample_weights(6, None, 200, np.random.default_rng(0))
    assert (rows.sum(axis=1) == 6).all()


def test_weighted_statistics_equal_the_resampled_data():
    # A row weighted w counts as w copies: check against the expanded data.
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.integers(1, 6, 30), rng.normal(size=30), rng.integers(0, 11, 30)]).astype(float)
    x[3, 1] = np.nan
    w = rng.integers(0, 3, (4, 30)).astype(float)
    for b in range(4):
        expanded = np.repeat(x, w[b].astype(int), axis=0)
        frame = pd.DataFrame(expanded)
        np.testing.assert_allclose(correlation_matrix(x, "pairwise", w[b : b + 1])[0], frame.corr(), atol=1e-10)
        complete = ~np.isnan(x).any(axis=1)
        np.testing.assert_allclose(
            correlation_matrix(x[complete], "listwise", w[b : b + 1, complete])[0], frame.dropna().corr(), atol=1e-10
        )
        ranks = weighted_ranks(x, w[b : b + 1])[0]
        # Every copy of a row holds the row's mid-rank within the expanded data.
        np.testing.assert_allclose(np.repeat(ranks, w[b].astype(int), axis=0), frame.rank().to_numpy())


def test_pairwise_correlations_are_pandas(survey):
    rng = np.random.default_rng(1)
    holes = survey[DRIVERS + ["nps"]].mask(rng.random((len(survey), 5)) < 0.15)
    got = correlation_matrix(holes.to_numpy(), "pairwise")
    np.testing.assert_allclose(got, holes.corr().to_numpy(), atol=1e-12)
    res = relative_importance(holes, "nps", DRIVERS, missing="pairwise", n_boot=50)
    assert res.missing == "pairwise"
    assert res.n == holes["nps"].notna().sum()
    assert res.method("shapley")["importance"].sum() == pytest.approx(res.r2)


def test_listwise_drops_incomplete_rows_and_says_so(survey):
    holes = survey.copy()
    holes.loc[: len(holes) // 2, "ideas"] = np.nan
    with pytest.warns(DriverWarning, match="listwise deletion kept"):
        res = relative_importance(holes, "nps", DRIVERS, n_boot=0)
    assert res.n == holes[DRIVERS + ["nps"]].dropna().shape[0]
    assert "listwise" in res.summary()


def test_small_n_and_collinearity_warn(survey):
    with pytest.warns(DriverWarning, match="small sample"):
        res = relative_importance(survey.head(30), "nps", DRIVERS, n_boot=0)
    assert any("small sample" in w for w in res.warnings)
    twin = survey.assign(speed_again=survey["speed"] + np.random.default_rng(0).normal(0, 0.05, len(survey)))
    with pytest.warns(DriverWarning, match="collinear drivers: speed"):
        res = relative_importance(twin, "nps", DRIVERS + ["speed_again"], n_boot=0)
    assert res.method("ols").set_index("driver").loc["speed_again", "vif"] > 5
    # Shapley splits what the twins share about evenly.
    shap = res.method("shapley").set_index("driver")["importance"]
    assert shap["speed"] == pytest.approx(shap["speed_again"], rel=0.15)


def test_bad_input_gets_clear_errors(survey):
    with pytest.raises(ValueError, match="at least 6 are needed"):
        relative_importance(survey.head(5), "nps", DRIVERS)
    with pytest.raises(ValueError, match="no variation in \\['price'\\]"):
        relative_importance(survey.assign(price=3.0), "nps", DRIVERS)
    with pytest.raises(ValueError, match="unknown method"):
        relative_importance(survey, "nps", DRIVERS, method="magic")
    with pytest.raises(ValueError, match="listed twice"):
        relative_importance(survey, "nps", DRIVERS + ["speed"])
    with pytest.raises(KeyError, match="columns not in data"):
        relative_importance(survey, "nps", DRIVERS + ["nope"])
    with pytest.raises(ValueError, match="also listed as a driver"):
        relative_importance(survey, "nps", DRIVERS + ["nps"])


def test_order_of_drivers_does_not_change_the_results(survey):
    a = relative_importance(survey, "nps", DRIVERS, method="shapley", n_boot=0).method("shapley")
    b = relative_importance(survey, "nps", DRIVERS[::-1], method="shapley", n_boot=0).method("shapley")
    pd.testing.assert_frame_equal(
        a.set_index("driver")[["importance", "rank"]], b.set_index("driver").loc[a["driver"], ["importance", "rank"]]
    )


def test_summary_names_methods_n_and_interval(survey):
    text = relative_importance(survey, "nps", DRIVERS, n_boot=100, cluster="client_id").summary()
    for part in (
        "Shapley decomposition of R² (LMG)",
        "Johnson's relative weights",
        "Pratt",
        f"n = {len(survey)}",
        "percentile bootstrap, 100 resamples",
    ):
        assert part in text
    assert relative_importance(survey, "nps", DRIVERS, n_boot=0).dominance.shape == (4, 4)


def test_pairwise_needs_every_pair_answered_together(survey):
    # Services a client does not buy are not rated: "speed" and "ideas" never by the same people.
    holes = survey.copy()
    half = np.arange(len(holes)) < len(holes) // 2
    holes.loc[half, "speed"] = np.nan
    holes.loc[~half, "ideas"] = np.nan
    with pytest.raises(ValueError, match="undefined for speed & ideas \\(n = 0\\)"):
        relative_importance(holes, "nps", DRIVERS, missing="pairwise", n_boot=0)
    thin = survey.copy()
    thin.loc[6:, "price"] = np.nan
    with pytest.warns(DriverWarning, match="answered together by fewer than 10"):
        relative_importance(thin, "nps", DRIVERS, missing="pairwise", n_boot=0)


def test_service_ratings_by_direction_as_drivers(demo_ws):
    from cxlab.drivers import driver_frame
    from cxlab.summary import SurveyData

    data = SurveyData.from_workspace(demo_ws)
    frame, items = driver_frame(data, "2026-Q3", kind="direction")
    assert set(items) <= set(data.services["direction"])
    # One respondent's direction value is the mean of their ratings of that direction's services.
    answers = data.answers[data.answers["kind"] == "service"]
    rid = frame.dropna(subset=["digital"])["response_id"].iloc[0]
    mine = answers[
        (answers["response_id"] == rid)
        & answers["item"].isin(data.services.loc[data.services["direction"] == "digital", "service_id"])
    ]
    assert frame.set_index("response_id").loc[rid, "digital"] == pytest.approx(mine["value"].mean())
    with pytest.raises(ValueError, match="kind must be"):
        driver_frame(data, "2026-Q3", kind="mood")
