"""The key-driver section's Excel sheets and JSON: what ``drivers_pack.xlsx`` and ``drivers.json`` hold.

The part of :class:`~cxlab.present.drivers_report.DriversReport` that
gives every available result as an Excel sheet (labels, percentages,
decimals, a note on the method) and as JSON records.
"""

from __future__ import annotations

import json

import numpy as np

from cxlab.present.drivers_report_tables import _DriversBase
from cxlab.present.excel import Sheet
from cxlab.present.labels import t


class _DriverOutputs(_DriversBase):
    """Excel sheets and JSON of the key-driver section (a part of ``DriversReport``)."""

    def excel_sheets(self) -> list[Sheet]:
        lang = self.lang
        heads = lambda frame: {c: t(c, lang) for c in frame.columns}  # noqa: E731
        sheets = []
        if self.importance is not None:
            tab = self.importance.table.copy()
            tab.insert(3, "label", [self.label(d) for d in tab["driver"]])
            sheets.append(
                Sheet(
                    t("drivers", lang),
                    tab,
                    headers=heads(tab),
                    percent=["share", "share_ci_low", "share_ci_high"],
                    decimals={
                        "importance": 4,
                        "ci_low": 4,
                        "ci_high": 4,
                        "estimate": 3,
                        "se": 3,
                        "p_value": 4,
                        "vif": 2,
                        "n": 0,
                        "rank": 0,
                    },
                    note=f"R² = {self.importance.r2:.3f} [{self.importance.r2_ci_low:.3f}, "
                    f"{self.importance.r2_ci_high:.3f}]; n = {self.importance.n}; "
                    f"{self.importance.missing}; {self.importance.interval}. " + " ".join(self.importance.warnings),
                )
            )
        if self.penalty is not None:
            p = self.penalty.copy()
            p.insert(1, "label", [self.label(d) for d in p["driver"]])
            sheets.append(
                Sheet(
                    t("penalty_reward", lang),
                    p,
                    headers=heads(p),
                    percent=["share_low", "share_high"],
                    decimals={"n": 0, "n_low": 0, "n_high": 0},
                )
            )
        if self.ipa is not None:
            tab = self.ipa.table.copy()
            tab.insert(1, "label", [self.label(d) for d in tab["driver"]])
            pct = ["importance", "importance_ci_low", "importance_ci_high", "quadrant_share"] + [
                c for c in tab.columns if c.startswith("p_")
            ]
            sheets.append(
                Sheet(
                    "IPA",
                    tab,
                    headers=heads(tab),
                    percent=pct,
                    decimals={"performance": 2, "performance_ci_low": 2, "performance_ci_high": 2, "n": 0},
                    note=f"{self.ipa.method}; {self.ipa.interval}; cross-hairs: importance "
                    f"{self.ipa.importance_cut:.3f}, performance {self.ipa.performance_cut:.2f}",
                )
            )
        if self.trend is not None:
            sheets.append(
                Sheet(
                    t("drivers_trend", lang),
                    self.trend.table,
                    headers=heads(self.trend.table),
                    percent=["share", "share_ci_low", "share_ci_high"],
                    decimals={"n": 0, "r2": 3},
                    note=f"{self.trend.method}; {self.trend.interval}",
                )
            )
            if len(self.trend.changes):
                ch = self.trend.changes
                sheets.append(
                    Sheet(
                        t("drivers_trend", lang) + " Δ",
                        ch,
                        headers=heads(ch),
                        percent=["share_before", "share_after", "change", "ci_low", "ci_high"],
                        decimals={"p_value": 4, "p_adjusted": 4},
                    )
                )
        for name, frame in (
            ("needs", self.needs),
            ("cross_sell", self.cross_sell),
            ("priorities", self.priorities),
            ("needs_by_client", self.needs_by_client),
        ):
            if frame is not None:
                pct = [
                    c
                    for c in ("share", "ci_low", "ci_high", "penetration", "weighted_demand")
                    if c in frame and not (name == "cross_sell" and c in ("ci_low", "ci_high"))
                ]
                if name == "cross_sell":
                    pct += ["ci_low", "ci_high"]
                sheets.append(
                    Sheet(
                        t(name, lang),
                        frame,
                        headers=heads(frame),
                        percent=pct,
                        decimals={"potential_value": 0, "design_effect": 2, "respondents": 0},
                    )
                )
        if self.needs_grid is not None:
            g = self.needs_grid
            sheets.append(
                Sheet(
                    t("needs", lang) + " × " + t("segment", lang),
                    g,
                    headers=heads(g),
                    percent=[c for c in ("share", "ci_low", "ci_high", "penetration") if c in g],
                    decimals={"design_effect": 2},
                )
            )
        for name, res in (("managers", self.managers), ("teams", self.teams)):
            if res is not None:
                sheets.append(
                    Sheet(
                        t(name, lang),
                        res.table,
                        headers=heads(res.table),
                        percent=["shrinkage", "p_top", "p_above_mean"],
                        decimals={"n": 0, "clients": 0, "rank": 0},
                        note=f"{res.note} {res.method}",
                    )
                )
        if self.profile is not None:
            prof = self.profile.copy()
            prof.insert(1, "label", [self.label(d) for d in prof["item"]])
            sheets.append(
                Sheet(t("manager_profile", lang), prof, headers=heads(prof), decimals={"p_value": 4, "p_adjusted": 4})
            )
        return sheets

    def to_json(self) -> dict:
        def records(frame):
            if frame is None:
                return None
            clean = frame.replace({np.nan: None})
            return json.loads(clean.to_json(orient="records", force_ascii=False))

        return {
            "workspace": self.ws.name,
            "wave": self.wave,
            "lang": self.lang,
            "outcome": self.outcome,
            "importance": None
            if self.importance is None
            else {
                "r2": self.importance.r2,
                "r2_ci": [self.importance.r2_ci_low, self.importance.r2_ci_high],
                "n": self.importance.n,
                "interval": self.importance.interval,
                "warnings": self.importance.warnings,
                "table": records(self.importance.table),
            },
            "ipa": None
            if self.ipa is None
            else {
                "importance_cut": self.ipa.importance_cut,
                "performance_cut": self.ipa.performance_cut,
                "table": records(self.ipa.table),
            },
            "penalty_reward": records(self.penalty),
            "priorities": records(self.priorities),
            "managers": None if self.managers is None else records(self.managers.table),
            "teams": None if self.teams is None else records(self.teams.table),
            "unavailable": self.unavailable,
        }
