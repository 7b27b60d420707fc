"""Fixtures for the risk tests: simulated agencies loaded into real DuckDB workspaces."""

from __future__ import annotations

import pytest

from cxlab import Workspace
from cxlab.simulate import simulate
from cxlab.summary import SurveyData


def load_simulation(path, **kwargs):
    """Simulate an agency, load every table into a workspace at ``path``; return (data, simulation, workspace)."""
    sim = simulate(**kwargs)
    ws = Workspace.create(path, overwrite=True)
    ws.load_tables({name: frame for name, frame in sim.tables.items() if len(frame)}, source="simulator")
    return SurveyData.from_workspace(ws), sim, ws


@pytest.fixture(scope="session")
def big_agency(tmp_path_factory):
    """A large simulated agency (1,500 clients, 16 quarterly waves): enough churn to test a model.

    Built once per test run; the tests that use it are marked slow (``SLOW_FIXTURES`` in tests/conftest.py).
    """
    return load_simulation(tmp_path_factory.mktemp("risk") / "big", seed=2, n_clients=1500, n_waves=16)


@pytest.fixture(scope="session")
def demo_data(demo_ws):
    """The demo workspace's survey data (8 churned accounts: the small-data case)."""
    return SurveyData.from_workspace(demo_ws)
