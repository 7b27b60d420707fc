"""The executive dashboard's figures for a selection of the survey, from the report's functions.

:class:`DashboardData` loads a workspace once and answers, for any
:class:`Selection` (a wave and optional direction, service, team, manager,
client segment and respondent role), the figures the dashboard shows:
headline tiles with their change since the previous wave, the trend, the
breakdowns by service and by manager, the importance-performance matrix,
the clients at risk and the comments.  Every number comes from the function
the wave report uses (``cxlab.metrics``, :func:`cxlab.summary.nps_cells`,
:func:`cxlab.fieldwork.funnel.wave_response_rate`,
:func:`cxlab.drivers.importance_performance`, :func:`cxlab.risk.score_clients`,
:func:`cxlab.risk.early_warnings`), so the dashboard and the report agree.

Pure reading: nothing here writes to the workspace.

Examples
--------
>>> from cxlab.present.dashboard_data import DashboardData, Selection   # doctest: +SKIP
>>> d = DashboardData("workspaces/demo")                                 # doctest: +SKIP
>>> d.tiles(Selection(wave="2026-Q3", team="Media"))[["metric", "estimate", "n", "change"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
import threading
import warnings
from dataclasses import dataclass, fields, replace
from urllib.parse import parse_qsl

import numpy as np
import pandas as pd

from cxlab import metrics
from cxlab.fieldwork.funnel import wave_response_rate
from cxlab.schema import parse_scale
from cxlab.summary import SurveyData, csi_items, nps_cells, service_nps_cells
from cxlab.text import code_themes, load_codebook, theme_summary
from cxlab.text.masking import mask_personal, respondent_names
from cxlab.text.themes import TEXT_COLUMNS as _TEXT_COLUMNS
from cxlab.text.themes import theme_ids

__all__ = ["Selection", "DashboardData", "DashboardQueryError", "FILTERS", "QUERY_KEYS", "COMMENT_COLUMNS"]

#: The filters, in the order the dashboard shows them.
FILTERS = ("wave", "direction", "service", "team", "manager", "segment", "role")
#: Query-string keys the dashboard reads; ``token`` is the server's own and
#: ``voila-template``/``voila-theme`` are ignored by the server (overrides are off).
QUERY_KEYS = FILTERS + ("lang",)
_IGNORED_KEYS = {"token", "voila-template", "voila-theme"}
# Filters that apply to client accounts (revenue at risk, flags) and the column holding them.
_ACCOUNT_FILTERS = ("direction", "service", "team", "manager", "segment")
#: Columns of :meth:`DashboardData.comments`.
COMMENT_COLUMNS = ["nps", "category", "comment", "themes", "theme_ids", "sentiment"]


class DashboardQueryError(ValueError):
    """A query-string value the dashboard refuses (unknown key or a value that does not exist)."""


@dataclass(frozen=True)
class Selection:
    """What the viewer picked: a wave and optional filters (None = all)."""

    wave: str
    direction: str | None = None
    service: str | None = None
    team: str | None = None
    manager: str | None = None
    segment: str | None = None
    role: str | None = None

    def filters(self) -> dict:
        """The filters that are set, without the wave."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "wave" and getattr(self, f.name) is not None
        }

    def key(self) -> str:
        """A stable text key, e.g. ``2026-Q3|team=Media``; shown to tests in the page."""
        return "|".join([self.wave] + [f"{k}={v}" for k, v in self.filters().items()])


@dataclass
class _Prepared:
    """Per-wave frames built once at start."""

    items: dict  # wave -> wide CSI items frame (index = response_id) and its scales
    csi: pd.Series  # per-response CSI score (0-100), index aligned with responses


class DashboardData:
    """A workspace's survey, ready to be cut by the dashboard's filters.

    Parameters
    ----------
    workspace : str, Path or Workspace
        Read once when created; the dashboard never opens another.
    min_n : int
        Cells with fewer respondents are suppressed, as in the report.
    confidence : float
    n_boot : int
        Bootstrap resamples for the importance-performance matrix and the
        churn model's refits (the report's defaults are 1000 and 200).
    seed : int

    Examples
    --------
    >>> d = DashboardData(ws)                                  # doctest: +SKIP
    >>> sel = d.selection_from_query("wave=2026-Q3&team=Media")   # doctest: +SKIP
    """

    def __init__(
        self,
        workspace,
        *,
        min_n: int = 10,
        confidence: float = 0.95,
        n_boot: int = 200,
        ipa_boot: int = 1000,
        seed: int = 0,
        progress=None,
    ):
        from cxlab.store import Workspace

        self.ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        self.min_n, self.confidence, self.n_boot, self.ipa_boot, self.seed = min_n, confidence, n_boot, ipa_boot, seed
        self.currency = self.ws.meta.get("currency", "RUB")
        self.data = SurveyData.from_workspace(self.ws)
        step = progress or (lambda _msg: None)
        step("responses")
        responses = self.data.responses.reset_index(drop=True)
        # Categorical dimensions: a filter is a comparison of codes, fast at a million rows.
        for col in ("wave_id", "manager", "team", "segment", "direction", "role", "client_id"):
            if col in responses:
                responses[col] = responses[col].astype("category")
        self.responses = responses
        waves = self.data.waves.set_index("wave_id")
        has = set(responses["wave_id"].dropna().astype(str))
        self.waves = [w for w in waves.index if w in has]
        self.nps_waves = [w for w in self.waves if parse_scale(waves.loc[w].get("nps_scale") or "0-10") == (0, 10)]
        self._wave_info = waves
        step("csi")
        self._prepared = self._prepare()
        self._client_services = self.data.client_services
        self._services = self.data.services.set_index("service_id") if len(self.data.services) else pd.DataFrame()
        self._invitations = self._invitation_frame()
        self._risk: dict = {}
        self._risk_lock = threading.RLock()
        self._flags: dict = {}
        self._panel = None
        self._driver_frames: dict = {}
        self._ipa_cache: dict = {}
        # Comments coded by theme once, on first use (the dashboard's first view, or Startup.warm).
        self._coded: pd.DataFrame | None = None
        self._codebook = None
        self._masked: dict = {}
        self._theme_cache: dict = {}
        self._text_lock = threading.RLock()

    # ------------------------------------------------------------ prepare
    def _prepare(self) -> _Prepared:
        csi = pd.Series(np.nan, index=self.responses.index)
        items = {}
        ans = self.data.answers
        for w in self.waves:
            rows = self.responses.index[self.responses["wave_id"] == w]
            resp = self.data.responses.loc[rows]
            a = ans[ans["response_id"].isin(resp["response_id"])] if len(ans) else ans
            wide, scales = csi_items(resp, a, self.rating_scale(w))
            wide.index = rows
            items[w] = (wide, scales)
            csi.loc[rows] = metrics.csi_scores(wide, scales).to_numpy()
        return _Prepared(items=items, csi=csi)

    def _invitation_frame(self) -> pd.DataFrame:
        inv = self.data.invitations
        if inv is None or not len(inv):
            return pd.DataFrame()
        contacts = self.data.contacts
        inv = (
            inv.merge(contacts[["contact_id", "client_id", "role"]], on="contact_id", how="left")
            if len(contacts)
            else inv.assign(client_id=np.nan, role=np.nan)
        )
        clients = self.data.clients.set_index("client_id")
        for col in ("segment", "direction", "manager", "team"):
            inv[col] = inv["client_id"].map(clients[col]) if col in clients else np.nan
        # The manager and team in charge when the wave ran (stored with the responses), where known.
        at_wave = (
            self.responses.dropna(subset=["manager"])
            .astype({"wave_id": str, "client_id": str})
            .drop_duplicates(["wave_id", "client_id"])
            .set_index(["wave_id", "client_id"])
        )
        key = pd.MultiIndex.from_arrays([inv["wave_id"].astype(str), inv["client_id"].astype(str)])
        for col in ("manager", "team"):
            known = pd.Series(at_wave[col].astype(object).reindex(key).to_numpy(), index=inv.index)
            inv[col] = known.where(known.notna(), inv[col])
        return inv

    def rating_scale(self, wave: str) -> str:
        return self._wave_info.loc[wave].get("rating_scale") or "1-5"

    # ------------------------------------------------------------ options
    def options(self) -> dict[str, list[str]]:
        """The values each filter can take (what exists in the workspace)."""
        r = self.responses

        def values(col):
            return sorted(str(v) for v in r[col].dropna().unique()) if col in r else []

        services = sorted(self._services.index.astype(str)) if len(self._services) else []
        return {
            "wave": list(self.waves),
            "direction": values("direction"),
            "service": services,
            "team": values("team"),
            "manager": values("manager"),
            "segment": values("segment"),
            "role": values("role"),
        }

    def service_label(self, service_id: str, lang: str) -> str:
        if not len(self._services) or service_id not in self._services.index:
            return service_id
        row = self._services.loc[service_id]
        name = row.get(f"name_{lang}") or row.get("name_en") or service_id
        return f"{row.get('direction', '')} · {name}" if row.get("direction") else str(name)

    def latest(self) -> Selection:
        if not self.waves:
            raise DashboardQueryError("the workspace has no responses yet")
        return Selection(wave=self.waves[-1])

    def selection_from_query(self, query: str) -> tuple[Selection, str | None]:
        """The selection and language a query string asks for, every value checked against what exists.

        Returns
        -------
        selection : Selection
        lang : str or None

        Raises
        ------
        DashboardQueryError
            For a key the dashboard does not read (the workspace, a file or a
            notebook cannot be chosen from the URL) or a value that does not
            exist, naming the key, the value and what is allowed.
        """
        pairs = parse_qsl(query or "", keep_blank_values=True)
        options = self.options()
        chosen: dict = {}
        lang = None
        for key, value in pairs:
            if key in _IGNORED_KEYS:
                continue
            if key not in QUERY_KEYS:
                raise DashboardQueryError(
                    f"unknown parameter {key!r} in the address; the workspace and the notebook are fixed when "
                    f"the server starts. Parameters: {', '.join(QUERY_KEYS)}"
                )
            if key in chosen or (key == "lang" and lang is not None):
                raise DashboardQueryError(f"parameter {key!r} is given twice")
            if key == "lang":
                if value not in ("ru", "en"):
                    raise DashboardQueryError(f"lang={_show(value)} is not a language of the dashboard (ru, en)")
                lang = value
                continue
            if value not in options[key]:
                known = ", ".join(options[key][:20]) + (" …" if len(options[key]) > 20 else "")
                raise DashboardQueryError(
                    f"{key}={_show(value)} does not exist in this workspace ({key} values: {known or 'none'})"
                )
            chosen[key] = value
        base = self.latest()
        return replace(base, **chosen), lang

    # ------------------------------------------------------------ selecting
    def response_mask(self, sel: Selection, *, all_waves: bool = False) -> np.ndarray:
        """Which responses the selection covers (every wave when ``all_waves``)."""
        r = self.responses
        mask = np.ones(len(r), dtype=bool) if all_waves else (r["wave_id"] == sel.wave).to_numpy()
        for key, value in sel.filters().items():
            if key == "service":
                mask = mask & r["client_id"].isin(self.clients_buying(value)).to_numpy()
            elif key in r:
                mask = mask & (r[key] == value).to_numpy()
        return mask

    def clients_buying(self, service: str) -> set:
        cs = self._client_services
        return set(cs.loc[cs["service_id"] == service, "client_id"].astype(str)) if len(cs) else set()

    def account_ids(self, sel: Selection, clients: pd.DataFrame) -> pd.Series:
        """The ``client_id`` of the rows of ``clients`` (``client_id, manager, team``) the account filters keep.

        The role filter does not apply to accounts.
        """
        keep = pd.Series(True, index=clients.index)
        info = self.data.clients.set_index("client_id")
        for key, value in sel.filters().items():
            if key == "service":
                keep &= clients["client_id"].isin(self.clients_buying(value))
            elif key in ("direction", "segment"):
                keep &= clients["client_id"].map(info[key]) == value
            elif key in ("team", "manager"):
                col = clients[key] if key in clients else clients["client_id"].map(info[key])
                keep &= col == value
        return clients.loc[keep, "client_id"]

    def previous_wave(self, wave: str) -> str | None:
        i = self.waves.index(wave)
        return self.waves[i - 1] if i > 0 else None

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

    # ------------------------------------------------------------ risk
    def panel(self) -> pd.DataFrame:
        from cxlab import risk

        if self._panel is None:
            self._panel = risk.churn_labels(self.data, risk.client_waves(self.data))
        return self._panel

    def risk_scores(self, wave: str):
        """``risk.score_clients`` for the wave, computed once (the report's call and defaults).

        Thread-safe: the dashboard scores the previous wave in the background
        while the first view is on screen.
        """
        from cxlab import risk

        with self._risk_lock:
            if wave not in self._risk:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._risk[wave] = risk.score_clients(
                        self.data, wave, n_boot=self.n_boot, random_state=self.seed, panel=self.panel(), lang="en"
                    )
            return self._risk[wave]

    def has_risk_scores(self, wave: str) -> bool:
        return wave in self._risk

    def flags(self, wave: str, lang: str) -> pd.DataFrame:
        """``risk.early_warnings`` for the wave, computed once per language."""
        from cxlab import risk

        if (wave, lang) not in self._flags:
            self._flags[(wave, lang)] = risk.early_warnings(self.data, wave, lang=lang, panel=self.panel())
        return self._flags[(wave, lang)]

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

    def at_risk(self, sel: Selection, lang: str) -> pd.DataFrame:
        """The selected accounts at risk: probability, interval, revenue at risk, flags, reasons, follow-up.

        The report's table (:func:`cxlab.present.risk_report.at_risk_frame`),
        filtered to the selected accounts; flagged clients first, then by
        revenue at risk.
        """
        from cxlab.present.risk_report import at_risk_frame

        scores = self.risk_scores(sel.wave)
        table = at_risk_frame(scores, self.flags(sel.wave, lang), self.data.actions, sel.wave, lang)
        table = table[table["client_id"].isin(self.account_ids(sel, scores.clients))]
        flagged = table["flags"] != ""
        return pd.concat([table[flagged], table[~flagged]]).reset_index(drop=True)

    # ------------------------------------------------------------ trend and breakdowns
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

    def scored(self, sel: Selection) -> pd.DataFrame:
        frame = self.responses.loc[self.response_mask(sel)]
        frame = frame[frame["nps"].notna()]
        return frame.astype({c: object for c in ("manager", "team", "client_id") if c in frame})

    def by_service(self, sel: Selection) -> pd.DataFrame:
        """NPS by service (a respondent counts under every service the client buys), as in the report."""
        frame = self.scored(sel)
        cs = self._client_services
        if not len(cs) or not len(frame):
            return pd.DataFrame()
        if sel.service is not None:
            cs = cs[cs["service_id"] == sel.service]
        return service_nps_cells(frame, cs, min_n=self.min_n, confidence=self.confidence)

    def by_manager(self, sel: Selection) -> pd.DataFrame:
        """NPS by account manager in charge when the client answered, cluster-robust, as in the report."""
        frame = self.scored(sel)
        frame = frame[frame["manager"].notna()]
        if not len(frame):
            return pd.DataFrame()
        return nps_cells(frame, "manager", min_n=self.min_n, confidence=self.confidence)

    def ipa(self, sel: Selection):
        """Importance-performance matrix of the selection (the report's call), or the reason it cannot be drawn.

        Returns
        -------
        ImportancePerformance or str
        """
        if sel not in self._ipa_cache:
            self._ipa_cache[sel] = self._ipa(sel)
        return self._ipa_cache[sel]

    def _ipa(self, sel: Selection):
        from cxlab import drivers

        if sel.wave not in self._driver_frames:
            frame, rated = drivers.driver_frame(self.data, sel.wave)
            self._driver_frames[sel.wave] = (frame, drivers.usable_drivers(frame, rated)[0])
        frame, items = self._driver_frames[sel.wave]
        if not items:
            return "no usable attribute ratings in this wave"
        ids = set(self.responses.loc[self.response_mask(sel), "response_id"])
        frame = frame[frame["response_id"].isin(ids)]
        need = max(self.min_n, 3 * len(items))
        if frame["nps"].notna().sum() < need:
            return f"too few respondents for the matrix (n = {int(frame['nps'].notna().sum())} < {need})"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return drivers.importance_performance(
                    frame, "nps", items, cluster="client_id", n_boot=self.ipa_boot, seed=self.seed
                )
        except (ValueError, KeyError) as exc:
            return str(exc).strip("'\"")

    # ------------------------------------------------------------ comments
    @property
    def codebook(self):
        """The theme codebook (``templates/themes/agency.yaml``), loaded once."""
        with self._text_lock:
            if self._codebook is None:
                self._codebook = load_codebook()
            return self._codebook

    def theme_labels(self, lang: str = "ru") -> dict[str, str]:
        """Theme id -> label in ``lang``, in codebook order."""
        return self.codebook.labels(lang)

    def coded_comments(self) -> pd.DataFrame:
        """Every response with words (why the score and the comment), coded by theme once.

        :func:`cxlab.text.code_themes` on ``response_id, reason, comment,
        nps`` of the responses that hold any text; the index is the
        responses' (so a selection's mask picks its rows).  Computed on first
        use and kept; thread-safe like :meth:`risk_scores`.  The text is not
        masked here: see :meth:`comments`.
        """
        with self._text_lock:
            if self._coded is None:
                r = self.responses
                cols = [c for c in ("response_id",) + _TEXT_COLUMNS + ("nps",) if c in r]
                words = np.zeros(len(r), dtype=bool)
                for col in _TEXT_COLUMNS:
                    if col in r:
                        words |= r[col].map(lambda v: isinstance(v, str) and bool(v.strip())).to_numpy(dtype=bool)
                coded = code_themes(r.loc[words, cols], self.codebook)
                coded["theme_ids"] = theme_ids(coded, self.codebook)
                self._coded = coded
            return self._coded

    def _selected_coded(self, sel: Selection) -> tuple[pd.DataFrame | None, str | None]:
        """The selection's coded comments, or None and why they are hidden (fewer than ``min_n`` respondents)."""
        mask = self.response_mask(sel)
        n = int(mask.sum())
        if n < self.min_n:
            return None, f"n = {n} < {self.min_n}"
        coded = self.coded_comments()
        part = coded[mask[coded.index.to_numpy()]] if len(coded) else coded
        return part, None

    def _masked_text(self, lang: str) -> pd.Series:
        """The coded texts as they may be shown: e-mails, phones and respondents' names masked (once per language).

        :func:`cxlab.text.masking.mask_personal` with the names of every
        contact who answered, as in the report's comments section.
        """
        with self._text_lock:
            if lang not in self._masked:
                coded = self.coded_comments()
                names = respondent_names(self.ws.contacts(include_pii=True), self.responses)
                self._masked[lang] = pd.Series(
                    [mask_personal(t, names, lang=lang) for t in coded["text"]], index=coded.index, dtype=object
                )
            return self._masked[lang]

    def comments(self, sel: Selection, lang: str = "ru") -> tuple[pd.DataFrame, str | None]:
        """The selection's comments with their themes, without who wrote them, or why they are hidden.

        Shown only when the selection has at least ``min_n`` respondents
        (a small cell would let a reader guess the author).  The text is the
        respondent's words as :func:`cxlab.text.code_themes` reads them
        (why the score and the comment, joined), with e-mail addresses,
        phone numbers and respondents' names masked (markers in ``lang``).

        Returns
        -------
        frame : DataFrame
            ``nps, category, comment, themes`` (theme labels in ``lang``,
            joined by "; "), ``theme_ids`` (codebook ids, "; "),
            ``sentiment`` (positive | negative | mixed | neutral); lowest
            score first.  Empty when hidden.
        hidden : str or None
            Why the comments are hidden (``n = 4 < 10``), or None.
        """
        part, hidden = self._selected_coded(sel)
        if hidden is not None:
            return pd.DataFrame(columns=COMMENT_COLUMNS), hidden
        nps = pd.to_numeric(part["nps"], errors="coerce")
        # A category is a 0-10 reading: none for a wave that asked the question on another scale.
        category = (
            metrics.classify_nps(nps).to_numpy() if len(part) and sel.wave in self.nps_waves else [None] * len(part)
        )
        out = pd.DataFrame(
            {
                "nps": nps.to_numpy(),
                "category": category,
                "comment": self._masked_text(lang).loc[part.index].to_numpy(),
                "themes": [self.codebook.join_labels(ids, lang) for ids in part["theme_ids"]],
                "theme_ids": part["theme_ids"].to_numpy(),
                "sentiment": part["sentiment"].to_numpy(),
            },
            columns=COMMENT_COLUMNS,
        )
        return out.sort_values("nps", na_position="last", kind="stable").reset_index(drop=True), None

    def themes(self, sel: Selection, lang: str = "ru") -> tuple[pd.DataFrame | None, str | None]:
        """What the selection's comments are about: :func:`cxlab.text.theme_summary` of its coded comments.

        One row per theme of the codebook: ``theme, label`` (in ``lang``),
        ``n, n_comments, share`` and, for a wave with NPS on 0-10, the shares
        among detractors and promoters, the gap between them and the link to
        the score (comparisons with fewer than ``min_n`` comments on a side
        are left empty by ``theme_summary``).  Hidden, as the comments are,
        when the selection has fewer than ``min_n`` respondents.

        Returns
        -------
        frame : DataFrame or None
            None when hidden; no rows when the selection has no comments.
        hidden : str or None
        """
        key = (sel, lang)
        if key not in self._theme_cache:
            part, hidden = self._selected_coded(sel)
            if hidden is not None:
                result = (None, hidden)
            elif not len(part):
                # theme_summary needs at least one row; no comments is no themes.
                result = (pd.DataFrame(columns=["theme", "label", "n", "n_comments", "share"]), None)
            else:
                score = "nps" if sel.wave in self.nps_waves else None
                with warnings.catch_warnings():
                    # scipy's precision notes on groups whose scores are all alike; the intervals stand.
                    warnings.simplefilter("ignore", RuntimeWarning)
                    result = (
                        theme_summary(
                            part,
                            score=score,
                            codebook=self.codebook,
                            lang=lang,
                            confidence=self.confidence,
                            min_n=self.min_n,
                        ),
                        None,
                    )
            if len(self._theme_cache) > 256:
                self._theme_cache.clear()
            self._theme_cache[key] = result
        return self._theme_cache[key]

    def comment_method(self, lang: str = "ru") -> str:
        """How the comments were coded (codebook, lemmatiser, sentiment method), in ``lang``."""
        return self.coded_comments().attrs.get("method", {}).get(lang, "")


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


_SAFE = re.compile(r"[^\w .,:;@()+\-/\\]")


def _show(value: str) -> str:
    """A query value quoted for a message: trimmed and without markup characters."""
    text = _SAFE.sub("?", value)[:80]
    return repr(text)
