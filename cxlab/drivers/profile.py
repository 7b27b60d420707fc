"""Attribute profile of the best-scored managers: what their clients rate differently.

:func:`manager_profile` compares, item by item, the ratings given by the
respondents of the top-ranked groups of :func:`cxlab.drivers.manager_scores`
with those of the other ranked groups (cluster-robust OLS, Holm across
items, Cohen's d).  A starting point for learning from each other, not proof
of what makes a manager good.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cxlab.drivers.managers import CLUSTER, NOTE, ManagerScores, manager_scores
from cxlab.drivers.pooling import _top_k
from cxlab.errors import DataError, NotFoundError, ParameterError
from cxlab.stats.adjust import adjust_pvalues
from cxlab.stats.intervals import check_confidence

__all__ = ["manager_profile"]


PROFILE_COLUMNS = [
    "item",
    "mean_top",
    "mean_rest",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "p_holm",
    "cohens_d",
    "n_top",
    "n_rest",
    "clients_top",
    "clients_rest",
    "method",
]


def manager_profile(
    frame: pd.DataFrame,
    items,
    by: str = "manager",
    outcome: str = "nps",
    *,
    top_share: float = 0.25,
    scores: ManagerScores | None = None,
    min_n: int = 10,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The attribute profile that separates the best-scored managers from the rest.

    The respondents of the top managers (the top ``top_share`` of the ranked
    groups by pooled estimate) are compared with the respondents of the other
    ranked groups, attribute by attribute.  It describes what the clients of
    the best-scored managers rate differently - a starting point for learning
    from each other, not proof of what makes a manager good (their clients
    and services differ too).

    Parameters
    ----------
    frame : DataFrame
        One row per response (:func:`cxlab.drivers.data.driver_frame`).
    items : list of str
        Attribute columns (1-5 ratings) to compare.
    by, outcome : str
        Grouping column and outcome of the ranking when ``scores`` is None.
    top_share : float, default 0.25
        Share of the ranked groups counted as "top": ``ceil(top_share * K)``
        groups, at least one.
    scores : ManagerScores, optional
        Scores to rank by (e.g. from ``method="mixedlm"``); computed with
        :func:`manager_scores` (``method="eb"``) when omitted.
    min_n : int, default 10
        Passed to :func:`manager_scores`; suppressed groups are left out of
        both sides.
    confidence : float, default 0.95

    Returns
    -------
    DataFrame
        One row per item, largest difference first: ``item, mean_top,
        mean_rest, difference`` (top - rest), ``ci_low, ci_high, p_value``
        (OLS of the rating on a top dummy, cluster-robust SE with clients as
        clusters, t with C - 1 df), ``p_holm`` (Holm across items),
        ``cohens_d`` (difference / pooled SD of respondents), ``n_top,
        n_rest, clients_top, clients_rest, method``.  ``attrs["top_groups"]``
        lists the top groups, ``attrs["note"]`` the :data:`NOTE`.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "manager": ["A"] * 4 + ["B"] * 4 + ["C"] * 4 + ["D"] * 4,
    ...     "client_id": [f"k{i // 2}" for i in range(16)],
    ...     "nps": [10, 9, 10, 9, 8, 7, 8, 7, 7, 8, 6, 7, 5, 6, 7, 6],
    ...     "reporting": [5, 5, 5, 4, 3, 3, 4, 3, 3, 4, 3, 3, 3, 3, 4, 3],
    ...     "deadlines": [4, 4, 3, 4, 4, 3, 4, 4, 3, 4, 4, 3, 4, 4, 3, 4]})
    >>> prof = manager_profile(frame, ["reporting", "deadlines"], min_n=4)
    >>> prof.attrs["top_groups"], prof["item"].tolist()
    (['A'], ['reporting', 'deadlines'])
    """
    import statsmodels.api as sm

    confidence = check_confidence(confidence)
    if not 0 < top_share < 1:
        raise ParameterError(
            f"top_share must be strictly between 0 and 1, got {top_share}", parameter="top_share", value=top_share
        )
    items = [items] if isinstance(items, str) else list(items)
    missing = [c for c in items if c not in frame.columns]
    if missing:
        raise NotFoundError(f"item column(s) {missing} not in the frame", kind="column", key=missing)
    if scores is None:
        scores = manager_scores(frame, by, outcome, min_n=min_n, confidence=confidence)
    elif scores.by != by:
        by = scores.by
    t = scores.table
    ranked = t[~t["suppressed"] & t["rank"].notna()].sort_values(["rank", "estimate"], ascending=[True, False])
    if len(ranked) < 2:
        raise DataError(f"manager_profile needs at least two ranked {by} groups, found {len(ranked)}", columns=[by])
    k = min(_top_k(len(ranked), top_share), len(ranked) - 1)
    top = list(ranked[by].iloc[:k])
    d = frame[frame[by].isin(ranked[by])]
    is_top = d[by].isin(top).to_numpy()
    clients = d[CLUSTER].to_numpy(dtype=object)
    method = (
        "difference of mean ratings, top minus rest; OLS of the rating on a top-group dummy "
        "with cluster-robust SE (clients as clusters), t interval with C - 1 df; Holm "
        "adjustment across items; Cohen's d on the pooled respondent SD; top = "
        f"{k} of {len(ranked)} {by} groups by pooled {scores.outcome}"
    )
    rows = []
    for item in items:
        x = d[item].astype(float).to_numpy()
        ok = ~np.isnan(x)
        xt, xr = x[ok & is_top], x[ok & ~is_top]
        row = {
            "item": item,
            "mean_top": xt.mean() if len(xt) else np.nan,
            "mean_rest": xr.mean() if len(xr) else np.nan,
            "difference": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
            "cohens_d": np.nan,
            "n_top": len(xt),
            "n_rest": len(xr),
            "clients_top": pd.unique(clients[ok & is_top]).size,
            "clients_rest": pd.unique(clients[ok & ~is_top]).size,
            "method": method,
        }
        if len(xt) >= 2 and len(xr) >= 2:
            row["difference"] = xt.mean() - xr.mean()
            pooled = math.sqrt(
                ((len(xt) - 1) * xt.var(ddof=1) + (len(xr) - 1) * xr.var(ddof=1)) / (len(xt) + len(xr) - 2)
            )
            row["cohens_d"] = row["difference"] / pooled if pooled > 0 else np.nan
            codes = pd.factorize(pd.Series(clients[ok]).fillna("__none__"))[0]
            if np.unique(codes).size >= 2 and pooled > 0:
                X = sm.add_constant(is_top[ok].astype(float), has_constant="add")
                res = sm.OLS(x[ok], X).fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
                lo, hi = res.conf_int(alpha=1 - confidence)[1]
                row.update(ci_low=lo, ci_high=hi, p_value=float(res.pvalues[1]))
        rows.append(row)
    out = pd.DataFrame(rows)
    out["p_holm"] = adjust_pvalues(out["p_value"].to_numpy(float), method="holm")
    out = out.sort_values("difference", ascending=False, na_position="last", kind="stable")
    out = out[PROFILE_COLUMNS].reset_index(drop=True)
    out.attrs["top_groups"] = top
    out.attrs["by"] = by
    out.attrs["note"] = dict(NOTE)
    return out
