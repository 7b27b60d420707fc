"""The churn-risk section of the wave report: what ``notebooks/churn_risk.ipynb`` shows and writes.

:class:`RiskReport` reads the workspace once and, for one wave, runs
:mod:`cxlab.risk`: the early-warning rules with their evidence, what each
rule was worth on past waves (precision and recall against the churn that
followed), the churn-risk model's probability for every client with its
interval and top reasons, revenue at risk, the time-ordered backtest of the
models, and the follow-up loop (actions for flagged clients and what became
of the clients flagged in the previous wave).  It renders tables for the
HTML report, charts, the Excel sheets (``risk_pack.xlsx``, merged into the
wave pack by ``cxlab run-wave``) and ``risk.json`` for the dashboard.

What the data cannot support (too few churn events for a model, no wave
with a 12-month outcome yet) is said in the report, never hidden behind a
number.

Examples
--------
>>> rep = RiskReport("workspaces/demo", "2026-Q3", lang="en")   # doctest: +SKIP
>>> rep.write_outputs("reports/demo/2026-Q3")                    # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlab import risk
from cxlab.errors import NotFoundError
from cxlab.present import risk_figures as rfig
from cxlab.present.derived_results import RISK_N_BOOT, RISK_SEED, results_of
from cxlab.present.excel import Sheet
from cxlab.present.labels import pick
from cxlab.present.report import SectionOutputs, _interval, _num, _styled, figure_html, records
from cxlab.summary import SurveyData

__all__ = ["RiskReport", "PACK_NAME"]

#: The pack this section writes; ``cxlab run-wave`` merges it into ``wave_pack.xlsx``.
PACK_NAME = "risk_pack.xlsx"

_TEXT = {
    "title": {
        "ru": "Скрытые кризисы: сигналы, риск ухода и выручка под риском",
        "en": "Hidden crises: early warnings, churn risk and revenue at risk",
    },
    "at_risk": {"ru": "Клиенты под риском", "en": "Clients at risk"},
    "flags": {"ru": "Сигналы раннего предупреждения", "en": "Early-warning flags"},
    "rule_value": {"ru": "Чего стоит каждый сигнал", "en": "What each flag is worth"},
    "model": {"ru": "Качество модели", "en": "Model quality"},
    "followup": {"ru": "Работа с клиентами под риском", "en": "Follow-up of flagged clients"},
    "nobody": {"ru": "В этой волне нет клиентов с сигналами.", "en": "No client is flagged in this wave."},
}
_SHEETS = {
    "at_risk": {"ru": "Клиенты под риском", "en": "At-risk clients"},
    "flags": {"ru": "Сигналы", "en": "Flags"},
    "rule_value": {"ru": "Ценность сигналов", "en": "Rule backtest"},
    "model": {"ru": "Качество модели", "en": "Model backtest"},
    "calibration": {"ru": "Калибровка", "en": "Calibration"},
    "odds": {"ru": "Отношения шансов", "en": "Odds ratios"},
    "actions": {"ru": "Действия", "en": "Follow-up actions"},
    "followup": {"ru": "Итоги действий", "en": "Follow-up outcomes"},
}
_H = {  # column headers, ru / en
    "client": ("Клиент", "Client"),
    "manager": ("Менеджер", "Manager"),
    "team": ("Команда", "Team"),
    "p": ("Вероятность ухода", "Churn probability"),
    "p_95": ("95% интервал", "95% interval"),
    "contract_value": ("Годовой контракт", "Annual contract"),
    "revenue_at_risk": ("Выручка под риском", "Revenue at risk"),
    "revenue_95": ("95% интервал", "95% interval"),
    "flags": ("Сигналы", "Flags"),
    "reasons": ("Главные причины (модель)", "Top reasons (model)"),
    "action": ("Действие", "Follow-up"),
    "rule_name": ("Сигнал", "Flag"),
    "severity": ("Важность", "Severity"),
    "evidence": ("Факты", "Evidence"),
    "n_flagged": ("Отмечено", "Flagged"),
    "flagged_churned": ("Из них ушли", "Of whom churned"),
    "precision": ("Точность", "Precision"),
    "precision_95": ("95%", "95%"),
    "recall": ("Полнота", "Recall"),
    "recall_95": ("95%", "95%"),
    "lift": ("Во сколько раз выше среднего", "Lift over base rate"),
    "clients_now": ("Сейчас", "Now"),
}


def _h(key: str, lang: str) -> str:
    return pick(_H, key, lang)


class RiskReport(SectionOutputs):
    """Early warnings, churn risk, revenue at risk and follow-up for one wave in one language.

    Parameters
    ----------
    workspace : str, Path or Workspace
    wave : str, optional
        Default: the latest wave with responses.
    lang : {"ru", "en"}
    min_n : int
        Kept for the notebook's common parameters; the at-risk list is per
        client and shows no respondent-level cells.
    n_boot : int
        Bootstrap refits for the probability intervals.
    seed : int
    k : int
        Top-k clients for precision at k in the backtest.
    """

    PACK_NAME = PACK_NAME
    JSON_NAME, FIGURE_PREFIX = "risk.json", "risk_"

    def __init__(
        self,
        workspace,
        wave: str | None = None,
        *,
        lang: str = "ru",
        min_n: int = 10,
        n_boot: int = RISK_N_BOOT,
        seed: int = RISK_SEED,
        k: int = 10,
    ):
        from cxlab.store import Workspace

        self.ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        self.lang, self.min_n, self.n_boot, self.seed, self.k = lang, min_n, n_boot, seed, k
        self.wave = wave or self.ws.latest_wave()
        self.ws.wave(self.wave)
        self.currency = self.ws.meta.get("currency", "RUB")
        self.data = SurveyData.from_workspace(self.ws)
        self.figures: dict[str, bytes] = {}
        self._compute()

    # ------------------------------------------------------------ computing
    def _compute(self) -> None:
        data = self.data
        self.panel = risk.churn_labels(data, risk.client_waves(data))
        order = risk.wave_cutoffs(data.waves, data.responses)
        waves = order["wave_id"].tolist()
        here = waves.index(self.wave)
        self.previous_wave = waves[here - 1] if here > 0 else None
        # One panel for every analysis: building it is the costly part.
        self.flags = risk.early_warnings(data, self.wave, lang=self.lang, panel=self.panel)
        self.rule_value = risk.backtest_rules(data, panel=self.panel)
        # The dashboard's stored scores, same call and arguments: both show the same revenue at risk.
        self.scores = results_of(self).risk(
            self.wave, n_boot=self.n_boot, seed=self.seed, lang=self.lang, panel=self.panel
        )
        self.backtest = risk.backtest(data, panel=self.panel, k=self.k, random_state=self.seed)
        self.actions = data.actions
        self.followup = self._follow_up() if self.previous_wave else None

    def _follow_up(self):
        """What became of the clients flagged in the previous wave, with and without a completed action."""
        before = risk.early_warnings(self.data, self.previous_wave, lang=self.lang, panel=self.panel)
        flagged = before.groupby("client_id", as_index=False)["rule"].agg(lambda r: ";".join(sorted(set(r))))
        panel = self.panel
        before_rows = panel[panel["wave_id"] == self.previous_wave].set_index("client_id")
        now_rows = panel[panel["wave_id"] == self.wave].set_index("client_id")
        ids = flagged["client_id"]
        # churn_date is the first churn after the flagged wave's close; it counts up to this wave's close.
        churn = ids.map(before_rows["churn_date"])
        end = risk.wave_cutoffs(self.data.waves, self.data.responses).set_index("wave_id")["cutoff"][self.wave]
        outcomes = pd.DataFrame(
            {
                "client_id": ids,
                "churned": churn.notna() & (churn <= end),
                "score_before": ids.map(before_rows["nps_mean"]),
                "score_after": ids.map(now_rows["nps_mean"]),
                "flagged_again": ids.isin(set(self.flags["client_id"])),
                "responded": ids.map(now_rows["n_responses"]).fillna(0) > 0,
            }
        )
        return risk.follow_up(flagged, self.actions, outcomes, flagged_wave=self.previous_wave)

    # ----------------------------------------------------------------- text
    def intro(self) -> str:
        n_flagged = self.flags["client_id"].nunique()
        n_active = int((self.panel["wave_id"] == self.wave).sum())
        total = self.scores.total
        money = self._money(total.get("revenue_at_risk"))
        interval = f"{self._money(total.get('ci_low'))} … {self._money(total.get('ci_high'))}"
        msg = self.scores.message.get(self.lang, "") if isinstance(self.scores.message, dict) else ""
        if self.lang == "ru":
            text = (
                f"# {_TEXT['title']['ru']}\n\nВолна {self.wave}: {n_active} активных клиентов, сигналы у "
                f"{n_flagged}. Выручка под риском (вероятность ухода за 12 месяцев × годовой контракт, сумма "
                f"по клиентам): **{money}**, 95% интервал {interval}. Вероятности — {self.scores.method['ru']}."
            )
        else:
            text = (
                f"# {_TEXT['title']['en']}\n\nWave {self.wave}: {n_active} active clients, {n_flagged} flagged. "
                f"Revenue at risk (probability of churn within 12 months × annual contract, summed over "
                f"clients): **{money}**, 95% interval {interval}. Probabilities: {self.scores.method['en']}."
            )
        return text + (f"\n\n> {msg}" if msg else "")

    def _money(self, value) -> str:
        if value is None or pd.isna(value):
            return "—"
        unit = {"ru": "млн ₽", "en": "M RUB"}[self.lang] if self.currency == "RUB" else f"M {self.currency}"
        return f"{_num(value / 1e6, 1)} {unit}"

    # --------------------------------------------------------------- tables
    def at_risk_table(self, top: int | None = None) -> pd.DataFrame:
        """Every active client: probability, revenue at risk, the flags that fired, reasons, follow-up status."""
        out = at_risk_frame(self.scores, self.flags, self.actions, self.wave, self.lang)
        return (out.head(top) if top else out).reset_index(drop=True)

    def display_at_risk(self, top: int = 20):
        frame = self.at_risk_table()
        frame = frame[(frame["flags"] != "") | (frame.index < top)].head(max(top, (frame["flags"] != "").sum()))
        frame = frame.drop(columns=["client_id"]).assign(
            contract_value=lambda f: f["contract_value"] / 1e6, revenue_at_risk=lambda f: f["revenue_at_risk"] / 1e6
        )
        headers = {k: _h(k, self.lang) for k in frame.columns}
        unit = {"ru": ", млн ₽", "en": ", M RUB"}[self.lang]
        headers["contract_value"] += unit
        headers["revenue_at_risk"] += unit
        return _styled(
            frame, self.lang, percent=["p"], decimals={"contract_value": 1, "revenue_at_risk": 2}, headers=headers
        ).set_caption(
            {
                "ru": f"Клиенты с сигналами и {top} клиентов с наибольшей выручкой под риском. Вероятность — "
                f"{self.scores.method['ru']}; интервалы 95% (бутстреп по клиентам).",
                "en": f"Flagged clients and the {top} clients with the most revenue at risk. Probability: "
                f"{self.scores.method['en']}; 95% intervals (client bootstrap).",
            }[self.lang]
        )

    def flags_table(self) -> pd.DataFrame:
        f = self.flags
        return pd.DataFrame(
            {"client": f["client"], "rule_name": f["rule_name"], "severity": f["severity"], "evidence": f["evidence"]}
        )

    def display_flags(self):
        if not len(self.flags):
            return pd.DataFrame({_TEXT["flags"][self.lang]: [_TEXT["nobody"][self.lang]]})
        frame = self.flags_table()
        return _styled(frame, self.lang, headers={k: _h(k, self.lang) for k in frame.columns})

    def rule_counts(self) -> pd.DataFrame:
        """How many clients each rule flags now, beside what the rule was worth on past waves."""
        now = self.flags.groupby("rule")["client_id"].nunique()
        rv = self.rule_value.copy()
        rv["clients_now"] = rv["rule"].map(now).fillna(0).astype(int)
        return rv

    def display_rule_value(self):
        rv = self.rule_counts()
        names = self._rule_names()
        frame = pd.DataFrame(
            {
                "rule_name": [names.get(r, r) for r in rv["rule"]],
                "clients_now": rv["clients_now"],
                "n_flagged": rv["n_flagged"],
                "flagged_churned": rv["flagged_churned"],
                "precision": rv["precision"],
                "precision_95": _interval(100 * rv["precision_ci_low"], 100 * rv["precision_ci_high"], 0),
                "recall": rv["recall"],
                "recall_95": _interval(100 * rv["recall_ci_low"], 100 * rv["recall_ci_high"], 0),
                "lift": rv["lift"],
            }
        )
        caption = self._rule_value_caption(rv)
        return _styled(
            frame,
            self.lang,
            percent=["precision", "recall"],
            decimals={"lift": 1},
            headers={k: _h(k, self.lang) for k in frame.columns},
        ).set_caption(caption)

    def _rule_value_caption(self, rv: pd.DataFrame) -> str:
        message = rv.attrs.get("message")
        if message:
            return message[self.lang] if isinstance(message, dict) else str(message)
        n = int(rv["n_rows"].iloc[0]) if len(rv) else 0
        base = rv["base_rate"].iloc[0] if len(rv) else np.nan
        events = int(rv["n_churn_events"].iloc[0]) if len(rv) and "n_churn_events" in rv else 0
        return {
            "ru": f"Прошлые волны с известным исходом за 12 месяцев: {n} клиенто-волн, {events} ушедших "
            f"клиентов, средняя доля ушедших {100 * base:.1f}%. Интервалы Уилсона 95%; строки одного "
            f"клиента в соседних волнах не независимы, поэтому интервалы оптимистичны.",
            "en": f"Past waves with a known 12-month outcome: {n} client-waves, {events} churned clients, "
            f"base churn rate {100 * base:.1f}%. 95% Wilson intervals; rows of one client in consecutive "
            f"waves are not independent, so the intervals are optimistic.",
        }[self.lang]

    def _rule_names(self) -> dict:
        names = {rule: spec["name"][self.lang] for rule, spec in risk.RULES.items()}
        names.setdefault("any_rule", {"ru": "любой сигнал", "en": "any flag"}[self.lang])
        return names

    def model_table(self) -> pd.DataFrame:
        return self.backtest.table.copy()

    def display_model(self):
        bt = self.backtest
        if bt.table is None or not len(bt.table):
            return pd.DataFrame({_TEXT["model"][self.lang]: [self._message(bt.message)]})
        tab = bt.table
        frame = pd.DataFrame(
            {
                "method": tab["method"],
                "auc": tab["auc"],
                "auc_95": _interval(tab["auc_ci_low"], tab["auc_ci_high"], 2),
                "brier": tab["brier"],
                "n": tab["n"],
                "events": tab["n_events"],
            }
        )
        if "precision_at_k" in tab:
            frame["precision_at_k"] = tab["precision_at_k"]
        headers = {
            "method": {"ru": "Модель", "en": "Model"}[self.lang],
            "auc": "AUC",
            "auc_95": "95%",
            "brier": {"ru": "Брайер", "en": "Brier"}[self.lang],
            "events": {"ru": "Уходов", "en": "Churn rows"}[self.lang],
            "precision_at_k": {"ru": f"Точность в топ-{self.k}", "en": f"Precision at top {self.k}"}[self.lang],
        }
        caption = {
            "ru": "Бэктест по времени: модель обучается только на волнах, исход которых был известен к "
            "тестовой волне, и проверяется на более поздних. AUC — вероятность, что ушедший клиент "
            "получил больший риск, чем оставшийся; Брайер — средний квадрат ошибки вероятности.",
            "en": "Time-ordered backtest: each model is trained only on waves whose outcome was known by the "
            "test wave and tested on later ones. AUC: probability that a churned client got a higher "
            "risk than a retained one; Brier: mean squared error of the probability.",
        }[self.lang]
        msg = self._message(bt.message)
        return _styled(
            frame, self.lang, percent=["precision_at_k"], decimals={"auc": 3, "brier": 4}, headers=headers
        ).set_caption(caption + (f" {msg}" if msg else ""))

    def _message(self, message) -> str:
        if not message:
            return ""
        return message.get(self.lang, "") if isinstance(message, dict) else str(message)

    def odds_table(self) -> pd.DataFrame | None:
        model = getattr(self.scores, "model", None)
        if model is None or not getattr(model, "fitted_", False) or model.method != "logistic":
            return None
        return model.odds_ratios()

    def display_followup(self):
        if self.followup is None:
            return pd.DataFrame(
                {_TEXT["followup"][self.lang]: [{"ru": "Предыдущей волны нет.", "en": "No previous wave."}[self.lang]]}
            )
        s = self.followup.summary
        if not len(s):
            return pd.DataFrame({_TEXT["followup"][self.lang]: [self.followup.note[self.lang]]})
        from cxlab.risk.outcomes import GROUP_LABELS

        frame = pd.DataFrame(
            {
                "group": s["group"].map(GROUP_LABELS[self.lang]).fillna(s["group"]),
                "n": s["n_clients"],
                "churned": s["churned_share"],
                "churned_95": _interval(100 * s["churned_ci_low"], 100 * s["churned_ci_high"], 0),
                "score_change": s["score_change_mean"],
                "score_95": _interval(s["score_change_ci_low"], s["score_change_ci_high"], 1),
                "flagged_again": s["flagged_again_share"],
                "responded": s["responded_share"],
            }
        )
        headers = {
            "group": {"ru": "Клиенты с сигналом в прошлой волне", "en": "Clients flagged last wave"}[self.lang],
            "churned": {"ru": "Ушли", "en": "Churned"}[self.lang],
            "churned_95": "95%",
            "score_change": {"ru": "Изменение оценки (0-10)", "en": "Score change (0-10)"}[self.lang],
            "score_95": "95%",
            "flagged_again": {"ru": "Снова с сигналом", "en": "Flagged again"}[self.lang],
            "responded": {"ru": "Ответили", "en": "Answered"}[self.lang],
        }
        return _styled(
            frame, self.lang, percent=["churned", "flagged_again", "responded"], headers=headers
        ).set_caption(f"{self.previous_wave} → {self.wave}. {self.followup.note[self.lang]}")

    # --------------------------------------------------------------- charts
    def available_figures(self) -> list[str]:
        names = ["revenue_at_risk"] if self.scores.clients["p"].notna().any() else []
        if (self.rule_value["n_flagged"] > 0).any() and self.rule_value["n_rows"].max() > 0:
            names.append("rule_value")
        if self.backtest.calibration is not None and len(self.backtest.calibration):
            names.append("calibration")
        return names

    def figure(self, name: str):
        """Draw a chart, keep its PNG for the report folder, return it for display."""
        if name == "revenue_at_risk":
            fig = rfig.revenue_at_risk_bars(
                self.scores.clients,
                lang=self.lang,
                method=self.scores.method[self.lang],
                currency=self.currency,
                confidence=self.scores.confidence,
            )
        elif name == "rule_value":
            fig = rfig.rule_value_chart(self.rule_value, lang=self.lang, labels=self._rule_names())
        elif name == "calibration":
            auc = dict(zip(self.backtest.table["method"], self.backtest.table["auc"]))
            fig = rfig.calibration_plot(
                self.backtest.calibration, lang=self.lang, auc=auc, confidence=self.backtest.confidence
            )
        else:
            raise NotFoundError(
                f"unknown figure {name!r}; figures: {self.available_figures()}", kind="figure", key=name
            )
        png, html = figure_html(fig)
        self.figures[name] = png
        return html

    # ------------------------------------------------------------- sections
    def section(self, name: str) -> list:
        """What the notebook displays for one section: headings, tables, charts."""
        from IPython.display import Markdown

        out: list = [Markdown(f"## {_TEXT[name][self.lang]}")]
        if name == "at_risk":
            out.append(self.display_at_risk())
            if "revenue_at_risk" in self.available_figures():
                out.append(self.figure("revenue_at_risk"))
        elif name == "flags":
            out.append(self.display_flags())
        elif name == "rule_value":
            out.append(self.display_rule_value())
            if "rule_value" in self.available_figures():
                out.append(self.figure("rule_value"))
        elif name == "model":
            out.append(self.display_model())
            if "calibration" in self.available_figures():
                out.append(self.figure("calibration"))
            odds = self.odds_table()
            if odds is not None:
                out.append(_styled(self._odds_frame(odds), self.lang, decimals={"odds_ratio": 2}))
        elif name == "followup":
            out.append(self.display_followup())
        else:
            raise NotFoundError(f"unknown section {name!r}", kind="section", key=name)
        return out

    def _odds_frame(self, odds: pd.DataFrame) -> pd.DataFrame:
        from cxlab.risk.features import FEATURE_LABELS

        label = [FEATURE_LABELS.get(f, {}).get(self.lang, f) for f in odds["feature"]]
        return pd.DataFrame(
            {
                "feature": label,
                "odds_ratio": odds["odds_ratio"],
                "estimate_95": _interval(odds["ci_low"], odds["ci_high"], 2),
            }
        )

    # ----------------------------------------------------------- the pack
    def excel_sheets(self) -> list[Sheet]:
        lang = self.lang
        sheets = []
        at_risk = self.at_risk_table()
        sheets.append(
            Sheet(
                _SHEETS["at_risk"][lang],
                at_risk,
                percent=["p"],
                decimals={"contract_value": 0, "revenue_at_risk": 0},
                headers={k: _h(k, lang) for k in at_risk.columns},
                note=self.scores.method[lang],
            )
        )
        sheets.append(
            Sheet(
                _SHEETS["flags"][lang],
                self.flags,
                note={"ru": "Одна строка на сработавший сигнал.", "en": "One row per flag that fired."}[lang],
            )
        )
        rv = self.rule_counts()
        sheets.append(
            Sheet(
                _SHEETS["rule_value"][lang],
                rv,
                percent=[c for c in rv.columns if c.startswith(("precision", "recall", "base_rate"))],
                decimals={"lift": 2},
                note=self._rule_value_caption(rv),
            )
        )
        bt = self.backtest
        if bt.table is not None and len(bt.table):
            sheets.append(
                Sheet(
                    _SHEETS["model"][lang],
                    bt.table,
                    decimals={"auc": 3, "brier": 4},
                    note=self._message(bt.message) or None,
                )
            )
            if bt.calibration is not None and len(bt.calibration):
                sheets.append(Sheet(_SHEETS["calibration"][lang], bt.calibration))
        else:
            sheets.append(Sheet(_SHEETS["model"][lang], pd.DataFrame({"message": [self._message(bt.message)]})))
        odds = self.odds_table()
        if odds is not None:
            sheets.append(Sheet(_SHEETS["odds"][lang], odds, decimals={"odds_ratio": 3}))
        actions = (
            self.actions
            if len(self.actions)
            else pd.DataFrame(columns=["action_id", "client_id", "wave_id", "owner", "status", "due", "note"])
        )
        sheets.append(
            Sheet(
                _SHEETS["actions"][lang],
                actions,
                note={
                    "ru": "Обновляйте: cxlab actions update --workspace … ID --status done",
                    "en": "Update with: cxlab actions update --workspace … ID --status done",
                }[lang],
            )
        )
        if self.followup is not None:
            sheets.append(Sheet(_SHEETS["followup"][lang], self.followup.summary, note=self.followup.note[lang]))
        return sheets

    def to_json(self) -> dict:
        """The figures the dashboard shows (no personal data: clients by name, no respondents)."""
        total = {
            k: (None if v is None or pd.isna(v) else float(v))
            for k, v in self.scores.total.items()
            if isinstance(v, (int, float, np.floating)) or v is None
        }
        return {
            "wave": self.wave,
            "lang": self.lang,
            "method": self.scores.method,
            "message": self.scores.message,
            "revenue_at_risk": total,
            "clients": records(self.at_risk_table().drop(columns=["reasons"], errors="ignore")),
            "flags": records(self.flags),
            "rule_value": records(self.rule_value),
            "model": records(self.backtest.table),
            "backtest_message": self.backtest.message,
        }


_STATUS_NAMES = {
    "done": ("выполнено", "done"),
    "in_progress": ("в работе", "in progress"),
    "open": ("открыто", "open"),
    "dropped": ("отменено", "dropped"),
}


def _reasons(scores, flags: pd.DataFrame, lang: str) -> pd.Series:
    """Each client's reasons in plain words: its flags', then the model's (``cxlab.risk.reasons.client_reasons``)."""
    from cxlab.risk.reasons import client_reasons

    c = scores.clients
    try:
        model = scores.reasons_in(lang)
    except Exception:  # a model without its reasons (an old stored entry): the text stored with the scores
        model = c.get("reasons", pd.Series("", index=c.index))
    rows: dict = {}
    panel = scores.scored_rows
    if panel is not None and len(panel):
        rows = dict(zip(panel["client_id"], panel.to_dict("records")))
    by_client = dict(tuple(flags.groupby("client_id"))) if len(flags) else {}
    return pd.Series(
        [
            client_reasons(m, by_client.get(cid), rows.get(cid, {}), lang)
            for cid, m in zip(c["client_id"], model.fillna(""))
        ],
        index=c.index,
        dtype=object,
    )


def at_risk_frame(scores, flags: pd.DataFrame, actions: pd.DataFrame, wave: str, lang: str) -> pd.DataFrame:
    """The at-risk table of the report and the dashboard, most severe first.

    Severity: clients flagged by an early-warning rule first, more rules
    before fewer, then by revenue at risk, then by probability.

    ``reasons`` are the flags' and the model's reasons in plain words a
    director reads ("оценка рекомендации упала на 3 п. (9 → 6)", "ЛПР —
    критик"), only those that raise the risk (:mod:`cxlab.risk.reasons`).

    Parameters
    ----------
    scores : cxlab.risk.RiskScores
        ``risk.score_clients`` for the wave.
    flags : DataFrame
        ``risk.early_warnings`` for the wave (in ``lang``).
    actions : DataFrame
        The workspace's follow-up actions.
    wave : str
    lang : {"ru", "en"}

    Returns
    -------
    DataFrame
        ``client_id, client, manager, p, p_95, contract_value,
        revenue_at_risk, revenue_95, flags, reasons, action``.
    """
    from cxlab.risk.actions import action_status

    c = scores.clients
    rules = flags.groupby("client_id")["rule_name"].agg(lambda r: "; ".join(dict.fromkeys(r)))
    status = action_status(actions, wave).map(lambda s: _STATUS_NAMES[s][0 if lang == "ru" else 1])
    out = pd.DataFrame(
        {
            "client_id": c["client_id"],
            "client": c["client"],
            "manager": c.get("manager"),
            "p": c["p"],
            "p_95": _interval(100 * c["ci_low"], 100 * c["ci_high"], 0),
            "contract_value": c["contract_value"],
            "revenue_at_risk": c["revenue_at_risk"],
            "revenue_95": _interval(c["revenue_ci_low"] / 1e6, c["revenue_ci_high"] / 1e6, 2),
            "flags": c["client_id"].map(rules).fillna(""),
            # Plain words, from the model's reasons each time (cxlab.risk.reasons): stored text may predate them.
            "reasons": _reasons(scores, flags, lang),
            "action": c["client_id"].map(status).astype(object).fillna("—"),
        }
    )
    # Most severe first: flagged by an early-warning rule (evidence a person can check), more rules before
    # fewer, then by revenue at risk, then by probability.
    n_flags = out["flags"].map(lambda f: len([x for x in str(f).split("; ") if x]))
    return (
        out.assign(_flags=n_flags)
        .sort_values(["_flags", "revenue_at_risk", "p"], ascending=False, na_position="last", kind="stable")
        .drop(columns="_flags")
        .reset_index(drop=True)
    )
