"""The dashboard's panels as HTML: tiles, clients at risk, themes, comments, chart captions and tooltips.

Pure functions of a figure row (or frame), the selection's key and the
page's language, used by :class:`~cxlab.present.dashboard.Dashboard`:
every panel carries ``data-key`` (the selection it was drawn for) and
``data-lang``; text is escaped; a change is coloured by what it *means*
(:func:`~cxlab.present.dashboard_text.meaning_class`), never by its
direction; the interval, p-value and method are one click (``<details>``)
or hover (``title``) away, in full.

Examples
--------
>>> row = {"metric": "nps", "estimate": 31.4, "ci_low": 20.0, "ci_high": 42.0, "n": 159, "suppressed": False,
...        "previous_wave": "2026-Q2", "before": 24.0, "change": 7.4, "change_ci_low": -6.0,
...        "change_ci_high": 21.0, "p_value": 0.28, "significant": False, "method": "NPS"}
>>> change_words(row, "ru")
'выше на 7,4 п. — в пределах случайности'
>>> row_meaning(row), row_meaning({**row, "significant": True, "metric": "revenue_at_risk"})
('neutral', 'bad')
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pandas as pd

from cxlab.present.dashboard_text import _fmt, _t, meaning_class
from cxlab.present.dashboard_words import change_words as words_for
from cxlab.stats.registry import change_meaning, label

__all__ = [
    "tile_html",
    "tile_failed_html",
    "tile_busy_html",
    "change_words",
    "row_meaning",
    "at_risk_html",
    "themes_html",
    "comments_html",
    "caption_html",
    "ipa_message",
]


def _dec(text: str, lang: str) -> str:
    """Numbers with a decimal comma on the Russian page ("30,8"), a point on the English one."""
    return re.sub(r"(\d)\.(\d)", r"\1,\2", text) if lang == "ru" else text


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _lang_text(value, lang: str, fallback: str = "") -> str:
    """``value[lang]`` for a {"ru", "en"} dict, else ``fallback`` (a one-language text is never shown)."""
    if isinstance(value, dict):
        return str(value.get(lang) or "")
    return fallback


def row_meaning(row: dict) -> str:
    """What the row's change means ("good", "bad", "neutral", "" for none): its ``meaning``, else the registry's.

    Both come from :func:`cxlab.stats.registry.change_meaning` (NPS up is
    good, revenue at risk up is bad, a change within chance is neutral).
    """
    given = row.get("meaning")
    if isinstance(given, str):
        return given
    return change_meaning(row["metric"], row.get("change", math.nan), bool(row.get("significant")))


def _scale(metric: str) -> float:
    return {"response_rate": 100.0, "revenue_at_risk": 1e-6}.get(metric, 1.0)


def _unit(metric: str, lang: str, currency: str = "RUB") -> str:
    if metric == "response_rate":
        return {"ru": " п.п.", "en": " pp"}[lang]
    if metric == "revenue_at_risk":
        if currency == "RUB":
            return {"ru": " млн ₽", "en": " M RUB"}[lang]
        return {"ru": f" млн {currency}", "en": f" M {currency}"}[lang]
    return {"ru": " п.", "en": " pt"}[lang]


def change_words(row: dict, lang: str, currency: str = "RUB") -> str:
    """The change in words ("выше на 7 п. к 2026-Q2 — в пределах случайности"): the row's ``change_words``, or built."""
    given = _lang_text(row.get("change_words"), lang)
    if given:
        return given
    if row.get("previous_wave") is None:
        return _t("no_previous", lang)
    change = row.get("change")
    if _nan(change):
        return f"{_t('vs', lang)} {row['previous_wave']}: —"
    return words_for(row["metric"], change, bool(row.get("significant")), currency=currency)[lang]


def _value_text(row: dict, lang: str, currency: str) -> tuple[str, str]:
    """The tile's figure and its interval, formatted for the metric."""
    metric, est = row["metric"], row["estimate"]
    if row.get("suppressed"):
        return "—", _t("suppressed", lang)
    if metric in ("nps", "csi"):
        return _fmt(est, 1), f"{_fmt(row['ci_low'], 1)} … {_fmt(row['ci_high'], 1)}"
    if metric == "response_rate":
        value = "—" if _nan(est) else f"{100 * est:.1f}%"
        return value, f"{_fmt(100 * row['ci_low'], 1)} … {_fmt(100 * row['ci_high'], 1)}%"
    unit = _unit(metric, lang, currency)
    value = "—" if _nan(est) else f"{est / 1e6:,.1f}{unit}".replace(",", " ")
    return value, f"{_fmt(row['ci_low'] / 1e6, 1)} … {_fmt(row['ci_high'] / 1e6, 1)}{unit}"


def _details(row: dict, lang: str, ci: str, n_text: str, currency: str) -> list[str]:
    """The lines behind "details": interval and n, the change's interval and p-value, method, note."""
    lines = [_dec(f"{_t('interval', lang)}: {ci}; {n_text}", lang)]
    change = row.get("change")
    if row.get("previous_wave") is not None and change is not None and not _nan(change):
        s, unit = _scale(row["metric"]), _unit(row["metric"], lang, currency)
        places = 2 if row["metric"] == "revenue_at_risk" else 1
        low, high = row.get("change_ci_low", math.nan), row.get("change_ci_high", math.nan)
        part = (
            f"{_t('vs', lang)} {row['previous_wave']}: {change * s:+.{places}f}{unit}, {_t('change_interval', lang)} "
            f"{_fmt(low * s, places)} … {_fmt(high * s, places)}"
        )
        p = row.get("p_value")
        if not _nan(p):
            part += f"; {_t('p_value', lang)} = {p:.3f}"
            padj = row.get("p_adjusted")
            if not _nan(padj) and padj != p:
                part += f" ({_t('p_adjusted', lang)}: {padj:.3f})"
        lines.append(_dec(part, lang))
    method = _lang_text(row.get("method_text"), lang, row.get("method", "") if lang == "en" else "")
    if method:
        lines.append(f"{_t('method', lang)}: {method}")
    note = _lang_text(row.get("note_text"), lang, str(row.get("note") or "") if lang == "en" else "")
    if note:
        lines.append(note)
    return lines


def tile_html(
    row: dict, key: str, lang: str, *, currency: str = "RUB", spark: str = "", role_filter: bool = False
) -> str:
    """One headline tile: label, figure with n, the change in words coloured by meaning, sparkline, details."""
    metric, est = row["metric"], row["estimate"]
    value, ci = _value_text(row, lang, currency)
    value = _dec(value, lang)
    n = int(row["n"])
    if metric == "revenue_at_risk":
        n_text = f"{_t('clients_n', lang)}: {n}"
        if role_filter:
            n_text += f" · {_t('role_not_applied', lang)}"
    else:
        n_text = f"n = {n}"
    meaning = row_meaning(row)
    words = change_words(row, lang, currency)
    prev = row.get("previous_wave")
    if prev is not None and str(prev) not in words:
        words += f" ({_t('vs', lang)} {prev})"
    lines = _details(row, lang, ci, n_text, currency)
    details = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    data_value = "" if _nan(est) else f"{est:.6g}"
    return (
        f"<div class='cx-tile' data-metric='{metric}' data-value='{data_value}' data-n='{n}' "
        f"data-key='{html.escape(key)}' data-lang='{lang}' data-meaning='{meaning}' "
        f"data-significant='{str(bool(row.get('significant'))).lower()}' title='{html.escape(' · '.join(lines))}'>"
        f"<div class='cx-tile-title'>{html.escape(label(metric, lang))}</div>"
        f"<div class='cx-tile-main'><div><div class='cx-tile-value'>{html.escape(value)}</div>"
        f"<div class='cx-tile-n'>{html.escape(n_text)}</div></div>{spark}</div>"
        f"<div class='cx-tile-change'><span class='cx-change {meaning_class(meaning)}' data-meaning='{meaning}'>"
        f"{html.escape(words)}</span></div>"
        f"<details class='cx-more'><summary>{html.escape(_t('details', lang))}</summary>{details}</details>"
        f"</div>"
    )


def tile_failed_html(metric: str, key: str, lang: str) -> str:
    """A tile whose figure could not be computed: it says so, for the selection ``key``."""
    return (
        f"<div class='cx-tile' data-metric='{metric}' data-key='{html.escape(key)}' data-lang='{lang}' "
        f"data-value=''>{html.escape(_t('failed', lang))}</div>"
    )


def tile_busy_html(metric: str, key: str, lang: str) -> str:
    """A tile still "calculating…" for the selection ``key``, under its title."""
    return (
        f"<div class='cx-tile cx-busy cx-calc' data-metric='{metric}' data-key='{html.escape(key)}' "
        f"data-lang='{lang}' data-value=''><div class='cx-tile-title'>"
        f"{html.escape(label(metric, lang))}</div>"
        f"<div class='cx-tile-value'>{html.escape(_t('calculating', lang))}</div></div>"
    )


def caption_html(name: str, key: str, lang: str, text: str) -> str:
    """A chart's caption: its title, the selection it shows (``data-key``) and what the viewer should know."""
    return (
        f"<div class='cx-caption' data-key='{html.escape(key)}' data-lang='{lang}'>"
        f"<b>{html.escape(_t(name, lang))}</b>. {html.escape(text)}</div>"
    )


def ipa_message(reason: Any, lang: str) -> str:
    """Why the matrix is not drawn, in the page's language (the data layer's reason may be English)."""
    if isinstance(reason, dict):
        return str(reason.get(lang) or "")
    found = re.search(r"n = (\d+) < (\d+)", str(reason))
    if found:
        return _t("ipa_too_few", lang).format(n=found.group(1), need=found.group(2))
    return _t("ipa_none", lang)


def _column(table: pd.DataFrame, *names: str) -> pd.Series:
    for name in names:
        if name in table:
            return table[name].fillna("").astype(str)
    return pd.Series([""] * len(table), index=table.index)


def at_risk_html(
    table: pd.DataFrame, key: str, lang: str, *, top: int | None = None, method: str = "", note: str = ""
) -> str:
    """Clients at risk, most severe first: client, revenue at risk, probability, reasons, owner, follow-up status.

    ``top`` cuts the list for the first screen (with a pointer to the tab).
    """
    k = html.escape(key)
    css = "cx-at-risk-top" if top else "cx-at-risk-all"
    if not len(table):
        return f"<p class='{css}' data-key='{k}' data-lang='{lang}'>{html.escape(_t('no_flags', lang))}</p>"
    shown = table.head(top or 40)
    million = {"ru": "млн", "en": "M"}[lang]
    reasons = _column(shown, "reasons_text", "reasons")
    flags = _column(shown, "flags")
    owner = _column(shown, "owner", "manager")
    status = _column(shown, "status", "action")
    rows = []
    for i, r in enumerate(shown.itertuples()):
        p = "—" if pd.isna(r.p) else f"{100 * r.p:.0f}%"
        p_title = f"95%: {r.p_95}%" if getattr(r, "p_95", "") else ""
        revenue = "—" if pd.isna(r.revenue_at_risk) else _dec(f"{r.revenue_at_risk / 1e6:.2f} {million}", lang)
        why = reasons.iloc[i] or flags.iloc[i]
        cells = [
            f"<td class='cx-num'>{i + 1}</td>",
            f"<td>{html.escape(str(r.client))}</td>",
            f"<td class='cx-num'>{html.escape(revenue)}</td>",
            "" if top else f"<td class='cx-num' title='{html.escape(p_title)}'>{html.escape(p)}</td>",
            f"<td>{html.escape(why)}</td>",
            f"<td class='cx-name'>{html.escape(owner.iloc[i])}</td>",
            f"<td>{html.escape(status.iloc[i])}</td>",
        ]
        rows.append(f"<tr data-client='{html.escape(str(r.client_id))}'>{''.join(cells)}</tr>")
    columns = (
        ("rank", "client", "revenue", "reasons", "owner", "status")
        if top
        else ("rank", "client", "revenue", "p", "reasons", "owner", "status")
    )
    heads = "".join(f"<th>{html.escape(_t(c, lang))}</th>" for c in columns)
    more = f"<p class='cx-caption'>{html.escape(_t('more_in_tab', lang))}</p>" if top else ""
    foot = " ".join(t for t in (method, note) if t)
    foot_html = f"<p class='cx-caption'>{html.escape(foot)}</p>" if foot and not top else ""
    return (
        f"<table class='cx-table {css}' data-key='{k}' data-lang='{lang}' data-count='{len(table)}'>"
        f"<tr>{heads}</tr>{''.join(rows)}</table>{more}{foot_html}"
    )


def themes_html(table: pd.DataFrame | None, hidden: str | None, key: str, lang: str, min_n: int, method: str) -> str:
    """The selection's themes: how many comments, what share, among detractors vs promoters."""
    k = html.escape(key)
    if hidden is not None:
        # The comments panel below says why.
        return f"<div class='cx-themes-hidden' data-key='{k}' data-lang='{lang}'></div>"
    if table is None or not len(table):
        return f"<div class='cx-themes-none' data-key='{k}' data-lang='{lang}'></div>"
    shown = table[table["n"] > 0]
    if not len(shown):
        return f"<p class='cx-caption' data-key='{k}' data-lang='{lang}'>{html.escape(_t('no_themes', lang))}</p>"
    n_comments = int(table["n_comments"].iloc[0])
    # Comments by detractors and by promoters (None: no 0-10 score in this wave); a side with fewer than
    # min_n comments shows no shares.
    sides: dict[str, int | None] = {
        side: int(table[f"n_{side}"].iloc[0]) if f"n_{side}" in table else None for side in ("detractors", "promoters")
    }

    def pct(value) -> str:
        return "—" if value is None or pd.isna(value) else f"{100 * value:.0f}%"

    def share(r, side: str) -> str:
        n = sides[side]
        return pct(r[f"share_{side}"]) if n is not None and n >= min_n else "—"

    rows = "".join(
        f"<tr data-theme='{html.escape(str(r['theme']))}' data-n='{int(r['n'])}'>"
        f"<td>{html.escape(str(r['label']))}</td><td class='cx-num'>{int(r['n'])}</td>"
        f"<td class='cx-num'>{pct(r['share'])}</td>"
        + "".join(f"<td class='cx-num'>{share(r, side)}</td>" for side in sides)
        + "</tr>"
        for _, r in shown.iterrows()
    )
    heads = [f"<th>{html.escape(_t('theme', lang))}</th>"]
    heads += [f"<th class='cx-num'>{html.escape(_t(c, lang))}</th>" for c in ("n_comments", "share_comments")]
    for side, n in sides.items():
        count = "" if n is None else f" <span class='cx-caption'>(n = {n})</span>"
        heads.append(f"<th class='cx-num'>{html.escape(_t(f'share_{side}', lang))}{count}</th>")
    caption = _t("themes_caption", lang).format(n=n_comments, min_n=min_n)
    return (
        f"<h4 style='margin:4px 0'>{html.escape(_t('themes_title', lang))}</h4>"
        f"<table class='cx-table cx-themes-table' data-key='{k}' data-lang='{lang}' "
        f"data-comments='{n_comments}'><tr>{''.join(heads)}</tr>{rows}</table>"
        f"<p class='cx-caption'>{html.escape(caption)} {html.escape(method)}.</p>"
    )


def comments_html(frame: pd.DataFrame, key: str, lang: str, start: int, size: int) -> str:
    """One page of comments (``size`` from ``start``), with the labelled count of the selection's comments."""
    k = html.escape(key)
    if not len(frame):
        return f"<p data-key='{k}' data-lang='{lang}' data-count='0'>{html.escape(_t('comments_none', lang))}</p>"
    page = frame.iloc[start : start + size]
    rows = "".join(
        f"<tr><td>{'' if pd.isna(r.nps) else int(r.nps)}</td>"
        f"<td>{html.escape(_t(r.category, lang)) if isinstance(r.category, str) else ''}</td>"
        f"<td>{html.escape(str(r.themes))}</td>"
        f"<td>{html.escape(str(r.comment))}</td></tr>"
        for r in page.itertuples()
    )
    heads = "".join(f"<th>{html.escape(_t(c, lang))}</th>" for c in ("nps_score", "category", "themes", "comment"))
    count = _t("comments_count", lang).format(n=len(frame))
    return (
        f"<p class='cx-caption cx-comments-count'>{html.escape(count)}</p>"
        f"<table class='cx-table' data-key='{k}' data-lang='{lang}' data-count='{len(frame)}' "
        f"data-start='{start}'><tr>{heads}</tr>{rows}</table>"
    )


def page_label(start: int, size: int, total: int, lang: str) -> str:
    """ "21–40 из 84" / "21–40 of 84"."""
    if not total:
        return ""
    return _t("page_of", lang).format(first=start + 1, last=min(start + size, total), total=total)
