"""Serve the executive dashboard (``notebooks/dashboard.ipynb``) with Voila.

``cxlab dashboard --workspace W`` runs Voila on *one* notebook: Voila's
directory mode executes any notebook under its root on request, so it is never
used.  What the browser may ask for is narrowed down as far as Voila allows:

- a token is required (``?token=...`` once, then a cookie that lasts until
  the server stops); a request without it gets ``403 Forbidden``
  (:class:`TokenOnlyIdentityProvider`: no login form, no part of the
  dashboard);
- the code of the notebook is stripped; tracebacks are not sent to the browser;
- ``?template=`` / ``?theme=`` in the URL are ignored (overrides are off, also
  from the notebook's metadata);
- ``/voila/files/`` serves no file at all (empty allow-list), and any other
  path is redirected there, so no other notebook or file is reachable;
- the server listens on 127.0.0.1 unless another host is given, and on exactly
  the port asked for (Voila would otherwise silently try fifty others);
- the page fetches nothing from outside the machine: the ``cxlab`` template
  (:data:`TEMPLATE`) is Voila's ``lab`` without its CDN links.

While the first render runs, Voila's template shows a spinner with "Running
..." and then "Executing <i> of <n>" as each cell finishes (markdown cells
count); the cells appear together when the whole notebook has run.

The workspace is fixed when the server starts: it is validated with
:class:`cxlab.Workspace` and handed to the kernel in the environment
(``CXLAB_WORKSPACE``, absolute path), with ``CXLAB_DASHBOARD_MIN_N`` and
``CXLAB_DASHBOARD_LANG``.  The kernel inherits the server's environment; Voila
adds the request's ``QUERY_STRING`` (and ``SCRIPT_NAME``, ``PATH_INFO``,
``SERVER_NAME``, ``SERVER_PORT``, ``SERVER_PROTOCOL``, ``SERVER_SOFTWARE``,
``VOILA_REQUEST_URL``, ``VOILA_BASE_URL``, ``VOILA_SERVER_URL``,
``VOILA_APP_PORT``, ``VOILA_PREHEAT`` and, set from inside the kernel,
``VOILA_KERNEL_ID``), which is the only channel from the URL to the notebook.
``QUERY_STRING`` and ``VOILA_REQUEST_URL`` carry the token of a first visit
too, so the notebook must ignore the ``token`` parameter and never show them.

The token comes from ``CXLAB_DASHBOARD_TOKEN``, else from a token file, else
it is generated.  It never appears on a command line (``ps`` shows those to
every user): the Voila process is started through this module (``python -m
cxlab.serve <voila options>``), which takes the token out of its environment
before Voila starts, so the kernels do not inherit that variable.

Examples
--------
>>> from cxlab.serve import start_dashboard
>>> with start_dashboard("workspaces/demo", lang="en") as server:  # doctest: +SKIP
...     print(server.url_with("wave=2026-Q3"))
http://127.0.0.1:40123/?token=...&wave=2026-Q3
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from cxlab.errors import CxlabError

__all__ = [
    "DashboardServer",
    "voila_argv",
    "dashboard_env",
    "resolve_token",
    "serve_dashboard",
    "start_dashboard",
    "free_port",
    "write_template",
    "TOKEN_ENV",
    "MIN_TOKEN_LENGTH",
    "TEMPLATE",
]

#: Environment variable that holds a configured dashboard token.
TOKEN_ENV = "CXLAB_DASHBOARD_TOKEN"
#: Shorter configured tokens are refused: a token is the only lock on the door.
MIN_TOKEN_LENGTH = 16
DEFAULT_PORT = 8866
DEFAULT_HOST = "127.0.0.1"
LANGUAGES = ("ru", "en")
# Variables the kernel must not inherit from the server: Voila reads a token
# from JUPYTER_TOKEN when it is not given one, and the dashboard has no use
# for either.
_SECRET_ENV = (TOKEN_ENV, "JUPYTER_TOKEN", "JUPYTER_TOKEN_FILE")
_PACKAGE_PARENT = Path(__file__).resolve().parents[1]

#: The Voila template cxlab serves: Voila's ``lab`` without its two links to
#: Font Awesome on cdn.jsdelivr.net (and without the mermaid.js loader, which
#: would fetch from cdnjs).  Agencies' networks are often closed, and a
#: stylesheet in <head> that cannot load holds back the whole page (the
#: progress spinner included) until the browser gives up on it.
TEMPLATE = "cxlab"
_TEMPLATE_FILES = {
    "conf.json": '{"base_template": "lab"}\n',
    "index.html.j2": """\
{#- Written by cxlab.serve: Voila's lab template without the Font Awesome CDN links. -#}
{%- extends 'voila/templates/lab/index.html.j2' -%}
{% import "spinner.macro.html.j2" as spinner %}

{%- block notebook_css -%}
  {% if frontend == "voila" %}
    {{ resources.include_js("static/voila-style.js") }}
  {% endif %}
  {{ spinner.css() }}
  <style>
    /* Hide empty cells */
    .jp-mod-noOutputs.jp-mod-noInput {
      display: none;
    }
  </style>
  {#- Skip lab's own block (the CDN links), keep nbconvert's (JupyterLab's CSS). -#}
  {{ super.super() }}
{%- endblock notebook_css -%}

{#- Mermaid diagrams would load mermaid.js from cdnjs; the dashboard draws none. -#}
{%- block html_head_js_mermaidjs -%}
{%- endblock html_head_js_mermaidjs -%}
""",
}


def write_template(root) -> Path:
    """Write the ``cxlab`` Voila template under ``root`` (put ``root`` on ``JUPYTER_PATH``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     print(write_template(root).name)
    cxlab
    """
    folder = Path(root) / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in _TEMPLATE_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


class DashboardError(CxlabError):
    """The dashboard server could not be configured or started."""


def voila_argv(notebook, *, port: int, host: str = DEFAULT_HOST, template: str = "lab") -> list[str]:
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

    Returns
    -------
    list of str
        Options for ``python -m voila`` (or ``python -m cxlab.serve``).

    Examples
    --------
    >>> argv = voila_argv("/srv/nb/dashboard.ipynb", port=8866)
    >>> argv[0], "--Voila.ip=127.0.0.1" in argv, "--strip_sources=True" in argv
    ('/srv/nb/dashboard.ipynb', True, True)
    """
    notebook = Path(notebook).resolve()
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
        # Preheated kernels render before a request's query is known (and
        # cannot show progress); each visit gets its own fresh kernel.
        "--preheat_kernel=False",
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
        A configured token that is empty, shorter than 16 characters, or
        holds spaces, ``&`` or ``#``; a token file that cannot be read.

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
    if any(c.isspace() for c in token) or "&" in token or "#" in token:
        raise DashboardError(
            f"the dashboard token from {source} contains spaces, '&' or '#'; it must fit in a URL unchanged"
        )
    return token, source


def dashboard_env(
    workspace, *, token: str, min_n: int = 10, lang: str | None = None, base: dict | None = None
) -> dict[str, str]:
    """The environment of the Voila process (and so of its kernels).

    Parameters
    ----------
    workspace : str or Path
        Validated with :class:`cxlab.Workspace`; passed as an absolute path.
    token : str
        Passed as ``CXLAB_DASHBOARD_TOKEN``, which the launcher removes
        before Voila starts.
    min_n : int
        Smallest cell shown (``CXLAB_DASHBOARD_MIN_N``).
    lang : {"ru", "en"} or None
        ``CXLAB_DASHBOARD_LANG``; default the workspace's ``language``, else ``"ru"``.
    base : dict, optional
        Environment to start from (default ``os.environ``).

    Examples
    --------
    >>> env = dashboard_env("workspaces/demo", token="x" * 32, lang="en")  # doctest: +SKIP
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
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _SECRET_ENV}
    # The server and its kernels import the very cxlab that checked the workspace.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(_PACKAGE_PARENT)]
        + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p).resolve() != _PACKAGE_PARENT]
    )
    env.update(CXLAB_WORKSPACE=str(path), CXLAB_DASHBOARD_MIN_N=str(min_n), CXLAB_DASHBOARD_LANG=lang)
    env[TOKEN_ENV] = token
    return env


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port free on ``host`` right now (for tests and benchmarks).

    Examples
    --------
    >>> 1024 <= free_port() <= 65535
    True
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        try:
            s.bind((host, 0))
        except OSError as exc:
            raise DashboardError(f"cannot listen on host {host!r}: {exc.strerror or exc}") from None
        return s.getsockname()[1]


def _family(host: str):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _check_port(host: str, port: int) -> None:
    if not 0 < port < 65536:
        raise DashboardError(f"port must be between 1 and 65535, not {port}")
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        # As tornado binds: a port left in TIME_WAIT by a stopped server is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except socket.gaierror as exc:
            raise DashboardError(f"cannot listen on host {host!r}: {exc.strerror}") from None
        except OSError as exc:
            reason = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            raise DashboardError(f"port {port} on {host} {reason}; choose another with --port") from None


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    return f"[{host}]" if ":" in host else host


def _connect_host(host: str) -> str:
    return {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)


def _dashboard_notebook(notebook) -> Path:
    from cxlab.pipeline import notebook_path

    return notebook_path("dashboard" if notebook is None else notebook).resolve()


@dataclass
class _Plan:
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    url: str
    token: str
    token_source: str
    host: str
    port: int
    notebook: Path
    workspace: Path
    template_root: Path


def _plan(workspace, *, port, host, token, token_file, min_n, lang, notebook) -> _Plan:
    token, source = resolve_token(token, token_file)
    env = dashboard_env(workspace, token=token, min_n=min_n, lang=lang)
    _check_port(host, port)
    nb = _dashboard_notebook(notebook)
    argv = [sys.executable, "-m", "cxlab.serve", *voila_argv(nb, port=port, host=host, template=TEMPLATE)]
    url = f"http://{_url_host(host)}:{port}/"
    # The template lives as long as its server (Voila finds templates on JUPYTER_PATH).
    template_root = Path(tempfile.mkdtemp(prefix="cxlab-voila-"))
    write_template(template_root)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(template_root), env.get("JUPYTER_PATH")) if p)
    # cwd: Voila reads voila.json / voila.py from its working directory, so it
    # runs where the notebook is, not wherever the command was typed.
    return _Plan(
        argv,
        env,
        cwd=nb.parent,
        url=url,
        token=token,
        token_source=source,
        host=host,
        port=port,
        notebook=nb,
        workspace=Path(env["CXLAB_WORKSPACE"]),
        template_root=template_root,
    )


def _with_token(url: str, token: str, query="") -> str:
    if isinstance(query, dict):
        query = urlencode(query)
    query = query.lstrip("?&")
    return f"{url}?token={token}" + (f"&{query}" if query else "")


def serve_dashboard(
    workspace,
    *,
    port: int = DEFAULT_PORT,
    host: str = DEFAULT_HOST,
    token: str | None = None,
    token_file=None,
    min_n: int = 10,
    lang: str | None = None,
    notebook=None,
) -> int:
    """Serve the dashboard in the foreground until Ctrl-C; return Voila's exit code.

    Parameters
    ----------
    workspace : str or Path
        The workspace shown; fixed for the life of the server.
    port, host : int, str
        Where to listen (default 127.0.0.1:8866).
    token : str, optional
        Default ``$CXLAB_DASHBOARD_TOKEN``, then ``token_file``, then a new one.
    token_file : str or Path, optional
        File holding the token (see :func:`resolve_token`).
    min_n : int
        Smallest cell shown.
    lang : {"ru", "en"}, optional
        Default: the workspace's language.
    notebook : str or Path, optional
        Another notebook instead of ``notebooks/dashboard.ipynb`` (tests only).

    Examples
    --------
    >>> serve_dashboard("workspaces/demo", port=8866)  # doctest: +SKIP
    dashboard of workspaces/demo (lang ru, min n 10), token generated:
      http://127.0.0.1:8866/?token=...
    """
    plan = _plan(
        workspace, port=port, host=host, token=token, token_file=token_file, min_n=min_n, lang=lang, notebook=notebook
    )
    print(
        f"dashboard of {plan.workspace} (lang {plan.env['CXLAB_DASHBOARD_LANG']}, "
        f"min n {plan.env['CXLAB_DASHBOARD_MIN_N']}), token {plan.token_source}:"
    )
    print(f"  {_with_token(plan.url, plan.token)}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"  listening on {host}: anyone who can reach this machine and has the token can open it; "
            "put it behind HTTPS before sharing the link",
            file=sys.stderr,
        )
    print("  stop with Ctrl-C", flush=True)
    try:
        return _run_foreground(plan)
    finally:
        shutil.rmtree(plan.template_root, ignore_errors=True)


def _run_foreground(plan: _Plan) -> int:
    proc = subprocess.Popen(plan.argv, env=plan.env, cwd=plan.cwd)
    try:
        return _exit_code(proc.wait())
    except KeyboardInterrupt:
        # Ctrl-C in a terminal has reached Voila too, and a second SIGINT
        # would interrupt it while it shuts its kernels down; SIGTERM only
        # asks its loop to stop, so it is safe to send in either case (and
        # needed when the SIGINT was sent to this process alone).
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            rc = proc.wait(timeout=30)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.kill()
            rc = proc.wait()
        return 0 if rc in (0, -signal.SIGINT, -signal.SIGTERM) else _exit_code(rc)


def _exit_code(rc: int) -> int:
    # Killed by signal N shows as -N; a shell would say 128 + N.
    return 128 - rc if rc < 0 else rc


@dataclass
class DashboardServer:
    """A running dashboard server (see :func:`start_dashboard`).

    Attributes
    ----------
    proc : subprocess.Popen
        The Voila process.
    url : str
        Base URL, without the token (``http://127.0.0.1:PORT/``).
    token, token_source : str
        The token and where it came from (``"generated"``, ...).
    host, port : str, int
        Where it listens.
    workspace, notebook : Path
        What it serves.
    log_path : Path
        Voila's stdout and stderr.
    """

    proc: subprocess.Popen
    url: str
    token: str
    token_source: str
    host: str
    port: int
    workspace: Path
    notebook: Path
    log_path: Path
    _log_file: object = field(default=None, repr=False)
    _own_log: bool = field(default=False, repr=False)
    _template_root: Path | None = field(default=None, repr=False)

    def url_with(self, query="") -> str:
        """The dashboard's URL with the token and ``query`` (str ``a=1&b=2`` or dict)."""
        return _with_token(self.url, self.token, query)

    def log(self) -> str:
        """Everything Voila has written so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 20) -> int:
        """Stop Voila (SIGTERM: it shuts its kernels down first); its exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
            if self._own_log:  # a temporary log goes with its server
                with contextlib.suppress(OSError):
                    self.log_path.unlink()
        if self._template_root is not None:
            shutil.rmtree(self._template_root, ignore_errors=True)
            self._template_root = None
        return self.proc.returncode

    def __enter__(self) -> DashboardServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _answers(host: str, port: int) -> bool:
    conn = http.client.HTTPConnection(_connect_host(host), port, timeout=2)
    try:
        # Without the token: 403, and no kernel started.
        conn.request("GET", "/login")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


def start_dashboard(
    workspace,
    *,
    port: int | None = None,
    host: str = DEFAULT_HOST,
    token: str | None = None,
    token_file=None,
    min_n: int = 10,
    lang: str | None = None,
    notebook=None,
    timeout: float = 60,
    log_path=None,
) -> DashboardServer:
    """Start the dashboard in the background; return once it answers HTTP.

    For tests and benchmarks; the arguments are those of
    :func:`serve_dashboard`, except that ``port`` defaults to a free one.

    Parameters
    ----------
    notebook : str or Path, optional
        A notebook to serve instead of ``notebooks/dashboard.ipynb`` (tests).
    timeout : float
        Seconds to wait for the server to answer.
    log_path : str or Path, optional
        Where Voila's output goes (default a temporary file, removed by
        :meth:`DashboardServer.stop`).

    Raises
    ------
    DashboardError
        Bad workspace, token or port; or the server died or did not answer
        in time (the message ends with the tail of its log).

    Examples
    --------
    >>> with start_dashboard("workspaces/demo") as server:  # doctest: +SKIP
    ...     urllib.request.urlopen(server.url_with()).status
    200
    """
    port = free_port(host) if port is None else port
    plan = _plan(
        workspace, port=port, host=host, token=token, token_file=token_file, min_n=min_n, lang=lang, notebook=notebook
    )
    own_log = log_path is None
    if own_log:
        fd, log_path = tempfile.mkstemp(prefix="cxlab-dashboard-", suffix=".log")
        os.close(fd)
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        log_file = open(log_path, "wb")
    except OSError:
        shutil.rmtree(plan.template_root, ignore_errors=True)
        raise
    # A file, not a pipe: nobody reads a pipe while the tests run, and a full
    # pipe would block the server.
    proc = subprocess.Popen(
        plan.argv, env=plan.env, cwd=plan.cwd, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    server = DashboardServer(
        proc=proc,
        url=plan.url,
        token=plan.token,
        token_source=plan.token_source,
        host=host,
        port=port,
        workspace=plan.workspace,
        notebook=plan.notebook,
        log_path=log_path,
        _log_file=log_file,
        _own_log=own_log,
        _template_root=plan.template_root,
    )
    deadline = time.monotonic() + timeout
    while not _answers(host, port):
        if proc.poll() is not None:
            tail = server.log_tail()
            server.stop()
            raise DashboardError(
                f"the dashboard server exited with code {proc.returncode} before answering; its log ends:\n{tail}"
            )
        if time.monotonic() > deadline:
            tail = server.log_tail()
            server.stop()
            raise DashboardError(
                f"the dashboard server did not answer on {plan.url} within {timeout:g} s; its log ends:\n{tail}"
            )
        time.sleep(0.2)
    return server


_TOKEN_ONLY = None


def _token_only_identity_provider():
    global _TOKEN_ONLY
    if _TOKEN_ONLY is None:
        from jupyter_server.auth.identity import PasswordIdentityProvider
        from tornado import web

        class TokenOnlyIdentityProvider(PasswordIdentityProvider):
            """Jupyter's token check, with no login form: no valid token or cookie, 403.

            A redirect to a form that asks for "password or token" and talks
            about ``jupyter server list`` means nothing to the executive who
            opened an old link; 403 says plainly that the link is not enough.
            """

            async def get_user(self, handler):
                user = super().get_user(handler)
                if hasattr(user, "__await__"):
                    user = await user
                # Static assets (JupyterLab extensions, themes) are public, as in Jupyter.
                if user is None and not isinstance(handler, web.StaticFileHandler):
                    # As Jupyter does before its own early 403: the error
                    # page asks for the current user, which must then be known.
                    handler.current_user = handler._jupyter_current_user = None
                    raise web.HTTPError(403, "no valid token in the URL and no login cookie")
                return user

        TokenOnlyIdentityProvider.__module__ = __name__
        _TOKEN_ONLY = TokenOnlyIdentityProvider
    return _TOKEN_ONLY


def __getattr__(name):
    # The class is built on first use, so that importing cxlab.serve (for the
    # CLI) does not import jupyter_server; Voila finds it by this name.
    if name == "TokenOnlyIdentityProvider":
        return _token_only_identity_provider()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _launch_voila(argv: list[str]) -> None:
    """Run Voila with the token taken from the environment, not the command line."""
    token = os.environ.pop(TOKEN_ENV, "")
    for name in _SECRET_ENV:  # kernels start with a copy of this environment
        os.environ.pop(name, None)
    if len(token) < MIN_TOKEN_LENGTH:
        sys.exit(f"cxlab.serve: set {TOKEN_ENV} to a token of at least {MIN_TOKEN_LENGTH} characters")
    import warnings

    from voila.app import Voila

    # `file_allowlist=[]` is traitlets' older list syntax, and the only one
    # that can say "empty"; its deprecation warning would open every log
    # (set after the import: importing voila turns traitlets' warnings on).
    warnings.filterwarnings("ignore", message=r".*for containers is deprecated", category=DeprecationWarning)

    Voila.launch_instance(argv, token=token)


if __name__ == "__main__":  # python -m cxlab.serve <voila options>, started by serve/start_dashboard
    _launch_voila(sys.argv[1:])
