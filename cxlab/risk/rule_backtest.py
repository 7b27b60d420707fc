"""What the early-warning rules were worth: precision and recall against the churn that followed.

:func:`backtest_rules` runs the rules on every past client-wave whose
12-month outcome is known and reports each rule's precision and recall
against the churn that followed (Wilson intervals), so a user sees how much
each flag is worth.

Examples
--------
>>> from cxlab.summary import SurveyData                      # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                      # doctest: +SKIP
>>> backtest_rules(data)[["rule", "n_flagged", "precision", "recall", "lift"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math

import pandas as pd

from cxlab.errors import ParameterError
from cxlab.risk._common import _check_lang, _known_waves
from cxlab.risk.features import churn_labels, client_waves
from cxlab.risk.rule_config import _ANY, _ANY_NAME, RULES, RuleConfig
from cxlab.risk.rules import flag_panel
from cxlab.stats.intervals import wilson

__all__ = [
    "BACKTEST_COLUMNS",
    "rule_performance",
    "backtest_rules",
]


#: Columns of :func:`backtest_rules` and :func:`rule_performance`.
BACKTEST_COLUMNS = [
    "rule",
    "rule_name",
    "n_rows",
    "n_flagged",
    "flag_rate",
    "n_churned",
    "flagged_churned",
    "precision",
    "precision_ci_low",
    "precision_ci_high",
    "recall",
    "recall_ci_low",
    "recall_ci_high",
    "base_rate",
    "lift",
    "n_clients_churned",
    "n_churn_events",
    "confidence",
    "method",
]


# --------------------------------------------------------------------------- backtest
def _method(confidence: float, horizon_months=None) -> str:
    h = f"{horizon_months:g}-month " if horizon_months is not None else ""
    return (
        f"client-waves with a known {h}churn outcome; precision = share churned among flagged rows, recall = "
        f"share flagged among churned rows, each with a {100 * confidence:g}% Wilson score interval "
        "(statsmodels proportion_confint, method='wilson'); base rate = share churned among all rows; "
        "lift = precision / base rate. Rows of one client in consecutive waves overlap (one churn counts in "
        "several rows), so the intervals are optimistic."
    )


def rule_performance(
    flags: pd.DataFrame, *, rules=None, confidence: float = 0.95, lang: str = "en", horizon_months=None
) -> pd.DataFrame:
    """Precision and recall of boolean flags against a churn outcome, with Wilson intervals.

    Parameters
    ----------
    flags : DataFrame
        One row per client-wave: ``client_id``, ``churned_12m`` (1/0; rows
        with NaN are dropped as censored), optionally ``churn_date``, and a
        boolean column per rule (as from :func:`flag_panel`).
    rules : list of str, optional
        Flag columns to assess (default: the columns of :data:`RULES` and
        ``any_rule`` present).
    confidence : float, default 0.95
    lang : {"en", "ru"}
        Language of ``rule_name``.

    Returns
    -------
    DataFrame
        :data:`BACKTEST_COLUMNS`, one row per rule: ``n_rows`` (known
        outcome), ``n_flagged``, ``flag_rate``, ``n_churned`` (churned rows),
        ``flagged_churned``, ``precision`` = flagged_churned / n_flagged and
        ``recall`` = flagged_churned / n_churned with Wilson intervals,
        ``base_rate`` = n_churned / n_rows, ``lift`` = precision /
        base_rate, ``n_clients_churned`` (distinct churned clients the rule
        flagged in a row whose window held the churn), ``n_churn_events``
        (distinct churns among the rows: client and churn date), the
        confidence and the method.

    Examples
    --------
    >>> f = pd.DataFrame({"client_id": ["a", "b", "c", "d"], "churned_12m": [1.0, 0.0, 1.0, 0.0],
    ...                   "silence": [True, True, False, False]})
    >>> rule_performance(f)[["rule", "n_flagged", "precision", "recall", "lift"]].to_dict("records")
    [{'rule': 'silence', 'n_flagged': 2, 'precision': 0.5, 'recall': 0.5, 'lift': 1.0}]
    """
    _check_lang(lang)
    known = flags[flags["churned_12m"].notna()]
    if rules is None:
        rules = [c for c in list(RULES) + [_ANY] if c in flags]
    y = known["churned_12m"].astype(float).to_numpy() == 1
    n, n_churned = len(known), int(y.sum())
    base = n_churned / n if n else math.nan
    event_key = (
        known["client_id"].astype(str) + "|" + known["churn_date"].astype(str)
        if "churn_date" in known
        else known["client_id"].astype(str)
    )
    n_events = int(event_key[y].nunique())
    rows = []
    for rule in rules:
        f = known[rule].fillna(False).astype(bool).to_numpy()
        k_flag, k_both = int(f.sum()), int((f & y).sum())
        p_low, p_high = wilson(k_both, k_flag, confidence)
        r_low, r_high = wilson(k_both, n_churned, confidence)
        precision = k_both / k_flag if k_flag else math.nan
        name = _ANY_NAME[lang] if rule == _ANY else RULES.get(rule, {}).get("name", {}).get(lang, rule)
        rows.append(
            {
                "rule": rule,
                "rule_name": name,
                "n_rows": n,
                "n_flagged": k_flag,
                "flag_rate": k_flag / n if n else math.nan,
                "n_churned": n_churned,
                "flagged_churned": k_both,
                "precision": precision,
                "precision_ci_low": p_low,
                "precision_ci_high": p_high,
                "recall": k_both / n_churned if n_churned else math.nan,
                "recall_ci_low": r_low,
                "recall_ci_high": r_high,
                "base_rate": base,
                "lift": precision / base if base and not math.isnan(base) and not math.isnan(precision) else math.nan,
                "n_clients_churned": int(known.loc[f & y, "client_id"].nunique()),
                "n_churn_events": n_events,
                "confidence": confidence,
                "method": _method(confidence, horizon_months),
            }
        )
    return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)


def backtest_rules(
    data,
    *,
    config: RuleConfig | None = None,
    horizon_months: int = 12,
    waves=None,
    confidence: float = 0.95,
    lang: str = "en",
    panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What each rule was worth: precision and recall against the churn that followed, on past waves.

    Every client-wave whose ``horizon_months`` outcome is known (churned
    within the window, or stayed through a complete window:
    :func:`~cxlab.risk.features.churn_labels`) is flagged with what was
    known at its cutoff, then compared with the outcome.

    Rows of one client in consecutive waves overlap: with quarterly waves
    and a 12-month horizon the same churn counts in up to four rows, and a
    client flagged in several waves counts several times.  The rows are not
    independent, so the Wilson intervals are optimistic (too narrow);
    ``n_churn_events`` (distinct churns) and ``n_clients_churned`` (distinct
    churned clients a rule caught) show the independent evidence behind them.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
    config : RuleConfig, optional
    horizon_months : int, default 12
    waves : list of str, optional
        Assess only these waves' rows (their history is still used).
    confidence : float, default 0.95
    lang : {"en", "ru"}
        Language of ``rule_name``.
    panel : DataFrame, optional
        The panel of :func:`~cxlab.risk.features.churn_labels` with the same
        ``horizon_months``, already built from ``data`` (saves rebuilding it).

    Returns
    -------
    DataFrame
        :data:`BACKTEST_COLUMNS` (see :func:`rule_performance`), one row per
        enabled rule and ``any_rule`` (any enabled rule fired).  With no
        client-wave of known outcome, ``n_rows`` is 0, the rates NaN and
        ``attrs["message"]`` (``{"ru": ..., "en": ...}``) says why.

    Examples
    --------
    >>> bt = backtest_rules(data)                                          # doctest: +SKIP
    >>> bt[["rule", "n_flagged", "precision", "recall", "base_rate", "lift"]]  # doctest: +SKIP
    """
    _check_lang(lang)
    if not 0 < confidence < 1:
        raise ParameterError(
            f"confidence must be between 0 and 1, got {confidence}", parameter="confidence", value=confidence
        )
    config = config or RuleConfig()
    if panel is None:
        panel = churn_labels(data, client_waves(data), horizon_months=horizon_months)
    if waves is not None:
        waves = [waves] if isinstance(waves, str) else list(waves)
        unknown = [w for w in waves if w not in set(_known_waves(data))]
        if unknown:
            raise ParameterError(
                f"unknown waves {unknown}; known waves: {', '.join(map(str, _known_waves(data)))}",
                parameter="waves",
                value=unknown,
            )
        panel = panel[panel["wave_id"].isin(waves)]
    known = panel[panel["churned_12m"].notna()]
    rules = list(config.enabled) + [_ANY]
    if len(known):
        flags = flag_panel(known, config, data=data)
    else:
        flags = known[["client_id", "wave_id"]].assign(**{r: pd.Series(dtype=bool) for r in rules})
    flags = flags.join(known[["churned_12m", "churn_date"]])
    out = rule_performance(flags, rules=rules, confidence=confidence, lang=lang, horizon_months=horizon_months)
    if not len(known):
        out.attrs["message"] = {
            "ru": f"Нет пар клиент-волна с известным исходом за {horizon_months} мес.: данные охватывают меньше "
            f"{horizon_months} мес. после любой волны, и оттока за это время не было; точность и полнота "
            "правил пока не оцениваются.",
            "en": f"No client-wave has a known {horizon_months}-month outcome: the data covers less than "
            f"{horizon_months} months after any wave and no churn has been recorded since; the rules' "
            "precision and recall cannot be assessed yet.",
        }
    return out
