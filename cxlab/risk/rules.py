"""Early-warning rules: transparent flags for hidden crises, each with its evidence.

Seven rules read the client × wave panel (:func:`cxlab.risk.features.client_waves`:
what was known about each client when a wave closed) and flag a client when

- ``score_drop``: its mean recommend score (0-10) fell since its last
  answered wave by more than the difference's interval allows;
- ``detractor_decision_maker``: a decision maker scored 6 or less;
- ``silence``: its contacts were reached this wave and nobody answered, or
  it has not answered for two waves running;
- ``divergence``: decision makers and the other contacts (day-to-day,
  marketing) differ by 3 points or more;
- ``price_risk``: prices seen as too high or poor value for money, together
  with a fall in the recommend score or overall satisfaction;
- ``key_attribute_drop``: responsiveness, deadlines or understanding of goals
  fell by a point or more (1-5);
- ``recent_events``: a manager change, complaint, scope cut or downsizing in
  the six months before the wave closed.

Every threshold is a field of :class:`RuleConfig`.

**The score-drop interval.**  A client has one to four respondents, too few
for an interval of its own.  The rule therefore borrows the spread of
individual scores *within* a client's wave from every client: the pooled
within-client-wave standard deviation

    sigma^2 = sum over client-waves of sum_i (x_i - mean)^2 / sum over client-waves of (n - 1)

over all waves up to and including the wave (nothing later).  Under "no
change" the difference of two means of n_now and n_prev respondents has
SE = sigma * sqrt(1/n_now + 1/n_prev); the rule fires when the fall exceeds
z * SE (z = 1.96, two-sided 95%) and is at least a minimum drop (1 point).
The same contacts usually answer in both waves, and their scores move
together, so the true SE tends to be smaller: the rule errs on the quiet side.

The rules' names, severities and thresholds are in :mod:`cxlab.risk.rule_config`,
the evidence texts in :mod:`cxlab.risk.rule_evidence` and what each rule was
worth on past waves in :mod:`cxlab.risk.rule_backtest`.

Examples
--------
>>> from cxlab.summary import SurveyData                      # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                      # doctest: +SKIP
>>> early_warnings(data, "2026-Q3", lang="ru").head()          # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlab._compat import moved
from cxlab.errors import DataError, ParameterError
from cxlab.risk._common import _check_lang, _known_waves
from cxlab.risk.features import client_waves, wave_cutoffs
from cxlab.risk.rule_config import _ANY, RULES, SEVERITIES, RuleConfig
from cxlab.risk.rule_evidence import _EVIDENCE

__all__ = [
    "WARNING_COLUMNS",
    "flag_panel",
    "add_rule_inputs",
    "early_warnings",
]


#: Columns of :func:`early_warnings`.
WARNING_COLUMNS = ["wave_id", "client_id", "client", "rule", "rule_name", "severity", "evidence", "value", "threshold"]
_DECISION = "decision_maker"
# A month of the event window in days: 6 months = 183 days, the window the panel's *_6m counts use.
_MONTH_DAYS = 30.5


# --------------------------------------------------------------------------- inputs
def add_rule_inputs(data, panel: pd.DataFrame, config: RuleConfig | None = None) -> pd.DataFrame:
    """Add what the rules need beyond :func:`client_waves`, from the survey's own rows.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
        Its ``responses`` (with ``role``), ``waves`` and ``events``.
    panel : DataFrame
        Rows of :func:`client_waves` (any subset of waves).
    config : RuleConfig, optional
        Sets the event window.

    Returns
    -------
    DataFrame
        A copy of ``panel`` with ``nps_sd_pooled`` and ``nps_sd_df`` (pooled
        within-client-wave SD of individual recommend scores over every wave
        up to and including the row's, and its degrees of freedom),
        ``n_nps`` and ``n_nps_prev`` (respondents with a recommend score now
        and at ``prev_wave``), ``dm_nps_min`` and ``n_dm`` (decision makers'
        lowest score and how many answered), and for every watched event
        kind its count in the window before the cutoff and the last date
        (:meth:`RuleConfig.event_columns`).  Only rows dated on or before a
        wave's cutoff are read.
    """
    config = config or RuleConfig()
    out = panel.copy()
    keys = ["client_id", "wave_id"]
    r = data.responses
    if len(r) and "nps" in r:
        r = r[r["nps"].notna()]
    cut = wave_cutoffs(data.waves, data.responses)
    if len(r):
        g = r.groupby(keys)["nps"]
        per = pd.DataFrame({"n": g.size(), "ss": g.var(ddof=0) * g.size()}).reset_index()
        # Within-client spread, pooled first within each wave, then cumulated over waves in time order.
        wave_ss = per.assign(df=per["n"] - 1).groupby("wave_id")[["ss", "df"]].sum()
        cum = cut[["wave_id"]].join(wave_ss, on="wave_id").fillna(0.0).set_index("wave_id").cumsum()
        sd = np.sqrt(cum["ss"] / cum["df"].where(cum["df"] > 0))
        out["nps_sd_pooled"] = out["wave_id"].map(sd).astype(float)
        out["nps_sd_df"] = out["wave_id"].map(cum["df"]).fillna(0).astype(float)
        n_nps = per.set_index(keys)["n"]
        out["n_nps"] = _lookup(n_nps, out["client_id"], out["wave_id"]).fillna(0.0)
        prev = out["prev_wave"] if "prev_wave" in out else pd.Series(None, index=out.index, dtype=object)
        out["n_nps_prev"] = _lookup(n_nps, out["client_id"], prev)
        dm = r[r["role"].eq(_DECISION)] if "role" in r else r.iloc[:0]
        gd = dm.groupby(keys)["nps"]
        out["dm_nps_min"] = _lookup(gd.min(), out["client_id"], out["wave_id"])
        out["n_dm"] = _lookup(gd.size(), out["client_id"], out["wave_id"]).fillna(0.0)
    else:
        for col in ("nps_sd_pooled", "n_nps_prev", "dm_nps_min"):
            out[col] = np.nan
        for col in ("nps_sd_df", "n_nps", "n_dm"):
            out[col] = 0.0
    return _add_event_window(out, data.events, config)


def _lookup(series: pd.Series, clients: pd.Series, waves: pd.Series) -> pd.Series:
    """``series`` (indexed by client_id, wave_id) at each (client, wave) pair; NaN where absent."""
    idx = pd.MultiIndex.from_arrays([clients.astype(object), waves.astype(object)])
    return pd.Series(series.reindex(idx).to_numpy(dtype=float), index=clients.index)


def _add_event_window(panel: pd.DataFrame, events: pd.DataFrame, config: RuleConfig) -> pd.DataFrame:
    days = round(config.events_lookback_months * _MONTH_DAYS)
    cutoff = pd.to_datetime(panel["cutoff"])
    for kind, col in config.event_columns().items():
        panel[col] = 0.0
        panel[f"{col}_last"] = pd.Series(pd.NaT, index=panel.index, dtype="datetime64[ns]")
        if not len(events) or "kind" not in events:
            continue
        e = events.loc[events["kind"] == kind, ["client_id", "date"]]
        if not len(e):
            continue
        e = e.assign(date=pd.to_datetime(e["date"]).astype("datetime64[ns]"))
        m = pd.DataFrame({"client_id": panel["client_id"], "cutoff": cutoff}).reset_index().merge(e, on="client_id")
        # Nothing dated after the cutoff: the window ends where the wave closed.
        inside = m[(m["date"] <= m["cutoff"]) & (m["date"] > m["cutoff"] - pd.Timedelta(days=days))]
        g = inside.groupby("index")["date"]
        panel[col] = g.size().reindex(panel.index, fill_value=0).astype(float)
        panel[f"{col}_last"] = g.max().reindex(panel.index).astype("datetime64[ns]")
    return panel


def _input_columns(config: RuleConfig) -> list[str]:
    cols = ["nps_sd_pooled", "n_nps", "n_nps_prev", "dm_nps_min", "n_dm"]
    return cols + list(config.event_columns().values())


# --------------------------------------------------------------------------- rules
def _col(panel: pd.DataFrame, name: str) -> pd.Series:
    """A numeric panel column, NaN when the questionnaire did not ask it."""
    if name in panel:
        return pd.to_numeric(panel[name], errors="coerce").astype(float)
    return pd.Series(np.nan, index=panel.index)


def _evaluate(panel: pd.DataFrame, config: RuleConfig) -> tuple[pd.DataFrame, dict]:
    """Each rule's firing mask, value and threshold for every row (vectorised)."""
    fired, value, threshold = {}, {}, {}

    # score_drop: the fall against z * SE of a difference of two client means.
    change = _col(panel, "nps_change")
    n_now = _col(panel, "n_nps").where(lambda s: s > 0)
    n_prev = _col(panel, "n_nps_prev").where(lambda s: s > 0)
    se = _col(panel, "nps_sd_pooled") * np.sqrt(1 / n_now + 1 / n_prev)
    allowed = config.score_drop_z * se
    need = np.maximum(allowed, config.score_drop_min)
    fired["score_drop"] = (-change > allowed) & (-change >= config.score_drop_min)
    value["score_drop"], threshold["score_drop"] = change, -need

    dm_min = _col(panel, "dm_nps_min")
    fired["detractor_decision_maker"] = dm_min <= config.detractor_max
    value["detractor_decision_maker"] = dm_min
    threshold["detractor_decision_maker"] = pd.Series(config.detractor_max, index=panel.index)

    # silence: reached and nobody answered now, or no answer for N waves running.
    reached_silent = (_col(panel, "n_reached") > 0) & (_col(panel, "n_responses").fillna(0) == 0)
    since = _col(panel, "waves_since_answer")
    silent_run = _col(panel, "silent_waves").fillna(0)
    # A client that never answered has no "since"; its run of reached-and-silent waves stands in.
    without = since.where(since.notna(), silent_run).where(~_col(panel, "n_responses").gt(0), 0)
    this_wave = reached_silent & bool(config.silence_this_wave)
    run = without >= config.silence_waves
    fired["silence"] = this_wave | run
    value["silence"] = without.where(without > 0, reached_silent.astype(float))
    threshold["silence"] = pd.Series(np.where(run, float(config.silence_waves), 1.0), index=panel.index)

    gap = _col(panel, "divergence")
    fired["divergence"] = gap.abs() >= config.divergence_min
    value["divergence"] = gap
    threshold["divergence"] = pd.Series(config.divergence_min, index=panel.index)

    price = _col(panel, "price_mean")
    vfm = _col(panel, f"attr_{config.value_for_money_item}")
    poor_price, poor_vfm = price <= config.price_max, vfm <= config.value_for_money_max
    falling = (_col(panel, "nps_change") < -config.price_fall_nps) | (
        _col(panel, "overall_change") < -config.price_fall_overall
    )
    fired["price_risk"] = (poor_price | poor_vfm) & falling
    value["price_risk"] = price.where(poor_price, vfm)
    threshold["price_risk"] = pd.Series(
        np.where(poor_price, config.price_max, config.value_for_money_max), index=panel.index
    )

    changes = pd.DataFrame({a: _col(panel, f"attr_{a}_change") for a in config.key_attributes}, index=panel.index)
    worst = changes.min(axis=1) if len(changes.columns) else pd.Series(np.nan, index=panel.index)
    fired["key_attribute_drop"] = worst <= -config.attribute_drop
    value["key_attribute_drop"] = worst
    threshold["key_attribute_drop"] = pd.Series(-config.attribute_drop, index=panel.index)

    counts = pd.DataFrame({k: _col(panel, c).fillna(0) for k, c in config.event_columns().items()}, index=panel.index)
    total = counts.sum(axis=1) if len(counts.columns) else pd.Series(0.0, index=panel.index)
    fired["recent_events"] = total >= 1
    value["recent_events"] = total
    threshold["recent_events"] = pd.Series(1.0, index=panel.index)

    flags = pd.DataFrame(
        {rule: fired[rule].fillna(False).astype(bool) & (rule in config.enabled) for rule in RULES}, index=panel.index
    )
    extra = {
        "value": value,
        "threshold": threshold,
        "se": se,
        "allowed": allowed,
        "reached_silent": reached_silent & bool(config.silence_this_wave),
        "silence_run": run,
        "without": without,
        "changes": changes,
        "counts": counts,
        "poor_price": poor_price,
        "poor_vfm": poor_vfm,
    }
    return flags, extra


def _prepared(panel: pd.DataFrame, config: RuleConfig, data) -> pd.DataFrame:
    missing = [c for c in _input_columns(config) if c not in panel]
    if not missing:
        return panel
    if data is None:
        raise DataError(
            f"the panel lacks {missing}: pass data= (the SurveyData it was built from) or build "
            "it with add_rule_inputs(data, client_waves(data), config)",
            columns=missing,
        )
    return add_rule_inputs(data, panel, config)


def flag_panel(panel: pd.DataFrame, config: RuleConfig | None = None, *, data=None) -> pd.DataFrame:
    """Which rules fire on every client-wave of a panel (vectorised).

    Parameters
    ----------
    panel : DataFrame
        Rows of :func:`~cxlab.risk.features.client_waves`, with the inputs of
        :func:`add_rule_inputs` (added here when ``data`` is given).
    config : RuleConfig, optional
    data : SurveyData, optional
        The survey the panel was built from; needed only when the panel
        lacks the rule inputs.

    Returns
    -------
    DataFrame
        Same index as ``panel``: ``client_id, wave_id``, one boolean column
        per rule of :data:`RULES` (False throughout for a disabled rule),
        ``any_rule`` and ``n_rules`` (how many fired).

    Examples
    --------
    >>> panel = client_waves(data)                           # doctest: +SKIP
    >>> flags = flag_panel(panel, data=data)                  # doctest: +SKIP
    >>> flags.groupby("wave_id")[list(RULES)].sum()           # doctest: +SKIP
    """
    config = config or RuleConfig()
    panel = _prepared(panel, config, data)
    flags, _ = _evaluate(panel, config)
    out = panel[["client_id", "wave_id"]].copy()
    out[list(RULES)] = flags
    out[_ANY] = flags.any(axis=1)
    out["n_rules"] = flags.sum(axis=1).astype("int64")
    return out


# --------------------------------------------------------------------------- listing
def early_warnings(
    data, wave: str, *, config: RuleConfig | None = None, lang: str = "en", panel: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The clients flagged in a wave: one row per rule that fired, with its evidence.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
        Responses (with ``role``), answers, waves, clients, contacts,
        invitations and events.
    wave : str
        Wave id; the history before it is used, nothing after its cutoff.
    config : RuleConfig, optional
        Thresholds and enabled rules (defaults documented there).
    lang : {"en", "ru"}
        Language of ``rule_name`` and ``evidence``.
    panel : DataFrame, optional
        A :func:`~cxlab.risk.features.client_waves` panel already built
        from ``data`` (saves rebuilding it).

    Returns
    -------
    DataFrame
        ``wave_id, client_id, client (company name), rule, rule_name,
        severity, evidence, value, threshold``.  ``value`` and ``threshold``
        per rule: score_drop the change and minus the allowed fall (fires
        below it); detractor_decision_maker the lowest decision-maker score
        and the cut-off; silence the waves without an answer and 1 (this
        wave) or ``silence_waves``; divergence decision makers minus others
        and the gap (either direction); price_risk the price perception (or
        value for money) and its cut-off; key_attribute_drop the worst key
        attribute change and minus the drop; recent_events the number of
        events and 1.  Sorted by the client's severity (its most severe
        flag: high first), the number of rules that fired (most first), the
        client and the rule order.  The evidence carries figures only: no
        respondent names, e-mails or comments.

    Raises
    ------
    ValueError
        For an unknown wave (the message lists the known waves).

    Examples
    --------
    >>> flags = early_warnings(data, "2026-Q3", lang="ru")         # doctest: +SKIP
    >>> flags.groupby("rule").size()                                # doctest: +SKIP
    """
    _check_lang(lang)
    config = config or RuleConfig()
    known = _known_waves(data)
    if wave not in known:
        raise ParameterError(
            f"wave {wave!r} does not exist; known waves: {', '.join(map(str, known))}", parameter="wave", value=wave
        )
    if panel is None:
        panel = client_waves(data)
    rows = panel[panel["wave_id"] == wave]
    if not len(rows):
        return pd.DataFrame(columns=WARNING_COLUMNS)
    rows = _prepared(rows, config, data)
    flags, ex = _evaluate(rows, config)
    names = (
        data.clients.drop_duplicates("client_id").set_index("client_id")["name"]
        if "name" in data.clients
        else pd.Series(dtype=object)
    )
    records = []
    for rule in RULES:
        hit = flags.index[flags[rule]]
        for i in hit:
            row = rows.loc[i]
            mine = {
                "allowed": ex["allowed"].get(i),
                "reached_silent": bool(ex["reached_silent"].get(i)),
                "silence_run": bool(ex["silence_run"].get(i)),
                "without": ex["without"].get(i),
                "changes": ex["changes"].loc[i],
                "counts": ex["counts"].loc[i],
                "poor_price": bool(ex["poor_price"].get(i)),
                "poor_vfm": bool(ex["poor_vfm"].get(i)),
            }
            name = names.get(row["client_id"])
            records.append(
                {
                    "wave_id": wave,
                    "client_id": row["client_id"],
                    "client": name if name is not None and pd.notna(name) else row["client_id"],
                    "rule": rule,
                    "rule_name": RULES[rule]["name"][lang],
                    "severity": config.severity[rule],
                    "evidence": _EVIDENCE[rule](row, mine, config, lang),
                    "value": float(ex["value"][rule].get(i)),
                    "threshold": float(ex["threshold"][rule].get(i)),
                }
            )
    out = pd.DataFrame.from_records(records, columns=WARNING_COLUMNS)
    if not len(out):
        return out
    rank = out["severity"].map({s: k for k, s in enumerate(SEVERITIES)})
    order = {r: k for k, r in enumerate(RULES)}
    out = out.assign(
        _client_rank=rank.groupby(out["client_id"]).transform("min"),
        _n=out.groupby("client_id")["rule"].transform("size"),
        _rule=out["rule"].map(order),
        _name=out["client"].astype(str),
    )
    out = out.sort_values(
        ["_client_rank", "_n", "_name", "client_id", "_rule"], ascending=[True, False, True, True, True]
    )
    return out[WARNING_COLUMNS].reset_index(drop=True)


#: Names this module had before it was split, importable from here as before (see cxlab._compat).
__getattr__ = moved(
    __name__,
    {
        "DEFAULT_SEVERITY": "cxlab.risk.rule_config",
        "EVENT_KINDS": "cxlab.risk.rule_config",
        "BACKTEST_COLUMNS": "cxlab.risk.rule_backtest",
        "rule_performance": "cxlab.risk.rule_backtest",
        "backtest_rules": "cxlab.risk.rule_backtest",
    },
)
