"""Serve the executive dashboard (``notebooks/dashboard.ipynb``) with Voila.

``cxlab dashboard --workspace W`` runs Voila on *one* notebook: Voila's
directory mode executes any notebook under its root on request, so it is never
used.  What the browser may ask for is narrowed down as far as Voila allows:

- a token is required (``?token=...`` once, then a cookie that lasts until
  the server stops); a request without it gets ``403`` and a page saying so
  in the page's language (``?lang=`` if given, else the server's;
  :mod:`cxlab.serve._pages`), no login form, no part of the dashboard
  (:class:`TokenOnlyIdentityProvider`);
- the code of the notebook is stripped; tracebacks are not sent to the browser;
- ``?template=`` / ``?theme=`` in the URL are ignored (overrides are off, also
  from the notebook's metadata);
- ``/voila/files/`` serves no file at all (empty allow-list), and any other
  path is redirected there, so no other notebook or file is reachable;
- the server listens on 127.0.0.1 unless another host is given, and on exactly
  the port asked for (Voila would otherwise silently try fifty others);
- the page fetches nothing from outside the machine: the ``cxlab`` template
  (:data:`TEMPLATE`) is Voila's ``lab`` without its CDN links, and its
  loading screen speaks the page's language ("Загрузка панели…", "Подготовка
  панели: шаг i из n"; the URL's ``lang=``, else the server's, which the page
  handler puts in the ``cxlab_lang`` cookie) instead of Voila's "Running ...".

Kernels.  One kernel per page, as Voila does; around that:

- *preheating* (``--preheat N``, default 1): Voila keeps N kernels that have
  run the notebook up to the cell that waits for a visitor
  (:func:`cxlab.present.dashboard_startup.request_query`, which calls
  ``voila.utils.get_query_string``): imports, reading the workspace and the
  default view are done before anyone asks; the visitor's query then arrives
  through Voila's ``/voila/query/<kernel>`` websocket (``VOILA_APP_IP`` is set
  so that the kernel finds the server on whatever address it listens on);
- a page that closes sends ``POST /voila/api/shutdown/<kernel>`` with the
  ``_xsrf`` value of its cookie; Voila's page handler never set that cookie,
  so the request got 403 and every kernel outlived its page.  cxlab's page
  handler sets it (XSRF protection stays on);
- a kernel without connection (its page closed without a word) is culled
  after 90 idle seconds, the culler looking every 30 s: gone within two
  minutes; a page open but idle keeps its websocket and its kernel
  (``cull_connected=False``);
- at most ``--max-kernels`` (default 6, about 400 MB each) live kernels, the
  preheated ones included; a visitor beyond that gets ``503`` and a page in
  their language, and the log says "visitor refused";
- Ctrl-C or SIGTERM on ``cxlab dashboard`` (or :meth:`DashboardServer.stop`)
  stops Voila, which shuts its kernels down, then kills any process it
  started that is still there (the list is taken first: jupyter_client starts
  kernels in sessions of their own, which a process-group signal misses).

The workspace is fixed when the server starts: it is validated with
:class:`cxlab.Workspace` and handed to the kernel in the environment
(``CXLAB_WORKSPACE``, absolute path), with ``CXLAB_DASHBOARD_MIN_N`` and
``CXLAB_DASHBOARD_LANG``.  The kernel inherits the server's environment; Voila
adds the request's ``QUERY_STRING`` (and ``SCRIPT_NAME``, ``SERVER_NAME``,
``VOILA_REQUEST_URL``, ``VOILA_PREHEAT`` ...), which is the only channel from
the URL to the notebook.  The page handler removes ``token=`` from the
request before Voila copies it there, so no kernel ever sees the token.

The token comes from ``CXLAB_DASHBOARD_TOKEN``, else from a token file, else
it is generated; a configured one may hold only ``A-Z a-z 0-9 - . _ ~`` (the
characters a URL carries unchanged, so that the printed link works as
printed).  It is never on a command line nor in the environment of the server
or its kernels (``/proc/<pid>/environ`` keeps the environment a process
started with): the Voila process is started through ``python -m cxlab.serve``
(:mod:`cxlab.serve._launcher`), which reads the token from an inherited pipe.
The launcher also redacts every ``token=`` value and the token itself in every
log record (tornado and Jupyter log the full URL of a refused request).

Examples
--------
>>> from cxlab.serve import start_dashboard
>>> with start_dashboard("workspaces/demo", lang="en") as server:  # doctest: +SKIP
...     print(server.url_with("wave=2026-Q3"), len(server.kernel_pids()), round(server.memory_mb()))
http://127.0.0.1:40123/?token=...&wave=2026-Q3 1 650
"""

from __future__ import annotations

from ._common import DEFAULT_HOST as DEFAULT_HOST
from ._common import DEFAULT_MAX_KERNELS as DEFAULT_MAX_KERNELS
from ._common import DEFAULT_PORT as DEFAULT_PORT
from ._common import DEFAULT_PREHEAT as DEFAULT_PREHEAT
from ._common import LANGUAGES as LANGUAGES
from ._common import MIN_TOKEN_LENGTH, TOKEN_ENV
from ._common import TOKEN_CHARACTERS as TOKEN_CHARACTERS
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
