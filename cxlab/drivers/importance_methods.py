"""Relative importance methods and the matrix algebra under them.

The methods work from the correlation matrix of the drivers with the outcome
last, or from a stack of such matrices (one per bootstrap resample), so that
point estimates and bootstrap replicates share one code path:

- :func:`correlation_matrix`: Pearson correlations, listwise or pairwise,
  optionally with row weights (a resample);
- :func:`shapley_importance`: Shapley decomposition of R² (LMG), exact over
  all subsets (:mod:`cxlab.drivers.subsets`);
- :func:`johnson_weights`: Johnson's relative weights;
- standardised OLS (Pratt's beta·r), R², VIF, ranks, the nearest correlation
  matrix of a pairwise one, and the estimates behind the importances
  (p-values, standard errors) that :func:`cxlab.drivers.relative_importance`
  puts in its table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlab.drivers.subsets import all_subsets_r2, shapley_values

__all__ = ["correlation_matrix", "shapley_importance", "johnson_weights"]


# --------------------------------------------------------------------------- core computations
def correlation_matrix(values: np.ndarray, missing: str = "listwise", weights=None) -> np.ndarray:
    """Pearson correlation matrix of the columns of ``values``.

    ``missing="pairwise"`` uses, for each pair, the rows where both are
    present (as :meth:`pandas.DataFrame.corr`); ``"listwise"`` expects rows
    without NaN.  ``weights`` of shape ``(B, n)`` give ``B`` matrices at once,
    each with rows counted by their weight: a bootstrap resample is the data
    with each row weighted by how often it was drawn.  ``values`` may then
    also be ``(B, n, k)``: one data set per weight vector.
    """
    x = np.asarray(values, dtype=float)
    w = np.ones((1, x.shape[0])) if weights is None else np.asarray(weights, dtype=float)
    present = ~np.isnan(x)
    x0 = np.where(present, x, 0.0)
    if missing == "listwise":
        total = w.sum(axis=1)
        wx = w[:, :, None] * x0  # (B, n, k)
        mean = wx.sum(axis=1) / total[:, None]
        cross = (np.swapaxes(wx, 1, 2) @ x0) / total[:, None, None]
        cov = cross - mean[:, :, None] * mean[:, None, :]
        sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
        with np.errstate(invalid="ignore", divide="ignore"):
            out = cov / sd[..., :, None] / sd[..., None, :]
    else:
        p = present.astype(float)
        wx = w[:, :, None] * x0  # (B, n, k)
        wp = w[:, :, None] * p
        both = np.swapaxes(wp, 1, 2) @ p  # weight where both present
        sum_i = np.swapaxes(wx, 1, 2) @ p  # sum of i where j present
        sq_i = np.swapaxes(wx * x0, 1, 2) @ p
        cross = np.swapaxes(wx, 1, 2) @ x0
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_i = sum_i / both
            mean_j = np.swapaxes(mean_i, -1, -2)
            cov = cross / both - mean_i * mean_j
            var_i = sq_i / both - mean_i**2
            var_j = np.swapaxes(var_i, -1, -2)
            out = cov / np.sqrt(var_i * var_j)
    return out[0] if weights is None else out


def shapley_importance(corr) -> np.ndarray:
    """Shapley (LMG) importances from correlation matrices with the outcome last.

    Examples
    --------
    >>> corr = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    >>> np.round(shapley_importance(corr), 4)
    array([0.2043, 0.1143])
    """
    return shapley_values(all_subsets_r2(corr))


def johnson_weights(corr) -> np.ndarray:
    """Johnson's relative weights from correlation matrices with the outcome last.

    ``R_xx = V diag(l) V'``, ``Lambda = V diag(sqrt l) V'`` (the correlations
    of the drivers with their orthogonal counterparts Z),
    ``beta = Lambda^-1 r_xy`` (the outcome regressed on Z) and
    ``eps_j = sum_k Lambda_jk^2 beta_k^2``; the weights sum to R².

    Examples
    --------
    >>> corr = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    >>> np.round(johnson_weights(corr), 4)   # with two drivers, the same split as Shapley
    array([0.2043, 0.1143])
    """
    corr = np.asarray(corr, dtype=float)
    rxx, rxy = corr[..., :-1, :-1], corr[..., :-1, -1]
    evals, evecs = np.linalg.eigh(rxx)
    evals = np.clip(evals, 0.0, None)
    root = np.sqrt(evals)
    lam = (evecs * root[..., None, :]) @ np.swapaxes(evecs, -1, -2)
    # Lambda^-1 through the same eigenvectors; a zero eigenvalue (perfectly
    # collinear drivers) contributes nothing rather than dividing by zero.
    inv_root = np.where(root > 1e-8, 1.0 / np.where(root > 1e-8, root, 1.0), 0.0)
    proj = np.einsum("...kj,...k->...j", evecs, rxy)
    beta = np.einsum("...jk,...k->...j", evecs, inv_root * proj)
    return np.einsum("...jk,...k->...j", lam**2, beta**2)


def _ranks(importance: np.ndarray) -> np.ndarray:
    """Rank 1 = most important, along the last axis (ties share the better rank; NaN rows stay NaN)."""
    order = -importance
    ranks = ((order[..., :, None] > order[..., None, :]).sum(axis=-1) + 1).astype(float)
    return np.where(np.isnan(importance).any(axis=-1, keepdims=True), np.nan, ranks)


def _solve(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Standardised OLS coefficients R_xx^+ r_xy (pseudo-inverse: exactly collinear drivers share)."""
    return (np.linalg.pinv(rxx, hermitian=True) @ rxy[..., None])[..., 0]


def _vif(rxx: np.ndarray) -> np.ndarray:
    """Variance inflation factors 1 / (1 - R²_j) from the drivers' correlation matrix.

    R²_j regresses driver j on the others (pseudo-inverse, so an exact
    linear combination gives an infinite VIF rather than an error).  The
    same figures as statsmodels' ``variance_inflation_factor`` on the data
    (checked in the tests), but also defined for a pairwise matrix.
    """
    p = rxx.shape[0]
    out = np.empty(p)
    for j in range(p):
        others = np.arange(p) != j
        r = rxx[others, j]
        r2 = float(r @ np.linalg.pinv(rxx[np.ix_(others, others)], hermitian=True) @ r)
        out[j] = np.inf if 1 - r2 < 1e-10 else 1 / (1 - r2)
    return out


def _nearest_correlation(corr: np.ndarray, note: list) -> np.ndarray:
    # A pairwise matrix need not be positive semi-definite; regressions on it
    # would then report R² above 1.  Its negative eigenvalues are clipped and
    # the diagonal restored (statsmodels' corr_clipped, a fast approximation
    # of Higham's nearest correlation matrix), and the result says so.
    if np.linalg.eigvalsh(corr).min() >= -1e-10:
        return corr
    from statsmodels.stats.correlation_tools import corr_clipped

    note.append(
        "the pairwise correlation matrix was not positive semi-definite; its negative eigenvalues "
        "were clipped (nearest correlation matrix, statsmodels corr_clipped)"
    )
    return corr_clipped(corr, threshold=1e-8)


def _r2(corr: np.ndarray) -> np.ndarray:
    rxx, rxy = corr[..., :-1, :-1], corr[..., :-1, -1]
    beta = _solve(rxx, rxy)
    return (beta * rxy).sum(axis=-1)


def _spearman(values: np.ndarray, missing: str) -> np.ndarray:
    ranked = pd.DataFrame(values).rank().to_numpy()
    return correlation_matrix(ranked, missing)


def _point_estimates(values, corr, methods, missing, subsets=None) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if "shapley" in methods:
        out["shapley"] = shapley_values(subsets) if subsets is not None else shapley_importance(corr)
    if "johnson" in methods:
        out["johnson"] = johnson_weights(corr)
    if "ols" in methods:
        rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
        beta = _solve(rxx, rxy)
        out["ols"] = beta * rxy
    if "correlation" in methods:
        out["pearson"] = corr[:-1, -1] ** 2
        out["spearman"] = _spearman(values, missing)[:-1, -1] ** 2
    return out


def _point_names(methods) -> list[str]:
    names = [m for m in methods if m != "correlation"]
    if "correlation" in methods:
        names += ["pearson", "spearman"]
    return names


def _method_details(values, corr, drivers, methods, missing, clusters, vif, confidence) -> pd.DataFrame:
    """Estimates behind the importances: r and ρ with p-values, OLS betas with SE and p, VIF."""
    from scipy import stats

    parts = []
    p = len(drivers)
    if "correlation" in methods:
        x = pd.DataFrame(values)
        for name, kind in (("pearson", "pearson"), ("spearman", "spearman")):
            est, pv = [], []
            for j in range(p):
                pair = x[[j, p]].dropna()
                fn = stats.pearsonr if kind == "pearson" else stats.spearmanr
                res = fn(pair[j], pair[p])
                est.append(float(res[0]))
                pv.append(float(res[1]))
            parts.append(pd.DataFrame({"method": name, "driver": drivers, "estimate": est, "p_value": pv}))
    if "ols" in methods:
        if missing == "listwise":
            import statsmodels.api as sm

            z = (values - values.mean(axis=0)) / values.std(axis=0, ddof=1)
            model = sm.OLS(z[:, -1], sm.add_constant(z[:, :-1]))
            fit = (
                model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(clusters)[0]})
                if clusters is not None
                else model.fit()
            )
            parts.append(
                pd.DataFrame(
                    {
                        "method": "ols",
                        "driver": drivers,
                        "estimate": fit.params[1:],
                        "se": fit.bse[1:],
                        "p_value": fit.pvalues[1:],
                        "vif": vif,
                    }
                )
            )
        else:
            beta = _solve(corr[:-1, :-1], corr[:-1, -1])
            parts.append(pd.DataFrame({"method": "ols", "driver": drivers, "estimate": beta, "vif": vif}))
    for m in ("shapley", "johnson"):
        if m in methods:
            parts.append(pd.DataFrame({"method": m, "driver": drivers, "vif": vif}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
