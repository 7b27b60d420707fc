"""The dashboard's tables: churn risk and the clients at risk, NPS by service and by manager, the IPA matrix.

The part of :class:`~cxlab.present.dashboard_data.DashboardData` that
scores churn risk and early warnings once per wave (the report's calls),
lists the selected accounts at risk, and cuts NPS by service and by manager
and the importance-performance matrix for a selection.
"""

from __future__ import annotations

import warnings

import pandas as pd

from cxlab.present.dashboard_query import Selection, _DashboardBase
from cxlab.summary import nps_cells, service_nps_cells


class _Tables(_DashboardBase):
    """Churn risk, breakdowns and the importance-performance matrix of a selection (a part of ``DashboardData``)."""

    # ------------------------------------------------------------ risk
    def panel(self) -> pd.DataFrame:
        from cxlab import risk

        if self._panel is None:
            self._panel = risk.churn_labels(self.data, risk.client_waves(self.data))
        return self._panel

    def risk_scores(self, wave: str):
        """``risk.score_clients`` for the wave, computed once (the report's call and defaults).

        Thread-safe: the dashboard scores the previous wave in the background
        while the first view is on screen.
        """
        from cxlab import risk

        with self._risk_lock:
            if wave not in self._risk:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._risk[wave] = risk.score_clients(
                        self.data, wave, n_boot=self.n_boot, random_state=self.seed, panel=self.panel(), lang="en"
                    )
            return self._risk[wave]

    def has_risk_scores(self, wave: str) -> bool:
        return wave in self._risk

    def flags(self, wave: str, lang: str) -> pd.DataFrame:
        """``risk.early_warnings`` for the wave, computed once per language."""
        from cxlab import risk

        if (wave, lang) not in self._flags:
            self._flags[(wave, lang)] = risk.early_warnings(self.data, wave, lang=lang, panel=self.panel())
        return self._flags[(wave, lang)]

    def at_risk(self, sel: Selection, lang: str) -> pd.DataFrame:
        """The selected accounts at risk: probability, interval, revenue at risk, flags, reasons, follow-up.

        The report's table (:func:`cxlab.present.risk_report.at_risk_frame`),
        filtered to the selected accounts; flagged clients first, then by
        revenue at risk.
        """
        from cxlab.present.risk_report import at_risk_frame

        scores = self.risk_scores(sel.wave)
        table = at_risk_frame(scores, self.flags(sel.wave, lang), self.data.actions, sel.wave, lang)
        table = table[table["client_id"].isin(self.account_ids(sel, scores.clients))]
        flagged = table["flags"] != ""
        return pd.concat([table[flagged], table[~flagged]]).reset_index(drop=True)

    # ------------------------------------------------------------ breakdowns
    def scored(self, sel: Selection) -> pd.DataFrame:
        frame = self.responses.loc[self.response_mask(sel)]
        frame = frame[frame["nps"].notna()]
        return frame.astype({c: object for c in ("manager", "team", "client_id") if c in frame})

    def by_service(self, sel: Selection) -> pd.DataFrame:
        """NPS by service (a respondent counts under every service the client buys), as in the report."""
        frame = self.scored(sel)
        cs = self._client_services
        if not len(cs) or not len(frame):
            return pd.DataFrame()
        if sel.service is not None:
            cs = cs[cs["service_id"] == sel.service]
        return service_nps_cells(frame, cs, min_n=self.min_n, confidence=self.confidence)

    def by_manager(self, sel: Selection) -> pd.DataFrame:
        """NPS by account manager in charge when the client answered, cluster-robust, as in the report."""
        frame = self.scored(sel)
        frame = frame[frame["manager"].notna()]
        if not len(frame):
            return pd.DataFrame()
        return nps_cells(frame, "manager", min_n=self.min_n, confidence=self.confidence)

    def ipa(self, sel: Selection):
        """Importance-performance matrix of the selection (the report's call), or the reason it cannot be drawn.

        Returns
        -------
        ImportancePerformance or str
        """
        if sel not in self._ipa_cache:
            self._ipa_cache[sel] = self._ipa(sel)
        return self._ipa_cache[sel]

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
