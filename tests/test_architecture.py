"""The layers of docs/ARCHITECTURE.md hold: import-linter's contracts (pyproject.toml) pass, and break on a bad import.

``lint-imports`` reads every ``import`` of the package, those inside functions included, so a lazy import that
crosses a layer is caught too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # The package is found from the working directory first (python's own rule for `sys.path[0] == ""` does not
    # apply to a console script, so it is put on the path explicitly).
    env["PYTHONPATH"] = str(cwd)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_package_keeps_every_contract():
    res = _lint_imports(ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert {c["id"] for c in contracts["contracts"]} >= {"layers", "pure-analysis", "one-writer"}
    assert f"Contracts: {len(contracts['contracts'])} kept, 0 broken." in res.stdout


def _lint_a_copy_with(tmp_path: Path, module: str, code: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on a copy of the package whose ``module`` (a path under cxlab/) ends with ``code``."""
    shutil.copytree(ROOT / "cxlab", tmp_path / "cxlab", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "cxlab" / module
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code, encoding="utf-8")
    res = _lint_imports(tmp_path)
    assert res.returncode == 1, res.stdout
    return res


def test_an_analysis_module_that_opens_the_store_breaks_the_rules(tmp_path):
    # A lazy import, inside a function, as one would write it to "just read the workspace".
    code = "\ndef _peek(path):\n    from cxlab.store import Workspace\n\n    return Workspace(path)\n"
    res = _lint_a_copy_with(tmp_path, "metrics/nps.py", code)
    assert "cxlab.metrics.nps -> cxlab.store" in res.stdout
    assert "Analysis is pure" in res.stdout and "BROKEN" in res.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_the_rules(tmp_path):
    res = _lint_a_copy_with(tmp_path, "schema.py", "from cxlab import pipeline  # noqa: E402\n")
    assert "cxlab.schema is not allowed to import cxlab.pipeline" in res.stdout


def test_duckdb_outside_the_store_breaks_the_rules(tmp_path):
    res = _lint_a_copy_with(tmp_path, "export.py", "import duckdb  # noqa: E402,F401\n")
    assert "cxlab.export -> duckdb" in res.stdout
