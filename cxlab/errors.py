"""Every exception and warning cxlab raises, in one tree.

This module is the map; the domain modules import their classes from here and
re-export them under the names they always had (``cxlab.metrics.NPSScaleError``,
``cxlab.fieldwork.ConfigError``, ...)::

    CxlabError(Exception)                          message + structured fields; pickles; exit_code 2
    ├── InputError(CxlabError, ValueError)         input that cannot be loaded: problems, file/row/column
    │   └── ConfigError(InputError)                a config, template or mapping file: file, field
    │       ├── QuestionnaireError(ConfigError)    a questionnaire template that breaks the schema
    │       └── WaveConfigError(ConfigError, FieldworkError)   a wave config (cxlab.fieldwork.ConfigError)
    ├── ParameterError(CxlabError, ValueError)     an argument outside its domain: parameter, value
    │   └── DashboardQueryError(ParameterError)    a dashboard address the dashboard refuses
    ├── ParameterTypeError(CxlabError, TypeError)  an argument of the wrong type: parameter, value
    ├── DataError(CxlabError, ValueError)          data that cannot give the figure asked: columns
    │   └── NPSScaleError(DataError)               NPS asked on a scale other than 0-10
    ├── FitError(CxlabError, RuntimeError)         a model that cannot be fitted to the data: columns
    ├── NotFoundError(CxlabError, KeyError)        a name that names nothing: kind, key
    ├── MissingFileError(CxlabError, FileNotFoundError)   a template or file that does not exist: kind, key
    ├── WorkspaceError(CxlabError)                 missing, existing or unusable workspace: path
    │   ├── NotInWorkspaceError(WorkspaceError)    a wave, client or action the workspace lacks: kind, key
    │   └── WorkspaceLockedError(WorkspaceError)   another process held the workspace past the wait: pid, program
    ├── RunError(CxlabError)                       a per-wave run: notebook, cell, ename, evalue, output_dir
    ├── DashboardError(CxlabError)                 the dashboard server cannot start or answer
    ├── DerivedResultError(CxlabError, ValueError) a stored derived result is damaged or of another format
    └── FieldworkError(CxlabError)                 planning, sending, reminding, marking

    CxlabWarning(UserWarning)
    ├── DriverWarning(CxlabWarning)                a caveat of a driver analysis (small sample, collinearity)
    ├── FallbackWarning(CxlabWarning, RuntimeWarning)   a method could not be used; a simpler one was
    └── DerivedResultWarning(CxlabWarning)         a stored result unreadable or unwritable: computed instead

Each class keeps the builtin base its callers catch (``ValueError``,
``KeyError``, ``TypeError``, ``RuntimeError``, ``FileNotFoundError``), so
``except ValueError`` goes on working, and ``except CxlabError`` catches
everything cxlab refuses.  The command line prints :meth:`CxlabError.one_line`
and exits with :attr:`CxlabError.exit_code`.

Bad input is reported where the user can find it: :class:`InputError`
carries a list of :class:`Problem` records, each naming the file, the row (as
the user sees it in the file: 1 is the first line, the header included) and
the column.

Examples
--------
>>> import pickle
>>> err = NotFoundError("unknown figure 'nps'", kind="figure", key="nps")
>>> str(err), isinstance(err, KeyError)
("unknown figure 'nps'", True)
>>> copy = pickle.loads(pickle.dumps(err))
>>> type(copy).__name__, copy.kind, copy.key
('NotFoundError', 'figure', 'nps')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

__all__ = [
    "CxlabError",
    "Problem",
    "InputError",
    "ConfigError",
    "QuestionnaireError",
    "WaveConfigError",
    "ParameterError",
    "ParameterTypeError",
    "DashboardQueryError",
    "DerivedResultError",
    "DerivedResultWarning",
    "DataError",
    "NPSScaleError",
    "FitError",
    "NotFoundError",
    "MissingFileError",
    "NotInWorkspaceError",
    "WorkspaceLockedError",
    "WorkspaceError",
    "RunError",
    "DashboardError",
    "FieldworkError",
    "CxlabWarning",
    "DriverWarning",
    "FallbackWarning",
]


def _rebuild(cls: type[CxlabError], args: tuple[Any, ...], state: dict[str, Any]) -> CxlabError:
    """Unpickle an error without calling ``__init__`` (whose signature differs from class to class)."""
    # OSError subclasses (MissingFileError) have their own layout and constructor.
    new = OSError.__new__ if issubclass(cls, OSError) else Exception.__new__
    exc = new(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class CxlabError(Exception):
    """Base class of cxlab's own errors.

    The message is the first argument; subclasses add structured fields as
    attributes (the file and row of bad input, the notebook and cell of a
    failed run, ...).  Errors pickle with their type, message and fields
    (for multiprocessing and joblib), and ``str()`` is the message itself,
    also for the ``KeyError`` subclasses.

    Attributes
    ----------
    exit_code : int
        The command line's exit status for this error (2).

    Examples
    --------
    >>> err = CxlabError("first line:\\n  second\\n  third")
    >>> err.one_line()
    'first line: second; third'
    """

    exit_code: ClassVar[int] = 2

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else Exception.__str__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self.args, dict(self.__dict__))

    @property
    def message(self) -> str:
        """The message (``str(self)``)."""
        return str(self)

    def one_line(self) -> str:
        """The message on one line, for the command line.

        Indented continuation lines follow the first, after a space when it
        ends with a colon and after ``"; "`` otherwise, and between each other
        after ``"; "``.
        """
        lines = [line.strip() for line in str(self).splitlines() if line.strip()]
        if not lines:
            return type(self).__name__
        head, rest = lines[0], lines[1:]
        if not rest:
            return head
        return head + (" " if head.endswith(":") else "; ") + "; ".join(rest)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, row, column) and what.

    Examples
    --------
    >>> str(Problem("bad.csv", 3, "nps", "value 12 is outside the scale 0-10"))
    "bad.csv, row 3, column 'nps': value 12 is outside the scale 0-10"
    """

    source: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return ", ".join(where) + ": " + self.message


class InputError(CxlabError, ValueError):
    """Input that cannot be loaded; nothing was written.

    Attributes
    ----------
    problems : list of Problem
        Every problem found (the message shows the first twenty).
    headline : str
        The message's first line.
    file, row, column : str, int or None
        Where the first problem is.

    Examples
    --------
    >>> err = InputError([Problem("bad.csv", 3, "nps", "value 12 is outside 0-10"),
    ...                   Problem("bad.csv", 5, "nps", "value -1 is outside 0-10")], headline="2 problems")
    >>> err.file, err.row, err.column
    ('bad.csv', 3, 'nps')
    >>> print(err.one_line())
    2 problems: bad.csv, row 3, column 'nps': value 12 is outside 0-10 (and 1 more problem)
    """

    max_shown = 20

    def __init__(self, problems: list[Problem] | Problem, headline: str | None = None) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        n = len(self.problems)
        self.headline = headline or (f"{n} problem{'s' if n != 1 else ''} in the input; nothing was loaded")
        first = self.problems[0] if self.problems else None
        self.file: str | None = first.source if first else None
        self.row: int | None = first.row if first else None
        self.column: str | None = first.column if first else None
        lines = [str(p) for p in self.problems[: self.max_shown]]
        if n > self.max_shown:
            lines.append(f"... and {n - self.max_shown} more")
        super().__init__(self.headline + (":\n  " + "\n  ".join(lines) if lines else ""))

    def one_line(self) -> str:
        """The headline and the first problem (file, row, column, what), and how many more there are."""
        if not self.problems:
            return super().one_line()
        more = len(self.problems) - 1
        text = f"{self.headline}: {self.problems[0]}"
        if more:
            text += f" (and {more} more problem{'s' if more != 1 else ''})"
        return " ".join(line.strip() for line in text.splitlines() if line.strip())


class ConfigError(InputError):
    """A config, template or mapping file that breaks its rules; the message names the file and the key.

    The message is given whole (it may list several keys); ``problems`` is
    empty, ``file`` is the file and ``field`` (also ``column``) the key path.

    Examples
    --------
    >>> err = ConfigError("wave.yaml: smtp.port: Input should be a valid integer", file="wave.yaml", field="smtp.port")
    >>> str(err), err.file, err.field, isinstance(err, ValueError)
    ('wave.yaml: smtp.port: Input should be a valid integer', 'wave.yaml', 'smtp.port', True)
    """

    def __init__(self, message: str, *, file: str | Path | None = None, field: str | None = None) -> None:
        CxlabError.__init__(self, message)
        self.problems = []
        self.headline = message
        self.file = None if file is None else str(file)
        self.row = None
        self.column = self.field = field


class QuestionnaireError(ConfigError):
    """A questionnaire template does not follow the schema."""


class FieldworkError(CxlabError):
    """A fieldwork step that cannot be done (no plan yet, unknown contact, SMTP failure, ...)."""


class WaveConfigError(ConfigError, FieldworkError):
    """A wave config that breaks the rules; the message names the file and the key path.

    ``cxlab.fieldwork.ConfigError`` is this class.  It is a ``ValueError`` too,
    so that pydantic validators may raise it.
    """


class ParameterError(CxlabError, ValueError):
    """An argument outside its domain: an unknown method, a confidence not in (0, 1), a wave the data lacks.

    Attributes
    ----------
    parameter : str or None
        The argument's name.
    value : object
        The value given.

    Examples
    --------
    >>> err = ParameterError("confidence must be between 0 and 1, got 95", parameter="confidence", value=95)
    >>> err.parameter, err.value, isinstance(err, ValueError)
    ('confidence', 95, True)
    """

    def __init__(self, message: str, *, parameter: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value


class ParameterTypeError(CxlabError, TypeError):
    """An argument of the wrong type; ``value`` is the name of the type given.

    A ``TypeError``, as before there was a cxlab tree, and not a ``ValueError``:
    code that turns a ``ValueError`` into a note must not swallow a caller's
    mistake.

    Examples
    --------
    >>> err = ParameterTypeError("data must be a pandas DataFrame, got list", parameter="data", value="list")
    >>> isinstance(err, TypeError), isinstance(err, ValueError), err.value
    (True, False, 'list')
    """

    def __init__(self, message: str, *, parameter: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value


class DashboardQueryError(ParameterError):
    """A query-string value the dashboard refuses (unknown key or a value that does not exist)."""


class DataError(CxlabError, ValueError):
    """Data that cannot give the figure asked: too few rows, no variation, a missing column, ...

    Attributes
    ----------
    columns : list of str or None
        The columns concerned, when there are some.

    Examples
    --------
    >>> DataError("revenue must be finite and >= 0", columns=["revenue"]).columns
    ['revenue']
    """

    def __init__(self, message: str, *, columns: list[str] | None = None) -> None:
        super().__init__(message)
        self.columns = None if columns is None else list(columns)


class NPSScaleError(DataError):
    """NPS asked on a scale other than 0-10 (it is refused, never rescaled).

    ``scale`` is the ``(min, max)`` of the question when known.
    """

    def __init__(self, message: str, *, scale: tuple[int, int] | None = None, columns: list[str] | None = None) -> None:
        super().__init__(message, columns=columns)
        self.scale = scale


class FitError(CxlabError, RuntimeError):
    """A model that cannot be fitted to the data (it fails or does not converge); ``columns`` as in DataError.

    A ``RuntimeError`` (what callers that fall back to a simpler method catch), not a ``ValueError``.
    """

    def __init__(self, message: str, *, columns: list[str] | None = None) -> None:
        super().__init__(message)
        self.columns = None if columns is None else list(columns)


class NotFoundError(CxlabError, KeyError):
    """A name that names nothing: an unknown wave, client, action, template, figure, section or column.

    ``str()`` is the message (not ``KeyError``'s quoted repr).

    Attributes
    ----------
    kind : str or None
        What was looked for (``"wave"``, ``"column"``, ``"figure"``, ...).
    key : object
        The name (or names) not found.

    Examples
    --------
    >>> err = NotFoundError("unknown section 'x'", kind="section", key="x")
    >>> str(err), err.kind, err.key
    ("unknown section 'x'", 'section', 'x')
    """

    def __init__(self, message: str, *, kind: str | None = None, key: Any = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.key = key


class MissingFileError(CxlabError, FileNotFoundError):
    """A template or file that does not exist (a ``FileNotFoundError``, not a ``KeyError``).

    ``kind`` says what was looked for and ``key`` is the name or path, as in :class:`NotFoundError`.
    """

    def __init__(self, message: str, *, kind: str | None = None, key: Any = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.key = key


class WorkspaceError(CxlabError):
    """A workspace that does not exist, already exists, or is not a workspace.

    ``path`` is the workspace's folder when known.
    """

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else Path(path)


class NotInWorkspaceError(WorkspaceError):
    """A wave, client or action the workspace does not have; ``kind`` and ``key`` as in :class:`NotFoundError`.

    A ``WorkspaceError``, as it was before there was a cxlab tree, and not a
    ``KeyError`` (code that reads a missing key as "no value" must not swallow it).

    Examples
    --------
    >>> err = NotInWorkspaceError("wave '2030-Q1' does not exist in workspace demo", kind="wave", key="2030-Q1")
    >>> isinstance(err, WorkspaceError), isinstance(err, KeyError), err.kind
    (True, False, 'wave')
    """

    def __init__(
        self, message: str, *, kind: str | None = None, key: Any = None, path: str | Path | None = None
    ) -> None:
        super().__init__(message, path=path)
        self.kind = kind
        self.key = key


class WorkspaceLockedError(WorkspaceError):
    """Another process kept the workspace's database locked for longer than the wait allowed.

    DuckDB lets one process write a database file, or many read it, never
    both; cxlab waits for the other process (``--lock-timeout``,
    ``CXLAB_LOCK_TIMEOUT``) before giving up with this error.

    Attributes
    ----------
    pid : int or None
        The other process, when DuckDB names it.
    program : str or None
        Its program (DuckDB names the executable), when known.
    waited : float
        Seconds waited.

    Examples
    --------
    >>> err = WorkspaceLockedError("workspace w is in use by PID 42 (python3)", pid=42, program="python3", waited=5)
    >>> isinstance(err, WorkspaceError), err.pid, err.waited
    (True, 42, 5)
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        pid: int | None = None,
        program: str | None = None,
        waited: float = 0.0,
    ) -> None:
        super().__init__(message, path=path)
        self.pid = pid
        self.program = program
        self.waited = waited


class RunError(CxlabError):
    """A per-wave run that failed; the message names the notebook and cell.

    A run refused before any notebook ran (a bad parameter, an unsafe folder
    name) has only a message.  A notebook that failed has fields, and its
    message is built from them.

    Attributes
    ----------
    notebook : str or None
        File name of the notebook (``wave_report.ipynb``).
    cell : int or None
        Position of the failing cell as the user sees it under ``notebooks/``.
    cell_source : str
        First line of that cell (comments skipped).
    ename, evalue : str or None
        Name and text of the exception (the executor's own when the kernel
        timed out or died).
    outcome : str
        ``"failed"`` (an exception in the cell), ``"stopped"`` (the executor
        raised), or what happened (``"timed out after 600 s"``, ...).
    executed : Path or None
        The executed notebook (with the traceback when the cell failed).
    previous : Path or None
        The report that was left untouched, when the run replaced one.

    Examples
    --------
    >>> err = RunError(notebook="wave_report.ipynb", cell=2, cell_source="report = WaveReport(ws, wave)",
    ...                ename="ValueError", evalue="wave '2099-Q1' has no responses",
    ...                executed="/reports/demo/2099-Q1/wave_report.ipynb")
    >>> print(err)
    wave_report.ipynb: cell 2 failed: ValueError: wave '2099-Q1' has no responses
      cell: report = WaveReport(ws, wave)
      executed notebook with the traceback: /reports/demo/2099-Q1/wave_report.ipynb
    >>> err.output_dir.as_posix()
    '/reports/demo/2099-Q1'
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        notebook: str | None = None,
        cell: int | None = None,
        cell_source: str = "",
        ename: str | None = None,
        evalue: str | None = None,
        outcome: str = "failed",
        executed: str | Path | None = None,
        previous: str | Path | None = None,
    ) -> None:
        self.reason = message
        self.notebook = notebook
        self.cell = cell
        self.cell_source = cell_source
        self.ename = ename
        self.evalue = evalue
        self.outcome = outcome
        self.executed = None if executed is None else Path(executed)
        self.previous = None if previous is None else Path(previous)
        super().__init__(self._compose())

    @property
    def output_dir(self) -> Path | None:
        """The folder of the executed notebook (the run's output folder)."""
        return None if self.executed is None else self.executed.parent

    def _compose(self) -> str:
        if self.reason is not None:
            text = self.reason
        else:
            cell = self.cell if self.cell is not None else "?"
            what = self.outcome
            if self.outcome in ("failed", "stopped"):
                what = f"{self.outcome}: {self.ename}: {self.evalue}"
            label = "executed notebook with the traceback" if self.outcome == "failed" else "executed notebook so far"
            text = f"{self.notebook}: cell {cell} {what}\n  cell: {self.cell_source}\n  {label}: {self.executed}"
        if self.previous is not None:
            text += f"\n  the previous report (if any) is untouched: {self.previous}"
        return text

    def moved(self, old: Path, new: Path, *, previous: Path) -> RunError:
        """The same error after the run folder ``old`` was renamed ``new``, saying ``previous`` is untouched.

        The executed notebook's path, and any mention of ``old`` in the
        exception's text, point into ``new``.
        """
        executed = self.executed
        if executed is not None and Path(old) in executed.parents:
            executed = Path(new) / executed.relative_to(old)
        evalue = None if self.evalue is None else self.evalue.replace(str(old), str(new))
        return RunError(
            self.reason,
            notebook=self.notebook,
            cell=self.cell,
            cell_source=self.cell_source,
            ename=self.ename,
            evalue=evalue,
            outcome=self.outcome,
            executed=executed,
            previous=previous,
        )


class DashboardError(CxlabError):
    """The dashboard server could not be configured or started."""


class DerivedResultError(CxlabError, ValueError):
    """A stored derived result (``<workspace>/derived/``) is damaged, of another format or misnamed.

    Raised inside the store and caught there: the entry is removed and
    computed again, with a :class:`DerivedResultWarning`.
    """


class CxlabWarning(UserWarning):
    """Base class of cxlab's own warnings."""


class DriverWarning(CxlabWarning):
    """A key-driver estimate that should be read with care (small n, collinearity...)."""


class FallbackWarning(CxlabWarning, RuntimeWarning):
    """A method could not be used and a simpler one was used instead (a ``RuntimeWarning`` too)."""


class DerivedResultWarning(CxlabWarning):
    """A stored result could not be read or written; it is computed instead (the figures are unaffected)."""
