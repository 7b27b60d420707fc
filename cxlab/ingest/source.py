"""What a survey tool's export holds, before it is mapped to canonical fields.

Every tool writes its export differently (one header row or three, grids as
``Question [Row]`` or ``Q2_1``, dates in its own format).  A tool reader in
:mod:`cxlab.ingest.tools` undoes the tool's layout and returns a
:class:`ToolTable`: one text column per answer cell, each described by a
:class:`SourceColumn` (question wording, grid row or choice, meta field).
:func:`cxlab.ingest.interpret.interpret` then recognises the questions and
turns the table into canonical ``responses`` and ``answers``.

Examples
--------
>>> col = SourceColumn(key="q3_2", question="Оцените нашу работу", item="Соблюдение сроков")
>>> col.is_meta
False
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cxlab.errors import DataError, ParameterError
from cxlab.ingest.files import RawTable

__all__ = ["META_FIELDS", "SourceColumn", "ToolTable"]

#: Columns that describe the response rather than answer a question.
META_FIELDS = (
    "response_id",  # the tool's id of the response
    "submitted_at",  # when the response was completed (or last changed)
    "started_at",  # when the respondent opened the form
    "token",  # personal token from the invitation link (pre-fill, hidden field, custom variable)
    "email",  # respondent's e-mail as collected by the tool
    "name",  # respondent's name as collected by the tool
    "company",  # company name typed by the respondent
    "language",  # language the respondent answered in
    "finished",  # the tool's completion flag (1/0, True/False, "Complete"/"Partial")
    "progress",  # percent of the survey completed
    "ignore",  # tool bookkeeping (IP address, collector, coordinates, duration, ...)
)


@dataclass
class SourceColumn:
    """One column of an export, described.

    Attributes
    ----------
    key : str
        Name of the column in :attr:`ToolTable.frame` (unique).
    question : str or None
        Wording of the question as exported (None for meta columns).
    item : str or None
        Row of a grid (``"Соблюдение сроков"``) or, for a multiple choice
        exported one column per option, the option's label.
    field : str or None
        One of :data:`META_FIELDS` for a meta column.
    code : str or None
        The tool's own code of the question (Qualtrics ``Q2_1``, LimeSurvey
        ``Q2[SQ001]``): used to map columns with a questionnaire.
    choice_separator : str or None
        For a multiple choice written into one cell (Google Forms
        checkboxes): the text between selected options.
    choice : bool
        True when the tool's layout says the column is one option of a
        multiple choice (a filled cell means "selected").
    target : str or None
        Set by a user's mapping: the canonical field (``nps``, ``client_id``)
        or ``<kind>:<item>`` the column holds; recognition is skipped.
    """

    key: str
    question: str | None = None
    item: str | None = None
    field: str | None = None
    code: str | None = None
    choice_separator: str | None = None
    choice: bool = False
    target: str | None = None

    def __post_init__(self) -> None:
        if self.field is not None and self.field not in META_FIELDS:
            raise ParameterError(
                f"unknown meta field {self.field!r}; known: {', '.join(META_FIELDS)}",
                parameter="field",
                value=self.field,
            )

    @property
    def is_meta(self) -> bool:
        return self.field is not None


@dataclass
class ToolTable:
    """An export with its layout undone.

    Attributes
    ----------
    tool : str
        Reader name (``"google_forms"``, ``"yandex_forms"``, ``"surveymonkey"``,
        ``"qualtrics"``, ``"limesurvey"``, ``"generic"``).
    raw : RawTable
        The file as read: source name, hash, encoding, separator and the
        spreadsheet row number of every frame row.
    frame : DataFrame
        Text cells (missing as None), one column per :class:`SourceColumn`
        ``key``, rows aligned with ``raw.rows``.
    columns : list of SourceColumn
        In frame order.
    notes : list of str
        How the file was understood, for the import report.
    """

    tool: str
    raw: RawTable
    frame: pd.DataFrame
    columns: list[SourceColumn]
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if list(self.frame.columns) != keys:
            raise DataError("ToolTable: frame columns and SourceColumn keys differ", columns=keys)
        if len(set(keys)) != len(keys):
            raise DataError("ToolTable: column keys must be unique", columns=keys)
        if len(self.frame) != len(self.raw.rows):
            raise DataError("ToolTable: frame rows and raw.rows differ")

    def meta(self, name: str) -> SourceColumn | None:
        """The first column holding meta field ``name``."""
        return next((c for c in self.columns if c.field == name), None)

    def row_number(self, position: int) -> int:
        return self.raw.row_number(position)
