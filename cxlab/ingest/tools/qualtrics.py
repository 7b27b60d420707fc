"""Qualtrics "Export data" CSV/TSV/XLSX (choice text or numeric values), layout undone.

Format
------
Three header rows: the column id (``StartDate``, ``Q1``, ``Q4_2``, an export
tag, an embedded-data field name), the field's text (``Start Date``, the
question wording; a grid row as ``<question> - <row>``) and a JSON import id
(``{"ImportId":"QID4_2"}``; dates also carry the export's time zone,
``{"ImportId":"startDate","timeZone":"Europe/Moscow"}``).  Answers start on
row 4.

* Respondent columns: ``StartDate, EndDate, Status, IPAddress, Progress,
  Duration (in seconds), Finished, RecordedDate, ResponseId,
  RecipientLastName, RecipientFirstName, RecipientEmail, ExternalReference,
  LocationLatitude, LocationLongitude, DistributionChannel, UserLanguage``;
  embedded data (``token``) follows the questions, its import id being its
  own name.  ``Finished`` is ``1``/``0`` (numeric values) or
  ``True``/``False`` (choice text); ``Progress`` is a percentage; ``Status``
  is ``0``/``IP Address`` for a normal response, ``1``/``Survey Preview``,
  ``2``/``Survey Test``, ``8``/``Spam``, ... (described as ``ignore``; the
  reader notes preview, test and spam rows).
* Questions are identified by the import id ``QID<n>`` (optionally prefixed
  ``<loop>_``): ``QID1`` one column, ``QID1_TEXT`` a text entry, ``QID4_2``
  the row of a grid, ``{"ImportId":"QID6","choiceId":"2"}`` an option of a
  multiple choice split into columns, ``QID1_NPS_GROUP`` the NPS group
  (ignored), ``QID6_4_TEXT`` the text of an "other" option.  The wording of a
  grid is the part of row 2 its rows share, up to the last ``" - "``;
  ``" - Selected Choice"`` is dropped.
* A multiple-answer question not split into columns writes all selected
  choices in one cell joined by ``,`` with no space (``1,3`` or
  ``Influencer campaigns,Media and social listening``); such a column gets
  ``choice_separator=","``.  A comma followed by a space is taken for
  punctuation inside one label.
* Dates are ``2026-11-24 10:05:33`` in the time zone chosen at export (kept
  as local time; the zone is noted).

Sources (details in ``tests/ingest/fixtures/FORMATS-surveymonkey-qualtrics.md``):
Qualtrics support, "Understanding Your Dataset"
(https://www.qualtrics.com/support/survey-platform/data-and-analysis-module/data/download-data/understanding-your-dataset/);
ropensci/qualtRics ``read_survey`` and its test export; fflewddur/sp (column
naming); davemosk/FinSL-signbank ``docs/validation_result_model.md`` (status
codes, ``Selected Choice``, loop prefixes); expectedparrot/edsl Qualtrics reader.
"""

from __future__ import annotations

import html
import json
import re
from typing import cast

import pandas as pd

from cxlab.ingest.files import RawTable, read_table
from cxlab.ingest.source import SourceColumn, ToolTable

NAME = "qualtrics"
TITLE = "Qualtrics"

#: Respondent columns by import id (lower case), or by column id when the import ids are missing.
_SYSTEM = {
    "startdate": "started_at",
    "enddate": "submitted_at",
    "recordeddate": "ignore",
    "status": "ignore",
    "ipaddress": "ignore",
    "progress": "progress",
    "duration": "ignore",
    "duration (in seconds)": "ignore",
    "finished": "finished",
    "_recordid": "response_id",
    "responseid": "response_id",
    "recipientlastname": "name",
    "recipientfirstname": "name",
    "recipientemail": "email",
    "externaldatareference": "token",
    "externalreference": "token",
    "locationlatitude": "ignore",
    "locationlongitude": "ignore",
    "distributionchannel": "ignore",
    "userlanguage": "language",
    "q_language": "language",
}
_EMBEDDED = {
    "token": "token",
    "tkn": "token",
    "personal_token": "token",
    "invite_token": "token",
    "токен": "token",
    "email": "email",
    "e-mail": "email",
    "почта": "email",
    "company": "company",
    "company_name": "company",
    "компания": "company",
    "организация": "company",
}
_QID = re.compile(r"^(?:\d+_)?(QID\d+)(.*)$", re.I)
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?(?:\.\d+)?Z?$")
_STATUS_SKIP = {"1": "Survey Preview", "2": "Survey Test", "8": "Spam", "9": "Preview Spam", "17": "Offline Preview"}


def _import_ids(row) -> list[dict]:
    out = []
    for cell in row:
        try:
            obj = json.loads(cell) if isinstance(cell, str) and cell.strip().startswith("{") else None
        except ValueError:
            obj = None
        out.append(obj if isinstance(obj, dict) and "ImportId" in obj else {})
    return out


def _has_import_ids(row) -> bool:
    return sum(bool(o) for o in _import_ids(row)) >= max(1, len(row) // 2)


def _row(frame: pd.DataFrame, i: int) -> list:
    if i >= len(frame):
        return []
    return [None if pd.isna(v) else str(v) for v in frame.iloc[i].tolist()]


def _is_label_row(head: RawTable) -> bool:
    """Whether the row under the column ids holds field texts (``Response ID``) rather than answers."""
    first = dict(zip(head.frame.columns, _row(head.frame, 0)))
    if first.get("ResponseId"):
        return not re.match(r"^R_\w+$", first["ResponseId"])
    if first.get("StartDate"):
        return not _DATE.match(first["StartDate"])
    return False


def detect(head: RawTable) -> bool:
    """A Qualtrics export: a row of ``{"ImportId": ...}`` cells, or its respondent columns."""
    names = {str(c).strip().casefold() for c in head.frame.columns}
    if any(_has_import_ids(_row(head.frame, i)) for i in (0, 1)):
        return True
    return "responseid" in names and bool({"startdate", "recordeddate"} & names) and "finished" in names


def _text(value) -> str:
    value = html.unescape(re.sub(r"<[^>]+>", " ", str(value or "")))
    return re.sub(r"\s+", " ", value).strip()


def _date(value):
    if not isinstance(value, str):
        return value
    m = _DATE.match(value.strip())
    return f"{m.group(1)} {m.group(2)}{m.group(3) or ':00'}" if m else value


def _common_prefix(labels: list[str]) -> str:
    """The wording a grid's rows share, cut at its last " - "."""
    if not labels:
        return ""
    prefix = labels[0]
    for label in labels[1:]:
        while not label.startswith(prefix):
            prefix = prefix[:-1]
    cut = prefix.rfind(" - ")
    return prefix[:cut] if cut > 0 else ""


def _split(label: str, question: str) -> str:
    return label[len(question) + 3 :].strip() if question and label.startswith(question + " - ") else label


_JOINED = re.compile(r",(?! )")


def read(path_or_bytes, *, source=None, sheet=0, head=None) -> ToolTable:
    """Read a Qualtrics export into a :class:`~cxlab.ingest.source.ToolTable`.

    >>> t = read(b'ResponseId,Finished,Q1\\nResponse ID,Finished,Overall?\\n'
    ...          b'"{""ImportId"":""_recordId""}","{""ImportId"":""finished""}","{""ImportId"":""QID1""}"\\n'
    ...          b'R_1,1,5\\n', source="qx.csv")
    >>> [(c.key, c.field or c.question) for c in t.columns]
    [('ResponseId', 'response_id'), ('Finished', 'finished'), ('Q1', 'Overall?')]
    >>> t.raw.rows
    [4]
    """
    head = head if head is not None else read_table(path_or_bytes, source=source, sheet=sheet)
    if _has_import_ids(_row(head.frame, 1)):
        header_rows = 3
    elif _has_import_ids(_row(head.frame, 0)) or _is_label_row(head):
        header_rows = 2
    else:
        header_rows = 1
    # The head's encoding (given or decided) reads the file again the same way.
    raw = read_table(path_or_bytes, source=source, sheet=sheet, header_rows=header_rows, encoding=head.encoding)
    ids = [str(v).strip() for v in raw.headers[0]]
    json_row = next((h for h in raw.headers[1:] if _has_import_ids(h)), None)
    meta_ids = _import_ids(json_row) if json_row is not None else [{} for _ in ids]
    label_row = next((h for h in raw.headers[1:] if h is not json_row), None)
    labels = [_text(v) for v in label_row] if label_row is not None else [""] * len(ids)
    notes = [f"Qualtrics export: {header_rows} header row(s) (column ids, question text, import ids)"]
    if header_rows < 3:
        notes.append("some Qualtrics header rows were removed: questions are recognised by column id only")

    # Import id of every column; without one, a column id ``Q4_2`` stands for ``QID4_2``.
    imports = [
        str(m.get("ImportId") or re.sub(r"^((?:\d+_)?)Q(\d)", r"\1QID\2", ids[i])) for i, m in enumerate(meta_ids)
    ]
    qids = [_QID.match(v) for v in imports]
    # Wording of each question (QID): its own column, or what the rows of its grid share.
    wording: dict[str, str] = {}
    by_qid: dict[str, list[int]] = {}
    for i, m in enumerate(qids):
        if m:
            by_qid.setdefault(m.group(1).upper(), []).append(i)
    matched = cast("list[re.Match[str]]", qids)  # by_qid holds only the columns whose id matched
    for qid, cols in by_qid.items():
        items = [i for i in cols if re.fullmatch(r"_\d+", matched[i].group(2)) or "choiceId" in meta_ids[i]]
        plain = [i for i in cols if matched[i].group(2).upper() in ("", "_TEXT") and "choiceId" not in meta_ids[i]]
        shared = _common_prefix([labels[i] for i in items]) if len(items) > 1 else ""
        own = re.sub(r" - Selected Choice$", "", labels[plain[0]]) if plain else ""
        if not shared and items:
            shared = own or labels[items[0]].rsplit(" - ", 1)[0]
        wording[qid] = shared or own

    has_token = any(_EMBEDDED.get(ids[i].casefold()) == "token" for i, m in enumerate(qids) if not m)
    columns, keys, unused = [], [], []
    for i, col_id in enumerate(ids):
        key, n = col_id or f"column_{i + 1}", 2
        while key in keys:
            key, n = f"{col_id}__{n}", n + 1
        keys.append(key)
        m, imp = qids[i], imports[i]
        low = imp.casefold()
        if m:
            qid, suffix = m.group(1).upper(), m.group(2).upper()
            question = wording[qid] or labels[i] or col_id
            if "choiceId" in meta_ids[i]:
                columns.append(
                    SourceColumn(key, question=question, item=_split(labels[i], question), code=col_id, choice=True)
                )
            elif suffix in ("", "_TEXT"):
                sep = None
                if suffix == "" and raw.frame.iloc[:, i].dropna().astype(str).map(_JOINED.search).any():
                    sep = ","
                columns.append(SourceColumn(key, question=question, code=col_id, choice_separator=sep))
            elif re.fullmatch(r"_\d+", suffix):
                columns.append(SourceColumn(key, question=question, item=_split(labels[i], question), code=col_id))
            elif re.fullmatch(r"_\d+_TEXT", suffix):  # text typed into an "other" option
                columns.append(SourceColumn(key, question=f"{question} ({_split(labels[i], question)})", code=col_id))
            else:  # _NPS_GROUP, _DO (display order), timing, ...
                columns.append(SourceColumn(key, field="ignore", code=col_id))
        elif low in _SYSTEM or col_id.casefold() in _SYSTEM:
            field = _SYSTEM.get(low) or _SYSTEM[col_id.casefold()]
            if field == "token" and has_token:
                field = "ignore"
                notes.append(f"column '{col_id}' not used as the token: the embedded-data token column is")
            columns.append(SourceColumn(key, field=field))
        elif low.startswith("q_") or not col_id or (json_row is None and re.search(r"_(NPS_GROUP|DO)$", col_id)):
            columns.append(SourceColumn(key, field="ignore"))  # Q_RecaptchaScore, Q_BallotBoxStuffing, ...
        elif json_row is not None or labels[i] == col_id or col_id.casefold() in _EMBEDDED:  # embedded data
            field = _EMBEDDED.get(col_id.casefold(), "ignore")
            if field == "ignore":
                unused.append(col_id)
            columns.append(SourceColumn(key, field=field))
        else:  # a renamed export tag without import id: a question known by its id (and text)
            columns.append(SourceColumn(key, question=labels[i] or col_id, code=col_id))
    if unused:
        notes.append(f"embedded data not used by cxlab: {', '.join(unused)}")

    frame = raw.frame.copy()
    frame.columns = keys
    for col in columns:
        if col.field in ("started_at", "submitted_at"):
            frame[col.key] = frame[col.key].map(_date)
    zone = next((m.get("timeZone") for m in meta_ids if m.get("timeZone")), None)
    notes.append(
        f"times are local to {zone} as exported (Qualtrics' export time zone)"
        if zone
        else "times as exported (the export's time zone is not stated in the file)"
    )
    status = next((c.key for c, imp in zip(columns, imports) if imp.casefold() == "status"), None)
    if status is not None:
        values = frame[status].astype(str).str.strip()
        skip = values.map(lambda v: v in _STATUS_SKIP or v in _STATUS_SKIP.values())
        if skip.any():
            rows = [str(raw.rows[p]) for p in range(len(frame)) if skip.iloc[p]]
            notes.append(
                f"row(s) {', '.join(rows[:10])}: Status is a preview, test or spam response; "
                "they are loaded like others - delete them (or filter them out in Qualtrics) if "
                "they are not real answers"
            )
    return ToolTable(tool=NAME, raw=raw, frame=frame, columns=columns, notes=notes)
