"""Writing canonical tables: validation against the schema, typed inserts, reference loads.

``_conform`` checks a frame against its table's pandera schema and gives it the
table's columns and types; ``_insert`` writes it inside the caller's
transaction.  :class:`WritingMixin` gives :class:`~cxlab.store.Workspace` its
``load``, ``load_tables`` and ``add_wave``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from cxlab.errors import InputError, NotFoundError, Problem
from cxlab.schema import TABLE_ORDER, TABLES, parse_scale
from cxlab.store._common import _WorkspaceBase
from cxlab.store.derived import _refresh_cube

# Tables loaded as reference data (not through import_wave).
REFERENCE_TABLES = ("services", "clients", "contacts", "client_services", "waves", "invitations", "events", "actions")


class WritingMixin(_WorkspaceBase):
    """Reference-data loads (part of :class:`~cxlab.store.Workspace`; uses its ``connect``)."""

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
            raise NotFoundError(f"unknown tables {unknown}", kind="table", key=unknown)
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
