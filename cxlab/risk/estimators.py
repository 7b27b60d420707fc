"""What the churn-risk model fits: methods, feature lists, regularisation, boosting settings, monotone directions.

Also the sign-constrained logistic regression of the small-data fallback
(``_SignedLogistic``) and how a ``features`` argument becomes panel columns.
:class:`cxlab.risk.model.ChurnRiskModel` reads all of it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import expit as _expit

# Only the estimator base classes: the models themselves are imported when fitted.
from sklearn.base import BaseEstimator, ClassifierMixin

from cxlab.errors import NotFoundError, ParameterError
from cxlab.risk.features import MODEL_FEATURES

__all__ = [
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


def _resolve_features(features, panel: pd.DataFrame) -> list[str]:
    if features is None:
        present = [f for f in DEFAULT_FEATURES if f in panel.columns]
        if not present:
            raise NotFoundError(
                f"the panel has none of the default features {list(DEFAULT_FEATURES)}; "
                "build it with cxlab.risk.client_waves",
                kind="column",
                key=list(DEFAULT_FEATURES),
            )
        return present
    if isinstance(features, str):
        if features != "all":
            raise ParameterError(
                f"features must be None, 'all' or a list of columns, got {features!r}",
                parameter="features",
                value=features,
            )
        attrs = sorted(
            c for c in panel.columns if c.startswith("attr_") and not c.endswith("_change") and c not in MODEL_FEATURES
        )
        return [f for f in MODEL_FEATURES if f in panel.columns] + attrs
    features = list(features)
    missing = [f for f in features if f not in panel.columns]
    if missing:
        raise NotFoundError(f"features {missing} are not columns of the panel", kind="column", key=missing)
    return features


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
