"""Partial pooling of group means: the statistics behind :func:`cxlab.drivers.manager_scores`.

- raw means of each group with a cluster-robust variance (clients as
  clusters, design effect floored at 1, a fallback for groups with one
  client);
- the fits: empirical Bayes (normal-normal, DerSimonian-Laird tau²) on the
  group means, or a mixed model (statsmodels MixedLM, REML) on the
  respondents, each with joint posterior draws of all groups;
- ranks over the draws, the probability of a positive effect, the size of
  the "top" group.

Every fit returns a dict with ``tau2, mu, var_mu, estimate, sd, effect,
effect_sd, shrinkage, draws, method`` for the groups shown.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from cxlab.errors import FitError


# --------------------------------------------------------------------------- raw means
def _group_stats(d: pd.DataFrame) -> pd.DataFrame:
    """n, clients, mean, SRS variance and the between-cluster variance of each group's mean."""
    grp = d.groupby("g", sort=True)["y"]
    out = pd.DataFrame({"n": grp.size(), "mean": grp.mean(), "s2": grp.var(ddof=1)})
    resid = d["y"] - d["g"].map(out["mean"])
    totals = resid.groupby([d["g"], d["c"]], sort=True).sum()
    out["clients"] = totals.groupby(level=0).size()
    ss = (totals**2).groupby(level=0).sum()
    C, n = out["clients"].astype(float), out["n"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["var_cr"] = np.where(C > 1, C / (C - 1) * ss / n**2, np.nan)
    return out


def _raw_variance(st: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Variance of each group's raw mean and whether it needed the fallback.

    Cluster-robust (between-client) variance, with the design effect floored
    at 1: contacts of one client resemble each other, so a variance below the
    simple-random-sampling one almost always means too few clients to
    estimate it, not a real gain.  A group with one client (or no spread at
    all) cannot estimate its own clustering: it gets the pooled within-group
    variance times the median design effect of the other groups.
    """
    dof = (st["n"] - 1).clip(lower=0)
    pooled = float((dof * st["s2"].fillna(0)).sum() / dof.sum()) if dof.sum() > 0 else math.nan
    own = (st["clients"] > 1) & (st["s2"] > 0)
    # A lone client's spread is only within-client spread: the pooled
    # within-group variance also holds the between-client part the design
    # effect is measured against.
    srs = st["s2"].where(own, pooled) / st["n"]
    deff = (st["var_cr"] / srs)[own]
    deff_med = max(1.0, float(deff.median())) if len(deff) else 1.0
    var = pd.Series(np.where(own, np.fmax(st["var_cr"], srs), deff_med * srs), index=st.index)
    return var, ~own


# --------------------------------------------------------------------------- estimators
def _eb(y: np.ndarray, v: np.ndarray) -> dict:
    """Normal-normal empirical Bayes: DL tau², precision-weighted mu, posterior moments."""
    from statsmodels.stats.meta_analysis import combine_effects

    k = len(y)
    if k == 1:
        tau2, mu, var_mu = 0.0, float(y[0]), float(v[0])
    elif not (v > 0).all():
        # No answer varies inside any group: the means are known exactly and
        # all of their spread is between groups.
        tau2, mu = float(np.var(y, ddof=1)), float(np.mean(y))
        var_mu = tau2 / k
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            # Its random-effects part divides by v + tau² even when tau² < 0;
            # that part is discarded below in that case.
            res = combine_effects(y, v, method_re="dl")
        # statsmodels does not truncate the DerSimonian-Laird moment estimate:
        # a negative tau² means "no spread beyond chance", i.e. the fixed-effect fit.
        if res.tau2 > 0:
            tau2, mu, var_mu = float(res.tau2), float(res.mean_effect_re), float(res.var_eff_w_re)
        else:
            tau2, mu, var_mu = 0.0, float(res.mean_effect_fe), float(res.var_eff_w_fe)
    with np.errstate(invalid="ignore", divide="ignore"):
        B = np.where(tau2 + v > 0, tau2 / (tau2 + v), 0.0)
    return {
        "tau2": tau2,
        "mu": mu,
        "var_mu": var_mu,
        "B": B,
        "estimate": mu + B * (y - mu),
        # mu is itself estimated: its variance reaches each group through (1 - B).
        "sd": np.sqrt(B * v + (1 - B) ** 2 * var_mu),
        "effect": B * (y - mu),
        "effect_sd": np.sqrt(B * v + B**2 * var_mu),
        "shrinkage": 1 - B,
    }


def _eb_draws(fit: dict, y: np.ndarray, v: np.ndarray, n_draws: int, rng) -> np.ndarray:
    """Joint posterior draws: one mu per draw, then each group given mu."""
    mu = rng.normal(fit["mu"], math.sqrt(fit["var_mu"]), size=(n_draws, 1))
    B = fit["B"]
    return mu + B * (y - mu) + np.sqrt(B * v) * rng.standard_normal((n_draws, len(y)))


def _design(d: pd.DataFrame, adjust_for: list) -> tuple[str, pd.DataFrame]:
    """Formula terms for the case-mix columns (categorical unless numeric)."""
    terms = []
    for i, col in enumerate(adjust_for):
        name = f"a{i}"
        x = d[col]
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            # Centred so the intercept stays near the agency's mean.
            d[name] = x.astype(float) - x.astype(float).mean()
            terms.append(name)
        else:
            d[name] = x.astype(str)
            terms.append(f"C({name})")
    return "y ~ 1" + "".join(f" + {t}" for t in terms), d


def _mixedlm(d: pd.DataFrame, adjust_for: list) -> dict:
    """Random intercept per group, client variance component within group (REML).

    Raises RuntimeError when the fit fails or does not converge.
    """
    import statsmodels.formula.api as smf

    formula, d = _design(d.copy(), adjust_for)
    d["c"] = d["c"].astype(str)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = smf.mixedlm(formula, d, groups=d["g"], re_formula="1", vc_formula={"client": "0 + C(c)"})
            res = model.fit(reml=True)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise FitError(f"MixedLM failed: {exc}") from exc
    k_fe = model.k_fe
    cov_fe = np.asarray(res.cov_params())[:k_fe, :k_fe]
    # The pooled mean is read at the agency's average case mix, not at the
    # reference category of each adjustment.
    xbar = np.asarray(model.exog).mean(axis=0)
    mu = float(xbar @ np.asarray(res.fe_params))
    var_mu = float(xbar @ cov_fe @ xbar)
    tau2 = float(np.asarray(res.cov_re)[0, 0])
    groups = list(res.random_effects)
    # "Group" is statsmodels' name for the random intercept; the rest are clients.
    blup = np.array([float(res.random_effects[g]["Group"]) for g in groups])
    cond = np.array([float(res.random_effects_cov[g].loc["Group", "Group"]) for g in groups])
    if not res.converged or not all(np.isfinite([mu, var_mu, tau2])) or not np.isfinite(blup).all():
        msgs = "; ".join(sorted({str(w.message) for w in caught})) or "no convergence"
        raise FitError(f"MixedLM did not converge ({msgs})")
    return {
        "tau2": max(tau2, 0.0),
        "mu": mu,
        "var_mu": var_mu,
        "blup": pd.Series(blup, index=groups),
        "cond": pd.Series(np.clip(cond, 0, None), index=groups),
        "scale": float(res.scale),
        "vc": float(np.asarray(res.vcomp)[0]) if len(res.vcomp) else math.nan,
    }


def _fit_eb(y: np.ndarray, v: np.ndarray, n_draws: int, rng) -> dict:
    """Empirical Bayes fit of the shown groups, with their joint draws."""
    method = (
        "empirical Bayes partial pooling (normal-normal, DerSimonian-Laird tau², "
        "cluster-robust SE by client, design effect floored at 1); ranks from "
        f"{n_draws} posterior draws"
    )
    if not len(y):
        empty = np.array([])
        return {
            "tau2": math.nan,
            "mu": math.nan,
            "var_mu": math.nan,
            "estimate": empty,
            "sd": empty,
            "effect": empty,
            "effect_sd": empty,
            "shrinkage": empty,
            "draws": np.empty((n_draws, 0)),
            "method": method,
        }
    fit = _eb(y, v)
    return dict(fit, draws=_eb_draws(fit, y, v, n_draws, rng), method=method)


def _fit_mixedlm(d: pd.DataFrame, names: pd.Index, by: str, adjust_for: list, n_draws: int, rng, remarks: list) -> dict:
    """Mixed-model fit on all respondents, figures for the shown groups (RuntimeError if it fails)."""
    if adjust_for:
        dropped = int(d[adjust_for].isna().any(axis=1).sum())
        if dropped:
            remarks.append(f"{dropped} answers with a missing adjustment column were left out of the model.")
        d = d.dropna(subset=adjust_for)
    if d["g"].nunique() < 2:
        raise FitError(f"MixedLM needs at least two {by} groups", columns=[by])
    m = _mixedlm(d, adjust_for)
    tau2, mu, var_mu = m["tau2"], m["mu"], m["var_mu"]
    blup = m["blup"].reindex(names).to_numpy(float)
    cond = m["cond"].reindex(names).to_numpy(float)
    # statsmodels' conditional variance treats the fixed part as known.  Its
    # own variance reaches a group as in the normal-normal model: times the
    # share pulled to the mean for the estimate, the share kept for the effect.
    # The draws share one fixed part across groups, so ranks are drawn jointly.
    shrink = np.clip(cond / tau2, 0, 1) if tau2 > 0 else np.ones(len(names))
    mu_draw = rng.normal(mu, math.sqrt(var_mu), size=(n_draws, 1))
    draws = mu + blup + shrink * (mu_draw - mu) + np.sqrt(cond) * rng.standard_normal((n_draws, len(names)))
    adj = f", fixed effects for {', '.join(adjust_for)} (estimate at the average case mix)" if adjust_for else ""
    method = (
        f"mixed model partial pooling (statsmodels MixedLM, REML: random intercept per "
        f"{by}, variance component for client within {by}{adj}; estimate = fixed part + "
        "BLUP, interval from the conditional variance of the random effect plus the "
        "fixed part's variance times the squared shrinkage); ranks from "
        f"{n_draws} posterior draws"
    )
    return {
        "tau2": tau2,
        "mu": mu,
        "var_mu": var_mu,
        "estimate": mu + blup,
        "sd": np.sqrt(cond + shrink**2 * var_mu),
        "effect": blup,
        "effect_sd": np.sqrt(cond + (1 - shrink) ** 2 * var_mu),
        # In the normal-normal model posterior variance / tau² = 1 - B: the same reading.
        "shrinkage": shrink,
        "draws": draws,
        "method": method,
    }


# --------------------------------------------------------------------------- ranks
def _rank_draws(draws: np.ndarray, rng) -> np.ndarray:
    """Rank of each group in each draw (1 = highest); exact ties broken at random."""
    tiebreak = rng.random(draws.shape)
    order = np.lexsort((tiebreak, -draws), axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, draws.shape[1] + 1)[None, :].repeat(len(draws), 0), axis=1)
    return ranks


def _prob_positive(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = stats.norm.cdf(mean / sd)
    # A point-mass posterior at exactly 0 (tau² = 0) is no evidence either way.
    return np.where(sd > 0, p, np.where(mean > 0, 1.0, np.where(mean < 0, 0.0, 0.5)))


def _top_k(k: int, share: float = 0.25) -> int:
    return max(1, math.ceil(share * k))
