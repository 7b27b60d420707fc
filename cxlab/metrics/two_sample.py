"""Change of one figure between two waves (after - before): NPS, means and proportions.

Independent samples are the default (two waves ask partly different people);
``paired=True`` compares the same contacts, matched on their id.  The
per-cell changes of a breakdown, with multiplicity-adjusted p-values, are in
:mod:`cxlab.metrics.change`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

from cxlab.errors import DataError, NotFoundError, ParameterError, ParameterTypeError
from cxlab.schema import Scale
from cxlab.stats.intervals import check_confidence, t_critical, z_critical

from ._result import Change
from ._validate import Values, nps_scores, rating_scores, show, to_numeric
from .breakdown import COUNT_COLUMNS
from .csat import top_values
from .nps import _count_categories, nps_from_counts

__all__ = [
    "nps_change",
    "nps_change_from_counts",
    "independent_change",
    "mean_change",
    "proportion_change",
    "top2box_change",
]

NPS_CHANGE_METHOD = (
    "NPS change (after - before), independent samples: trinomial Wald variances, z-test, normal interval"
)
NPS_PAIRED_METHOD = (
    "NPS change (after - before), paired contacts: mean of per-contact "
    "net-score differences, paired t-test, Student t interval (df = pairs - 1)"
)

#: Counts of one wave: a ``(promoters, passives, detractors)`` triple, or a frame or dict with those columns.
Counts: TypeAlias = "pd.DataFrame | Mapping[str, Values] | Sequence[Values]"


# --------------------------------------------------------------------------- NPS


def _triplet(counts: Counts, name: str) -> list[Any]:
    if isinstance(counts, (pd.DataFrame, Mapping)):
        missing = [c for c in COUNT_COLUMNS if c not in counts]
        if missing:
            raise NotFoundError(f"{name} lacks column(s) {missing}", kind="column", key=missing)
        return [counts[c] for c in COUNT_COLUMNS]
    if isinstance(counts, (tuple, list)) and len(counts) == 3:
        return list(counts)
    raise ParameterTypeError(
        f"{name} must be a (promoters, passives, detractors) triple or a frame with those columns",
        parameter=name,
        value=type(counts).__name__,
    )


def nps_change_from_counts(counts_before: Counts, counts_after: Counts, confidence: float = 0.95) -> pd.DataFrame:
    """Vectorised NPS change between independent samples, from counts.

    Parameters
    ----------
    counts_before, counts_after
        Either a ``(promoters, passives, detractors)`` triple of scalars or
        equal-length arrays, or a DataFrame/dict with columns ``promoters``,
        ``passives``, ``detractors``.
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns ``n_before, n_after, before, after, change, se, ci_low,
        ci_high, statistic, p_value, method``.  change = after - before in
        points; SE = sqrt(SE_before^2 + SE_after^2) with trinomial variances;
        z-test and normal interval (clipped to [-200, 200]).  The test is NaN
        when SE is 0 (each wave a single category) or a wave is empty.

    Examples
    --------
    >>> r = nps_change_from_counts((40, 30, 30), (50, 30, 20))
    >>> float(r.loc[0, "change"])
    20.0
    """
    promoters, passives, detractors = _triplet(counts_before, "counts_before")
    b = nps_from_counts(promoters, passives, detractors, confidence=confidence)
    promoters, passives, detractors = _triplet(counts_after, "counts_after")
    a = nps_from_counts(promoters, passives, detractors, confidence=confidence)
    if len(a) != len(b):
        raise ParameterError("counts_before and counts_after differ in length", parameter="counts_after")
    diff = independent_change(b["nps"], b["se"], a["nps"], a["se"], confidence=confidence, bounds=(-200.0, 200.0))
    out = pd.DataFrame(
        {
            "n_before": b["n"].to_numpy(),
            "n_after": a["n"].to_numpy(),
            "before": b["nps"].to_numpy(),
            "after": a["nps"].to_numpy(),
        },
        index=a.index,
    )
    for col in ("change", "se", "ci_low", "ci_high", "statistic", "p_value"):
        out[col] = diff[col].to_numpy()
    out["method"] = NPS_CHANGE_METHOD
    return out


def independent_change(
    before: npt.ArrayLike,
    se_before: npt.ArrayLike,
    after: npt.ArrayLike,
    se_after: npt.ArrayLike,
    confidence: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Difference of two independent estimates: after - before, z-test and normal interval.

    Vectorised over cells.  SE = sqrt(SE_before^2 + SE_after^2); the test is
    NaN where that SE is 0 or missing.

    Parameters
    ----------
    before, se_before, after, se_after : array-like
        Estimates and their standard errors (any variance estimator: trinomial,
        cluster-robust, ...).
    bounds : (low, high), optional
        Range the interval is clipped to (±200 for an NPS change).

    Returns
    -------
    pandas.DataFrame
        Columns ``change, se, ci_low, ci_high, statistic, p_value``.

    Examples
    --------
    >>> float(independent_change([10.0], [3.0], [20.0], [4.0])["se"][0])
    5.0
    """
    z = z_critical(confidence)
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    se = np.sqrt(np.asarray(se_before, dtype=float) ** 2 + np.asarray(se_after, dtype=float) ** 2)
    change = after - before
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = np.where(se > 0, change / se, np.nan)
    low, high = change - z * se, change + z * se
    if bounds is not None:
        low, high = np.clip(low, *bounds), np.clip(high, *bounds)
    return pd.DataFrame(
        {
            "change": change,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "statistic": statistic,
            "p_value": 2.0 * stats.norm.sf(np.abs(statistic)),
        }
    )


def _paired(before: pd.Series, after: pd.Series, name: str = "scores") -> pd.DataFrame:
    """Inner join of two Series on their index (contact id); missing pairs dropped."""
    for side, s in (("before", before), ("after", after)):
        if not isinstance(s, pd.Series):
            raise ParameterTypeError(
                f"paired: {side} must be a Series indexed by contact id", parameter=side, value=type(s).__name__
            )
        if not s.index.is_unique:
            dup = s.index[s.index.duplicated()][0]
            raise DataError(f"paired: contact id {show(dup)} appears twice in {side}")
    joined = pd.concat([before.rename("before"), after.rename("after")], axis=1, join="inner")
    return joined.dropna()


def _t_change(d: npt.NDArray[np.float64], confidence: float) -> tuple[float, float, float, float, float, float]:
    """Mean, SE, t interval and one-sample t-test of differences ``d``."""
    n = d.size
    if n == 0:
        return (math.nan,) * 6
    mean = float(d.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan, math.nan, math.nan
    se = float(d.std(ddof=1) / math.sqrt(n))
    if se == 0:
        # Every contact moved by the same amount: no variance, no test.
        return mean, 0.0, mean, mean, math.nan, math.nan
    res = stats.ttest_1samp(d, 0.0)
    half = t_critical(confidence, n - 1) * se
    return mean, se, mean - half, mean + half, float(res.statistic), float(res.pvalue)


def nps_change(before: Values, after: Values, paired: bool = False, confidence: float = 0.95) -> Change:
    """Change in NPS between two waves (after - before), in points.

    Parameters
    ----------
    before, after : Series or array-like
        0-10 answers of each wave.  With ``paired=True`` both must be Series
        indexed by contact id; they are inner-joined on the index and
        contacts missing either answer are dropped.
    paired : bool, default False
        False: independent samples, difference of NPS with
        SE = sqrt(SE_b^2 + SE_a^2) (trinomial variances), z-test, normal
        interval.  True: per contact d = net(after) - net(before) (net scores
        +100/0/-100); estimate mean(d), SE = sd(d)/sqrt(n), paired t-test and
        Student t interval with n - 1 df.
    confidence : float, default 0.95

    Returns
    -------
    Change
        ``extra`` has ``before`` and ``after`` (the two NPS; for paired, of the
        matched contacts), and ``se_before``/``se_after`` (independent) or
        ``pairs``, ``unmatched_before``, ``unmatched_after`` (paired).

    Examples
    --------
    >>> c = nps_change([10, 9, 6, 7], [10, 10, 9, 7])
    >>> c.estimate
    50.0
    """
    check_confidence(confidence)
    if not paired:
        b = nps_scores(before, name="before").to_numpy()
        a = nps_scores(after, name="after").to_numpy()
        r = nps_change_from_counts(_count_categories(b), _count_categories(a), confidence=confidence).iloc[0]
        sb = nps_from_counts(*_count_categories(b)).loc[0, "se"]
        sa = nps_from_counts(*_count_categories(a)).loc[0, "se"]
        return Change(
            metric="nps",
            estimate=r["change"],
            ci_low=r["ci_low"],
            ci_high=r["ci_high"],
            se=r["se"],
            n_before=r["n_before"],
            n_after=r["n_after"],
            statistic=r["statistic"],
            p_value=r["p_value"],
            method=r["method"],
            confidence=confidence,
            paired=False,
            extra={"before": r["before"], "after": r["after"], "se_before": sb, "se_after": sa},
        )
    if not isinstance(before, pd.Series) or not isinstance(after, pd.Series):
        raise ParameterTypeError("paired: before and after must be Series indexed by contact id", parameter="before")
    nb = nps_scores(before, name="before")
    na = nps_scores(after, name="after")
    joined = _paired(nb, na)
    net = joined.apply(lambda col: np.where(col >= 9, 100.0, np.where(col >= 7, 0.0, -100.0)))
    d = (net["after"] - net["before"]).to_numpy()
    mean, se, low, high, statistic, p = _t_change(d, confidence)
    n = int(d.size)
    return Change(
        metric="nps",
        estimate=mean,
        ci_low=np.clip(low, -200, 200),
        ci_high=np.clip(high, -200, 200),
        se=se,
        n_before=n,
        n_after=n,
        statistic=statistic,
        p_value=p,
        method=NPS_PAIRED_METHOD,
        confidence=confidence,
        paired=True,
        extra={
            "pairs": n,
            "before": float(net["before"].mean()) if n else math.nan,
            "after": float(net["after"].mean()) if n else math.nan,
            "unmatched_before": int(nb.notna().sum()) - n,
            "unmatched_after": int(na.notna().sum()) - n,
        },
    )


# --------------------------------------------------------------------------- means


def mean_change(
    before: Values, after: Values, paired: bool = False, confidence: float = 0.95, *, scale: Scale | None = None
) -> Change:
    """Change in a mean (after - before) with Welch's or the paired t-test.

    Parameters
    ----------
    before, after : Series or array-like
        Values of each wave (missing dropped).  With ``paired=True``, Series
        indexed by contact id, inner-joined on the index.
    paired : bool, default False
        False: Welch t-test (``scipy.stats.ttest_ind(equal_var=False)``) and a
        t interval with Welch-Satterthwaite df.  True: paired t-test
        (``scipy.stats.ttest_1samp`` on the differences) and t interval with pairs - 1 df.
    confidence : float, default 0.95
    scale : tuple or str, optional
        When given, values outside it are refused.

    Returns
    -------
    Change
        ``metric="mean"``; ``extra`` has ``before``, ``after`` (the means),
        and ``df`` (plus ``pairs`` when paired).

    Examples
    --------
    >>> round(mean_change([3, 4, 5], [4, 5, 5, 4]).estimate, 4)
    0.5
    """
    check_confidence(confidence)

    def clean(x: Values, name: str) -> pd.Series:
        if scale is None:
            return to_numeric(x, name)
        return rating_scores(x, scale, integer=False, name=name)[0]

    if paired:
        if not isinstance(before, pd.Series) or not isinstance(after, pd.Series):
            raise ParameterTypeError(
                "paired: before and after must be Series indexed by contact id", parameter="before"
            )
        joined = _paired(clean(before, "before"), clean(after, "after"))
        a, b = joined["after"].to_numpy(), joined["before"].to_numpy()
        d = a - b
        # ttest_1samp on the differences is ttest_rel(a, b), without recomputing d.
        mean, se, low, high, statistic, p = _t_change(d, confidence)
        n = int(d.size)
        return Change(
            metric="mean",
            estimate=mean,
            ci_low=low,
            ci_high=high,
            se=se,
            n_before=n,
            n_after=n,
            statistic=statistic,
            p_value=p,
            confidence=confidence,
            paired=True,
            method=(
                "Difference of means (after - before), paired contacts: paired t-test, "
                "Student t interval (df = pairs - 1)"
            ),
            extra={
                "before": float(b.mean()) if n else math.nan,
                "after": float(a.mean()) if n else math.nan,
                "df": n - 1 if n >= 2 else math.nan,
                "pairs": n,
            },
        )
    b = clean(before, "before").dropna().to_numpy()
    a = clean(after, "after").dropna().to_numpy()
    nb, na = int(b.size), int(a.size)
    mb = float(b.mean()) if nb else math.nan
    ma = float(a.mean()) if na else math.nan
    diff = ma - mb
    se = statistic = p = df = low = high = math.nan
    if nb >= 2 and na >= 2:
        vb, va = b.var(ddof=1) / nb, a.var(ddof=1) / na
        se = float(math.sqrt(va + vb))
        if se > 0:
            res = stats.ttest_ind(a, b, equal_var=False)
            statistic, p = float(res.statistic), float(res.pvalue)
            df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
            half = t_critical(confidence, df) * se
            low, high = diff - half, diff + half
        else:
            low = high = diff
    return Change(
        metric="mean",
        estimate=diff,
        ci_low=low,
        ci_high=high,
        se=se,
        n_before=nb,
        n_after=na,
        statistic=statistic,
        p_value=p,
        confidence=confidence,
        paired=False,
        method=(
            "Difference of means (after - before), independent samples: Welch t-test, "
            "t interval with Welch-Satterthwaite df"
        ),
        extra={"before": mb, "after": ma, "df": df},
    )


# --------------------------------------------------------------------------- proportions


def _count(x: float, name: str) -> int:
    if not float(x).is_integer() or x < 0:
        raise ParameterError(f"{name} must be a whole number >= 0, got {x!r}", parameter=name, value=x)
    return int(x)


def proportion_change(
    before_successes: int, before_n: int, after_successes: int, after_n: int, confidence: float = 0.95
) -> Change:
    """Change in a proportion between independent samples (after - before).

    Takes counts, so it serves any yes/no figure (top-box, response rate,
    churn); :func:`top2box_change` builds the counts from ratings.

    Parameters
    ----------
    before_successes, before_n, after_successes, after_n : int
        Successes and trials of each wave.
    confidence : float, default 0.95

    Returns
    -------
    Change
        ``metric="proportion"``, difference as a proportion (-1..1); Newcomb
        hybrid score interval (``confint_proportions_2indep(method="newcomb")``)
        and score test (``test_proportions_2indep(method="score")``).  ``se``
        is the unpooled binomial SE, for information.  ``extra`` has
        ``before``, ``after`` (the proportions) and the success counts.  The
        test is NaN when it is not defined (an empty wave, or all answers in
        one category in both waves).

    Examples
    --------
    >>> c = proportion_change(20, 50, 30, 50)
    >>> round(c.estimate, 2)
    0.2
    """
    check_confidence(confidence)
    kb, nb = _count(before_successes, "before_successes"), _count(before_n, "before_n")
    ka, na = _count(after_successes, "after_successes"), _count(after_n, "after_n")
    if kb > nb or ka > na:
        side = "before_successes" if kb > nb else "after_successes"
        raise ParameterError("successes cannot exceed trials", parameter=side)
    pb = kb / nb if nb else math.nan
    pa = ka / na if na else math.nan
    diff = pa - pb
    se = low = high = statistic = p = math.nan
    if nb and na:
        se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            # statsmodels also computes ratio and odds ratio, which divide by zero at 0 or 1.
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = confint_proportions_2indep(
                ka, na, kb, nb, method="newcomb", compare="diff", alpha=1 - confidence
            )
            res = test_proportions_2indep(ka, na, kb, nb, method="score", compare="diff", return_results=True)
        statistic, p = float(res.statistic), float(res.pvalue)
    return Change(
        metric="proportion",
        estimate=diff,
        ci_low=low,
        ci_high=high,
        se=se,
        n_before=nb,
        n_after=na,
        statistic=statistic,
        p_value=p,
        confidence=confidence,
        paired=False,
        method=("Difference of proportions (after - before): Newcomb hybrid score interval, score test"),
        extra={"before": pb, "after": pa, "successes_before": kb, "successes_after": ka},
    )


def top2box_change(
    before: Values, after: Values, scale: Scale = (1, 5), boxes: int = 2, confidence: float = 0.95
) -> Change:
    """Change in the top-box share between independent samples.

    Parameters
    ----------
    before, after : Series or array-like
        Whole-number ratings on ``scale`` (missing dropped).
    scale : tuple or str, default (1, 5)
    boxes : int, default 2
        Top values counted as a success (see :func:`top2box`).
    confidence : float, default 0.95

    Returns
    -------
    Change
        As :func:`proportion_change`, with ``metric="top2box"`` (or
        ``"top3box"``...).

    Examples
    --------
    >>> top2box_change([5, 4, 2, 1], [5, 4, 4, 1]).estimate
    0.25
    """
    b, lo, hi = rating_scores(before, scale, integer=True, name="before")
    a, _, _ = rating_scores(after, scale, integer=True, name="after")
    first, last = top_values(lo, hi, boxes)
    b, a = b.dropna().to_numpy(), a.dropna().to_numpy()
    c = proportion_change(int((b >= first).sum()), b.size, int((a >= first).sum()), a.size, confidence=confidence)
    tops = f"{first}-{last}" if boxes > 1 else f"{last}"
    return Change(
        **{
            **c.to_dict(),
            "metric": f"top{boxes}box",
            "method": f"Top-{boxes}-box share ({tops} on {lo}-{hi}): " + c.method,
        }
    )
