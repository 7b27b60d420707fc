"""What the Voila process starts with: its options, the token and its environment."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from pathlib import Path

from cxlab.resources import package_parent

from ._common import (
    _SECRET_ENV,
    CULL_IDLE_SECONDS,
    CULL_INTERVAL_SECONDS,
    DEFAULT_HOST,
    DEFAULT_MAX_KERNELS,
    DEFAULT_PREHEAT,
    LANGUAGES,
    MAX_KERNELS_ENV,
    MAX_TOKEN_LENGTH,
    MIN_TOKEN_LENGTH,
    PREHEAT_ENV,
    TOKEN_CHARACTERS,
    TOKEN_ENV,
    TOKEN_PATTERN,
    DashboardError,
)

_PACKAGE_PARENT = package_parent()


def voila_argv(
    notebook,
    *,
    port: int,
    host: str = DEFAULT_HOST,
    template: str = "lab",
    preheat: int = DEFAULT_PREHEAT,
    cull_idle: int = CULL_IDLE_SECONDS,
    cull_interval: int = CULL_INTERVAL_SECONDS,
) -> list[str]:
    """Voila's command-line options to serve one notebook, locked down.

    The token is deliberately not among them (see :func:`dashboard_env`):
    ``--token`` here only makes Voila *require* one, so that these options
    run without cxlab's launcher still refuse anonymous visitors (Voila then
    takes ``JUPYTER_TOKEN`` or generates and prints one).

    Parameters
    ----------
    notebook : str or Path
        The notebook to serve; its folder becomes Voila's root.
    port : int
        Port to listen on; Voila does not try others.
    host : str
        Address to listen on.
    template : str
        Voila template; cxlab serves ``cxlab`` (see :data:`TEMPLATE`), which
        needs its folder on ``JUPYTER_PATH``.
    preheat : int
        Kernels kept started, with the notebook run up to the cell that waits
        for a request (``voila.utils.get_query_string``); 0 turns preheating off.
    cull_idle, cull_interval : int
        A kernel with no connection left is shut down after ``cull_idle``
        idle seconds; the culler looks every ``cull_interval`` seconds.

    Returns
    -------
    list of str
        Options for ``python -m voila`` (or ``python -m cxlab.serve``).

    Examples
    --------
    >>> argv = voila_argv("/srv/nb/dashboard.ipynb", port=8866)
    >>> argv[0], "--Voila.ip=127.0.0.1" in argv, "--preheat_kernel=True" in argv
    ('/srv/nb/dashboard.ipynb', True, True)
    """
    notebook = Path(notebook).resolve()
    preheat, cull_idle, cull_interval = int(preheat), int(cull_idle), int(cull_interval)
    if preheat < 0 or cull_idle < 1 or cull_interval < 1:
        raise DashboardError(
            f"preheat must be >= 0 and the cull times >= 1 s, not {preheat}, {cull_idle}, {cull_interval}"
        )
    return [
        # A file, not a folder: single-notebook mode, no tree, no /voila/render/.
        str(notebook),
        # Voila's root is where /voila/files/ and the kernel's cwd point; with
        # the empty allow-list below it serves nothing from there.
        f"--Voila.root_dir={notebook.parent}",
        f"--port={int(port)}",
        # Fail on a busy port rather than silently move to another one.
        "--Voila.port_retries=0",
        f"--Voila.ip={host}",
        "--no-browser",
        "--token",
        # A visitor without the token gets 403, not Jupyter's login form.
        "--Voila.identity_provider_class=cxlab.serve.TokenOnlyIdentityProvider",
        # Whoever holds the token must not be able to set a password that
        # Voila would write into the user's Jupyter config.
        "--PasswordIdentityProvider.allow_password_change=False",
        f"--template={template}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.file_allowlist=[]",
        # A pool of kernels that have imported cxlab and read the workspace
        # before anyone asks; the notebook waits for the request's query in a
        # cell of its own (voila.utils.get_query_string).  Each visit still
        # gets a kernel of its own, and the pool is refilled behind it.
        f"--preheat_kernel={preheat > 0}",
        f"--VoilaConfiguration.default_pool_size={preheat}",
        # Kernels whose page went without its shutdown request (a crash, a
        # lost network) are culled; a page open but idle keeps its websocket,
        # so its kernel stays (cull_connected=False).
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={cull_interval}",
        "--MappingKernelManager.cull_connected=False",
    ]


def _read_token_file(path) -> str:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DashboardError(f"cannot read the token file {path}: {exc.strerror or exc}") from None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        print(
            f"cxlab dashboard: warning: the token file {path} can be read by other users (chmod 600 {path})",
            file=sys.stderr,
        )
    # Either a config file with a `dashboard_token:` entry or just the token on its first line.
    with contextlib.suppress(Exception):
        import yaml

        data = yaml.safe_load(text)
        if isinstance(data, dict) and "dashboard_token" in data:
            return "" if data["dashboard_token"] is None else str(data["dashboard_token"]).strip()
    lines = text.splitlines()
    return lines[0].strip() if lines else ""


def resolve_token(token: str | None = None, token_file=None) -> tuple[str, str]:
    """The dashboard token and where it came from.

    In order: ``token`` as given, ``$CXLAB_DASHBOARD_TOKEN``, the token file
    (``dashboard_token: ...`` in YAML, or the token alone on its first line),
    else a new random one (``secrets.token_urlsafe(24)``, 32 characters).

    Returns
    -------
    (str, str)
        The token and its source: ``"argument"``, ``"environment
        (CXLAB_DASHBOARD_TOKEN)"``, ``"file <path>"`` or ``"generated"``.

    Raises
    ------
    DashboardError
        A configured token that is empty, shorter than 16 or longer than 512
        characters, or holds a character other than ``A-Z a-z 0-9 - . _ ~``
        (those a URL carries unchanged: ``+`` would arrive as a space, ``%``
        starts an escape, ``&`` and ``#`` end the value); a token file that
        cannot be read.

    Examples
    --------
    >>> resolve_token("a-long-enough-token-1234")
    ('a-long-enough-token-1234', 'argument')
    """
    if token is not None:
        source = "argument"
    elif os.environ.get(TOKEN_ENV) is not None:
        token, source = os.environ[TOKEN_ENV], f"environment ({TOKEN_ENV})"
    elif token_file is not None:
        token, source = _read_token_file(token_file), f"file {token_file}"
    else:
        return secrets.token_urlsafe(24), "generated"
    token = token.strip()
    if len(token) < MIN_TOKEN_LENGTH:
        what = "empty" if not token else f"only {len(token)} characters long"
        raise DashboardError(
            f"the dashboard token from {source} is {what}; use at least {MIN_TOKEN_LENGTH} "
            "characters (or set none and let cxlab generate one)"
        )
    if len(token) > MAX_TOKEN_LENGTH:
        raise DashboardError(
            f"the dashboard token from {source} is {len(token)} characters long; use at most {MAX_TOKEN_LENGTH}"
        )
    if not TOKEN_PATTERN.fullmatch(token):
        bad = sorted({c for c in token if not TOKEN_PATTERN.fullmatch(c)})
        shown = ", ".join("space" if c == " " else repr(c) for c in bad)
        raise DashboardError(
            f"the dashboard token from {source} contains {shown}; a token may hold only the characters "
            f"{TOKEN_CHARACTERS} (they go into a URL unchanged)"
        )
    return token, source


def dashboard_env(
    workspace,
    *,
    min_n: int = 10,
    lang: str | None = None,
    max_kernels: int = DEFAULT_MAX_KERNELS,
    preheat: int = DEFAULT_PREHEAT,
    base: dict | None = None,
) -> dict[str, str]:
    """The environment of the Voila process (and so of its kernels); never the token.

    Parameters
    ----------
    workspace : str or Path
        Validated with :class:`cxlab.Workspace`; passed as an absolute path.
    min_n : int
        Smallest cell shown (``CXLAB_DASHBOARD_MIN_N``).
    lang : {"ru", "en"} or None
        ``CXLAB_DASHBOARD_LANG``; default the workspace's ``language``, else ``"ru"``.
    max_kernels : int
        ``CXLAB_DASHBOARD_MAX_KERNELS``: live kernels at most, the ``preheat``
        ones included; a visitor beyond it gets a "try again later" page.
    base : dict, optional
        Environment to start from (default ``os.environ``).

    Examples
    --------
    >>> env = dashboard_env("workspaces/demo", lang="en")  # doctest: +SKIP
    >>> env["CXLAB_WORKSPACE"], env["CXLAB_DASHBOARD_LANG"]  # doctest: +SKIP
    ('/home/me/cxlab/workspaces/demo', 'en')
    """
    from cxlab.store import Workspace

    path = Path(workspace).expanduser().resolve()
    # A wrong path is an error here, before any server starts, not a
    # traceback in the browser at the first visit.
    ws = Workspace(path)
    if lang is None:
        lang = ws.meta.get("language") or "ru"
    if lang not in LANGUAGES:
        raise DashboardError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    min_n = int(min_n)
    if min_n < 1:
        raise DashboardError(f"--min-n must be at least 1, not {min_n}")
    max_kernels, preheat = int(max_kernels), int(preheat)
    if preheat < 0:
        raise DashboardError(f"--preheat must be 0 or more, not {preheat}")
    if max_kernels < preheat + 1:
        raise DashboardError(
            f"--max-kernels {max_kernels} leaves no kernel for a visitor: it counts the {preheat} preheated "
            f"one(s) too, so use at least {preheat + 1}"
        )
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _SECRET_ENV}
    # The server and its kernels import the very cxlab that checked the workspace.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(_PACKAGE_PARENT)]
        + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p).resolve() != _PACKAGE_PARENT]
    )
    env.update(CXLAB_WORKSPACE=str(path), CXLAB_DASHBOARD_MIN_N=str(min_n), CXLAB_DASHBOARD_LANG=lang)
    env[MAX_KERNELS_ENV], env[PREHEAT_ENV] = str(max_kernels), str(preheat)
    return env
