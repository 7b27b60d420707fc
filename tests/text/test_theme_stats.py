"""theme_summary and themes_over_waves against hand counts and independently computed formulas.

Every interval is recomputed here from its published closed form:

- Wilson score interval (Wilson 1927);
- Newcombe's hybrid score interval for a difference of proportions
  (Newcombe 1998, method 10), built from the two Wilson intervals;
- Welch's t interval with Welch-Satterthwaite degrees of freedom
  (``scipy.stats.t.ppf`` for the quantile only);
- the score test of a difference of proportions at 0 (Miettinen-Nurminen
  1985: pooled variance times N / (N - 1));
- Holm's step-down adjustment (Holm 1979);
- NPS by counting promoters and detractors.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlab.text import code_themes, theme_summary, themes_over_waves

pytestmark = pytest.mark.slow  # several theme_summary / themes_over_waves calls per test: about a second each

Z95 = 1.959963984540054
THEMES = [
    "responsiveness",
    "deadlines",
    "reporting",
    "team_people",
    "manager_chemistry",
    "creativity",
    "results",
    "price",
    "communication",
    "business_understanding",
]

# Hand-written comments whose coding is unambiguous: text -> {theme: polarity}.
DL_NEG = "Сроки сорвали"
DL_POS = "Всё сдали вовремя, спасибо"
PRICE_NEG = "Дорого"
REP_POS = "Отчёты подробные и понятные"
NONE = "Спасибо за работу"
BOTH = "Сроки сорвали, и отчётов нет"
CODING = {
    DL_NEG: {"deadlines": "negative"},
    DL_POS: {"deadlines": "positive"},
    PRICE_NEG: {"price": "negative"},
    REP_POS: {"reporting": "positive"},
    NONE: {},
    BOTH: {"deadlines": "negative", "reporting": "negative"},
}

# (comment, 0-10 score).  Rows without text must be in no denominator; a
# comment without a score counts as a comment but not in the score figures.
ROWS = (
    [(DL_NEG, s) for s in (0, 2, 3, 4, 5, 6, 6, 8)]
    + [(DL_POS, s) for s in (9, 10, 10, 7)]
    + [(PRICE_NEG, s) for s in (5, 6, 9)]
    + [(REP_POS, s) for s in (9, 9, 10, 8, 7)]
    + [(NONE, s) for s in (10, 9, 9, 8, 7, 6, 10, 9)]
    + [(BOTH, s) for s in (1, 3)]
    + [(None, 0), ("", 0), ("   ", 10), (np.nan, 10)]
    + [(NONE, np.nan)]
)
TEXT_ROWS = [(t, s) for t, s in ROWS if isinstance(t, str) and t.strip()]


# ----------------------------------------------------------------------------- formulas


def wilson(k, n, z=Z95):
    p = k / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def newcombe(k1, n1, k2, n2, z=Z95):
    """Newcombe (1998) method 10: interval of p1 - p2 from the two Wilson intervals."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def score_test_p(k1, n1, k2, n2):
    """Two-sided p of the score test of p1 - p2 = 0 (Miettinen-Nurminen variance, N / (N - 1))."""
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    n = n1 + n2
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2) * n / (n - 1)
    return 2 * stats.norm.sf(abs(p1 - p2) / math.sqrt(var))


def welch(x, y, confidence=0.95):
    """Mean of x - mean of y, Welch t interval and p (Welch-Satterthwaite df)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    d = x.mean() - y.mean()
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    p = 2 * stats.t.sf(abs(d / se), df)
    return d, d - half, d + half, p


def nps(scores):
    scores = list(scores)
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return 100 * (promoters - detractors) / len(scores)


def holm(pvalues):
    """Holm step-down adjustment; NaN are untested and not counted."""
    p = np.asarray(pvalues, float)
    out = np.full(len(p), np.nan)
    tested = [i for i in range(len(p)) if not np.isnan(p[i])]
    m = len(tested)
    running = 0.0
    for rank, i in enumerate(sorted(tested, key=lambda i: p[i])):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


# ----------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def coded():
    frame = pd.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(len(ROWS))],
            "comment": [t for t, _ in ROWS],
            "nps": [s for _, s in ROWS],
        }
    )
    return code_themes(frame)


def test_the_hand_written_comments_are_coded_as_intended():
    coded = code_themes(list(CODING))
    for i, (text, themes) in enumerate(CODING.items()):
        row = coded.loc[i]
        assert [t for t in THEMES if row[t]] == [t for t in THEMES if t in themes], text
        assert (row["positive_themes"].split("; ") if row["positive_themes"] else []) == [
            t for t in THEMES if themes.get(t) == "positive"
        ], text
        assert (row["negative_themes"].split("; ") if row["negative_themes"] else []) == [
            t for t in THEMES if themes.get(t) == "negative"
        ], text


def test_fixture_frame_is_coded_as_intended(coded):
    for (text, _), (_, row) in zip(ROWS, coded.iterrows()):
        expected = CODING.get(text, {}) if isinstance(text, str) else {}
        assert {t for t in THEMES if row[t]} == set(expected), text


def hand(theme):
    """Every figure of one theme's row, computed from the table above."""
    n_all = len(TEXT_ROWS)
    has = [theme in CODING[t] for t, _ in TEXT_ROWS]
    scores = [s for _, s in TEXT_ROWS]
    k = sum(has)
    valid = [not math.isnan(s) for s in scores]
    det = [v and s <= 6 for v, s in zip(valid, scores)]
    pro = [v and s >= 9 for v, s in zip(valid, scores)]
    with_ = [s for h, v, s in zip(has, valid, scores) if h and v]
    without = [s for h, v, s in zip(has, valid, scores) if not h and v]
    k_det, n_det = sum(h and d for h, d in zip(has, det)), sum(det)
    k_pro, n_pro = sum(h and p for h, p in zip(has, pro)), sum(pro)
    return {
        "n": k,
        "n_comments": n_all,
        "share": k / n_all,
        "share_ci": wilson(k, n_all),
        "n_positive": sum(CODING[t].get(theme) == "positive" for t, _ in TEXT_ROWS),
        "n_negative": sum(CODING[t].get(theme) == "negative" for t, _ in TEXT_ROWS),
        "n_det": n_det,
        "n_pro": n_pro,
        "k_det": k_det,
        "k_pro": k_pro,
        "with_": with_,
        "without": without,
    }


def test_counts_shares_and_wilson_intervals(coded):
    s = theme_summary(coded, min_n=5).set_index("theme")
    assert list(s.index) == sorted(THEMES, key=lambda t: (-hand(t)["n"], t))
    for theme in THEMES:
        h = hand(theme)
        row = s.loc[theme]
        assert row["n"] == h["n"], theme
        assert row["n_comments"] == h["n_comments"] == 31
        assert row["share"] == pytest.approx(h["share"])
        assert row["share_ci_low"] == pytest.approx(h["share_ci"][0], abs=1e-12)
        assert row["share_ci_high"] == pytest.approx(h["share_ci"][1], abs=1e-12)
        assert row["n_positive"] == h["n_positive"], theme
        assert row["n_negative"] == h["n_negative"], theme
    # By hand, for the record: 8 + 4 + 2 comments on deadlines out of 31.
    assert s.loc["deadlines", "n"] == 14 and s.loc["deadlines", "n_negative"] == 10
    assert s.loc["deadlines", "n_positive"] == 4
    assert s.loc["reporting", "n"] == 7 and s.loc["reporting", "n_positive"] == 5
    assert s.loc["reporting", "n_negative"] == 2
    assert s.loc["deadlines", "label"] == "Сроки"


def test_shares_among_detractors_and_promoters_and_newcombe_gap(coded):
    s = theme_summary(coded, min_n=5).set_index("theme")
    for theme in ("deadlines", "reporting", "price"):
        h = hand(theme)
        row = s.loc[theme]
        assert row["n_detractors"] == h["n_det"] == 12
        assert row["n_promoters"] == h["n_pro"] == 12
        assert row["share_detractors"] == pytest.approx(h["k_det"] / h["n_det"])
        assert row["share_promoters"] == pytest.approx(h["k_pro"] / h["n_pro"])
        lo, hi = wilson(h["k_det"], h["n_det"])
        assert (row["share_detractors_ci_low"], row["share_detractors_ci_high"]) == (
            pytest.approx(lo),
            pytest.approx(hi),
        )
        lo, hi = wilson(h["k_pro"], h["n_pro"])
        assert (row["share_promoters_ci_low"], row["share_promoters_ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
        gap = h["k_det"] / h["n_det"] - h["k_pro"] / h["n_pro"]
        lo, hi = newcombe(h["k_det"], h["n_det"], h["k_pro"], h["n_pro"])
        assert row["detractor_gap"] == pytest.approx(gap)
        assert row["detractor_gap_ci_low"] == pytest.approx(lo, abs=1e-9)
        assert row["detractor_gap_ci_high"] == pytest.approx(hi, abs=1e-9)
        assert row["detractor_gap_p"] == pytest.approx(score_test_p(h["k_det"], h["n_det"], h["k_pro"], h["n_pro"]))
    # Deadlines: 9 of 12 detractors (7 + 2), 3 of 12 promoters.
    assert s.loc["deadlines", "share_detractors"] == pytest.approx(9 / 12)
    assert s.loc["deadlines", "share_promoters"] == pytest.approx(3 / 12)
    assert s.loc["deadlines", "detractor_gap"] == pytest.approx(0.5)


def test_score_gap_welch_interval_and_nps_with_without(coded):
    s = theme_summary(coded, min_n=5).set_index("theme")
    for theme in ("deadlines", "reporting"):
        h = hand(theme)
        row = s.loc[theme]
        d, lo, hi, p = welch(h["with_"], h["without"])
        assert row["mean_with"] == pytest.approx(np.mean(h["with_"]))
        assert row["mean_without"] == pytest.approx(np.mean(h["without"]))
        assert row["score_gap"] == pytest.approx(d)
        assert row["score_gap_ci_low"] == pytest.approx(lo)
        assert row["score_gap_ci_high"] == pytest.approx(hi)
        assert row["score_gap_p"] == pytest.approx(p)
        assert row["nps_with"] == pytest.approx(nps(h["with_"]))
        assert row["nps_without"] == pytest.approx(nps(h["without"]))
        assert not row["suppressed"]
    # Deadlines by hand: 14 scored comments with the theme, 16 without (the comment with no score is left out).
    h = hand("deadlines")
    assert len(h["with_"]) == 14 and len(h["without"]) == 16
    assert s.loc["deadlines", "mean_with"] == pytest.approx(
        (0 + 2 + 3 + 4 + 5 + 6 + 6 + 8 + 9 + 10 + 10 + 7 + 1 + 3) / 14
    )
    # With the theme: promoters 9, 10, 10 (3); detractors 0, 2, 3, 4, 5, 6, 6, 1, 3 (9) -> (3 - 9) / 14.
    assert s.loc["deadlines", "nps_with"] == pytest.approx(100 * (3 - 9) / 14)
    assert "Welch" in s.loc["deadlines", "method"] or "Уэлча" in s.loc["deadlines", "method"]


def test_rows_without_text_are_in_no_denominator(coded):
    with_text = coded[coded["text"].map(lambda t: isinstance(t, str) and bool(t.strip()))]
    assert len(coded) == 35 and len(with_text) == 31
    full = theme_summary(coded, min_n=5).set_index("theme")
    only = theme_summary(with_text, min_n=5).set_index("theme")
    pd.testing.assert_frame_equal(full, only)


def test_suppression_below_min_n(coded):
    s = theme_summary(coded, min_n=5).set_index("theme")
    link = [
        "mean_with",
        "mean_without",
        "score_gap",
        "score_gap_ci_low",
        "score_gap_ci_high",
        "score_gap_p",
        "nps_with",
        "nps_without",
    ]
    gap = ["detractor_gap", "detractor_gap_ci_low", "detractor_gap_ci_high", "detractor_gap_p"]
    # Price: 3 comments with the theme (< 5): the link to the score is suppressed,
    # the detractor/promoter comparison (12 and 12) is not.
    price = s.loc["price"]
    assert price["n"] == 3 and price["suppressed"]
    assert price[link].isna().all()
    assert price[gap].notna().all()
    assert price["share"] == pytest.approx(3 / 31)
    # Themes nobody mentioned: nothing to compare with.
    assert s.loc["creativity", "suppressed"] and s.loc["creativity", link].isna().all()
    assert s.loc["creativity", "n"] == 0 and s.loc["creativity", "share"] == 0
    # 12 detractors < 13: the detractor gap is blanked for every theme, counts stay.
    s13 = theme_summary(coded, min_n=13).set_index("theme")
    assert s13[gap].isna().all().all()
    assert s13["suppressed"].all()
    assert s13.loc["deadlines", "score_gap"] == pytest.approx(s.loc["deadlines", "score_gap"])
    assert (s13["n"] == s["n"]).all()
    # Deadlines have 14 with and 16 without: min_n 15 blanks the link, keeps counts.
    s15 = theme_summary(coded, min_n=15).set_index("theme")
    assert s15.loc["deadlines", link].isna().all() and s15.loc["deadlines", "n"] == 14


def test_no_score_column_gives_counts_only(coded):
    expected = [
        "theme",
        "label",
        "n",
        "n_comments",
        "share",
        "share_ci_low",
        "share_ci_high",
        "n_positive",
        "n_negative",
    ]
    off = theme_summary(coded, score=None)
    assert list(off.columns) == expected
    assert list(theme_summary(coded.drop(columns="nps"), score=None).columns) == expected
    # A score column that is not there is an error, not a silent loss of the score columns.
    with pytest.raises(ValueError, match="likelihood"):
        theme_summary(coded, score="likelihood")
    with pytest.raises(ValueError, match="score=None"):
        theme_summary(coded.drop(columns="nps"))
    full = theme_summary(coded, min_n=5)
    pd.testing.assert_frame_equal(off, full[expected])
    assert off.set_index("theme").loc["deadlines", "n"] == 14


def test_english_labels_and_confidence(coded):
    s = theme_summary(coded, lang="en", confidence=0.9, min_n=5).set_index("theme")
    assert s.loc["deadlines", "label"] == "Deadlines"
    assert "Wilson" in s.loc["deadlines", "method"] and "Newcombe" in s.loc["deadlines", "method"]
    z90 = stats.norm.ppf(0.95)
    lo, hi = wilson(14, 31, z90)
    assert s.loc["deadlines", "share_ci_low"] == pytest.approx(lo)
    assert s.loc["deadlines", "share_ci_high"] == pytest.approx(hi)
    lo, hi = newcombe(9, 12, 3, 12, z90)
    assert s.loc["deadlines", "detractor_gap_ci_low"] == pytest.approx(lo)
    assert s.loc["deadlines", "detractor_gap_ci_high"] == pytest.approx(hi)
    h = hand("deadlines")
    _, lo, hi, _ = welch(h["with_"], h["without"], confidence=0.9)
    assert s.loc["deadlines", "score_gap_ci_low"] == pytest.approx(lo)
    assert s.loc["deadlines", "score_gap_ci_high"] == pytest.approx(hi)


def test_boolean_frame_built_directly():
    """A frame of theme columns built by hand (no coding) is summarised the same way."""
    frame = pd.DataFrame({"text": ["a", "b", "c", "d", "e", None], "nps": [0, 10, 9, 5, 8, 0]})
    for t in THEMES:
        frame[t] = False
    frame["price"] = [True, True, False, True, False, True]
    s = theme_summary(frame, min_n=1).set_index("theme")
    assert s.loc["price", "n"] == 3 and s.loc["price", "n_comments"] == 5
    lo, hi = wilson(3, 5)
    assert s.loc["price", "share_ci_low"] == pytest.approx(lo)
    assert s.loc["price", "share_ci_high"] == pytest.approx(hi)
    # No positive_themes / negative_themes columns: nobody is counted as praise or complaint.
    assert s.loc["price", "n_positive"] == 0 and s.loc["price", "n_negative"] == 0
    # With price: 0, 10, 5 (NPS (1 - 2) / 3); without: 9, 8.
    assert s.loc["price", "nps_with"] == pytest.approx(-100 / 3)
    assert s.loc["price", "nps_without"] == pytest.approx(50)
    assert s.loc["price", "mean_with"] == pytest.approx(5)
    assert s.loc["price", "mean_without"] == pytest.approx(8.5)
    assert s.loc["price", "share_detractors"] == pytest.approx(1.0)  # 0 and 5
    assert s.loc["price", "share_promoters"] == pytest.approx(0.5)  # 10 of (10, 9)


# ----------------------------------------------------------------------------- over waves

WAVE_ROWS = {
    # wave: comments (hand coded by CODING)
    "spring": [DL_NEG] * 6 + [REP_POS] * 2 + [NONE] * 12,
    "summer": [DL_NEG] * 2 + [DL_POS] * 2 + [REP_POS] * 6 + [PRICE_NEG] * 3 + [NONE] * 12,
    "autumn": [DL_NEG] * 10 + [BOTH] * 2 + [NONE] * 8 + [PRICE_NEG],
}
ORDER = ["spring", "summer", "autumn"]  # not alphabetical


@pytest.fixture(scope="module")
def waves():
    texts, ids = [], []
    for w, comments in WAVE_ROWS.items():
        texts += comments + [None, ""]  # no text: in no denominator
        ids += [w] * (len(comments) + 2)
    return code_themes(pd.DataFrame({"wave_id": ids, "comment": texts}))


def wave_counts(w, theme):
    comments = WAVE_ROWS[w]
    return sum(theme in CODING[c] for c in comments), len(comments)


def test_shares_per_wave_with_wilson(waves):
    out = themes_over_waves(waves, order=ORDER)
    assert list(out["wave_id"].unique()) == ORDER
    assert len(out) == 3 * len(THEMES)
    for r in out.itertuples():
        k, n = wave_counts(r.wave_id, r.theme)
        assert (r.n, r.n_comments) == (k, n), (r.wave_id, r.theme)
        assert r.share == pytest.approx(k / n)
        lo, hi = wilson(k, n)
        assert r.ci_low == pytest.approx(lo, abs=1e-12) and r.ci_high == pytest.approx(hi, abs=1e-12)
    first = out[out["wave_id"] == "spring"]
    assert first[["change", "change_ci_low", "change_ci_high", "p_value", "p_adjusted"]].isna().all().all()
    row = out[(out["wave_id"] == "autumn") & (out["theme"] == "deadlines")].iloc[0]
    assert (row.n, row.n_comments) == (12, 21)


def test_change_newcombe_and_holm(waves):
    out = themes_over_waves(waves, order=ORDER)
    for prev, cur in itertools.pairwise(ORDER):
        block = out[out["wave_id"] == cur].set_index("theme")
        pvals = []
        for theme in block.index:
            k0, n0 = wave_counts(prev, theme)
            k1, n1 = wave_counts(cur, theme)
            row = block.loc[theme]
            assert row["change"] == pytest.approx(k1 / n1 - k0 / n0)
            lo, hi = newcombe(k1, n1, k0, n0)
            assert row["change_ci_low"] == pytest.approx(lo, abs=1e-9), (cur, theme)
            assert row["change_ci_high"] == pytest.approx(hi, abs=1e-9), (cur, theme)
            if k0 + k1 == 0:
                # Nobody in either wave: the test is not defined, and not counted by Holm.
                assert np.isnan(row["p_value"]) and np.isnan(row["p_adjusted"])
                pvals.append(np.nan)
            else:
                p = score_test_p(k1, n1, k0, n0)
                assert row["p_value"] == pytest.approx(p), (cur, theme)
                pvals.append(p)
        expected = holm(pvals)
        np.testing.assert_allclose(block["p_adjusted"].to_numpy(float), expected, rtol=1e-9)
        assert (np.nan_to_num(block["p_adjusted"]) >= np.nan_to_num(block["p_value"]) - 1e-15).all()
    # By hand: deadlines 6/20 in spring, 4/25 in summer.
    dl = out[(out["wave_id"] == "summer") & (out["theme"] == "deadlines")].iloc[0]
    assert dl["change"] == pytest.approx(4 / 25 - 6 / 20)


def test_holm_by_hand_on_three_tested_themes(waves):
    """Summer vs spring tests deadlines, reporting and price only (the rest are 0 and 0)."""
    out = themes_over_waves(waves, order=ORDER)
    summer = out[out["wave_id"] == "summer"].set_index("theme")
    tested = summer["p_value"].dropna()
    assert set(tested.index) == {"deadlines", "reporting", "price"}
    p = {t: score_test_p(*wave_counts("summer", t), *wave_counts("spring", t)) for t in tested.index}
    ranked = sorted(p, key=p.get)
    a1 = min(1, 3 * p[ranked[0]])
    a2 = max(a1, min(1, 2 * p[ranked[1]]))
    a3 = max(a2, min(1, 1 * p[ranked[2]]))
    for t, a in zip(ranked, (a1, a2, a3)):
        assert summer.loc[t, "p_adjusted"] == pytest.approx(a)


def test_order_is_respected(waves):
    default = themes_over_waves(waves)
    assert list(default["wave_id"].unique()) == sorted(ORDER)  # autumn, spring, summer
    reverse = themes_over_waves(waves, order=ORDER[::-1])
    assert list(reverse["wave_id"].unique()) == ORDER[::-1]
    # In the reverse order, summer is compared with autumn.
    row = reverse[(reverse["wave_id"] == "summer") & (reverse["theme"] == "deadlines")].iloc[0]
    assert row["change"] == pytest.approx(4 / 25 - 12 / 21)
    lo, hi = newcombe(4, 25, 12, 21)
    assert row["change_ci_low"] == pytest.approx(lo) and row["change_ci_high"] == pytest.approx(hi)
    # Only some waves, in the order given.
    two = themes_over_waves(waves, order=["autumn", "spring"])
    assert list(two["wave_id"].unique()) == ["autumn", "spring"]
    row = two[(two["wave_id"] == "spring") & (two["theme"] == "deadlines")].iloc[0]
    assert row["change"] == pytest.approx(6 / 20 - 12 / 21)


def test_waves_english_labels_and_columns(waves):
    out = themes_over_waves(waves, lang="en", order=ORDER)
    assert list(out.columns) == [
        "wave_id",
        "theme",
        "label",
        "n",
        "n_comments",
        "share",
        "ci_low",
        "ci_high",
        "change",
        "change_ci_low",
        "change_ci_high",
        "p_value",
        "p_adjusted",
        "suppressed",
    ]
    assert out.set_index(["wave_id", "theme"]).loc[("spring", "reporting"), "label"] == "Reporting and numbers"


def test_small_groups_and_waves_are_suppressed_and_gaps_holm_adjusted(coded, waves):
    from cxlab.stats.adjust import adjust_pvalues

    s = theme_summary(coded, min_n=5)
    assert np.allclose(
        s["detractor_gap_p_adjusted"].dropna(),
        adjust_pvalues(s["detractor_gap_p"].to_numpy(dtype=float))[s["detractor_gap_p"].notna()],
    )
    big = max(int(s["n_detractors"].iloc[0]), int(s["n_promoters"].iloc[0])) + 1
    hidden = theme_summary(coded, min_n=big)
    assert hidden["share_detractors"].isna().all() and hidden["share_promoters"].isna().all()
    assert hidden["suppressed"].all() and (hidden["n"] == s["n"]).all()
    per_wave = themes_over_waves(waves, order=ORDER)
    n_first = int(per_wave["n_comments"].iloc[0])
    cut = themes_over_waves(waves, order=ORDER, min_n=n_first + 1)
    first = cut[cut["wave_id"] == ORDER[0]]
    assert first["share"].isna().all() and first["suppressed"].all()
