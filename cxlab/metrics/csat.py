"""CSAT: mean rating and top-box share on a rating scale (usually 1-5)."""

from __future__ import annotations

import math

import numpy as np

from cxlab.errors import ParameterError
from cxlab.schema import Scale, format_scale
from cxlab.stats.intervals import check_confidence, t_mean, wilson

from ._result import Estimate
from ._validate import Values, rating_scores

__all__ = ["csat_mean", "top2box"]


def csat_mean(scores: Values, scale: Scale = (1, 5), confidence: float = 0.95) -> Estimate:
    """Mean rating with a Student t interval.

    Parameters
    ----------
    scores : Series or array-like
        Ratings on ``scale``; missing values are dropped.  Fractional values
        inside the scale are accepted (e.g. an average of sub-questions);
        values outside it are refused.
    scale : tuple or str, default (1, 5)
    confidence : float, default 0.95

    Returns
    -------
    Estimate
        ``metric="csat_mean"``; SE = sd / sqrt(n) (sd with n - 1), interval
        mean +- t(n - 1) * SE, clipped to the scale.  ``extra`` has ``scale``
        and ``sd``.

    Raises
    ------
    ValueError
        A value outside the scale (the message names its index and value).

    Examples
    --------
    >>> e = csat_mean([5, 4, 4, 3, 5])
    >>> e.estimate, e.n
    (4.2, 5)
    """
    check_confidence(confidence)
    num, lo, hi = rating_scores(scores, scale, integer=False)
    values = num.to_numpy()
    mean, se, low, high, n = t_mean(values, confidence)
    sd = float(np.nanstd(values, ddof=1)) if n >= 2 else math.nan
    return Estimate(
        metric="csat_mean",
        estimate=mean,
        # A mean cannot leave its scale; clipping only bites for tiny n near an end.
        ci_low=min(max(low, lo), hi) if not math.isnan(low) else math.nan,
        ci_high=min(max(high, lo), hi) if not math.isnan(high) else math.nan,
        se=se,
        n=n,
        confidence=confidence,
        method=f"Mean rating ({format_scale((lo, hi))}), Student t interval (df = n - 1)",
        extra={"scale": format_scale((lo, hi)), "sd": sd},
    )


def top_values(lo: int, hi: int, boxes: int) -> tuple[int, int]:
    if not isinstance(boxes, (int, np.integer)) or not 1 <= boxes < hi - lo + 1:
        raise ParameterError(
            f"boxes must be a whole number from 1 to {hi - lo} on a {lo}-{hi} scale, got {boxes!r}",
            parameter="boxes",
            value=boxes,
        )
    return hi - boxes + 1, hi


def top2box(scores: Values, scale: Scale = (1, 5), boxes: int = 2, confidence: float = 0.95) -> Estimate:
    """Share of answers in the top ``boxes`` values of the scale, with a Wilson interval.

    Parameters
    ----------
    scores : Series or array-like
        Whole-number ratings on ``scale``; missing values are dropped.
    scale : tuple or str, default (1, 5)
        1-5 with ``boxes=2`` counts 4 and 5; 0-10 counts 9 and 10.
    boxes : int, default 2
        How many top values count as a success.
    confidence : float, default 0.95

    Returns
    -------
    Estimate
        ``metric="top2box"`` (``"top3box"`` for 3 boxes...), share as a
        proportion 0-1, Wilson score interval; ``se`` is the binomial
        sqrt(p(1 - p)/n).  ``extra`` has ``successes, scale, boxes, top_values``.

    Examples
    --------
    >>> top2box([5, 4, 3, 2, 5]).estimate
    0.6
    """
    check_confidence(confidence)
    num, lo, hi = rating_scores(scores, scale, integer=True)
    first, last = top_values(lo, hi, boxes)
    v = num.dropna().to_numpy()
    n = int(v.size)
    k = int((v >= first).sum())
    p = k / n if n else math.nan
    se = math.sqrt(p * (1 - p) / n) if n else math.nan
    low, high = wilson(k, n, confidence)
    tops = f"{first}-{last}" if boxes > 1 else f"{last}"
    return Estimate(
        metric=f"top{boxes}box",
        estimate=p,
        ci_low=low,
        ci_high=high,
        se=se,
        n=n,
        confidence=confidence,
        method=f"Top-{boxes}-box share ({tops} on {lo}-{hi}), Wilson score interval",
        extra={"successes": k, "scale": format_scale((lo, hi)), "boxes": int(boxes), "top_values": tops},
    )
