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

from cxlab.store.derived import CLIENT_DIMENSIONS as CLIENT_DIMENSIONS
from cxlab.store.derived import CUBE_DDL as CUBE_DDL
from cxlab.store.derived import CUBE_DIMENSIONS as CUBE_DIMENSIONS
from cxlab.store.imports import ImportReport
from cxlab.store.workspace import DB_FILE as DB_FILE
from cxlab.store.workspace import META_FILE as META_FILE
from cxlab.store.workspace import SCHEMA_VERSION as SCHEMA_VERSION
from cxlab.store.workspace import Workspace
from cxlab.store.writing import REFERENCE_TABLES as REFERENCE_TABLES

__all__ = ["Workspace", "ImportReport"]
