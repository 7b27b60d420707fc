"""Small helpers shared by the store's modules: the clock, one definition of "missing", the mixins' base.

``_WorkspaceBase`` is what the mixins of :class:`~cxlab.store.Workspace` use
of each other and of the workspace itself.  It exists for the type checker
only: at run time it is ``object``, so the mixins' classes are unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cxlab.schema import is_missing as _isna

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from pathlib import Path

    import duckdb
    import pandas as pd

    class _WorkspaceBase:
        """The workspace as its mixins see it (see :class:`~cxlab.store.Workspace`)."""

        path: Path
        name: str

        def connect(self, read_only: bool = True) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...
        def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame: ...
        def wave(self, wave_id: str) -> dict[str, Any]: ...
        def wave_ids(self) -> list[str]: ...

else:
    _WorkspaceBase = object

__all__ = ["_isna", "_now", "_WorkspaceBase"]


def _now() -> datetime:
    return datetime.now(UTC)
