"""What became of the clients flagged in a wave, with and without a completed follow-up action.

:func:`follow_up` compares, in the next wave, the clients whose action (see
:mod:`cxlab.risk.actions`) was completed with the others: churn, change in the
recommend score, flagged again, answered again; every share with a Wilson
interval and every mean with a t interval, the differences with Newcombe and
Welch intervals (:class:`FollowUp`).

The comparison is observational: clients whose action was completed were
not chosen at random, so a difference is an association, not proof that the
action changed the outcome.  :attr:`FollowUp.note` says so in the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from cxlab.errors import DataError
from cxlab.risk.actions import _require, action_status

__all__ = ["follow_up", "FollowUp", "GROUPS", "GROUP_LABELS"]

#: The two groups :func:`follow_up` compares.
GROUPS = ("completed action", "no completed action")
#: The groups' names as the report prints them.
GROUP_LABELS = {
    "ru": {"completed action": "действие выполнено", "no completed action": "действие не выполнено"},
    "en": {"completed action": "completed action", "no completed action": "no completed action"},
}
_NOTE = {
    "ru": (
        "Сравнение наблюдательное: клиенты, по которым действие выполнено, выбраны не случайно и могут "
        "отличаться от остальных (серьёзностью проблемы, доступностью клиента, менеджером). Разница "
        "показывает связь, а не то, что действие вызвало результат."
    ),
    "en": (
        "This is an observational comparison: clients whose action was completed were not chosen at random "
        "and may differ from the others (how serious the problem was, how reachable the client is, the "
        "manager). A difference shows an association, not that the action caused the outcome."
    ),
}


# --------------------------------------------------------------------------- outcomes

_CLIENT_COLUMNS = [
    "client_id",
    "rule",
    "action_status",
    "completed",
    "churned",
    "score_before",
    "score_after",
    "score_change",
    "flagged_again",
    "responded",
]
_SHARES = ("churned", "flagged_again", "responded")
_SUMMARY_COLUMNS = (
    ["group", "n_clients"]
    + [f"{m}_{s}" for m in ("churned",) for s in ("n", "base", "share", "ci_low", "ci_high")]
    + ["score_change_mean", "score_change_ci_low", "score_change_ci_high", "score_change_n"]
    + [f"{m}_{s}" for m in ("flagged_again", "responded") for s in ("n", "base", "share", "ci_low", "ci_high")]
    + ["confidence", "method"]
)
_DIFFERENCE_COLUMNS = [
    "measure",
    "completed",
    "no_completed",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "n_completed",
    "n_no_completed",
    "confidence",
    "method",
]
_SUMMARY_METHOD = (
    "shares of clients with a known outcome: Wilson score interval; score change (mean 0-10 "
    "recommend score, next wave minus flagged wave, clients who answered both): mean with "
    "Student t interval (df = n - 1)"
)


@dataclass
class FollowUp:
    """What became of the clients flagged in a wave, with and without a completed action.

    Attributes
    ----------
    flagged_wave : str
    clients : DataFrame
        One row per flagged client: ``client_id, rule, action_status`` (the
        most advanced: done > in_progress > open > dropped, or ``"none"``),
        ``completed``, ``churned, score_before, score_after, score_change,
        flagged_again, responded`` (NA when the outcome is unknown).
    summary : DataFrame
        One row per group (:data:`GROUPS`): ``n_clients``; for churned,
        flagged_again and responded the count ``*_n``, the clients with a
        known outcome ``*_base``, ``*_share`` and its Wilson interval; the
        mean ``score_change`` with a t interval and its n; ``method``.
    difference : DataFrame
        Completed minus no completed action: ``churned_share`` (Newcombe
        hybrid score interval, score test) and ``score_change`` (Welch t).
    note : dict
        ``{"ru": ..., "en": ...}``: an observational comparison, not proof of cause.
    confidence : float
    """

    flagged_wave: str
    clients: pd.DataFrame
    summary: pd.DataFrame
    difference: pd.DataFrame
    note: dict = field(default_factory=dict)
    confidence: float = 0.95

    def summary_text(self, lang: str = "en") -> str:
        """A readable account for the report or the console.

        >>> empty = pd.DataFrame(columns=["client_id"])
        >>> print(follow_up(empty, empty, empty, flagged_wave="2026-Q2").summary_text("en"))
        Follow-up of clients flagged in wave 2026-Q2: no client was flagged.
        """
        ru = lang == "ru"
        if not len(self.clients):
            return (
                f"Работа с клиентами под риском, волна {self.flagged_wave}: клиентов под риском не было."
                if ru
                else f"Follow-up of clients flagged in wave {self.flagged_wave}: no client was flagged."
            )
        n_done = int(self.clients["completed"].sum())
        lines = [
            f"Работа с клиентами под риском, волна {self.flagged_wave}: {len(self.clients)} клиент(ов), "
            f"действие выполнено по {n_done}."
            if ru
            else f"Follow-up of clients flagged in wave {self.flagged_wave}: {len(self.clients)} client(s), "
            f"{n_done} with a completed action."
        ]
        pct = f"{100 * self.confidence:g}%"
        for row in self.summary.itertuples():
            lines.append(
                f"{GROUP_LABELS['ru' if ru else 'en'][row.group]} "
                f"({row.n_clients} {'клиент(ов)' if ru else 'client(s)'}):"
            )
            for measure, label in _measure_labels(ru):
                if measure == "score_change":
                    lines.append(f"  {label}: {_mean_text(row, pct, ru)}")
                else:
                    lines.append(f"  {label}: {_share_text(row, measure, pct, ru)}")
        lines.append(
            "Разница (выполнено минус не выполнено):" if ru else "Difference (completed minus no completed action):"
        )
        for d in self.difference.itertuples():
            lines.append("  " + _difference_text(d, pct, ru))
        lines.append(self.note["ru" if ru else "en"])
        return "\n".join(lines)


def _measure_labels(ru: bool):
    return [
        ("churned", "ушли" if ru else "churned"),
        ("score_change", "изменение оценки" if ru else "score change"),
        ("flagged_again", "снова под риском" if ru else "flagged again"),
        ("responded", "ответили в следующей волне" if ru else "answered the next wave"),
    ]


def _interval(low, high, fmt, ru: bool) -> str:
    if pd.isna(low):
        return "н/д" if ru else "n/a"
    return f"[{fmt(low)}; {fmt(high)}]"


def _share_text(row, measure: str, pct: str, ru: bool) -> str:
    k, n, share = getattr(row, f"{measure}_n"), getattr(row, f"{measure}_base"), getattr(row, f"{measure}_share")
    if not n:
        return "нет данных" if ru else "no data"
    ci = _interval(getattr(row, f"{measure}_ci_low"), getattr(row, f"{measure}_ci_high"), lambda v: f"{v:.0%}", ru)
    return (
        f"{k} из {n} = {share:.0%} ({pct} интервал Уилсона {ci})"
        if ru
        else f"{k} of {n} = {share:.0%} ({pct} Wilson interval {ci})"
    )


def _mean_text(row, pct: str, ru: bool) -> str:
    if not row.score_change_n:
        return "нет клиентов, ответивших в обеих волнах" if ru else "no client answered both waves"
    ci = _interval(row.score_change_ci_low, row.score_change_ci_high, lambda v: f"{v:+.1f}", ru)
    return (
        f"{row.score_change_mean:+.2f} балла ({pct} t-интервал {ci}; n = {row.score_change_n})"
        if ru
        else f"{row.score_change_mean:+.2f} points ({pct} t interval {ci}; n = {row.score_change_n})"
    )


def _difference_text(d, pct: str, ru: bool) -> str:
    if d.measure == "churned_share":
        label = "доля ушедших" if ru else "churn share"
        value = "-" if pd.isna(d.difference) else f"{100 * d.difference:+.1f} " + ("п.п." if ru else "points")
        ci = _interval(d.ci_low, d.ci_high, lambda v: f"{100 * v:+.1f}", ru)
        how = "интервал Ньюкомба" if ru else "Newcombe interval"
    else:
        label = "изменение оценки" if ru else "score change"
        value = "-" if pd.isna(d.difference) else f"{d.difference:+.2f}"
        ci = _interval(d.ci_low, d.ci_high, lambda v: f"{v:+.2f}", ru)
        how = "t-интервал Уэлча" if ru else "Welch t interval"
    return f"{label}: {value} ({pct} {how} {ci})"


def _booleans(series: pd.Series, name: str) -> pd.Series:
    """A yes/no column as pandas' nullable boolean (NA: outcome unknown)."""
    try:
        return series.astype("boolean")
    except (TypeError, ValueError):
        bad = series[~series.isna() & ~series.isin([True, False, 0, 1])].iloc[0]
        raise DataError(f"outcomes column '{name}' must be true/false, got {bad!r}", columns=[name]) from None


def _flagged_clients(flagged: pd.DataFrame, wave: str) -> pd.DataFrame:
    """One row per flagged client, with the rules that flagged it when given."""
    if "wave_id" in flagged.columns:
        flagged = flagged[flagged["wave_id"] == wave]
    rules = flagged["rule"] if "rule" in flagged.columns else pd.Series(None, index=flagged.index, dtype=object)
    out = (
        pd.DataFrame({"client_id": flagged["client_id"].astype(str), "rule": rules})
        .groupby("client_id", sort=True)["rule"]
        .agg(lambda r: ";".join(sorted({p for v in r.dropna() for p in str(v).split(";") if p})) or None)
    )
    return out.reset_index()


def _group_row(label: str, grp: pd.DataFrame, confidence: float) -> dict:
    from cxlab.stats.intervals import t_mean, wilson

    row: dict = {"group": label, "n_clients": len(grp)}
    for measure in _SHARES:
        known = grp[measure].dropna()
        k, n = int(known.sum()), len(known)
        low, high = wilson(k, n, confidence)
        row.update(
            {
                f"{measure}_n": k,
                f"{measure}_base": n,
                f"{measure}_share": k / n if n else math.nan,
                f"{measure}_ci_low": low,
                f"{measure}_ci_high": high,
            }
        )
    mean, _se, low, high, n = t_mean(grp["score_change"].to_numpy(dtype=float), confidence)
    row.update(
        {
            "score_change_mean": mean,
            "score_change_ci_low": low,
            "score_change_ci_high": high,
            "score_change_n": n,
            "confidence": confidence,
            "method": _SUMMARY_METHOD,
        }
    )
    return row


def _differences(done: pd.DataFrame, rest: pd.DataFrame, confidence: float) -> pd.DataFrame:
    from cxlab.metrics.change import mean_change, proportion_change

    # "before" is the group without a completed action, so that the change reads completed minus not.
    churn_done, churn_rest = done["churned"].dropna(), rest["churned"].dropna()
    share = proportion_change(
        int(churn_rest.sum()), len(churn_rest), int(churn_done.sum()), len(churn_done), confidence=confidence
    )
    score = mean_change(
        rest["score_change"].to_numpy(dtype=float), done["score_change"].to_numpy(dtype=float), confidence=confidence
    )
    rows = [_difference_row("churned_share", share, confidence), _difference_row("score_change", score, confidence)]
    return pd.DataFrame(rows, columns=_DIFFERENCE_COLUMNS)


def _difference_row(measure: str, change, confidence: float) -> dict:
    """One row of the completed-vs-not table from a ``Change`` of (completed, not completed)."""
    return {
        "measure": measure,
        "completed": change.extra["after"],
        "no_completed": change.extra["before"],
        "difference": change.estimate,
        "ci_low": change.ci_low,
        "ci_high": change.ci_high,
        "p_value": change.p_value,
        "n_completed": change.n_after,
        "n_no_completed": change.n_before,
        "confidence": confidence,
        "method": change.method.replace("after - before", "completed - not completed"),
    }


def follow_up(
    flagged: pd.DataFrame, actions: pd.DataFrame, outcomes: pd.DataFrame, *, flagged_wave: str, confidence: float = 0.95
) -> FollowUp:
    """Compare what became of flagged clients with and without a completed follow-up action.

    Parameters
    ----------
    flagged : DataFrame
        ``client_id`` (and optionally ``rule``, ``wave_id``) of the clients
        flagged in ``flagged_wave``; one row per client or per flag.
    actions : DataFrame
        Rows of the ``actions`` table (``client_id, wave_id, status``).  A
        client "has a completed action" when one of its actions for
        ``flagged_wave`` is ``done``.
    outcomes : DataFrame
        One row per client: ``client_id``, ``churned`` (since the flagged
        wave), ``score_before`` and ``score_after`` (the client's mean 0-10
        recommend score in the flagged wave and the next; NaN without an
        answer), ``flagged_again``, ``responded`` (answered the next wave).
        A flagged client without a row has unknown outcomes, left out of each
        figure's base.
    flagged_wave : str
    confidence : float, default 0.95

    Returns
    -------
    FollowUp
        Per client, per group (with Wilson and t intervals) and the
        difference between the groups (Newcombe and Welch intervals); an
        observational comparison (see :attr:`FollowUp.note`).

    Examples
    --------
    >>> flagged = pd.DataFrame({"client_id": ["C1", "C2", "C3", "C4"]})
    >>> actions = pd.DataFrame({"client_id": ["C1", "C2"], "wave_id": ["Q2", "Q2"], "status": ["done", "open"]})
    >>> outcomes = pd.DataFrame({"client_id": ["C1", "C2", "C3", "C4"], "churned": [False, True, False, True],
    ...                          "score_before": [5, 6, 4, 3], "score_after": [8, None, 6, None],
    ...                          "flagged_again": [False, True, True, True], "responded": [True, False, True, False]})
    >>> fu = follow_up(flagged, actions, outcomes, flagged_wave="Q2")
    >>> cols = ["group", "n_clients", "churned_n", "churned_share"]
    >>> fu.summary[cols].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'group': 'completed action', 'n_clients': 1, 'churned_n': 0, 'churned_share': 0.0},
     {'group': 'no completed action', 'n_clients': 3, 'churned_n': 2, 'churned_share': 0.6666666666666666}]
    """
    from cxlab.stats.intervals import check_confidence

    confidence = check_confidence(confidence)
    _require(flagged, ("client_id",), "flagged")
    clients = _flagged_clients(flagged, flagged_wave)
    if not len(clients):
        return _empty(flagged_wave, confidence)
    _require(
        outcomes, ("client_id", "churned", "score_before", "score_after", "flagged_again", "responded"), "outcomes"
    )
    dup = outcomes["client_id"][outcomes["client_id"].duplicated()]
    if len(dup):
        raise DataError(
            f"outcomes has more than one row for client '{dup.iloc[0]}'; give one row per client", columns=["client_id"]
        )
    out = outcomes.assign(client_id=outcomes["client_id"].astype(str))
    for col in _SHARES:
        out[col] = _booleans(out[col], col)
    for col in ("score_before", "score_after"):
        out[col] = pd.to_numeric(out[col], errors="raise").astype(float)

    clients = clients.merge(action_status(actions, flagged_wave).reset_index(), on="client_id", how="left")
    clients["action_status"] = clients["action_status"].fillna("none")
    clients["completed"] = clients["action_status"] == "done"
    clients = clients.merge(
        out[["client_id", "churned", "score_before", "score_after", "flagged_again", "responded"]],
        on="client_id",
        how="left",
    )
    clients["score_change"] = clients["score_after"] - clients["score_before"]
    clients = clients[_CLIENT_COLUMNS]

    done, rest = clients[clients["completed"]], clients[~clients["completed"]]
    summary = pd.DataFrame(
        [_group_row(GROUPS[0], done, confidence), _group_row(GROUPS[1], rest, confidence)], columns=_SUMMARY_COLUMNS
    )
    return FollowUp(
        flagged_wave=flagged_wave,
        clients=clients,
        summary=summary,
        difference=_differences(done, rest, confidence),
        note=dict(_NOTE),
        confidence=confidence,
    )


def _empty(wave: str, confidence: float) -> FollowUp:
    note = {
        "ru": f"В волне {wave} клиентов под риском не было: сравнивать нечего.",
        "en": f"No client was flagged in wave {wave}: nothing to compare.",
    }
    return FollowUp(
        flagged_wave=wave,
        clients=pd.DataFrame(columns=_CLIENT_COLUMNS),
        summary=pd.DataFrame(columns=_SUMMARY_COLUMNS),
        difference=pd.DataFrame(columns=_DIFFERENCE_COLUMNS),
        note=note,
        confidence=confidence,
    )
