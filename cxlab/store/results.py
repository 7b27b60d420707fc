"""Derived results kept beside the workspace: slow figures stored by what they were computed from.

Churn scores with their bootstrap intervals, the importance-performance
bootstrap and the coded comments take seconds to minutes; they are computed
when the data change (``cxlab import``, ``cxlab run-wave``, ``cxlab derive``)
and read by the dashboard and the reports instead of being computed on a
viewer's time.  This module is the storage only: it knows nothing of what a
result means (the codecs live in :mod:`cxlab.present.derived_results`).

Where and how
    One folder per entry, ``<workspace>/derived/<kind>/<key>/``: frames as
    Parquet, arrays as ``.npy`` (read with ``allow_pickle=False``), the rest
    as JSON in ``manifest.json`` with the SHA-256 of every file.  Nothing in
    an entry can run code when read (no pickle).  An entry is written in a
    temporary folder and renamed into place, so a reader sees a whole entry
    or none; a torn or altered entry (a file missing, a checksum that does
    not match, a file that does not parse) is reported with a
    :class:`DerivedResultWarning`, removed and treated as missing.

Why files and not DuckDB tables
    DuckDB lets one process write a database file or several read it, never
    both (:mod:`cxlab.store.locking`).  A dashboard kernel storing a result
    in ``workspace.duckdb`` would need the write lock: an import would wait
    for it, and other kernels could not read meanwhile.  Files renamed into
    place need no lock to read; two processes computing the same entry wait
    on a per-entry file lock (:meth:`ResultStore.computing`), never on the
    database.

Keys
    :func:`result_key` hashes the kind, the arguments, the fingerprint of
    the input tables (:func:`data_fingerprint`: rows and a content hash per
    canonical table, one query) and the versions of cxlab, DuckDB and the
    entry format: any change to an input table (import, ``--replace``,
    repair, a wave plan, follow-up actions) gives another key, so a stale
    entry is never found.

Examples
--------
>>> import tempfile, pandas as pd, numpy as np
>>> store = ResultStore(tempfile.mkdtemp())
>>> key = result_key("demo", {"n": 1}, {"responses": "3:42"})
>>> store.write("demo", key, Bundle({"t": pd.DataFrame({"a": [1, 2]})}, {"x": np.arange(3)}, {"note": "hi"}))
True
>>> got = store.read("demo", key)
>>> got.frames["t"]["a"].tolist(), got.arrays["x"].tolist(), got.meta["note"]
([1, 2], [0, 1, 2], 'hi')
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from cxlab.errors import DerivedResultError, DerivedResultWarning
from cxlab.schema import TABLE_ORDER

try:  # POSIX: one process computes an entry while the others wait
    import fcntl
except ImportError:  # pragma: no cover - Windows: threads of one process only
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "RESULTS_DIR",
    "FORMAT_VERSION",
    "Bundle",
    "ResultStore",
    "DerivedResultWarning",
    "data_fingerprint",
    "result_key",
]

#: The folder under the workspace that holds the derived results.
RESULTS_DIR = "derived"
#: Bumped when the layout of an entry changes: older entries are then not found.
FORMAT_VERSION = 1
#: Tables the fingerprint covers: every canonical table but the import log (an audit trail that feeds nothing).
FINGERPRINT_TABLES = tuple(t for t in TABLE_ORDER if t != "imports")

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Temporary and broken folders older than this are swept by prune (a crashed writer's leftovers).
_LEFTOVER_SECONDS = 3600.0


@dataclass
class Bundle:
    """What one entry holds: named frames, named numeric arrays and JSON metadata."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def data_fingerprint(ws, tables: Iterable[str] = FINGERPRINT_TABLES) -> dict[str, str]:
    """``table -> "rows:hash"`` for the canonical tables, from one read-only query.

    The hash is the sum of DuckDB's ``hash`` of every whole row, so it does
    not depend on the rows' order and changes with any value of any row;
    reading never changes it.  About 0.2 s for a million responses.

    Examples
    --------
    >>> import tempfile, cxlab
    >>> ws = cxlab.Workspace.create(tempfile.mkdtemp() + "/acme")
    >>> data_fingerprint(ws, ["waves"])
    {'waves': '0:0'}
    """
    names = [t for t in tables if t in TABLE_ORDER]
    if not names:
        return {}
    query = " UNION ALL ".join(
        f"SELECT '{t}' AS t, count(*) AS n, coalesce(sum(hash(x)::HUGEINT), 0)::VARCHAR AS h FROM {t} x" for t in names
    )
    with ws.connect() as con:
        rows = con.execute(query).fetchall()
    return {t: f"{n}:{h}" for t, n, h in rows}


def result_key(kind: str, args: dict, inputs: dict) -> str:
    """The entry's name: a hash of what it was computed from and of the code that computed it.

    Examples
    --------
    >>> result_key("risk", {"wave": "2026-Q3"}, {"responses": "10:1"}) == result_key(
    ...     "risk", {"wave": "2026-Q3"}, {"responses": "10:2"})
    False
    """
    import cxlab

    payload = {
        "kind": kind,
        "args": args,
        "inputs": inputs,
        "cxlab": cxlab.__version__,
        "duckdb": duckdb.__version__,
        "format": FORMAT_VERSION,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# One lock per entry within a process (threads of a dashboard kernel); the file lock covers processes.
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


class ResultStore:
    """The derived results of one workspace folder.

    Parameters
    ----------
    workspace_path : str or Path
        The workspace folder (results go to its ``derived/`` folder).
    """

    def __init__(self, workspace_path):
        self.root = Path(workspace_path) / RESULTS_DIR

    def __repr__(self) -> str:
        return f"ResultStore({str(self.root)!r})"

    # ------------------------------------------------------------ paths
    def path(self, kind: str, key: str) -> Path:
        if not _NAME.match(kind) or not re.fullmatch(r"[0-9a-f]{16,64}", key):
            raise DerivedResultError(f"not a derived-result name: {kind!r}/{key!r}")
        return self.root / kind / key

    def has(self, kind: str, key: str) -> bool:
        """Whether the entry exists (a cheap look; :meth:`read` still checks it whole)."""
        return (self.path(kind, key) / "manifest.json").is_file()

    # ------------------------------------------------------------ read
    def read(self, kind: str, key: str) -> Bundle | None:
        """The entry, or None when it is missing; a broken entry is removed, with a warning, and None."""
        folder = self.path(kind, key)
        manifest_file = folder / "manifest.json"
        if not manifest_file.is_file():
            return None
        try:
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT_VERSION or manifest.get("key") != key:
                raise DerivedResultError("manifest of another format or entry")
            bundle = Bundle(meta=manifest["meta"])
            for name, info in manifest["files"].items():
                file = folder / info["file"]
                if file.parent != folder or _sha256(file) != info["sha256"]:
                    raise DerivedResultError(f"{info['file']}: checksum does not match")
                if info["type"] == "frame":
                    bundle.frames[name] = _restore_objects(pd.read_parquet(file, engine="pyarrow"), info["objects"])
                elif info["type"] == "array":
                    bundle.arrays[name] = np.load(file, allow_pickle=False)
                else:
                    raise DerivedResultError(f"unknown file type {info['type']!r}")
            return bundle
        except FileNotFoundError as exc:
            # Removed under us (a prune, or another reader that found it broken): simply missing.
            if not folder.exists():
                return None
            self._discard(folder, f"{kind}/{key}: {exc}")
        except Exception as exc:  # a torn or altered entry of any kind is recomputed, never a crash
            self._discard(folder, f"{kind}/{key}: {type(exc).__name__}: {exc}")
        return None

    def _discard(self, folder: Path, why: str) -> None:
        warnings.warn(
            f"derived result {why}; it is ignored and will be computed again", DerivedResultWarning, stacklevel=3
        )
        # Renamed away first, so that no reader meets it half-deleted.
        broken = folder.parent / f".broken-{folder.name}-{uuid.uuid4().hex[:8]}"
        try:
            folder.rename(broken)
        except OSError:
            return
        shutil.rmtree(broken, ignore_errors=True)

    # ------------------------------------------------------------ write
    def write(self, kind: str, key: str, bundle: Bundle, *, inputs: dict | None = None) -> bool:
        """Store the entry atomically; False (with a warning) when it cannot be written.

        ``inputs`` (what the key was made of, JSON) is kept in the manifest
        for :meth:`prune`.  An entry another process stored first is kept
        (same key, same inputs: the same figures) and this one dropped.
        """
        final = self.path(kind, key)
        if final.exists():
            return True
        tmp = final.parent / f".tmp-{key}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            tmp.mkdir(parents=True)
            files: dict[str, dict] = {}
            for name, frame in bundle.frames.items():
                _check_name(name)
                file = tmp / f"f-{name}.parquet"
                frame.to_parquet(file, engine="pyarrow")
                files[name] = {"type": "frame", "file": file.name, "objects": _object_columns(frame)}
            for name, array in bundle.arrays.items():
                _check_name(name)
                if name in files:
                    raise DerivedResultError(f"{name!r} is both a frame and an array")
                file = tmp / f"a-{name}.npy"
                np.save(file, np.asarray(array), allow_pickle=False)
                files[name] = {"type": "array", "file": file.name}
            for info in files.values():
                info["sha256"] = _sha256(tmp / info["file"])
            manifest = {
                "format": FORMAT_VERSION,
                "key": key,
                "kind": kind,
                "inputs": inputs,
                "files": files,
                "meta": bundle.meta,
            }
            text = json.dumps(manifest, ensure_ascii=False, allow_nan=True)
            (tmp / "manifest.json").write_text(text, encoding="utf-8")
            try:
                os.rename(tmp, final)
            except OSError:
                if not final.exists():
                    raise
                shutil.rmtree(tmp, ignore_errors=True)  # another process stored it first
            return True
        except Exception as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            warnings.warn(
                f"derived result {kind}/{key} could not be stored ({type(exc).__name__}: {exc}); "
                "it will be computed again when needed",
                DerivedResultWarning,
                stacklevel=2,
            )
            return False

    # ------------------------------------------------------------ compute once
    @contextmanager
    def computing(self, kind: str, key: str, timeout: float = 600.0) -> Iterator[bool]:
        """Hold the entry's lock while computing it: one thread and one process at a time.

        Yields True when the lock is held, False when this process's own
        lock was not had within ``timeout`` seconds or the folder cannot hold
        a lock file (the caller then computes anyway).  Another process's
        hold is waited for until it ends: it is computing the same entry,
        and its crash releases the lock.  Readers never take it.
        """
        self.path(kind, key)  # checks the names
        name = f"{self.root}/{kind}/{key}"
        with _THREAD_LOCKS_GUARD:
            lock = _THREAD_LOCKS.setdefault(name, threading.Lock())
        if not lock.acquire(timeout=timeout):
            yield False
            return
        try:
            fh = None
            if fcntl is not None:
                try:
                    locks = self.root / ".locks"
                    locks.mkdir(parents=True, exist_ok=True)
                    fh = open(locks / f"{kind}-{key}.lock", "a+b")  # noqa: SIM115 - held across the yield
                except OSError:
                    fh = None
            held = fh is not None or fcntl is None
            if fh is not None:
                held = _flock(fh)
            try:
                yield held
            finally:
                if fh is not None:
                    fh.close()  # closing releases the lock
        finally:
            lock.release()

    # ------------------------------------------------------------ tidy
    def entries(self, kind: str) -> list[str]:
        folder = self.root / kind
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".") and p.is_dir())

    def prune(self, kind: str, inputs: dict) -> int:
        """Remove the kind's entries computed from other ``inputs`` (older data) and old leftovers; how many.

        Entries of the same inputs with other arguments (a filtered
        selection, another seed) are kept.
        """
        folder = self.root / kind
        if not folder.is_dir():
            return 0
        removed = 0
        now = time.time()
        for entry in folder.iterdir():
            if entry.name.startswith("."):
                try:
                    old = now - entry.stat().st_mtime > _LEFTOVER_SECONDS
                except OSError:
                    continue
                if old:
                    shutil.rmtree(entry, ignore_errors=True)
                continue
            try:
                stored = json.loads((entry / "manifest.json").read_text(encoding="utf-8")).get("inputs")
            except (OSError, ValueError):
                stored = None  # torn or foreign: nothing a reader could use
            if stored == inputs:
                continue
            gone = folder / f".broken-{entry.name}-{uuid.uuid4().hex[:8]}"
            try:
                entry.rename(gone)
            except OSError:
                continue
            shutil.rmtree(gone, ignore_errors=True)
            removed += 1
        return removed


def _object_columns(frame: pd.DataFrame) -> dict[str, list[int] | None]:
    """Object columns and where they hold None (Parquet reads text back as ``str`` with NaN for any missing).

    ``None`` for a column whose missing values are all NaN; else the row
    positions of its None values, restored on reading, so that the frame read
    equals the frame stored.
    """
    out: dict[str, list[int] | None] = {}
    for i, col in enumerate(frame.columns):
        if pd.api.types.is_object_dtype(frame.dtypes.iloc[i]):
            values = frame.iloc[:, i].to_numpy()
            nones = [j for j, v in enumerate(values) if v is None]
            out[str(col)] = nones or None
    return out


def _restore_objects(frame: pd.DataFrame, objects: dict[str, list[int] | None]) -> pd.DataFrame:
    for col, nones in objects.items():
        if col not in frame.columns:
            raise DerivedResultError(f"column {col!r} missing")
        values = frame[col].astype(object).to_numpy(copy=True)
        values[pd.isna(values)] = np.nan
        if nones:
            values[nones] = None
        frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise DerivedResultError(f"not a derived-result part name: {name!r}")


def _flock(fh) -> bool:
    """Wait for the exclusive lock on ``fh`` (the holder is computing; its end, or its crash, releases it)."""
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    except OSError:  # a file system without locks: compute without the guarantee rather than fail
        return False
    return True
