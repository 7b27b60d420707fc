"""The dashboard's words and style: RU/EN labels, the inline CSS, number formatting.

:data:`TEXT` holds every label the dashboard shows, in Russian and English
(the metrics' labels from the metric registry, :mod:`cxlab.stats.registry`);
:data:`CSS` its inline style sheet (nothing is loaded from the internet).
"""

from __future__ import annotations

import math

from cxlab.stats.registry import metric

__all__ = ["TEXT", "CSS", "ALL"]

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
    "suppressed": ("скрыто: мало ответов", "hidden: too few answers"),
    "trend": ("Динамика NPS и CSI", "NPS and CSI over waves"),
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
.cx-dashboard {font-family: 'DejaVu Sans', Arial, sans-serif;}
.cx-tile {border: 1px solid #d8dde6; border-radius: 6px; padding: 8px 12px; background: #fafbfc; min-height: 118px;}
.cx-tile-title {font-size: 13px; color: #555; text-transform: uppercase; letter-spacing: .03em;}
.cx-tile-value {font-size: 30px; font-weight: bold; color: #1f3f77; line-height: 1.2;}
.cx-tile-ci, .cx-tile-method {font-size: 11px; color: #666;}
.cx-tile-change {font-size: 12px; margin-top: 3px;}
.cx-change-real {color: #b03a2e; font-weight: bold;}
.cx-change-real.cx-up {color: #1e8449;}
.cx-change-noise {color: #777;}
.cx-table {border-collapse: collapse; font-size: 12px; width: 100%;}
.cx-table th, .cx-table td {border-bottom: 1px solid #e3e6eb; padding: 3px 6px; text-align: left; vertical-align: top;}
.cx-caption {font-size: 11px; color: #666;}
.cx-themes-table {width: auto; min-width: 50%; margin-bottom: 6px;}
.cx-themes-table td.cx-num, .cx-themes-table th.cx-num {text-align: right;}
.cx-error {border: 1px solid #c0392b; background: #fdecea; padding: 12px 16px; border-radius: 6px; color: #922b21;}
.cx-busy {border: 1px solid #b7950b; background: #fef9e7; padding: 12px 16px; border-radius: 6px; color: #7d6608;}
</style>
"""


def _t(key: str, lang: str) -> str:
    return TEXT[key][0 if lang == "ru" else 1]


def _fmt(value, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{places}f}".replace(",", " ")
