"""Relative importance of key drivers: what clients value, with intervals.

:func:`relative_importance` answers "which attributes move the likelihood to
recommend (or overall satisfaction)?" with named, transparent methods side by
side in one tidy frame:

``correlation``
    Pearson and Spearman correlation of each driver with the outcome;
    importance = r² (the shares normalise them; r² do not add up to R²,
    because drivers overlap).
``ols``
    Standardised OLS (statsmodels): beta weights, their p-values, VIF, and
    Pratt's measure beta·r as importance (sums to R², but can be negative
    when drivers overlap).
``shapley``
    Shapley decomposition of R² (LMG, general dominance): each driver's R²
    gain averaged over every order of entry; exact over all ``2**p`` subsets,
    computed from the correlation matrix (:mod:`cxlab.drivers.subsets`).
``johnson``
    Johnson's (2000) relative weights: R² split through the orthogonal
    counterpart of the drivers (symmetric square root of their correlation
    matrix); close to Shapley at a fraction of the cost.

For Shapley, Johnson and Pratt the importances sum to R²; for every method
the shares sum to 1.  Every importance and every rank has a percentile
bootstrap interval (clients resampled as wholes when ``cluster`` is given:
contacts of one client do not answer independently).  Warnings say when n
per driver is small or drivers are collinear; missing answers are handled
listwise (default) or pairwise, and the result says which.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame(rng.normal(size=(400, 3)), columns=["speed", "ideas", "price"])
>>> X["nps"] = 0.6 * X["speed"] + 0.3 * X["ideas"] + rng.normal(size=400)
>>> res = relative_importance(X, "nps", ["speed", "ideas", "price"], n_boot=200)
>>> res.table.query("method == 'shapley'")["driver"].tolist()
['speed', 'ideas', 'price']
>>> bool(np.isclose(res.table.query("method == 'shapley'")["importance"].sum(), res.r2))
True
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxlab._compat import moved
from cxlab.drivers.importance_methods import (
    _method_details,
    _nearest_correlation,
    _point_estimates,
    _r2,
    _ranks,
    _vif,
    correlation_matrix,
)
from cxlab.drivers.resampling import bootstrap_importances
from cxlab.drivers.subsets import all_subsets_r2, conditional_dominance
from cxlab.errors import DataError, DriverWarning, NotFoundError, ParameterError, ParameterTypeError
from cxlab.stats.resampling import resample_weights

__all__ = [
    "relative_importance",
    "RelativeImportance",
    "DriverWarning",
    "METHODS",
    "METHOD_NAMES",
]


#: Methods :func:`relative_importance` computes (``"all"`` means every one).
METHODS = ("correlation", "ols", "shapley", "johnson")
#: The name each method carries in the ``method`` column, and in words.
METHOD_NAMES = {
    "pearson": "Pearson correlation; importance r²",
    "spearman": "Spearman rank correlation; importance ρ²",
    "ols": "standardised OLS (statsmodels); importance Pratt's β·r",
    "shapley": "Shapley decomposition of R² (LMG), exact over all subsets",
    "johnson": "Johnson's relative weights",
}
#: Rows per driver below which importances are flagged as unstable.
MIN_N_PER_DRIVER = 10
#: VIF above which a driver is flagged as collinear with the others.
VIF_LIMIT = 5.0


# --------------------------------------------------------------------------- result
@dataclass
class RelativeImportance:
    """Relative importance of drivers: the tidy table and what it rests on.

    Attributes
    ----------
    table : DataFrame
        One row per method and driver: ``method, method_name, driver,
        importance, share, ci_low, ci_high, share_ci_low, share_ci_high,
        rank, rank_ci_low, rank_ci_high, n`` and, where the method has them,
        ``estimate`` (r, ρ or β), ``se``, ``p_value``, ``vif``.
    outcome : str
    drivers : list of str
    n : int
        Rows used (listwise) or rows with the outcome (pairwise).
    r2, r2_ci_low, r2_ci_high : float
        R² of the full model and its bootstrap interval.
    missing : {"listwise", "pairwise"}
    interval : str
        How the intervals were obtained.
    warnings : list of str
    dominance : DataFrame
        Conditional dominance (Shapley only): mean R² a driver adds to
        subsets of each size; rows are drivers, columns subset sizes.
    n_rows : int
        Rows in the data before missing answers were left out.
    draws : dict
        Bootstrap replicates: method -> array (n_boot, p) of importances
        (``"_r2"``: R² per replicate); None without a bootstrap.
    """

    table: pd.DataFrame
    outcome: str
    drivers: list
    n: int
    r2: float
    r2_ci_low: float
    r2_ci_high: float
    missing: str
    interval: str
    confidence: float = 0.95
    warnings: list = field(default_factory=list)
    dominance: pd.DataFrame | None = None
    n_rows: int = 0
    draws: dict | None = field(default=None, repr=False)

    def method(self, method: str) -> pd.DataFrame:
        """Rows of one method, most important first."""
        if method not in set(self.table["method"]):
            raise NotFoundError(
                f"method '{method}' was not computed; have {sorted(set(self.table['method']))}",
                kind="method",
                key=method,
            )
        return self.table[self.table["method"] == method].sort_values("rank").reset_index(drop=True)

    def shares(self) -> pd.DataFrame:
        """Shares side by side: one row per driver, one column per method."""
        return self.table.pivot(index="driver", columns="method", values="share").reindex(self.drivers)

    def summary(self) -> str:
        """Readable report: R², n, missing handling, warnings, then each method's ranking."""
        width = 78
        pct = f"{100 * self.confidence:g}%"
        lines = [
            f"Relative importance of drivers of '{self.outcome}'".center(width),
            "=" * width,
            f"n = {self.n} of {self.n_rows} rows ({self.missing} deletion), {len(self.drivers)} drivers",
            f"R² = {self.r2:.3f}   {pct} CI [{self.r2_ci_low:.3f}, {self.r2_ci_high:.3f}]",
            f"Intervals: {self.interval}",
        ]
        for w in self.warnings:
            lines.append(f"Warning: {w}")
        for method in dict.fromkeys(self.table["method"]):
            rows = self.method(method)
            lines += [
                "-" * width,
                rows["method_name"].iloc[0],
                f"{'driver':<26}{'importance':>11}{'share':>8}   {pct + ' CI':<17}{'rank':>5}  rank CI",
            ]
            for r in rows.itertuples():
                lines.append(
                    f"{str(r.driver)[:25]:<26}{r.importance:>11.4f}{100 * r.share:>7.1f}%   "
                    f"[{r.ci_low:.3f}, {r.ci_high:.3f}]{'':<2}{r.rank:>5}  "
                    f"{_rank_text(r.rank_ci_low, r.rank_ci_high)}"
                )
        lines.append("=" * width)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def _rank_text(lo, hi) -> str:
    if pd.isna(lo):
        return "-"
    return f"{int(lo)}" if lo == hi else f"{int(lo)}-{int(hi)}"


# --------------------------------------------------------------------------- entry point
def _check(data: pd.DataFrame, outcome: str, drivers) -> list:
    if not isinstance(data, pd.DataFrame):
        raise ParameterTypeError(
            f"data must be a pandas DataFrame, got {type(data).__name__}", parameter="data", value=type(data).__name__
        )
    drivers = list(drivers)
    if len(drivers) < 2:
        raise ParameterError("relative importance needs at least two drivers", parameter="drivers", value=drivers)
    if len(set(drivers)) != len(drivers):
        twice = sorted({d for d in drivers if drivers.count(d) > 1})
        raise ParameterError(f"drivers are listed twice: {twice}", parameter="drivers", value=drivers)
    missing = [c for c in [outcome] + drivers if c not in data.columns]
    if missing:
        raise NotFoundError(f"columns not in data: {missing}", kind="column", key=missing)
    if outcome in drivers:
        raise ParameterError(f"the outcome '{outcome}' is also listed as a driver", parameter="outcome", value=outcome)
    if len(drivers) > 24:
        raise ParameterError(
            f"{len(drivers)} drivers: the exact all-subsets decomposition is limited to 24 "
            "(2**24 subsets); group or pre-select drivers",
            parameter="drivers",
            value=drivers,
        )
    return drivers


def _methods(method) -> list[str]:
    wanted = list(METHODS) if method == "all" else ([method] if isinstance(method, str) else list(method))
    bad = [m for m in wanted if m not in METHODS]
    if bad:
        raise ParameterError(
            f"unknown method(s) {bad}; choose from {list(METHODS)} or 'all'", parameter="method", value=method
        )
    return wanted


def _numeric(data: pd.DataFrame, outcome: str, drivers: list) -> np.ndarray:
    return data[list(drivers) + [outcome]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def _complete(values: np.ndarray, missing: str) -> np.ndarray:
    """Rows an analysis uses: those with the outcome (listwise: with every value)."""
    keep = ~np.isnan(values[:, -1])
    if missing == "listwise":
        keep &= ~np.isnan(values).any(axis=1)
    return keep


def prepare(
    data: pd.DataFrame, outcome: str, drivers: list, missing: str = "listwise", cluster: str | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Drivers then outcome as a float array, rows without the outcome (listwise: any value) left out."""
    values = _numeric(data, outcome, drivers)
    keep = _complete(values, missing)
    clusters = data[cluster].to_numpy()[keep] if cluster else None
    return values[keep], clusters


def _check_pairs(values: np.ndarray, corr: np.ndarray, names: list, min_pair: int, notes: list) -> None:
    """Pairwise deletion needs every pair answered together often enough to correlate."""
    present = (~np.isnan(values)).astype(float)
    both = present.T @ present
    k = len(names)
    undefined = [
        (names[i], names[j], int(both[i, j])) for i in range(k) for j in range(i + 1, k) if not np.isfinite(corr[i, j])
    ]
    if undefined:
        shown = ", ".join(f"{a} & {b} (n = {n})" for a, b, n in undefined[:5])
        more = f" and {len(undefined) - 5} more" if len(undefined) > 5 else ""
        raise DataError(
            f"pairwise correlations undefined for {shown}{more}: these were never rated "
            "together with any variation; leave some drivers out or group them",
            columns=sorted({c for a, b, _ in undefined for c in (a, b)}),
        )
    thin = [(names[i], names[j], int(both[i, j])) for i in range(k) for j in range(i + 1, k) if both[i, j] < min_pair]
    if thin:
        shown = ", ".join(f"{a} & {b} (n = {n})" for a, b, n in thin[:5])
        notes.append(
            f"{len(thin)} pair(s) of columns were answered together by fewer than {min_pair} "
            f"respondents ({shown}{', ...' if len(thin) > 5 else ''}); their correlations, and "
            "the importances built on them, are unstable"
        )


def relative_importance(
    data: pd.DataFrame,
    outcome: str,
    drivers,
    method="all",
    *,
    missing: str = "listwise",
    cluster: str | None = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    min_n_per_driver: int = MIN_N_PER_DRIVER,
) -> RelativeImportance:
    """Relative importance of drivers of an outcome, by one or several named methods.

    Parameters
    ----------
    data : DataFrame
        One row per respondent (e.g. :func:`cxlab.drivers.driver_frame`).
    outcome : str
        Column explained: likelihood to recommend (``"nps"``) or overall
        satisfaction (``"overall"``).
    drivers : list of str
        Rated attributes or services (at least two, at most 24).
    method : {"all", "shapley", "johnson", "ols", "correlation"} or list
        ``"correlation"`` gives two rows per driver (``pearson`` and
        ``spearman``).
    missing : {"listwise", "pairwise"}
        Listwise: rows with any missing value are left out.  Pairwise: each
        correlation uses the rows where both answers exist (OLS is then
        computed from the correlation matrix, without p-values).
    cluster : str, optional
        Column whose groups are resampled as wholes in the bootstrap (and
        used for cluster-robust OLS standard errors): ``"client_id"`` for B2B
        data, where a client's contacts do not answer independently.
    n_boot : int
        Bootstrap resamples for the intervals (0: point estimates only).
    confidence : float
    seed : int
        Seed of the bootstrap (same seed, same intervals).
    min_n_per_driver : int
        Fewer rows per driver than this raises a small-n warning.

    Returns
    -------
    RelativeImportance
        ``.table`` has one row per driver and method; ``.summary()`` prints it.

    Raises
    ------
    ValueError
        Too few rows to estimate (n <= number of drivers + 1), an unknown
        method, a driver listed twice.
    """
    drivers = _check(data, outcome, drivers)
    methods = _methods(method)
    if missing not in ("listwise", "pairwise"):
        raise ParameterError(
            f"missing must be 'listwise' or 'pairwise', not {missing!r}", parameter="missing", value=missing
        )
    if not 0 < confidence < 1:
        raise ParameterError(
            f"confidence must be between 0 and 1, got {confidence}", parameter="confidence", value=confidence
        )
    if cluster is not None and cluster not in data.columns:
        raise NotFoundError(f"cluster column '{cluster}' not in data", kind="column", key=cluster)
    notes: list[str] = []
    n_rows = len(data)
    values, clusters = prepare(data, outcome, drivers, missing, cluster)
    n = len(values)
    p = len(drivers)
    if n <= p + 1:
        raise DataError(
            f"{n} usable rows for {p} drivers of '{outcome}' ({missing} deletion): at least "
            f"{p + 2} are needed, and about {min_n_per_driver * p} for stable importances",
            columns=[*drivers, outcome],
        )
    constant = [d for d, sd in zip(drivers, np.nanstd(values[:, :-1], axis=0)) if not sd > 0]
    if constant or not np.nanstd(values[:, -1]) > 0:
        what = constant or [outcome]
        raise DataError(
            f"no variation in {what}: everyone gave the same answer, so nothing can be "
            "explained; leave these columns out",
            columns=what,
        )
    if n_rows and missing == "listwise" and n < 0.8 * n_rows:
        notes.append(
            f"listwise deletion kept {n} of {n_rows} rows ({100 * n / n_rows:.0f}%); consider missing='pairwise'"
        )
    if n < min_n_per_driver * p:
        notes.append(
            f"small sample: n = {n} for {p} drivers ({n / p:.1f} per driver, fewer than "
            f"{min_n_per_driver}); importances and ranks are unstable, read the intervals"
        )

    corr = correlation_matrix(values, missing)
    if missing == "pairwise":
        _check_pairs(values, corr, drivers + [outcome], min_n_per_driver, notes)
        corr = _nearest_correlation(corr, notes)
    vif = _vif(corr[:-1, :-1])
    collinear = [
        f"{d} (VIF {v:.1f})" if np.isfinite(v) else f"{d} (exactly collinear)"
        for d, v in zip(drivers, vif)
        if v > VIF_LIMIT
    ]
    if collinear:
        notes.append(
            "collinear drivers: " + ", ".join(collinear) + "; they share what they explain, "
            "so their separate importances are uncertain (Shapley and Johnson split it "
            "fairly, OLS betas do not)"
        )

    subsets = all_subsets_r2(corr) if "shapley" in methods else None  # once: Shapley, R², dominance
    point = _point_estimates(values, corr, methods, missing, subsets)
    r2 = float(subsets[-1]) if subsets is not None else float(_r2(corr))

    boot = None
    interval = "none (n_boot = 0)"
    if n_boot:
        rng = np.random.default_rng(seed)
        weights = resample_weights(n, clusters, n_boot, rng)
        boot = bootstrap_importances(values, weights, methods, missing)
        unit = f"clients ('{cluster}') as wholes" if cluster else "rows"
        interval = f"percentile bootstrap, {n_boot} resamples of {unit}"

    rows = []
    for name, imp in point.items():
        share = imp / imp.sum() if imp.sum() else np.full(p, np.nan)
        rank = _ranks(imp).astype(int)
        frame = pd.DataFrame(
            {
                "method": name,
                "method_name": METHOD_NAMES[name],
                "driver": drivers,
                "importance": imp,
                "share": share,
                "rank": rank,
                "n": n,
            }
        )
        if boot is not None:
            b = boot[name]
            lo, hi = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2
            bshare = b / b.sum(axis=1, keepdims=True)
            franks = _ranks(b)
            frame["ci_low"], frame["ci_high"] = np.nanpercentile(b, [lo, hi], axis=0)
            frame["share_ci_low"], frame["share_ci_high"] = np.nanpercentile(bshare, [lo, hi], axis=0)
            frame["rank_ci_low"] = np.floor(np.nanpercentile(franks, lo, axis=0)).astype(int)
            frame["rank_ci_high"] = np.ceil(np.nanpercentile(franks, hi, axis=0)).astype(int)
        else:
            for col in ("ci_low", "ci_high", "share_ci_low", "share_ci_high", "rank_ci_low", "rank_ci_high"):
                frame[col] = np.nan
        rows.append(frame)
    table = pd.concat(rows, ignore_index=True)
    extra = _method_details(values, corr, drivers, methods, missing, clusters, vif, confidence)
    table = table.merge(extra, on=["method", "driver"], how="left") if len(extra) else table
    cols = [
        "method",
        "method_name",
        "driver",
        "importance",
        "share",
        "ci_low",
        "ci_high",
        "share_ci_low",
        "share_ci_high",
        "rank",
        "rank_ci_low",
        "rank_ci_high",
        "n",
        "estimate",
        "se",
        "p_value",
        "vif",
    ]
    table = table.reindex(columns=[c for c in cols if c in table.columns])
    table = table.sort_values(
        ["method", "rank"], key=lambda s: s.map({m: i for i, m in enumerate(point)}) if s.name == "method" else s
    ).reset_index(drop=True)

    r2_lo = r2_hi = math.nan
    if boot is not None:
        r2_lo, r2_hi = np.nanpercentile(boot["_r2"], [100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2])
    dominance = None
    if "shapley" in methods:
        cd = conditional_dominance(subsets)
        dominance = pd.DataFrame(
            cd, index=pd.Index(drivers, name="driver"), columns=pd.Index(range(p), name="subset_size")
        )
    for note in notes:
        warnings.warn(note, DriverWarning, stacklevel=2)
    return RelativeImportance(
        table=table,
        outcome=outcome,
        drivers=drivers,
        n=n,
        r2=r2,
        r2_ci_low=float(r2_lo),
        r2_ci_high=float(r2_hi),
        missing=missing,
        interval=interval,
        confidence=confidence,
        warnings=notes,
        dominance=dominance,
        n_rows=n_rows,
        draws=boot,
    )


#: Names this module had before it was split, importable from here as before (see cxlab._compat).
__getattr__ = moved(
    __name__,
    {
        "johnson_weights": "cxlab.drivers.importance_methods",
        "shapley_importance": "cxlab.drivers.importance_methods",
    },
)
