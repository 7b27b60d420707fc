"""The evidence of the early-warning rules: what each flag saw, in figures, in Russian or English.

One function per rule (``_EVIDENCE``), read by
:func:`cxlab.risk.rules.early_warnings`: numbers with a decimal comma and a
true minus sign in Russian, Russian plural forms, dates.  Figures only: no
respondent names, e-mails or comments.
"""

from __future__ import annotations

import pandas as pd

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
