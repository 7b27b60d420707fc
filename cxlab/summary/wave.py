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
from cxlab.fieldwork.funnel import wave_response_rate
from cxlab.schema import parse_scale
from cxlab.stats.registry import definition

from .cells import nps_cell_changes, nps_cells, nps_cells_columns, service_nps_cells
from .survey import SurveyData

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

    def headline_value(self, metric: str) -> dict:
        row = self.headline.loc[self.headline["metric"] == metric]
        return row.iloc[0].to_dict() if len(row) else {}

    def to_json(self) -> dict:
        """Headline figures for ``metrics.json`` (plain types, NaN as null)."""

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
        }


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


def _estimate_row(metric: str, est, lang_free_def: str | None = None) -> dict:
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


def _wave_headline(
    resp: pd.DataFrame,
    answers: pd.DataFrame,
    clients: pd.DataFrame,
    invitations: pd.DataFrame,
    rating_scale: str,
    confidence: float,
) -> list[dict]:
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
    inv = data.invitations[data.invitations["wave_id"] == wave] if len(data.invitations) else data.invitations
    notes = []

    headline = pd.DataFrame(_wave_headline(resp, ans, data.clients, inv, rating_scale, confidence))
    headline.insert(0, "wave_id", wave)

    # Trend over every wave up to this one.
    trend_rows = []
    for w in [w for w in waves["wave_id"] if w <= wave]:
        r = resp_all[resp_all["wave_id"] == w]
        if r.empty or parse_scale(waves.set_index("wave_id").loc[w].get("nps_scale") or "0-10") != (0, 10):
            continue
        a = data.answers[data.answers["response_id"].isin(r["response_id"])]
        i = data.invitations[data.invitations["wave_id"] == w] if len(data.invitations) else data.invitations
        for row in _wave_headline(
            r, a, data.clients, i, waves.set_index("wave_id").loc[w].get("rating_scale") or "1-5", confidence
        ):
            trend_rows.append({"wave_id": w, **row})
    trend = pd.DataFrame(trend_rows)

    shares = metrics.nps_shares(resp["nps"].dropna(), confidence=confidence)

    # By service: a respondent counts under every service the client buys.
    svc = data.services.set_index("service_id")
    by_service = service_nps_cells(resp, data.client_services, min_n=min_n, confidence=confidence)
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

    def nps_by(col):
        frame = resp[resp[col].notna() & resp["nps"].notna()]
        return nps_cells(frame, col, min_n=min_n, confidence=confidence)

    by_manager = nps_by("manager")
    by_team = nps_by("team")
    by_segment = nps_by("segment")
    by_role = nps_by("role")
    # CSI beside NPS for managers and teams.
    items, scales = csi_items(resp, ans, rating_scale)
    csi_resp = pd.Series(metrics.csi_scores(items, scales).to_numpy(), index=resp.index)
    for frame, col in ((by_manager, "manager"), (by_team, "team")):
        tmp = resp.assign(_csi=csi_resp)
        csi_tab = metrics.breakdown(
            tmp, by=col, metric="csat_mean", value="_csi", scale=(0, 100), min_n=min_n, confidence=confidence
        )
        frame["csi"] = frame[col].map(csi_tab.set_index(col)["estimate"])
        frame["csi_ci_low"] = frame[col].map(csi_tab.set_index(col)["ci_low"])
        frame["csi_ci_high"] = frame[col].map(csi_tab.set_index(col)["ci_high"])

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

    # Changes since the previous wave.
    change_rows, cell_changes = [], []
    if previous is not None:
        before = resp_all[resp_all["wave_id"] == previous]
        prev_rec = by_wave.loc[previous]
        if parse_scale(prev_rec.get("nps_scale") or "0-10") == (0, 10):
            b_scored, a_scored = before[before["nps"].notna()], resp[resp["nps"].notna()]
            ch = metrics.nps_change(b_scored["nps"], a_scored["nps"], confidence=confidence)
            change_rows.append({"metric": "nps", **_change_dict(ch)})
            paired_b = b_scored.dropna(subset=["contact_id"]).drop_duplicates("contact_id", keep="last")
            paired_a = a_scored.dropna(subset=["contact_id"]).drop_duplicates("contact_id", keep="last")
            paired_b, paired_a = paired_b.set_index("contact_id")["nps"], paired_a.set_index("contact_id")["nps"]
            if len(paired_b.index.intersection(paired_a.index)) >= 2:
                ch = metrics.nps_change(paired_b, paired_a, paired=True, confidence=confidence)
                change_rows.append({"metric": "nps_paired", **_change_dict(ch)})
            current = {"manager": by_manager, "team": by_team, "segment": by_segment}
            for col in ("manager", "team", "segment"):
                tab = nps_cell_changes(
                    b_scored[b_scored[col].notna()],
                    a_scored[a_scored[col].notna()],
                    col,
                    min_n=min_n,
                    confidence=confidence,
                    adjust=adjust,
                    after_cells=current[col][nps_cells_columns(col)],
                )
                tab.insert(0, "dimension", col)
                tab.insert(2, "metric", "nps")
                cell_changes.append(tab)
        else:
            notes.append(f"NPS not compared with {previous}: asked on {prev_rec['nps_scale']}")
        prev_scale = prev_rec.get("rating_scale") or "1-5"
        if parse_scale(prev_scale) == parse_scale(rating_scale):
            ch = metrics.mean_change(before["overall"].dropna(), resp["overall"].dropna(), confidence=confidence)
            change_rows.append({"metric": "csat_mean", **_change_dict(ch)})
            b_ans = data.answers[data.answers["response_id"].isin(before["response_id"])]
            b_items, b_scales = csi_items(before, b_ans, prev_scale)
            ch = metrics.mean_change(
                metrics.csi_scores(b_items, b_scales).dropna(), csi_resp.dropna(), confidence=confidence
            )
            change_rows.append({"metric": "csi", **_change_dict(ch)})
        else:
            notes.append(
                f"CSAT and CSI not compared with {previous}: ratings asked on {prev_scale}, now on {rating_scale}"
            )
    else:
        notes.append("no previous wave")
    changes = pd.DataFrame(change_rows)
    if len(changes):
        changes["significant"] = changes["p_value"] < 1 - confidence
    changes_by_cell = pd.concat(cell_changes, ignore_index=True) if cell_changes else pd.DataFrame()
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
    )


def _change_dict(ch) -> dict:
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
