"""A workspace path with a backslash is refused: DuckDB reads ``a\\b`` as ``a/b`` and would open another workspace."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cxlab import Workspace
from cxlab.errors import WorkspaceError

pytestmark = pytest.mark.skipif(os.sep == "\\", reason="the backslash is the separator there")


def test_opening_a_folder_with_a_backslash_is_refused(tmp_path):
    Workspace.create(tmp_path / "a" / "b", name="the other one")
    tricky = tmp_path / "a\\b"
    tricky.mkdir()
    (tricky / "workspace.duckdb").write_bytes(b"")  # looks like a workspace; DuckDB would open a/b's instead
    with pytest.raises(WorkspaceError, match=r"contains a backslash, which DuckDB reads as a folder separator"):
        Workspace(tricky)


def test_creating_a_workspace_with_a_backslash_is_refused(tmp_path):
    with pytest.raises(WorkspaceError, match="backslash"):
        Workspace.create(tmp_path / "x\\y")
    assert not (tmp_path / "x").exists() and not (tmp_path / "x\\y").exists()


@pytest.mark.slow  # the CLI in a subprocess
def test_the_cli_says_it_in_one_line(tmp_path):
    Workspace.create(tmp_path / "a" / "b")
    (tmp_path / "a\\b").mkdir()
    (tmp_path / "a\\b" / "workspace.duckdb").write_bytes(b"")
    res = subprocess.run(
        [sys.executable, "-m", "cxlab.cli", "export", "--workspace", str(tmp_path / "a\\b"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "contains a backslash" in res.stderr and "Traceback" not in res.stderr
