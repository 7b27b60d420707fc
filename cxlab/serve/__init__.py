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

from ._common import DEFAULT_HOST as DEFAULT_HOST
from ._common import DEFAULT_PORT as DEFAULT_PORT
from ._common import LANGUAGES as LANGUAGES
from ._common import MIN_TOKEN_LENGTH, TOKEN_ENV
from ._common import DashboardError as DashboardError
from ._config import dashboard_env, resolve_token, voila_argv
from ._identity import _token_only_identity_provider
from ._server import DashboardServer, free_port, serve_dashboard, start_dashboard
from ._template import TEMPLATE, write_template

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


def __getattr__(name):
    # The class is built on first use, so that importing cxlab.serve (for the
    # CLI) does not import jupyter_server; Voila finds it by this name.
    if name == "TokenOnlyIdentityProvider":
        return _token_only_identity_provider()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
