"""Relative importances over bootstrap resamples given as row weights.

A resample is the data with each row weighted by how often it was drawn
(:func:`cxlab.stats.resampling.resample_weights`; with clusters, whole
clients are drawn, so a client's contacts travel together).  Resamples of
different lengths then stack into one array, and
:func:`bootstrap_importances` computes the importances of every method over
the stack in memory-bounded batches.
"""

from __future__ import annotations

import numpy as np

from cxlab.drivers.importance_methods import (
    _nearest_correlation,
    _point_names,
    _r2,
    _solve,
    correlation_matrix,
    johnson_weights,
)
from cxlab.drivers.subsets import all_subsets_r2, shapley_values

__all__ = ["weighted_ranks", "bootstrap_importances"]


def weighted_ranks(values: np.ndarray, weights) -> np.ndarray:
    """Mid-ranks of each column within each weighted resample, shape ``(B, n, k)``.

    A row drawn ``w`` times occupies ``w`` consecutive places; tied values
    share the mean of their places (as :func:`scipy.stats.rankdata`).  NaN
    stays NaN.
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    out = np.full((w.shape[0],) + x.shape, np.nan)
    for j in range(x.shape[1]):
        ok = ~np.isnan(x[:, j])
        uniq, inv = np.unique(x[ok, j], return_inverse=True)
        counts = np.zeros((w.shape[0], len(uniq)))
        np.add.at(counts.T, inv, w[:, ok].T)
        below = np.cumsum(counts, axis=1) - counts
        mid = below + (counts + 1) / 2
        out[:, ok, j] = mid[:, inv]
    return out


def bootstrap_importances(values, weights, methods, missing, chunk_cells: int = 4_000_000) -> dict[str, np.ndarray]:
    """Importances over bootstrap resamples, computed in batches.

    Each resample is the data with rows weighted by how often they were
    drawn (:func:`cxlab.stats.resampling.resample_weights`), so resamples of whole clients, of
    different lengths, stack into one array; all-subsets R² is vectorised over the stack, whose size is
    capped so that memory stays bounded for many drivers.
    """
    n, k = values.shape
    p = k - 1
    n_boot = len(weights)
    out = {m: np.empty((n_boot, p)) for m in _point_names(methods)}
    out["_r2"] = np.empty(n_boot)
    per_batch = max(1, chunk_cells // (2**p * 4 + n * k))
    from tqdm.auto import tqdm

    # Seconds of work (15+ drivers with a thousand resamples) show progress.
    long = n_boot * 2**p * (4 if "shapley" in methods else 0) > 2**27
    for start in tqdm(
        range(0, n_boot, per_batch), desc="bootstrap resamples", unit="batch", disable=not long, leave=False
    ):
        batch = slice(start, min(start + per_batch, n_boot))
        w = weights[batch]
        corr = correlation_matrix(values, missing, w)
        if missing == "pairwise":
            corr = np.stack([_nearest_correlation(c, []) if np.isfinite(c).all() else c for c in corr])
        good = np.isfinite(corr).all(axis=(-2, -1))
        corr = np.where(good[:, None, None], corr, np.eye(k))
        r2_all = all_subsets_r2(corr) if "shapley" in methods else None
        out["_r2"][batch] = r2_all[:, -1] if r2_all is not None else _r2(corr)
        if "shapley" in methods:
            out["shapley"][batch] = shapley_values(r2_all)
        if "johnson" in methods:
            out["johnson"][batch] = johnson_weights(corr)
        if "ols" in methods:
            beta = _solve(corr[:, :-1, :-1], corr[:, :-1, -1])
            out["ols"][batch] = beta * corr[:, :-1, -1]
        if "correlation" in methods:
            out["pearson"][batch] = corr[:, :-1, -1] ** 2
            rho = correlation_matrix(weighted_ranks(values, w), missing, w)[:, :-1, -1]
            out["spearman"][batch] = rho**2
        for key in out:
            mask = good[:, None] if out[key].ndim == 2 else good
            out[key][batch] = np.where(mask, out[key][batch], np.nan)
    return out
