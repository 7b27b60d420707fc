"""Penalty-reward analysis: which attributes hurt when poor, which delight when excellent.

The relationship between an attribute and the outcome is often asymmetric
(Mittal, Ross and Baldasare 1998; Conklin, Powaga and Lipovetsky 2004).
Each attribute's rating is split into three bands: *low* (bottom of the
scale, by default 1-2 of 1-5), *middle* (the reference) and *high* (top, 5).
One OLS regression of the outcome on all the low and high dummies at once
(statsmodels; cluster-robust standard errors by client when ``cluster`` is
given) gives, for each attribute,

- the *penalty*: how much lower the outcome is when the attribute is rated
  low rather than middle (reported as a positive number of outcome points);
- the *reward*: how much higher it is when rated high rather than middle.

An attribute whose penalty is significant and larger than its reward is a
*dissatisfier* (a basic expectation: nobody praises it, but failing it
costs); one whose reward is significant and larger is a *delighter*; both
significant and alike, a *performance* attribute; neither, *neutral*.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(2)
>>> X = pd.DataFrame(rng.integers(1, 6, size=(600, 2)).astype(float), columns=["deadlines", "ideas"])
>>> X["nps"] = 7 - 3 * (X["deadlines"] <= 2) + 2 * (X["ideas"] == 5) + rng.normal(size=600)
>>> pr = penalty_reward(X, "nps", ["deadlines", "ideas"])
>>> pr.set_index("driver")["kind"].to_dict()
{'deadlines': 'dissatisfier', 'ideas': 'delighter'}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlab.errors import DataError, NotFoundError, ParameterError

__all__ = ["penalty_reward", "KINDS", "KIND_LABELS"]

KINDS = ("dissatisfier", "delighter", "performance", "neutral", "not_estimated")
KIND_LABELS = {
    "dissatisfier": {"ru": "Базовое ожидание (наказывает за провал)", "en": "Dissatisfier (basic expectation)"},
    "delighter": {"ru": "Источник восторга (награда за отличное)", "en": "Delighter (rewards excellence)"},
    "performance": {"ru": "Линейный (и наказывает, и награждает)", "en": "Performance (penalises and rewards)"},
    "neutral": {"ru": "Без значимого влияния", "en": "No significant effect"},
    "not_estimated": {
        "ru": "Не оценено (мало оценок в средней полосе)",
        "en": "Not estimated (too few middle ratings)",
    },
}


def penalty_reward(
    data: pd.DataFrame,
    outcome: str,
    drivers,
    *,
    low=None,
    high=None,
    scale=(1, 5),
    cluster: str | None = None,
    confidence: float = 0.95,
    min_cell: int = 5,
) -> pd.DataFrame:
    """Penalty and reward of each attribute, with intervals and a classification.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    outcome : str
        ``"nps"`` (0-10) or ``"overall"``; penalties and rewards are in its units.
    drivers : list of str
        Attribute rating columns.
    low, high : sequence of numbers, optional
        Ratings counted as low / high; default the bottom two and the top
        value of ``scale``.
    scale : (min, max)
    cluster : str, optional
        Column for cluster-robust standard errors (``"client_id"``).
    confidence : float
    min_cell : int
        A band with fewer respondents than this is not estimated (its
        dummy is left out and its penalty or reward is NaN); with a middle
        band that thin the attribute is not estimated at all
        (``kind = "not_estimated"``).

    Returns
    -------
    DataFrame
        One row per driver: ``driver, n, n_low, n_high, share_low,
        share_high, penalty, penalty_ci_low, penalty_ci_high, penalty_p,
        reward, reward_ci_low, reward_ci_high, reward_p, kind, method``,
        sorted by penalty (largest first).
    """
    import statsmodels.api as sm

    drivers = list(drivers)
    missing_cols = [c for c in [outcome] + drivers if c not in data.columns]
    if missing_cols:
        raise NotFoundError(f"columns not in data: {missing_cols}", kind="column", key=missing_cols)
    lo_s, hi_s = int(scale[0]), int(scale[1])
    low = tuple(low) if low is not None else (lo_s, lo_s + 1)
    high = tuple(high) if high is not None else (hi_s,)
    if set(low) & set(high):
        raise ParameterError(f"low {low} and high {high} overlap", parameter="low", value=low)
    cols = [outcome] + drivers + ([cluster] if cluster else [])
    frame = data[cols].dropna(subset=[outcome] + drivers)
    n = len(frame)
    if n < 2 * len(drivers) + 2:
        raise DataError(
            f"{n} complete rows for {len(drivers)} drivers: too few for penalty-reward analysis "
            f"(needs more than {2 * len(drivers) + 1})",
            columns=[outcome] + drivers,
        )
    design = {}
    counts = {}
    for d in drivers:
        x = frame[d].to_numpy(dtype=float)
        is_low, is_high = np.isin(x, low), np.isin(x, high)
        counts[d] = (int(is_low.sum()), int(is_high.sum()))
        if (~is_low & ~is_high).sum() < min_cell:
            continue  # no reference band to measure a penalty or a reward against
        if is_low.sum() >= min_cell:
            design[(d, "low")] = is_low.astype(float)
        if is_high.sum() >= min_cell:
            design[(d, "high")] = is_high.astype(float)
    X = pd.DataFrame({f"{d}|{band}": v for (d, band), v in design.items()}, index=frame.index)
    X = sm.add_constant(X, has_constant="add")
    y = frame[outcome].to_numpy(dtype=float)
    model = sm.OLS(y, X)
    if cluster:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(frame[cluster])[0]})
    else:
        fit = model.fit()
    ci = fit.conf_int(alpha=1 - confidence)
    alpha = 1 - confidence
    rows = []
    for d in drivers:
        row = {
            "driver": d,
            "n": n,
            "n_low": counts[d][0],
            "n_high": counts[d][1],
            "share_low": counts[d][0] / n,
            "share_high": counts[d][1] / n,
        }
        for band, name, sign in (("low", "penalty", -1.0), ("high", "reward", 1.0)):
            key = f"{d}|{band}"
            if key in fit.params.index:
                est = sign * fit.params[key]
                bounds = sorted([sign * ci.loc[key, 0], sign * ci.loc[key, 1]])
                row.update(
                    {
                        name: est,
                        f"{name}_ci_low": bounds[0],
                        f"{name}_ci_high": bounds[1],
                        f"{name}_p": fit.pvalues[key],
                    }
                )
            else:
                row.update({name: np.nan, f"{name}_ci_low": np.nan, f"{name}_ci_high": np.nan, f"{name}_p": np.nan})
        rows.append(row)
    out = pd.DataFrame(rows)
    out["kind"] = [_kind(r, alpha) for r in out.itertuples()]
    se_kind = "cluster-robust SE by " + cluster if cluster else "OLS SE"
    out["method"] = (
        f"penalty-reward: OLS of {outcome} on low ({'/'.join(map(str, low))}) and high "
        f"({'/'.join(map(str, high))}) dummies of every attribute, middle as reference; {se_kind}"
    )
    return out.sort_values("penalty", ascending=False, na_position="last").reset_index(drop=True)


def _kind(r, alpha: float) -> str:
    if np.isnan(r.penalty) and np.isnan(r.reward) and (r.n_low or r.n_high):
        return "not_estimated"
    pen_sig = (r.penalty_p < alpha) and r.penalty > 0
    rew_sig = (r.reward_p < alpha) and r.reward > 0
    if pen_sig and rew_sig:
        # Both matter: call it asymmetric only when one clearly outweighs the other.
        if r.penalty > 2 * r.reward:
            return "dissatisfier"
        if r.reward > 2 * r.penalty:
            return "delighter"
        return "performance"
    if pen_sig:
        return "dissatisfier"
    if rew_sig:
        return "delighter"
    return "neutral"
