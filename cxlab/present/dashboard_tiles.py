"""The dashboard's headline tiles and trend: NPS, CSI, response rate and revenue at risk, each with its change.

The part of :class:`~cxlab.present.dashboard_data.DashboardData` that
computes the four tiles of a selection (the estimate, its interval, the
change since the previous wave and whether it is real) and NPS and CSI over
the waves, with the report's functions and its suppression below ``min_n``.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from cxlab import metrics
from cxlab.errors import ParameterError
from cxlab.fieldwork.funnel import wave_response_rate
from cxlab.present.dashboard_query import Selection, _DashboardBase
from cxlab.present.dashboard_words import change_meaning, change_words, join_methods, message_text, method_text
from cxlab.schema import parse_scale

#: Said of a change the report does not test (no cell for the selection): nothing to adjust across.
UNADJUSTED = "; no adjustment: the report has no cell for this selection"
#: Metrics of the tiles and the sparklines.
TILE_METRICS = ("nps", "csi", "response_rate", "revenue_at_risk")
#: Waves a sparkline shows (up to the selected one).
SPARK_WAVES = 8
TREND_COLUMNS = ["wave_id", "metric", "estimate", "ci_low", "ci_high", "n", "method", "suppressed"]
SPARK_COLUMNS = ["wave_id", "estimate", "ci_low", "ci_high", "n", "suppressed"]


class _Tiles(_DashboardBase):
    """Tiles and trend of a selection (a part of ``DashboardData``)."""

    # ------------------------------------------------------------ tiles
    def tiles(self, sel: Selection) -> pd.DataFrame:
        """NPS, CSI, response rate and revenue at risk for the selection, each with its change.

        One row per metric: ``metric, wave_id, estimate, ci_low, ci_high, n,
        method, suppressed, note, previous_wave, before, change,
        change_ci_low, change_ci_high, p_value, p_adjusted, significant,
        change_method`` and, for the page, ``meaning`` (``"good"``, ``"bad"``,
        ``"neutral"`` for a change within chance, ``""`` for none: see
        :func:`cxlab.stats.registry.change_meaning`), ``change_words``,
        ``method_text`` and ``note_text`` (each ``{"ru": ..., "en": ...}``,
        whole).  ``significant`` is judged on ``p_adjusted`` where the
        report adjusts for multiple cells (NaN where it does not).
        A figure over fewer than ``min_n`` respondents is suppressed (NaN
        estimate, ``suppressed`` True), as in the report.
        """
        return pd.DataFrame(
            [self.nps_tile(sel), self.csi_tile(sel), self.response_rate_tile(sel), self.revenue_tile(sel)]
        )

    def _memo(self, name: str, sel: Selection, compute) -> dict:
        """A tile row computed once per selection (the data of this object never change), as a copy.

        A filter change back to a selection seen before then costs a lookup:
        the tiles are what the viewer waits for.
        """
        key = (name, sel.key())
        row = self._tile_memo.get(key)
        if row is None:
            row = self._tile_memo[key] = compute()
        return dict(row)

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
            "p_adjusted": math.nan,
            "significant": False,
            "change_method": "",
        }

    def _finish(self, row: dict) -> dict:
        """The page's words for a tile row: meaning of the change, the change in words, method and note texts."""
        change = row["change"]
        row["meaning"] = change_meaning(row["metric"], change, bool(row["significant"]))
        row["change_words"] = change_words(
            row["metric"], change, bool(row["significant"]), currency=getattr(self, "currency", "RUB")
        )
        if "method_text" not in row:
            row["method_text"] = join_methods(
                method_text(row["method"]), _change_prefix(method_text(row["change_method"]))
            )
        if "note_text" not in row:
            row["note_text"] = message_text(row["note"])
        return row

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
                p_adjusted=math.nan,
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

    def _with_change_row(self, row: dict, ch: dict, prefix: str = "") -> dict:
        """A change from the report's tables (a row of ``changes`` or ``changes_by_cell``)."""
        if not ch:
            return row

        def get(key):
            v = ch.get(prefix + key, math.nan)
            return math.nan if v is None else v

        p_adj = get("p_adjusted")
        row.update(
            before=float(get("before")),
            change=float(get("change")),
            change_ci_low=float(get("ci_low")),
            change_ci_high=float(get("ci_high")),
            p_value=float(get("p_value")),
            p_adjusted=float(p_adj),
            change_method=str(ch.get(prefix + "method") or ""),
            significant=bool(ch.get(prefix + "significant")) if not pd.isna(get("change")) else False,
        )
        return row

    # ------------------------------------------------------------ the report's figures
    def figures(self, wave: str):
        """The report's figures of ``wave`` (:func:`cxlab.summary.wave_figures`), computed once per wave.

        None for a wave whose recommend question was not on 0-10 (the report
        has no figures for it).  Thread-safe.
        """
        from cxlab.summary.figures import wave_figures

        if wave not in self.nps_waves:
            return None
        with self._figures_lock:
            if wave not in self._figures:
                self._figures[wave] = wave_figures(self.data, wave, min_n=self.min_n, confidence=self.confidence)
            return self._figures[wave]

    def _cell_of(self, sel: Selection) -> tuple[str, str] | None:
        """The report's cell of a selection with one filter (dimension, value); None otherwise."""
        from cxlab.summary.figures import CELL_DIMENSIONS

        f = sel.filters()
        if len(f) != 1:
            return None
        ((key, value),) = f.items()
        return (key, value) if key in CELL_DIMENSIONS else None

    def nps_scores(self, sel: Selection, wave: str | None = None) -> pd.Series:
        mask = self.response_mask(replace(sel, wave=wave or sel.wave))
        return self.responses.loc[mask, "nps"].dropna()

    def nps_tile(self, sel: Selection) -> dict:
        """The nps tile of the selection, with its words (see :meth:`tiles`)."""
        return self._memo("nps", sel, lambda: self._finish(self._nps_row(sel)))

    def _nps_row(self, sel: Selection, *, compare: bool = True) -> dict:
        """NPS as the report gives it: the headline (trinomial) for no filter, the report's cell for one filter.

        A combination of filters the report has no cell for gets the cell
        method (cluster-robust) on its respondents, without adjustment
        (:func:`cxlab.summary.figures.subset_nps`).
        """
        from cxlab.summary.figures import subset_nps

        row = self._empty_row("nps", sel)
        fig = self.figures(sel.wave)
        if fig is None:
            row["note"] = "NPS not asked on 0-10 in this wave"
            return row
        cell = self._cell_of(sel)
        if not sel.filters():
            head = fig.headline_row("nps")
            row.update({k: head[k] for k in ("estimate", "ci_low", "ci_high", "n", "method")})
            if compare:
                self._with_change_row(row, fig.change_row("nps"))
        elif cell is not None:
            found = fig.cell(*cell, change=compare)
            if not found or not found.get("n"):
                row["note"] = "no answers"
                return row
            row.update({k: found[k] for k in ("estimate", "ci_low", "ci_high", "method")}, n=int(found["n"]))
            if compare:
                self._with_change_row(row, found, prefix="change_")
        else:
            after = self._scored_frame(sel, sel.wave)
            prev = row["previous_wave"]
            before = self._scored_frame(sel, prev) if compare and prev in self.nps_waves else None
            found, ch = subset_nps(before, after, min_n=self.min_n, confidence=self.confidence)
            if not found:
                row["note"] = "no answers"
                return row
            row.update({k: found[k] for k in ("estimate", "ci_low", "ci_high", "method")}, n=int(found["n"]))
            self._with_change_row(row, ch)
        row["n"] = int(row["n"])
        return self._suppress(row)

    def _scored_frame(self, sel: Selection, wave: str) -> pd.DataFrame:
        """The selection's respondents with a recommend score in ``wave``: ``response_id, client_id, nps``."""
        mask = self.response_mask(replace(sel, wave=wave))
        frame = self.responses.loc[mask, ["response_id", "client_id", "nps"]]
        return frame[frame["nps"].notna()].astype({"client_id": object})

    def csi_frame(self, sel: Selection, wave: str | None = None) -> tuple[pd.DataFrame, dict]:
        wave = wave or sel.wave
        wide, scales = self._prepared.items[wave]
        mask = self.response_mask(replace(sel, wave=wave))
        return wide.loc[self.responses.index[mask]], scales

    def csi_tile(self, sel: Selection) -> dict:
        """The csi tile of the selection, with its words (see :meth:`tiles`)."""
        return self._memo("csi", sel, lambda: self._finish(self._csi_row(sel)))

    def _csi_row(self, sel: Selection, *, compare: bool = True) -> dict:
        """CSI as the report gives it: the headline and its change for no filter, the manager or team cell.

        Other selections (and the change of a manager's or team's CSI, which
        the report does not test) use the report's method, ``metrics.csi``
        and ``metrics.mean_change``, on the selected respondents, unadjusted.
        """
        row = self._empty_row("csi", sel)
        fig = self.figures(sel.wave)
        cell = self._cell_of(sel)
        if fig is not None and not sel.filters():
            head = fig.headline_row("csi")
            row.update({k: head[k] for k in ("estimate", "ci_low", "ci_high", "method")}, n=int(head["n"]))
            if compare:
                self._with_change_row(row, fig.change_row("csi"))
            return self._suppress(row)
        items, scales = self.csi_frame(sel)
        if not len(items):
            row["note"] = "no answers"
            return row
        est = metrics.csi(items, scales, confidence=self.confidence)
        row.update(estimate=est.estimate, ci_low=est.ci_low, ci_high=est.ci_high, n=est.n, method=est.method)
        if fig is not None and cell is not None and cell[0] in ("manager", "team"):
            found = fig.cell(*cell, change=False)
            if found and "csi" in found and not pd.isna(found.get("csi_n")):
                # The report's table of managers and teams: CSI of the cell (same mean, t interval).
                row.update(
                    estimate=found["csi"],
                    ci_low=found["csi_ci_low"],
                    ci_high=found["csi_ci_high"],
                    n=int(found["csi_n"]),
                )
        prev = row["previous_wave"]
        if (
            compare
            and prev is not None
            and parse_scale(self.rating_scale(prev)) == parse_scale(self.rating_scale(sel.wave))
        ):
            b_items, b_scales = self.csi_frame(sel, prev)
            before = metrics.csi_scores(b_items, b_scales).dropna()
            after = metrics.csi_scores(items, scales).dropna()
            if len(before) >= self.min_n and len(after) >= self.min_n:
                self._with_change(row, metrics.mean_change(before, after, confidence=self.confidence))
                row["change_method"] += UNADJUSTED
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
        """The response_rate tile of the selection, with its words (see :meth:`tiles`)."""
        return self._memo("response_rate", sel, lambda: self._finish(self._response_rate_row(sel)))

    def _response_rate_row(self, sel: Selection, *, compare: bool = True) -> dict:
        """Responded / delivered (Wilson): the report's headline and change for no filter.

        The report has no response rate by cell: a filtered selection gets
        ``wave_response_rate`` and ``proportion_change`` on its invitations,
        unadjusted.
        """
        row = self._empty_row("response_rate", sel)
        inv = self._invitations
        if not len(inv) or not (inv["wave_id"] == sel.wave).any():
            row["note"] = "no invitations recorded for this wave"
            return row
        fig = self.figures(sel.wave)
        if fig is not None and not sel.filters() and fig.headline_row("response_rate"):
            head = fig.headline_row("response_rate")
            row.update({k: head[k] for k in ("estimate", "ci_low", "ci_high", "method")}, n=int(head["n"]))
            if compare:
                self._with_change_row(row, fig.change_row("response_rate"))
            return self._suppress(row)
        rr = self._rate(sel, sel.wave)
        row.update(estimate=rr.rate, ci_low=rr.ci_low, ci_high=rr.ci_high, n=rr.n, method=rr.method)
        prev = row["previous_wave"]
        if compare and prev is not None and (inv["wave_id"] == prev).any():
            b = self._rate(sel, prev)
            if b.n and rr.n:
                ch = metrics.proportion_change(b.responded, b.n, rr.responded, rr.n, confidence=self.confidence)
                self._with_change(row, ch)
                row["before"] = b.rate
                if sel.filters():
                    row["change_method"] += UNADJUSTED
        return self._suppress(row)

    def revenue_tile(self, sel: Selection, *, compare: bool = True) -> dict:
        """The revenue-at-risk tile of the selection, with its words (see :meth:`_revenue_row`)."""
        return self._memo(
            "revenue_at_risk" if compare else "revenue_at_risk_alone",
            sel,
            lambda: self._finish(self._revenue_row(sel, compare=compare)),
        )

    def _revenue_row(self, sel: Selection, *, compare: bool = True) -> dict:
        """Revenue at risk of the selected accounts: Σ p × contract value, client-bootstrap interval.

        The risk report's total (:func:`cxlab.risk.revenue.revenue_at_risk`)
        for no account filter, the same sum over the selected accounts
        otherwise.  The change since the previous wave is
        :func:`cxlab.risk.revenue.revenue_change`: the difference of the two
        waves' totals, real when the interval of the paired bootstrap draws
        excludes zero.  ``compare=False`` leaves the change out (the previous
        wave's scoring is the slow part).
        """
        from cxlab.risk.revenue import revenue_at_risk, revenue_change

        row = self._empty_row("revenue_at_risk", sel)
        scores = self.risk_scores(sel.wave)
        accounts = any(k != "role" for k in sel.filters())
        ids = self.account_ids(sel, scores.clients) if accounts else None
        total, _ = revenue_at_risk(scores, ids)
        row.update(
            estimate=total["revenue_at_risk"],
            ci_low=total["ci_low"],
            ci_high=total["ci_high"],
            n=int(len(ids) if ids is not None else total.get("n_clients", len(scores.clients))),
            method=scores.method["en"],
        )
        if math.isnan(total["revenue_at_risk"]):
            row["note"] = (scores.message or {}).get("en", "no churn model")
            row["note_text"] = message_text(scores.message or "no churn model")
            row["method_text"] = dict(scores.method)
            return row
        prev = row["previous_wave"]
        if prev is not None and compare:
            before = self.risk_scores(prev)
            b_ids = self.account_ids(sel, before.clients) if accounts else None
            ch = revenue_change(scores, before, ids, b_ids)
            if not math.isnan(ch["change"]):
                row.update(
                    before=ch["before"],
                    change=ch["change"],
                    change_ci_low=ch["ci_low"],
                    change_ci_high=ch["ci_high"],
                    significant=ch["significant"],
                    change_method=ch["method"],
                )
        row["method_text"] = join_methods(dict(scores.method), _change_prefix(method_text(row["change_method"])))
        return row

    # ------------------------------------------------------------ sparklines
    def spark(self, sel: Selection, metric: str) -> pd.DataFrame:
        """The selection's ``metric`` in the last waves (up to :data:`SPARK_WAVES`) up to the selected one.

        Each wave's figure is the tile's (same function, same arguments), so
        the last point of the line is the tile's estimate.  Revenue at risk
        is given only for waves whose churn scores are at hand (computing
        them is the slow part; ``ready("risk", wave)`` where available).

        Parameters
        ----------
        sel : Selection
        metric : {"nps", "csi", "response_rate", "revenue_at_risk"}

        Returns
        -------
        DataFrame
            ``wave_id, estimate, ci_low, ci_high, n, suppressed``, oldest first.

        Examples
        --------
        >>> d.spark(Selection("2026-Q3", team="Media"), "nps")["estimate"].iloc[-1]   # doctest: +SKIP
        """
        if metric not in TILE_METRICS:
            raise ParameterError(f"metric must be one of {', '.join(TILE_METRICS)}, not {metric!r}", parameter="metric")
        waves = [w for w in self.waves if w <= sel.wave][-SPARK_WAVES:]
        rows = []
        for w in waves:
            s = replace(sel, wave=w)
            if metric == "revenue_at_risk":
                if not self._risk_ready(w):
                    continue
                row = self._revenue_row(s, compare=False)
            else:
                row = getattr(self, f"_{metric}_row")(s, compare=False)
            if row["n"] == 0 and math.isnan(row["estimate"]):
                continue
            rows.append({k: row[k] for k in SPARK_COLUMNS})
        return pd.DataFrame(rows, columns=SPARK_COLUMNS)

    def _risk_ready(self, wave: str) -> bool:
        """Whether the wave's churn scores are at hand without computing (``ready("risk", ...)`` of the store)."""
        ready = getattr(self, "ready", None)
        return bool(ready("risk", Selection(wave=wave))) if callable(ready) else True

    # ------------------------------------------------------------ trend
    def trend(self, sel: Selection) -> pd.DataFrame:
        """NPS and CSI of the selection in every wave up to the selected one (suppressed below ``min_n``).

        Each wave's figure is the tile's (the report's headline or cell).
        Columns as :func:`cxlab.present.figures.nps_trend` reads them:
        ``wave_id, metric, estimate, ci_low, ci_high, n, method, suppressed``.
        """
        rows = []
        for w in [w for w in self.waves if w <= sel.wave]:
            s = replace(sel, wave=w)
            for metric in ("nps", "csi"):
                row = getattr(self, f"_{metric}_row")(s, compare=False)
                if row["n"] == 0 and math.isnan(row["estimate"]):
                    continue
                rows.append({"wave_id": w, **{k: row[k] for k in TREND_COLUMNS[1:]}})
        return pd.DataFrame(rows, columns=TREND_COLUMNS)


def _change_prefix(text: dict[str, str]) -> dict[str, str]:
    if not text.get("en"):
        return text
    return {"ru": "Сравнение с прошлой волной: " + text["ru"], "en": "Compared with the previous wave: " + text["en"]}
