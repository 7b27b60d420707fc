"""Change between two waves: NPS, means and proportions, overall and per cell.

Every change is after - before.  Independent samples are the default (two
waves ask partly different people); ``paired=True`` compares the same
contacts, matched on their id.  Per-cell tests are adjusted for multiplicity
with :func:`cxlab.stats.adjust.adjust_pvalues` (statsmodels' ``multipletests``).

The changes of one figure between two waves are in
:mod:`cxlab.metrics.two_sample` and re-exported here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxlab.errors import DataError, NotFoundError, ParameterError, ParameterTypeError
from cxlab.schema import Scale
from cxlab.stats.adjust import ADJUST_NAMES, adjust_pvalues
from cxlab.stats.intervals import check_confidence

from ._validate import nps_scores, show
from .breakdown import COUNT_COLUMNS, By, by_list, check_min_n, nps_indicator_frame, sum_counts
from .two_sample import mean_change, nps_change, nps_change_from_counts, proportion_change, top2box_change

__all__ = [
    "nps_change",
    "nps_change_from_counts",
    "mean_change",
    "proportion_change",
    "top2box_change",
    "breakdown_change",
]

# --------------------------------------------------------------------------- per cell

CHANGE_COLUMNS = [
    "n_before",
    "n_after",
    "before",
    "after",
    "change",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "significant",
    "method",
    "suppressed",
]
_CHANGE_METRICS = ("nps", "csat_mean", "top2box")


def breakdown_change(
    before: pd.DataFrame,
    after: pd.DataFrame,
    by: By = None,
    metric: str = "nps",
    min_n: float | None = 10,
    adjust: str | None = "holm",
    confidence: float = 0.95,
    paired: bool = False,
    id_col: str = "contact_id",
    value: str | None = None,
    scale: Scale | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Change between two waves per cell of ``by``, with multiplicity-adjusted p-values.

    Parameters
    ----------
    before, after : DataFrame
        One row per response of each wave.
    by : str, list of str or None
        Cell columns (``None``/``[]``: one overall row).  Cells are the union
        of both waves' cells; a cell missing from one wave has n = 0 there.
    metric : {"nps", "csat_mean", "top2box"}
        NPS change (:func:`nps_change`), mean change (:func:`mean_change`) or
        top-box share change (:func:`top2box_change`, independent only).
    min_n : int, default 10
        A cell is suppressed (NaN figures, not tested) when either wave has
        fewer answers -- fewer pairs when paired.
    adjust : {"holm", "fdr_bh", None, ...}, default "holm"
        ``multipletests`` method applied across the tested (non-suppressed)
        cells; None for raw p-values.
    confidence : float, default 0.95
        Interval level; a cell is ``significant`` when p_adjusted < 1 - confidence.
        Intervals are not adjusted.
    paired : bool, default False
        Compare the same contacts (matched on ``id_col`` within each cell;
        rows without an id are dropped).
    id_col : str, default "contact_id"
    value : str, optional
        Score column; default ``"nps"`` for NPS, ``"overall"`` otherwise.
    scale : tuple or str, optional
        Scale of the score column (NPS: refused unless 0-10; others default 1-5).
    **kwargs
        ``boxes`` for ``"top2box"``.

    Returns
    -------
    pandas.DataFrame
        Columns: the ``by`` columns, then ``n_before, n_after, before, after,
        change, ci_low, ci_high, p_value, p_adjusted, significant, method,
        suppressed``.

    Examples
    --------
    >>> b = pd.DataFrame({"team": ["A"] * 20, "nps": [9] * 8 + [7] * 6 + [3] * 6})
    >>> a = pd.DataFrame({"team": ["A"] * 20, "nps": [10] * 12 + [8] * 5 + [2] * 3})
    >>> r = breakdown_change(b, a, "team")
    >>> float(r.loc[0, "change"])
    35.0
    """
    if metric not in _CHANGE_METRICS:
        raise ParameterError(
            f"metric must be one of {_CHANGE_METRICS}, got {metric!r}", parameter="metric", value=metric
        )
    check_confidence(confidence)
    min_n = check_min_n(min_n)
    by = by_list(by, before, after)
    value = value or ("nps" if metric == "nps" else "overall")
    for name, frame in (("before", before), ("after", after)):
        if value not in frame.columns:
            raise NotFoundError(f"score column {value!r} not in {name}", kind="column", key=value)
        if paired and id_col not in frame.columns:
            raise NotFoundError(f"id column {id_col!r} not in {name}", kind="column", key=id_col)
    if paired and metric == "top2box":
        raise NotImplementedError("paired top-box change (McNemar) is not implemented; use paired=False")

    if metric == "nps" and not paired:
        if kwargs:
            raise ParameterTypeError(f"unexpected argument(s): {sorted(kwargs)}", parameter=sorted(kwargs)[0])
        out = _nps_change_cells(before, after, by, value, scale, confidence)
    else:
        out = _change_cells(before, after, by, metric, value, scale, confidence, paired, id_col, kwargs)

    suppressed = ((out["n_before"] < min_n) | (out["n_after"] < min_n)).to_numpy()
    out["suppressed"] = suppressed
    blank = ["before", "after", "change", "ci_low", "ci_high", "p_value"]
    out.loc[suppressed, blank] = np.nan
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(dtype=float), adjust)
    out["significant"] = (out["p_adjusted"] < 1 - confidence).to_numpy(dtype=bool)
    tested = int(out["p_value"].notna().sum())
    if adjust is None:
        note = "; p-values not adjusted for multiple cells"
    else:
        note = (
            f"; p-values adjusted across {tested} tested cell{'s' if tested != 1 else ''} "
            f"({ADJUST_NAMES.get(adjust, adjust)})"
        )
    out["method"] = out["method"].astype(object) + note
    return out[[*by, *CHANGE_COLUMNS]]


def _nps_change_cells(
    before: pd.DataFrame, after: pd.DataFrame, by: list[str], value: str, scale: Scale | None, confidence: float
) -> pd.DataFrame:
    # One groupby over both waves: cells are the union, counts sum to 0 where a wave is absent.
    cb = nps_indicator_frame(before, by, value, scale)
    ca = nps_indicator_frame(after, by, value, scale)
    b = cb.rename(columns={c: c + "_b" for c in COUNT_COLUMNS})
    a = ca.rename(columns={c: c + "_a" for c in COUNT_COLUMNS})
    for c in COUNT_COLUMNS:
        b[c + "_a"] = 0
        a[c + "_b"] = 0
    both = pd.concat([b, a], ignore_index=True)
    cols = [c + s for s in ("_b", "_a") for c in COUNT_COLUMNS]
    agg = sum_counts(both, by, cols)
    res = nps_change_from_counts(
        {c: agg[c + "_b"].to_numpy() for c in COUNT_COLUMNS},
        {c: agg[c + "_a"].to_numpy() for c in COUNT_COLUMNS},
        confidence=confidence,
    )
    out = agg[by].reset_index(drop=True) if by else pd.DataFrame(index=range(len(agg)))
    for c in ["n_before", "n_after", "before", "after", "change", "ci_low", "ci_high", "p_value", "method"]:
        out[c] = res[c].to_numpy()
    return out


def _change_cells(
    before: pd.DataFrame,
    after: pd.DataFrame,
    by: list[str],
    metric: str,
    value: str,
    scale: Scale | None,
    confidence: float,
    paired: bool,
    id_col: str,
    kwargs: dict[str, Any],
) -> pd.DataFrame:
    keep = [*by, value, *([id_col] if paired else [])]
    b, a = before[keep], after[keep]
    if paired:
        b, a = b[b[id_col].notna()], a[a[id_col].notna()]
        for name, frame in (("before", b), ("after", a)):
            dup = frame[id_col].duplicated()
            if dup.any():
                raise DataError(
                    f"paired: contact {show(frame[id_col][dup].iloc[0])} answers twice in {name}", columns=[id_col]
                )
    if metric == "nps":
        nps_scores(b[value], scale or (0, 10), name=f"before column {value!r}")
        nps_scores(a[value], scale or (0, 10), name=f"after column {value!r}")
    both = pd.concat([b.assign(_wave=0), a.assign(_wave=1)], ignore_index=True)

    def series(sub: pd.DataFrame) -> pd.Series:
        s = sub[value]
        return pd.Series(s.to_numpy(), index=sub[id_col].to_numpy()) if paired else s

    cells = (
        [((), both)]
        if not by
        else [
            ((k if isinstance(k, tuple) else (k,)), g)
            for k, g in both.groupby(by, dropna=False, sort=True, observed=True)
        ]
    )
    rows = []
    for key, sub in cells:
        sb, sa = series(sub[sub["_wave"] == 0]), series(sub[sub["_wave"] == 1])
        if metric == "nps":
            c = nps_change(sb, sa, paired=paired, confidence=confidence)
        elif metric == "csat_mean":
            c = mean_change(sb, sa, paired=paired, confidence=confidence, scale=(1, 5) if scale is None else scale)
        else:
            c = top2box_change(sb, sa, scale=(1, 5) if scale is None else scale, confidence=confidence, **kwargs)
        row = dict(zip(by, key))
        row.update(
            n_before=c.n_before,
            n_after=c.n_after,
            before=c.extra["before"],
            after=c.extra["after"],
            change=c.estimate,
            ci_low=c.ci_low,
            ci_high=c.ci_high,
            p_value=c.p_value,
            method=c.method,
        )
        rows.append(row)
    columns = [*by, "n_before", "n_after", "before", "after", "change", "ci_low", "ci_high", "p_value", "method"]
    out = pd.DataFrame(rows, columns=columns)
    out[["n_before", "n_after"]] = out[["n_before", "n_after"]].astype(np.int64)
    return out
