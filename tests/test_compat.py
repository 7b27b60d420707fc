"""Names that moved when modules were split stay importable from where they were (cxlab._compat)."""

from __future__ import annotations

import importlib

import pytest

from cxlab import drivers, risk

# What code written before the split imports from the old modules (their `__all__` at the time).
BEFORE_THE_SPLIT = {
    "cxlab.risk.model": ["score_clients", "RiskScores", "backtest", "BacktestResult", "calibration_bins"],
    "cxlab.risk.rules": ["backtest_rules", "rule_performance", "EVENT_KINDS", "DEFAULT_SEVERITY"],
    "cxlab.risk.actions": ["follow_up", "FollowUp", "GROUPS"],
    "cxlab.drivers.importance": ["shapley_importance", "johnson_weights"],
    "cxlab.drivers.managers": ["manager_profile"],
}


@pytest.mark.parametrize("module", sorted(BEFORE_THE_SPLIT))
def test_old_imports_give_the_same_objects_as_the_packages(module):
    old = importlib.import_module(module)
    package = risk if module.startswith("cxlab.risk") else drivers
    for name in BEFORE_THE_SPLIT[module]:
        obj = getattr(old, name)  # raises AttributeError if the name were lost
        if name in package.__all__:
            assert obj is getattr(package, name), name


def test_from_import_of_a_moved_name_works():
    from cxlab.risk.model import score_clients

    assert score_clients is risk.score_clients


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        _ = importlib.import_module("cxlab.risk.model").nothing_here
