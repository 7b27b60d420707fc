"""Another process holding the workspace makes a command wait, not crash.

DuckDB lets one process write a database file or several read it.  Real
subprocesses of ``python -m cxlab.cli`` run against real DuckDB files while
another process (a second import, an analyst's read-only connection, a
report) holds the file; the commands must wait, say once that they wait and
for whom, and give up after ``--lock-timeout`` with one line naming the
holder and exit status 2.  The tests that start the CLI are marked slow, as
everywhere in this project; the library's and the dashboard's are not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pandas as pd
import pytest

from cxlab.errors import WorkspaceLockedError
from cxlab.store.locking import connect_waiting, lock_holder, lock_timeout

# A process that opens the workspace's database (read-only or not), says so, keeps it for a while, then closes it.
HOLD = (
    "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
    "print('held', flush=True); time.sleep(float(sys.argv[3])); con.close()"
)


@contextmanager
def held(ws, seconds: float, *, read_only: bool = False):
    """Another process holding ``ws`` for ``seconds`` (from when it says so); yields that process."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(ws.db_path), "ro" if read_only else "rw", str(seconds)],
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"held"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def start_cxlab(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cxlab.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def waiting_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "waiting for workspace" in line]


def says_it_waits(proc: subprocess.Popen) -> str:
    """Block until ``proc`` says on stderr that it waits for the workspace; that line.

    (The interpreter's start alone takes seconds on a busy machine: a holder released
    after a fixed time might be gone before the command reaches the workspace.)
    """
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "waiting for workspace" in line, line + proc.stderr.read()
    return line


def finish_after_wait(proc: subprocess.Popen, first_line: str, timeout: float = 120) -> tuple[int, str, str]:
    code, out, err = finish(proc, timeout)
    return code, out, first_line + err


@pytest.mark.slow  # the CLI in a subprocess (the project's rule for `slow`)
def test_two_imports_at_once_both_succeed(small_ws, csv_file):
    first = csv_file("response_id,contact_id,nps\nR1,K1,9\nR2,K3,4\n", "first.csv")
    second = csv_file("response_id,contact_id,nps\nR3,K2,10\nR4,K4,7\n", "second.csv")
    # A third process holds the workspace as both start, so that they meet at the lock (and then each other).
    with held(small_ws, 600) as holder:
        imports = [
            start_cxlab("import", "--lock-timeout", "30", "--workspace", str(small_ws.path), "--wave", "2026-Q3", f)
            for f in (first, second)
        ]
        said = [says_it_waits(p) for p in imports]
        holder.kill()
        results = [finish_after_wait(p, line) for p, line in zip(imports, said)]
    for code, out, err in results:
        assert code == 0, err
        assert "2 responses loaded" in out
        assert "Traceback" not in err and "IOException" not in err
        # Said once per process waited for (the holder, maybe the other import), not at every retry.
        holders = [line.split("held by PID ")[1].split()[0] for line in waiting_lines(err)]
        assert 1 <= len(holders) == len(set(holders)) <= 2, err
    assert sorted(small_ws.responses()["response_id"]) == ["R1", "R2", "R3", "R4"]
    assert len(small_ws.imports()) == 2


@pytest.mark.slow  # the CLI in a subprocess (the project's rule for `slow`)
def test_the_same_file_imported_twice_at_once_loads_once(small_ws, csv_file):
    """Both pass the "already imported?" check before either writes; the second must look again under the lock."""
    path = csv_file("response_id,contact_id,nps\nR1,K1,9\nR2,K3,4\n", "same.csv")
    with held(small_ws, 600) as holder:
        imports = [
            start_cxlab("import", "--lock-timeout", "30", "--workspace", str(small_ws.path), "--wave", "2026-Q3", path)
            for _ in range(2)
        ]
        said = [says_it_waits(p) for p in imports]
        holder.kill()
        results = [finish_after_wait(p, line) for p, line in zip(imports, said)]
    for code, _, err in results:
        assert code == 0, err
        assert "Traceback" not in err and "Exception" not in err
    outs = sorted(out for _, out, _ in results)
    assert "2 responses loaded" in outs[0] and "already imported" in outs[1]
    assert sorted(small_ws.responses()["response_id"]) == ["R1", "R2"]
    assert len(small_ws.imports()) == 1


@pytest.mark.slow  # the CLI in a subprocess (the project's rule for `slow`)
def test_import_waits_for_an_analysts_read_only_connection(small_ws, csv_file):
    path = csv_file("response_id,contact_id,nps\nR1,K1,9\nR2,K3,4\n")
    with held(small_ws, 600, read_only=True) as holder:
        proc = start_cxlab("import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", path)
        line = says_it_waits(proc)
        time.sleep(1)  # the analyst goes on reading a little
        holder.kill()
        code, out, err = finish_after_wait(proc, line)
    assert code == 0, err
    assert "2 responses loaded" in out
    [line] = waiting_lines(err)
    assert f"PID {holder.pid}" in line and "python" in line
    assert len(small_ws.responses()) == 2


@pytest.mark.slow  # the CLI in a subprocess (the project's rule for `slow`)
def test_a_holder_past_the_timeout_gives_one_line_naming_it_and_exit_2(small_ws, csv_file):
    path = csv_file("response_id,contact_id,nps\nR1,K1,9\n")
    with held(small_ws, 60.0, read_only=True) as holder:
        started = time.monotonic()
        proc = start_cxlab(
            "import", "--lock-timeout", "1", "--workspace", str(small_ws.path), "--wave", "2026-Q3", path
        )
        code, _out, err = finish(proc)
        took = time.monotonic() - started
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[0] in waiting_lines(err)  # the wait, said once, then the error
    assert lines[1].startswith("cxlab import: error: workspace ") and f"is in use by PID {holder.pid} (" in lines[1]
    assert "--lock-timeout" in lines[1]
    assert took < 30  # gave up after about a second (plus the interpreter's start)
    assert small_ws.responses().empty


@pytest.mark.slow  # the CLI in a subprocess (the project's rule for `slow`)
def test_the_environment_sets_the_wait(small_ws):
    with held(small_ws, 60.0) as holder:
        proc = start_cxlab("metrics", "--workspace", str(small_ws.path), CXLAB_LOCK_TIMEOUT="0")
        code, _out, err = finish(proc)
    assert code == 2 and f"PID {holder.pid}" in err and "Traceback" not in err
    assert not waiting_lines(err)  # 0: one try, nothing to wait for


@pytest.mark.slow  # the CLI in a subprocess (the project's rule for `slow`)
def test_export_and_metrics_wait_for_a_writer(small_ws, csv_file, tmp_path):
    small_ws.import_wave(csv_file("response_id,contact_id,nps\nR1,K1,9\nR2,K3,4\n"), "2026-Q3")
    with held(small_ws, 600) as holder:
        export = start_cxlab("export", "--workspace", str(small_ws.path), "--out", str(tmp_path / "out"))
        metrics = start_cxlab("metrics", "--workspace", str(small_ws.path), "--min-n", "1")
        said = {"export": says_it_waits(export), "metrics": says_it_waits(metrics)}
        holder.kill()
        results = {
            "export": finish_after_wait(export, said["export"]),
            "metrics": finish_after_wait(metrics, said["metrics"]),
        }
    for name, (code, _out, err) in results.items():
        assert code == 0, f"{name}: {err}"
        assert len(waiting_lines(err)) == 1, f"{name}: {err}"
    assert (tmp_path / "out" / "responses.csv").exists()
    assert "nps" in results["metrics"][1].lower()


@pytest.mark.slow  # the CLI in a subprocess (the project's rule for `slow`)
def test_a_bad_lock_timeout_is_one_line(small_ws):
    proc = start_cxlab("metrics", "--workspace", str(small_ws.path), CXLAB_LOCK_TIMEOUT="soon")
    code, _out, err = finish(proc)
    assert code == 2
    assert err.strip() == "cxlab metrics: error: CXLAB_LOCK_TIMEOUT must be a number of seconds >= 0, not 'soon'"
    bad = start_cxlab("metrics", "--lock-timeout", "-1", "--workspace", str(small_ws.path))
    code, _out, err = finish(bad)
    assert code == 2 and "--lock-timeout: must be a number of seconds >= 0" in err


# ------------------------------------------------------------------ the library
def test_connect_waiting_names_the_holder_and_stops_at_the_timeout(small_ws):
    said: list[str] = []
    with held(small_ws, 60.0) as holder:
        started = time.monotonic()
        with pytest.raises(WorkspaceLockedError) as info:
            connect_waiting(small_ws.db_path, read_only=True, timeout=0.5, notify=said.append)
        assert 0.5 <= time.monotonic() - started < 5
    assert info.value.pid == holder.pid and info.value.program and "python" in info.value.program
    assert info.value.path == small_ws.db_path.parent
    assert len(said) == 1 and f"PID {holder.pid}" in said[0]


def test_readers_do_not_wait_for_readers(small_ws):
    said: list[str] = []
    with held(small_ws, 60.0, read_only=True):
        con = connect_waiting(small_ws.db_path, read_only=True, timeout=0, notify=said.append)
        con.close()
    assert said == []


def test_lock_messages_are_recognised():
    assert lock_holder('IO Error: Could not set lock on file "x": Conflicting lock is held in /bin/x (PID 7).') == (
        7,
        "/bin/x",
    )
    assert lock_holder('IO Error: Could not set lock on file "x": Conflicting lock is held') == (None, None)
    assert lock_holder("IO Error: No space left on device") is None
    assert lock_timeout({"CXLAB_LOCK_TIMEOUT": "0"}) == 0.0


# ------------------------------------------------------------------ the dashboard
def test_the_dashboard_says_it_is_being_updated_while_a_writer_holds_the_workspace(small_ws, csv_file):
    from cxlab.present.dashboard import Startup

    small_ws.import_wave(csv_file("response_id,contact_id,nps\nR1,K1,9\nR2,K3,4\n"), "2026-Q3")
    env = {"CXLAB_WORKSPACE": str(small_ws.path), "CXLAB_LOCK_TIMEOUT": "0.5", "CXLAB_DASHBOARD_MIN_N": "1"}
    with held(small_ws, 60.0):
        for lang, text in (("ru", "Данные сейчас обновляются"), ("en", "The workspace is being updated")):
            start = Startup({**env, "CXLAB_DASHBOARD_LANG": lang})
            start.warm()
            assert start.busy and start.error is None
            html = start.widget().value
            assert text in html and "Traceback" not in html and "IOException" not in html
    # Once the writer is done, the same start gives the dashboard.
    start = Startup(env)
    assert not start.busy and start.error is None and start.data is not None
    assert start.selection is not None and start.selection.wave == "2026-Q3"


@pytest.mark.slow
def test_an_import_and_a_run_wave_at_once_both_succeed(demo_ws_copy, tmp_path):
    ws = demo_ws_copy
    answered = set(ws.responses("2026-Q3")["contact_id"])
    free = [c for c in ws.contacts()["contact_id"] if c not in answered][:12]
    assert len(free) == 12
    files = []
    for i in range(4):
        rows = "".join(f"LOCK-{i}-{j},{c},{(i + j) % 11}\n" for j, c in enumerate(free[3 * i : 3 * i + 3]))
        path = tmp_path / f"late_{i}.csv"
        path.write_text("response_id,contact_id,nps\n" + rows, encoding="utf-8")
        files.append(str(path))
    reports = tmp_path / "reports"
    with held(ws, 2.0):  # both start while the workspace is taken: both wait
        run = start_cxlab(
            "run-wave", "--workspace", str(ws.path), "--wave", "2026-Q3", "--reports", str(reports), "--quiet"
        )
        first = start_cxlab("import", "--workspace", str(ws.path), "--wave", "2026-Q3", files[0])
        code, out, err = finish(first)
    assert code == 0, err
    # More imports while the report's notebooks read the workspace.
    for path in files[1:]:
        if run.poll() is not None:
            break
        code, out, err = finish(start_cxlab("import", "--workspace", str(ws.path), "--wave", "2026-Q3", path))
        assert code == 0, err
        assert "3 responses loaded" in out
    code, out, err = finish(run, timeout=900)
    assert code == 0, err
    assert (reports / ws.name / "2026-Q3" / "wave_report.html").exists()
    loaded = ws.responses("2026-Q3")["response_id"]
    assert pd.Series(loaded).str.startswith("LOCK-").sum() >= 3
