"""Cleaning text already stored: control characters out, over-long cells cut, in one transaction.

Imports clean text at the door (:mod:`cxlab.ingest.limits`); a workspace
filled before that, or written by other means, may still hold a NUL or a
vertical tab that XLSX cannot carry, or a comment of a megabyte.
:func:`repair_workspace` (``cxlab repair``) goes through every text column of
every canonical table (:data:`cxlab.schema.TABLES`), removes control
characters with :func:`cxlab.safe_text.strip_control` (the rule of the
import) and cuts cells over ``max_cell_chars`` the way the import does
(:func:`cxlab.ingest.limits.cut_text`).  Everything is changed in one
transaction, so a failure (a key that would collide with another once
cleaned) leaves the workspace as it was.

Examples
--------
>>> import tempfile, pandas as pd
>>> from cxlab.store import Workspace
>>> ws = Workspace.create(tempfile.mkdtemp() + "/acme")
>>> ws.load_tables({"services": pd.DataFrame({"service_id": ["pr"], "direction": ["media"],
...                                           "name_ru": ["PR\\x0b"], "name_en": ["PR"]})})
{'services': 1}
>>> print(repair_workspace(ws))
workspace acme: 1 cell(s) changed in one transaction
  services.name_ru: control characters removed from 1 cell(s)
>>> repair_workspace(ws).changed
0
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from cxlab.errors import WorkspaceError
from cxlab.ingest.limits import Limits, cut_text
from cxlab.safe_text import CONTROL_CHARACTERS, strip_control
from cxlab.schema import TABLE_ORDER, TABLES

__all__ = ["ColumnRepair", "RepairReport", "repair_workspace"]

# RE2 (DuckDB's regular expressions) spelling of cxlab.safe_text.CONTROL_CHARACTERS: the query only finds the
# cells to look at; what they become is decided in Python by strip_control, the import's own rule.
_CONTROL_RE2 = r"[\x{00}-\x{08}\x{0b}\x{0c}\x{0e}-\x{1f}\x{7f}-\x{9f}]"


@dataclass
class ColumnRepair:
    """What repair changed (or would change) in one column."""

    table: str
    column: str
    cleaned: int  # cells that had control characters
    cut: int  # cells cut to the limit
    changed: int  # cells changed (a cell both cleaned and cut counts once)

    def __str__(self) -> str:
        parts = []
        if self.cleaned:
            parts.append(f"control characters removed from {self.cleaned} cell(s)")
        if self.cut:
            parts.append(f"{self.cut} cell(s) cut")
        return f"{self.table}.{self.column}: " + ", ".join(parts)


@dataclass
class RepairReport:
    """What :func:`repair_workspace` did, per table and column."""

    workspace: str
    max_cell_chars: int
    dry_run: bool
    columns: list[ColumnRepair] = field(default_factory=list)

    @property
    def changed(self) -> int:
        """Cells changed (or that a dry run would change)."""
        return sum(c.changed for c in self.columns)

    def __str__(self) -> str:
        if not self.columns:
            return (
                f"workspace {self.workspace}: no control characters and no cell over "
                f"{self.max_cell_chars:,} characters; nothing changed"
            )
        cut = f" to {self.max_cell_chars:,} characters"
        lines = [
            f"workspace {self.workspace}: {self.changed} cell(s) "
            + ("would change (dry run: nothing written)" if self.dry_run else "changed in one transaction")
        ]
        lines += ["  " + str(c) + (cut if c.cut else "") for c in self.columns]
        return "\n".join(lines)


def _text_columns() -> list[tuple[str, str]]:
    return [(t, c.name) for t in TABLE_ORDER for c in TABLES[t].columns if c.dtype == "VARCHAR"]


def _scan(con: duckdb.DuckDBPyConnection, table: str, column: str, limit: int) -> pd.DataFrame:
    """Rows of ``table`` whose ``column`` needs repair: rowid, value."""
    return con.execute(
        f'SELECT rowid AS rid, "{column}" AS value FROM {table} '
        f'WHERE regexp_matches("{column}", ?) OR length("{column}") > ?',
        [_CONTROL_RE2, limit],
    ).df()


def repair_workspace(ws, *, max_cell_chars: int | None = None, dry_run: bool = False) -> RepairReport:
    """Remove control characters from every stored text cell and cut cells over the length limit.

    Parameters
    ----------
    ws : Workspace
    max_cell_chars : int, optional
        Longer cells are cut to this many characters, the last one ``…``.
        Default: the workspace's ``import_limits`` (``workspace.json``), else
        10,000 (see :mod:`cxlab.ingest.limits`).
    dry_run : bool
        Only count; the workspace is opened read-only and nothing is written.

    Returns
    -------
    RepairReport
        Per table and column, the cells cleaned and cut; ``str()`` is what
        ``cxlab repair`` prints.

    Raises
    ------
    WorkspaceError
        When a cleaned key would collide with another row's key; nothing is
        changed then.
    """
    limit = max_cell_chars if max_cell_chars is not None else Limits.from_settings(ws.meta).max_cell_chars
    limit = Limits(max_cell_chars=limit).max_cell_chars  # the same check of the value as the import's
    report = RepairReport(workspace=ws.name, max_cell_chars=limit, dry_run=dry_run)
    with ws.connect(read_only=dry_run) as con:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        columns = [(t, c) for t, c in _text_columns() if t in present]
        if not dry_run:
            con.execute("BEGIN TRANSACTION")
        try:
            for table, column in columns:
                # Scanned right before its update: changing a key column moves its rows (new rowids).
                rows = _scan(con, table, column, limit)
                if not len(rows):
                    continue
                values = rows["value"].tolist()
                cleaned = sum(1 for v in values if CONTROL_CHARACTERS.search(v))
                fixed = [cut_text(strip_control(v), limit) for v in values]
                cut = sum(1 for v in values if len(strip_control(v)) > limit)
                changed = sum(1 for a, b in zip(values, fixed) if a != b)
                report.columns.append(ColumnRepair(table, column, cleaned, cut, changed))
                if dry_run:
                    continue
                fixes = pd.DataFrame({"rid": rows["rid"], "value": pd.Series(fixed, dtype=object)})
                con.register("_cxlab_fixes", fixes)
                try:
                    con.execute(
                        f'UPDATE {table} SET "{column}" = f.value FROM _cxlab_fixes f WHERE {table}.rowid = f.rid'
                    )
                except duckdb.ConstraintException as exc:
                    raise WorkspaceError(
                        f"repair stopped, nothing changed: cleaning {table}.{column} would give two rows the same "
                        f"key ({str(exc).splitlines()[0]})",
                        path=ws.path,
                    ) from exc
                con.unregister("_cxlab_fixes")  # (after a failure the connection is closed with it)
            if not dry_run:
                con.execute("COMMIT")
        except BaseException:
            if not dry_run:
                con.execute("ROLLBACK")
            raise
    return report
