"""Charts render Cyrillic with no missing glyphs and state n; they leave rcParams alone, take ``ax=``
and print the confidence level they are given."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image

from cxlab.present import comment_figures, driver_figures, figures, risk_figures
from cxlab.present.report import figure_html


def test_russian_labels_render_without_missing_glyphs(tmp_path):
    trend = pd.DataFrame(
        {
            "wave_id": ["2026-Q1", "2026-Q2", "2026-Q3"],
            "metric": ["nps"] * 3,
            "estimate": [10.0, 20.0, 35.0],
            "ci_low": [-5.0, 6.0, 22.0],
            "ci_high": [25.0, 34.0, 48.0],
            "n": [80, 95, 110],
        }
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = figures.nps_trend(trend, lang="ru")
        fig.savefig(tmp_path / "trend.png")
    assert not [w for w in caught if "missing from" in str(w.message).lower()]
    ax = fig.axes[0]
    assert ax.get_title() == "NPS по волнам, 95% интервал"
    texts = [t.get_text() for t in ax.texts]
    assert "+35\nn=110" in texts
    assert (tmp_path / "trend.png").stat().st_size > 10_000


def test_service_chart_leaves_out_suppressed_cells():
    by_service = pd.DataFrame(
        {
            "service_id": ["a", "b"],
            "name_ru": ["Пресс-служба", "Мероприятия"],
            "name_en": ["Press", "Events"],
            "n": [40, 4],
            "estimate": [25.0, float("nan")],
            "suppressed": [False, True],
            "pct_promoters": [0.5, float("nan")],
            "pct_passives": [0.25, float("nan")],
            "pct_detractors": [0.25, float("nan")],
        }
    )
    fig = figures.nps_by_service(by_service, lang="ru", min_n=10)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Пресс-служба (n=40)"]
    assert "n < 10: 1" in fig.texts[0].get_text()


# --------------------------------------------------------------------------- every chart function
TREND = pd.DataFrame(
    {
        "wave_id": ["2026-Q1", "2026-Q2", "2026-Q3"] * 2,
        "metric": ["nps"] * 3 + ["csi"] * 3,
        "estimate": [-8.0, 20.0, 35.0, 70.0, 71.0, 74.0],
        "ci_low": [-25.0, 6.0, 22.0, 66.0, 67.0, 71.0],
        "ci_high": [9.0, 34.0, 48.0, 74.0, 75.0, 77.0],
        "n": [80, 95, 110, 80, 95, 110],
        "suppressed": [False] * 6,
    }
)
BY_SERVICE = pd.DataFrame(
    {
        "service_id": ["a", "b"],
        "name_ru": ["Пресс-служба", "Контент"],
        "name_en": ["Press", "Content"],
        "n": [40, 25],
        "estimate": [25.0, -12.0],
        "suppressed": [False, False],
        "pct_promoters": [0.5, 0.3],
        "pct_passives": [0.25, 0.28],
        "pct_detractors": [0.25, 0.42],
    }
)
BY_DIRECTION = pd.DataFrame(
    {
        "direction": ["media", "digital"],
        "n": [50, 30],
        "estimate": [72.0, 65.0],
        "ci_low": [66.0, 58.0],
        "ci_high": [78.0, 72.0],
        "suppressed": [False, False],
    }
)
IMPORTANCE = pd.DataFrame(
    {
        "driver": ["speed", "ideas"],
        "share": [0.6, 0.4],
        "share_ci_low": [0.5, 0.3],
        "share_ci_high": [0.7, 0.5],
        "rank": [1, 2],
        "rank_ci_low": [1, 1],
        "rank_ci_high": [2, 2],
        "n": [120, 120],
    }
)
IPA = pd.DataFrame(
    {
        "driver": ["speed", "ideas", "care", "price"],
        "importance": [0.4, 0.3, 0.2, 0.1],
        "importance_ci_low": [0.3, 0.2, 0.1, 0.05],
        "importance_ci_high": [0.5, 0.4, 0.3, 0.15],
        "performance": [3.6, 4.2, 4.0, 3.5],
        "performance_ci_low": [3.4, 4.0, 3.8, 3.3],
        "performance_ci_high": [3.8, 4.4, 4.2, 3.7],
        "quadrant": ["concentrate", "keep_up", "overkill", "low_priority"],
        "quadrant_share": [0.8, 0.7, 0.6, 0.5],
        "n": [110, 112, 115, 118],
    }
)
NEEDS = pd.DataFrame(
    {
        "segment": ["Торговля", "Торговля", "Банки", "Банки"],
        "direction": ["media", "events"] * 2,
        "share": [0.2, 0.35, 0.1, np.nan],
        "suppressed": [False, False, False, True],
        "respondents": [40, 40, 8, 8],
    }
)
FOREST = pd.DataFrame(
    {
        "manager": ["Анна", "Борис"],
        "n": [30, 25],
        "estimate": [20.0, -5.0],
        "ci_low": [5.0, -25.0],
        "ci_high": [35.0, 15.0],
        "suppressed": [False, False],
        "raw_mean": [24.0, -9.0],
    }
)
AT_RISK = pd.DataFrame(
    {
        "client": ["ООО «Кедр»", "Northwind"],
        "revenue_at_risk": [4e5, 1e5],
        "revenue_ci_low": [2e5, 5e4],
        "revenue_ci_high": [7e5, 2e5],
        "p": [0.2, 0.05],
    }
)
RULES = pd.DataFrame(
    {
        "rule": ["drop", "detractor"],
        "n_flagged": [20, 10],
        "precision": [0.3, 0.4],
        "precision_ci_low": [0.15, 0.2],
        "precision_ci_high": [0.5, 0.65],
        "recall": [0.5, 0.3],
        "recall_ci_low": [0.3, 0.15],
        "recall_ci_high": [0.7, 0.5],
        "base_rate": [0.12, 0.12],
        "n_rows": [300, 300],
    }
)
CALIBRATION = pd.DataFrame(
    {
        "method": ["logit"] * 3,
        "mean_predicted": [0.05, 0.15, 0.3],
        "observed": [0.04, 0.18, 0.25],
        "observed_ci_low": [0.01, 0.1, 0.15],
        "observed_ci_high": [0.1, 0.28, 0.38],
    }
)
THEMES = pd.DataFrame(
    {
        "label": ["Сроки", "Идеи"],
        "n": [12, 9],
        "share_detractors": [0.4, 0.1],
        "share_detractors_ci_low": [0.2, 0.03],
        "share_detractors_ci_high": [0.6, 0.25],
        "share_promoters": [0.1, 0.3],
        "share_promoters_ci_low": [0.03, 0.15],
        "share_promoters_ci_high": [0.3, 0.5],
        "n_detractors": [20, 20],
        "n_promoters": [30, 30],
    }
)
THEME_WAVES = pd.DataFrame(
    {
        "label": ["Сроки", "Идеи"] * 2,
        "wave_id": ["2026-Q2"] * 2 + ["2026-Q3"] * 2,
        "share": [0.2, 0.1, 0.3, 0.15],
        "n_comments": [50, 50, 60, 60],
    }
)

#: Chart functions that draw intervals, each called on a small frame (keyword arguments passed on).
INTERVAL_CHARTS: dict[str, Callable[..., Figure]] = {
    "nps_trend": lambda **kw: figures.nps_trend(TREND, **kw),
    "csi_by_direction": lambda **kw: figures.csi_by_direction(BY_DIRECTION, {"media": "Работа со СМИ"}, **kw),
    "importance_bars": lambda **kw: driver_figures.importance_bars(IMPORTANCE, method="Shapley", r2=0.5, **kw),
    "ipa_scatter": lambda **kw: driver_figures.ipa_scatter(IPA, 0.25, 3.8, method="Shapley", **kw),
    "group_forest": lambda **kw: driver_figures.group_forest(FOREST, "manager", method="EB", note="n ≥ 10.", **kw),
    "revenue_at_risk_bars": lambda **kw: risk_figures.revenue_at_risk_bars(AT_RISK, method="logit", **kw),
    "rule_value_chart": lambda **kw: risk_figures.rule_value_chart(RULES, **kw),
    "calibration_plot": lambda **kw: risk_figures.calibration_plot(CALIBRATION, auc={"logit": 0.71}, **kw),
    "theme_bars": lambda **kw: comment_figures.theme_bars(THEMES, **kw),
}
#: Chart functions that draw no interval.
OTHER_CHARTS: dict[str, Callable[..., Figure]] = {
    "nps_by_service": lambda **kw: figures.nps_by_service(BY_SERVICE, **kw),
    "needs_heatmap": lambda **kw: driver_figures.needs_heatmap(NEEDS, column_labels={"media": "СМИ"}, **kw),
    "themes_heatmap": lambda **kw: comment_figures.themes_heatmap(THEME_WAVES, **kw),
}
CHARTS = {**INTERVAL_CHARTS, **OTHER_CHARTS}


def _texts(fig: Figure) -> str:
    """Every text the figure shows (titles, labels, legends, footnotes, annotations), one per line."""
    return "\n".join(t.get_text() for t in fig.findobj(Text))


@pytest.fixture
def default_rc():
    """matplotlib's defaults for the test, whatever an earlier test set; restored afterwards."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        yield
    plt.close("all")


@pytest.mark.parametrize("name", list(CHARTS))
def test_chart_leaves_rcparams_as_it_found_them(name, default_rc):
    before = dict(matplotlib.rcParams)
    fig = CHARTS[name](lang="ru")
    assert dict(matplotlib.rcParams) == before
    # The chart itself was drawn in the house style.
    assert fig.axes[0].xaxis.label.get_fontfamily() == ["DejaVu Sans"]
    assert fig.axes[0].xaxis.label.get_fontsize() == pytest.approx(12.0)  # seaborn's notebook context (10)
    assert fig.axes[0].spines["left"].get_edgecolor() == matplotlib.colors.to_rgba(".8")  # white grid (black)


def test_style_context_is_what_use_style_applies(default_rc):
    with figures.cxlab_style():
        styled = dict(matplotlib.rcParams)
    assert dict(matplotlib.rcParams) != styled
    assert styled["font.family"] == ["DejaVu Sans"]
    assert styled["axes.unicode_minus"] is False
    figures.use_style()
    assert dict(matplotlib.rcParams) == styled


@pytest.mark.parametrize("name", list(CHARTS))
def test_chart_draws_into_the_given_axes(name, default_rc):
    fig, axes = plt.subplots(1, 2, figsize=(14, 4))
    opened = plt.get_fignums()
    out = CHARTS[name](lang="ru", ax=axes[1])
    assert out is fig
    assert plt.get_fignums() == opened
    assert axes[1].get_title()
    assert axes[1].patches or axes[1].lines or axes[1].collections
    # The other axes untouched.
    assert not axes[0].get_title()
    assert not axes[0].lines
    assert not axes[0].patches
    # The footnote belongs to the axes it describes, not to the caller's figure.
    assert not fig.texts
    assert any(len(t.get_text()) > 30 for t in fig.axes[1].texts)


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("name", list(INTERVAL_CHARTS))
def test_chart_prints_the_confidence_it_was_given(name, lang, default_rc):
    default = _texts(INTERVAL_CHARTS[name](lang=lang))
    assert "95%" in default
    assert "90%" not in default
    given = _texts(INTERVAL_CHARTS[name](lang=lang, confidence=0.9))
    assert "90%" in given
    assert "95%" not in given
    assert "97.5%" in _texts(INTERVAL_CHARTS[name](lang=lang, confidence=0.975))


def test_confidence_is_read_from_the_frame_when_not_given(default_rc):
    trend = TREND.copy()
    trend.attrs["confidence"] = 0.8
    assert figures.nps_trend(trend, lang="en").axes[0].get_title() == "NPS by wave, 80% interval"
    assert figures.nps_trend(trend, lang="en", confidence=0.99).axes[0].get_title() == "NPS by wave, 99% interval"
    forest = FOREST.assign(confidence=0.9)
    assert "Whiskers: 90% intervals." in _texts(driver_figures.group_forest(forest, "manager", lang="en"))
    with pytest.raises(ValueError, match="confidence"):
        figures.nps_trend(TREND, confidence=95)


@pytest.mark.parametrize("name", list(CHARTS))
def test_cyrillic_text_keeps_a_font_with_cyrillic_glyphs(name, default_rc):
    # A global font without Cyrillic: the chart's own text must not depend on it.
    matplotlib.rcParams["font.family"] = ["cmr10"]
    fig = CHARTS[name](lang="ru")
    fig.canvas.draw()  # outside the style: tick labels made while drawing included
    checked = 0
    for text in fig.findobj(Text):
        letters = {c for c in text.get_text() if "\u0400" <= c <= "\u04ff"}
        if letters:
            charmap = FT2Font(font_manager.findfont(text.get_fontproperties())).get_charmap()
            assert all(ord(c) in charmap for c in letters), (text.get_text(), text.get_fontname())
            checked += 1
    assert checked


def test_report_png_is_saved_at_its_resolution_with_the_footnote(default_rc):
    png, _ = figure_html(figures.nps_trend(TREND, lang="ru"))
    image = Image.open(io.BytesIO(png))
    assert image.info["dpi"] == pytest.approx((150, 150), abs=0.1)
    # bbox_inches="tight" keeps the footnote set below the axes: taller than the 8 x 4.2 in figure.
    assert image.size[1] > 4.2 * 150
    assert plt.get_fignums() == []
