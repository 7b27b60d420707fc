"""The follow-up loop: an action for every flagged client, and what became of them.

Each wave the early-warning rules flag clients at risk
(:func:`cxlab.risk.rules.early_warnings`, one row per rule that fired).  The
agency records one follow-up action per flagged client (who, by when, what
was seen) in the workspace's ``actions`` table; in the next wave
:func:`~cxlab.risk.outcomes.follow_up` compares the clients whose action was completed with the
others: churn, change in the recommend score, flagged again, answered again.

- :func:`plan_actions`: the actions to propose (pure; no I/O);
- :func:`create_actions`: plan and store them for a wave (idempotent: a client
  already followed up in the wave is skipped);
- :func:`action_status`: each client's most advanced action in a wave;
- the outcome comparison, :func:`cxlab.risk.outcomes.follow_up`, lives in
  :mod:`cxlab.risk.outcomes`.

Examples
--------
>>> import pandas as pd
>>> flags = pd.DataFrame({"wave_id": ["2026-Q3"] * 3, "client_id": ["C1", "C1", "C2"],
...                       "rule": ["nps_drop", "silent", "detractor"],
...                       "evidence": ["NPS 9 -> 5", "no answer for 2 waves", "NPS 3"]})
>>> clients = pd.DataFrame({"client_id": ["C1", "C2"], "manager": ["M1", "M2"]})
>>> plan = plan_actions(flags, clients, "2026-Q3", wave_closed_at="2026-09-30")
>>> plan[["client_id", "owner", "due", "rule"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'client_id': 'C1', 'owner': 'M1', 'due': Timestamp('2026-10-30 00:00:00'), 'rule': 'nps_drop;silent'},
 {'client_id': 'C2', 'owner': 'M2', 'due': Timestamp('2026-10-30 00:00:00'), 'rule': 'detractor'}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlab._compat import moved
from cxlab.errors import DataError, ParameterError

__all__ = ["plan_actions", "create_actions", "action_status", "ACTION_COLUMNS", "STATUS_RANK", "NOTE_MAX"]

#: Columns of a planned action (what :meth:`cxlab.Workspace.add_actions` accepts).
ACTION_COLUMNS = ("client_id", "wave_id", "owner", "status", "due", "note", "rule")
#: How far an action got: the most advanced of a client's actions stands for the client.
STATUS_RANK = {"done": 3, "in_progress": 2, "open": 1, "dropped": 0}
#: Longest note written from the evidence (the table is read on screens and in Excel).
NOTE_MAX = 500


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what} lacks column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns))}",
            columns=missing,
        )


def _truncate(text: str, limit: int = NOTE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- planning


def plan_actions(
    flags: pd.DataFrame,
    clients: pd.DataFrame,
    wave: str,
    *,
    wave_closed_at=None,
    due_days: int = 30,
    owner: str | None = None,
    existing: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One proposed follow-up action per client flagged in ``wave``.

    Parameters
    ----------
    flags : DataFrame
        One row per rule that fired: ``wave_id, client_id, rule, evidence``
        (more columns are ignored; rows of other waves too).
    clients : DataFrame
        ``client_id, manager``: the owner by default is the client's current manager.
    wave : str
        The wave whose flags are followed up.
    wave_closed_at : date-like, optional
        The wave's close; ``due`` counts from it (from today when missing).
    due_days : int, default 30
    owner : str, optional
        One owner for every action instead of the client's manager.
    existing : DataFrame, optional
        Stored actions (``client_id, wave_id``): a client that already has
        an action for ``wave`` is skipped, so that planning twice proposes nothing new.

    Returns
    -------
    DataFrame
        :data:`ACTION_COLUMNS`, one row per client, sorted by client:
        ``status`` ``"open"``; ``rule`` the sorted rule ids joined by ``;``;
        ``note`` the evidence joined by ``"; "`` (at most :data:`NOTE_MAX`
        characters).  ``attrs["skipped"]`` lists the clients skipped.

    Examples
    --------
    >>> flags = pd.DataFrame({"wave_id": ["Q3", "Q3"], "client_id": ["C1", "C2"],
    ...                       "rule": ["silent", "detractor"], "evidence": ["no answer", "NPS 3"]})
    >>> clients = pd.DataFrame({"client_id": ["C1", "C2"], "manager": ["M1", "M2"]})
    >>> done = pd.DataFrame({"client_id": ["C2"], "wave_id": ["Q3"]})
    >>> plan = plan_actions(flags, clients, "Q3", wave_closed_at="2026-09-30", existing=done)
    >>> plan["client_id"].tolist(), plan.attrs["skipped"]
    (['C1'], ['C2'])
    """
    _require(flags, ("wave_id", "client_id", "rule", "evidence"), "flags")
    _require(clients, ("client_id", "manager"), "clients")
    if not isinstance(due_days, (int, np.integer)) or due_days < 0:
        raise ParameterError(
            f"due_days must be a whole number of days, 0 or more, got {due_days!r}",
            parameter="due_days",
            value=due_days,
        )
    start = pd.Timestamp(wave_closed_at) if wave_closed_at is not None else pd.NaT
    # An open wave has no close yet: the follow-up clock starts now.
    start = (pd.Timestamp.today() if pd.isna(start) else start).normalize()
    due = start + pd.Timedelta(days=int(due_days))

    mine = flags[flags["wave_id"] == wave]
    done = set()
    if existing is not None and len(existing):
        _require(existing, ("client_id", "wave_id"), "existing")
        done = set(existing.loc[existing["wave_id"] == wave, "client_id"])
    managers = clients.drop_duplicates("client_id").set_index("client_id")["manager"]

    rows, skipped = [], []
    for client, grp in mine.groupby("client_id", sort=True):
        if client in done:
            skipped.append(client)
            continue
        evidence = [str(e).strip() for e in grp["evidence"] if not pd.isna(e) and str(e).strip()]
        manager = managers.get(client)
        rows.append(
            {
                "client_id": client,
                "wave_id": wave,
                "owner": owner if owner is not None else (None if pd.isna(manager) else manager),
                "status": "open",
                "due": due,
                "note": _truncate("; ".join(dict.fromkeys(evidence))) or None,
                "rule": ";".join(sorted(set(grp["rule"].dropna().astype(str)))) or None,
            }
        )
    plan = pd.DataFrame(rows, columns=list(ACTION_COLUMNS))
    plan.attrs["skipped"] = skipped
    return plan


def create_actions(
    ws,
    wave: str,
    *,
    flags: pd.DataFrame | None = None,
    due_days: int = 30,
    owner: str | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Store one follow-up action per client flagged in ``wave`` (skipping clients already followed up).

    Parameters
    ----------
    ws : Workspace
    wave : str
    flags : DataFrame, optional
        The flags to follow up (see :func:`plan_actions`); by default the
        early-warning rules are run on the workspace
        (:func:`cxlab.risk.rules.early_warnings`).
    due_days : int, default 30
        Days after the wave closed.
    owner : str, optional
        One owner for every action (default: each client's manager).
    lang : {"ru", "en"}, optional
        Language of the evidence written into the notes (default: the workspace's language).

    Returns
    -------
    DataFrame
        The stored actions (rows of the ``actions`` table);
        ``attrs["flagged"]`` is the number of flagged clients and
        ``attrs["skipped"]`` those skipped.  Running it twice creates nothing
        the second time.

    Examples
    --------
    >>> new = create_actions(ws, "2026-Q3", due_days=14)          # doctest: +SKIP
    >>> len(new), new.attrs["skipped"]                            # doctest: +SKIP
    (7, [])
    """
    record = ws.wave(wave)  # an unknown wave is an error before anything is computed
    if flags is None:
        flags = _early_warnings(ws, wave, lang or ws.meta.get("language", "ru"))
    plan = plan_actions(
        flags,
        ws.clients(),
        wave,
        wave_closed_at=record.get("closed_at"),
        due_days=due_days,
        owner=owner,
        existing=ws.actions(wave),
    )
    ids = ws.add_actions(plan) if len(plan) else []
    stored = ws.actions(wave)
    stored = stored[stored["action_id"].isin(ids)].reset_index(drop=True)
    stored.attrs["flagged"] = int(flags.loc[flags["wave_id"] == wave, "client_id"].nunique())
    stored.attrs["skipped"] = list(plan.attrs["skipped"])
    return stored


def _early_warnings(ws, wave: str, lang: str) -> pd.DataFrame:
    from cxlab.errors import CxlabError

    try:
        from cxlab.risk.rules import early_warnings
    except ModuleNotFoundError as exc:
        if exc.name != "cxlab.risk.rules":
            raise
        raise CxlabError(
            "the early-warning rules (cxlab.risk.rules) are not available in this cxlab; "
            "pass the flags yourself: create_actions(ws, wave, flags=...)"
        ) from None
    from cxlab.summary import SurveyData

    return early_warnings(SurveyData.from_workspace(ws), wave, lang=lang)


def action_status(actions: pd.DataFrame, wave: str) -> pd.Series:
    """Each client's most advanced action status for the wave (``done`` over ``in_progress`` over ``open``...).

    Parameters
    ----------
    actions : DataFrame
        ``client_id, wave_id, status`` (as :meth:`cxlab.Workspace.actions` returns them).
    wave : str
        The wave whose actions count.

    Returns
    -------
    Series
        ``action_status`` indexed by ``client_id``; clients without an action are absent.

    Examples
    --------
    >>> import pandas as pd
    >>> acts = pd.DataFrame({"client_id": ["C1", "C1", "C2"], "wave_id": ["Q3"] * 3,
    ...                      "status": ["open", "done", "dropped"]})
    >>> action_status(acts, "Q3").sort_index().to_dict()
    {'C1': 'done', 'C2': 'dropped'}
    """
    if actions is None or not len(actions):
        return pd.Series(dtype=object, name="action_status", index=pd.Index([], name="client_id"))
    _require(actions, ("client_id", "wave_id", "status"), "actions")
    mine = actions[(actions["wave_id"] == wave) & actions["status"].isin(list(STATUS_RANK))]
    rank = mine.assign(_rank=mine["status"].map(STATUS_RANK)).sort_values("_rank")
    best = rank.drop_duplicates("client_id", keep="last")
    return pd.Series(
        best["status"].to_numpy(), index=pd.Index(best["client_id"].astype(str), name="client_id"), name="action_status"
    )


#: Names this module had before it was split, importable from here as before (see cxlab._compat).
__getattr__ = moved(
    __name__,
    {
        "follow_up": "cxlab.risk.outcomes",
        "FollowUp": "cxlab.risk.outcomes",
        "GROUPS": "cxlab.risk.outcomes",
    },
)
