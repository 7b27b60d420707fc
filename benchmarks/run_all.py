"""`make bench`: every benchmark in turn; each prints its own figures and targets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_run_wave.py",
    "bench_breakdown.py",
    "bench_import.py",
    "bench_drivers.py",
    "bench_risk.py",
    "bench_derived.py",
    "bench_dashboard.py",
    "bench_text.py",
]

if __name__ == "__main__":
    failed = []
    for script in SCRIPTS:
        print(f"\n=== {script}", flush=True)
        if subprocess.call([sys.executable, str(HERE / script)] + sys.argv[1:]) != 0:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        sys.exit(1)
