"""Time-ordered backtest of the churn-risk models: AUC, Brier score, calibration and precision at the top k.

:func:`backtest` compares the models in a time-ordered backtest (train on
waves whose 12-month outcome was known by the test wave's close, test on
that wave; never a random split across time) with AUC, Brier score,
calibration and precision at the top k, and, on a simulated agency, the same
figures for the simulator's true probabilities on the same rows.
Intervals resample whole clients of the test rows.

The module is a little over 600 lines: the backtest loop, its scores
(AUC, Brier, calibration, precision at k) and the result object that prints
them belong together; the scores are also public for other uses.

Examples
--------
>>> from cxlab import risk
>>> from cxlab.summary import SurveyData                          # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                          # doctest: +SKIP
>>> print(risk.backtest(data).summary())                          # doctest: +SKIP
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.errors import NotFoundError, ParameterError
from cxlab.risk._common import _check_lang, _close_summary, _fmt, _horizon_end
from cxlab.risk.estimators import METHODS
from cxlab.risk.features import churn_labels, client_waves
from cxlab.risk.model import ChurnRiskModel
from cxlab.stats.intervals import wilson
from cxlab.stats.resampling import resample_weights

__all__ = ["BacktestResult", "backtest", "calibration_bins", "precision_at_k"]


# --------------------------------------------------------------------------- backtest


@dataclass(repr=False)
class BacktestResult:
    """Time-ordered backtest of the churn models (and of the simulator's truth, when given).

    Attributes
    ----------
    table : DataFrame
        One row per method (``"logistic"``, ``"boosting"``, ``"simulator
        truth"``) on the pooled test rows: ``auc`` with ``auc_ci_low``,
        ``auc_ci_high`` (percentile interval over client-bootstrap resamples
        of the test rows), ``brier`` with its interval, ``precision_at_k``
        (churned among the top-k clients of every test wave, pooled: the mean
        of the per-wave precisions when each wave has k clients) with its
        Wilson interval, ``base_rate``,
        ``n`` (test rows), ``n_clients``, ``n_events`` (test rows with a
        churn), ``n_churned_clients``, ``n_test_waves``, ``test_waves``,
        ``fallback_waves`` (waves where the small-data fallback was fitted)
        and, with a truth, ``auc_minus_truth`` with ``gap_ci_low``,
        ``gap_ci_high`` (paired: the same resamples) and ``description``.
    calibration : DataFrame
        ``method, bin, n, n_events, mean_predicted, observed,
        observed_ci_low, observed_ci_high`` (Wilson): quantile bins of the
        prediction, as :func:`sklearn.calibration.calibration_curve`.
    precision_at_k : DataFrame
        ``method, wave_id, k, n_churned, precision, base_rate`` per test wave.
    by_wave : DataFrame
        Every wave with a complete outcome: whether it was tested (or why
        not), its training rows, events and last training wave, and per
        method its AUC and Brier score.
    predictions : DataFrame
        The pooled test rows: ``client_id, wave_id, cutoff, churned`` and a
        probability column per method (``p_logistic``, ``p_boosting``,
        ``p_true``).
    training : DataFrame
        Bookkeeping of every split: ``test_wave, test_cutoff, train_wave,
        train_cutoff, window_end, n_rows`` (``window_end <= test_cutoff``
        always: no outcome after the test wave's close was used).
    message : dict or None
        ``{"ru", "en"}`` when nothing or only part could be tested.
    """

    table: pd.DataFrame
    calibration: pd.DataFrame
    precision_at_k: pd.DataFrame
    by_wave: pd.DataFrame
    predictions: pd.DataFrame
    training: pd.DataFrame
    message: dict | None
    methods: tuple
    horizon_months: int = 12
    k: int = 10
    confidence: float = 0.95
    n_boot: int = 200

    def summary(self, lang: str = "en") -> str:
        """Readable report: one line per method, the truth gap, and any message."""
        _check_lang(lang)
        ru = lang == "ru"
        width = 80
        pct = f"{100 * self.confidence:g}%"
        lines = [
            ("Бэктест модели риска ухода (по времени)" if ru else "Churn model backtest (time-ordered)").center(width),
            "=" * width,
        ]
        lines += textwrap.wrap(
            (
                f"Обучение только на волнах, чей {self.horizon_months}-месячный исход был известен к закрытию "
                f"тестовой волны; проверка на этой волне; прогнозы всех тестовых волн объединены. Интервалы "
                f"{pct}: бутстреп клиентов тестовых строк ({self.n_boot} выборок), точность в топ-{self.k} — Уилсон."
            )
            if ru
            else (
                f"Trained only on waves whose {self.horizon_months}-month outcome was known by the test wave's "
                f"close, tested on that wave; predictions of all test waves pooled. {pct} intervals: client "
                f"bootstrap of the test rows ({self.n_boot} resamples); precision at top {self.k}: Wilson."
            ),
            width=width,
        )
        t = self.table
        if len(t):
            lines.append("-" * width)
            lines.append(
                f"{'method':<16} {'AUC':>6} {pct + ' CI':>15} {'Brier':>7} {'P@' + str(self.k):>6} "
                f"{'n':>6} {'events':>6} {'waves':>5}"
            )
            for _, r in t.iterrows():
                lines.append(
                    f"{str(r['method'])[:16]:<16} {_fmt(r['auc']):>6} "
                    f"{'[' + _fmt(r['auc_ci_low']) + ', ' + _fmt(r['auc_ci_high']) + ']':>15} "
                    f"{_fmt(r['brier'], 4):>7} {_fmt(r['precision_at_k'], 2):>6} {int(r['n']):>6} "
                    f"{int(r['n_events']):>6} {int(r['n_test_waves']):>5}"
                )
            if "auc_minus_truth" in t:
                for _, r in t[t["auc_minus_truth"].notna()].iterrows():
                    lines.append(
                        (
                            f"  {r['method']}: AUC минус AUC истинных вероятностей симулятора = "
                            if ru
                            else f"  {r['method']}: AUC minus the simulator truth's AUC = "
                        )
                        + f"{_fmt(r['auc_minus_truth'])} [{_fmt(r['gap_ci_low'])}, "
                        f"{_fmt(r['gap_ci_high'])}]"
                    )
            lines.append(("Тестовые волны: " if ru else "Test waves: ") + str(t["test_waves"].iloc[0]))
        return _close_summary(lines, self.message, lang, width)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        auc = ", ".join(f"{m}={_fmt(a)}" for m, a in zip(self.table.get("method", []), self.table.get("auc", [])))
        return f"<BacktestResult waves={self.table['n_test_waves'].max() if len(self.table) else 0} {auc}>"


_TRUTH = "simulator truth"
_TABLE_COLUMNS = [
    "method",
    "auc",
    "auc_ci_low",
    "auc_ci_high",
    "brier",
    "brier_ci_low",
    "brier_ci_high",
    "precision_at_k",
    "precision_at_k_ci_low",
    "precision_at_k_ci_high",
    "base_rate",
    "n",
    "n_clients",
    "n_events",
    "n_churned_clients",
    "n_test_waves",
    "test_waves",
    "fallback_waves",
    "description",
]


def _truth_frame(truth: pd.DataFrame) -> pd.DataFrame:
    t = truth.rename(columns={"p_churn_12m": "p_true"}) if "p_true" not in truth else truth
    missing = {"client_id", "wave_id", "p_true"} - set(t.columns)
    if missing:
        raise NotFoundError(
            f"truth needs client_id, wave_id and p_true (or p_churn_12m); missing {sorted(missing)}",
            kind="column",
            key=sorted(missing),
        )
    return t[["client_id", "wave_id", "p_true"]].drop_duplicates(["client_id", "wave_id"])


def backtest(
    data,
    *,
    methods=METHODS,
    horizon_months: int = 12,
    k: int = 10,
    truth: pd.DataFrame | None = None,
    min_train_events: int = 20,
    panel: pd.DataFrame | None = None,
    random_state: int = 0,
    n_boot: int = 200,
    features=None,
    C: float = 1.0,
    n_bins: int = 10,
    confidence: float = 0.95,
) -> BacktestResult:
    """Compare the churn models in a time-ordered backtest; never a random split across time.

    For every wave whose ``horizon_months`` outcome is complete, the models
    are trained on the labelled rows whose outcome window had *ended* by that
    wave's close (``train cutoff + horizon <= test cutoff``; features are
    always those known at each row's own wave) and predict that wave's
    clients.  The predictions of all test waves are pooled and scored: AUC
    (:func:`sklearn.metrics.roc_auc_score`), Brier score, a calibration
    curve with quantile bins and the precision among the ``k`` clients with
    the highest predicted risk per wave.  Intervals resample whole clients
    of the test rows (no refits: the models are fitted once per test wave).

    Parameters
    ----------
    data : SurveyData
    methods : tuple of str
        Among ``"logistic"``, ``"boosting"``.
    horizon_months : int
    k : int
        Clients per wave for precision at the top.
    truth : DataFrame, optional
        ``client_id, wave_id, p_true`` (or ``p_churn_12m``, as in
        ``simulate(...).truth.churn_probabilities``): the simulator's true
        probabilities, scored on the same test rows as its own row
        (``"simulator truth"``), with each model's AUC gap to it.
    min_train_events : int
        Churned clients the training rows need before a wave is tested (the
        models' own small-data threshold is set to it too, so that a tested
        wave is fitted with the method named).
    panel : DataFrame, optional
        ``churn_labels(data, client_waves(data))`` if already built, labelled
        with the same horizon.
    random_state : int
    n_boot : int
        Client-bootstrap resamples of the test rows for the intervals.
    features, C :
        Passed to :class:`ChurnRiskModel`.
    n_bins : int
        Quantile bins of the calibration curve.
    confidence : float

    Returns
    -------
    BacktestResult
        Empty tables and a ``message`` (``{"ru", "en"}``) when no wave can
        be tested, e.g. when the data span too few waves for any outcome
        to be complete by a later wave's close.

    Examples
    --------
    >>> bt = backtest(data, truth=sim.truth.churn_probabilities)              # doctest: +SKIP
    >>> bt.table[["method", "auc", "auc_ci_low", "auc_ci_high", "brier"]]     # doctest: +SKIP
    >>> print(bt.summary(lang="ru"))                                          # doctest: +SKIP
    """
    methods = tuple(methods)
    bad = [m for m in methods if m not in METHODS]
    if bad or not methods:
        raise ParameterError(f"methods must be among {METHODS}, got {methods!r}", parameter="methods", value=methods)
    if panel is None:
        panel = churn_labels(data, client_waves(data), horizon_months=horizon_months)
    labelled = panel[panel["churned_12m"].notna() & panel["window_complete"].astype(bool)]
    end = _horizon_end(labelled["cutoff"], horizon_months)
    waves = (
        panel.groupby("wave_id")
        .agg(order=("order", "first"), cutoff=("cutoff", "first"), complete=("window_complete", "all"))
        .sort_values("order")
        .reset_index()
    )
    preds, by_wave, training = [], [], []
    models_used: dict[str, list] = {m: [] for m in methods}
    for w in waves[waves["complete"]].itertuples():
        test = labelled[labelled["wave_id"] == w.wave_id]
        train_mask = end <= w.cutoff
        train = labelled[train_mask]
        row = {
            "wave_id": w.wave_id,
            "cutoff": w.cutoff,
            "n_test": len(test),
            "n_test_events": int(test["churned_12m"].sum()),
            "n_train_rows": len(train),
            "n_train_events": int(train.loc[train["churned_12m"] == 1, "client_id"].nunique()),
            "train_until": (train.loc[train["order"].idxmax(), "wave_id"] if len(train) else None),
            "tested": False,
            "reason": "",
        }
        if not len(test):
            continue
        if not len(train):
            row["reason"] = "no earlier wave's outcome was complete by this wave's close"
        elif row["n_train_events"] < min_train_events:
            row["reason"] = f"{row['n_train_events']} churned clients in training (< {min_train_events})"
        elif test["churned_12m"].nunique() < 2:
            row["reason"] = "test wave has a single outcome class (AUC undefined)"
        if row["reason"]:
            by_wave.append(row)
            continue
        row["tested"] = True
        out = pd.DataFrame(
            {
                "client_id": test["client_id"].to_numpy(),
                "wave_id": w.wave_id,
                "cutoff": w.cutoff,
                "churned": test["churned_12m"].to_numpy(dtype=int),
            }
        )
        for m in methods:
            model = ChurnRiskModel(
                m, features=features, C=C, min_events=min_train_events, n_boot=0, random_state=random_state
            ).fit(train)
            out[f"p_{m}"] = model.predict_proba(test)
            row[f"fallback_{m}"] = model.fallback
            models_used[m].append((w.wave_id, model))
            row[f"auc_{m}"] = _auc(out["churned"].to_numpy(), out[f"p_{m}"].to_numpy())
            row[f"brier_{m}"] = float(np.mean((out[f"p_{m}"] - out["churned"]) ** 2))
        by_wave.append(row)
        preds.append(out)
        per_train_wave = train.groupby("wave_id").agg(train_cutoff=("cutoff", "first"), n_rows=("client_id", "size"))
        per_train_wave["window_end"] = _horizon_end(per_train_wave["train_cutoff"], horizon_months)
        training.append(
            per_train_wave.reset_index()
            .rename(columns={"wave_id": "train_wave"})
            .assign(test_wave=w.wave_id, test_cutoff=w.cutoff)
        )
    by_wave = pd.DataFrame(by_wave)
    training = (
        pd.concat(training, ignore_index=True)[
            ["test_wave", "test_cutoff", "train_wave", "train_cutoff", "window_end", "n_rows"]
        ]
        if training
        else pd.DataFrame(columns=["test_wave", "test_cutoff", "train_wave", "train_cutoff", "window_end", "n_rows"])
    )
    message = _backtest_message(panel, waves, by_wave, min_train_events, horizon_months)
    if not preds:
        empty = pd.DataFrame(columns=_TABLE_COLUMNS)
        return BacktestResult(
            table=empty,
            calibration=pd.DataFrame(columns=_CAL_COLUMNS),
            precision_at_k=pd.DataFrame(columns=_PAK_COLUMNS),
            by_wave=by_wave,
            predictions=pd.DataFrame(columns=["client_id", "wave_id", "cutoff", "churned"]),
            training=training,
            message=message,
            methods=methods,
            horizon_months=horizon_months,
            k=k,
            confidence=confidence,
            n_boot=n_boot,
        )
    pred = pd.concat(preds, ignore_index=True)
    names = {m: m for m in methods}
    descriptions = {}
    for m in methods:
        fitted = [mod for _, mod in models_used[m] if mod.fitted_]
        descriptions[m] = fitted[-1].method_name["en"] if fitted else ""
    if truth is not None:
        pred = pred.merge(_truth_frame(truth), on=["client_id", "wave_id"], how="left")
        names[_TRUTH] = "true"
        descriptions[_TRUTH] = "the simulator's true probability of churn within 12 months (p_churn_12m)"
        n_missing = int(pred["p_true"].isna().sum())
        if n_missing:
            note = {
                "en": f"The truth lacks {n_missing} of the {len(pred)} test rows: its row is scored on "
                f"the rows it covers (see n), the models on all of them.",
                "ru": f"В истинных вероятностях нет {n_missing} из {len(pred)} тестовых строк: их строка "
                f"посчитана по тем строкам, что есть (см. n), модели — по всем.",
            }
            message = note if message is None else {k_: message[k_] + " " + note[k_] for k_ in message}
    table, cal, pak = _score(pred, names, descriptions, by_wave, k, n_boot, n_bins, confidence, random_state)
    return BacktestResult(
        table=table,
        calibration=cal,
        precision_at_k=pak,
        by_wave=by_wave,
        predictions=pred,
        training=training,
        message=message,
        methods=methods,
        horizon_months=horizon_months,
        k=k,
        confidence=confidence,
        n_boot=n_boot,
    )


_CAL_COLUMNS = ["method", "bin", "n", "n_events", "mean_predicted", "observed", "observed_ci_low", "observed_ci_high"]
_PAK_COLUMNS = ["method", "wave_id", "k", "n_churned", "precision", "base_rate"]


def _auc(y: np.ndarray, p: np.ndarray, weight=None) -> float:
    from sklearn.metrics import roc_auc_score

    ok = ~np.isnan(p)
    if weight is not None:
        ok &= weight > 0
    y, p = y[ok], p[ok]
    if len(np.unique(y)) < 2:
        return math.nan
    return float(roc_auc_score(y, p, sample_weight=None if weight is None else weight[ok]))


def calibration_bins(y: np.ndarray, p: np.ndarray, n_bins: int = 10, confidence: float = 0.95) -> pd.DataFrame:
    """Calibration curve with quantile bins, as :func:`sklearn.calibration.calibration_curve`, plus counts.

    Returns ``bin, n, n_events, mean_predicted, observed, observed_ci_low,
    observed_ci_high`` (Wilson) for the non-empty bins.
    """
    from sklearn.calibration import calibration_curve

    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    ok = ~np.isnan(p)
    y, p = y[ok], p[ok]
    if not len(p):
        return pd.DataFrame(columns=_CAL_COLUMNS[1:])
    observed, predicted = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
    # The same bins as scikit-learn's (quantile edges, searchsorted on the
    # inner edges), counted: calibration_curve returns no n per bin.
    edges = np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)
    ids = np.searchsorted(edges[1:-1], p)
    n = np.bincount(ids, minlength=n_bins)
    events = np.bincount(ids, weights=y, minlength=n_bins)
    keep = n > 0
    n, events = n[keep], events[keep].astype(int)
    ci = [wilson(int(e), int(m), confidence) for e, m in zip(events, n)]
    out = pd.DataFrame(
        {
            "bin": np.flatnonzero(keep),
            "n": n,
            "n_events": events,
            "mean_predicted": predicted,
            "observed": observed,
            "observed_ci_low": [c[0] for c in ci],
            "observed_ci_high": [c[1] for c in ci],
        }
    )
    return out


def precision_at_k(
    frame: pd.DataFrame, p_col: str, k: int, *, y_col: str = "churned", wave_col: str = "wave_id"
) -> pd.DataFrame:
    """Per wave: of the ``k`` rows with the highest ``p_col``, how many churned.

    Ties are broken by ``client_id`` so that the result does not depend on row order.
    """
    rows = []
    for wave, g in frame.groupby(wave_col, sort=False):
        g = g[g[p_col].notna()]
        if not len(g):
            continue
        top = g.sort_values([p_col, "client_id"], ascending=[False, True], kind="stable").head(k)
        rows.append(
            {
                "wave_id": wave,
                "k": len(top),
                "n_churned": int(top[y_col].sum()),
                "precision": float(top[y_col].mean()),
                "base_rate": float(g[y_col].mean()),
            }
        )
    return pd.DataFrame(rows, columns=_PAK_COLUMNS[1:])


def _score(
    pred: pd.DataFrame,
    names: dict,
    descriptions: dict,
    by_wave: pd.DataFrame,
    k: int,
    n_boot: int,
    n_bins: int,
    confidence: float,
    seed,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    y = pred["churned"].to_numpy(dtype=int)
    # The same client resamples for every method: the AUC gaps are paired.
    weights = resample_weights(len(pred), pred["client_id"].to_numpy(), n_boot, np.random.default_rng(seed))
    alpha = (1 - confidence) / 2
    tested = by_wave[by_wave["tested"]] if len(by_wave) else by_wave
    test_waves = tested["wave_id"].tolist()
    wave_text = (
        f"{test_waves[0]}..{test_waves[-1]} ({len(test_waves)})" if len(test_waves) > 1 else ", ".join(test_waves)
    )
    rows, cals, paks, boot_auc = [], [], [], {}
    for label, key in names.items():
        p = pred[f"p_{key}"].to_numpy(dtype=float)
        ok = ~np.isnan(p)
        auc = _auc(y, p)
        brier = float(np.mean((p[ok] - y[ok]) ** 2)) if ok.any() else math.nan
        b_auc = np.array([_auc(y, p, w) for w in weights]) if n_boot else np.empty(0)
        b_brier = (
            np.array([np.sum(w[ok] * (p[ok] - y[ok]) ** 2) / max(np.sum(w[ok]), 1) for w in weights])
            if n_boot
            else np.empty(0)
        )
        boot_auc[label] = b_auc
        pk = precision_at_k(pred, f"p_{key}", k)
        pk.insert(0, "method", label)
        paks.append(pk)
        hits, picked = int(pk["n_churned"].sum()), int(pk["k"].sum())
        pk_low, pk_high = wilson(hits, picked, confidence) if picked else (math.nan, math.nan)
        cal = calibration_bins(y[ok], p[ok], n_bins=n_bins, confidence=confidence)
        cal.insert(0, "method", label)
        cals.append(cal)
        flag = f"fallback_{key}"
        fb = tested.loc[tested[flag].fillna(False).astype(bool), "wave_id"].tolist() if flag in tested else []
        rows.append(
            {
                "method": label,
                "auc": auc,
                "auc_ci_low": _q(b_auc, alpha),
                "auc_ci_high": _q(b_auc, 1 - alpha),
                "brier": brier,
                "brier_ci_low": _q(b_brier, alpha),
                "brier_ci_high": _q(b_brier, 1 - alpha),
                "precision_at_k": hits / picked if picked else math.nan,
                "precision_at_k_ci_low": pk_low,
                "precision_at_k_ci_high": pk_high,
                "base_rate": float(y[ok].mean()) if ok.any() else math.nan,
                "n": int(ok.sum()),
                "n_clients": int(pred.loc[ok, "client_id"].nunique()),
                "n_events": int(y[ok].sum()),
                "n_churned_clients": int(pred.loc[ok & (y == 1), "client_id"].nunique()),
                "n_test_waves": len(test_waves),
                "test_waves": wave_text,
                "fallback_waves": ", ".join(fb),
                "description": descriptions.get(label, ""),
            }
        )
    table = pd.DataFrame(rows, columns=_TABLE_COLUMNS)
    if _TRUTH in names:
        t_auc = table.loc[table["method"] == _TRUTH, "auc"].iloc[0]
        gaps, lows, highs = [], [], []
        for label in table["method"]:
            if label == _TRUTH:
                gaps.append(math.nan)
                lows.append(math.nan)
                highs.append(math.nan)
                continue
            d = boot_auc[label] - boot_auc[_TRUTH]
            gaps.append(table.loc[table["method"] == label, "auc"].iloc[0] - t_auc)
            lows.append(_q(d, alpha))
            highs.append(_q(d, 1 - alpha))
        table["auc_minus_truth"], table["gap_ci_low"], table["gap_ci_high"] = gaps, lows, highs
    return table, pd.concat(cals, ignore_index=True), pd.concat(paks, ignore_index=True)


def _q(x: np.ndarray, q: float) -> float:
    x = x[~np.isnan(x)] if len(x) else x
    return float(np.quantile(x, q)) if len(x) else math.nan


def _backtest_message(
    panel: pd.DataFrame, waves: pd.DataFrame, by_wave: pd.DataFrame, min_train_events: int, horizon_months: int
) -> dict | None:
    n_waves = len(waves)
    complete = waves[waves["complete"]]
    tested = by_wave[by_wave["tested"]] if len(by_wave) else by_wave
    h = horizon_months
    if not len(tested):
        if not len(complete):
            return {
                "en": (
                    f"Nothing to test yet: none of the {n_waves} waves has a complete {h}-month outcome "
                    f"(the data end less than {h} months after every wave). A time-ordered backtest needs "
                    f"one wave whose outcome is known to train on and a later one, also with a known "
                    f"outcome, to test on: waves spanning at least {h} months plus another {h} months "
                    f"of events."
                ),
                "ru": (
                    f"Проверять пока не на чем: ни у одной из {n_waves} волн нет полного исхода за {h} "
                    f"месяцев (данные кончаются раньше, чем через {h} месяцев после каждой волны). "
                    f"Бэктесту по времени нужна волна с известным исходом для обучения и более поздняя "
                    f"волна, тоже с известным исходом, для проверки: волны за {h} месяцев и ещё {h} "
                    f"месяцев событий после них."
                ),
            }
        if not (by_wave["n_train_rows"] > 0).any():
            last = complete["wave_id"].iloc[-1]
            return {
                "en": (
                    f"Nothing to test yet: the {n_waves} waves give {len(complete)} with a complete "
                    f"{h}-month outcome (up to {last}), but no earlier wave's outcome was complete by the "
                    f"close of any of them, so a model could only be tested on the waves it learned "
                    f"from. That would be a random split across time, which this backtest does not do. "
                    f"It becomes possible once outcomes are complete for waves at least {h} months "
                    f"apart."
                ),
                "ru": (
                    f"Проверять пока не на чем: из {n_waves} волн полный исход за {h} месяцев есть у "
                    f"{len(complete)} (до {last}), но ни к закрытию одной из них не был известен исход "
                    f"более ранней волны, и модель можно было бы проверить только на тех же волнах, на "
                    f"которых она училась. Это было бы случайное разбиение во времени, а его бэктест не "
                    f"делает. Проверка станет возможной, когда полный исход будет у волн, разделённых "
                    f"хотя бы {h} месяцами."
                ),
            }
        best = int(by_wave["n_train_events"].max())
        return {
            "en": (
                f"Nothing tested: the training waves before any test wave hold at most {best} churned "
                f"clients, fewer than the {min_train_events} a fair test needs. The rules' backtest is the "
                f"better guide for now."
            ),
            "ru": (
                f"Ничего не проверено: в обучающих волнах перед любой тестовой волной не больше {best} "
                f"ушедших клиентов, а для честной проверки нужно {min_train_events}. Пока лучше "
                f"ориентироваться на бэктест правил."
            ),
        }
    skipped = by_wave[~by_wave["tested"] & by_wave["reason"].str.contains("churned clients", regex=False)]
    if len(skipped):
        ws = ", ".join(skipped["wave_id"])
        return {
            "en": (
                f"Waves {ws} were not tested: their training waves held fewer than {min_train_events} churned clients."
            ),
            "ru": (f"Волны {ws} не проверялись: в их обучающих волнах меньше {min_train_events} ушедших клиентов."),
        }
    return None
