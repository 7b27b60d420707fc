"""Churn-risk model: the probability of losing a client within 12 months, and why (scored in :mod:`cxlab.risk.scoring`).

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

:mod:`cxlab.risk.estimators` holds the settings (methods, feature lists,
regularisation, boosting parameters, monotone directions) and the fallback's
sign-constrained regression; :mod:`cxlab.risk.scoring` scores a wave with the
model and :mod:`cxlab.risk.model_backtest` tests it on past waves.

The module is about 700 lines: :class:`ChurnRiskModel` (fitting, client
bootstrap, predictions with intervals, reasons, odds ratios and the summary)
is one class of about 570 lines whose methods share the fitted state, and it
is kept whole.

Examples
--------
>>> from cxlab import risk
>>> from cxlab.summary import SurveyData                          # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                          # doctest: +SKIP
>>> panel = risk.churn_labels(data, risk.client_waves(data))      # doctest: +SKIP
>>> print(risk.ChurnRiskModel("logistic").fit(panel).summary())    # doctest: +SKIP
"""

from __future__ import annotations

import math
import textwrap
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit as _expit

from cxlab._compat import moved
from cxlab.errors import DataError, NotFoundError, ParameterError
from cxlab.risk._common import _check_lang, _close_summary, _fmt
from cxlab.risk.estimators import (
    _MONOTONE,
    _NAMES,
    BOOSTING_PARAMS,
    FALLBACK_C,
    FALLBACK_FEATURES,
    METHODS,
    MIN_MODEL_EVENTS,
    _resolve_features,
    _SignedLogistic,
)
from cxlab.risk.features import FEATURE_LABELS
from cxlab.stats.resampling import resample_weights

__all__ = ["ChurnRiskModel"]


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- the model


class ChurnRiskModel:
    """Probability that a client churns within 12 months after a wave, with intervals and reasons.

    Parameters
    ----------
    method : {"logistic", "boosting"}
        Penalised logistic regression or gradient boosting (see the module
        docstring).
    features : None, "all" or list of str
        Panel columns to use.  ``None``: :data:`~cxlab.risk.estimators.DEFAULT_FEATURES`; ``"all"``:
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
            raise ParameterError(f"method must be one of {METHODS}, got {method!r}", parameter="method", value=method)
        if not 0 < confidence < 1:
            raise ParameterError(
                f"confidence must be between 0 and 1, got {confidence!r}", parameter="confidence", value=confidence
            )
        if C <= 0:
            raise ParameterError(f"C must be positive, got {C!r}", parameter="C", value=C)
        self.method = method
        self.features = features
        self.C = float(C)
        self.min_events = int(min_events)
        self.n_boot = int(n_boot)
        self.random_state = random_state
        self.confidence = confidence
        self.fitted_ = False
        self.fallback = False
        self.message: dict[str, str] | None = None

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
            raise NotFoundError(
                "the panel needs 'churned_12m' (cxlab.risk.churn_labels)", kind="column", key="churned_12m"
            )
        labelled = panel[panel["churned_12m"].notna()]
        y = labelled["churned_12m"].to_numpy(dtype=int)
        clients = labelled["client_id"].to_numpy()
        self.n_rows_ = len(labelled)
        self.n_event_rows_ = int(y.sum())
        self.n_events_ = int(pd.Series(clients[y == 1]).nunique())
        self.n_clients_ = int(pd.Series(clients).nunique())
        self.requested_features_ = _resolve_features(self.features, panel)
        self.fitted_, self.fallback, self.message = False, False, None
        # scikit-learn's estimators (untyped); estimator_ is None until a model is fitted.
        self.boot_estimators_: list[Any]
        self.estimator_: Any
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
            raise NotFoundError(f"features {missing} are not columns of the panel", kind="column", key=missing)
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
            raise DataError("no model was fitted (too few churn events): no odds ratios", columns=["churned_12m"])
        if self.method_used_ != "logistic":
            raise ParameterError(
                "odds ratios exist for the logistic model only; use reasons() for boosting",
                parameter="method",
                value=self.method_used_,
            )
        names, est = self._coef_table(self.estimator_)
        draws: list[np.ndarray] | np.ndarray  # the refits' coefficients, then as one array
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
        sd = [self.train_sd_.get(n, np.nan) for n in names]
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


#: Names this module had before it was split, importable from here as before (see cxlab._compat).
__getattr__ = moved(
    __name__,
    {
        "RiskScores": "cxlab.risk.scoring",
        "score_clients": "cxlab.risk.scoring",
        "BacktestResult": "cxlab.risk.model_backtest",
        "backtest": "cxlab.risk.model_backtest",
        "calibration_bins": "cxlab.risk.model_backtest",
        "precision_at_k": "cxlab.risk.model_backtest",
        "DEFAULT_FEATURES": "cxlab.risk.estimators",
    },
)
