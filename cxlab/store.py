"""The workspace: one DuckDB file per company, the only place cxlab writes data.

A workspace is a folder holding ``workspace.duckdb`` and ``workspace.json``
(its name and settings).  Every write is one transaction: a failed import
leaves the file exactly as it was.  Imports are idempotent by content: the
same file imported twice loads nothing the second time and says so, and a
cumulative export (old and new responses together) loads only the new rows.

Connections are opened per operation and closed at once, so that a report
kernel, a dashboard and an analyst's notebook can read the same workspace in
turn (DuckDB lets one process write at a time).

Examples
--------
>>> import tempfile, cxlab
>>> ws = cxlab.Workspace.create(tempfile.mkdtemp() + "/acme")
>>> ws.name
'acme'
>>> sorted(ws.tables())[:3]
['actions', 'answers', 'client_services']
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cxlab.errors import InputError, Problem, WorkspaceError
from cxlab.schema import PII_COLUMNS, TABLE_ORDER, TABLES, parse_scale

__all__ = ["Workspace", "ImportReport"]

DB_FILE = "workspace.duckdb"
#: Version 2 added responses.reason/complete and the invitation send log columns;
#: version 3 added actions.rule/updated_at.
SCHEMA_VERSION = 3
META_FILE = "workspace.json"
# The NPS cube: responses pre-counted per cell and score, so that breakdowns
# over millions of responses read thousands of rows.  Written only inside the
# transactions that change responses or contacts; never exported.
CUBE_DIMENSIONS = ("wave_id", "client_id", "manager", "team", "role", "language")
CLIENT_DIMENSIONS = {"segment": "segment", "direction": "direction", "client_status": "status"}
CUBE_DDL = """CREATE TABLE IF NOT EXISTS nps_cube (
  wave_id VARCHAR, client_id VARCHAR, manager VARCHAR, team VARCHAR, role VARCHAR,
  language VARCHAR, nps DOUBLE, n BIGINT)"""


def _refresh_cube(con, waves: list[str] | None = None) -> None:
    """Recount the cube for ``waves`` (all when None) inside the caller's transaction."""
    con.execute(CUBE_DDL)
    where, params = "", []
    if waves is not None:
        if not waves:
            return
        marks = ", ".join("?" * len(waves))
        where, params = f" WHERE r.wave_id IN ({marks})", list(waves)
        con.execute(f"DELETE FROM nps_cube WHERE wave_id IN ({marks})", params)
    else:
        con.execute("DELETE FROM nps_cube")
    con.execute(
        "INSERT INTO nps_cube SELECT r.wave_id, r.client_id, r.manager, r.team, k.role, r.language, "
        "r.nps, count(*) FROM responses r LEFT JOIN contacts k ON k.contact_id = r.contact_id"
        + where
        + " GROUP BY ALL",
        params,
    )


# Tables loaded as reference data (not through import_wave).
REFERENCE_TABLES = ("services", "clients", "contacts", "client_services", "waves", "invitations", "events", "actions")


@dataclass
class ImportReport:
    """What an import did.

    ``rows_loaded`` counts new responses; ``rows_skipped`` those already stored
    with the same content (cumulative exports), ``rows_rejected`` earlier
    duplicate submissions superseded by a later one in the same file.
    """

    import_id: str | None
    wave_id: str
    source: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_skipped: int = 0
    rows_rejected: int = 0
    answers_loaded: int = 0
    already_imported: bool = False
    messages: list[str] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    matched: dict = field(default_factory=dict)
    tool: str | None = None

    def __str__(self) -> str:
        if self.already_imported:
            return f"{self.source}: already imported ({self.messages[0] if self.messages else ''}); nothing new loaded"
        text = (
            f"{self.source} -> wave {self.wave_id}: {self.rows_read} rows read, "
            f"{self.rows_loaded} responses loaded ({self.answers_loaded} grid answers)"
        )
        if self.rows_skipped:
            text += f", {self.rows_skipped} already stored"
        if self.rows_rejected:
            text += f", {self.rows_rejected} superseded duplicates"
        if self.refused:
            text += f", {len(self.refused)} refused (see .refused)"
        return text

    def refused_frame(self) -> pd.DataFrame:
        """Every refusal as a tidy frame: file, row, column, reason."""
        return pd.DataFrame(
            [{"file": p.source, "row": p.row, "column": p.column, "reason": p.message} for p in self.refused],
            columns=["file", "row", "column", "reason"],
        )


class Workspace:
    """One company's data in one DuckDB file.

    Parameters
    ----------
    path : str or Path
        Folder of an existing workspace (see :meth:`create`).
    """

    def __init__(self, path):
        self.path = Path(path)
        self.db_path = self.path / DB_FILE
        if not self.db_path.exists():
            raise WorkspaceError(
                f"no workspace at {self.path} (missing {DB_FILE}); "
                "create one with Workspace.create(path) or `cxlab demo`"
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
        path = Path(path)
        db = path / DB_FILE
        if db.exists():
            if not overwrite:
                raise WorkspaceError(f"a workspace already exists at {path}")
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
        con = duckdb.connect(str(db))
        try:
            for table in TABLE_ORDER:
                con.execute(TABLES[table].ddl())
            con.execute(CUBE_DDL)
        finally:
            con.close()
        return cls(path)

    @classmethod
    def open(cls, path) -> Workspace:
        return cls(path)

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    @contextmanager
    def connect(self, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB connection for one operation, closed afterwards."""
        con = duckdb.connect(str(self.db_path), read_only=read_only)
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
            raise KeyError(f"unknown table '{name}'; tables: {', '.join(TABLE_ORDER)}")
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
                raise ValueError(f"table '{name}' has no wave")
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
            raise WorkspaceError(f"workspace {self.name} has no responses yet")
        return str(row)

    def wave(self, wave_id: str) -> dict:
        """The wave's record; a clear error when it does not exist."""
        waves = self.sql("SELECT * FROM waves WHERE wave_id = ?", [wave_id])
        if waves.empty:
            known = ", ".join(self.wave_ids()) or "none"
            raise WorkspaceError(f"wave '{wave_id}' does not exist in workspace {self.name} (waves: {known})")
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

    def nps_counts(self, by: list[str] | str | None = None, *, wave: str | list[str] | None = None) -> pd.DataFrame:
        """Promoter, passive and detractor counts per cell, counted inside DuckDB.

        ``by`` may name ``wave_id, client_id, contact_id, manager, team, role,
        language`` (as at the time of the response) and ``segment, direction,
        client_status`` (the account's).  Counts come from the workspace's NPS
        cube (responses pre-counted per wave, account, manager, team, role,
        language and score, kept in step by every write), so a breakdown over
        ten million responses reads a few hundred thousand rows;
        ``contact_id`` breakdowns read the responses themselves.
        :func:`cxlab.metrics.nps_breakdown_from_counts` turns the counts into
        estimates with intervals.

        Raises
        ------
        NPSScaleError
            When a wave counted asked the recommend question on another scale.
        """
        by = [by] if isinstance(by, str) else list(by or [])
        allowed = set(CUBE_DIMENSIONS) | set(CLIENT_DIMENSIONS) | {"contact_id"}
        bad = [b for b in by if b not in allowed]
        if bad:
            raise ValueError(f"cannot break down by {bad}; choose from {sorted(allowed)}")
        waves = None if wave is None else ([wave] if isinstance(wave, str) else list(wave))
        self._check_nps_scale(waves)
        use_cube = "contact_id" not in by
        if use_cube:
            source, count = "nps_cube q", "sum(q.n)"
            expr = {d: f"q.{d}" for d in CUBE_DIMENSIONS}
        else:
            # manager and team are the ones in charge when the client answered
            # (stored with the response), not today's.
            source = "responses q LEFT JOIN contacts k ON k.contact_id = q.contact_id"
            count = "count(*)"
            expr = {d: f"q.{d}" for d in CUBE_DIMENSIONS} | {"role": "k.role", "contact_id": "q.contact_id"}
        expr |= {d: f"c.{col}" for d, col in CLIENT_DIMENSIONS.items()}
        if any(b in CLIENT_DIMENSIONS for b in by):
            source += " LEFT JOIN clients c ON c.client_id = q.client_id"
        select = [f"{expr[b]} AS {b}" for b in by]
        query = (
            "SELECT "
            + ", ".join(
                select
                + [
                    f"coalesce({count} FILTER (WHERE q.nps >= 9), 0) AS promoters",
                    f"coalesce({count} FILTER (WHERE q.nps >= 7 AND q.nps < 9), 0) AS passives",
                    f"coalesce({count} FILTER (WHERE q.nps < 7), 0) AS detractors",
                ]
            )
            + f" FROM {source}"
        )
        where, params = ["q.nps IS NOT NULL"], []
        if waves is not None:
            where.append("q.wave_id IN (" + ", ".join("?" * len(waves)) + ")")
            params = waves
        query += " WHERE " + " AND ".join(where)
        if by:
            query += " GROUP BY ALL ORDER BY ALL"
        counts = self.sql(query, params)
        for col in ("promoters", "passives", "detractors"):
            counts[col] = counts[col].astype("int64")
        return counts

    def _check_nps_scale(self, waves: list[str] | None) -> None:
        if waves is None:
            scales = self.sql(
                "SELECT wave_id, nps_scale FROM waves WHERE wave_id IN (SELECT DISTINCT wave_id FROM nps_cube)"
            )
        else:
            scales = self.sql(
                "SELECT wave_id, nps_scale FROM waves WHERE wave_id IN (" + ", ".join("?" * len(waves)) + ")", waves
            )
        for _, row in scales.iterrows():
            if row["nps_scale"] and parse_scale(row["nps_scale"]) != (0, 10):
                from cxlab.metrics import NPSScaleError

                raise NPSScaleError(
                    f"wave {row['wave_id']} asked the recommend question on "
                    f"{row['nps_scale']}; NPS is defined on 0-10 only and is not rescaled"
                    + ("" if waves else "; pass wave=... to count other waves")
                )

    # --------------------------------------------------------------- writers
    def load(self, table: str, frame: pd.DataFrame, *, replace: bool = False) -> int:
        """Load reference data (clients, contacts, services, waves, ...) in one transaction.

        Rows whose key already exists are updated; with ``replace`` the table
        is emptied first.  Returns the number of rows written.
        """
        return self.load_tables({table: frame}, replace=replace)[table]

    def load_tables(
        self, frames: dict[str, pd.DataFrame], *, replace: bool = False, source: str = "<frames>"
    ) -> dict[str, int]:
        """Load several tables in one transaction (parents before children)."""
        unknown = [t for t in frames if t not in TABLES]
        if unknown:
            raise KeyError(f"unknown tables {unknown}")
        prepared = {}
        for name in [t for t in TABLE_ORDER if t in frames]:
            prepared[name] = _conform(name, frames[name], f"{source}:{name}")
        written: dict[str, int] = {}
        with self.connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                for name, frame in prepared.items():
                    table = TABLES[name]
                    if replace:
                        con.execute(f"DELETE FROM {name}")
                    elif table.key and len(frame):
                        con.register("_incoming", frame)
                        on = " AND ".join(f"t.{k} = i.{k}" for k in table.key)
                        con.execute(f"DELETE FROM {name} t WHERE EXISTS (SELECT 1 FROM _incoming i WHERE {on})")
                        con.unregister("_incoming")
                    if len(frame):
                        _insert(con, name, frame)
                    written[name] = len(frame)
                # Reference loads may move a response between waves or change a
                # contact's role: the whole cube is recounted (seconds even at 10M).
                if "contacts" in prepared or "responses" in prepared:
                    _refresh_cube(con)
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        return written

    def add_wave(
        self,
        wave_id: str,
        *,
        opened_at=None,
        closed_at=None,
        questionnaire: str = "pr_agency",
        nps_scale: str = "0-10",
        rating_scale: str = "1-5",
    ) -> None:
        """Register a survey wave."""
        parse_scale(nps_scale), parse_scale(rating_scale)
        self.load(
            "waves",
            pd.DataFrame(
                [
                    {
                        "wave_id": wave_id,
                        "opened_at": opened_at,
                        "closed_at": closed_at,
                        "questionnaire": questionnaire,
                        "nps_scale": nps_scale,
                        "rating_scale": rating_scale,
                    }
                ]
            ),
        )

    def import_wave(
        self,
        source,
        wave: str | None = None,
        *,
        mapping: dict | None = None,
        tool: str = "auto",
        questionnaire=None,
        errors: str = "report",
    ) -> ImportReport:
        """Import a wave's responses as one transaction.

        Parameters
        ----------
        source : str, Path, bytes, DataFrame or ExportData
            A survey export (Google Forms, Yandex Forms, SurveyMonkey,
            Qualtrics, LimeSurvey, a cxlab response file or any CSV/XLSX with
            a ``mapping``; see :func:`cxlab.ingest.read_export`), a frame in
            the wide response form, or data already read.
        wave : str, optional
            Wave id; required unless every row names its ``wave_id``.
        questionnaire : Questionnaire or str, optional
            Default: the wave's questionnaire (``waves.questionnaire``), which
            maps every question of a tool's export.
        errors : {"report", "raise"}
            ``"report"`` (default): a cell or row that cannot be loaded is
            refused and listed in :attr:`ImportReport.refused` with file, row,
            column and reason; everything valid is loaded.  ``"raise"``: any
            refusal raises :class:`InputError` and nothing is written.

        Returns
        -------
        ImportReport

        Notes
        -----
        - Responses are tied to contacts by the personal token of the wave's
          invitations, then by e-mail, then by company name (client only);
          the report counts each and lists what stayed unmatched.
        - The same file imported twice loads nothing and says so.
        - A response already stored with the same content (a cumulative
          export) is skipped; with different content it is refused.
        - One response per contact and wave: a contact's later submission
          (by ``submitted_at``, else file order) supersedes an earlier one,
          in the file or already stored, and the report counts it.
        - Refused: a row with no matching contact or client, an unknown
          client or contact, a contact of another client, one response id
          with different answers, a response id stored with different
          content; a cell outside its scale, not a whole point, an unknown
          label or an unreadable date.
        """
        from cxlab.ingest import ExportData, read_export

        if errors not in ("report", "raise"):
            raise ValueError(f"errors must be 'report' or 'raise', got {errors!r}")
        if isinstance(source, ExportData):
            data = source
        else:
            if questionnaire is None and wave is not None:
                questionnaire = self._wave_questionnaire(wave)
            data = read_export(source, tool=tool, mapping=mapping, questionnaire=questionnaire, errors=errors)
        src = data.source
        responses = data.responses.copy()
        answers = data.answers.copy()
        refusals = _Refusals(list(data.problems))

        # Which wave.
        if "wave_id" in responses.columns and responses["wave_id"].notna().any():
            file_waves = set(responses["wave_id"].dropna())
            if wave is None and len(file_waves) == 1:
                wave = file_waves.pop()
            elif wave is not None:
                for i, w in responses["wave_id"].items():
                    if w is not None and w != wave:
                        refusals.row(
                            responses.at[i, "_row"],
                            Problem(
                                src,
                                int(responses.at[i, "_row"]),
                                "wave_id",
                                f"row belongs to wave '{w}', importing into '{wave}'",
                            ),
                        )
        if wave is None:
            raise InputError(Problem(src, None, "wave_id", "which wave? pass wave='2026-Q3' or give a wave_id column"))
        wave_rec = self.wave(wave)
        responses["wave_id"] = wave
        local_ids = (
            responses["_id_generated"].fillna(False).astype(bool)
            if "_id_generated" in responses
            else pd.Series(data.tool not in ("cxlab", "generic"), index=responses.index)
        )
        if local_ids.any():
            # A tool's ids (and ids made from a row's content) are unique within one survey
            # only: they are qualified by the wave.
            rename = dict(
                zip(
                    responses.loc[local_ids, "response_id"],
                    wave + "/" + responses.loc[local_ids, "response_id"].astype(str),
                )
            )
            responses["response_id"] = responses["response_id"].map(lambda r: rename.get(r, r))
            answers["response_id"] = answers["response_id"].map(lambda r: rename.get(r, r))

        with self.connect() as con:
            # A file whose import refused something may come again once the cause is fixed
            # (a contact added, a label corrected): its loaded rows are then skipped by content.
            prior = con.execute(
                "SELECT import_id, imported_at FROM imports WHERE sha256 = ? AND wave_id = ? "
                "AND coalesce(rows_refused, 0) = 0",
                [data.sha256, wave],
            ).fetchall()
        if prior:
            return ImportReport(
                import_id=None,
                wave_id=wave,
                source=src,
                sha256=data.sha256,
                rows_read=data.rows_read,
                rows_loaded=0,
                already_imported=True,
                messages=[f"import {prior[0][0]} on {prior[0][1]:%Y-%m-%d %H:%M}"],
            )

        matched = self._match_contacts(responses, wave, src, refusals)
        responses, answers, rejected = self._validate_responses(responses, answers, wave_rec, src, refusals)
        responses, answers, skipped = self._skip_stored(responses, answers, src, refusals)
        if errors == "raise" and refusals.problems:
            raise InputError(refusals.problems)
        responses, answers = refusals.apply(responses, answers)
        messages = list(data.notes)
        if len(responses) and responses["nps"].isna().all():
            messages.append("no answer to the recommend question (nps) in this file: NPS cannot be computed from it")

        responses, answers, late, superseded_ids = self._supersede_by_contact(responses, answers, wave)
        rejected += late
        if rejected:
            messages.append(f"{rejected} earlier submission(s) superseded by a later one of the same respondent")
        if superseded_ids:
            messages.append(
                f"{len(superseded_ids)} stored response(s) superseded by a later submission of the "
                f"same contact: {', '.join(superseded_ids[:10])}"
            )
        if refusals.problems:
            messages.append(
                f"{len(refusals.problems)} refused: {refusals.rows_refused} row(s) not loaded, "
                f"{len(refusals.problems) - refusals.rows_refused} answer(s) left empty"
            )

        import_id = "I" + _now().strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
        responses = responses.assign(import_id=import_id)
        audit = pd.DataFrame(
            [
                {
                    "import_id": import_id,
                    "wave_id": wave,
                    "kind": "responses",
                    "source": src,
                    "sha256": data.sha256,
                    "rows_read": data.rows_read,
                    "rows_loaded": len(responses),
                    "rows_rejected": rejected + skipped + refusals.rows_refused,
                    "rows_refused": len(refusals.problems),
                    "imported_at": _now().replace(tzinfo=None),
                    "message": "; ".join(messages)[:4000],
                }
            ]
        )
        resp_out = _conform(
            "responses", responses.drop(columns=[c for c in responses if c.startswith("_") and c != "_row"]), src
        )
        ans_out = _conform("answers", answers, src)
        with self.connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                if superseded_ids:
                    con.execute("DELETE FROM answers WHERE response_id IN (SELECT unnest(?))", [superseded_ids])
                    con.execute("DELETE FROM responses WHERE response_id IN (SELECT unnest(?))", [superseded_ids])
                _insert(con, "responses", resp_out)
                _insert(con, "answers", ans_out)
                _insert(con, "imports", _conform("imports", audit, src))
                _refresh_cube(con, [wave])
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        return ImportReport(
            import_id=import_id,
            wave_id=wave,
            source=src,
            sha256=data.sha256,
            rows_read=data.rows_read,
            rows_loaded=len(resp_out),
            rows_skipped=skipped,
            rows_rejected=rejected + len(superseded_ids),
            answers_loaded=len(ans_out),
            messages=messages,
            refused=refusals.problems,
            matched=matched,
            tool=data.tool,
        )

    def _wave_questionnaire(self, wave: str):
        """The wave's questionnaire template, or None when it is not a bundled or reachable one."""
        from cxlab.questionnaire import load_questionnaire

        name = self.wave(wave).get("questionnaire")
        if not name:
            return None
        try:
            return load_questionnaire(name)
        except FileNotFoundError:
            local = self.path / "questionnaires" / f"{name}.yaml"
            return load_questionnaire(local) if local.exists() else None

    def _match_contacts(self, responses, wave, src, refusals) -> dict:
        """Tie each row to a contact: personal token, then e-mail, then company name (client only)."""
        counts = {"contact_id": 0, "token": 0, "email": 0, "company": 0, "client_id": 0}
        given_contact = responses["contact_id"].notna()
        given_client = responses["client_id"].notna() & ~given_contact
        counts["contact_id"], counts["client_id"] = int(given_contact.sum()), int(given_client.sum())
        todo = ~(given_contact | given_client)
        if not todo.any():
            return {k: v for k, v in counts.items() if v}
        tokens = self.sql("SELECT token, contact_id FROM invitations WHERE wave_id = ? AND token IS NOT NULL", [wave])
        by_token = dict(zip(tokens["token"], tokens["contact_id"]))
        contacts = self.sql("SELECT contact_id, lower(trim(email)) AS email FROM contacts WHERE email IS NOT NULL")
        emails = contacts.groupby("email")["contact_id"].agg(list).to_dict()
        clients = self.sql("SELECT client_id, name FROM clients")
        names: dict[str, list[str]] = {}
        for cid, name in zip(clients["client_id"], clients["name"]):
            for key in _company_keys(name):
                names.setdefault(key, []).append(cid)
        for i in responses.index[todo]:
            token, email, company = (
                responses.at[i, c] if c in responses else None for c in ("_token", "_email", "_company")
            )
            if isinstance(token, str) and token.strip() in by_token:
                responses.at[i, "contact_id"] = by_token[token.strip()]
                counts["token"] += 1
            elif isinstance(email, str) and len(emails.get(email, [])) == 1:
                responses.at[i, "contact_id"] = emails[email][0]
                counts["email"] += 1
            elif isinstance(company, str) and len(names.get(_company_key(company), [])) == 1:
                responses.at[i, "client_id"] = names[_company_key(company)][0]
                counts["company"] += 1
            else:
                tried = []
                if isinstance(token, str):
                    tried.append(f"token '{token[:4]}…' is not one of wave {wave}'s invitations")
                if isinstance(email, str):
                    tried.append(
                        f"e-mail '{email}' is "
                        + ("shared by several contacts" if emails.get(email) else "not a contact's")
                    )
                if isinstance(company, str):
                    tried.append(
                        f"company '{company}' is "
                        + ("ambiguous" if names.get(_company_key(company)) else "not a client")
                    )
                row = int(responses.at[i, "_row"])
                refusals.row(
                    row,
                    Problem(
                        src,
                        row,
                        "token/e-mail/company",
                        "unmatched response: "
                        + (
                            "; ".join(tried)
                            if tried
                            else "no client and no contact given, nor a token, e-mail or company to find them by"
                        ),
                    ),
                )
        counts["unmatched"] = int(todo.sum()) - counts["token"] - counts["email"] - counts["company"]
        return {k: v for k, v in counts.items() if v}

    def _skip_stored(self, responses, answers, src, refusals):
        """Drop responses already stored with the same content (cumulative exports); refuse changed ones."""
        ids = responses["response_id"].dropna().tolist()
        stored = self.sql("SELECT * FROM responses WHERE response_id IN (SELECT unnest(?))", [ids])
        if not len(stored):
            return responses, answers, 0
        stored_answers = self.sql(
            "SELECT * FROM answers WHERE response_id IN (SELECT unnest(?))", [stored["response_id"].tolist()]
        )
        mine = _fingerprints(responses, answers)
        theirs = _fingerprints(stored, stored_answers)
        rows = responses.drop_duplicates("response_id", keep="last").set_index("response_id")["_row"]
        same = [rid for rid, fp in theirs.items() if fp == mine.get(rid)]
        for rid, fp in theirs.items():
            if fp != mine.get(rid):
                refusals.row(
                    rows[rid],
                    Problem(
                        src,
                        int(rows[rid]),
                        "response_id",
                        f"response '{rid}' is already stored with different answers "
                        f"(or in another wave); an import never overwrites a response",
                    ),
                )
        done = responses["response_id"].isin(same)
        return responses[~done], answers[~answers["response_id"].isin(same)], len(same)

    def _supersede_by_contact(self, responses, answers, wave):
        """One response per contact and wave, against what is stored.

        Returns the incoming rows to load, how many incoming rows an already
        stored later answer supersedes, and the stored responses to delete.
        """
        with_contact = responses[responses["contact_id"].notna()]
        if not len(with_contact):
            return responses, answers, 0, []
        earlier = self.sql(
            "SELECT response_id, contact_id, submitted_at, complete FROM responses "
            "WHERE wave_id = ? AND contact_id IN (SELECT unnest(?))",
            [wave, with_contact["contact_id"].tolist()],
        )
        newer = with_contact.set_index("contact_id")
        drop_incoming, superseded = [], []
        for _, old in earlier.iterrows():
            new = newer.loc[old["contact_id"]]
            old_complete, new_complete = _is_complete(old["complete"]), _is_complete(new.get("complete"))
            if (old_complete and not new_complete) or (
                old_complete == new_complete
                and pd.notna(new["submitted_at"])
                and pd.notna(old["submitted_at"])
                and new["submitted_at"] < old["submitted_at"]
            ):
                drop_incoming.append(new["response_id"])  # the stored answer is the later (or complete) one
            else:
                superseded.append(old["response_id"])
        keep = ~responses["response_id"].isin(drop_incoming)
        return (responses[keep], answers[~answers["response_id"].isin(drop_incoming)], len(drop_incoming), superseded)

    def _validate_responses(self, responses, answers, wave_rec, src, refusals):
        def row(i):
            return int(responses.at[i, "_row"])

        for i in responses.index[responses["response_id"].isna()]:
            refusals.row(row(i), Problem(src, row(i), "response_id", "required value is empty"))
        rejected = 0
        # One response id twice: identical rows are one response read twice;
        # different rows (grid answers included) are refused, never a silent choice.
        dup_mask = responses["response_id"].notna() & responses["response_id"].duplicated(keep=False)
        if dup_mask.any():
            for rid, grp in responses[dup_mask].groupby("response_id", sort=False):
                versions = {_fingerprint(r, answers[answers["_row"] == r["_row"]]) for _, r in grp.iterrows()}
                if len(versions) > 1:
                    rows_ = ", ".join(str(int(r)) for r in grp["_row"])
                    for r in grp["_row"]:
                        refusals.row(
                            r,
                            Problem(
                                src,
                                int(r),
                                "response_id",
                                f"duplicate response id '{rid}' with different answers (rows {rows_})",
                            ),
                        )
            keep = ~responses["response_id"].duplicated(keep="last") | responses["response_id"].isna()
            rejected += int((~keep & ~responses["_row"].isin(refusals.rows)).sum())
            responses = responses[keep]
            answers = answers[answers["_row"].isin(responses["_row"])]

        contacts = self.sql("SELECT contact_id, client_id FROM contacts")
        clients = self.sql("SELECT client_id, manager, team FROM clients")
        contact_client = dict(zip(contacts["contact_id"], contacts["client_id"]))
        known_clients = set(clients["client_id"])
        for i, r in responses.iterrows():
            if r["_row"] in refusals.rows:
                continue
            cid, kid = r["client_id"], r["contact_id"]
            if kid is not None and not _isna(kid):
                if kid not in contact_client:
                    refusals.row(row(i), Problem(src, row(i), "contact_id", f"unknown contact '{kid}'"))
                    continue
                owner = contact_client[kid]
                if cid is None or _isna(cid):
                    responses.at[i, "client_id"] = owner
                elif cid != owner:
                    refusals.row(
                        row(i),
                        Problem(src, row(i), "client_id", f"contact '{kid}' belongs to client '{owner}', not '{cid}'"),
                    )
            elif cid is None or _isna(cid):
                refusals.row(row(i), Problem(src, row(i), "client_id", "no client and no contact given"))
            elif cid not in known_clients:
                refusals.row(row(i), Problem(src, row(i), "client_id", f"unknown client '{cid}'"))

        # Every answer is a whole point on its scale (NPS on the wave's, ratings on theirs).
        nps_lo, nps_hi = parse_scale(wave_rec.get("nps_scale") or "0-10")
        rat_lo, rat_hi = parse_scale(wave_rec.get("rating_scale") or "1-5")
        for col, (lo, hi), what in (
            ("nps", (nps_lo, nps_hi), "the wave's scale"),
            ("overall", (rat_lo, rat_hi), "the wave's scale"),
            ("price", (1, 5), "the price scale"),
        ):
            vals = responses[col].astype(float)
            bad = vals.notna() & ((vals < lo) | (vals > hi) | (vals % 1 != 0))
            for i in responses.index[bad]:
                refusals.cell(
                    row(i),
                    col,
                    Problem(src, row(i), col, f"value {vals[i]:g} is outside {what} {lo}-{hi} (whole points only)"),
                )
        if len(answers):
            scales = answers["kind"].map({"need": "0-1"}).fillna(wave_rec.get("rating_scale") or "1-5")
            answers = answers.assign(scale=answers["scale"].where(answers["scale"].notna(), scales))
            bounds = answers["scale"].map(parse_scale)
            lo = bounds.map(lambda b: b[0]).astype(float)
            hi = bounds.map(lambda b: b[1]).astype(float)
            bad = (answers["value"] < lo) | (answers["value"] > hi) | (answers["value"] % 1 != 0)
            for i in answers.index[bad]:
                column = answers.at[i, "_column"] if "_column" in answers else answers.at[i, "item"]
                refusals.answer(
                    i,
                    Problem(
                        src,
                        int(answers.at[i, "_row"]),
                        column,
                        f"value {answers.at[i, 'value']:g} is outside the scale "
                        f"{answers.at[i, 'scale']} (whole points only)",
                    ),
                )

        # A response dated before the wave opened belongs to an earlier wave (a form reused
        # across waves, an old export): refused, not filed under this one.
        opened = wave_rec.get("opened_at")
        if opened is not None and not _isna(opened) and responses["submitted_at"].notna().any():
            stamps = pd.to_datetime(responses["submitted_at"])
            for i in responses.index[stamps.notna() & (stamps < pd.Timestamp(opened))]:
                refusals.row(
                    row(i),
                    Problem(
                        src,
                        row(i),
                        "submitted_at",
                        f"submitted {stamps[i]:%d.%m.%Y}, before wave {wave_rec['wave_id']} "
                        f"opened ({pd.Timestamp(opened):%d.%m.%Y}): an answer to an earlier "
                        "wave?",
                    ),
                )

        # One response per contact in the file: the later submission wins, a complete one
        # over a partial one.
        live = ~responses["_row"].isin(refusals.rows)
        has_contact = responses["contact_id"].notna() & live
        if has_contact.any() and responses.loc[has_contact, "contact_id"].duplicated().any():
            order = responses.assign(
                _t=responses["submitted_at"].fillna(pd.Timestamp.min),
                _c=responses["complete"].fillna(True).astype(bool),
            )
            order = order.sort_values(["_c", "_t", "_row"], kind="stable")
            last = order[has_contact.reindex(order.index)].drop_duplicates("contact_id", keep="last")
            drop = responses.index[has_contact & ~responses.index.isin(last.index)]
            rejected += len(drop)
            responses = responses.drop(index=drop)
            answers = answers[answers["_row"].isin(responses["_row"])]

        # The manager and team in charge at the time travel with the response.
        # `clients` holds today's manager; a wave imported after a handover
        # takes the one in charge when the client answered, from the
        # manager_changed events ('old -> new').
        by_client = clients.set_index("client_id")
        missing = responses["manager"].isna()
        responses.loc[missing, "manager"] = responses.loc[missing, "client_id"].map(by_client["manager"])
        changes = self.sql(
            "SELECT client_id, date, detail FROM events WHERE kind = 'manager_changed' "
            "AND detail LIKE '%->%' ORDER BY date"
        )
        if len(changes):
            # A manager's team: from the responses already stored under them
            # (a manager who has left has no clients today), else from `clients`.
            known = pd.concat(
                [
                    self.sql("SELECT manager, team FROM responses WHERE manager IS NOT NULL AND team IS NOT NULL"),
                    clients[["manager", "team"]],
                ]
            ).dropna()
            team_of = known.groupby("manager")["team"].agg(lambda s: s.mode().iloc[0])
            # An answer without a time stamp is dated by its wave's opening.
            stamps = pd.to_datetime(responses["submitted_at"]).fillna(
                pd.Timestamp(opened) if opened is not None and not _isna(opened) else pd.NaT
            )
            for i in responses.index[missing & stamps.notna()]:
                later = changes[
                    (changes["client_id"] == responses.at[i, "client_id"])
                    & (pd.to_datetime(changes["date"]) > stamps[i].normalize())
                ]
                if len(later):
                    earlier_manager = later["detail"].iloc[0].split("->")[0].strip()
                    if earlier_manager:
                        responses.at[i, "manager"] = earlier_manager
                        if responses.at[i, "team"] is None or _isna(responses.at[i, "team"]):
                            responses.at[i, "team"] = team_of.get(earlier_manager)
        missing = responses["team"].isna()
        responses.loc[missing, "team"] = responses.loc[missing, "client_id"].map(by_client["team"])
        return responses, answers, rejected

    # ---- follow-up actions
    #: What :meth:`add_actions` accepts; the store gives ``action_id``, ``created_at`` and ``updated_at``.
    ACTION_FIELDS = ("client_id", "wave_id", "owner", "status", "due", "note", "rule")

    def actions(
        self, wave: str | None = None, *, client: str | None = None, status: str | list[str] | None = None
    ) -> pd.DataFrame:
        """Follow-up actions in the order they were recorded (A0002 before A0010).

        Parameters
        ----------
        wave : str, optional
            Only the actions that follow up this wave (an unknown wave is an error, not an empty table).
        client : str, optional
            Only this client's actions.
        status : str or list of str, optional
            Only these statuses: ``open``, ``in_progress``, ``done``, ``dropped``.

        Returns
        -------
        DataFrame
            The columns of the ``actions`` table, one row per action.

        Examples
        --------
        >>> import tempfile, pandas as pd, cxlab
        >>> ws = cxlab.Workspace.create(tempfile.mkdtemp() + "/acme")
        >>> ws.load("clients", pd.DataFrame({"client_id": ["C1"], "name": ["Alpha"]}))
        1
        >>> ws.add_actions([{"client_id": "C1", "owner": "M1", "due": "2026-10-30"}])
        ['A0001']
        >>> ws.actions(status="open")[["action_id", "client_id", "owner", "status"]].to_dict("records")
        [{'action_id': 'A0001', 'client_id': 'C1', 'owner': 'M1', 'status': 'open'}]
        """
        where, params = [], []
        if wave is not None:
            self.wave(wave)
            where.append("wave_id = ?")
            params.append(wave)
        if client is not None:
            if self.sql("SELECT 1 FROM clients WHERE client_id = ?", [client]).empty:
                raise WorkspaceError(f"client '{client}' does not exist in workspace {self.name}")
            where.append("client_id = ?")
            params.append(client)
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            bad = [s for s in statuses if s not in self._action_statuses()]
            if bad:
                raise ValueError(
                    f"unknown action status {', '.join(map(repr, bad))}; one of {', '.join(self._action_statuses())}"
                )
            where.append("status IN (SELECT unnest(?))")
            params.append(statuses)
        cols = ", ".join(f'"{c}"' for c in TABLES["actions"].names)
        query = f"SELECT {cols} FROM actions" + (" WHERE " + " AND ".join(where) if where else "")
        # By number, so that A10000 comes after A9999; ids of another form (loaded by hand) last.
        return self.sql(query + f" ORDER BY {self._ACTION_NUMBER} NULLS LAST, action_id", params)

    def add_actions(self, actions) -> list[str]:
        """Record follow-up actions in one transaction; all or nothing.

        Parameters
        ----------
        actions : DataFrame, list of dict or dict
            One action per row: ``client_id`` (required), ``wave_id``,
            ``owner``, ``status`` (default ``"open"``), ``due`` (a date,
            ``YYYY-MM-DD`` or ``dd.mm.yyyy``), ``note``, ``rule`` (the rule ids
            that flagged the client, ``;``-separated).

        Returns
        -------
        list of str
            The new ids, ``A0001``, ``A0002``, ... (numbering continues after
            the highest stored one), in the order of the rows.

        Raises
        ------
        InputError
            An unknown column, a missing or unknown client, an unknown wave, a
            status outside the allowed values or a due date that is not a date.
            Every problem is listed with its row (1 is the first action) and
            column; nothing is written.

        Examples
        --------
        >>> import tempfile, pandas as pd, cxlab
        >>> ws = cxlab.Workspace.create(tempfile.mkdtemp() + "/acme")
        >>> ws.load("clients", pd.DataFrame({"client_id": ["C1", "C2"], "name": ["Alpha", "Beta"]}))
        2
        >>> ws.add_actions(pd.DataFrame({"client_id": ["C1", "C2"], "owner": ["M1", "M2"],
        ...                              "due": ["2026-10-30", "30.10.2026"]}))
        ['A0001', 'A0002']
        """
        rows = self._action_rows(actions)
        if not rows:
            return []
        clients = set(self.sql("SELECT client_id FROM clients")["client_id"])
        waves = self.wave_ids()
        problems: list[Problem] = []
        records = []
        for i, row in enumerate(rows, start=1):
            record, found = self._check_action(i, row, clients, waves)
            records.append(record)
            problems += found
        if problems:
            n = len(problems)
            raise InputError(
                problems, headline=f"{n} problem{'s' if n != 1 else ''} in the actions; nothing was written"
            )
        frame = pd.DataFrame(records, columns=list(self.ACTION_FIELDS))
        stamp = _now().replace(tzinfo=None)
        with self.connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                # Numbered inside the transaction, so that two writers never hand out one id.
                last = con.execute(f"SELECT coalesce(max({self._ACTION_NUMBER}), 0) FROM actions").fetchall()[0][0]
                ids = [f"A{n:04d}" for n in range(int(last) + 1, int(last) + 1 + len(frame))]
                frame.insert(0, "action_id", ids)
                frame["created_at"] = frame["updated_at"] = pd.Timestamp(stamp)
                # _insert pairs the frame's columns with the table's by position.
                _insert(con, "actions", frame[TABLES["actions"].names])
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        return ids

    def update_action(
        self, action_id: str, *, status: str | None = None, owner: str | None = None, due=None, note: str | None = None
    ) -> dict:
        """Change an action's status, owner, due date or note (one transaction).

        Arguments left at None are unchanged; an empty string clears
        ``owner``, ``due`` or ``note``.  ``updated_at`` is set to now (UTC).

        Returns
        -------
        dict
            The action as stored after the change.

        Raises
        ------
        WorkspaceError
            No action with this id.
        InputError
            A status outside the allowed values, or a due date that is not a date.

        Examples
        --------
        >>> import tempfile, pandas as pd, cxlab
        >>> ws = cxlab.Workspace.create(tempfile.mkdtemp() + "/acme")
        >>> ws.load("clients", pd.DataFrame({"client_id": ["C1"], "name": ["Alpha"]}))
        1
        >>> ws.add_actions([{"client_id": "C1"}])
        ['A0001']
        >>> ws.update_action("A0001", status="done", note="called the CEO")["status"]
        'done'
        """
        changes, problems = {}, []
        where = f"update_action({action_id!r})"
        if status is not None:
            if status not in self._action_statuses():
                problems.append(
                    Problem(
                        where,
                        None,
                        "status",
                        f"value {status!r} is not allowed; one of {', '.join(self._action_statuses())}",
                    )
                )
            changes["status"] = status
        if owner is not None:
            changes["owner"] = str(owner).strip() or None
        if due is not None:
            try:
                changes["due"] = self._action_due(due)
            except ValueError as exc:
                problems.append(Problem(where, None, "due", str(exc)))
        if note is not None:
            changes["note"] = str(note).strip() or None
        if problems:
            raise InputError(problems, headline=f"action {action_id} was not changed")
        if not changes:
            raise ValueError(f"nothing to change in action {action_id}: give a status, owner, due date or note")
        changes["updated_at"] = _now().replace(tzinfo=None)
        sets = ", ".join(f'"{c}" = ?' for c in changes)
        with self.connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                if not con.execute("SELECT 1 FROM actions WHERE action_id = ?", [action_id]).fetchall():
                    raise WorkspaceError(
                        f"no action '{action_id}' in workspace {self.name}; list the ids with "
                        f"`cxlab actions list --workspace {self.path}` or Workspace.actions()"
                    )
                con.execute(f"UPDATE actions SET {sets} WHERE action_id = ?", [*changes.values(), action_id])
                cols = ", ".join(f'"{c}"' for c in TABLES["actions"].names)
                row = con.execute(f"SELECT {cols} FROM actions WHERE action_id = ?", [action_id]).df()
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        return row.iloc[0].to_dict()

    # The number in an id 'A0042' (NULL for ids of another form).
    _ACTION_NUMBER = r"TRY_CAST(regexp_extract(action_id, '^A(\d+)$', 1) AS BIGINT)"

    @staticmethod
    def _action_statuses() -> tuple[str, ...]:
        from cxlab.schema import ALLOWED_VALUES

        return ALLOWED_VALUES[("actions", "status")]

    @staticmethod
    def _action_due(value):
        """A due date as a day (Timestamp), None when empty; ValueError naming the value otherwise."""
        if value is None or _isna(value) or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            text = value.strip()
            # ISO as written by scripts, dd.mm.yyyy as written in Russia; nothing ambiguous like 03/04/2026.
            for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
                try:
                    return pd.Timestamp(datetime.strptime(text, fmt))
                except ValueError:
                    pass
            raise ValueError(f"value {value!r} is not a date (YYYY-MM-DD or dd.mm.yyyy)")
        try:
            return pd.Timestamp(value).normalize()
        except (TypeError, ValueError):
            raise ValueError(f"value {value!r} is not a date (YYYY-MM-DD or dd.mm.yyyy)") from None

    def _action_rows(self, actions) -> list[dict]:
        """The rows given to :meth:`add_actions` as dicts; unknown columns are refused."""
        if isinstance(actions, pd.DataFrame):
            rows = actions.to_dict("records")
            columns = list(actions.columns)
        elif isinstance(actions, dict):
            rows, columns = [actions], list(actions)
        elif isinstance(actions, (list, tuple)) and all(isinstance(r, dict) for r in actions):
            rows = list(actions)
            columns = list(dict.fromkeys(k for r in rows for k in r))
        else:
            raise TypeError(f"actions must be a DataFrame, a list of dicts or a dict, not {type(actions).__name__}")
        unknown = [c for c in columns if c not in self.ACTION_FIELDS]
        if unknown:
            raise InputError(
                [
                    Problem(
                        "actions",
                        None,
                        str(c),
                        f"unknown column; an action has "
                        f"{', '.join(self.ACTION_FIELDS)} (the id and time stamps are given "
                        f"by the store)",
                    )
                    for c in unknown
                ],
                headline="unknown columns in the actions; nothing was written",
            )
        return rows

    def _check_action(self, i: int, row: dict, clients: set, waves: list[str]) -> tuple[dict, list[Problem]]:
        """One action made ready for the table, and what is wrong with it."""

        def text(col):
            v = row.get(col)
            return None if v is None or _isna(v) or not str(v).strip() else str(v).strip()

        problems = []
        record = {c: text(c) for c in ("client_id", "wave_id", "owner", "rule")}
        record["note"] = text("note")
        client, wave = record["client_id"], record["wave_id"]
        if client is None:
            problems.append(Problem("actions", i, "client_id", "required value is empty"))
        elif client not in clients:
            problems.append(Problem("actions", i, "client_id", f"unknown client {client!r}"))
        if wave is not None and wave not in waves:
            problems.append(
                Problem("actions", i, "wave_id", f"unknown wave {wave!r} (waves: {', '.join(waves) or 'none'})")
            )
        record["status"] = text("status") or "open"
        if record["status"] not in self._action_statuses():
            problems.append(
                Problem(
                    "actions",
                    i,
                    "status",
                    f"value {record['status']!r} is not allowed; one of {', '.join(self._action_statuses())}",
                )
            )
        try:
            record["due"] = self._action_due(row.get("due"))
        except ValueError as exc:
            problems.append(Problem("actions", i, "due", str(exc)))
            record["due"] = None
        return record, problems


class _Refusals:
    """What an import refuses: whole rows, single cells, single grid answers."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        self.rows: set[int] = set()
        self.cells: list[tuple[int, str]] = []
        self.answers: set = set()

    def row(self, row, problem: Problem) -> None:
        self.rows.add(int(row))
        self.problems.append(problem)

    def cell(self, row, column: str, problem: Problem) -> None:
        self.cells.append((int(row), column))
        self.problems.append(problem)

    def answer(self, index, problem: Problem) -> None:
        self.answers.add(index)
        self.problems.append(problem)

    @property
    def rows_refused(self) -> int:
        return len(self.rows)

    def apply(self, responses, answers):
        responses = responses[~responses["_row"].isin(self.rows)].copy()
        for row, column in self.cells:
            responses.loc[responses["_row"] == row, column] = np.nan
        answers = answers[~answers.index.isin(self.answers) & answers["_row"].isin(responses["_row"])]
        return responses, answers


_LEGAL_FORMS = (
    "ооо|оао|зао|пао|нао|ао|ип|нко|ано|гк|гбу|фгбу|гуп|фгуп|муп|мау|бу|нп|тоо|"
    "llc|ltd|inc|jsc|pjsc|gmbh|plc|corp|co|company|limited|s\\.?a|ag"
)
_FORM_AT_START = re.compile(rf"^(?:{_LEGAL_FORMS})\.?\s+")
_FORM_AT_END = re.compile(rf"[\s,]+(?:{_LEGAL_FORMS})\.?$")


def _is_complete(value) -> bool:
    """A response is complete unless marked otherwise (older rows have no mark)."""
    return not (isinstance(value, (bool, np.bool_)) and not value)


def _company_keys(name) -> set[str]:
    """Keys a company can be found by: the whole name and the name inside its quotes («Сколково»)."""
    keys = {_company_key(name)}
    quoted = re.search(r"[«\"“„]([^»\"”“]+)[»\"”“]", str(name))
    if quoted:
        keys.add(_company_key(quoted.group(1)))
    return keys - {""}


def _company_key(name) -> str:
    """Company name for matching: case, ё, quotes, punctuation and a legal form at either end ignored.

    >>> _company_key("ООО «Альфа»") == _company_key("Альфа, ООО") == _company_key("альфа")
    True
    >>> _company_key("АО «ИП Групп»")
    'ип групп'
    """
    from cxlab.ingest.answers import normalize_text

    text = normalize_text(name)
    # Only at the ends: "ИП" inside «ИП Групп» is part of the name.
    for _ in range(2):
        text = _FORM_AT_END.sub("", _FORM_AT_START.sub("", text)).strip()
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# ------------------------------------------------------------------ helpers
def _now() -> datetime:
    return datetime.now(UTC)


_CONTENT = ("wave_id", "contact_id", "client_id", "nps", "overall", "price", "reason", "comment")


def _norm(v):
    if _isna(v):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)


def _fingerprint(response, answers: pd.DataFrame) -> tuple:
    """What a response says: its fields and its grid answers, comparable across sources."""
    grid = tuple(
        sorted((str(k), str(i), float(v)) for k, i, v in zip(answers["kind"], answers["item"], answers["value"]))
    )
    return tuple(_norm(response.get(c)) for c in _CONTENT) + grid


def _fingerprints(responses: pd.DataFrame, answers: pd.DataFrame) -> dict:
    by_id = {rid: grp for rid, grp in answers.groupby("response_id")} if len(answers) else {}
    empty = answers.iloc[0:0]
    return {r["response_id"]: _fingerprint(r, by_id.get(r["response_id"], empty)) for _, r in responses.iterrows()}


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _problems_from_pandera(cases: pd.DataFrame, table: str, source: str, rows=None) -> list[Problem]:
    problems = []
    for _, case in cases.iterrows():
        column, check, value = case["column"], str(case["check"]), case["failure_case"]
        if pd.isna(case["index"]):
            row = None
        else:
            row = rows[int(case["index"])] if rows is not None else int(case["index"]) + 2
        if check == "column_in_dataframe":
            problems.append(Problem(source, 1, str(value), f"required column of '{table}' is missing"))
        elif check == "not_nullable":
            problems.append(Problem(source, row, column, "required value is empty"))
        elif "uniqueness" in check or check.startswith("field_uniqueness"):
            problems.append(Problem(source, row, column, f"duplicate key ({value})"))
        else:
            problems.append(Problem(source, row, column, f"value {value!r} is not allowed: {check}"))
    return problems


def _conform(name: str, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Validate a frame against the table's pandera schema, then give it the table's columns and types.

    Problems name the row as a spreadsheet would (the header is row 1).
    """
    import pandera.pandas as pa

    from cxlab.schema import frame_schema

    frame = frame.reset_index(drop=True)
    try:
        frame_schema(name).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        # Frames read from a file carry their spreadsheet rows; others count from row 2.
        rows = frame["_row"].astype(int).tolist() if "_row" in frame.columns else None
        raise InputError(_problems_from_pandera(exc.failure_cases, name, source, rows)) from None
    table = TABLES[name]
    out = pd.DataFrame(index=frame.index)
    for col in table.columns:
        values = frame[col.name] if col.name in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        if col.dtype in ("DATE", "TIMESTAMP"):
            values = pd.to_datetime(values)
            if col.dtype == "DATE":
                values = values.dt.normalize()
        elif col.dtype == "DOUBLE":
            values = pd.to_numeric(values).astype("float64")
        elif col.dtype in ("INTEGER", "BIGINT"):
            values = pd.to_numeric(values).astype("Int64")
        out[col.name] = values
    return out.reset_index(drop=True)


def _insert(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    if not len(frame):
        return
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    con.register("_rows", frame)
    try:
        casts = ", ".join(f'CAST("{c.name}" AS {c.dtype})' for c in TABLES[name].columns if c.name in frame.columns)
        con.execute(f"INSERT INTO {name} ({cols}) SELECT {casts} FROM _rows")
    finally:
        con.unregister("_rows")
