"""NPS by cell with cluster-robust intervals, and its change per cell between two waves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlab import metrics
from cxlab.stats.adjust import adjust_pvalues


def nps_cells(frame: pd.DataFrame, by, *, min_n: int, confidence: float = 0.95) -> pd.DataFrame:
    """NPS by cell with shares and a cluster-robust interval (clients as clusters).

    Several contacts of one client answer alike, so a plain trinomial
    interval is too narrow for a breakdown; the design-based one is used.
    Where every respondent of a cell gave the same category its variance is
    zero, and the adjusted-Wald interval (Rocks 2016) is given instead.
    """
    by = [by] if isinstance(by, str) else list(by)
    shares = metrics.breakdown(frame, by=by, metric="nps", min_n=min_n, confidence=confidence)
    if shares.empty:
        return shares.assign(design_effect=pd.Series(dtype=float))
    clustered = metrics.breakdown(
        frame, by=by, metric="nps_clustered", cluster="client_id", min_n=min_n, confidence=confidence
    )
    cols = ["se", "ci_low", "ci_high", "method", "design_effect"]
    out = shares.drop(columns=["se", "ci_low", "ci_high", "method"]).merge(clustered[by + cols], on=by, how="left")
    degenerate = (~out["suppressed"].astype(bool)) & (out["se"] == 0)
    if degenerate.any():
        adj = metrics.nps_from_counts(
            (out.loc[degenerate, "pct_promoters"] * out.loc[degenerate, "n"]).round(),
            (out.loc[degenerate, "pct_passives"] * out.loc[degenerate, "n"]).round(),
            (out.loc[degenerate, "pct_detractors"] * out.loc[degenerate, "n"]).round(),
            confidence=confidence,
            method="adjusted-wald",
        )
        out.loc[degenerate, ["se", "ci_low", "ci_high"]] = adj[["se", "ci_low", "ci_high"]].to_numpy()
        out.loc[degenerate, "method"] = adj["method"].to_numpy() + " (all respondents of the cell alike)"
    return out[nps_cells_columns(by)]


def service_nps_cells(
    responses: pd.DataFrame, client_services: pd.DataFrame, *, min_n: int, confidence: float = 0.95
) -> pd.DataFrame:
    """NPS by service: a respondent counts under every service their client buys (:func:`nps_cells`)."""
    scored = responses.loc[responses["nps"].notna(), ["response_id", "client_id", "nps"]]
    bought = scored.merge(client_services[["client_id", "service_id"]], on="client_id")
    return nps_cells(bought, "service_id", min_n=min_n, confidence=confidence)


def nps_cells_columns(by) -> list[str]:
    by = [by] if isinstance(by, str) else list(by)
    return by + [
        "n",
        "estimate",
        "ci_low",
        "ci_high",
        "se",
        "method",
        "suppressed",
        "pct_promoters",
        "pct_passives",
        "pct_detractors",
        "design_effect",
    ]


def nps_cell_changes(
    before: pd.DataFrame,
    after: pd.DataFrame,
    by: str,
    *,
    min_n: int,
    confidence: float = 0.95,
    adjust: str = "holm",
    after_cells: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Change of NPS per cell between two waves, cluster-robust, with multiple-testing control.

    Each wave's cell estimate has its cluster-robust SE; the change's SE is
    sqrt(SE_before² + SE_after²), treating the waves as independent, which
    is conservative when the same clients answer both (their covariance is
    positive).  z-test, normal interval; p-values adjusted across the tested
    cells (Holm by default).
    """
    b = nps_cells(before, by, min_n=min_n, confidence=confidence).set_index(by)
    # The current wave's cells are usually at hand already (the breakdown tables).
    a = (
        after_cells if after_cells is not None else nps_cells(after, by, min_n=min_n, confidence=confidence)
    ).set_index(by)
    cells = b.index.union(a.index)
    b, a = b.reindex(cells), a.reindex(cells)
    out = pd.DataFrame(
        {
            "cell": cells,
            "n_before": b["n"].fillna(0).astype(int).to_numpy(),
            "n_after": a["n"].fillna(0).astype(int).to_numpy(),
        }
    )
    suppressed = (out["n_before"] < min_n) | (out["n_after"] < min_n)
    diff = metrics.independent_change(
        b["estimate"], b["se"], a["estimate"], a["se"], confidence=confidence, bounds=(-200, 200)
    )
    out["before"], out["after"] = b["estimate"].to_numpy(), a["estimate"].to_numpy()
    for col in ("change", "ci_low", "ci_high", "p_value"):
        out[col] = diff[col].to_numpy()
    for col in ("before", "after", "change", "ci_low", "ci_high", "p_value"):
        out.loc[suppressed, col] = np.nan
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(), method=adjust)
    out["significant"] = out["p_adjusted"] < 1 - confidence
    tested = int(out["p_value"].notna().sum())
    out["method"] = (
        f"NPS change, cluster-robust SE per wave (clients as clusters), waves treated as "
        f"independent (conservative), z-test; {adjust.replace('fdr_bh', 'Benjamini-Hochberg').title()} "
        f"adjustment across {tested} cells"
    )
    out["suppressed"] = suppressed
    return out
