"""Charts of the executive dashboard (seaborn/matplotlib, Russian or English).

The dashboard reuses the report's charts where they fit
(:func:`cxlab.present.figures.nps_by_service`,
:func:`cxlab.present.driver_figures.ipa_scatter` and ``group_forest`` for
managers); the one here draws NPS and CSI side by side over waves, and
:func:`png` renders a chart for the dashboard in the house style.

Examples
--------
>>> import pandas as pd
>>> trend = pd.DataFrame({"wave_id": ["2026-Q2", "2026-Q3"] * 2, "metric": ["nps"] * 2 + ["csi"] * 2,
...                       "estimate": [20.0, 30.0, 70.0, 72.0], "ci_low": [5.0, 16.0, 66.0, 69.0],
...                       "ci_high": [35.0, 44.0, 74.0, 75.0], "n": [80, 90, 80, 90],
...                       "suppressed": [False] * 4})
>>> fig = trend_panels(trend, lang="en")
>>> [ax.get_title() for ax in fig.axes]
['NPS, points', 'CSI, 0-100']
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import cast

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cxlab.errors import ParameterError
from cxlab.present.figures import PALETTE, SAVEFIG, _level, _note, _pct, _styled, cxlab_style

__all__ = ["trend_panels", "png"]


def png(fig: Figure, dpi: int = 72) -> bytes:
    """The figure as PNG bytes (closed afterwards: the dashboard redraws on every filter change).

    Laid out with ``tight_layout`` and saved with ``bbox_inches="tight"``
    (which keeps the footnotes under the axes), rendered in
    :func:`~cxlab.present.figures.cxlab_style` as the report's charts are.
    """
    buf = io.BytesIO()
    with cxlab_style():
        fig.tight_layout()
        fig.savefig(buf, format="png", **{**SAVEFIG, "dpi": dpi})
    plt.close(fig)
    return buf.getvalue()


@_styled
def trend_panels(
    trend: pd.DataFrame,
    lang: str = "ru",
    *,
    ax: Sequence[Axes] | None = None,
    confidence: float | None = None,
) -> Figure:
    """NPS and CSI by wave, each with its interval as a band and n under the point.

    Parameters
    ----------
    trend : DataFrame
        ``wave_id, metric, estimate, ci_low, ci_high, n, suppressed``.
    lang : {"ru", "en"}
    ax : pair of Axes, optional
        Two axes to draw into, NPS then CSI (their figure is returned, its
        layout left as it is; the footnote goes under the first); a new
        figure with the two side by side if None.
    confidence : float, optional
        Level of the bands, printed in the footnote (the dashboard's
        ``confidence``); default the frame's (``attrs`` or ``confidence``
        column), else 0.95.
    """
    level = _pct(_level(confidence, trend))
    if ax is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
        own = True
    else:
        axes = list(ax)
        if len(axes) != 2:
            raise ParameterError(f"ax must be two axes (NPS, CSI), got {len(axes)}", parameter="ax", value=ax)
        fig, own = cast(Figure, axes[0].get_figure(root=True)), False
    titles = {"nps": {"ru": "NPS, пункты", "en": "NPS, points"}, "csi": {"ru": "CSI, 0-100", "en": "CSI, 0-100"}}
    for panel, metric in zip(axes, ("nps", "csi")):
        data = trend[trend["metric"] == metric].sort_values("wave_id")
        x = np.arange(len(data))
        panel.fill_between(
            x, data["ci_low"].astype(float), data["ci_high"].astype(float), color=PALETTE["main"], alpha=0.18
        )
        panel.plot(x, data["estimate"].astype(float), marker="o", color=PALETTE["main"])
        for xi, (_, row) in zip(x, data.iterrows()):
            text = f"n={int(row['n'])}" if row["suppressed"] else f"{row['estimate']:.0f}\nn={int(row['n'])}"
            y = row["estimate"] if not row["suppressed"] else panel.get_ylim()[0]
            panel.annotate(text, (xi, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7)
        panel.set_xticks(x, data["wave_id"], rotation=45, ha="right", fontsize=8)
        panel.set_title(titles[metric][lang], fontsize=10)
        if metric == "nps":
            panel.axhline(0, color="#888888", lw=0.8)
    _note(
        fig,
        axes[0],
        {
            "ru": f"Полоса — {level} интервал (NPS: триномиальная дисперсия; CSI: интервал Стьюдента); "
            "волны с n меньше минимума не показаны.",
            "en": f"Band: {level} interval (NPS: trinomial variance; CSI: Student t); "
            "waves with n below the minimum are not shown.",
        }[lang],
        own=own,
    )
    if own:
        fig.tight_layout()
    return fig
