"""The executive dashboard: ipywidgets laid out for Voila, every figure from :mod:`dashboard_data`.

``notebooks/dashboard.ipynb`` runs :class:`Startup` (in
:mod:`~cxlab.present.dashboard_startup`), which reads the workspace the
server fixed at start and the viewer's query string and gives the
:class:`Dashboard` widget, or a message saying what was refused.

The first screen (1440x900) answers how we are doing (NPS, the largest
figure, with n), what changed (in words, coloured by meaning), how much
revenue is at risk and with which clients; the rest is in tabs.

Right figures, always: every panel is drawn for a selection and language
and carries its key (``data-key``).  A panel whose figures are slow
(``DashboardData.ready(kind, sel)`` False) is drawn as "calculating…"
(class ``cx-busy``) and computed in one background worker; the result is
written only if the viewer has not moved on meanwhile (a per-panel token
checked under a lock), else dropped.

Nothing is loaded from the internet: charts are bqplot widgets (their
JavaScript served by Voila from the virtualenv), styles are inline.

Examples
--------
>>> from cxlab.present.dashboard import Dashboard    # doctest: +SKIP
>>> board = Dashboard("workspaces/demo", lang="en")   # doctest: +SKIP
>>> board.select(team="Digital"); board.wait()        # doctest: +SKIP
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import ipywidgets as w

from cxlab.present.dashboard_charts import ForestChart, IpaChart, TrendChart
from cxlab.present.dashboard_data import FILTERS, DashboardData, Selection
from cxlab.present.dashboard_draw import _Drawing
from cxlab.present.dashboard_text import ALL, CSS, TEXT, _t, busy_html

__all__ = ["Dashboard", "Startup", "error_widget", "busy_widget", "TEXT"]

log = logging.getLogger(__name__)

#: Comments listed per page.
PAGE_SIZE = 20
#: The panels, each drawn for one selection at a time (its token says which).
PANELS = (
    "tile_nps",
    "tile_csi",
    "tile_response_rate",
    "tile_revenue_at_risk",
    "trend",
    "csi_trend",
    "by_service",
    "by_manager",
    "by_team",
    "ipa",
    "at_risk",
    "themes",
    "comments",
)


class Dashboard(_Drawing):
    """The dashboard's widgets, wired to a :class:`DashboardData`.

    Parameters
    ----------
    data : DashboardData or str or Path
        The workspace's prepared survey (or the workspace's folder).
    selection : Selection, optional
        What to show first (default: the latest wave, no filters).
    lang : {"ru", "en"}
    page_size : int
        Comments per page.

    Attributes
    ----------
    widget : ipywidgets.VBox
        What the notebook displays.
    """

    def __init__(self, data, selection: Selection | None = None, *, lang: str = "ru", page_size: int = PAGE_SIZE):
        self.data = data if isinstance(data, DashboardData) else DashboardData(data)
        self.lang = lang if lang in ("ru", "en") else "ru"
        self.page_size = page_size
        self.selection = selection or self.data.latest()
        self._lock = threading.Lock()
        self._tokens = dict.fromkeys(PANELS, 0)
        # One worker: a stale job is skipped when its turn comes, so quick changes do not queue up work.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxlab-dashboard")
        self._options = self.data.options()
        self._muted = False
        self._comment_start = 0
        self._build_widgets()
        self._set_options()
        self.widget = self._layout()
        self.refresh(at_once=True)
        for dd in self.filters.values():
            dd.observe(self._on_filter, names="value")
        self.lang_toggle.observe(self._on_lang, names="value")
        for control in (self.comment_category, self.comment_theme, self.comment_search):
            control.observe(self._on_comment_filter, names="value")
        self.prev_page.on_click(lambda _b: self._page(-1))
        self.next_page.on_click(lambda _b: self._page(+1))
        self.widget.add_class("cx-dashboard-ready")

    # ------------------------------------------------------------ widgets and layout
    def _build_widgets(self) -> None:
        self.filters: dict[str, w.Dropdown] = {}
        for name in FILTERS:
            dd = w.Dropdown(layout=w.Layout(width="auto", min_width="170px"), style={"description_width": "initial"})
            dd.add_class(f"cx-filter-{name}")
            self.filters[name] = dd
        self.lang_toggle = w.ToggleButtons(
            options=[("RU", "ru"), ("EN", "en")], value=self.lang, style={"button_width": "44px"}
        )
        self.lang_toggle.add_class("cx-lang")
        self.title = w.HTML()
        self.tiles = {
            m: w.HTML(layout=w.Layout(width="auto", margin="0")).add_class(f"cx-tile-{m}")
            for m in ("nps", "csi", "response_rate", "revenue_at_risk")
        }
        self.charts: dict[str, Any] = {
            "trend": TrendChart("", (-100, 100)),
            "csi_trend": TrendChart("", (0, 100)),
            "by_service": ForestChart(""),
            "by_manager": ForestChart(""),
            "by_team": ForestChart(""),
            "ipa": IpaChart("", ""),
        }
        self.captions = {name: w.HTML().add_class(f"cx-caption-{name}") for name in self.charts}
        for name, chart in self.charts.items():
            chart.figure.add_class(f"cx-chart-{name}")
        self.at_risk_top = w.HTML().add_class("cx-at-risk-first")
        self.at_risk_title = w.HTML()
        self.at_risk = w.HTML().add_class("cx-at-risk")
        self.comment_category = w.Dropdown(layout=w.Layout(width="auto"), style={"description_width": "initial"})
        self.comment_category.add_class("cx-comment-category")
        self.comment_theme = w.Dropdown(layout=w.Layout(width="auto"), style={"description_width": "initial"})
        self.comment_theme.add_class("cx-comment-theme")
        self.comment_search = w.Text(continuous_update=False, layout=w.Layout(width="260px"))
        self.comment_search.add_class("cx-comment-search")
        self.themes = w.HTML().add_class("cx-themes")
        self.comments_title = w.HTML()
        self.comments = w.HTML().add_class("cx-comments")
        self.prev_page = w.Button(layout=w.Layout(width="auto")).add_class("cx-prev")
        self.next_page = w.Button(layout=w.Layout(width="auto")).add_class("cx-next")
        self.page_text = w.HTML().add_class("cx-page")
        self.footer = w.HTML()
        self.tabs = w.Tab().add_class("cx-tabs")

    def _layout(self) -> w.VBox:
        filters = w.HBox(
            [self.filters[n] for n in FILTERS] + [self.lang_toggle],
            layout=w.Layout(flex_flow="row wrap", grid_gap="4px 8px"),
        )
        tiles = w.GridBox(
            [self.tiles[m] for m in ("nps", "csi", "response_rate", "revenue_at_risk")],
            layout=w.Layout(
                grid_template_columns="minmax(0, 1.3fr) minmax(0, 1fr) minmax(0, 1fr) minmax(0, 1.2fr)",
                grid_gap="10px",
                width="100%",
            ),
        )
        first = w.GridBox(
            [
                w.VBox([self.charts["trend"].figure, self.captions["trend"]]),
                w.VBox([self.at_risk_title, self.at_risk_top]),
            ],
            layout=w.Layout(grid_template_columns="minmax(0, 1fr) minmax(0, 1fr)", grid_gap="14px", width="100%"),
        )
        pager = w.HBox([self.prev_page, self.page_text, self.next_page]).add_class("cx-pager")
        self.tabs.children = [
            w.VBox(
                [
                    self.charts["ipa"].figure,
                    self.captions["ipa"],
                    self.charts["csi_trend"].figure,
                    self.captions["csi_trend"],
                ]
            ),
            w.VBox(
                [
                    self.charts["by_manager"].figure,
                    self.captions["by_manager"],
                    self.charts["by_team"].figure,
                    self.captions["by_team"],
                ]
            ),
            w.VBox([self.charts["by_service"].figure, self.captions["by_service"]]),
            w.VBox([self.at_risk]),
            w.VBox(
                [
                    self.themes,
                    self.comments_title,
                    w.HBox(
                        [self.comment_category, self.comment_theme, self.comment_search],
                        layout=w.Layout(flex_flow="row wrap", grid_gap="6px"),
                    ),
                    self.comments,
                    pager,
                ]
            ),
        ]
        self.tabs.titles = tuple(
            _t(t, self.lang) for t in ("tab_drivers", "tab_managers", "tab_services", "tab_risk", "tab_comments")
        )
        page = w.VBox([w.HTML(CSS), self.title, filters, tiles, first, self.tabs, self.footer])
        page.add_class("cx-dashboard")
        return page

    def _value_label(self, name: str, value: str) -> str:
        """A filter value's label in the page's language (the data layer's ``value_label``)."""
        return str(self.data.value_label(name, value, self.lang))

    def _set_options(self) -> None:
        """Labels in the current language; values stay (so a language switch keeps the selection)."""
        lang = self.lang
        self._muted = True
        try:
            for name, dd in self.filters.items():
                pairs = [(self._value_label(name, v), v) for v in self._options[name]]
                if name != "wave":
                    pairs = [(_t("all", lang), ALL)] + pairs
                dd.options = pairs
                dd.description = _t(name, lang)
                current = getattr(self.selection, name)
                dd.value = current if current is not None else ALL
            cats = [(_t("all", lang), ALL)] + [(_t(c, lang), c) for c in ("detractor", "passive", "promoter")]
            value = self.comment_category.value or ALL
            self.comment_category.options = cats
            self.comment_category.value = value
            self.comment_category.description = _t("category", lang)
            themes = [(_t("all", lang), ALL)] + [(lab, t) for t, lab in self.data.theme_labels(lang).items()]
            value = self.comment_theme.value or ALL
            self.comment_theme.options = themes
            self.comment_theme.value = value if value in dict(themes).values() else ALL
            self.comment_theme.description = _t("theme", lang)
            self.comment_search.placeholder = _t("search", lang)
            self.prev_page.description, self.next_page.description = _t("prev_page", lang), _t("next_page", lang)
            # Without tooltips, the browser shows "null" on hover.
            self.prev_page.tooltip, self.next_page.tooltip = _t("prev_page", lang), _t("next_page", lang)
            self.lang_toggle.tooltips = [_t("lang_ru", lang), _t("lang_en", lang)]
            if self.tabs.children:  # titles without children are dropped
                self.tabs.titles = tuple(
                    _t(t, lang) for t in ("tab_drivers", "tab_managers", "tab_services", "tab_risk", "tab_comments")
                )
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

    def _on_comment_filter(self, _change) -> None:
        if self._muted:
            return
        self._comment_start = 0
        self._draw_comments()

    def _page(self, step: int) -> None:
        self._comment_start = max(0, self._comment_start + step * self.page_size)
        self._draw_comments()

    def select(self, **filters) -> None:
        """Change the selection from Python (as the dropdowns do), e.g. ``select(team="Digital")``."""
        self.selection = replace(self.selection, **filters)
        self._set_options()
        self.refresh()

    def wait(self, timeout: float = 300.0) -> None:
        """Until the background work started so far is done (tests, and a preheated kernel before its visitor)."""
        self._pool.submit(lambda: None).result(timeout=timeout)

    def close(self) -> None:
        """Stop the background worker (pending work for old selections is dropped anyway)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ right figures, always
    def _ready(self, kind: str, sel: Selection) -> bool:
        """Whether ``kind`` can be drawn at once for ``sel`` (stored or cached), else it is computed aside."""
        return bool(self.data.ready(kind, sel))

    def _start(self, name: str) -> int:
        """A new token for panel ``name``: whatever was under way for it is now out of date."""
        with self._lock:
            self._tokens[name] += 1
            return self._tokens[name]

    def _put(self, name: str, token: int, draw: Callable[[Any], None], result: Any) -> bool:
        """Draw ``result`` into panel ``name`` if ``token`` is still its latest; else drop it."""
        with self._lock:
            if self._tokens[name] != token:
                return False
            draw(result)
            return True

    def _panel(
        self,
        name: str,
        compute: Callable[[], Any],
        draw: Callable[[Any], None],
        *,
        ready: bool = True,
        busy: Callable[[], None] | None = None,
    ) -> None:
        """Draw panel ``name`` now if ``ready``, else show it busy and compute it in the background."""
        token = self._start(name)
        if ready:
            self._put(name, token, draw, self._attempt(compute))
            return
        if busy is not None:
            self._put(name, token, lambda _r: busy(), None)
        self._pool.submit(self._background, name, token, compute, draw)

    def _background(self, name: str, token: int, compute: Callable[[], Any], draw: Callable[[Any], None]) -> None:
        with self._lock:
            if self._tokens[name] != token:
                return  # the viewer moved on before its turn came: not computed at all
        self._put(name, token, draw, self._attempt(compute))

    @staticmethod
    def _attempt(compute: Callable[[], Any]) -> Any:
        try:
            return compute()
        except Exception as exc:  # a panel that fails says so; the others stay
            log.exception("dashboard panel failed")
            return exc

    def _busy(self, target: w.HTML, key: str, css: str = "") -> Callable[[], None]:
        lang = self.lang

        def show() -> None:
            target.value = busy_html(key, lang, css)

        return show

    # ------------------------------------------------------------ drawing
    def refresh(self, *, at_once: bool = False) -> None:
        """Redraw everything for the current selection: tiles first (what people look at), then the rest.

        After a change, only the tiles are drawn here; the charts, tables and
        comments follow from the background worker, so that the next change
        is not kept waiting.  The first draw (``at_once``, while the page's
        cell runs) draws every chart whose figures are at hand here as well:
        a chart drawn in the background makes new widget models, and a page
        whose widget manager is loading the kernel's models at that moment
        finds a figure naming marks it has not loaded ("widget model not
        found") and does not render.
        """
        self._at_once = at_once
        sel, lang = self.selection, self.lang
        self.title.value = (
            f"<h2 style='margin:4px 0'>{html.escape(_t('title', lang))} — "
            f"{html.escape(self.data.ws.name)}, {html.escape(sel.wave)}</h2>"
        )
        self._comment_start = 0
        self._draw_tiles(sel, lang)
        self._draw_charts(sel, lang)
        self._draw_risk(sel, lang)
        self._draw_text(sel, lang)
        self.footer.value = f"<p class='cx-caption'>{html.escape(_t('footer', lang).format(min_n=self.data.min_n))}</p>"


# The start in steps (and the refusal / busy widgets) live in dashboard_startup.
from cxlab.present.dashboard_startup import Startup, busy_widget, error_widget  # noqa: E402
