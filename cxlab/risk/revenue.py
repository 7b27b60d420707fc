"""Revenue at risk of a set of clients and its change between two waves: the one computation behind every total.

The risk report prints :attr:`RiskScores.total <cxlab.risk.RiskScores>`; the
dashboard's tile shows the same total for all clients, the same sum over
the selected clients otherwise, and the change since the previous wave.
:func:`revenue_at_risk` and :func:`revenue_change` are what both call.

Examples
--------
>>> now = revenue_at_risk(scores)                              # doctest: +SKIP
>>> revenue_change(scores, earlier)["significant"]             # doctest: +SKIP
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["revenue_at_risk", "revenue_change", "CHANGE_METHOD"]

#: How the change of revenue at risk between two waves is computed (English; the dashboard translates it).
CHANGE_METHOD = "difference of two waves' totals; percentile interval of the difference of their client-bootstrap draws"


def revenue_at_risk(scores, client_ids=None) -> tuple[dict, np.ndarray]:
    """The total revenue at risk of ``client_ids`` (every scored client when None) and its bootstrap draws.

    Parameters
    ----------
    scores : RiskScores
    client_ids : iterable of str, optional

    Returns
    -------
    total : dict
        ``revenue_at_risk, ci_low, ci_high, loss_low, loss_high,
        n_clients, ...``: :attr:`RiskScores.total` itself for all clients.
    draws : ndarray
        Bootstrap draws of the total.
    """
    if client_ids is None:
        draws = scores.total_draws if scores.total_draws is not None else np.empty(0)
        return dict(scores.total), np.asarray(draws, dtype=float)
    return scores.total_for(client_ids)


def revenue_change(after, before, after_ids=None, before_ids=None) -> dict:
    """Change of revenue at risk between two waves' scores, with the interval of the paired draws.

    The difference of the two totals; its percentile interval is that of the
    differences of the two waves' bootstrap draws (independent refits, paired
    by order), widened to contain the difference itself; the change is real
    (``significant``) when the interval excludes zero.

    Returns
    -------
    dict
        ``before, after, change, ci_low, ci_high, significant, method``
        (NaN and False where either wave has no total).

    Examples
    --------
    >>> revenue_change(scores_q3, scores_q2)["change"]        # doctest: +SKIP
    """
    a_total, a_draws = revenue_at_risk(after, after_ids)
    b_total, b_draws = revenue_at_risk(before, before_ids)
    a, b = a_total["revenue_at_risk"], b_total["revenue_at_risk"]
    out = {
        "before": b,
        "after": a,
        "change": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "significant": False,
        "method": CHANGE_METHOD,
    }
    if math.isnan(a) or math.isnan(b):
        return out
    change = a - b
    out["change"] = change
    k = min(len(a_draws), len(b_draws))
    if k:
        confidence = getattr(after, "confidence", 0.95)
        alpha = (1 - confidence) / 2
        low, high = np.quantile(a_draws[:k] - b_draws[:k], [alpha, 1 - alpha])
        out.update(
            ci_low=float(min(low, change)),
            ci_high=float(max(high, change)),
            significant=bool(low > 0 or high < 0),
        )
    return out
