"""The error tree (cxlab/errors.py): every error a CxlabError, pickled with its fields; the CLI prints one line."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pickle
import pkgutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import cxlab
from cxlab import errors
from cxlab.errors import (
    ConfigError,
    CxlabError,
    CxlabWarning,
    DataError,
    FitError,
    InputError,
    MissingFileError,
    NotFoundError,
    NotInWorkspaceError,
    ParameterError,
    ParameterTypeError,
    Problem,
    RunError,
    WaveConfigError,
    WorkspaceError,
)

PACKAGE = Path(cxlab.__file__).resolve().parent


def _modules():
    """Every module of the cxlab package, imported (``__main__`` modules are left alone: they run things)."""
    names = ["cxlab"] + [
        m.name for m in pkgutil.walk_packages(cxlab.__path__, "cxlab.") if not m.name.endswith("__main__")
    ]
    return [importlib.import_module(name) for name in names]


def _defined_classes(base: type) -> list[type]:
    return [
        obj
        for module in _modules()
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, base) and obj.__module__ == module.__name__
    ]


# --------------------------------------------------------------------------- the tree
def test_every_exception_class_in_cxlab_is_a_cxlab_error():
    exceptions = [c for c in _defined_classes(BaseException) if not issubclass(c, Warning)]
    assert len(exceptions) >= 15  # the walk found the tree
    assert [c.__qualname__ for c in exceptions if not issubclass(c, CxlabError)] == []


def test_every_warning_class_in_cxlab_is_a_cxlab_warning():
    warnings_ = _defined_classes(Warning)
    assert {"CxlabWarning", "DriverWarning", "FallbackWarning"} <= {c.__name__ for c in warnings_}
    assert [c.__qualname__ for c in warnings_ if c is not CxlabWarning and not issubclass(c, CxlabWarning)] == []


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (errors.InputError, (ValueError,)),
        (errors.ConfigError, (errors.InputError, ValueError)),
        (errors.QuestionnaireError, (errors.ConfigError, ValueError)),
        (errors.WaveConfigError, (errors.ConfigError, errors.FieldworkError, ValueError)),
        (errors.ParameterError, (ValueError,)),
        (errors.ParameterTypeError, (TypeError,)),
        (errors.DashboardQueryError, (errors.ParameterError, ValueError)),
        (errors.DataError, (ValueError,)),
        (errors.NPSScaleError, (errors.DataError, ValueError)),
        (errors.FitError, (RuntimeError,)),
        (errors.NotFoundError, (KeyError,)),
        (errors.MissingFileError, (FileNotFoundError,)),
        (errors.NotInWorkspaceError, (errors.WorkspaceError,)),
        (errors.WorkspaceError, ()),
        (errors.RunError, ()),
        (errors.DashboardError, ()),
        (errors.DerivedResultError, (ValueError,)),
        (errors.FieldworkError, ()),
    ],
)
def test_each_error_keeps_the_builtin_base_its_callers_catch(cls, bases):
    assert issubclass(cls, CxlabError)
    assert cls.exit_code == 2
    for base in bases:
        assert issubclass(cls, base), f"{cls.__name__} is not a {base.__name__}"


@pytest.mark.parametrize(
    ("cls", "not_a"),
    [
        (errors.ParameterTypeError, ValueError),  # was a TypeError: `except ValueError` notes must not hide it
        (errors.FitError, ValueError),  # was a RuntimeError
        (errors.MissingFileError, KeyError),  # was a FileNotFoundError
        (errors.NotInWorkspaceError, KeyError),  # was a WorkspaceError
    ],
)
def test_no_error_gained_a_builtin_base_its_callers_did_not_catch(cls, not_a):
    assert not issubclass(cls, not_a)


def test_domain_modules_re_export_the_classes_under_their_old_names():
    from cxlab import drivers, fieldwork, metrics, questionnaire, serve
    from cxlab.fieldwork import common
    from cxlab.present import dashboard_data

    assert metrics.NPSScaleError is errors.NPSScaleError
    assert drivers.DriverWarning is errors.DriverWarning
    assert issubclass(drivers.DriverWarning, UserWarning)
    assert questionnaire.QuestionnaireError is errors.QuestionnaireError
    assert fieldwork.ConfigError is common.ConfigError is errors.WaveConfigError
    assert fieldwork.FieldworkError is errors.FieldworkError
    assert serve.DashboardError is errors.DashboardError
    assert dashboard_data.DashboardQueryError is errors.DashboardQueryError


# --------------------------------------------------------------------------- no bare builtins
# Python protocols keep their own exceptions: AttributeError from a module's
# __getattr__ (lazy imports) and NotImplementedError for what is not there.
_BUILTIN_EXCEPTIONS = {
    name for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)
}


def _bare_builtin_raises(source: str, filename: str) -> list[str]:
    tree = ast.parse(source, filename)
    found = []

    def visit(node, function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = target.id if isinstance(target, ast.Name) else None
            allowed = (
                name == "NotImplementedError"
                or (name == "AttributeError" and function == "__getattr__")
                # A signal handler turning SIGTERM into Ctrl-C, so both take the same shutdown path.
                or (name == "KeyboardInterrupt" and function.startswith("_on_sig"))
            )
            if name in _BUILTIN_EXCEPTIONS and not allowed:
                found.append(f"{filename}:{node.lineno} raise {name} (in {function})")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    return found


def test_the_scan_finds_bare_builtin_raises():
    code = (
        "def f(x):\n    if x:\n        raise ValueError('bad')\n    raise KeyError\n"
        "def __getattr__(name):\n    raise AttributeError(name)\n"
        "def g():\n    raise AttributeError('no')\n"
        "def h(exc):\n    raise exc\n"
        "def k():\n    raise NotImplementedError\n"
    )
    assert _bare_builtin_raises(code, "m.py") == [
        "m.py:3 raise ValueError (in f)",
        "m.py:4 raise KeyError (in f)",
        "m.py:8 raise AttributeError (in g)",
    ]


def test_cxlab_raises_no_bare_builtin_exception():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += _bare_builtin_raises(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    assert found == []


# --------------------------------------------------------------------------- pickling
def _examples() -> list[CxlabError]:
    return [
        CxlabError("plain"),
        InputError(
            [Problem("bad.csv", 3, "nps", "value 12 is outside the 0-10 scale"), Problem("bad.csv", 7, None, "x")],
            headline="2 problems in bad.csv",
        ),
        ConfigError("codebook.yaml: themes: empty", file="codebook.yaml", field="themes"),
        errors.QuestionnaireError("q.yaml: scales.nps: missing 'max'", file="q.yaml", field="scales.nps"),
        WaveConfigError("wave.yaml: smtp.port: Input should be a valid integer", file="wave.yaml", field="smtp.port"),
        ParameterError("confidence must be between 0 and 1, got 95", parameter="confidence", value=95),
        ParameterTypeError("data must be a pandas DataFrame, got list", parameter="data", value="list"),
        errors.DashboardQueryError("wave='2030-Q1' does not exist", parameter="wave", value="2030-Q1"),
        DataError("no variation in ['speed']", columns=["speed"]),
        errors.NPSScaleError("NPS is defined on the 0-10 scale only", scale=(1, 5)),
        FitError("MixedLM did not converge (no convergence)"),
        NotFoundError("unknown figure 'x'; figures: ['a']", kind="figure", key="x"),
        MissingFileError("no questionnaire template 'nope'", kind="questionnaire template", key="nope"),
        NotInWorkspaceError("wave '2030-Q1' does not exist", kind="wave", key="2030-Q1", path="/tmp/ws"),
        WorkspaceError("no workspace at /tmp/x", path="/tmp/x"),
        RunError(
            notebook="wave_report.ipynb",
            cell=2,
            cell_source="report = WaveReport(ws, wave)",
            ename="ValueError",
            evalue="wave '2099-Q1' has no responses",
            executed="/r/demo/.2099-Q1.tmp/wave_report.ipynb",
            previous="/r/demo/2099-Q1",
        ),
        RunError("lang must be 'ru' or 'en', not 'de'"),
        errors.DashboardError("port 8866 on 127.0.0.1 is in use; choose another with --port"),
        errors.DerivedResultError("risk/3f2a: checksum does not match"),
        errors.FieldworkError("unknown contact id(s) or e-mail(s): K99"),
        errors.WorkspaceLockedError(
            "workspace /tmp/ws is in use by PID 42 (python3)", path="/tmp/ws", pid=42, program="python3", waited=1.5
        ),
    ]


def test_the_examples_cover_every_error_class():
    classes = {obj for obj in vars(errors).values() if isinstance(obj, type) and issubclass(obj, CxlabError)}
    assert classes == {type(e) for e in _examples()}


@pytest.mark.parametrize("err", _examples(), ids=lambda e: type(e).__name__)
def test_errors_pickle_with_type_message_and_fields(err):
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert str(copy) == str(err)
    assert copy.args == err.args
    assert copy.__dict__ == err.__dict__
    assert copy.one_line() == err.one_line()


def test_input_error_pickles_with_its_problems():
    err = _examples()[1]
    copy = pickle.loads(pickle.dumps(err))
    assert copy.problems == err.problems
    assert copy.problems[0] == Problem("bad.csv", 3, "nps", err.problems[0].message)
    assert (copy.file, copy.row, copy.column, copy.headline) == ("bad.csv", 3, "nps", "2 problems in bad.csv")


def test_run_error_pickles_with_its_fields():
    copy = pickle.loads(pickle.dumps(_examples()[15]))
    assert (copy.notebook, copy.cell, copy.ename, copy.evalue) == (
        "wave_report.ipynb",
        2,
        "ValueError",
        "wave '2099-Q1' has no responses",
    )
    assert copy.output_dir == Path("/r/demo/.2099-Q1.tmp")
    assert copy.previous == Path("/r/demo/2099-Q1")


# --------------------------------------------------------------------------- messages
def test_not_found_str_is_the_message_not_a_quoted_repr():
    err = NotFoundError("unknown section 'x'", kind="section", key="x")
    assert str(err) == "unknown section 'x'"
    assert str(KeyError("unknown section 'x'")) == "\"unknown section 'x'\""  # what KeyError alone would print
    with pytest.raises(KeyError, match=r"^unknown section 'x'$"):
        raise err


def test_input_error_one_line_names_the_first_problem_and_counts_the_rest():
    problems = [Problem("bad.csv", r, "nps", f"value {r} is outside the 0-10 scale") for r in (3, 4, 9)]
    err = InputError(problems)
    assert str(err).count("\n") == 3  # the message lists them all
    assert err.one_line() == (
        "3 problems in the input; nothing was loaded: bad.csv, row 3, column 'nps': "
        "value 3 is outside the 0-10 scale (and 2 more problems)"
    )
    assert InputError(problems[:1]).one_line().endswith("value 3 is outside the 0-10 scale")


def test_one_line_joins_the_lines_of_any_message():
    err = WaveConfigError("wave.yaml: 2 problems:\n  sender.name: empty\n  sender.email: required key is missing")
    assert err.one_line() == "wave.yaml: 2 problems: sender.name: empty; sender.email: required key is missing"
    assert "\n" not in _examples()[15].one_line()


def test_run_error_message_is_built_from_its_fields():
    err = RunError(
        notebook="probe.ipynb",
        cell=None,
        cell_source="",
        ename="CellTimeoutError",
        evalue="A cell timed out",
        outcome="timed out after 2 s",
        executed="/out/probe.ipynb",
    )
    assert str(err) == "probe.ipynb: cell ? timed out after 2 s\n  cell: \n  executed notebook so far: /out/probe.ipynb"


def test_moved_run_error_reads_as_the_old_text_edit_did(tmp_path):
    staging, failed, final = tmp_path / ".2099-Q1.ab12.tmp", tmp_path / "2099-Q1.failed", tmp_path / "2099-Q1"
    err = RunError(
        notebook="wave_report.ipynb",
        cell=4,
        cell_source="pack.save(output_dir)",
        ename="FileNotFoundError",
        evalue=f"No such file: '{staging}/figures'",
        outcome="stopped",
        executed=staging / "wave_report.ipynb",
    )
    moved = err.moved(staging, failed, previous=final)
    expected = str(err).replace(str(staging), str(failed)) + f"\n  the previous report (if any) is untouched: {final}"
    assert str(moved) == expected
    assert moved.output_dir == failed
    assert moved.previous == final
    assert moved.ename == "FileNotFoundError"


# --------------------------------------------------------------------------- the command line
def cxlab_cli(*args):
    return subprocess.run([sys.executable, "-m", "cxlab.cli", *args], capture_output=True, text=True)


def _one_error_line(res, command: str) -> str:
    assert res.returncode == 2, res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"cxlab {command}: error: ")
    assert "Traceback" not in res.stderr
    return lines[0]


@pytest.mark.slow  # the CLI in a subprocess
def test_cli_input_error_is_one_line_with_file_row_and_column(small_ws, csv_file):
    path = csv_file("response_id,contact_id,nps\nR1,K1,12\nR2,K3,-1\n", "bad.csv")
    res = cxlab_cli("import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", "--strict", path)
    line = _one_error_line(res, "import")
    assert "bad.csv, row 2, column 'nps'" in line
    assert line.endswith("(and 1 more problem)")


@pytest.mark.slow  # the CLI in a subprocess
def test_cli_missing_mapping_file_is_an_input_error_naming_it(small_ws, csv_file, tmp_path):
    path = csv_file("response_id,contact_id,nps\nR1,K1,9\n")
    mapping = tmp_path / "no_such_mapping.yaml"
    res = cxlab_cli("import", "--workspace", str(small_ws.path), "--wave", "2026-Q3", "--mapping", str(mapping), path)
    line = _one_error_line(res, "import")
    assert line.endswith(f"{mapping}: file not found")


@pytest.mark.slow  # the CLI in a subprocess
def test_cli_unknown_wave_is_one_line(small_ws, tmp_path):
    reports = tmp_path / "reports"
    res = cxlab_cli("run-wave", "--workspace", str(small_ws.path), "--wave", "1999-Q1", "--reports", str(reports))
    line = _one_error_line(res, "run-wave")
    assert "wave '1999-Q1' does not exist in workspace" in line
    assert not reports.exists()  # refused before anything was written


@pytest.mark.slow  # the CLI in a subprocess
def test_cli_missing_workspace_is_one_line(tmp_path):
    res = cxlab_cli("metrics", "--workspace", str(tmp_path / "nowhere"))
    line = _one_error_line(res, "metrics")
    assert f"no workspace at {tmp_path / 'nowhere'}" in line


def test_cli_bug_keeps_its_traceback(monkeypatch):
    from cxlab import cli

    def broken(args):
        raise KeyError("a bug, not a user error")

    monkeypatch.setattr(cli, "_cmd_metrics", broken)
    with pytest.raises(KeyError, match="a bug"):
        cli.main(["metrics", "--workspace", "anywhere"])


# --------------------------------------------------------------------------- a real failing notebook
@pytest.mark.slow
def test_run_error_from_a_failing_cell_carries_notebook_cell_and_exception(tmp_path):
    from cxlab.pipeline import run_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x: int = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("y = x + 1"),
        nbformat.v4.new_code_cell("raise LookupError('broken on purpose')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "probe.ipynb"
    nbformat.write(nb, str(source))
    with pytest.raises(RunError) as info:
        run_notebook(source, tmp_path / "out" / "probe.ipynb", {"x": 2}, progress=False)
    err = pickle.loads(pickle.dumps(info.value))
    assert (err.notebook, err.cell, err.ename, err.evalue) == ("probe.ipynb", 3, "LookupError", "broken on purpose")
    assert err.cell_source == "raise LookupError('broken on purpose')"
    assert err.output_dir == tmp_path / "out"
    assert err.executed.exists()
    assert str(err).startswith("probe.ipynb: cell 3 failed: LookupError: broken on purpose\n")
