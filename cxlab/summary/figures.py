"""A wave's figures computed once: the headline, its changes, NPS by cell and each cell's change.

:func:`wave_figures` is the one function behind the figures the wave
report, ``metrics.json``, the Excel pack and the dashboard show for a wave:
:func:`~cxlab.summary.summarize_wave` builds the report from it and the
dashboard caches it per wave and reads its tiles from it.  The dashboard
asks for combinations of filters the report has no cell for with
:func:`subset_nps`, the cell method on one subset without multiple-testing
adjustment.

Examples
--------
>>> f = wave_figures(data, "2026-Q3")                          # doctest: +SKIP
>>> f.cell("team", "Digital")["p_adjusted"]                    # doctest: +SKIP
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from cxlab import metrics
from cxlab.fieldwork.funnel import wave_response_rate
from cxlab.schema import parse_scale

from .cells import nps_cell_changes, nps_cells, nps_cells_columns, service_nps_cells
from .survey import SurveyData

__all__ = ["CELL_DIMENSIONS", "WaveFigures", "wave_figures", "subset_nps", "change_dict"]

#: The dimensions the report breaks NPS down by, each with its change (Holm across the dimension's cells).
#: ``service``: a respondent counts under every service the client buys (column ``service_id``).
CELL_DIMENSIONS = ("manager", "team", "segment", "role", "direction", "service")


def _column(dimension: str) -> str:
    return "service_id" if dimension == "service" else dimension


class WaveFigures:
    """The figures of one wave, each computed when first asked for (thread-safe), then kept.

    Attributes (properties)
    -----------------------
    headline : DataFrame
        ``wave_id, metric, estimate, ci_low, ci_high, se, n, method``.
    changes : DataFrame
        Since the previous wave, one row per metric (``nps``,
        ``nps_paired``, ``csat_mean``, ``csi``, ``response_rate``):
        ``metric, before, after, change, ci_low, ci_high, p_value,
        n_before, n_after, method, significant``.
    csi_scores : Series
        Each response's CSI (0-100), indexed like the wave's responses.
    notes : list of str
    cells, cell_changes
        NPS by cell and each cell's change, every dimension
        (:meth:`cells_of` and :meth:`changes_of` for one).

    Nothing is computed at creation: a dashboard asking for one team's cell
    pays for that dimension only, a sparkline for the headline only.
    """

    def __init__(self, data: SurveyData, wave: str, *, min_n: int, confidence: float, adjust: str):
        waves = data.waves.sort_values("wave_id")
        by_wave = waves.set_index("wave_id")
        self.data, self.wave, self.min_n, self.confidence, self.adjust = data, wave, min_n, confidence, adjust
        self.rating_scale = by_wave.loc[wave].get("rating_scale") or "1-5"
        earlier = [w for w in waves["wave_id"] if w < wave and (data.responses["wave_id"] == w).any()]
        self.previous_wave: str | None = earlier[-1] if earlier else None
        self._by_wave = by_wave
        resp_all = data.responses
        self._resp = resp_all[resp_all["wave_id"] == wave]
        self._ans = data.answers[data.answers["response_id"].isin(self._resp["response_id"])]
        has_inv = len(data.invitations) > 0
        self._inv = data.invitations[data.invitations["wave_id"] == wave] if has_inv else data.invitations
        self._client_services = data.client_services
        self._done: dict = {}
        self._cells: dict = {}
        self._changes: dict = {}
        self._lock = threading.RLock()

    def _once(self, name: str, compute):
        with self._lock:
            if name not in self._done:
                self._done[name] = compute()
            return self._done[name]

    @property
    def headline(self) -> pd.DataFrame:
        def compute():
            rows = wave_headline(
                self._resp, self._ans, self.data.clients, self._inv, self.rating_scale, self.confidence
            )
            frame = pd.DataFrame(rows)
            frame.insert(0, "wave_id", self.wave)
            return frame

        return self._once("headline", compute)

    @property
    def csi_scores(self) -> pd.Series:
        def compute():
            items, scales = csi_items(self._resp, self._ans, self.rating_scale)
            return pd.Series(metrics.csi_scores(items, scales).to_numpy(), index=self._resp.index)

        return self._once("csi_scores", compute)

    @property
    def changes(self) -> pd.DataFrame:
        return self._once("changes", self._compute_headline_changes)[0]

    @property
    def notes(self) -> list[str]:
        return self._once("changes", self._compute_headline_changes)[1]

    @property
    def _before(self) -> pd.DataFrame | None:
        """The previous wave's responses when its NPS compares (0-10), else None."""
        prev = self.previous_wave
        if prev is None or parse_scale(self._by_wave.loc[prev].get("nps_scale") or "0-10") != (0, 10):
            return None
        return self.data.responses[self.data.responses["wave_id"] == prev]

    def headline_row(self, metric: str) -> dict:
        """The headline row of ``metric`` (empty dict when the wave has none)."""
        row = self.headline.loc[self.headline["metric"] == metric]
        return row.iloc[0].to_dict() if len(row) else {}

    def change_row(self, metric: str) -> dict:
        """The change since the previous wave of ``metric`` (empty dict when none)."""
        if not len(self.changes):
            return {}
        row = self.changes.loc[self.changes["metric"] == metric]
        return row.iloc[0].to_dict() if len(row) else {}

    def cells_of(self, dimension: str) -> pd.DataFrame:
        """NPS by cell of one dimension (:func:`~cxlab.summary.nps_cells`).

        ``manager`` and ``team`` also carry ``csi, csi_ci_low, csi_ci_high,
        csi_n`` (the CSI of the cell's respondents, t interval).
        """
        with self._lock:
            if dimension not in self._cells:
                self._cells[dimension] = self._compute_cells(dimension)
            return self._cells[dimension]

    def changes_of(self, dimension: str) -> pd.DataFrame:
        """Each cell's NPS change since the previous wave (:func:`~cxlab.summary.nps_cell_changes`), adjusted
        across the dimension's cells; empty without a comparable previous wave."""
        with self._lock:
            if dimension not in self._changes:
                self._changes[dimension] = self._compute_changes(dimension)
            return self._changes[dimension]

    @property
    def cells(self) -> dict[str, pd.DataFrame]:
        """NPS by cell for every dimension of :data:`CELL_DIMENSIONS`."""
        return {d: self.cells_of(d) for d in CELL_DIMENSIONS}

    @property
    def cell_changes(self) -> pd.DataFrame:
        """``dimension, cell, metric, n_before, n_after, before, after, change, ci_low, ci_high, p_value,
        p_adjusted, significant, method, suppressed`` for every dimension."""
        parts = [t for t in (self.changes_of(d) for d in CELL_DIMENSIONS) if len(t)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def cell(self, dimension: str, value, *, change: bool = True) -> dict:
        """NPS of one cell (``nps_cells`` row) and its change (``change_*`` keys); empty dict when absent.

        ``change=False`` leaves the change out (and does not compute it).
        """
        tab = self.cells_of(dimension)
        col = _column(dimension)
        if not len(tab):
            return {}
        row = tab.loc[tab[col].astype(str) == str(value)]
        if not len(row):
            return {}
        out = row.iloc[0].to_dict()
        ch = self.changes_of(dimension) if change else pd.DataFrame()
        if len(ch):
            c = ch.loc[ch["cell"].astype(str) == str(value)]
            if len(c):
                out.update({f"change_{k}": v for k, v in c.iloc[0].to_dict().items()})
        return out

    # ------------------------------------------------------------ computing
    def _compute_headline_changes(self) -> tuple[pd.DataFrame, list[str]]:
        return _headline_changes(self)

    def _compute_cells(self, dimension: str) -> pd.DataFrame:
        resp, cs = self._resp, self._client_services
        frame = _nps_cells_of(resp, dimension, cs, self.min_n, self.confidence)
        if dimension in ("manager", "team") and dimension in resp and len(frame):
            csi_tab = metrics.breakdown(
                resp.assign(_csi=self.csi_scores),
                by=dimension,
                metric="csat_mean",
                value="_csi",
                scale=(0, 100),
                min_n=self.min_n,
                confidence=self.confidence,
            ).set_index(dimension)
            frame = frame.copy()
            for src, dst in (("estimate", "csi"), ("ci_low", "csi_ci_low"), ("ci_high", "csi_ci_high"), ("n", "csi_n")):
                frame[dst] = frame[dimension].map(csi_tab[src])
        return frame

    def _compute_changes(self, dimension: str) -> pd.DataFrame:
        before, resp, cs = self._before, self._resp, self._client_services
        if before is None:
            return pd.DataFrame()
        col = _column(dimension)
        b_scored, a_scored = before[before["nps"].notna()], resp[resp["nps"].notna()]
        if dimension == "service":
            if cs is None or not len(cs):
                return pd.DataFrame()
            b_frame, a_frame = _service_rows(b_scored, cs), _service_rows(a_scored, cs)
        elif dimension in resp:
            b_frame, a_frame = b_scored[b_scored[dimension].notna()], a_scored[a_scored[dimension].notna()]
        else:
            return pd.DataFrame()
        tab = nps_cell_changes(
            b_frame,
            a_frame,
            col,
            min_n=self.min_n,
            confidence=self.confidence,
            adjust=self.adjust,
            after_cells=self.cells_of(dimension)[nps_cells_columns(col)],
        )
        tab.insert(0, "dimension", dimension)
        tab.insert(2, "metric", "nps")
        return tab


def csi_items(
    responses: pd.DataFrame, answers: pd.DataFrame, rating_scale="1-5", kinds=("service", "attribute")
) -> tuple[pd.DataFrame, dict]:
    """Wide frame of satisfaction items per response (overall + grid), and their scales."""
    grid = answers[answers["kind"].isin(kinds)]
    wide = (
        grid.pivot_table(index="response_id", columns="item", values="value", aggfunc="first")
        if len(grid)
        else pd.DataFrame(index=pd.Index([], name="response_id"))
    )
    wide = wide.reindex(responses["response_id"])
    wide.insert(0, "overall", responses.set_index("response_id")["overall"].reindex(wide.index).astype(float))
    scales = {c: parse_scale(rating_scale) for c in wide.columns}
    if len(grid):
        for item, scale in grid.drop_duplicates("item").set_index("item")["scale"].items():
            if isinstance(scale, str) and scale:
                scales[item] = parse_scale(scale)
    wide.columns.name = None
    return wide, scales


def _importance(answers: pd.DataFrame, items) -> dict | None:
    """Mean stated importance per item; items nobody rated for importance get the mean of the rest.

    None when the wave did not ask for importance.
    """
    imp = answers[answers["kind"] == "importance"]
    if imp.empty:
        return None
    stated = imp.groupby("item")["value"].mean()
    default = float(stated.mean())
    return {item: float(stated.get(item, default)) for item in items}


def _estimate_row(metric: str, est) -> dict:
    return {
        "metric": metric,
        "estimate": est.estimate,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "se": est.se,
        "n": est.n,
        "method": est.method,
    }


def _rate(invitations: pd.DataFrame, resp: pd.DataFrame, confidence: float) -> dict:
    """The response rate as ``cxlab wave status`` gives it: responded / delivered, Wilson interval.

    One definition for the report and the fieldwork funnel:
    :func:`cxlab.fieldwork.funnel.wave_response_rate` computes both.
    """
    rr = wave_response_rate(invitations, resp, confidence=confidence)
    se = float(np.sqrt(rr.rate * (1 - rr.rate) / rr.n)) if rr.n else np.nan
    return {
        "metric": "response_rate",
        "estimate": rr.rate,
        "ci_low": rr.ci_low,
        "ci_high": rr.ci_high,
        "se": se,
        "n": rr.n,
        "method": rr.method,
    }


def wave_headline(
    resp: pd.DataFrame,
    answers: pd.DataFrame,
    clients: pd.DataFrame,
    invitations: pd.DataFrame,
    rating_scale: str,
    confidence: float,
) -> list[dict]:
    """The headline rows of one wave's responses (NPS in four forms, CSAT, top-2-box, CSI, response rate)."""
    rows = []
    scored = resp[resp["nps"].notna()]
    rows.append(_estimate_row("nps", metrics.nps(scored["nps"], confidence=confidence)))
    rows.append(
        _estimate_row("nps_clustered", metrics.nps_clustered(scored["nps"], scored["client_id"], confidence=confidence))
    )
    rows.append(
        _estimate_row("nps_account", metrics.nps_account(scored["nps"], scored["client_id"], confidence=confidence))
    )
    revenue = clients.set_index("client_id")["contract_value"].astype(float)
    has_rev = scored["client_id"].map(revenue).notna()
    if has_rev.any():
        rows.append(
            _estimate_row(
                "nps_revenue",
                metrics.nps_revenue_weighted(
                    scored.loc[has_rev, "nps"], scored.loc[has_rev, "client_id"], revenue, confidence=confidence
                ),
            )
        )
    scale = parse_scale(rating_scale)
    overall = resp["overall"].dropna()
    rows.append(_estimate_row("csat_mean", metrics.csat_mean(overall, scale=scale, confidence=confidence)))
    rows.append(_estimate_row("top2box", metrics.top2box(overall, scale=scale, confidence=confidence)))
    items, scales = csi_items(resp, answers, rating_scale)
    rows.append(_estimate_row("csi", metrics.csi(items, scales, confidence=confidence)))
    weights = _importance(answers, items.columns)
    if weights is not None:
        rows.append(
            _estimate_row("csi_weighted", metrics.csi(items, scales, importance=weights, confidence=confidence))
        )
    if len(invitations):
        rows.append(_rate(invitations, resp, confidence))
    return rows


def change_dict(ch) -> dict:
    """A :class:`~cxlab.metrics.Change` as a row of the changes table."""
    return {
        "before": ch.extra.get("before", np.nan),
        "after": ch.extra.get("after", np.nan),
        "change": ch.estimate,
        "ci_low": ch.ci_low,
        "ci_high": ch.ci_high,
        "p_value": ch.p_value,
        "n_before": ch.n_before,
        "n_after": ch.n_after,
        "method": ch.method,
    }


def _nps_cells_of(resp: pd.DataFrame, dimension: str, client_services, min_n: int, confidence: float):
    if dimension == "service":
        if client_services is None or not len(client_services):
            return pd.DataFrame(columns=nps_cells_columns("service_id"))
        return service_nps_cells(resp, client_services, min_n=min_n, confidence=confidence)
    if dimension not in resp:
        return pd.DataFrame(columns=nps_cells_columns(dimension))
    frame = resp[resp[dimension].notna() & resp["nps"].notna()]
    return nps_cells(frame, dimension, min_n=min_n, confidence=confidence)


def _service_rows(resp: pd.DataFrame, client_services: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent and service their client buys (the service cells' respondents)."""
    scored = resp.loc[resp["nps"].notna(), ["response_id", "client_id", "nps"]]
    return scored.merge(client_services[["client_id", "service_id"]], on="client_id")


def wave_figures(
    data: SurveyData,
    wave: str,
    *,
    min_n: int = 10,
    confidence: float = 0.95,
    adjust: str = "holm",
) -> WaveFigures:
    """Headline, changes since the previous wave, NPS by cell and each cell's change, for one wave.

    Parameters
    ----------
    data : SurveyData
    wave : str
        A wave with responses whose recommend question was on 0-10.
    min_n : int
        Cells with fewer respondents are suppressed.
    confidence : float
    adjust : {"holm", "fdr_bh"}
        Multiple-testing control across the cells of each dimension.

    Returns
    -------
    WaveFigures
        Each part computed on first use.

    Examples
    --------
    >>> f = wave_figures(data, "2026-Q3", min_n=10)                # doctest: +SKIP
    >>> f.change_row("nps")["p_value"]                             # doctest: +SKIP
    """
    return WaveFigures(data, wave, min_n=min_n, confidence=confidence, adjust=adjust)


def _headline_changes(fig: WaveFigures) -> tuple[pd.DataFrame, list[str]]:
    """The changes since the previous wave of the headline metrics, and notes on what was not compared."""
    data, confidence = fig.data, fig.confidence
    previous, resp, inv = fig.previous_wave, fig._resp, fig._inv
    rating_scale = fig.rating_scale
    notes: list[str] = []
    change_rows = []
    if previous is not None:
        before = data.responses[data.responses["wave_id"] == previous]
        prev_rec = fig._by_wave.loc[previous]
        if fig._before is not None:
            b_scored, a_scored = before[before["nps"].notna()], resp[resp["nps"].notna()]
            ch = metrics.nps_change(b_scored["nps"], a_scored["nps"], confidence=confidence)
            change_rows.append({"metric": "nps", **change_dict(ch)})
            paired_b = b_scored.dropna(subset=["contact_id"]).drop_duplicates("contact_id", keep="last")
            paired_a = a_scored.dropna(subset=["contact_id"]).drop_duplicates("contact_id", keep="last")
            paired_b, paired_a = paired_b.set_index("contact_id")["nps"], paired_a.set_index("contact_id")["nps"]
            if len(paired_b.index.intersection(paired_a.index)) >= 2:
                ch = metrics.nps_change(paired_b, paired_a, paired=True, confidence=confidence)
                change_rows.append({"metric": "nps_paired", **change_dict(ch)})
        else:
            notes.append(f"NPS not compared with {previous}: asked on {prev_rec['nps_scale']}")
        prev_scale = prev_rec.get("rating_scale") or "1-5"
        if parse_scale(prev_scale) == parse_scale(rating_scale):
            ch = metrics.mean_change(before["overall"].dropna(), resp["overall"].dropna(), confidence=confidence)
            change_rows.append({"metric": "csat_mean", **change_dict(ch)})
            b_ans = data.answers[data.answers["response_id"].isin(before["response_id"])]
            b_items, b_scales = csi_items(before, b_ans, prev_scale)
            ch = metrics.mean_change(
                metrics.csi_scores(b_items, b_scales).dropna(), fig.csi_scores.dropna(), confidence=confidence
            )
            change_rows.append({"metric": "csi", **change_dict(ch)})
        else:
            notes.append(
                f"CSAT and CSI not compared with {previous}: ratings asked on {prev_scale}, now on {rating_scale}"
            )
        has_inv = len(data.invitations) > 0
        b_inv = data.invitations[data.invitations["wave_id"] == previous] if has_inv else data.invitations
        if len(inv) and len(b_inv):
            # Responded / delivered in each wave (the headline's figure), Newcomb interval of the difference.
            b = wave_response_rate(b_inv, before, confidence=confidence)
            a = wave_response_rate(inv, resp, confidence=confidence)
            if b.n and a.n:
                ch = metrics.proportion_change(b.responded, b.n, a.responded, a.n, confidence=confidence)
                change_rows.append({"metric": "response_rate", **change_dict(ch), "before": b.rate, "after": a.rate})
    else:
        notes.append("no previous wave")
    changes = pd.DataFrame(change_rows)
    if len(changes):
        changes["significant"] = changes["p_value"] < 1 - confidence
    return changes, notes


def subset_nps(
    before: pd.DataFrame | None, after: pd.DataFrame, *, min_n: int, confidence: float = 0.95
) -> tuple[dict, dict]:
    """NPS of one subset of respondents and its change, by the cell method, without adjustment.

    The method of :func:`~cxlab.summary.nps_cells` and
    :func:`~cxlab.summary.nps_cell_changes` on a single cell: for
    combinations of filters the report has no cell for.  ``p_adjusted`` is
    NaN (one test, nothing to adjust across) and ``significant`` is judged on
    ``p_value``.

    Returns
    -------
    cell : dict
        As a row of ``nps_cells`` (empty when ``after`` has no score).
    change : dict
        As a row of ``nps_cell_changes`` (empty without ``before``).
    """
    after = after[after["nps"].notna()].assign(_cell="selection")
    if not len(after):
        return {}, {}
    cell = nps_cells(after, "_cell", min_n=min_n, confidence=confidence).iloc[0].to_dict()
    if before is None:
        return cell, {}
    before = before[before["nps"].notna()].assign(_cell="selection")
    if not len(before):
        return cell, {}
    tab = nps_cell_changes(before, after, "_cell", min_n=min_n, confidence=confidence, adjust="holm")
    change = tab.iloc[0].to_dict()
    change["p_adjusted"] = np.nan
    change["significant"] = bool(change["p_value"] < 1 - confidence) if pd.notna(change["p_value"]) else False
    change["method"] = (
        "NPS change, cluster-robust SE per wave (clients as clusters), waves treated as independent "
        "(conservative), z-test; no adjustment: the report has no cell for this combination of filters"
    )
    return cell, change
