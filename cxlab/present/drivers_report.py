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

The tables are built in :mod:`~cxlab.present.drivers_report_tables`, the
Excel sheets and the JSON in :mod:`~cxlab.present.drivers_report_outputs`.

Examples
--------
>>> rep = DriversReport("workspaces/demo", "2026-Q3", lang="en")  # doctest: +SKIP
>>> rep.write_outputs("reports/demo/2026-Q3")                       # doctest: +SKIP
"""

from __future__ import annotations

import warnings

from cxlab import drivers
from cxlab.errors import NotFoundError
from cxlab.present import driver_figures as dfig
from cxlab.present.drivers_report_outputs import _DriverOutputs
from cxlab.present.drivers_report_tables import _DriverTables
from cxlab.present.labels import t
from cxlab.present.report import SectionOutputs, figure_html
from cxlab.summary import SurveyData

__all__ = ["DriversReport", "PACK_NAME"]

#: The pack this section writes; ``cxlab run-wave`` merges it into ``wave_pack.xlsx``.
PACK_NAME = "drivers_pack.xlsx"
#: Waves (up to the reported one) pooled for managers and teams: a year of quarterly waves.
MANAGER_WAVES = 4


class DriversReport(_DriverTables, _DriverOutputs, SectionOutputs):
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
        f, items, boot = self.frame, self.items, {"n_boot": self.n_boot, "seed": self.seed}
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
            raise NotFoundError(f"unknown section '{name}'; sections: {list(self.SECTIONS)}", kind="section", key=name)
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
                confidence=self.importance.confidence,
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
                confidence=self.ipa.importance.confidence,
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
                confidence=res.confidence,
            )
        else:
            raise NotFoundError(f"unknown figure '{name}'", kind="figure", key=name)
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
