"""The key-driver section of the wave report: what ``notebooks/drivers.ipynb`` shows and writes.

:class:`DriversReport` reads the workspace once, runs the analyses of
:mod:`cxlab.drivers` for one wave (importance by every method, the
importance-performance map, penalty-reward, drivers across waves, the needs
map and cross-sell, managers and teams with partial pooling) and renders
them: tables for the HTML report, charts (importance bars, IPA map, needs
heat map, managers), the Excel sheets (``drivers_pack.xlsx``, merged into
the wave pack by ``cxlab run-wave``) and ``drivers.json``.

A section whose data the wave lacks (no attribute grid, too few answers, no
need question) says so instead of failing the run.

Examples
--------
>>> rep = DriversReport("workspaces/demo", "2026-Q3", lang="en")  # doctest: +SKIP
>>> rep.write_outputs("reports/demo/2026-Q3")                       # doctest: +SKIP
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

from cxlab import drivers
from cxlab.present import driver_figures as dfig
from cxlab.present.excel import Sheet
from cxlab.present.labels import t
from cxlab.present.report import SectionOutputs, _interval, _rank_range, _styled, figure_html
from cxlab.summary import SurveyData

__all__ = ["DriversReport", "PACK_NAME"]

#: The pack this section writes; ``cxlab run-wave`` merges it into ``wave_pack.xlsx``.
PACK_NAME = "drivers_pack.xlsx"
#: Waves (up to the reported one) pooled for managers and teams: a year of quarterly waves.
MANAGER_WAVES = 4


class DriversReport(SectionOutputs):
    """Key drivers, needs and managers for one wave in one language.

    Parameters
    ----------
    workspace : str, Path or Workspace
    wave : str, optional
        Default: the latest wave with responses.
    lang : {"ru", "en"}
    min_n : int
        Minimum respondents per cell (needs cells, managers, teams).
    outcome : {"nps", "overall"}
        What the drivers explain: likelihood to recommend or overall satisfaction.
    n_boot : int
        Bootstrap resamples for every interval.
    seed : int
    manager_waves : int
        Waves pooled for managers and teams (this one and the previous ones).
    """

    PACK_NAME = PACK_NAME
    JSON_NAME, FIGURE_PREFIX = "drivers.json", "drivers_"

    def __init__(
        self,
        workspace,
        wave: str | None = None,
        *,
        lang: str = "ru",
        min_n: int = 10,
        outcome: str = "nps",
        n_boot: int = 1000,
        seed: int = 0,
        manager_waves: int = MANAGER_WAVES,
    ):
        from cxlab.store import Workspace

        self.ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        self.lang, self.min_n, self.outcome, self.n_boot, self.seed = lang, min_n, outcome, n_boot, seed
        self.wave = wave or self.ws.latest_wave()
        self.wave_record = self.ws.wave(self.wave)
        self.data = SurveyData.from_workspace(self.ws)
        self.questionnaire = self._questionnaire()
        self.figures: dict[str, bytes] = {}
        self.unavailable: dict[str, str] = {}
        waves = _waves_up_to(self.data, self.wave)
        self.history = waves
        self.manager_window = waves[-manager_waves:]
        self.frame, rated = drivers.driver_frame(self.data, self.wave)
        self.items, self.dropped = drivers.usable_drivers(self.frame, rated)
        self.all_frame, _ = drivers.driver_frame(self.data, waves)
        self._compute()

    # ------------------------------------------------------------ computing
    def _questionnaire(self):
        return wave_questionnaire(self.wave_record)

    def label(self, item: str) -> str:
        """An attribute's or direction's name in the report's language (its id when unknown)."""
        return item_label(self.questionnaire, item, self.lang)

    def _attempt(self, section: str, fn):
        try:
            with warnings.catch_warnings():
                # Caveats are kept on the results and printed in the report;
                # as Python warnings they would land in the HTML as stderr.
                warnings.simplefilter("ignore", drivers.DriverWarning)
                return fn()
        except (ValueError, KeyError) as exc:
            self.unavailable[section] = str(exc).strip("'\"")
            return None

    def _compute(self) -> None:
        f, items, boot = self.frame, self.items, dict(n_boot=self.n_boot, seed=self.seed)
        if not items:
            for s in ("importance", "ipa", "penalty", "trend", "profile"):
                self.unavailable[s] = {
                    "ru": "в волне нет пригодных оценок атрибутов",
                    "en": "the wave has no usable attribute ratings",
                }[self.lang]
                if self.dropped:
                    self.unavailable[s] += " (" + "; ".join(f"{k}: {v}" for k, v in self.dropped.items()) + ")"
        # Scale of the attribute grid, for penalty-reward bands.
        scale = (1, 5)
        answers = self.data.answers
        grid = answers[(answers["kind"] == "attribute") & answers["response_id"].isin(self.frame["response_id"])][
            "scale"
        ].dropna()
        if len(grid):
            from cxlab.schema import parse_scale

            scale = parse_scale(grid.iloc[0])
        self.importance = (
            self._attempt(
                "importance",
                lambda: drivers.relative_importance(f, self.outcome, items, method="all", cluster="client_id", **boot),
            )
            if items
            else None
        )
        self.ipa = (
            self._attempt(
                "ipa", lambda: drivers.importance_performance(f, self.outcome, items, cluster="client_id", **boot)
            )
            if items
            else None
        )
        self.penalty = (
            self._attempt(
                "penalty", lambda: drivers.penalty_reward(f, self.outcome, items, cluster="client_id", scale=scale)
            )
            if items
            else None
        )
        # Priorities over the same year of waves as managers: the report shows the
        # latest change, the pack every wave of the window.
        window = self.all_frame[self.all_frame["wave_id"].isin(self.manager_window)]
        self.trend = (
            self._attempt(
                "trend",
                lambda: drivers.drivers_over_waves(
                    window, self.outcome, items, cluster="client_id", order=self.manager_window, **boot
                ),
            )
            if items
            else None
        )
        self.needs = self._attempt(
            "needs", lambda: drivers.needs_map(self.data, self.wave, by="direction", min_n=self.min_n)
        )
        self.needs_by_client = self._attempt("needs", lambda: drivers.needs_map(self.data, self.wave, by="client"))
        self.needs_grid = self._attempt(
            "needs", lambda: drivers.needs_map(self.data, self.wave, by=["segment", "direction"], min_n=self.min_n)
        )
        self.cross_sell = self._attempt(
            "cross_sell", lambda: drivers.cross_sell(self.data, self.wave, n_boot=self.n_boot, seed=self.seed)
        )
        self.priorities = self._attempt(
            "priorities", lambda: drivers.development_priorities(self.data, self.wave, lang=self.lang, min_n=self.min_n)
        )
        self.managers = self._attempt(
            "managers",
            lambda: drivers.manager_scores(window, by="manager", outcome="net", min_n=self.min_n, seed=self.seed),
        )
        self.teams = self._attempt(
            "teams", lambda: drivers.manager_scores(window, by="team", outcome="net", min_n=self.min_n, seed=self.seed)
        )
        self.profile = (
            self._attempt(
                "profile",
                lambda: drivers.manager_profile(
                    window, items, by="manager", outcome="net", scores=self.managers, min_n=self.min_n
                ),
            )
            if items and self.managers is not None
            else None
        )

    # ----------------------------------------------------------------- text
    def intro(self) -> str:
        n = len(self.frame)
        window = f"{self.manager_window[0]}…{self.manager_window[-1]}" if self.manager_window else "—"
        what = {
            "nps": {"ru": "вероятность рекомендации (0-10)", "en": "likelihood to recommend (0-10)"},
            "overall": {"ru": "общую удовлетворённость", "en": "overall satisfaction"},
        }.get(self.outcome, {"ru": self.outcome, "en": self.outcome})[self.lang]
        if self.lang == "ru":
            return (
                f"# {t('drivers_title', 'ru')}\n\nЧто объясняет {what}: вклад каждого атрибута отношений, "
                f"оценённый несколькими названными методами; {n} ответов волны {self.wave}. Интервалы — "
                f"бутстреп ({self.n_boot} выборок клиентов целиком: контакты одного клиента отвечают не "
                f"независимо). Менеджеры, команды и динамика факторов — за волны {window}."
            )
        return (
            f"# {t('drivers_title', 'en')}\n\nWhat explains {what}: each relationship attribute's "
            f"contribution by several named methods; {n} responses in wave {self.wave}. Intervals: bootstrap "
            f"({self.n_boot} resamples of whole clients, as a client's contacts do not answer "
            f"independently). Managers, teams and drivers by wave: waves {window}."
        )

    def unavailable_text(self, section: str) -> str:
        reason = self.unavailable.get(section)
        return "" if reason is None else t("not_available", self.lang).format(reason=reason)

    def warnings_text(self) -> str:
        notes = list(self.importance.warnings) if self.importance is not None else []
        notes += [
            f"{self.label(item)}: {why}; "
            + {"ru": "атрибут не участвует в анализе", "en": "left out of the analysis"}[self.lang]
            for item, why in self.dropped.items()
        ]
        if not notes:
            return ""
        head = {"ru": "**Предупреждения:**", "en": "**Warnings:**"}[self.lang]
        return "\n".join([head] + [f"- {w}" for w in notes])

    def manager_note(self) -> str:
        method = self.managers.method if self.managers is not None else ""
        return f"**{_note(self.lang)}**\n\n{t('method', self.lang)}: {method}"

    # --------------------------------------------------------------- tables
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

    # ------------------------------------------------------------- sections
    SECTIONS = ("importance", "ipa", "penalty", "trend", "needs", "managers")

    def section(self, name: str) -> list:
        """What the notebook displays for a section: heading, charts, tables, or why it is missing."""
        from IPython.display import Markdown

        heads = {
            "importance": "drivers",
            "ipa": "ipa",
            "penalty": "penalty_reward",
            "trend": "drivers_trend",
            "needs": "needs",
            "managers": "managers",
        }
        if name not in heads:
            raise KeyError(f"unknown section '{name}'; sections: {list(self.SECTIONS)}")
        parts: list = [Markdown("## " + t(heads[name], self.lang))]
        if name in self.unavailable and name not in ("needs", "managers"):
            return parts + [Markdown(self.unavailable_text(name))]
        if name == "importance":
            parts += [self.figure("importance"), self.display_importance()]
            if self.warnings_text():
                parts.append(Markdown(self.warnings_text()))
        elif name == "ipa":
            parts += [self.figure("ipa"), self.display_ipa()]
        elif name == "penalty":
            parts.append(self.display_penalty())
        elif name == "trend":
            parts.append(self.display_trend())
        elif name == "needs":
            if self._needs_shown():
                parts.append(self.figure("needs"))
            for key, show in (("priorities", self.display_priorities), ("cross_sell", self.display_cross_sell)):
                if key in self.unavailable:
                    parts.append(Markdown(self.unavailable_text(key)))
                else:
                    parts += [Markdown("### " + t(key, self.lang)), show()]
        elif name == "managers":
            if self.managers is None:
                return parts + [Markdown(self.unavailable_text("managers"))]
            parts += [Markdown(self.manager_note()), self.figure("managers"), self.display_group("managers")]
            if self.teams is not None:
                parts += [Markdown("### " + t("teams", self.lang)), self.figure("teams"), self.display_group("teams")]
            if self.profile is not None:
                parts += [Markdown("### " + t("manager_profile", self.lang)), self.display_profile()]
        return parts

    # --------------------------------------------------------------- charts
    def figure(self, name: str):
        """Draw a chart, keep it as PNG and return it for display (as :meth:`WaveReport.figure`)."""
        from cxlab.drivers.ipa import QUADRANT_LABELS

        if name == "importance":
            rows = self.importance.method("shapley")
            fig = dfig.importance_bars(
                rows,
                lang=self.lang,
                labels={d: self.label(d) for d in rows["driver"]},
                method=rows["method_name"].iloc[0],
                r2=self.importance.r2,
                interval=self.importance.interval,
            )
        elif name == "ipa":
            tab = self.ipa.table
            fig = dfig.ipa_scatter(
                tab,
                self.ipa.importance_cut,
                self.ipa.performance_cut,
                lang=self.lang,
                labels={d: self.label(d) for d in tab["driver"]},
                method=self.ipa.method,
                quadrant_labels={q: v[self.lang] for q, v in QUADRANT_LABELS.items()},
            )
        elif name == "needs":
            fig = dfig.needs_heatmap(
                self.needs_grid,
                lang=self.lang,
                min_n=self.min_n,
                column_labels={d: self.label(d) for d in self.needs_grid["direction"]},
            )
        elif name in ("managers", "teams"):
            res = self.managers if name == "managers" else self.teams
            fig = dfig.group_forest(
                res.table,
                "manager" if name == "managers" else "team",
                lang=self.lang,
                grand_mean=res.grand_mean,
                unit={"ru": "NPS (чистый балл), −100..100", "en": "NPS (net score), −100..100"}[self.lang],
                method=res.method,
                note=_note(self.lang),
            )
        else:
            raise KeyError(f"unknown figure '{name}'")
        self.figures[name], shown = figure_html(fig)
        return shown

    def _needs_shown(self) -> bool:
        grid = self.needs_grid
        return grid is not None and bool((~grid["suppressed"].astype(bool)).any())

    def available_figures(self) -> list[str]:
        out = []
        if self.importance is not None:
            out.append("importance")
        if self.ipa is not None:
            out.append("ipa")
        if self._needs_shown():
            out.append("needs")
        if self.managers is not None:
            out.append("managers")
        if self.teams is not None:
            out.append("teams")
        return out

    # --------------------------------------------------------------- outputs
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


def wave_questionnaire(wave_record: dict):
    """The questionnaire a wave was asked with (``pr_agency`` when the wave does not say), or None."""
    from cxlab.questionnaire import find_questionnaire

    return find_questionnaire(wave_record.get("questionnaire") or "pr_agency")


def item_label(questionnaire, item: str, lang: str) -> str:
    """An attribute's or direction's name in ``lang`` (its id when the questionnaire does not know it)."""
    if questionnaire is None:
        return item
    try:
        return questionnaire.label(item, lang)
    except KeyError:
        return item


def _note(lang: str) -> str:
    """The development-tool label of manager and team scores."""
    from cxlab.drivers.managers import NOTE

    return NOTE[lang]


def _waves_up_to(data, wave: str) -> list[str]:
    """Waves with responses up to ``wave``, in time order (opening date, then id)."""
    from cxlab.summary import waves_up_to

    return waves_up_to(data.waves, data.responses, wave)
