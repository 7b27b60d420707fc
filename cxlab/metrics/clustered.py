"""NPS for B2B data, where several contacts answer for the same client account.

Two different questions, two named figures, never mixed up:

* respondent-level NPS (:func:`nps_clustered`): every contact counts once, as
  in :func:`~cxlab.metrics.nps`, but the standard error respects that
  contacts of one account resemble each other;
* account-level NPS (:func:`nps_account`, :func:`nps_revenue_weighted`):
  every account counts once (or by its revenue), whatever the number of
  contacts who answered.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TypeAlias, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxlab.errors import DataError
from cxlab.stats.intervals import check_confidence, t_critical, z_critical

from ._result import Estimate
from ._validate import Values, aligned, as_series, nps_scores, show
from .nps import nps_from_counts

__all__ = ["nps_clustered", "nps_account", "nps_revenue_weighted"]

#: Revenue per account (a dict, or a Series indexed by account id) or per answer (array-like).
Revenue: TypeAlias = "Mapping[Hashable, float] | pd.Series | npt.ArrayLike"

ACCOUNT_RULE = (
    "each account counts once, valued at the mean of its respondents' net "
    "scores (+100 promoter, 0 passive, -100 detractor), so one promoter and "
    "one detractor count 0; NPS = mean over accounts"
)


def _net_and_groups(
    scores: Values, groups: Values, name: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.intp], pd.Index]:
    """Net scores and integer group codes of the answered rows."""
    num = nps_scores(as_series(scores))
    g = aligned(groups, num, name, strict_index=isinstance(scores, pd.Series))
    keep = num.notna().to_numpy()
    g = g[keep]
    if g.isna().any():
        label = g.index[np.flatnonzero(g.isna().to_numpy())[0]]
        raise DataError(f"{name} is missing for the answer at index {show(label)}")
    v = num.to_numpy()[keep]
    net = np.where(v >= 9, 100.0, np.where(v >= 7, 0.0, -100.0))
    codes, uniques = pd.factorize(g, sort=True)
    return net, v, codes, uniques


def _clip(x: float) -> float:
    return float(np.clip(x, -100.0, 100.0)) if not math.isnan(x) else math.nan


def nps_clustered(scores: Values, clusters: Values, confidence: float = 0.95) -> Estimate:
    """Respondent-level NPS with a cluster-robust (design-based) standard error.

    The estimate is the ordinary NPS (the mean of net scores +100/0/-100 over
    respondents).  Its variance is the Taylor-linearisation variance of a
    mean under one-stage cluster sampling:

        Var = C/(C-1) * sum_c (sum_{i in c} (s_i - s_bar))^2 / n^2

    with C clusters and n respondents; the interval is normal (z).

    Parameters
    ----------
    scores : Series or array-like
        0-10 answers; missing answers are dropped.
    clusters : Series or array-like
        Account id of each answer, aligned with ``scores`` (same length; a
        Series must have the same index).
    confidence : float, default 0.95

    Returns
    -------
    Estimate
        ``metric="nps"``; ``extra`` has ``clusters``, ``design_effect``,
        ``se_srs`` and the category counts.  The design effect is the
        clustered variance over the simple-random-sampling variance of the
        same mean, i.e. the trinomial variance times n/(n-1) (the same
        small-sample factor as the C/(C-1) above), so it is exactly 1 when
        every cluster holds one respondent.

    Examples
    --------
    >>> e = nps_clustered([10, 9, 3, 8, 10, 0], ["a", "a", "b", "b", "c", "c"])
    >>> round(e.estimate, 4), e.extra["clusters"]
    (16.6667, 3)
    """
    check_confidence(confidence)
    net, v, codes, uniques = _net_and_groups(scores, clusters, "clusters")
    n, C = int(net.size), len(uniques)
    P, A, D = int((v >= 9).sum()), int(((v >= 7) & (v < 9)).sum()), int((v < 7).sum())
    trinomial = nps_from_counts(P, A, D, confidence=confidence).iloc[0]
    if n == 0:
        est = se = math.nan
    else:
        est = float(net.mean())
        totals = np.bincount(codes, weights=net - est, minlength=C)
        se = math.sqrt(C / (C - 1) * np.sum(totals**2) / n**2) if C > 1 else math.nan
    var_srs = trinomial["se"] ** 2 * n / (n - 1) if n > 1 else math.nan
    deff = se**2 / var_srs if var_srs > 0 else math.nan
    z = z_critical(confidence)
    return Estimate(
        metric="nps",
        estimate=est,
        ci_low=_clip(est - z * se),
        ci_high=_clip(est + z * se),
        se=se,
        n=n,
        confidence=confidence,
        method=(
            "NPS (respondent level), cluster-robust SE (Taylor linearisation, one-stage "
            "cluster sampling, C/(C-1) factor), normal interval (z)"
        ),
        extra={
            "clusters": C,
            "design_effect": deff,
            "se_srs": math.sqrt(var_srs) if var_srs >= 0 else math.nan,
            "promoters": P,
            "passives": A,
            "detractors": D,
        },
    )


def _account_values(scores: Values, accounts: Values) -> tuple[pd.Series, pd.Series]:
    """Mean net score and number of respondents per account."""
    net, _, codes, uniques = _net_and_groups(scores, accounts, "accounts")
    C = len(uniques)
    size = np.bincount(codes, minlength=C)
    value = np.bincount(codes, weights=net, minlength=C) / np.maximum(size, 1)
    index = pd.Index(uniques, name="account")
    return pd.Series(value, index=index, name="value"), pd.Series(size, index=index)


def nps_account(scores: Values, accounts: Values, confidence: float = 0.95) -> Estimate:
    """Account-level NPS: every account counts once.

    Rule: each account counts once; its value is the mean of its respondents'
    net scores (+100 promoter, 0 passive, -100 detractor), so an account with
    one promoter and one detractor counts 0; the NPS is the mean of these
    values over accounts.  The interval comes from the between-account
    variance: SE = sd/sqrt(C), Student t with C - 1 degrees of freedom.

    Parameters
    ----------
    scores : Series or array-like
        0-10 answers; missing answers are dropped (an account whose answers
        are all missing drops out).
    accounts : Series or array-like
        Account id of each answer, aligned with ``scores``.
    confidence : float, default 0.95

    Returns
    -------
    Estimate
        ``metric="nps_account"``, ``n`` = number of accounts; ``extra`` has
        ``respondents``.

    Examples
    --------
    >>> nps_account([10, 0, 9], ["a", "a", "b"]).estimate
    50.0
    """
    check_confidence(confidence)
    values, size = _account_values(scores, accounts)
    a = values.to_numpy()
    C = int(a.size)
    est = float(a.mean()) if C else math.nan
    se = float(a.std(ddof=1) / math.sqrt(C)) if C > 1 else math.nan
    half = t_critical(confidence, C - 1) * se
    return Estimate(
        metric="nps_account",
        estimate=est,
        ci_low=_clip(est - half),
        ci_high=_clip(est + half),
        se=se,
        n=C,
        confidence=confidence,
        method=(f"Account-level NPS: {ACCOUNT_RULE}; Student t interval on the between-account variance (df = C - 1)"),
        extra={"respondents": int(size.sum())},
    )


def _account_revenue(revenue: Revenue, scores: Values, accounts: Values, values: pd.Series) -> npt.NDArray[np.float64]:
    if isinstance(revenue, Mapping):
        revenue = pd.Series(dict(revenue), dtype=float)
    if isinstance(revenue, pd.Series):
        if isinstance(scores, pd.Series):
            per_answer = revenue.index.equals(scores.index)
        else:
            # Positional per-answer figures carry no account ids in their index.
            per_answer = len(revenue) == len(as_series(scores)) and not values.index.isin(revenue.index).any()
        by_account = not per_answer
        if by_account and not revenue.index.is_unique:
            raise DataError("revenue indexed by account id has duplicate accounts")
    else:
        by_account = False
    if by_account:
        w = pd.to_numeric(revenue, errors="coerce").reindex(values.index)
    else:
        # One revenue figure per answer: it must be the same for every answer of an account.
        num = nps_scores(as_series(scores))
        strict = isinstance(scores, pd.Series)
        rev = pd.to_numeric(aligned(revenue, num, "revenue", strict), errors="coerce")
        acc = aligned(accounts, num, "accounts", strict)
        keep = num.notna()
        frame = pd.DataFrame({"account": acc[keep].to_numpy(), "revenue": rev[keep].to_numpy()})
        spread = frame.groupby("account")["revenue"].agg(["min", "max"])
        varies = spread.index[spread["min"] != spread["max"]]
        if len(varies):
            raise DataError(
                f"revenue differs between answers of account {show(varies[0])}; "
                "pass one figure per account (a Series indexed by account id)"
            )
        w = spread["min"].reindex(values.index)
    if w.isna().any():
        raise DataError(f"no revenue for account {show(w.index[w.isna().to_numpy()][0])}")
    w = w.to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise DataError("revenue must be finite and >= 0")
    return cast("npt.NDArray[np.float64]", w)


def nps_revenue_weighted(scores: Values, accounts: Values, revenue: Revenue, confidence: float = 0.95) -> Estimate:
    """Account-level NPS weighted by account revenue.

    Account values a_c are as in :func:`nps_account` (mean net score of the
    account's respondents).  The estimate is the ratio
    R = sum_c w_c a_c / sum_c w_c with w_c the account's revenue, and its
    linearised variance is C/(C-1) * sum_c w_c^2 (a_c - R)^2 / (sum_c w_c)^2;
    the interval is normal (z).

    Parameters
    ----------
    scores : Series or array-like
        0-10 answers; missing answers are dropped.
    accounts : Series or array-like
        Account id of each answer, aligned with ``scores``.
    revenue : dict, Series or array-like
        Either one figure per account -- a dict, or a Series indexed by
        account id (entries for accounts without answers are ignored; an
        answered account without revenue is an error) -- or one figure per
        answer: a list/array of the same length as ``scores``, or a Series with
        the same index as ``scores`` (e.g. a column of the responses frame).
        Per-answer figures must be equal for all answers of an account.  When
        ``scores`` is not a Series, a Series of the same length whose index
        holds none of the account ids is read as per answer.  Accounts with
        revenue 0 carry no weight and are not counted in ``n``.
    confidence : float, default 0.95

    Returns
    -------
    Estimate
        ``metric="nps_revenue_weighted"``, ``n`` = accounts with positive
        revenue; ``extra`` has ``respondents``, ``effective_n`` (Kish:
        (sum w)^2 / sum w^2), ``total_revenue`` and ``zero_revenue_accounts``.

    Examples
    --------
    >>> e = nps_revenue_weighted([10, 0, 9], ["a", "a", "b"], {"a": 1.0, "b": 3.0})
    >>> e.estimate
    75.0
    """
    check_confidence(confidence)
    values, size = _account_values(scores, accounts)
    w_all = _account_revenue(revenue, scores, accounts, values)
    positive = w_all > 0
    a, w = values.to_numpy()[positive], w_all[positive]
    C = int(a.size)
    if C == 0:
        est = se = eff = math.nan
    else:
        total = w.sum()
        est = float(np.sum(w * a) / total)
        se = math.sqrt(C / (C - 1) * np.sum(w**2 * (a - est) ** 2) / total**2) if C > 1 else math.nan
        eff = float(total**2 / np.sum(w**2))
    z = z_critical(confidence)
    return Estimate(
        metric="nps_revenue_weighted",
        estimate=est,
        ci_low=_clip(est - z * se),
        ci_high=_clip(est + z * se),
        se=se,
        n=C,
        confidence=confidence,
        method=(
            "Revenue-weighted account NPS: ratio \u03a3 w_c\u00b7a_c / \u03a3 w_c, a_c = mean "
            "net score of the account's respondents, w_c = account revenue; linearised "
            "SE with C/(C-1) factor; normal interval (z)"
        ),
        extra={
            "respondents": int(size.to_numpy()[positive].sum()),
            "effective_n": eff,
            "total_revenue": float(w.sum()),
            "zero_revenue_accounts": int((~positive).sum()),
        },
    )
