"""Google Forms: "Download responses (.csv)" and the CSV of the linked Google Sheet.

Format
------
One header row, one row per submission, in the order of the form:

* ``Timestamp`` (Russian UI ``Отметка времени``) first; then the collected
  e-mail (``Email Address``/``Email address``, for verified collection
  ``Username``; Russian ``Адрес электронной почты``); then ``Score`` for a
  quiz (``"4 / 5"``); then one column per question headed by its title.
* A grid question gives one column per row: ``Title [Row label]``.
* Checkboxes are written into one cell: joined by ``;`` (no space) in the
  Forms CSV download, by ``", "`` in the linked sheet.
* The Forms download quotes every field and writes the time with its zone,
  ``2026/11/24 10:05:33 AM GMT+3``; the sheet writes the time in the
  spreadsheet's locale, without a zone (``24.11.2026 10:05:33`` for
  Russian, ``11/24/2026 10:05:33`` for en_US).
* No response ids and no partial responses (only submitted forms are stored).
* A personal token comes back as a pre-filled short-answer question whose
  title the agency chose ("Токен", "Персональный код", "token", ...).

Evidence (see ``tests/ingest/fixtures/FORMATS-google-yandex-limesurvey.md``):
real Forms CSV downloads in public repositories (``"2026/09/05 1:35:15 AM
GMT+5:30"``, checkbox cells ``"Travel time;Comfort"``), grid headers
``Jog [Spring]`` (lesmana/google-sheet-format-form-grid-responses), quiz
exports ``Timestamp,Email Address,Score`` with ``"28.00 / 30"``, Russian
sheet CSVs headed ``"Отметка времени"`` with ``"19.09.2023 18:07:33"``, and
comma-joined checkbox cells in the sheet (dgarros/netdevops-survey#38).

Timestamps are returned as ``YYYY-MM-DD HH:MM:SS``: in UTC when the cell
carries a ``GMT`` offset; ``dd.mm.yyyy`` cells are left for the importer,
which reads them; ``a/b/yyyy`` cells are converted only when the column
itself shows which part is the day (a part above 12), otherwise left as
they are so that the import reports them.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pandas as pd

from cxlab.ingest.answers import normalize_text
from cxlab.ingest.files import RawTable, read_table
from cxlab.ingest.source import SourceColumn, ToolTable

NAME = "google_forms"
TITLE = "Google Forms"

#: First header of a Forms export, by UI language (en, ru seen in exports; pt seen; es/de/fr assumed).
TIMESTAMP_HEADERS = {"timestamp", "отметка времени", "carimbo de data/hora", "marca temporal",
                     "zeitstempel", "horodateur"}
_EMAIL_HEADERS = {"email address", "username", "адрес электронной почты", "имя пользователя"}
_SCORE_HEADERS = {"score", "баллы"}

# Titles an agency gives to meta questions (compared after normalize_text).
TITLE_FIELDS = {
    "token": {"token", "токен", "персональный код", "код участника", "id респондента", "respondent id",
              "код респондента", "идентификатор респондента", "personal code", "participant code",
              "respondent code", "код приглашения", "invitation code", "ваш персональный код"},
    "email": {"email", "e-mail", "email address", "e-mail address", "электронная почта", "эл почта",
              "адрес электронной почты", "ваш email", "ваш e-mail", "your email"},
    "company": {"компания", "название компании", "company", "company name", "организация",
                "название организации", "ваша компания", "your company", "organization", "organisation"},
    "name": {"name", "имя", "фио", "ваше имя", "your name", "full name", "имя и фамилия",
             "контактное лицо", "ваши фио"},
}

_GRID = re.compile(r"^(.*\S)\s*\[([^\[\]]+)\]$")
_ZONE = r"(?:GMT|UTC)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?"
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?"
_YMD = re.compile(rf"^(\d{{4}})/(\d{{1,2}})/(\d{{1,2}})\s+{_TIME}(?:\s+{_ZONE})?$")
_DMY_DOTS = re.compile(rf"^(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}})\s+{_TIME}\s+{_ZONE}$")
_SLASHED = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{4}})(?:\s+{_TIME})?(?:\s+{_ZONE})?$")


def title_field(title: str | None) -> str | None:
    """Meta field a question title stands for (``"Персональный код"`` -> ``"token"``), or None."""
    key = normalize_text(title)
    return next((f for f, titles in TITLE_FIELDS.items() if key in titles), None)


def unique_keys(headers: list[str]) -> list[str]:
    """Headers made unique: a repeated title gets `` (2)``, `` (3)``..."""
    keys: list[str] = []
    for h in headers:
        key, n = h, 2
        while key in keys:
            key, n = f"{h} ({n})", n + 1
        keys.append(key)
    return keys


def text_frame(raw: RawTable, keys: list[str]) -> pd.DataFrame:
    """The raw cells under unique keys, missing cells as None."""
    frame = raw.frame.copy().astype(object)
    frame.columns = keys
    return frame.where(frame.notna(), None)


def split_grid(header: str) -> tuple[str, str | None]:
    """``"Title [Row]"`` -> ``("Title", "Row")``; other headers -> ``(header, None)``."""
    m = _GRID.match(header)
    return (m.group(1), m.group(2).strip()) if m else (header, None)


def choice_separator(values: pd.Series, separators) -> str | None:
    """The separator of a multiple choice written into one cell, or None for other questions.

    A column is taken as a multiple choice when a part of a cell with several
    parts also appears in another, different cell (``"A;B"`` and ``"A"``):
    a comment with a comma, or a single-choice label that contains one
    (``"Справедливая цена, на уровне рынка"``), is not split.
    """
    cells = {str(v) for v in values if isinstance(v, str) and v.strip()}
    if any("\n" in c for c in cells):
        return None
    for sep in separators:
        parts = {c: [p.strip() for p in c.split(sep) if p.strip()] for c in cells}
        if not any(len(p) > 1 for p in parts.values()):
            continue
        where: dict[str, set] = {}
        for cell, ps in parts.items():
            for p in ps:
                where.setdefault(p, set()).add(cell)
        if any(len(where[p]) > 1 for ps in parts.values() if len(ps) > 1 for p in ps):
            return sep
    return None


def _offset(sign, hours, minutes) -> timedelta:
    if sign is None:
        return timedelta(0)
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return delta if sign == "+" else -delta


def _clock(hh, mm, ss, ampm) -> tuple[int, int, int]:
    h = int(hh)
    if ampm:
        if h > 12:
            raise ValueError("hour above 12 with AM/PM")
        h = h % 12 + (12 if ampm.upper() == "P" else 0)
    return h, int(mm), int(ss or 0)


def _iso(y, mo, d, clock, offset: timedelta | None) -> str:
    """ISO text; with an offset, in UTC."""
    t = datetime(int(y), int(mo), int(d), *clock)
    return (t - offset if offset is not None else t).strftime("%Y-%m-%d %H:%M:%S")


def normalize_timestamps(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Forms and sheet timestamps as ISO text (UTC where a ``GMT`` offset is given).

    >>> normalize_timestamps(pd.Series(["2026/11/24 10:05:33 AM GMT+3", "24.11.2026 10:05:33"]))[0].tolist()
    ['2026-11-24 07:05:33', '24.11.2026 10:05:33']
    """
    notes: list[str] = []
    cells = [v.strip() if isinstance(v, str) else v for v in values.tolist()]
    # a/b/yyyy: which part is the day is read off the column, never guessed per cell.
    slashed = [_SLASHED.match(c) for c in cells if isinstance(c, str)]
    slashed = [m for m in slashed if m]
    day_first = any(int(m.group(1)) > 12 for m in slashed)
    month_first = any(int(m.group(2)) > 12 for m in slashed)
    slash_order = None if day_first == month_first else ("dmy" if day_first else "mdy")
    if slashed and slash_order is None:
        notes.append("timestamps written as a/b/yyyy with no day above 12: day and month cannot be told "
                     "apart, left as they are")
    out = []
    for c in cells:
        if not isinstance(c, str):
            out.append(None if c is None or pd.isna(c) else c)
            continue
        try:
            zoned = bool(re.search(r"\b(?:GMT|UTC)", c))
            for pattern, order in ((_YMD, "ymd"), (_DMY_DOTS, "dmy"), (_SLASHED, slash_order)):
                m = pattern.match(c)
                if m and order:
                    p1, p2, p3, hh, mi, ss, ap, sign, zh, zm = m.groups()
                    y, mo, d = {"ymd": (p1, p2, p3), "dmy": (p3, p2, p1), "mdy": (p3, p1, p2)}[order]
                    offset = _offset(sign, zh, zm) if zoned else None
                    out.append(_iso(y, mo, d, _clock(hh or 0, mi or 0, ss, ap), offset))
                    break
            else:
                out.append(c)
            continue
        except ValueError:
            pass  # an impossible date or hour: left for the importer to report
        out.append(c)
    return pd.Series(out, index=values.index, name=values.name, dtype=object), notes


def describe(header: str, first: bool = False) -> SourceColumn:
    """A column described from its header alone (key set by the caller)."""
    key = normalize_text(header)
    if first and key in TIMESTAMP_HEADERS:
        return SourceColumn(key=header, field="submitted_at")
    if key in _EMAIL_HEADERS:
        return SourceColumn(key=header, field="email")
    if key in _SCORE_HEADERS:
        return SourceColumn(key=header, field="ignore")
    field = title_field(header)
    if field:
        return SourceColumn(key=header, field=field)
    question, item = split_grid(header)
    return SourceColumn(key=header, question=question, item=item)


def detect(head: RawTable) -> bool:
    """A Forms export starts with the submission time column; no cxlab ``response_id``."""
    headers = [normalize_text(h) for h in head.frame.columns]
    return bool(headers) and headers[0] in TIMESTAMP_HEADERS and "response_id" not in head.frame.columns


def read(path_or_bytes, *, source: str | None = None, sheet=0) -> ToolTable:
    """Read a Forms CSV download or the linked sheet (CSV or XLSX) into a :class:`ToolTable`."""
    raw = read_table(path_or_bytes, source=source, sheet=sheet)
    headers = [str(h) for h in raw.frame.columns]
    keys = unique_keys(headers)
    frame = text_frame(raw, keys)
    columns, notes = [], []
    for i, (header, key) in enumerate(zip(headers, keys)):
        col = describe(header, first=i == 0)
        col.key = key
        if col.field is None and header.startswith("column_") and frame[key].isna().all():
            col = SourceColumn(key=key, field="ignore")  # an empty, untitled sheet column
        columns.append(col)
    stamp = columns[0] if columns and columns[0].field == "submitted_at" else None
    download = False
    if stamp is not None:
        cells = frame[stamp.key]
        download = cells.dropna().astype(str).str.contains(r"\b(?:GMT|UTC)\b").any()
        frame[stamp.key], ts_notes = normalize_timestamps(cells)
        notes += ts_notes
        notes.append("Google Forms CSV download: submission times converted to UTC" if download else
                     "Google Sheets CSV: submission times in the sheet's locale, left in local time")
    separators = [";"] if download else [", "] if stamp is not None else [";", ", "]
    for col in columns:
        if col.field is None and col.item is None:
            col.choice_separator = choice_separator(frame[col.key], separators)
            if col.choice_separator:
                notes.append(f"'{col.key}': checkbox answers joined by '{col.choice_separator}'")
    return ToolTable(tool=NAME, raw=raw, frame=frame, columns=columns, notes=notes)
