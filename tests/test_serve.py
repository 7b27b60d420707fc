"""`cxlab dashboard`: Voila on one notebook, behind a token, on a workspace fixed at start.

The server tests run the real Voila on a throwaway notebook (the dashboard's
own notebook is tested in tests/dashboard/); it prints the workspace's folder
name and the ``wave`` of the query, and shows a widget with the class the
browser harness waits for.  A second notebook beside it must never run.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from cxlab import Workspace
from cxlab.errors import CxlabError, WorkspaceError
from cxlab.serve import (
    TOKEN_ENV,
    DashboardError,
    dashboard_env,
    free_port,
    resolve_token,
    serve_dashboard,
    start_dashboard,
    voila_argv,
)

from .dashboard import conftest as harness
from .dashboard.conftest import CHROMIUM_ARGS, READY, open_dashboard

# The browser harness's own fixtures, so that the test at the end proves them.
browser = harness.browser
page = harness.page

slow = pytest.mark.slow

DASH_CODE = """\
import os, urllib.parse
from pathlib import Path
import ipywidgets as widgets
from cxlab.present.dashboard_startup import request_query
query = urllib.parse.parse_qs(request_query())  # a preheated kernel waits here for its visitor
print("WS=" + Path(os.environ["CXLAB_WORKSPACE"]).name)
print("WAVE=" + ",".join(query.get("wave", [])))
print("LANG=" + os.environ["CXLAB_DASHBOARD_LANG"] + " MIN_N=" + os.environ["CXLAB_DASHBOARD_MIN_N"])
print("SECRETS=" + (",".join(k for k in ("CXLAB_DASHBOARD_TOKEN", "JUPYTER_TOKEN") if k in os.environ) or "none"))
root = widgets.HTML("<b>ready</b>")
root.add_class("cx-dashboard-ready")
display(root)
"""
OTHER_CODE = """\
from pathlib import Path
Path("OTHER_RAN").write_text("executed")
print("OTHER-NOTEBOOK-RAN")
"""


def _notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Throwaway dashboard"), nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A workspace, the served notebook and, beside it, a notebook and files that must stay out of reach."""
    root = tmp_path_factory.mktemp("serve")
    ws = Workspace.create(root / "acme", language="en")
    nbdir = root / "notebooks"
    nbdir.mkdir()
    served = _notebook(nbdir / "dash.ipynb", DASH_CODE)
    _notebook(nbdir / "other.ipynb", OTHER_CODE)
    (nbdir / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # matches Voila's default allow-list
    (nbdir / "notes.txt").write_text("not for the browser", encoding="utf-8")
    return ws, served


@pytest.fixture(scope="module")
def server(site):
    ws, served = site
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(TOKEN_ENV, raising=False)
        # Many plain GETs below, each a kernel that no page ever closes (culled
        # after 90 s): a cap far above them (the cap has its own tests).
        srv = start_dashboard(ws.path, notebook=served, max_kernels=40)
    yield srv
    srv.stop()


def get(srv, path: str, headers=None, response=False):
    """GET without following redirects: (status, Location, body)."""
    port = srv if isinstance(srv, int) else srv.port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        got = resp.status, resp.getheader("Location"), resp.read().decode("utf-8", "replace")
        return (*got, resp) if response else got
    finally:
        conn.close()


# ---------------------------------------------------------------- no server


def test_voila_argv_serves_one_notebook_locked_down(tmp_path):
    nb = _notebook(tmp_path / "dash.ipynb", "1")
    argv = voila_argv(nb, port=8866)
    assert argv[0] == str(nb.resolve()) and Path(argv[0]).is_file()  # a file: single-notebook mode
    for option in (
        "--Voila.root_dir=" + str(tmp_path.resolve()),
        "--port=8866",
        "--Voila.port_retries=0",
        "--Voila.ip=127.0.0.1",
        "--no-browser",
        "--token",
        "--template=lab",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.file_allowlist=[]",
        "--preheat_kernel=True",
        "--VoilaConfiguration.default_pool_size=1",
        "--MappingKernelManager.cull_idle_timeout=90",
        "--MappingKernelManager.cull_interval=30",
        "--MappingKernelManager.cull_connected=False",
        "--PasswordIdentityProvider.allow_password_change=False",
        "--Voila.identity_provider_class=cxlab.serve.TokenOnlyIdentityProvider",
    ):
        assert option in argv
    # The token itself never goes on a command line.
    assert not [a for a in argv if a.startswith(("--token=", "--Voila.token", "--IdentityProvider.token"))]
    assert "--Voila.ip=0.0.0.0" in voila_argv(nb, port=1, host="0.0.0.0")
    assert "--template=cxlab" in voila_argv(nb, port=1, template="cxlab")
    off = voila_argv(nb, port=1, preheat=0, cull_idle=5, cull_interval=1)
    assert "--preheat_kernel=False" in off and "--MappingKernelManager.cull_idle_timeout=5" in off
    with pytest.raises(DashboardError):
        voila_argv(nb, port=1, preheat=-1)


def test_token_from_env_then_file_else_generated(tmp_path, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    first, source = resolve_token()
    assert source == "generated" and len(first) >= 32 and resolve_token()[0] != first

    plain = tmp_path / "token.txt"
    plain.write_text("file-token-0123456789abcdef\nignored second line\n", encoding="utf-8")
    assert resolve_token(token_file=plain) == ("file-token-0123456789abcdef", f"file {plain}")
    config = tmp_path / "cxlab.yaml"
    config.write_text("other: 1\ndashboard_token: yaml-token-0123456789abcdef\n", encoding="utf-8")
    assert resolve_token(token_file=config)[0] == "yaml-token-0123456789abcdef"

    monkeypatch.setenv(TOKEN_ENV, "env-token-0123456789abcdef")
    token, source = resolve_token(token_file=plain)  # the environment wins
    assert token == "env-token-0123456789abcdef" and TOKEN_ENV in source


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is empty"),
        ("short-token", "only 11 characters long"),
        ("has space 0123456789abcdef", "contains space; a token may hold only the characters A-Z a-z 0-9"),
        ("amp&hash#0123456789abcdef", "contains '#', '&'"),
        ("x" * 513, "use at most 512"),
    ],
)
def test_configured_token_must_be_long_and_url_safe(value, message, tmp_path, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, value)
    with pytest.raises(DashboardError, match=message):
        resolve_token()
    monkeypatch.delenv(TOKEN_ENV)
    (tmp_path / "t").write_text(value + "\n", encoding="utf-8")
    with pytest.raises(DashboardError, match=message):
        resolve_token(token_file=tmp_path / "t")
    with pytest.raises(DashboardError, match="cannot read the token file"):
        resolve_token(token_file=tmp_path / "missing")


def test_environment_fixes_the_workspace(site, monkeypatch):
    ws, _ = site
    monkeypatch.chdir(ws.path.parent)
    env = dashboard_env("acme", base={"JUPYTER_TOKEN": "leak", TOKEN_ENV: "leak", "PATH": "/bin"})
    assert env["CXLAB_WORKSPACE"] == str(ws.path.resolve())  # absolute, whatever the cwd of the kernel
    assert env["CXLAB_DASHBOARD_LANG"] == "en"  # the workspace's language
    assert env["CXLAB_DASHBOARD_MIN_N"] == "10"
    # The token goes to the server through a pipe, never its environment.
    assert "JUPYTER_TOKEN" not in env and TOKEN_ENV not in env and env["PATH"] == "/bin"
    assert env["CXLAB_DASHBOARD_MAX_KERNELS"] == "6" and env["CXLAB_DASHBOARD_PREHEAT"] == "1"
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(Path(__file__).resolve().parents[1])
    assert dashboard_env(ws.path, lang="ru", min_n=5)["CXLAB_DASHBOARD_MIN_N"] == "5"
    with pytest.raises(DashboardError, match="language"):
        dashboard_env(ws.path, lang="de")
    with pytest.raises(DashboardError, match="counts the 2 preheated one"):
        dashboard_env(ws.path, max_kernels=2, preheat=2)


def test_bad_workspace_is_refused_before_any_server_starts(tmp_path, site, monkeypatch):
    _, served = site

    def no_popen(*args, **kwargs):
        raise AssertionError("a server was started")

    monkeypatch.setattr(subprocess, "Popen", no_popen)
    with pytest.raises(WorkspaceError, match="no workspace at"):
        start_dashboard(tmp_path / "nowhere", notebook=served)
    with pytest.raises(WorkspaceError, match="no workspace at"):
        serve_dashboard(tmp_path / "nowhere", notebook=served)


def cxlab(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "cxlab.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@slow  # the CLI in a subprocess
def test_cli_dashboard_bad_workspace_exits_with_one_message():
    res = cxlab("dashboard", "--workspace", "/nonexistent")
    assert res.returncode == 2
    assert "cxlab dashboard: error: no workspace at /nonexistent" in res.stderr and "Traceback" not in res.stderr


@slow  # the CLI in a subprocess, twice
def test_cli_dashboard_refuses_a_busy_port_and_a_short_token(site):
    ws, _ = site
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = cxlab("dashboard", "--workspace", str(ws.path), "--port", str(port))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"port {port} on 127.0.0.1 is in use; choose another with --port" in res.stderr
    res = cxlab("dashboard", "--workspace", str(ws.path), env={TOKEN_ENV: "too-short"})
    assert res.returncode == 2 and "at least 16 characters" in res.stderr and "Traceback" not in res.stderr


# ---------------------------------------------------------------- real server


@slow
def test_request_without_token_is_refused(server):
    for path in ("/?wave=2026-Q3", "/?token=wrong-token-0123456789abcdef", "/login", "/login?next=%2F"):
        status, location, body = get(server, path)
        assert status == 403 and location is None, path
        assert "<h1>No access</h1>" in body  # cxlab's page, in the server's language (the workspace's: en)
        # Nothing of the dashboard, and no form that takes a token or sets a password.
        assert "WS=acme" not in body and "cx-dashboard" not in body and "password" not in body.lower()


@slow
def test_token_once_then_the_cookie_it_sets(server):
    status, _, _, resp = get(server, f"/?token={server.token}", response=True)
    cookies = [c.split(";", 1)[0] for c in resp.headers.get_all("Set-Cookie") or []]
    assert status == 200 and cookies
    # What the page's scripts and a reload rely on: the cookie alone lets in.
    status, _, body = get(server, "/?wave=2026-Q4", headers={"Cookie": "; ".join(cookies)})
    assert status == 200 and "WAVE=2026-Q4" in body


@slow
def test_token_in_url_serves_the_dashboard_of_the_fixed_workspace(server):
    status, _, body = get(server, f"/?token={server.token}&wave=2026-Q3")
    assert status == 200
    assert "WS=acme" in body and "WAVE=2026-Q3" in body and "LANG=en MIN_N=10" in body
    assert "SECRETS=none" in body  # the kernel does not inherit the token variables
    assert "Path(os.environ" not in body  # sources stripped
    # Nothing in the URL moves the dashboard to another workspace.
    status, _, body = get(server, f"/?token={server.token}&workspace=/etc&CXLAB_WORKSPACE=/etc")
    assert status == 200 and "WS=acme" in body


@slow
def test_template_and_theme_overrides_in_the_url_are_ignored(server):
    status, _, body = get(
        server, f"/?token={server.token}&template=classic&theme=dark&voila-template=classic&voila-theme=dark"
    )
    assert status == 200 and "WS=acme" in body
    assert "/voila/templates/cxlab/static/" in body and "/voila/templates/classic/" not in body
    assert "theme-light" in body and "theme-dark" not in body


@slow
def test_page_fetches_nothing_from_outside_and_shows_progress(server):
    status, _, body = get(server, f"/?token={server.token}")
    assert status == 200
    # cxlab's template is Voila's lab without the Font Awesome CDN links.
    assert "cdn.jsdelivr.net" not in body and "https://" not in body.split("<body", 1)[0]
    # Voila's progress: a spinner and "Executing <cell> of <cells>" while the notebook runs.
    assert 'id="loading_text"' in body and "voila_process(2, 2)" in body
    status, _, css = get(server, "/voila/templates/cxlab/static/index.css")
    assert status == 200 and ".jp-OutputArea" in css  # JupyterLab's styles still come with it


def test_template_folder_lives_as_long_as_its_server(site, monkeypatch):
    import cxlab.serve

    ws, served = site
    started = []
    monkeypatch.setattr(cxlab.serve._server, "_answers", lambda host, port: True)
    real_popen = subprocess.Popen
    monkeypatch.setattr(
        subprocess,
        "Popen",
        lambda argv, **kw: (
            started.append(kw["env"]) or real_popen([sys.executable, "-c", "import time; time.sleep(30)"], **kw)
        ),
    )
    with start_dashboard(ws.path, notebook=served) as srv:
        root = Path(started[0]["JUPYTER_PATH"].split(os.pathsep)[0])
        assert (root / "voila" / "templates" / "cxlab" / "index.html.j2").is_file()
    assert not root.exists() and srv.proc.returncode is not None


@slow
def test_no_other_notebook_or_file_is_served(server, site):
    _, served = site
    for path in (
        "/voila/render/other.ipynb",
        "/voila/tree",
        "/voila/tree/",
        "/other.ipynb",
        "/voila/api/contents/",
        "/voila/files/logo.png",
        "/voila/files/notes.txt",
        "/voila/files/other.ipynb",
        "/voila/files/dash.ipynb",
        "/voila/files/../notebooks/notes.txt",
    ):
        status, location, body = get(server, f"{path}?token={server.token}")
        if status == 302:  # single-notebook mode sends any other path to /voila/files/, which serves nothing
            assert location.startswith("/voila/files/"), (path, location)
            status, location, body = get(server, location)
        assert status in (403, 404), (path, status)
        assert "OTHER-NOTEBOOK-RAN" not in body and "not for the browser" not in body
    assert not (served.parent / "OTHER_RAN").exists()


@slow
def test_listens_on_loopback_only_and_keeps_the_token_off_command_lines(server):
    import psutil

    proc = psutil.Process(server.proc.pid)
    conns = proc.net_connections(kind="inet") if hasattr(proc, "net_connections") else proc.connections("inet")
    listening = [c.laddr for c in conns if c.status == psutil.CONN_LISTEN]
    assert listening and {(a.ip, a.port) for a in listening} == {("127.0.0.1", server.port)}
    get(server, f"/?token={server.token}")  # so that a kernel runs too
    kernels = proc.children(recursive=True)
    assert kernels
    for p in [proc, *kernels]:
        assert server.token not in " ".join(p.cmdline())
        # The environment each started with (/proc/<pid>/environ), Voila's too:
        # the token came through a pipe, and is taken off the request's query
        # before Voila gives it to a kernel (QUERY_STRING, VOILA_REQUEST_URL).
        environ = p.environ()
        assert not {TOKEN_ENV, "JUPYTER_TOKEN"} & set(environ)
        assert not [k for k, v in environ.items() if server.token in v]


@slow
def test_configured_token_from_the_environment(site, monkeypatch):
    ws, served = site
    monkeypatch.setenv(TOKEN_ENV, "configured-token-0123456789")
    with start_dashboard(ws.path, notebook=served, min_n=7) as srv:
        assert srv.token == "configured-token-0123456789" and TOKEN_ENV in srv.token_source
        status, _, body = get(srv, "/?token=configured-token-0123456789")
        assert status == 200 and "MIN_N=7" in body
        assert get(srv, f"/?token={'x' * 32}")[0] == 403


@slow
def test_serve_dashboard_prints_the_generated_token_and_stops_on_ctrl_c(site, tmp_path):
    ws, served = site
    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    code = (
        f"import sys\nfrom cxlab.serve import serve_dashboard\n"
        f"sys.exit(serve_dashboard({str(ws.path)!r}, port={port}, notebook={str(served)!r}))"
    )
    with open(log, "w") as out:
        # SIGINT restored: a shell that starts pytest in the background has it ignored.
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    try:
        deadline = time.monotonic() + 60
        while "is running at" not in log.read_text() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        text = log.read_text()
        assert "token generated:" in text, text
        assert 'once "dashboard ready" is printed' in text  # a visitor sooner than the first kernel waits
        url = next(line.strip() for line in text.splitlines() if "?token=" in line and "..." not in line)
        assert url.startswith(f"http://127.0.0.1:{port}/?token=")
        token = url.split("?token=", 1)[1]
        assert len(token) >= 32 and f"?token={token}" not in text.split(url, 1)[1]  # Voila's own log hides it
        status, _, body = get(port, f"/?token={token}")
        assert status == 200 and "WS=acme" in body
        proc.send_signal(signal.SIGINT)  # to cxlab alone: it passes the stop on to Voila
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


@slow
def test_start_dashboard_reports_a_server_that_dies_with_its_log(site, monkeypatch):
    import cxlab.serve

    ws, served = site
    good = cxlab.serve.voila_argv
    monkeypatch.setattr(
        cxlab.serve._server,
        "voila_argv",
        lambda *a, **k: [*good(*a, **k), "--VoilaConfiguration.allow_theme_override=MAYBE"],
    )
    with pytest.raises(CxlabError, match=r"exited with code \d+ before answering(.|\n)*MAYBE"):
        start_dashboard(ws.path, notebook=served)


def test_start_dashboard_refuses_an_unknown_host(site):
    ws, served = site
    with pytest.raises(DashboardError, match="cannot listen on host"):
        start_dashboard(ws.path, notebook=served, host="no-such-host.invalid")


# ---------------------------------------------------------------- browser harness


@slow
def test_browser_harness_opens_the_dashboard_without_js_errors(page, server):
    root = open_dashboard(page, server, "wave=2026-Q3")
    assert READY in root.get_attribute("class")
    assert "WAVE=2026-Q3" in page.inner_text("body")
    assert page.js_errors == [] and page.external_requests == []
    assert "--disable-background-networking" in CHROMIUM_ARGS
