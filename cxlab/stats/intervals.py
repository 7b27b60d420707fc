"""Confidence intervals shared by the analysis layers: a share (Wilson) and a mean (Student t).

Every layer that reports a share or a mean with an interval uses these, so
the same data give the same interval in the metrics, the comment themes,
the needs map, the fieldwork funnel and the risk backtests.  The quantiles
and the check of the confidence level are here too.

scipy and statsmodels are imported inside the functions that need them, so
that importing :mod:`cxlab.stats` (the metric registry included) stays quick.

Examples
--------
>>> low, high = wilson(81, 263, 0.95)
>>> round(low, 4), round(high, 4)
(0.2553, 0.3662)
>>> mean, se, low, high, n = t_mean(np.array([5.0, 4.0, 4.0, 3.0, 5.0]), 0.95)
>>> round(mean, 2), round(low, 2), round(high, 2), n
(4.2, 3.16, 5.24, 5)
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from cxlab.errors import ParameterError

__all__ = ["check_confidence", "level_text", "z_critical", "t_critical", "wilson", "t_mean"]


def check_confidence(confidence: float) -> float:
    """``confidence`` as a float, refused unless strictly between 0 and 1.

    Examples
    --------
    >>> check_confidence(0.9)
    0.9
    """
    confidence = float(confidence)
    if not 0.0 < confidence < 1.0:
        raise ParameterError(
            f"confidence must be strictly between 0 and 1, got {confidence}", parameter="confidence", value=confidence
        )
    return confidence


def level_text(confidence: float) -> str:
    """A confidence level as tables and charts print it.

    Examples
    --------
    >>> level_text(0.95), level_text(0.975), level_text(0.9)
    ('95%', '97.5%', '90%')
    """
    return f"{100 * confidence:g}%"


def z_critical(confidence: float) -> float:
    """Two-sided normal quantile for a ``confidence`` interval.

    Examples
    --------
    >>> round(z_critical(0.95), 4)
    1.96
    """
    from scipy import stats

    return float(stats.norm.ppf(0.5 + check_confidence(confidence) / 2.0))


def t_critical(confidence: float, df: float) -> float:
    """Two-sided Student t quantile (nan when df < 1).

    Examples
    --------
    >>> round(t_critical(0.95, 4), 4)
    2.7764
    """
    if not df >= 1:  # also catches nan
        return math.nan
    from scipy import stats

    return float(stats.t.ppf(0.5 + check_confidence(confidence) / 2.0, df))


def t_mean(values: npt.NDArray[np.float64], confidence: float) -> tuple[float, float, float, float, int]:
    """Mean, SE, and Student t interval (df = n - 1) of non-missing ``values``.

    Returns ``(mean, se, ci_low, ci_high, n)``; SE = sd / sqrt(n) with the
    n - 1 sd.  No values give nan and n = 0; one value gives its mean and nan
    for the rest.

    Examples
    --------
    >>> t_mean(np.array([2.0, np.nan, 4.0]), 0.95)[:2]
    (3.0, 1.0)
    """
    v = values[~np.isnan(values)]
    n = int(v.size)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan, 0
    mean = float(v.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan, n
    se = float(v.std(ddof=1) / math.sqrt(n))
    half = t_critical(confidence, n - 1) * se
    return mean, se, mean - half, mean + half, n


def wilson(successes: float, n: float, confidence: float) -> tuple[float, float]:
    """Wilson score interval of ``successes`` out of ``n`` (nan, nan when n = 0).

    Counts may be fractional: effective counts, after a design effect.

    Examples
    --------
    >>> wilson(0, 10, 0.95)[0]
    0.0
    >>> wilson(0, 0, 0.95)
    (nan, nan)
    """
    if n == 0:
        return math.nan, math.nan
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    return float(low), float(high)
