"""Charts of the comments section: themes among detractors and promoters, themes over waves.

Same house style as :mod:`cxlab.present.figures`, applied only while
drawing; both charts take ``ax=``, and the theme bars state the
``confidence`` level of their intervals.

>>> import pandas as pd
>>> s = pd.DataFrame({"label": ["Сроки"], "n": [12], "share_detractors": [0.4], "share_detractors_ci_low": [0.2],
...                   "share_detractors_ci_high": [0.6], "share_promoters": [0.1], "share_promoters_ci_low": [0.03],
...                   "share_promoters_ci_high": [0.3], "n_detractors": [20], "n_promoters": [30]})
>>> fig = theme_bars(s, lang="en")
>>> fig.axes[0].get_xlabel()
'Share of comments mentioning the theme, %'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cxlab.present.figures import PALETTE, _axes, _level, _note, _pct, _styled

__all__ = ["theme_bars", "themes_heatmap"]


@_styled
def theme_bars(
    summary: pd.DataFrame, *, lang: str = "ru", ax: Axes | None = None, confidence: float | None = None
) -> Figure:
    """Each theme's share among detractors' and promoters' comments, with Wilson intervals.

    ``ax``: draw into this axes (its figure is returned); a new figure if
    None.  ``confidence``: level of the intervals, printed in the footnote
    (that given to :func:`cxlab.text.theme_summary`); default the frame's
    (``attrs`` or ``confidence`` column), else 0.95.
    """
    level = _pct(_level(confidence, summary))
    data = summary.iloc[::-1]
    y = np.arange(len(data))
    fig, ax, own = _axes(ax, (8, max(2.8, 0.5 * len(data) + 1.6)))
    groups = (
        ("detractors", PALETTE["detractors"], {"ru": "критики (0-6)", "en": "detractors (0-6)"}, 0.2),
        ("promoters", PALETTE["promoters"], {"ru": "промоутеры (9-10)", "en": "promoters (9-10)"}, -0.2),
    )
    for name, color, label, shift in groups:
        share = 100 * data[f"share_{name}"].to_numpy(dtype=float)
        low = 100 * data[f"share_{name}_ci_low"].to_numpy(dtype=float)
        high = 100 * data[f"share_{name}_ci_high"].to_numpy(dtype=float)
        n = int(data[f"n_{name}"].max()) if len(data) else 0
        ax.barh(y + shift, share, height=0.38, color=color, alpha=0.85, label=f"{label[lang]}, n = {n}")
        ax.errorbar(
            share,
            y + shift,
            xerr=[np.nan_to_num(share - low), np.nan_to_num(high - share)],
            fmt="none",
            ecolor="#333333",
            elinewidth=1,
            capsize=2,
        )
    ax.set_yticks(y, [f"{lab} ({int(k)})" for lab, k in zip(data["label"], data["n"])])
    ax.set_xlabel({"ru": "Доля комментариев с темой, %", "en": "Share of comments mentioning the theme, %"}[lang])
    ax.set_title({"ru": "О чём пишут критики и промоутеры", "en": "What detractors and promoters write about"}[lang])
    ax.legend(loc="lower right", fontsize=8)
    _note(
        fig,
        ax,
        {
            "ru": f"В скобках — число комментариев с темой. Отрезки — {level} интервалы Уилсона. Знаменатель — "
            "комментарии группы; один комментарий может относиться к нескольким темам.",
            "en": f"In brackets: comments mentioning the theme. Bars: {level} Wilson intervals. Denominator: the "
            "group's comments; a comment may mention several themes.",
        }[lang],
        own=own,
        below=True,
    )
    return fig


@_styled
def themes_heatmap(over_waves: pd.DataFrame, *, lang: str = "ru", ax: Axes | None = None) -> Figure:
    """Share of comments on each theme (rows) in each wave (columns), n of comments under each wave.

    ``ax``: draw into this axes (its figure is returned; the colour bar
    takes its room from it, as :func:`seaborn.heatmap` does); a new figure
    if None.
    """
    table = over_waves.pivot_table(index="label", columns="wave_id", values="share", aggfunc="first", sort=False)
    table = 100 * table
    n = over_waves.groupby("wave_id")["n_comments"].first()
    table.columns = [f"{w}\nn={int(n[w])}" for w in table.columns]
    fig, ax, own = _axes(ax, (max(6, 1.1 * table.shape[1] + 4), max(3, 0.45 * table.shape[0] + 1.8)))
    sns.heatmap(
        table,
        annot=True,
        fmt=".0f",
        cmap="Blues",
        vmin=0,
        cbar_kws={"label": "%"},
        ax=ax,
        linewidths=0.5,
        linecolor="white",
    )
    ax.grid(False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(
        {"ru": "Темы комментариев по волнам, % комментариев", "en": "Comment themes by wave, % of comments"}[lang]
    )
    _note(
        fig,
        ax,
        {
            "ru": "Изменения к прошлой волне с интервалами — в таблице Excel «Темы по волнам».",
            "en": "Changes since the previous wave with intervals: Excel sheet 'Themes by wave'.",
        }[lang],
        own=own,
        below=True,
    )
    return fig
