"""The dashboard's widgets in Python (the browser tests are in tests/dashboard)."""

from __future__ import annotations

import re

import pytest

from cxlab.present.dashboard import Dashboard, Startup, error_widget
from cxlab.present.dashboard_data import DashboardData, Selection

pytestmark = pytest.mark.slow  # builds the dashboard's panels on the demo workspace, seconds each

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
    page = " ".join(x.value for x in (*board.tiles.values(), board.at_risk, board.themes, board.comments))
    # The simulator gives some contacts the name of an account manager (staff names are shown).
    staff = set(dash.options()["manager"])
    names = [n for n in contacts["name"].dropna() if n not in staff]
    assert len(names) > 100
    for value in list(contacts["email"].dropna()) + names:
        assert value not in page


def comment_rows(html: str) -> list[list[str]]:
    """The cells of the comments table's rows (header left out)."""
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(<td>.*?)</tr>", html)]


def test_themes_table_is_the_selections_theme_summary(dash):
    board = Dashboard(dash, lang="en")
    assert "cx-themes" in board.themes._dom_classes
    html = board.themes.value
    assert "cx-themes-table" in html and attr(html, "data-key") == WAVE
    want, _hidden = dash.themes(Selection(WAVE), "en")
    want = want[want["n"] > 0]
    shown = re.findall(r"data-theme='(\w+)' data-n='(\d+)'", html)
    assert shown == [(t, str(n)) for t, n in zip(want["theme"], want["n"])]
    assert int(attr(html, "data-comments")) == int(want["n_comments"].iloc[0])
    top = want.iloc[0]
    assert (
        f"<td>{top['label']}</td><td class='cx-num'>{top['n']}</td><td class='cx-num'>{100 * top['share']:.0f}%</td>"
    ) in html
    assert "Among detractors" in html and "Among promoters" in html
    # The comments table has a Themes column with the labels of each comment's themes.
    assert "<th>Themes</th>" in board.comments.value
    rows = comment_rows(board.comments.value)
    assert len(rows) == min(board.max_comments, int(attr(board.comments.value, "data-count")))
    labels = set(dash.theme_labels("en").values())
    assert all(set(filter(None, cells[2].split("; "))) <= labels for cells in rows)
    team = dash.options()["team"][0]
    board.filters["team"].value = team
    assert attr(board.themes.value, "data-key") == f"{WAVE}|team={team}"
    n_team = int(dash.themes(Selection(WAVE, team=team), "en")[0]["n_comments"].iloc[0])
    assert int(attr(board.themes.value, "data-comments")) == n_team


def test_theme_filter_narrows_the_comments(dash):
    board = Dashboard(dash, lang="en", max_comments=1000)
    everything = int(attr(board.comments.value, "data-count"))
    options = dict(board.comment_theme.options)
    assert board.comment_theme.options[0] == ("All", "")
    assert list(options.values())[1:] == dash.codebook.theme_ids
    summary, _ = dash.themes(Selection(WAVE), "en")
    for theme in ("deadlines", summary["theme"].iloc[0]):
        label = dash.theme_labels("en")[theme]
        board.comment_theme.value = theme
        want = int(summary.set_index("theme").loc[theme, "n"])
        assert 0 < int(attr(board.comments.value, "data-count")) == want < everything
        rows = comment_rows(board.comments.value)
        assert len(rows) == want
        assert all(label in cells[2].split("; ") for cells in rows)
    # With the category filter too: fewer still, and only that category.
    board.comment_category.value = "detractor"
    rows = comment_rows(board.comments.value)
    assert 0 < len(rows) < want and all(cells[1] == "detractors" for cells in rows)
    board.comment_category.value = ""
    # A language switch keeps the theme picked and translates its label.
    board.lang_toggle.value = "ru"
    assert board.comment_theme.value == theme
    assert (dash.theme_labels("ru")[theme], theme) in board.comment_theme.options
    assert all(dash.theme_labels("ru")[theme] in cells[2].split("; ") for cells in comment_rows(board.comments.value))
    assert "О чём пишут" in board.themes.value and "У критиков" in board.themes.value
    board.comment_theme.value = ""
    assert int(attr(board.comments.value, "data-count")) == everything


def test_themes_hidden_with_the_comments_in_a_small_selection(dash):
    counts = dash.data.responses[dash.data.responses["wave_id"] == WAVE]["manager"].value_counts()
    small = counts[(counts > 0) & (counts < 10)].index[0]
    board = Dashboard(dash, Selection(WAVE, manager=small), lang="en")
    key = f"{WAVE}|manager={small}"
    assert "cx-themes-hidden" in board.themes.value and attr(board.themes.value, "data-key") == key
    assert "<td>" not in board.themes.value
    assert "cx-comments-hidden" in board.comments.value and "fewer than 10" in board.comments.value


def test_comment_text_is_escaped(dash, monkeypatch):
    import pandas as pd

    board = Dashboard(dash, lang="en")
    evil = pd.DataFrame(
        {
            "nps": [3.0],
            "category": ["detractor"],
            "comment": ["<script>alert(1)</script>"],
            "themes": ["<b>x</b>"],
            "theme_ids": [""],
            "sentiment": ["negative"],
        }
    )
    monkeypatch.setattr(dash, "comments", lambda sel, lang="ru": (evil, None))
    board._show_comments()
    assert "<script>" not in board.comments.value and "&lt;script&gt;" in board.comments.value
    assert "<b>x</b>" not in board.comments.value


def test_refusals_are_escaped_messages(demo_ws):
    start = Startup(
        {
            "CXLAB_WORKSPACE": str(demo_ws.path),
            "QUERY_STRING": "wave=<script>alert(1)</script>",
            "CXLAB_DASHBOARD_LANG": "en",
        }
    )
    assert start.error and "does not exist" in start.error
    box = start.widget()
    assert "cx-dashboard-error" in box._dom_classes
    assert "<script>" not in box.value
    assert "Traceback" not in box.value
    assert "cx-dashboard-error" in error_widget("x")._dom_classes


def test_startup_reads_workspace_and_query(demo_ws):
    start = Startup(
        {"CXLAB_WORKSPACE": str(demo_ws.path), "QUERY_STRING": "wave=2026-Q2&lang=en", "CXLAB_DASHBOARD_MIN_N": "5"}
    )
    assert start.error is None and start.selection == Selection("2026-Q2") and start.lang == "en"
    assert start.data.min_n == 5
    assert "CXLAB_WORKSPACE" in Startup({}).error
