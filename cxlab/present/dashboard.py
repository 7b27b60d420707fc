"""The executive dashboard: ipywidgets laid out for Voila, every figure from :mod:`dashboard_data`.

``notebooks/dashboard.ipynb`` runs :class:`Startup`, which reads the
workspace the server fixed at start (``CXLAB_WORKSPACE``) and the viewer's
query string (``QUERY_STRING``, set by Voila), checks every value against
what exists and gives the :class:`Dashboard` widget, or a message saying
what was refused, or, while another process writes the workspace (an import),
a plain "being updated, refresh in a moment" instead of a cell's traceback.

Nothing is loaded from the internet: charts are PNG images made by
matplotlib in the kernel, styles are inline.

The panels are drawn by :mod:`~cxlab.present.dashboard_panels`; the labels
and the style sheet are in :mod:`~cxlab.present.dashboard_text`.

Examples
--------
>>> from cxlab.present.dashboard import Dashboard    # doctest: +SKIP
>>> Dashboard("workspaces/demo", lang="en").widget   # doctest: +SKIP
"""

from __future__ import annotations

import html
import threading
from dataclasses import replace
from typing import Any

import ipywidgets as w

from cxlab.present.dashboard_data import FILTERS, DashboardData, Selection
from cxlab.present.dashboard_panels import _Panels
from cxlab.present.dashboard_text import ALL, CSS, TEXT, _t

__all__ = ["Dashboard", "Startup", "error_widget", "busy_widget", "TEXT"]


class Dashboard(_Panels):
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
        self._pending: tuple[Selection, str] | None = None
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
        values: dict[str, Any] = {name: (dd.value or None) for name, dd in self.filters.items()}
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


# The start in steps (and the refusal / busy widgets) live in dashboard_startup.
from cxlab.present.dashboard_startup import Startup, busy_widget, error_widget  # noqa: E402
