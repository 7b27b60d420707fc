"""What the early-warning rules are: their names and definitions (:data:`RULES`), severities and thresholds.

**Severity.**  ``high`` for the rules that say the relationship itself is
worse: score_drop, detractor_decision_maker, price_risk; ``medium`` for
signals that need a conversation to read: silence, divergence,
key_attribute_drop, recent_events (``RuleConfig.severity`` changes it).  A
client's severity is that of its most severe flag.

:mod:`cxlab.risk.rules` evaluates the rules with a :class:`RuleConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scipy.stats import norm

from cxlab.errors import ParameterError
from cxlab.risk.features import KEY_ATTRIBUTES

__all__ = [
    "RULES",
    "RuleConfig",
    "SEVERITIES",
    "DEFAULT_SEVERITY",
    "EVENT_KINDS",
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

_ANY = "any_rule"
_ANY_NAME = {"ru": "Любое правило", "en": "Any rule"}


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
            raise ParameterError(
                f"unknown rules {unknown}; rules: {', '.join(RULES)}", parameter="enabled", value=unknown
            )
        self.key_attributes = (
            (self.key_attributes,) if isinstance(self.key_attributes, str) else tuple(self.key_attributes)
        )
        self.event_kinds = (self.event_kinds,) if isinstance(self.event_kinds, str) else tuple(self.event_kinds)
        bad: list[str] | dict[str, str]
        bad = [r for r in self.severity if r not in RULES]
        if bad:
            raise ParameterError(
                f"severity given for unknown rules {bad}; rules: {', '.join(RULES)}", parameter="severity", value=bad
            )
        bad = {r: s for r, s in self.severity.items() if s not in SEVERITIES}
        if bad:
            raise ParameterError(f"severity must be one of {SEVERITIES}, got {bad}", parameter="severity", value=bad)
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
                raise ParameterError(f"{name} must be positive, got {v}", parameter=name, value=v)
        for name, v in non_negative.items():
            if not v >= 0:
                raise ParameterError(f"{name} must be 0 or more, got {v}", parameter=name, value=v)
        if not 0 <= self.detractor_max <= 10:
            raise ParameterError(
                f"detractor_max is on the 0-10 scale, got {self.detractor_max}",
                parameter="detractor_max",
                value=self.detractor_max,
            )
        if int(self.silence_waves) != self.silence_waves or self.silence_waves < 1:
            raise ParameterError(
                f"silence_waves must be a whole number of waves, 1 or more, got {self.silence_waves}",
                parameter="silence_waves",
                value=self.silence_waves,
            )

    @property
    def score_drop_confidence(self) -> float:
        """The two-sided confidence level of ``score_drop_z`` (0.95 for 1.96)."""
        return float(2 * norm.cdf(self.score_drop_z) - 1)

    def event_columns(self) -> dict:
        """Panel columns holding each watched kind's count in the window (and ``<col>_last``, its last date)."""
        return {kind: f"recent_{self.events_lookback_months:g}m_{kind}" for kind in self.event_kinds}
