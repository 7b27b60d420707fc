"""The dashboard's start in notebook steps: workspace and query checked, the refusal and "being updated" widgets.

``notebooks/dashboard.ipynb`` runs :class:`Startup` one cell per step, so
that Voila's loading screen shows how far the first render has got.  The
server (:mod:`cxlab.serve`) keeps a preheated kernel: it runs the cells that
do not depend on the request (imports, reading the workspace, the default
view's slow parts) before anyone asks, then waits in :func:`request_query`
for the visitor's query; :meth:`Startup.read_query` re-reads the workspace if
it changed meanwhile (:func:`workspace_fingerprint`).
"""

from __future__ import annotations

import contextlib
import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import parse_qsl

import ipywidgets as w

from cxlab.errors import ParameterError, WorkspaceLockedError
from cxlab.present.dashboard_data import DashboardData, DashboardQueryError, Selection
from cxlab.present.dashboard_text import CSS, _t

if TYPE_CHECKING:  # dashboard.py imports this module
    from cxlab.present.dashboard import Dashboard

__all__ = [
    "Startup",
    "error_widget",
    "busy_widget",
    "request_query",
    "workspace_fingerprint",
    "close_widgets",
    "DASHBOARD_LOCK_TIMEOUT",
]

#: Seconds the dashboard waits for a process writing the workspace before it shows
#: :func:`busy_widget` (a viewer watches a loading page meanwhile); ``CXLAB_LOCK_TIMEOUT`` when set.
DASHBOARD_LOCK_TIMEOUT = 10.0


def error_widget(message: str, lang: str = "ru") -> w.HTML:
    """A refusal shown instead of the dashboard (an escaped message, never a traceback)."""
    box = w.HTML(
        CSS + f"<div class='cx-error'><b>{html.escape(_t('rejected', lang))}</b><br>{html.escape(message)}</div>"
    )
    box.add_class("cx-dashboard-error")
    return box


def busy_widget(lang: str = "ru") -> w.HTML:
    """What the dashboard shows while another process (an import, a repair) writes the workspace."""
    box = w.HTML(CSS + f"<div class='cx-busy'>{html.escape(_t('busy', lang))}</div>")
    box.add_class("cx-dashboard-busy")
    return box


def workspace_fingerprint(path) -> tuple:
    """What changes when the workspace's data does: size and time of its database and settings files.

    A ``stat`` per file, so cheap enough for every visit; the derived
    results (``derived/``) are left out, since reading the dashboard may
    write them.

    Examples
    --------
    >>> workspace_fingerprint("workspaces/demo")  # doctest: +SKIP
    (('workspace.duckdb', 1765120000000000000, 10498048), ('workspace.duckdb.wal', None, None), ...)
    """
    marks: list[tuple[str, int | None, int | None]] = []
    for name in ("workspace.duckdb", "workspace.duckdb.wal", "workspace.json"):
        try:
            st = (Path(path) / name).stat()
            marks.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            marks.append((name, None, None))
    return tuple(marks)


def close_widgets(root) -> int:
    """Close ``root`` and every widget it holds (children, marks, axes, layouts ...); how many were closed.

    Examples
    --------
    >>> box = w.VBox([w.HTML("a"), w.HBox([w.Button()])])
    >>> close_widgets(box) >= 4, box.comm is None
    (True, True)
    """
    import bqplot as bq

    from cxlab.present.dashboard_charts import retired_widgets

    found: dict[int, w.Widget] = {}
    todo = [root]
    while todo:
        item = todo.pop()
        if isinstance(item, (list, tuple)):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, w.Widget) and id(item) not in found:
            found[id(item)] = item
            todo.extend(getattr(item, name, None) for name in item.keys)
            if isinstance(item, bq.Figure):
                todo.extend(retired_widgets(item))  # taken off the figure, still open
    for widget in found.values():
        widget.close()
    return len(found)


def request_query(environ=None) -> str:
    """The visitor's query string; in a preheated kernel, wait for the visitor first.

    A preheated kernel (``VOILA_PREHEAT=True``) runs the notebook before any
    request: :func:`voila.utils.get_query_string` blocks until Voila hands it
    a visitor and then sets ``QUERY_STRING`` (the token is removed by the
    server).  In a kernel started for a request, ``QUERY_STRING`` is already set.

    Examples
    --------
    >>> request_query({"QUERY_STRING": "wave=2026-Q3", "VOILA_PREHEAT": "False"})
    'wave=2026-Q3'
    """
    env = os.environ if environ is None else environ
    if env.get("VOILA_PREHEAT") == "True":
        from voila.utils import get_query_string

        return get_query_string() or ""
    return env.get("QUERY_STRING", "")


class Startup:
    """The dashboard's start in steps the notebook runs one cell each (Voila shows which cell is running).

    Reads ``CXLAB_WORKSPACE`` (fixed by ``cxlab dashboard`` when the server
    started), ``CXLAB_DASHBOARD_MIN_N``, ``CXLAB_DASHBOARD_LANG`` and Voila's
    ``QUERY_STRING``.  A query value that does not exist or an unknown key
    (a path, a workspace, a notebook) ends in :func:`error_widget`.  When
    another process holds the workspace for writing for longer than
    :data:`DASHBOARD_LOCK_TIMEOUT` (or ``CXLAB_LOCK_TIMEOUT``) seconds,
    :attr:`busy` is set and :meth:`widget` gives :func:`busy_widget`.

    Parameters
    ----------
    environ : mapping, optional
        Default ``os.environ``.
    wait_for_request : bool
        Do not read ``QUERY_STRING`` yet (a preheated kernel, before its
        visitor): :attr:`selection` is the default view until
        :meth:`read_query` is given the visitor's query.

    Examples
    --------
    >>> start = Startup({"CXLAB_WORKSPACE": "workspaces/demo", "QUERY_STRING": "wave=2026-Q3"})  # doctest: +SKIP
    >>> start.warm(); start.widget()                                                             # doctest: +SKIP

    In a preheated kernel (the notebook's cells):

    >>> start = Startup(wait_for_request=True); start.warm()   # doctest: +SKIP
    >>> start.read_query(request_query()); start.warm()        # doctest: +SKIP
    >>> start.widget()                                         # doctest: +SKIP
    """

    def __init__(self, environ=None, *, wait_for_request: bool = False):
        env = os.environ if environ is None else environ
        self._env = env
        self.lang = env.get("CXLAB_DASHBOARD_LANG") or "ru"
        self.error: str | None = None
        self.busy = False
        self.data: DashboardData | None = None
        self.selection: Selection | None = None
        self._fingerprint: tuple | None = None
        self._board: Dashboard | None = None  # the default view's Dashboard, built before the visitor came (prebuild)
        self._open()
        if not wait_for_request:
            self.read_query(env.get("QUERY_STRING", ""))
        elif self.data is not None:
            # Until the visitor comes, the default view (latest wave, no filter) is the one warmed.
            try:
                self.selection = self.data.selection_from_query("")[0]
            except DashboardQueryError:  # nothing to warm (no wave yet): read_query says why
                self.selection = None

    def _open(self) -> None:
        """Read the workspace (again): :attr:`data`, or :attr:`busy` / :attr:`error`."""
        env = self._env
        self.error, self.busy, self.data = None, False, None
        workspace = env.get("CXLAB_WORKSPACE")
        if not workspace:
            self.error = "CXLAB_WORKSPACE is not set: start the dashboard with `cxlab dashboard --workspace W`"
            return
        from cxlab.store import Workspace
        from cxlab.store.locking import LOCK_TIMEOUT_ENV, lock_timeout

        try:
            wait = lock_timeout(env) if env.get(LOCK_TIMEOUT_ENV) else DASHBOARD_LOCK_TIMEOUT
        except ParameterError as exc:
            self.error = str(exc)
            return
        # Taken before reading, so that a write during the read shows as a change.
        self._fingerprint = workspace_fingerprint(workspace)
        try:
            self.data = DashboardData(
                Workspace(workspace, lock_timeout=wait), min_n=int(env.get("CXLAB_DASHBOARD_MIN_N") or 10)
            )
        except WorkspaceLockedError:
            self.busy = True

    def read_query(self, query: str) -> None:
        """Check the visitor's query; first re-read the workspace if it changed since it was read.

        An import between the preheat and the visit changes the workspace's
        files (:func:`workspace_fingerprint`); a workspace that was busy is
        tried again.  Sets :attr:`selection` and :attr:`lang`, or
        :attr:`error` / :attr:`busy`.
        """
        asked = dict(parse_qsl(query or "", keep_blank_values=True)).get("lang")
        if asked in ("ru", "en"):  # the refusal and "being updated" speak the page's language too
            self.lang = asked
        workspace = self._env.get("CXLAB_WORKSPACE")
        if self.data is None or (workspace and workspace_fingerprint(workspace) != self._fingerprint):
            self._open()
        if self.data is None:
            return
        try:
            self.selection, query_lang = self.data.selection_from_query(query or "")
        except DashboardQueryError as exc:
            self.error, self.selection = str(exc), None
            return
        self.lang = query_lang or self.lang

    def warm(self) -> None:
        """Compute the slow parts of the first view: churn risk of the wave, the matrix, the comments' themes.

        The previous wave's churn risk (for the change of revenue at risk) is
        scored in the background once the dashboard is on screen.
        """
        if self.error or self.busy or self.selection is None:
            return
        # Without an error or busy, the workspace has been read.
        data, selection = cast(DashboardData, self.data), self.selection
        try:
            data.risk_scores(selection.wave)
            data.ipa(selection)
            data.coded_comments()  # reads the respondents' names, to mask them
        except WorkspaceLockedError:
            self.busy = True

    def prebuild(self) -> None:
        """Build the dashboard for the current selection and language now (a preheated kernel, before its visitor).

        :meth:`widget` gives it if the visitor asks for that very view of the
        same data (a link without filters, the server's language); otherwise
        it is closed and a new one is built.
        """
        if self.error or self.busy or self.selection is None:
            return
        from cxlab.present.dashboard import Dashboard

        self._board = Dashboard(self.data, self.selection, lang=self.lang)
        # Its background work (sparklines, tables, comments) done here too: a visitor who comes as soon
        # as the kernel is ready finds it idle (on a million responses that work takes seconds).
        with contextlib.suppress(TimeoutError):  # still drawing: the visitor sees "calculating…" there
            self._board.wait()

    def widget(self):
        """The dashboard, the refusal, or "being updated"."""
        board, self._board = self._board, None
        if board is not None and not (
            not self.error
            and not self.busy
            and board.data is self.data
            and board.selection == self.selection
            and board.lang == self.lang
        ):
            # Not the view asked for: its widgets go, else the page would load their state too.
            board.close()
            close_widgets(board.widget)
            board = None
        if self.busy:
            return busy_widget(self.lang)
        if self.error:
            return error_widget(self.error, self.lang)
        if board is not None:
            return board.widget
        from cxlab.present.dashboard import Dashboard

        return Dashboard(self.data, self.selection, lang=self.lang).widget
