"""Key drivers, needs and manager effectiveness: what clients value, what they lack, who does it best.

Pure functions and result objects on pandas frames (no I/O), each naming its
method and carrying n and intervals:

- :func:`relative_importance`: correlation, standardised OLS with VIF,
  Shapley decomposition of R² (LMG, exact over all subsets) and Johnson's
  relative weights, side by side, with bootstrap intervals for importances
  and ranks (:mod:`cxlab.drivers.importance`, methods in
  :mod:`cxlab.drivers.importance_methods`, bootstrap in
  :mod:`cxlab.drivers.resampling`);
- :func:`penalty_reward`: dissatisfiers and delighters
  (:mod:`cxlab.drivers.penalty`);
- :func:`importance_performance`: the importance-performance matrix with
  bootstrap quadrant shares (:mod:`cxlab.drivers.ipa`);
- :func:`drivers_over_waves`: did the priorities move?
  (:mod:`cxlab.drivers.waves`);
- :func:`needs_map`, :func:`cross_sell`, :func:`development_priorities`,
  :func:`needs_over_waves`: services clients lack, weighted by contract value
  (:mod:`cxlab.drivers.needs`, :mod:`cxlab.drivers.cross_selling`);
- :func:`manager_scores`, :func:`manager_profile`: managers and teams with
  partial pooling, ranks with uncertainty (:mod:`cxlab.drivers.managers`,
  :mod:`cxlab.drivers.pooling`, :mod:`cxlab.drivers.profile`);
- :func:`driver_frame`: the per-response frame all of these take
  (:mod:`cxlab.drivers.data`).

Examples
--------
>>> from cxlab import drivers
>>> from cxlab.summary import SurveyData                              # doctest: +SKIP
>>> frame, items = drivers.driver_frame(SurveyData.from_workspace(ws), wave="2026-Q3")  # doctest: +SKIP
>>> res = drivers.relative_importance(frame, "nps", items, cluster="client_id")          # doctest: +SKIP
>>> print(res.summary())                                                                # doctest: +SKIP
"""

from __future__ import annotations

import importlib

# Names load on first use: the report kernel pays for statsmodels only when
# a function that needs it runs.
_EXPORTS = {
    "driver_frame": "data",
    "usable_drivers": "data",
    "relative_importance": "importance",
    "RelativeImportance": "importance",
    "DriverWarning": "importance",
    "METHODS": "importance",
    "METHOD_NAMES": "importance",
    "johnson_weights": "importance_methods",
    "shapley_importance": "importance_methods",
    "correlation_matrix": "importance_methods",
    "all_subsets_r2": "subsets",
    "shapley_values": "subsets",
    "conditional_dominance": "subsets",
    "penalty_reward": "penalty",
    "importance_performance": "ipa",
    "ImportancePerformance": "ipa",
    "QUADRANTS": "ipa",
    "QUADRANT_LABELS": "ipa",
    "drivers_over_waves": "waves",
    "DriverTrend": "waves",
    "needs_map": "needs",
    "cross_sell": "cross_selling",
    "development_priorities": "needs",
    "needs_over_waves": "needs",
    "manager_scores": "managers",
    "ManagerScores": "managers",
    "manager_profile": "profile",
    "manager_scores_over_waves": "managers",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"cxlab.drivers.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cxlab.drivers' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
