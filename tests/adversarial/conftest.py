"""Fixtures of the adversarial suite."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def tiny_disk(tmp_path):
    """``tiny_disk(size, options="")``: a real tmpfs of ``size`` (e.g. ``"64k"``) mounted for the test: a full disk.

    ENOSPC cannot be faked reliably otherwise (a link to /dev/full is replaced
    by the write-then-rename of the writers).  Skipped with the reason where
    mounting is not permitted (not root, a container without mount rights).
    """
    mounted: list[Path] = []

    def mount(size: str = "32k", options: str = "") -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        if shutil.which("mount") is None:
            pytest.skip("no mount command here: a full disk needs a small tmpfs")
        opts = f"size={size}" + (f",{options}" if options else "")
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(point)], capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here (needs root and mount rights): {res.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)
