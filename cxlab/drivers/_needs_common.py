"""Inputs shared by the needs map and the cross-sell.

The wave's record, the service catalogue, the respondents who reached the
needs question, the services they named as lacking, the services bought when
the wave opened, and how a lacked item is named (service or direction).
"""

from __future__ import annotations

import pandas as pd

from cxlab.errors import DataError, ParameterError


# --------------------------------------------------------------------------- inputs
def _wave_record(data, wave: str) -> pd.Series:
    waves = data.waves.sort_values("wave_id")
    if wave not in set(waves["wave_id"]):
        raise ParameterError(
            f"wave '{wave}' does not exist (waves: {', '.join(map(str, waves['wave_id']))})",
            parameter="wave",
            value=wave,
        )
    return waves.set_index("wave_id").loc[wave]


def _catalogue(data) -> tuple[pd.DataFrame, list[str]]:
    """Services (service_id, direction, name_ru, name_en) and the directions in catalogue order."""
    svc = data.services.drop_duplicates("service_id").reset_index(drop=True)
    for col in ("direction", "name_ru", "name_en"):
        if col not in svc.columns:
            svc[col] = None
    directions = list(dict.fromkeys(svc["direction"].dropna().tolist()))
    return svc[["service_id", "direction", "name_ru", "name_en"]], directions


def _respondents(data, wave: str) -> pd.DataFrame:
    """The wave's respondents: response_id, client_id, segment."""
    resp = data.responses[data.responses["wave_id"] == wave]
    if resp.empty:
        raise DataError(f"wave '{wave}' has no responses")
    need_ids = set(data.answers.loc[data.answers["kind"] == "need", "response_id"])
    if "complete" in resp.columns:
        # A partial response may have stopped before the needs question; it counts only if it
        # reached it (ticked something), else it would pass for "lacks nothing".
        partial = ~resp["complete"].fillna(True).astype(bool)
        resp = resp[~partial | resp["response_id"].isin(need_ids)]
    out = resp[["response_id", "client_id"]].copy()
    if "segment" in resp.columns:
        out["segment"] = resp["segment"].to_numpy()
    else:
        out["segment"] = resp["client_id"].map(data.clients.set_index("client_id")["segment"])
    return out.reset_index(drop=True)


def _named(data, resp: pd.DataFrame) -> pd.DataFrame:
    """(response_id, service_id) pairs named as lacking by the given respondents."""
    a = data.answers
    # value is 1 for a ticked service; an import of a yes/no grid may also carry explicit 0s.
    a = a[(a["kind"] == "need") & (a["value"] >= 0.5) & a["response_id"].isin(resp["response_id"])]
    return a[["response_id", "item"]].rename(columns={"item": "service_id"}).drop_duplicates().reset_index(drop=True)


def _bought(data, opened_at) -> pd.DataFrame:
    """(client_id, service_id) pairs bought when the wave opened (unknown start date = bought)."""
    cs = data.client_services
    if "since" in cs.columns and pd.notna(opened_at):
        since = pd.to_datetime(cs["since"])
        cs = cs[since.isna() | (since <= pd.Timestamp(opened_at))]
    return cs[["client_id", "service_id"]].drop_duplicates().reset_index(drop=True)


def _to_level(pairs: pd.DataFrame, svc: pd.DataFrame, level: str, key: str) -> pd.DataFrame:
    """(key, service_id) pairs -> (key, item) at the service or direction level."""
    if level == "service":
        return pairs.rename(columns={"service_id": "item"})[[key, "item"]]
    out = pairs.merge(svc[["service_id", "direction"]], on="service_id", how="inner")
    out = out[out["direction"].notna()]
    return out[[key, "direction"]].rename(columns={"direction": "item"}).drop_duplicates()


def _items(svc: pd.DataFrame, directions: list[str], level: str, named: pd.DataFrame) -> list:
    if level == "direction":
        return list(directions)
    extra = [s for s in dict.fromkeys(named["service_id"]) if s not in set(svc["service_id"])]
    return svc["service_id"].tolist() + extra


def _with_labels(out: pd.DataFrame, svc: pd.DataFrame, level: str) -> tuple[pd.DataFrame, list[str]]:
    """Name the lacked item: a service with its direction and names, or a direction."""
    if level == "service":
        return (
            out.rename(columns={"item": "service_id"}).merge(svc, on="service_id", how="left"),
            ["service_id", "direction", "name_ru", "name_en"],
        )
    return out.rename(columns={"item": "direction"}), ["direction"]


def _no_needs_note(named: pd.DataFrame, wave: str) -> list[str]:
    if len(named):
        return []
    return [
        f"wave {wave}: no respondent named a lacking service (the needs question may not have been asked); shares are 0"
    ]
