"""Time of `cxlab run-wave` on the demo workspace beside papermill running an empty notebook.

Target: the wave run within 3x the empty-notebook run.  Both are commands
started from the shell, measured in this run three times each, and the
medians compared: `papermill empty.ipynb out.ipynb` is the fixed cost of a
Python start, papermill and a kernel; `cxlab run-wave` adds reading the
workspace, the statistics, three charts, the Excel pack and the HTML.  The
in-process `papermill.execute_notebook` time (papermill already imported) is
printed as well, for reference.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REPEATS = 3


def empty_notebook_seconds(tmp: Path) -> float:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp / "empty.ipynb"
    nbformat.write(nb, str(src))
    start = time.perf_counter()
    papermill.execute_notebook(
        str(src), str(tmp / "empty_out.ipynb"), parameters={"x": 2}, kernel_name="python3", progress_bar=False
    )
    return time.perf_counter() - start


def empty_notebook_cli_seconds(tmp: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            str(BIN / "papermill"),
            str(tmp / "empty.ipynb"),
            str(tmp / "empty_cli.ipynb"),
            "-p",
            "x",
            "2",
            "--no-progress-bar",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def run_wave_seconds(workspace: Path, reports: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            str(BIN / "cxlab"),
            "run-wave",
            "--workspace",
            str(workspace),
            "--wave",
            "2026-Q3",
            "--reports",
            str(reports),
            "--quiet",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        from cxlab.demo import build_demo

        t0 = time.perf_counter()
        build_demo(tmp / "demo", progress=False)
        build = time.perf_counter() - t0
        inproc = [empty_notebook_seconds(tmp) for _ in range(REPEATS)]
        empty = [empty_notebook_cli_seconds(tmp) for _ in range(REPEATS)]
        wave = [run_wave_seconds(tmp / "demo", tmp / "reports") for _ in range(REPEATS)]
    e, w, i = statistics.median(empty), statistics.median(wave), statistics.median(inproc)

    def runs(xs):
        return ", ".join(f"{x:.2f}" for x in xs)

    print(f"demo workspace build (simulate + 8 imports):        {build:6.2f} s")
    print(f"`papermill` command, empty notebook (median of {REPEATS}):  {e:6.2f} s   runs: {runs(empty)}")
    print(f"`cxlab run-wave`, demo 2026-Q3 (median of {REPEATS}):        {w:6.2f} s   runs: {runs(wave)}")
    print(f"papermill.execute_notebook in-process, empty (ref.):  {i:6.2f} s   runs: {runs(inproc)}")
    ratio = w / e
    print(
        f"ratio run-wave / empty-notebook command: {ratio:.2f}x  (target <= 3x: {'met' if ratio <= 3 else 'MISSED'}); "
        f"against the in-process figure: {w / i:.1f}x"
    )


if __name__ == "__main__":
    main()
