"""The metric registry: one entry per metric cxlab reports, read by the report, the dashboard and the Excel pack.

Each :class:`Metric` holds the metric's name, its Russian and English label,
its range and unit, whether higher or lower is better, the one-sentence
definition an :class:`~cxlab.metrics.Estimate` carries, and the paragraph
the wave report prints under its tables, in both languages.  The
definition dictionaries of :mod:`cxlab.metrics` and :mod:`cxlab.summary`
and the labels of :mod:`cxlab.present` are built from here, so a metric is
named and defined in one place.

Names in use elsewhere resolve through aliases (``nps_revenue_weighted`` is
``nps_revenue``, ``topbox`` is ``top2box``), and ``top3box``, ``top1box``...
are the top-box family with their own label.

Examples
--------
>>> label("nps_account", "en")
'Account NPS (each account once)'
>>> metric("nps_revenue_weighted").name
'nps_revenue'
>>> is_better("revenue_at_risk", -1.5e6)
True
>>> definition("top2box", "ru")
'Доля ответов 4-5 по шкале 1-5 об общей удовлетворённости; интервал Уилсона.'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Literal

from cxlab.errors import NotFoundError, ParameterError

__all__ = ["Metric", "METRICS", "metric", "label", "definition", "sentence", "is_better", "change_meaning"]

Lang = Literal["ru", "en"]


@dataclass(frozen=True)
class Metric:
    """One metric: how it is named, measured and defined.

    Parameters
    ----------
    name : str
        The metric's id, as in ``metrics.json`` and the report's tables.
    label_ru, label_en : str
        What a reader sees as its name.
    unit : str
        ``"points"`` (NPS), ``"rating"``, ``"index"`` (0-100), ``"share"``
        (0-1), ``"probability"`` (0-1), ``"money"`` or ``"value"``.
    scale : tuple of float, or None
        The range of its values (``(0, inf)`` for money; the usual 1-5 scale
        for ratings, where the question's own scale wins); None when it
        depends on what is measured.
    better : {"higher", "lower"} or None
        The direction of good; None when it depends on what is measured.
    sentence : str
        Definition in one English sentence: scale, cut-points, denominator,
        weights (``Estimate.definition``).
    definition_ru, definition_en : str
        The paragraph the reports print beside the figure.
    aliases : tuple of str
        Other names the metric goes by.

    Examples
    --------
    >>> m = metric("csi")
    >>> m.scale, m.better, m.label("ru")
    ((0.0, 100.0), 'higher', 'CSI')
    """

    name: str
    label_ru: str
    label_en: str
    unit: str
    scale: tuple[float, float] | None
    better: Literal["higher", "lower"] | None
    sentence: str
    definition_ru: str
    definition_en: str
    aliases: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, str]:
        """``(label_ru, label_en)``, the shape of the label tables in :mod:`cxlab.present`.

        Examples
        --------
        >>> metric("response_rate").labels
        ('Доля ответивших', 'Response rate')
        """
        return self.label_ru, self.label_en

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``"ru"`` or ``"en"``).

        Examples
        --------
        >>> metric("csat_mean").label("en")
        'CSAT, mean'
        """
        return self.label_ru if _lang(lang) == "ru" else self.label_en

    def definition(self, lang: str) -> str:
        """The definition paragraph in ``lang`` (``"ru"`` or ``"en"``).

        Examples
        --------
        >>> metric("nps_revenue").definition("en")
        'Account values as in account NPS, weighted by annual contract value.'
        """
        return self.definition_ru if _lang(lang) == "ru" else self.definition_en


_NPS_RANGE = (-100.0, 100.0)
_SHARE = (0.0, 1.0)

_ENTRIES = (
    Metric(
        name="nps",
        label_ru="NPS",
        label_en="NPS",
        unit="points",
        scale=_NPS_RANGE,
        better="higher",
        sentence=(
            "NPS = % promoters (9-10) - % detractors (0-6) among the non-missing "
            "answers to the 0-10 recommend question; points from -100 to 100; "
            "each respondent counts once."
        ),
        definition_ru="NPS = % промоутеров (9-10) − % критиков (0-6) по шкале 0-10, в пунктах от −100 до 100; "
        "знаменатель: все ответившие на вопрос о рекомендации; 95% интервал по триномиальной дисперсии.",
        definition_en="NPS = % promoters (9-10) − % detractors (0-6) on the 0-10 scale, in points from −100 to 100; "
        "denominator: everyone who answered the recommend question; 95% interval from the trinomial variance.",
    ),
    Metric(
        name="nps_clustered",
        label_ru="NPS, интервал с учётом кластеров",
        label_en="NPS, cluster-robust interval",
        unit="points",
        scale=_NPS_RANGE,
        better="higher",
        sentence=(
            "The respondent NPS with a design-based interval that allows for several contacts per client "
            "(Taylor linearisation over client clusters)."
        ),
        definition_ru="Тот же NPS респондентов; интервал учитывает, что у клиента несколько контактов "
        "(дизайн-оценка дисперсии, линеаризация Тейлора по кластерам-клиентам).",
        definition_en="The same respondent NPS; the interval allows for several contacts per client "
        "(design-based variance, Taylor linearisation over client clusters).",
    ),
    Metric(
        name="nps_account",
        label_ru="NPS по клиентам (каждый клиент один раз)",
        label_en="Account NPS (each account once)",
        unit="points",
        scale=_NPS_RANGE,
        better="higher",
        sentence=(
            "Account-level NPS: each account counts once; its value is the mean "
            "of its respondents' net scores (+100 promoter, 0 passive, "
            "-100 detractor); the NPS is the mean over accounts."
        ),
        definition_ru="Каждый клиент учитывается один раз: его значение — среднее чистых баллов его респондентов "
        "(+100 промоутер, 0 нейтрал, −100 критик); NPS — среднее по клиентам.",
        definition_en="Each account counts once: its value is the mean of its respondents' net scores "
        "(+100 promoter, 0 passive, −100 detractor); NPS is the mean over accounts.",
    ),
    Metric(
        name="nps_revenue",
        label_ru="NPS, взвешенный по выручке",
        label_en="Revenue-weighted NPS",
        unit="points",
        scale=_NPS_RANGE,
        better="higher",
        sentence=(
            "Revenue-weighted account NPS: account values (mean net score "
            "of the account's respondents) averaged with the account's "
            "revenue as weight."
        ),
        definition_ru="Значения клиентов, как в NPS по клиентам, взвешенные годовой суммой контракта.",
        definition_en="Account values as in account NPS, weighted by annual contract value.",
        aliases=("nps_revenue_weighted",),
    ),
    Metric(
        name="csat_mean",
        label_ru="CSAT, среднее",
        label_en="CSAT, mean",
        unit="rating",
        scale=(1.0, 5.0),
        better="higher",
        sentence="Mean rating over the non-missing answers, on the question's own scale.",
        definition_ru="Среднее общей удовлетворённости по шкале 1-5; интервал Стьюдента.",
        definition_en="Mean overall satisfaction on the 1-5 scale; Student t interval.",
    ),
    Metric(
        name="top2box",
        label_ru="CSAT, доля довольных (top-2-box)",
        label_en="CSAT, top-2-box share",
        unit="share",
        scale=_SHARE,
        better="higher",
        sentence="Share (0-1) of the non-missing answers in the top values of the scale.",
        definition_ru="Доля ответов 4-5 по шкале 1-5 об общей удовлетворённости; интервал Уилсона.",
        definition_en="Share of 4-5 answers on the 1-5 overall satisfaction scale; Wilson interval.",
        aliases=("topbox",),
    ),
    Metric(
        name="csi",
        label_ru="CSI",
        label_en="CSI",
        unit="index",
        scale=(0.0, 100.0),
        better="higher",
        sentence=(
            "CSI = mean over respondents of the (importance-)weighted mean of the items they "
            "answered, each item rescaled to 0-100 as 100*(x - min)/(max - min)."
        ),
        definition_ru="CSI = среднее по респондентам индекса 0-100: для каждого респондента среднее всех его оценок "
        "удовлетворённости (общая, услуги, атрибуты), каждая пересчитана как 100·(x − мин)/(макс − мин); "
        "веса — важность, если её спрашивали, иначе равные; интервал Стьюдента.",
        definition_en="CSI = mean over respondents of a 0-100 index: each respondent's mean of all satisfaction "
        "ratings (overall, services, attributes), each rescaled 100·(x − min)/(max − min); weighted by stated "
        "importance where asked, otherwise equal weights; Student t interval.",
    ),
    Metric(
        name="csi_weighted",
        label_ru="CSI, взвешенный по важности",
        label_en="CSI, importance-weighted",
        unit="index",
        scale=(0.0, 100.0),
        better="higher",
        sentence=(
            "CSI with each rating weighted by the item's mean stated importance in the wave "
            "(items without an importance rating get the mean of the others)."
        ),
        definition_ru="CSI, где каждая оценка взвешена средней важностью пункта по ответам волны (пунктам без "
        "оценки важности — средняя важность остальных); интервал Стьюдента.",
        definition_en="CSI with each rating weighted by the item's mean stated importance in the wave (items "
        "without an importance rating get the mean of the others); Student t interval.",
    ),
    Metric(
        name="response_rate",
        label_ru="Доля ответивших",
        label_en="Response rate",
        unit="share",
        scale=_SHARE,
        better="higher",
        sentence="Share (0-1) of the wave's delivered invitations (sent and not bounced, or responded) that responded.",
        definition_ru="Ответившие / доставленные приглашения волны (отправлено и не вернулось, или контакт ответил; "
        "как в `cxlab wave status`); интервал Уилсона.",
        definition_en="Respondents / delivered invitations of the wave (sent and not bounced, or the contact "
        "responded; as in `cxlab wave status`); Wilson interval.",
    ),
    Metric(
        name="revenue_at_risk",
        label_ru="Выручка под риском",
        label_en="Revenue at risk",
        unit="money",
        scale=(0.0, math.inf),
        better="lower",
        sentence=(
            "Revenue at risk = sum over clients of the probability of churn within 12 months times the "
            "annual contract value (the expected loss)."
        ),
        definition_ru="Выручка под риском = сумма по клиентам вероятности ухода за 12 месяцев × годовой контракт "
        "(ожидаемая потеря); интервал — перцентили сумм по бутстреп-выборкам клиентов, на которых модель "
        "обучена заново.",
        definition_en="Revenue at risk = sum over clients of the probability of churn within 12 months × the annual "
        "contract (the expected loss); the interval is the percentiles of the sums over the models refitted on "
        "client bootstrap resamples.",
    ),
    Metric(
        name="churn_probability",
        label_ru="Вероятность ухода",
        label_en="Churn probability",
        unit="probability",
        scale=_SHARE,
        better="lower",
        sentence="Probability (0-1) that the client churns within 12 months, from the churn-risk model.",
        definition_ru="Вероятность (0-1), что клиент уйдёт в течение 12 месяцев, по модели риска ухода; интервал — "
        "перцентили по моделям, обученным заново на бутстреп-выборках клиентов.",
        definition_en="Probability (0-1) that the client churns within 12 months, from the churn-risk model; the "
        "interval is the percentiles over the models refitted on client bootstrap resamples.",
    ),
    Metric(
        name="mean",
        label_ru="Среднее",
        label_en="Mean",
        unit="value",
        scale=None,
        better=None,
        sentence="Mean of the non-missing values.",
        definition_ru="Среднее непропущенных значений.",
        definition_en="Mean of the non-missing values.",
    ),
    Metric(
        name="proportion",
        label_ru="Доля",
        label_en="Proportion",
        unit="share",
        scale=_SHARE,
        better=None,
        sentence="Share (0-1) of successes among the trials.",
        definition_ru="Доля (0-1) успехов среди испытаний.",
        definition_en="Share (0-1) of successes among the trials.",
    ),
)

#: Every metric by its name, in the order the reports show them.
METRICS: dict[str, Metric] = {m.name: m for m in _ENTRIES}

_ALIASES: dict[str, str] = {alias: m.name for m in _ENTRIES for alias in m.aliases}
_TOP_BOX = re.compile(r"top(\d+)box")


def _lang(lang: str) -> str:
    if lang not in ("ru", "en"):
        raise ParameterError(f"lang must be 'ru' or 'en', not {lang!r}", parameter="lang", value=lang)
    return lang


def metric(name: str) -> Metric:
    """The registry's entry for ``name`` (an alias or ``top<k>box`` resolves to its metric).

    ``top<k>box`` for k other than 2 is the top-box entry under its own name
    and label; its definition is the general one (which values count depends
    on the scale).

    Raises
    ------
    NotFoundError
        A name the registry does not know (a ``KeyError`` too).

    Examples
    --------
    >>> metric("topbox").name, metric("top3box").label_en
    ('top2box', 'CSAT, top-3-box share')
    """
    key = _ALIASES.get(name, name)
    if key in METRICS:
        return METRICS[key]
    match = _TOP_BOX.fullmatch(name)
    if match is None:
        raise NotFoundError(f"unknown metric {name!r}; known: {', '.join(METRICS)}", kind="metric", key=name)
    top = METRICS["top2box"]
    boxes = f"top-{int(match.group(1))}-box"
    return replace(
        top,
        name=name,
        label_ru=top.label_ru.replace("top-2-box", boxes),
        label_en=top.label_en.replace("top-2-box", boxes),
        definition_ru="Доля (0-1) непропущенных ответов в верхних значениях шкалы; интервал Уилсона.",
        definition_en=top.sentence.removesuffix(".") + "; Wilson interval.",
        aliases=(),
    )


def label(name: str, lang: str) -> str:
    """Label of metric ``name`` in ``lang`` (``"ru"`` or ``"en"``).

    Examples
    --------
    >>> label("top2box", "ru")
    'CSAT, доля довольных (top-2-box)'
    """
    return metric(name).label(lang)


def definition(name: str, lang: str) -> str:
    """The definition paragraph of metric ``name`` in ``lang`` (``"ru"`` or ``"en"``).

    Examples
    --------
    >>> definition("csat_mean", "en")
    'Mean overall satisfaction on the 1-5 scale; Student t interval.'
    """
    return metric(name).definition(lang)


def sentence(name: str) -> str:
    """Definition of metric ``name`` in one English sentence.

    Examples
    --------
    >>> sentence("proportion")
    'Share (0-1) of successes among the trials.'
    """
    return metric(name).sentence


def is_better(name: str, change: float) -> bool | None:
    """Whether a change of ``change`` in metric ``name`` is an improvement.

    True when the metric moved in its direction of good, False when it moved
    the other way, None when it did not move (0 or NaN) or when the metric
    has no direction of good (a generic mean or proportion).

    Examples
    --------
    >>> is_better("nps", 4.0), is_better("churn_probability", 0.02), is_better("mean", 1.0)
    (True, False, None)
    """
    better = metric(name).better
    if better is None or math.isnan(change) or change == 0:
        return None
    return (change > 0) == (better == "higher")


def change_meaning(name: str, change: float | None, significant: bool) -> str:
    """What a change of metric ``name`` means for the reader: ``"good"``, ``"bad"``, ``"neutral"`` or ``""``.

    ``"neutral"`` is a change within chance (not ``significant``) or in a
    metric without a direction of good; ``""`` is no change to judge (NaN).
    A real change is good when it moves the metric in its direction of good
    (:func:`is_better`): NPS up is good, revenue at risk up is bad.  Colours
    and words of the dashboard and the report follow this one function.

    Examples
    --------
    >>> change_meaning("nps", 7.0, True), change_meaning("revenue_at_risk", 2e6, True)
    ('good', 'bad')
    >>> change_meaning("nps", 7.0, False), change_meaning("nps", float("nan"), False)
    ('neutral', '')
    """
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    if not significant:
        return "neutral"
    better = is_better(name, float(change))
    return "neutral" if better is None else ("good" if better else "bad")
