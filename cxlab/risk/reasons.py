"""Why a client is at risk, in plain words a director understands, in Russian or English.

The churn model names the features that raise a client's risk most
(:meth:`ChurnRiskModel.reasons <cxlab.risk.ChurnRiskModel.reasons>`): a
feature, its value and its push on the log-odds.  A director does not read
"change in score index since the last answer: 0.7"; they read "оценка
рекомендации упала на 3 п. (9 → 6)" or "ЛПР — критик".  :func:`plain_reason`
says one feature of one client that way, and says nothing (None) where the
value does not raise the risk in plain terms (a score that went *up*, no
complaints, a contract's logarithm): a reason is only ever bad news.

The risk report's at-risk table and the dashboard's list both show these
words (:func:`cxlab.present.risk_report.at_risk_frame`).

Examples
--------
>>> plain_reason("nps_change", -3.0, {"nps_mean": 6.0, "nps_prev": 9.0}, "ru")
'оценка рекомендации упала на 3 п. (9 → 6)'
>>> plain_reason("score_change", 0.7, {}, "ru") is None
True
>>> plain_reason("dm_nps", 4.0, {}, "en")
'decision maker is a detractor (score 4 of 10)'
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["plain_reason", "plain_reasons"]

#: Below this recommend score (0-10) a respondent is a detractor.
_DETRACTOR = 6


def _num(x: float, lang: str, decimals: int = 1) -> str:
    text = f"{float(x):.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "ru" else text


def _times_ru(n: int) -> str:
    return "раз" if n % 10 in (0, 1, 5, 6, 7, 8, 9) or 11 <= n % 100 <= 14 else "раза"


def _points_ru(x: float) -> str:
    """«балл» declined after a number as shown (one decimal)."""
    if round(x, 1) != round(x):
        return "балла"
    n = round(x)
    if n % 10 == 1 and n % 100 != 11:
        return "балл"
    return "балла" if n % 10 in (2, 3, 4) and not 12 <= n % 100 <= 14 else "баллов"


def _waves_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "волну"
    return "волны" if n % 10 in (2, 3, 4) and not 12 <= n % 100 <= 14 else "волн"


def _get(row, key):
    v = row.get(key) if hasattr(row, "get") else None
    try:
        return math.nan if v is None else float(v)
    except (TypeError, ValueError):
        return math.nan


def _drop(feature: str, value: float, before: float, now: float, lang: str, recommend: bool) -> str | None:
    """A fall of a score in words (None unless it fell)."""
    if math.isnan(value) or value >= 0:
        return None
    size = _num(abs(value), lang)
    path = f" ({_num(before, lang)} → {_num(now, lang)})" if not (math.isnan(before) or math.isnan(now)) else ""
    if recommend:
        return (
            f"оценка рекомендации упала на {size} п.{path}"
            if lang == "ru"
            else f"recommend score fell {size} {'point' if size == '1' else 'points'}{path}"
        )
    return (
        f"общая оценка клиента снизилась на {size} {_points_ru(abs(value))} из 10{path}"
        if lang == "ru"
        else f"client's overall score fell {size} points out of 10{path}"
    )


def plain_reason(feature: str, value: float, row, lang: str, label: str | None = None) -> str | None:
    """One reason in plain words, or None when this value does not raise the risk in plain terms.

    Parameters
    ----------
    feature : str
        The model's feature (``" (missing)"`` suffix for "not answered").
    value : float
        The client's value of the feature (NaN when not answered).
    row : mapping
        The client's panel row (for the score before and after a change).
    lang : {"ru", "en"}
    label : str, optional
        The attribute's name for ``attr_<id>`` features.

    Examples
    --------
    >>> plain_reason("responded", 0.0, {}, "ru"), plain_reason("complaints_6m", 0.0, {}, "ru")
    ('не ответил на опрос', None)
    """
    ru = lang == "ru"
    v = math.nan if value is None or pd.isna(value) else float(value)
    base = feature.removesuffix(" (missing)")
    if feature.endswith(" (missing)") or (math.isnan(v) and base not in ("responded",)):
        if base == "dm_nps":
            return "ЛПР не ответил на опрос" if ru else "decision maker did not answer the survey"
        if base.startswith(("score", "nps", "overall", "attr", "price", "detractor", "divergence")):
            return "нет свежей оценки: клиент не отвечал" if ru else "no recent score: the client did not answer"
        return None
    if base == "nps_change":
        return _drop(base, v, _get(row, "nps_prev"), _get(row, "nps_mean"), lang, recommend=True)
    if base == "score_change":
        # The recommend question is what a director knows: say it when it fell too.
        nps = _get(row, "nps_change")
        if not math.isnan(nps) and nps < 0:
            return _drop("nps_change", nps, _get(row, "nps_prev"), _get(row, "nps_mean"), lang, recommend=True)
        now = _get(row, "score_index")
        return _drop(base, v, now - v if not math.isnan(now) else math.nan, now, lang, recommend=False)
    if base in ("score_index", "score_last", "score_ewm", "score_history"):
        return (
            f"низкая общая оценка клиента: {_num(v, lang)} из 10"
            if ru
            else f"low overall score from the client: {_num(v, lang)} out of 10"
        )
    if base in ("nps_mean", "nps_last", "nps_min"):
        if v <= _DETRACTOR:
            return (
                f"клиент — критик (оценка {_num(v, lang)} из 10)"
                if ru
                else f"client is a detractor (score {_num(v, lang)} of 10)"
            )
        return (
            f"низкая оценка рекомендации: {_num(v, lang)} из 10"
            if ru
            else f"low recommend score: {_num(v, lang)} of 10"
        )
    if base == "dm_nps":
        if v <= _DETRACTOR:
            return (
                f"ЛПР — критик (оценка {_num(v, lang)} из 10)"
                if ru
                else f"decision maker is a detractor (score {_num(v, lang)} of 10)"
            )
        return (
            f"ЛПР оценил ниже других: {_num(v, lang)} из 10"
            if ru
            else f"decision maker's score is low: {_num(v, lang)} of 10"
        )
    if base == "detractor_share":
        if v <= 0:
            return None
        pct = _num(100 * v, lang, 0)
        return f"критики среди контактов: {pct} %" if ru else f"detractors among the contacts: {pct}%"
    if base == "divergence":
        if v >= 0:
            return None
        gap = _num(abs(v), lang)
        return (
            f"ЛПР оценивает на {gap} п. ниже контактного лица"
            if ru
            else f"decision maker scores {gap} points below the day-to-day contact"
        )
    if base == "overall_mean":
        return (
            f"низкая общая удовлетворённость: {_num(v, lang)}" if ru else f"low overall satisfaction: {_num(v, lang)}"
        )
    if base == "price_mean":
        return f"недоволен ценой: {_num(v, lang)}" if ru else f"unhappy with the price: {_num(v, lang)}"
    if base in ("attr_mean", "attr_min"):
        return f"низкие оценки работы: {_num(v, lang)}" if ru else f"low ratings of the work: {_num(v, lang)}"
    if base.startswith("attr_") and not base.endswith("_change"):
        name = label or base[5:].replace("_", " ")
        return f"низкая оценка «{name}»: {_num(v, lang)}" if ru else f"low rating of '{name}': {_num(v, lang)}"
    if base == "responded":
        return ("не ответил на опрос" if ru else "did not answer the survey") if v == 0 else None
    if base in ("silent_waves", "waves_since_answer"):
        if v < 1:
            return None
        k = int(v)
        return f"не отвечает на опрос {k} {_waves_ru(k)} подряд" if ru else f"silent for {k} survey waves in a row"
    if base == "response_share":
        if v >= 1:
            return None
        pct = _num(100 * v, lang, 0)
        return f"ответили только {pct} % контактов" if ru else f"only {pct}% of the contacts answered"
    if base == "manager_changes_6m":
        if v <= 0:
            return None
        k = int(v)
        return f"менеджер сменился {k} {_times_ru(k)} за полгода" if ru else f"account manager changed {k}× in 6 months"
    if base == "complaints_6m":
        if v <= 0:
            return None
        k = int(v)
        return f"жалобы за полгода: {k}" if ru else f"complaints in 6 months: {k}"
    if base == "downsized_12m":
        if v <= 0:
            return None
        k = int(v)
        return f"сокращал бюджет за год: {k} {_times_ru(k)}" if ru else f"cut the budget {k}× in 12 months"
    if base == "tenure_years":
        years = _num(v, lang)
        return f"работаем недавно: {years} г." if ru else f"a recent client: {years} years"
    if base == "n_services":
        return f"покупает мало услуг: {int(v)}" if ru else f"buys few services: {int(v)}"
    # Model internals (a contract's logarithm, expansions, drifts of a single attribute) are no reason to give.
    return None


def plain_reasons(
    reasons: pd.DataFrame, panel: pd.DataFrame | None, lang: str, top: int = 3
) -> tuple[pd.Series, pd.Series]:
    """Each client's reasons in plain words (``"; "``-joined, strongest first) and their features.

    Parameters
    ----------
    reasons : DataFrame
        :meth:`ChurnRiskModel.reasons` (``client_id, wave_id, rank, feature,
        label_ru, label_en, value, ...``), strongest first per client.
    panel : DataFrame or None
        The scored panel rows (for scores before and after a change).
    lang : {"ru", "en"}
    top : int
        Reasons kept per client after the ones that say nothing are dropped.

    Returns
    -------
    text, features : Series
        Indexed by ``client_id``.
    """
    if not len(reasons):
        return pd.Series(dtype=str), pd.Series(dtype=str)
    rows: dict = {}
    if panel is not None and len(panel):
        keyed = panel.drop_duplicates(["client_id", "wave_id"]).set_index(["client_id", "wave_id"])
        rows = dict(zip(keyed.index, keyed.to_dict("records")))
    texts: dict[str, list[str]] = {}
    feats: dict[str, list[str]] = {}
    for r in reasons.to_dict("records"):
        cid = r["client_id"]
        if len(texts.setdefault(cid, [])) >= top:
            continue
        feats.setdefault(cid, [])
        label = None
        base = str(r["feature"]).removesuffix(" (missing)")
        if base.startswith("attr_"):
            label = _attribute_label(base[5:], lang)
        text = plain_reason(str(r["feature"]), r["value"], rows.get((cid, r.get("wave_id")), {}), lang, label)
        if text and text not in texts[cid]:
            texts[cid].append(text)
            feats[cid].append(str(r["feature"]))
    text = pd.Series({c: "; ".join(t) for c, t in texts.items()}, dtype=str)
    features = pd.Series({c: ";".join(feats.get(c, [])) for c in texts}, dtype=str)
    return text, features


def _attribute_label(attribute_id: str, lang: str) -> str:
    """The attribute's name in the bundled questionnaire (the id, spaced, when it is not there)."""
    from cxlab.questionnaire import find_questionnaire

    try:
        q = find_questionnaire("pr_agency")
        if q is not None:
            return q.label(attribute_id, lang)
    except Exception:  # an attribute of another template: its id, spaced, reads better than nothing
        pass
    return attribute_id.replace("_", " ")


def rule_reason(rule: str, value, evidence: str, row, lang: str) -> str | None:
    """An early-warning rule's flag said in a few plain words (:func:`cxlab.risk.early_warnings` rows).

    Examples
    --------
    >>> rule_reason("detractor_decision_maker", 5.0, "", {}, "ru")
    'ЛПР — критик (оценка 5 из 10)'
    >>> rule_reason("silence", 1.0, "", {}, "en")
    'did not answer the survey'
    """
    ru = lang == "ru"
    v = math.nan if value is None or pd.isna(value) else float(value)
    evidence = str(evidence or "")
    if rule == "detractor_decision_maker":
        return (
            plain_reason("dm_nps", v if not math.isnan(v) else 0.0, row, lang)
            if not math.isnan(v)
            else ("ЛПР — критик" if ru else "decision maker is a detractor")
        )
    if rule == "silence":
        return "не ответил на опрос" if ru else "did not answer the survey"
    if rule == "score_drop":
        change = _get(row, "nps_change")
        if not math.isnan(change) and change < 0:
            return _drop("nps_change", change, _get(row, "nps_prev"), _get(row, "nps_mean"), lang, recommend=True)
        return "оценка рекомендации упала" if ru else "recommend score fell"
    if rule == "divergence":
        return "ЛПР и контакты оценивают по-разному" if ru else "decision makers and contacts disagree"
    if rule == "price_risk":
        return "недоволен ценой" if ru else "unhappy with the price"
    if rule == "key_attribute_drop":
        what = evidence.split(" (")[0].split(";")[0].strip()
        return (
            (f"упала оценка: {what}" if what else "упала оценка ключевого атрибута")
            if ru
            else (f"rating fell: {what}" if what else "a key attribute's rating fell")
        )
    if rule == "recent_events":
        what = evidence.split(": ", 1)[1] if ": " in evidence else ""
        return (
            (f"за полгода: {what}" if what else "недавние события: жалоба, смена менеджера или сокращение")
            if ru
            else (f"in the last 6 months: {what}" if what else "recent events: a complaint, a new manager or a cut")
        )
    return None


def client_reasons(model_text: str, flags, row, lang: str, limit: int = 4) -> str:
    """A client's reasons for the at-risk list: the flags' plain words first, then the model's; no repeats.

    Parameters
    ----------
    model_text : str
        The model's reasons in plain words (``"; "``-joined).
    flags : DataFrame
        The client's early-warning rows (``rule, value, evidence``).
    row : mapping
        The client's scored panel row.
    lang : {"ru", "en"}
    limit : int
        Reasons shown at most.
    """
    out: list[str] = []
    for r in flags.to_dict("records") if flags is not None and len(flags) else []:
        text = rule_reason(str(r.get("rule")), r.get("value"), str(r.get("evidence") or ""), row, lang)
        if text and text not in out:
            out.append(text)
    for text in [t for t in str(model_text or "").split("; ") if t]:
        # A fall already said by a flag is not said twice (the model's may round differently).
        if text not in out and not any(text.split(" (")[0] == o.split(" (")[0] for o in out):
            out.append(text)
    return "; ".join(out[:limit])
