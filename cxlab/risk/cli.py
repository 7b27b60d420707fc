"""Command line of the follow-up loop: ``cxlab actions list | add | update | create``.

:func:`add_actions_parser` registers the ``actions`` command on the main
parser's sub-commands.  Errors are :class:`cxlab.errors.CxlabError`
subclasses, which the main CLI prints as one line before exiting with
status 2.

Examples
--------
::

    cxlab actions create --workspace workspaces/acme --wave 2026-Q3 --due-days 30
    cxlab actions list   --workspace workspaces/acme --wave 2026-Q3 --status open
    cxlab actions list   --workspace workspaces/acme --csv actions.csv   # formula-like notes get a leading '
    cxlab actions add    --workspace workspaces/acme --client C017 --wave 2026-Q3 --due 2026-10-30 --note "call the CEO"
    cxlab actions update --workspace workspaces/acme A0004 --status done --note "met, scope agreed"
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
from pathlib import Path

import pandas as pd

from cxlab.errors import ParameterError
from cxlab.safe_text import safe_frame

__all__ = ["add_actions_parser", "format_actions"]

_STATUSES = "open, in_progress, done, dropped"
_NOTE_WIDTH = 50


def _workspace(args):
    from cxlab.store import Workspace

    return Workspace(args.workspace)


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def format_actions(actions: pd.DataFrame, clients: pd.DataFrame | None = None) -> str:
    """Actions as a console table: id, client (and its name), wave, owner, status, due, rule, note.

    Long notes are cut to fit a line; the CSV export keeps them whole.

    >>> rows = pd.DataFrame({"action_id": ["A0001"], "client_id": ["C1"], "wave_id": ["Q3"], "owner": ["M1"],
    ...                      "status": ["open"], "due": [pd.Timestamp("2026-10-30")], "rule": ["silent"],
    ...                      "note": ["no answer for two waves"]})
    >>> print(format_actions(rows))
    action_id  client_id  wave_id  owner  status  due         rule    note
    A0001      C1         Q3       M1     open    2026-10-30  silent  no answer for two waves
    """
    if not len(actions):
        return "no actions"
    table = actions.copy()
    table["due"] = table["due"].map(_day)
    table["note"] = table["note"].map(
        lambda n: "" if n is None or pd.isna(n) else (n if len(n) <= _NOTE_WIDTH else n[: _NOTE_WIDTH - 1] + "…")
    )
    cols = ["action_id", "client_id", "wave_id", "owner", "status", "due", "rule", "note"]
    if clients is not None and len(clients):
        names = clients.set_index("client_id")["name"].map(lambda n: n if len(str(n)) <= 24 else str(n)[:23] + "…")
        table["name"] = table["client_id"].map(names)
        cols.insert(2, "name")
    return _left_aligned(table[cols].fillna(""))


def _left_aligned(frame: pd.DataFrame) -> str:
    # Ids, names and notes read best flush left (to_string right-aligns text).
    cells = frame.astype(str)
    widths = {c: max([len(c), *cells[c].str.len()]) for c in cells.columns}
    lines = [list(cells.columns)] + cells.to_numpy().tolist()
    return "\n".join("  ".join(v.ljust(widths[c]) for c, v in zip(cells.columns, line)).rstrip() for line in lines)


def _describe(row: dict) -> str:
    parts = [f"client {row['client_id']}"]
    for key, label in (("wave_id", "wave"), ("owner", "owner"), ("status", "status"), ("due", "due")):
        value = _day(row[key]) if key == "due" else row[key]
        if value is not None and not pd.isna(value) and value != "":
            parts.append(f"{label} {value}")
    return ", ".join(parts)


def _cmd_list(args) -> int:
    ws = _workspace(args)
    actions = ws.actions(args.wave, client=args.client, status=args.status)
    if args.csv:
        _write_csv(actions.assign(due=actions["due"].map(_day)), Path(args.csv), raw=args.raw)
        print(f"{len(actions)} action(s) written to {args.csv}")
        return 0
    print(format_actions(actions, ws.clients()))
    return 0


def _write_csv(frame: pd.DataFrame, path: Path, *, raw: bool = False) -> None:
    """The actions as a CSV a spreadsheet can open safely, written whole or not at all.

    Text goes through :func:`cxlab.safe_text.safe_frame`: control characters
    out and, unless ``raw``, a leading ``'`` on text a spreadsheet would run
    as a formula (``=``, ``+``, ``-``, ``@``...).  The file is written under a
    temporary name beside ``path`` and renamed into place, so a full disk
    leaves the earlier file (or none), never half of one.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        # With a byte-order mark Excel reads the file as UTF-8 (Cyrillic names and notes intact); CRLF rows
        # (RFC 4180) quote a note holding a carriage return, which would otherwise start a row of its own.
        with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            safe_frame(frame, raw=raw).to_csv(f, index=False, lineterminator="\r\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:  # a folder that does not exist, no permission, a full disk
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise ParameterError(
            f"cannot write {path}: {exc.strerror or exc}; nothing was written", parameter="csv", value=str(path)
        ) from None


def _cmd_add(args) -> int:
    ws = _workspace(args)
    owner = args.owner
    if owner is None:
        # Whoever runs the account follows up unless someone else is named.
        manager = ws.sql("SELECT manager FROM clients WHERE client_id = ?", [args.client])
        owner = manager.iloc[0, 0] if len(manager) and pd.notna(manager.iloc[0, 0]) else None
    ids = ws.add_actions(
        [
            {
                "client_id": args.client,
                "wave_id": args.wave,
                "owner": owner,
                "status": args.status,
                "due": args.due,
                "note": args.note,
            }
        ]
    )
    stored = ws.actions()
    row = stored[stored["action_id"] == ids[0]].iloc[0].to_dict()
    print(f"added {ids[0]}: {_describe(row)}")
    return 0


def _cmd_update(args) -> int:
    row = _workspace(args).update_action(
        args.action_id, status=args.status, owner=args.owner, due=args.due, note=args.note
    )
    print(f"updated {args.action_id}: {_describe(row)}")
    return 0


def _cmd_create(args) -> int:
    from cxlab.risk.actions import create_actions

    ws = _workspace(args)
    wave = args.wave or ws.latest_wave()
    created = create_actions(ws, wave, due_days=args.due_days, owner=args.owner, lang=args.lang)
    skipped = created.attrs.get("skipped", [])
    print(
        f"wave {wave}: {created.attrs.get('flagged', len(created) + len(skipped))} flagged client(s); "
        f"{len(created)} action(s) created, {len(skipped)} skipped (already followed up in this wave)"
    )
    if len(created):
        print(format_actions(created, ws.clients()))
    return 0


def add_actions_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``actions`` and its sub-commands on ``subparsers`` (from ``add_subparsers``).

    Each sub-command sets ``func`` (called with the parsed arguments, returns the exit code).

    >>> p = argparse.ArgumentParser(prog="cxlab")
    >>> _ = add_actions_parser(p.add_subparsers(dest="command"))
    >>> args = p.parse_args(["actions", "update", "--workspace", "ws", "A0003", "--status", "done"])
    >>> args.actions_command, args.action_id, args.status, args.func.__name__
    ('update', 'A0003', 'done', '_cmd_update')
    """
    a = subparsers.add_parser(
        "actions",
        help="follow-up actions for clients at risk: list, add, update, create",
        description="Follow-up of clients flagged by the early-warning rules: one action "
        "per client (owner, due date, status, note), and what became of them.",
    )
    sub = a.add_subparsers(dest="actions_command", required=True, metavar="{list,add,update,create}")

    def workspace(p):
        p.add_argument("--workspace", required=True, help="workspace folder")

    # Statuses are checked by the store (one list, one message), not by argparse choices.
    p = sub.add_parser("list", help="list actions (or write them to CSV)")
    workspace(p)
    p.add_argument("--wave", default=None, help="only the actions that follow up this wave")
    p.add_argument("--status", default=None, help=f"only this status: {_STATUSES}")
    p.add_argument("--client", default=None, help="only this client's actions")
    p.add_argument("--csv", default=None, metavar="FILE", help="write a CSV (UTF-8 with BOM, opens in Excel)")
    p.add_argument(
        "--raw",
        action="store_true",
        help="in the CSV, write notes that start with = + - @ (a spreadsheet formula) as stored, without the leading '",
    )
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("add", help="record one action by hand")
    workspace(p)
    p.add_argument("--client", required=True, help="client id")
    p.add_argument("--wave", default=None, help="wave whose feedback it follows up")
    p.add_argument("--owner", default=None, help="who follows up (default: the client's manager)")
    p.add_argument("--due", default=None, help="YYYY-MM-DD or dd.mm.yyyy")
    p.add_argument("--note", default=None)
    p.add_argument("--status", default="open", help=f"{_STATUSES} (default open)")
    p.set_defaults(func=_cmd_add)

    p = sub.add_parser("update", help="change an action's status, owner, due date or note")
    workspace(p)
    p.add_argument("action_id", metavar="ID", help="action id, e.g. A0004 (see `cxlab actions list`)")
    p.add_argument("--status", default=None, help=_STATUSES)
    p.add_argument("--owner", default=None)
    p.add_argument("--due", default=None, help="YYYY-MM-DD or dd.mm.yyyy")
    p.add_argument("--note", default=None)
    p.set_defaults(func=_cmd_update)

    p = sub.add_parser("create", help="one action per client flagged by the early-warning rules in a wave")
    workspace(p)
    p.add_argument("--wave", default=None, help="default: the latest wave with responses")
    p.add_argument("--due-days", type=int, default=30, help="days after the wave closed (default 30)")
    p.add_argument("--owner", default=None, help="one owner for all (default: each client's manager)")
    p.add_argument(
        "--lang", choices=("ru", "en"), default=None, help="language of the notes (default: the workspace's)"
    )
    p.set_defaults(func=_cmd_create)
    return a
