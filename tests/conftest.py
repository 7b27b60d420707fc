"""Shared fixtures: small hand-made workspaces (real DuckDB files in tmp dirs)."""

from __future__ import annotations

import pandas as pd
import pytest

from cxlab import Workspace


@pytest.fixture
def small_ws(tmp_path):
    """Three clients, five contacts, two waves; no responses yet."""
    ws = Workspace.create(tmp_path / "acme")
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
    """The demo workspace, built once per test session from the simulator (seed 42)."""
    from cxlab.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("ws") / "demo", progress=False)


@pytest.fixture(scope="session")
def demo_run(demo_ws, tmp_path_factory):
    """One real run of the wave pipeline (papermill + nbconvert) on the demo workspace, in English."""
    from cxlab.pipeline import run_wave

    return run_wave(
        demo_ws, "2026-Q3", lang="en", min_n=10, reports_root=tmp_path_factory.mktemp("reports"), progress=False
    )
