"""How much an import reads: file size, cell length, columns, rows.

A survey export is small (a B2B wave is hundreds of rows, a consumer brand's
tens of thousands); a file far beyond that is a mistake or an attack, and one
huge cell stalls every report that shows it.  The limits:

==================  ===========  ====================================================
limit               default      over it
==================  ===========  ====================================================
``max_file_mb``     100          refused: one line naming the file and the limit;
                                 an XLSX counts by its *unpacked* size, checked in the
                                 zip's directory before a cell is read
``max_cell_chars``  10,000       the cell is cut to that many characters (the last is
                                 ``…``) and the import report says how many were cut
``max_columns``     2,000        refused
``max_rows``        500,000      refused (answer rows, headers not counted)
==================  ===========  ====================================================

Each limit is set, from the weakest to the strongest, by the default above,
the ``import_limits`` object of the workspace's ``workspace.json``
(``{"import_limits": {"max_cell_chars": 20000}}``) and the ``cxlab import``
options ``--max-file-mb``, ``--max-cell-chars``, ``--max-columns`` and
``--max-rows`` (in Python: ``Workspace.import_wave(..., limits=Limits(...))``).

Control characters (see :mod:`cxlab.safe_text`) are removed from every cell,
headers included, and counted: :class:`CellGuard` does both jobs for
:func:`cxlab.ingest.files.read_table`.

Examples
--------
>>> lim = Limits.from_settings({"import_limits": {"max_cell_chars": 5}})
>>> guard = CellGuard(lim)
>>> guard("ab\\x0bcdefgh"), guard.cleaned, guard.cut
('abcd…', 1, 1)
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace

from cxlab.errors import InputError, ParameterError, Problem
from cxlab.safe_text import MAX_CELL_CHARS, cut_text, strip_control

__all__ = ["CellGuard", "Limits", "applied", "check_file_size", "check_shape", "check_xlsx", "current", "cut_text"]

#: The key of ``workspace.json`` that holds a workspace's limits.
SETTINGS_KEY = "import_limits"
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The limits of one import (see the module's table for what each does).

    Examples
    --------
    >>> Limits().max_cell_chars
    10000
    >>> Limits(max_rows=10).with_overrides(max_rows=None, max_columns=5)
    Limits(max_file_mb=100, max_cell_chars=10000, max_columns=5, max_rows=10)
    """

    max_file_mb: float = 100
    max_cell_chars: int = MAX_CELL_CHARS
    max_columns: int = 2_000
    max_rows: int = 500_000

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            whole = f.name != "max_file_mb"
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or (whole and not float(value).is_integer())
                or value <= 0
                or (f.name == "max_cell_chars" and value < 2)  # room for one character and the ellipsis
            ):
                kind = (
                    "a positive number"
                    if not whole
                    else "a whole number above 1"
                    if "cell" in f.name
                    else "a positive whole number"
                )
                raise ParameterError(
                    f"import limit {f.name} must be {kind}, not {value!r}", parameter=f.name, value=value
                )
            if whole:
                object.__setattr__(self, f.name, int(value))

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * _MB)

    @classmethod
    def from_settings(cls, settings: dict | None) -> Limits:
        """The defaults, overridden by ``settings["import_limits"]`` (a workspace's ``workspace.json``)."""
        given = (settings or {}).get(SETTINGS_KEY) or {}
        if not isinstance(given, dict):
            raise ParameterError(
                f"workspace.json: '{SETTINGS_KEY}' must be an object such as {{\"max_cell_chars\": 10000}}",
                parameter=SETTINGS_KEY,
                value=given,
            )
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ParameterError(
                f"workspace.json: unknown import limit {unknown[0]!r}; known: {', '.join(sorted(known))}",
                parameter=SETTINGS_KEY,
                value=unknown[0],
            )
        return cls(**given)

    def with_overrides(self, **values) -> Limits:
        """These limits with the values that are not None replaced (command-line options)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


_CURRENT: ContextVar[Limits | None] = ContextVar("cxlab_import_limits", default=None)


def current() -> Limits:
    """The limits in force: those of the innermost :func:`applied`, else the defaults."""
    return _CURRENT.get() or Limits()


@contextmanager
def applied(limits: Limits | None) -> Iterator[Limits]:
    """Apply ``limits`` to every :func:`~cxlab.ingest.files.read_table` inside the block.

    One import reads a file more than once (the tool readers read it again
    with their number of header rows); a context keeps every read under the
    same limits without passing them through each reader.
    """
    token = _CURRENT.set(limits or current())
    try:
        yield current()
    finally:
        _CURRENT.reset(token)


class CellGuard:
    """Removes control characters and cuts over-long text, counting the cells it changed.

    ``cleaned`` counts cells that had control characters, ``cut`` cells cut
    to ``limits.max_cell_chars``.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or current()
        self.cleaned = 0
        self.cut = 0

    def __call__(self, text: str) -> str:
        clean = strip_control(text)
        if len(clean) != len(text):
            self.cleaned += 1
        if len(clean) > self.limits.max_cell_chars:
            self.cut += 1
            clean = cut_text(clean, self.limits.max_cell_chars)
        return clean

    def notes(self) -> list[str]:
        """What the guard did, as lines of an import report."""
        out = []
        if self.cleaned:
            out.append(f"removed control characters from {self.cleaned} cell(s)")
        if self.cut:
            out.append(f"cut {self.cut} cell(s) to {self.limits.max_cell_chars:,} characters")
        return out


def _refused(problem: Problem) -> InputError:
    """One line: the file, what is over which limit, and where to change the limit."""
    return InputError(problem, headline="file refused, nothing was loaded")


def _mb(n: int) -> str:
    return f"{n / _MB:,.1f} MB"


def _limit_mb(limits: Limits) -> str:
    return f"{limits.max_file_mb:g} MB"


def check_file_size(size: int, source: str, limits: Limits | None = None) -> None:
    """Refuse a file over ``max_file_mb`` before it is read."""
    limits = limits or current()
    if size > limits.max_file_bytes:
        raise _refused(
            Problem(
                source,
                None,
                None,
                f"the file is {_mb(size)}, over the {_limit_mb(limits)} limit (max_file_mb; "
                "--max-file-mb or import_limits in workspace.json)",
            )
        )


def check_xlsx(data: bytes, source: str, limits: Limits | None = None) -> None:
    """Refuse an XLSX whose parts unpack to more than ``max_file_mb``, from the zip's directory alone.

    A 300 KB XLSX can hold a 300 MB cell (text compresses well): reading it
    takes gigabytes whatever the reader, because openpyxl keeps the shared
    strings in memory even in read-only mode.  The directory of a zip says
    how large each part is unpacked, so the file is refused before any of it
    is unpacked.  A file that is not a readable zip is left to the reader,
    which says what is wrong with it.
    """
    limits = limits or current()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if unpacked > limits.max_file_bytes:
        raise _refused(
            Problem(
                source,
                None,
                None,
                f"the Excel file unpacks to {_mb(unpacked)}, over the {_limit_mb(limits)} limit (max_file_mb; "
                "--max-file-mb or import_limits in workspace.json)",
            )
        )


def check_shape(rows: int, columns: int, source: str, limits: Limits | None = None) -> None:
    """Refuse a table with more answer rows or columns than the limits allow."""
    limits = limits or current()
    if columns > limits.max_columns:
        raise _refused(
            Problem(
                source,
                None,
                None,
                f"the file has {columns:,} columns, over the limit of {limits.max_columns:,} (max_columns; "
                "--max-columns or import_limits in workspace.json)",
            )
        )
    if rows > limits.max_rows:
        raise _refused(
            Problem(
                source,
                None,
                None,
                f"the file has {rows:,} rows, over the limit of {limits.max_rows:,} (max_rows; "
                "--max-rows or import_limits in workspace.json)",
            )
        )
