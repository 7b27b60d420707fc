"""Metrics per cell of one or more grouping columns, with small cells suppressed.

NPS cells never loop over groups in Python: the respondents are turned into
promoter/passive/detractor counts per cell with one ``groupby`` and handed to
:func:`nps_breakdown_from_counts`, which is also what a SQL ``GROUP BY``
feeds.  Both paths therefore give identical figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias, cast

import numpy as np
import pandas as pd

from cxlab.errors import NotFoundError, ParameterError, ParameterTypeError
from cxlab.schema import Scale
from cxlab.stats.intervals import check_confidence

from ._result import Estimate
from ._validate import nps_scores, require_nps_scale
from .clustered import nps_account, nps_clustered
from .csat import csat_mean, top2box
from .csi import ItemScales, csi
from .nps import nps_from_counts

__all__ = ["breakdown", "nps_breakdown_from_counts", "BREAKDOWN_METRICS"]

#: Cell columns: one name, several, or None (one overall row).
By: TypeAlias = "str | Sequence[str] | None"

#: Metrics :func:`breakdown` knows.
BREAKDOWN_METRICS = ("nps", "nps_clustered", "nps_account", "csat_mean", "top2box", "csi")

BASE_COLUMNS = ["n", "estimate", "ci_low", "ci_high", "se", "method", "suppressed"]
NPS_SHARE_COLUMNS = ["pct_promoters", "pct_passives", "pct_detractors"]
COUNT_COLUMNS = ["promoters", "passives", "detractors"]

# Figures blanked in a suppressed cell (n stays visible).
_MASKED = ["estimate", "ci_low", "ci_high", "se", *NPS_SHARE_COLUMNS, "design_effect"]


def by_list(by: By, *frames: pd.DataFrame) -> list[str]:
    """``by`` as a list of column names, checked against ``frames``."""
    cols: list[str]
    if by is None:
        cols = []
    elif isinstance(by, str):
        cols = [by]
    else:
        cols = list(by)
    for frame in frames:
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise NotFoundError(f"grouping column(s) {missing} not in the data", kind="column", key=missing)
    return cols


def check_min_n(min_n: float | None) -> int:
    if min_n is None:
        return 0
    if isinstance(min_n, bool) or not float(min_n).is_integer() or min_n < 0:
        raise ParameterError(f"min_n must be a whole number >= 0, got {min_n!r}", parameter="min_n", value=min_n)
    return int(min_n)


def suppress(out: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Mark cells with n < min_n and blank their figures."""
    out["suppressed"] = (out["n"] < min_n).to_numpy(dtype=bool)
    masked = [c for c in _MASKED if c in out.columns]
    if masked:
        out.loc[out["suppressed"], masked] = np.nan
    return out


def nps_indicator_frame(data: pd.DataFrame, by: list[str], value: str, scale: Scale | None = None) -> pd.DataFrame:
    """``by`` columns plus 0/1 promoter/passive/detractor columns, one row per response."""
    if value not in data.columns:
        raise NotFoundError(f"score column {value!r} not in the data", kind="column", key=value)
    if scale is not None:
        require_nps_scale(scale)
    v = nps_scores(data[value], name=f"column {value!r}").to_numpy()
    out = data[by].copy() if by else pd.DataFrame(index=data.index)
    # NaN compares False everywhere, so a missing answer counts in no category.
    out["promoters"] = (v >= 9).astype(np.int64)
    out["passives"] = ((v >= 7) & (v < 9)).astype(np.int64)
    out["detractors"] = (v < 7).astype(np.int64)
    return out


def sum_counts(counts: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    """Sum ``columns`` per cell of ``by`` (one row in total when ``by`` is empty)."""
    if by:
        # dropna=False: a missing segment is a cell of its own, not lost data.
        return counts.groupby(by, dropna=False, sort=True, observed=True)[columns].sum().reset_index()
    return pd.DataFrame({c: [counts[c].sum()] for c in columns})


def nps_breakdown_from_counts(
    counts: pd.DataFrame, by: By, min_n: float | None = 10, confidence: float = 0.95, method: str = "wald"
) -> pd.DataFrame:
    """NPS breakdown from promoter/passive/detractor counts per cell.

    This is what a SQL ``GROUP BY`` returns; :func:`breakdown` with
    ``metric="nps"`` goes through here too.  Rows sharing the same ``by``
    values are summed first, so finer counts can be rolled up.

    Parameters
    ----------
    counts : DataFrame
        The ``by`` columns plus ``promoters``, ``passives``, ``detractors``.
    by : str, list of str or None
        Cell columns; ``None`` or ``[]`` gives one overall row.
    min_n : int, default 10
        Cells with fewer answers are kept with ``suppressed=True`` and NaN
        figures (n is shown).
    confidence : float, default 0.95
    method : {"wald", "adjusted-wald"}
        See :func:`nps_from_counts`.

    Returns
    -------
    pandas.DataFrame
        Columns: the ``by`` columns, then ``n, estimate, ci_low, ci_high, se,
        method, suppressed, pct_promoters, pct_passives, pct_detractors``.

    Examples
    --------
    >>> counts = pd.DataFrame({"team": ["A", "B"], "promoters": [8, 2],
    ...                        "passives": [4, 1], "detractors": [3, 1]})
    >>> nps_breakdown_from_counts(counts, "team")[["team", "n", "estimate", "suppressed"]]
      team   n   estimate  suppressed
    0    A  15  33.333333       False
    1    B   4        NaN        True
    """
    check_confidence(confidence)
    min_n = check_min_n(min_n)
    by = by_list(by, counts)
    missing = [c for c in COUNT_COLUMNS if c not in counts.columns]
    if missing:
        raise NotFoundError(f"count column(s) {missing} not in the counts", kind="column", key=missing)
    agg = sum_counts(counts, by, COUNT_COLUMNS)
    promoters, passives, detractors = (agg[c].to_numpy(dtype=float, na_value=np.nan) for c in COUNT_COLUMNS)
    res = nps_from_counts(promoters, passives, detractors, confidence=confidence, method=method)
    out = agg[by].reset_index(drop=True) if by else pd.DataFrame(index=range(len(agg)))
    out["n"] = res["n"].to_numpy()
    out["estimate"] = res["nps"].to_numpy()
    for c in ["ci_low", "ci_high", "se", "method"]:
        out[c] = res[c].to_numpy()
    out["suppressed"] = False
    for c in NPS_SHARE_COLUMNS:
        out[c] = res[c].to_numpy()
    return suppress(out, min_n)


def _cells(data: pd.DataFrame, by: list[str]) -> Iterator[tuple[tuple[Any, ...], pd.DataFrame]]:
    if not by:
        yield (), data
        return
    for key, sub in data.groupby(by, dropna=False, sort=True, observed=True):
        yield (key if isinstance(key, tuple) else (key,)), sub


def breakdown(
    data: pd.DataFrame,
    by: By = None,
    metric: str = "nps",
    value: str | Sequence[str] | None = None,
    min_n: float | None = 10,
    confidence: float = 0.95,
    scale: ItemScales | None = None,
    cluster: str | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """A metric per cell of ``by``, with interval, n and small-cell suppression.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    by : str, list of str or None
        Cell columns; ``None`` or ``[]`` gives one overall row.  Missing values
        of a cell column form a cell of their own.
    metric : {"nps", "nps_clustered", "nps_account", "csat_mean", "top2box", "csi"}
    value : str or list of str, optional
        Score column; default ``"nps"`` for NPS metrics and ``"overall"`` for
        ``csat_mean``/``top2box``.  For ``"csi"``, the list of item columns
        (required).
    min_n : int, default 10
        Cells with n below it are kept with ``suppressed=True`` and NaN
        figures.  n is respondents, except for ``nps_account`` where it is
        accounts.
    confidence : float, default 0.95
    scale : tuple, str or dict, optional
        Scale of the score column: refused unless 0-10 for NPS metrics;
        default 1-5 for ``csat_mean``/``top2box``; required for ``"csi"``
        (one scale or item -> scale).
    cluster : str, optional
        Account column for ``nps_clustered``/``nps_account``; default
        ``"client_id"``.
    **kwargs
        Passed on: ``method`` for ``"nps"``, ``boxes`` for ``"top2box"``,
        ``importance`` for ``"csi"``.

    Returns
    -------
    pandas.DataFrame
        One row per cell: the ``by`` columns, then ``n, estimate, ci_low,
        ci_high, se, method, suppressed``; plus ``pct_promoters,
        pct_passives, pct_detractors`` for ``"nps"``, ``clusters,
        design_effect`` for ``"nps_clustered"`` and ``respondents`` for
        ``"nps_account"``.

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["A"] * 12 + ["B"] * 3,
    ...                    "nps": [10, 9, 9, 8, 7, 6, 10, 10, 3, 9, 8, 9, 10, 0, 5]})
    >>> breakdown(df, "team")[["team", "n", "estimate", "suppressed"]]
      team   n   estimate  suppressed
    0    A  12  41.666667       False
    1    B   3        NaN        True
    """
    if metric not in BREAKDOWN_METRICS:
        raise ParameterError(
            f"metric must be one of {BREAKDOWN_METRICS}, got {metric!r}", parameter="metric", value=metric
        )
    check_confidence(confidence)
    min_n = check_min_n(min_n)
    by = by_list(by, data)

    if metric == "nps":
        method = kwargs.pop("method", "wald")
        if kwargs:
            raise ParameterTypeError(
                f"unexpected argument(s) for metric 'nps': {sorted(kwargs)}", parameter=sorted(kwargs)[0]
            )
        # One score column and one scale for every metric but "csi".
        counts = nps_indicator_frame(data, by, cast(str, value or "nps"), cast("Scale | None", scale))
        return nps_breakdown_from_counts(counts, by, min_n=min_n, confidence=confidence, method=method)

    extras: list[str] = []
    if metric in ("nps_clustered", "nps_account"):
        value = value or "nps"
        cluster = cluster or "client_id"
        if scale is not None:
            require_nps_scale(cast("Scale", scale))
        for col in (value, cluster):
            if col not in data.columns:
                raise NotFoundError(f"column {col!r} not in the data", kind="column", key=col)
        nps_scores(data[value], name=f"column {value!r}")  # fail on the whole column, once
        if metric == "nps_clustered":
            extras = ["clusters", "design_effect"]

            def compute(sub: pd.DataFrame) -> Estimate:
                return nps_clustered(sub[value], sub[cluster], confidence=confidence, **kwargs)
        else:
            extras = ["respondents"]

            def compute(sub: pd.DataFrame) -> Estimate:
                return nps_account(sub[value], sub[cluster], confidence=confidence, **kwargs)
    elif metric in ("csat_mean", "top2box"):
        value = value or "overall"
        scale = (1, 5) if scale is None else scale
        if value not in data.columns:
            raise NotFoundError(f"column {value!r} not in the data", kind="column", key=value)
        fn = csat_mean if metric == "csat_mean" else top2box

        def compute(sub: pd.DataFrame) -> Estimate:
            return fn(sub[value], scale=cast("Scale", scale), confidence=confidence, **kwargs)
    else:  # csi
        if value is None or isinstance(value, str):
            raise ParameterError(
                "for metric 'csi', value must be the list of item columns", parameter="value", value=value
            )
        if scale is None:
            raise ParameterError(
                "for metric 'csi', give the items' scale (one scale or item -> scale)", parameter="scale", value=scale
            )
        value = list(value)
        missing = [c for c in value if c not in data.columns]
        if missing:
            raise NotFoundError(f"item column(s) {missing} not in the data", kind="column", key=missing)

        def compute(sub: pd.DataFrame) -> Estimate:
            return csi(sub[value], scale, confidence=confidence, **kwargs)

    rows = []
    for key, sub in _cells(data, by):
        est = compute(sub)
        row = dict(zip(by, key))
        row.update(
            n=est.n,
            estimate=est.estimate,
            ci_low=est.ci_low,
            ci_high=est.ci_high,
            se=est.se,
            method=est.method,
            suppressed=False,
        )
        row.update({k: est.extra.get(k, math.nan) for k in extras})
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*by, *BASE_COLUMNS, *extras])
    out["n"] = out["n"].astype(np.int64)
    return suppress(out, min_n)
