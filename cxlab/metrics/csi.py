"""Customer Satisfaction Index: items rescaled to 0-100 and averaged per respondent."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxlab.errors import DataError, ParameterError, ParameterTypeError
from cxlab.schema import Scale, format_scale, parse_scale
from cxlab.stats.intervals import check_confidence, t_mean

from ._result import Estimate
from ._validate import check_range, is_mapping, to_numeric

__all__ = ["csi_scores", "csi"]

#: The items' scales: one for all (``(1, 5)``, ``"1-5"``) or item -> scale (a dict or a Series).
ItemScales: TypeAlias = "Scale | Mapping[Hashable, Scale] | pd.Series"
#: item -> importance weight (a dict or a Series).
Weights: TypeAlias = "Mapping[Hashable, float] | pd.Series"


def _item_scales(columns: Sequence[Hashable], scales: ItemScales) -> dict[Hashable, tuple[int, int]]:
    if is_mapping(scales):
        missing = [c for c in columns if c not in scales]
        if missing:
            raise ParameterError(f"no scale given for item(s) {missing}", parameter="scales", value=missing)
        return {c: parse_scale(scales[c]) for c in columns}
    one = parse_scale(scales)
    return dict.fromkeys(columns, one)


def _item_weights(columns: Sequence[Hashable], importance: Weights | None) -> npt.NDArray[np.float64]:
    if importance is None:
        return np.ones(len(columns))
    if not is_mapping(importance):
        raise ParameterTypeError(
            "importance must be a dict or Series mapping item -> weight",
            parameter="importance",
            value=type(importance).__name__,
        )
    missing = [c for c in columns if c not in importance]
    if missing:
        raise ParameterError(f"no importance weight given for item(s) {missing}", parameter="importance", value=missing)
    w = np.array([float(importance[c]) for c in columns])
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ParameterError("importance weights must be finite and >= 0", parameter="importance")
    if not np.any(w > 0):
        raise ParameterError("at least one importance weight must be positive", parameter="importance")
    return w


def csi_scores(items: pd.DataFrame, scales: ItemScales, importance: Weights | None = None) -> pd.Series:
    """Per-respondent satisfaction index, 0-100.

    Each item is rescaled to 0-100 as 100*(x - min)/(max - min) on its own
    scale; a respondent's index is the mean over the items they answered
    (missing items are skipped, not counted as zero), weighted by
    ``importance`` when given.  Weights are normalised over the answered items
    only, so a skipped item does not pull the index down.

    Parameters
    ----------
    items : DataFrame
        One row per respondent, one column per item.
    scales : tuple, str, dict or Series
        One scale for all items (``(1, 5)`` or ``"1-5"``) or a mapping
        item -> scale.
    importance : dict or Series, optional
        item -> weight >= 0.  Every item needs a weight.

    Returns
    -------
    pandas.Series
        Named ``"csi"``, same index as ``items``; NaN for respondents who
        answered no item (or only items of weight 0).

    Raises
    ------
    ValueError
        A value outside its item's scale (naming item, index and value), a
        missing scale or weight.

    Examples
    --------
    >>> items = pd.DataFrame({"q1": [5, 1], "q2": [3, None]})
    >>> csi_scores(items, "1-5").tolist()
    [75.0, 0.0]
    """
    if not isinstance(items, pd.DataFrame):
        raise ParameterTypeError(
            "items must be a DataFrame with one column per item", parameter="items", value=type(items).__name__
        )
    columns = list(items.columns)
    if not columns:
        raise DataError("items has no columns", columns=[])
    item_scales = _item_scales(columns, scales)
    weights = _item_weights(columns, importance)
    rescaled = np.empty((len(items), len(columns)))
    for j, col in enumerate(columns):
        num = to_numeric(items[col], name=f"item {col!r}")
        lo, hi = item_scales[col]
        check_range(num, lo, hi, integer=False, name=f"item {col!r}")
        rescaled[:, j] = 100.0 * (num.to_numpy() - lo) / (hi - lo)
    answered = ~np.isnan(rescaled)
    w = np.where(answered, weights, 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(answered, rescaled, 0.0) @ weights / total
    score[total == 0] = np.nan
    return pd.Series(score, index=items.index, name="csi")


def csi(
    items: pd.DataFrame, scales: ItemScales, importance: Weights | None = None, confidence: float = 0.95
) -> Estimate:
    """Customer Satisfaction Index (0-100) with a Student t interval.

    The CSI is the mean over respondents of :func:`csi_scores`; respondents who
    answered no item are left out of ``n``.

    Parameters
    ----------
    items : DataFrame
        One row per respondent, one column per item.
    scales : tuple, str, dict or Series
        Scale of all items or item -> scale.
    importance : dict or Series, optional
        item -> weight >= 0 (normalised over each respondent's answered items).
    confidence : float, default 0.95

    Returns
    -------
    Estimate
        ``metric="csi"``; ``method`` states the formula; interval clipped to
        0-100.  ``extra`` has ``items`` (number of items), ``weighted``,
        ``scales`` and ``no_answer`` (respondents without any answered item).

    Examples
    --------
    >>> items = pd.DataFrame({"q1": [5, 4, 3], "q2": [5, 3, None]})
    >>> round(csi(items, (1, 5)).estimate, 4)
    70.8333
    """
    check_confidence(confidence)
    scores = csi_scores(items, scales, importance)
    mean, se, low, high, n = t_mean(scores.to_numpy(), confidence)
    weighting = "importance weights" if importance is not None else "equal weights"
    item_scales = _item_scales(list(items.columns), scales)
    shown = sorted({format_scale(s) for s in item_scales.values()})
    return Estimate(
        metric="csi",
        estimate=mean,
        ci_low=min(max(low, 0.0), 100.0) if not math.isnan(low) else math.nan,
        ci_high=min(max(high, 0.0), 100.0) if not math.isnan(high) else math.nan,
        se=se,
        n=n,
        confidence=confidence,
        method=(
            "CSI = mean over respondents of \u03a3 w_k\u00b7100\u00b7(x_k \u2212 min_k)/"
            "(max_k \u2212 min_k) / \u03a3 w_k over answered items; "
            f"{weighting}; Student t interval"
        ),
        extra={
            "items": len(items.columns),
            "weighted": importance is not None,
            "scales": ", ".join(shown),
            "no_answer": int(scores.isna().sum()),
        },
    )
