"""LimeSurvey: «Export responses» as CSV.

Format
------
Written by ``application/helpers/admin/export/CsvWriter.php`` and
``Writer.php`` of LimeSurvey/LimeSurvey:

* UTF-8 with a byte-order mark, records ended by CRLF, every value quoted
  (``""`` doubled inside; line breaks kept as ``\\n``; a NULL written as
  nothing); the field separator is the export's «CSV field separator»
  (``,``, ``;`` or tab; the writer's own default is ``;``).
* One header row.  «Question code» headings: the response table's fields
  ``id, submitdate, lastpage, startlanguage, seed, token, startdate,
  datestamp, ipaddr, refurl`` (those the survey has), then ``CODE``,
  ``CODE[SQ001]`` for a sub-question (array row or multiple-choice option),
  ``CODE[other]``, ``CODE[SQ001comment]``.  «Full question text» headings:
  the same fields named in the survey's language (``Response ID``, ``Date
  submitted``, ``Last page``, ``Start language``, ``Seed``, ``Access code``
  (``Token`` before 4.x), ``Date started``, ``Date last action``, ``IP
  address``, ``Referrer URL``) and ``Question text [Sub-question]``.
* «Answer codes»: the stored codes (``Y`` or empty for a multiple-choice
  option); «Full answers»: option texts, ``Yes``/``No`` (translated, e.g.
  ``Да``/``Нет``) for multiple-choice options, ``N/A`` when never shown.
* Dates as stored, ``2026-11-24 10:05:33`` (server time, no zone).
  ``submitdate`` is empty for a response that was started and not finished
  (a partial response, ``lastpage`` tells how far it got); a survey
  without date stamps writes ``1980-01-01 00:00:00`` for every finished one.

Partial responses: ``submitdate`` is described as ``submitted_at`` and
``startdate`` as ``started_at``; the importer takes an empty submission
time with a start time as a partial response.  ``lastpage`` is tool
bookkeeping (``ignore``); no column is invented.
"""

from __future__ import annotations

import re

import pandas as pd

from cxlab.ingest.answers import normalize_text
from cxlab.ingest.files import RawTable, read_table
from cxlab.ingest.source import SourceColumn, ToolTable
from cxlab.ingest.tools._common import describe_header, text_frame, unique_keys

NAME = "limesurvey"
TITLE = "LimeSurvey"

#: Field code -> (meta field, full headings: English from LimeSurvey's source, Russian assumed).
META = {
    "id": ("response_id", {"response id", "id ответа"}),
    "submitdate": ("submitted_at", {"date submitted", "дата отправки"}),
    "lastpage": ("ignore", {"last page", "последняя страница"}),
    "startlanguage": ("language", {"start language", "язык", "начальный язык"}),
    "seed": ("ignore", {"seed"}),
    "token": ("token", {"token", "access code", "токен", "код доступа"}),
    "startdate": ("started_at", {"date started", "дата начала"}),
    "datestamp": ("ignore", {"date last action", "дата последнего действия"}),
    "ipaddr": ("ignore", {"ip address", "ip-адрес"}),
    "refurl": ("ignore", {"referrer url", "referring url", "url источника"}),
    "interviewtime": ("ignore", {"total time", "общее время"}),
    "firstname": ("name", {"first name"}),
    "lastname": ("ignore", {"last name"}),
    "email": ("email", {"email address", "email"}),
}
_FULL = {text: code for code, (_, texts) in META.items() for text in texts}
_FIRST_FOUR = ("id", "submitdate", "lastpage", "startlanguage")
_CODE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)((?:\[[^\[\]]+\])*)$")
_YES = {"y", "yes", "да"}
_NO = {"n", "no", "нет", "n/a", "н/д", "нет ответа"}
_OTHER = {"other", "другое"}
_INT = re.compile(r"^\d+$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_LANG = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?$")


def _shaped_like_meta(frame: pd.DataFrame) -> bool:
    """The first four columns hold an id, a submission time, a page number and a language code."""
    if frame.shape[1] < 4 or frame.empty:
        return False
    cols = [frame.iloc[:, i].dropna().astype(str).str.strip() for i in range(4)]
    return (
        len(cols[0]) == len(frame)
        and cols[0].str.match(_INT).all()
        and cols[1].str.match(_DATETIME).all()
        and len(cols[1]) > 0
        and cols[2].str.match(_INT).all()
        and len(cols[3]) > 0
        and cols[3].str.match(_LANG).all()
    )


def _layout(headers: list[str], frame: pd.DataFrame) -> str | None:
    """``"code"``, ``"full"``, ``"positional"`` (full headings in a language not listed) or None."""
    if set(_FIRST_FOUR) <= set(headers):
        return "code"
    if tuple(_FULL.get(normalize_text(h)) for h in headers[:4]) == _FIRST_FOUR:
        return "full"
    return "positional" if _shaped_like_meta(frame) else None


def detect(head: RawTable) -> bool:
    """LimeSurvey's response-table fields lead the export (by code, by name or by their values)."""
    headers = [str(h) for h in head.frame.columns]
    return "response_id" not in headers and _layout(headers, head.frame) is not None


def _describe(header: str, position: int, layout: str) -> SourceColumn:
    if layout == "code":
        if header in META:
            return SourceColumn(key=header, field=META[header][0], code=header)
        if re.match(r"^attribute_\d+$", header):
            return SourceColumn(key=header, field="ignore", code=header)
        m = _CODE.match(header)
        if m:
            subs = re.findall(r"\[([^\]]+)\]", m.group(2))
            return SourceColumn(key=header, question=m.group(1), item=subs[0] if subs else None, code=header)
        return SourceColumn(key=header, question=header)
    code = _FULL.get(normalize_text(header))
    if code is None and position < 4 and layout == "positional":
        code = _FIRST_FOUR[position]  # named in a language not listed: known by position and values
    if code is not None:
        return SourceColumn(key=header, field=META[code][0])
    return describe_header(header)


def _is_other(col: SourceColumn) -> bool:
    return bool(col.item) and (normalize_text(col.item) in _OTHER or (col.code or "").endswith("[other]"))


def _mark_choices(columns: list[SourceColumn], frame: pd.DataFrame) -> list[str]:
    """Options of a multiple choice: Y/Yes/Да columns; unselected cells emptied."""
    groups: dict[str | None, list[SourceColumn]] = {}
    for col in columns:
        if col.field is None and col.item is not None and not col.item.endswith("comment"):
            groups.setdefault(col.question, []).append(col)
    notes = []
    for question, group in groups.items():
        options = [c for c in group if not _is_other(c)]
        cells = pd.concat([frame[c.key] for c in options]).dropna().map(normalize_text) if options else None
        if cells is None or cells.empty or not cells.isin(_YES | _NO).all() or not cells.isin(_YES).any():
            continue
        for col in group:
            col.choice = True
            values = frame[col.key]
            # An option keeps its "yes" cells; an "other" text keeps everything but a "no".
            keep = (
                values.map(normalize_text).isin(_YES) if not _is_other(col) else ~values.map(normalize_text).isin(_NO)
            )
            frame[col.key] = values.where(keep, None).astype(object)
        notes.append(f"'{question}': multiple choice, one column per option")
    return notes


def read(path_or_bytes, *, source: str | None = None, sheet=0, head=None) -> ToolTable:
    """Read a LimeSurvey response export (CSV; code or full-text headings) into a :class:`ToolTable`."""
    raw = head if head is not None else read_table(path_or_bytes, source=source, sheet=sheet)
    headers = [str(h) for h in raw.frame.columns]
    layout = _layout(headers, raw.frame) or "full"
    keys = unique_keys(headers)
    frame = text_frame(raw, keys)
    columns = []
    for i, (header, key) in enumerate(zip(headers, keys)):
        col = _describe(header, i, layout)
        col.key = key
        columns.append(col)
    notes = [f"LimeSurvey export with {'question-code' if layout == 'code' else 'full question text'} headings"]
    if layout == "positional":
        notes.append(
            "response id, submission date, last page and language taken from the first four columns "
            "(their headings are in a language the reader does not list)"
        )
    notes += _mark_choices(columns, frame)
    submitted = next((c for c in columns if c.field == "submitted_at"), None)
    if submitted is not None:
        cells = frame[submitted.key]
        if cells.isna().any():
            notes.append(
                f"{int(cells.isna().sum())} response(s) without a submission date: started and not finished (partial)"
            )
        if cells.dropna().str.startswith("1980-01-01").any():
            notes.append("submission dates 1980-01-01: the survey does not record dates (not date-stamped)")
    return ToolTable(tool=NAME, raw=raw, frame=frame, columns=columns, notes=notes)
