"""Report charts (seaborn/matplotlib) in Russian or English.

Every chart states its definition and n in its title or footnote.  Text is
set in DejaVu Sans, which ships with matplotlib and has Cyrillic glyphs, so
labels render the same on any machine.

The house style (seaborn's white grid, that font, a plain hyphen for minus)
is applied with :func:`cxlab_style` while a chart is drawn and never left in
``matplotlib.rcParams``.  Every chart function takes ``ax=`` to draw into an
existing axes (which keeps the grid and spines it was created with: create
it inside :func:`cxlab_style` for the house look), and every chart that
draws intervals states the ``confidence`` level it was given.

Some settings are read when a figure is rendered (the minus sign of tick
labels, ``savefig.*``): cxlab renders its PNGs inside :func:`cxlab_style`
with :data:`SAVEFIG` passed explicitly; do the same to get the same picture
(or call :func:`use_style` once in a notebook).

Examples
--------
>>> import pandas as pd
>>> from cxlab.present.figures import nps_trend
>>> trend = pd.DataFrame({"wave_id": ["2026-Q2", "2026-Q3"], "metric": ["nps", "nps"],
...                       "estimate": [20.0, 30.0], "ci_low": [5.0, 16.0], "ci_high": [35.0, 44.0], "n": [80, 90]})
>>> fig = nps_trend(trend, lang="en")
>>> fig.axes[0].get_ylabel()
'NPS, points'
>>> fig, (left, right) = plt.subplots(1, 2)
>>> nps_trend(trend, lang="en", ax=right, confidence=0.9) is fig
True
>>> right.get_title()
'NPS by wave, 90% interval'
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cxlab.present.labels import t
from cxlab.stats.intervals import check_confidence
from cxlab.stats.intervals import level_text as _pct  # the charts print levels as the tables do

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = ["use_style", "cxlab_style", "SAVEFIG", "nps_trend", "nps_by_service", "csi_by_direction", "PALETTE"]

PALETTE = {"promoters": "#2e9d5b", "passives": "#c9c9c9", "detractors": "#d64541", "main": "#2a5caa"}
FONT = "DejaVu Sans"

#: What the house style sets besides seaborn's ``whitegrid`` style and ``notebook`` context.
_HOUSE_RC: dict[RcKeyType, Any] = {
    "font.family": FONT,
    "axes.unicode_minus": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}

#: How cxlab saves its charts: ``fig.savefig(path, **SAVEFIG)``.  Passed explicitly because the
#: figure is saved after the chart function (and its :func:`cxlab_style`) has returned.
SAVEFIG: dict[str, Any] = {"dpi": _HOUSE_RC["savefig.dpi"], "bbox_inches": _HOUSE_RC["savefig.bbox"]}

#: The level a chart states when neither the caller nor the frame gives one.
DEFAULT_CONFIDENCE = 0.95

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _style_rc() -> dict[RcKeyType, Any]:
    """The house style as rcParams: what :func:`use_style` sets, as a dictionary."""
    rc: dict[RcKeyType, Any] = {
        **sns.plotting_context("notebook"),
        **sns.axes_style("whitegrid", {"font.family": FONT}),
    }
    rc["axes.prop_cycle"] = cycler("color", sns.color_palette("deep"))
    rc.update(_HOUSE_RC)
    return rc


def use_style() -> None:
    """Apply the house style globally: seaborn's white grid with a Cyrillic-capable font.

    For an analyst's notebook that wants every chart in the cxlab look.
    cxlab's own chart functions never call it: they draw inside
    :func:`cxlab_style`, which leaves ``matplotlib.rcParams`` as it was.

    Examples
    --------
    >>> use_style()  # doctest: +SKIP
    """
    sns.set_theme(style="whitegrid", context="notebook", font=FONT)
    matplotlib.rcParams.update(_HOUSE_RC)


@contextmanager
def cxlab_style() -> Iterator[None]:
    """The house style for the duration of a ``with`` block; ``matplotlib.rcParams`` restored afterwards.

    The same settings as :func:`use_style` (seaborn's ``whitegrid`` style and
    ``notebook`` context, its ``deep`` palette, DejaVu Sans, a hyphen for
    minus, 150 dpi and a tight bounding box when saving), applied with
    :func:`matplotlib.rc_context`.

    Examples
    --------
    >>> import matplotlib
    >>> with cxlab_style():
    ...     matplotlib.rcParams["font.family"]
    ['DejaVu Sans']
    """
    with matplotlib.rc_context(_style_rc()):
        yield


def _styled(draw: Callable[_P, _R]) -> Callable[_P, _R]:
    """A chart function that draws inside :func:`cxlab_style`."""

    @functools.wraps(draw)
    def styled(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with cxlab_style():
            return draw(*args, **kwargs)

    return styled


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes, bool]:
    """The figure and axes to draw in, and whether the figure is new.

    ``ax`` and the figure it belongs to when given, else a new figure of
    ``figsize`` inches with one axes.
    """
    if ax is None:
        fig, new_ax = plt.subplots(figsize=figsize)
        return fig, new_ax, True
    return cast(Figure, ax.get_figure(root=True)), ax, False


def _level(confidence: float | None, data: pd.DataFrame | None = None) -> float:
    """The confidence level a chart states.

    ``confidence`` when given; else the frame's own (``attrs["confidence"]``
    or a ``confidence`` column holding one value); else
    :data:`DEFAULT_CONFIDENCE`.
    """
    if confidence is None and data is not None:
        if "confidence" in data.attrs:
            confidence = data.attrs["confidence"]
        elif "confidence" in data.columns:
            levels = data["confidence"].dropna().unique()
            confidence = levels[0] if len(levels) == 1 else None
    return check_confidence(DEFAULT_CONFIDENCE if confidence is None else confidence)


def _footnote(fig: Figure, text: str) -> None:
    fig.text(0.01, -0.02, text, ha="left", va="top", fontsize=8, color="#555555", wrap=True)


def _footnote_below(fig, ax, text: str) -> None:
    """A footnote under everything the axes draw (rotated tick labels included)."""
    fig.canvas.draw()
    box = ax.get_tightbbox(fig.canvas.get_renderer()).transformed(fig.transFigure.inverted())
    fig.text(0.01, box.y0 - 0.02, text, ha="left", va="top", fontsize=8, color="#555555", wrap=True)


def _note(fig: Figure, ax: Axes, text: str, *, own: bool, below: bool = False) -> None:
    """A chart's footnote.

    On a figure the chart made (``own``): under the figure (``below``: under
    everything ``ax`` draws, which costs a draw).  On axes the caller gave:
    under that axes' x label, broken into lines about as wide as the axes
    (matplotlib would wrap at the figure's edge), so that charts drawn side
    by side each keep their own footnote.
    """
    if not own:
        size = 8
        # DejaVu Sans averages a little under 0.6 em a character, Cyrillic included.
        chars = max(20, int(ax.bbox.width / fig.dpi * 72 / (0.58 * size)))
        ax.annotate(
            textwrap.fill(text, chars),
            xy=(0, 0),
            xycoords=("axes fraction", ax.xaxis.label),
            xytext=(0, -6),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=size,
            color="#555555",
        )
    elif below:
        _footnote_below(fig, ax, text)
    else:
        _footnote(fig, text)


@_styled
def nps_trend(
    trend: pd.DataFrame,
    lang: str = "ru",
    metric: str = "nps",
    *,
    ax: Axes | None = None,
    confidence: float | None = None,
) -> Figure:
    """NPS by wave with its interval as a band; n under each point.

    Parameters
    ----------
    trend : DataFrame
        ``wave_id, metric, estimate, ci_low, ci_high, n`` (as
        :attr:`cxlab.summary.WaveSummary.trend`).
    lang : {"ru", "en"}
    metric : str
        The rows of ``trend`` to draw.
    ax : Axes, optional
        Draw into this axes (its figure is returned); a new figure if None.
    confidence : float, optional
        Level of the intervals, printed in the title, legend and footnote;
        default the frame's (``attrs`` or ``confidence`` column), else 0.95.
    """
    level = _pct(_level(confidence, trend))
    data = trend[trend["metric"] == metric].sort_values("wave_id")
    fig, ax, own = _axes(ax, (8, 4.2))
    x = np.arange(len(data))
    ax.fill_between(x, data["ci_low"], data["ci_high"], color=PALETTE["main"], alpha=0.18, label=level)
    sns.lineplot(x=x, y=data["estimate"].to_numpy(), marker="o", color=PALETTE["main"], ax=ax)
    for xi, (_, row) in zip(x, data.iterrows()):
        ax.annotate(
            f"{row['estimate']:+.0f}\nn={int(row['n'])}",
            (xi, row["estimate"]),
            textcoords="offset points",
            xytext=(0, 9),
            ha="center",
            fontsize=8,
        )
    ax.set_xticks(x, data["wave_id"])
    ax.axhline(0, color="#888888", lw=0.8)
    # Zoom to the data (the full -100..100 range flattens every change) but keep 0 in view.
    low = min(float(data["ci_low"].min()), 0.0) - 10
    high = float(data["ci_high"].max()) + 20
    ax.set_ylim(max(low, -100), min(high, 110))
    ax.set_ylabel({"ru": "NPS, пункты", "en": "NPS, points"}[lang])
    ax.set_xlabel(t("wave", lang))
    ax.set_title(t("trend_title", lang).format(level=level))
    _note(
        fig,
        ax,
        {
            "ru": f"NPS = % промоутеров (9-10) − % критиков (0-6); полоса — {level} интервал "
            "(триномиальная дисперсия); n — число ответивших в волне.",
            "en": f"NPS = % promoters (9-10) − % detractors (0-6); band: {level} interval "
            "(trinomial variance); n: respondents in the wave.",
        }[lang],
        own=own,
    )
    return fig


@_styled
def nps_by_service(by_service: pd.DataFrame, lang: str = "ru", min_n: int = 10, *, ax: Axes | None = None) -> Figure:
    """Stacked promoter/passive/detractor shares per service (suppressed cells left out).

    ``ax``: draw into this axes (its figure is returned); a new figure if None.
    """
    name_col = "name_ru" if lang == "ru" else "name_en"
    data = by_service[~by_service["suppressed"].astype(bool)].copy()
    data = data.sort_values("estimate")
    fig, ax, own = _axes(ax, (9, max(2.5, 0.38 * len(data) + 1.4)))
    labels = [f"{nm} (n={int(n)})" for nm, n in zip(data[name_col].fillna(data["service_id"]), data["n"])]
    left = np.zeros(len(data))
    for key in ("detractors", "passives", "promoters"):
        share = data[f"pct_{key}"].to_numpy() * 100
        ax.barh(labels, share, left=left, color=PALETTE[key], label=t(key, lang), edgecolor="white")
        left += share
    for y, (_, row) in enumerate(data.iterrows()):
        ax.text(101, y, f"NPS {row['estimate']:+.0f}", va="center", fontsize=8)
    ax.set_xlim(0, 115)
    ax.set_xlabel({"ru": "Доля ответивших, %", "en": "Share of respondents, %"}[lang])
    ax.set_title(t("service_title", lang))
    ax.legend(loc="lower center", bbox_to_anchor=(0.45, 1.06), ncol=3, frameon=False)
    hidden = int(by_service["suppressed"].astype(bool).sum())
    _note(
        fig,
        ax,
        {
            "ru": f"Респондент учитывается во всех услугах, которые покупает его клиент. "
            f"Скрыто услуг с n < {min_n}: {hidden}.",
            "en": f"A respondent counts under every service the client buys. "
            f"Services hidden with n < {min_n}: {hidden}.",
        }[lang],
        own=own,
    )
    return fig


@_styled
def csi_by_direction(
    by_direction: pd.DataFrame,
    direction_names: dict | None = None,
    lang: str = "ru",
    min_n: int = 10,
    *,
    ax: Axes | None = None,
    confidence: float | None = None,
) -> Figure:
    """CSI by direction with its intervals as error bars.

    ``ax``: draw into this axes (its figure is returned); a new figure if
    None.  ``confidence``: level of the intervals, printed in the title;
    default the frame's (``attrs`` or ``confidence`` column), else 0.95.
    """
    level = _pct(_level(confidence, by_direction))
    data = by_direction[~by_direction["suppressed"].astype(bool)].sort_values("estimate")
    names = [f"{(direction_names or {}).get(d, d)} (n={int(n)})" for d, n in zip(data["direction"], data["n"])]
    fig, ax, own = _axes(ax, (8, max(2.5, 0.45 * len(data) + 1.4)))
    ax.barh(names, data["estimate"], color=PALETTE["main"], alpha=0.85)
    err = np.vstack([data["estimate"] - data["ci_low"], data["ci_high"] - data["estimate"]])
    ax.errorbar(data["estimate"], names, xerr=err, fmt="none", ecolor="#222222", capsize=3, lw=1)
    for y, v in enumerate(data["estimate"]):
        ax.text(2, y, f"{v:.0f}", va="center", color="white", fontsize=8, fontweight="bold")
    ax.set_xlim(0, 100)
    ax.set_xlabel("CSI (0-100)")
    ax.set_title(t("direction_title", lang).format(level=level))
    _note(
        fig,
        ax,
        {
            "ru": f"CSI направления: среднее по респондентам их оценок услуг направления (1-5 → 0-100). "
            f"Скрыты направления с n < {min_n}.",
            "en": f"Direction CSI: mean over respondents of their ratings of the direction's services "
            f"(1-5 → 0-100). Directions with n < {min_n} are hidden.",
        }[lang],
        own=own,
    )
    return fig
