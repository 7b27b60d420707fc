"""Derived results: the time to derive them (import, run-wave) and the time the dashboard takes to read them.

On the demo workspace (built in a temporary folder) and on the 1M-response
consumer workspace that ``bench_breakdown.py`` keeps under
``benchmarks/_data/`` (built there when missing; its ``derived/`` folder is
emptied first, so the derive is measured from nothing):

- derive: :func:`cxlab.present.derived_results.derive` over every wave
  (churn scores, unfiltered importance-performance matrices, coded comments);
- fingerprint: the query that keys the entries (once per dashboard kernel);
- read: a fresh ``DashboardData`` (its own load not counted) reading every
  stored entry, which is what the dashboard's first view and wave changes do
  instead of computing.

Run: ``.venv/bin/python benchmarks/bench_derived.py [--demo-only]``.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(label: str, path: Path) -> dict:
    from cxlab.present.dashboard_data import DashboardData, Selection
    from cxlab.present.derived_results import derive, results_of
    from cxlab.store import Workspace
    from cxlab.store.results import RESULTS_DIR, data_fingerprint

    shutil.rmtree(path / RESULTS_DIR, ignore_errors=True)
    ws = Workspace(path)
    t0 = time.perf_counter()
    dash = DashboardData(ws)
    load = time.perf_counter() - t0
    summary = derive(ws, progress=False, dashboard=dash)
    derive_s = time.perf_counter() - t0 - load
    t0 = time.perf_counter()
    data_fingerprint(ws)
    fingerprint = time.perf_counter() - t0
    fresh = DashboardData(ws)
    t0 = time.perf_counter()
    ready = all(fresh.ready(k, Selection(w)) for w in fresh.waves for k in ("risk", "ipa", "themes"))
    for w in fresh.waves:
        fresh.risk_scores(w)
        fresh.ipa(Selection(w))
    fresh.coded_comments()
    read = time.perf_counter() - t0
    assert results_of(fresh).fingerprint() is not None
    print(
        f"{label:>5}: {summary}\n"
        f"       derive {derive_s:6.1f} s (+ {load:.1f} s loading the survey) | "
        f"fingerprint {fingerprint * 1000:6.0f} ms | dashboard reads all {len(fresh.waves)} waves' results "
        f"in {read:5.2f} s (all ready before: {ready})",
        flush=True,
    )
    return {"label": label, "derive": derive_s, "read": read, "fingerprint": fingerprint}


def main(argv: list[str]) -> int:
    from cxlab.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo(Path(tmp) / "demo", progress=False)
        measure("demo", demo.path)
    if "--demo-only" not in argv:
        breakdown = _load("bench_breakdown", HERE / "bench_breakdown.py")
        measure("1M", breakdown.workspace_for(1_000_000))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
