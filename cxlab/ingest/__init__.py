"""Reading survey exports into canonical frames.

:func:`read_export` is the one entry point: it reads a file (CSV in UTF-8,
UTF-8 with BOM or cp1251, ``,`` or ``;`` separated, decimal commas,
``dd.mm.yyyy`` dates; or XLSX), recognises the tool that wrote it and returns
canonical ``responses`` and ``answers`` frames with an account of what was
read.  The store matches them to contacts, validates them against the
workspace and loads them in one transaction.

Formats (``tool=``):

* ``"google_forms"``, ``"yandex_forms"``, ``"surveymonkey"``, ``"qualtrics"``,
  ``"limesurvey"``: the tools' own exports (see :mod:`cxlab.ingest.tools`);
* ``"cxlab"``: the wide response file (see :mod:`cxlab.ingest.canonical`);
* ``"generic"``: any CSV/XLSX, its columns named by a ``mapping`` to
  canonical fields or recognised by their wording;
* ``"auto"`` (default): detected from the header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import pandas as pd

from cxlab.errors import InputError, ParameterError, Problem
from cxlab.ingest.answers import normalize_text
from cxlab.ingest.canonical import RESPONSE_FIELDS, is_item_column, parse_wide, to_wide
from cxlab.ingest.encoding import check_encoding
from cxlab.ingest.files import read_table
from cxlab.ingest.interpret import interpret
from cxlab.ingest.limits import Limits, applied
from cxlab.ingest.limits import current as current_limits
from cxlab.ingest.source import META_FIELDS, SourceColumn, ToolTable
from cxlab.ingest.tools import READERS, detect_tool, reader
from cxlab.ingest.tools._common import describe_header, unique_keys

__all__ = ["ExportData", "read_export", "to_wide", "read_table", "FORMATS"]

FORMATS = ("cxlab", "generic") + READERS
ERROR_MODES = ("report", "raise")


@dataclass
class ExportData:
    """What a survey export held, in canonical form.

    Attributes
    ----------
    responses, answers : DataFrame
        Canonical columns plus ``_row`` (spreadsheet row, for messages).
        ``responses`` also has ``_token``, ``_email`` and ``_company`` (what
        the respondent's row says about who they are), used to find the
        contact and never stored.
    source : str
        File name.
    sha256 : str
        Hash of the file's bytes: the key of idempotent imports.
    tool : str
        Detected or given format.
    notes : list of str
        How the file was read: encoding, separator, columns not used,
        partial responses.
    problems : list of Problem
        Cells refused while reading (unknown label, not a number, not a
        date): they are left empty and listed here.
    columns : DataFrame or None
        How each column of the file was understood (column, question, item,
        target, how).
    """

    responses: pd.DataFrame
    answers: pd.DataFrame
    source: str
    sha256: str
    tool: str
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: pd.DataFrame | None = None
    rows_in_file: int | None = None
    cleaned_cells: int = 0  # cells whose control characters were removed (cxlab.ingest.limits)
    cut_cells: int = 0  # cells cut to the limit of characters

    @property
    def rows_read(self) -> int:
        """Answer rows in the file (rows with no answer at all included)."""
        return self.rows_in_file if self.rows_in_file is not None else len(self.responses)


def read_export(
    path,
    *,
    tool: str = "auto",
    mapping: dict[str, str] | None = None,
    questionnaire=None,
    source: str | None = None,
    errors: str = "report",
    limits: Limits | None = None,
    encoding: str | None = None,
) -> ExportData:
    """Read a survey export.

    Parameters
    ----------
    path : str, Path, bytes or DataFrame
        CSV or XLSX file, or a frame in the wide response form.
    tool : str
        ``"auto"`` or one of :data:`FORMATS`.
    mapping : dict, optional
        Column of the file -> canonical field (``nps``, ``overall``,
        ``client_id``, ...), ``<kind>:<item>``, a meta field (``token``,
        ``email``, ``company``, ``submitted_at``) or a question id of the
        questionnaire.  Columns not in the mapping are recognised by their
        wording.
    questionnaire : Questionnaire or str, optional
        The wave's questionnaire: maps every question of a tool's export by
        its wording or code and reads answers given as labels.
    errors : {"report", "raise"}
        ``"report"``: cells that cannot be read are left empty and listed in
        ``problems``; ``"raise"``: any such cell raises :class:`InputError`.
    limits : Limits, optional
        File size, cell length, columns and rows (default: the defaults of
        :mod:`cxlab.ingest.limits`).  Over the size, columns or rows the file
        is refused; longer cells are cut.  Control characters are removed
        from every cell; both are counted in ``cleaned_cells``/``cut_cells``
        and said in ``notes``.
    encoding : str, optional
        Codec of a CSV file (``koi8_r``, ``latin_1``, ...).  By default it is
        decided by evidence (UTF-8, UTF-16, Russian cp1251) and a file that is
        not clearly one encoding is refused with the candidates; see
        :mod:`cxlab.ingest.encoding`.

    Examples
    --------
    >>> data = read_export(b"response_id;client_id;nps\\nR1;C1;9\\n", source="w.csv")
    >>> data.responses[["response_id", "nps"]].to_dict("records")
    [{'response_id': 'R1', 'nps': 9.0}]
    """
    if errors not in ERROR_MODES:
        raise ParameterError(f"errors must be one of {ERROR_MODES}, got {errors!r}", parameter="errors", value=errors)
    if isinstance(path, pd.DataFrame):
        # A frame is read back from its CSV form so that it goes through the
        # same checks, row numbers (header = row 1) and content hash as a file.
        path, source = path.to_csv(index=False).encode("utf-8"), source or "<DataFrame>"
    if isinstance(questionnaire, str):
        from cxlab.questionnaire import load_questionnaire

        questionnaire = load_questionnaire(questionnaire)
    if encoding is not None:
        check_encoding(encoding)  # an unknown codec is named even for an XLSX file
    with applied(limits):
        data = _read_export(path, tool, mapping, questionnaire, source, encoding)
    return _finish(data, errors)


def _read_export(path, tool, mapping, questionnaire, source, encoding=None) -> ExportData:
    """:func:`read_export` under the limits in force, before ``errors`` is applied."""
    head = read_table(path, source=source, encoding=encoding)
    if tool not in ("auto",) + FORMATS:
        raise InputError(
            Problem(head.source, None, None, f"unknown format '{tool}'; known: auto, " + ", ".join(FORMATS))
        )
    if tool == "auto":
        tool = _detect(head, mapping)
    notes = []
    if head.encoding:
        notes.append(f"read as {head.encoding} text separated by '{head.separator}'")
        notes.extend(head.encoding_notes)
    cleaning = {"cleaned_cells": head.cleaned_cells, "cut_cells": head.cut_cells}
    if head.cleaned_cells:
        notes.append(f"removed control characters from {head.cleaned_cells} cell(s)")
    if head.cut_cells:
        notes.append(f"cut {head.cut_cells} cell(s) to {current_limits().max_cell_chars:,} characters")
    if tool == "cxlab":
        _check_mapping(mapping, list(head.frame.columns), head.source)
        # Header problems raise at once; cells that are not numbers or dates are
        # collected, and _finish raises them only when errors="raise".
        problems: list = []
        responses, answers = parse_wide(head, mapping, problems=problems)
        for col in ("_token", "_email", "_company"):
            responses[col] = None
        return ExportData(
            responses=responses,
            answers=answers,
            source=head.source,
            sha256=head.sha256,
            tool="cxlab",
            notes=notes,
            problems=head.problems + problems,  # formulas without a saved value first
            **cleaning,
        )
    if tool == "generic":
        table = _generic_table(head, mapping, questionnaire)
    else:
        table = reader(tool).read(path, source=head.source, head=head)
        if mapping:
            table = _apply_mapping(table, mapping, questionnaire)
    result = interpret(table, questionnaire)
    used = cast(pd.DataFrame, result.columns)["target"].dropna()  # interpret() always gives the columns
    if (
        len(table.frame)
        and not used.isin(["nps", "overall", "price", "reason", "comment"]).any()
        and not used.str.contains(":").any()
    ):
        # Nothing answered a question cxlab knows: say so instead of loading an empty import.
        title = reader(tool).TITLE if tool in READERS else "spreadsheet"
        raise InputError(
            Problem(
                head.source,
                1,
                None,
                f"no question recognised in this {title} file (columns: "
                + ", ".join(f"'{c}'" for c in list(table.frame.columns)[:8])
                + "); pass the wave's questionnaire, tool=... or a mapping={column: field}"
                + "".join(f"; {n}" for n in result.notes if "not used" in n),
            )
        )
    return ExportData(
        responses=result.responses,
        answers=result.answers,
        source=head.source,
        sha256=head.sha256,
        tool=tool,
        notes=notes + result.notes,
        problems=head.problems + result.problems,
        columns=result.columns,
        rows_in_file=len(table.frame),
        **cleaning,
    )


def _finish(data: ExportData, errors: str) -> ExportData:
    if data.problems and errors == "raise":
        raise InputError(data.problems)
    return data


def _detect(head, mapping) -> str:
    names = {(mapping or {}).get(c, c) for c in head.frame.columns}
    canonical = set(RESPONSE_FIELDS) | {"wave_id"}
    is_item = {c for c in names if is_item_column(c)}
    if "response_id" in names and names <= canonical | is_item:
        return "cxlab"
    found = detect_tool(head)
    if found:
        return found
    if "response_id" in names and not mapping:
        return "cxlab"  # a cxlab file with a stray column: parse_wide names it
    return "generic"


def _target_of(
    value: str, questionnaire, source: str = "<mapping>", column: str | None = None
) -> tuple[str | None, str | None]:
    """A mapping value -> (meta field, canonical target)."""
    if value == "complete":
        return "finished", None  # read as a completion flag (1/0, yes/no, да/нет)
    if value in META_FIELDS:
        return value, None
    if value in RESPONSE_FIELDS or value == "wave_id":
        return None, value
    if is_item_column(value):
        return None, value
    if questionnaire is not None:
        try:
            target = questionnaire.question(value).get("target") or ""
        except KeyError:
            target = ""
        if target.startswith("responses."):
            return None, target.split(".", 1)[1]
    raise InputError(
        Problem(
            source,
            1,
            column,
            f"mapping: unknown target {value!r} (a canonical field such as "
            "nps, overall, client_id; '<kind>:<item>'; token, email or company; or a question "
            "id of the questionnaire)",
        )
    )


def _check_mapping(mapping, columns, source: str) -> None:
    """Every mapped column exists, and no two columns feed one field."""
    if not mapping:
        return
    problems = [
        Problem(source, 1, c, "mapping names a column the file does not have") for c in mapping if c not in columns
    ]
    seen: dict[str, str] = {}
    for column, value in mapping.items():
        if value in seen and value != "ignore":
            problems.append(
                Problem(
                    source,
                    1,
                    column,
                    f"mapping: '{value}' is already mapped from column '{seen[value]}'; one column per field",
                )
            )
        seen.setdefault(value, column)
    if problems:
        raise InputError(problems)


# Headers of a plain spreadsheet that say when it was answered (who answered: the readers' titles).
_SUBMITTED_HEADERS = {
    "timestamp",
    "date",
    "submitted",
    "date submitted",
    "отметка времени",
    "дата",
    "дата заполнения",
    "время",
    "время создания",
    "дата и время",
}


def _generic_table(head, mapping, questionnaire) -> ToolTable:
    _check_mapping(mapping, list(head.frame.columns), head.source)
    names = list(head.frame.columns)
    keys = unique_keys(names)  # a header written twice keeps both columns
    columns = []
    for name, key in zip(names, keys):
        value = (mapping or {}).get(name)
        if value is None and (name in RESPONSE_FIELDS or is_item_column(name)):
            value = name
        if value:
            fieldname, target = _target_of(value, questionnaire, head.source, name)
            col = SourceColumn(key=key, question=name, field=fieldname, target=target)
        elif normalize_text(name) in _SUBMITTED_HEADERS:
            col = SourceColumn(key=key, field="submitted_at")
        else:
            col = describe_header(name)
            col.key = key
            if key != name:
                col.question, col.item = key, None  # a second column of its own, not a row of the first
        columns.append(col)
    return ToolTable(tool="generic", raw=head, frame=head.frame.set_axis(keys, axis=1), columns=columns)


def _apply_mapping(table: ToolTable, mapping, questionnaire) -> ToolTable:
    _check_mapping(mapping, list(table.frame.columns), table.raw.source)
    for col in table.columns:
        if col.key in mapping:
            col.field, col.target = _target_of(mapping[col.key], questionnaire, table.raw.source, col.key)
    return table
