"""The dashboard's words for its figures, in Russian and English: what a change means, methods, notes, messages.

Every text the data layer of the dashboard hands to the page is a pair
``{"ru": ..., "en": ...}`` built here, so a Russian page never shows an
English method name and no text is cut.  The figures themselves come from
:mod:`cxlab.summary` and :mod:`cxlab.metrics`, whose method strings are
English; :func:`method_text` gives each its Russian wording.

Examples
--------
>>> change_words("nps", 7.0, False)["ru"]
'выше на 7 п. — в пределах случайности'
>>> change_words("response_rate", -0.031, True)["en"]
'down 3.1 pp — a real change'
>>> method_text("Wilson score interval")["ru"]
'Доверительный интервал Уилсона'
"""

from __future__ import annotations

import math
import re

from cxlab.stats.registry import change_meaning

__all__ = ["change_meaning", "change_words", "method_text", "note_text", "message_text", "both"]


def both(ru: str, en: str) -> dict[str, str]:
    """A text in both languages."""
    return {"ru": ru, "en": en}


# ------------------------------------------------------------------ change in words
def _units(metric: str, currency: str) -> tuple[float, str, str, int]:
    """Scale of a change for display, its Russian and English unit, and the decimals shown."""
    if metric == "response_rate":
        return 100.0, "п.п.", "pp", 1
    if metric == "revenue_at_risk":
        sign = "₽" if currency == "RUB" else currency
        return 1e-6, f"млн {sign}", f"M {currency}", 2
    return 1.0, "п.", "points", 1


def _number(x: float, decimals: int, lang: str) -> str:
    text = f"{x:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{x:.0f}"
    return text.replace(".", ",") if lang == "ru" else text


def change_words(metric: str, change: float | None, significant: bool, *, currency: str = "RUB") -> dict[str, str]:
    """A change said in words: direction, size with its unit, and whether it is real or within chance.

    Units: points (п.) for NPS and CSI, percentage points (п.п.) for the
    response rate, millions of the currency (млн ₽) for money.  A change that
    rounds to zero reads "без изменений" / "no change"; no change to
    compare (NaN) gives empty texts.

    Examples
    --------
    >>> change_words("nps", -3.0, True)
    {'ru': 'ниже на 3 п. — реальное изменение', 'en': 'down 3 points — a real change'}
    >>> change_words("revenue_at_risk", 2.5e6, False)["ru"]
    'выше на 2,5 млн ₽ — в пределах случайности'
    >>> change_words("csi", 0.01, False)["en"]
    'no change'
    """
    if change is None or math.isnan(float(change)):
        return both("", "")
    scale, unit_ru, unit_en, decimals = _units(metric, currency)
    shown = round(abs(float(change)) * scale, decimals)
    if shown == 0:
        return both("без изменений", "no change")
    up = change > 0
    ru_n, en_n = _number(shown, decimals, "ru"), _number(shown, decimals, "en")
    if unit_en == "points" and shown == 1:
        unit_en = "point"
    chance_ru = "реальное изменение" if significant else "в пределах случайности"
    chance_en = "a real change" if significant else "within chance"
    return both(
        f"{'выше' if up else 'ниже'} на {ru_n} {unit_ru} — {chance_ru}",
        f"{'up' if up else 'down'} {en_n} {unit_en} — {chance_en}",
    )


# ------------------------------------------------------------------ methods
def _cells_ru(n: int) -> str:
    return f"{n} ячейке" if n % 10 == 1 and n % 100 != 11 else f"{n} ячейкам"


#: English method strings of cxlab.metrics / cxlab.summary and their Russian wording.
_METHODS_RU = {
    "NPS, trinomial Wald interval (z)": "NPS, интервал Вальда по триномиальной дисперсии (z)",
    "NPS (respondent level), cluster-robust SE (Taylor linearisation, one-stage cluster sampling, "
    "C/(C-1) factor), normal interval (z)": "NPS (по респондентам), кластерно-устойчивая ошибка (клиенты — кластеры; "
    "линеаризация Тейлора, одноступенчатая кластерная выборка, множитель C/(C−1)), нормальный интервал (z)",
    "NPS, adjusted Wald interval (Rocks 2016: +3/4 promoters, +3/4 detractors, +3 n; z)": "NPS, скорректированный "
    "интервал Вальда (Rocks 2016: +3/4 промоутера, +3/4 критика, +3 к n; z)",
    "Wilson score interval": "Доверительный интервал Уилсона",
    "CSI = mean over respondents of Σ w_k·100·(x_k − min_k)/(max_k − min_k) / Σ w_k over answered items; "
    "equal weights; Student t interval": "ИУК = среднее по респондентам значения Σ w_k·100·(x_k − min_k)/(max_k − "
    "min_k) / Σ w_k по отвеченным пунктам; равные веса; интервал Стьюдента",
    "Mean rating (1-5), Student t interval (df = n - 1)": "Средняя оценка (1-5), интервал Стьюдента (df = n − 1)",
    "Difference of means (after - before), independent samples: Welch t-test, t interval with "
    "Welch-Satterthwaite df": "Разность средних (после − до), независимые выборки: t-критерий Уэлча, "
    "t-интервал со степенями свободы Уэлча — Саттертуэйта",
    "NPS change (after - before), independent samples: trinomial Wald variances, z-test, normal interval": (
        "Изменение NPS (после − до), независимые выборки: триномиальные дисперсии Вальда, z-критерий, "
        "нормальный интервал"
    ),
    "Difference of proportions (after - before): Newcomb hybrid score interval, score test": (
        "Разность долей (после − до): гибридный интервал Ньюкомба, критерий Рао"
    ),
    "difference of two waves' totals; percentile interval of the difference of their client-bootstrap draws": (
        "разность итогов двух волн; процентильный интервал разности их бутстреп-выборок по клиентам"
    ),
}
_CELL_CHANGE = re.compile(
    r"NPS change, cluster-robust SE per wave \(clients as clusters\), waves treated as independent "
    r"\(conservative\), z-test; (?P<adj>[\w-]+) adjustment across (?P<n>\d+) cells"
)
_ADJ_RU = {"Holm": "Холма", "Benjamini-Hochberg": "Бенджамини — Хохберга"}
#: The cell method on a subset the report has no cell for (no multiple-testing adjustment).
SUBSET_CHANGE_EN = (
    "NPS change, cluster-robust SE per wave (clients as clusters), waves treated as independent "
    "(conservative), z-test; no adjustment: the report has no cell for this combination of filters"
)
SUBSET_CHANGE_RU = (
    "Изменение NPS, кластерно-устойчивая ошибка в каждой волне (клиенты — кластеры), волны считаются "
    "независимыми (консервативно), z-критерий; без поправки на множественные сравнения: в отчёте нет "
    "ячейки для такого сочетания фильтров"
)
_METHODS_RU[SUBSET_CHANGE_EN] = SUBSET_CHANGE_RU
_ALIKE = " (all respondents of the cell alike)"
#: Said of a change the report does not test (``cxlab.present.dashboard_tiles.UNADJUSTED``).
_UNADJUSTED = (
    "; no adjustment: the report has no cell for this selection",
    "; без поправки на множественные сравнения: в отчёте нет ячейки для такой выборки",
)


def method_text(method: str) -> dict[str, str]:
    """A method string of cxlab (English) in both languages, whole.

    Unknown strings keep their English text in ``en`` and get a Russian
    sentence saying the method is described in the report, so that a
    Russian page never shows English.

    Examples
    --------
    >>> method_text("NPS change, cluster-robust SE per wave (clients as clusters), waves treated as "
    ...             "independent (conservative), z-test; Holm adjustment across 5 cells")["ru"][-27:]
    'поправка Холма по 5 ячейкам'
    """
    if not method:
        return both("", "")
    unadjusted = method.endswith(_UNADJUSTED[0])
    core = method.removesuffix(_UNADJUSTED[0])
    alike = core.endswith(_ALIKE)
    core = core.removesuffix(_ALIKE)
    ru = _METHODS_RU.get(core)
    if ru is None and (m := _CELL_CHANGE.fullmatch(core)):
        adj = _ADJ_RU.get(m["adj"], m["adj"])
        ru = (
            "Изменение NPS, кластерно-устойчивая ошибка в каждой волне (клиенты — кластеры), волны считаются "
            f"независимыми (консервативно), z-критерий; поправка {adj} по {_cells_ru(int(m['n']))}"
        )
    if ru is None:
        ru = "метод описан в отчёте волны"
    if alike:
        ru += " (все ответившие в ячейке ответили одинаково)"
    if unadjusted:
        ru += _UNADJUSTED[1]
    return both(ru, method)


def join_methods(*parts: dict[str, str]) -> dict[str, str]:
    """Method texts joined into one paragraph per language (empty parts left out)."""
    return {lang: ". ".join(p[lang].rstrip(".") for p in parts if p.get(lang)) for lang in ("ru", "en")}


# ------------------------------------------------------------------ notes and messages
_MESSAGES: list[tuple[re.Pattern, str, str]] = [
    (
        re.compile(r"n = (\d+) < (\d+)"),
        r"n = \1 < \2: слишком мало ответов для оценки",
        r"n = \1 < \2: too few answers",
    ),
    (
        re.compile(r"NPS not asked on 0-10 in this wave"),
        "в этой волне вопрос о рекомендации задан не по шкале 0-10",
        "",
    ),
    (re.compile(r"no answers"), "нет ответов", ""),
    (re.compile(r"no invitations recorded for this wave"), "в этой волне приглашения не записаны", ""),
    (re.compile(r"no churn model"), "модели оттока нет", ""),
    (re.compile(r"no usable attribute ratings in this wave"), "в этой волне нет пригодных оценок атрибутов", ""),
    (
        re.compile(r"too few respondents for the matrix \(n = (\d+) < (\d+)\)"),
        r"слишком мало ответивших для матрицы (n = \1 < \2)",
        "",
    ),
    (re.compile(r"calculating…?"), "расчёт…", ""),
    (re.compile(r"no previous wave"), "предыдущей волны нет", ""),
    (re.compile(r"no comments"), "комментариев нет", ""),
]


def message_text(text: str | dict | None) -> dict[str, str]:
    """A message of the data layer in both languages.

    ``text`` is either a pair already (``{"ru", "en"}``, e.g. the churn
    model's message) or one of the data layer's English messages (the
    importance-performance matrix's reason, a tile's note); unknown English
    text is kept in ``en`` and reads "подробности — в отчёте волны" in ``ru``.

    Examples
    --------
    >>> message_text("too few respondents for the matrix (n = 12 < 18)")["ru"]
    'слишком мало ответивших для матрицы (n = 12 < 18)'
    """
    if not text:
        return both("", "")
    if isinstance(text, dict):
        return both(str(text.get("ru") or ""), str(text.get("en") or ""))
    for pattern, ru, en in _MESSAGES:
        if m := pattern.fullmatch(text):
            return both(m.expand(ru), m.expand(en) if en else text)
    return both("подробности — в отчёте волны", text)


def note_text(note: str | dict | None) -> dict[str, str]:
    """A tile's note in both languages (:func:`message_text`)."""
    return message_text(note)


# ------------------------------------------------------------------ filter values
#: Respondent roles (``cxlab.schema.ROLES``) as a viewer reads them.
ROLE_LABELS = {
    "decision_maker": both("ЛПР", "decision maker"),
    "day_to_day": both("контактное лицо", "day-to-day contact"),
    "marketing": both("маркетинг", "marketing"),
    "finance": both("финансы", "finance"),
    "other": both("другое", "other"),
}
#: Client segments of the demo and simulated workspaces (free text elsewhere: shown as written).
SEGMENT_LABELS = {
    "FMCG": both("FMCG (товары повседневного спроса)", "FMCG"),
    "energy": both("энергетика", "energy"),
    "finance": both("финансы", "finance"),
    "industry": both("промышленность", "industry"),
    "pharma": both("фармацевтика", "pharma"),
    "public sector": both("госсектор", "public sector"),
    "real estate": both("недвижимость", "real estate"),
    "retail": both("розничная торговля", "retail"),
    "tech": both("технологии", "tech"),
    "telecom": both("телеком", "telecom"),
}
