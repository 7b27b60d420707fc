"""Russian and English labels for reports, charts and the Excel pack.

>>> from cxlab.present.labels import t
>>> t("nps", "ru"), t("nps", "en")
('NPS', 'NPS')
>>> t("by_service", "ru")
'По услугам'
"""

from __future__ import annotations

from cxlab.errors import ParameterError
from cxlab.stats.registry import metric

__all__ = ["LABELS", "t", "column_labels", "pick"]


def pick(pairs: dict, key: str, lang: str) -> str:
    """``pairs[key]`` is ``(ru, en)``: the one in ``lang``; the key itself when there is none."""
    pair = pairs.get(key)
    return key if pair is None else pair[0 if lang == "ru" else 1]


LABELS: dict[str, tuple[str, str]] = {
    # key: (ru, en); the metrics' labels come from the metric registry (cxlab.stats.registry)
    "report_title": ("Отчёт по волне опроса клиентов", "Client survey wave report"),
    "wave": ("Волна", "Wave"),
    "workspace": ("Компания", "Company"),
    "nps": metric("nps").labels,
    "csi": metric("csi").labels,
    "csat_mean": metric("csat_mean").labels,
    "top2box": metric("top2box").labels,
    "response_rate": metric("response_rate").labels,
    "summary": ("Сводка", "Summary"),
    "trend": ("Динамика", "Trend"),
    "by_service": ("По услугам", "By service"),
    "by_client": ("По клиентам", "By client"),
    "by_manager": ("По менеджерам", "By manager"),
    "by_team": ("По командам", "By team"),
    "by_direction": ("По направлениям", "By direction"),
    "by_segment": ("По сегментам", "By segment"),
    "by_role": ("По ролям респондентов", "By respondent role"),
    "changes": ("Изменения к прошлой волне", "Change since last wave"),
    "definitions": ("Определения", "Definitions"),
    "metric": ("Показатель", "Metric"),
    "estimate": ("Оценка", "Estimate"),
    "ci_low": ("Нижняя граница 95% ДИ", "95% CI low"),
    "ci_high": ("Верхняя граница 95% ДИ", "95% CI high"),
    "se": ("Станд. ошибка", "Std. error"),
    "n": ("n", "n"),
    "method": ("Метод", "Method"),
    "suppressed": ("Скрыто (n < мин.)", "Suppressed (n < min)"),
    "service": ("Услуга", "Service"),
    "service_id": ("Код услуги", "Service id"),
    "direction": ("Направление", "Direction"),
    "client": ("Клиент", "Client"),
    "client_id": ("Код клиента", "Client id"),
    "manager": ("Менеджер", "Manager"),
    "team": ("Команда", "Team"),
    "segment": ("Сегмент", "Segment"),
    "role": ("Роль", "Role"),
    "wave_id": ("Волна", "Wave"),
    "pct_promoters": ("Промоутеры", "Promoters"),
    "pct_passives": ("Нейтралы", "Passives"),
    "pct_detractors": ("Критики", "Detractors"),
    "promoters": ("Промоутеры", "Promoters"),
    "passives": ("Нейтралы", "Passives"),
    "detractors": ("Критики", "Detractors"),
    "nps_account": metric("nps_account").labels,
    "nps_revenue": metric("nps_revenue").labels,
    "nps_clustered": metric("nps_clustered").labels,
    "change": ("Изменение", "Change"),
    "before": ("Прошлая волна", "Previous wave"),
    "after": ("Эта волна", "This wave"),
    "p_value": ("p-значение", "p-value"),
    "p_adjusted": ("p скорр.", "p adjusted"),
    "significant": ("Значимо", "Significant"),
    "n_before": ("n (прошлая)", "n (previous)"),
    "n_after": ("n (эта)", "n (this)"),
    "contract_value": ("Годовой контракт", "Annual contract"),
    "respondents": ("Ответивших", "Respondents"),
    "mean_recommend": ("Средняя оценка рекомендации (0-10)", "Mean likelihood to recommend (0-10)"),
    "account_net": ("Чистый балл клиента (-100..100)", "Account net score (-100..100)"),
    "overall_mean": ("Общая удовлетворённость, среднее", "Overall satisfaction, mean"),
    "status": ("Статус", "Status"),
    "rating_mean": ("Оценка услуги, среднее", "Service rating, mean"),
    "rating_n": ("Оценок услуги", "Service ratings"),
    "invited": ("Приглашено", "Invited"),
    "responded": ("Ответили", "Responded"),
    "value": ("Значение", "Value"),
    "definition": ("Определение", "Definition"),
    "no_previous": ("Предыдущей волны нет.", "No previous wave."),
    "suppressed_note": ("Ячейки с n меньше {min_n} скрыты.", "Cells with n below {min_n} are suppressed."),
    "trend_title": ("NPS по волнам, {level} интервал", "NPS by wave, {level} interval"),
    "service_title": ("Промоутеры, нейтралы и критики по услугам", "Promoters, passives and detractors by service"),
    "direction_title": ("CSI по направлениям, {level} интервал", "CSI by direction, {level} interval"),
    "dimension": ("Разрез", "Dimension"),
    "cell": ("Ячейка", "Cell"),
    "nps_paired": ("NPS, те же контакты", "NPS, same contacts"),
    "rating_ci_low": ("Оценка услуги, нижн. граница", "Service rating, CI low"),
    "rating_ci_high": ("Оценка услуги, верх. граница", "Service rating, CI high"),
    "csi_ci_low": ("CSI, нижн. граница", "CSI, CI low"),
    "csi_ci_high": ("CSI, верх. граница", "CSI, CI high"),
    "name": ("Название", "Name"),
    "rating_95": ("Оценка услуги, 95%", "Service rating, 95%"),
    "csi_95": ("CSI, 95%", "CSI, 95%"),
    # key drivers, needs, managers (notebooks/drivers.ipynb)
    "drivers_title": (
        "Ключевые факторы, потребности и работа менеджеров",
        "Key drivers, needs and manager effectiveness",
    ),
    "drivers": ("Ключевые факторы", "Key drivers"),
    "ipa": ("Важность — исполнение", "Importance-performance"),
    "penalty_reward": ("Штраф и награда", "Penalty-reward"),
    "drivers_trend": ("Факторы по волнам", "Drivers by wave"),
    "needs": ("Потребности", "Needs"),
    "cross_sell": ("Кросс-продажи", "Cross-sell"),
    "needs_by_client": ("Потребности по клиентам", "Needs by client"),
    "services_lacked": ("Каких услуг не хватает", "Services lacked"),
    "n_lacked": ("Назвали услуг", "Services named"),
    "already_buys": ("Уже покупает услуг", "Services bought"),
    "priorities": ("Приоритеты развития", "Development priorities"),
    "managers": ("Менеджеры", "Managers"),
    "teams": ("Команды", "Teams"),
    "manager_profile": ("Профиль лучших менеджеров", "Profile of the best managers"),
    "driver": ("Атрибут", "Attribute"),
    "importance": ("Важность", "Importance"),
    "share": ("Доля", "Share"),
    "share_ci_low": ("Доля, нижн. граница", "Share, CI low"),
    "share_ci_high": ("Доля, верх. граница", "Share, CI high"),
    "rank": ("Ранг", "Rank"),
    "rank_ci_low": ("Ранг, от", "Rank, from"),
    "rank_ci_high": ("Ранг, до", "Rank, to"),
    "rank_95": ("Ранг, 95%", "Rank, 95%"),
    "vif": ("VIF", "VIF"),
    "quadrant": ("Квадрант", "Quadrant"),
    "quadrant_share": ("Устойчивость квадранта", "Quadrant stability"),
    "performance": ("Исполнение (средняя оценка)", "Performance (mean rating)"),
    "penalty": ("Штраф за низкую оценку", "Penalty when rated low"),
    "reward": ("Награда за высокую оценку", "Reward when rated high"),
    "kind": ("Тип", "Kind"),
    "mentions": ("Назвали", "Mentions"),
    "clients": ("Клиентов", "Clients"),
    "clients_needing": ("Клиентов с потребностью", "Clients needing it"),
    "clients_buying": ("Клиентов уже покупают", "Clients already buying"),
    "penetration": ("Проникновение", "Penetration"),
    "potential_value": ("Потенциал (сумма контрактов)", "Potential (contract value)"),
    "weighted_demand": ("Спрос, взвешенный по выручке", "Revenue-weighted demand"),
    "priority_rank": ("Приоритет", "Priority"),
    "label": ("Название", "Name"),
    "shrinkage": ("Сглаживание к среднему", "Pulled to the mean"),
    "raw_mean": ("Среднее без сглаживания", "Raw mean"),
    "p_top": ("Вероятность попасть в лучшую четверть", "Probability of the top quarter"),
    "p_above_mean": ("Вероятность выше среднего", "Probability above the mean"),
    "effect": ("Отличие от среднего", "Difference from the mean"),
    "estimate_95": ("95%", "95%"),
    "r2": ("R²", "R²"),
    "kendall_tau": ("τ Кендалла", "Kendall's τ"),
    "wave_before": ("Прошлая волна", "Previous wave"),
    "wave_after": ("Эта волна", "This wave"),
    "share_before": ("Доля (прошлая)", "Share (previous)"),
    "share_after": ("Доля (эта)", "Share (this)"),
    "not_available": ("Нет данных для этого раздела: {reason}", "Not available for this wave: {reason}"),
    "yes": ("да", "yes"),
    "no": ("нет", "no"),
}


def t(key: str, lang: str = "ru") -> str:
    """Label of ``key`` in ``lang`` (``ru`` or ``en``); the key itself if unknown."""
    if lang not in ("ru", "en"):
        raise ParameterError(f"lang must be 'ru' or 'en', not {lang!r}", parameter="lang", value=lang)
    pair = LABELS.get(key)
    return key if pair is None else pair[0 if lang == "ru" else 1]


def column_labels(columns, lang: str = "ru") -> dict[str, str]:
    """Mapping of column names to their labels, for display."""
    return {c: t(c, lang) for c in columns}
