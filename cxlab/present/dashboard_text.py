"""The dashboard's words and style: RU/EN labels, the inline CSS, number formatting.

:data:`TEXT` holds every label the dashboard shows, in Russian and English
(the metrics' labels from the metric registry, :mod:`cxlab.stats.registry`);
:data:`CSS` its inline style sheet (nothing is loaded from the internet).
"""

from __future__ import annotations

import math

from cxlab.stats.registry import metric

__all__ = ["TEXT", "CSS", "ALL", "meaning_class"]

ALL = ""  # the dropdowns' value for "no filter"

TEXT = {
    "title": ("Клиентский опыт: панель руководителя", "Client experience: executive dashboard"),
    "wave": ("Волна", "Wave"),
    "direction": ("Направление", "Direction"),
    "service": ("Услуга", "Service"),
    "team": ("Команда", "Team"),
    "manager": ("Менеджер", "Manager"),
    "segment": ("Сегмент", "Segment"),
    "role": ("Роль респондента", "Respondent role"),
    "all": ("Все", "All"),
    # The tiles' titles: the metric registry's labels.
    "nps": metric("nps").labels,
    "csi": metric("csi").labels,
    "response_rate": metric("response_rate").labels,
    "revenue_at_risk": metric("revenue_at_risk").labels,
    "vs": ("к", "vs"),
    "real": ("изменение значимо", "a real change"),
    "noise": ("в пределах случайности", "within noise"),
    "no_previous": ("нет прошлой волны для сравнения", "no previous wave to compare"),
    "computing": ("считается…", "computing…"),
    "calculating": ("считаем…", "calculating…"),
    "details": ("подробнее", "details"),
    "interval": ("95% интервал", "95% interval"),
    "change_interval": ("интервал изменения", "interval of the change"),
    "p_value": ("p-значение", "p-value"),
    "p_adjusted": ("с поправкой на число сравнений", "adjusted for multiple comparisons"),
    "method": ("Метод", "Method"),
    "respondents": ("ответивших", "respondents"),
    "clients_n": ("клиентов", "clients"),
    "tab_drivers": ("Драйверы", "Drivers"),
    "tab_managers": ("Менеджеры и команды", "Managers and teams"),
    "tab_services": ("Услуги", "Services"),
    "tab_risk": ("Клиенты под риском", "Clients at risk"),
    "tab_comments": ("Комментарии", "Comments"),
    "top_risk": ("Главные клиенты под риском", "Top clients at risk"),
    "more_in_tab": ("весь список — во вкладке «Клиенты под риском»", "full list in the 'Clients at risk' tab"),
    "by_team": ("NPS по командам", "NPS by team"),
    "owner": ("Ответственный", "Owner"),
    "status": ("Статус действия", "Follow-up status"),
    "prev_page": ("← назад", "← previous"),
    "next_page": ("вперёд →", "next →"),
    "page_of": ("{first}–{last} из {total}", "{first}–{last} of {total}"),
    "comments_count": ("Комментариев в выборке: {n}", "Comments in this selection: {n}"),
    "points": ("п.", "pt"),
    "spark": ("по волнам", "over waves"),
    "estimate": ("Оценка", "Estimate"),
    "importance": ("Важность (доля объяснённой дисперсии NPS)", "Importance (share of NPS variance explained)"),
    "performance": ("Исполнение (средняя оценка)", "Performance (mean rating)"),
    "ipa_labels": (
        "Подписаны точки, подписи которых не накладываются; остальные — при наведении.",
        "Points whose labels do not overlap are labelled; the others on hover.",
    ),
    "rank": ("№", "#"),
    "lang_ru": ("по-русски", "in Russian"),
    "lang_en": ("по-английски", "in English"),
    "failed": (
        "Не удалось посчитать эту часть; остальное верно.",
        "This part could not be computed; the rest is right.",
    ),
    "ipa_too_few": (
        "Мало ответивших для матрицы (n = {n}, нужно не меньше {need}).",
        "Too few respondents for the matrix (n = {n}, at least {need} needed).",
    ),
    "ipa_none": ("Матрицу для этой выборки построить нельзя.", "The matrix cannot be drawn for this selection."),
    "ipa_method": (
        "Важность — вклад атрибута в объяснённую дисперсию NPS (разложение Шепли, LMG), исполнение — средняя "
        "оценка атрибута; пунктир — медианы; интервалы — бутстреп по клиентам.",
        "Importance: the attribute's share of the NPS variance explained (Shapley decomposition, LMG); "
        "performance: its mean rating; dashed lines: the medians; intervals: bootstrap over clients.",
    ),
    "forest_method": (
        "Точка — NPS, линия — 95% интервал (с учётом нескольких ответов от одного клиента).",
        "Dot: NPS; line: 95% interval (allowing for several answers from one client).",
    ),
    "trend_method": (
        "Полоса — 95% интервал (NPS: триномиальная дисперсия); волны с n меньше минимума не показаны.",
        "Band: 95% interval (NPS: trinomial variance); waves with n below the minimum are not shown.",
    ),
    "csi_trend": ("Динамика CSI", "CSI over waves"),
    "trend_method_csi": (
        "Полоса — 95% интервал (интервал Стьюдента); волны с n меньше минимума не показаны.",
        "Band: 95% interval (Student t); waves with n below the minimum are not shown.",
    ),
    "nps_trend": ("Динамика NPS", "NPS over waves"),
    "hidden_cells": ("скрыто с n < {min_n}: {k}", "hidden with n < {min_n}: {k}"),
    "shown_cells": ("Показано {shown} из {total}", "{shown} of {total} shown"),
    "suppressed": ("скрыто: мало ответов", "hidden: too few answers"),
    "trend": ("Динамика NPS", "NPS over waves"),
    "by_service": ("NPS по услугам", "NPS by service"),
    "by_manager": ("NPS по менеджерам", "NPS by manager"),
    "ipa": ("Важность и исполнение", "Importance and performance"),
    "at_risk": ("Клиенты под риском: почему и что делается", "Clients at risk: why, and what is being done"),
    "comments": ("Комментарии клиентов", "Client comments"),
    "comments_hidden": (
        "Комментарии скрыты: в выборке меньше {min_n} ответивших ({n}), автора можно было бы угадать.",
        "Comments hidden: fewer than {min_n} respondents in this selection ({n}); the author could be guessed.",
    ),
    "comments_none": ("В выборке нет комментариев.", "No comments in this selection."),
    "search": ("Поиск по тексту", "Search the text"),
    "category": ("Категория", "Category"),
    "theme": ("Тема", "Theme"),
    "themes": ("Темы", "Themes"),
    "themes_title": ("О чём пишут", "What the comments are about"),
    "n_comments": ("Комментариев", "Comments"),
    "share_comments": ("Доля комментариев", "Share of comments"),
    "share_detractors": ("У критиков", "Among detractors"),
    "share_promoters": ("У промоутеров", "Among promoters"),
    "themes_caption": (
        "Доля — от {n} комментариев выборки; у критиков и промоутеров — доля их комментариев с "
        "темой («—», если таких комментариев меньше {min_n}). Комментарий — ответ «почему такая "
        "оценка» и открытый комментарий вместе.",
        "Share: of the selection's {n} comments; among detractors and promoters: share of their "
        "comments on the theme ('—' when they wrote fewer than {min_n}). A comment is the answer to "
        "'why this score' and the open comment together.",
    ),
    "no_themes": (
        "Ни одна тема кодбука не найдена в комментариях выборки.",
        "No theme of the codebook found in this selection's comments.",
    ),
    "promoter": ("промоутеры", "promoters"),
    "passive": ("нейтралы", "passives"),
    "detractor": ("критики", "detractors"),
    "no_data": ("нет данных для этой выборки", "no data for this selection"),
    "role_not_applied": ("фильтр роли не применяется к клиентам", "the role filter does not apply to accounts"),
    "rejected": ("Адрес не принят", "The address was not accepted"),
    "loading": ("Загрузка данных…", "Loading the data…"),
    "busy": (
        "Данные сейчас обновляются. Обновите страницу через минуту.",
        "The workspace is being updated. Refresh the page in a moment.",
    ),
    "footer": (
        "Все показатели — те же функции cxlab, что и в отчёте волны; 95% интервалы; ячейки с n < {min_n} "
        "скрыты. Личные данные респондентов не показываются.",
        "Every figure comes from the same cxlab functions as the wave report; 95% intervals; cells with "
        "n < {min_n} are hidden. No respondent's personal data is shown.",
    ),
    "client": ("Клиент", "Client"),
    "p": ("Вероятность ухода, 12 мес.", "Churn probability, 12 months"),
    "p_95": ("95% ДИ, %", "95% CI, %"),
    "revenue": metric("revenue_at_risk").labels,
    "flags": ("Сигналы", "Flags"),
    "reasons": ("Причины", "Reasons"),
    "action": ("Действие", "Action"),
    "nps_score": ("Оценка 0-10", "Score 0-10"),
    "comment": ("Комментарий", "Comment"),
    "no_flags": ("Нет клиентов под риском в этой выборке.", "No clients at risk in this selection."),
}

CSS = """
<style>
.cx-dashboard {font-family: 'DejaVu Sans', Arial, sans-serif; padding-right: 18px; box-sizing: border-box;}
.cx-dashboard .widget-html-content {line-height: 1.35;}
.cx-tabs .lm-TabBar-tab, .cx-tabs .p-TabBar-tab {font-size: 13px;}
.cx-tabs .lm-TabBar-tab {flex: 0 0 auto !important; max-width: none !important;}
.cx-table td.cx-name {white-space: nowrap;}
/* Tabs not shown keep their width (hidden, not display:none): charts drawn in them are measured right. */
.cx-tabs .widget-tab-contents {position: relative;}
.cx-tabs .widget-tab-contents > .lm-Widget.lm-mod-hidden {display: block !important; visibility: hidden;
  position: absolute; left: 0; right: 0; top: 0; height: 0; overflow: hidden;}
.cx-tile {box-sizing: border-box; border: 1px solid #d8dde6; border-radius: 6px; padding: 8px 12px;
  background: #fafbfc; min-height: 118px;}
.cx-tile-title {font-size: 13px; color: #555; text-transform: uppercase; letter-spacing: .03em;}
.cx-tile-value {font-size: 30px; font-weight: bold; color: #1f3f77; line-height: 1.2;}
.cx-tile-ci, .cx-tile-method {font-size: 11px; color: #666;}
.cx-tile-change {font-size: 12px; margin-top: 3px;}
.cx-tile-nps .cx-tile-value {font-size: 46px;}
.cx-tile-main {display: flex; justify-content: space-between; align-items: flex-end; gap: 8px;}
.cx-tile-n {font-size: 12px; color: #444;}
.cx-spark {flex: none;}
.cx-good {color: #1e8449; font-weight: bold;}
.cx-bad {color: #b03a2e; font-weight: bold;}
.cx-neutral {color: #6b6b6b;}
.cx-more {font-size: 11px; color: #555; margin-top: 3px;}
.cx-more summary {cursor: pointer; color: #1f3f77;}
.cx-more div {white-space: normal; overflow-wrap: anywhere;}
.cx-pager {display: flex; gap: 8px; align-items: center; font-size: 12px;}
.cx-table {border-collapse: collapse; font-size: 12px; width: 100%;}
.cx-table th, .cx-table td {border-bottom: 1px solid #e3e6eb; padding: 3px 6px; text-align: left; vertical-align: top;}
.cx-caption {font-size: 11px; color: #666;}
.cx-themes-table {width: auto; min-width: 50%; margin-bottom: 6px;}
.cx-themes-table td.cx-num, .cx-themes-table th.cx-num {text-align: right;}
.cx-error {border: 1px solid #c0392b; background: #fdecea; padding: 12px 16px; border-radius: 6px; color: #922b21;}
.cx-busy {border: 1px solid #b7950b; background: #fef9e7; padding: 12px 16px; border-radius: 6px; color: #7d6608;}
/* A panel being computed for the current selection (the startup's cx-busy box is the whole page). */
.cx-busy.cx-calc {border: 1px dashed #b7950b; padding: 6px 10px; font-size: 13px; opacity: .85;}
</style>
"""


def _t(key: str, lang: str) -> str:
    return TEXT[key][0 if lang == "ru" else 1]


def _fmt(value, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{places}f}".replace(",", " ")


#: The CSS class of a change, by what it means for the business (not by its direction).
MEANING_CLASS = {"good": "cx-good", "bad": "cx-bad", "neutral": "cx-neutral", "": "cx-neutral"}


def meaning_class(meaning: str | None) -> str:
    """The one place a change's colour is chosen: green good, red bad, grey within chance or unknown.

    Examples
    --------
    >>> meaning_class("bad"), meaning_class("good"), meaning_class("")
    ('cx-bad', 'cx-good', 'cx-neutral')
    """
    return MEANING_CLASS.get(meaning or "", "cx-neutral")


def busy_html(key: str, lang: str, css: str = "") -> str:
    """The "calculating…" state of a panel for the selection ``key`` (class ``cx-busy``)."""
    import html

    return (
        f"<div class='cx-busy cx-calc {css}' data-key='{html.escape(key)}' data-lang='{lang}'>"
        f"{html.escape(_t('calculating', lang))}</div>"
    )
