"""What each theme is worth: how often, among whom, its link to the score, over waves.

Both functions take the frame :func:`cxlab.text.code_themes` returns and
give tidy tables with n, intervals and the method's name, like the rest of
cxlab.  Only comments count: a response without text is in no denominator.

Examples
--------
>>> import pandas as pd
>>> from cxlab.text import code_themes
>>> coded = code_themes(pd.DataFrame({
...     "comment": ["Сроки сорвали", "Сроки сорвали опять", "Всё вовремя", "Спасибо"] * 5,
...     "nps": [3, 5, 10, 9] * 5}))
>>> s = theme_summary(coded, min_n=5).set_index("theme")
>>> int(s.loc["deadlines", "n"]), float(s.loc["deadlines", "share"])
(15, 0.75)
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from cxlab.errors import DataError
from cxlab.metrics.change import mean_change, nps_change, proportion_change
from cxlab.metrics.nps import classify_nps
from cxlab.stats.adjust import adjust_pvalues
from cxlab.stats.intervals import wilson
from cxlab.text.codebook import load_codebook

__all__ = ["theme_summary", "themes_over_waves", "theme_columns", "has_text", "SUMMARY_METHOD"]

SUMMARY_METHOD = {
    "ru": (
        "доли — интервал Уилсона; разница критики − промоутеры — гибридный интервал Ньюкомба; связь с оценкой — "
        "разница средних оценок 0-10 (с темой − без темы), интервал и тест Уэлча; NPS с темой и без — "
        "триномиальная дисперсия"
    ),
    "en": (
        "shares: Wilson interval; detractors − promoters: Newcombe hybrid score interval; link to the score: "
        "difference of mean 0-10 scores (with − without the theme), Welch t interval and test; NPS with and "
        "without: trinomial variance"
    ),
}


def has_text(coded: pd.DataFrame) -> pd.Series:
    """Rows that hold a comment (the denominators of every share)."""
    return coded["text"].map(lambda t: isinstance(t, str) and bool(t.strip())).astype(bool)


def theme_columns(coded: pd.DataFrame, codebook=None) -> list[str]:
    """The theme columns of a coded frame, in codebook order."""
    ids = load_codebook(codebook).theme_ids
    cols = [t for t in ids if t in coded.columns and coded[t].dtype == bool]
    if not cols:
        raise DataError(
            "no theme columns: pass the frame cxlab.text.code_themes returned "
            f"(with the same codebook); columns are {list(coded.columns)}",
            columns=ids,
        )
    return cols


def _share_row(k: int, n: int, confidence: float) -> tuple[float, float, float]:
    low, high = wilson(k, n, confidence)
    return (k / n if n else np.nan), low, high


def theme_summary(
    coded: pd.DataFrame,
    score: str | None = "nps",
    codebook=None,
    lang: str = "ru",
    confidence: float = 0.95,
    min_n: int = 10,
) -> pd.DataFrame:
    """One row per theme: how many comments, among detractors vs promoters, and its link to the score.

    Parameters
    ----------
    coded : DataFrame
        :func:`cxlab.text.code_themes` output.  For the score columns it
        needs ``score`` (0-10 likelihood to recommend).
    score : str or None
        Column with the 0-10 score; ``None``: counts and shares only.
    codebook : default ``agency``
        The codebook the comments were coded with (labels and theme order).
    lang : {"ru", "en"}
        Language of ``label`` and ``method``.
    confidence : float
    min_n : int
        A group needs at least this many comments: below it its share
        (detractors, promoters) and every comparison it is in (with /
        without the theme; detractors / promoters) are empty and
        ``suppressed`` is true.

    Returns
    -------
    DataFrame
        ``theme, label, n, n_comments, share, share_ci_low, share_ci_high,
        n_positive, n_negative`` (mentions said as praise / complaint), and
        with a score: ``n_detractors, share_detractors (+ci), n_promoters,
        share_promoters (+ci), detractor_gap`` (share among detractors -
        among promoters) ``(+ci, p)``, ``mean_with, mean_without,
        score_gap`` (mean score with - without) ``(+ci, p)``, ``nps_with,
        nps_without, suppressed, method``; ``detractor_gap_p_adjusted`` and
        ``score_gap_p_adjusted`` are Holm-adjusted over the themes (ten
        tests at once).  Sorted by ``n``, largest first.

    Examples
    --------
    See the module docstring.
    """
    cb = load_codebook(codebook)
    cols = theme_columns(coded, cb)
    data = coded[has_text(coded)]
    n_all = len(data)
    pos = data.get("positive_themes", pd.Series("", index=data.index)).fillna("").str.split("; ")
    neg = data.get("negative_themes", pd.Series("", index=data.index)).fillna("").str.split("; ")
    if score is not None and score not in coded.columns:
        raise DataError(
            f"no score column {score!r} in the coded comments (columns: {list(coded.columns)}); "
            "pass score=None for counts and shares only",
            columns=[score],
        )
    scored = score is not None
    if scored:
        values = pd.to_numeric(data[score], errors="coerce")
        category = classify_nps(values)
        det, pro = category == "detractor", category == "promoter"
    rows = []
    for theme in cols:
        has = data[theme].astype(bool)
        k = int(has.sum())
        share, low, high = _share_row(k, n_all, confidence)
        row = {
            "theme": theme,
            "label": cb.label(theme, lang),
            "n": k,
            "n_comments": n_all,
            "share": share,
            "share_ci_low": low,
            "share_ci_high": high,
            "n_positive": int(sum(theme in p for p in pos[has])),
            "n_negative": int(sum(theme in q for q in neg[has])),
        }
        if scored:
            row.update(_score_link(values, has, det, pro, confidence, min_n))
        rows.append(row)
    out = pd.DataFrame(rows)
    if scored and len(out):
        for col in ("detractor_gap_p", "score_gap_p"):
            out[f"{col}_adjusted"] = adjust_pvalues(out[col].to_numpy(dtype=float))
        out["method"] = SUMMARY_METHOD[lang]
    return out.sort_values(["n", "theme"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _score_link(
    values: pd.Series, has: pd.Series, det: pd.Series, pro: pd.Series, confidence: float, min_n: int
) -> dict:
    valid = values.notna()
    n_det, n_pro = int(det.sum()), int(pro.sum())
    k_det, k_pro = int((has & det).sum()), int((has & pro).sum())
    with_, without = values[has & valid], values[~has & valid]
    row: dict[str, Any] = {"n_detractors": n_det, "n_promoters": n_pro}
    for name, k, n in (("detractors", k_det, n_det), ("promoters", k_pro, n_pro)):
        share, low, high = _share_row(k, n, confidence)
        row.update({f"share_{name}": share, f"share_{name}_ci_low": low, f"share_{name}_ci_high": high})
    gap = proportion_change(k_pro, n_pro, k_det, n_det, confidence=confidence)
    row.update(
        {
            "detractor_gap": gap.estimate,
            "detractor_gap_ci_low": gap.ci_low,
            "detractor_gap_ci_high": gap.ci_high,
            "detractor_gap_p": gap.p_value,
        }
    )
    with warnings.catch_warnings():
        # Identical scores on a side make scipy warn about precision; the interval is still right (zero width).
        warnings.simplefilter("ignore", RuntimeWarning)
        link = mean_change(without, with_, confidence=confidence)
    row.update(
        {
            "mean_with": link.extra["after"],
            "mean_without": link.extra["before"],
            "score_gap": link.estimate,
            "score_gap_ci_low": link.ci_low,
            "score_gap_ci_high": link.ci_high,
            "score_gap_p": link.p_value,
        }
    )
    nps = nps_change(without, with_, confidence=confidence) if len(with_) and len(without) else None
    row.update(
        {"nps_with": nps.extra["after"] if nps else np.nan, "nps_without": nps.extra["before"] if nps else np.nan}
    )
    small_link = len(with_) < min_n or len(without) < min_n
    small_gap = n_det < min_n or n_pro < min_n
    for name, n in (("detractors", n_det), ("promoters", n_pro)):
        if n < min_n:
            for c in (f"share_{name}", f"share_{name}_ci_low", f"share_{name}_ci_high"):
                row[c] = np.nan
    if small_link:
        for c in (
            "mean_with",
            "mean_without",
            "score_gap",
            "score_gap_ci_low",
            "score_gap_ci_high",
            "score_gap_p",
            "nps_with",
            "nps_without",
        ):
            row[c] = np.nan
    if small_gap:
        for c in ("detractor_gap", "detractor_gap_ci_low", "detractor_gap_ci_high", "detractor_gap_p"):
            row[c] = np.nan
    row["suppressed"] = bool(small_link or small_gap)
    return row


def themes_over_waves(
    coded: pd.DataFrame,
    wave: str = "wave_id",
    codebook=None,
    lang: str = "ru",
    confidence: float = 0.95,
    order=None,
    min_n: int = 1,
) -> pd.DataFrame:
    """Share of comments on each theme in each wave, and its change since the wave before.

    Parameters
    ----------
    coded : DataFrame
        :func:`cxlab.text.code_themes` output with a wave column.
    wave : str
        The wave column.
    order : list, optional
        Waves in time order; default sorted ids (``2026-Q1`` < ``2026-Q2``).
    min_n : int
        A wave with fewer comments has its shares and changes left empty
        (``suppressed`` true) and is not compared with.

    Returns
    -------
    DataFrame
        ``wave_id, theme, label, n, n_comments, share, ci_low, ci_high``
        (Wilson) and, from the second wave on, ``change, change_ci_low,
        change_ci_high, p_value`` (Newcombe interval, score test) and
        ``p_adjusted`` (Holm over the themes of the wave), ``suppressed``.
    """
    cb = load_codebook(codebook)
    cols = theme_columns(coded, cb)
    data = coded[has_text(coded)]
    waves = list(order) if order is not None else sorted(data[wave].dropna().unique())
    rows = []
    previous = None
    for w in waves:
        part = data[data[wave] == w]
        n_all = len(part)
        small = n_all < min_n
        block = []
        for theme in cols:
            k = int(part[theme].sum())
            share, low, high = _share_row(k, n_all, confidence)
            row = {
                "wave_id": w,
                "theme": theme,
                "label": cb.label(theme, lang),
                "n": k,
                "n_comments": n_all,
                "share": np.nan if small else share,
                "ci_low": np.nan if small else low,
                "ci_high": np.nan if small else high,
                "suppressed": small,
            }
            if previous is not None and n_all and previous[1] and not small:
                ch = proportion_change(previous[0][theme], previous[1], k, n_all, confidence=confidence)
                row.update(
                    {
                        "change": ch.estimate,
                        "change_ci_low": ch.ci_low,
                        "change_ci_high": ch.ci_high,
                        "p_value": ch.p_value,
                    }
                )
            block.append(row)
        if block and "p_value" in block[0]:
            adjusted = adjust_pvalues([r["p_value"] for r in block])
            for r, p in zip(block, adjusted):
                r["p_adjusted"] = p
        rows += block
        if not small:
            previous = ({t: int(part[t].sum()) for t in cols}, n_all)
    columns = [
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
    return pd.DataFrame(rows).reindex(columns=columns)
