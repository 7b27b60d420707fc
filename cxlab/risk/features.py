"""What was known about each client at each wave: the panel rules and models read.

:func:`client_waves` builds one row per client account and wave it was
active at, with everything that was *known when the wave closed* and
nothing later:

- the wave's answers of the client's respondents (mean recommend score,
  decision makers' and other contacts' scores, overall satisfaction, price
  perception, each relationship attribute), and how many contacts were
  invited, reached and answered;
- the same figures' change since the client last answered, the last known
  score when the client is silent, and how many waves in a row it has been;
- a score index (recommend, overall, attribute and service ratings on one
  0-10 scale) with its last known value, its exponentially weighted history
  and its change: the steadier reading of satisfaction the churn model uses
  first;
- events up to the wave's close (manager changes, complaints, scope cuts,
  downsizing, expansion), tenure, services bought by then and the contract
  value set at the latest renewal known by then.

:func:`churn_labels` adds the outcome, from ``events``: did the client
churn within ``horizon_months`` after the wave closed?  A row whose window
runs past the end of the data and holds no churn is *censored* (label
missing), never counted as "stayed".

Every feature of a wave is computed from rows dated on or before its cutoff
(the wave's ``closed_at``), so removing later waves and events cannot change
it (``tests/risk/test_features.py`` checks exactly that).

Examples
--------
>>> from cxlab.summary import SurveyData                 # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                 # doctest: +SKIP
>>> panel = churn_labels(data, client_waves(data))       # doctest: +SKIP
>>> panel[["client_id", "wave_id", "nps_mean", "silent_waves", "churned_12m"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlab.errors import DataError, ParameterError

__all__ = [
    "client_waves",
    "churn_labels",
    "wave_cutoffs",
    "known_at",
    "data_end",
    "MODEL_FEATURES",
    "FEATURE_LABELS",
    "KEY_ATTRIBUTES",
    "CHURN_KINDS",
    "SCORE_EWM_ALPHA",
]

#: Event kinds that end a relationship (the churn label).
CHURN_KINDS = ("churned",)
#: Weight of the latest answer in ``score_ewm`` (each earlier answered wave counts half as much as the next).
SCORE_EWM_ALPHA = 0.5
#: Attributes the key-attribute rule and the model watch first (where the questionnaire has them).
KEY_ATTRIBUTES = ("responsiveness", "deadlines", "understanding_goals")
_DECISION = "decision_maker"
_NOT_REACHED = ("planned", "bounced", "unreachable")

#: Features the churn model uses (attribute means are added as ``attr_<id>``).
MODEL_FEATURES = (
    "score_last",
    "score_ewm",
    "score_history",
    "score_change",
    "nps_last",
    "nps_change",
    "nps_min",
    "detractor_share",
    "dm_nps",
    "divergence",
    "overall_mean",
    "price_mean",
    "attr_mean",
    "attr_min",
    "responded",
    "silent_waves",
    "waves_since_answer",
    "response_share",
    "manager_changes_6m",
    "complaints_6m",
    "downsized_12m",
    "expanded_12m",
    "tenure_years",
    "log_contract_value",
    "n_services",
)

FEATURE_LABELS = {
    "score_index": {"ru": "индекс оценки в волне (0-10)", "en": "score index this wave (0-10)"},
    "score_last": {"ru": "последний известный индекс оценки", "en": "last known score index"},
    "score_ewm": {"ru": "сглаженный индекс оценки по истории", "en": "score index smoothed over past answers"},
    "score_history": {"ru": "средний индекс оценки за всё время", "en": "mean score index over all answers"},
    "score_change": {"ru": "изменение индекса с прошлого ответа", "en": "change in score index since the last answer"},
    "nps_mean": {"ru": "оценка рекомендации в волне", "en": "recommend score this wave"},
    "nps_last": {"ru": "последняя известная оценка рекомендации", "en": "last known recommend score"},
    "nps_change": {"ru": "изменение оценки с прошлого ответа", "en": "change in score since the last answer"},
    "nps_min": {"ru": "самая низкая оценка среди контактов", "en": "lowest score among the contacts"},
    "detractor_share": {"ru": "доля критиков среди контактов", "en": "share of detractors among contacts"},
    "dm_nps": {"ru": "оценка лиц, принимающих решения", "en": "decision makers' score"},
    "divergence": {"ru": "расхождение ЛПР и контактного лица", "en": "decision maker vs day-to-day gap"},
    "overall_mean": {"ru": "общая удовлетворённость", "en": "overall satisfaction"},
    "price_mean": {"ru": "восприятие цены", "en": "price perception"},
    "attr_mean": {"ru": "средняя оценка атрибутов работы", "en": "mean attribute rating"},
    "attr_min": {"ru": "самая низкая оценка атрибута", "en": "lowest attribute rating"},
    "responded": {"ru": "ответил в этой волне", "en": "answered this wave"},
    "silent_waves": {"ru": "волн подряд без ответа", "en": "waves in a row without an answer"},
    "waves_since_answer": {"ru": "волн с последнего ответа", "en": "waves since the last answer"},
    "response_share": {"ru": "доля ответивших контактов", "en": "share of contacts who answered"},
    "manager_changes_6m": {"ru": "смены менеджера за 6 мес.", "en": "manager changes in 6 months"},
    "complaints_6m": {"ru": "жалобы за 6 мес.", "en": "complaints in 6 months"},
    "downsized_12m": {"ru": "сокращения бюджета за 12 мес.", "en": "budget cuts in 12 months"},
    "expanded_12m": {"ru": "расширения за 12 мес.", "en": "expansions in 12 months"},
    "tenure_years": {"ru": "лет сотрудничества", "en": "years as a client"},
    "log_contract_value": {"ru": "сумма контракта (лог)", "en": "contract value (log)"},
    "n_services": {"ru": "число услуг", "en": "number of services"},
}


def wave_cutoffs(waves: pd.DataFrame, responses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each wave's cutoff date (what was known by then), in time order.

    The cutoff is ``closed_at``; a wave without one is cut at its last
    response, then at ``opened_at``.  Returns ``wave_id, opened_at, cutoff,
    order`` sorted by cutoff.

    >>> w = pd.DataFrame({"wave_id": ["B", "A"], "opened_at": pd.to_datetime(["2026-06-01", "2026-03-01"]),
    ...                   "closed_at": pd.to_datetime(["2026-06-20", "2026-03-20"])})
    >>> wave_cutoffs(w)["wave_id"].tolist()
    ['A', 'B']
    """
    out = waves[["wave_id"]].copy()
    out["opened_at"] = pd.to_datetime(waves.get("opened_at"))
    cutoff = pd.to_datetime(waves.get("closed_at"))
    if responses is not None and len(responses) and "submitted_at" in responses:
        last = pd.to_datetime(responses["submitted_at"]).groupby(responses["wave_id"]).max().dt.normalize()
        cutoff = cutoff.fillna(out["wave_id"].map(last))
    out["cutoff"] = cutoff.fillna(out["opened_at"])
    missing = out.loc[out["cutoff"].isna(), "wave_id"].tolist()
    if missing:
        raise DataError(
            f"waves {missing} have no closed_at, opened_at or responses: cannot date them",
            columns=["closed_at", "opened_at"],
        )
    out = out.sort_values(["cutoff", "wave_id"]).reset_index(drop=True)
    out["order"] = np.arange(len(out))
    return out


def data_end(data) -> pd.Timestamp:
    """The last date the workspace can speak for: the latest wave cutoff or event, whichever is later."""
    ends = [wave_cutoffs(data.waves, data.responses)["cutoff"].max()]
    if len(data.events):
        ends.append(pd.to_datetime(data.events["date"]).max())
    return max(e for e in ends if pd.notna(e))


def known_at(data, date):
    """The survey data as it stood on ``date``: later waves, responses, answers, invitations, events, actions removed.

    Used to show that nothing after a wave leaks into its features.
    """
    import dataclasses

    date = pd.Timestamp(date)
    cut = wave_cutoffs(data.waves, data.responses)
    keep = set(cut.loc[cut["cutoff"] <= date, "wave_id"])
    responses = data.responses[data.responses["wave_id"].isin(keep)]
    events = data.events
    if len(events):
        events = events[pd.to_datetime(events["date"]) <= date]
    actions = data.actions
    if len(actions) and "wave_id" in actions:
        actions = actions[actions["wave_id"].isin(keep)]
    return dataclasses.replace(
        data,
        waves=data.waves[data.waves["wave_id"].isin(keep)],
        responses=responses,
        answers=data.answers[data.answers["response_id"].isin(responses["response_id"])],
        invitations=data.invitations[data.invitations["wave_id"].isin(keep)],
        events=events,
        actions=actions,
    )


def client_waves(data, waves=None) -> pd.DataFrame:
    """One row per client and wave it was active at, with what was known at the wave's cutoff.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
        Needs ``responses`` (with ``role``), ``answers``, ``waves``,
        ``clients``, ``contacts``, ``invitations``, ``client_services`` and
        ``events``.
    waves : list of str, optional
        Waves to return (default all); the history before them is always used.

    Returns
    -------
    DataFrame
        ``client_id, wave_id, order, cutoff`` and the features listed in
        :data:`FEATURE_LABELS` (plus ``nps_mean``, ``nps_prev``,
        ``prev_wave``, ``n_prev`` (respondents then), ``n_invited``, ``n_reached``, ``n_responses``,
        ``others_nps``, ``score_index``, ``attr_<id>`` and ``attr_<id>_change`` for every
        attribute rated, ``price_change``, ``overall_change``,
        ``contract_value`` (at the latest renewal known) and
        ``current_value`` (the clients table's, for revenue at risk)).
        Scores are means over the client's respondents; a client counts as
        active at a wave when it had started by the cutoff and had not
        churned before it, or when it was invited or answered.

    Examples
    --------
    >>> panel = client_waves(data)                                   # doctest: +SKIP
    >>> panel.loc[panel["silent_waves"] >= 2, ["client_id", "wave_id"]]  # doctest: +SKIP
    """
    cut = wave_cutoffs(data.waves, data.responses)
    reach = _reach(data)
    panel = _active_clients(data, cut, reach)
    panel = panel.merge(_wave_scores(data), on=["client_id", "wave_id"], how="left")
    panel = panel.merge(reach, on=["client_id", "wave_id"], how="left")
    for col in _SCORE_COLUMNS:
        if col not in panel:  # a workspace without responses yet
            panel[col] = np.nan
    for col in ("n_invited", "n_reached", "n_responses"):
        panel[col] = panel[col].fillna(0).astype("int64")
    panel["responded"] = (panel["n_responses"] > 0).astype(float)
    panel["response_share"] = np.where(
        panel["n_reached"] > 0, panel["n_responses"] / panel["n_reached"].clip(lower=1), np.nan
    )
    panel = _history(panel)
    panel = _with_events(panel, data)
    panel = _with_account(panel, data)
    if waves is not None:
        waves = [waves] if isinstance(waves, str) else list(waves)
        unknown = sorted(set(waves) - set(cut["wave_id"]))
        if unknown:
            raise ParameterError(
                f"unknown waves {unknown}; waves: {cut['wave_id'].tolist()}", parameter="waves", value=unknown
            )
        panel = panel[panel["wave_id"].isin(waves)]
    return panel.sort_values(["order", "client_id"]).reset_index(drop=True)


def _churn_dates(events: pd.DataFrame, kinds=CHURN_KINDS) -> pd.DataFrame:
    if not len(events):
        return pd.DataFrame({"client_id": pd.Series(dtype=str), "date": pd.Series(dtype="datetime64[us]")})
    ev = events[events["kind"].isin(kinds)]
    return pd.DataFrame({"client_id": ev["client_id"], "date": pd.to_datetime(ev["date"])})


def _active_clients(data, cut: pd.DataFrame, reach: pd.DataFrame) -> pd.DataFrame:
    clients = data.clients[["client_id"]].copy()
    clients["start"] = pd.to_datetime(data.clients.get("start_date"))
    churns = _churn_dates(data.events).groupby("client_id")["date"].apply(sorted)
    rows = clients.merge(cut[["wave_id", "order", "cutoff", "opened_at"]], how="cross")
    # A client that started or churned before the wave opened is in or out;
    # a start or churn during the fieldwork leaves it as it was.
    opened = rows["opened_at"].fillna(rows["cutoff"])
    started = rows["start"].isna() | (rows["start"] <= opened)
    last_churn_before = _last_before(rows, churns, opened)
    gone = last_churn_before.notna() & ~_came_back(rows, data, last_churn_before)
    active = started & ~gone
    # Whoever was invited or answered was a client at that wave, whatever the dates say.
    seen = set(zip(data.responses["client_id"], data.responses["wave_id"]))
    seen |= set(zip(reach["client_id"], reach["wave_id"]))
    seen_mask = pd.Series([(c, w) in seen for c, w in zip(rows["client_id"], rows["wave_id"])], index=rows.index)
    return rows.loc[active | seen_mask, ["client_id", "wave_id", "order", "cutoff"]].reset_index(drop=True)


def _last_before(rows: pd.DataFrame, churns: pd.Series, dates: pd.Series) -> pd.Series:
    out = []
    for client, date in zip(rows["client_id"], dates):
        ds = churns.get(client, [])
        before = [d for d in ds if d < date]
        out.append(before[-1] if before else pd.NaT)
    return pd.Series(out, index=rows.index, dtype="datetime64[ns]")


def _came_back(rows: pd.DataFrame, data, since: pd.Series) -> pd.Series:
    """A client that churned and later renewed or expanded again is back (a returning client)."""
    ev = data.events
    if not len(ev):
        return pd.Series(False, index=rows.index)
    back = ev[ev["kind"].isin(("renewed", "expanded"))]
    dates = pd.to_datetime(back["date"]).groupby(back["client_id"]).apply(list)
    out = []
    for client, s, cutoff in zip(rows["client_id"], since, rows["cutoff"]):
        out.append(pd.notna(s) and any(s < d <= cutoff for d in dates.get(client, [])))
    return pd.Series(out, index=rows.index)


_SCORE_COLUMNS = (
    "nps_mean",
    "nps_min",
    "detractor_share",
    "overall_mean",
    "price_mean",
    "n_responses",
    "dm_nps",
    "others_nps",
    "divergence",
    "attr_mean",
    "attr_min",
)


def _wave_scores(data) -> pd.DataFrame:
    """The client's answers in each wave: recommend, roles, overall, price, attributes."""
    r = data.responses
    keys = ["client_id", "wave_id"]
    if not len(r):
        return pd.DataFrame(columns=keys)
    r = r.assign(detractor=(r["nps"] < 7).where(r["nps"].notna()), dm=r["role"].eq(_DECISION) if "role" in r else False)
    g = r.groupby(keys)
    out = pd.DataFrame(
        {
            "nps_mean": g["nps"].mean(),
            "nps_min": g["nps"].min(),
            "detractor_share": g["detractor"].mean(),
            "overall_mean": g["overall"].mean(),
            "price_mean": g["price"].mean(),
            "n_responses": g.size(),
        }
    )
    dm = r[r["dm"]].groupby(keys)["nps"].mean().rename("dm_nps")
    others = r[~r["dm"]].groupby(keys)["nps"].mean().rename("others_nps")
    out = out.join(dm).join(others)
    # The divergence: the boss against the people who work with the agency day to day.
    out["divergence"] = out["dm_nps"] - out["others_nps"]
    a = data.answers
    if len(a) and "kind" in a:
        a = a[a["kind"] == "attribute"].merge(r[["response_id"] + keys], on="response_id")
        if len(a):
            attrs = a.pivot_table(index=keys, columns="item", values="value", aggfunc="mean")
            attrs.columns = [f"attr_{c}" for c in attrs.columns]
            per_response = a.groupby("response_id")["value"].agg(["mean", "min"]).join(r.set_index("response_id")[keys])
            summary = per_response.groupby(keys).agg(attr_mean=("mean", "mean"), attr_min=("min", "min"))
            out = out.join(attrs).join(summary)
    out = out.join(_score_index(data, r))
    return out.reset_index()


def _to_ten(values: pd.Series, scales: pd.Series, default: str) -> pd.Series:
    """Values on their scale (``'1-5'``, ``'0-10'``...) mapped linearly to 0-10."""
    from cxlab.schema import parse_scale

    scales = scales.astype(object).fillna(default).astype(str)
    bounds = {s: parse_scale(s) for s in pd.unique(scales)}
    lo = scales.map(lambda s: bounds[s][0]).astype(float)
    hi = scales.map(lambda s: bounds[s][1]).astype(float)
    return (values.astype(float) - lo) / (hi - lo) * 10


def _score_index(data, r: pd.DataFrame) -> pd.Series:
    """The client's score index per wave: every rating it gave, on one 0-10 scale.

    Each response's index is the mean of up to four blocks, each put on 0-10
    by its own scale: the recommend score, overall satisfaction, the mean of
    the attribute ratings and the mean of the service ratings; the client's
    index is the mean over its respondents.  One recommend score moves in
    whole points and a 1-5 rating in steps of 2.5: averaging a dozen
    ratings reads the client's satisfaction with far less noise than any of
    them alone, with fixed equal block weights (nothing fitted, so nothing
    from later waves can leak in).
    """
    keys = ["client_id", "wave_id"]
    waves = data.waves.set_index("wave_id")
    blocks = pd.DataFrame(index=r.index)
    nps_scale = r["wave_id"].map(waves["nps_scale"]) if "nps_scale" in waves else pd.Series(np.nan, index=r.index)
    blocks["nps"] = _to_ten(r["nps"], nps_scale, "0-10")
    if "overall" in r:
        rating = (
            r["wave_id"].map(waves["rating_scale"]) if "rating_scale" in waves else pd.Series(np.nan, index=r.index)
        )
        blocks["overall"] = _to_ten(r["overall"], rating, "1-5")
    a = data.answers
    if len(a) and {"kind", "value", "response_id"} <= set(a.columns):
        a = a[a["kind"].isin(("attribute", "service")) & a["value"].notna()]
        if len(a):
            scale = a["scale"] if "scale" in a else pd.Series(np.nan, index=a.index)
            a = a.assign(v=_to_ten(a["value"], scale, "1-5"))
            means = a.groupby(["response_id", "kind"])["v"].mean().unstack()
            for kind in ("attribute", "service"):
                if kind in means:
                    blocks[kind] = r["response_id"].map(means[kind]).to_numpy()
    index = blocks.mean(axis=1, skipna=True)
    return index.groupby([r["client_id"], r["wave_id"]]).mean().rename_axis(keys).rename("score_index")


def _reach(data) -> pd.DataFrame:
    """Contacts invited and reached per client and wave (from the invitations and the contacts' accounts)."""
    inv, contacts = data.invitations, data.contacts
    keys = ["client_id", "wave_id"]
    if not len(inv) or not len(contacts):
        return pd.DataFrame(columns=keys + ["n_invited", "n_reached"])
    inv = inv[inv["status"] != "planned"].merge(contacts[["contact_id", "client_id"]], on="contact_id")
    g = inv.assign(reached=~inv["status"].isin(_NOT_REACHED)).groupby(keys)
    return pd.DataFrame({"n_invited": g.size(), "n_reached": g["reached"].sum()}).reset_index()


def _history(panel: pd.DataFrame) -> pd.DataFrame:
    """Changes since the client's previous answer, last known score, silence in a row."""
    panel = panel.sort_values(["client_id", "order"]).reset_index(drop=True)
    answered = panel["n_responses"] > 0
    # Previous answered wave: shift, then carry the last answered values forward.
    if "score_index" not in panel:
        panel["score_index"] = np.nan
    prev_cols = ["nps_mean", "n_responses", "overall_mean", "price_mean", "score_index"] + [
        c for c in panel if c.startswith("attr_")
    ]
    answered_rows = panel[prev_cols + ["wave_id"]].where(answered)
    carried = answered_rows.groupby(panel["client_id"]).ffill()
    previous = carried.groupby(panel["client_id"]).shift(1)
    panel["prev_wave"] = previous["wave_id"]
    panel["nps_prev"] = previous["nps_mean"]
    panel["n_prev"] = previous["n_responses"]
    panel["nps_change"] = panel["nps_mean"] - panel["nps_prev"]
    panel["overall_change"] = panel["overall_mean"] - previous["overall_mean"]
    panel["price_change"] = panel["price_mean"] - previous["price_mean"]
    for col in [c for c in prev_cols if c.startswith("attr_") and c not in ("attr_mean", "attr_min")]:
        panel[f"{col}_change"] = panel[col] - previous[col]
    panel["nps_last"] = carried["nps_mean"]
    panel["score_change"] = panel["score_index"] - previous["score_index"]
    panel["score_last"] = carried["score_index"]
    # Satisfaction has a lasting level and a drift: the weighted history (each
    # answer counts half as much as the next one) is steadier than the last
    # answer, the plain mean of all answers keeps the level.  Both use answered
    # waves up to this one only and carry through silent waves.
    by_client = panel.groupby("client_id", sort=False)["score_index"]
    panel["score_ewm"] = (
        by_client.ewm(alpha=SCORE_EWM_ALPHA, ignore_na=True).mean().reset_index(level=0, drop=True).reindex(panel.index)
    )
    panel["score_history"] = by_client.expanding().mean().reset_index(level=0, drop=True).reindex(panel.index)
    # Silence counts waves the client's contacts were reached and nobody answered.
    silent = (panel["n_reached"] > 0) & ~answered
    run = silent.astype(int).groupby((~silent).cumsum().add(panel["client_id"].factorize()[0] * len(panel))).cumsum()
    panel["silent_waves"] = run.where(silent, 0).astype("int64")
    last_answer = panel["order"].where(answered).groupby(panel["client_id"]).ffill()
    panel["waves_since_answer"] = (panel["order"] - last_answer).astype(float)
    return panel


def _with_events(panel: pd.DataFrame, data) -> pd.DataFrame:
    ev = data.events
    counts = {
        "manager_changes_6m": ("manager_changed", 183),
        "complaints_6m": ("complaint", 183),
        "scope_cuts_6m": ("scope_cut", 183),
        "downsized_12m": ("downsized", 365),
        "expanded_12m": ("expanded", 365),
    }
    for col in counts:
        panel[col] = 0.0
    panel["last_event"] = None
    if not len(ev):
        return panel
    ev = ev.assign(date=pd.to_datetime(ev["date"]))
    for col, (kind, days) in counts.items():
        e = ev.loc[ev["kind"] == kind, ["client_id", "date"]]
        if not len(e):
            continue
        m = panel[["client_id", "cutoff"]].reset_index().merge(e, on="client_id")
        inside = (m["date"] <= m["cutoff"]) & (m["date"] > m["cutoff"] - pd.Timedelta(days=days))
        panel[col] = m[inside].groupby("index").size().reindex(panel.index, fill_value=0).astype(float)
    return panel


def _with_account(panel: pd.DataFrame, data) -> pd.DataFrame:
    clients = data.clients.set_index("client_id")
    start = pd.to_datetime(panel["client_id"].map(clients.get("start_date", pd.Series(dtype="datetime64[ns]"))))
    panel["tenure_years"] = (panel["cutoff"] - start).dt.days / 365.25
    current = panel["client_id"].map(clients.get("contract_value", pd.Series(dtype=float))).astype(float)
    panel["current_value"] = current
    panel["contract_value"] = _value_at_renewal(panel, data.events).fillna(current)
    panel["log_contract_value"] = np.log1p(panel["contract_value"].clip(lower=0))
    cs = data.client_services
    if len(cs):
        since = pd.to_datetime(cs.get("since"))
        m = (
            panel[["client_id", "cutoff"]]
            .reset_index()
            .merge(cs.assign(since=since)[["client_id", "since"]], on="client_id")
        )
        ok = m["since"].isna() | (m["since"] <= m["cutoff"])
        panel["n_services"] = m[ok].groupby("index").size().reindex(panel.index, fill_value=0).astype(float)
    else:
        panel["n_services"] = np.nan
    return panel


def _value_at_renewal(panel: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Contract value set at the latest renewal known by the cutoff (NaN when none is known).

    The clients table holds today's value, which later cuts and expansions
    have moved; the value recorded with a renewal is what was known then.
    """
    if not len(events):
        return pd.Series(np.nan, index=panel.index)
    ren = events[(events["kind"] == "renewed") & events["value"].notna()]
    if not len(ren):
        return pd.Series(np.nan, index=panel.index)
    ren = ren.assign(date=pd.to_datetime(ren["date"]))[["client_id", "date", "value"]].sort_values("date")
    left = panel[["client_id", "cutoff"]].reset_index().sort_values("cutoff")
    left["cutoff"] = left["cutoff"].astype("datetime64[ns]")
    ren["date"] = ren["date"].astype("datetime64[ns]")
    m = pd.merge_asof(left, ren, left_on="cutoff", right_on="date", by="client_id", direction="backward")
    return m.set_index("index")["value"].reindex(panel.index)


def churn_labels(data, panel: pd.DataFrame, *, horizon_months: int = 12, kinds=CHURN_KINDS, as_of=None) -> pd.DataFrame:
    """Add the outcome: did the client churn within ``horizon_months`` after the wave's cutoff?

    Parameters
    ----------
    data : SurveyData
        Its ``events`` give the churn dates (``kind`` in ``kinds``).
    panel : DataFrame
        From :func:`client_waves`.
    horizon_months : int
    kinds : tuple of str
        Event kinds that count as lost (default ``churned``; add a kind of
        your own, e.g. a non-renewal, when the workspace records one).
    as_of : date, optional
        The end of what the data can tell (default :func:`data_end`).

    Returns
    -------
    DataFrame
        ``panel`` with ``churn_date`` (first churn after the cutoff),
        ``window_complete`` (the whole window lies before ``as_of``) and
        ``churned_12m`` (1.0 churned within the window, 0.0 stayed through
        a complete window, NaN censored: the window is not over and no
        churn yet).  The column keeps its name for any horizon.

    Examples
    --------
    >>> labelled = churn_labels(data, client_waves(data))   # doctest: +SKIP
    >>> labelled["churned_12m"].value_counts(dropna=False)   # doctest: +SKIP
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else data_end(data)
    out = panel.copy()
    end = out["cutoff"] + pd.DateOffset(months=horizon_months)
    churns = _churn_dates(data.events, kinds).sort_values("date")
    left = out[["client_id", "cutoff"]].reset_index().sort_values("cutoff")
    left["cutoff"] = left["cutoff"].astype("datetime64[ns]") + pd.Timedelta(microseconds=1)
    right = churns.rename(columns={"date": "churn_date"}).astype({"churn_date": "datetime64[ns]"})
    right["_d"] = right["churn_date"]
    m = pd.merge_asof(left, right, left_on="cutoff", right_on="_d", by="client_id", direction="forward")
    out["churn_date"] = m.set_index("index")["churn_date"].reindex(out.index)
    out["window_complete"] = end <= as_of
    within = out["churn_date"].notna() & (out["churn_date"] <= end)
    out["churned_12m"] = np.where(within, 1.0, np.where(out["window_complete"], 0.0, np.nan))
    return out
