"""Canonical tables of a cxlab workspace.

One definition of every table: its columns, their DuckDB types, which are
required on input, and the primary key.  The store creates its tables from
here, the simulator and the importers produce frames with these columns, and
the exporter writes them.  ``contacts`` is the only table that holds personal
data (names, e-mails, phones); :data:`PII_COLUMNS` lists what an export drops
unless asked to keep it.

Scales are written as text ``"min-max"`` (``"0-10"``, ``"1-5"``) and parsed
with :func:`parse_scale`.

Examples
--------
>>> from cxlab.schema import TABLES, parse_scale
>>> TABLES["responses"].key
('response_id',)
>>> parse_scale("0-10")
(0, 10)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from cxlab.errors import ParameterError

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "TABLE_ORDER",
    "PII_COLUMNS",
    "ROLES",
    "EVENT_KINDS",
    "INVITATION_STATUSES",
    "ALLOWED_VALUES",
    "frame_schema",
    "parse_scale",
    "format_scale",
    "is_missing",
]


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # DuckDB type
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def ddl(self) -> str:
        cols = [f'"{c.name}" {c.dtype}' for c in self.columns]
        if self.key:
            cols.append("PRIMARY KEY (" + ", ".join(self.key) + ")")
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  " + ",\n  ".join(cols) + "\n)"


def _t(name, key, description, *cols):
    return Table(name=name, key=tuple(key), description=description, columns=tuple(Column(*c) for c in cols))


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        _t(
            "clients",
            ["client_id"],
            "one row per client account",
            ("client_id", "VARCHAR", True, "stable account id"),
            ("name", "VARCHAR", True, "company name"),
            ("segment", "VARCHAR", False, "industry or size segment"),
            ("direction", "VARCHAR", False, "main direction of work (PR, digital, events...)"),
            ("team", "VARCHAR", False, "team in charge now"),
            ("manager", "VARCHAR", False, "account manager in charge now"),
            ("start_date", "DATE", False, "start of the relationship"),
            ("contract_value", "DOUBLE", False, "annual contract value, company currency"),
            ("status", "VARCHAR", False, "active | churned | paused"),
        ),
        _t(
            "contacts",
            ["contact_id"],
            "one row per respondent person (PII)",
            ("contact_id", "VARCHAR", True, "stable person id"),
            ("client_id", "VARCHAR", True, "account the person belongs to"),
            ("name", "VARCHAR", False, "full name (PII)"),
            ("role", "VARCHAR", False, "decision_maker | day_to_day | marketing | finance | other"),
            ("email", "VARCHAR", False, "e-mail (PII)"),
            ("phone", "VARCHAR", False, "phone (PII)"),
            ("language", "VARCHAR", False, "ru | en"),
        ),
        _t(
            "services",
            ["service_id"],
            "service catalogue, grouped by direction",
            ("service_id", "VARCHAR", True, "id from the questionnaire template"),
            ("direction", "VARCHAR", True, "direction id"),
            ("name_ru", "VARCHAR", False, "name in Russian"),
            ("name_en", "VARCHAR", False, "name in English"),
        ),
        _t(
            "client_services",
            ["client_id", "service_id"],
            "services an account buys",
            ("client_id", "VARCHAR", True, ""),
            ("service_id", "VARCHAR", True, ""),
            ("since", "DATE", False, "first bought"),
        ),
        _t(
            "waves",
            ["wave_id"],
            "survey waves",
            ("wave_id", "VARCHAR", True, "e.g. 2026-Q3"),
            ("opened_at", "DATE", False, ""),
            ("closed_at", "DATE", False, ""),
            ("questionnaire", "VARCHAR", False, "template id"),
            ("nps_scale", "VARCHAR", False, "scale of the recommend question, '0-10'"),
            ("rating_scale", "VARCHAR", False, "scale of overall/service/attribute ratings, '1-5'"),
        ),
        _t(
            "invitations",
            ["wave_id", "contact_id"],
            "contacts invited in a wave",
            ("wave_id", "VARCHAR", True, ""),
            ("contact_id", "VARCHAR", True, ""),
            ("channel", "VARCHAR", False, "email | phone | messenger"),
            ("sent_at", "TIMESTAMP", False, ""),
            ("reminders", "INTEGER", False, "reminders sent"),
            ("status", "VARCHAR", False, "planned | invited | delivered | bounced | responded | refused | unreachable"),
            ("token", "VARCHAR", False, "personal token (PII: it identifies the respondent)"),
            ("reminded_at", "TIMESTAMP", False, "last reminder sent"),
            ("sent_via", "VARCHAR", False, "smtp | eml (written for a mail client) | manual"),
            ("note", "VARCHAR", False, "last delivery message, e.g. the SMTP refusal"),
        ),
        _t(
            "responses",
            ["response_id"],
            "completed responses",
            ("response_id", "VARCHAR", True, "unique id"),
            ("wave_id", "VARCHAR", True, ""),
            ("contact_id", "VARCHAR", False, "respondent (null when anonymous)"),
            ("client_id", "VARCHAR", True, "account"),
            ("submitted_at", "TIMESTAMP", False, ""),
            ("nps", "DOUBLE", False, "likelihood to recommend, on the wave's nps_scale"),
            ("overall", "DOUBLE", False, "overall satisfaction, on the wave's rating_scale"),
            ("price", "DOUBLE", False, "price perception, 1 much too expensive .. 5 well below market"),
            ("reason", "VARCHAR", False, "why this score: answer to the question after the recommend question"),
            ("comment", "VARCHAR", False, "open comment"),
            ("language", "VARCHAR", False, "language of the answer"),
            ("manager", "VARCHAR", False, "account manager at the time of the response"),
            ("team", "VARCHAR", False, "team at the time of the response"),
            ("complete", "BOOLEAN", False, "false for a partial response (the respondent left before the end)"),
            ("import_id", "VARCHAR", False, "import that loaded the row"),
        ),
        _t(
            "answers",
            ["response_id", "kind", "item"],
            "one rating in a grid",
            ("response_id", "VARCHAR", True, ""),
            ("item", "VARCHAR", True, "service_id, attribute id or touchpoint id"),
            ("kind", "VARCHAR", False, "service | attribute | touchpoint | need | importance"),
            ("value", "DOUBLE", True, "rating (need: 1 = the client lacks it)"),
            ("scale", "VARCHAR", False, "'1-5', '0-10', '0-1'"),
        ),
        _t(
            "events",
            [],
            "what happened to a client",
            ("client_id", "VARCHAR", True, ""),
            ("date", "DATE", True, ""),
            (
                "kind",
                "VARCHAR",
                True,
                "renewed | churned | downsized | expanded | manager_changed | complaint | scope_cut",
            ),
            ("detail", "VARCHAR", False, "free text, e.g. 'M01 -> M04'"),
            ("value", "DOUBLE", False, "money involved, if any (negative for a cut)"),
        ),
        _t(
            "actions",
            ["action_id"],
            "follow-up on feedback",
            ("action_id", "VARCHAR", True, "A0001, A0002, ... (given by the store)"),
            ("client_id", "VARCHAR", True, ""),
            ("wave_id", "VARCHAR", False, "wave whose feedback the action follows up"),
            ("owner", "VARCHAR", False, "who follows up"),
            ("status", "VARCHAR", False, "open | in_progress | done | dropped"),
            ("due", "DATE", False, "follow up by"),
            ("note", "VARCHAR", False, "what to do, or the evidence that flagged the client"),
            ("created_at", "TIMESTAMP", False, "when recorded (UTC)"),
            ("rule", "VARCHAR", False, "why the client was flagged: rule ids, ';'-separated"),
            ("updated_at", "TIMESTAMP", False, "last change (UTC)"),
        ),
        _t(
            "imports",
            ["import_id"],
            "each import, for audit and idempotency",
            ("import_id", "VARCHAR", True, ""),
            ("wave_id", "VARCHAR", False, ""),
            ("kind", "VARCHAR", False, "responses | clients | contacts | ..."),
            ("source", "VARCHAR", False, "file name or description"),
            ("sha256", "VARCHAR", True, "content hash"),
            ("rows_read", "BIGINT", False, ""),
            ("rows_loaded", "BIGINT", False, ""),
            ("rows_rejected", "BIGINT", False, "superseded, already stored or refused"),
            ("rows_refused", "BIGINT", False, "rows and cells refused (unreadable, out of scale, unmatched)"),
            ("imported_at", "TIMESTAMP", False, ""),
            ("message", "VARCHAR", False, ""),
        ),
    ]
}

#: Order in which tables are loaded (parents before children).
TABLE_ORDER = [
    "services",
    "clients",
    "contacts",
    "client_services",
    "waves",
    "invitations",
    "responses",
    "answers",
    "events",
    "actions",
    "imports",
]

#: Personal data: dropped from exports and reports unless explicitly asked for.
PII_COLUMNS = {"contacts": ["name", "email", "phone"], "invitations": ["token", "note"]}

ROLES = ("decision_maker", "day_to_day", "marketing", "finance", "other")
EVENT_KINDS = ("renewed", "churned", "downsized", "expanded", "manager_changed", "complaint", "scope_cut")
INVITATION_STATUSES = ("planned", "invited", "delivered", "bounced", "responded", "refused", "unreachable")


#: Columns whose values come from a fixed list (missing values are allowed
#: where the column is optional).
ALLOWED_VALUES = {
    ("clients", "status"): ("active", "churned", "paused"),
    ("contacts", "role"): ROLES,
    ("contacts", "language"): ("ru", "en"),
    ("events", "kind"): EVENT_KINDS,
    ("invitations", "status"): INVITATION_STATUSES,
    ("invitations", "channel"): ("email", "phone", "messenger", "other"),
    ("invitations", "sent_via"): ("smtp", "eml", "manual"),
    ("answers", "kind"): ("service", "attribute", "touchpoint", "need", "importance"),
    ("actions", "status"): ("open", "in_progress", "done", "dropped"),
}
#: Columns that cannot be negative.
NON_NEGATIVE = {("clients", "contract_value"), ("invitations", "reminders")}


def frame_schema(name: str):
    """A pandera schema of a canonical table: required columns and values, keys, allowed values.

    Types are not checked here (the store converts them after validation);
    what is checked is what a user can get wrong in a file.

    >>> import pandas as pd
    >>> frame_schema("contacts").validate(pd.DataFrame({"contact_id": ["K1"], "client_id": ["C1"]})).shape
    (1, 2)
    """
    import pandera.pandas as pa

    table = TABLES[name]
    columns = {}
    for col in table.columns:
        checks = []
        allowed = ALLOWED_VALUES.get((name, col.name))
        if allowed:
            checks.append(pa.Check.isin(list(allowed), error=f"one of {', '.join(allowed)}"))
        if (name, col.name) == ("waves", "wave_id"):
            # Wave ids name report folders: plain names only.
            checks.append(pa.Check.str_matches(r"^[^\W_][\w .-]*$", error="letters, digits, spaces, '.', '_', '-'"))
        if (name, col.name) in NON_NEGATIVE:
            checks.append(pa.Check.ge(0, error="not negative"))
        columns[col.name] = pa.Column(None, checks=checks, nullable=not col.required, required=col.required)
    return pa.DataFrameSchema(columns, unique=list(table.key) or None, strict=False, coerce=False, name=name)


#: A rating scale as cxlab accepts it: ``"lo-hi"`` or ``(lo, hi)`` (see :func:`parse_scale`).
Scale: TypeAlias = "str | Sequence[int]"


def parse_scale(scale: Scale) -> tuple[int, int]:
    """Parse ``"1-5"`` or ``(1, 5)`` into ``(1, 5)``.

    >>> parse_scale("1-5")
    (1, 5)
    """
    if isinstance(scale, str):
        lo_text, sep, hi_text = scale.strip().partition("-")
        if not sep:
            raise ParameterError(f"scale {scale!r} is not of the form 'min-max'", parameter="scale", value=scale)
        lo, hi = int(lo_text), int(hi_text)
    else:
        lo, hi = (int(v) for v in scale)
    if lo >= hi:
        raise ParameterError(f"scale {scale!r}: minimum must be below maximum", parameter="scale", value=scale)
    return lo, hi


def format_scale(scale: Scale) -> str:
    """``(0, 10)`` -> ``"0-10"``."""
    lo, hi = parse_scale(scale)
    return f"{lo}-{hi}"


def is_missing(value) -> bool:
    """Whether a stored value counts as missing: None, NaN, NaT or ``pd.NA``.

    One definition of "missing" for the store and the fieldwork tables; a value
    pandas cannot judge (a list, say) is not missing.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(""), is_missing([1])
    (True, True, False, False)
    """
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
