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
the last good report in place.

Examples
--------
>>> from cxlab.pipeline import notebook_parameters
>>> sorted(notebook_parameters("wave_report"))  # doctest: +SKIP
['lang', 'min_n', 'output_dir', 'wave', 'workspace']
"""

from __future__ import annotations

import ast
import json
import re
import shutil
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
    Path(html_file).write_text(body, encoding="utf-8")
    return Path(html_file)


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
    final = (root / ws.name / wave).resolve()
    if root not in final.parents:
        raise RunError(f"report folder {final} would fall outside {root}")
    staging = final.parent / f".{wave}.{uuid.uuid4().hex[:8]}.tmp"
    staging.mkdir(parents=True)
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
        failed = final.parent / f"{wave}.failed"
        if failed.exists():
            shutil.rmtree(failed)
        staging.rename(failed)
        if isinstance(exc, RunError):
            raise exc.moved(staging, failed, previous=final) from exc
        raise
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)
    failed = final.parent / f"{wave}.failed"
    if failed.exists():
        shutil.rmtree(failed)
    files = sorted(p for p in final.rglob("*") if p.is_file())
    run = WaveRun(workspace=ws.name, wave=wave, output_dir=final, files=files, seconds=time.perf_counter() - started)
    (final / "run.json").write_text(
        json.dumps(
            {
                "workspace": ws.name,
                "wave": wave,
                "lang": lang,
                "min_n": min_n,
                "seconds": round(run.seconds, 2),
                "files": [str(p.relative_to(final)) for p in files],
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    run.files.append(final / "run.json")
    return run
