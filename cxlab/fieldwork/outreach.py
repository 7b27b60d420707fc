"""Sending invitations and reminders, and recording what happened to them.

Every message is recorded in ``invitations`` right after it goes out, in a
small transaction of its own: a run that stops half-way (a lost connection,
Ctrl-C) leaves exactly the sent ones marked, and running it again sends only
the rest.  (The one gap: a crash between the server's "accepted" and that
write would send that one message again.)

* :func:`send` sends the invitations still ``planned``: accepted by the SMTP
  server -> ``delivered``, refused for good -> ``bounced`` (the server's
  words in ``note``), written as ``.eml`` -> ``invited``.
* :func:`remind` reminds contacts who have not responded, whose last message
  is at least ``after_days`` calendar days old, and who got fewer than
  ``max`` reminders; a second run on the same day sends nothing.
* :func:`mark` records what was learnt elsewhere: a bounce report, a client
  who said no, a contact who left.

Examples
--------
::

    from cxlab.fieldwork import plan, send, remind, status
    plan(ws, "2026-Q4", "wave.yaml")
    print(send(ws, "2026-Q4"))                  # via SMTP, as configured
    print(send(ws, "2026-Q4", via="eml"))       # or drafts for a mail client
    print(remind(ws, "2026-Q4"))                # a week later
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd
from tqdm.auto import tqdm

from cxlab.errors import ParameterError
from cxlab.fieldwork.common import (
    ConfigError,
    FieldworkError,
    isna,
    local_now,
    outbox_dir,
    read_invitations,
    row_dict,
    save_invitations,
    without_address,
)
from cxlab.fieldwork.config import WaveConfig, config_for_wave, resolve_smtp, stored_config
from cxlab.fieldwork.mail import EmlTransport, Recipient, SmtpTransport, render_email
from cxlab.fieldwork.planning import INVALID_EMAIL_NOTE, NO_EMAIL_NOTE, contact_links

__all__ = ["send", "remind", "mark", "SendResult", "MARK_STATUSES", "VIA"]

#: Ways to send.
VIA = ("smtp", "eml")
#: Statuses :func:`mark` records (``invited``: sent by hand, outside cxlab).
MARK_STATUSES = ("bounced", "refused", "unreachable", "invited")
#: Invitation statuses that can be reminded (the message reached someone, as far as we know).
REMINDABLE = ("delivered", "invited")
RESULT_COLUMNS = ["contact_id", "client_id", "email", "language", "subject", "link", "status", "note", "file"]


@dataclass
class SendResult:
    """What :func:`send` or :func:`remind` did.

    Attributes
    ----------
    messages : DataFrame
        One row per message: ``contact_id, client_id, email, language,
        subject, link, status, note, file``.  It holds e-mails and personal
        links: for the analyst, never for reports.
    notes : list of str
        Who was left out and why, warnings.
    """

    wave: str
    kind: str
    via: str
    dry_run: bool
    messages: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Messages by outcome (``delivered``, ``invited``, ``bounced``, ``deferred``, ``unreachable``)."""
        return {str(k): int(v) for k, v in self.messages["status"].value_counts().items()}

    @property
    def sent(self) -> int:
        """Messages that went out (accepted by the server or written as files)."""
        return sum(n for s, n in self.counts.items() if s in ("delivered", "invited"))

    def __str__(self) -> str:
        what = f"{self.kind}s" if len(self.messages) != 1 else self.kind
        if self.dry_run:
            lines = [
                f"wave {self.wave}: dry run, {len(self.messages)} {what} would go out via {self.via} (nothing sent):"
            ]
            lines += [
                f"  {r.contact_id}  {r.email}  [{r.language}]  {r.subject}  {r.link}"
                for r in self.messages.itertuples()
            ]
        else:
            counts = ", ".join(f"{n} {s}" for s, n in self.counts.items())
            lines = [
                f"wave {self.wave}: {len(self.messages)} {what} via {self.via}" + (f": {counts}" if counts else "")
            ]
            lines += [
                f"  {r.contact_id} {r.status}: {r.note}"
                for r in self.messages.itertuples()
                if r.status in ("bounced", "deferred", "unreachable")
            ]
            files = self.messages["file"].dropna()
            if len(files):
                lines.append(f"  files in {Path(files.iloc[0]).parent}")
        return "\n".join(lines + [f"  {n}" for n in self.notes])


def _config(ws, wave, config) -> WaveConfig:
    """The config given (checked to be this wave's: another wave's form link must never go out), else the stored one."""
    return config_for_wave(config, wave) if config is not None else stored_config(ws, wave)


def _invitations(ws, wave) -> pd.DataFrame:
    invitations = read_invitations(ws, wave)
    if invitations.empty:
        raise FieldworkError(
            f"wave '{wave}' has no invitation plan: run `cxlab wave plan --wave {wave} --config wave.yaml` first"
        )
    return invitations


def send(
    ws,
    wave: str,
    *,
    via: str = "smtp",
    out_dir=None,
    now=None,
    config=None,
    dry_run: bool = False,
    progress: bool = True,
    env=None,
) -> SendResult:
    """Send the wave's planned invitations.

    Parameters
    ----------
    ws : Workspace
    wave : str
    via : {"smtp", "eml"}
        Through the configured SMTP server, or as .eml drafts plus a
        mail-merge CSV for the analyst's mail client.
    out_dir : path, optional
        Where .eml files go; default ``<workspace>/outbox/<wave>/`` (personal
        data stays inside the workspace folder).
    now : datetime, optional
        The time recorded as ``sent_at`` (the clock by default).
    config : WaveConfig, mapping or path, optional
        Instead of the config stored by :func:`plan`; its ``wave``, when
        given, must be ``wave`` (another wave's form link is never sent).
    dry_run : bool
        Render the messages and say who would get what; send nothing, record nothing.
    progress : bool
        Show a tqdm progress bar.
    env : mapping, optional
        Environment for the SMTP overrides and password (``os.environ`` by default).

    Returns
    -------
    SendResult

    Raises
    ------
    ConfigError
        A config for another wave (nothing is sent), or no SMTP server configured.
    FieldworkError
        No plan, a failed login or a lost connection (what was sent before is
        recorded).

    Examples
    --------
    >>> print(send(ws, "2026-Q4", via="eml", progress=False))    # doctest: +SKIP
    wave 2026-Q4: 4 invitations via eml: 4 invited
      files in workspaces/acme/outbox/2026-Q4
    """
    cfg = _config(ws, wave, config)
    invitations = _invitations(ws, wave)
    targets = invitations[(invitations["status"] == "planned") & (invitations["channel"].fillna("email") == "email")]
    notes = []
    others = len(invitations) - len(targets)
    if others:
        notes.append(
            f"{others} invitation(s) not planned any more (already sent, bounced, refused or "
            "unreachable) were left alone"
        )
    return _deliver(
        ws,
        wave,
        cfg,
        targets,
        kind="invitation",
        via=via,
        out_dir=out_dir,
        now=now,
        dry_run=dry_run,
        progress=progress,
        env=env,
        notes=notes,
    )


def remind(
    ws,
    wave: str,
    *,
    after_days: int | None = None,
    max_reminders: int | None = None,
    via: str = "smtp",
    out_dir=None,
    now=None,
    config=None,
    dry_run: bool = False,
    progress: bool = True,
    env=None,
) -> SendResult:
    """Remind the contacts who have not responded yet.

    A contact is reminded when their invitation is ``delivered`` or
    ``invited``, there is no response of theirs in the wave (the
    ``responses`` table), their last message (``reminded_at``, else
    ``sent_at``) is at least ``after_days`` calendar days before ``now``,
    and they got fewer than ``max_reminders`` reminders.

    Parameters
    ----------
    after_days, max_reminders : int, optional
        Default: the config's ``reminders.after_days`` and ``reminders.max``.
    via, out_dir, now, config, dry_run, progress, env
        As in :func:`send`.

    Returns
    -------
    SendResult

    Examples
    --------
    >>> print(remind(ws, "2026-Q4", now="2026-12-08", progress=False))     # doctest: +SKIP
    wave 2026-Q4: 2 reminders via smtp: 2 delivered
      1 responded already; 0 not due yet (last message under 7 days ago); 0 had 2 reminders
    """
    cfg = _config(ws, wave, config)
    after_days = cfg.reminders.after_days if after_days is None else int(after_days)
    max_reminders = cfg.reminders.max if max_reminders is None else int(max_reminders)
    if after_days < 1:
        raise FieldworkError("after_days must be at least 1 (a reminder on the day of the invitation is spam)")
    if max_reminders < 0:
        raise FieldworkError("max_reminders cannot be negative")
    when = local_now(now)
    invitations = _invitations(ws, wave)
    responded = set(ws.responses(wave)["contact_id"].dropna())
    open_ = invitations[invitations["status"].isin(REMINDABLE) & (invitations["channel"].fillna("email") == "email")]
    answered = open_["contact_id"].isin(responded)
    last = pd.to_datetime(open_["reminded_at"]).fillna(pd.to_datetime(open_["sent_at"]))
    # Calendar days: "a week after Monday's invitation" is next Monday, whatever the hour.
    days = (pd.Timestamp(when).normalize() - last.dt.normalize()).dt.days
    due = days.isna() | (days >= after_days)
    reminders = pd.to_numeric(open_["reminders"]).fillna(0)
    under_max = reminders < max_reminders
    targets = open_[~answered & due & under_max]
    notes = [
        f"{int(answered.sum())} responded already; {int((~answered & ~due).sum())} not due yet (last message "
        f"under {after_days} day(s) ago); {int((~answered & due & ~under_max).sum())} had "
        f"{max_reminders} reminder(s)"
    ]
    closed = cfg.closed_at or _closed_at(ws, wave)
    if closed is not None and when.date() > closed:
        notes.append(f"warning: the wave closed on {closed}; the reminder still names that date")
    return _deliver(
        ws,
        wave,
        cfg,
        targets,
        kind="reminder",
        via=via,
        out_dir=out_dir,
        now=when,
        dry_run=dry_run,
        progress=progress,
        env=env,
        notes=notes,
    )


def _closed_at(ws, wave):
    closed = ws.wave(wave).get("closed_at")
    return None if isna(closed) else pd.Timestamp(closed).date()


def _deliver(
    ws, wave, cfg: WaveConfig, targets: pd.DataFrame, *, kind, via, out_dir, now, dry_run, progress, env, notes
) -> SendResult:
    if via not in VIA:
        raise FieldworkError(f"via must be one of {', '.join(VIA)}, not '{via}'")
    when = local_now(now)
    frame = contact_links(targets, ws.contacts(include_pii=True), ws.clients(), cfg, wave)
    deadline = cfg.closed_at or _closed_at(ws, wave)

    # Render everything first: a broken template stops the run before the
    # first message leaves, not half-way through.
    outgoing, unusable, rows = [], [], []
    for r in frame.itertuples(index=False):
        number = int(r.reminders or 0) + 1 if kind == "reminder" else None
        recipient = Recipient(
            r.contact_id,
            r.client_id,
            None if isna(r.email) else str(r.email).strip(),
            None if isna(r.name) else r.name,
            r.language,
            r.client_name,
            r.link,
        )
        try:
            if not recipient.email:
                raise ParameterError(NO_EMAIL_NOTE, parameter="recipient", value=recipient.email)
            msg = render_email(
                kind, recipient, cfg, wave=wave, deadline=deadline, reminder_number=number, draft=(via == "eml")
            )
        except jinja2.TemplateError as exc:
            # Only a syntax error (TemplateSyntaxError) carries the file and line; getattr tells.
            where = f" ({exc.filename}, line {exc.lineno})" if getattr(exc, "filename", None) else ""  # type: ignore[attr-defined]
            raise FieldworkError(
                f"the {kind} e-mail in '{recipient.language}' does not render{where}: {exc}; nothing was sent"
            ) from None
        except ValueError as exc:  # an address that cannot be used: recorded, the others go on
            # The analyst's result says why; the stored note does not repeat the address.
            rows.append(_result_row(recipient, None, "unreachable", str(exc)))
            note = NO_EMAIL_NOTE if not recipient.email else INVALID_EMAIL_NOTE
            unusable.append({**_original(targets, r.contact_id), "status": "unreachable", "note": note})
            continue
        outgoing.append((recipient, msg, number))

    if dry_run:
        rows += [_result_row(rc, m, "would send", None) for rc, m, _ in outgoing]
        if via == "smtp":  # say where it would go, and whether the settings are complete
            try:
                s = resolve_smtp(cfg, env)
                notes = notes + [
                    f"would connect to {s.host}:{s.port} ({s.security})"
                    + (f" as {s.username}" if s.username else " without login")
                ]
            except ConfigError as exc:
                notes = notes + [f"warning: {exc}"]
        return SendResult(wave, kind, via, True, _frame(rows), notes)

    transport: SmtpTransport | EmlTransport | None = None
    if outgoing:  # settings are checked only when there is something to send
        if via == "smtp":
            transport = SmtpTransport(resolve_smtp(cfg, env))
        else:
            folder = Path(out_dir) if out_dir is not None else outbox_dir(ws, wave)
            if "reports" in Path(folder).resolve().parts:
                raise FieldworkError(f"{folder}: messages hold personal data and are never written under reports/")
            transport = EmlTransport(folder, kind, when.strftime("%Y%m%d-%H%M%S"))
    save_invitations(ws, unusable)
    if transport is None:
        return SendResult(wave, kind, via, False, _frame(rows), notes)
    with transport:
        for recipient, msg, number in tqdm(outgoing, desc=f"{kind}s via {via}", unit="msg", disable=not progress):
            delivery = transport.send(msg, recipient, kind if number is None else f"{kind}{number}")
            update = _record(_original(targets, recipient.contact_id), kind, via, delivery, when)
            save_invitations(ws, [update])  # one small transaction per message
            rows.append(_result_row(recipient, msg, delivery.status, delivery.note, delivery.file))
    return SendResult(wave, kind, via, False, _frame(rows), notes)


def _original(targets: pd.DataFrame, contact_id: str) -> dict:
    return row_dict(targets[targets["contact_id"] == contact_id].iloc[0])


def _record(row: dict, kind: str, via: str, delivery, when) -> dict:
    """The invitation row after one message."""
    row = dict(row)
    if delivery.status == "deferred":  # not sent: stays as it was, tried again next run
        row["note"] = f"deferred {when:%Y-%m-%d %H:%M}: {delivery.note}"
        return row
    if kind == "invitation":
        row.update(sent_at=when, sent_via=via, status=delivery.status, note=delivery.note)
    elif delivery.status == "bounced":
        row.update(status="bounced", note=delivery.note)
    else:
        row.update(reminders=int(row.get("reminders") or 0) + 1, reminded_at=when, note=delivery.note)
    return row


def _result_row(recipient: Recipient, msg, status, note, file=None) -> dict:
    return {
        "contact_id": recipient.contact_id,
        "client_id": recipient.client_id,
        "email": recipient.email,
        "language": recipient.language,
        "subject": None if msg is None else str(msg["Subject"]),
        "link": recipient.link,
        "status": status,
        "note": note,
        "file": file,
    }


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def mark(ws, wave: str, contacts_or_emails, status: str, note: str | None = None, *, now=None) -> pd.DataFrame:
    """Record what was learnt outside cxlab about some invitations.

    Parameters
    ----------
    ws : Workspace
    wave : str
    contacts_or_emails : str or iterable of str
        Contact ids or e-mail addresses (case does not matter) of contacts in
        the wave's plan.
    status : {"bounced", "refused", "unreachable", "invited"}
        ``invited``: the link was sent by hand (recorded as ``sent_via=manual``).
    note : str, optional
        Why (the bounce report's words, what the client said).  The contact's
        e-mail address is replaced by ``<recipient>`` in it.

    Returns
    -------
    DataFrame
        ``contact_id, status, note`` of the rows changed.

    Raises
    ------
    FieldworkError
        An unknown status, or ids/e-mails not in the wave's plan (all named);
        nothing is written then.

    Examples
    --------
    >>> mark(ws, "2026-Q4", ["c@example.com"], "bounced", "550 mailbox unavailable")   # doctest: +SKIP
      contact_id   status                     note
    0         K3  bounced  550 mailbox unavailable
    """
    if status not in MARK_STATUSES:
        raise FieldworkError(f"status must be one of {', '.join(MARK_STATUSES)}, not '{status}'")
    items = [contacts_or_emails] if isinstance(contacts_or_emails, str) else list(contacts_or_emails)
    if not items:
        raise FieldworkError("name at least one contact id or e-mail to mark")
    invitations = _invitations(ws, wave)
    planned = set(invitations["contact_id"])
    contacts = ws.contacts(include_pii=True)
    by_email: dict[str, list[str]] = {}
    for kid, email in zip(contacts["contact_id"], contacts["email"]):
        if not isna(email):
            by_email.setdefault(str(email).strip().lower(), []).append(kid)
    chosen, unknown, not_in_wave = [], [], []
    for item in items:
        item = str(item).strip()
        ids = [item] if item in set(contacts["contact_id"]) else by_email.get(item.lower(), [])
        if not ids:
            unknown.append(item)
            continue
        in_wave = [k for k in ids if k in planned]
        if not in_wave:
            not_in_wave.append(item)
        chosen += [k for k in in_wave if k not in chosen]
    problems = []
    if unknown:
        problems.append(f"unknown contact id(s) or e-mail(s): {', '.join(unknown)}")
    if not_in_wave:
        problems.append(f"not in wave {wave}'s plan: {', '.join(not_in_wave)}")
    if problems:
        raise FieldworkError("; ".join(problems) + "; nothing was marked")
    when = local_now(now)
    rows = []
    emails = contacts.groupby("contact_id")["email"].agg(list).to_dict()
    for kid in chosen:
        row = _original(invitations, kid)
        # A pasted bounce report names the recipient: the note keeps the words, not the address.
        row.update(
            status=status, note=without_address(note, *emails.get(kid, [])) if note is not None else row.get("note")
        )
        if status == "invited":
            row.update(sent_via="manual", sent_at=row.get("sent_at") or when)
        rows.append(row)
    save_invitations(ws, rows)  # all in one transaction
    return pd.DataFrame([{"contact_id": r["contact_id"], "status": r["status"], "note": r["note"]} for r in rows])
