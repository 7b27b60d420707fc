"""Charts render Cyrillic with no missing glyphs and state n."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from cxlab.present import figures


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
