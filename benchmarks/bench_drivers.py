"""Key-driver importance: exact Shapley (LMG) over all 2**p subsets, and Johnson's weights, beside other tools.

On the same simulated data in the same run (n = 5,000 rows, seeded; p
drivers sharing a common factor, so that they overlap; outcome = weighted
sum of the drivers + noise), for each p:

- cxlab: ``relative_importance(data, "y", drivers, method="shapley",
  n_boot=0)`` end to end from the DataFrame (correlation matrix, R² of all
  2**p subsets, Shapley values, the table) for p = 10, 15, 20, and
  ``method="johnson"``; median of 7 runs after one warm-up;
- dominance-analysis 1.1.9, the published Python package for the same
  decomposition: ``Dominance(...).incremental_rsquare()`` fits a
  LinearRegression on each of the 2**p - 1 subsets (``data_format=0``) or
  solves each subset from the correlation matrix (``data_format=1``).  Both
  modes at p = 10; at p = 15 only the correlation-matrix mode, its faster
  one: there it takes about 3.5 minutes (about 1 for the 32,767 subsets,
  2.5 for its pure-Python dominance tables, which compare every pair of
  subsets of adjacent sizes), and the data mode would add about 2 more for
  the LinearRegression fits.  One run each (after a warm-up on 4 drivers,
  as for the statsmodels loop).  It needs import shims under
  numpy 2 (its plotting libraries are stubbed, in this process only);
- a plain loop of 2**p - 1 statsmodels OLS fits, Shapley values from their
  R², for p = 10 and 12 (one run);
- relativeImp 0.0.2: Johnson's weights, p = 10, 15, 20 (median of 7 runs).

Each line gives the seconds, the ratio to cxlab's time for the same
method and p, and the largest absolute difference from cxlab's importances
(a correctness cross-check).  The peak memory traced during the p = 20
Shapley call is printed too.  `make bench` installs the two comparison
packages (``--no-deps``); without them their lines are skipped.

Targets: Shapley p = 15 in under 0.05 s and p = 20 in under 2 s.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import sys
import time
import tracemalloc
import types
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from cxlab.drivers import DriverWarning, relative_importance
from cxlab.drivers.subsets import shapley_values

N = 5_000
SEED = 20_260
P_OURS = [10, 15, 20]
P_DOMINANCE = {10: [0, 1], 15: [1]}  # p -> data_format modes of dominance-analysis
P_STATSMODELS = [10, 12]
REPEATS = 7
TARGETS = {15: 0.05, 20: 2.0}  # p -> seconds, Shapley end to end


# --------------------------------------------------------------------------- data
def make_data(p: int) -> tuple[pd.DataFrame, list[str]]:
    """n rows of p correlated drivers (shared factor + noise) and an outcome ``y``; seeded by p."""
    rng = np.random.default_rng(SEED + p)
    factor = rng.normal(size=(N, 1))
    x = 0.7 * factor + rng.normal(size=(N, p))
    weights = np.linspace(1.0, 0.05, p)
    y = x @ weights + rng.normal(scale=2.0, size=N)
    drivers = [f"x{j:02d}" for j in range(p)]
    frame = pd.DataFrame(x, columns=drivers)
    frame["y"] = y
    return frame, drivers


# --------------------------------------------------------------------------- timing
def timed(fn, repeats: int, warmup: bool = True):
    """(median seconds, result of the last run) over ``repeats`` runs, after one warm-up run."""
    if warmup:
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def ours(frame: pd.DataFrame, drivers: list[str], method: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriverWarning)
        res = relative_importance(frame, "y", drivers, method=method, n_boot=0)
    return res.method(method).set_index("driver")["importance"]


# --------------------------------------------------------------------------- comparison packages
def import_dominance():
    """``dominance_analysis.Dominance``, imported behind stubs for its plotting libraries; None if missing.

    Shims (this process only), from the installed source of 1.1.9
    (``dominance_analysis/dominance.py``):

    - it imports ``plotly.offline`` (init_notebook_mode, iplot), ``cufflinks``,
      ``bokeh.plotting`` (figure, show), ``bokeh.io`` (output_notebook),
      ``bokeh.models`` (ColumnDataSource, LabelSet) and
      ``bokeh.models.formatters`` (NumeralTickFormatter), and calls
      ``output_notebook()`` and ``init_notebook_mode(connected=True)`` at
      import.  These are declared dependencies (bokeh pinned to 2.4.3, and
      cufflinks fails under numpy 2) that we do not install: each becomes an
      empty module with no-op functions and classes, used only by its
      plotting methods, which are not called here.  The stubs are removed
      from ``sys.modules`` once the package is imported.
    - nothing else needs a shim on the path timed here (``Dominance.__init__``
      and ``incremental_rsquare`` with ``objective=1``): sklearn's
      LinearRegression / SelectKBest, statsmodels, tqdm and numpy.linalg.pinv
      work as they are under numpy 2, pandas 3 and current scikit-learn.
      (Its plotting methods would also need ``DataFrame.append``, removed in
      pandas 2; they are not used.)
    """

    def noop(*args, **kwargs):
        return None

    class Stub:
        def __init__(self, *args, **kwargs):
            pass

    stubs = {
        "plotly": {},
        "plotly.offline": {"init_notebook_mode": noop, "iplot": noop},
        "cufflinks": {},
        "bokeh": {},
        "bokeh.plotting": {"figure": noop, "show": noop},
        "bokeh.io": {"output_notebook": noop},
        "bokeh.models": {"ColumnDataSource": Stub, "LabelSet": Stub},
        "bokeh.models.formatters": {"NumeralTickFormatter": Stub},
    }
    saved = {name: sys.modules.get(name) for name in stubs}
    for name, attrs in stubs.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)
    try:
        from dominance_analysis import Dominance
    except Exception as exc:  # not installed, or a version these shims do not cover
        print(f"  dominance-analysis not importable ({exc}); its lines are skipped")
        return None
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return Dominance


def import_relativeimp():
    try:
        from relativeImp import relativeImp
    except Exception as exc:
        print(f"  relativeImp not importable ({exc}); its lines are skipped")
        return None
    return relativeImp


def dominance_run(Dominance, frame: pd.DataFrame, drivers: list[str], data_format: int) -> pd.Series:
    """dominance-analysis end to end (from the DataFrame; mode 1 includes ``DataFrame.corr``), quietly."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        data = frame.copy() if data_format == 0 else frame.corr()
        dom = Dominance(data=data, target="y", objective=1, top_k=len(drivers), data_format=data_format)
        incremental = dom.incremental_rsquare()
    return pd.Series(incremental, dtype=float)


def statsmodels_loop(frame: pd.DataFrame, drivers: list[str]) -> pd.Series:
    """R² of 2**p - 1 statsmodels OLS fits (bit j of the index = driver j), then Shapley values."""
    x = frame[drivers].to_numpy()
    y = frame["y"].to_numpy()
    p = len(drivers)
    r2 = np.zeros(2**p)
    for mask in range(1, 2**p):
        cols = [j for j in range(p) if mask >> j & 1]
        r2[mask] = sm.OLS(y, sm.add_constant(x[:, cols])).fit().rsquared
    return pd.Series(shapley_values(r2), index=drivers)


def relativeimp_run(relativeImp, frame: pd.DataFrame, drivers: list[str]) -> pd.Series:
    out = relativeImp(frame, "y", list(drivers))
    return pd.Series(np.real(out["rawRelaImpt"].to_numpy()), index=out["driver"])


# --------------------------------------------------------------------------- report
def max_diff(theirs: pd.Series, mine: pd.Series) -> float:
    return float((theirs.reindex(mine.index) - mine).abs().max())


def main() -> None:
    started = time.perf_counter()
    Dominance = import_dominance()
    relativeImp = import_relativeimp()
    shapley_s = {}
    # The one-run tools are warmed up too, on 4 drivers: first-call costs (lazy imports and the
    # like) are not what is compared.
    small, small_drivers = make_data(4)
    statsmodels_loop(small, small_drivers)
    for mode in (0, 1) if Dominance else ():
        with contextlib.suppress(Exception):
            dominance_run(Dominance, small, small_drivers, mode)

    def row(p, tool, seconds, base=None, diff=None):
        ratio = "" if base is None else f"{seconds / base:.0f}x" if seconds / base >= 10 else f"{seconds / base:.1f}x"
        print(
            f"  {p:>3}  {tool:<60} {seconds:9.4f} {ratio or '-':>8}  {'-' if diff is None else f'{diff:.1e}'}",
            flush=True,
        )

    print(
        f"n = {N:,} rows, correlated drivers.  cxlab and relativeImp: median of {REPEATS} runs after a warm-up;\n"
        "dominance-analysis and the statsmodels loop: one run after a warm-up on 4 drivers.\n"
        "ratio = tool seconds / cxlab seconds (same method, same p); max|diff| = largest absolute\n"
        "difference from cxlab's importances (a cross-check).  dominance-analysis at p=15:\n"
        "correlation-matrix mode only (data_format=1; see the module docstring).\n"
    )
    print(f"  {'p':>3}  {'tool':<60} {'seconds':>9} {'ratio':>8}  max|diff|")
    for p in sorted(set(P_OURS) | set(P_DOMINANCE) | set(P_STATSMODELS)):
        frame, drivers = make_data(p)
        # cxlab's Shapley at every p: the base of the ratios and the reference of the diffs.
        sec, shap = timed(lambda: ours(frame, drivers, "shapley"), REPEATS)
        shapley_s[p] = sec
        row(p, "cxlab Shapley (end to end from the DataFrame)", sec)
        for mode in P_DOMINANCE.get(p, []) if Dominance else []:
            try:
                sec_d, dom = timed(lambda: dominance_run(Dominance, frame, drivers, mode), 1, warmup=False)
            except Exception as exc:  # a breakage the shims do not cover: report it, keep our figures
                print(f"  {p:>3}  dominance-analysis data_format={mode} failed: {type(exc).__name__}: {exc}")
                continue
            what = f"{2**p - 1:,} sklearn fits" if mode == 0 else f"{2**p - 1:,} subsets from corr"
            row(p, f"dominance-analysis data_format={mode} ({what})", sec_d, sec, max_diff(dom, shap))
        if p in P_STATSMODELS:
            sec_s, loop = timed(lambda: statsmodels_loop(frame, drivers), 1, warmup=False)
            row(p, f"statsmodels OLS loop ({2**p - 1:,} fits) + Shapley", sec_s, sec, max_diff(loop, shap))
        if p in P_OURS:
            sec_j, john = timed(lambda: ours(frame, drivers, "johnson"), REPEATS)
            row(p, "cxlab Johnson (end to end from the DataFrame)", sec_j)
            if relativeImp:
                sec_r, rel = timed(lambda: relativeimp_run(relativeImp, frame, drivers), REPEATS)
                row(p, "relativeImp Johnson", sec_r, sec_j, max_diff(rel, john))
            print(f"       (Johnson's weights vs Shapley values, same data: max|diff| {max_diff(john, shap):.1e})")

    # Peak memory of one p = 20 Shapley call (numpy's buffers are traced by tracemalloc).
    frame, drivers = make_data(20)
    tracemalloc.start()
    ours(frame, drivers, "shapley")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\nPeak memory traced during one p=20 Shapley call: {peak / 2**20:.1f} MB "
        f"(the data itself: {frame.memory_usage(deep=True).sum() / 2**20:.1f} MB)"
    )

    for p, limit in TARGETS.items():
        sec = shapley_s[p]
        print(f"Shapley p={p}: {sec:.4f} s (target < {limit:g} s): {'met' if sec < limit else 'NOT met'}")
    print(f"(whole benchmark: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
