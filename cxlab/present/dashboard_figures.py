"""Charts of the executive dashboard (seaborn/matplotlib, Russian or English).

The dashboard reuses the report's charts where they fit
(:func:`cxlab.present.figures.nps_by_service`,
:func:`cxlab.present.driver_figures.ipa_scatter` and ``group_forest`` for
managers); the one here draws NPS and CSI side by side over waves.

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

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cxlab.present.figures import PALETTE, _footnote, use_style

__all__ = ["trend_panels", "png"]


def png(fig, dpi: int = 72) -> bytes:
    """The figure as PNG bytes (closed afterwards: the dashboard redraws on every filter change).

    Laid out once with ``tight_layout`` rather than ``bbox_inches="tight"``,
    which draws the figure twice: a filter change redraws four charts.
    """
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def trend_panels(trend: pd.DataFrame, lang: str = "ru"):
    """NPS and CSI by wave, each with its 95% interval as a band and n under the point."""
    use_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    titles = {"nps": {"ru": "NPS, пункты", "en": "NPS, points"}, "csi": {"ru": "CSI, 0-100", "en": "CSI, 0-100"}}
    for ax, metric in zip(axes, ("nps", "csi")):
        data = trend[trend["metric"] == metric].sort_values("wave_id")
        x = np.arange(len(data))
        ax.fill_between(
            x, data["ci_low"].astype(float), data["ci_high"].astype(float), color=PALETTE["main"], alpha=0.18
        )
        ax.plot(x, data["estimate"].astype(float), marker="o", color=PALETTE["main"])
        for xi, (_, row) in zip(x, data.iterrows()):
            text = f"n={int(row['n'])}" if row["suppressed"] else f"{row['estimate']:.0f}\nn={int(row['n'])}"
            y = row["estimate"] if not row["suppressed"] else ax.get_ylim()[0]
            ax.annotate(text, (xi, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7)
        ax.set_xticks(x, data["wave_id"], rotation=45, ha="right", fontsize=8)
        ax.set_title(titles[metric][lang], fontsize=10)
        if metric == "nps":
            ax.axhline(0, color="#888888", lw=0.8)
    _footnote(
        fig,
        {
            "ru": "Полоса — 95% интервал (NPS: триномиальная дисперсия; CSI: интервал Стьюдента); "
            "волны с n меньше минимума не показаны.",
            "en": "Band: 95% interval (NPS: trinomial variance; CSI: Student t); "
            "waves with n below the minimum are not shown.",
        }[lang],
    )
    fig.tight_layout()
    return fig
