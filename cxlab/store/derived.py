"""Derived tables: the NPS cube and the breakdowns counted from it.

The cube holds responses pre-counted per wave, account, manager, team, role,
language and score; it is recounted inside the transactions that change
responses or contacts.  :class:`CubeMixin` gives :class:`~cxlab.store.Workspace`
its ``nps_counts``.
"""

from __future__ import annotations

import pandas as pd

from cxlab.errors import NPSScaleError, ParameterError
from cxlab.schema import parse_scale
from cxlab.store._common import _WorkspaceBase

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


class CubeMixin(_WorkspaceBase):
    """NPS counts from the cube (part of :class:`~cxlab.store.Workspace`; uses its ``sql``)."""

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
            raise ParameterError(
                f"cannot break down by {bad}; choose from {sorted(allowed)}", parameter="by", value=bad
            )
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
                raise NPSScaleError(
                    f"wave {row['wave_id']} asked the recommend question on "
                    f"{row['nps_scale']}; NPS is defined on 0-10 only and is not rescaled"
                    + ("" if waves else "; pass wave=... to count other waves"),
                    scale=parse_scale(row["nps_scale"]),
                )
