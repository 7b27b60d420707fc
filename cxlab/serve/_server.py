"""Run the dashboard server: check the port, start Voila, wait for it, stop it and all it started."""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

from ._common import (
    CULL_IDLE_SECONDS,
    CULL_INTERVAL_SECONDS,
    DEFAULT_HOST,
    DEFAULT_MAX_KERNELS,
    DEFAULT_PORT,
    DEFAULT_PREHEAT,
    TOKEN_FD_OPTION,
    DashboardError,
)
from ._config import dashboard_env, resolve_token, voila_argv
from ._template import TEMPLATE, write_template


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


def _plan(
    workspace,
    *,
    port,
    host,
    token,
    token_file,
    min_n,
    lang,
    notebook,
    max_kernels=DEFAULT_MAX_KERNELS,
    preheat=DEFAULT_PREHEAT,
    cull_idle=CULL_IDLE_SECONDS,
    cull_interval=CULL_INTERVAL_SECONDS,
) -> _Plan:
    token, source = resolve_token(token, token_file)
    env = dashboard_env(workspace, min_n=min_n, lang=lang, max_kernels=max_kernels, preheat=preheat)
    _check_port(host, port)
    nb = _dashboard_notebook(notebook)
    options = voila_argv(
        nb, port=port, host=host, template=TEMPLATE, preheat=preheat, cull_idle=cull_idle, cull_interval=cull_interval
    )
    argv = [sys.executable, "-m", "cxlab.serve", *options]
    url = f"http://{_url_host(host)}:{port}/"
    # The template lives as long as its server (Voila finds templates on JUPYTER_PATH).
    template_root = Path(tempfile.mkdtemp(prefix="cxlab-voila-"))
    write_template(template_root)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(template_root), env.get("JUPYTER_PATH")) if p)
    # Where a preheated kernel reaches the server for its visitor's query
    # (voila.utils.wait_for_request; Voila's default 127.0.0.1 misses a server
    # listening on one other address only).
    connect = _connect_host(host)
    env["VOILA_APP_IP"] = f"[{connect}]" if ":" in connect else connect
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


def _spawn(plan: _Plan, **popen_kwargs) -> subprocess.Popen:
    """Start Voila through the launcher, the token in a pipe it inherits (never argv or environment)."""
    read_end, write_end = os.pipe()
    try:
        # Whole before the start: a pipe holds 64 KiB and a token at most 512 bytes.
        os.write(write_end, plan.token.encode("utf-8"))
    finally:
        os.close(write_end)
    try:
        argv = [*plan.argv[:3], f"{TOKEN_FD_OPTION}{read_end}", *plan.argv[3:]]
        return subprocess.Popen(argv, env=plan.env, cwd=plan.cwd, pass_fds=(read_end,), **popen_kwargs)
    finally:
        os.close(read_end)


def _descendants(pid: int) -> list:
    """The processes under ``pid`` (psutil.Process), deepest last; none if it is gone."""
    import psutil  # a dependency of IPython, which every Jupyter kernel runs

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _stop_tree(proc: subprocess.Popen, timeout: float) -> int:
    """Stop Voila and then whatever it started that is still running; Voila's return code.

    The list of its processes is taken first: jupyter_client starts each
    kernel in a session of its own, so neither a signal to the process group
    nor Voila's death reaches one that Voila failed to shut down.
    """
    import psutil

    started = _descendants(proc.pid)
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()  # SIGTERM: Voila shuts its kernels down and exits
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    left = []
    for p in started:
        # psutil checks that the pid still names the process listed above.
        with contextlib.suppress(psutil.Error):
            if p.is_running():
                p.kill()
                left.append(p)
    psutil.wait_procs(left, timeout=5)
    return proc.returncode


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
    max_kernels: int = DEFAULT_MAX_KERNELS,
    preheat: int = DEFAULT_PREHEAT,
) -> int:
    """Serve the dashboard in the foreground until Ctrl-C or SIGTERM; return Voila's exit code.

    Either signal stops Voila and every process it started (its kernels).

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
    max_kernels : int
        Live kernels at most, the preheated ones included (default 6, about
        400 MB each); a visitor beyond it gets a "try again later" page.
    preheat : int
        Kernels kept ready, the notebook run up to the request (default 1; 0: off).

    Examples
    --------
    >>> serve_dashboard("workspaces/demo", port=8866)  # doctest: +SKIP
    dashboard of workspaces/demo (lang ru, min n 10), token generated:
      http://127.0.0.1:8866/?token=...
    """
    plan = _plan(
        workspace,
        port=port,
        host=host,
        token=token,
        token_file=token_file,
        min_n=min_n,
        lang=lang,
        notebook=notebook,
        max_kernels=max_kernels,
        preheat=preheat,
    )
    print(
        f"dashboard of {plan.workspace} (lang {plan.env['CXLAB_DASHBOARD_LANG']}, "
        f"min n {plan.env['CXLAB_DASHBOARD_MIN_N']}, at most {max_kernels} kernels, {preheat} preheated), "
        f"token {plan.token_source}:"
    )
    print(f"  {_with_token(plan.url, plan.token)}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"  listening on {host}: anyone who can reach this machine and has the token can open it; "
            "put it behind HTTPS before sharing the link",
            file=sys.stderr,
        )
    if preheat > 0:
        # The first kernel reads the workspace and draws the default view before anyone asks; a visitor
        # who comes sooner waits for it.
        print('  preparing the first view: the link opens in seconds once "dashboard ready" is printed')
    print("  stop with Ctrl-C", flush=True)
    try:
        return _run_foreground(plan)
    finally:
        shutil.rmtree(plan.template_root, ignore_errors=True)


def _on_sigterm(signum, frame):
    # SIGTERM takes the Ctrl-C path: Voila and every kernel it started are stopped.
    raise KeyboardInterrupt


def _run_foreground(plan: _Plan) -> int:
    # SIGTERM's default would end this process alone and leave Voila and its
    # kernels serving (they are not in its path): stop them as on Ctrl-C.
    previous = signal.signal(signal.SIGTERM, _on_sigterm), signal.getsignal(signal.SIGINT)
    try:
        proc = _spawn(plan)
        try:
            return _exit_code(proc.wait())
        except KeyboardInterrupt:
            # Ctrl-C in a terminal has reached Voila too, and a second SIGINT
            # would interrupt it while it shuts its kernels down; SIGTERM only
            # asks its loop to stop, so it is safe to send in either case (and
            # needed when the signal was sent to this process alone).
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            rc = _stop_tree(proc, timeout=30)
            return 0 if rc in (0, -signal.SIGINT, -signal.SIGTERM) else _exit_code(rc)
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])


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
    _log_file: IO[bytes] | None = field(default=None, repr=False)
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

    def kernel_pids(self) -> list[int]:
        """Process ids of what Voila has started and is still running: its kernels (preheated ones too).

        Examples
        --------
        >>> with start_dashboard("workspaces/demo", preheat=1) as server:  # doctest: +SKIP
        ...     len(server.kernel_pids())
        1
        """
        return [p.pid for p in _descendants(self.proc.pid)]

    def memory_mb(self) -> float:
        """Resident memory of Voila and every process it started, in MiB (0 once stopped).

        Examples
        --------
        >>> server.memory_mb()  # doctest: +SKIP
        512.3
        """
        import psutil

        total = 0
        try:
            procs = [psutil.Process(self.proc.pid), *_descendants(self.proc.pid)]
        except psutil.Error:
            return 0.0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / 2**20

    def stop(self, timeout: float = 20) -> int:
        """Stop Voila (SIGTERM: it shuts its kernels down first), then any process of it left; its exit code."""
        _stop_tree(self.proc, timeout)
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
    max_kernels: int = DEFAULT_MAX_KERNELS,
    preheat: int = DEFAULT_PREHEAT,
    cull_idle: int = CULL_IDLE_SECONDS,
    cull_interval: int = CULL_INTERVAL_SECONDS,
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
    cull_idle, cull_interval : int
        Seconds before a kernel without connection is shut down, and between
        looks (default 90 and 30; tests make them short).

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
        workspace,
        port=port,
        host=host,
        token=token,
        token_file=token_file,
        min_n=min_n,
        lang=lang,
        notebook=notebook,
        max_kernels=max_kernels,
        preheat=preheat,
        cull_idle=cull_idle,
        cull_interval=cull_interval,
    )
    own_log = log_path is None
    if own_log:
        fd, log_path = tempfile.mkstemp(prefix="cxlab-dashboard-", suffix=".log")
        os.close(fd)
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Left open for the server's life: DashboardServer.stop closes it.
        log_file = open(log_path, "wb")  # noqa: SIM115
    except OSError:
        shutil.rmtree(plan.template_root, ignore_errors=True)
        raise
    # A file, not a pipe: nobody reads a pipe while the tests run, and a full
    # pipe would block the server.
    try:
        proc = _spawn(plan, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    except BaseException:
        log_file.close()
        shutil.rmtree(plan.template_root, ignore_errors=True)
        raise
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
