"""Manager and team scores with partial pooling: a development tool, not a verdict.

A manager's raw mean score mixes what the manager does with who their clients
are, which services they run and plain chance: with 5 clients and 40
respondents a mean can sit a full point away from the manager's long-run level
by luck alone.  :func:`manager_scores` therefore pulls every group's mean
towards the agency's mean, the more so the less the group's own data say
(*partial pooling*, empirical Bayes or a mixed model), gives every estimate an
interval, and ranks groups only with a rank interval beside the rank.
:func:`~cxlab.drivers.profile.manager_profile` shows which relationship
attributes the clients of the best-scored managers rate differently, which is
what a team can learn from; :func:`manager_scores_over_waves` repeats the
scores wave by wave for trends.  The pooling itself (raw means, fits, draws,
ranks) is in :mod:`cxlab.drivers.pooling`.

Respondents are clustered within clients (several contacts of one account
resemble each other), so every standard error here treats clients, not
respondents, as the independent units.

Every result carries :data:`NOTE`: the figures are a development tool and
not a verdict on people.

Examples
--------
>>> from cxlab.summary import SurveyData                                     # doctest: +SKIP
>>> from cxlab.drivers.data import driver_frame                              # doctest: +SKIP
>>> frame, items = driver_frame(SurveyData.from_workspace(ws))               # doctest: +SKIP
>>> res = manager_scores(frame, outcome="net")                               # doctest: +SKIP
>>> print(res.summary(lang="ru"))                                            # doctest: +SKIP
>>> manager_profile(frame, items, scores=res)                                # doctest: +SKIP
"""

from __future__ import annotations

import math
import textwrap
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from cxlab._compat import moved
from cxlab.drivers.pooling import (
    _fit_eb,
    _fit_mixedlm,
    _group_stats,
    _prob_positive,
    _rank_draws,
    _raw_variance,
    _top_k,
)
from cxlab.errors import FallbackWarning, NotFoundError, ParameterError, ParameterTypeError
from cxlab.stats.intervals import check_confidence

__all__ = ["ManagerScores", "NOTE", "manager_scores", "manager_scores_over_waves"]


#: The label every manager table carries, in Russian and English.
NOTE: dict[str, str] = {
    "ru": (
        "Инструмент развития, а не оценка людей: различия между менеджерами отражают не "
        "только их работу, но и состав клиентов, услуги и случайность. Если интервалы "
        "пересекаются, данные не показывают различия. Используйте таблицу, чтобы понять, "
        "чему поучиться друг у друга, а не для решений о сотрудниках."
    ),
    "en": (
        "A development tool, not a verdict on people: differences between managers reflect "
        "their clients, services and chance as well as the manager. Overlapping intervals "
        "mean the data show no difference. Use the table to see what to learn from each "
        "other, not to make decisions about people."
    ),
}

#: Outcomes with a fixed reading; any other numeric column is read as "mean of <column>".
OUTCOME_LABELS: dict[str, str] = {
    "nps": (
        "mean likelihood to recommend (0-10 score); the mean of the score, not the NPS "
        "percentage, because a mean of a 0-10 score pools more cleanly than a difference "
        "of two shares"
    ),
    "net": (
        "NPS in points: mean net score per respondent (+100 promoter 9-10, 0 passive 7-8, "
        "-100 detractor 0-6), whose mean is the NPS"
    ),
    "overall": "mean overall satisfaction (1-5)",
    "price": "mean price perception (1 much too expensive .. 5 well below the market)",
}

METHODS = ("eb", "mixedlm")
CLUSTER = "client_id"

# What the fit gives each group (blank until it does).
_FITTED = [
    "estimate",
    "ci_low",
    "ci_high",
    "shrinkage",
    "effect",
    "effect_ci_low",
    "effect_ci_high",
    "rank",
    "rank_ci_low",
    "rank_ci_high",
    "p_top",
    "p_above_mean",
]
TABLE_COLUMNS = ["n", "clients", "raw_mean", "raw_se", *_FITTED, "suppressed", "se_fallback", "method"]
_RANKS = ["rank", "rank_ci_low", "rank_ci_high"]
# Figures blanked for a suppressed group (n and clients stay visible; ranks are handled apart).
_MASKED = ["raw_mean", "raw_se", *(c for c in _FITTED if c not in _RANKS)]


# --------------------------------------------------------------------------- result
@dataclass(repr=False)
class ManagerScores:
    """Pooled scores of managers (or teams) with intervals and rank intervals.

    Attributes
    ----------
    table : DataFrame
        One row per group, best first (suppressed groups last): the group
        column (named by ``by``), ``n`` (respondents with an answer),
        ``clients``, ``raw_mean``, ``raw_se`` (cluster-robust, clients as
        clusters), ``estimate`` (pooled), ``ci_low``, ``ci_high``,
        ``shrinkage`` (share of the raw deviation pulled to the mean, 0-1),
        ``effect`` (estimate - grand mean) with ``effect_ci_low`` and
        ``effect_ci_high``, ``rank`` (1 = highest estimate), ``rank_ci_low``,
        ``rank_ci_high``, ``p_top`` (probability of being in the top quarter),
        ``p_above_mean`` (probability that the effect is positive),
        ``suppressed`` (n < min_n: figures blanked, left out of the ranking),
        ``se_fallback`` (the raw SE could not come from the group's own
        clients, see :func:`manager_scores`) and ``method``.
    by : str
        Grouping column (``"manager"`` or ``"team"``).
    outcome : str
        Outcome scored.
    outcome_label : str
        What the outcome's figures mean.
    method : str
        Full name of the estimator, as in the table.
    tau : float
        Estimated between-group standard deviation on the outcome's scale.
    grand_mean : float
        The mean groups are pulled towards (precision-weighted mean of the
        groups for ``"eb"``; the fixed part at the agency's average case mix
        for ``"mixedlm"``).
    grand_mean_se : float
        Its standard error.
    note : str
        :data:`NOTE` in English followed by any remark on this fit (a model
        that fell back, groups without a cluster-robust SE...).
    remarks : list of str
        Those remarks alone.
    confidence : float
        Level of every interval.
    n_draws : int
        Posterior draws behind the rank intervals and ``p_top``.
    """

    table: pd.DataFrame
    by: str
    outcome: str
    outcome_label: str
    method: str
    tau: float
    grand_mean: float
    grand_mean_se: float
    note: str
    remarks: list = field(default_factory=list)
    confidence: float = 0.95
    n_draws: int = 4000

    def summary(self, lang: str = "en") -> str:
        """Readable report: fit, one line per group, the development-tool note.

        Parameters
        ----------
        lang : {"en", "ru"}
            Language of the note (figures and headings are the same).
        """
        if lang not in NOTE:
            raise ParameterError(f"lang must be one of {sorted(NOTE)}, got {lang!r}", parameter="lang", value=lang)
        width = 80
        pct = f"{100 * self.confidence:g}%"
        t = self.table
        shown = t[~t["suppressed"]]
        lines = [f"{self.by} scores (partial pooling)".center(width), "=" * width]
        rows = [
            ("Outcome:", f"{self.outcome}: {self.outcome_label}"),
            ("Groups:", f"{len(t)} ({int(t['suppressed'].sum())} suppressed)"),
            ("Respondents:", f"{int(t['n'].sum())}"),
            ("Grand mean:", f"{_fmt(self.grand_mean)} (se {_fmt(self.grand_mean_se)})"),
            ("Between sd:", f"{_fmt(self.tau)} (tau, {self.by}-to-{self.by} spread of true scores)"),
            ("Method:", self.method),
        ]
        for key, value in rows:
            lines += textwrap.wrap(
                str(value), width=width, initial_indent=f"{key:<14}", subsequent_indent=" " * 14
            ) or [key]
        lines.append("-" * width)
        name_w = max([len(str(g)) for g in t[self.by]] + [len(self.by)])
        name_w = min(name_w, 18)
        head = (
            f"{self.by[:name_w]:<{name_w}} {'n':>5} {'cl.':>4} {'raw':>7} {'pooled':>7} "
            f"{pct + ' CI':>15} {'rank':>4} {'rank CI':>8} {'P(top)':>6}"
        )
        lines += [head, "-" * width]
        for _, r in pd.concat([shown, t[t["suppressed"]]]).iterrows():
            name = str(r[self.by])[:name_w]
            if r["suppressed"]:
                lines.append(f"{name:<{name_w}} {int(r['n']):>5} {int(r['clients']):>4}   (suppressed: n < min_n)")
                continue
            ci = f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]"
            rci = f"{_int(r['rank_ci_low'])}-{_int(r['rank_ci_high'])}"
            lines.append(
                f"{name:<{name_w}} {int(r['n']):>5} {int(r['clients']):>4} "
                f"{_fmt(r['raw_mean']):>7} {_fmt(r['estimate']):>7} {ci:>15} "
                f"{_int(r['rank']):>4} {rci:>8} {_fmt(r['p_top']):>6}"
            )
        lines.append("-" * width)
        text = NOTE[lang] + ("" if not self.remarks else " " + " ".join(self.remarks))
        lines += textwrap.wrap(text, width=width)
        lines.append("=" * width)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        shown = int((~self.table["suppressed"]).sum())
        return (
            f"<ManagerScores by={self.by!r} outcome={self.outcome!r} groups={len(self.table)} "
            f"(ranked {shown}) tau={_fmt(self.tau)} grand_mean={_fmt(self.grand_mean)}>"
        )


def _fmt(x, digits: int = 2) -> str:
    return "nan" if x is None or pd.isna(x) else f"{float(x):.{digits}f}"


def _int(x) -> str:
    return "-" if x is None or pd.isna(x) else str(int(x))


# --------------------------------------------------------------------------- inputs
def _outcome(frame: pd.DataFrame, outcome: str) -> tuple[pd.Series, str]:
    """Outcome values per respondent and what they mean."""
    if outcome == "net":
        from cxlab.metrics import net_score

        if "nps" not in frame.columns:
            raise NotFoundError("outcome 'net' needs the 0-10 column 'nps'", kind="column", key="nps")
        return net_score(frame["nps"]).set_axis(frame.index), OUTCOME_LABELS["net"]
    if outcome not in frame.columns:
        raise NotFoundError(f"outcome column {outcome!r} not in the frame", kind="column", key=outcome)
    y = frame[outcome]
    if not (pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y)):
        raise ParameterTypeError(f"outcome column {outcome!r} is not numeric", parameter="outcome", value=str(y.dtype))
    return y.astype(float), OUTCOME_LABELS.get(outcome, f"mean of {outcome}")


def _respondents(frame: pd.DataFrame, by: str, outcome: str, extra=()) -> tuple[pd.DataFrame, str, list]:
    """Rows with an outcome and a group: columns g (group), c (client), y, plus ``extra``."""
    if by not in frame.columns:
        raise NotFoundError(f"grouping column {by!r} not in the frame", kind="column", key=by)
    if CLUSTER not in frame.columns:
        raise NotFoundError(
            f"the frame needs {CLUSTER!r}: clients are the clusters of every SE", kind="column", key=CLUSTER
        )
    y, label = _outcome(frame, outcome)
    # A fresh index: frames concatenated from several waves repeat labels,
    # which the mixed model's design would misalign.
    d = pd.DataFrame({"g": frame[by].to_numpy(), "c": frame[CLUSTER].to_numpy(), "y": y.to_numpy()})
    for col in extra:
        d[col] = frame[col].to_numpy()
    remarks = []
    no_group = d["g"].isna() & d["y"].notna()
    if no_group.any():
        remarks.append(f"{int(no_group.sum())} answers without a {by} were left out.")
    d = d[d["y"].notna() & d["g"].notna()].copy()
    # A respondent without a client id is their own cluster rather than a hidden link.
    missing = d["c"].isna()
    if missing.any():
        d.loc[missing, "c"] = [f"__respondent_{i}" for i in range(int(missing.sum()))]
    return d, label, remarks


# --------------------------------------------------------------------------- public
def manager_scores(
    frame: pd.DataFrame,
    by: str = "manager",
    outcome: str = "nps",
    *,
    method: str = "eb",
    min_n: int = 10,
    confidence: float = 0.95,
    n_draws: int = 4000,
    seed: int = 0,
    adjust_for=None,
) -> ManagerScores:
    """Pooled score of each manager (or team) with intervals and rank intervals.

    Each group's mean is pulled towards the agency's mean in proportion to how
    little its own data say, so a manager with 4 clients is not ranked first
    or last on luck.  Ranks come with rank intervals from joint posterior
    draws: a rank interval of 2-9 means the data cannot place the group.

    Parameters
    ----------
    frame : DataFrame
        One row per response, as from :func:`cxlab.drivers.data.driver_frame`:
        needs ``by``, ``client_id`` and the outcome column (``nps`` for
        ``"net"``).  Manager and team are as at the time of the response.
    by : str, default "manager"
        Grouping column (``"manager"``, ``"team"``...).
    outcome : str, default "nps"
        ``"nps"``: mean of the 0-10 recommend score (not the NPS percentage:
        a mean pools more cleanly); ``"net"``: net score per respondent
        (+100 / 0 / -100), whose mean is the NPS, to show a pooled NPS per
        manager; ``"overall"`` or any numeric column.  Higher is better.
    method : {"eb", "mixedlm"}, default "eb"
        ``"eb"``: empirical Bayes normal-normal model on the group means.
        For each group the raw mean and its cluster-robust SE (clients as
        clusters, ``se² = C/(C-1) * sum_c (sum_{i in c} (y_i - ybar))² / n²``,
        design effect floored at 1; a group with one client takes the pooled
        within-group variance times the median design effect of the others,
        flagged ``se_fallback``); between-group variance tau² by
        DerSimonian-Laird (statsmodels ``combine_effects``, truncated at 0);
        mu = precision-weighted mean; ``estimate = mu + B (ybar - mu)`` with
        ``B = tau² / (tau² + se²)``; posterior sd
        ``sqrt(B se² + (1 - B)² var(mu))``.  Only groups with ``n >= min_n``
        enter the fit.
        ``"mixedlm"``: statsmodels MixedLM (REML) on the respondents of all
        groups, ``outcome ~ 1 (+ adjust_for)``, a random intercept per group
        and a variance component for clients within the group.  ``estimate``
        = fixed part at the average case mix + the predicted random effect
        (BLUP); its variance is the conditional variance of the random
        effect given the data (``random_effects_cov``, which takes the fixed
        part as known) plus the fixed part's variance times the squared
        shrinkage, as in the normal-normal model.  The interval covers the
        group's true long-run level at the agency's average case mix (its
        clients' and respondents' noise averaged out), not the score of a
        future wave.  ``shrinkage`` = conditional variance / tau².  If the
        model fails or does not converge a warning is issued and ``"eb"`` is
        used instead (said in ``note``).
    min_n : int, default 10
        Groups with fewer answers keep their row and ``n`` but get NaN
        figures, ``suppressed=True``, and stay out of the ranking.
    confidence : float, default 0.95
        Level of the estimate, effect and rank intervals.
    n_draws : int, default 4000
        Joint posterior draws of all groups, for rank intervals and ``p_top``.
    seed : int, default 0
        Seed of the draws: the same seed gives the same ranks.
    adjust_for : list of str, optional
        Case-mix columns for ``"mixedlm"`` (e.g. ``["role", "segment"]``);
        text columns enter as categorical, numeric ones linearly (centred).

    Returns
    -------
    ManagerScores
        ``.table`` (one row per group, see :class:`ManagerScores`),
        ``.summary()``, ``.tau``, ``.grand_mean``, ``.method``, ``.note``.

    Notes
    -----
    ``rank`` is the competition rank of the pooled estimate (1 = best);
    ``rank_ci_low``/``rank_ci_high`` are the (1 - confidence)/2 and
    (1 + confidence)/2 quantiles of the ranks over the draws; ``p_top`` is
    the share of draws in which the group is among the top
    ``ceil(K / 4)`` of the K ranked groups; ``p_above_mean`` the posterior
    probability that the group's effect is above 0.  The draws hold the
    grand mean common to all groups, so ranks are drawn jointly.  With
    tau² = 0 the model sees no spread beyond chance: every estimate equals
    the grand mean and every rank interval spans all ranks.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "manager": ["A"] * 6 + ["B"] * 6 + ["C"] * 6,
    ...     "client_id": ["a1", "a1", "a2", "a2", "a3", "a3", "b1", "b1", "b2", "b2", "b3", "b3",
    ...                   "c1", "c1", "c2", "c2", "c3", "c3"],
    ...     "nps": [10, 9, 10, 10, 9, 8, 7, 8, 6, 7, 8, 9, 3, 5, 6, 4, 7, 5]})
    >>> res = manager_scores(frame, min_n=5)
    >>> res.table[["manager", "n", "raw_mean", "estimate", "rank"]].round(2)
      manager  n  raw_mean  estimate  rank
    0       A  6      9.33      9.25     1
    1       B  6      7.50      7.49     2
    2       C  6      5.00      5.15     3
    """
    confidence = check_confidence(confidence)
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}, got {method!r}", parameter="method", value=method)
    if not float(min_n).is_integer() or min_n < 0:
        raise ParameterError(f"min_n must be a whole number >= 0, got {min_n!r}", parameter="min_n", value=min_n)
    if int(n_draws) < 1:
        raise ParameterError("n_draws must be at least 1", parameter="n_draws", value=n_draws)
    n_draws = int(n_draws)
    adjust_for = [adjust_for] if isinstance(adjust_for, str) else list(adjust_for or [])
    if adjust_for and method != "mixedlm":
        raise ParameterError(
            "adjust_for needs method='mixedlm' (the empirical Bayes model has no covariates)",
            parameter="adjust_for",
            value=adjust_for,
        )
    missing = [c for c in adjust_for if c not in frame.columns]
    if missing:
        raise NotFoundError(f"adjust_for column(s) {missing} not in the frame", kind="column", key=missing)

    d, label, remarks = _respondents(frame, by, outcome, extra=adjust_for)
    st = _group_stats(d)
    shown = st["n"] >= min_n
    var, fallback = _raw_variance(st[shown])
    st["var"] = var.reindex(st.index)
    st["se_fallback"] = fallback.reindex(st.index).fillna(False).astype(bool)
    names = st.index[shown]
    y, v = st.loc[names, "mean"].to_numpy(float), st.loc[names, "var"].to_numpy(float)
    rng = np.random.default_rng(seed)

    fit = None
    if method == "mixedlm":
        try:
            fit = _fit_mixedlm(d, names, by, adjust_for, n_draws, rng, remarks)
        except RuntimeError as exc:
            lost = " without case-mix adjustment" if adjust_for else ""
            warnings.warn(
                f"manager_scores: the mixed model could not be used ({exc}); falling back "
                f"to empirical Bayes partial pooling{lost}.",
                FallbackWarning,
                stacklevel=2,
            )
            remarks.append(
                f"The mixed model could not be used ({exc}); empirical Bayes partial pooling was used instead{lost}."
            )
    if fit is None:
        fit = _fit_eb(y, v, n_draws, rng)
        if len(names) == 1:
            remarks.append(f"Only one {by} has n >= {min_n}: nothing to pool with; the estimate is its raw mean.")
    if st.loc[names, "se_fallback"].any():
        few = ", ".join(map(str, names[st.loc[names, "se_fallback"].to_numpy()]))
        remarks.append(
            f"One client only (or no spread) for {few}: their SE uses the pooled "
            "within-group variance times the median design effect."
        )

    z = float(stats.norm.ppf(0.5 + confidence / 2))
    alpha = 1 - confidence
    out = pd.DataFrame(index=st.index)
    out["n"] = st["n"].astype(int)
    out["clients"] = st["clients"].astype(int)
    out["raw_mean"] = st["mean"]
    out["raw_se"] = np.sqrt(st["var"])
    for col in _FITTED:
        out[col] = np.nan
    if len(names):
        est, sd, eff, esd = fit["estimate"], fit["sd"], fit["effect"], fit["effect_sd"]
        ranks = _rank_draws(fit["draws"], rng)
        k_top = _top_k(len(names))
        out.loc[names, "estimate"] = est
        out.loc[names, "ci_low"] = est - z * sd
        out.loc[names, "ci_high"] = est + z * sd
        out.loc[names, "shrinkage"] = fit["shrinkage"]
        out.loc[names, "effect"] = eff
        out.loc[names, "effect_ci_low"] = eff - z * esd
        out.loc[names, "effect_ci_high"] = eff + z * esd
        out.loc[names, "rank"] = stats.rankdata(-est, method="min")
        out.loc[names, "rank_ci_low"] = np.quantile(ranks, alpha / 2, axis=0, method="lower")
        out.loc[names, "rank_ci_high"] = np.quantile(ranks, 1 - alpha / 2, axis=0, method="higher")
        out.loc[names, "p_top"] = (ranks <= k_top).mean(axis=0)
        out.loc[names, "p_above_mean"] = _prob_positive(eff, esd)
    out["suppressed"] = ~shown.to_numpy()
    out.loc[out["suppressed"], _MASKED] = np.nan
    out["se_fallback"] = st["se_fallback"] & ~out["suppressed"]
    out["method"] = fit["method"]
    for col in _RANKS:
        out[col] = out[col].astype("Int64")
    out = out.rename_axis(by).reset_index()
    out = (
        out.assign(_s=out["suppressed"], _e=-out["estimate"])
        .sort_values(["_s", "_e", by], kind="stable")
        .drop(columns=["_s", "_e"])
        .reset_index(drop=True)
    )
    out = out[[by] + TABLE_COLUMNS]
    note = NOTE["en"] + ("" if not remarks else " " + " ".join(remarks))
    return ManagerScores(
        table=out,
        by=by,
        outcome=outcome,
        outcome_label=label,
        method=fit["method"],
        tau=_sqrt(fit["tau2"]),
        grand_mean=float(fit["mu"]),
        grand_mean_se=_sqrt(fit["var_mu"]),
        note=note,
        remarks=remarks,
        confidence=confidence,
        n_draws=n_draws,
    )


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else math.nan  # NaN stays NaN


def manager_scores_over_waves(frame: pd.DataFrame, by: str = "manager", outcome: str = "nps", **kw) -> pd.DataFrame:
    """Pooled scores wave by wave, stacked, for trend charts.

    Each wave is pooled on its own (:func:`manager_scores` on that wave's
    respondents), so a wave's figures do not borrow from other waves; with
    fewer respondents per wave, expect more shrinkage and wider intervals.

    Parameters
    ----------
    frame : DataFrame
        One row per response with a ``wave_id`` column.
    by, outcome : str
        As in :func:`manager_scores`.
    **kw
        Passed to :func:`manager_scores` (``method``, ``min_n``, ``seed``...).

    Returns
    -------
    DataFrame
        ``wave_id`` then the columns of :attr:`ManagerScores.table`, then the
        wave's ``grand_mean`` and ``tau``; waves in sorted order.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"wave_id": ["Q1"] * 6 + ["Q2"] * 6,
    ...                       "manager": ["A", "A", "A", "B", "B", "B"] * 2,
    ...                       "client_id": ["a1", "a2", "a3", "b1", "b2", "b3"] * 2,
    ...                       "nps": [9, 10, 8, 6, 7, 8, 10, 9, 9, 7, 6, 6]})
    >>> manager_scores_over_waves(frame, min_n=3)[["wave_id", "manager", "rank"]]
      wave_id manager  rank
    0      Q1       A     1
    1      Q1       B     2
    2      Q2       A     1
    3      Q2       B     2
    """
    if "wave_id" not in frame.columns:
        raise NotFoundError("the frame needs a 'wave_id' column", kind="column", key="wave_id")
    parts = []
    for wave in sorted(frame["wave_id"].dropna().unique()):
        res = manager_scores(frame[frame["wave_id"] == wave], by, outcome, **kw)
        part = res.table.copy()
        part.insert(0, "wave_id", wave)
        part["grand_mean"] = res.grand_mean
        part["tau"] = res.tau
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["wave_id", by, *TABLE_COLUMNS, "grand_mean", "tau"])
    return pd.concat(parts, ignore_index=True)


#: Names this module had before it was split, importable from here as before (see cxlab._compat).
__getattr__ = moved(
    __name__,
    {
        "manager_profile": "cxlab.drivers.profile",
    },
)
