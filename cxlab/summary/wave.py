"""One wave's summary: headline figures, trend, breakdowns and changes since the previous wave.

The definitions of the figures are in :mod:`cxlab.summary` (and in
:data:`DEFINITIONS`, printed in the report).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxlab import metrics
from cxlab.errors import DataError, ParameterError
from cxlab.schema import parse_scale
from cxlab.stats.registry import definition

from .figures import csi_items, wave_figures, wave_headline
from .survey import SurveyData

__all__ = ["DEFINITIONS", "WaveSummary", "summarize_wave", "csi_items"]

#: The definition of each figure the wave report shows, RU and EN, in the
#: order it prints them: the paragraphs of the metric registry.
DEFINITIONS: dict[str, dict[str, str]] = {
    name: {"ru": definition(name, "ru"), "en": definition(name, "en")}
    for name in (
        "nps",
        "nps_clustered",
        "nps_account",
        "nps_revenue",
        "csat_mean",
        "top2box",
        "csi",
        "csi_weighted",
        "response_rate",
    )
}


@dataclass
class WaveSummary:
    """Everything a wave report shows, as tidy frames."""

    wave: str
    previous_wave: str | None
    min_n: int
    headline: pd.DataFrame
    trend: pd.DataFrame
    nps_shares: pd.DataFrame
    by_service: pd.DataFrame
    by_direction: pd.DataFrame
    by_manager: pd.DataFrame
    by_team: pd.DataFrame
    by_segment: pd.DataFrame
    by_role: pd.DataFrame
    by_client: pd.DataFrame
    changes: pd.DataFrame
    changes_by_cell: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: NPS by cell per dimension of :data:`cxlab.summary.figures.CELL_DIMENSIONS` (``by_*`` plus direction).
    cells: dict[str, pd.DataFrame] = field(default_factory=dict)

    def headline_value(self, metric: str) -> dict:
        row = self.headline.loc[self.headline["metric"] == metric]
        return row.iloc[0].to_dict() if len(row) else {}

    def to_json(self) -> dict:
        """Figures for ``metrics.json`` (plain types, NaN as null).

        ``headline``, ``changes`` and ``trend``; ``cells`` (NPS by cell per
        dimension: manager, team, segment, role, direction, service) and
        ``changes_by_cell`` (each cell's change with its adjusted p-value).
        """

        def clean(v):
            if isinstance(v, (np.floating, float)):
                return None if np.isnan(v) else round(float(v), 4)
            if isinstance(v, (np.integer,)):
                return int(v)
            if isinstance(v, (np.bool_,)):
                return bool(v)
            return v

        return {
            "wave": self.wave,
            "previous_wave": self.previous_wave,
            "min_n": self.min_n,
            "headline": [{k: clean(v) for k, v in r.items()} for r in self.headline.to_dict("records")],
            "changes": [{k: clean(v) for k, v in r.items()} for r in self.changes.to_dict("records")],
            "trend": [{k: clean(v) for k, v in r.items()} for r in self.trend.to_dict("records")],
            "cells": {
                dim: [{k: clean(v) for k, v in r.items()} for r in frame.to_dict("records")]
                for dim, frame in self.cells.items()
            },
            "changes_by_cell": [{k: clean(v) for k, v in r.items()} for r in self.changes_by_cell.to_dict("records")],
        }


def summarize_wave(
    data: SurveyData,
    wave: str,
    *,
    min_n: int = 10,
    confidence: float = 0.95,
    adjust: str = "holm",
    progress: bool = False,
) -> WaveSummary:
    """Headline, trend, breakdowns and changes of one wave.

    Parameters
    ----------
    data : SurveyData
    wave : str
        Wave id; must have responses.
    min_n : int
        Cells with fewer respondents are suppressed (shown with n only).
    adjust : {"holm", "fdr_bh"}
        Multiple-testing control for the change of many cells at once.
    """
    waves = data.waves.sort_values("wave_id")
    if wave not in set(waves["wave_id"]):
        raise ParameterError(
            f"wave '{wave}' does not exist (waves: {', '.join(waves['wave_id'])})", parameter="wave", value=wave
        )
    wave_rec = waves.set_index("wave_id").loc[wave]
    rating_scale = wave_rec.get("rating_scale") or "1-5"
    if parse_scale(wave_rec.get("nps_scale") or "0-10") != (0, 10):
        raise metrics.NPSScaleError(
            f"wave {wave} asked the recommend question on {wave_rec['nps_scale']}; NPS is defined on 0-10 only",
            scale=parse_scale(wave_rec["nps_scale"]),
        )
    earlier = [w for w in waves["wave_id"] if w < wave and (data.responses["wave_id"] == w).any()]
    previous = earlier[-1] if earlier else None
    by_wave = waves.set_index("wave_id")
    resp_all = data.responses
    resp = resp_all[resp_all["wave_id"] == wave]
    if resp.empty:
        raise DataError(f"wave '{wave}' has no responses")
    ans = data.answers[data.answers["response_id"].isin(resp["response_id"])]

    # Headline, changes and the NPS cells with their changes: the one computation the dashboard reads too.
    fig = wave_figures(data, wave, min_n=min_n, confidence=confidence, adjust=adjust)
    headline = fig.headline
    notes = list(fig.notes)

    # Trend over every wave up to this one.
    trend_rows = []
    for w in [w for w in waves["wave_id"] if w <= wave]:
        r = resp_all[resp_all["wave_id"] == w]
        if r.empty or parse_scale(by_wave.loc[w].get("nps_scale") or "0-10") != (0, 10):
            continue
        a = data.answers[data.answers["response_id"].isin(r["response_id"])]
        i = data.invitations[data.invitations["wave_id"] == w] if len(data.invitations) else data.invitations
        for row in wave_headline(r, a, data.clients, i, by_wave.loc[w].get("rating_scale") or "1-5", confidence):
            trend_rows.append({"wave_id": w, **row})
    trend = pd.DataFrame(trend_rows)

    shares = metrics.nps_shares(resp["nps"].dropna(), confidence=confidence)

    # By service: a respondent counts under every service the client buys.
    svc = data.services.set_index("service_id")
    by_service = fig.cells["service"].copy()
    svc_ratings = ans[ans["kind"] == "service"].rename(columns={"item": "service_id"})
    if len(svc_ratings):
        rating = metrics.breakdown(
            svc_ratings,
            by="service_id",
            metric="csat_mean",
            value="value",
            scale=parse_scale(rating_scale),
            min_n=min_n,
            confidence=confidence,
        )
        rating = rating.rename(
            columns={"n": "rating_n", "estimate": "rating_mean", "ci_low": "rating_ci_low", "ci_high": "rating_ci_high"}
        )[["service_id", "rating_n", "rating_mean", "rating_ci_low", "rating_ci_high"]]
        by_service = by_service.merge(rating, on="service_id", how="outer")
    by_service.insert(1, "direction", by_service["service_id"].map(svc["direction"]))
    by_service.insert(2, "name_ru", by_service["service_id"].map(svc["name_ru"]))
    by_service.insert(3, "name_en", by_service["service_id"].map(svc["name_en"]))
    by_service = by_service.sort_values(["direction", "service_id"]).reset_index(drop=True)

    # CSI by direction: each respondent's index over the services of that direction they rated.
    dir_rows = []
    if len(svc_ratings):
        sr = svc_ratings.assign(direction=svc_ratings["service_id"].map(svc["direction"]))
        for direction, grp in sr.groupby("direction"):
            wide = grp.pivot_table(index="response_id", columns="service_id", values="value", aggfunc="first")
            scales = {c: parse_scale(rating_scale) for c in wide.columns}
            n = len(wide)
            if n < min_n:
                dir_rows.append(
                    {
                        "direction": direction,
                        "n": n,
                        "estimate": np.nan,
                        "ci_low": np.nan,
                        "ci_high": np.nan,
                        "se": np.nan,
                        "method": "",
                        "suppressed": True,
                    }
                )
                continue
            est = metrics.csi(wide, scales, confidence=confidence)
            dir_rows.append(
                {
                    "direction": direction,
                    "n": est.n,
                    "estimate": est.estimate,
                    "ci_low": est.ci_low,
                    "ci_high": est.ci_high,
                    "se": est.se,
                    "method": est.method,
                    "suppressed": False,
                }
            )
    by_direction = pd.DataFrame(
        dir_rows, columns=["direction", "n", "estimate", "ci_low", "ci_high", "se", "method", "suppressed"]
    )

    # NPS by manager, team, segment and role (cluster-robust); CSI beside NPS for managers and teams.
    by_manager = fig.cells["manager"].drop(columns=["csi_n"], errors="ignore")
    by_team = fig.cells["team"].drop(columns=["csi_n"], errors="ignore")
    by_segment = fig.cells["segment"]
    by_role = fig.cells["role"]
    csi_resp = fig.csi_scores

    # By client: descriptive account figures.
    net = metrics.net_score(resp["nps"].dropna())
    acc = (
        resp.assign(_net=net.reindex(resp.index), _csi=csi_resp)
        .groupby("client_id")
        .agg(
            respondents=("response_id", "size"),
            mean_recommend=("nps", "mean"),
            account_net=("_net", "mean"),
            overall_mean=("overall", "mean"),
            csi=("_csi", "mean"),
        )
        .reset_index()
    )
    cl = data.clients.set_index("client_id")
    for col in ("name", "segment", "direction", "team", "manager", "contract_value", "status"):
        if col in cl.columns:
            acc[col] = acc["client_id"].map(cl[col])
    acc = acc[
        [
            "client_id",
            "name",
            "segment",
            "direction",
            "team",
            "manager",
            "contract_value",
            "status",
            "respondents",
            "mean_recommend",
            "account_net",
            "overall_mean",
            "csi",
        ]
    ]
    by_client = acc.sort_values(["account_net", "contract_value"], ascending=[True, False]).reset_index(drop=True)

    changes = fig.changes
    changes_by_cell = fig.cell_changes
    return WaveSummary(
        wave=wave,
        previous_wave=previous,
        min_n=min_n,
        headline=headline,
        trend=trend,
        nps_shares=shares,
        by_service=by_service,
        by_direction=by_direction,
        by_manager=by_manager,
        by_team=by_team,
        by_segment=by_segment,
        by_role=by_role,
        by_client=by_client,
        changes=changes,
        changes_by_cell=changes_by_cell,
        notes=notes,
        cells=fig.cells,
    )
