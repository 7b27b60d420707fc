"""The dashboard's start in notebook steps: workspace and query checked, the refusal and "being updated" widgets.

``notebooks/dashboard.ipynb`` runs :class:`Startup` one cell per step, so
that Voila's loading screen shows how far the first render has got.
"""

from __future__ import annotations

import html
import os
from typing import cast

import ipywidgets as w

from cxlab.errors import ParameterError, WorkspaceLockedError
from cxlab.present.dashboard_data import DashboardData, DashboardQueryError, Selection
from cxlab.present.dashboard_text import CSS, _t

__all__ = ["Startup", "error_widget", "busy_widget", "DASHBOARD_LOCK_TIMEOUT"]

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

    Examples
    --------
    >>> start = Startup({"CXLAB_WORKSPACE": "workspaces/demo", "QUERY_STRING": "wave=2026-Q3"})  # doctest: +SKIP
    >>> start.warm(); start.widget()                                                             # doctest: +SKIP
    """

    def __init__(self, environ=None):
        env = os.environ if environ is None else environ
        self.lang = env.get("CXLAB_DASHBOARD_LANG") or "ru"
        self.error: str | None = None
        self.busy = False
        self.data: DashboardData | None = None
        self.selection: Selection | None = None
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
        try:
            self.data = DashboardData(
                Workspace(workspace, lock_timeout=wait), min_n=int(env.get("CXLAB_DASHBOARD_MIN_N") or 10)
            )
        except WorkspaceLockedError:
            self.busy = True
            return
        try:
            self.selection, query_lang = self.data.selection_from_query(env.get("QUERY_STRING", ""))
        except DashboardQueryError as exc:
            self.error = str(exc)
            return
        self.lang = query_lang or self.lang

    def warm(self) -> None:
        """Compute the slow parts of the first view: churn risk of the wave, the matrix, the comments' themes.

        The previous wave's churn risk (for the change of revenue at risk) is
        scored in the background once the dashboard is on screen.
        """
        if self.error or self.busy:
            return
        # Without an error, __init__ has set both.
        data, selection = cast(DashboardData, self.data), cast(Selection, self.selection)
        try:
            data.risk_scores(selection.wave)
            data.ipa(selection)
            data.coded_comments()  # reads the respondents' names, to mask them
        except WorkspaceLockedError:
            self.busy = True

    def widget(self):
        """The dashboard, the refusal, or "being updated"."""
        if self.busy:
            return busy_widget(self.lang)
        if self.error:
            return error_widget(self.error, self.lang)
        from cxlab.present.dashboard import Dashboard

        return Dashboard(self.data, self.selection, lang=self.lang).widget
