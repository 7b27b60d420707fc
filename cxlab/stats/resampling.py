"""Bootstrap resamples as row weights, with whole clients drawn when the data are clustered.

A resample is the data with each row weighted by how often it was drawn.
B2B data are clustered (several contacts per client), so with clusters whole
clients are drawn and a client's contacts travel together.  The key-driver
importances, the importance-performance matrix, the needs map, the churn
model and its backtest all resample this way.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> w = resample_weights(5, ["a", "a", "b", "c", "c"], 3, rng)
>>> w.shape
(3, 5)
>>> bool((w[:, 0] == w[:, 1]).all())
True
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["resample_weights"]


def resample_weights(
    n: int, clusters: npt.ArrayLike | None, n_boot: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """Bootstrap resamples as row weights: how often each row is drawn, shape ``(n_boot, n)``.

    Without clusters, rows are drawn with replacement (multinomial counts);
    with clusters, whole clusters are drawn and every row of a cluster gets
    the cluster's count, so a client's contacts always travel together.

    Examples
    --------
    >>> resample_weights(4, None, 2, np.random.default_rng(1)).sum(axis=1).tolist()
    [4.0, 4.0]
    """
    if clusters is None:
        return rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)
    codes, uniques = pd.factorize(pd.Series(clusters), use_na_sentinel=False)
    k = len(uniques)
    counts = rng.multinomial(k, np.full(k, 1.0 / k), size=n_boot).astype(float)
    return counts[:, codes]
