"""Small helpers shared by the store's modules: the clock and one definition of "missing"."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd


def _now() -> datetime:
    return datetime.now(UTC)


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False
