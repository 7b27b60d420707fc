"""Follow-up actions: recording, listing and updating them, each write one transaction.

:class:`ActionsMixin` gives :class:`~cxlab.store.Workspace` its ``actions``,
``add_actions`` and ``update_action`` and the checks they make.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from cxlab.errors import InputError, NotInWorkspaceError, ParameterError, ParameterTypeError, Problem
from cxlab.schema import TABLES
from cxlab.store._common import _isna, _now, _WorkspaceBase
from cxlab.store.writing import _insert


class ActionsMixin(_WorkspaceBase):
    """Follow-up actions (part of :class:`~cxlab.store.Workspace`; uses its ``connect``, ``sql`` and ``wave``)."""

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
        params: list[Any]
        where, params = [], []
        if wave is not None:
            self.wave(wave)
            where.append("wave_id = ?")
            params.append(wave)
        if client is not None:
            if self.sql("SELECT 1 FROM clients WHERE client_id = ?", [client]).empty:
                raise NotInWorkspaceError(
                    f"client '{client}' does not exist in workspace {self.name}",
                    kind="client",
                    key=client,
                    path=self.path,
                )
            where.append("client_id = ?")
            params.append(client)
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            bad = [s for s in statuses if s not in self._action_statuses()]
            if bad:
                raise ParameterError(
                    f"unknown action status {', '.join(map(repr, bad))}; one of {', '.join(self._action_statuses())}",
                    parameter="status",
                    value=status,
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
        changes: dict[str, Any]
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
            raise ParameterError(f"nothing to change in action {action_id}: give a status, owner, due date or note")
        changes["updated_at"] = _now().replace(tzinfo=None)
        sets = ", ".join(f'"{c}" = ?' for c in changes)
        with self.connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                if not con.execute("SELECT 1 FROM actions WHERE action_id = ?", [action_id]).fetchall():
                    raise NotInWorkspaceError(
                        f"no action '{action_id}' in workspace {self.name}; list the ids with "
                        f"`cxlab actions list --workspace {self.path}` or Workspace.actions()",
                        kind="action",
                        key=action_id,
                        path=self.path,
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
            raise ParameterError(
                f"value {value!r} is not a date (YYYY-MM-DD or dd.mm.yyyy)", parameter="due", value=value
            )
        try:
            return pd.Timestamp(value).normalize()
        except (TypeError, ValueError):
            raise ParameterError(
                f"value {value!r} is not a date (YYYY-MM-DD or dd.mm.yyyy)", parameter="due", value=value
            ) from None

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
            raise ParameterTypeError(
                f"actions must be a DataFrame, a list of dicts or a dict, not {type(actions).__name__}",
                parameter="actions",
                value=type(actions).__name__,
            )
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
