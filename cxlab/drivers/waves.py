"""Key drivers compared across waves: did the priorities move?

:func:`drivers_over_waves` runs :func:`relative_importance` in each wave and
compares consecutive waves: the change in each driver's share of R² with a
bootstrap interval (the waves are independent samples, so replicate ``b`` of
one wave is paired with replicate ``b`` of the other), a bootstrap p-value
with Holm's adjustment across drivers, and Kendall's tau between the two
rankings (do the same things still matter most?).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(3)
>>> parts = []
>>> for wave, w in (("2026-Q1", [0.7, 0.1]), ("2026-Q2", [0.1, 0.7])):
...     X = pd.DataFrame(rng.normal(size=(300, 2)), columns=["speed", "ideas"])
...     X["nps"] = X @ np.array(w) + rng.normal(size=300) * 0.5
...     parts.append(X.assign(wave_id=wave))
>>> trend = drivers_over_waves(pd.concat(parts), "nps", ["speed", "ideas"], n_boot=200)
>>> trend.changes.set_index("driver").loc["speed", "significant"]
np.True_
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import cast

import numpy as np
import pandas as pd

from cxlab.drivers.importance import METHOD_NAMES, prepare, relative_importance
from cxlab.drivers.resampling import bootstrap_importances
from cxlab.errors import NotFoundError, ParameterError
from cxlab.stats.adjust import adjust_pvalues
from cxlab.stats.resampling import resample_weights

__all__ = ["drivers_over_waves", "DriverTrend"]


@dataclass
class DriverTrend:
    """Driver importance wave by wave and its changes.

    Attributes
    ----------
    table : DataFrame
        ``wave_id, driver, importance, share, share_ci_low, share_ci_high,
        rank, rank_ci_low, rank_ci_high, n, r2``: one row per wave and driver.
    changes : DataFrame
        ``wave_before, wave_after, driver, share_before, share_after,
        change, ci_low, ci_high, p_value, p_adjusted, significant,
        rank_before, rank_after``: consecutive waves.
    agreement : DataFrame
        ``wave_before, wave_after, kendall_tau, p_value``: agreement of the
        two rankings.
    method : str
    skipped : dict
        Waves left out, with the reason (e.g. too few responses).
    """

    table: pd.DataFrame
    changes: pd.DataFrame
    agreement: pd.DataFrame
    method: str
    interval: str
    skipped: dict = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"Drivers across waves ({self.method}; {self.interval})"]
        for r in self.agreement.itertuples():
            moved = self.changes[(self.changes["wave_after"] == r.wave_after) & self.changes["significant"]]
            shift = ", ".join(f"{m.driver} {100 * m.change:+.1f} pp" for m in moved.itertuples()) or "none"
            lines.append(
                f"  {r.wave_before} -> {r.wave_after}: Kendall tau {r.kendall_tau:.2f} "
                f"(p {r.p_value:.3f}); significant shifts: {shift}"
            )
        for wave, why in self.skipped.items():
            lines.append(f"  {wave}: not analysed ({why})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def drivers_over_waves(
    data: pd.DataFrame,
    outcome: str,
    drivers,
    *,
    wave: str = "wave_id",
    method: str = "shapley",
    cluster: str | None = None,
    missing: str = "listwise",
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    min_n: int | None = None,
    order=None,
) -> DriverTrend:
    """Relative importance in each wave and the change between consecutive waves.

    Parameters
    ----------
    data : DataFrame
        Respondents of several waves (``wave`` column).
    outcome, drivers, cluster, missing, confidence
        As in :func:`relative_importance`.
    method : {"shapley", "johnson", "ols", "pearson", "spearman"}
    n_boot : int
        Resamples per wave (at least 1: the changes need them).
    seed : int
        Each wave gets its own stream derived from ``seed``.
    min_n : int, optional
        Waves with fewer usable rows are skipped (default: drivers + 2).
    order : list of str, optional
        Waves in time order (e.g. by opening date); default: sorted ids.

    Returns
    -------
    DriverTrend
    """
    import warnings

    from scipy import stats

    if n_boot < 1:
        raise ParameterError(
            "n_boot must be at least 1: changes between waves are tested by bootstrap", parameter="n_boot", value=n_boot
        )
    if wave not in data.columns:
        raise NotFoundError(f"wave column '{wave}' not in data", kind="column", key=wave)
    drivers = list(drivers)
    base_method = "correlation" if method in ("pearson", "spearman") else method
    min_n = min_n if min_n is not None else len(drivers) + 2
    tables, draws, skipped = [], {}, {}
    present = set(data[wave].dropna().unique())
    waves = [w for w in order if w in present] if order is not None else sorted(present)
    for i, w in enumerate(waves):
        part = data[data[wave] == w]
        unrated = [d for d in drivers if part[d].notna().sum() == 0]
        if unrated:
            skipped[w] = f"not rated in this wave: {', '.join(unrated)}"
            continue
        usable = part[[outcome] + drivers].dropna().shape[0] if missing == "listwise" else part[outcome].notna().sum()
        if usable < min_n:
            skipped[w] = f"{usable} usable responses, fewer than {min_n}"
            continue
        try:
            with warnings.catch_warnings():
                # Each wave's caveats are in its own result; repeating them per wave adds noise.
                warnings.simplefilter("ignore")
                res = relative_importance(
                    part,
                    outcome,
                    drivers,
                    method=base_method,
                    cluster=cluster,
                    missing=missing,
                    n_boot=n_boot,
                    confidence=confidence,
                    seed=seed + i,
                )
        except ValueError as exc:  # e.g. an attribute everyone rated alike in that wave
            skipped[w] = str(exc)
            continue
        rows = res.method(method)
        tables.append(
            rows[
                [
                    "driver",
                    "importance",
                    "share",
                    "share_ci_low",
                    "share_ci_high",
                    "rank",
                    "rank_ci_low",
                    "rank_ci_high",
                    "n",
                ]
            ].assign(wave_id=w, r2=res.r2)
        )
        b = cast(dict, res.draws)[method]  # n_boot >= 1 (checked above): the draws are there
        draws[w] = (res.drivers, b / b.sum(axis=1, keepdims=True))
    table = (
        pd.concat(tables, ignore_index=True)
        if tables
        else pd.DataFrame(
            columns=[
                "driver",
                "importance",
                "share",
                "share_ci_low",
                "share_ci_high",
                "rank",
                "rank_ci_low",
                "rank_ci_high",
                "n",
                "wave_id",
                "r2",
            ]
        )
    )
    table = table[["wave_id"] + [c for c in table.columns if c != "wave_id"]]
    lo, hi = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2
    changes, agreement = [], []
    done = [w for w in waves if w in draws]
    for k, (before, after) in enumerate(pairwise(done)):
        names, b0 = draws[before]
        _, b1 = draws[after]
        if cluster:
            b0, b1 = _joint_draws(
                data,
                wave,
                before,
                after,
                outcome,
                names,
                cluster,
                missing,
                base_method,
                method,
                n_boot,
                seed + 10_000 + k,
            )
        diff = b1 - b0
        t0 = table[table["wave_id"] == before].set_index("driver").reindex(names)
        t1 = table[table["wave_id"] == after].set_index("driver").reindex(names)
        diff = diff[np.isfinite(diff).all(axis=1)]
        # Two-sided bootstrap p-value: how often the resampled change falls on the other side of zero.
        p_value = np.clip(2 * np.minimum((diff <= 0).mean(axis=0), (diff >= 0).mean(axis=0)), 0, 1)
        ch = pd.DataFrame(
            {
                "wave_before": before,
                "wave_after": after,
                "driver": names,
                "share_before": t0["share"].to_numpy(),
                "share_after": t1["share"].to_numpy(),
                "change": t1["share"].to_numpy() - t0["share"].to_numpy(),
                "ci_low": np.percentile(diff, lo, axis=0),
                "ci_high": np.percentile(diff, hi, axis=0),
                "p_value": p_value,
                "p_adjusted": adjust_pvalues(p_value, "holm"),
                "rank_before": t0["rank"].to_numpy(),
                "rank_after": t1["rank"].to_numpy(),
            }
        )
        ch["significant"] = ch["p_adjusted"] < 1 - confidence
        changes.append(ch)
        tau = stats.kendalltau(t0["share"].to_numpy(), t1["share"].to_numpy())
        agreement.append(
            {
                "wave_before": before,
                "wave_after": after,
                "kendall_tau": float(tau.statistic),
                "p_value": float(tau.pvalue),
            }
        )
    changes = (
        pd.concat(changes, ignore_index=True)
        if changes
        else pd.DataFrame(
            columns=[
                "wave_before",
                "wave_after",
                "driver",
                "share_before",
                "share_after",
                "change",
                "ci_low",
                "ci_high",
                "p_value",
                "p_adjusted",
                "rank_before",
                "rank_after",
                "significant",
            ]
        )
    )
    unit = f"clients ('{cluster}') as wholes" if cluster else "rows"
    return DriverTrend(
        table=table,
        changes=changes,
        agreement=pd.DataFrame(agreement, columns=["wave_before", "wave_after", "kendall_tau", "p_value"]),
        method=METHOD_NAMES[method],
        interval=(
            f"percentile bootstrap, {n_boot} resamples of {unit}"
            + ("; changes from the same clients resampled in both waves" if cluster else "")
            + "; Holm across drivers"
        ),
        skipped=skipped,
    )


def _joint_draws(data, wave, before, after, outcome, drivers, cluster, missing, base_method, method, n_boot, seed):
    """Share draws of two waves from one resample of clients.

    The same clients answer wave after wave, so the two waves are not
    independent samples: each replicate draws clients once and weights both
    waves' rows by the same counts, which keeps the covariance between the
    waves in the interval of the change.
    """
    parts = [data[data[wave] == w] for w in (before, after)]
    everyone = pd.Index(pd.unique(pd.concat([p[cluster] for p in parts])))
    counts = resample_weights(len(everyone), None, n_boot, np.random.default_rng(seed))
    out = []
    for part in parts:
        values, clusters = prepare(part, outcome, drivers, missing, cluster)
        weights = counts[:, everyone.get_indexer(clusters)]
        b = bootstrap_importances(values, weights, [base_method], missing)[method]
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(b / b.sum(axis=1, keepdims=True))
    return out
