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

from cxlab.errors import DataError
from cxlab.ingest.answers import normalize_text
from cxlab.ingest.files import RawTable, read_table
from cxlab.ingest.source import SourceColumn, ToolTable
from cxlab.ingest.tools._common import choice_separator, describe_header, text_frame, unique_keys

NAME = "google_forms"
TITLE = "Google Forms"

#: First header of a Forms export, by UI language (en, ru seen in exports; pt seen; es/de/fr assumed).
TIMESTAMP_HEADERS = {
    "timestamp",
    "отметка времени",
    "carimbo de data/hora",
    "marca temporal",
    "zeitstempel",
    "horodateur",
}
_EMAIL_HEADERS = {"email address", "username", "адрес электронной почты", "имя пользователя"}
_SCORE_HEADERS = {"score", "баллы"}

_ZONE = r"(?:GMT|UTC)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?"
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?"
_YMD = re.compile(rf"^(\d{{4}})/(\d{{1,2}})/(\d{{1,2}})\s+{_TIME}(?:\s+{_ZONE})?$")
_DMY_DOTS = re.compile(rf"^(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}})\s+{_TIME}\s+{_ZONE}$")
_SLASHED = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{4}})(?:\s+{_TIME})?(?:\s+{_ZONE})?$")


def _offset(sign, hours, minutes) -> timedelta:
    if sign is None:
        return timedelta(0)
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return delta if sign == "+" else -delta


def _clock(hh, mm, ss, ampm) -> tuple[int, int, int]:
    h = int(hh)
    if ampm:
        if h > 12:
            raise DataError("hour above 12 with AM/PM")
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
    slashed: list[re.Match[str] | None] | list[re.Match[str]]
    slashed = [_SLASHED.match(c) for c in cells if isinstance(c, str)]
    slashed = [m for m in slashed if m]
    day_first = any(int(m.group(1)) > 12 for m in slashed)
    month_first = any(int(m.group(2)) > 12 for m in slashed)
    slash_order = None if day_first == month_first else ("dmy" if day_first else "mdy")
    if slashed and slash_order is None:
        notes.append(
            "timestamps written as a/b/yyyy with no day above 12: day and month cannot be told apart, left as they are"
        )
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
    return describe_header(header)


def detect(head: RawTable) -> bool:
    """A Forms export starts with the submission time column; no cxlab ``response_id``."""
    headers = [normalize_text(h) for h in head.frame.columns]
    return bool(headers) and headers[0] in TIMESTAMP_HEADERS and "response_id" not in head.frame.columns


def read(path_or_bytes, *, source: str | None = None, sheet=0, head=None) -> ToolTable:
    """Read a Forms CSV download or the linked sheet (CSV or XLSX) into a :class:`ToolTable`."""
    raw = head if head is not None else read_table(path_or_bytes, source=source, sheet=sheet)
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
        notes.append(
            "Google Forms CSV download: submission times converted to UTC"
            if download
            else "Google Sheets CSV: submission times in the sheet's locale, left in local time"
        )
    separators = [";"] if download else [", "] if stamp is not None else [";", ", "]
    for col in columns:
        if col.field is None and col.item is None:
            col.choice_separator = choice_separator(frame[col.key], separators)
            if col.choice_separator:
                notes.append(f"'{col.key}': checkbox answers joined by '{col.choice_separator}'")
    return ToolTable(tool=NAME, raw=raw, frame=frame, columns=columns, notes=notes)
