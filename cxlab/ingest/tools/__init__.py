"""Readers of what survey tools export.

Each reader module has

* ``NAME`` (``"google_forms"``), ``TITLE`` (``"Google Forms"``);
* ``detect(head: RawTable) -> bool``: whether a file read with one header row
  (``read_table(path)``; the second and third header rows of SurveyMonkey and
  Qualtrics then appear as the first data rows) is this tool's export;
* ``read(path_or_bytes, *, source=None, sheet=0, head=None) -> ToolTable``:
  the export with the tool's layout undone (see :mod:`cxlab.ingest.source`);
  ``head`` is that one-header-row read when the caller has it already, so
  the file is not read again for it.

Timestamps are turned into ISO text (``2026-11-24 10:05:33``; converted to
UTC when the tool writes a zone) by the reader that knows the tool's format;
a cell that does not parse is left as it is, so that the import reports it
with its row and column.
"""

from __future__ import annotations

from importlib import import_module

from cxlab.errors import ParameterError
from cxlab.ingest.files import RawTable

__all__ = ["READERS", "reader", "detect_tool"]

#: Reader modules, in the order detection tries them (most specific first).
READERS = ("qualtrics", "surveymonkey", "limesurvey", "yandex_forms", "google_forms")


def reader(name: str):
    """The reader module of a tool (``ValueError`` for an unknown name)."""
    if name not in READERS:
        raise ParameterError(f"unknown survey tool {name!r}; known: {', '.join(READERS)}", parameter="tool", value=name)
    return import_module(f"cxlab.ingest.tools.{name}")


def detect_tool(head: RawTable) -> str | None:
    """Name of the tool whose export ``head`` looks like, or None."""
    for name in READERS:
        if reader(name).detect(head):
            return name
    return None
