"""Importance-performance analysis (IPA): where to act first.

Each attribute is placed by its *derived* importance (its share of the
explained variance of the outcome, from :func:`relative_importance`) against
its *performance* (mean rating).  The cross-hairs are the mean share (``1/p``)
and the mean performance over the attributes (the data-centred grid of
Bacon 2003), which splits the map into four quadrants (Martilla and James
1977):

=================  ===================  ======================================
quadrant           importance / perf.   reading
=================  ===================  ======================================
``concentrate``    high / low           concentrate here: fix these first
``keep_up``        high / high          keep up the good work
``overkill``       low / high           possible overkill: effort to redeploy
``low_priority``   low / low            low priority
=================  ===================  ======================================

A point near a cross-hair can fall either side by chance, so the quadrant is
bootstrapped with the importances and the performances from the same
resamples (clients as wholes when ``cluster`` is given), the cross-hairs
recomputed each time: ``quadrant_share`` is the share of resamples that put
the attribute in its quadrant, and ``p_<quadrant>`` the share in each.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> X = pd.DataFrame(rng.integers(1, 6, size=(300, 3)).astype(float), columns=["speed", "ideas", "price"])
>>> X["nps"] = 2 * X["speed"] + X["ideas"] + rng.normal(size=300)
>>> ipa = importance_performance(X, "nps", ["speed", "ideas", "price"], n_boot=200)
>>> ipa.table.set_index("driver").loc["speed", "quadrant"] in QUADRANTS
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.drivers.importance import METHOD_NAMES, _complete, _numeric, relative_importance
from cxlab.drivers.resampling import bootstrap_importances
from cxlab.errors import ParameterError
from cxlab.stats.resampling import resample_weights

__all__ = ["importance_performance", "ImportancePerformance", "QUADRANTS", "QUADRANT_LABELS", "quadrant_of"]

QUADRANTS = ("concentrate", "keep_up", "overkill", "low_priority")
QUADRANT_LABELS = {
    "concentrate": {"ru": "Сосредоточиться здесь", "en": "Concentrate here"},
    "keep_up": {"ru": "Сохранять уровень", "en": "Keep up the good work"},
    "overkill": {"ru": "Возможно, избыточно", "en": "Possible overkill"},
    "low_priority": {"ru": "Низкий приоритет", "en": "Low priority"},
}


def quadrant_of(importance, performance, importance_cut, performance_cut) -> np.ndarray:
    """Quadrant names for arrays of importance and performance against the cross-hairs.

    A value exactly on a cross-hair counts as high.

    Examples
    --------
    >>> quadrant_of(np.array([0.3, 0.1]), np.array([3.5, 4.5]), 0.2, 4.0).tolist()
    ['concentrate', 'overkill']
    """
    imp = np.asarray(importance) >= importance_cut
    perf = np.asarray(performance) >= performance_cut
    return np.select([imp & ~perf, imp & perf, ~imp & perf], ["concentrate", "keep_up", "overkill"], "low_priority")


@dataclass
class ImportancePerformance:
    """An importance-performance map.

    Attributes
    ----------
    table : DataFrame
        One row per driver: ``driver, importance (share), importance_ci_low,
        importance_ci_high, performance, performance_ci_low,
        performance_ci_high, n, quadrant, quadrant_share, p_concentrate,
        p_keep_up, p_overkill, p_low_priority``.
    importance_cut, performance_cut : float
        The cross-hairs.
    method : str
        How importance was derived.
    interval : str
    importance : RelativeImportance
        The full importance result behind the map.
    """

    table: pd.DataFrame
    importance_cut: float
    performance_cut: float
    method: str
    interval: str
    importance: object
    outcome: str = ""

    def summary(self) -> str:
        lines = [
            f"Importance-performance map of '{self.outcome}' drivers ({self.method})",
            f"cross-hairs: importance share {self.importance_cut:.3f}, performance {self.performance_cut:.2f}",
            f"intervals and quadrant shares: {self.interval}",
        ]
        for r in self.table.itertuples():
            lines.append(
                f"  {str(r.driver)[:24]:<25}{100 * r.importance:5.1f}%  perf {r.performance:4.2f}  "
                f"{r.quadrant:<13} ({100 * r.quadrant_share:.0f}% of resamples)"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def importance_performance(
    data: pd.DataFrame,
    outcome: str,
    drivers,
    *,
    method: str = "shapley",
    cluster: str | None = None,
    missing: str = "listwise",
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    performance_cut: str | float = "mean",
) -> ImportancePerformance:
    """Importance-performance matrix with bootstrap quadrant shares.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    outcome : str
        Outcome the importance is derived from (``"nps"``, ``"overall"``).
    drivers : list of str
        Rated attributes; performance is their mean rating.
    method : {"shapley", "johnson", "ols", "pearson", "spearman"}
        Importance measure (its share of the total).
    cluster : str, optional
        Column resampled as wholes (``"client_id"``).
    missing : {"listwise", "pairwise"}
    n_boot : int
        Resamples (at least 1: the quadrant shares need them).
    performance_cut : "mean", "median" or float
        Performance cross-hair: the mean (default) or median of the
        attributes' mean ratings, or a fixed value such as a scale midpoint.

    Returns
    -------
    ImportancePerformance
    """
    if n_boot < 1:
        raise ParameterError(
            "n_boot must be at least 1: the quadrant shares come from the bootstrap", parameter="n_boot", value=n_boot
        )
    base_method = "correlation" if method in ("pearson", "spearman") else method
    res = relative_importance(
        data,
        outcome,
        drivers,
        method=base_method,
        missing=missing,
        cluster=cluster,
        n_boot=0,
        confidence=confidence,
        seed=seed,
    )
    drivers = res.drivers
    rows = res.method(method).set_index("driver").reindex(drivers)
    share = rows["share"].to_numpy()
    # Performance is every rater's mean (as in the wave report), not only
    # the rows the regression kept; the importance uses those rows.
    everyone = _numeric(data, outcome, drivers)
    kept = _complete(everyone, missing)
    values, ratings = everyone[kept], everyone[:, :-1]
    rated = ~np.isnan(ratings)
    perf = np.nanmean(ratings, axis=0)
    n = rated.sum(axis=0)

    def cut(perf_values):
        if performance_cut == "mean":
            return np.nanmean(perf_values, axis=-1)
        if performance_cut == "median":
            return np.nanmedian(perf_values, axis=-1)
        return np.full(np.shape(perf_values)[:-1], float(performance_cut))

    if not (performance_cut in ("mean", "median") or isinstance(performance_cut, (int, float))):
        raise ParameterError(
            f"performance_cut must be 'mean', 'median' or a number, not {performance_cut!r}",
            parameter="performance_cut",
            value=performance_cut,
        )
    p = len(drivers)
    imp_cut = 1.0 / p
    perf_cut = float(cut(perf))
    quadrant = quadrant_of(share, perf, imp_cut, perf_cut)

    # One set of resamples of all respondents (clients as wholes): each
    # replicate's importance comes from its rows that the regression uses,
    # its performance from all its raters.
    clusters = data[cluster].to_numpy() if cluster else None
    weights = resample_weights(len(data), clusters, n_boot, np.random.default_rng(seed))
    boot = bootstrap_importances(values, weights[:, kept], [base_method], missing)[method]
    with np.errstate(invalid="ignore", divide="ignore"):
        bshare = boot / boot.sum(axis=1, keepdims=True)
        bperf = (weights @ np.where(rated, ratings, 0.0)) / (weights @ rated)
    valid = np.isfinite(bshare).all(axis=1) & np.isfinite(bperf).all(axis=1)
    bshare, bperf = bshare[valid], bperf[valid]
    bquad = quadrant_of(bshare, bperf, imp_cut, cut(bperf)[:, None])
    lo, hi = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2
    table = pd.DataFrame(
        {
            "driver": drivers,
            "importance": share,
            "importance_ci_low": np.nanpercentile(bshare, lo, axis=0),
            "importance_ci_high": np.nanpercentile(bshare, hi, axis=0),
            "performance": perf,
            "performance_ci_low": np.nanpercentile(bperf, lo, axis=0),
            "performance_ci_high": np.nanpercentile(bperf, hi, axis=0),
            "n": n,
            "quadrant": quadrant,
            "quadrant_share": (bquad == quadrant[None, :]).mean(axis=0),
        }
    )
    for q in QUADRANTS:
        table[f"p_{q}"] = (bquad == q).mean(axis=0)
    table["method"] = f"{METHOD_NAMES[method]}; performance = mean rating"
    order = {q: i for i, q in enumerate(QUADRANTS)}
    table = table.sort_values(
        ["quadrant", "importance"], key=lambda s: s.map(order) if s.name == "quadrant" else -s
    ).reset_index(drop=True)
    unit = f"clients ('{cluster}') as wholes" if cluster else "rows"
    return ImportancePerformance(
        table=table,
        importance_cut=imp_cut,
        performance_cut=perf_cut,
        method=METHOD_NAMES[method],
        interval=f"percentile bootstrap, {n_boot} resamples of {unit}",
        importance=res,
        outcome=outcome,
    )
