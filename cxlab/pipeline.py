"""The per-wave pipeline: parameterised notebooks executed with papermill.

:func:`run_notebook` is the one way cxlab executes a notebook.  papermill
writes parameter *names* into code unescaped, so only names the notebook
declares in its ``parameters`` cell are accepted, and each value must have
the type of the declared default.  A failing cell, a cell timeout or a dead
kernel becomes a :class:`cxlab.errors.RunError` naming the notebook and the
cell.

:func:`run_wave` executes ``notebooks/wave_report.ipynb`` for one wave into
``reports/<workspace>/<wave>/`` beside ``notebooks/drivers.ipynb`` (key
drivers, needs, managers) and ``notebooks/churn_risk.ipynb`` (early
warnings, churn risk, revenue at risk, follow-up), joins them into one HTML
report without code and one Excel pack.  The
run is written to a fresh folder that replaces the previous report only when
everything succeeded, so a rerun overwrites cleanly and a failed run leaves
the last good report in place; the replacement is atomic (see
:func:`publish_report`): a run killed at any moment leaves the old report or
the new one, whole, at ``reports/<workspace>/<wave>/``.

Examples
--------
>>> from cxlab.pipeline import notebook_parameters
>>> sorted(notebook_parameters("wave_report"))  # doctest: +SKIP
['lang', 'min_n', 'output_dir', 'wave', 'workspace']
"""

from __future__ import annotations

import ast
import ctypes
import json
import os
import re
import shutil
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# jsonschema (under nbformat) imports rfc3987_syntax when it is installed, to
# check IRI formats, and building that package's grammar costs about a second
# at every start; no notebook field is an IRI, so it is kept out.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None blocks the import

import nbformat  # noqa: E402
import papermill  # noqa: E402
from papermill.exceptions import PapermillExecutionError  # noqa: E402

from cxlab.errors import RunError  # noqa: E402
from cxlab.resources import notebooks_path, package_parent  # noqa: E402
from cxlab.safe_text import strip_control  # noqa: E402

__all__ = [
    "REPO_ROOT",
    "NOTEBOOKS",
    "notebook_path",
    "notebook_parameters",
    "validate_parameters",
    "run_notebook",
    "notebook_to_html",
    "run_wave",
    "WaveRun",
]

#: Deprecated: the folder that holds the ``cxlab`` package (the checkout in an
#: editable install, ``site-packages`` in a wheel install); the notebooks are
#: not necessarily under it, use :data:`NOTEBOOKS`.
REPO_ROOT = package_parent()
#: The shipped notebooks (``notebooks/``, package data ``cxlab.notebooks``).
NOTEBOOKS = notebooks_path()
#: Notebooks that `run_wave` executes, side by side, when they exist.  The
#: first is the report; the others' cells follow it in the one HTML report
#: and their packs (``*_pack.xlsx``) are merged into its ``wave_pack.xlsx``.
WAVE_NOTEBOOKS = ("wave_report", "drivers", "churn_risk")
REPORT_PACK = "wave_pack.xlsx"

SAFE_NAME = re.compile(r"[^\W_][\w .-]*")
_PY_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}


def notebook_path(name) -> Path:
    path = Path(name)
    if path.suffix != ".ipynb":
        path = NOTEBOOKS / f"{name}.ipynb"
    if not path.exists():
        raise RunError(f"notebook not found: {path}")
    return path


def notebook_parameters(notebook) -> dict[str, dict]:
    """Parameters a notebook declares (its cell tagged ``parameters``)."""
    return papermill.inspect_notebook(str(notebook_path(notebook)))


def validate_parameters(notebook, parameters: dict) -> dict:
    """Check names and types against the notebook's declared parameters.

    Raises
    ------
    RunError
        An undeclared name, or a value whose type differs from the declared
        default's (``int`` is accepted where ``float`` is declared; ``bool``
        never passes for ``int``).
    """
    declared = notebook_parameters(notebook)
    name = notebook_path(notebook).name
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise RunError(f"{name} does not declare parameter(s) {unknown}; it declares {sorted(declared)}")
    for key, value in parameters.items():
        expected = declared[key].get("inferred_type_name") or "None"
        if expected == "None":
            expected = _literal_type(declared[key].get("default"))
        types = _PY_TYPES.get(expected)
        if types is None:
            continue  # declared without a literal default: nothing to check against
        if isinstance(value, bool) and expected != "bool":
            ok = False
        else:
            ok = isinstance(value, types)
        if not ok:
            raise RunError(f"{name}: parameter '{key}' must be {expected}, got {type(value).__name__} {value!r}")
        if isinstance(value, str) and any(ord(ch) < 32 for ch in value):
            raise RunError(f"{name}: parameter '{key}' contains control characters")
    return dict(parameters)


def _literal_type(default) -> str:
    """Type name of a default written as a literal (for cells without annotations)."""
    try:
        value = ast.literal_eval(default) if isinstance(default, str) else default
    except (ValueError, SyntaxError):
        return "None"
    return type(value).__name__ if type(value).__name__ in _PY_TYPES else "None"


def _failing_cell(output_path: Path) -> tuple[int | None, str]:
    """Position (1-based, in the source notebook) and first line of the cell that stopped the run.

    papermill adds an injected-parameters cell and error banners to the
    executed copy; they are skipped so the number matches what the user sees
    when opening the notebook under ``notebooks/``.
    """
    try:
        nb = nbformat.read(str(output_path), as_version=4)
    except Exception:  # the output may not have been written at all
        return None, ""
    position, found, last = 0, None, None
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "papermill-error-cell-tag" in tags or "injected-parameters" in tags:
            continue
        position += 1
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("status") == "failed" or meta.get("exception"):
            found = (position, cell)
            break
        if meta.get("start_time") and cell.cell_type == "code":
            last = (position, cell)
    found = found or last
    if found is None:
        return None, ""
    lines = [ln for ln in found[1].source.strip().splitlines() if not ln.lstrip().startswith("#")]
    return found[0], (lines[0] if lines else "")


KERNEL_NAME = "cxlab"


def ensure_kernel() -> str:
    """The kernel notebooks run in: this very Python, registered as ``cxlab``.

    An analyst's own ``python3`` kernelspec (Anaconda, another venv) may
    point at a Python without cxlab; a kernelspec of our own, written into
    this environment and naming ``sys.executable``, cannot.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if spec.argv and spec.argv[0] == sys.executable and "-Xfrozen_modules=off" not in spec.argv:
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    # frozen_modules=True keeps the interpreter's fast start (the default
    # turns frozen modules off for debuggers).
    install(kernel_name=KERNEL_NAME, display_name="cxlab (Python 3)", prefix=sys.prefix, frozen_modules=True)
    return KERNEL_NAME


def run_notebook(
    notebook, output_path, parameters: dict, *, cwd=None, timeout: int = 600, progress: bool = True
) -> Path:
    """Execute a notebook with validated parameters.

    Parameters
    ----------
    notebook : str or Path
        Name under ``notebooks/`` (``"wave_report"``) or a path.
    output_path : str or Path
        Where the executed notebook is written (also on failure).
    parameters : dict
        Only names the notebook declares; values of the declared type.
    timeout : int
        Seconds a single cell may run.

    Raises
    ------
    RunError
        Naming the notebook, the cell (number and first line) and the error.
    """
    src = notebook_path(notebook)
    params = validate_parameters(src, parameters)
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(src),
            str(output_path),
            parameters=params,
            kernel_name=ensure_kernel(),
            cwd=str(cwd) if cwd else None,
            execution_timeout=timeout,
            progress_bar=progress,
            report_mode=False,
        )
    except PapermillExecutionError as exc:
        index, first = _failing_cell(output_path)
        raise RunError(
            notebook=src.name,
            cell=index,
            cell_source=first,
            ename=exc.ename,
            evalue=exc.evalue,
            outcome="failed",
            executed=output_path,
        ) from exc
    except Exception as exc:
        # nbclient raises CellTimeoutError and DeadKernelError straight through.
        kind = type(exc).__name__
        index, first = _failing_cell(output_path)
        if "Timeout" in kind:
            what = f"timed out after {timeout} s"
        elif "DeadKernel" in kind:
            what = "killed the kernel (it died: out of memory or a crash)"
        else:
            what = "stopped"  # the message adds the exception's name and text
        raise RunError(
            notebook=src.name,
            cell=index,
            cell_source=first,
            ename=kind,
            evalue=str(exc),
            outcome=what,
            executed=output_path,
        ) from exc
    return output_path


def _run_side_by_side(names: list[str], staging: Path, params: dict, *, timeout: int, progress: bool) -> None:
    """Execute the wave's notebooks at once, each in its own kernel.

    They read the same workspace and write different files, so nothing
    orders them; on two cores the run takes about as long as the slowest
    notebook.  Every notebook is waited for, then the first failure (in
    :data:`WAVE_NOTEBOOKS` order) is raised.
    """
    from concurrent.futures import ThreadPoolExecutor

    if not names:
        return
    # Registered once, before the threads: two installs into one prefix collide.
    ensure_kernel()
    # No cwd: papermill changes the whole process's directory for it, which
    # threads would undo for each other; every path passed is absolute.
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = [
            pool.submit(
                run_notebook,
                name,
                staging / f"{name}.ipynb",
                params,
                cwd=None,
                timeout=timeout,
                progress=progress and i == 0,
            )
            for i, name in enumerate(names)
        ]
        errors = [f.exception() for f in futures]
    for error in errors:
        if error is not None:
            raise error


def _joined_notebook(paths: list[Path]):
    """The executed notebooks as one: the report's cells, then the others' (parameters left out)."""
    nb = nbformat.read(str(paths[0]), as_version=4)
    for path in paths[1:]:
        other = nbformat.read(str(path), as_version=4)
        nb.cells += [
            c
            for c in other.cells
            if not {"parameters", "injected-parameters"} & set(c.get("metadata", {}).get("tags", []))
        ]
    return nb


def _merge_packs(folder: Path) -> None:
    """Fold the section packs the notebooks wrote into the report's Excel pack."""
    from cxlab.present.excel import merge_packs

    packs = sorted(p for p in folder.glob("*_pack.xlsx") if p.name != REPORT_PACK)
    if packs and (folder / REPORT_PACK).exists():
        merge_packs(folder / REPORT_PACK, packs)
        for p in packs:
            p.unlink()


def _html_exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def notebook_to_html(notebook_file, html_file, *, title: str | None = None, exporter=None) -> Path:
    """Executed notebook (a path or a notebook node) -> standalone HTML without code cells or prompts."""
    nb = (
        notebook_file
        if isinstance(notebook_file, nbformat.NotebookNode)
        else nbformat.read(str(notebook_file), as_version=4)
    )
    if title:
        nb.metadata["title"] = title
    body, _ = (exporter or _html_exporter()).from_notebook_node(nb)
    # Stored text may predate cleaning at import (cxlab repair fixes it): HTML carries no control characters.
    Path(html_file).write_text(strip_control(body), encoding="utf-8")
    return Path(html_file)


# ------------------------------------------------------------ report folders
#: A test hook, never set otherwise: the name of a step of the report swap (see
#: :func:`publish_report`) at which the process kills itself with SIGKILL, so
#: that tests can check that a kill at that moment leaves a whole report.
KILL_AT_ENV = "CXLAB_TEST_KILL_AT"
#: How long a leftover folder counts as a live run's where no file lock tells (no fcntl).
_LIVE_WITHOUT_LOCKS = 6 * 3600


def _step(name: str) -> None:
    """A moment of the swap; the tests' kill hook (:data:`KILL_AT_ENV`) acts here."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def _version_name(wave: str) -> str:
    """``.<wave>.<UTC time>-<random>``: a fresh, hidden, sortable name for one run's folder."""
    return f".{wave}.{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}"


def _leftover(final: Path, entry: Path) -> str | None:
    """What ``entry`` (beside the report ``final``) is, when it belongs to that wave's runs; else None.

    ``"version"`` a run's folder (``.<wave>.<time>-<hex>``), ``"link"`` a
    symbolic link being placed (``.link``), ``"old"`` a report moved aside
    (``.old``), ``"tmp"`` the staging folder of cxlab versions before 0.x
    (``.<wave>.<hex>.tmp``), ``"failed"`` the last failed run
    (``<wave>.failed``).  The pattern is anchored, so wave ``2026-Q3`` never
    claims wave ``2026-Q3.x``'s folders.
    """
    wave = re.escape(final.name)
    name = entry.name
    if name == f"{final.name}.failed":
        return "failed"
    found = re.fullmatch(rf"\.{wave}\.\d{{8}}T\d{{6}}-[0-9a-f]{{8}}(\.link|\.old)?", name)
    if found:
        return (found.group(1) or ".version")[1:]
    if re.fullmatch(rf"\.{wave}\.[0-9a-f]{{8}}\.tmp", name):
        return "tmp"
    return None


def _hold(folder: Path) -> int | None:
    """Lock ``folder`` for this run (an advisory lock the system drops when the process dies).

    Another run's clean-up leaves a locked folder alone: it is a run of the
    same wave still at work.  Returns the descriptor to release, or None
    where there are no such locks.
    """
    try:
        import fcntl
    except ImportError:  # Windows: see _in_use
        return None
    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def _release(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing drops the lock


def _in_use(folder: Path) -> bool:
    """Whether a live run holds ``folder`` (see :func:`_hold`)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    try:
        import fcntl
    except ImportError:
        return time.time() - folder.stat().st_mtime < _LIVE_WITHOUT_LOCKS
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also drops the lock just taken
    return False


def _remove(entry: Path) -> None:
    if entry.is_symlink() or entry.is_file():
        entry.unlink(missing_ok=True)
    elif entry.is_dir():
        shutil.rmtree(entry, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it (glibc < 2.28, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def tidy_report_folder(final) -> None:
    """Put ``final`` (``reports/<workspace>/<wave>``) right and clean what earlier runs left beside it.

    Run at the start of every :func:`run_wave`, before anything is written
    (so that a failed run's files do not keep a full disk full).

    1. Recovery: when no report is at ``final`` (a run killed between the
       two renames of the fallback in :func:`publish_report`), the newest
       whole report beside it (a folder with ``run.json``, which a run
       writes last; a run's folder before one moved aside, then the latest
       ``run.json``) is put back there.
    2. Clean-up: every folder or link of this wave's runs that ``final``
       does not point to is deleted: earlier versions, unfinished staging
       folders, reports moved aside, the last failed run's
       ``<wave>.failed``, and the ``.<wave>.<hex>.tmp`` folders of earlier
       cxlab versions.  A folder a live run of the same wave holds is left
       alone.

    Examples
    --------
    >>> tidy_report_folder("reports/demo/2026-Q3")  # doctest: +SKIP
    """
    final = Path(final)
    parent = final.parent
    if not parent.is_dir():
        return
    entries = [e for e in parent.iterdir() if _leftover(final, e) is not None]
    if not final.exists():  # nothing there, or a link to nothing
        whole = [
            e
            for e in entries
            if _leftover(final, e) in ("version", "old")
            and not e.is_symlink()
            and (e / "run.json").is_file()
            and not _in_use(e)
        ]
        if whole:
            best = max(
                whole, key=lambda e: (_leftover(final, e) == "version", (e / "run.json").stat().st_mtime_ns, e.name)
            )
            _place(best, final)
            entries.remove(best)
    current = final.resolve() if final.is_symlink() else None
    for entry in entries:
        if current is not None and entry.resolve() == current and not entry.is_symlink():
            continue
        if _leftover(final, entry) != "failed" and _in_use(entry):
            continue
        _remove(entry)


def _place(folder: Path, final: Path) -> None:
    """Make ``final`` show ``folder`` (a link where the system allows, else a rename)."""
    link = folder.with_name(folder.name.removesuffix(".old") + ".link")
    try:
        _remove(link)
        os.symlink(folder.name, link, target_is_directory=True)
    except OSError:
        if final.is_symlink():
            final.unlink()
        os.rename(folder, final)
        return
    os.replace(link, final)


def publish_report(staging, final) -> None:
    """Make the finished run folder ``staging`` the report at ``final``, in one atomic step.

    ``final`` (``reports/<workspace>/<wave>``, the path users and links
    know) is a symbolic link to a hidden folder beside it,
    ``.<wave>.<time>-<hex>``, which one run wrote whole.  Publishing makes a
    new link ``.<...>.link`` to ``staging`` and renames it over ``final``:
    a rename replaces its target in one step (POSIX ``rename(2)``), so a
    process killed at any moment leaves ``final`` showing either the old
    report or the new one, never a mix and never nothing.  The old version
    is then deleted; when the process dies first, the next run's
    :func:`tidy_report_folder` deletes it.

    A real folder at ``final`` (a report of cxlab before versioned folders)
    is swapped with the link in one step too (Linux
    ``renameat2(RENAME_EXCHANGE)``).  Where that call or symbolic links are
    not available (another system, a file system without links) the old
    report is renamed aside and the new one renamed into place: two steps,
    and a kill between them leaves no report at ``final`` until the next
    run, whose :func:`tidy_report_folder` puts the newer whole one back.

    The steps are named for the tests' kill hook (:data:`KILL_AT_ENV`):
    ``linked`` (new link made), ``moved-aside`` (fallback: old report aside),
    ``swapped`` (``final`` shows the new report), ``cleaned``.

    Examples
    --------
    >>> publish_report("reports/demo/.2026-Q3.20260701T120000-1a2b3c4d", "reports/demo/2026-Q3")  # doctest: +SKIP
    """
    staging, final = Path(staging), Path(final)
    link = staging.with_name(staging.name + ".link")
    try:
        os.symlink(staging.name, link, target_is_directory=True)  # relative: the reports folder may move
    except OSError:
        link = None  # no links here: two renames (see above)
    _step("linked")
    if link is not None and (final.is_symlink() or not final.exists()):
        os.replace(link, final)
    elif link is not None and _exchange(link, final):
        pass  # the old folder is now at `link`'s name; the clean-up below deletes it
    else:
        if link is not None:
            link.unlink()
        if final.exists() or final.is_symlink():
            os.rename(final, staging.with_name(staging.name + ".old"))
            _step("moved-aside")
        os.rename(staging, final)
    _step("swapped")
    tidy_report_folder(final)
    _step("cleaned")


def _keep_notebooks_only(folder: Path) -> None:
    """Reduce a failed run's folder to its executed notebooks (where the traceback is): figures and
    half-written files go, so that a run that failed on a full disk does not keep it full."""
    for entry in folder.iterdir():
        if not (entry.is_file() and entry.suffix == ".ipynb"):
            _remove(entry)


@dataclass
class WaveRun:
    """What :func:`run_wave` wrote."""

    workspace: str
    wave: str
    output_dir: Path
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        lines = [f"wave {self.wave} of workspace {self.workspace}: report written in {self.seconds:.1f} s"]
        lines += [f"  {p}" for p in self.files]
        return "\n".join(lines)


def run_wave(
    workspace,
    wave: str | None = None,
    *,
    lang: str = "ru",
    min_n: int = 10,
    reports_root=None,
    timeout: int = 600,
    progress: bool = True,
) -> WaveRun:
    """Run the per-wave pipeline: notebook(s), HTML, Excel pack, metrics.json, figures.

    Parameters
    ----------
    workspace : str, Path or Workspace
    wave : str, optional
        Wave id; default the latest wave with responses.
    lang : {"ru", "en"}
    min_n : int
        Cells with fewer respondents are suppressed.
    reports_root : path, optional
        Default ``reports/`` in the current directory.
    """
    from cxlab.store import Workspace

    started = time.perf_counter()
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    if lang not in ("ru", "en"):
        raise RunError(f"lang must be 'ru' or 'en', not {lang!r}")
    if not isinstance(min_n, int) or isinstance(min_n, bool) or min_n < 1:
        raise RunError(f"min_n must be a positive whole number, not {min_n!r}")
    wave = wave or ws.latest_wave()
    ws.wave(wave)  # a clear error for a wave that does not exist
    root = (Path(reports_root) if reports_root else Path.cwd() / "reports").resolve()
    # Names become folders that a rerun deletes: only plain names, and the
    # result must stay under the reports root.
    for what, name in (("workspace name", ws.name), ("wave id", wave)):
        if not SAFE_NAME.fullmatch(name):
            raise RunError(f"{what} {name!r} cannot name a report folder (letters, digits, spaces, '.', '_', '-')")
    # The parent only: the report itself is a link to the run's folder (see publish_report).
    final = (root / ws.name).resolve() / wave
    if root not in final.parents:
        raise RunError(f"report folder {final} would fall outside {root}")
    final.parent.mkdir(parents=True, exist_ok=True)
    tidy_report_folder(final)
    staging = final.parent / _version_name(wave)
    staging.mkdir()
    hold = _hold(staging)
    # nbconvert takes a good half second to import; this process only waits
    # while the kernel works, so the exporter is prepared meanwhile.
    prepared: dict = {}
    warm = threading.Thread(target=lambda: prepared.setdefault("exporter", _html_exporter()), daemon=True)
    warm.start()
    try:
        names = [name for name in WAVE_NOTEBOOKS if (NOTEBOOKS / f"{name}.ipynb").exists()]
        params = {
            "workspace": str(ws.path.resolve()),
            "wave": wave,
            "lang": lang,
            "min_n": min_n,
            "output_dir": str(staging.resolve()),
        }
        _run_side_by_side(names, staging, params, timeout=timeout, progress=progress)
        title = {"ru": f"Отчёт по волне {wave}", "en": f"Wave report {wave}"}[lang]
        warm.join()
        if names:
            report = _joined_notebook([staging / f"{name}.ipynb" for name in names])
            notebook_to_html(report, staging / f"{names[0]}.html", title=title, exporter=prepared.get("exporter"))
            _merge_packs(staging)
    except BaseException as exc:
        # Kept until the next run of the wave: the executed notebooks, which hold the traceback.
        failed = final.parent / f"{wave}.failed"
        _remove(failed)
        staging.rename(failed)
        _release(hold)
        _keep_notebooks_only(failed)
        if isinstance(exc, RunError):
            raise exc.moved(staging, failed, previous=final) from exc
        raise
    try:
        files = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
        seconds = time.perf_counter() - started
        # Written before the swap: a folder with run.json is a whole report (tidy_report_folder).
        _write_run_json(staging, ws.name, wave, lang, min_n, seconds, files)
        publish_report(staging, final)
    finally:
        _release(hold)
    _derive_for_dashboard(ws, wave, progress=progress)
    return WaveRun(
        workspace=ws.name,
        wave=wave,
        output_dir=final,
        files=[final / p for p in files] + [final / "run.json"],
        seconds=seconds,
    )


def _derive_for_dashboard(ws, wave: str, *, progress: bool) -> None:
    """Store the wave's slow dashboard results (its churn scores are stored by the report already); never raises."""
    from cxlab.present.derived_results import derive

    try:
        line = str(derive(ws, waves=[wave], progress=progress))
    except Exception as exc:  # the report is published; the dashboard computes what is missing when shown
        line = f"derived results not stored ({type(exc).__name__}: {exc})"
    if progress:
        print(line, file=sys.stderr, flush=True)


def _write_run_json(folder: Path, workspace: str, wave: str, lang: str, min_n: int, seconds: float, files) -> None:
    (folder / "run.json").write_text(
        json.dumps(
            {
                "workspace": workspace,
                "wave": wave,
                "lang": lang,
                "min_n": min_n,
                "seconds": round(seconds, 2),
                "files": [p.as_posix() for p in files],
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
