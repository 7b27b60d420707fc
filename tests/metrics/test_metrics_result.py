"""Result objects: tidy frames, dicts and readable summaries."""

import math

import pytest

from cxlab.metrics import Change, Estimate, metric_definition, nps, nps_change


def test_estimate_to_frame_and_dict():
    e = nps([10, 9, 9, 10, 7, 8, 7, 3, 6, 0])
    f = e.to_frame()
    assert list(f.columns) == [
        "metric",
        "estimate",
        "ci_low",
        "ci_high",
        "se",
        "n",
        "method",
        "confidence",
        "promoters",
        "passives",
        "detractors",
        "pct_promoters",
        "pct_passives",
        "pct_detractors",
    ]
    assert len(f) == 1 and f.loc[0, "n"] == 10
    d = e.to_dict()
    assert d["extra"]["promoters"] == 4 and d["metric"] == "nps"
    assert isinstance(e.estimate, float) and isinstance(e.n, int)
    with pytest.raises(AttributeError):
        e.n = 3  # frozen


def test_estimate_summary_and_str():
    e = nps([10, 9, 9, 10, 7, 8, 7, 3, 6, 0])
    s = e.summary()
    for piece in [
        "nps",
        "10.00",
        "-41.48",
        "61.48",
        "n:",
        "10",
        "trinomial Wald",
        "Definition:",
        "promoters (9-10)",
        "95% CI",
    ]:
        assert piece in s
    assert str(e) == ("nps = 10.00 [95% CI -41.48, 61.48], n = 10 (NPS, trinomial Wald interval (z))")
    assert "0-10" in metric_definition("nps")
    assert metric_definition("top3box") == metric_definition("top2box") != ""


def test_change_helpers():
    c = nps_change([10, 9, 6, 7], [10, 10, 9, 7])
    f = c.to_frame()
    assert list(f.columns[:13]) == [
        "metric",
        "estimate",
        "ci_low",
        "ci_high",
        "se",
        "n_before",
        "n_after",
        "statistic",
        "p_value",
        "method",
        "confidence",
        "paired",
    ] + ["before"]
    assert bool(f.loc[0, "paired"]) is False
    assert "p-value" in c.summary() and "independent" in c.summary()
    assert str(c).startswith("change in nps = 50.00")
    manual = Change("mean", 0.5, 0.1, 0.9, 0.2, 30, 31, 2.5, 0.015, "Welch")
    assert manual.to_dict()["n_after"] == 31 and math.isclose(manual.p_value, 0.015)
    frame = Estimate("x", 1, 0, 2, 0.5, 3, "m", extra={"k": 7}).to_frame()
    assert frame.to_dict("records") == [
        {
            "metric": "x",
            "estimate": 1,
            "ci_low": 0,
            "ci_high": 2,
            "se": 0.5,
            "n": 3,
            "method": "m",
            "confidence": 0.95,
            "k": 7,
        }
    ]
