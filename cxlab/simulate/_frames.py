"""Canonical frames of the simulated tables.

:data:`PANDAS_DTYPES` maps the DuckDB types of :mod:`cxlab.schema` to pandas
dtypes; :func:`empty_table` and :func:`_frame` build a table with exactly its
canonical columns, in order, with those dtypes (columns not given are null).
Both scales of the simulator build their tables with them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from cxlab.errors import DataError, NotFoundError, ParameterError
from cxlab.schema import TABLES

#: pandas dtypes used for the DuckDB types of :mod:`cxlab.schema`.
PANDAS_DTYPES = {
    "VARCHAR": "str",
    "DATE": "datetime64[us]",
    "TIMESTAMP": "datetime64[us]",
    "DOUBLE": "float64",
    "BOOLEAN": "boolean",
    "INTEGER": "int64",
    "BIGINT": "int64",
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty frame with the canonical columns and dtypes of table ``name``."""
    return pd.DataFrame({c.name: pd.Series([], dtype=PANDAS_DTYPES[c.dtype]) for c in TABLES[name].columns})


def _column(values, dtype: str, n: int):
    if values is None:
        if dtype == "str":
            return pd.Series(pa.nulls(n, pa.large_string()), dtype="str")
        if dtype.startswith("datetime64"):
            return pd.Series(np.full(n, np.datetime64("NaT"), dtype=dtype), copy=False)
        if dtype == "float64":
            return pd.Series(np.full(n, np.nan), copy=False)
        if dtype == "boolean":
            return pd.Series(pd.arrays.BooleanArray(np.zeros(n, bool), np.ones(n, bool)), copy=False)
        raise ParameterError(f"no default for a {dtype} column", parameter="dtype", value=dtype)
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.reset_index(drop=True)
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return pd.Series(values, dtype=dtype)
    if dtype == "str":
        return pd.Series(values, dtype="str")
    if dtype == "boolean":
        return pd.Series(np.broadcast_to(np.asarray(values, bool), (n,)).copy(), dtype="boolean")
    arr = np.asarray(values).astype(dtype, copy=False)
    return pd.Series(arr, copy=False)


def _frame(name: str, data: dict, n: int | None = None) -> pd.DataFrame:
    """Frame with exactly the canonical columns of ``name``; missing columns are null."""
    cols = TABLES[name].columns
    if n is None:
        first = next(v for v in data.values() if v is not None)
        n = len(first)
    unknown = set(data) - {c.name for c in cols}
    if unknown:  # pragma: no cover - programming error
        raise NotFoundError(f"{name}: unknown columns {sorted(unknown)}", kind="column", key=sorted(unknown))
    out = {}
    nulls: dict[str, pd.Series] = {}  # all-null columns of one dtype share one buffer
    for c in cols:
        dtype = PANDAS_DTYPES[c.dtype]
        values = data.get(c.name)
        if values is None:
            if dtype not in nulls:
                nulls[dtype] = _column(None, dtype, n)
            s = nulls[dtype]
        else:
            s = _column(values, dtype, n)
        if len(s) != n:  # pragma: no cover
            raise DataError(f"{name}.{c.name}: {len(s)} values, expected {n}", columns=[c.name])
        out[c.name] = s
    return pd.DataFrame(out, copy=False)


def _str_series(values) -> pd.Series:
    return pd.Series(values, dtype="str")
