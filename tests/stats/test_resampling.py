"""Bootstrap row weights: rows or whole clients drawn with replacement, reproducibly."""

import numpy as np
import pandas as pd

from cxlab.stats.resampling import resample_weights

CLIENTS = ["a", "a", "a", "b", "c", "c", "d", "e"]


def test_rows_drawn_with_replacement_sum_to_n():
    w = resample_weights(7, None, 500, np.random.default_rng(0))
    assert w.shape == (500, 7)
    assert (w.sum(axis=1) == 7).all()
    assert (w == np.round(w)).all()
    assert (w >= 0).all()
    # Some rows are drawn twice or more and some not at all: it is a bootstrap, not a permutation.
    assert (w == 0).any()
    assert (w >= 2).any()
    # Each row is drawn once per resample on average.
    assert abs(w.mean() - 1) < 0.05


def test_whole_clusters_are_drawn():
    w = resample_weights(len(CLIENTS), CLIENTS, 400, np.random.default_rng(1))
    assert w.shape == (400, len(CLIENTS))
    codes, uniques = pd.factorize(pd.Series(CLIENTS))
    for c in range(len(uniques)):
        rows = w[:, codes == c]
        # Every contact of a client carries the client's count.
        assert (rows == rows[:, :1]).all()
    # The clients' counts sum to the number of clients in every resample.
    per_client = np.stack([w[:, np.flatnonzero(codes == c)[0]] for c in range(len(uniques))], axis=1)
    assert (per_client.sum(axis=1) == len(uniques)).all()
    # Rows then sum to the rows of the clients drawn, not to n.
    assert len(set(w.sum(axis=1))) > 1


def test_a_missing_cluster_is_a_cluster_of_its_own():
    w = resample_weights(4, ["x", None, "x", None], 200, np.random.default_rng(2))
    assert (w[:, 0] == w[:, 2]).all()
    assert (w[:, 1] == w[:, 3]).all()
    assert (w[:, 0] + w[:, 1] == 2).all()


def test_reproducible_with_a_seed():
    first = resample_weights(len(CLIENTS), CLIENTS, 50, np.random.default_rng(42))
    again = resample_weights(len(CLIENTS), CLIENTS, 50, np.random.default_rng(42))
    other = resample_weights(len(CLIENTS), CLIENTS, 50, np.random.default_rng(43))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
