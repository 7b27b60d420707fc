"""Exceptions shared across cxlab.

Bad input is reported where the user can find it: :class:`InputError`
carries a list of :class:`Problem` records, each naming the file, the row (as
the user sees it in the file: 1 is the first line, the header included) and
the column.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CxlabError", "Problem", "InputError", "WorkspaceError", "RunError"]


class CxlabError(Exception):
    """Base class of cxlab's own errors."""


@dataclass(frozen=True)
class Problem:
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
    """

    max_shown = 20

    def __init__(self, problems: list[Problem] | Problem, headline: str | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        n = len(self.problems)
        head = headline or (f"{n} problem{'s' if n != 1 else ''} in the input; nothing was loaded")
        lines = [str(p) for p in self.problems[: self.max_shown]]
        if n > self.max_shown:
            lines.append(f"... and {n - self.max_shown} more")
        super().__init__(head + ":\n  " + "\n  ".join(lines))


class WorkspaceError(CxlabError):
    """A workspace that does not exist, already exists, or is not a workspace."""


class RunError(CxlabError):
    """A per-wave run that failed; the message names the notebook and cell."""
