"""Open the workspace's DuckDB file, waiting while another process holds it.

DuckDB lets one process open a database file for writing, or any number of
processes open it read-only, never both at once (see
https://duckdb.org/docs/current/connect/concurrency).  A second process is
refused at once with ``IOException: Could not set lock on file ...:
Conflicting lock is held in <program> (PID <pid>)``; DuckDB has no busy
timeout of its own.  cxlab opens a connection per operation and closes it at
once, so the other process's hold is short (an import's transaction, a
report's query): :func:`connect_waiting` retries with a short, jittered
backoff until the lock is free or the wait is spent, says once on stderr
that it waits and for whom, and then raises
:class:`~cxlab.errors.WorkspaceLockedError` naming the other process.

The wait is :data:`DEFAULT_LOCK_TIMEOUT` seconds, or ``$CXLAB_LOCK_TIMEOUT``
(which ``cxlab --lock-timeout`` sets, so that the report kernels a command
starts wait as long), or what the caller passes.

Examples
--------
>>> import tempfile, pathlib
>>> db = pathlib.Path(tempfile.mkdtemp()) / "w.duckdb"
>>> con = connect_waiting(db, read_only=False, timeout=1)
>>> con.execute("SELECT 1").fetchone()
(1,)
>>> con.close()
>>> lock_holder('IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held in '
...             '/usr/bin/python3.11 (PID 1234). See also https://duckdb.org/docs/current/connect/concurrency')
(1234, '/usr/bin/python3.11')
"""

from __future__ import annotations

import os
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from cxlab.errors import ParameterError, WorkspaceLockedError

__all__ = ["DEFAULT_LOCK_TIMEOUT", "LOCK_TIMEOUT_ENV", "lock_timeout", "lock_holder", "connect_waiting"]

#: Seconds a command waits for another process to release the workspace.
DEFAULT_LOCK_TIMEOUT = 60.0
#: The environment variable that sets the wait (``cxlab --lock-timeout`` sets it too).
LOCK_TIMEOUT_ENV = "CXLAB_LOCK_TIMEOUT"

_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
# The first retry comes soon (an import's transaction takes well under a second), later ones
# at most every _MAX_STEP seconds; the jitter keeps two waiting processes from retrying in step.
_FIRST_STEP, _MAX_STEP = 0.05, 1.0
# (database, holder's PID) this process has already said it waits for: a command opens a connection
# per operation, and waiting behind the same process again is not news.
_ANNOUNCED: set[tuple[str, int | None]] = set()


def lock_timeout(environ=None) -> float:
    """The wait in seconds: ``$CXLAB_LOCK_TIMEOUT`` when set, else :data:`DEFAULT_LOCK_TIMEOUT`.

    Raises
    ------
    ParameterError
        The variable is not a number of seconds >= 0.

    Examples
    --------
    >>> lock_timeout({"CXLAB_LOCK_TIMEOUT": "2.5"}), lock_timeout({})
    (2.5, 60.0)
    """
    env = os.environ if environ is None else environ
    raw = env.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:  # NaN too
        raise ParameterError(
            f"{LOCK_TIMEOUT_ENV} must be a number of seconds >= 0, not {raw!r}", parameter=LOCK_TIMEOUT_ENV, value=raw
        )
    return value


def lock_holder(message: str) -> tuple[int | None, str | None] | None:
    """``(pid, program)`` of the process DuckDB's lock error names; None when the error is not a lock conflict.

    ``(None, None)`` for a lock conflict whose message names nobody.
    """
    if "Conflicting lock is held" not in message and "Could not set lock on file" not in message:
        return None
    found = _HOLDER.search(message)
    if found is None:
        return None, None
    return int(found["pid"]), found["program"].strip() or None


def _describe(pid: int | None, program: str | None) -> str:
    """``PID 1234 (python3.11: cxlab import ...)``: the program's name and, where the system tells, its command."""
    if pid is None:
        return "another process"
    what = Path(program).name if program else ""
    command = _command_line(pid)
    if command:
        what = f"{what}: {command}" if what else command
    return f"PID {pid} ({what})" if what else f"PID {pid}"


def _command_line(pid: int) -> str:
    """The process's command line, shortened (Linux's /proc; empty elsewhere or when it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    args = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    if not args:
        return ""
    # "python -m cxlab.cli import ..." and ".venv/bin/cxlab import ..." both read best from the program's name on.
    args[0] = Path(args[0]).name
    text = " ".join(args)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 80 else text[:77] + "..."


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def connect_waiting(
    db_path,
    *,
    read_only: bool,
    timeout: float | None = None,
    notify: Callable[[str], None] | None = _say,
    what: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect(db_path, read_only=...)``, retried while another process holds a conflicting lock.

    Parameters
    ----------
    db_path : str or Path
    read_only : bool
    timeout : float, optional
        Seconds to wait; default :func:`lock_timeout`.  0 tries once.
    notify : callable, optional
        Told, with one line, that the connection waits and for whom
        (default: printed on stderr), once per holder in this process; None
        says nothing.
    what : str, optional
        How the messages name the database (default its path).

    Raises
    ------
    WorkspaceLockedError
        The lock was still held after ``timeout`` seconds; the message names
        the holder's PID and program when DuckDB tells them.
    """
    wait = lock_timeout() if timeout is None else float(timeout)
    name = what or str(db_path)
    started = time.monotonic()
    step = _FIRST_STEP
    told = False
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.IOException as exc:
            holder = lock_holder(str(exc))
            if holder is None:
                raise
            pid, program = holder
        waited = time.monotonic() - started
        if waited >= wait:
            raise WorkspaceLockedError(
                f"{name} is in use by {_describe(pid, program)}; gave up after waiting {waited:.1f} s "
                f"(DuckDB lets one process write, or several read); try again when it has finished, "
                f"or wait longer with --lock-timeout SECONDS or {LOCK_TIMEOUT_ENV}",
                path=Path(db_path).parent,
                pid=pid,
                program=program,
                waited=waited,
            ) from None
        if not told and notify is not None:
            if (str(db_path), pid) not in _ANNOUNCED:
                notify(f"cxlab: waiting for {name}: held by {_describe(pid, program)}; waiting up to {wait:g} s ...")
            _ANNOUNCED.add((str(db_path), pid))
            told = True
        time.sleep(min(step * random.uniform(0.5, 1.0), max(wait - waited, 0.0)))
        step = min(step * 2, _MAX_STEP)
