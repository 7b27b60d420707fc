"""What the fieldwork modules share: errors, the clock, reading and writing invitation rows.

Invitation rows are written only through :meth:`cxlab.Workspace.load`, which
upserts whole rows by key (``wave_id, contact_id``); a row is therefore always
written complete, never one column at a time, or the other columns would be
lost.

Examples
--------
>>> from datetime import datetime
>>> local_now(datetime(2026, 9, 20, 10, 30))
datetime.datetime(2026, 9, 20, 10, 30)
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from cxlab.errors import DataError, FieldworkError
from cxlab.errors import WaveConfigError as ConfigError  # the name fieldwork code and its users know
from cxlab.schema import TABLES
from cxlab.schema import is_missing as isna  # one definition of "missing" for stored values

__all__ = [
    "FieldworkError",
    "ConfigError",
    "local_now",
    "read_invitations",
    "save_invitations",
    "outbox_dir",
    "waves_dir",
    "isna",
    "row_dict",
    "without_address",
    "RECIPIENT",
    "INVITATION_COLUMNS",
]

INVITATION_COLUMNS = TABLES["invitations"].names
#: A plausible e-mail address (one @, a dot in the domain, no separators).
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def local_now(now=None) -> datetime:
    """``now`` (or the clock) as a naive local datetime, the way invitation times are stored.

    Times are stored as the analyst's local wall-clock time: "sent at 10:15"
    reads the same in the workspace as on the office clock.
    """
    if now is None:
        return datetime.now().replace(microsecond=0)
    now = pd.Timestamp(now).to_pydatetime()
    if now.tzinfo is not None:
        now = now.astimezone().replace(tzinfo=None)
    return now


def read_invitations(ws, wave: str) -> pd.DataFrame:
    """The wave's invitation rows with tokens (PII), one per contact."""
    return ws.table("invitations", wave=wave, include_pii=True)


def save_invitations(ws, rows) -> int:
    """Upsert complete invitation rows (a list of dicts or a frame) in one transaction."""
    frame = pd.DataFrame(list(rows)) if not isinstance(rows, pd.DataFrame) else rows
    if frame.empty:
        return 0
    missing = [c for c in INVITATION_COLUMNS if c not in frame.columns]
    if missing:  # a programming error: a partial row would blank the other columns
        raise DataError(f"invitation rows lack columns {missing}", columns=missing)
    frame = frame[INVITATION_COLUMNS].copy()
    frame["reminders"] = pd.to_numeric(frame["reminders"]).fillna(0).astype("int64")
    for col in ("sent_at", "reminded_at"):
        frame[col] = pd.to_datetime(frame[col])
    # None, not NaN, in text columns: NaN is not a valid channel, status or note.
    for col in ("wave_id", "contact_id", "channel", "status", "token", "sent_via", "note"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return ws.load("invitations", frame)


#: What stands for the recipient's address in a note (a server's refusal, a bounce report).
RECIPIENT = "<recipient>"


def without_address(text, *addresses):
    """``text`` with each of ``addresses`` (any case, with or without ``<...>``) replaced by ``<recipient>``.

    Notes on invitations are read by more people than the contact list: the
    recipient's address is not repeated in them.  None stays None.

    >>> without_address("550 5.1.1 <Eve@Example.ru>: Recipient address rejected", "eve@example.ru")
    '550 5.1.1 <recipient>: Recipient address rejected'
    """
    if text is None or isna(text):
        return None
    text = str(text)
    for address in addresses:
        if address is None or isna(address) or not str(address).strip():
            continue
        plain = re.escape(str(address).strip())
        text = re.sub(rf"<\s*{plain}\s*>|{plain}", RECIPIENT, text, flags=re.IGNORECASE)
    return text


def row_dict(row) -> dict:
    """A frame row as a plain dict with None for missing values (ready to modify and save)."""
    return {k: (None if isna(v) else v) for k, v in dict(row).items()}


def waves_dir(ws) -> Path:
    """``<workspace>/waves``: the stored wave configs."""
    return Path(ws.path) / "waves"


def outbox_dir(ws, wave: str) -> Path:
    """``<workspace>/outbox/<wave>``: written messages (PII stays inside the workspace folder)."""
    return Path(ws.path) / "outbox" / wave
