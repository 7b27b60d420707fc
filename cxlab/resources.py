"""Where the files cxlab ships are: templates and notebooks, found as package data.

The repository's top-level folders ``templates/`` and ``notebooks/`` (what
users edit) are installed as the packages ``cxlab.templates`` and
``cxlab.notebooks`` (``[tool.setuptools.package-dir]`` in ``pyproject.toml``),
so :func:`importlib.resources.files` finds them the same way in a checkout
with an editable install and in a wheel installed anywhere.  Nothing in cxlab
locates a file by a path relative to its own source; the modules that read
templates or notebooks ask this one:

- questionnaires (:data:`cxlab.questionnaire.TEMPLATE_DIR`), e-mail templates
  (:data:`cxlab.fieldwork.mail.EMAIL_TEMPLATE_DIR`) and codebooks
  (:data:`cxlab.text.codebook.THEMES_DIR`): :func:`template_path`;
- the notebooks papermill and Voila execute (:data:`cxlab.pipeline.NOTEBOOKS`):
  :func:`notebooks_path`;
- the dashboard's Voila template (:func:`cxlab.serve.write_template`):
  :func:`voila_template`;
- the folder a child Python needs on ``PYTHONPATH`` to import this very cxlab
  (the dashboard's kernels): :func:`package_parent`.

papermill, Voila and jinja2's ``FileSystemLoader`` need real folders.  Installed
from a wheel or a checkout, package data is one; cxlab imported from a zip
file (whose folders :func:`importlib.resources.as_file` cannot extract before
Python 3.12) is refused with a :class:`~cxlab.errors.MissingFileError`.

Examples
--------
>>> from cxlab.resources import template_path, notebooks_path
>>> (template_path("questionnaires") / "pr_agency.yaml").is_file()
True
>>> (notebooks_path() / "wave_report.ipynb").is_file()
True
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from cxlab.errors import MissingFileError

__all__ = [
    "TEMPLATES_PACKAGE",
    "NOTEBOOKS_PACKAGE",
    "VOILA_TEMPLATE",
    "templates",
    "notebooks",
    "template_path",
    "notebooks_path",
    "voila_template",
    "package_parent",
]

#: The package ``templates/`` is installed as.
TEMPLATES_PACKAGE = "cxlab.templates"
#: The package ``notebooks/`` is installed as.
NOTEBOOKS_PACKAGE = "cxlab.notebooks"
#: Where the dashboard's Voila template lies under ``templates/``.
VOILA_TEMPLATE = ("voila", "cxlab")


def templates() -> Traversable:
    """The shipped ``templates/`` folder as a resource (``cxlab.templates``).

    Examples
    --------
    >>> sorted(p.name for p in templates().iterdir() if p.is_dir() and not p.name.startswith("_"))
    ['emails', 'questionnaires', 'themes', 'voila', 'waves']
    """
    return files(TEMPLATES_PACKAGE)


def notebooks() -> Traversable:
    """The shipped ``notebooks/`` folder as a resource (``cxlab.notebooks``).

    Examples
    --------
    >>> sorted(p.name for p in notebooks().iterdir() if p.name.endswith(".ipynb"))
    ['churn_risk.ipynb', 'dashboard.ipynb', 'drivers.ipynb', 'wave_report.ipynb']
    """
    return files(NOTEBOOKS_PACKAGE)


def _on_disk(resource: Traversable) -> Path:
    """A resource as the real path it is (package data installed in a folder, not a zip)."""
    if isinstance(resource, Path):
        return resource.resolve()
    raise MissingFileError(
        f"{resource} is not a file or folder on disk: install cxlab from a wheel or a checkout, not a zip",
        kind="package data",
        key=str(resource),
    )


def template_path(*parts: str) -> Path:
    """A real path under the shipped ``templates/`` folder.

    Parameters
    ----------
    *parts : str
        Folder and file names under ``templates/``; none for the folder itself.

    Returns
    -------
    Path
        The file or folder (which need not exist: callers check).

    Examples
    --------
    >>> template_path("themes", "agency.yaml").name
    'agency.yaml'
    >>> template_path("emails").is_dir()
    True
    """
    return _on_disk(templates().joinpath(*parts))


def notebooks_path() -> Path:
    """The real folder of the shipped notebooks (what papermill and Voila execute).

    Examples
    --------
    >>> (notebooks_path() / "dashboard.ipynb").is_file()
    True
    """
    return _on_disk(notebooks())


def voila_template() -> Path:
    """The real folder of the dashboard's Voila template (``templates/voila/cxlab``).

    Examples
    --------
    >>> sorted(p.name for p in voila_template().iterdir())
    ['conf.json', 'index.html.j2']
    """
    return template_path(*VOILA_TEMPLATE)


def package_parent() -> Path:
    """The folder that holds the ``cxlab`` package: what a child Python needs on ``PYTHONPATH``.

    The checkout in an editable install, ``site-packages`` in a wheel install.

    Examples
    --------
    >>> (package_parent() / "cxlab" / "__init__.py").is_file()
    True
    """
    return Path(str(files("cxlab"))).resolve().parent
