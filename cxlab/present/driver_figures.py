"""Charts of the key-driver section: importance bars, IPA map, needs heat map, managers.

Same house style as :mod:`cxlab.present.figures` (seaborn white grid, DejaVu
Sans for Cyrillic, applied only while drawing); every chart names its method
and n in a footnote, takes ``ax=`` and, where it draws intervals, states the
``confidence`` level it was given.

Examples
--------
>>> import pandas as pd
>>> from cxlab.present.driver_figures import importance_bars
>>> rows = pd.DataFrame({"driver": ["speed", "ideas"], "share": [0.6, 0.4], "share_ci_low": [0.5, 0.3],
...                      "share_ci_high": [0.7, 0.5], "rank": [1, 2], "rank_ci_low": [1, 1],
...                      "rank_ci_high": [2, 2], "n": [120, 120]})
>>> fig = importance_bars(rows, lang="en", method="Shapley", r2=0.5)
>>> fig.axes[0].get_xlabel()
'Share of explained variance (R²), %'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cxlab.present.figures import PALETTE, _axes, _level, _note, _pct, _styled

__all__ = ["importance_bars", "ipa_scatter", "needs_heatmap", "group_forest"]

QUADRANT_COLORS = {"concentrate": "#d64541", "keep_up": "#2e9d5b", "overkill": "#e0a030", "low_priority": "#8a8a8a"}


def _label(labels: dict | None, key) -> str:
    return str((labels or {}).get(key, key))


@_styled
def importance_bars(
    rows: pd.DataFrame,
    *,
    lang: str = "ru",
    labels: dict | None = None,
    method: str = "",
    r2: float | None = None,
    interval: str = "",
    ax: Axes | None = None,
    confidence: float | None = None,
) -> Figure:
    """Shares of R² per driver with their bootstrap intervals, most important on top.

    ``ax``: draw into this axes (its figure is returned); a new figure if
    None.  ``confidence``: level of the intervals, printed in the footnote
    (:attr:`cxlab.drivers.RelativeImportance.confidence`); default the
    frame's (``attrs`` or ``confidence`` column), else 0.95.
    """
    level = _pct(_level(confidence, rows))
    data = rows.sort_values("share")
    names = [_label(labels, d) for d in data["driver"]]
    fig, ax, own = _axes(ax, (8.5, max(2.5, 0.42 * len(data) + 1.4)))
    ax.barh(names, 100 * data["share"], color=PALETTE["main"], alpha=0.85)
    if "share_ci_low" in data and data["share_ci_low"].notna().all():
        err = 100 * np.vstack([data["share"] - data["share_ci_low"], data["share_ci_high"] - data["share"]])
        ax.errorbar(
            100 * data["share"], names, xerr=np.clip(err, 0, None), fmt="none", ecolor="#222222", capsize=3, lw=1
        )
    for y, (_, r) in enumerate(data.iterrows()):
        rank = f"#{int(r['rank'])}"
        if pd.notna(r.get("rank_ci_low")):
            lo, hi = int(r["rank_ci_low"]), int(r["rank_ci_high"])
            rank += f" ({lo}–{hi})" if lo != hi else ""
        ax.text(0.5, y, rank, va="center", color="white", fontsize=8, fontweight="bold")
    ax.set_xlabel({"ru": "Доля объяснённой дисперсии (R²), %", "en": "Share of explained variance (R²), %"}[lang])
    ax.set_title(
        {
            "ru": "Что важно клиентам: вклад атрибутов в рекомендацию",
            "en": "What clients value: each attribute's share of the recommend score",
        }[lang]
    )
    n = int(rows["n"].iloc[0]) if len(rows) else 0
    r2_text = f"R² = {r2:.2f}; " if r2 is not None else ""
    _note(
        fig,
        ax,
        {
            "ru": f"{method}. {r2_text}n = {n}. Отрезки — {level} интервалы ({interval}); в скобках — интервал ранга.",
            "en": f"{method}. {r2_text}n = {n}. Whiskers: {level} intervals ({interval}); "
            "in brackets: the rank's interval.",
        }[lang],
        own=own,
    )
    return fig


@_styled
def ipa_scatter(
    table: pd.DataFrame,
    importance_cut: float,
    performance_cut: float,
    *,
    lang: str = "ru",
    labels: dict | None = None,
    method: str = "",
    quadrant_labels: dict | None = None,
    ax: Axes | None = None,
    confidence: float | None = None,
) -> Figure:
    """Importance against performance, cross-hairs at the means, quadrants named and coloured.

    ``ax``: draw into this axes (its figure is returned); a new figure if
    None.  ``confidence``: level of the intervals, printed in the footnote
    (that of ``ImportancePerformance.importance``); default the frame's
    (``attrs`` or ``confidence`` column), else 0.95.
    """
    level = _pct(_level(confidence, table))
    fig, ax, own = _axes(ax, (9, 6.2))
    x, y = 100 * table["importance"], table["performance"]
    xerr = 100 * np.vstack(
        [table["importance"] - table["importance_ci_low"], table["importance_ci_high"] - table["importance"]]
    )
    yerr = np.vstack(
        [table["performance"] - table["performance_ci_low"], table["performance_ci_high"] - table["performance"]]
    )
    colors = [QUADRANT_COLORS.get(q, "#333333") for q in table["quadrant"]]
    ax.errorbar(
        x, y, xerr=np.clip(xerr, 0, None), yerr=np.clip(yerr, 0, None), fmt="none", ecolor="#bbbbbb", lw=0.8, zorder=1
    )
    ax.scatter(x, y, c=colors, s=60, zorder=2, edgecolor="white")
    for xi, yi, d, share in zip(x, y, table["driver"], table["quadrant_share"]):
        ax.annotate(
            f"{_label(labels, d)} ({100 * share:.0f}%)", (xi, yi), textcoords="offset points", xytext=(6, 4), fontsize=8
        )
    ax.axvline(100 * importance_cut, color="#555555", lw=0.9, ls="--")
    ax.axhline(performance_cut, color="#555555", lw=0.9, ls="--")
    xlim = ax.get_xlim()
    ylim = ax.get_ylim()
    corners = {
        "concentrate": (xlim[1], ylim[0], "right", "bottom"),
        "keep_up": (xlim[1], ylim[1], "right", "top"),
        "overkill": (xlim[0], ylim[1], "left", "top"),
        "low_priority": (xlim[0], ylim[0], "left", "bottom"),
    }
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(
            cx,
            cy,
            _label(quadrant_labels, q),
            ha=ha,
            va=va,
            color=QUADRANT_COLORS[q],
            fontsize=9,
            fontweight="bold",
            alpha=0.9,
        )
    ax.set_xlabel(
        {"ru": "Важность: доля в объяснённой дисперсии, %", "en": "Importance: share of explained variance, %"}[lang]
    )
    ax.set_ylabel({"ru": "Исполнение: средняя оценка (1-5)", "en": "Performance: mean rating (1-5)"}[lang])
    ax.set_title({"ru": "Матрица важность — исполнение", "en": "Importance-performance matrix"}[lang])
    n = int(table["n"].min()) if len(table) else 0
    _note(
        fig,
        ax,
        {
            "ru": f"Важность: {method}. Линии — средние по атрибутам. В скобках — доля бутстреп-выборок, "
            f"в которых атрибут остаётся в своём квадранте; отрезки — {level} интервалы. n ≥ {n}.",
            "en": f"Importance: {method}. Lines: means over the attributes. In brackets: share of bootstrap "
            f"resamples that keep the attribute in its quadrant; whiskers: {level} intervals. n ≥ {n}.",
        }[lang],
        own=own,
    )
    return fig


@_styled
def needs_heatmap(
    grid: pd.DataFrame,
    *,
    rows: str = "segment",
    columns: str = "direction",
    lang: str = "ru",
    column_labels: dict | None = None,
    min_n: int = 10,
    ax: Axes | None = None,
) -> Figure:
    """Share of respondents lacking each direction, by segment; suppressed cells left blank.

    ``ax``: draw into this axes (its figure is returned; the colour bar
    takes its room from it, as :func:`seaborn.heatmap` does); a new figure
    if None.
    """
    shown = grid.assign(value=100 * grid["share"].where(~grid["suppressed"].astype(bool)))
    table = shown.pivot_table(index=rows, columns=columns, values="value", aggfunc="first", dropna=False)
    n = grid.groupby(rows)["respondents"].max()
    table.index = [f"{i} (n={int(n.get(i, 0))})" for i in table.index]
    table.columns = [_label(column_labels, c) for c in table.columns]
    fig, ax, own = _axes(ax, (max(7, 0.9 * table.shape[1] + 3), max(2.5, 0.45 * table.shape[0] + 2)))
    sns.heatmap(
        table,
        annot=True,
        fmt=".0f",
        cmap="Reds",
        vmin=0,
        cbar_kws={"label": "%"},
        ax=ax,
        linewidths=0.5,
        linecolor="white",
        mask=table.isna(),
    )
    ax.grid(False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(
        {"ru": "Каких услуг не хватает: доля респондентов, %", "en": "Services clients lack: share of respondents, %"}[
            lang
        ]
    )
    plt.setp(ax.get_xticklabels(), rotation=35, ha="right")
    _note(
        fig,
        ax,
        {
            "ru": f"Доля ответивших в сегменте, назвавших хотя бы одну услугу направления. "
            f"Ячейки с n < {min_n} скрыты.",
            "en": f"Share of the segment's respondents naming at least one service of the direction. "
            f"Cells with n < {min_n} are hidden.",
        }[lang],
        own=own,
        below=True,
    )
    return fig


@_styled
def group_forest(
    table: pd.DataFrame,
    by: str,
    *,
    lang: str = "ru",
    grand_mean: float | None = None,
    unit: str = "",
    method: str = "",
    note: str = "",
    title: str | None = None,
    ax: Axes | None = None,
    confidence: float | None = None,
) -> Figure:
    """Pooled estimates per manager or team with intervals (suppressed groups left out).

    ``ax``: draw into this axes (its figure is returned); a new figure if
    None.  ``confidence``: level of the intervals, printed in the footnote
    between ``method`` and ``note`` (:attr:`cxlab.drivers.ManagerScores.confidence`);
    default the frame's (``attrs`` or ``confidence`` column), else 0.95.
    """
    level = _pct(_level(confidence, table))
    data = table[~table["suppressed"].astype(bool)].sort_values("estimate")
    fig, ax, own = _axes(ax, (8.5, max(2.5, 0.42 * len(data) + 1.6)))
    names = [f"{g} (n={int(n)})" for g, n in zip(data[by], data["n"])]
    err = np.vstack([data["estimate"] - data["ci_low"], data["ci_high"] - data["estimate"]])
    ax.errorbar(
        data["estimate"],
        names,
        xerr=np.clip(err, 0, None),
        fmt="o",
        color=PALETTE["main"],
        ecolor="#444444",
        capsize=3,
        lw=1,
    )
    if "raw_mean" in data:
        ax.scatter(
            data["raw_mean"],
            names,
            marker="x",
            color="#999999",
            zorder=1,
            label={"ru": "без сглаживания", "en": "raw mean"}[lang],
        )
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    if grand_mean is not None:
        ax.axvline(grand_mean, color="#888888", lw=0.9, ls="--")
    ax.set_xlabel(unit)
    ax.set_title(
        title
        if title is not None
        else {
            "ru": {
                "manager": "Менеджеры: оценка с частичным объединением",
                "team": "Команды: оценка с частичным объединением",
            }.get(by, by),
            "en": {
                "manager": "Account managers: partially pooled scores",
                "team": "Teams: partially pooled scores",
            }.get(by, by),
        }[lang]
    )
    whiskers = {"ru": f"Отрезки — {level} интервалы.", "en": f"Whiskers: {level} intervals."}[lang]
    _note(fig, ax, f"{method}. {whiskers} {note}", own=own)
    return fig
