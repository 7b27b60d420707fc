"""Early-warning rules: transparent flags for hidden crises, each with its evidence, and what they were worth.

Seven rules read the client × wave panel (:func:`cxlab.risk.features.client_waves`:
what was known about each client when a wave closed) and flag a client when

- ``score_drop``: its mean recommend score (0-10) fell since its last
  answered wave by more than the difference's interval allows;
- ``detractor_decision_maker``: a decision maker scored 6 or less;
- ``silence``: its contacts were reached this wave and nobody answered, or
  it has not answered for two waves running;
- ``divergence``: decision makers and the other contacts (day-to-day,
  marketing) differ by 3 points or more;
- ``price_risk``: prices seen as too high or poor value for money, together
  with a fall in the recommend score or overall satisfaction;
- ``key_attribute_drop``: responsiveness, deadlines or understanding of goals
  fell by a point or more (1-5);
- ``recent_events``: a manager change, complaint, scope cut or downsizing in
  the six months before the wave closed.

Every threshold is a field of :class:`RuleConfig`.

**The score-drop interval.**  A client has one to four respondents, too few
for an interval of its own.  The rule therefore borrows the spread of
individual scores *within* a client's wave from every client: the pooled
within-client-wave standard deviation

    sigma^2 = sum over client-waves of sum_i (x_i - mean)^2 / sum over client-waves of (n - 1)

over all waves up to and including the wave (nothing later).  Under "no
change" the difference of two means of n_now and n_prev respondents has
SE = sigma * sqrt(1/n_now + 1/n_prev); the rule fires when the fall exceeds
z * SE (z = 1.96, two-sided 95%) and is at least a minimum drop (1 point).
The same contacts usually answer in both waves, and their scores move
together, so the true SE tends to be smaller: the rule errs on the quiet side.

**Severity.**  ``high`` for the rules that say the relationship itself is
worse: score_drop, detractor_decision_maker, price_risk; ``medium`` for
signals that need a conversation to read: silence, divergence,
key_attribute_drop, recent_events (``RuleConfig.severity`` changes it).  A
client's severity is that of its most severe flag.

:func:`backtest_rules` runs the rules on every past client-wave whose
12-month outcome is known and reports each rule's precision and recall
against the churn that followed (Wilson intervals), so a user sees how much
each flag is worth.

Examples
--------
>>> from cxlab.summary import SurveyData                      # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                      # doctest: +SKIP
>>> early_warnings(data, "2026-Q3", lang="ru").head()          # doctest: +SKIP
>>> backtest_rules(data)[["rule", "n_flagged", "precision", "recall", "lift"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from cxlab.metrics.csat import wilson
from cxlab.risk.features import KEY_ATTRIBUTES, churn_labels, client_waves, wave_cutoffs

__all__ = [
    "RULES",
    "RuleConfig",
    "SEVERITIES",
    "DEFAULT_SEVERITY",
    "EVENT_KINDS",
    "WARNING_COLUMNS",
    "BACKTEST_COLUMNS",
    "flag_panel",
    "add_rule_inputs",
    "early_warnings",
    "rule_performance",
    "backtest_rules",
]

#: The rules, in the order they are listed: names and one-line definitions in Russian and English
#: (the definitions state the default thresholds of :class:`RuleConfig`).
RULES = {
    "score_drop": {
        "name": {"ru": "Падение оценки", "en": "Score drop"},
        "definition": {
            "ru": "Средняя оценка рекомендации клиента (0-10) упала с его прошлого ответа больше, чем допускает "
            "95% интервал разности (объединённое внутриклиентское стандартное отклонение), и не меньше "
            "минимального падения.",
            "en": "The client's mean recommend score (0-10) fell since its last answer by more than the 95% "
            "interval of the difference allows (pooled within-client SD) and by at least the minimum drop.",
        },
    },
    "detractor_decision_maker": {
        "name": {"ru": "Критик среди ЛПР", "en": "Detractor decision maker"},
        "definition": {
            "ru": "Хотя бы одно лицо, принимающее решения, поставило оценку рекомендации 6 или ниже.",
            "en": "At least one of the client's decision makers gave a recommend score of 6 or less.",
        },
    },
    "silence": {
        "name": {"ru": "Молчание", "en": "Silence"},
        "definition": {
            "ru": "Контакты клиента получили приглашение в этой волне и никто не ответил, или клиент не "
            "отвечает две волны подряд.",
            "en": "The client's contacts were reached this wave and nobody answered, or the client has not "
            "answered for two waves running.",
        },
    },
    "divergence": {
        "name": {"ru": "Расхождение ЛПР и контактов", "en": "Decision maker vs contacts gap"},
        "definition": {
            "ru": "Средние оценки рекомендации ЛПР и остальных контактов (контактное лицо, маркетинг) "
            "расходятся на 3 балла и больше.",
            "en": "The decision makers' and the other contacts' (day-to-day, marketing) mean recommend scores "
            "differ by 3 points or more.",
        },
    },
    "price_risk": {
        "name": {"ru": "Ценовой риск", "en": "Price risk"},
        "definition": {
            "ru": "Цены кажутся завышенными (2 и ниже из 5) или соотношение цены и качества низкое (2 и ниже), "
            "и при этом упала оценка рекомендации или общая удовлетворённость.",
            "en": "Prices seen as too high (2 or less of 5) or poor value for money (2 or less), together with "
            "a fall in the recommend score or overall satisfaction.",
        },
    },
    "key_attribute_drop": {
        "name": {"ru": "Падение ключевого атрибута", "en": "Key attribute drop"},
        "definition": {
            "ru": "Оценка скорости реакции, соблюдения сроков или понимания целей (1-5) упала на 1,5 балла и "
            "больше с прошлого ответа.",
            "en": "The rating of responsiveness, deadlines or understanding of goals (1-5) fell by 1.5 points "
            "or more since the last answer.",
        },
    },
    "recent_events": {
        "name": {"ru": "Недавние события", "en": "Recent events"},
        "definition": {
            "ru": "За 6 месяцев до закрытия волны сменился менеджер, была жалоба, сокращение объёма работ или бюджета.",
            "en": "A manager change, complaint, scope cut or downsizing in the 6 months before the wave closed.",
        },
    },
}

SEVERITIES = ("high", "medium")
#: Default severity of each rule (see the module docstring for why).
DEFAULT_SEVERITY = {
    "score_drop": "high",
    "detractor_decision_maker": "high",
    "price_risk": "high",
    "silence": "medium",
    "divergence": "medium",
    "key_attribute_drop": "medium",
    "recent_events": "medium",
}
#: Event kinds the recent-events rule watches by default.
EVENT_KINDS = ("manager_changed", "complaint", "scope_cut", "downsized")

#: Columns of :func:`early_warnings`.
WARNING_COLUMNS = ["wave_id", "client_id", "client", "rule", "rule_name", "severity", "evidence", "value", "threshold"]
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

_ANY = "any_rule"
_ANY_NAME = {"ru": "Любое правило", "en": "Any rule"}
_DECISION = "decision_maker"
# A month of the event window in days: 6 months = 183 days, the window the panel's *_6m counts use.
_MONTH_DAYS = 30.5


@dataclass
class RuleConfig:
    """Every threshold of the early-warning rules, with documented defaults.

    Parameters
    ----------
    enabled : tuple of str
        Rules that may fire (default all of :data:`RULES`); a disabled rule's
        column stays in :func:`flag_panel` and is always False.
    score_drop_z : float, default 1.959964
        z of the interval the fall of the mean recommend score must exceed
        (1.96: two-sided 95%).  SE = sigma * sqrt(1/n_now + 1/n_prev), sigma
        the pooled within-client-wave SD of individual scores up to the wave.
    score_drop_min : float, default 1.0
        The fall must also be at least this many points (0-10), so a tiny
        pooled SD cannot make a 0.3-point wobble a crisis.
    detractor_max : float, default 6
        A decision maker scoring this or less (0-10) is a detractor.
    silence_this_wave : bool, default True
        Fire when the client's contacts were reached this wave (invitation
        delivered) and nobody answered.
    silence_waves : int, default 2
        Fire when the client has not answered for this many waves running
        (counted from its last answer, or reached and silent this many waves
        in a row when it never answered).
    divergence_min : float, default 3.0
        Gap in points (0-10, either direction) between the decision makers'
        and the other contacts' mean recommend score.
    price_max : float, default 2.0
        Price perception (1 "much too expensive" .. 5 "well below market")
        at or below this is poor.
    value_for_money_max : float, default 2.0
        Value-for-money rating (1-5) at or below this is poor.
    value_for_money_item : str, default "value_for_money"
        The attribute holding value for money (panel column ``attr_<item>``).
    price_fall_nps, price_fall_overall : float, default 0.0
        With poor price or value, the recommend score (0-10) or overall
        satisfaction (1-5) must have fallen by more than this since the last
        answer (0: any fall).
    key_attributes : tuple of str, default :data:`~cxlab.risk.features.KEY_ATTRIBUTES`
        Attributes the key-attribute rule watches (where the questionnaire has them).
    attribute_drop : float, default 1.5
        Fall (1-5) of a key attribute's client mean that fires the rule.  At
        1.0 the rule flagged 27% of client-waves on a simulated agency with no
        lift over the base churn rate (a one-respondent mean moves a point
        easily); at 1.5 it flags 11% with a lift of 1.27.
    event_kinds : tuple of str, default manager_changed, complaint, scope_cut, downsized
        Event kinds the recent-events rule watches.
    events_lookback_months : float, default 6
        Window before the wave's close (a month counts 30.5 days, so 6
        months are the 183 days of the panel's ``*_6m`` counts).
    severity : dict, optional
        Rule -> "high" or "medium"; rules left out keep :data:`DEFAULT_SEVERITY`.

    Examples
    --------
    >>> RuleConfig(divergence_min=4, enabled=("score_drop", "silence")).enabled
    ('score_drop', 'silence')
    """

    enabled: tuple = tuple(RULES)
    score_drop_z: float = 1.959964
    score_drop_min: float = 1.0
    detractor_max: float = 6.0
    silence_this_wave: bool = True
    silence_waves: int = 2
    divergence_min: float = 3.0
    price_max: float = 2.0
    value_for_money_max: float = 2.0
    value_for_money_item: str = "value_for_money"
    price_fall_nps: float = 0.0
    price_fall_overall: float = 0.0
    key_attributes: tuple = KEY_ATTRIBUTES
    attribute_drop: float = 1.5
    event_kinds: tuple = EVENT_KINDS
    events_lookback_months: float = 6
    severity: dict = field(default_factory=dict)

    def __post_init__(self):
        self.enabled = (self.enabled,) if isinstance(self.enabled, str) else tuple(self.enabled)
        unknown = [r for r in self.enabled if r not in RULES]
        if unknown:
            raise ValueError(f"unknown rules {unknown}; rules: {', '.join(RULES)}")
        self.key_attributes = (
            (self.key_attributes,) if isinstance(self.key_attributes, str) else tuple(self.key_attributes)
        )
        self.event_kinds = (self.event_kinds,) if isinstance(self.event_kinds, str) else tuple(self.event_kinds)
        bad = [r for r in self.severity if r not in RULES]
        if bad:
            raise ValueError(f"severity given for unknown rules {bad}; rules: {', '.join(RULES)}")
        bad = {r: s for r, s in self.severity.items() if s not in SEVERITIES}
        if bad:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {bad}")
        self.severity = {**DEFAULT_SEVERITY, **self.severity}
        positive = {
            "score_drop_z": self.score_drop_z,
            "divergence_min": self.divergence_min,
            "attribute_drop": self.attribute_drop,
            "events_lookback_months": self.events_lookback_months,
        }
        non_negative = {
            "score_drop_min": self.score_drop_min,
            "price_fall_nps": self.price_fall_nps,
            "price_fall_overall": self.price_fall_overall,
        }
        for name, v in positive.items():
            if not v > 0:
                raise ValueError(f"{name} must be positive, got {v}")
        for name, v in non_negative.items():
            if not v >= 0:
                raise ValueError(f"{name} must be 0 or more, got {v}")
        if not 0 <= self.detractor_max <= 10:
            raise ValueError(f"detractor_max is on the 0-10 scale, got {self.detractor_max}")
        if int(self.silence_waves) != self.silence_waves or self.silence_waves < 1:
            raise ValueError(f"silence_waves must be a whole number of waves, 1 or more, got {self.silence_waves}")

    @property
    def score_drop_confidence(self) -> float:
        """The two-sided confidence level of ``score_drop_z`` (0.95 for 1.96)."""
        return float(2 * norm.cdf(self.score_drop_z) - 1)

    def event_columns(self) -> dict:
        """Panel columns holding each watched kind's count in the window (and ``<col>_last``, its last date)."""
        return {kind: f"recent_{self.events_lookback_months:g}m_{kind}" for kind in self.event_kinds}


# --------------------------------------------------------------------------- inputs
def add_rule_inputs(data, panel: pd.DataFrame, config: RuleConfig | None = None) -> pd.DataFrame:
    """Add what the rules need beyond :func:`client_waves`, from the survey's own rows.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
        Its ``responses`` (with ``role``), ``waves`` and ``events``.
    panel : DataFrame
        Rows of :func:`client_waves` (any subset of waves).
    config : RuleConfig, optional
        Sets the event window.

    Returns
    -------
    DataFrame
        A copy of ``panel`` with ``nps_sd_pooled`` and ``nps_sd_df`` (pooled
        within-client-wave SD of individual recommend scores over every wave
        up to and including the row's, and its degrees of freedom),
        ``n_nps`` and ``n_nps_prev`` (respondents with a recommend score now
        and at ``prev_wave``), ``dm_nps_min`` and ``n_dm`` (decision makers'
        lowest score and how many answered), and for every watched event
        kind its count in the window before the cutoff and the last date
        (:meth:`RuleConfig.event_columns`).  Only rows dated on or before a
        wave's cutoff are read.
    """
    config = config or RuleConfig()
    out = panel.copy()
    keys = ["client_id", "wave_id"]
    r = data.responses
    if len(r) and "nps" in r:
        r = r[r["nps"].notna()]
    cut = wave_cutoffs(data.waves, data.responses)
    if len(r):
        g = r.groupby(keys)["nps"]
        per = pd.DataFrame({"n": g.size(), "ss": g.var(ddof=0) * g.size()}).reset_index()
        # Within-client spread, pooled first within each wave, then cumulated over waves in time order.
        wave_ss = per.assign(df=per["n"] - 1).groupby("wave_id")[["ss", "df"]].sum()
        cum = cut[["wave_id"]].join(wave_ss, on="wave_id").fillna(0.0).set_index("wave_id").cumsum()
        sd = np.sqrt(cum["ss"] / cum["df"].where(cum["df"] > 0))
        out["nps_sd_pooled"] = out["wave_id"].map(sd).astype(float)
        out["nps_sd_df"] = out["wave_id"].map(cum["df"]).fillna(0).astype(float)
        n_nps = per.set_index(keys)["n"]
        out["n_nps"] = _lookup(n_nps, out["client_id"], out["wave_id"]).fillna(0.0)
        prev = out["prev_wave"] if "prev_wave" in out else pd.Series(None, index=out.index, dtype=object)
        out["n_nps_prev"] = _lookup(n_nps, out["client_id"], prev)
        dm = r[r["role"].eq(_DECISION)] if "role" in r else r.iloc[:0]
        gd = dm.groupby(keys)["nps"]
        out["dm_nps_min"] = _lookup(gd.min(), out["client_id"], out["wave_id"])
        out["n_dm"] = _lookup(gd.size(), out["client_id"], out["wave_id"]).fillna(0.0)
    else:
        for col in ("nps_sd_pooled", "n_nps_prev", "dm_nps_min"):
            out[col] = np.nan
        for col in ("nps_sd_df", "n_nps", "n_dm"):
            out[col] = 0.0
    return _add_event_window(out, data.events, config)


def _lookup(series: pd.Series, clients: pd.Series, waves: pd.Series) -> pd.Series:
    """``series`` (indexed by client_id, wave_id) at each (client, wave) pair; NaN where absent."""
    idx = pd.MultiIndex.from_arrays([clients.astype(object), waves.astype(object)])
    return pd.Series(series.reindex(idx).to_numpy(dtype=float), index=clients.index)


def _add_event_window(panel: pd.DataFrame, events: pd.DataFrame, config: RuleConfig) -> pd.DataFrame:
    days = int(round(config.events_lookback_months * _MONTH_DAYS))
    cutoff = pd.to_datetime(panel["cutoff"])
    for kind, col in config.event_columns().items():
        panel[col] = 0.0
        panel[f"{col}_last"] = pd.Series(pd.NaT, index=panel.index, dtype="datetime64[ns]")
        if not len(events) or "kind" not in events:
            continue
        e = events.loc[events["kind"] == kind, ["client_id", "date"]]
        if not len(e):
            continue
        e = e.assign(date=pd.to_datetime(e["date"]).astype("datetime64[ns]"))
        m = pd.DataFrame({"client_id": panel["client_id"], "cutoff": cutoff}).reset_index().merge(e, on="client_id")
        # Nothing dated after the cutoff: the window ends where the wave closed.
        inside = m[(m["date"] <= m["cutoff"]) & (m["date"] > m["cutoff"] - pd.Timedelta(days=days))]
        g = inside.groupby("index")["date"]
        panel[col] = g.size().reindex(panel.index, fill_value=0).astype(float)
        panel[f"{col}_last"] = g.max().reindex(panel.index).astype("datetime64[ns]")
    return panel


def _input_columns(config: RuleConfig) -> list[str]:
    cols = ["nps_sd_pooled", "n_nps", "n_nps_prev", "dm_nps_min", "n_dm"]
    return cols + list(config.event_columns().values())


# --------------------------------------------------------------------------- rules
def _col(panel: pd.DataFrame, name: str) -> pd.Series:
    """A numeric panel column, NaN when the questionnaire did not ask it."""
    if name in panel:
        return pd.to_numeric(panel[name], errors="coerce").astype(float)
    return pd.Series(np.nan, index=panel.index)


def _evaluate(panel: pd.DataFrame, config: RuleConfig) -> tuple[pd.DataFrame, dict]:
    """Each rule's firing mask, value and threshold for every row (vectorised)."""
    fired, value, threshold = {}, {}, {}

    # score_drop: the fall against z * SE of a difference of two client means.
    change = _col(panel, "nps_change")
    n_now = _col(panel, "n_nps").where(lambda s: s > 0)
    n_prev = _col(panel, "n_nps_prev").where(lambda s: s > 0)
    se = _col(panel, "nps_sd_pooled") * np.sqrt(1 / n_now + 1 / n_prev)
    allowed = config.score_drop_z * se
    need = np.maximum(allowed, config.score_drop_min)
    fired["score_drop"] = (-change > allowed) & (-change >= config.score_drop_min)
    value["score_drop"], threshold["score_drop"] = change, -need

    dm_min = _col(panel, "dm_nps_min")
    fired["detractor_decision_maker"] = dm_min <= config.detractor_max
    value["detractor_decision_maker"] = dm_min
    threshold["detractor_decision_maker"] = pd.Series(config.detractor_max, index=panel.index)

    # silence: reached and nobody answered now, or no answer for N waves running.
    reached_silent = (_col(panel, "n_reached") > 0) & (_col(panel, "n_responses").fillna(0) == 0)
    since = _col(panel, "waves_since_answer")
    silent_run = _col(panel, "silent_waves").fillna(0)
    # A client that never answered has no "since"; its run of reached-and-silent waves stands in.
    without = since.where(since.notna(), silent_run).where(~_col(panel, "n_responses").gt(0), 0)
    this_wave = reached_silent & bool(config.silence_this_wave)
    run = without >= config.silence_waves
    fired["silence"] = this_wave | run
    value["silence"] = without.where(without > 0, reached_silent.astype(float))
    threshold["silence"] = pd.Series(np.where(run, float(config.silence_waves), 1.0), index=panel.index)

    gap = _col(panel, "divergence")
    fired["divergence"] = gap.abs() >= config.divergence_min
    value["divergence"] = gap
    threshold["divergence"] = pd.Series(config.divergence_min, index=panel.index)

    price = _col(panel, "price_mean")
    vfm = _col(panel, f"attr_{config.value_for_money_item}")
    poor_price, poor_vfm = price <= config.price_max, vfm <= config.value_for_money_max
    falling = (_col(panel, "nps_change") < -config.price_fall_nps) | (
        _col(panel, "overall_change") < -config.price_fall_overall
    )
    fired["price_risk"] = (poor_price | poor_vfm) & falling
    value["price_risk"] = price.where(poor_price, vfm)
    threshold["price_risk"] = pd.Series(
        np.where(poor_price, config.price_max, config.value_for_money_max), index=panel.index
    )

    changes = pd.DataFrame({a: _col(panel, f"attr_{a}_change") for a in config.key_attributes}, index=panel.index)
    worst = changes.min(axis=1) if len(changes.columns) else pd.Series(np.nan, index=panel.index)
    fired["key_attribute_drop"] = worst <= -config.attribute_drop
    value["key_attribute_drop"] = worst
    threshold["key_attribute_drop"] = pd.Series(-config.attribute_drop, index=panel.index)

    counts = pd.DataFrame({k: _col(panel, c).fillna(0) for k, c in config.event_columns().items()}, index=panel.index)
    total = counts.sum(axis=1) if len(counts.columns) else pd.Series(0.0, index=panel.index)
    fired["recent_events"] = total >= 1
    value["recent_events"] = total
    threshold["recent_events"] = pd.Series(1.0, index=panel.index)

    flags = pd.DataFrame(
        {rule: fired[rule].fillna(False).astype(bool) & (rule in config.enabled) for rule in RULES}, index=panel.index
    )
    extra = {
        "value": value,
        "threshold": threshold,
        "se": se,
        "allowed": allowed,
        "reached_silent": reached_silent & bool(config.silence_this_wave),
        "silence_run": run,
        "without": without,
        "changes": changes,
        "counts": counts,
        "poor_price": poor_price,
        "poor_vfm": poor_vfm,
    }
    return flags, extra


def _prepared(panel: pd.DataFrame, config: RuleConfig, data) -> pd.DataFrame:
    missing = [c for c in _input_columns(config) if c not in panel]
    if not missing:
        return panel
    if data is None:
        raise ValueError(
            f"the panel lacks {missing}: pass data= (the SurveyData it was built from) or build "
            "it with add_rule_inputs(data, client_waves(data), config)"
        )
    return add_rule_inputs(data, panel, config)


def flag_panel(panel: pd.DataFrame, config: RuleConfig | None = None, *, data=None) -> pd.DataFrame:
    """Which rules fire on every client-wave of a panel (vectorised).

    Parameters
    ----------
    panel : DataFrame
        Rows of :func:`~cxlab.risk.features.client_waves`, with the inputs of
        :func:`add_rule_inputs` (added here when ``data`` is given).
    config : RuleConfig, optional
    data : SurveyData, optional
        The survey the panel was built from; needed only when the panel
        lacks the rule inputs.

    Returns
    -------
    DataFrame
        Same index as ``panel``: ``client_id, wave_id``, one boolean column
        per rule of :data:`RULES` (False throughout for a disabled rule),
        ``any_rule`` and ``n_rules`` (how many fired).

    Examples
    --------
    >>> panel = client_waves(data)                           # doctest: +SKIP
    >>> flags = flag_panel(panel, data=data)                  # doctest: +SKIP
    >>> flags.groupby("wave_id")[list(RULES)].sum()           # doctest: +SKIP
    """
    config = config or RuleConfig()
    panel = _prepared(panel, config, data)
    flags, _ = _evaluate(panel, config)
    out = panel[["client_id", "wave_id"]].copy()
    out[list(RULES)] = flags
    out[_ANY] = flags.any(axis=1)
    out["n_rules"] = flags.sum(axis=1).astype("int64")
    return out


# --------------------------------------------------------------------------- evidence
_ATTRIBUTE_LABELS = {
    "responsiveness": {"ru": "скорость реакции на запросы", "en": "responsiveness"},
    "deadlines": {"ru": "соблюдение сроков", "en": "meeting deadlines"},
    "understanding_goals": {"ru": "понимание целей и задач", "en": "understanding of goals"},
    "value_for_money": {"ru": "соотношение цены и качества", "en": "value for money"},
}
_EVENT_LABELS = {
    "manager_changed": {"ru": "смена менеджера", "en": "manager changed"},
    "complaint": {"ru": "жалоба", "en": "complaint"},
    "scope_cut": {"ru": "сокращение объёма работ", "en": "scope cut"},
    "downsized": {"ru": "сокращение бюджета", "en": "downsized"},
    "expanded": {"ru": "расширение", "en": "expanded"},
}


def _num(v, lang: str, places: int = 1, sign: bool = False) -> str:
    """A number as text: one decimal, a true minus sign, a decimal comma in Russian."""
    if v is None or pd.isna(v):
        return "—"
    v = round(float(v), places) + 0.0
    text = f"{v:+.{places}f}" if sign else f"{v:.{places}f}"
    text = text.replace("-", "\u2212")
    return text.replace(".", ",") if lang == "ru" else text


def _int(v) -> str:
    return "—" if v is None or pd.isna(v) else str(int(v))


def _ru_plural(n: int, forms: tuple[str, str, str]) -> str:
    """The Russian noun form after a number: 1 волну, 2 волны, 5 волн, 21 волну."""
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    return forms[1] if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else forms[2]


def _date(d, lang: str) -> str:
    return "—" if d is None or pd.isna(d) else pd.Timestamp(d).strftime("%d.%m.%Y" if lang == "ru" else "%Y-%m-%d")


def _since(row, lang: str) -> str:
    prev = row.get("prev_wave")
    if prev is None or pd.isna(prev):
        return ""
    return f", с волны {prev}" if lang == "ru" else f", since {prev}"


def _ev_score_drop(row, ex, config, lang):
    ru = lang == "ru"
    pct = f"{100 * config.score_drop_confidence:.0f}%"
    allowed = ex["allowed"]
    inner = (
        f"{_num(row['nps_change'], lang, sign=True)}; {pct} интервал допускает ±{_num(allowed, lang)}"
        if ru
        else f"{_num(row['nps_change'], lang, sign=True)}; the {pct} interval allows ±{_num(allowed, lang)}"
    )
    if config.score_drop_min > allowed:
        inner += (
            f", минимальное падение {_num(config.score_drop_min, lang)}"
            if ru
            else f", the minimum drop is {_num(config.score_drop_min, lang)}"
        )
    n = f"{_int(row['n_nps_prev'])} → {_int(row['n_nps'])}"
    head = "рекомендация" if ru else "recommend"
    tail = f"респондентов {n}" if ru else f"{n} respondents"
    return f"{head} {_num(row['nps_prev'], lang)} → {_num(row['nps_mean'], lang)} ({inner}), {tail}{_since(row, lang)}"


def _ev_detractor(row, ex, config, lang):
    cut = _num(config.detractor_max, lang, places=0 if float(config.detractor_max).is_integer() else 1)
    n_dm = int(row["n_dm"]) if pd.notna(row["n_dm"]) else 0
    if lang == "ru":
        return (
            f"наименьшая оценка рекомендации среди ЛПР {_num(row['dm_nps_min'], lang, 0)} из 10 "
            f"(ответили ЛПР: {n_dm}, среднее {_num(row.get('dm_nps'), lang)}); критик — {cut} и ниже"
        )
    return (
        f"lowest decision-maker recommend score {_num(row['dm_nps_min'], lang, 0)} of 10 "
        f"({n_dm} decision maker{'s' if n_dm != 1 else ''} answered, mean {_num(row.get('dm_nps'), lang)}); "
        f"detractor = {cut} or less"
    )


def _ev_silence(row, ex, config, lang):
    ru = lang == "ru"
    parts = []
    reached, invited = _int(row.get("n_reached", 0)), _int(row.get("n_invited", 0))
    if ex["reached_silent"]:
        parts.append(
            f"приглашения получили {reached} из {invited} контактов, никто не ответил"
            if ru
            else f"{reached} of {invited} invited contacts reached, nobody answered"
        )
    elif invited == "0":
        parts.append("в этой волне не приглашали" if ru else "not invited this wave")
    if ex["silence_run"]:
        w = _int(ex["without"])
        prev = row.get("prev_wave")
        last = (
            (f"последний ответ в {prev}" if ru else f"last answer {prev}")
            if prev is not None and pd.notna(prev)
            else ("ни разу не отвечал" if ru else "never answered")
        )
        parts.append(
            f"не отвечает {w} {_ru_plural(int(w), ('волну', 'волны', 'волн'))} подряд ({last})"
            if ru
            else f"no answer for {w} waves running ({last})"
        )
    return "; ".join(parts)


def _ev_divergence(row, ex, config, lang):
    gap = row["divergence"]
    if lang == "ru":
        who = "ЛПР оценивают ниже" if gap < 0 else "ЛПР оценивают выше"
        return (
            f"ЛПР {_num(row['dm_nps'], lang)} против остальных контактов {_num(row['others_nps'], lang)}: "
            f"разрыв {_num(abs(gap), lang)} балла ({who}; порог {_num(config.divergence_min, lang)})"
        )
    who = "the decision makers are less happy" if gap < 0 else "the decision makers are happier"
    return (
        f"decision makers {_num(row['dm_nps'], lang)} vs other contacts {_num(row['others_nps'], lang)}: "
        f"a gap of {_num(abs(gap), lang)} points ({who}; threshold {_num(config.divergence_min, lang)})"
    )


def _ev_price(row, ex, config, lang):
    ru = lang == "ru"
    parts = []
    vfm_col = f"attr_{config.value_for_money_item}"
    if pd.notna(row.get("price_mean")):
        mark = f" (≤ {_num(config.price_max, lang)}: {'дорого' if ru else 'too expensive'})" if ex["poor_price"] else ""
        parts.append(
            f"{'восприятие цены' if ru else 'price perception'} {_num(row['price_mean'], lang)} "
            f"{'из' if ru else 'of'} 5{mark}"
        )
    if pd.notna(row.get(vfm_col)):
        mark = f" (≤ {_num(config.value_for_money_max, lang)})" if ex["poor_vfm"] else ""
        label = _ATTRIBUTE_LABELS.get(config.value_for_money_item, {}).get(lang, config.value_for_money_item)
        parts.append(f"{label} {_num(row[vfm_col], lang)} {'из' if ru else 'of'} 5{mark}")
    nps_change, overall_change = row.get("nps_change"), row.get("overall_change")
    if pd.notna(nps_change) and nps_change < -config.price_fall_nps:
        parts.append(
            f"{'рекомендация' if ru else 'recommend'} {_num(row['nps_prev'], lang)} → "
            f"{_num(row['nps_mean'], lang)} ({_num(nps_change, lang, sign=True)})"
        )
    if pd.notna(overall_change) and overall_change < -config.price_fall_overall:
        before = row["overall_mean"] - overall_change
        parts.append(
            f"{'общая удовлетворённость' if ru else 'overall satisfaction'} {_num(before, lang)} → "
            f"{_num(row['overall_mean'], lang)} ({_num(overall_change, lang, sign=True)})"
        )
    return "; ".join(parts) + _since(row, lang)


def _ev_attributes(row, ex, config, lang):
    ru = lang == "ru"
    parts = []
    for attr, change in ex["changes"].items():
        if pd.notna(change) and change <= -config.attribute_drop:
            now = row[f"attr_{attr}"]
            label = _ATTRIBUTE_LABELS.get(attr, {}).get(lang, attr.replace("_", " "))
            parts.append(f"{label} {_num(now - change, lang)} → {_num(now, lang)} ({_num(change, lang, sign=True)})")
    tail = (
        f" по шкале 1-5{_since(row, lang)} (порог: падение на {_num(config.attribute_drop, lang)})"
        if ru
        else f" on 1-5{_since(row, lang)} (threshold: a fall of {_num(config.attribute_drop, lang)})"
    )
    return "; ".join(parts) + tail


def _ev_events(row, ex, config, lang):
    ru = lang == "ru"
    parts = []
    for kind, col in config.event_columns().items():
        k = ex["counts"].get(kind, 0)
        if k and k > 0:
            label = _EVENT_LABELS.get(kind, {}).get(lang, kind)
            last = _date(row[f"{col}_last"], lang)
            parts.append(f"{label} ×{int(k)} ({'последнее' if ru else 'last'} {last})")
    months = f"{config.events_lookback_months:g}"
    head = (
        f"за {months} мес. до {_date(row['cutoff'], lang)}: "
        if ru
        else f"in the {months} months to {_date(row['cutoff'], lang)}: "
    )
    return head + "; ".join(parts)


_EVIDENCE = {
    "score_drop": _ev_score_drop,
    "detractor_decision_maker": _ev_detractor,
    "silence": _ev_silence,
    "divergence": _ev_divergence,
    "price_risk": _ev_price,
    "key_attribute_drop": _ev_attributes,
    "recent_events": _ev_events,
}


# --------------------------------------------------------------------------- listing
def _known_waves(data) -> list[str]:
    return wave_cutoffs(data.waves, data.responses)["wave_id"].tolist()


def _check_lang(lang: str) -> None:
    if lang not in ("ru", "en"):
        raise ValueError(f"lang must be 'ru' or 'en', got {lang!r}")


def early_warnings(
    data, wave: str, *, config: RuleConfig | None = None, lang: str = "en", panel: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The clients flagged in a wave: one row per rule that fired, with its evidence.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
        Responses (with ``role``), answers, waves, clients, contacts,
        invitations and events.
    wave : str
        Wave id; the history before it is used, nothing after its cutoff.
    config : RuleConfig, optional
        Thresholds and enabled rules (defaults documented there).
    lang : {"en", "ru"}
        Language of ``rule_name`` and ``evidence``.
    panel : DataFrame, optional
        A :func:`~cxlab.risk.features.client_waves` panel already built
        from ``data`` (saves rebuilding it).

    Returns
    -------
    DataFrame
        ``wave_id, client_id, client (company name), rule, rule_name,
        severity, evidence, value, threshold``.  ``value`` and ``threshold``
        per rule: score_drop the change and minus the allowed fall (fires
        below it); detractor_decision_maker the lowest decision-maker score
        and the cut-off; silence the waves without an answer and 1 (this
        wave) or ``silence_waves``; divergence decision makers minus others
        and the gap (either direction); price_risk the price perception (or
        value for money) and its cut-off; key_attribute_drop the worst key
        attribute change and minus the drop; recent_events the number of
        events and 1.  Sorted by the client's severity (its most severe
        flag: high first), the number of rules that fired (most first), the
        client and the rule order.  The evidence carries figures only: no
        respondent names, e-mails or comments.

    Raises
    ------
    ValueError
        For an unknown wave (the message lists the known waves).

    Examples
    --------
    >>> flags = early_warnings(data, "2026-Q3", lang="ru")         # doctest: +SKIP
    >>> flags.groupby("rule").size()                                # doctest: +SKIP
    """
    _check_lang(lang)
    config = config or RuleConfig()
    known = _known_waves(data)
    if wave not in known:
        raise ValueError(f"wave {wave!r} does not exist; known waves: {', '.join(map(str, known))}")
    if panel is None:
        panel = client_waves(data)
    rows = panel[panel["wave_id"] == wave]
    if not len(rows):
        return pd.DataFrame(columns=WARNING_COLUMNS)
    rows = _prepared(rows, config, data)
    flags, ex = _evaluate(rows, config)
    names = (
        data.clients.drop_duplicates("client_id").set_index("client_id")["name"]
        if "name" in data.clients
        else pd.Series(dtype=object)
    )
    records = []
    for rule in RULES:
        hit = flags.index[flags[rule]]
        for i in hit:
            row = rows.loc[i]
            mine = {
                "allowed": ex["allowed"].get(i),
                "reached_silent": bool(ex["reached_silent"].get(i)),
                "silence_run": bool(ex["silence_run"].get(i)),
                "without": ex["without"].get(i),
                "changes": ex["changes"].loc[i],
                "counts": ex["counts"].loc[i],
                "poor_price": bool(ex["poor_price"].get(i)),
                "poor_vfm": bool(ex["poor_vfm"].get(i)),
            }
            name = names.get(row["client_id"])
            records.append(
                {
                    "wave_id": wave,
                    "client_id": row["client_id"],
                    "client": name if name is not None and pd.notna(name) else row["client_id"],
                    "rule": rule,
                    "rule_name": RULES[rule]["name"][lang],
                    "severity": config.severity[rule],
                    "evidence": _EVIDENCE[rule](row, mine, config, lang),
                    "value": float(ex["value"][rule].get(i)),
                    "threshold": float(ex["threshold"][rule].get(i)),
                }
            )
    out = pd.DataFrame.from_records(records, columns=WARNING_COLUMNS)
    if not len(out):
        return out
    rank = out["severity"].map({s: k for k, s in enumerate(SEVERITIES)})
    order = {r: k for k, r in enumerate(RULES)}
    out = out.assign(
        _client_rank=rank.groupby(out["client_id"]).transform("min"),
        _n=out.groupby("client_id")["rule"].transform("size"),
        _rule=out["rule"].map(order),
        _name=out["client"].astype(str),
    )
    out = out.sort_values(
        ["_client_rank", "_n", "_name", "client_id", "_rule"], ascending=[True, False, True, True, True]
    )
    return out[WARNING_COLUMNS].reset_index(drop=True)


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
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    config = config or RuleConfig()
    if panel is None:
        panel = churn_labels(data, client_waves(data), horizon_months=horizon_months)
    if waves is not None:
        waves = [waves] if isinstance(waves, str) else list(waves)
        unknown = [w for w in waves if w not in set(_known_waves(data))]
        if unknown:
            raise ValueError(f"unknown waves {unknown}; known waves: {', '.join(map(str, _known_waves(data)))}")
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
