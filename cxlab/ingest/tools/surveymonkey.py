"""SurveyMonkey "All Responses Data" export (XLSX or CSV), layout undone.

Format
------
Two header rows.  Row 1 names the respondent columns and holds each
question's wording over its first column only (the question's other columns
are blank there); row 2 is blank under the respondent columns and gives each
question column its sub-label: ``Response`` (one closed answer),
``Open-Ended Response`` (text), a grid row label, a multiple-choice option
label, or ``Other (please specify)``::

    Respondent ID, Collector ID, Start Date, End Date, IP Address, Email Address,
        First Name, Last Name, Custom Data 1, token, <Q1 wording>, <grid wording>, , ...
    , , , , , , , , , , Response, Responsiveness, Meeting deadlines, ...

* Respondent columns: ``Respondent ID``, ``Collector ID``, ``Start Date``,
  ``End Date``, ``IP Address``, ``Email Address``, ``First Name``,
  ``Last Name``, ``Custom Data 1``; each custom variable of a web-link
  collector (``?token=...``) follows as a column of its own, named after the
  variable, blank in row 2.
* Dates are written ``11/24/2026 10:05:33 AM`` (month/day/year, 12-hour
  clock) and converted here to ``2026-11-24 10:05:33``; an XLSX cell holding a
  real date is taken as it is.  A column where some date only reads as
  day/month (a file re-saved by a non-US spreadsheet) is left unconverted so
  that the import reports it rather than swapping days and months.
* A multiple choice question (expanded columns, actual answer text) has one
  column per option; the cell holds the option's own text when it was chosen.
  A grid has one column per row; the cell holds the chosen column label
  (``Very satisfied``) or its weight.  Both look alike in the headers, so a
  question whose filled cells all repeat their column's label is read as a
  multiple choice (``choice=True``).
* Partial responses are exported like complete ones, with no status column:
  they cannot be told apart from the file (filter them by completeness in
  SurveyMonkey before exporting if they must be left out).

Sources (details in ``tests/ingest/fixtures/FORMATS-surveymonkey-qualtrics.md``):
real export headers and parsers in bdoremus/gvca_survey_analytics
(``02_data_ingest.py``), wmurphyrd/monkeywrangler (``loadSurveyMonkeyXLS.R``),
vogdan/survey_data_import (an older export), expectedparrot/edsl
(``conjure/survey_monkey``), and open-source parsers that read the dates as
``%m/%d/%Y %I:%M:%S %p``.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

import pandas as pd

from cxlab.ingest.files import RawTable, read_table
from cxlab.ingest.source import SourceColumn, ToolTable

NAME = "surveymonkey"
TITLE = "SurveyMonkey"

_META = {
    "respondent id": "response_id",
    "collector id": "ignore",
    "start date": "started_at",
    "end date": "submitted_at",
    "ip address": "ignore",
    "email address": "email",
    "first name": "name",
    "last name": "name",
}
_CUSTOM_DATA = re.compile(r"^custom data( \d+)?$", re.I)
#: Custom variables (and contact-information fields) that carry a known meta field.
_VARIABLES = {
    "token": "token",
    "tkn": "token",
    "personal_token": "token",
    "invite_token": "token",
    "токен": "token",
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "почта": "email",
    "company": "company",
    "company name": "company",
    "компания": "company",
    "организация": "company",
    "name": "name",
    "имя": "name",
    "фио": "name",
}
_ANSWER_LABELS = {"response", "open-ended response", "ответ", "открытый ответ", "ответ в свободной форме"}
_OTHER = re.compile(r"^(other|другое|иное)\b|please specify|укажите", re.I)
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?$")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?$")


def _cell(frame: pd.DataFrame, row: int, col: str):
    if row >= len(frame) or col not in frame.columns:
        return None
    value = frame.iloc[row][col]
    if isinstance(value, pd.Series):  # repeated column name
        value = value.iloc[0]
    return None if pd.isna(value) or str(value).strip() == "" else str(value)


def detect(head: RawTable) -> bool:
    """A SurveyMonkey export: ``Respondent ID`` and ``Collector ID`` columns with dates."""
    names = {str(c).strip().casefold() for c in head.frame.columns}
    return {"respondent id", "collector id"} <= names and bool({"start date", "end date"} & names)


def _text(value) -> str:
    value = html.unescape(str(value or ""))
    return re.sub(r"\s+", " ", value).strip()


def _parse_date(value: str) -> str | None:
    m = _DATE.match(value.strip())
    if m:
        mo, d, y, hh, mm, ss, ampm = m.groups()
        hour = int(hh)
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
        try:
            return datetime(int(y), int(mo), int(d), hour, int(mm), int(ss or 0)).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None
    m = _ISO.match(value.strip())  # an XLSX cell that holds a real date
    if m:
        clock = m.group(2) if m.group(2).count(":") == 2 else m.group(2) + ":00"
        return f"{m.group(1)} {clock}"
    return None


def _dates(values: pd.Series, label: str, notes: list[str]) -> pd.Series:
    """m/d/Y text to ISO; a column that cannot all be m/d/Y is left as it is."""
    parsed = values.map(lambda v: _parse_date(v) if isinstance(v, str) else None)
    day_first = values[values.notna() & parsed.isna()].map(
        # The second match is the first one again, which the `and` has found.
        lambda v: bool(_DATE.match(v.strip())) and int(_DATE.match(v.strip()).group(1)) > 12  # type: ignore[union-attr]
    )
    if day_first.any():
        notes.append(
            f"column '{label}': dates read as day/month (not SurveyMonkey's month/day); left "
            "unconverted - re-export from SurveyMonkey or convert them to yyyy-mm-dd"
        )
        return values
    return parsed.where(parsed.notna(), values)


def _is_choice_group(frame: pd.DataFrame, keys: list[int], labels: list[str]) -> bool:
    """Every filled cell repeats its column's label (multiple choice, actual answer text)."""
    seen = False
    for key, label in zip(keys, labels):
        if _OTHER.search(label):
            continue
        cells = frame[key].dropna().astype(str).map(_text)
        if len(cells):
            seen = True
            if not cells.str.casefold().eq(label.casefold()).all():
                return False
    return seen


def read(path_or_bytes, *, source=None, sheet=0, head=None) -> ToolTable:
    """Read a SurveyMonkey export into a :class:`~cxlab.ingest.source.ToolTable`.

    >>> t = read(b"Respondent ID,Collector ID,End Date,How likely are you to recommend us?\\n"
    ...          b",,,Response\\n1,2,11/24/2026 1:05:33 PM,9\\n", source="sm.csv")
    >>> [(c.key, c.field or c.question) for c in t.columns][2:]
    [('End Date', 'submitted_at'), ('q1', 'How likely are you to recommend us?')]
    >>> t.frame.loc[0, "End Date"]
    '2026-11-24 13:05:33'
    """
    head = head if head is not None else read_table(path_or_bytes, source=source, sheet=sheet)
    first = next((c for c in head.frame.columns if str(c).strip().casefold() == "respondent id"), None)
    two_rows = first is None or _cell(head.frame, 0, first) is None
    # The head's encoding (given or decided) reads the file again the same way.
    raw = read_table(
        path_or_bytes, source=source, sheet=sheet, header_rows=2 if two_rows else 1, encoding=head.encoding
    )
    row1 = [_text(v) for v in raw.headers[0]]
    row2 = [_text(v) for v in raw.headers[1]] if two_rows else [""] * len(row1)
    frame = raw.frame.copy()
    positions = list(range(len(row1)))
    frame.columns = positions
    notes: list[str] = ["SurveyMonkey export: two header rows (question wording, then row/option labels)"]
    if not two_rows:
        notes.append("the second header row (sub-labels) is missing: every column is read as one question")

    # Groups: a column with text in row 1 starts one; blank row-1 cells continue it.
    groups: list[list[int]] = []
    for i in positions:
        if row1[i] or not groups:
            groups.append([i])
        else:
            groups[-1].append(i)

    columns: dict[int, SourceColumn] = {}
    keys: dict[int, str] = {}
    used: set[str] = set()

    def key_for(name: str) -> str:
        key, n = name or "column", 2
        while key in used:
            key, n = f"{name}_{n}", n + 1
        used.add(key)
        return key

    has_token_variable = any(
        _VARIABLES.get(row1[g[0]].casefold()) == "token" and not row2[g[0]] for g in groups if len(g) == 1
    )
    ignored, qnum = [], 0
    for group in groups:
        i0 = group[0]
        name = row1[i0]
        low = name.casefold()
        if (
            len(group) == 1
            and name
            and not row2[i0]
            and (two_rows or low in _META or low in _VARIABLES or _CUSTOM_DATA.match(name))
        ):
            field = _META.get(low) or _VARIABLES.get(low)
            if _CUSTOM_DATA.match(name):
                field = "ignore" if has_token_variable else "token"
            if field is None:
                field = "ignore"
                ignored.append(name)
            keys[i0] = key_for(name)
            columns[i0] = SourceColumn(keys[i0], field=field)
            continue
        qnum += 1
        labels = [row2[i] for i in group]
        if not name:  # a column with no wording at all (blank header)
            for i in group:
                keys[i] = key_for(f"column_{i + 1}")
                columns[i] = SourceColumn(keys[i], field="ignore")
            continue
        if re.search(r"contact|контакт", name, re.I) and any(_VARIABLES.get(lb.casefold()) for lb in labels):
            for i, lb in zip(group, labels):  # Contact Information question: Name, Company, Email Address ...
                keys[i] = key_for(f"q{qnum}_{group.index(i) + 1}")
                columns[i] = SourceColumn(keys[i], field=_VARIABLES.get(lb.casefold(), "ignore"))
            continue
        choice = len(group) > 1 and _is_choice_group(frame, group, labels)
        for n, (i, label) in enumerate(zip(group, labels), start=1):
            keys[i] = key_for(f"q{qnum}" if len(group) == 1 else f"q{qnum}_{n}")
            if choice:
                columns[i] = SourceColumn(keys[i], question=name, item=label, choice=True)
            elif label.casefold() in _ANSWER_LABELS or not label:
                columns[i] = SourceColumn(keys[i], question=name)
            elif _OTHER.search(label):
                # The text of "Other (please specify)" of a single choice or a grid: a question of its own.
                columns[i] = SourceColumn(keys[i], question=f"{name} ({label})")
            else:
                columns[i] = SourceColumn(keys[i], question=name, item=label)

    if ignored:
        notes.append(f"custom variable(s) not used by cxlab: {', '.join(ignored)}")
    for i in positions:
        if columns[i].field in ("started_at", "submitted_at"):
            frame[i] = _dates(frame[i], keys[i], notes)
    frame.columns = [keys[i] for i in positions]
    notes.append("dates converted from SurveyMonkey's month/day/year; times are as exported (the account's time zone)")
    notes.append(
        "SurveyMonkey exports partial responses without a status column: they are loaded as "
        "complete unless filtered out before the export"
    )
    return ToolTable(tool=NAME, raw=raw, frame=frame, columns=[columns[i] for i in positions], notes=notes)
