"""The executive dashboard's figures for a selection of the survey, from the report's functions.

:class:`DashboardData` loads a workspace once and answers, for any
:class:`Selection` (a wave and optional direction, service, team, manager,
client segment and respondent role), the figures the dashboard shows:
headline tiles with their change since the previous wave, the trend, the
breakdowns by service and by manager, the importance-performance matrix,
the clients at risk and the comments.  Every number comes from the function
the wave report uses (``cxlab.metrics``, :func:`cxlab.summary.nps_cells`,
:func:`cxlab.fieldwork.funnel.wave_response_rate`,
:func:`cxlab.drivers.importance_performance`, :func:`cxlab.risk.score_clients`,
:func:`cxlab.risk.early_warnings`), so the dashboard and the report agree.

Every figure of a tile comes from the report's own computation
(:func:`cxlab.summary.figures.wave_figures`, cached per wave; see
:meth:`~cxlab.present.dashboard_tiles._Tiles.tiles`), and every text the
data layer returns exists in Russian and English: tiles carry
``method_text``, ``note_text`` and ``change_words`` as ``{"ru", "en"}``
pairs; :meth:`DashboardData.message` gives any other message in both;
:meth:`~cxlab.present.dashboard_query._Selecting.value_label` names filter
values; :meth:`~cxlab.present.dashboard_tables._Tables.at_risk` takes ``lang``.

Reading only, except for the derived results the store keeps (churn scores,
matrices, coded comments: :mod:`cxlab.present.derived_results`).

The methods live in one module per job, joined here:
:mod:`~cxlab.present.dashboard_query` (the filters, the query string, the
selected rows), :mod:`~cxlab.present.dashboard_tiles` (tiles and trend),
:mod:`~cxlab.present.dashboard_tables` (churn risk and the clients at risk,
breakdowns, the matrix) and :mod:`~cxlab.present.dashboard_comments`
(comments and themes).

Examples
--------
>>> from cxlab.present.dashboard_data import DashboardData, Selection   # doctest: +SKIP
>>> d = DashboardData("workspaces/demo")                                 # doctest: +SKIP
>>> d.tiles(Selection(wave="2026-Q3", team="Media"))[["metric", "estimate", "n", "change"]]  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab import metrics
from cxlab.errors import WorkspaceLockedError
from cxlab.present.dashboard_comments import COMMENT_COLUMNS, _Comments
from cxlab.present.dashboard_query import FILTERS, QUERY_KEYS, DashboardQueryError, Selection, _Selecting
from cxlab.present.dashboard_tables import _Tables
from cxlab.present.dashboard_tiles import SPARK_COLUMNS, TILE_METRICS, _Tiles
from cxlab.present.dashboard_words import change_meaning, change_words, message_text
from cxlab.present.derived_results import RISK_N_BOOT, RISK_SEED
from cxlab.schema import parse_scale
from cxlab.store.results import data_fingerprint
from cxlab.summary import SurveyData, csi_items

__all__ = [
    "Selection",
    "DashboardData",
    "DashboardQueryError",
    "FILTERS",
    "QUERY_KEYS",
    "COMMENT_COLUMNS",
    "TILE_METRICS",
    "SPARK_COLUMNS",
    "change_meaning",
    "change_words",
    "message_text",
]


@dataclass
class _Prepared:
    """Per-wave frames built once at start."""

    items: dict  # wave -> wide CSI items frame (index = response_id) and its scales
    csi: pd.Series  # per-response CSI score (0-100), index aligned with responses


class DashboardData(_Selecting, _Tiles, _Tables, _Comments):
    """A workspace's survey, ready to be cut by the dashboard's filters.

    Parameters
    ----------
    workspace : str, Path or Workspace
        Read once when created; the dashboard never opens another.
    min_n : int
        Cells with fewer respondents are suppressed, as in the report.
    confidence : float
    n_boot : int
        Bootstrap resamples for the importance-performance matrix and the
        churn model's refits (the report's defaults are 1000 and 200).
    seed : int

    Examples
    --------
    >>> d = DashboardData(ws)                                  # doctest: +SKIP
    >>> sel = d.selection_from_query("wave=2026-Q3&team=Media")   # doctest: +SKIP
    """

    def __init__(
        self,
        workspace,
        *,
        min_n: int = 10,
        confidence: float = 0.95,
        n_boot: int = RISK_N_BOOT,
        ipa_boot: int = 1000,
        seed: int = RISK_SEED,
        progress=None,
    ):
        from cxlab.store import Workspace

        self.ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        self.min_n, self.confidence, self.n_boot, self.ipa_boot, self.seed = min_n, confidence, n_boot, ipa_boot, seed
        self.currency = self.ws.meta.get("currency", "RUB")
        # Taken before the read, compared with a later one before stored results are used: a write in
        # between (an import) would otherwise pair this survey with results of another.
        try:
            self._loaded_fingerprint: dict[str, str] | None = data_fingerprint(self.ws)
        except WorkspaceLockedError:
            raise
        except Exception:  # a workspace the store cannot fingerprint: results are computed, not stored
            self._loaded_fingerprint = None
        self.data = SurveyData.from_workspace(self.ws)
        step = progress or (lambda _msg: None)
        step("responses")
        responses = self.data.responses.reset_index(drop=True)
        # Categorical dimensions: a filter is a comparison of codes, fast at a million rows.
        for col in ("wave_id", "manager", "team", "segment", "direction", "role", "client_id"):
            if col in responses:
                responses[col] = responses[col].astype("category")
        self.responses = responses
        waves = self.data.waves.set_index("wave_id")
        has = set(responses["wave_id"].dropna().astype(str))
        self.waves = [w for w in waves.index if w in has]
        self.nps_waves = [w for w in self.waves if parse_scale(waves.loc[w].get("nps_scale") or "0-10") == (0, 10)]
        self._wave_info = waves
        step("csi")
        self._prepared = self._prepare()
        self._client_services = self.data.client_services
        self._services = self.data.services.set_index("service_id") if len(self.data.services) else pd.DataFrame()
        self._invitations = self._invitation_frame()
        self._risk: dict = {}
        # The report's figures of each wave (cxlab.summary.wave_figures), computed once per wave.
        self._figures: dict = {}
        self._figures_lock = threading.RLock()
        self._risk_lock = threading.RLock()
        self._flags: dict = {}
        self._panel = None
        self._driver_frames: dict = {}
        self._ipa_cache: dict = {}
        # Tile rows by (metric, selection key): a selection seen before is a lookup (_Tiles._memo).
        self._tile_memo: dict = {}
        # Comments coded by theme once, on first use (the dashboard's first view, or Startup.warm).
        self._coded: pd.DataFrame | None = None
        self._codebook = None
        self._masked: dict = {}
        self._theme_cache: dict = {}
        self._text_lock = threading.RLock()

    # ------------------------------------------------------------ prepare
    def _prepare(self) -> _Prepared:
        csi = pd.Series(np.nan, index=self.responses.index)
        items = {}
        ans = self.data.answers
        for w in self.waves:
            rows = self.responses.index[self.responses["wave_id"] == w]
            resp = self.data.responses.loc[rows]
            a = ans[ans["response_id"].isin(resp["response_id"])] if len(ans) else ans
            wide, scales = csi_items(resp, a, self.rating_scale(w))
            wide.index = rows
            items[w] = (wide, scales)
            csi.loc[rows] = metrics.csi_scores(wide, scales).to_numpy()
        return _Prepared(items=items, csi=csi)

    def _invitation_frame(self) -> pd.DataFrame:
        inv = self.data.invitations
        if inv is None or not len(inv):
            return pd.DataFrame()
        contacts = self.data.contacts
        inv = (
            inv.merge(contacts[["contact_id", "client_id", "role"]], on="contact_id", how="left")
            if len(contacts)
            else inv.assign(client_id=np.nan, role=np.nan)
        )
        clients = self.data.clients.set_index("client_id")
        for col in ("segment", "direction", "manager", "team"):
            inv[col] = inv["client_id"].map(clients[col]) if col in clients else np.nan
        # The manager and team in charge when the wave ran (stored with the responses), where known.
        at_wave = (
            self.responses.dropna(subset=["manager"])
            .astype({"wave_id": str, "client_id": str})
            .drop_duplicates(["wave_id", "client_id"])
            .set_index(["wave_id", "client_id"])
        )
        key = pd.MultiIndex.from_arrays([inv["wave_id"].astype(str), inv["client_id"].astype(str)])
        for col in ("manager", "team"):
            known = pd.Series(at_wave[col].astype(object).reindex(key).to_numpy(), index=inv.index)
            inv[col] = known.where(known.notna(), inv[col])
        return inv

    @staticmethod
    def message(text) -> dict[str, str]:
        """A message of the data layer in both languages, ``{"ru": ..., "en": ...}``.

        Messages come as English text (the matrix's reason from :meth:`ipa`,
        the hidden-comments note from :meth:`comments` and :meth:`themes`,
        a tile's ``note``) or as a pair already (the churn model's
        ``RiskScores.message``); tiles carry theirs as ``note_text``.  See
        :func:`cxlab.present.dashboard_words.message_text`.

        Examples
        --------
        >>> DashboardData.message("no invitations recorded for this wave")["ru"]
        'в этой волне приглашения не записаны'
        """
        return message_text(text)

    def rating_scale(self, wave: str) -> str:
        return self._wave_info.loc[wave].get("rating_scale") or "1-5"
