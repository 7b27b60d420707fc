"""All-subsets R² and the Shapley (LMG) decomposition against brute force with statsmodels."""

import itertools
import math

import numpy as np
import pytest
import statsmodels.api as sm

from cxlab.drivers.subsets import all_subsets_r2, conditional_dominance, popcount, shapley_values


def _data(p=5, n=400, seed=0, collinear=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[:, 1] += 0.7 * X[:, 0]  # correlated drivers, so the split is not trivial
    if collinear:
        X[:, 2] = X[:, 0] + X[:, 1]
    y = X @ np.linspace(0.8, 0.1, p) + rng.normal(size=n)
    return X, y


def _ols_r2(X, y, cols):
    if not cols:
        return 0.0
    return sm.OLS(y, sm.add_constant(X[:, cols])).fit().rsquared


def test_every_subset_r2_equals_a_statsmodels_fit():
    X, y = _data(p=4)
    r2 = all_subsets_r2(np.corrcoef(np.column_stack([X, y]), rowvar=False))
    for mask in range(2**4):
        cols = [j for j in range(4) if mask >> j & 1]
        assert r2[mask] == pytest.approx(_ols_r2(X, y, cols), abs=1e-10)


def test_shapley_equals_the_average_over_orders_of_entry():
    # The definition of LMG: each driver's R² gain averaged over all p! orders.
    X, y = _data(p=5)
    p = 5
    brute = np.zeros(p)
    cache = {}
    for order in itertools.permutations(range(p)):
        inside = []
        for j in order:
            before = cache.setdefault(tuple(sorted(inside)), _ols_r2(X, y, sorted(inside)))
            inside.append(j)
            after = cache.setdefault(tuple(sorted(inside)), _ols_r2(X, y, sorted(inside)))
            brute[j] += after - before
    brute /= math.factorial(p)
    phi = shapley_values(all_subsets_r2(np.corrcoef(np.column_stack([X, y]), rowvar=False)))
    np.testing.assert_allclose(phi, brute, atol=1e-10)
    assert phi.sum() == pytest.approx(_ols_r2(X, y, list(range(p))), abs=1e-10)


def test_two_drivers_match_the_closed_form():
    # LMG with two predictors: phi_1 = (r1² + R² - r2²) / 2.
    r1, r2_, r12 = 0.5, 0.4, 0.3
    full = (r1**2 + r2_**2 - 2 * r1 * r2_ * r12) / (1 - r12**2)
    corr = np.array([[1, r12, r1], [r12, 1, r2_], [r1, r2_, 1.0]])
    phi = shapley_values(all_subsets_r2(corr))
    assert phi[0] == pytest.approx((r1**2 + full - r2_**2) / 2)
    assert phi[1] == pytest.approx((r2_**2 + full - r1**2) / 2)


def test_invariant_to_the_order_of_drivers():
    X, y = _data(p=6, seed=3)
    corr = np.corrcoef(np.column_stack([X, y]), rowvar=False)
    phi = shapley_values(all_subsets_r2(corr))
    perm = np.array([4, 2, 5, 0, 3, 1])
    corr_perm = corr[np.r_[perm, 6]][:, np.r_[perm, 6]]
    np.testing.assert_allclose(shapley_values(all_subsets_r2(corr_perm)), phi[perm], atol=1e-12)


def test_covariance_input_gives_the_same_as_correlation():
    X, y = _data(p=3)
    data = np.column_stack([X * [1, 10, 100], y])
    np.testing.assert_allclose(
        all_subsets_r2(np.cov(data, rowvar=False)), all_subsets_r2(np.corrcoef(data, rowvar=False)), atol=1e-12
    )


def test_a_driver_that_is_a_sum_of_others_adds_nothing_and_breaks_nothing():
    X, y = _data(p=4, collinear=True)
    corr = np.corrcoef(np.column_stack([X, y]), rowvar=False)
    r2 = all_subsets_r2(corr)
    assert np.isfinite(r2).all() and r2.max() <= 1 + 1e-9
    phi = shapley_values(r2)
    assert phi.sum() == pytest.approx(_ols_r2(X, y, [0, 1, 3]), abs=1e-8)


def test_batches_equal_one_at_a_time():
    mats = [
        np.corrcoef(np.column_stack(_data(p=4, seed=s)[0:1] + (_data(p=4, seed=s)[1],)), rowvar=False) for s in range(3)
    ]
    stacked = all_subsets_r2(np.stack(mats))
    for k, m in enumerate(mats):
        np.testing.assert_allclose(stacked[k], all_subsets_r2(m), atol=1e-12)


def test_conditional_dominance_means_are_the_shapley_values():
    X, y = _data(p=5, seed=5)
    r2 = all_subsets_r2(np.corrcoef(np.column_stack([X, y]), rowvar=False))
    cd = conditional_dominance(r2)
    # Size 0: the driver alone, i.e. its squared correlation with the outcome.
    np.testing.assert_allclose(cd[:, 0], np.corrcoef(np.column_stack([X, y]), rowvar=False)[:-1, -1] ** 2)
    np.testing.assert_allclose(cd.mean(axis=1), shapley_values(r2), atol=1e-12)


def test_popcount():
    assert popcount(3).tolist() == [0, 1, 1, 2, 1, 2, 2, 3]


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="square"):
        all_subsets_r2(np.ones((2, 3)))
    with pytest.raises(ValueError, match="2\\*\\*p"):
        shapley_values(np.ones(6))


def test_doctests_of_the_drivers_package_pass():
    import doctest
    import importlib

    for name in ("subsets", "importance", "ipa", "penalty", "waves"):
        module = importlib.import_module(f"cxlab.drivers.{name}")
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, name
