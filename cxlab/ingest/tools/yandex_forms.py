"""Yandex Forms (Яндекс Формы, forms.yandex.ru): answers downloaded as XLSX or CSV.

Format
------
The «Ответы» tab downloads the answers as a file (XLSX by default; the API's
``POST /v1/surveys/{id}/answers/export`` also defaults to ``xlsx`` and
offers ``csv``).  One header row, one row per answer:

* ``ID`` — the answer's id, and ``Время создания`` — when it was sent
  (English UI ``Created``); the time is local (Moscow) time, written
  ``2026-11-24 10:05:33`` (a date-time cell in XLSX).
* Then one column per question headed by its title.  A hidden question
  («Скрытый вопрос», pre-filled from the link's GET parameter whose name is
  the question's id, e.g. ``?token=...``, ``?utm_source=...``) is a column
  like any other, headed by the title the agency gave it — often the
  parameter name itself.
* Scales («Шкала») give the number; single choice the option's text;
  several options of a multiple choice are joined in one cell (assumed
  ``", "``; ``"; "`` is also recognised); a table question gives one column
  per row, ``Title [Row]`` (assumed, like Google Forms).
* Only sent answers are stored: no partial responses.

Sources: Yandex Forms help «Получить ответы» and «Настроить предзаполнение
скрытого поля» (yandex.ru/support/forms/ru/answers, .../hidden-query,
.../get-params) and the API reference (answers export).  The exact header
texts of the file are not documented there; what is assumed is listed in
``tests/ingest/fixtures/FORMATS-google-yandex-limesurvey.md``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from cxlab.ingest.answers import normalize_text
from cxlab.ingest.files import RawTable, read_table
from cxlab.ingest.source import SourceColumn, ToolTable
from cxlab.ingest.tools._common import choice_separator, describe_header, text_frame, unique_keys

NAME = "yandex_forms"
TITLE = "Yandex Forms"

_ID = {"id", "id ответа", "номер ответа", "response id", "answer id"}
_CREATED = {
    "время создания",
    "дата создания",
    "время ответа",
    "дата и время",
    "время",
    "created",
    "created at",
    "creation time",
    "date created",
    "time created",
}
_IGNORE = {
    "время изменения",
    "дата изменения",
    "updated",
    "modified",
    "пользователь",
    "логин",
    "uid",
    "user",
    "user id",
    "ip",
    "ip-адрес",
    "ip address",
    "user agent",
}
_OTHER_TOOLS = {"submitdate", "lastpage", "startlanguage", "response_id"}
_TOKEN_PARAM = re.compile(r"^(?:token|tkn|rid|respondent_id|respondent|client_token|personal_code)$", re.I)
_UTM_PARAM = re.compile(r"^utm_[a-z]+$", re.I)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def normalize_timestamp(value):
    """``2026-11-24T10:05:33.123+03:00`` -> ``2026-11-24 07:05:33``; other text is left as it is.

    >>> normalize_timestamp("2026-11-24T10:05:33"), normalize_timestamp("24.11.2026 10:05")
    ('2026-11-24 10:05:33', '24.11.2026 10:05')
    """
    if not isinstance(value, str):
        return value
    m = _ISO.match(value.strip())
    if not m:
        return value
    y, mo, d, hh, mi, ss, zone = m.groups()
    try:
        t = datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0))
    except ValueError:
        return value
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        t -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _describe(header: str, position: int, seen: set) -> SourceColumn:
    key = normalize_text(header)
    if position == 0 and key in _ID:
        return SourceColumn(key=header, field="response_id")
    if key in _CREATED and "submitted_at" not in seen:
        return SourceColumn(key=header, field="submitted_at")
    if key in _IGNORE or _UTM_PARAM.match(header.strip()):
        return SourceColumn(key=header, field="ignore")
    if _TOKEN_PARAM.match(header.strip()):
        return SourceColumn(key=header, field="token")
    return describe_header(header)


def detect(head: RawTable) -> bool:
    """``ID`` then the creation time, and none of LimeSurvey's or cxlab's own columns."""
    headers = [normalize_text(h) for h in head.frame.columns]
    return (
        len(headers) >= 2
        and headers[0] in _ID
        and headers[1] in _CREATED
        and not _OTHER_TOOLS & {str(h) for h in head.frame.columns}
    )


def read(path_or_bytes, *, source: str | None = None, sheet=0, head=None) -> ToolTable:
    """Read a Yandex Forms answers file (XLSX or CSV) into a :class:`ToolTable`."""
    raw = head if head is not None else read_table(path_or_bytes, source=source, sheet=sheet)
    headers = [str(h) for h in raw.frame.columns]
    keys = unique_keys(headers)
    frame = text_frame(raw, keys)
    seen: set[str]
    columns, seen, notes = [], set(), []
    for i, (header, key) in enumerate(zip(headers, keys)):
        col = _describe(header, i, seen)
        col.key = key
        if col.field:
            seen.add(col.field)
        if col.field == "submitted_at":
            frame[key] = frame[key].map(normalize_timestamp).astype(object)
            frame[key] = frame[key].where(frame[key].notna(), None)
        elif col.field is None and col.item is None:
            col.choice_separator = choice_separator(frame[key], [", ", "; "])
            if col.choice_separator:
                notes.append(f"'{key}': several options joined by '{col.choice_separator}'")
        columns.append(col)
    hidden = [
        c.key
        for c in columns
        if c.field in ("token", "ignore") and (_TOKEN_PARAM.match(c.key) or _UTM_PARAM.match(c.key))
    ]
    if hidden:
        notes.append(f"hidden-field parameter column(s): {', '.join(hidden)}")
    return ToolTable(tool=NAME, raw=raw, frame=frame, columns=columns, notes=notes)
