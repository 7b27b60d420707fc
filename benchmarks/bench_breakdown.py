"""NPS breakdown over 1M and 10M responses stored in a workspace, beside pandas.

For each size a consumer-brand volume is simulated once and stored in a
workspace under ``benchmarks/_data/`` (kept between runs).  Then, each in a
fresh process so that peak memory is its own:

- cxlab: ``Workspace.nps_counts(by=3 columns)`` (DuckDB counts) +
  ``metrics.nps_breakdown_from_counts`` (NPS, trinomial interval, shares,
  suppression) — the time of the call and the process's peak RSS;
- pandas: the same breakdown as a plain ``groupby`` of the responses already
  in memory (the load is not counted), and the peak RSS of that process.

Targets: 10M breakdown under 0.2 s with peak memory under 2 GB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
BY = ["wave_id", "team", "manager"]
SIZES = [1_000_000, 10_000_000]
REPEATS = 5


DATA_VERSION = "2"  # bump when the workspace layout changes


def workspace_for(size: int) -> Path:
    """The stored workspace for ``size`` responses, built (in a child process) when missing."""
    path = DATA / f"consumer_{size // 1_000_000}m"
    stamp = path / "bench_version"
    if not (stamp.exists() and stamp.read_text() == f"{DATA_VERSION}:{size}"):
        subprocess.run([sys.executable, __file__, "--build", str(size), str(path)], check=True)
        stamp.write_text(f"{DATA_VERSION}:{size}")
    return path


def child_build(size: str, path: str) -> None:
    from cxlab import Workspace
    from cxlab.simulate import simulate

    t0 = time.perf_counter()
    sim = simulate(seed=7, scale=int(size))
    ws = Workspace.create(path, overwrite=True)
    ws.load_tables({k: v for k, v in sim.tables.items() if len(v) and k not in ("imports",)}, source="simulator")
    print(
        f"  built {Path(path).name}: {int(size):,} responses stored in {time.perf_counter() - t0:.1f} s "
        f"(simulate + load + NPS cube)",
        flush=True,
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: not inherited from the parent, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_cxlab(path: str) -> None:
    from cxlab import Workspace, metrics

    ws = Workspace(path)
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        counts = ws.nps_counts(BY)
        table = metrics.nps_breakdown_from_counts(counts, by=BY, min_n=30)
        times.append(time.perf_counter() - t0)
    # For reference: DuckDB counting the raw responses table (no cube).
    raw = []
    with ws.connect() as con:
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            con.execute(
                f"SELECT {', '.join(BY)}, count(*) FILTER (WHERE nps >= 9), "
                "count(*) FILTER (WHERE nps >= 7 AND nps < 9), count(*) FILTER (WHERE nps < 7) "
                "FROM responses WHERE nps IS NOT NULL GROUP BY ALL"
            ).fetchall()
            raw.append(time.perf_counter() - t0)
    print(
        json.dumps(
            {
                "seconds": sorted(times)[len(times) // 2],
                "best": min(times),
                "cells": len(table),
                "rss_mb": peak_rss_mb(),
                "raw_seconds": sorted(raw)[len(raw) // 2],
            }
        )
    )


def child_pandas(path: str) -> None:
    from cxlab import Workspace

    frame = Workspace(path).sql(f"SELECT {', '.join(BY)}, nps FROM responses")
    loaded = peak_rss_mb()
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        cat = frame["nps"].ge(9).astype("int8") - frame["nps"].le(6).astype("int8")
        g = frame.assign(p=cat.eq(1), d=cat.eq(-1)).groupby(BY, observed=True)
        out = g.agg(n=("nps", "size"), p=("p", "sum"), d=("d", "sum"))
        out["nps"] = 100 * (out["p"] - out["d"]) / out["n"]
        times.append(time.perf_counter() - t0)
    print(
        json.dumps(
            {
                "seconds": sorted(times)[len(times) // 2],
                "best": min(times),
                "cells": len(out),
                "rss_mb": peak_rss_mb(),
                "rss_after_load_mb": loaded,
            }
        )
    )


def run_child(kind: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, kind, str(path)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    DATA.mkdir(exist_ok=True)
    for size in SIZES:
        path = workspace_for(size)
        cx = run_child("--cxlab", path)
        pd_ = run_child("--pandas", path)
        label = f"{size // 1_000_000}M"
        print(f"{label} responses, NPS by {'+'.join(BY)} ({cx['cells']} cells, intervals + suppression):")
        print(
            f"  cxlab (DuckDB counts + intervals): {cx['seconds']:.3f} s median (best {cx['best']:.3f}), "
            f"peak RSS {cx['rss_mb']:.0f} MB"
        )
        print(f"  DuckDB counting raw responses (no cube, counts only): {cx['raw_seconds']:.3f} s median")
        print(
            f"  pandas groupby (data in memory):   {pd_['seconds']:.3f} s median (best {pd_['best']:.3f}), "
            f"peak RSS {pd_['rss_mb']:.0f} MB"
        )
        if size == 10_000_000:
            ok_t, ok_m = cx["seconds"] < 0.2, cx["rss_mb"] < 2048
            print(
                f"  target 10M < 0.2 s: {'met' if ok_t else 'MISSED'}; peak memory < 2 GB: "
                f"{'met' if ok_m else 'MISSED'}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--build":
        child_build(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "--cxlab":
        child_cxlab(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--pandas":
        child_pandas(sys.argv[2])
    else:
        main()
