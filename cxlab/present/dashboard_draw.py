"""What each panel of the dashboard computes and draws, for one selection and language.

The part of :class:`~cxlab.present.dashboard.Dashboard` that says, panel
by panel, which ``DashboardData`` call gives its figures, whether they are
ready at once (``DashboardData.ready``), and how they are drawn (HTML from
:mod:`~cxlab.present.dashboard_panels`, charts from
:mod:`~cxlab.present.dashboard_charts`).  Every draw closes over the
selection and language it was computed for; ``Dashboard._panel`` writes it
only while that selection is still the viewer's.
"""

from __future__ import annotations

import html
import logging
import re
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from cxlab.present.dashboard_charts import sparkline_svg
from cxlab.present.dashboard_panels import (
    at_risk_html,
    caption_html,
    comments_html,
    ipa_message,
    page_label,
    themes_html,
    tile_busy_html,
    tile_failed_html,
    tile_html,
)
from cxlab.present.dashboard_text import _t, busy_html
from cxlab.stats.registry import label

if TYPE_CHECKING:
    from collections.abc import Callable

    import ipywidgets as w

    from cxlab.present.dashboard_data import DashboardData, Selection

    class _Board:
        """The ``Dashboard`` state the drawing uses (set in ``Dashboard.__init__``)."""

        data: DashboardData
        selection: Selection
        lang: str
        page_size: int
        tiles: dict[str, w.HTML]
        charts: dict[str, Any]
        captions: dict[str, w.HTML]
        at_risk: w.HTML
        at_risk_top: w.HTML
        at_risk_title: w.HTML
        themes: w.HTML
        comments: w.HTML
        comments_title: w.HTML
        comment_category: w.Dropdown
        comment_theme: w.Dropdown
        comment_search: w.Text
        prev_page: w.Button
        next_page: w.Button
        page_text: w.HTML
        _comment_start: int

        def _ready(self, kind: str, sel: Selection) -> bool: ...
        def _panel(
            self,
            name: str,
            compute: Callable[[], Any],
            draw: Callable[[Any], None],
            *,
            ready: bool = True,
            busy: Callable[[], None] | None = None,
        ) -> None: ...
        def _busy(self, target: w.HTML, key: str, css: str = "") -> Callable[[], None]: ...

else:
    _Board = object

log = logging.getLogger(__name__)

#: How many clients at risk the first screen lists (the tab has them all).
TOP_AT_RISK = 5


def _failed(result: Any, lang: str) -> str | None:
    """The message for a panel whose computation raised, else None."""
    if isinstance(result, Exception):
        return _t("failed", lang)
    return None


class _Drawing(_Board):
    """The panels' computations and drawings (a part of ``Dashboard``)."""

    # ------------------------------------------------------------ tiles
    def _spark(self, sel: Selection, metric: str) -> pd.DataFrame:
        try:
            return self.data.spark(sel, metric)
        except Exception:  # a tile without its sparkline is still right; without its figure it is not
            log.exception("sparkline failed")
            return pd.DataFrame()

    def _tile_drawer(self, metric: str, sel: Selection, lang: str) -> Callable[[Any], None]:
        target, key = self.tiles[metric], sel.key()

        def draw(result) -> None:
            if _failed(result, lang):
                target.value = tile_failed_html(metric, key, lang)
                return
            row, spark = result
            target.value = tile_html(
                row,
                key,
                lang,
                currency=self.data.currency,
                spark=sparkline_svg(spark, f"{label(metric, lang)}: {_t('spark', lang)}") if len(spark) else "",
                role_filter=metric == "revenue_at_risk" and bool(sel.role),
            )

        return draw

    def _draw_tiles(self, sel: Selection, lang: str) -> None:
        """The tiles at once, without their sparklines; then, in the background, again with them.

        The sparkline (the last waves of the same figure) costs more than
        the tile; the tile drawn first is already right for the selection,
        and the second draw (same panel, a newer token) is dropped if the
        viewer has moved on.
        """
        d = self.data
        none = pd.DataFrame()
        for metric in ("nps", "csi", "response_rate", "revenue_at_risk"):
            tile = getattr(d, f"{metric}_tile" if metric != "revenue_at_risk" else "revenue_tile")
            draw = self._tile_drawer(metric, sel, lang)
            if metric != "revenue_at_risk" or (self._ready("risk", sel) and self._ready("risk_previous", sel)):
                self._panel(f"tile_{metric}", partial(lambda t: (t(sel), none), tile), draw)
                busy = None
            else:
                busy = self._busy_tile(sel, lang)
            self._panel(
                f"tile_{metric}",
                partial(lambda t, m: (t(sel), self._spark(sel, m)), tile, metric),
                draw,
                ready=False,
                busy=busy,
            )

    def _busy_tile(self, sel: Selection, lang: str) -> Callable[[], None]:
        target, key = self.tiles["revenue_at_risk"], sel.key()

        def show() -> None:
            target.value = tile_busy_html("revenue_at_risk", key, lang)

        return show

    # ------------------------------------------------------------ charts
    def _chart_drawer(self, name: str, sel: Selection, lang: str, update: Callable[[Any], str]):
        """Draw a chart and its caption; an empty result hides the chart and the caption says why."""
        chart, caption, key = self.charts[name], self.captions[name], sel.key()

        def draw(result) -> None:
            failed = _failed(result, lang)
            if failed or isinstance(result, str):
                # Hidden, not removed: bqplot measures a figure it redraws, and display:none measures 0 px.
                chart.figure.layout.visibility = "hidden"
                caption.value = caption_html(name, key, lang, failed or result)
                return
            text = update(result)
            chart.figure.layout.visibility = "visible"
            caption.value = caption_html(name, key, lang, text)

        return draw

    def _draw_charts(self, sel: Selection, lang: str) -> None:
        d = self.data
        key = sel.key()
        first = getattr(self, "_at_once", False)  # see Dashboard.refresh
        # After a change, every chart in the background, each "calculating…" until drawn, even one
        # whose figures are at hand: a filter change then costs the kernel only the tiles, so the next
        # change is not kept waiting behind the drawing of the last one.
        for name, metric in (("trend", "nps"), ("csi_trend", "csi")):
            self._panel(
                name,
                partial(self._trend_rows, sel, metric, lang),
                self._chart_drawer(name, sel, lang, self._trend_updater(name, metric, lang)),
                ready=first,
                busy=self._busy_chart(name, key, lang),
            )
        self._panel(
            "by_service",
            lambda: self._cells(d.by_service(sel), "service_id", sel, lang),
            self._chart_drawer("by_service", sel, lang, self._forest_updater("by_service", lang)),
            ready=first,
            busy=self._busy_chart("by_service", key, lang),
        )
        self._panel(
            "by_manager",
            lambda: self._cells(d.by_manager(sel), "manager", sel, lang),
            self._chart_drawer("by_manager", sel, lang, self._forest_updater("by_manager", lang)),
            ready=first,
            busy=self._busy_chart("by_manager", key, lang),
        )
        self._panel(
            "by_team",
            lambda: self._cells(self._by_team(sel), "team", sel, lang),
            self._chart_drawer("by_team", sel, lang, self._forest_updater("by_team", lang)),
            ready=first,
            busy=self._busy_chart("by_team", key, lang),
        )
        self._panel(
            "ipa",
            lambda: self._ipa(sel, lang),
            self._chart_drawer("ipa", sel, lang, self._ipa_updater(lang)),
            ready=first and self._ready("ipa", sel),
            busy=self._busy_chart("ipa", key, lang),
        )

    def _busy_chart(self, name: str, key: str, lang: str) -> Callable[[], None]:
        chart, caption = self.charts[name], self.captions[name]

        def show() -> None:
            chart.figure.layout.visibility = "hidden"
            # Not a "cx-caption" yet: that class marks a chart drawn for its key.
            caption.value = busy_html(key, lang)

        return show

    def _trend_rows(self, sel: Selection, metric: str, lang: str) -> Any:
        """The metric's shown waves with their tooltips, or the reason there are none."""
        trend = self.data.trend(sel)
        rows = trend[(trend["metric"] == metric) & ~trend["suppressed"].astype(bool)] if len(trend) else trend
        if not len(rows):
            return _t("no_data", lang)
        tips = [
            f"{r.wave_id}: {label(metric, lang)} {r.estimate:.1f} (95%: {r.ci_low:.1f} … {r.ci_high:.1f}), "
            f"n = {int(r.n)}"
            for r in rows.itertuples()
        ]
        return rows, tips

    def _trend_updater(self, name: str, metric: str, lang: str) -> Callable[[Any], str]:
        chart = self.charts[name]

        def update(result) -> str:
            rows, tips = result
            chart.update(rows, _t("nps_trend" if metric == "nps" else "csi_trend", lang), tips)
            last = rows.iloc[-1]
            method = _t("trend_method" if metric == "nps" else "trend_method_csi", lang)
            return f"{method} {last['wave_id']}: n = {int(last['n'])}."

        return update

    def _by_team(self, sel: Selection) -> pd.DataFrame:
        by_team = getattr(self.data, "by_team", None)
        if by_team is not None:
            return by_team(sel)
        from cxlab.summary import nps_cells

        frame = self.data.scored(sel)
        frame = frame[frame["team"].notna()]
        if not len(frame):
            return pd.DataFrame()
        return nps_cells(frame, "team", min_n=self.data.min_n, confidence=self.data.confidence)

    def _cells(self, cells: pd.DataFrame, column: str, sel: Selection, lang: str) -> Any:
        """Shown cells with their labels and tooltips, or the reason there are none."""
        d = self.data
        if not len(cells):
            return _t("no_data", lang)
        shown = cells[~cells["suppressed"].astype(bool)].sort_values("estimate", ascending=False)
        if not len(shown):
            return _t("no_data", lang)
        filt = {"service_id": "service"}.get(column, column)
        labels = [self._value_label_for(filt, str(v), lang) for v in shown[column]]
        tips = [
            f"{lab}: NPS {r.estimate:.1f} (95%: {r.ci_low:.1f} … {r.ci_high:.1f}), n = {int(r.n)}"
            for lab, r in zip(labels, shown.itertuples())
        ]
        counts = _t("shown_cells", lang).format(shown=len(shown), total=len(cells))
        hidden = _t("hidden_cells", lang).format(min_n=d.min_n, k=len(cells) - len(shown))
        return labels, shown, tips, f"{counts}; {hidden}"

    def _value_label_for(self, name: str, value: str, lang: str) -> str:
        return str(self.data.value_label(name, value, lang))

    def _forest_updater(self, name: str, lang: str) -> Callable[[Any], str]:
        chart = self.charts[name]

        def update(result) -> str:
            labels, shown, tips, hidden = result
            chart.update(labels, shown, _t(name, lang), tips)
            return f"{_t('forest_method', lang)} {hidden}."

        return update

    def _ipa(self, sel: Selection, lang: str) -> Any:
        from cxlab.drivers.ipa import QUADRANT_LABELS

        ipa = self.data.ipa(sel)
        if isinstance(ipa, (str, dict)):
            return ipa_message(ipa, lang)
        table = ipa.table
        names = [self._attribute_label(str(item), sel.wave, lang) for item in table["driver"]]
        imp_word, perf_word = {"ru": ("важность", "исполнение"), "en": ("importance", "performance")}[lang]
        tips = [
            f"{name}: {imp_word} {r.importance:.2f} (95%: {r.importance_ci_low:.2f} … {r.importance_ci_high:.2f}), "
            f"{perf_word} {r.performance:.2f} (95%: {r.performance_ci_low:.2f} … {r.performance_ci_high:.2f}), "
            f"n = {int(r.n)} · {QUADRANT_LABELS.get(r.quadrant, {}).get(lang, '')}"
            for name, r in zip(names, table.itertuples())
        ]
        return table, names, (ipa.importance_cut, ipa.performance_cut), tips, int(table["n"].min())

    def _attribute_label(self, item: str, wave: str, lang: str) -> str:
        return str(self.data.attribute_label(item, wave, lang))

    def _ipa_updater(self, lang: str) -> Callable[[Any], str]:
        chart = self.charts["ipa"]

        def update(result) -> str:
            table, names, cuts, tips, n = result
            labelled = chart.update(table, names, cuts, tips, (_t("performance", lang), _t("importance", lang)))
            hover = f" {_t('ipa_labels', lang)}" if labelled < len(names) else ""
            return f"{_t('ipa_method', lang)} n ≥ {n}.{hover}"

        return update

    # ------------------------------------------------------------ clients at risk
    def _draw_risk(self, sel: Selection, lang: str) -> None:
        d, key = self.data, sel.key()
        self.at_risk_title.value = f"<h3 style='margin:4px 0'>{html.escape(_t('top_risk', lang))}</h3>"

        def compute():
            table = d.at_risk(sel, lang)
            scores = d.risk_scores(sel.wave)
            method = scores.method.get(lang, "") if isinstance(scores.method, dict) else ""
            note = (scores.message or {}).get(lang, "") if isinstance(scores.message, dict) else ""
            return table, method, note

        def draw(result) -> None:
            failed = _failed(result, lang)
            if failed:
                self.at_risk_top.value = self.at_risk.value = f"<p data-key='{html.escape(key)}'>{failed}</p>"
                return
            table, method, note = result
            self.at_risk_top.value = at_risk_html(table, key, lang, top=TOP_AT_RISK)
            self.at_risk.value = f"<h3>{html.escape(_t('at_risk', lang))}</h3>" + at_risk_html(
                table, key, lang, method=method, note=note
            )

        def busy() -> None:
            self._busy(self.at_risk_top, key)()
            self._busy(self.at_risk, key)()

        # Aside even when the scores are at hand: the flags and the table take a few hundred ms.
        self._panel("at_risk", compute, draw, ready=False, busy=busy)

    # ------------------------------------------------------------ themes and comments
    def _draw_text(self, sel: Selection, lang: str) -> None:
        d, key = self.data, sel.key()

        def draw(result) -> None:
            failed = _failed(result, lang)
            self.themes.value = (
                f"<p data-key='{html.escape(key)}'>{failed}</p>"
                if failed
                else themes_html(result[0], result[1], key, lang, d.min_n, _without_ids(d.comment_method(lang)))
            )

        self._panel(
            "themes",
            lambda: d.themes(sel, lang),
            draw,
            ready=False,  # in a tab: computed aside (see _draw_charts)
            busy=self._busy(self.themes, key),
        )
        self._draw_comments(at_once=False)

    def _draw_comments(self, *, at_once: bool = True) -> None:
        """The comments' page; drawn at once (a page or comment filter change) when the themes are at hand."""
        sel, lang, d = self.selection, self.lang, self.data
        key = sel.key()
        category, theme = self.comment_category.value, self.comment_theme.value
        needle = (self.comment_search.value or "").strip().lower()
        start, size = self._comment_start, self.page_size
        self.comments_title.value = f"<h3>{html.escape(_t('comments', lang))}</h3>"

        def compute():
            frame, hidden = d.comments(sel, lang)
            if hidden is not None:
                n = int(d.response_mask(sel).sum())
                return _t("comments_hidden", lang).format(min_n=d.min_n, n=n)
            if category:
                frame = frame[frame["category"] == category]
            if theme:
                frame = frame[frame["theme_ids"].map(lambda ids: theme in ids.split("; "))]
            if needle:
                frame = frame[frame["comment"].str.lower().str.contains(needle, regex=False)]
            return frame

        def draw(result) -> None:
            k = html.escape(key)
            if isinstance(result, (str, Exception)):
                text = _failed(result, lang) or str(result)
                self.comments.value = f"<p class='cx-comments-hidden' data-key='{k}'>{html.escape(text)}</p>"
                total = 0
            else:
                total = len(result)
                first = min(start, max(0, (total - 1) // size * size))
                self.comments.value = comments_html(result, key, lang, first, size)
            self.page_text.value = (
                f"<span data-key='{k}' data-lang='{lang}'>{html.escape(page_label(start, size, total, lang))}</span>"
            )
            self.prev_page.disabled = start <= 0
            self.next_page.disabled = start + size >= total

        def busy() -> None:
            self._busy(self.comments, key)()
            self.page_text.value = ""

        self._panel("comments", compute, draw, ready=at_once and self._ready("themes", sel), busy=busy)


def _without_ids(method: str) -> str:
    """The comment-coding method without the codebook's id in quotes (an id, not a word of the page's language)."""
    return re.sub(r" «[^»]*»| '[^']*'", "", method)


__all__ = ["_Drawing", "TOP_AT_RISK"]
