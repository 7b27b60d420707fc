"""Report charts (seaborn/matplotlib) in Russian or English.

Every chart states its definition and n in its title or footnote.  Text is
set in DejaVu Sans, which ships with matplotlib and has Cyrillic glyphs, so
labels render the same on any machine.

Examples
--------
>>> import pandas as pd
>>> from cxlab.present.figures import nps_trend
>>> trend = pd.DataFrame({"wave_id": ["2026-Q2", "2026-Q3"], "metric": ["nps", "nps"],
...                       "estimate": [20.0, 30.0], "ci_low": [5.0, 16.0], "ci_high": [35.0, 44.0], "n": [80, 90]})
>>> fig = nps_trend(trend, lang="en")
>>> fig.axes[0].get_ylabel()
'NPS, points'
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from cxlab.present.labels import t

__all__ = ["use_style", "nps_trend", "nps_by_service", "csi_by_direction", "PALETTE"]

PALETTE = {"promoters": "#2e9d5b", "passives": "#c9c9c9", "detractors": "#d64541", "main": "#2a5caa"}
FONT = "DejaVu Sans"


def use_style() -> None:
    """seaborn's white grid with a Cyrillic-capable font."""
    sns.set_theme(style="whitegrid", context="notebook", font=FONT)
    matplotlib.rcParams["font.family"] = FONT
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["figure.dpi"] = 100
    matplotlib.rcParams["savefig.dpi"] = 150
    matplotlib.rcParams["savefig.bbox"] = "tight"


def _footnote(fig, text: str) -> None:
    fig.text(0.01, -0.02, text, ha="left", va="top", fontsize=8, color="#555555", wrap=True)


def nps_trend(trend: pd.DataFrame, lang: str = "ru", metric: str = "nps"):
    """NPS by wave with its 95% interval as a band; n under each point."""
    use_style()
    data = trend[trend["metric"] == metric].sort_values("wave_id")
    fig, ax = plt.subplots(figsize=(8, 4.2))
    x = np.arange(len(data))
    ax.fill_between(x, data["ci_low"], data["ci_high"], color=PALETTE["main"], alpha=0.18, label="95%")
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
    ax.set_title(t("trend_title", lang))
    _footnote(
        fig,
        {
            "ru": "NPS = % промоутеров (9-10) − % критиков (0-6); полоса — 95% интервал "
            "(триномиальная дисперсия); n — число ответивших в волне.",
            "en": "NPS = % promoters (9-10) − % detractors (0-6); band: 95% interval "
            "(trinomial variance); n: respondents in the wave.",
        }[lang],
    )
    return fig


def nps_by_service(by_service: pd.DataFrame, lang: str = "ru", min_n: int = 10):
    """Stacked promoter/passive/detractor shares per service (suppressed cells left out)."""
    use_style()
    name_col = "name_ru" if lang == "ru" else "name_en"
    data = by_service[~by_service["suppressed"].astype(bool)].copy()
    data = data.sort_values("estimate")
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.38 * len(data) + 1.4)))
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
    _footnote(
        fig,
        {
            "ru": f"Респондент учитывается во всех услугах, которые покупает его клиент. "
            f"Скрыто услуг с n < {min_n}: {hidden}.",
            "en": f"A respondent counts under every service the client buys. "
            f"Services hidden with n < {min_n}: {hidden}.",
        }[lang],
    )
    return fig


def csi_by_direction(
    by_direction: pd.DataFrame, direction_names: dict | None = None, lang: str = "ru", min_n: int = 10
):
    """CSI by direction with 95% intervals as error bars."""
    use_style()
    data = by_direction[~by_direction["suppressed"].astype(bool)].sort_values("estimate")
    names = [f"{(direction_names or {}).get(d, d)} (n={int(n)})" for d, n in zip(data["direction"], data["n"])]
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.45 * len(data) + 1.4)))
    ax.barh(names, data["estimate"], color=PALETTE["main"], alpha=0.85)
    err = np.vstack([data["estimate"] - data["ci_low"], data["ci_high"] - data["estimate"]])
    ax.errorbar(data["estimate"], names, xerr=err, fmt="none", ecolor="#222222", capsize=3, lw=1)
    for y, v in enumerate(data["estimate"]):
        ax.text(2, y, f"{v:.0f}", va="center", color="white", fontsize=8, fontweight="bold")
    ax.set_xlim(0, 100)
    ax.set_xlabel("CSI (0-100)")
    ax.set_title(t("direction_title", lang))
    _footnote(
        fig,
        {
            "ru": f"CSI направления: среднее по респондентам их оценок услуг направления (1-5 → 0-100). "
            f"Скрыты направления с n < {min_n}.",
            "en": f"Direction CSI: mean over respondents of their ratings of the direction's services "
            f"(1-5 → 0-100). Directions with n < {min_n} are hidden.",
        }[lang],
    )
    return fig
