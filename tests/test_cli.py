"""`cxlab import` and `cxlab demo` from the command line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # the CLI in a subprocess; `cxlab demo` builds a workspace


def cxlab(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cxlab.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_import_reports_and_is_idempotent(small_ws, csv_file):
    path = csv_file("response_id,contact_id,nps\nR1,K1,9\nR2,K3,4\n")
    first = cxlab("import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", path)
    assert first.returncode == 0, first.stderr
    assert "2 rows read, 2 responses loaded" in first.stdout
    again = cxlab("import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", path)
    assert again.returncode == 0 and "already imported" in again.stdout and "nothing new loaded" in again.stdout
    assert len(small_ws.responses()) == 2


def test_import_bad_file_exits_non_zero_naming_row_and_column(small_ws, csv_file):
    path = csv_file("response_id,contact_id,nps\nR1,K1,9\nR2,K3,12\n", "bad.csv")
    res = cxlab("import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", "--strict", path)
    assert res.returncode == 2
    assert "bad.csv, row 3, column 'nps'" in res.stderr and "Traceback" not in res.stderr
    assert small_ws.responses().empty
    # Without --strict the valid rest is loaded, the refusal listed, and the exit status says so.
    res = cxlab("import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", path)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "refused (1)" in res.stdout and "bad.csv, row 3, column 'nps': value 12" in res.stdout
    nps = small_ws.responses().set_index("response_id")["nps"]
    assert nps["R1"] == 9 and pd.isna(nps["R2"])  # the out-of-scale answer is left empty, the response kept


def test_demo_builds_a_workspace_without_running(tmp_path):
    res = cxlab("demo", "--workspace", str(tmp_path / "demo"), "--no-run", "--quiet")
    assert res.returncode == 0, res.stderr
    assert "demo workspace:" in res.stdout and "2026-Q3" in res.stdout
