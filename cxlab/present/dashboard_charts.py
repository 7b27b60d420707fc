"""The dashboard's interactive charts (bqplot): trend with intervals, NPS forests, the IPA matrix; SVG sparklines.

bqplot draws in the browser from data the kernel sends: nothing comes from
the internet (Voila serves bqplot's JavaScript from the virtualenv's
``share/jupyter/labextensions``).  Each chart is made once and then only
its data changes (:meth:`update`), which is much cheaper than a new figure
per filter change.  Hover tooltips carry the point's full text (estimate,
interval and n) through the scatter's ``names``; point labels are at least
12 px, and the IPA matrix labels only the points whose labels do not
overlap (the others are named on hover, and the caption says so).

:func:`sparkline_svg` draws the small inline SVG beside each tile.

Examples
--------
>>> import pandas as pd
>>> spark = pd.DataFrame({"wave_id": ["2026-Q1", "2026-Q2", "2026-Q3"], "estimate": [20.0, 25.0, 31.0],
...                       "ci_low": [10.0, 15.0, 20.0], "ci_high": [30.0, 35.0, 42.0], "n": [80, 90, 95],
...                       "suppressed": [False] * 3})
>>> sparkline_svg(spark, "NPS").startswith("<svg")
True
>>> non_overlapping([(0.0, 0.5), (0.002, 0.5), (2.0, 1.0)], ["long label", "another", "far"],
...                 (0.0, 2.0), (0.0, 1.0))
[(0, 'start'), (2, 'end')]
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Sequence

import bqplot as bq
import ipywidgets as w
import numpy as np
import pandas as pd

__all__ = ["TrendChart", "ForestChart", "IpaChart", "sparkline_svg", "non_overlapping", "retired_widgets"]

MAIN, BAND, CUT = "#1f3f77", "#9fb3d9", "#999999"
TICKS = {"font-size": "12px"}
#: Width of one character of a 12 px label, in pixels (DejaVu Sans, measured in Chromium; generous).
CHAR_PX, LINE_PX = 7.2, 15.0


def _figure(marks: list, axes: list, margin: dict, layout: w.Layout, title: str = "") -> bq.Figure:
    """A chart as every dashboard chart is framed: no animation, no toolbar."""
    extra = {"title": title, "title_style": {"font-size": "14px"}} if title else {}
    return bq.Figure(
        marks=marks,
        axes=axes,
        fig_margin=margin,
        layout=layout,
        animation_duration=0,
        display_toolbar=False,  # its buttons' tooltips are English only
        **extra,
    )


def _axis(scale, label: str = "", *, vertical: bool = False, **kw) -> bq.Axis:
    return bq.Axis(
        scale=scale,
        label=label,
        side="left" if vertical else "bottom",
        tick_style=TICKS,
        label_location="middle",
        **kw,
    )


def _tooltip() -> bq.Tooltip:
    # The scatter's names hold each point's whole text; the tooltip shows just that.
    return bq.Tooltip(fields=["name"], show_labels=False)


def _fmt(value: float, places: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{places}f}"


class TrendChart:
    """One metric over the waves: the interval as a band, the estimate as a line with labelled points.

    Parameters
    ----------
    title : str
    y_range : (float, float)
        The metric's scale (NPS -100..100, CSI 0..100), fixed so that waves compare at a glance.
    """

    def __init__(self, title: str, y_range: tuple[float, float]):
        self.y = bq.LinearScale(min=y_range[0], max=y_range[1])
        self.y_axis = _axis(self.y, vertical=True, tick_values=np.linspace(*y_range, 5))
        marks = self._marks([], np.array([]), np.array([]), np.array([]), [])
        self.figure = _figure(
            marks,
            [self.x_axis, self.y_axis],
            {"top": 40, "bottom": 36, "left": 48, "right": 16},
            w.Layout(width="100%", height="260px"),
            title,
        )

    def _marks(self, waves: list[str], est, low, high, tooltip: Sequence[str]) -> list:
        # A new scale for each selection's waves: bqplot does not move marks already drawn when an ordinal
        # scale's domain changes.
        self.x = bq.OrdinalScale(domain=list(waves))
        self.x_axis = _axis(self.x)
        scales = {"x": self.x, "y": self.y}
        self.band = bq.Lines(
            x=waves,
            y=np.vstack([low, high]),
            scales=scales,
            fill="between",
            colors=[BAND, BAND],
            fill_opacities=[0.35],
            stroke_width=0,
        )
        self.line = bq.Lines(x=waves, y=est, scales=scales, colors=[MAIN], stroke_width=2)
        self.points = bq.Scatter(
            x=waves,
            y=est,
            names=list(tooltip),
            scales=scales,
            colors=[MAIN],
            default_size=60,
            display_names=False,
            names_unique=False,
            tooltip=_tooltip(),
        )
        self.values = bq.Label(
            x=waves,
            y=est,
            text=[f"{v:.0f}" for v in est],
            scales=scales,
            colors=["#222222"],
            default_size=12,
            y_offset=-10,
            align="middle",
        )
        return [self.band, self.line, self.points, self.values]

    def update(self, rows: pd.DataFrame, title: str, tooltip: Sequence[str]) -> None:
        """Draw ``rows`` (``wave_id, estimate, ci_low, ci_high``, waves in order; suppressed rows left out)."""
        waves = [str(v) for v in rows["wave_id"]]
        est = rows["estimate"].astype(float).to_numpy()
        marks = self._marks(
            waves, est, rows["ci_low"].astype(float).to_numpy(), rows["ci_high"].astype(float).to_numpy(), tooltip
        )
        _swap(self.figure, marks, [self.x_axis, self.y_axis])
        self.figure.title = title


#: Seconds a mark (or axis) taken off a figure is kept before its comm is closed.  The browser
#: builds a figure's mark views asynchronously; a model closed while its view is still being
#: built is "not found" there (a console error), so the old marks outlive quick redraws.
RETIRE_AFTER_SECONDS = 10.0


def _swap(figure: bq.Figure, marks: list, axes: list | None = None) -> None:
    """Show new marks, complete with their data, in one change (the old ones' comms are freed later).

    Changing a shown mark's x and y one after the other lets the browser
    draw it once with half the new data (a wave or a group its scale does
    not know yet: NaN positions and console errors); a new mark arrives
    whole.  The marks taken off are closed at a later swap, once they have
    been off the figure for :data:`RETIRE_AFTER_SECONDS`.
    """
    old = list(figure.marks) + (list(figure.axes) if axes is not None else [])
    with figure.hold_sync():
        figure.marks = marks
        if axes is not None:
            figure.axes = axes
    keep = marks + (axes or [])
    shown_scales = [a.scale for a in keep if isinstance(a, bq.Axis)]
    now = time.monotonic()
    retired = _RETIRED.setdefault(figure.model_id, [])
    due = [widget for since, widget in retired if now - since >= RETIRE_AFTER_SECONDS]
    retired[:] = [(since, widget) for since, widget in retired if now - since < RETIRE_AFTER_SECONDS]
    retired.extend((now, widget) for widget in old if widget not in keep)
    for widget in due:
        if isinstance(widget, bq.Axis) and widget.scale not in shown_scales:
            widget.scale.close()
        if isinstance(getattr(widget, "tooltip", None), w.Widget):
            widget.tooltip.close()
        widget.close()


#: Per figure (its model id): the widgets taken off it, with when, waiting to be closed.
_RETIRED: dict[str, list[tuple[float, w.Widget]]] = {}


def retired_widgets(figure: bq.Figure) -> list[w.Widget]:
    """The widgets taken off ``figure`` and not closed yet; forgotten here (the caller closes them).

    Whoever closes a figure closes these with it: an open mark whose scale
    was closed would stop a page from loading the kernel's widgets at all.
    """
    return [widget for _since, widget in _RETIRED.pop(str(getattr(figure, "model_id", "")), [])]


class ForestChart:
    """Estimates with their intervals, one row per group (service, manager, team), groups named on the left."""

    def __init__(self, title: str, x_range: tuple[float, float] = (-100, 100)):
        self.x = bq.LinearScale(min=x_range[0], max=x_range[1])
        self.x_axis = _axis(self.x, tick_values=np.linspace(x_range[0], x_range[1], 9))
        self.zero = bq.Lines(
            x=[0, 0],
            y=[0, 1],
            scales={"x": self.x, "y": bq.LinearScale(min=0, max=1)},
            colors=[CUT],
            line_style="dashed",
        )
        marks = self._marks([], np.array([]), np.array([]), np.array([]), [])
        self.figure = _figure(
            marks,
            [self.x_axis, self.y_axis],
            {"top": 40, "bottom": 30, "left": 200, "right": 20},
            w.Layout(width="100%", height="300px"),
            title,
        )

    def _marks(self, labels: list[str], est, low, high, tooltip: Sequence[str]) -> list:
        # A new scale for each selection's groups (see TrendChart._marks).
        self.y = bq.OrdinalScale(domain=list(labels), reverse=True)
        self.y_axis = _axis(self.y, vertical=True)
        scales = {"x": self.x, "y": self.y}
        # One two-point line per group: its interval.
        self.bars = bq.Lines(
            x=np.column_stack([low, high]) if labels else [],
            y=[[lab, lab] for lab in labels] if labels else [],
            scales=scales,
            colors=[MAIN],
            stroke_width=3,
            opacities=[0.45],
        )
        self.points = bq.Scatter(
            x=est,
            y=labels,
            names=list(tooltip),
            scales=scales,
            colors=[MAIN],
            default_size=50,
            display_names=False,
            names_unique=False,
            tooltip=_tooltip(),
        )
        return [self.zero, self.bars, self.points]

    def update(self, labels: Sequence[str], cells: pd.DataFrame, title: str, tooltip: Sequence[str]) -> None:
        """Draw one row per label (``cells``: ``estimate, ci_low, ci_high``, aligned with ``labels``)."""
        labels = list(labels)
        lo, hi = cells["ci_low"].astype(float).to_numpy(), cells["ci_high"].astype(float).to_numpy()
        longest = max((len(lab) for lab in labels), default=10)
        with self.figure.hold_sync():
            # Room on the left for the longest name at 12 px; the rows 30 px apart.
            self.figure.fig_margin = {
                "top": 40,
                "bottom": 30,
                "left": int(min(380, 24 + CHAR_PX * longest)),
                "right": 20,
            }
            self.figure.layout.height = f"{max(160, 80 + 30 * len(labels))}px"
            self.figure.title = title
        marks = self._marks(labels, cells["estimate"].astype(float).to_numpy(), lo, hi, tooltip)
        _swap(self.figure, marks, [self.x_axis, self.y_axis])


def non_overlapping(
    points: Sequence[tuple[float, float]],
    labels: Sequence[str],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    *,
    width_px: float = 720,
    height_px: float = 350,
    offset_px: float = 8,
) -> list[tuple[int, str]]:
    """The points whose labels fit without overlapping another label or point, and on which side.

    Greedy in the order given (put the most important first), on a plot of
    ``width_px`` x ``height_px`` (the smallest the chart is drawn at; wider
    spreads the labels further apart).  Each label goes right of its point
    ("start") or, if that runs past the edge or covers another label or
    point, left of it ("end"); a label that fits on neither side is left to
    the hover tooltip.
    """
    (x0, x1), (y0, y1) = x_range, y_range
    sx = width_px / (x1 - x0 or 1)
    sy = height_px / (y1 - y0 or 1)
    pixels = [((x - x0) * sx, (y1 - y) * sy) for x, y in points]
    # Every point is a small box that no label may cover.
    boxes: list[tuple[float, float, float, float]] = [(px - 5, py - 5, px + 5, py + 5) for px, py in pixels]
    kept: list[tuple[int, str]] = []
    for i, ((px, py), text) in enumerate(zip(pixels, labels)):
        wide = CHAR_PX * len(text) + 2
        top, bottom = py - LINE_PX / 2 - 1, py + LINE_PX / 2 + 1
        for side, left in (("start", px + offset_px), ("end", px - offset_px - wide)):
            box = (left, top, left + wide, bottom)
            inside = box[0] >= 0 and box[2] <= width_px
            if inside and not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                for j, b in enumerate(boxes)
                if j != i
            ):
                kept.append((i, side))
                boxes.append(box)
                break
    return kept


class IpaChart:
    """Importance (share of NPS explained) against performance (mean rating), cut lines at the medians."""

    def __init__(self, x_label: str, y_label: str):
        self.x, self.y = bq.LinearScale(), bq.LinearScale()
        self.x_axis = _axis(self.x, x_label, num_ticks=6, label_offset="32px")
        self.y_axis = _axis(self.y, y_label, vertical=True, num_ticks=6, label_offset="56px", tick_format=".2f")
        empty = np.array([])
        self.figure = _figure(
            self._marks(empty, empty, [], [], [], [], ((0.0, 1.0), (0.0, 1.0)), (0.5, 0.5)),
            [self.x_axis, self.y_axis],
            {"top": 20, "bottom": 50, "left": 80, "right": 20},
            w.Layout(width="100%", max_width="1000px", height="420px"),
        )

    def _marks(self, perf, imp, names, tooltip, right, left, ranges, cuts) -> list:
        scales = {"x": self.x, "y": self.y}
        xr, yr = ranges
        self.cuts = bq.Lines(
            x=[[cuts[1], cuts[1]], list(xr)],
            y=[list(yr), [cuts[0], cuts[0]]],
            scales=scales,
            colors=[CUT, CUT],
            line_style="dashed",
        )
        self.points = bq.Scatter(
            x=perf,
            y=imp,
            names=list(tooltip),
            scales=scales,
            colors=[MAIN],
            default_size=70,
            display_names=False,
            names_unique=False,
            tooltip=_tooltip(),
        )
        # Labels right of their point, and (where the right is taken) left of it.
        self.labels, self.left_labels = (
            bq.Label(
                x=perf[kept],
                y=imp[kept],
                text=[names[j] for j in kept],
                scales=scales,
                colors=["#222222"],
                default_size=12,
                x_offset=offset,
                y_offset=4,
                align=align,
            )
            for kept, offset, align in ((right, 8, "start"), (left, -8, "end"))
        )
        return [self.cuts, self.points, self.labels, self.left_labels]

    def update(
        self,
        table: pd.DataFrame,
        names: Sequence[str],
        cuts: tuple[float, float],
        tooltip: Sequence[str],
        axis_labels: tuple[str, str],
    ) -> int:
        """Draw the matrix; returns how many points are labelled (the others are named on hover)."""
        perf, imp = table["performance"].astype(float).to_numpy(), table["importance"].astype(float).to_numpy()
        pad_x = max(0.05, 0.08 * (perf.max() - perf.min()))
        pad_y = max(0.01, 0.08 * (imp.max() - imp.min()))
        xr = (float(min(perf.min(), cuts[1]) - pad_x), float(max(perf.max(), cuts[1]) + pad_x))
        yr = (float(max(0.0, min(imp.min(), cuts[0]) - pad_y)), float(max(imp.max(), cuts[0]) + pad_y))
        order = list(np.argsort(-imp))
        fits = non_overlapping([(perf[j], imp[j]) for j in order], [names[j] for j in order], xr, yr)
        right = [order[i] for i, side in fits if side == "start"]
        left = [order[i] for i, side in fits if side == "end"]
        # In place, each mark's data in one message: no new widget models (a page loading the kernel's
        # models while a redraw makes new ones would find the figure naming marks it has not loaded).
        with self.figure.hold_sync():
            self.x.min, self.x.max = xr
            self.y.min, self.y.max = yr
            self.x_axis.label, self.y_axis.label = axis_labels
        with self.cuts.hold_sync():
            self.cuts.x, self.cuts.y = [[cuts[1], cuts[1]], list(xr)], [list(yr), [cuts[0], cuts[0]]]
        with self.points.hold_sync():
            self.points.x, self.points.y, self.points.names = perf, imp, list(tooltip)
        for mark, kept in ((self.labels, right), (self.left_labels, left)):
            with mark.hold_sync():
                mark.x, mark.y, mark.text = perf[kept], imp[kept], [names[j] for j in kept]
        return len(fits)


def sparkline_svg(rows: pd.DataFrame, title: str, *, width: int = 96, height: int = 34) -> str:
    """A tiny line of the recent waves' estimates (interval as a band), with a hover title per point.

    ``rows``: ``wave_id, estimate, ci_low, ci_high, n, suppressed`` in wave
    order (as ``DashboardData.spark``); suppressed waves are left out.
    Returns an empty string with fewer than two waves to draw.
    """
    rows = rows[~rows["suppressed"].astype(bool)].dropna(subset=["estimate"]) if len(rows) else rows
    if len(rows) < 2:
        return ""
    est = rows["estimate"].astype(float).to_numpy()
    lo = rows["ci_low"].astype(float).fillna(rows["estimate"]).to_numpy()
    hi = rows["ci_high"].astype(float).fillna(rows["estimate"]).to_numpy()
    top, bottom = float(np.nanmax(hi)), float(np.nanmin(lo))
    span = (top - bottom) or 1.0
    xs = np.linspace(3, width - 3, len(est))

    def y(v):
        return 3 + (height - 6) * (top - v) / span

    band = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, hi))
    band += " " + " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs[::-1], lo[::-1]))
    line = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, est))
    dots = "".join(
        f"<circle cx='{x:.1f}' cy='{y(v):.1f}' r='2.2' fill='{MAIN}'><title>{html.escape(t)}</title></circle>"
        for x, v, t in zip(
            xs,
            est,
            (
                f"{r.wave_id}: {_fmt(r.estimate)} (95%: {_fmt(r.ci_low)} … {_fmt(r.ci_high)}), n = {int(r.n)}"
                for r in rows.itertuples()
            ),
        )
    )
    return (
        f"<svg class='cx-spark' width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img' "
        f"aria-label='{html.escape(title)}'><title>{html.escape(title)}</title>"
        f"<polygon points='{band}' fill='{BAND}' opacity='.45'/>"
        f"<polyline points='{line}' fill='none' stroke='{MAIN}' stroke-width='1.6'/>{dots}</svg>"
    )
