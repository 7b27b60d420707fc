"""The dashboard's panels as HTML and PNG: tiles, charts, clients at risk, themes and comments.

The part of :class:`~cxlab.present.dashboard.Dashboard` that draws each
panel for the current selection and language from
:class:`~cxlab.present.dashboard_data.DashboardData`: text is escaped, cells
below ``min_n`` are hidden, charts are PNG images made by matplotlib.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, cast

import pandas as pd

from cxlab.present.dashboard_text import _fmt, _t
from cxlab.stats.registry import label

if TYPE_CHECKING:
    import ipywidgets as w

    from cxlab.present.dashboard_data import DashboardData, Selection

    class _DashboardWidgets:
        """The ``Dashboard`` state the panels draw into (set in ``Dashboard.__init__``)."""

        data: DashboardData
        selection: Selection
        lang: str
        max_comments: int
        charts: dict[str, w.Image]
        captions: dict[str, w.HTML]
        at_risk: w.HTML
        at_risk_title: w.HTML
        themes: w.HTML
        comments: w.HTML
        comments_title: w.HTML
        comment_category: w.Dropdown
        comment_theme: w.Dropdown
        comment_search: w.Text
        _chart_cache: dict[tuple[str, str, str], tuple[bytes, str]]

else:
    # The type checker's view only: at run time _Panels derives from object, as before.
    _DashboardWidgets = object


class _Panels(_DashboardWidgets):
    """Tiles, charts and tables of the dashboard (a part of ``Dashboard``)."""

    def _tile(self, row: dict, pending: bool = False) -> str:
        lang, metric = self.lang, row["metric"]
        est = row["estimate"]
        if metric in ("nps", "csi"):
            value, ci = _fmt(est, 1), f"{_fmt(row['ci_low'], 1)} … {_fmt(row['ci_high'], 1)}"
            change, unit = row["change"], ""
        elif metric == "response_rate":
            value = "—" if math.isnan(est) else f"{100 * est:.1f}%"
            ci = f"{_fmt(100 * row['ci_low'], 1)} … {_fmt(100 * row['ci_high'], 1)}%"
            change, unit = 100 * row["change"], {"ru": " п.п.", "en": " pp"}[lang]
        else:
            million = (
                {"ru": " млн ₽", "en": " M RUB"}[lang] if self.data.currency == "RUB" else f" M {self.data.currency}"
            )
            value = "—" if math.isnan(est) else f"{est / 1e6:,.1f}{million}"
            ci = f"{_fmt(row['ci_low'] / 1e6, 1)} … {_fmt(row['ci_high'] / 1e6, 1)}{million}"
            change, unit = row["change"] / 1e6, million
        n_text = f"n = {int(row['n'])}"
        if metric == "revenue_at_risk":
            n_text = {"ru": f"клиентов: {int(row['n'])}", "en": f"clients: {int(row['n'])}"}[lang]
            if self.selection.role:
                n_text += f" · {_t('role_not_applied', lang)}"
        if row["suppressed"]:
            value, ci = "—", _t("suppressed", lang)
        elif row.get("note") and math.isnan(est):
            ci = html.escape(str(row["note"]))
        if row["previous_wave"] is None:
            change_html = f"<span class='cx-change-noise'>{_t('no_previous', lang)}</span>"
        elif pending:
            change_html = (
                f"<span class='cx-change-pending'>{_t('vs', lang)} {html.escape(row['previous_wave'])}: "
                f"{_t('computing', lang)}</span>"
            )
        elif isinstance(change, float) and math.isnan(change):
            change_html = (
                f"<span class='cx-change-noise'>{_t('vs', lang)} {html.escape(row['previous_wave'])}: —</span>"
            )
        else:
            real = bool(row["significant"])
            arrow = "▲" if change > 0 else ("▼" if change < 0 else "=")
            scale = 100 if metric == "response_rate" else (1e-6 if metric == "revenue_at_risk" else 1)
            interval = f"{_fmt(row['change_ci_low'] * scale, 1)} … {_fmt(row['change_ci_high'] * scale, 1)}"
            verdict = _t("real" if real else "noise", lang)
            p = "" if math.isnan(row["p_value"]) else f", p = {row['p_value']:.3f}"
            cls = "cx-change-real" + (" cx-up" if change > 0 else "") if real else "cx-change-noise"
            change_html = (
                f"<span class='{cls}' data-significant='{str(real).lower()}'>{arrow} {change:+.1f}{unit} "
                f"{_t('vs', lang)} {html.escape(row['previous_wave'])} (95%: {interval}) — "
                f"{verdict}{p}</span>"
            )
        data_value = "" if math.isnan(est) else f"{est:.6g}"
        return (
            f"<div class='cx-tile' data-metric='{metric}' data-value='{data_value}' data-n='{int(row['n'])}' "
            f"data-key='{html.escape(self.selection.key())}' data-lang='{lang}'>"
            f"<div class='cx-tile-title'>{html.escape(label(metric, lang))}</div>"
            f"<div class='cx-tile-value'>{value}</div>"
            f"<div class='cx-tile-ci'>95%: {ci} · {n_text}</div>"
            f"<div class='cx-tile-change'>{change_html}</div>"
            f"<div class='cx-tile-method' title='{html.escape(row['method'])}'>{html.escape(row['method'][:80])}</div>"
            f"</div>"
        )

    def _caption(self, name: str, text: str) -> None:
        self.captions[name].value = (
            f"<div class='cx-caption' data-key='{html.escape(self.selection.key())}'>"
            f"<b>{html.escape(_t(name, self.lang))}</b>. {html.escape(text)}</div>"
        )

    def _draw_charts(self) -> None:
        for name in ("trend", "by_service", "by_manager", "ipa"):
            key = (name, self.selection.key(), self.lang)
            if key not in self._chart_cache:
                # Going back to a selection seen before costs nothing; charts are the slow part.
                if len(self._chart_cache) > 256:
                    self._chart_cache.clear()
                self._chart_cache[key] = getattr(self, f"_build_{name}")()
            self._chart(name, *self._chart_cache[key])

    def _build_trend(self) -> tuple[bytes, str]:
        from cxlab.present.dashboard_figures import png, trend_panels

        trend = self.data.trend(self.selection)
        if not len(trend) or trend["suppressed"].astype(bool).all():
            return b"", _t("no_data", self.lang)
        last = trend[trend["wave_id"] == self.selection.wave]
        return png(trend_panels(trend, self.lang, confidence=self.data.confidence)), "; ".join(
            f"{r.metric.upper()} {r.wave_id}: n = {r.n}" for r in last.itertuples()
        )

    def _build_by_service(self) -> tuple[bytes, str]:
        from cxlab.present.dashboard_figures import png
        from cxlab.present.figures import nps_by_service

        d = self.data
        cells = d.by_service(self.selection)
        shown = int((~cells["suppressed"].astype(bool)).sum()) if len(cells) else 0
        if not shown:
            return b"", _t("no_data", self.lang)
        svc = d.data.services.set_index("service_id")
        cells = cells.assign(
            name_ru=cells["service_id"].map(svc["name_ru"]), name_en=cells["service_id"].map(svc["name_en"])
        )
        return png(nps_by_service(cells, self.lang, d.min_n)), f"{shown}/{len(cells)}: n ≥ {d.min_n}"

    def _build_by_manager(self) -> tuple[bytes, str]:
        from cxlab.present.dashboard_figures import png
        from cxlab.present.driver_figures import group_forest

        d, lang = self.data, self.lang
        cells = d.by_manager(self.selection)
        shown = int((~cells["suppressed"].astype(bool)).sum()) if len(cells) else 0
        if not shown:
            return b"", _t("no_data", lang)
        hidden = len(cells) - shown
        fig = group_forest(
            cells,
            "manager",
            lang=lang,
            unit={"ru": "NPS, пункты", "en": "NPS, points"}[lang],
            method=cells["method"].dropna().iloc[0],
            title=_t("by_manager", lang),
            note={"ru": f"Скрыто с n < {d.min_n}: {hidden}.", "en": f"Hidden with n < {d.min_n}: {hidden}."}[lang],
            confidence=d.confidence,
        )
        return png(fig), f"{shown}/{len(cells)}: n ≥ {d.min_n}"

    def _build_ipa(self) -> tuple[bytes, str]:
        from cxlab.drivers.ipa import QUADRANT_LABELS
        from cxlab.present.dashboard_figures import png
        from cxlab.present.driver_figures import ipa_scatter

        ipa = self.data.ipa(self.selection)
        if isinstance(ipa, str):
            return b"", ipa
        fig = ipa_scatter(
            ipa.table,
            ipa.importance_cut,
            ipa.performance_cut,
            lang=self.lang,
            labels=self._attribute_labels(ipa.table["driver"]),
            method=ipa.method,
            quadrant_labels={q: v[self.lang] for q, v in QUADRANT_LABELS.items()},
            confidence=ipa.importance.confidence,
        )
        return png(fig), f"n ≥ {int(ipa.table['n'].min())}; {ipa.method}"

    def _attribute_labels(self, items) -> dict:
        from cxlab.present.drivers_report import item_label, wave_questionnaire

        q = wave_questionnaire(self.data.ws.wave(self.selection.wave))
        return {item: item_label(q, item, self.lang) for item in items}

    def _chart(self, name: str, image: bytes, caption: str) -> None:
        self.charts[name].value = image
        self.charts[name].layout.display = "" if image else "none"
        self._caption(name, caption)

    def _show_at_risk(self) -> None:
        lang = self.lang
        self.at_risk_title.value = f"<h3>{html.escape(_t('at_risk', lang))}</h3>"
        table = self.data.at_risk(self.selection, lang)
        scores = self.data.risk_scores(self.selection.wave)
        note = (scores.message or {}).get(lang, "") if isinstance(scores.message, dict) else ""
        flagged = table[table["flags"] != ""]
        top = pd.concat([flagged, table[table["flags"] == ""].head(max(0, 10 - len(flagged)))])
        if not len(top):
            self.at_risk.value = f"<p>{html.escape(_t('no_flags', lang))}</p>"
            return
        million = {"ru": "млн", "en": "M"}[lang]
        rows = []
        for r in top.head(40).itertuples():
            p = "—" if pd.isna(r.p) else f"{100 * r.p:.0f}%"
            revenue = "—" if pd.isna(r.revenue_at_risk) else f"{r.revenue_at_risk / 1e6:.2f} {million}"
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(v))}</td>"
                    for v in (r.client, r.manager, p, r.p_95, revenue, r.flags, r.reasons, r.action)
                )
                + "</tr>"
            )
        heads = "".join(
            f"<th>{html.escape(_t(k, lang))}</th>"
            for k in ("client", "manager", "p", "p_95", "revenue", "flags", "reasons", "action")
        )
        method = scores.method.get(lang, "") if isinstance(scores.method, dict) else ""
        self.at_risk.value = (
            f"<table class='cx-table' data-key='{html.escape(self.selection.key())}' "
            f"data-flagged='{len(flagged)}'><tr>{heads}</tr>{''.join(rows)}</table>"
            f"<p class='cx-caption'>{html.escape(method)}. {html.escape(note)}</p>"
        )

    def _show_themes(self) -> None:
        """The selection's themes: how many comments, what share, among detractors vs promoters."""
        lang, d = self.lang, self.data
        key = html.escape(self.selection.key())
        table, hidden = d.themes(self.selection, lang)
        if hidden is not None:
            # The comments panel below says why.
            self.themes.value = f"<div class='cx-themes-hidden' data-key='{key}'></div>"
            return
        table = cast(pd.DataFrame, table)  # not hidden: a frame
        if not len(table):
            # No comments at all: the comments panel below says so.
            self.themes.value = f"<div class='cx-themes-none' data-key='{key}'></div>"
            return
        shown = table[table["n"] > 0]
        if not len(shown):
            self.themes.value = f"<p class='cx-caption' data-key='{key}'>{html.escape(_t('no_themes', lang))}</p>"
            return
        n_comments = int(table["n_comments"].iloc[0])
        # Comments by detractors and by promoters (None: no 0-10 score in this wave); a side with fewer than
        # min_n comments shows no shares.
        sides = {
            side: int(table[f"n_{side}"].iloc[0]) if f"n_{side}" in table else None
            for side in ("detractors", "promoters")
        }

        def pct(value) -> str:
            return "—" if value is None or pd.isna(value) else f"{100 * value:.0f}%"

        def share(r, side) -> str:
            # mypy does not narrow sides[side] by the None test before the comparison.
            return pct(r[f"share_{side}"]) if sides[side] is not None and sides[side] >= d.min_n else "—"  # type: ignore[operator]

        rows = "".join(
            f"<tr data-theme='{html.escape(str(r['theme']))}' data-n='{int(r['n'])}'>"
            f"<td>{html.escape(str(r['label']))}</td><td class='cx-num'>{int(r['n'])}</td>"
            f"<td class='cx-num'>{pct(r['share'])}</td>"
            + "".join(f"<td class='cx-num'>{share(r, side)}</td>" for side in sides)
            + "</tr>"
            for _, r in shown.iterrows()
        )
        heads = [f"<th>{html.escape(_t('theme', lang))}</th>"]
        heads += [f"<th class='cx-num'>{html.escape(_t(k, lang))}</th>" for k in ("n_comments", "share_comments")]
        for side, n in sides.items():
            count = "" if n is None else f" <span class='cx-caption'>(n = {n})</span>"
            heads.append(f"<th class='cx-num'>{html.escape(_t(f'share_{side}', lang))}{count}</th>")
        caption = _t("themes_caption", lang).format(n=n_comments, min_n=d.min_n)
        method = d.comment_method(lang)
        self.themes.value = (
            f"<h4 style='margin:4px 0'>{html.escape(_t('themes_title', lang))}</h4>"
            f"<table class='cx-table cx-themes-table' data-key='{key}' "
            f"data-comments='{n_comments}'><tr>{''.join(heads)}</tr>{rows}</table>"
            f"<p class='cx-caption'>{html.escape(caption)} {html.escape(method)}.</p>"
        )

    def _show_comments(self) -> None:
        lang, d = self.lang, self.data
        self.comments_title.value = f"<h3>{html.escape(_t('comments', lang))}</h3>"
        frame, hidden = d.comments(self.selection, lang)
        key = html.escape(self.selection.key())
        if hidden is not None:
            n = int(d.response_mask(self.selection).sum())
            self.comments.value = (
                f"<p class='cx-comments-hidden' data-key='{key}'>"
                f"{html.escape(_t('comments_hidden', lang).format(min_n=d.min_n, n=n))}</p>"
            )
            return
        if self.comment_category.value:
            frame = frame[frame["category"] == self.comment_category.value]
        theme = self.comment_theme.value
        if theme:
            frame = frame[frame["theme_ids"].map(lambda ids: theme in ids.split("; "))]
        needle = (self.comment_search.value or "").strip().lower()
        if needle:
            frame = frame[frame["comment"].str.lower().str.contains(needle, regex=False)]
        if not len(frame):
            self.comments.value = f"<p data-key='{key}'>{html.escape(_t('comments_none', lang))}</p>"
            return
        rows = "".join(
            f"<tr><td>{'' if pd.isna(r.nps) else int(r.nps)}</td>"
            f"<td>{html.escape(_t(r.category, lang)) if isinstance(r.category, str) else ''}</td>"
            f"<td>{html.escape(str(r.themes))}</td>"
            f"<td>{html.escape(str(r.comment))}</td></tr>"
            for r in frame.head(self.max_comments).itertuples()
        )
        heads = "".join(f"<th>{html.escape(_t(k, lang))}</th>" for k in ("nps_score", "category", "themes", "comment"))
        self.comments.value = (
            f"<table class='cx-table' data-key='{key}' data-count='{len(frame)}'>"
            f"<tr>{heads}</tr>{rows}</table>"
            f"<p class='cx-caption'>{len(frame)}</p>"
        )
