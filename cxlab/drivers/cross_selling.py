"""Cross-sell potential: open needs of responding clients, weighted by contract value.

A client has an *open need* for a service when any of its respondents named
it as lacking and it did not buy it when the wave opened; :func:`cross_sell`
sums the contract values of those clients per service (or direction) and
gives the contract-value-weighted share of responding clients with an open
need a percentile bootstrap interval over clients (account level; the
respondent-level shares are in :mod:`cxlab.drivers.needs`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlab.drivers._needs_common import (
    _bought,
    _catalogue,
    _items,
    _named,
    _no_needs_note,
    _respondents,
    _to_level,
    _wave_record,
    _with_labels,
)
from cxlab.errors import ParameterError
from cxlab.stats.intervals import check_confidence
from cxlab.stats.resampling import resample_weights

__all__ = ["cross_sell"]


# --------------------------------------------------------------------------- cross_sell
def _current(clients: pd.DataFrame, opened_at) -> pd.Series:
    """Clients of the agency at the wave: not churned, and started by the time it opened (if known)."""
    keep = pd.Series(True, index=clients.index)
    if "status" in clients.columns:
        keep &= clients["status"].fillna("active").astype(str).str.lower() != "churned"
    if "start_date" in clients.columns and pd.notna(opened_at):
        start = pd.to_datetime(clients["start_date"])
        keep &= start.isna() | (start <= pd.Timestamp(opened_at))
    return keep


def cross_sell(
    data, wave: str, *, level: str = "service", confidence: float = 0.95, n_boot: int = 1000, seed: int | None = 0
) -> pd.DataFrame:
    """Cross-sell potential per service (or direction): open needs weighted by contract value.

    A responding client has an *open need* for a service when any of its
    respondents named it as lacking in the wave and the client did not buy it
    when the wave opened (a service bought later still counts as open).  At
    the direction level a client has an open need when it has one for any
    service of the direction.  Churned clients are left out: their revenue is
    no longer open to cross-sell.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
    wave : str
        Wave id; it must exist and have responses.
    level : {"service", "direction"}
    confidence : float, default 0.95
    n_boot : int, default 1000
        Bootstrap replicates (clients resampled with replacement).
    seed : int or None, default 0
        Seed of the bootstrap; the same seed gives the same interval.

    Returns
    -------
    DataFrame
        One row per catalogue service (or direction), ordered by
        ``priority_rank``: ``priority_rank`` (1 = largest ``potential_value``;
        ties by ``weighted_demand``, then catalogue order), ``service_id,
        direction, name_ru, name_en`` (or ``direction``), ``clients``
        (responding current clients: the base of ``weighted_demand``),
        ``clients_needing`` (clients with an open need), ``potential_value``
        (sum of their annual contract values, RUB), ``weighted_demand``
        (sum of contract value of clients with an open need / sum of contract
        value of all responding clients; clients without a contract value
        are left out of this ratio), ``ci_low``, ``ci_high`` (percentile
        bootstrap over clients), ``clients_buying`` and ``penetration``
        (share of all current clients, responding or not, buying it when the
        wave opened), ``method``.

    Examples
    --------
    >>> cs = cross_sell(data, "2026-Q3", level="direction")   # doctest: +SKIP
    >>> cs[["priority_rank", "direction", "potential_value", "weighted_demand"]]  # doctest: +SKIP
    """
    confidence = check_confidence(confidence)
    if level not in ("service", "direction"):
        raise ParameterError(f"level must be one of service, direction, got {level!r}", parameter="level", value=level)
    if isinstance(n_boot, bool) or not float(n_boot).is_integer() or n_boot < 1:
        raise ParameterError(f"n_boot must be a whole number >= 1, got {n_boot!r}", parameter="n_boot", value=n_boot)
    n_boot = int(n_boot)
    rec = _wave_record(data, wave)
    opened = rec.get("opened_at")
    svc, directions = _catalogue(data)
    resp = _respondents(data, wave)
    named = _named(data, resp)
    bought = _bought(data, opened)

    clients = data.clients.drop_duplicates("client_id").reset_index(drop=True)
    current = clients[_current(clients, opened)]
    current_ids = set(current["client_id"])
    # Responding clients missing from the client table have no status: kept, with no value.
    gone = set(clients["client_id"]) - current_ids
    base_ids = [c for c in dict.fromkeys(resp["client_id"]) if c not in gone]
    value = clients.set_index("client_id")["contract_value"].astype(float).reindex(base_ids).to_numpy()

    items = _items(svc, directions, level, named)
    pairs = named.merge(resp[["response_id", "client_id"]], on="response_id")[["client_id", "service_id"]]
    open_pairs = pairs.drop_duplicates().merge(bought.assign(_b=True), on=["client_id", "service_id"], how="left")
    open_pairs = open_pairs[open_pairs["_b"].isna()].drop(columns="_b")
    open_items = _to_level(open_pairs, svc, level, "client_id").drop_duplicates()
    open_items = open_items[open_items["client_id"].isin(base_ids)]
    need = np.zeros((len(base_ids), len(items)), dtype=bool)
    row = {c: i for i, c in enumerate(base_ids)}
    col = {k: j for j, k in enumerate(items)}
    open_items = open_items[open_items["item"].isin(col)]
    need[open_items["client_id"].map(row).to_numpy(dtype=int), open_items["item"].map(col).to_numpy(dtype=int)] = True

    known = ~np.isnan(value)
    v = np.where(known, value, 0.0)
    wneed = need & known[:, None]
    total = v.sum()
    weighted = (v @ wneed) / total if total > 0 else np.full(len(items), np.nan)
    low, high = _bootstrap(v, wneed, confidence, n_boot, seed)

    buy_items = _to_level(bought[bought["client_id"].isin(current_ids)], svc, level, "client_id")
    n_buy = buy_items.groupby("item")["client_id"].nunique().reindex(items).fillna(0).astype(int)
    out = pd.DataFrame(
        {
            "item": items,
            "clients": len(base_ids),
            "clients_needing": need.sum(axis=0).astype(int),
            "potential_value": v @ need,
            "weighted_demand": weighted,
            "ci_low": low,
            "ci_high": high,
            "clients_buying": n_buy.to_numpy(),
            "penetration": n_buy.to_numpy() / len(current_ids) if current_ids else np.nan,
        }
    )
    what = "service" if level == "service" else "any service of the direction"
    out["method"] = (
        f"open need: a responding client (not churned) with a respondent naming {what} as lacking "
        "and not buying it when the wave opened; potential value = sum of their annual contract "
        "values; weighted demand = their contract value / contract value of all responding "
        f"clients, percentile bootstrap over clients ({n_boot} resamples, seed {seed}); "
        "penetration = share of current clients buying it when the wave opened"
    )
    out["_order"] = np.arange(len(out))
    out = out.sort_values(
        ["potential_value", "weighted_demand", "_order"],
        ascending=[False, False, True],
        na_position="last",
        kind="stable",
    ).drop(columns="_order")
    out.insert(0, "priority_rank", np.arange(1, len(out) + 1))
    out, label_cols = _with_labels(out, svc, level)
    out = out[
        ["priority_rank"]
        + label_cols
        + [
            "clients",
            "clients_needing",
            "potential_value",
            "weighted_demand",
            "ci_low",
            "ci_high",
            "clients_buying",
            "penetration",
            "method",
        ]
    ].reset_index(drop=True)
    out.attrs["notes"] = _no_needs_note(named, wave)
    return out


def _bootstrap(v: np.ndarray, need: np.ndarray, confidence: float, n_boot: int, seed):
    """Percentile interval of (v @ need) / sum(v) with clients resampled with replacement."""
    C, S = need.shape
    if C == 0 or v.sum() <= 0:
        return np.full(S, np.nan), np.full(S, np.nan)
    # How often each client is drawn in each replicate: one matrix product gives every ratio.
    counts = resample_weights(C, None, n_boot, np.random.default_rng(seed))
    den = counts @ v
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = (counts @ (v[:, None] * need)) / den[:, None]
    alpha = 1 - confidence
    low = np.nanquantile(ratios, alpha / 2, axis=0)
    high = np.nanquantile(ratios, 1 - alpha / 2, axis=0)
    return low, high
