"""The workspace and its connection: create, open, upgrade, read.

:class:`Workspace` holds the folder, its settings file (``workspace.json``) and
the DuckDB file, opens a connection per operation and reads the canonical
tables.  Its writers come from the mixins of the other modules: imports
(:mod:`cxlab.store.imports`), actions (:mod:`cxlab.store.actions`), the NPS cube
(:mod:`cxlab.store.derived`) and reference loads (:mod:`cxlab.store.writing`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cxlab.errors import NotFoundError, NotInWorkspaceError, ParameterError, WorkspaceError
from cxlab.schema import PII_COLUMNS, TABLE_ORDER, TABLES
from cxlab.store._common import _now
from cxlab.store.actions import ActionsMixin
from cxlab.store.derived import CUBE_DDL, CubeMixin
from cxlab.store.imports import ImportsMixin
from cxlab.store.locking import connect_waiting
from cxlab.store.writing import WritingMixin

DB_FILE = "workspace.duckdb"
#: Version 2 added responses.reason/complete and the invitation send log columns;
#: version 3 added actions.rule/updated_at.
SCHEMA_VERSION = 3
META_FILE = "workspace.json"


def _checked_path(path) -> Path:
    """The workspace folder as a Path; a backslash in it is refused where it is not the separator.

    DuckDB reads ``\\`` as a folder separator on every system, so on POSIX
    ``a\\b`` (one folder) would open the workspace in ``a/b`` (another one).
    """
    path = Path(path)
    if os.sep != "\\" and "\\" in str(path):
        raise WorkspaceError(
            f"workspace path '{path}' contains a backslash, which DuckDB reads as a folder separator "
            "(it would open another folder's workspace); use '/' or rename the folder",
            path=path,
        )
    return path


class Workspace(ImportsMixin, ActionsMixin, CubeMixin, WritingMixin):
    """One company's data in one DuckDB file.

    Parameters
    ----------
    path : str or Path
        Folder of an existing workspace (see :meth:`create`).
    lock_timeout : float, optional
        Seconds an operation waits while another process holds the
        database (DuckDB: one writer or many readers); default
        ``$CXLAB_LOCK_TIMEOUT``, else 60 (:mod:`cxlab.store.locking`).
    """

    def __init__(self, path, *, lock_timeout: float | None = None):
        self.path = _checked_path(path)
        self.lock_timeout = lock_timeout
        self.db_path = self.path / DB_FILE
        if not self.db_path.exists():
            raise WorkspaceError(
                f"no workspace at {self.path} (missing {DB_FILE}); "
                "create one with Workspace.create(path) or `cxlab demo`",
                path=self.path,
            )
        meta_file = self.path / META_FILE
        self.meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
        self.name = self.meta.get("name", self.path.name)
        if self.meta.get("schema_version", 1) < SCHEMA_VERSION:
            self._upgrade()

    def _upgrade(self) -> None:
        """Add the columns and tables of newer cxlab versions to an older workspace (nothing is removed)."""
        with self.connect(read_only=False) as con:
            for name in TABLE_ORDER:
                con.execute(TABLES[name].ddl())
                for col in TABLES[name].columns:
                    con.execute(f'ALTER TABLE {name} ADD COLUMN IF NOT EXISTS "{col.name}" {col.dtype}')
            # Responses stored before partial responses were told apart were complete ones.
            con.execute("UPDATE responses SET complete = true WHERE complete IS NULL")
        self.meta["schema_version"] = SCHEMA_VERSION
        (self.path / META_FILE).write_text(json.dumps(self.meta, ensure_ascii=False, indent=2), encoding="utf-8")

    # ------------------------------------------------------------------ life
    @classmethod
    def create(
        cls, path, *, name: str | None = None, overwrite: bool = False, currency: str = "RUB", language: str = "ru"
    ) -> Workspace:
        """Create an empty workspace (refuses to clobber one unless ``overwrite``)."""
        path = _checked_path(path)
        db = path / DB_FILE
        if db.exists():
            if not overwrite:
                raise WorkspaceError(f"a workspace already exists at {path}", path=path)
            db.unlink()
            wal = db.with_suffix(db.suffix + ".wal")
            if wal.exists():
                wal.unlink()
        path.mkdir(parents=True, exist_ok=True)
        meta = {
            "name": name or path.name,
            "currency": currency,
            "language": language,
            "created_at": _now().isoformat(),
            "schema_version": SCHEMA_VERSION,
        }
        (path / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        con = connect_waiting(db, read_only=False, what=f"workspace {path}")
        try:
            for table in TABLE_ORDER:
                con.execute(TABLES[table].ddl())
            con.execute(CUBE_DDL)
        finally:
            con.close()
        return cls(path)

    @classmethod
    def open(cls, path, *, lock_timeout: float | None = None) -> Workspace:
        return cls(path, lock_timeout=lock_timeout)

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    @contextmanager
    def connect(self, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB connection for one operation, closed afterwards.

        While another process holds a conflicting lock (DuckDB: one writer
        or many readers), the connection waits for it (``lock_timeout``),
        saying so once on stderr, then raises
        :class:`~cxlab.errors.WorkspaceLockedError` naming that process.
        """
        con = connect_waiting(
            self.db_path, read_only=read_only, timeout=self.lock_timeout, what=f"workspace {self.path}"
        )
        try:
            yield con
        finally:
            con.close()

    # --------------------------------------------------------------- readers
    def tables(self) -> list[str]:
        with self.connect() as con:
            return [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema='main' ORDER BY table_name"
                ).fetchall()
                if r[0] in TABLES
            ]

    def sql(self, query: str, params: list | None = None) -> pd.DataFrame:
        """Run a read-only query and return a frame."""
        with self.connect() as con:
            return con.execute(query, params or []).df()

    def table(self, name: str, *, wave: str | None = None, include_pii: bool = False) -> pd.DataFrame:
        """A canonical table as a tidy frame.

        ``contacts`` comes without names, e-mails and phones unless
        ``include_pii``.  ``wave`` filters tables that have a wave
        (``responses``, ``answers``, ``invitations``, ``actions``, ``imports``).
        """
        if name not in TABLES:
            raise NotFoundError(f"unknown table '{name}'; tables: {', '.join(TABLE_ORDER)}", kind="table", key=name)
        cols = TABLES[name].names
        if not include_pii:
            cols = [c for c in cols if c not in PII_COLUMNS.get(name, [])]
        select = ", ".join(f't."{c}"' for c in cols)
        query, params = f"SELECT {select} FROM {name} t", []
        if wave is not None:
            if "wave_id" in TABLES[name].names:
                query += " WHERE t.wave_id = ?"
            elif name == "answers":
                query += " JOIN responses r USING (response_id) WHERE r.wave_id = ?"
            else:
                raise ParameterError(f"table '{name}' has no wave", parameter="wave", value=wave)
            params = [wave]
        order = {
            "responses": "t.wave_id, t.response_id",
            "answers": "t.response_id, t.item",
            "waves": "t.wave_id",
            "events": "t.date, t.client_id",
            "imports": "t.imported_at",
        }.get(name, ", ".join(f"t.{k}" for k in TABLES[name].key))
        if order:
            query += f" ORDER BY {order}"
        return self.sql(query, params)

    def clients(self) -> pd.DataFrame:
        return self.table("clients")

    def contacts(self, include_pii: bool = False) -> pd.DataFrame:
        return self.table("contacts", include_pii=include_pii)

    def services(self) -> pd.DataFrame:
        return self.table("services")

    def waves(self) -> pd.DataFrame:
        return self.table("waves")

    def responses(self, wave: str | None = None) -> pd.DataFrame:
        return self.table("responses", wave=wave)

    def answers(self, wave: str | None = None) -> pd.DataFrame:
        return self.table("answers", wave=wave)

    def events(self) -> pd.DataFrame:
        return self.table("events")

    def imports(self) -> pd.DataFrame:
        return self.table("imports")

    def wave_ids(self) -> list[str]:
        return self.waves()["wave_id"].tolist()

    def latest_wave(self) -> str:
        """The latest wave that has responses."""
        row = self.sql("SELECT max(wave_id) FROM responses").iloc[0, 0]
        if row is None or (isinstance(row, float) and np.isnan(row)):
            raise WorkspaceError(f"workspace {self.name} has no responses yet", path=self.path)
        return str(row)

    def wave(self, wave_id: str) -> dict:
        """The wave's record; a clear error when it does not exist."""
        waves = self.sql("SELECT * FROM waves WHERE wave_id = ?", [wave_id])
        if waves.empty:
            known = ", ".join(self.wave_ids()) or "none"
            raise NotInWorkspaceError(
                f"wave '{wave_id}' does not exist in workspace {self.name} (waves: {known})",
                kind="wave",
                key=wave_id,
                path=self.path,
            )
        return waves.iloc[0].to_dict()

    def response_frame(self, wave: str | list[str] | None = None) -> pd.DataFrame:
        """Responses joined with what analyses break them down by.

        One row per response: the response's scores, the account's segment,
        direction, contract value and status, the manager and team at the
        time of the response, the respondent's role.  No personal data.
        """
        query = """
            SELECT r.response_id, r.wave_id, r.contact_id, r.client_id, r.submitted_at,
                   r.nps, r.overall, r.price, r.reason, r.comment, r.language,
                   r.manager, r.team,
                   c.segment, c.direction, c.contract_value, c.status AS client_status,
                   k.role
            FROM responses r
            LEFT JOIN clients c USING (client_id)
            LEFT JOIN contacts k ON k.contact_id = r.contact_id"""
        params: list = []
        if wave is not None:
            waves = [wave] if isinstance(wave, str) else list(wave)
            query += " WHERE r.wave_id IN (" + ", ".join("?" * len(waves)) + ")"
            params = waves
        return self.sql(query + " ORDER BY r.wave_id, r.response_id", params)
