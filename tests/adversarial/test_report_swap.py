"""A wave's report folder is replaced atomically: a kill at any moment leaves the old or the new report whole.

The swap (:func:`cxlab.pipeline.publish_report`) runs in a child process (forked,
so that it starts in milliseconds) on small hand-made report folders and kills itself (SIGKILL) at a named step through
the test hook ``CXLAB_TEST_KILL_AT``; then the folder users open is checked,
and the next run's :func:`cxlab.pipeline.tidy_report_folder` must leave only
the report.  One slow test does the same with a real ``run_wave``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cxlab.pipeline import KILL_AT_ENV, _hold, _version_name, publish_report, tidy_report_folder

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and symbolic links as on POSIX")

WAVE = "2026-Q3"
FILES = ("wave_report.html", "metrics.json", "drivers.json", "wave_pack.xlsx", "figures/nps.png")


def _write_report(folder: Path, tag: str) -> Path:
    """A small report whose every file says which run wrote it, with run.json (a whole report)."""
    for name in FILES:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{tag}:{name}", encoding="utf-8")
    (folder / "run.json").write_text(json.dumps({"wave": WAVE, "tag": tag}), encoding="utf-8")
    return folder


def _report_at(final: Path) -> str | None:
    """Which report ``final`` shows ("old" or "new"), asserting it is whole; None when there is none."""
    if not final.exists():
        return None
    tags = set()
    for name in FILES:
        text = (final / name).read_text(encoding="utf-8")
        tags.add(text.split(":", 1)[0])
        assert text.endswith(name)
    assert len(tags) == 1, f"a mix of reports at {final}: {tags}"
    assert json.loads((final / "run.json").read_text())["tag"] in tags
    return tags.pop()


def _only_the_report_left(final: Path) -> None:
    """Beside ``final`` there is nothing but the folder it links to (no staging, aside, link or failed folder)."""
    entries = {p.name for p in final.parent.iterdir()}
    expected = {final.name}
    if final.is_symlink():
        target = Path(os.readlink(final))
        assert not target.is_absolute() and target.parent == Path("."), "a link relative to its own folder"
        expected.add(target.name)
    assert entries == expected


def _old_report(parent: Path, layout: str) -> Path:
    """``reports/demo/2026-Q3`` holding the old report as ``layout`` says; returns that path."""
    final = parent / WAVE
    if layout == "link":  # as this cxlab leaves it
        publish_report(_write_report(parent / _version_name(WAVE), "old"), final)
        assert final.is_symlink()
    elif layout == "folder":  # as cxlab before versioned folders left it
        _write_report(final, "old")
    return final


def _swap_in_child(staging: Path, final: Path, kill_at: str | None, *options: str) -> int:
    """Run the swap in a forked child process (cxlab already imported: milliseconds, not an interpreter's start).

    Returns the child's exit status, or minus the signal that ended it.
    """
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            import cxlab.pipeline as p

            os.environ.pop(KILL_AT_ENV, None)
            if kill_at:
                os.environ[KILL_AT_ENV] = kill_at
            if "no-links" in options:

                def refuse(*args, **kwargs):
                    raise OSError(1, "Operation not permitted")

                os.symlink = refuse  # type: ignore[assignment]  # a file system without symbolic links
            if "no-exchange" in options:
                p._exchange = lambda a, b: False  # type: ignore[assignment]  # no renameat2
            p.publish_report(staging, final)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


CASES = [
    # (layout of the old report, options, step at which the process is killed)
    *[("link", (), step) for step in ("linked", "swapped", "cleaned", None)],
    *[("folder", (), step) for step in ("linked", "swapped", "cleaned", None)],
    *[("none", (), step) for step in ("linked", "swapped", None)],
    # Without renameat2: the old folder is renamed aside, then the link put in place.
    *[("folder", ("no-exchange",), step) for step in ("linked", "moved-aside", "swapped", None)],
    # Without symbolic links at all: two renames.
    *[("folder", ("no-links",), step) for step in ("linked", "moved-aside", "swapped", None)],
    *[("link", ("no-links",), step) for step in ("moved-aside", "swapped")],
]


@pytest.mark.parametrize(("layout", "options", "kill_at"), CASES)
def test_a_kill_during_the_swap_leaves_a_whole_report(tmp_path, layout, options, kill_at):
    parent = tmp_path / "reports" / "demo"
    parent.mkdir(parents=True)
    final = _old_report(parent, layout)
    staging = _write_report(parent / _version_name(WAVE), "new")

    code = _swap_in_child(staging, final, kill_at, *options)
    assert code in (0, -signal.SIGKILL)

    killed = code == -signal.SIGKILL
    assert killed == (kill_at is not None)
    shown = _report_at(final)
    two_renames = "no-links" in options or ("no-exchange" in options and layout == "folder")
    if kill_at == "moved-aside" and two_renames:
        # The one moment without a report (documented): the next run puts the newer whole one back.
        assert shown is None
    else:
        assert shown in (("old", "new") if layout != "none" else (None, "new"))
        if kill_at in ("swapped", "cleaned", None):
            assert shown == "new"
        if kill_at == "linked":
            assert shown == ("old" if layout != "none" else None)

    # The next run starts by putting things right and cleaning up.
    tidy_report_folder(final)
    after = _report_at(final)
    assert after == (shown or "new")
    _only_the_report_left(final)


def test_leftovers_of_killed_and_failed_runs_are_cleaned_at_the_next_run(tmp_path):
    parent = tmp_path / "demo"
    parent.mkdir()
    final = _old_report(parent, "link")
    # A run killed while its notebooks ran (no run.json), one killed just after, the staging folder
    # of an older cxlab, a failed run's folder, a stray link: all left behind.
    unfinished = parent / _version_name(WAVE)
    (unfinished / "figures").mkdir(parents=True)
    (unfinished / "figures" / "half.png").write_bytes(b"\x89PNG" + b"\0" * 1000)
    finished = _write_report(parent / _version_name(WAVE), "newer but never shown")
    legacy_tmp = parent / f".{WAVE}.0badc0de.tmp"
    legacy_tmp.mkdir()
    (legacy_tmp / "wave_report.ipynb").write_text("{}")
    failed = parent / f"{WAVE}.failed"
    failed.mkdir()
    (failed / "wave_report.ipynb").write_text("{}")
    (failed / "big.bin").write_bytes(b"\0" * 100_000)
    stray = parent / (_version_name(WAVE) + ".link")
    stray.symlink_to(finished.name)
    # Not this wave's: another wave whose name starts alike, and a user's own file.
    other = _write_report(parent / f".{WAVE}.x.20260101T000000-0123abcd", "other wave")
    mine = parent / "notes.txt"
    mine.write_text("mine")

    tidy_report_folder(final)

    assert _report_at(final) == "old"
    assert {p.name for p in parent.iterdir()} == {
        WAVE,
        os.readlink(final),
        other.name,
        mine.name,
    }


def test_a_live_run_keeps_its_folder(tmp_path):
    parent = tmp_path / "demo"
    parent.mkdir()
    final = _old_report(parent, "link")
    running = parent / _version_name(WAVE)
    running.mkdir()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # another run of the wave, at work in `running`
        try:
            _hold(running)
            os.write(ready_w, b"held")
            time.sleep(60)
        finally:
            os._exit(0)
    try:
        assert os.read(ready_r, 4) == b"held"
        tidy_report_folder(final)
        assert running.is_dir(), "another run of the wave is still writing there"
    finally:
        os.kill(pid, signal.SIGKILL)  # the system drops its lock
        os.waitpid(pid, 0)
        os.close(ready_r)
        os.close(ready_w)
    tidy_report_folder(final)
    assert not running.exists()
    _only_the_report_left(final)


@pytest.mark.slow
def test_a_real_run_killed_at_the_swap_keeps_the_last_good_report(demo_ws, tmp_path):
    """run_wave itself, killed just before the swap, then run again: the last good report stays until replaced."""
    reports = tmp_path / "reports"
    final = reports / demo_ws.name / WAVE
    final.mkdir(parents=True)  # a report of an earlier cxlab: a real folder
    (final / "wave_report.html").write_text("last good report")
    (final / "metrics.json").write_text('{"good": true}')
    env = dict(os.environ, **{KILL_AT_ENV: "linked"})
    code = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from cxlab.pipeline import run_wave; "
            "run_wave(sys.argv[1], sys.argv[2], reports_root=sys.argv[3], progress=False)",
            str(demo_ws.path),
            WAVE,
            str(reports),
        ],
        env=env,
        capture_output=True,
        timeout=900,
    ).returncode
    assert code == -signal.SIGKILL
    assert (final / "wave_report.html").read_text() == "last good report"
    assert json.loads((final / "metrics.json").read_text()) == {"good": True}
    left = [p for p in final.parent.iterdir() if p.name != WAVE]
    assert left and all(p.name.startswith(f".{WAVE}.") for p in left)  # the finished new report, not shown

    from cxlab.pipeline import run_wave

    run = run_wave(demo_ws, WAVE, reports_root=reports, progress=False)
    assert run.output_dir == final and final.is_symlink()
    assert "last good report" not in (final / "wave_report.html").read_text()
    assert json.loads((final / "metrics.json").read_text()) != {"good": True}
    assert all(p.exists() for p in run.files)
    _only_the_report_left(final)


def test_a_failed_run_keeps_only_its_executed_notebooks(tmp_path):
    from cxlab.pipeline import _keep_notebooks_only

    failed = tmp_path / f"{WAVE}.failed"
    (failed / "figures").mkdir(parents=True)
    (failed / "figures" / "a.png").write_bytes(b"\0" * 10_000)
    (failed / "wave_pack.xlsx").write_bytes(b"\0" * 10_000)  # half-written on a full disk
    (failed / "wave_report.ipynb").write_text("{}")
    (failed / "drivers.ipynb").write_text("{}")
    _keep_notebooks_only(failed)
    assert sorted(p.name for p in failed.iterdir()) == ["drivers.ipynb", "wave_report.ipynb"]
