"""R² of every subset of predictors, from a correlation matrix, and what follows from it.

The Shapley decomposition of R² (LMG; Lindeman, Merenda and Gold 1980;
Grömping 2007) and dominance analysis (Budescu 1993; Azen and Budescu 2003)
both need the R² of the regression of the outcome on each of the ``2**p``
subsets of ``p`` predictors.  Fitting ``2**p`` regressions is what makes the
usual tools slow.  Here the subsets are built one predictor at a time, and
adding a predictor to a subset is a single sweep (Schur complement) of the
residual correlation matrix of the predictors not yet decided:

    gain  = c_jy^2 / c_jj          (R² added by predictor j)
    C'    = C - c_j c_j' / c_jj    (what is left, given j)

Only the undecided predictors are carried, so the matrices shrink as the
subsets grow and the whole enumeration costs about ``6 * 2**p`` multiply-adds,
vectorised over subsets (and over bootstrap replicates) with numpy.

Examples
--------
>>> import numpy as np
>>> corr = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])  # x0, x1, y
>>> r2 = all_subsets_r2(corr)
>>> np.round(r2, 4)   # {}, {x0}, {x1}, {x0, x1}
array([0.    , 0.25  , 0.16  , 0.3187])
>>> np.round(shapley_values(r2), 4)
array([0.2043, 0.1143])
"""

from __future__ import annotations

import math

import numpy as np

from cxlab.errors import ParameterError

__all__ = ["all_subsets_r2", "shapley_values", "conditional_dominance", "popcount"]

#: A residual variance below this (on the correlation scale) means the
#: predictor is a linear combination of those already in: it adds nothing.
COLLINEAR_TOL = 1e-10


def popcount(p: int) -> np.ndarray:
    """Number of predictors in each subset ``0 .. 2**p - 1`` (bit j = predictor j)."""
    sizes = np.zeros(1, dtype=np.int64)
    for _ in range(p):
        sizes = np.concatenate([sizes, sizes + 1])
    return sizes


def all_subsets_r2(corr) -> np.ndarray:
    """R² of the outcome on every subset of predictors.

    Parameters
    ----------
    corr : array, shape (..., p + 1, p + 1)
        Correlation (or covariance) matrix of the ``p`` predictors followed by
        the outcome (last row and column).  Leading axes are batches, e.g.
        bootstrap replicates.

    Returns
    -------
    ndarray, shape (..., 2**p)
        ``r2[..., s]`` is the R² of the subset whose bit ``j`` is set when
        predictor ``j`` is in (``r2[..., 0] = 0``).
    """
    corr = np.asarray(corr, dtype=float)
    if corr.ndim < 2 or corr.shape[-1] != corr.shape[-2] or corr.shape[-1] < 2:
        raise ParameterError(
            f"corr must be square with the outcome last, got shape {corr.shape}", parameter="corr", value=corr.shape
        )
    batch = corr.shape[:-2]
    m = corr.shape[-1]
    p = m - 1
    # Work on the correlation scale whatever was passed, so that the
    # collinearity tolerance means the same thing for every input.
    sd = np.sqrt(np.diagonal(corr, axis1=-2, axis2=-1))
    c = corr / sd[..., :, None] / sd[..., None, :]
    c = c.reshape((-1, 1, m, m))  # (batch, subsets, m, m)
    r2 = np.zeros((c.shape[0], 1))
    for _ in range(p):
        pivot = c[:, :, 0, 0]
        row = c[:, :, 0, 1:]
        rest = c[:, :, 1:, 1:]
        ok = pivot > COLLINEAR_TOL
        safe = np.where(ok, pivot, 1.0)
        scaled = np.where(ok[..., None], row / safe[..., None], 0.0)
        added = rest - scaled[..., :, None] * row[..., None, :]
        gain = scaled[..., -1] * row[..., -1]
        # Subsets without the predictor keep their index, subsets with it
        # take index + 2**d: bit d of the index is the predictor decided now.
        c = np.concatenate([rest, added], axis=1)
        r2 = np.concatenate([r2, r2 + gain], axis=1)
    return r2.reshape(batch + (2**p,))


def _weights(p: int) -> np.ndarray:
    # Shapley weight of a subset of size k not containing j: k! (p-k-1)! / p!
    # (the full set, size p, never lacks a predictor: weight 0).
    return np.array([1.0 / (p * math.comb(p - 1, k)) for k in range(p)] + [0.0])


def shapley_values(r2) -> np.ndarray:
    """Shapley decomposition (LMG) of the full R² from all-subsets R².

    ``phi_j = sum over subsets S without j of k!(p-k-1)!/p! * (R²(S+j) - R²(S))``;
    the values sum to the full model's R².

    Parameters
    ----------
    r2 : array, shape (..., 2**p)
        From :func:`all_subsets_r2`.

    Returns
    -------
    ndarray, shape (..., p)
    """
    r2 = np.asarray(r2, dtype=float)
    p = round(math.log2(r2.shape[-1]))
    if 2**p != r2.shape[-1]:
        raise ParameterError(
            f"r2 must have 2**p entries on its last axis, got {r2.shape[-1]}", parameter="r2", value=r2.shape
        )
    weight = _weights(p)[popcount(p)]
    out = np.empty(r2.shape[:-1] + (p,))
    for j in range(p):
        block = r2.reshape(r2.shape[:-1] + (2 ** (p - j - 1), 2, 2**j))
        gain = block[..., :, 1, :] - block[..., :, 0, :]
        w = weight.reshape(2 ** (p - j - 1), 2, 2**j)[:, 0, :]
        out[..., j] = (gain * w).sum(axis=(-2, -1))
    return out


def conditional_dominance(r2) -> np.ndarray:
    """Mean R² a predictor adds to subsets of each size (dominance analysis).

    Returns
    -------
    ndarray, shape (p, p)
        ``[j, k]``: mean gain of predictor ``j`` over the subsets of ``k``
        other predictors.  Row means are the general dominance weights, which
        equal the Shapley values.
    """
    r2 = np.asarray(r2, dtype=float)
    p = round(math.log2(r2.shape[-1]))
    sizes = popcount(p)
    out = np.empty((p, p))
    for j in range(p):
        block = r2.reshape(2 ** (p - j - 1), 2, 2**j)
        gain = (block[:, 1, :] - block[:, 0, :]).ravel()
        size = sizes.reshape(2 ** (p - j - 1), 2, 2**j)[:, 0, :].ravel()
        out[j] = (np.bincount(size, weights=gain, minlength=p) / np.bincount(size, minlength=p))[:p]
    return out
