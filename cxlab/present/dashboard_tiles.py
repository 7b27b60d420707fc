"""The dashboard's headline tiles and trend: NPS, CSI, response rate and revenue at risk, each with its change.

The part of :class:`~cxlab.present.dashboard_data.DashboardData` that
computes the four tiles of a selection (the estimate, its interval, the
change since the previous wave and whether it is real) and NPS and CSI over
the waves, with the report's functions and its suppression below ``min_n``.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from cxlab import metrics
from cxlab.fieldwork.funnel import wave_response_rate
from cxlab.present.dashboard_query import Selection, _DashboardBase
from cxlab.schema import parse_scale


class _Tiles(_DashboardBase):
    """Tiles and trend of a selection (a part of ``DashboardData``)."""

    # ------------------------------------------------------------ tiles
    def tiles(self, sel: Selection) -> pd.DataFrame:
        """NPS, CSI, response rate and revenue at risk for the selection, each with its change.

        One row per metric: ``metric, wave_id, estimate, ci_low, ci_high, n,
        method, suppressed, note, previous_wave, before, change,
        change_ci_low, change_ci_high, p_value, significant, change_method``.
        A figure over fewer than ``min_n`` respondents is suppressed (NaN
        estimate, ``suppressed`` True), as in the report.
        """
        return pd.DataFrame(
            [self.nps_tile(sel), self.csi_tile(sel), self.response_rate_tile(sel), self.revenue_tile(sel)]
        )

    def _empty_row(self, metric: str, sel: Selection, note: str = "") -> dict:
        return {
            "metric": metric,
            "wave_id": sel.wave,
            "estimate": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "n": 0,
            "method": "",
            "suppressed": False,
            "note": note,
            "previous_wave": self.previous_wave(sel.wave),
            "before": math.nan,
            "change": math.nan,
            "change_ci_low": math.nan,
            "change_ci_high": math.nan,
            "p_value": math.nan,
            "significant": False,
            "change_method": "",
        }

    def _suppress(self, row: dict) -> dict:
        if row["n"] < self.min_n:
            row.update(
                estimate=math.nan,
                ci_low=math.nan,
                ci_high=math.nan,
                suppressed=True,
                before=math.nan,
                change=math.nan,
                change_ci_low=math.nan,
                change_ci_high=math.nan,
                p_value=math.nan,
                significant=False,
            )
            row["note"] = f"n = {row['n']} < {self.min_n}"
        return row

    def _with_change(self, row: dict, ch) -> dict:
        row.update(
            before=ch.extra.get("before", math.nan),
            change=ch.estimate,
            change_ci_low=ch.ci_low,
            change_ci_high=ch.ci_high,
            p_value=ch.p_value,
            change_method=ch.method,
            significant=bool(ch.p_value < 1 - self.confidence) if not math.isnan(ch.p_value) else False,
        )
        return row

    def nps_scores(self, sel: Selection, wave: str | None = None) -> pd.Series:
        mask = self.response_mask(replace(sel, wave=wave or sel.wave))
        return self.responses.loc[mask, "nps"].dropna()

    def nps_tile(self, sel: Selection) -> dict:
        """Respondent NPS (trinomial interval), as the report's headline; change by ``metrics.nps_change``."""
        row = self._empty_row("nps", sel)
        if sel.wave not in self.nps_waves:
            row["note"] = "NPS not asked on 0-10 in this wave"
            return row
        scores = self.nps_scores(sel)
        if not len(scores):
            row["note"] = "no answers"
            return row
        est = metrics.nps(scores, confidence=self.confidence)
        row.update(estimate=est.estimate, ci_low=est.ci_low, ci_high=est.ci_high, n=est.n, method=est.method)
        prev = row["previous_wave"]
        if prev in self.nps_waves:
            before = self.nps_scores(sel, prev)
            if len(before) >= self.min_n and est.n >= self.min_n:
                self._with_change(row, metrics.nps_change(before, scores, confidence=self.confidence))
        return self._suppress(row)

    def csi_frame(self, sel: Selection, wave: str | None = None) -> tuple[pd.DataFrame, dict]:
        wave = wave or sel.wave
        wide, scales = self._prepared.items[wave]
        mask = self.response_mask(replace(sel, wave=wave))
        return wide.loc[self.responses.index[mask]], scales

    def csi_tile(self, sel: Selection) -> dict:
        """CSI (``metrics.csi``, t interval) as in the report; change by ``metrics.mean_change``."""
        row = self._empty_row("csi", sel)
        items, scales = self.csi_frame(sel)
        if not len(items):
            row["note"] = "no answers"
            return row
        est = metrics.csi(items, scales, confidence=self.confidence)
        row.update(estimate=est.estimate, ci_low=est.ci_low, ci_high=est.ci_high, n=est.n, method=est.method)
        prev = row["previous_wave"]
        if prev is not None and parse_scale(self.rating_scale(prev)) == parse_scale(self.rating_scale(sel.wave)):
            b_items, b_scales = self.csi_frame(sel, prev)
            before = metrics.csi_scores(b_items, b_scales).dropna()
            after = metrics.csi_scores(items, scales).dropna()
            if len(before) >= self.min_n and len(after) >= self.min_n:
                self._with_change(row, metrics.mean_change(before, after, confidence=self.confidence))
        return self._suppress(row)

    def _rate(self, sel: Selection, wave: str):
        inv = self._invitations
        inv = inv[inv["wave_id"] == wave]
        for key, value in sel.filters().items():
            if key == "service":
                inv = inv[inv["client_id"].isin(self.clients_buying(value))]
            else:
                inv = inv[inv[key] == value]
        resp = self.responses.loc[self.response_mask(replace(sel, wave=wave)), ["contact_id"]]
        return wave_response_rate(inv, resp, confidence=self.confidence)

    def response_rate_tile(self, sel: Selection) -> dict:
        """Responded / delivered (Wilson), ``wave_response_rate`` as in the report; change by ``proportion_change``."""
        row = self._empty_row("response_rate", sel)
        inv = self._invitations
        if not len(inv) or not (inv["wave_id"] == sel.wave).any():
            row["note"] = "no invitations recorded for this wave"
            return row
        rr = self._rate(sel, sel.wave)
        row.update(estimate=rr.rate, ci_low=rr.ci_low, ci_high=rr.ci_high, n=rr.n, method=rr.method)
        prev = row["previous_wave"]
        if prev is not None and (inv["wave_id"] == prev).any():
            b = self._rate(sel, prev)
            if b.n and rr.n:
                ch = metrics.proportion_change(b.responded, b.n, rr.responded, rr.n, confidence=self.confidence)
                self._with_change(row, ch)
                row["before"] = b.rate
        return self._suppress(row)

    def revenue_tile(self, sel: Selection, *, compare: bool = True) -> dict:
        """Revenue at risk of the selected accounts: Σ p × contract value, client-bootstrap interval.

        The change since the previous wave is the difference of the two
        waves' totals; its interval pairs the two sets of bootstrap draws
        (independent refits), and the change is called real when that
        interval excludes zero.  ``compare=False`` leaves the change out
        (the previous wave's scoring is the slow part).
        """
        row = self._empty_row("revenue_at_risk", sel)
        scores = self.risk_scores(sel.wave)
        ids = self.account_ids(sel, scores.clients)
        total, draws = scores.total_for(ids)
        row.update(
            estimate=total["revenue_at_risk"],
            ci_low=total["ci_low"],
            ci_high=total["ci_high"],
            n=len(ids),
            method=scores.method["en"],
        )
        if math.isnan(total["revenue_at_risk"]):
            row["note"] = (scores.message or {}).get("en", "no churn model")
            return row
        prev = row["previous_wave"]
        if prev is not None and compare:
            before = self.risk_scores(prev)
            b_total, b_draws = before.total_for(self.account_ids(sel, before.clients))
            if not math.isnan(b_total["revenue_at_risk"]):
                change = total["revenue_at_risk"] - b_total["revenue_at_risk"]
                row.update(
                    before=b_total["revenue_at_risk"],
                    change=change,
                    change_method="difference of two waves' totals; percentile interval of the "
                    "difference of their client-bootstrap draws",
                )
                k = min(len(draws), len(b_draws))
                if k:
                    alpha = (1 - self.confidence) / 2
                    low, high = np.quantile(draws[:k] - b_draws[:k], [alpha, 1 - alpha])
                    row.update(
                        change_ci_low=float(min(low, change)),
                        change_ci_high=float(max(high, change)),
                        significant=bool(low > 0 or high < 0),
                    )
        return row

    # ------------------------------------------------------------ trend
    def trend(self, sel: Selection) -> pd.DataFrame:
        """NPS and CSI of the selection in every wave up to the selected one (suppressed below ``min_n``).

        Columns as :func:`cxlab.present.figures.nps_trend` reads them:
        ``wave_id, metric, estimate, ci_low, ci_high, n, method, suppressed``.
        """
        rows = []
        for w in [w for w in self.waves if w <= sel.wave]:
            s = replace(sel, wave=w)
            if w in self.nps_waves:
                scores = self.nps_scores(s)
                if len(scores):
                    est = metrics.nps(scores, confidence=self.confidence)
                    rows.append(_trend_row(w, "nps", est, self.min_n))
            items, scales = self.csi_frame(s)
            if len(items):
                rows.append(_trend_row(w, "csi", metrics.csi(items, scales, confidence=self.confidence), self.min_n))
        return pd.DataFrame(
            rows, columns=["wave_id", "metric", "estimate", "ci_low", "ci_high", "n", "method", "suppressed"]
        )


def _trend_row(wave: str, metric: str, est, min_n: int) -> dict:
    suppressed = est.n < min_n
    nan = math.nan
    return {
        "wave_id": wave,
        "metric": metric,
        "estimate": nan if suppressed else est.estimate,
        "ci_low": nan if suppressed else est.ci_low,
        "ci_high": nan if suppressed else est.ci_high,
        "n": est.n,
        "method": est.method,
        "suppressed": suppressed,
    }
