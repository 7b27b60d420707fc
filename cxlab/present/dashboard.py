"""The executive dashboard: ipywidgets laid out for Voila, every figure from :mod:`dashboard_data`.

``notebooks/dashboard.ipynb`` runs :class:`Startup`, which reads the
workspace the server fixed at start (``CXLAB_WORKSPACE``) and the viewer's
query string (``QUERY_STRING``, set by Voila), checks every value against
what exists and gives the :class:`Dashboard` widget, or a message saying
what was refused.

Nothing is loaded from the internet: charts are PNG images made by
matplotlib in the kernel, styles are inline.

Examples
--------
>>> from cxlab.present.dashboard import Dashboard    # doctest: +SKIP
>>> Dashboard("workspaces/demo", lang="en").widget   # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
import os
import threading
from dataclasses import replace

import ipywidgets as w
import pandas as pd

from cxlab.present.dashboard_data import FILTERS, DashboardData, DashboardQueryError, Selection

__all__ = ["Dashboard", "Startup", "error_widget", "TEXT"]

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
    "nps": ("NPS", "NPS"),
    "csi": ("CSI", "CSI"),
    "response_rate": ("Доля ответивших", "Response rate"),
    "revenue_at_risk": ("Выручка под риском", "Revenue at risk"),
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
    "footer": (
        "Все показатели — те же функции cxlab, что и в отчёте волны; 95% интервалы; ячейки с n < {min_n} "
        "скрыты. Личные данные респондентов не показываются.",
        "Every figure comes from the same cxlab functions as the wave report; 95% intervals; cells with "
        "n < {min_n} are hidden. No respondent's personal data is shown.",
    ),
    "client": ("Клиент", "Client"),
    "p": ("Вероятность ухода, 12 мес.", "Churn probability, 12 months"),
    "p_95": ("95% ДИ, %", "95% CI, %"),
    "revenue": ("Выручка под риском", "Revenue at risk"),
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
</style>
"""


def _t(key: str, lang: str) -> str:
    return TEXT[key][0 if lang == "ru" else 1]


def _fmt(value, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{places}f}".replace(",", " ")


class Dashboard:
    """The dashboard's widgets, wired to a :class:`DashboardData`.

    Parameters
    ----------
    data : DashboardData or str or Path
        The workspace's prepared survey (or the workspace's folder).
    selection : Selection, optional
        What to show first (default: the latest wave, no filters).
    lang : {"ru", "en"}
    max_comments : int
        Comments listed at most (the category, theme and search filters narrow them).

    Attributes
    ----------
    widget : ipywidgets.AppLayout
        What the notebook displays.
    """

    def __init__(self, data, selection: Selection | None = None, *, lang: str = "ru", max_comments: int = 60):
        self.data = data if isinstance(data, DashboardData) else DashboardData(data)
        self.lang = lang if lang in ("ru", "en") else "ru"
        self.max_comments = max_comments
        self.selection = selection or self.data.latest()
        opts = self.data.options()
        self.filters = {}
        for name in FILTERS:
            dd = w.Dropdown(
                description=_t(name, self.lang),
                layout=w.Layout(width="auto", min_width="180px"),
                style={"description_width": "initial"},
            )
            dd.add_class(f"cx-filter-{name}")
            self.filters[name] = dd
        self.lang_toggle = w.ToggleButtons(
            options=[("RU", "ru"), ("EN", "en")], value=self.lang, style={"button_width": "44px"}
        )
        self.lang_toggle.add_class("cx-lang")
        self.title = w.HTML()
        self.tiles = {m: w.HTML().add_class(f"cx-tile-{m}") for m in ("nps", "csi", "response_rate", "revenue_at_risk")}
        self.charts = {
            name: w.Image(format="png", layout=w.Layout(width="100%", height="auto"))
            for name in ("trend", "by_service", "by_manager", "ipa")
        }
        self.captions = {name: w.HTML().add_class(f"cx-caption-{name}") for name in self.charts}
        for name, img in self.charts.items():
            img.add_class(f"cx-chart-{name}")
        self.at_risk = w.HTML().add_class("cx-at-risk")
        self.comment_category = w.Dropdown(layout=w.Layout(width="auto"), style={"description_width": "initial"})
        self.comment_category.add_class("cx-comment-category")
        self.comment_theme = w.Dropdown(layout=w.Layout(width="auto"), style={"description_width": "initial"})
        self.comment_theme.add_class("cx-comment-theme")
        self.comment_search = w.Text(continuous_update=False, layout=w.Layout(width="260px"))
        self.comment_search.add_class("cx-comment-search")
        self.themes = w.HTML().add_class("cx-themes")
        self.comments = w.HTML().add_class("cx-comments")
        self.footer = w.HTML()
        self._options = opts
        self._muted = False
        self._chart_cache: dict = {}
        self._pending = None
        self._set_options()
        self.widget = self._layout()
        self.refresh()
        for dd in self.filters.values():
            dd.observe(self._on_filter, names="value")
        self.lang_toggle.observe(self._on_lang, names="value")
        self.comment_category.observe(lambda _c: self._show_comments(), names="value")
        self.comment_theme.observe(lambda _c: self._show_comments(), names="value")
        self.comment_search.observe(lambda _c: self._show_comments(), names="value")
        self.widget.add_class("cx-dashboard-ready")

    # ------------------------------------------------------------ layout
    def _layout(self) -> w.AppLayout:
        filters = w.HBox(
            [self.filters[n] for n in FILTERS] + [self.lang_toggle],
            layout=w.Layout(flex_flow="row wrap", grid_gap="6px"),
        )
        header = w.VBox([w.HTML(CSS), self.title, filters])
        grid = w.GridspecLayout(5, 4, layout=w.Layout(grid_gap="10px", width="100%"))
        for i, m in enumerate(("nps", "csi", "response_rate", "revenue_at_risk")):
            grid[0, i] = self.tiles[m]
        grid[1, :2] = w.VBox([self.charts["trend"], self.captions["trend"]])
        grid[1, 2:] = w.VBox([self.charts["ipa"], self.captions["ipa"]])
        grid[2, :2] = w.VBox([self.charts["by_service"], self.captions["by_service"]])
        grid[2, 2:] = w.VBox([self.charts["by_manager"], self.captions["by_manager"]])
        self.at_risk_title = w.HTML()
        self.comments_title = w.HTML()
        grid[3, :] = w.VBox([self.at_risk_title, self.at_risk])
        grid[4, :] = w.VBox(
            [
                self.comments_title,
                self.themes,
                w.HBox(
                    [self.comment_category, self.comment_theme, self.comment_search],
                    layout=w.Layout(flex_flow="row wrap", grid_gap="6px"),
                ),
                self.comments,
            ]
        )
        app = w.AppLayout(header=header, center=grid, footer=self.footer)
        # Both templates size their rows in fractions of a fixed height; a page
        # that scrolls wants rows as tall as their content.
        grid.layout.grid_template_rows = "auto " * 5
        grid.layout.height = "auto"
        app.layout.grid_template_rows = "auto auto auto"
        app.layout.height = "auto"
        app.add_class("cx-dashboard")
        return app

    def _set_options(self) -> None:
        """Dropdown labels in the current language; values stay (so a language switch keeps the selection)."""
        self._muted = True
        try:
            for name, dd in self.filters.items():
                values = self._options[name]
                if name == "service":
                    pairs = [(self.data.service_label(v, self.lang), v) for v in values]
                else:
                    pairs = [(v, v) for v in values]
                if name != "wave":
                    pairs = [(_t("all", self.lang), ALL)] + pairs
                dd.options = pairs
                dd.description = _t(name, self.lang)
                current = getattr(self.selection, name)
                dd.value = current if current is not None else ALL
            cats = [(_t("all", self.lang), ALL)] + [(_t(c, self.lang), c) for c in ("detractor", "passive", "promoter")]
            value = self.comment_category.value or ALL
            self.comment_category.options = cats
            self.comment_category.value = value
            self.comment_category.description = _t("category", self.lang)
            themes = [(_t("all", self.lang), ALL)] + [
                (label, theme) for theme, label in self.data.theme_labels(self.lang).items()
            ]
            value = self.comment_theme.value or ALL
            self.comment_theme.options = themes
            self.comment_theme.value = value if value in dict(themes).values() else ALL
            self.comment_theme.description = _t("theme", self.lang)
            self.comment_search.placeholder = _t("search", self.lang)
        finally:
            self._muted = False

    # ------------------------------------------------------------ events
    def _on_filter(self, _change) -> None:
        if self._muted:
            return
        values = {name: (dd.value or None) for name, dd in self.filters.items()}
        self.selection = Selection(**values)
        self.refresh()

    def _on_lang(self, change) -> None:
        self.lang = change["new"]
        self._set_options()
        self.refresh()

    def select(self, **filters) -> None:
        """Change the selection from Python (as the dropdowns do), e.g. ``select(team="Digital")``."""
        self.selection = replace(self.selection, **filters)
        self._set_options()
        self.refresh()

    # ------------------------------------------------------------ drawing
    def refresh(self) -> None:
        """Redraw everything for the current selection: tiles first (they are what people look at), charts last."""
        sel, lang = self.selection, self.lang
        self.title.value = (
            f"<h2 style='margin:4px 0'>{html.escape(_t('title', lang))} — "
            f"{html.escape(self.data.ws.name)}, {html.escape(sel.wave)}</h2>"
        )
        for metric in ("nps", "csi", "response_rate"):
            self.tiles[metric].value = self._tile(getattr(self.data, f"{metric}_tile")(sel))
        self._show_revenue()
        # Tables are quick; the charts (drawn by matplotlib) come last.
        self._show_at_risk()
        self._show_themes()
        self._show_comments()
        self._draw_charts()
        self._score_previous_in_background()
        self.footer.value = f"<p class='cx-caption'>{html.escape(_t('footer', lang).format(min_n=self.data.min_n))}</p>"

    def _show_revenue(self) -> None:
        """The revenue tile; its change waits for the previous wave's scoring, done in the background once."""
        sel = self.selection
        prev = self.data.previous_wave(sel.wave)
        if prev is None or self.data.has_risk_scores(prev):
            self.tiles["revenue_at_risk"].value = self._tile(self.data.revenue_tile(sel))
            return
        self.tiles["revenue_at_risk"].value = self._tile(self.data.revenue_tile(sel, compare=False), pending=True)

        self._pending = (sel, prev)

    def _score_previous_in_background(self) -> None:
        if self._pending is None:
            return
        sel, prev = self._pending
        self._pending = None

        def score_previous():
            self.data.risk_scores(prev)
            if self.selection == sel:
                self.tiles["revenue_at_risk"].value = self._tile(self.data.revenue_tile(sel))

        # Started after the charts so that it does not slow the first view down.
        # ipywidgets send updates from any thread; a filter change meanwhile
        # waits on the scores' lock instead of scoring the wave twice.
        threading.Thread(target=score_previous, daemon=True, name=f"cxlab-risk-{prev}").start()

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
            f"<div class='cx-tile-title'>{html.escape(_t(metric, lang))}</div>"
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
        return png(trend_panels(trend, self.lang)), "; ".join(
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
            return pct(r[f"share_{side}"]) if sides[side] is not None and sides[side] >= d.min_n else "—"

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


def error_widget(message: str, lang: str = "ru") -> w.HTML:
    """A refusal shown instead of the dashboard (an escaped message, never a traceback)."""
    box = w.HTML(
        CSS + f"<div class='cx-error'><b>{html.escape(_t('rejected', lang))}</b><br>{html.escape(message)}</div>"
    )
    box.add_class("cx-dashboard-error")
    return box


class Startup:
    """The dashboard's start in steps the notebook runs one cell each (Voila shows which cell is running).

    Reads ``CXLAB_WORKSPACE`` (fixed by ``cxlab dashboard`` when the server
    started), ``CXLAB_DASHBOARD_MIN_N``, ``CXLAB_DASHBOARD_LANG`` and Voila's
    ``QUERY_STRING``.  A query value that does not exist or an unknown key
    (a path, a workspace, a notebook) ends in :func:`error_widget`.

    Parameters
    ----------
    environ : mapping, optional
        Default ``os.environ``.

    Examples
    --------
    >>> start = Startup({"CXLAB_WORKSPACE": "workspaces/demo", "QUERY_STRING": "wave=2026-Q3"})  # doctest: +SKIP
    >>> start.warm(); start.widget()                                                             # doctest: +SKIP
    """

    def __init__(self, environ=None):
        env = os.environ if environ is None else environ
        self.lang = env.get("CXLAB_DASHBOARD_LANG") or "ru"
        self.error: str | None = None
        self.data = self.selection = None
        workspace = env.get("CXLAB_WORKSPACE")
        if not workspace:
            self.error = "CXLAB_WORKSPACE is not set: start the dashboard with `cxlab dashboard --workspace W`"
            return
        self.data = DashboardData(workspace, min_n=int(env.get("CXLAB_DASHBOARD_MIN_N") or 10))
        try:
            self.selection, query_lang = self.data.selection_from_query(env.get("QUERY_STRING", ""))
        except DashboardQueryError as exc:
            self.error = str(exc)
            return
        self.lang = query_lang or self.lang

    def warm(self) -> None:
        """Compute the slow parts of the first view: churn risk of the wave, the matrix, the comments' themes.

        The previous wave's churn risk (for the change of revenue at risk) is
        scored in the background once the dashboard is on screen.
        """
        if self.error:
            return
        self.data.risk_scores(self.selection.wave)
        self.data.ipa(self.selection)
        self.data.coded_comments()

    def widget(self):
        """The dashboard, or the refusal."""
        if self.error:
            return error_widget(self.error, self.lang)
        return Dashboard(self.data, self.selection, lang=self.lang).widget
