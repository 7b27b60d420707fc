"""Result objects shared by every metric: :class:`Estimate` and :class:`Change`.

Every figure cxlab reports travels with its sample size, its interval and the
name of the method that produced the interval, so a table or a chart can never
show a bare number.  The definitions of the metrics the estimates carry
(:data:`DEFINITIONS`) come from the metric registry
(:mod:`cxlab.stats.registry`), so reports print the same wording everywhere.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable
from dataclasses import Field, asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from cxlab.stats.intervals import level_text as _pct
from cxlab.stats.registry import sentence

__all__ = ["Estimate", "Change", "DEFINITIONS", "metric_definition"]

#: One sentence per metric: scale, cut-points, denominator, weights (the
#: registry's sentences, under the names the estimates carry).
DEFINITIONS: dict[str, str] = {
    name: sentence(name)
    for name in ("nps", "nps_account", "nps_revenue_weighted", "csat_mean", "topbox", "csi", "mean", "proportion")
}


def metric_definition(metric: str) -> str:
    """Definition of a metric in one sentence (empty string when unknown).

    Examples
    --------
    >>> metric_definition("top2box").startswith("Share")
    True
    """
    if metric in DEFINITIONS:
        return DEFINITIONS[metric]
    if re.fullmatch(r"top\d+box", metric):
        return DEFINITIONS["topbox"]
    return ""


def _to_float(x: Any) -> float:
    if x is None or x is pd.NA:
        return math.nan
    return float(x)


def _plain(value: Any) -> Any:
    # numpy scalars print as np.float64(...) and do not serialise to JSON.
    if isinstance(value, np.generic):
        return value.item()
    return value


def _fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    return f"{x:.{digits}f}"


def _rows(rows: Iterable[tuple[str, object]], width: int) -> list[str]:
    # Long methods and definitions wrap under their value, like statsmodels' summaries.
    out = []
    for key, value in rows:
        out += textwrap.wrap(str(value), width=width, initial_indent=f"{key:<13}", subsequent_indent=" " * 13) or [key]
    return out


class _Result:
    """What every result object offers: a dict, a one-row tidy frame, the metric's definition."""

    if TYPE_CHECKING:
        # Provided by the dataclasses that derive from this class.
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
        metric: str
        extra: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """All fields as a plain dict (``extra`` nested)."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy frame: the fields, then one column per ``extra`` key."""
        row = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        for key, value in self.extra.items():
            row.setdefault(key, value)
        return pd.DataFrame([row])

    @property
    def definition(self) -> str:
        """Definition of the metric (see :data:`DEFINITIONS`)."""
        return metric_definition(self.metric)


@dataclass(frozen=True)
class Estimate(_Result):
    """One estimate with its interval, sample size and method.

    Parameters
    ----------
    metric : str
        Short name of the metric (``"nps"``, ``"csat_mean"``, ``"top2box"``...).
    estimate : float
        Point estimate (NPS in points -100..100, shares as proportions 0-1).
    ci_low, ci_high : float
        Confidence interval.
    se : float
        Standard error (nan when not defined, e.g. n < 2).
    n : int
        Observations used, after dropping missing values (accounts for
        account-level metrics).
    method : str
        Human-readable name of the estimator and interval.
    confidence : float
        Confidence level of the interval.
    extra : dict
        Further named figures (counts, shares, design effect...).

    Examples
    --------
    >>> e = Estimate("nps", 10.0, -38.4, 58.4, 24.7, 10, "NPS, trinomial Wald interval (z)")
    >>> e.to_frame().loc[0, "n"]
    np.int64(10)
    """

    metric: str
    estimate: float
    ci_low: float
    ci_high: float
    se: float
    n: int
    method: str
    confidence: float = 0.95
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Coerce numpy scalars so the object prints, compares and serialises cleanly.
        for name in ("estimate", "ci_low", "ci_high", "se", "confidence"):
            object.__setattr__(self, name, _to_float(getattr(self, name)))
        object.__setattr__(self, "n", int(self.n))
        object.__setattr__(self, "extra", {k: _plain(v) for k, v in dict(self.extra).items()})

    def summary(self) -> str:
        """Readable multi-line report of the estimate."""
        width = 72
        lines = [f"{self.metric} estimate".center(width), "=" * width]
        rows = [
            ("Metric:", self.metric),
            (
                "Estimate:",
                f"{_fmt(self.estimate)}   {_pct(self.confidence)} CI [{_fmt(self.ci_low)}, {_fmt(self.ci_high)}]",
            ),
            ("Std. error:", _fmt(self.se)),
            ("n:", str(self.n)),
            ("Method:", self.method),
            ("Definition:", self.definition or "-"),
        ]
        lines += _rows(rows, width)
        if self.extra:
            lines.append("-" * width)
            for key, value in self.extra.items():
                shown = _fmt(value, 4) if isinstance(value, float) else str(value)
                lines.append(f"{key + ':':<22}{shown}")
        lines.append("=" * width)
        return "\n".join(lines)

    def __str__(self) -> str:
        return (
            f"{self.metric} = {_fmt(self.estimate)} [{_pct(self.confidence)} CI "
            f"{_fmt(self.ci_low)}, {_fmt(self.ci_high)}], n = {self.n} ({self.method})"
        )


@dataclass(frozen=True)
class Change(_Result):
    """A difference between two waves (after - before) with its test.

    Parameters
    ----------
    metric : str
        Metric whose change is measured (``"nps"``, ``"mean"``, ``"proportion"``...).
    estimate : float
        after - before, in the metric's units.
    ci_low, ci_high, se : float
        Interval and standard error of the difference.
    n_before, n_after : int
        Observations in each wave (number of pairs on both sides when paired).
    statistic, p_value : float
        Test statistic (z or t) and two-sided p-value; nan when the test is
        not defined (e.g. no variance at all).
    method : str
        Human-readable name of the test and interval.
    confidence : float
        Confidence level of the interval.
    paired : bool
        True when the same contacts were compared across waves.
    extra : dict
        Further figures (the two wave values, pairs...).

    Examples
    --------
    >>> c = Change("nps", 5.0, -1.0, 11.0, 3.06, 200, 210, 1.63, 0.10, "z-test")
    >>> c.to_frame().loc[0, "p_value"]
    np.float64(0.1)
    """

    metric: str
    estimate: float
    ci_low: float
    ci_high: float
    se: float
    n_before: int
    n_after: int
    statistic: float
    p_value: float
    method: str
    confidence: float = 0.95
    paired: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("estimate", "ci_low", "ci_high", "se", "statistic", "p_value", "confidence"):
            object.__setattr__(self, name, _to_float(getattr(self, name)))
        object.__setattr__(self, "n_before", int(self.n_before))
        object.__setattr__(self, "n_after", int(self.n_after))
        object.__setattr__(self, "paired", bool(self.paired))
        object.__setattr__(self, "extra", {k: _plain(v) for k, v in dict(self.extra).items()})

    def summary(self) -> str:
        """Readable multi-line report of the change and its test."""
        width = 72
        kind = "paired" if self.paired else "independent samples"
        lines = [f"Change in {self.metric} (after - before), {kind}".center(width), "=" * width]
        rows = [
            ("Metric:", self.metric),
            (
                "Change:",
                f"{_fmt(self.estimate)}   {_pct(self.confidence)} CI [{_fmt(self.ci_low)}, {_fmt(self.ci_high)}]",
            ),
            ("Std. error:", _fmt(self.se)),
            ("Statistic:", _fmt(self.statistic, 3)),
            ("p-value:", _fmt(self.p_value, 4)),
            ("n before:", str(self.n_before)),
            ("n after:", str(self.n_after)),
            ("Method:", self.method),
            ("Definition:", self.definition or "-"),
        ]
        lines += _rows(rows, width)
        if self.extra:
            lines.append("-" * width)
            for key, value in self.extra.items():
                shown = _fmt(value, 4) if isinstance(value, float) else str(value)
                lines.append(f"{key + ':':<22}{shown}")
        lines.append("=" * width)
        return "\n".join(lines)

    def __str__(self) -> str:
        return (
            f"change in {self.metric} = {_fmt(self.estimate)} [{_pct(self.confidence)} CI "
            f"{_fmt(self.ci_low)}, {_fmt(self.ci_high)}], p = {_fmt(self.p_value, 4)}, "
            f"n = {self.n_before} -> {self.n_after} ({self.method})"
        )
