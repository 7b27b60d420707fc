"""Net Promoter Score: the one definition of its arithmetic.

NPS = % promoters (9-10) - % detractors (0-6) on the 0-10 recommend question,
in points from -100 to 100.  :func:`nps_from_counts` is the single place where
counts become an NPS, a standard error and an interval; every other NPS
function (per respondent, per breakdown cell, from a SQL ``GROUP BY``) calls it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from cxlab.errors import DataError, ParameterError
from cxlab.schema import Scale
from cxlab.stats.intervals import check_confidence, z_critical

from ._result import Estimate
from ._validate import NPS_SCALE, NPSScaleError, Values, nps_scores

__all__ = ["NPSScaleError", "NPS_METHODS", "nps_from_counts", "nps", "nps_shares", "classify_nps", "net_score"]

#: Interval methods of :func:`nps_from_counts` and their names in results.
NPS_METHODS = {
    "wald": "NPS, trinomial Wald interval (z)",
    "adjusted-wald": ("NPS, adjusted Wald interval (Rocks 2016: +3/4 promoters, +3/4 detractors, +3 n; z)"),
}

_COUNT_COLUMNS = ["promoters", "passives", "detractors"]


def _counts_array(x: Values, name: str) -> npt.NDArray[np.float64]:
    arr = np.atleast_1d(np.asarray(x, dtype=float))
    if arr.ndim != 1:
        raise ParameterError(
            f"{name} must be a scalar or one-dimensional, got shape {arr.shape}", parameter=name, value=arr.shape
        )
    return arr


def nps_from_counts(
    promoters: Values, passives: Values, detractors: Values, confidence: float = 0.95, method: str = "wald"
) -> pd.DataFrame:
    """NPS, standard error and interval from counts of promoters, passives and detractors.

    Vectorised: scalars or equal-length arrays/Series in, one row per input
    element out.  This is the only implementation of NPS arithmetic in cxlab.

    Parameters
    ----------
    promoters, passives, detractors : int or array-like of int
        Counts (non-negative whole numbers).  When any of them is a Series its
        index becomes the index of the result.
    confidence : float, default 0.95
        Confidence level of the interval.
    method : {"wald", "adjusted-wald"}, default "wald"
        ``"wald"``: trinomial variance
        Var(NPS) = (p_P + p_D - (p_P - p_D)^2) / n and interval NPS +- z*SE.
        ``"adjusted-wald"`` (Rocks 2016; Sauro & Lewis): add 3/4 to promoters
        and to detractors (so 1.5 to passives) and 3 to n, then compute the
        centre and the variance from these adjusted proportions.  The reported
        ``nps`` stays the raw NPS; ``se``, ``ci_low`` and ``ci_high`` are the
        adjusted ones, so the interval is not centred on ``nps``.

    Returns
    -------
    pandas.DataFrame
        Columns ``n, promoters, passives, detractors, pct_promoters,
        pct_passives, pct_detractors, nps, se, ci_low, ci_high, method``.
        Shares are proportions 0-1; ``nps``, ``se`` and the interval are in
        points (-100..100); the interval is clipped to [-100, 100].  Rows with
        n == 0 have NaN shares and estimates.

    Examples
    --------
    >>> r = nps_from_counts(4, 3, 3)
    >>> float(r.loc[0, "nps"]), round(float(r.loc[0, "se"]), 3)
    (10.0, 26.268)
    """
    if method not in NPS_METHODS:
        raise ParameterError(
            f"method must be one of {sorted(NPS_METHODS)}, got {method!r}", parameter="method", value=method
        )
    z = z_critical(confidence)
    index = next((x.index for x in (promoters, passives, detractors) if isinstance(x, pd.Series)), None)
    P, A, D = np.broadcast_arrays(
        _counts_array(promoters, "promoters"),
        _counts_array(passives, "passives"),
        _counts_array(detractors, "detractors"),
    )
    stacked = np.stack([P, A, D])
    if not np.all(np.isfinite(stacked)) or np.any(stacked < 0) or np.any(stacked != np.round(stacked)):
        raise DataError("counts must be non-negative whole numbers (no missing values)")
    n = P + A + D
    empty = n == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        pP, pA, pD = P / n, A / n, D / n
        # From counts, not shares: 100*(0.4 - 0.3) is 10.000000000000004.
        nps = 100.0 * (P - D) / n
        if method == "wald":
            centre = nps
            var = (pP + pD - (pP - pD) ** 2) / n
        else:
            # Adjusted counts only move the interval; the point estimate stays raw.
            n_adj = n + 3.0
            qP, qD = (P + 0.75) / n_adj, (D + 0.75) / n_adj
            centre = 100.0 * (P - D) / n_adj
            var = (qP + qD - (qP - qD) ** 2) / n_adj
        # Rounding can leave -1e-17 for a one-category sample; its variance is 0.
        se = 100.0 * np.sqrt(np.maximum(var, 0.0))
    centre = np.where(empty, np.nan, centre)
    se = np.where(empty, np.nan, se)
    out = pd.DataFrame(
        {
            "n": n.astype(np.int64),
            "promoters": P.astype(np.int64),
            "passives": A.astype(np.int64),
            "detractors": D.astype(np.int64),
            "pct_promoters": pP,
            "pct_passives": pA,
            "pct_detractors": pD,
            "nps": nps,
            "se": se,
            "ci_low": np.clip(centre - z * se, -100.0, 100.0),
            "ci_high": np.clip(centre + z * se, -100.0, 100.0),
        }
    )
    out["method"] = NPS_METHODS[method]
    if index is not None and len(index) == len(out):
        out.index = index
    return out


def _count_categories(values: npt.NDArray[np.float64]) -> tuple[int, int, int]:
    v = values[~np.isnan(values)]
    return int((v >= 9).sum()), int(((v >= 7) & (v < 9)).sum()), int((v < 7).sum())


def nps(scores: Values, *, scale: Scale = NPS_SCALE, confidence: float = 0.95, method: str = "wald") -> Estimate:
    """Net Promoter Score of 0-10 answers, with its interval.

    Parameters
    ----------
    scores : Series or array-like
        Answers to the recommend question, whole numbers 0-10; missing values
        are dropped.
    scale : tuple or str, default (0, 10)
        Scale the question was asked on.  Anything but 0-10 is refused with
        :class:`NPSScaleError`: NPS is never rescaled.
    confidence : float, default 0.95
    method : {"wald", "adjusted-wald"}
        Interval method, see :func:`nps_from_counts`.

    Returns
    -------
    Estimate
        ``metric="nps"``; ``extra`` holds ``promoters, passives, detractors,
        pct_promoters, pct_passives, pct_detractors`` (shares 0-1).

    Raises
    ------
    NPSScaleError
        The scale is not 0-10.
    ValueError
        A value is outside 0..10 or not a whole number (the message names its
        index label, position and value).

    Examples
    --------
    >>> e = nps([10, 9, 9, 10, 7, 8, 7, 3, 6, 0])
    >>> e.estimate, e.n
    (10.0, 10)
    """
    values = nps_scores(scores, scale).to_numpy()
    P, A, D = _count_categories(values)
    row = nps_from_counts(P, A, D, confidence=confidence, method=method).iloc[0]
    return Estimate(
        metric="nps",
        estimate=row["nps"],
        ci_low=row["ci_low"],
        ci_high=row["ci_high"],
        se=row["se"],
        n=row["n"],
        method=row["method"],
        confidence=confidence,
        extra={
            "promoters": P,
            "passives": A,
            "detractors": D,
            "pct_promoters": row["pct_promoters"],
            "pct_passives": row["pct_passives"],
            "pct_detractors": row["pct_detractors"],
        },
    )


def nps_shares(scores: Values, confidence: float = 0.95, *, scale: Scale = NPS_SCALE) -> pd.DataFrame:
    """Shares of promoters, passives and detractors with Wilson intervals.

    Parameters
    ----------
    scores : Series or array-like
        0-10 answers (missing dropped).
    confidence : float, default 0.95
    scale : tuple or str, default (0, 10)
        Anything but 0-10 is refused.

    Returns
    -------
    pandas.DataFrame
        One row per category (``promoters, passives, detractors``); columns
        ``category, count, n, share, ci_low, ci_high, method`` (shares 0-1).

    Examples
    --------
    >>> nps_shares([10, 9, 8, 3])["share"].tolist()
    [0.5, 0.25, 0.25]
    """
    check_confidence(confidence)
    values = nps_scores(scores, scale).to_numpy()
    counts = np.array(_count_categories(values))
    n = int(counts.sum())
    if n > 0:
        low, high = proportion_confint(counts, n, alpha=1 - confidence, method="wilson")
        share = counts / n
    else:
        low = high = share = np.full(3, np.nan)
    return pd.DataFrame(
        {
            "category": _COUNT_COLUMNS,
            "count": counts.astype(np.int64),
            "n": n,
            "share": share,
            "ci_low": low,
            "ci_high": high,
            "method": "Wilson score interval",
        }
    )


def classify_nps(scores: Values) -> pd.Series:
    """Label 0-10 answers ``"promoter"`` (9-10), ``"passive"`` (7-8) or ``"detractor"`` (0-6).

    Missing answers stay missing; the index is kept.

    Examples
    --------
    >>> classify_nps([10, 7, 2]).tolist()
    ['promoter', 'passive', 'detractor']
    """
    num = nps_scores(scores)
    v = num.to_numpy()
    # numpy's stubs do not allow default=None (an object array), which numpy accepts.
    labels = np.select(  # type: ignore[call-overload]
        [v >= 9, v >= 7, v >= 0], ["promoter", "passive", "detractor"], default=None
    ).astype(object)
    labels[np.isnan(v)] = np.nan
    return pd.Series(labels, index=num.index, name="nps_category")


def net_score(scores: Values) -> pd.Series:
    """Net score per answer: +100 promoter, 0 passive, -100 detractor (NaN if missing).

    The mean of net scores is the NPS, which is what clustered and paired
    methods average.

    Examples
    --------
    >>> net_score([10, 7, 2]).tolist()
    [100.0, 0.0, -100.0]
    """
    num = nps_scores(scores)
    v = num.to_numpy()
    with np.errstate(invalid="ignore"):
        net = np.where(v >= 9, 100.0, np.where(v >= 7, 0.0, -100.0))
    net[np.isnan(v)] = np.nan
    return pd.Series(net, index=num.index, name="net_score")
