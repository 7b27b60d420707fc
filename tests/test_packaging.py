"""cxlab as an installable package: package data, the package list, and a wheel that runs outside the checkout."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from cxlab import resources
from cxlab.errors import MissingFileError

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
#: Package data: the package's folder in the checkout.
DATA_PACKAGES = {"cxlab.templates": ROOT / "templates", "cxlab.notebooks": ROOT / "notebooks"}


def _data_files(folder: Path) -> set[Path]:
    """Files of a package-data folder as a user sees them (no bytecode, no checkpoints, no __init__.py)."""
    skip = {"__pycache__", ".ipynb_checkpoints"}
    return {
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name != "__init__.py" and not skip & set(p.relative_to(folder).parts)
    }


# ---------------------------------------------------------------- pyproject
def test_packages_list_names_every_package_of_cxlab():
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "cxlab").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    listed = set(SETUPTOOLS["packages"])
    assert len(listed) == len(SETUPTOOLS["packages"]), "a package is listed twice"
    assert listed - set(DATA_PACKAGES) == found, "[tool.setuptools] packages must list every folder of cxlab/"
    assert set(DATA_PACKAGES) <= listed


def test_templates_and_notebooks_are_mapped_and_every_file_in_them_ships():
    assert SETUPTOOLS["package-dir"] == {name: folder.name for name, folder in DATA_PACKAGES.items()}
    for name, folder in DATA_PACKAGES.items():
        assert (folder / "__init__.py").is_file()
        # As setuptools expands package-data: glob(recursive=True) relative to the package's folder.
        shipped = {
            Path(p)
            for pattern in SETUPTOOLS["package-data"][name]
            for p in glob.glob(str(folder / pattern), recursive=True)
            if Path(p).is_file()
        }
        missing = sorted(str(p.relative_to(ROOT)) for p in _data_files(folder) - shipped)
        assert not missing, f"files no package-data pattern of {name} ships: {missing}"
    assert "py.typed" in SETUPTOOLS["package-data"]["cxlab"]
    assert (ROOT / "cxlab" / "py.typed").is_file()


# ---------------------------------------------------------------- resources
def test_resources_are_the_checkouts_folders_in_an_editable_install():
    assert resources.template_path() == ROOT / "templates"
    assert (
        resources.template_path("questionnaires", "pr_agency.yaml") == ROOT / "templates/questionnaires/pr_agency.yaml"
    )
    assert resources.notebooks_path() == ROOT / "notebooks"
    assert resources.voila_template() == ROOT / "templates/voila/cxlab"
    assert resources.package_parent() == ROOT


def test_public_folder_constants_come_from_the_resources():
    from cxlab.fieldwork.mail import EMAIL_TEMPLATE_DIR
    from cxlab.pipeline import NOTEBOOKS, REPO_ROOT
    from cxlab.questionnaire import TEMPLATE_DIR
    from cxlab.text.codebook import THEMES_DIR

    assert resources.template_path("questionnaires") == TEMPLATE_DIR
    assert resources.template_path("themes") == THEMES_DIR
    assert resources.template_path("emails") == EMAIL_TEMPLATE_DIR
    assert resources.notebooks_path() == NOTEBOOKS
    assert resources.package_parent() == REPO_ROOT


def test_package_data_in_a_zip_is_refused_with_a_clear_error(tmp_path, monkeypatch):
    # Python 3.11's as_file() cannot extract a folder, and every caller needs folders: say so plainly.
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped_templates/__init__.py", "")
        z.writestr("zipped_templates/themes/x.yaml", "themes: {}\n")
    monkeypatch.syspath_prepend(str(archive))
    monkeypatch.setattr(resources, "TEMPLATES_PACKAGE", "zipped_templates")
    assert not isinstance(resources.templates(), Path)
    with pytest.raises(MissingFileError, match="not a file or folder on disk") as info:
        resources.template_path("themes")
    assert info.value.kind == "package data"


def test_write_template_copies_the_shipped_voila_template_byte_for_byte(tmp_path):
    from cxlab.serve import TEMPLATE, write_template

    folder = write_template(tmp_path)
    assert folder == tmp_path / "voila" / "templates" / TEMPLATE
    source = ROOT / "templates" / "voila" / TEMPLATE
    assert sorted(p.name for p in folder.iterdir()) == ["conf.json", "index.html.j2"]
    for name in ("conf.json", "index.html.j2"):
        assert (folder / name).read_bytes() == (source / name).read_bytes()
    assert json.loads((folder / "conf.json").read_text(encoding="utf-8")) == {"base_template": "lab"}


# ---------------------------------------------------------------- the wheel
#: Installed into the test venv by a .pth file: while CXLAB_IMPORT_PROBE names a file, every Python of that
#: venv appends there each cxlab module file it opens (an audit hook), with its pid and sys.argv[0], so the
#: test sees which cxlab the CLI and papermill's kernels imported.
PROBE = """\
import json
import os
import sys

_LOG = os.environ.get("CXLAB_IMPORT_PROBE")


def _hook(event, args):
    if event != "open" or not args or not isinstance(args[0], str) or "/cxlab/" not in args[0]:
        return
    if not args[0].endswith((".py", ".pyc")):
        return
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps({"pid": os.getpid(), "argv0": sys.argv[0] if sys.argv else "", "path": args[0]}) + "\\n")


if _LOG:
    sys.addaudithook(_hook)
"""

#: Top-level entries of the checkout that are not part of the package source.
_NOT_SOURCE = {".git", ".venv", "venv", "build", "dist", "workspaces", "reports", "tests", "benchmarks"}


def _copy_source(dst: Path) -> Path:
    """The checkout without its venv, outputs and build leftovers.

    pip builds in the source folder: built from the checkout, setuptools would leave a ``build/`` there,
    whose stale files go into later wheels.
    """
    import shutil

    def ignore(folder, names):
        top = Path(folder).resolve() == ROOT
        return [
            n
            for n in names
            if n in {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
            or n.endswith((".egg-info", ".pyc"))
            or (top and (n in _NOT_SOURCE or n.startswith(".")))
        ]

    shutil.copytree(ROOT, dst, ignore=ignore)
    return dst


def _run(argv, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{argv} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs_the_demo_outside_the_checkout(tmp_path, demo_run):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    # 1. Build the wheel.
    source = _copy_source(tmp_path / "source")
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)], env=env)
    (wheel,) = dist.glob("cxlab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every module, every file of templates/ and notebooks/, py.typed (as copied: the checkout may change meanwhile).
    expected = {"cxlab/py.typed"} | {p.relative_to(source).as_posix() for p in (source / "cxlab").rglob("*.py")}
    for package, folder in DATA_PACKAGES.items():
        inside = package.replace(".", "/")
        expected.add(f"{inside}/__init__.py")
        expected |= {
            f"{inside}/{p.relative_to(source / folder.name).as_posix()}" for p in _data_files(source / folder.name)
        }
    for must in (
        "cxlab/templates/questionnaires/pr_agency.yaml",
        "cxlab/templates/emails/invitation_ru.html",
        "cxlab/templates/themes/agency.yaml",
        "cxlab/templates/voila/cxlab/index.html.j2",
        "cxlab/notebooks/wave_report.ipynb",
        "cxlab/notebooks/dashboard.ipynb",
    ):
        assert must in expected
    assert expected <= names, sorted(expected - names)
    assert all(n.startswith(("cxlab/", "cxlab-")) for n in names), "the wheel holds files outside cxlab/"

    # 2. A fresh venv outside the checkout, the wheel installed into it.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], env=env)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], env=env, cwd=tmp_path)
    site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=env).stdout.strip()
    )
    # The dependencies come from the dev venv's site-packages; its editable cxlab does not (its finder is
    # only installed by its own .pth, which a path line in another .pth does not process).
    dev_sites = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "zz_dev_site_packages.pth").write_text("".join(f"{p}\n" for p in dev_sites), encoding="utf-8")
    # So do the data files they install under share/jupyter (nbconvert's HTML templates...), but not the
    # dev venv's kernelspecs: the run registers its own `cxlab` kernel, this venv's Python.
    shared = venv / "share" / "jupyter"
    shared.mkdir(parents=True, exist_ok=True)
    for entry in (Path(sys.prefix) / "share" / "jupyter").iterdir():
        if entry.name != "kernels":
            (shared / entry.name).symlink_to(entry)
    (site / "_cxlab_import_probe.py").write_text(PROBE, encoding="utf-8")
    (site / "_cxlab_import_probe.pth").write_text("import _cxlab_import_probe\n", encoding="utf-8")
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])

    where = _run(
        [
            str(python),
            "-c",
            "import cxlab, cxlab.resources as r, cxlab.pipeline as p, cxlab.serve as s; "
            "print(cxlab.__file__); print(r.template_path()); print(p.NOTEBOOKS); print(r.package_parent()); "
            f"print(s.write_template({str(tmp_path / 'voila-root')!r}))",
        ],
        env=env,
        cwd=tmp_path,
    ).stdout.split()
    site = site.resolve()
    assert [Path(w).resolve() for w in where] == [
        site / "cxlab" / "__init__.py",
        site / "cxlab" / "templates",
        site / "cxlab" / "notebooks",
        site,
        tmp_path.resolve() / "voila-root" / "voila" / "templates" / "cxlab",
    ]
    for name in ("conf.json", "index.html.j2"):
        written = tmp_path / "voila-root" / "voila" / "templates" / "cxlab" / name
        assert written.read_bytes() == (ROOT / "templates" / "voila" / "cxlab" / name).read_bytes()

    # 3. The demo, from a folder outside the checkout.
    probe = tmp_path / "imports.jsonl"
    run = subprocess.run(
        [str(venv / "bin" / "cxlab"), "demo", "--workspace", str(tmp_path / "ws" / "demo")]
        + ["--reports", str(tmp_path / "reports"), "--lang", "en", "--quiet"],
        env={**env, "CXLAB_IMPORT_PROBE": str(probe)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    # The wave's folder is a link to a hidden version folder (atomic publishing): one visible report.
    (report,) = [
        p for p in (tmp_path / "reports" / "demo").glob("*/wave_report.html") if not p.parent.name.startswith(".")
    ]
    out = report.parent
    for name in ("wave_report.html", "wave_pack.xlsx", "metrics.json"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    assert json.loads((out / "metrics.json").read_text(encoding="utf-8"))["workspace"] == "demo"
    # The same figures as the checkout's run of the same wave (demo_run: the demo workspace, English, min n 10).
    for name in ("metrics.json", "drivers.json", "risk.json", "comments.json"):
        assert (out / name).read_bytes() == (demo_run.output_dir / name).read_bytes(), name
    executed = json.loads((out / "wave_report.ipynb").read_text(encoding="utf-8"))
    assert executed["metadata"]["papermill"]["input_path"] == str(site / "cxlab" / "notebooks" / "wave_report.ipynb")

    # Which cxlab each process read: the CLI and every kernel papermill started, only the wheel's.
    opened = [json.loads(line) for line in probe.read_text(encoding="utf-8").splitlines()]
    kernels = [o for o in opened if o["argv0"].endswith("ipykernel_launcher.py")]
    cli = [o for o in opened if o["argv0"] == str(venv / "bin" / "cxlab")]
    assert cli
    # One kernel per executed notebook, each of which read cxlab.
    assert len({o["pid"] for o in kernels}) == len(list(out.glob("*.ipynb"))) >= 1
    assert any("/cxlab/present/" in o["path"] for o in kernels)
    outside = sorted({o["path"] for o in opened if not Path(o["path"]).is_relative_to(site / "cxlab")})
    assert not outside, f"cxlab files read from outside the installed wheel: {outside[:5]}"
