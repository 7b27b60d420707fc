"""Charts of the churn-risk section: revenue at risk, what each rule is worth, calibration.

Same house style as :mod:`cxlab.present.figures` (seaborn white grid, DejaVu
Sans for Cyrillic, applied only while drawing); every chart names its method
and n in a footnote, takes ``ax=`` and states the ``confidence`` level of its
intervals.

Examples
--------
>>> import pandas as pd
>>> from cxlab.present.risk_figures import revenue_at_risk_bars
>>> rows = pd.DataFrame({"client": ["ООО «Кедр»", "Northwind"], "revenue_at_risk": [4e5, 1e5],
...                      "revenue_ci_low": [2e5, 5e4], "revenue_ci_high": [7e5, 2e5], "p": [0.2, 0.05]})
>>> fig = revenue_at_risk_bars(rows, lang="en", method="penalised logistic regression")
>>> fig.axes[0].get_xlabel()
'Revenue at risk, M RUB (probability × annual contract)'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cxlab.present.figures import PALETTE, _axes, _level, _note, _pct, _styled

__all__ = ["revenue_at_risk_bars", "rule_value_chart", "calibration_plot"]


@_styled
def revenue_at_risk_bars(
    clients: pd.DataFrame,
    *,
    lang: str = "ru",
    method: str = "",
    top: int = 15,
    currency: str = "RUB",
    ax: Axes | None = None,
    confidence: float | None = None,
) -> Figure:
    """The clients with the most revenue at risk, with the interval of each.

    ``ax``: draw into this axes (its figure is returned, its layout left as
    it is); a new figure if None.  ``confidence``: level of the intervals,
    printed in the footnote (that of the model behind
    :func:`cxlab.risk.score_clients`); default the frame's (``attrs`` or
    ``confidence`` column), else 0.95.
    """
    level = _pct(_level(confidence, clients))
    data = clients.nlargest(top, "revenue_at_risk").iloc[::-1]
    fig, ax, own = _axes(ax, (8.5, max(2.6, 0.38 * len(data) + 1.4)))
    millions = data["revenue_at_risk"] / 1e6
    ax.barh(data["client"].astype(str), millions, color=PALETTE["detractors"], alpha=0.8)
    if "revenue_ci_low" in data and data["revenue_ci_low"].notna().all():
        err = np.vstack([millions - data["revenue_ci_low"] / 1e6, data["revenue_ci_high"] / 1e6 - millions])
        ax.errorbar(
            millions,
            data["client"].astype(str),
            xerr=np.clip(err, 0, None),
            fmt="none",
            ecolor="#222222",
            capsize=3,
            lw=1,
        )
    for y, (m, p) in enumerate(zip(millions, data["p"])):
        ax.text(m, y, f"  {100 * p:.0f}%", va="center", fontsize=8, color="#333333")
    unit = "млн ₽" if currency == "RUB" and lang == "ru" else ("M RUB" if currency == "RUB" else f"M {currency}")
    ax.set_xlabel(
        {
            "ru": f"Выручка под риском, {unit} (вероятность × годовой контракт)",
            "en": f"Revenue at risk, {unit} (probability × annual contract)",
        }[lang]
    )
    ax.set_title(
        {
            "ru": "Где выручка под риском: вероятность ухода в течение 12 месяцев",
            "en": "Where revenue is at risk: probability of churn within 12 months",
        }[lang]
    )
    _note(
        fig,
        ax,
        {
            "ru": f"{method}. Отрезки — {level} интервалы (бутстреп по клиентам); подписи — вероятность ухода.",
            "en": f"{method}. Bars: {level} intervals (client bootstrap); labels: churn probability.",
        }[lang],
        own=own,
    )
    if own:
        fig.tight_layout()
    return fig


@_styled
def rule_value_chart(
    rules: pd.DataFrame,
    *,
    lang: str = "ru",
    labels: dict | None = None,
    ax: Axes | None = None,
    confidence: float | None = None,
) -> Figure:
    """Precision and recall of each rule on past waves, with Wilson intervals and the base rate.

    ``ax``: draw into this axes (its figure is returned, its layout left as
    it is); a new figure if None.  ``confidence``: level of the intervals,
    printed in the footnote (that given to :func:`cxlab.risk.backtest_rules`);
    default the frame's (``attrs`` or ``confidence`` column), else 0.95.
    """
    level = _pct(_level(confidence, rules))
    data = rules[rules["n_flagged"] > 0].reset_index(drop=True)
    names = [str((labels or {}).get(r, r)) for r in data["rule"]]
    y = np.arange(len(data))
    fig, ax, own = _axes(ax, (8.5, max(2.6, 0.55 * len(data) + 1.6)))
    for offset, what, color in ((-0.17, "precision", PALETTE["detractors"]), (0.17, "recall", PALETTE["main"])):
        est = 100 * data[what]
        lo, hi = 100 * data[f"{what}_ci_low"], 100 * data[f"{what}_ci_high"]
        ax.barh(
            y + offset,
            est,
            height=0.32,
            color=color,
            alpha=0.8,
            label={"precision": {"ru": "точность", "en": "precision"}, "recall": {"ru": "полнота", "en": "recall"}}[
                what
            ][lang],
        )
        ax.errorbar(
            est,
            y + offset,
            xerr=np.clip(np.vstack([est - lo, hi - est]), 0, None),
            fmt="none",
            ecolor="#222222",
            capsize=2,
            lw=1,
        )
    if len(data) and "base_rate" in data:
        ax.axvline(
            100 * data["base_rate"].iloc[0],
            color="#555555",
            ls="--",
            lw=1,
            label={"ru": "доля ушедших в среднем", "en": "base churn rate"}[lang],
        )
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.set_title(
        {
            "ru": "Чего стоит каждый сигнал: уход в течение 12 месяцев после волны",
            "en": "What each flag is worth: churn within 12 months after the wave",
        }[lang]
    )
    ax.legend(loc="lower right", fontsize=8)
    n = int(data["n_rows"].iloc[0]) if len(data) else 0
    _note(
        fig,
        ax,
        {
            "ru": f"Прошлые волны с известным исходом, n = {n} клиенто-волн. Точность — доля ушедших среди "
            f"отмеченных, полнота — доля отмеченных среди ушедших; интервалы Уилсона {level}.",
            "en": f"Past waves with a known outcome, n = {n} client-waves. Precision: share of flagged who "
            f"churned; recall: share of churned who were flagged; {level} Wilson intervals.",
        }[lang],
        own=own,
    )
    if own:
        fig.tight_layout()
    return fig


@_styled
def calibration_plot(
    calibration: pd.DataFrame,
    *,
    lang: str = "ru",
    auc: dict | None = None,
    ax: Axes | None = None,
    confidence: float | None = None,
) -> Figure:
    """Predicted against observed churn by bin of predicted probability, one line per model.

    ``ax``: draw into this axes (its figure is returned, its layout left as
    it is); a new figure if None.  ``confidence``: level of the intervals,
    printed in the footnote (:attr:`cxlab.risk.BacktestResult.confidence`);
    default the frame's (``attrs`` or ``confidence`` column), else 0.95.
    """
    level = _pct(_level(confidence, calibration))
    fig, ax, own = _axes(ax, (6.2, 5.2))
    top = 0.05
    colors = [PALETTE["main"], PALETTE["detractors"], PALETTE["promoters"], "#8a5cb8"]
    for color, (method, rows) in zip(colors, calibration.groupby("method", sort=False)):
        rows = rows.sort_values("mean_predicted")
        err = np.vstack([rows["observed"] - rows["observed_ci_low"], rows["observed_ci_high"] - rows["observed"]])
        label = method if not auc or method not in auc else f"{method} (AUC {auc[method]:.2f})"
        ax.errorbar(
            rows["mean_predicted"],
            rows["observed"],
            yerr=np.clip(err, 0, None),
            marker="o",
            color=color,
            capsize=3,
            lw=1.2,
            label=label,
        )
        top = max(top, float(rows["mean_predicted"].max()), float(rows["observed_ci_high"].max()))
    top = min(1.0, top * 1.1)
    ax.plot(
        [0, top],
        [0, top],
        color="#777777",
        ls="--",
        lw=1,
        label={"ru": "идеальная калибровка", "en": "perfect calibration"}[lang],
    )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel({"ru": "Предсказанная вероятность ухода", "en": "Predicted churn probability"}[lang])
    ax.set_ylabel({"ru": "Доля ушедших за 12 месяцев", "en": "Share churned within 12 months"}[lang])
    ax.set_title({"ru": "Калибровка на отложенных волнах", "en": "Calibration on held-out waves"}[lang])
    ax.legend(fontsize=8, loc="upper left")
    _note(
        fig,
        ax,
        {
            "ru": f"Бины по квантилям предсказания; отрезки — интервалы Уилсона {level}. Обучение только на "
            "волнах, исход которых был известен к тестовой волне.",
            "en": f"Quantile bins of the prediction; bars: {level} Wilson intervals. Trained only on waves "
            "whose outcome was known by the test wave.",
        }[lang],
        own=own,
    )
    if own:
        fig.tight_layout()
    return fig
