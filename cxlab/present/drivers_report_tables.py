"""The key-driver section's tables for the HTML report: importance, IPA, penalty-reward, trend, needs, managers.

The part of :class:`~cxlab.present.drivers_report.DriversReport` that turns
its results into frames with attribute labels in the report's language and
into styled tables with captions naming the method and the intervals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from cxlab.present.labels import t
from cxlab.present.report import _interval, _rank_range, _styled

if TYPE_CHECKING:
    from cxlab.store import Workspace

    class _DriversBase:
        """What the parts of ``DriversReport`` use of it (set in its ``__init__`` and ``_compute``).

        The results are those of the :mod:`cxlab.drivers` functions, or None
        where a section is unavailable (``unavailable`` says why); they are
        left untyped (Any) for now.
        """

        ws: Workspace
        wave: str
        lang: str
        min_n: int
        outcome: str
        manager_window: list[str]
        unavailable: dict[str, str]
        importance: Any
        ipa: Any
        penalty: Any
        trend: Any
        needs: Any
        needs_by_client: Any
        needs_grid: Any
        cross_sell: Any
        priorities: Any
        managers: Any
        teams: Any
        profile: Any

        def label(self, item: str) -> str: ...

else:
    # The type checker's view only: at run time the parts derive from object, as before.
    _DriversBase = object


class _DriverTables(_DriversBase):
    """Tables of the key-driver section (a part of ``DriversReport``)."""

    def importance_table(self) -> pd.DataFrame:
        """One row per attribute, the methods side by side (shares), Shapley's intervals and ranks."""
        res = self.importance
        shap = res.method("shapley").set_index("driver")
        out = pd.DataFrame({"driver": [self.label(d) for d in shap.index]}, index=shap.index)
        out["shapley"] = shap["share"]
        out["shapley_95"] = _interval(100 * shap["share_ci_low"], 100 * shap["share_ci_high"])
        out["rank"] = shap["rank"]
        out["rank_95"] = [_rank_range(lo, hi) for lo, hi in zip(shap["rank_ci_low"], shap["rank_ci_high"])]
        for m in ("johnson", "ols", "pearson", "spearman"):
            out[m] = res.method(m).set_index("driver")["share"].reindex(shap.index)
        ols = res.method("ols").set_index("driver")
        out["beta"] = ols["estimate"].reindex(shap.index)
        out["vif"] = ols["vif"].reindex(shap.index)
        return out.reset_index(drop=True)

    def display_importance(self):
        labels = {
            "shapley": "Shapley (LMG)",
            "shapley_95": "Shapley, 95%",
            "johnson": "Johnson",
            "ols": "OLS, Pratt β·r",
            "pearson": "Pearson r²",
            "spearman": "Spearman ρ²",
            "beta": "β",
        }
        frame = self.importance_table()
        styled = _styled(
            frame,
            self.lang,
            percent=["shapley", "johnson", "ols", "pearson", "spearman"],
            decimals={"beta": 2, "vif": 1},
            headers=labels,
        )
        res = self.importance
        methods = "; ".join(dict.fromkeys(res.table["method_name"]))
        return styled.set_caption(
            {
                "ru": f"Доли в объяснённой дисперсии (R² = {res.r2:.2f} [{res.r2_ci_low:.2f}; {res.r2_ci_high:.2f}]), "
                f"n = {res.n}, {res.missing} удаление пропусков. Методы: {methods}. Интервалы: {res.interval}.",
                "en": f"Shares of explained variance (R² = {res.r2:.2f} [{res.r2_ci_low:.2f}, {res.r2_ci_high:.2f}]), "
                f"n = {res.n}, {res.missing} deletion. Methods: {methods}. Intervals: {res.interval}.",
            }[self.lang]
        )

    def ipa_table(self) -> pd.DataFrame:
        from cxlab.drivers.ipa import QUADRANT_LABELS

        tab = self.ipa.table
        return pd.DataFrame(
            {
                "driver": [self.label(d) for d in tab["driver"]],
                "importance": tab["importance"],
                "performance": tab["performance"],
                "estimate_95": _interval(tab["performance_ci_low"], tab["performance_ci_high"], 2),
                "quadrant": [QUADRANT_LABELS[q][self.lang] for q in tab["quadrant"]],
                "quadrant_share": tab["quadrant_share"],
                "n": tab["n"],
            }
        )

    def display_ipa(self):
        return _styled(
            self.ipa_table(), self.lang, percent=["importance", "quadrant_share"], decimals={"performance": 2}
        ).set_caption(
            {
                "ru": "Устойчивость квадранта — доля бутстреп-выборок, в которых атрибут остаётся в своём квадранте.",
                "en": "Quadrant stability: share of bootstrap resamples that keep the attribute in its quadrant.",
            }[self.lang]
        )

    def display_penalty(self):
        from cxlab.drivers.penalty import KIND_LABELS

        p = self.penalty
        frame = pd.DataFrame(
            {
                "driver": [self.label(d) for d in p["driver"]],
                "penalty": p["penalty"],
                "penalty_95": _interval(p["penalty_ci_low"], p["penalty_ci_high"], 2),
                "reward": p["reward"],
                "reward_95": _interval(p["reward_ci_low"], p["reward_ci_high"], 2),
                "kind": [KIND_LABELS[k][self.lang] for k in p["kind"]],
                "n_low": p["n_low"],
                "n_high": p["n_high"],
            }
        )
        labels = {
            "penalty_95": "95%",
            "reward_95": "95%",
            "n_low": {"ru": "n низких", "en": "n low"}[self.lang],
            "n_high": {"ru": "n высоких", "en": "n high"}[self.lang],
        }
        return _styled(frame, self.lang, decimals={"penalty": 2, "reward": 2}, headers=labels).set_caption(
            f"{t('method', self.lang)}: {p['method'].iloc[0]}"
        )

    def display_trend(self):
        tr = self.trend
        if not len(tr.changes):
            return pd.DataFrame({t("drivers_trend", self.lang): [t("no_previous", self.lang)]})
        last = tr.changes[tr.changes["wave_after"] == tr.changes["wave_after"].max()]
        frame = pd.DataFrame(
            {
                "driver": [self.label(d) for d in last["driver"]],
                "share_before": last["share_before"],
                "share_after": last["share_after"],
                "change": 100 * last["change"],
                "estimate_95": _interval(100 * last["ci_low"], 100 * last["ci_high"]),
                "p_adjusted": last["p_adjusted"],
                "significant": last["significant"].astype(bool),
                "rank_before": last["rank_before"],
                "rank_after": last["rank_after"],
            }
        )
        agree = tr.agreement.iloc[-1]
        labels = {
            "change": {"ru": "Изменение, п.п.", "en": "Change, pp"}[self.lang],
            "rank_before": {"ru": "Ранг (прошлая)", "en": "Rank (previous)"}[self.lang],
            "rank_after": {"ru": "Ранг (эта)", "en": "Rank (this)"}[self.lang],
        }
        return _styled(
            frame, self.lang, percent=["share_before", "share_after"], decimals={"p_adjusted": 3}, headers=labels
        ).set_caption(
            f"{agree['wave_before']} → {agree['wave_after']}: τ Kendall = {agree['kendall_tau']:.2f} "
            f"(p = {agree['p_value']:.3f}). {tr.interval}."
        )

    def display_priorities(self):
        p = self.priorities
        frame = p[["priority_rank", "label", "respondents", "share"]].copy()
        frame["estimate_95"] = _interval(100 * p["ci_low"], 100 * p["ci_high"])
        frame["clients_needing"] = p["clients_needing"]
        frame["potential_value"] = p["potential_value"] / 1e6
        labels = {
            "potential_value": {"ru": "Потенциал, млн ₽ (сумма контрактов)", "en": "Potential, M RUB (contract value)"}[
                self.lang
            ],
            "label": t("direction", self.lang),
        }
        return _styled(
            frame, self.lang, percent=["share"], decimals={"potential_value": 1}, headers=labels
        ).set_caption(f"{t('method', self.lang)}: {p['method'].iloc[0]}")

    def display_cross_sell(self, top: int = 10):
        c = self.cross_sell.head(top)
        name = "name_ru" if self.lang == "ru" else "name_en"
        frame = pd.DataFrame(
            {
                "priority_rank": c["priority_rank"],
                "service": c[name].fillna(c["service_id"]),
                "direction": [self.label(d) for d in c["direction"]],
                "clients_needing": c["clients_needing"],
                "potential_value": c["potential_value"] / 1e6,
                "weighted_demand": c["weighted_demand"],
                "estimate_95": _interval(100 * c["ci_low"], 100 * c["ci_high"]),
                "penetration": c["penetration"],
            }
        )
        labels = {"potential_value": {"ru": "Потенциал, млн ₽", "en": "Potential, M RUB"}[self.lang]}
        return _styled(
            frame,
            self.lang,
            percent=["weighted_demand", "penetration"],
            decimals={"potential_value": 1},
            headers=labels,
        ).set_caption(f"{t('method', self.lang)}: {c['method'].iloc[0] if len(c) else ''}")

    def group_table(self, which: str = "managers") -> pd.DataFrame:
        res = self.managers if which == "managers" else self.teams
        by = "manager" if which == "managers" else "team"
        tab = res.table
        return pd.DataFrame(
            {
                by: tab[by],
                "n": tab["n"],
                "clients": tab["clients"],
                "raw_mean": tab["raw_mean"],
                "estimate": tab["estimate"],
                "estimate_95": _interval(tab["ci_low"], tab["ci_high"]),
                "rank": tab["rank"],
                "rank_95": [_rank_range(lo, hi) for lo, hi in zip(tab["rank_ci_low"], tab["rank_ci_high"])],
                "p_above_mean": tab["p_above_mean"],
                "shrinkage": tab["shrinkage"],
            }
        )

    def display_group(self, which: str = "managers"):
        res = self.managers if which == "managers" else self.teams
        frame = self.group_table(which)
        return _styled(
            frame, self.lang, percent=["p_above_mean", "shrinkage"], decimals={"raw_mean": 1, "estimate": 1, "rank": 0}
        ).set_caption(
            {
                "ru": f"Чистый балл рекомендации (NPS, −100..100) за волны {', '.join(self.manager_window)}; "
                f"группы с n < {self.min_n} скрыты. {res.method}",
                "en": f"Net recommend score (NPS, −100..100) over waves {', '.join(self.manager_window)}; "
                f"groups with n < {self.min_n} are suppressed. {res.method}",
            }[self.lang]
        )

    def display_profile(self):
        p = self.profile
        frame = pd.DataFrame({"driver": [self.label(d) for d in p["item"]]})
        for col in ("mean_top", "mean_rest", "difference"):
            frame[col] = p[col].to_numpy()
        frame["estimate_95"] = _interval(p["ci_low"], p["ci_high"], 2)
        frame["p_adjusted"] = p["p_holm"].to_numpy()
        labels = {
            "mean_top": {"ru": "Лучшие менеджеры", "en": "Best managers"}[self.lang],
            "mean_rest": {"ru": "Остальные", "en": "The rest"}[self.lang],
            "difference": {"ru": "Разница", "en": "Difference"}[self.lang],
        }
        return _styled(
            frame, self.lang, decimals={"mean_top": 2, "mean_rest": 2, "difference": 2, "p_adjusted": 3}, headers=labels
        ).set_caption(f"{t('method', self.lang)}: {p['method'].iloc[0]}")
