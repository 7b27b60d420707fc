"""The dashboard's tables: churn risk and the clients at risk, NPS by service and by manager, the IPA matrix.

The part of :class:`~cxlab.present.dashboard_data.DashboardData` that
scores churn risk and early warnings once per wave (the report's calls),
lists the selected accounts at risk, and cuts NPS by service and by manager
and the importance-performance matrix for a selection.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict
from typing import Any, cast

import pandas as pd

from cxlab.errors import ParameterError
from cxlab.present.dashboard_query import Selection, _DashboardBase
from cxlab.present.derived_results import DerivedResults, ipa_from_bundle, ipa_to_bundle, results_of
from cxlab.summary import nps_cells, service_nps_cells


class _Tables(_DashboardBase):
    """Churn risk, breakdowns and the importance-performance matrix of a selection (a part of ``DashboardData``)."""

    # ------------------------------------------------------------ risk
    def panel(self) -> pd.DataFrame:
        from cxlab import risk

        with self._risk_lock:
            if self._panel is None:
                self._panel = risk.churn_labels(self.data, risk.client_waves(self.data))
            return self._panel

    def risk_scores(self, wave: str):
        """``risk.score_clients`` for the wave: read from the workspace's store, else computed once and stored.

        The wave report's call with the same arguments
        (:meth:`DerivedResults.risk <cxlab.present.derived_results.DerivedResults.risk>`),
        so the dashboard and the report show the same stored scores.
        Thread-safe: the dashboard scores the previous wave in the background
        while the first view is on screen; two kernels needing the same
        missing wave compute it once.
        """
        with self._risk_lock:
            if wave in self._risk:
                return self._risk[wave]
        scores = results_of(self).risk(wave, n_boot=self.n_boot, seed=self.seed, lang="en", panel=self.panel)
        with self._risk_lock:
            return self._risk.setdefault(wave, scores)

    def has_risk_scores(self, wave: str) -> bool:
        """Whether the wave's scores are at hand: in memory, or fresh in the workspace's store."""
        if wave in self._risk:
            return True
        return results_of(self).has("risk", DerivedResults.risk_args(wave, n_boot=self.n_boot, seed=self.seed))

    def ready(self, kind: str, sel: Selection) -> bool:
        """Whether the view can draw ``kind`` for ``sel`` at once (in memory or fresh in the store).

        ``kind`` is ``"risk"`` (the wave's churn scores), ``"risk_previous"``
        (the previous wave's, for the change; True when there is none),
        ``"ipa"`` (the selection's matrix) or ``"themes"`` (the coded
        comments).  False means it is computed when asked for: the view
        shows "calculating…" and asks in the background.
        """
        if kind == "risk":
            return self.has_risk_scores(sel.wave)
        if kind == "risk_previous":
            prev = self.previous_wave(sel.wave)
            return prev is None or self.has_risk_scores(prev)
        if kind == "ipa":
            return sel in self._ipa_cache or results_of(self).has("ipa", self._ipa_args(sel))
        if kind == "themes":
            # The comments part of DashboardData keys the coded comments by the words themselves.
            return self._coded is not None or results_of(self).has("themes", cast(Any, self).themes_args())
        raise ParameterError(
            f"unknown kind {kind!r}; choose from risk, risk_previous, ipa, themes", parameter="kind", value=kind
        )

    def flags(self, wave: str, lang: str) -> pd.DataFrame:
        """``risk.early_warnings`` for the wave, computed once per language."""
        from cxlab import risk

        if (wave, lang) not in self._flags:
            self._flags[(wave, lang)] = risk.early_warnings(self.data, wave, lang=lang, panel=self.panel())
        return self._flags[(wave, lang)]

    def at_risk(self, sel: Selection, lang: str) -> pd.DataFrame:
        """The selected accounts at risk, most severe first: probability, interval, revenue at risk, flags, reasons.

        The report's table (:func:`cxlab.present.risk_report.at_risk_frame`:
        same words, same order by severity), filtered to the selected
        accounts.  ``rank`` numbers the rows.

        Parameters
        ----------
        sel : Selection
        lang : {"ru", "en"}
            Language of ``flags``, ``reasons`` and ``action``.

        Returns
        -------
        DataFrame
            ``rank, client_id, client, manager, p, p_95, contract_value,
            revenue_at_risk, revenue_95, flags, reasons, action`` (``manager``
            owns the follow-up; ``action`` is its status).
        """
        from cxlab.present.risk_report import at_risk_frame

        scores = self.risk_scores(sel.wave)
        table = at_risk_frame(scores, self.flags(sel.wave, lang), self.data.actions, sel.wave, lang)
        table = table[table["client_id"].isin(self.account_ids(sel, scores.clients))].reset_index(drop=True)
        table.insert(0, "rank", range(1, len(table) + 1))
        return table

    # ------------------------------------------------------------ breakdowns
    def scored(self, sel: Selection) -> pd.DataFrame:
        frame = self.responses.loc[self.response_mask(sel)]
        frame = frame[frame["nps"].notna()]
        return frame.astype({c: object for c in ("manager", "team", "client_id") if c in frame})

    def by_service(self, sel: Selection) -> pd.DataFrame:
        """NPS by service (a respondent counts under every service the client buys), as in the report.

        With no filter, the report's own table (``wave_figures(...).cells_of("service")``);
        a filtered selection gets the same method on its respondents.
        """
        fig = self.figures(sel.wave) if not sel.filters() else None
        if fig is not None:
            return fig.cells_of("service")
        frame = self.scored(sel)
        cs = self._client_services
        if not len(cs) or not len(frame):
            return pd.DataFrame()
        if sel.service is not None:
            cs = cs[cs["service_id"] == sel.service]
        return service_nps_cells(frame, cs, min_n=self.min_n, confidence=self.confidence)

    def by_manager(self, sel: Selection) -> pd.DataFrame:
        """NPS by account manager in charge when the client answered, cluster-robust, as in the report.

        With no filter, the report's own table (``wave_figures(...).cells_of("manager")``,
        with the managers' CSI); a filtered selection gets the same method on its respondents.
        """
        fig = self.figures(sel.wave) if not sel.filters() else None
        if fig is not None:
            return fig.cells_of("manager")
        frame = self.scored(sel)
        frame = frame[frame["manager"].notna()]
        if not len(frame):
            return pd.DataFrame()
        return nps_cells(frame, "manager", min_n=self.min_n, confidence=self.confidence)

    def ipa(self, sel: Selection):
        """Importance-performance matrix of the selection (the report's call), or the reason it cannot be drawn.

        Read from the workspace's store when fresh (the unfiltered matrix of
        every wave is stored at import), else computed once and stored.

        Returns
        -------
        ImportancePerformance or str
        """
        if sel not in self._ipa_cache:
            result = results_of(self).get(
                "ipa", self._ipa_args(sel), lambda: self._ipa(sel), ipa_to_bundle, ipa_from_bundle
            )
            self._ipa_cache.setdefault(sel, result)
        return self._ipa_cache[sel]

    def _ipa_args(self, sel: Selection) -> dict:
        return DerivedResults.ipa_args(asdict(sel), n_boot=self.ipa_boot, seed=self.seed, min_n=self.min_n)

    def _ipa(self, sel: Selection):
        from cxlab import drivers

        if sel.wave not in self._driver_frames:
            frame, rated = drivers.driver_frame(self.data, sel.wave)
            self._driver_frames[sel.wave] = (frame, drivers.usable_drivers(frame, rated)[0])
        frame, items = self._driver_frames[sel.wave]
        if not items:
            return "no usable attribute ratings in this wave"
        ids = set(self.responses.loc[self.response_mask(sel), "response_id"])
        frame = frame[frame["response_id"].isin(ids)]
        need = max(self.min_n, 3 * len(items))
        if frame["nps"].notna().sum() < need:
            return f"too few respondents for the matrix (n = {int(frame['nps'].notna().sum())} < {need})"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return drivers.importance_performance(
                    frame, "nps", items, cluster="client_id", n_boot=self.ipa_boot, seed=self.seed
                )
        except (ValueError, KeyError) as exc:
            return str(exc).strip("'\"")
