"""The response funnel of a wave: how many were planned, sent, reached, and answered.

:func:`fieldwork_funnel` is a pure function of the invitations, responses,
clients and contacts frames; :func:`status` reads them from a workspace.
"Responded" is read from the ``responses`` table (a response of that contact
in that wave), so an import updates the funnel without any other step.

Stages (each invitation counts in every stage it reached):

============ =================================================================
planned      every invitation of the wave (the denominator of the shares)
invited      a message went out: sent by SMTP, written as .eml, or by hand
delivered    it reached the person as far as we know: sent and not bounced,
             or the contact responded
bounced      refused by the mail server or reported bounced
responded    the contact has a response in the wave
refused      the contact declined
unreachable  no usable address
============ =================================================================

The response rate is responded / delivered with a Wilson score interval.

Examples
--------
>>> import pandas as pd
>>> inv = pd.DataFrame({"contact_id": ["K1", "K2", "K3", "K4"], "channel": "email",
...                     "status": ["delivered", "delivered", "bounced", "unreachable"],
...                     "sent_at": pd.to_datetime(["2026-09-10"] * 3 + [None]), "reminders": 0,
...                     "reminded_at": pd.NaT})
>>> resp = pd.DataFrame({"contact_id": ["K1"], "client_id": ["C1"]})
>>> clients = pd.DataFrame({"client_id": ["C1", "C2"], "name": ["A", "B"], "segment": ["x", "y"],
...                         "manager": ["M1", "M2"]})
>>> contacts = pd.DataFrame({"contact_id": ["K1", "K2", "K3", "K4"], "client_id": ["C1", "C2", "C2", "C2"],
...                          "role": "decision_maker"})
>>> st = fieldwork_funnel(inv, resp, clients, contacts, wave="2026-Q3", now="2026-09-20")
>>> st.funnel.set_index("stage")["n"].to_dict()
{'planned': 4, 'invited': 3, 'delivered': 2, 'bounced': 1, 'responded': 1, 'refused': 0, 'unreachable': 1}
>>> st.silent_clients[["client_id", "contacts_invited", "days_since"]].to_dict("records")
[{'client_id': 'C2', 'contacts_invited': 1, 'days_since': 10}]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from cxlab.fieldwork.common import isna, local_now
from cxlab.stats.intervals import wilson

__all__ = [
    "status",
    "fieldwork_funnel",
    "FieldworkStatus",
    "ResponseRate",
    "STAGES",
    "response_rate",
    "wave_response_rate",
    "RATE_METHOD",
    "RATE_DEFINITION",
]

STAGES = ("planned", "invited", "delivered", "bounced", "responded", "refused", "unreachable")
RATE_METHOD = "Wilson score interval"
RATE_DEFINITION = "responded / delivered"
_LABELS = {
    "en": {
        "planned": "planned",
        "invited": "invited (sent)",
        "delivered": "delivered",
        "bounced": "bounced",
        "responded": "responded",
        "refused": "refused",
        "unreachable": "unreachable",
    },
    "ru": {
        "planned": "в плане",
        "invited": "отправлено",
        "delivered": "доставлено",
        "bounced": "не доставлено",
        "responded": "ответили",
        "refused": "отказались",
        "unreachable": "нет контакта",
    },
}


@dataclass(frozen=True)
class ResponseRate:
    """Responded / delivered with its interval."""

    responded: int
    n: int  # delivered: the denominator
    rate: float
    ci_low: float
    ci_high: float
    confidence: float = 0.95
    method: str = RATE_METHOD

    def __str__(self) -> str:
        if self.n == 0:
            return "response rate: no delivered invitation yet"
        return (
            f"response rate = {self.rate:.1%} [{self.confidence:.0%} CI {self.ci_low:.1%}, "
            f"{self.ci_high:.1%}], {self.responded} of n = {self.n} delivered ({self.method})"
        )

    def to_dict(self) -> dict:
        return {
            "responded": self.responded,
            "n": self.n,
            "rate": _num(self.rate),
            "ci_low": _num(self.ci_low),
            "ci_high": _num(self.ci_high),
            "confidence": self.confidence,
            "method": self.method,
            "definition": RATE_DEFINITION,
        }


def response_rate(responded: int, delivered: int, confidence: float = 0.95) -> ResponseRate:
    """Responded / delivered with a Wilson score interval (NaN when nothing was delivered).

    >>> r = response_rate(30, 60)
    >>> round(r.rate, 3), round(r.ci_low, 3), round(r.ci_high, 3)
    (0.5, 0.377, 0.623)
    """
    responded, delivered = int(responded), int(delivered)
    if delivered == 0:
        return ResponseRate(responded, 0, math.nan, math.nan, math.nan, confidence)
    low, high = wilson(responded, delivered, confidence)  # the metrics' one Wilson interval
    return ResponseRate(responded, delivered, responded / delivered, float(low), float(high), confidence)


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


@dataclass
class FieldworkStatus:
    """Where a wave's fieldwork stands.

    Attributes
    ----------
    funnel : DataFrame
        ``stage, n, share`` (share of planned).
    by_segment, by_channel, by_role : DataFrame
        The stage counts per group, with ``response_rate, ci_low, ci_high``.
    response_rate : ResponseRate
    silent_clients : DataFrame
        Clients with a delivered invitation and no response from any of their
        contacts (contacts who declined do not count as silent): ``client_id, name, manager, contacts_invited,
        reminders_sent, last_contacted, days_since`` (plus ``emails`` when
        asked for personal data).
    """

    wave: str
    as_of: pd.Timestamp
    funnel: pd.DataFrame
    by_segment: pd.DataFrame
    by_channel: pd.DataFrame
    by_role: pd.DataFrame
    response_rate: ResponseRate
    silent_clients: pd.DataFrame
    uninvited_responses: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self, lang: str = "en") -> str:
        """A readable account of the funnel, the response rate and the silent clients."""
        ru = lang == "ru"
        labels = _LABELS["ru" if ru else "en"]
        head = (
            f"Волна {self.wave}: ход опроса на {self.as_of:%d.%m.%Y}"
            if ru
            else f"Wave {self.wave} fieldwork as of {self.as_of:%Y-%m-%d}"
        )
        lines = [head]
        if not self.funnel["n"].iloc[0]:
            lines.append(
                "  приглашений ещё нет: `cxlab wave plan`" if ru else "  no invitations yet: run `cxlab wave plan`"
            )
        width = max(len(v) for v in labels.values())
        for r in self.funnel.itertuples():
            share = "" if isna(r.share) else f"{r.share:6.1%}"
            lines.append(f"  {labels[r.stage]:<{width}} {r.n:>6} {share}")
        rr = self.response_rate
        if rr.n == 0:
            lines.append(
                "Доля ответивших: доставленных приглашений пока нет"
                if ru
                else "Response rate: no delivered invitation yet"
            )
        elif ru:
            lines.append(
                f"Доля ответивших: {rr.responded} из {rr.n} доставленных = {rr.rate:.1%} "
                f"({rr.confidence:.0%} интервал Уилсона {rr.ci_low:.1%}–{rr.ci_high:.1%})"
            )
        else:
            lines.append(
                f"Response rate: {rr.responded} of {rr.n} delivered = {rr.rate:.1%} "
                f"({rr.confidence:.0%} Wilson interval {rr.ci_low:.1%}-{rr.ci_high:.1%})"
            )
        silent = self.silent_clients
        if len(silent):
            lines.append(
                f"Молчащие клиенты (приглашение доставлено, ответа нет): {len(silent)}"
                if ru
                else f"Silent clients (invitation delivered, no response): {len(silent)}"
            )
            for r in silent.head(20).itertuples():
                days = "?" if isna(r.days_since) else int(r.days_since)
                lines.append(
                    f"  {r.client_id}  {r.name}  ({r.manager or '-'}): {r.contacts_invited} "
                    + (
                        f"контакт(ов), напоминаний {r.reminders_sent}, последнее письмо {days} дн. назад"
                        if ru
                        else f"contact(s), {r.reminders_sent} reminder(s), last contacted {days} day(s) ago"
                    )
                )
            if len(silent) > 20:
                lines.append(f"  ... {len(silent) - 20} more")
        if self.uninvited_responses:
            lines.append(
                f"Ответов без приглашения в этой волне: {self.uninvited_responses}"
                if ru
                else f"Responses from contacts without an invitation in this wave: {self.uninvited_responses}"
            )
        return "\n".join(lines + self.notes)

    def __str__(self) -> str:
        return self.summary()

    def to_json(self) -> dict:
        """Plain data for ``cxlab wave status --json`` (no personal data unless it was asked for)."""

        def records(frame):
            out = frame.copy()
            for col in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[col]):
                    out[col] = out[col].dt.strftime("%Y-%m-%dT%H:%M:%S")
            return [{k: _num(v) if not isna(v) else None for k, v in rec.items()} for rec in out.to_dict("records")]

        return {
            "wave": self.wave,
            "as_of": self.as_of.isoformat(),
            "funnel": records(self.funnel),
            "response_rate": self.response_rate.to_dict(),
            "by_segment": records(self.by_segment),
            "by_channel": records(self.by_channel),
            "by_role": records(self.by_role),
            "silent_clients": records(self.silent_clients),
            "uninvited_responses": self.uninvited_responses,
            "stages": {s: _LABELS["en"][s] for s in STAGES},
        }


def _flags(invitations: pd.DataFrame, responded_ids: set) -> pd.DataFrame:
    """One row per invitation with a boolean per stage."""
    f = invitations.copy()
    status = (f["status"] if "status" in f else pd.Series(None, index=f.index, dtype=object)).fillna("planned")
    if "sent_at" not in f:
        f["sent_at"] = pd.NaT
    f["responded"] = f["contact_id"].isin(responded_ids)
    f["planned"] = True
    f["bounced"] = status.eq("bounced")
    f["invited"] = f["sent_at"].notna() | status.isin(["invited", "delivered", "bounced"])
    f["delivered"] = (f["invited"] & ~f["bounced"]) | f["responded"]
    f["refused"] = status.eq("refused")
    f["unreachable"] = status.eq("unreachable")
    return f


def _rate(flags: pd.DataFrame, confidence: float) -> ResponseRate:
    return response_rate(int(flags["responded"].sum()), int(flags["delivered"].sum()), confidence)


def wave_response_rate(invitations: pd.DataFrame, responses: pd.DataFrame, *, confidence: float = 0.95) -> ResponseRate:
    """A wave's response rate, responded / delivered, as :func:`status` gives it (pure: no I/O).

    The one definition of the response rate: the wave report
    (:func:`cxlab.summary.summarize_wave`) calls this too.

    Parameters
    ----------
    invitations : DataFrame
        The wave's invitations (``contact_id, status, sent_at``; a missing
        ``sent_at`` counts as not sent).
    responses : DataFrame
        The wave's responses (``contact_id``).

    Examples
    --------
    >>> inv = pd.DataFrame({"contact_id": ["K1", "K2", "K3", "K4"],
    ...                     "status": ["delivered", "delivered", "bounced", "planned"],
    ...                     "sent_at": pd.to_datetime(["2026-09-10"] * 3 + [None])})
    >>> r = wave_response_rate(inv, pd.DataFrame({"contact_id": ["K1", "K9"]}))
    >>> r.responded, r.n
    (1, 2)
    """
    return _rate(_flags(invitations, set(responses["contact_id"].dropna())), confidence)


def _by(flags: pd.DataFrame, column: str, confidence: float) -> pd.DataFrame:
    key = flags[column].astype(object).where(flags[column].notna(), "(none)")
    out = flags.assign(**{column: key}).groupby(column, sort=True)[list(STAGES)].sum().astype("int64")
    rates = [response_rate(r, d, confidence) for r, d in zip(out["responded"], out["delivered"])]
    out["response_rate"] = [r.rate for r in rates]
    out["ci_low"] = [r.ci_low for r in rates]
    out["ci_high"] = [r.ci_high for r in rates]
    return out.reset_index()


def fieldwork_funnel(
    invitations: pd.DataFrame,
    responses: pd.DataFrame,
    clients: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    wave: str,
    now=None,
    confidence: float = 0.95,
    include_pii: bool = False,
) -> FieldworkStatus:
    """The funnel of one wave from its frames (pure: no I/O).

    Parameters
    ----------
    invitations : DataFrame
        The wave's invitations (``contact_id, channel, status, sent_at,
        reminders, reminded_at``).
    responses : DataFrame
        The wave's responses (``contact_id, client_id``).
    clients : DataFrame
        ``client_id, name, segment, manager``.
    contacts : DataFrame
        ``contact_id, client_id, role`` (and ``email`` for ``include_pii``).
    wave : str
    now : datetime, optional
        "As of" for ``days_since`` (the clock by default).
    confidence : float
        Of the Wilson intervals.
    include_pii : bool
        Add the silent clients' invited e-mails.

    Returns
    -------
    FieldworkStatus
    """
    as_of = pd.Timestamp(local_now(now))
    responded_ids = set(responses["contact_id"].dropna())
    keep = [c for c in ("contact_id", "client_id", "role", "email") if c in contacts.columns]
    inv = invitations.merge(contacts[keep], on="contact_id", how="left")
    inv = inv.merge(clients[["client_id", "segment"]], on="client_id", how="left")
    flags = _flags(inv, responded_ids)

    total = len(flags)
    funnel = pd.DataFrame({"stage": list(STAGES), "n": [int(flags[s].sum()) for s in STAGES]})
    funnel["share"] = funnel["n"] / total if total else math.nan
    rate = _rate(flags, confidence)

    # Silent: reached somewhere in the account, and no word from anyone of it
    # (a contact who declined has spoken: not silent).
    answered_clients = set(responses["client_id"].dropna())
    reached = flags[flags["delivered"] & ~flags["refused"] & ~flags["client_id"].isin(answered_clients)].copy()
    reached["last"] = pd.concat(
        [pd.to_datetime(reached["sent_at"]), pd.to_datetime(reached["reminded_at"])], axis=1
    ).max(axis=1)
    agg = {
        "contacts_invited": ("contact_id", "nunique"),
        "reminders_sent": ("reminders", lambda s: int(pd.to_numeric(s).fillna(0).sum())),
        "last_contacted": ("last", "max"),
    }
    if include_pii and "email" in reached.columns:
        agg["emails"] = ("email", lambda s: ", ".join(sorted(s.dropna().astype(str))))
    silent = (
        reached.groupby("client_id").agg(**agg).reset_index()
        if len(reached)
        else pd.DataFrame(columns=["client_id", *agg])
    )
    silent = silent.merge(clients[["client_id", "name", "manager"]], on="client_id", how="left")
    silent["last_contacted"] = pd.to_datetime(silent["last_contacted"])
    silent["days_since"] = (as_of.normalize() - silent["last_contacted"].dt.normalize()).dt.days.astype("Int64")
    cols = ["client_id", "name", "manager", "contacts_invited", "reminders_sent", "last_contacted", "days_since"]
    if "emails" in silent.columns:
        cols.append("emails")
    silent = (
        silent[cols]
        .sort_values(["days_since", "client_id"], ascending=[False, True], na_position="last")
        .reset_index(drop=True)
    )

    uninvited = len(responded_ids - set(flags["contact_id"]))
    return FieldworkStatus(
        wave=wave,
        as_of=as_of,
        funnel=funnel,
        by_segment=_by(flags, "segment", confidence),
        by_channel=_by(flags, "channel", confidence),
        by_role=_by(flags, "role", confidence),
        response_rate=rate,
        silent_clients=silent,
        uninvited_responses=uninvited,
    )


def status(ws, wave: str, *, include_pii: bool = False, now=None, confidence: float = 0.95) -> FieldworkStatus:
    """The wave's fieldwork status from the workspace.

    Examples
    --------
    >>> st = status(ws, "2026-Q3")             # doctest: +SKIP
    >>> print(st.summary("ru"))                # doctest: +SKIP
    >>> st.silent_clients                      # doctest: +SKIP
    """
    ws.wave(wave)  # a clear error for an unknown wave
    return fieldwork_funnel(
        ws.table("invitations", wave=wave),
        ws.responses(wave),
        ws.clients(),
        ws.contacts(include_pii=include_pii),
        wave=wave,
        now=now,
        confidence=confidence,
        include_pii=include_pii,
    )
