"""Churn-risk model: probability of losing a client within 12 months, why, and the revenue at stake.

The model reads the client × wave panel of :mod:`cxlab.risk.features` (what
was known about each client when a wave closed, and whether it churned
within 12 months after) and comes in two kinds:

``"logistic"``
    Penalised logistic regression (scikit-learn ``Pipeline``: median
    imputation with a missing-value indicator per feature, standardisation,
    ``LogisticRegression`` with an L2 penalty of strength ``1/C``).  Its
    coefficients are odds ratios per standard deviation of each feature
    (:meth:`ChurnRiskModel.odds_ratios`) and its per-client reasons are exact:
    the log-odds of a client equal the log-odds of the average client plus
    one contribution ``beta_j * (x_j - mean_j) / sd_j`` per feature.
``"boosting"``
    ``HistGradientBoostingClassifier`` with conservative settings (shallow
    trees, slow learning rate, large leaves, L2 on the leaves, no early
    stopping) and monotone constraints where the direction is not in doubt
    (a higher score never raises the risk, a complaint never lowers it).  It
    handles missing values itself.  Reasons come from occlusion: the change
    in log-odds when one feature is set to its training median.  Unlike the
    logistic contributions they need not add up to the total (the trees
    combine features).

Both are fitted on rows with a known outcome; churn rows of one client in
consecutive waves (up to four rows per churn) are not independent, so the
*number of churn events* is the number of distinct churned clients, and
every interval resamples whole clients (cluster bootstrap): a client's
probability comes with the percentile interval of ``n_boot`` refits on
client resamples.

**Small data.**  Below ``min_events`` churned clients the model does not
pretend: it falls back to a strongly regularised logistic regression
(``C = 0.05``) on five features (score level and change, silence, manager
changes, complaints), each coefficient kept to the direction the
early-warning rules assume (a lower score, silence, a manager change or a
complaint can only raise the risk; the data set the sizes, down to zero),
and says so in :attr:`ChurnRiskModel.message`; below
five churned clients (or with no churn at all) it fits nothing, every
probability is NaN and the message says to rely on the early-warning rules.
Neither case raises.

:func:`score_clients` fits on the past and scores the clients active at a
wave: probability with its interval, top reasons and revenue at risk
(probability × current contract value) with the agency's total.
:func:`backtest` compares the models in a time-ordered backtest (train on
waves whose 12-month outcome was known by the test wave's close, test on
that wave; never a random split across time) with AUC, Brier score,
calibration and precision at the top k, and, on a simulated agency, the same
figures for the simulator's true probabilities on the same rows.

Examples
--------
>>> from cxlab import risk
>>> from cxlab.summary import SurveyData                          # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                          # doctest: +SKIP
>>> scores = risk.score_clients(data, "2026-Q3", lang="ru")        # doctest: +SKIP
>>> scores.clients[["client", "p", "ci_low", "ci_high", "revenue_at_risk", "reasons"]].head()  # doctest: +SKIP
>>> print(risk.backtest(data).summary())                          # doctest: +SKIP
"""

from __future__ import annotations

import math
import textwrap
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit as _expit

# Only the estimator base classes: the models themselves are imported when fitted.
from sklearn.base import BaseEstimator, ClassifierMixin

from cxlab.drivers.importance import resample_weights
from cxlab.risk.features import FEATURE_LABELS, MODEL_FEATURES, churn_labels, client_waves, wave_cutoffs

__all__ = [
    "ChurnRiskModel",
    "RiskScores",
    "BacktestResult",
    "score_clients",
    "backtest",
    "calibration_bins",
    "precision_at_k",
    "DEFAULT_FEATURES",
    "FALLBACK_FEATURES",
    "FALLBACK_C",
    "MIN_MODEL_EVENTS",
    "BOOSTING_PARAMS",
    "METHODS",
]

METHODS = ("logistic", "boosting")

#: Features of the full model.  A short list on purpose: with a few hundred
#: churned clients, every extra feature costs more in noise than it brings
#: (on simulated agencies the out-of-time AUC fell by 0.01-0.04 with all 40
#: panel columns); pass ``features="all"`` or a list to use others.
DEFAULT_FEATURES = ("score_ewm", "score_last", "score_change", "responded", "manager_changes_6m", "complaints_6m")
#: The small-data fallback's features: score level and change, silence, manager changes, complaints.
FALLBACK_FEATURES = ("score_last", "score_change", "silent_waves", "manager_changes_6m", "complaints_6m")
#: L2 strength of the fallback (C = 1 / penalty): strong, so that a few events cannot make wild odds.
FALLBACK_C = 0.05
#: Below this many churned clients no model is fitted at all.
MIN_MODEL_EVENTS = 5
#: Conservative boosting: shallow trees, slow learning, large leaves, no early stopping.
BOOSTING_PARAMS = {
    "max_iter": 150,
    "learning_rate": 0.05,
    "max_depth": 3,
    "min_samples_leaf": 100,
    "l2_regularization": 1.0,
    "early_stopping": False,
}

# Directions the boosting model must respect (-1: a higher value never raises
# the risk, +1: never lowers it); features not listed are left free.
_MONOTONE = {
    "score_index": -1,
    "score_last": -1,
    "score_ewm": -1,
    "score_history": -1,
    "score_change": -1,
    "nps_mean": -1,
    "nps_last": -1,
    "nps_min": -1,
    "dm_nps": -1,
    "overall_mean": -1,
    "attr_mean": -1,
    "attr_min": -1,
    "responded": -1,
    "detractor_share": 1,
    "silent_waves": 1,
    "waves_since_answer": 1,
    "manager_changes_6m": 1,
    "complaints_6m": 1,
    "downsized_12m": 1,
}

# Features read as yes/no in the reasons text.
_BINARY = {"responded"}

_NAMES = {
    "logistic": {
        "en": "penalised logistic regression (L2, C={C:g}, scikit-learn)",
        "ru": "логистическая регрессия с L2-регуляризацией (C={C:g}, scikit-learn)",
    },
    "boosting": {
        "en": "gradient boosting (scikit-learn HistGradientBoostingClassifier, depth {depth}, "
        "{iters} trees, monotone constraints)",
        "ru": "градиентный бустинг (scikit-learn HistGradientBoostingClassifier, глубина {depth}, "
        "{iters} деревьев, монотонные ограничения)",
    },
    "fallback": {
        "en": "rough estimate: strongly regularised logistic regression (C={C:g}) on {k} features; "
        "the early-warning rules carry the weight",
        "ru": "грубая оценка: сильно регуляризованная логистическая регрессия (C={C:g}) на {k} "
        "признаках; основной вес у правил раннего предупреждения",
    },
    "rules": {
        "en": "no model (too few churn events): early-warning rules only",
        "ru": "модели нет (слишком мало уходов): только правила раннего предупреждения",
    },
}


# --------------------------------------------------------------------------- helpers


def _check_lang(lang: str) -> None:
    if lang not in ("ru", "en"):
        raise ValueError(f"lang must be 'ru' or 'en', got {lang!r}")


def _fmt(x, digits: int = 3) -> str:
    return "nan" if x is None or pd.isna(x) else f"{float(x):.{digits}f}"


def _label(feature: str, lang: str) -> str:
    base = feature.removesuffix(" (missing)")
    if base in FEATURE_LABELS:
        text = FEATURE_LABELS[base][lang]
    elif base.startswith("attr_"):
        text = {"ru": "оценка атрибута «{}»", "en": "rating of '{}'"}[lang].format(base[5:])
    else:
        text = base
    if feature.endswith(" (missing)"):
        text += {"ru": " — нет ответа", "en": " — no answer"}[lang]
    return text


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    from cxlab.metrics.csat import wilson

    return wilson(int(k), int(n), confidence)


def _close_summary(lines: list, message: dict | None, lang: str, width: int) -> str:
    """A summary's last lines: the result's message, if any, then the closing rule."""
    if message:
        lines += ["-" * width] + textwrap.wrap(message[lang], width=width)
    return "\n".join(lines + ["=" * width])


def _resolve_features(features, panel: pd.DataFrame) -> list[str]:
    if features is None:
        present = [f for f in DEFAULT_FEATURES if f in panel.columns]
        if not present:
            raise KeyError(
                f"the panel has none of the default features {list(DEFAULT_FEATURES)}; "
                "build it with cxlab.risk.client_waves"
            )
        return present
    if isinstance(features, str):
        if features != "all":
            raise ValueError(f"features must be None, 'all' or a list of columns, got {features!r}")
        attrs = sorted(
            c for c in panel.columns if c.startswith("attr_") and not c.endswith("_change") and c not in MODEL_FEATURES
        )
        return [f for f in MODEL_FEATURES if f in panel.columns] + attrs
    features = list(features)
    missing = [f for f in features if f not in panel.columns]
    if missing:
        raise KeyError(f"features {missing} are not columns of the panel")
    return features


def _horizon_end(cutoff: pd.Series, horizon_months: int) -> pd.Series:
    return pd.to_datetime(cutoff) + pd.DateOffset(months=int(horizon_months))


class _SignedLogistic(ClassifierMixin, BaseEstimator):
    """L2-penalised logistic regression whose coefficients keep given signs: the small-data fallback's core.

    Minimises ``C * sum(log-loss) + ||beta||^2 / 2`` (scikit-learn's classic
    parametrisation) with scipy's L-BFGS-B, each coefficient bounded to
    ``<= 0`` (sign -1), ``>= 0`` (+1) or free (0; columns beyond ``signs``,
    such as missing-value indicators, are free).  With a handful of churn
    events a free fit can make "no complaint" a risk factor by chance; the
    fallback keeps the directions the early-warning rules assume (a lower
    score, silence, a manager change or a complaint never lowers the risk)
    and lets the data set only the sizes, down to zero.
    """

    def __init__(self, C: float = 1.0, signs: tuple = ()):
        self.C = C
        self.signs = signs

    def fit(self, X, y, sample_weight=None) -> _SignedLogistic:
        from scipy.optimize import minimize

        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        d = X.shape[1]
        signs = list(self.signs)[:d] + [0] * max(0, d - len(self.signs))
        bounds = [(0, None) if s > 0 else (None, 0) if s < 0 else (None, None) for s in signs] + [(None, None)]
        C = float(self.C)

        def objective(theta):
            beta, b = theta[:-1], theta[-1]
            z = X @ beta + b
            loss = np.sum(w * (np.logaddexp(0, z) - y * z))
            r = w * (_expit(z) - y)
            return C * loss + 0.5 * beta @ beta, np.r_[C * (X.T @ r) + beta, C * r.sum()]

        rate = np.clip(np.average(y, weights=w), 1e-6, 1 - 1e-6)
        start = np.r_[np.zeros(d), math.log(rate / (1 - rate))]
        res = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds)
        self.coef_ = res.x[None, :-1]
        self.intercept_ = res.x[-1:]
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = d
        return self

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X, dtype=float) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X) -> np.ndarray:
        p = _expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


# --------------------------------------------------------------------------- the model


class ChurnRiskModel:
    """Probability that a client churns within 12 months after a wave, with intervals and reasons.

    Parameters
    ----------
    method : {"logistic", "boosting"}
        Penalised logistic regression or gradient boosting (see the module
        docstring).
    features : None, "all" or list of str
        Panel columns to use.  ``None``: :data:`DEFAULT_FEATURES`; ``"all"``:
        every feature of :data:`cxlab.risk.features.MODEL_FEATURES` plus each
        attribute rating ``attr_<id>``.
    C : float
        Inverse L2 strength of the logistic regression (smaller = stronger).
    min_events : int
        Churned clients needed for the full model; below it the fallback
        (see the module docstring).
    n_boot : int
        Client-bootstrap refits behind every interval (0: no intervals).
    random_state : int
    confidence : float
        Level of the intervals.

    Attributes
    ----------
    fitted_ : bool
        False when too few events allowed no model: predictions are NaN.
    fallback : bool
        True when the small-data fallback was fitted.
    message : dict or None
        ``{"ru": ..., "en": ...}`` saying what was fitted when it is not the
        model asked for; None otherwise.
    features_ : list of str
        Features actually used (constant or empty columns are dropped and
        listed in ``dropped_``).
    n_rows_, n_event_rows_, n_events_, n_clients_ : int
        Labelled rows, rows with a churn, distinct churned clients (the
        *events*) and distinct clients.
    boot_estimators_ : list
        The refits on client resamples (their predictions are the bootstrap
        draws; resamples with a single class are skipped).

    Examples
    --------
    >>> panel = churn_labels(data, client_waves(data))                       # doctest: +SKIP
    >>> model = ChurnRiskModel("logistic").fit(panel)                         # doctest: +SKIP
    >>> model.predict(panel[panel["wave_id"] == "2026-Q3"]).head()            # doctest: +SKIP
    >>> model.odds_ratios()                                                    # doctest: +SKIP
    """

    def __init__(
        self,
        method: str = "logistic",
        *,
        features=None,
        C: float = 1.0,
        min_events: int = 30,
        n_boot: int = 200,
        random_state: int = 0,
        confidence: float = 0.95,
    ):
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        if not 0 < confidence < 1:
            raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
        if C <= 0:
            raise ValueError(f"C must be positive, got {C!r}")
        self.method = method
        self.features = features
        self.C = float(C)
        self.min_events = int(min_events)
        self.n_boot = int(n_boot)
        self.random_state = random_state
        self.confidence = confidence
        self.fitted_ = False
        self.fallback = False
        self.message = None

    # ------------------------------------------------------------ fitting
    def _estimator(self, n_rows: int):
        if self.method_used_ == "logistic":
            from sklearn.impute import SimpleImputer
            from sklearn.linear_model import LogisticRegression
            from sklearn.pipeline import Pipeline
            from sklearn.preprocessing import StandardScaler

            if self.fallback:
                core = _SignedLogistic(C=self.C_, signs=tuple(_MONOTONE.get(f, 0) for f in self.features_))
            else:
                core = LogisticRegression(C=self.C_, l1_ratio=0.0, max_iter=2000)
            return Pipeline(
                [
                    ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                    ("scale", StandardScaler()),
                    ("model", core),
                ]
            )
        from sklearn.ensemble import HistGradientBoostingClassifier

        params = dict(BOOSTING_PARAMS)
        # Leaves of 100 rows suit thousands of rows; a smaller panel gets smaller leaves.
        params["min_samples_leaf"] = int(min(params["min_samples_leaf"], max(10, n_rows // 20)))
        return HistGradientBoostingClassifier(
            **params, monotonic_cst=[_MONOTONE.get(f, 0) for f in self.features_], random_state=self.random_state
        )

    def fit(self, panel: pd.DataFrame) -> ChurnRiskModel:
        """Fit on the rows of ``panel`` whose outcome is known (``churned_12m`` not NaN).

        Never raises for lack of data: with too few churned clients it fits
        the fallback or nothing and says so in :attr:`message`.
        """
        if "churned_12m" not in panel.columns:
            raise KeyError("the panel needs 'churned_12m' (cxlab.risk.churn_labels)")
        labelled = panel[panel["churned_12m"].notna()]
        y = labelled["churned_12m"].to_numpy(dtype=int)
        clients = labelled["client_id"].to_numpy()
        self.n_rows_ = len(labelled)
        self.n_event_rows_ = int(y.sum())
        self.n_events_ = int(pd.Series(clients[y == 1]).nunique())
        self.n_clients_ = int(pd.Series(clients).nunique())
        self.requested_features_ = _resolve_features(self.features, panel)
        self.fitted_, self.fallback, self.message = False, False, None
        self.dropped_, self.boot_estimators_, self.estimator_ = [], [], None
        self.n_boot_skipped_ = 0
        self.method_used_, self.C_ = self.method, self.C
        n_classes = len(np.unique(y))
        if self.n_events_ < MIN_MODEL_EVENTS or n_classes < 2:
            self.mode_ = "rules"
            self.features_ = []
            self.message = self._no_model_message(n_classes)
            return self
        features = self.requested_features_
        if self.n_events_ < self.min_events:
            self.mode_, self.fallback = "fallback", True
            self.method_used_, self.C_ = "logistic", FALLBACK_C
            features = [f for f in FALLBACK_FEATURES if f in panel.columns] or features
        else:
            self.mode_ = "full"
        X = labelled[features].astype(float)
        # A column with no value or a single one carries nothing (and
        # breaks the imputer's and the trees' bookkeeping): drop it, say so.
        usable = [f for f in features if X[f].nunique(dropna=True) > 1]
        self.dropped_ = [f for f in features if f not in usable]
        self.features_ = usable
        if not usable:
            self.mode_, self.fallback = "rules", False
            self.message = self._no_model_message(n_classes, no_features=True)
            return self
        if self.fallback:
            self.message = self._fallback_message()
        X = X[usable]
        self.train_median_ = X.median()
        self.train_sd_ = X.std(ddof=0)
        self.estimator_ = self._fit_one(X, y)
        self.fitted_ = True
        self._bootstrap(X, y, clients)
        return self

    def _fit_one(self, X: pd.DataFrame, y: np.ndarray):
        est = self._estimator(len(X))
        with warnings.catch_warnings():
            # A separable resample or a slow lbfgs is no reason to stop: the fit is still the penalised optimum.
            warnings.simplefilter("ignore", category=UserWarning)
            warnings.simplefilter("ignore", category=RuntimeWarning)
            from sklearn.exceptions import ConvergenceWarning

            warnings.simplefilter("ignore", category=ConvergenceWarning)
            return est.fit(X, y)

    def _bootstrap(self, X: pd.DataFrame, y: np.ndarray, clients: np.ndarray) -> None:
        """Refits on client resamples: whole clients drawn with replacement, all their rows kept."""
        if self.n_boot <= 0:
            return
        weights = resample_weights(len(X), clients, self.n_boot, np.random.default_rng(self.random_state))
        rows = np.arange(len(X))
        for counts in weights.astype(int):
            idx = np.repeat(rows, counts)
            yb = y[idx]
            if yb.min() == yb.max():
                self.n_boot_skipped_ += 1
                continue
            try:
                self.boot_estimators_.append(self._fit_one(X.iloc[idx], yb))
            except ValueError:
                # A resample can leave a sparse feature without a single value; skip it, count it.
                self.n_boot_skipped_ += 1

    # --------------------------------------------------------- messages
    def _no_model_message(self, n_classes: int, no_features: bool = False) -> dict:
        n = self.n_events_
        if no_features:
            return {
                "en": "No model: none of the model's features varies among the labelled rows. "
                "No probabilities are estimated; use the early-warning rules.",
                "ru": "Модели нет: ни один признак модели не меняется в строках с известным исходом. "
                "Вероятности не оцениваются; опирайтесь на правила раннего предупреждения.",
            }
        if n_classes < 2 and n == 0:
            why_en = f"none of the {self.n_clients_} clients with a known 12-month outcome churned"
            why_ru = f"ни один из {self.n_clients_} клиентов с известным исходом за 12 месяцев не ушёл"
        elif n_classes < 2:
            why_en = f"every one of the {self.n_rows_} labelled rows is a churn"
            why_ru = f"все {self.n_rows_} строк с известным исходом — уходы"
        else:
            why_en = (
                f"only {n} churned clients with a known 12-month outcome (a model needs at least "
                f"{MIN_MODEL_EVENTS}, a full one {self.min_events})"
            )
            why_ru = (
                f"ушедших клиентов с известным исходом за 12 месяцев всего {n} (для любой модели нужно "
                f"не меньше {MIN_MODEL_EVENTS}, для полноценной — {self.min_events})"
            )
        return {
            "en": f"No model: {why_en}. No probabilities are estimated; use the early-warning rules.",
            "ru": f"Модели нет: {why_ru}. Вероятности не оцениваются; опирайтесь на правила раннего предупреждения.",
        }

    def _fallback_message(self) -> dict:
        n, k = self.n_events_, len(self.features_)
        asked_en = "" if self.method == "logistic" else " (instead of the gradient boosting asked for)"
        asked_ru = "" if self.method == "logistic" else " (вместо запрошенного бустинга)"
        return {
            "en": (
                f"Small data: only {n} churned clients with a known 12-month outcome, {self.min_events} "
                f"needed for a full model. The probabilities come from a strongly regularised logistic "
                f"regression (C={self.C_:g}) on {k} features{asked_en}; they are rough, good for ordering "
                f"clients rather than as exact chances. The early-warning rules carry the weight."
            ),
            "ru": (
                f"Мало данных: ушедших клиентов с известным исходом за 12 месяцев только {n}, для "
                f"полноценной модели нужно {self.min_events}. Вероятности — из сильно регуляризованной "
                f"логистической регрессии (C={self.C_:g}) на {k} признаках{asked_ru}; они грубые и годятся "
                f"скорее для порядка клиентов, чем как точные шансы. Основной вес — у правил раннего "
                f"предупреждения."
            ),
        }

    @property
    def method_name(self) -> dict:
        """Full name of what was fitted, ``{"ru": ..., "en": ...}``."""
        mode = getattr(self, "mode_", None)
        if mode is None:
            key = self.method
        elif mode == "rules":
            key = "rules"
        elif mode == "fallback":
            key = "fallback"
        else:
            key = self.method_used_
        params = {
            "C": getattr(self, "C_", self.C),
            "k": len(getattr(self, "features_", []) or []),
            "depth": BOOSTING_PARAMS["max_depth"],
            "iters": BOOSTING_PARAMS["max_iter"],
        }
        return {lang: text.format(**params) for lang, text in _NAMES[key].items()}

    # ------------------------------------------------------------ predicting
    def _X(self, panel: pd.DataFrame) -> pd.DataFrame:
        missing = [f for f in self.features_ if f not in panel.columns]
        if missing:
            raise KeyError(f"features {missing} are not columns of the panel")
        return panel[self.features_].astype(float)

    def predict_proba(self, panel: pd.DataFrame) -> np.ndarray:
        """Probability of churn within 12 months for each row of ``panel`` (NaN without a model)."""
        if not self.fitted_:
            return np.full(len(panel), np.nan)
        return self.estimator_.predict_proba(self._X(panel))[:, 1]

    def predict_draws(self, panel: pd.DataFrame) -> np.ndarray:
        """Bootstrap draws of the probabilities: array (draws, rows); empty without refits."""
        if not self.fitted_ or not self.boot_estimators_:
            return np.empty((0, len(panel)))
        X = self._X(panel)
        return np.vstack([est.predict_proba(X)[:, 1] for est in self.boot_estimators_])

    def _interval(self, p: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(draws):
            return np.full(len(p), np.nan), np.full(len(p), np.nan)
        alpha = (1 - self.confidence) / 2
        low, high = np.quantile(draws, [alpha, 1 - alpha], axis=0)
        # A percentile interval can miss the full-data estimate when every
        # refit lands on one side of it (rare, at the extremes): widen it to
        # hold the estimate rather than show an interval that excludes it.
        return np.fmin(low, p), np.fmax(high, p)

    def predict(self, panel: pd.DataFrame) -> pd.DataFrame:
        """``client_id, wave_id, p, ci_low, ci_high``: probability and its client-bootstrap percentile interval."""
        p = self.predict_proba(panel)
        low, high = self._interval(p, self.predict_draws(panel))
        return pd.DataFrame(
            {
                "client_id": panel["client_id"].to_numpy(),
                "wave_id": panel["wave_id"].to_numpy(),
                "p": p,
                "ci_low": low,
                "ci_high": high,
            }
        )

    # ------------------------------------------------------------ reasons
    def contributions(self, panel: pd.DataFrame) -> pd.DataFrame:
        """Each feature's contribution to each row's log-odds (rows × ``features_``).

        Logistic: ``beta_j * z_j`` on the standardised scale (the missing
        indicator of a feature is added to the feature), so that
        ``contributions.sum(axis=1) == logit(p) - baseline_`` exactly, where
        ``baseline_`` is the intercept: the log-odds of a client at the
        training mean of every feature.  Boosting: occlusion,
        ``logit(p) - logit(p with x_j set to its training median)``; these
        need not add up.
        """
        if not self.fitted_:
            return pd.DataFrame(np.nan, index=panel.index, columns=self.features_)
        X = self._X(panel)
        if self.method_used_ == "logistic":
            pre, lr = self.estimator_[:-1], self.estimator_[-1]
            Z = pre.transform(X)
            parts = Z * lr.coef_[0]
            out = pd.DataFrame(parts[:, : len(self.features_)], index=panel.index, columns=self.features_)
            ind = self.estimator_.named_steps["impute"].indicator_
            if ind is not None:
                for j, col in enumerate(ind.features_):
                    out[self.features_[col]] += parts[:, len(self.features_) + j]
            return out
        base = _logit(self.estimator_.predict_proba(X)[:, 1])
        out = pd.DataFrame(index=panel.index, columns=self.features_, dtype=float)
        for f in self.features_:
            occluded = X.copy()
            occluded[f] = self.train_median_[f]
            out[f] = base - _logit(self.estimator_.predict_proba(occluded)[:, 1])
        return out

    @property
    def baseline_(self) -> float:
        """Log-odds of a client at the training mean of every feature (logistic only; NaN otherwise)."""
        if not self.fitted_ or self.method_used_ != "logistic":
            return math.nan
        return float(self.estimator_[-1].intercept_[0])

    def reasons(self, panel: pd.DataFrame, top: int = 3, min_contribution: float = 0.05) -> pd.DataFrame:
        """The features that raise each client's risk most, strongest first.

        Returns
        -------
        DataFrame
            ``client_id, wave_id, rank, feature, label_ru, label_en, value``
            (the raw value, NaN when not answered), ``contribution`` (log-odds
            added by the feature relative to the average client, see
            :meth:`contributions`) and ``contribution_p`` (how much higher the
            probability is than with that contribution removed).  Only
            features that *raise* the risk by at least ``min_contribution``
            log-odds (0.05: about 5% more odds; smaller pushes are not worth
            naming) are listed, up to ``top`` per row; no rows without a model.
        """
        cols = [
            "client_id",
            "wave_id",
            "rank",
            "feature",
            "label_ru",
            "label_en",
            "value",
            "contribution",
            "contribution_p",
        ]
        if not self.fitted_ or not len(panel):
            return pd.DataFrame(columns=cols)
        contrib = self.contributions(panel)
        p = self.predict_proba(panel)
        long = (
            contrib.reset_index(drop=True)
            .rename_axis("row")
            .reset_index()
            .melt(id_vars="row", var_name="feature", value_name="contribution")
        )
        long = long[long["contribution"] >= max(min_contribution, 1e-12)]
        long = long.sort_values(["row", "contribution"], ascending=[True, False], kind="stable")
        long["rank"] = long.groupby("row").cumcount() + 1
        long = long[long["rank"] <= top]
        rows = long["row"].to_numpy()
        values = panel[self.features_].astype(float).to_numpy()
        col_of = {f: j for j, f in enumerate(self.features_)}
        logit_p = _logit(p[rows])
        out = pd.DataFrame(
            {
                "client_id": panel["client_id"].to_numpy()[rows],
                "wave_id": panel["wave_id"].to_numpy()[rows],
                "rank": long["rank"].to_numpy(),
                "feature": long["feature"].to_numpy(),
                "label_ru": [_label(f, "ru") for f in long["feature"]],
                "label_en": [_label(f, "en") for f in long["feature"]],
                "value": values[rows, [col_of[f] for f in long["feature"]]],
                "contribution": long["contribution"].to_numpy(dtype=float),
            }
        )
        out["contribution_p"] = p[rows] - _expit(logit_p - out["contribution"].to_numpy())
        return out[cols].reset_index(drop=True)

    # ------------------------------------------------------------ odds ratios
    def odds_ratios(self) -> pd.DataFrame:
        """Odds ratio per standard deviation of each feature, with its client-bootstrap percentile interval.

        Logistic only.  ``odds_ratio`` multiplies the odds of churn when the
        feature is one ``sd`` (its training standard deviation) higher, the
        others held; rows ``"<feature> (missing)"`` give the odds ratio of
        no answer against an answer at the median.
        """
        if not self.fitted_:
            raise ValueError("no model was fitted (too few churn events): no odds ratios")
        if self.method_used_ != "logistic":
            raise ValueError("odds ratios exist for the logistic model only; use reasons() for boosting")
        names, est = self._coef_table(self.estimator_)
        draws = []
        for b in self.boot_estimators_:
            n_b, e_b = self._coef_table(b)
            draws.append(pd.Series(e_b, index=n_b).reindex(names).to_numpy())
        draws = np.array(draws) if draws else np.empty((0, len(names)))
        alpha = (1 - self.confidence) / 2
        if len(draws):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=RuntimeWarning)
                low, high = np.nanquantile(draws, [alpha, 1 - alpha], axis=0)
        else:
            low = high = np.full(len(names), np.nan)
        sd = [self.train_sd_[n] if n in self.train_sd_ else np.nan for n in names]
        return pd.DataFrame(
            {
                "feature": names,
                "label_ru": [_label(n, "ru") for n in names],
                "label_en": [_label(n, "en") for n in names],
                "odds_ratio": np.exp(est),
                "ci_low": np.exp(low),
                "ci_high": np.exp(high),
                "sd": sd,
                "n": self.n_rows_,
                "n_events": self.n_events_,
                "n_boot": len(self.boot_estimators_),
                "method": self.method_name["en"],
            }
        )

    def _coef_table(self, est) -> tuple[list, np.ndarray]:
        coef = est[-1].coef_[0]
        names = list(self.features_)
        values = list(coef[: len(names)])
        ind = est.named_steps["impute"].indicator_
        if ind is not None:
            scale = est.named_steps["scale"].scale_
            for j, col in enumerate(ind.features_):
                k = len(self.features_) + j
                names.append(f"{self.features_[col]} (missing)")
                # Per unit of the 0/1 indicator (missing vs answered), not per SD of it.
                values.append(coef[k] / scale[k] if scale[k] > 0 else np.nan)
        return names, np.array(values, dtype=float)

    # ------------------------------------------------------------ report
    def summary(self, lang: str = "en") -> str:
        """Readable description: method, rows, events, regularisation, features, intervals, message."""
        _check_lang(lang)
        width = 80
        if not hasattr(self, "mode_"):
            return f"ChurnRiskModel({self.method!r}): not fitted"
        ru = lang == "ru"
        lines = [("Модель риска ухода" if ru else "Churn-risk model").center(width), "=" * width]
        if self.mode_ == "rules":
            reg = "—"
        elif self.method_used_ == "logistic":
            reg = (
                f"L2, C = {self.C_:g} ("
                + (
                    "штраф 1/C на квадраты стандартизованных коэффициентов"
                    if ru
                    else "penalty 1/C on the squared standardised coefficients"
                )
                + ")"
            )
        else:
            reg = ", ".join(f"{k}={v}" for k, v in BOOSTING_PARAMS.items())
        rows = [
            ("Метод:" if ru else "Method:", self.method_name[lang]),
            (
                "Строки:" if ru else "Rows:",
                f"{self.n_rows_} "
                + (
                    "клиенто-волн с известным исходом, клиентов "
                    if ru
                    else "client-waves with a known outcome, clients "
                )
                + str(self.n_clients_),
            ),
            (
                "Уходы:" if ru else "Churn events:",
                f"{self.n_events_} "
                + (
                    f"ушедших клиентов ({self.n_event_rows_} строк)"
                    if ru
                    else f"churned clients ({self.n_event_rows_} rows)"
                ),
            ),
            ("Регуляризация:" if ru else "Regularisation:", reg),
            ("Признаки:" if ru else "Features:", ", ".join(self.features_) or "—"),
        ]
        if self.dropped_:
            rows.append(
                (
                    "Отброшены:" if ru else "Dropped:",
                    ", ".join(self.dropped_) + (" (пустые или постоянные)" if ru else " (empty or constant)"),
                )
            )
        if self.fitted_:
            pct = f"{100 * self.confidence:g}%"
            rows.append(
                (
                    "Интервалы:" if ru else "Intervals:",
                    (
                        f"{pct}, перцентили {len(self.boot_estimators_)} переобучений на бутстреп-выборках клиентов"
                        if ru
                        else f"{pct} percentile, {len(self.boot_estimators_)} refits on client bootstrap resamples"
                    )
                    + (
                        f" ({self.n_boot_skipped_} "
                        + (
                            "выборок пропущено: один класс или пустой признак)"
                            if ru
                            else "resamples skipped: one class or an empty feature)"
                        )
                        if self.n_boot_skipped_
                        else ""
                    ),
                )
            )
        for key, value in rows:
            lines += textwrap.wrap(
                str(value), width=width, initial_indent=f"{key:<16}", subsequent_indent=" " * 16
            ) or [key]
        if self.fitted_ and self.method_used_ == "logistic":
            lines.append("-" * width)
            lines.append(
                ("Отношение шансов на 1 SD" if ru else "Odds ratio per 1 SD") + f" [{100 * self.confidence:g}%]"
            )
            for _, r in self.odds_ratios().iterrows():
                lines.append(
                    f"  {r['label_ru' if ru else 'label_en'][:50]:<50} {_fmt(r['odds_ratio'], 2):>6} "
                    f"[{_fmt(r['ci_low'], 2)}, {_fmt(r['ci_high'], 2)}]"
                )
        return _close_summary(lines, self.message, lang, width)

    def __repr__(self) -> str:
        state = getattr(self, "mode_", "unfitted")
        return f"<ChurnRiskModel method={self.method!r} mode={state!r} events={getattr(self, 'n_events_', '-')}>"


# --------------------------------------------------------------------------- scoring a wave


@dataclass(repr=False)
class RiskScores:
    """Churn risk of the clients active at a wave, and the revenue at stake.

    Attributes
    ----------
    wave : str
    clients : DataFrame
        One row per active client, most revenue at risk first:
        ``client_id, client, manager, team, p, ci_low, ci_high,
        contract_value`` (the clients table's current annual value),
        ``revenue_at_risk`` (p × contract_value), ``revenue_ci_low``,
        ``revenue_ci_high``, ``reasons`` (top reasons raising the risk, in
        ``lang``) and ``reason_features`` (their column names, ``;``-separated).
    total : dict
        ``revenue_at_risk`` (sum of p × value), ``ci_low``/``ci_high`` (its
        percentile interval over the bootstrap draws of the sum: uncertainty
        of the *expected* loss), ``loss_low``/``loss_high`` (the 90% range of
        the *realised* loss: Monte Carlo draws of which clients actually
        leave, each with its drawn probability), ``n_clients``,
        ``n_with_value`` and ``confidence``.
    model : ChurnRiskModel
    message : dict or None
        The model's small-data message, ``{"ru", "en"}``.
    method : dict
        What produced the probabilities, ``{"ru", "en"}``.
    lang : str
    n_train_rows, n_train_events : int
        Labelled rows and churned clients the model learned from.
    train_until : str or None
        The last training wave (every training row's 12-month window had
        ended by this wave's close).
    total_draws : ndarray
        Bootstrap draws of the total, ``sum_i p_b,i * value_i`` (one per
        refit), behind ``total["ci_low"]`` and ``total["ci_high"]``.
    client_draws : ndarray
        Bootstrap draws of each client's probability, (refits, clients), the
        columns in the order of ``clients``; :meth:`total_for` sums them
        over a subset of clients.
    """

    wave: str
    clients: pd.DataFrame
    total: dict
    model: ChurnRiskModel
    message: dict | None
    method: dict
    lang: str = "en"
    n_train_rows: int = 0
    n_train_events: int = 0
    train_until: str | None = None
    total_draws: np.ndarray | None = None
    client_draws: np.ndarray | None = None
    confidence: float = 0.95
    random_state: int = 0
    scored_rows: pd.DataFrame | None = None

    def reasons_in(self, lang: str, top: int = 3) -> pd.Series:
        """Each client's top reasons in ``lang`` (``clients["reasons"]`` holds them in :attr:`lang`).

        Returns
        -------
        Series
            Aligned with :attr:`clients`; empty text where no reason applies.
        """
        _check_lang(lang)
        if self.scored_rows is None:
            return self.clients["reasons"]
        text, _ = _reason_text(self.model.reasons(self.scored_rows, top=top), lang)
        return self.clients["client_id"].map(lambda c: text.get(c, "")).fillna("")

    def total_for(self, client_ids, n_loss_draws: int = 1000) -> tuple[dict, np.ndarray]:
        """Revenue at risk of some of the clients, with the interval of :attr:`total` computed the same way.

        Parameters
        ----------
        client_ids : iterable of str
            Clients of :attr:`clients` to sum over (others are ignored).
        n_loss_draws : int
            Monte Carlo draws of the realised loss.

        Returns
        -------
        total : dict
            As :attr:`total`, over the subset.
        draws : ndarray
            The subset's bootstrap draws of the total.

        Examples
        --------
        >>> sub, draws = scores.total_for(["C001", "C007"])   # doctest: +SKIP
        """
        keep = self.clients["client_id"].isin(set(client_ids)).to_numpy()
        p = self.clients["p"].to_numpy(dtype=float)[keep]
        v = self.clients["contract_value"].to_numpy(dtype=float)[keep]
        draws = (
            self.client_draws[:, keep]
            if self.client_draws is not None and len(self.client_draws)
            else np.empty((0, int(keep.sum())))
        )
        return _totals(p, draws, v, self.confidence, n_loss_draws, self.random_state)

    def summary(self, lang: str | None = None, top: int = 10) -> str:
        """Readable report: method, training data, total revenue at risk, the top clients."""
        lang = lang or self.lang
        _check_lang(lang)
        ru = lang == "ru"
        width = 80
        t = self.total
        pct = f"{100 * t.get('confidence', 0.95):g}%"
        lines = [
            (f"Риск ухода клиентов, волна {self.wave}" if ru else f"Churn risk, wave {self.wave}").center(width),
            "=" * width,
        ]
        rows = [
            ("Метод:" if ru else "Method:", self.method[lang]),
            (
                "Обучение:" if ru else "Trained on:",
                (
                    f"{self.n_train_rows} клиенто-волн, {self.n_train_events} ушедших клиентов, волны до "
                    f"{self.train_until or '—'} (их 12-месячный исход известен к закрытию волны)"
                )
                if ru
                else (
                    f"{self.n_train_rows} client-waves, {self.n_train_events} churned clients, waves up to "
                    f"{self.train_until or '-'} (12-month outcome known by this wave's close)"
                ),
            ),
            ("Клиенты:" if ru else "Clients:", f"{t.get('n_clients', 0)}"),
            (
                "Выручка под риском:" if ru else "Revenue at risk:",
                f"{_money(t.get('revenue_at_risk'))} [{pct}: {_money(t.get('ci_low'))} – {_money(t.get('ci_high'))}]"
                + (" (ожидаемая потеря = Σ p × контракт)" if ru else " (expected loss = sum of p × contract)"),
            ),
            (
                "Реальная потеря:" if ru else "Realised loss:",
                f"{_money(t.get('loss_low'))} – {_money(t.get('loss_high'))}"
                + (
                    " (90% диапазон: кто именно уйдёт — случайность)"
                    if ru
                    else " (90% range: which clients actually leave is chance)"
                ),
            ),
        ]
        for key, value in rows:
            lines += textwrap.wrap(
                str(value), width=width, initial_indent=f"{key:<20}", subsequent_indent=" " * 20
            ) or [key]
        c = self.clients
        if c["p"].notna().any():
            lines.append("-" * width)
            lines.append(
                f"{'client' if not ru else 'клиент':<28} {'p':>6} {pct + ' CI':>15} "
                f"{'at risk' if not ru else 'под риском':>12}"
            )
            for _, r in c.head(top).iterrows():
                lines.append(
                    f"{str(r['client'])[:28]:<28} {_fmt(r['p'], 3):>6} "
                    f"{'[' + _fmt(r['ci_low'], 3) + ', ' + _fmt(r['ci_high'], 3) + ']':>15} "
                    f"{_money(r['revenue_at_risk']):>12}"
                )
                if r["reasons"]:
                    lines += textwrap.wrap(
                        str(r["reasons"]), width=width, initial_indent="    ", subsequent_indent="    "
                    )
        return _close_summary(lines, self.message, lang, width)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"<RiskScores wave={self.wave!r} clients={len(self.clients)} "
            f"revenue_at_risk={_money(self.total.get('revenue_at_risk'))} fitted={self.model.fitted_}>"
        )


def _money(x) -> str:
    if x is None or pd.isna(x):
        return "nan"
    return f"{float(x) / 1e6:,.2f}M"


def _reason_text(reasons: pd.DataFrame, lang: str) -> tuple[pd.Series, pd.Series]:
    if not len(reasons):
        return pd.Series(dtype=str), pd.Series(dtype=str)
    no_answer = {"ru": "нет ответа", "en": "no answer"}[lang]

    yes_no = {"ru": ("нет", "да"), "en": ("no", "yes")}[lang]

    def one(row) -> str:
        v = row["value"]
        if pd.isna(v):
            value = no_answer
        elif row["feature"] in _BINARY and v in (0, 1):
            value = yes_no[int(v)]
        else:
            value = f"{int(v)}" if float(v).is_integer() else f"{v:.1f}"
        return f"{row['label_' + lang]}: {value}"

    r = reasons.assign(text=reasons.apply(one, axis=1))
    g = r.groupby("client_id", sort=False)
    return g["text"].agg("; ".join), g["feature"].agg(";".join)


def score_clients(
    data,
    wave: str,
    *,
    method: str = "logistic",
    n_boot: int = 200,
    random_state: int = 0,
    panel: pd.DataFrame | None = None,
    top: int = 3,
    lang: str = "en",
    features=None,
    C: float = 1.0,
    min_events: int = 30,
    horizon_months: int = 12,
    confidence: float = 0.95,
    n_loss_draws: int = 4000,
) -> RiskScores:
    """Fit on the past and score the clients active at ``wave``: probability, reasons, revenue at risk.

    The model learns only from rows whose ``horizon_months`` outcome window
    had *ended* by the wave's close (``cutoff + 12 months <= wave cutoff``):
    an outcome not yet known at the wave is not used even when the data now
    hold it, so scoring a past wave shows what could have been said then,
    and a churn seen early inside an unfinished window (only churns show up
    early) cannot bias the training rows.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
    wave : str
        Wave whose active clients are scored.
    method : {"logistic", "boosting"}
    n_boot : int
        Client-bootstrap refits behind the intervals.
    random_state : int
    panel : DataFrame, optional
        ``churn_labels(data, client_waves(data))`` if already built.
    top : int
        Reasons per client.
    lang : {"ru", "en"}
        Language of the reasons text.
    features, C, min_events :
        Passed to :class:`ChurnRiskModel`.
    horizon_months : int
    confidence : float
        Level of the intervals (the realised-loss range is always 90%).
    n_loss_draws : int
        Monte Carlo draws of the realised loss.

    Returns
    -------
    RiskScores

    Examples
    --------
    >>> s = score_clients(data, "2026-Q3", lang="ru")                        # doctest: +SKIP
    >>> s.total["revenue_at_risk"], s.total["ci_low"], s.total["ci_high"]     # doctest: +SKIP
    >>> print(s.summary())                                                    # doctest: +SKIP
    """
    _check_lang(lang)
    if panel is None:
        panel = churn_labels(data, client_waves(data), horizon_months=horizon_months)
    cut = wave_cutoffs(data.waves, data.responses).set_index("wave_id")["cutoff"]
    if wave not in cut.index:
        raise ValueError(f"unknown wave {wave!r}; waves: {cut.index.tolist()}")
    cutoff = cut[wave]
    known = panel["churned_12m"].notna() & (_horizon_end(panel["cutoff"], horizon_months) <= cutoff)
    train = panel[known]
    model = ChurnRiskModel(
        method,
        features=features,
        C=C,
        min_events=min_events,
        n_boot=n_boot,
        random_state=random_state,
        confidence=confidence,
    ).fit(train)
    current = panel[panel["wave_id"] == wave].reset_index(drop=True)
    p = model.predict_proba(current)
    draws = model.predict_draws(current)
    low, high = model._interval(p, draws)
    value = current["current_value"] if "current_value" in current else current.get("contract_value")
    value = pd.Series(np.nan, index=current.index) if value is None else value.astype(float)
    if "contract_value" in current:
        value = value.fillna(current["contract_value"].astype(float))
    v = value.to_numpy()
    info = data.clients.set_index("client_id")
    out = pd.DataFrame(
        {
            "client_id": current["client_id"],
            "client": current["client_id"].map(info["name"]) if "name" in info else current["client_id"],
            "manager": current["client_id"].map(info["manager"]) if "manager" in info else None,
            "team": current["client_id"].map(info["team"]) if "team" in info else None,
            "p": p,
            "ci_low": low,
            "ci_high": high,
            "contract_value": v,
            "revenue_at_risk": p * v,
            "revenue_ci_low": low * v,
            "revenue_ci_high": high * v,
        }
    )
    reasons = model.reasons(current, top=top)
    text, feats = _reason_text(reasons, lang)
    out["reasons"] = [text.get(c, "") for c in out["client_id"]]
    out["reason_features"] = [feats.get(c, "") for c in out["client_id"]]
    total, total_draws = _totals(p, draws, v, confidence, n_loss_draws, random_state)
    out = out.sort_values(["revenue_at_risk", "p"], ascending=False, na_position="last", kind="stable")
    client_draws = draws[:, out.index.to_numpy()] if len(draws) else np.empty((0, len(out)))
    train_waves = train.loc[train["order"] == train["order"].max(), "wave_id"] if len(train) else []
    return RiskScores(
        wave=wave,
        clients=out.reset_index(drop=True),
        total=total,
        model=model,
        message=model.message,
        method=model.method_name,
        lang=lang,
        n_train_rows=model.n_rows_,
        n_train_events=model.n_events_,
        train_until=str(train_waves.iloc[0]) if len(train_waves) else None,
        total_draws=total_draws,
        client_draws=client_draws,
        confidence=confidence,
        random_state=random_state,
        scored_rows=current,
    )


def _totals(
    p: np.ndarray, draws: np.ndarray, value: np.ndarray, confidence: float, n_loss_draws: int, random_state
) -> tuple[dict, np.ndarray]:
    """Total revenue at risk with the interval of its expectation and the range of the realised loss."""
    ok = ~np.isnan(p) & ~np.isnan(value)
    sums = np.empty(0)
    total = {
        "revenue_at_risk": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "loss_low": math.nan,
        "loss_high": math.nan,
        "n_clients": len(p),
        "n_with_value": int((~np.isnan(value)).sum()),
        "confidence": confidence,
    }
    if not ok.any():
        return total, sums
    v = value[ok]
    total["revenue_at_risk"] = float(p[ok] @ v)
    alpha = (1 - confidence) / 2
    if len(draws):
        sums = draws[:, ok] @ v
        total["ci_low"], total["ci_high"] = (float(x) for x in np.quantile(sums, [alpha, 1 - alpha]))
        total["ci_low"] = min(total["ci_low"], total["revenue_at_risk"])
        total["ci_high"] = max(total["ci_high"], total["revenue_at_risk"])
    # The realised loss: which clients leave is itself chance.  Each draw
    # picks one bootstrap fit (model uncertainty) and then lets every client
    # leave with its probability under that fit.
    rng = np.random.default_rng(random_state)
    source = draws[:, ok] if len(draws) else p[ok][None, :]
    losses = np.empty(n_loss_draws)
    for i in range(n_loss_draws):
        probs = source[rng.integers(0, len(source))]
        losses[i] = v[rng.random(len(v)) < probs].sum()
    total["loss_low"], total["loss_high"] = (float(x) for x in np.quantile(losses, [0.05, 0.95]))
    return total, sums


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
        raise KeyError(f"truth needs client_id, wave_id and p_true (or p_churn_12m); missing {sorted(missing)}")
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
        raise ValueError(f"methods must be among {METHODS}, got {methods!r}")
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
    ci = [_wilson(e, m, confidence) for e, m in zip(events, n)]
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
        pk_low, pk_high = _wilson(hits, picked, confidence) if picked else (math.nan, math.nan)
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
                gaps.append(math.nan), lows.append(math.nan), highs.append(math.nan)
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
