"""Who is asked in a wave: eligibility, personal tokens, the invitation plan.

:func:`eligibility` is a pure function on the clients and contacts frames;
:func:`plan` applies it to a workspace and writes ``invitations`` rows with
status ``planned`` (``unreachable`` for contacts without an e-mail address).

Re-running :func:`plan` is safe: tokens and statuses already stored are kept,
nobody planned or sent is planned again, newly eligible contacts are added,
and the result says what changed.

Examples
--------
>>> import pandas as pd
>>> from cxlab.fieldwork.config import Eligibility
>>> clients = pd.DataFrame({"client_id": ["C1", "C2"], "name": ["A", "B"], "status": ["active", "active"],
...                         "start_date": pd.to_datetime(["2025-01-15", "2026-08-01"])})
>>> contacts = pd.DataFrame({"contact_id": ["K1", "K2"], "client_id": ["C1", "C2"],
...                          "role": ["decision_maker", "day_to_day"], "language": ["ru", "en"]})
>>> ok, out = eligibility(clients, contacts, Eligibility(), pd.Timestamp("2026-09-10"))
>>> ok["contact_id"].tolist(), out["reason"].tolist()
(['K1'], ['tenure 1 month(s) < 3'])
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cxlab.fieldwork.common import EMAIL, ConfigError, isna, read_invitations, row_dict, save_invitations
from cxlab.fieldwork.config import Eligibility, WaveConfig, config_for_wave, save_config
from cxlab.schema import ROLES, parse_scale

__all__ = [
    "plan",
    "PlanResult",
    "eligibility",
    "tenure_months",
    "new_token",
    "contact_links",
    "NO_EMAIL_NOTE",
    "INVALID_EMAIL_NOTE",
    "PLAN_COLUMNS",
]

#: Note written on a contact that cannot get an e-mail invitation.
NO_EMAIL_NOTE = "no e-mail address"
#: ... because the address on file is not one (the note never repeats the address).
INVALID_EMAIL_NOTE = f"{NO_EMAIL_NOTE}: the e-mail address is not valid"
#: Columns of :attr:`PlanResult.plan`.
PLAN_COLUMNS = ["contact_id", "client_id", "role", "language", "status", "link"]
#: The first character of a token: never "-" (a formula in a spreadsheet) nor "_".
_TOKEN_FIRST = string.ascii_letters + string.digits


def tenure_months(start, opened) -> int | None:
    """Whole months from ``start`` to ``opened`` (None when ``start`` is unknown).

    >>> tenure_months(pd.Timestamp("2026-06-10"), pd.Timestamp("2026-09-09"))
    2
    >>> tenure_months(pd.Timestamp("2026-06-10"), pd.Timestamp("2026-09-10"))
    3
    """
    if isna(start):
        return None
    s, o = pd.Timestamp(start), pd.Timestamp(opened)
    return (o.year - s.year) * 12 + (o.month - s.month) - (1 if o.day < s.day else 0)


def eligibility(
    clients: pd.DataFrame, contacts: pd.DataFrame, rules: Eligibility, opened_at, *, keep_first=()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split contacts into eligible and excluded (with the reason).

    Parameters
    ----------
    clients : DataFrame
        ``client_id, status, start_date`` (and ``name``).
    contacts : DataFrame
        ``contact_id, client_id, role`` (and any other columns, kept).
    rules : Eligibility
        Statuses, minimum tenure, roles, exclusions, cap per client.
    opened_at : date-like
        The wave's opening: tenure is counted up to it.
    keep_first : iterable of str
        Contacts that win a place under ``max_contacts_per_client`` first
        (those already invited, so that a re-plan never swaps people).

    Returns
    -------
    eligible : DataFrame
        The contacts' columns plus ``client_name`` and ``tenure_months``.
    excluded : DataFrame
        ``contact_id, client_id, role, reason``: the first rule each one fails.
    """
    info = clients.set_index("client_id")
    frame = contacts.copy()
    frame["client_name"] = frame["client_id"].map(info["name"]) if "name" in info else None
    frame["client_status"] = frame["client_id"].map(info["status"])
    frame["tenure_months"] = [
        tenure_months(info.at[c, "start_date"], opened_at) if c in info.index else None for c in frame["client_id"]
    ]
    roles = rules.roles
    allowed_statuses = ", ".join(rules.statuses)
    reasons: list[str | None] = []
    for _, r in frame.iterrows():
        if r["contact_id"] in rules.exclude_contacts:
            reasons.append("contact excluded in the config")
        elif r["client_id"] in rules.exclude_clients:
            reasons.append("client excluded in the config")
        elif r["client_id"] not in info.index:
            reasons.append(f"unknown client '{r['client_id']}'")
        elif r["client_status"] not in rules.statuses:
            reasons.append(f"client status {r['client_status'] or 'unknown'} (asked: {allowed_statuses})")
        elif rules.min_tenure_months > 0 and isna(r["tenure_months"]):
            reasons.append("tenure unknown (no start_date)")
        elif rules.min_tenure_months > 0 and r["tenure_months"] < rules.min_tenure_months:
            reasons.append(f"tenure {int(r['tenure_months'])} month(s) < {rules.min_tenure_months}")
        elif roles is not None and r["role"] not in roles:
            reasons.append(f"role {r['role'] or 'unknown'} not asked ({', '.join(roles)})")
        else:
            reasons.append(None)
    frame["reason"] = reasons
    if rules.max_contacts_per_client:
        # Who takes the places: those already invited, then by role (the
        # config's order, else decision makers first), then by id.
        order = list(roles or ROLES)
        ok = frame[frame["reason"].isna()].copy()
        ok["_first"] = ~ok["contact_id"].isin(list(keep_first))
        ok["_role"] = ok["role"].map({r: i for i, r in enumerate(order)}).fillna(len(order))
        ok = ok.sort_values(["client_id", "_first", "_role", "contact_id"])
        over = ok.groupby("client_id").cumcount() >= rules.max_contacts_per_client
        frame.loc[over[over].index, "reason"] = f"over {rules.max_contacts_per_client} contact(s) per client"
    excluded = frame[frame["reason"].notna()][["contact_id", "client_id", "role", "reason"]]
    eligible = frame[frame["reason"].isna()].drop(columns=["reason", "client_status"])
    return eligible.reset_index(drop=True), excluded.reset_index(drop=True)


def new_token(taken=()) -> str:
    """An unguessable URL-safe token, not in ``taken``, that starts with a letter or a digit.

    One random letter or digit (~6 bits) followed by ``secrets.token_urlsafe(16)``
    (128 random bits): 23 characters, about 134 random bits.  The first
    character is never ``-`` or ``_``: a spreadsheet reads a value starting
    with ``-`` as a formula (``#NAME?``), and the token column of a form
    tool's export is opened in one.
    """
    while True:
        token = secrets.choice(_TOKEN_FIRST) + secrets.token_urlsafe(16)
        if token not in taken:
            return token


@dataclass
class PlanResult:
    """What :func:`plan` did.

    Attributes
    ----------
    plan : DataFrame
        ``contact_id, client_id, role, language, status, link``, one row per
        invitation of the wave.  The link holds the personal token: it is
        personal data, for the analyst only, never for reports.
    excluded : DataFrame
        ``contact_id, client_id, role, reason`` of the contacts not asked.
    added : list of str
        Contacts planned by this run.
    messages : list of str
        What else changed, and what to check.
    """

    wave: str
    plan: pd.DataFrame
    excluded: pd.DataFrame
    added: list[str] = field(default_factory=list)
    kept: int = 0
    messages: list[str] = field(default_factory=list)
    config_path: Path | None = None

    def __str__(self) -> str:
        counts = self.plan["status"].value_counts()
        text = (
            f"wave {self.wave}: {len(self.plan)} contact(s) in the plan "
            f"({', '.join(f'{n} {s}' for s, n in counts.items()) or 'none'}); "
            f"{len(self.added)} added now, {self.kept} kept as they were; "
            f"{len(self.excluded)} excluded"
        )
        if len(self.excluded):
            reasons = self.excluded["reason"].str.replace(r"\d+ month\(s\)", "N months", regex=True)
            text += " (" + ", ".join(f"{n} {r}" for r, n in reasons.value_counts().items()) + ")"
        return "\n".join([text, *self.messages])


def contact_links(
    invitations: pd.DataFrame, contacts: pd.DataFrame, clients: pd.DataFrame, config: WaveConfig, wave: str
) -> pd.DataFrame:
    """Invitation rows joined with their contact and client, with ``language`` and the personal ``link``.

    ``contacts`` may hold PII (name, email); the result keeps every column.
    """
    template = config.form.template
    frame = invitations.merge(
        contacts.drop(columns=["wave_id"], errors="ignore"), on="contact_id", how="left", suffixes=("", "_contact")
    )
    names = clients.set_index("client_id")["name"]
    frame["client_name"] = frame["client_id"].map(names)
    frame["language"] = [lang if lang in ("ru", "en") else config.language for lang in frame["language"]]
    frame["link"] = [
        template.render(
            token=r["token"],
            contact_id=r["contact_id"],
            client_id=r["client_id"],
            client_name=r["client_name"],
            language=r["language"],
            wave=wave,
        )
        if not isna(r["token"])
        else None
        for _, r in frame.iterrows()
    ]
    return frame


def plan(ws, wave: str, config) -> PlanResult:
    """Plan the wave's invitations.

    Parameters
    ----------
    ws : Workspace
    wave : str
        Wave id; registered with the config's questionnaire and dates if missing.
    config : WaveConfig, mapping or path
        The wave config; stored as ``<workspace>/waves/<wave>.yaml``.

    Returns
    -------
    PlanResult

    Raises
    ------
    ConfigError
        An invalid config, one for another wave, or a new wave without ``opened_at``.

    Examples
    --------
    >>> result = plan(ws, "2026-Q4", "wave.yaml")        # doctest: +SKIP
    >>> print(result)                                     # doctest: +SKIP
    wave 2026-Q4: 4 contact(s) in the plan (3 planned, 1 unreachable); 4 added now, 0 kept as they were; ...
    """
    cfg = config_for_wave(config, wave)
    _check_questionnaire(cfg.questionnaire)
    messages: list[str] = []
    if wave not in ws.wave_ids():
        if cfg.opened_at is None:
            raise ConfigError(f"opened_at: required to register the new wave '{wave}' (tenure is counted up to it)")
        nps_scale, rating_scale = _questionnaire_scales(cfg.questionnaire)
        ws.add_wave(
            wave,
            opened_at=cfg.opened_at,
            closed_at=cfg.closed_at,
            questionnaire=cfg.questionnaire,
            nps_scale=nps_scale,
            rating_scale=rating_scale,
        )
        messages.append(
            f"wave {wave} registered (opened {cfg.opened_at}, closes {cfg.closed_at or 'open-ended'}, "
            f"questionnaire {cfg.questionnaire}, scales: recommend {nps_scale}, "
            f"ratings {rating_scale})"
        )
    else:
        messages += _scale_warnings(ws.wave(wave), cfg.questionnaire, wave)
    record = ws.wave(wave)
    opened = record.get("opened_at")
    if isna(opened):
        opened = cfg.opened_at
    if opened is None:
        raise ConfigError(f"opened_at: wave '{wave}' has no opening date; tenure cannot be counted")
    if cfg.opened_at is not None and pd.Timestamp(opened) != pd.Timestamp(cfg.opened_at):
        messages.append(
            f"note: wave {wave} opened on {pd.Timestamp(opened):%Y-%m-%d} in the workspace, "
            f"{cfg.opened_at} in the config; tenure is counted to the workspace's date"
        )

    clients = ws.clients()
    contacts = ws.contacts(include_pii=True)
    existing = read_invitations(ws, wave)
    already = set(existing["contact_id"])
    eligible, excluded = eligibility(clients, contacts, cfg.eligibility, opened, keep_first=already)

    taken = set(ws.table("invitations", include_pii=True)["token"].dropna())
    emails = contacts.set_index("contact_id")["email"]
    rows, added, reopened = [], [], []
    for _, c in eligible.iterrows():
        if c["contact_id"] in already:
            continue
        token = new_token(taken)
        taken.add(token)
        reachable = _has_email(c["email"])
        rows.append(
            {
                "wave_id": wave,
                "contact_id": c["contact_id"],
                "channel": "email",
                "sent_at": None,
                "reminders": 0,
                "status": "planned" if reachable else "unreachable",
                "token": token,
                "reminded_at": None,
                "sent_via": None,
                "note": None if reachable else _no_email_note(c["email"]),
            }
        )
        added.append(c["contact_id"])
    # A contact left unreachable for want of an address who has one now is planned after all.
    eligible_ids = set(eligible["contact_id"])
    for _, inv in existing.iterrows():
        kid = inv["contact_id"]
        if (
            inv["status"] == "unreachable"
            and isna(inv["sent_at"])
            and str(inv["note"] or "").startswith(NO_EMAIL_NOTE)
            and kid in eligible_ids
            and _has_email(emails.get(kid))
        ):
            rows.append({**row_dict(inv), "status": "planned", "note": None})
            reopened.append(kid)
    save_invitations(ws, rows)

    stale = existing[(existing["status"] == "planned") & ~existing["contact_id"].isin(eligible_ids)]
    for _, inv in stale.iterrows():
        why = excluded.set_index("contact_id")["reason"].get(inv["contact_id"], "no longer in contacts")
        messages.append(
            f"warning: {inv['contact_id']} was planned earlier and is no longer eligible ({why}); "
            f"it stays planned: `cxlab wave mark --status refused {inv['contact_id']}` to leave it out"
        )
    if reopened:
        messages.append(
            f"{len(reopened)} contact(s) unreachable before now have an e-mail and are planned: " + ", ".join(reopened)
        )
    unreachable_now = [r["contact_id"] for r in rows if r["status"] == "unreachable"]
    if unreachable_now:
        messages.append(
            f"{len(unreachable_now)} contact(s) without a usable e-mail are unreachable: " + ", ".join(unreachable_now)
        )
    config_path, config_messages = save_config(ws, wave, cfg)
    messages += config_messages

    invitations = read_invitations(ws, wave)
    linked = contact_links(invitations, contacts, clients, cfg, wave)
    return PlanResult(
        wave=wave,
        plan=linked[PLAN_COLUMNS].reset_index(drop=True),
        excluded=excluded,
        added=added,
        kept=len(already) - len(reopened),
        messages=messages,
        config_path=config_path,
    )


def _has_email(email) -> bool:
    return not isna(email) and bool(EMAIL.match(str(email).strip()))


def _no_email_note(email) -> str:
    # The note is for any reader of the invitations: it never repeats the address.
    return NO_EMAIL_NOTE if isna(email) or not str(email).strip() else INVALID_EMAIL_NOTE


def _questionnaire_scales(name: str) -> tuple[str, str]:
    """The questionnaire's recommend and rating scales as ``"min-max"`` (the wave record's form).

    A questionnaire without an ``nps`` or ``rating`` scale keeps the default
    (0-10, 1-5).
    """
    from cxlab.questionnaire import load_questionnaire

    try:
        scales = load_questionnaire(name).scales
    except (OSError, ValueError) as exc:  # FileNotFoundError, QuestionnaireError
        raise ConfigError(f"questionnaire: '{name}' cannot be read: {exc}") from None
    out = []
    for key, default in (("nps", (0, 10)), ("rating", (1, 5))):
        lo, hi = scales.get(key, default)
        text = f"{lo}-{hi}"
        try:
            recordable = parse_scale(text) == (lo, hi)
        except ValueError:
            recordable = False
        if not recordable:
            raise ConfigError(
                f"questionnaire: the '{key}' scale {lo}..{hi} of '{name}' cannot be recorded on "
                "a wave (scales are 'min-max' with min >= 0)"
            ) from None
        out.append(text)
    return out[0], out[1]


def _scale_warnings(record, questionnaire: str, wave: str) -> list[str]:
    """Warnings when a wave registered earlier records other scales than its questionnaire has."""
    nps_scale, rating_scale = _questionnaire_scales(questionnaire)
    out = []
    for column, expected in (("nps_scale", nps_scale), ("rating_scale", rating_scale)):
        stored = record.get(column)
        try:
            differs = not isna(stored) and parse_scale(stored) != parse_scale(expected)
        except ValueError:
            differs = True
        if differs:
            out.append(
                f"warning: wave {wave} records {column} {stored}, the questionnaire {questionnaire} "
                f"asks on {expected}; the analysis reads the wave's record"
            )
    return out


def _check_questionnaire(name: str) -> None:
    from cxlab.questionnaire import TEMPLATE_DIR

    if (TEMPLATE_DIR / f"{name}.yaml").is_file() or Path(name).is_file():
        return
    known = ", ".join(sorted(p.stem for p in TEMPLATE_DIR.glob("*.yaml"))) or "none"
    raise ConfigError(f"questionnaire: unknown template '{name}' (templates: {known})")
