"""Small helpers shared by the store's modules: the clock and one definition of "missing"."""

from __future__ import annotations

from datetime import UTC, datetime

from cxlab.schema import is_missing as _isna

__all__ = ["_isna", "_now"]


def _now() -> datetime:
    return datetime.now(UTC)
