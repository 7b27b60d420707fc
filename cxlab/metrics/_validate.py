"""Input checks shared by the metrics.

Errors name the index label *and* the position of the first bad value, so the
analyst can find the row with ``.loc`` or ``.iloc``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxlab.errors import DataError, NPSScaleError, ParameterError, ParameterTypeError
from cxlab.schema import Scale, parse_scale

if TYPE_CHECKING:
    from typing_extensions import TypeIs

__all__ = ["NPSScaleError"]

#: One column of values as the metrics take it: a Series (its index is kept) or
#: anything numpy reads as one-dimensional (a list, an array, a scalar).
Values: TypeAlias = "pd.Series | npt.ArrayLike"

NPS_SCALE = (0, 10)


def as_series(values: Values, name: str = "scores") -> pd.Series:
    """Series view of ``values`` (index kept for Series, positions otherwise)."""
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise ParameterTypeError(
            f"{name} must be one column (Series or 1-D array), got a DataFrame", parameter=name, value="DataFrame"
        )
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional, got shape {arr.shape}", parameter=name, value=arr.shape)
    return pd.Series(arr)


def show(x: object) -> str:
    """repr without numpy's ``np.float64(...)`` wrapper."""
    if isinstance(x, np.generic):
        x = x.item()
    return repr(x)


def _first_bad(series: pd.Series, mask: npt.NDArray[np.bool_]) -> tuple[object, int, object]:
    pos = int(np.flatnonzero(mask)[0])
    return series.index[pos], pos, series.iloc[pos]


def to_numeric(values: Values, name: str = "scores") -> pd.Series:
    """Float Series with NaN for missing; text that is not a number is refused."""
    s = as_series(values, name)
    if pd.api.types.is_bool_dtype(s.dtype):
        raise ParameterTypeError(f"{name} are booleans, not ratings", parameter=name, value=str(s.dtype))
    num = pd.to_numeric(s, errors="coerce")
    bad = (num.isna() & s.notna()).to_numpy()
    if bad.any():
        label, pos, value = _first_bad(s, bad)
        raise DataError(f"{name}: value {show(value)} at index {show(label)} (position {pos}) is not a number")
    return num.astype("float64")


def check_range(num: pd.Series, lo: float, hi: float, *, integer: bool, name: str = "scores") -> None:
    """Refuse values outside ``lo..hi`` (and non-integers when ``integer``)."""
    v = num.to_numpy(dtype=float)
    present = ~np.isnan(v)
    with np.errstate(invalid="ignore"):
        out = present & ((v < lo) | (v > hi))
        frac = present & ~out & (v != np.round(v)) if integer else np.zeros_like(present)
    if out.any() or frac.any():
        first_out = np.flatnonzero(out)[0] if out.any() else len(v)
        first_frac = np.flatnonzero(frac)[0] if frac.any() else len(v)
        pos = int(min(first_out, first_frac))
        label, value = num.index[pos], num.iloc[pos]
        why = (
            f"outside the {lo:g}-{hi:g} scale"
            if pos == first_out
            else f"not an integer (the {lo:g}-{hi:g} scale has whole points only)"
        )
        raise DataError(f"{name}: value {show(value)} at index {show(label)} (position {pos}) is {why}")


def scale_of(scale: Scale) -> tuple[int, int]:
    """``(lo, hi)`` from ``(lo, hi)`` or ``"lo-hi"``."""
    return parse_scale(scale)


def require_nps_scale(scale: Scale) -> None:
    lo, hi = parse_scale(scale)
    if (lo, hi) != NPS_SCALE:
        raise NPSScaleError(
            f"NPS is defined on the 0-10 scale only; this question uses {lo}-{hi}. It is not rescaled.", scale=(lo, hi)
        )


def nps_scores(scores: Values, scale: Scale = NPS_SCALE, name: str = "scores") -> pd.Series:
    """Validated 0-10 scores as float Series (NaN = missing, index kept)."""
    require_nps_scale(scale)
    num = to_numeric(scores, name)
    check_range(num, 0, 10, integer=True, name=name)
    return num


def rating_scores(scores: Values, scale: Scale, *, integer: bool, name: str = "scores") -> tuple[pd.Series, int, int]:
    lo, hi = parse_scale(scale)
    num = to_numeric(scores, name)
    check_range(num, lo, hi, integer=integer, name=name)
    return num, lo, hi


def aligned(values: Values, like: pd.Series, name: str, strict_index: bool = True) -> pd.Series:
    """``values`` as a Series aligned row-for-row with ``like``.

    When both are Series (``strict_index``) a different index is refused rather
    than re-aligned: silently matching on index labels could pair a score with
    another person's account.  Otherwise values are matched by position.
    """
    if isinstance(values, pd.Series) and strict_index:
        if len(values) != len(like) or not values.index.equals(like.index):
            raise ParameterError(f"{name} must have the same index as the scores", parameter=name)
        return values
    s = as_series(values, name)
    if len(s) != len(like):
        raise ParameterError(f"{name} has {len(s)} values but there are {len(like)} scores", parameter=name)
    return pd.Series(s.to_numpy(), index=like.index)


def is_mapping(obj: object) -> TypeIs[Mapping[Any, Any]]:
    # A Series counts as a mapping (label -> value); pandas is untyped (Any) for mypy here.
    return isinstance(obj, (Mapping, pd.Series))
