"""Shared fixtures: small hand-made workspaces (real DuckDB files in tmp dirs).

What is expensive is built once per test run (``scope="session"``) and shared:
the small workspace's tables, the demo workspace (:func:`demo_ws`) and one run
of the wave pipeline on it (:func:`demo_run`).  A test that changes a
workspace works on its own copy (:func:`small_ws`, :func:`demo_ws_copy`,
:func:`copy_demo_ws`): a workspace is a folder, and copying it is a file copy.
"""

from __future__ import annotations

import shutil
import sys

# As in cxlab.pipeline: jsonschema (under nbformat) imports rfc3987_syntax when it is installed, and building
# that package's grammar costs seconds; the test modules that import nbformat before cxlab.pipeline would pay it.
sys.modules.setdefault("rfc3987_syntax", None)

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from cxlab import Workspace  # noqa: E402

# Property-based tests (tests/adversarial/test_properties.py) draw the same examples on every run and
# machine: a failure in CI is one a developer reproduces; no deadline, as CI machines are slow and shared.
settings.register_profile("cxlab", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("cxlab")

#: Fixtures that take ten seconds or more to build: every test that uses one (directly or through another
#: fixture) is marked slow, so `make test-fast` (pytest -m "not slow") never builds them.
SLOW_FIXTURES = frozenset(
    {
        "demo_ws",  # simulates the demo agency and imports its eight waves (below)
        "demo_run",  # runs the wave's notebooks on it (below)
        "big_agency",  # simulates a 1,500-client agency over 16 waves (tests/risk/conftest.py)
    }
)


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects
def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def copy_workspace(ws: Workspace, path) -> Workspace:
    """A copy of the workspace folder at ``path`` (its name, from its metadata, stays the same).

    Without its stored derived results: the session's demo workspace gathers them as the dashboard
    tests run, and a copy must not depend on which tests ran before.
    """
    shutil.copytree(ws.path, path, ignore=shutil.ignore_patterns("derived"))
    return Workspace(path)


@pytest.fixture
def small_ws(small_ws_template, tmp_path):
    """Three clients, five contacts, two waves; no responses yet (each test gets its own copy)."""
    return copy_workspace(small_ws_template, tmp_path / "acme")


@pytest.fixture(scope="session")
def small_ws_template(tmp_path_factory):
    """The tables of :func:`small_ws`, loaded once per test run; tests get copies, never this one."""
    ws = Workspace.create(tmp_path_factory.mktemp("small") / "acme")
    ws.load_tables(
        {
            "services": pd.DataFrame(
                {
                    "service_id": ["pr", "smm"],
                    "direction": ["media", "digital"],
                    "name_ru": ["PR", "СММ"],
                    "name_en": ["PR", "SMM"],
                }
            ),
            "clients": pd.DataFrame(
                {
                    "client_id": ["C1", "C2", "C3"],
                    "name": ["ООО «Альфа»", "Beta LLC", "Гамма"],
                    "segment": ["FMCG", "tech", "tech"],
                    "direction": ["media", "digital", "media"],
                    "team": ["T1", "T1", "T2"],
                    "manager": ["M1", "M2", "M3"],
                    "start_date": pd.to_datetime(["2022-01-10", "2023-05-01", "2024-02-01"]),
                    "contract_value": [1_000_000.0, 3_000_000.0, 500_000.0],
                    "status": ["active"] * 3,
                }
            ),
            "contacts": pd.DataFrame(
                {
                    "contact_id": ["K1", "K2", "K3", "K4", "K5"],
                    "client_id": ["C1", "C1", "C2", "C3", "C3"],
                    "name": ["Анна", "Борис", "Carl", "Дарья", "Егор"],
                    "role": ["decision_maker", "day_to_day", "decision_maker", "decision_maker", "marketing"],
                    "email": ["a@example.ru", "b@example.ru", "c@example.com", "d@example.ru", "e@example.ru"],
                    "phone": [None] * 5,
                    "language": ["ru", "ru", "en", "ru", "ru"],
                }
            ),
            "client_services": pd.DataFrame(
                {"client_id": ["C1", "C2", "C3", "C3"], "service_id": ["pr", "smm", "pr", "smm"]}
            ),
            "waves": pd.DataFrame(
                {
                    "wave_id": ["2026-Q2", "2026-Q3"],
                    "opened_at": pd.to_datetime(["2026-06-10", "2026-09-10"]),
                    "closed_at": pd.to_datetime(["2026-06-30", "2026-09-30"]),
                    "questionnaire": ["pr_agency"] * 2,
                    "nps_scale": ["0-10"] * 2,
                    "rating_scale": ["1-5"] * 2,
                }
            ),
        }
    )
    return ws


def write_csv(path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.fixture
def csv_file(tmp_path):
    def make(text: str, name: str = "wave.csv", encoding: str = "utf-8"):
        return write_csv(tmp_path / name, text, encoding)

    return make


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory):
    """The demo workspace, built once per test session from the simulator (seed 42).

    Shared by the whole session: only read it.  A test that changes it uses
    :func:`demo_ws_copy` (or :func:`copy_demo_ws` in a wider-scoped fixture).
    """
    from cxlab.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("ws") / "demo", progress=False)


@pytest.fixture(scope="session")
def copy_demo_ws(demo_ws):
    """A function that copies the session's demo workspace to a path and opens the copy."""

    def copy(path) -> Workspace:
        return copy_workspace(demo_ws, path)

    return copy


@pytest.fixture
def demo_ws_copy(copy_demo_ws, tmp_path_factory):
    """A private copy of the demo workspace, named ``demo`` like the original, for a test that changes it."""
    return copy_demo_ws(tmp_path_factory.mktemp("ws") / "demo")


@pytest.fixture(scope="session")
def demo_run(demo_ws, tmp_path_factory):
    """One real run of the wave pipeline (papermill + nbconvert) on the demo workspace, in English."""
    from cxlab.pipeline import run_wave

    return run_wave(
        demo_ws, "2026-Q3", lang="en", min_n=10, reports_root=tmp_path_factory.mktemp("reports"), progress=False
    )
