"""Hidden crises: early-warning rules, the churn-risk model, revenue at risk and follow-up.

Pure functions and result objects on pandas frames (no I/O except
:func:`create_actions`, which stores through the workspace):

- :func:`client_waves` and :func:`churn_labels`: one row per client and
  wave with what was known at the wave's close, and whether the client
  churned within 12 months after it (:mod:`cxlab.risk.features`);
- :func:`early_warnings` and :func:`backtest_rules`: transparent rules, each
  flag with its evidence (:mod:`cxlab.risk.rules`, configured by
  :class:`RuleConfig` in :mod:`cxlab.risk.rule_config`), and what each rule
  was worth on past waves (:mod:`cxlab.risk.rule_backtest`);
- :class:`ChurnRiskModel`, :func:`score_clients` and :func:`backtest`:
  penalised logistic regression and gradient boosting
  (:mod:`cxlab.risk.model`), compared in a time-ordered backtest
  (:mod:`cxlab.risk.model_backtest`); per-client probability with an
  interval, top reasons and revenue at risk (:mod:`cxlab.risk.scoring`);
- :func:`plan_actions`, :func:`create_actions` and :func:`follow_up`: the
  follow-up loop (:mod:`cxlab.risk.actions`, :mod:`cxlab.risk.outcomes`).

Examples
--------
>>> from cxlab import risk
>>> from cxlab.summary import SurveyData                       # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                       # doctest: +SKIP
>>> risk.early_warnings(data, "2026-Q3").head()                # doctest: +SKIP
>>> print(risk.backtest(data).summary())                        # doctest: +SKIP
"""

from __future__ import annotations

import importlib

# Names load on first use, as in cxlab.drivers: scikit-learn is imported
# only when a model is fitted.
_EXPORTS = {
    "client_waves": "features",
    "churn_labels": "features",
    "wave_cutoffs": "features",
    "known_at": "features",
    "data_end": "features",
    "MODEL_FEATURES": "features",
    "FEATURE_LABELS": "features",
    "KEY_ATTRIBUTES": "features",
    "CHURN_KINDS": "features",
    "early_warnings": "rules",
    "backtest_rules": "rule_backtest",
    "flag_panel": "rules",
    "RuleConfig": "rule_config",
    "RULES": "rule_config",
    "ChurnRiskModel": "model",
    "score_clients": "scoring",
    "RiskScores": "scoring",
    "backtest": "model_backtest",
    "BacktestResult": "model_backtest",
    "plan_actions": "actions",
    "create_actions": "actions",
    "follow_up": "outcomes",
    "FollowUp": "outcomes",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"cxlab.risk.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cxlab.risk' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
