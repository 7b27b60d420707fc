"""The dashboard's widgets in Python (the browser tests are in tests/dashboard)."""
from __future__ import annotations

import re

import pytest

from cxlab.present.dashboard import Dashboard, Startup, error_widget
from cxlab.present.dashboard_data import DashboardData, Selection

WAVE = "2026-Q3"


@pytest.fixture(scope="module")
def dash(demo_ws):
    return DashboardData(demo_ws, min_n=10)


def attr(html: str, name: str) -> str:
    return re.search(rf"{name}='([^']*)'", html).group(1)


def test_filter_change_updates_tiles_charts_and_tables(dash):
    board = Dashboard(dash, lang="en")
    nps = board.tiles["nps"].value
    assert attr(nps, "data-key") == WAVE
    assert float(attr(nps, "data-value")) == pytest.approx(dash.nps_tile(Selection(WAVE))["estimate"], abs=1e-3)
    trend_png = bytes(board.charts["trend"].value)
    assert trend_png.startswith(b"\x89PNG")
    team = dash.options()["team"][0]
    board.filters["team"].value = team
    key = f"{WAVE}|team={team}"
    for name in ("nps", "csi", "response_rate", "revenue_at_risk"):
        assert attr(board.tiles[name].value, "data-key") == key
    want = dash.nps_tile(Selection(WAVE, team=team))
    assert float(attr(board.tiles["nps"].value, "data-value")) == pytest.approx(want["estimate"], abs=1e-3)
    assert int(attr(board.tiles["nps"].value, "data-n")) == want["n"]
    assert bytes(board.charts["trend"].value) != trend_png
    for name in ("trend", "by_service", "by_manager", "ipa"):
        assert attr(board.captions[name].value, "data-key") == key
    assert attr(board.at_risk.value, "data-key") == key
    # Back to all teams: the first view again (charts from the cache).
    board.filters["team"].value = ""
    assert attr(board.tiles["nps"].value, "data-key") == WAVE
    assert bytes(board.charts["trend"].value) == trend_png


def test_language_switch_keeps_selection_and_translates(dash):
    board = Dashboard(dash, lang="en")
    board.filters["wave"].value = "2026-Q2"
    assert "Revenue at risk" in board.tiles["revenue_at_risk"].value
    board.lang_toggle.value = "ru"
    assert board.selection.wave == "2026-Q2"
    assert "Выручка под риском" in board.tiles["revenue_at_risk"].value
    assert board.filters["team"].options[0] == ("Все", "")
    assert "Клиенты под риском" in board.at_risk_title.value


def test_tile_says_whether_change_is_real(dash):
    board = Dashboard(dash, lang="en")
    row = dash.nps_tile(Selection(WAVE))
    html = board.tiles["nps"].value
    assert attr(html, "data-significant") == str(bool(row["significant"])).lower()
    assert ("a real change" if row["significant"] else "within noise") in html
    assert "vs 2026-Q2" in html
    first = Dashboard(dash, Selection(dash.waves[0]), lang="en")
    assert "no previous wave" in first.tiles["nps"].value


def test_no_contact_identity_in_any_panel(dash, demo_ws):
    board = Dashboard(dash, lang="en")
    contacts = demo_ws.contacts(include_pii=True)
    page = " ".join(x.value for x in (*board.tiles.values(), board.at_risk, board.comments))
    # The simulator gives some contacts the name of an account manager (staff names are shown).
    staff = set(dash.options()["manager"])
    names = [n for n in contacts["name"].dropna() if n not in staff]
    assert len(names) > 100
    for value in list(contacts["email"].dropna()) + names:
        assert value not in page


def test_refusals_are_escaped_messages(demo_ws):
    start = Startup({"CXLAB_WORKSPACE": str(demo_ws.path), "QUERY_STRING": "wave=<script>alert(1)</script>",
                     "CXLAB_DASHBOARD_LANG": "en"})
    assert start.error and "does not exist" in start.error
    box = start.widget()
    assert "cx-dashboard-error" in box._dom_classes
    assert "<script>" not in box.value
    assert "Traceback" not in box.value
    assert "cx-dashboard-error" in error_widget("x")._dom_classes


def test_startup_reads_workspace_and_query(demo_ws):
    start = Startup({"CXLAB_WORKSPACE": str(demo_ws.path), "QUERY_STRING": "wave=2026-Q2&lang=en",
                     "CXLAB_DASHBOARD_MIN_N": "5"})
    assert start.error is None and start.selection == Selection("2026-Q2") and start.lang == "en"
    assert start.data.min_n == 5
    assert "CXLAB_WORKSPACE" in Startup({}).error
