"""Needs map: which services clients lack, where, and what the cross-sell is worth.

Respondents tick the services they do not buy and would find useful (the
``needs`` question; rows of ``answers`` with ``kind == "need"``, value 1).
Someone who ticks nothing has no need rows but did answer, so the
denominator is always the wave's responses, never the need rows.

Two units, both named and never mixed up:

* **respondent level** (:func:`needs_map`, :func:`needs_over_waves`): the share
  of the wave's respondents naming a service (or any service of a direction).
  Contacts of one client answer alike, so the interval is Wilson's on an
  *effective* sample size n / design effect, the design effect coming from
  the linearised variance of the ratio sum_c m_c / sum_c n_c with clients as
  clusters (floored at 1, so it never comes out narrower than plain Wilson);
  with one respondent per client it is exactly the plain Wilson interval.
* **account level** (:func:`~cxlab.drivers.cross_selling.cross_sell`,
  :func:`development_priorities`): a client has an *open need* for a service
  when any of its respondents named it and it did not buy it when the wave
  opened; the revenue base open to cross-sell is the sum of those clients'
  annual contract values.  The contract-value-weighted share of responding
  clients with an open need gets a percentile bootstrap interval over clients.

A service counts as bought at a wave when ``client_services.since`` is on or
before the wave's ``opened_at``, or unknown (NaT: bought, date not recorded).

Examples
--------
>>> from cxlab.summary import SurveyData                         # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                         # doctest: +SKIP
>>> needs_map(data, "2026-Q3", by=["segment", "direction"])      # doctest: +SKIP
>>> cross_sell(data, "2026-Q3").head()                           # doctest: +SKIP
"""

from __future__ import annotations

import math

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
from cxlab.drivers.cross_selling import cross_sell
from cxlab.errors import ParameterError
from cxlab.metrics.breakdown import check_min_n
from cxlab.stats.intervals import check_confidence, wilson

__all__ = ["needs_map", "development_priorities", "needs_over_waves", "NEEDS_BY", "SHARE_METHOD"]


#: What :func:`needs_map` can break the needs down by.
NEEDS_BY = ("service", "direction", "segment", "client")
#: Respondent attributes that define cells (the rest name the level of what is lacked).
_CELL_BY = ("segment",)

SHARE_METHOD = (
    "share of the wave's respondents naming the service as lacking; Wilson interval "
    "on the effective n = n / design effect (clients as clusters, linearised ratio "
    "variance, design effect floored at 1)"
)
_SHARE_METHOD_DIRECTION = SHARE_METHOD.replace("naming the service", "naming any service of the direction")
_CLIENT_METHOD = (
    "descriptive: services named as lacking by any respondent of the client; no interval "
    "(one to four respondents per client)"
)
_ALL = "_all"


# --------------------------------------------------------------------------- inputs
def _parse_by(by) -> tuple[list[str], str | None]:
    """``by`` -> (cell columns, level); level None for the per-client table."""
    raw = [by] if isinstance(by, str) else list(by) if by is not None else []
    bad = [b for b in raw if b not in NEEDS_BY]
    if not raw or bad:
        raise ParameterError(
            f"by must be one of {', '.join(NEEDS_BY)} or a list of them, got {by!r}", parameter="by", value=by
        )
    if "client" in raw:
        if len(set(raw)) > 1:
            raise ParameterError(
                "by='client' is a per-client table and cannot be combined with "
                f"{', '.join(b for b in raw if b != 'client')}",
                parameter="by",
                value=by,
            )
        return [], None
    cells = [b for b in dict.fromkeys(raw) if b in _CELL_BY]
    return cells, ("service" if "service" in raw else "direction")


# --------------------------------------------------------------------------- estimator
def _cluster_wilson(
    n: int, m: int, clusters: int, s_mm: float, s_mn: float, s_nn: float, confidence: float
) -> tuple[float, float, float, float]:
    """Share m/n, its Wilson interval on n / design effect, and the design effect.

    The clustered variance is the Taylor linearisation of the ratio
    sum_c m_c / sum_c n_c over clusters c, C/(C-1) * sum_c (m_c - p n_c)^2 / n^2;
    the design effect divides it by the simple-random-sampling variance of
    the same mean, p(1-p)/(n-1), so one respondent per cluster gives exactly 1.
    """
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    p = m / n
    if m == 0 or m == n:
        # Nothing varies, so there is no clustering to estimate; Wilson still bounds the share
        # (its bound at the edge is exactly 0 or 1, up to round-off).
        low, high = wilson(m, n, confidence)
        return p, (0.0 if m == 0 else low), (1.0 if m == n else high), math.nan
    if clusters < 2:
        # All respondents from one client: they are worth one independent answer at best.
        deff, used = math.nan, float(n)
    else:
        ss = s_mm - 2 * p * s_mn + p * p * s_nn
        var_cl = clusters / (clusters - 1) * ss / n**2
        deff = var_cl / (p * (1 - p) / (n - 1))
        # Round-off would otherwise nudge the exact 1 of unclustered data below or above it.
        used = max(1.0, round(deff, 12))
    n_eff = n / used
    low, high = wilson(p * n_eff, n_eff, confidence)
    return p, low, high, deff


def _share_table(
    resp: pd.DataFrame, named_items: pd.DataFrame, cells: list[str], items: list, confidence: float
) -> pd.DataFrame:
    """Respondents, mentions, share, interval and design effect per cell x item.

    ``resp``: response_id, client_id and the cell columns; ``named_items``:
    (response_id, item) pairs at the wanted level.
    """
    resp = resp.copy()
    if not cells:
        resp[_ALL] = 0
    keys = cells or [_ALL]
    per_client = resp.groupby(keys + ["client_id"], dropna=False).size().rename("n_c").reset_index()
    cell = (
        per_client.assign(nn=per_client["n_c"] ** 2)
        .groupby(keys, dropna=False)
        .agg(respondents=("n_c", "sum"), clients=("client_id", "nunique"), s_nn=("nn", "sum"))
        .reset_index()
    )
    grid = cell.merge(pd.DataFrame({"item": pd.Series(items, dtype=object)}), how="cross")
    m = named_items.merge(resp[["response_id", "client_id"] + keys], on="response_id")
    m_c = m.groupby(keys + ["client_id", "item"], dropna=False).size().rename("m_c").reset_index()
    m_c = m_c.merge(per_client, on=keys + ["client_id"])
    agg = (
        m_c.assign(mm=m_c["m_c"] ** 2, mn=m_c["m_c"] * m_c["n_c"])
        .groupby(keys + ["item"], dropna=False)
        .agg(mentions=("m_c", "sum"), clients_needing=("client_id", "nunique"), s_mm=("mm", "sum"), s_mn=("mn", "sum"))
        .reset_index()
    )
    grid = grid.merge(agg, on=keys + ["item"], how="left")
    for col in ("mentions", "clients_needing", "s_mm", "s_mn"):
        grid[col] = grid[col].fillna(0).astype(int)
    est: list[tuple[float, float, float, float]] | np.ndarray  # per cell, then as one array
    est = [
        _cluster_wilson(int(r.respondents), int(r.mentions), int(r.clients), r.s_mm, r.s_mn, r.s_nn, confidence)
        for r in grid.itertuples(index=False)
    ]
    est = np.array(est, dtype=float).reshape(-1, 4)
    grid["share"], grid["ci_low"], grid["ci_high"], grid["design_effect"] = est.T
    grid = grid.drop(columns=["s_nn", "s_mm", "s_mn"])
    if not cells:
        grid = grid.drop(columns=_ALL)
    return grid


def _suppress(out: pd.DataFrame, min_n: int) -> pd.DataFrame:
    out["suppressed"] = (out["respondents"] < min_n).to_numpy(dtype=bool)
    # Blank everything read from the answers; respondents and the client base stay to show why.
    for col in ("mentions", "clients_needing"):
        out[col] = out[col].astype("Int64")
        out.loc[out["suppressed"], col] = pd.NA
    out.loc[out["suppressed"], ["share", "ci_low", "ci_high", "design_effect"]] = np.nan
    return out


# --------------------------------------------------------------------------- needs_map
def needs_map(data, wave: str, *, by="direction", min_n: int = 10, confidence: float = 0.95) -> pd.DataFrame:
    """Share of a wave's respondents who lack each service or direction, by cell.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
        The survey's frames (``SurveyData.from_workspace(ws)``).
    wave : str
        Wave id; it must exist and have responses.
    by : {"direction", "service", "segment", "client"} or list of them
        ``"service"`` or ``"direction"`` sets the level of what is lacked (a
        respondent lacks a direction when they name any of its services);
        ``"segment"`` splits the respondents into cells (at the direction
        level unless ``"service"`` is also given), so ``["segment",
        "direction"]`` is the segment x direction grid of a heat map.
        ``"client"`` (alone) gives the descriptive per-client table.
    min_n : int, default 10
        Cells with fewer respondents are suppressed: ``mentions``,
        ``clients_needing``, ``share``, the interval and the design effect are
        blanked, ``respondents`` and the client base stay.
    confidence : float, default 0.95

    Returns
    -------
    DataFrame
        One row per cell and service (or direction), every catalogue entry
        included (zero mentions when nobody named it), in catalogue order:
        the cell columns (``segment``), then ``service_id, direction, name_ru,
        name_en`` or ``direction``, then

        - ``respondents``: the cell's respondents in the wave (the denominator);
        - ``mentions``: respondents naming it;
        - ``share``, ``ci_low``, ``ci_high``: mentions / respondents with a
          Wilson interval on the effective sample size n / design effect;
        - ``design_effect``: clustered over simple-random-sampling variance of
          the share (clients as clusters; NaN when nothing varies or all
          respondents come from one client, which then counts as n = 1);
        - ``clients``: distinct clients of the cell's respondents;
        - ``clients_needing``: of those, clients with a respondent naming it
          (whatever they buy; :func:`cross_sell` counts only non-buyers);
        - ``clients_buying``: clients of the cell buying that service (any
          service of that direction) when the wave opened;
        - ``penetration``: clients_buying / clients;
        - ``suppressed``, ``method``.

        For ``by="client"``: one row per responding client, ``client_id,
        name, segment, contract_value, respondents, services_lacked``
        (service ids named by any of its respondents, joined by ", ", in
        catalogue order), ``n_lacked``, ``already_buys`` (services bought when
        the wave opened), ``method``; no interval and no suppression.
        ``attrs["notes"]`` says when the wave has no need answers at all.

    Raises
    ------
    ValueError
        An unknown wave (the message lists the waves), a wave without
        responses, or an unknown ``by`` (the message lists the allowed values).

    Examples
    --------
    >>> grid = needs_map(data, "2026-Q3", by=["segment", "direction"])  # doctest: +SKIP
    >>> grid.pivot(index="segment", columns="direction", values="share")  # doctest: +SKIP
    """
    confidence = check_confidence(confidence)
    min_n = check_min_n(min_n)
    cells, level = _parse_by(by)
    rec = _wave_record(data, wave)
    svc, directions = _catalogue(data)
    resp = _respondents(data, wave)
    named = _named(data, resp)
    bought = _bought(data, rec.get("opened_at"))
    notes = _no_needs_note(named, wave)
    if level is None:
        out = _by_client(data, resp, named, bought, svc)
        out.attrs["notes"] = notes
        return out

    items = _items(svc, directions, level, named)
    out = _share_table(
        resp[["response_id", "client_id"] + cells],
        _to_level(named, svc, level, "response_id"),
        cells,
        items,
        confidence,
    )
    # Clients of each cell buying the item when the wave opened.
    cell_clients = resp[cells + ["client_id"]].drop_duplicates()
    buys = _to_level(bought, svc, level, "client_id").merge(cell_clients, on="client_id")
    n_buy = buys.groupby(cells + ["item"], dropna=False)["client_id"].nunique().rename("clients_buying")
    out = out.merge(n_buy.reset_index(), on=cells + ["item"], how="left")
    out["clients_buying"] = out["clients_buying"].fillna(0).astype(int)
    out["penetration"] = out["clients_buying"] / out["clients"].where(out["clients"] > 0)
    out = _suppress(out, min_n)
    out["method"] = SHARE_METHOD if level == "service" else _SHARE_METHOD_DIRECTION

    out, label_cols = _with_labels(out, svc, level)
    order = {k: i for i, k in enumerate(items)}
    out["_order"] = out[label_cols[0]].map(order)
    out = out.sort_values(cells + ["_order"], kind="stable").drop(columns="_order")
    cols = (
        cells
        + label_cols
        + [
            "respondents",
            "mentions",
            "share",
            "ci_low",
            "ci_high",
            "design_effect",
            "clients",
            "clients_needing",
            "clients_buying",
            "penetration",
            "suppressed",
            "method",
        ]
    )
    out = out[cols].reset_index(drop=True)
    out.attrs["notes"] = notes
    return out


def _by_client(data, resp, named, bought, svc) -> pd.DataFrame:
    order = {s: i for i, s in enumerate(svc["service_id"])}
    m = named.merge(resp[["response_id", "client_id"]], on="response_id")[["client_id", "service_id"]]
    m = m.drop_duplicates().assign(_o=lambda f: f["service_id"].map(order).fillna(len(order)))
    lacked = (
        m.sort_values(["client_id", "_o", "service_id"]).groupby("client_id")["service_id"].agg(lambda s: ", ".join(s))
    )
    out = resp.groupby("client_id").size().rename("respondents").reset_index()
    cl = data.clients.drop_duplicates("client_id").set_index("client_id")
    for col in ("name", "segment", "contract_value"):
        out[col] = out["client_id"].map(cl[col]) if col in cl.columns else None
    out["contract_value"] = out["contract_value"].astype(float)
    out["services_lacked"] = out["client_id"].map(lacked).astype(object).fillna("")
    out["n_lacked"] = out["client_id"].map(m.groupby("client_id").size()).fillna(0).astype(int)
    out["already_buys"] = out["client_id"].map(bought.groupby("client_id").size()).fillna(0).astype(int)
    out["method"] = _CLIENT_METHOD
    out = out.sort_values(["n_lacked", "contract_value", "client_id"], ascending=[False, False, True])
    return out[
        [
            "client_id",
            "name",
            "segment",
            "contract_value",
            "respondents",
            "services_lacked",
            "n_lacked",
            "already_buys",
            "method",
        ]
    ].reset_index(drop=True)


# --------------------------------------------------------------------------- priorities
def _direction_labels(data, wave: str, lang: str) -> dict:
    from cxlab.questionnaire import find_questionnaire

    name = _wave_record(data, wave).get("questionnaire")
    q = find_questionnaire(name) if isinstance(name, str) else None
    return {} if q is None else {d["id"]: d[lang] for d in q.directions}


def development_priorities(
    data,
    wave: str,
    top: int = 5,
    lang: str = "ru",
    *,
    min_n: int = 10,
    confidence: float = 0.95,
    labels: dict | None = None,
) -> pd.DataFrame:
    """The directions to develop first: ordered by the contract value open to cross-sell.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
    wave : str
    top : int, default 5
        How many directions to keep.
    lang : {"ru", "en"}
        Language of ``label`` (direction names from the wave's questionnaire).
    min_n : int, default 10
        As in :func:`needs_map` (the wave as a whole).
    confidence : float, default 0.95
    labels : dict, optional
        Direction id -> name, for a questionnaire this checkout cannot load;
        by default the names come from the wave's questionnaire template, and
        the id stands in for a direction it does not name.

    Returns
    -------
    DataFrame
        ``priority_rank, direction, label, respondents, share, ci_low,
        ci_high`` (share of the wave's respondents lacking any service of the
        direction, as in :func:`needs_map`), ``clients_needing,
        potential_value`` (clients with an open need and their contract
        value, as in :func:`cross_sell`), ``method``.

    Examples
    --------
    >>> development_priorities(data, "2026-Q3", top=3, lang="en")  # doctest: +SKIP
    """
    if lang not in ("ru", "en"):
        raise ParameterError(f"lang must be one of ru, en, got {lang!r}", parameter="lang", value=lang)
    if isinstance(top, bool) or not float(top).is_integer() or top < 1:
        raise ParameterError(f"top must be a whole number >= 1, got {top!r}", parameter="top", value=top)
    cs = cross_sell(data, wave, level="direction", confidence=confidence)
    share = needs_map(data, wave, by="direction", min_n=min_n, confidence=confidence)
    out = cs[["priority_rank", "direction", "clients_needing", "potential_value"]].merge(
        share[["direction", "respondents", "share", "ci_low", "ci_high"]], on="direction", how="left"
    )
    names = labels if labels is not None else _direction_labels(data, wave, lang)
    out["label"] = out["direction"].map(lambda d: names.get(d, d))
    out["method"] = (
        f"share: {_SHARE_METHOD_DIRECTION}; potential value: sum of annual contract values of "
        "responding clients naming a service of the direction they did not buy when the wave opened"
    )
    out = out.sort_values("priority_rank").head(int(top))
    out.attrs["notes"] = cs.attrs.get("notes", [])
    return out[
        [
            "priority_rank",
            "direction",
            "label",
            "respondents",
            "share",
            "ci_low",
            "ci_high",
            "clients_needing",
            "potential_value",
            "method",
        ]
    ].reset_index(drop=True)


# --------------------------------------------------------------------------- over waves
def needs_over_waves(data, *, by: str = "direction", min_n: int = 10, confidence: float = 0.95) -> pd.DataFrame:
    """Share of respondents lacking each direction (or service), wave by wave.

    The same estimator as :func:`needs_map` (whole wave, no cells), so a
    trend chart and the wave's map agree.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
    by : {"direction", "service"}
    min_n : int, default 10
        Waves with fewer respondents are suppressed.
    confidence : float, default 0.95

    Returns
    -------
    DataFrame
        One row per wave with responses (in order of ``opened_at``) and
        catalogue entry: ``wave_id``, ``service_id, direction, name_ru,
        name_en`` (or ``direction``), ``respondents, mentions, share, ci_low,
        ci_high, design_effect, suppressed, method``.  ``attrs["notes"]``
        names waves without any need answer (the question may not have been
        asked there, so their zeros are not a fall in demand).

    Examples
    --------
    >>> t = needs_over_waves(data)                                   # doctest: +SKIP
    >>> t.pivot(index="wave_id", columns="direction", values="share")  # doctest: +SKIP
    """
    confidence = check_confidence(confidence)
    min_n = check_min_n(min_n)
    if by not in ("direction", "service"):
        raise ParameterError(f"by must be one of direction, service, got {by!r}", parameter="by", value=by)
    _svc, _directions = _catalogue(data)
    waves = data.waves.copy()
    if "opened_at" in waves.columns:
        waves = waves.sort_values(["opened_at", "wave_id"], na_position="last")
    else:
        waves = waves.sort_values("wave_id")
    answered = set(data.responses["wave_id"])
    parts, notes = [], []
    for wave in [w for w in waves["wave_id"] if w in answered]:
        part = needs_map(data, wave, by=by, min_n=min_n, confidence=confidence)
        notes += part.attrs.get("notes", [])
        part.insert(0, "wave_id", wave)
        parts.append(part)
    label_cols = ["service_id", "direction", "name_ru", "name_en"] if by == "service" else ["direction"]
    cols = (
        ["wave_id"]
        + label_cols
        + ["respondents", "mentions", "share", "ci_low", "ci_high", "design_effect", "suppressed", "method"]
    )
    out = pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
    out.attrs["notes"] = notes
    return out
