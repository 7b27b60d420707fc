"""The dashboard's widgets in Python (the browser tests are in tests/dashboard)."""

from __future__ import annotations

import math
import re
import threading

import pytest

from cxlab.present.dashboard import PANELS, Dashboard, Startup, error_widget
from cxlab.present.dashboard_data import DashboardData, Selection
from cxlab.present.dashboard_panels import tile_html
from cxlab.present.dashboard_text import meaning_class
from cxlab.stats.registry import change_meaning

pytestmark = pytest.mark.slow  # builds the dashboard's panels on the demo workspace, seconds each

WAVE = "2026-Q3"
METRICS = ("nps", "csi", "response_rate", "revenue_at_risk")


@pytest.fixture(scope="module")
def dash(demo_ws):
    return DashboardData(demo_ws, min_n=10)


def attr(html: str, name: str) -> str:
    return re.search(rf"{name}='([^']*)'", html).group(1)


def settled(board: Dashboard) -> Dashboard:
    board.wait()
    return board


def panel_html(board: Dashboard) -> dict[str, str]:
    """Every panel's HTML that carries the selection it shows."""
    out = {f"tile_{m}": board.tiles[m].value for m in METRICS}
    out |= {f"caption_{n}": c.value for n, c in board.captions.items()}
    out |= {"at_risk": board.at_risk.value, "at_risk_top": board.at_risk_top.value}
    out |= {"themes": board.themes.value, "comments": board.comments.value}
    return out


def keys_of(board: Dashboard) -> dict[str, str]:
    return {name: attr(html, "data-key") for name, html in panel_html(board).items()}


def test_filter_change_updates_every_panel(dash):
    board = settled(Dashboard(dash, lang="en"))
    assert set(keys_of(board).values()) == {WAVE}
    nps = board.tiles["nps"].value
    assert float(attr(nps, "data-value")) == pytest.approx(dash.nps_tile(Selection(WAVE))["estimate"], abs=1e-3)
    trend_y = list(board.charts["trend"].line.y)
    team = dash.options()["team"][0]
    board.filters["team"].value = team
    key = f"{WAVE}|team={team}"
    # The tiles are drawn at once, before any background work.
    assert attr(board.tiles["nps"].value, "data-key") == key
    settled(board)
    assert set(keys_of(board).values()) == {key}
    want = dash.nps_tile(Selection(WAVE, team=team))
    assert float(attr(board.tiles["nps"].value, "data-value")) == pytest.approx(want["estimate"], abs=1e-3)
    assert int(attr(board.tiles["nps"].value, "data-n")) == want["n"]
    assert list(board.charts["trend"].line.y) != trend_y
    assert board.charts["trend"].line.y[-1] == pytest.approx(want["estimate"], abs=1e-6)
    board.filters["team"].value = ""
    settled(board)
    assert set(keys_of(board).values()) == {WAVE}
    assert list(board.charts["trend"].line.y) == pytest.approx(trend_y)


def test_a_late_result_for_a_selection_left_is_dropped(dash, monkeypatch):
    """Issue 17: a revenue tile computed in the background for an earlier wave must never be shown."""
    board = settled(Dashboard(dash, lang="en"))
    release = threading.Event()
    started = threading.Event()
    real_tile = dash.revenue_tile
    first = Selection("2026-Q1")

    def slow_tile(sel, **kw):
        if sel == first:
            started.set()
            release.wait(60)  # the viewer moves on while this one is being computed
        return real_tile(sel, **kw)

    monkeypatch.setattr(dash, "revenue_tile", slow_tile)
    monkeypatch.setattr(dash, "ready", lambda kind, sel: False)  # everything slow: drawn busy, computed aside
    board.filters["wave"].value = "2026-Q1"
    tile = board.tiles["revenue_at_risk"]
    assert "cx-busy" in tile.value and attr(tile.value, "data-key") == "2026-Q1"
    assert started.wait(60)
    board.filters["wave"].value = "2026-Q2"
    assert "cx-busy" in tile.value and attr(tile.value, "data-key") == "2026-Q2"
    release.set()
    settled(board)
    assert attr(tile.value, "data-key") == "2026-Q2" and "cx-busy" not in tile.value
    want = real_tile(Selection("2026-Q2"))
    assert float(attr(tile.value, "data-value")) == pytest.approx(want["estimate"], rel=1e-6)
    assert set(keys_of(board).values()) == {"2026-Q2"}
    assert not any("cx-busy" in html for html in panel_html(board).values())


def test_quick_changes_end_on_the_last_selection(dash):
    board = Dashboard(dash, lang="en")
    teams = dash.options()["team"]
    for wave in dash.waves[-3:]:
        board.filters["wave"].value = wave
        for team in teams + [""]:
            board.filters["team"].value = team
    board.filters["team"].value = teams[1]
    final = Selection(dash.waves[-1], team=teams[1])
    settled(board)
    assert set(keys_of(board).values()) == {final.key()}
    for metric in METRICS:
        want = dash.tiles(final).set_index("metric").loc[metric, "estimate"]
        got = attr(board.tiles[metric].value, "data-value")
        assert (got == "" and math.isnan(want)) or float(got) == pytest.approx(want, rel=1e-6)
    assert set(board._tokens) == set(PANELS)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("sign", [1, -1])
def test_change_coloured_by_meaning(dash, metric, sign):
    row = dash.tiles(Selection(WAVE)).set_index("metric").loc[metric].to_dict() | {"metric": metric}
    row |= {"change": sign * 5.0, "significant": True, "previous_wave": "2026-Q2"}
    row["meaning"] = change_meaning(metric, row["change"], True)
    up_is_good = metric != "revenue_at_risk"
    want = "good" if (sign > 0) == up_is_good else "bad"
    assert row["meaning"] == want
    html = tile_html(row, WAVE, "en")
    assert attr(html, "data-meaning") == want
    assert f"cx-change {meaning_class(want)}" in html
    assert {"good": "cx-good", "bad": "cx-bad"}[want] in html
    # Within chance: neutral grey, whatever the direction.
    row |= {"significant": False, "meaning": change_meaning(metric, row["change"], False)}
    assert "cx-change cx-neutral" in tile_html(row, WAVE, "en")


def test_language_switch_keeps_selection_and_translates(dash):
    board = settled(Dashboard(dash, lang="en"))
    board.filters["wave"].value = "2026-Q2"
    assert "Revenue at risk" in board.tiles["revenue_at_risk"].value
    board.lang_toggle.value = "ru"
    settled(board)
    assert board.selection.wave == "2026-Q2"
    assert "Выручка под риском" in board.tiles["revenue_at_risk"].value
    assert board.filters["team"].options[0] == ("Все", "")
    assert board.tabs.titles[0].startswith("Драйверы")
    assert "Главные клиенты под риском" in board.at_risk_title.value
    assert all(attr(html, "data-lang") == "ru" for html in panel_html(board).values() if "data-lang" in html)
    # Hover texts of the charts are in the page's language too (only names and "NPS"/"CSI" in Latin).
    # The catalogue's Russian service names are the workspace's own words (some hold a Latin acronym, "SERM").
    names = set(dash.options()["team"]) | set(dash.options()["wave"]) | set(dash.data.services["name_ru"].dropna())
    for name in ("trend", "csi_trend", "ipa", "by_service", "by_team"):
        text = " ".join(board.charts[name].points.names)
        for n in names:
            text = text.replace(n, " ")
        assert text.strip() and set(re.findall("[A-Za-z]{2,}", text)) <= {"NPS", "CSI"}, name
    # Dropdowns show labels, never ids.
    roles = dict(board.filters["role"].options)
    assert "day_to_day" not in roles and roles[dash.value_label("role", "day_to_day", "ru")] == "day_to_day"


def test_tile_says_the_change_in_words_and_keeps_details_one_click_away(dash):
    board = Dashboard(dash, lang="en")
    board.wait()  # the sparkline is drawn in the background, after the tile
    row = dash.nps_tile(Selection(WAVE))
    html = board.tiles["nps"].value
    assert attr(html, "data-significant") == str(bool(row["significant"])).lower()
    assert row["change_words"]["en"] in html and "(vs 2026-Q2)" in html
    details = re.search(r"<details class='cx-more'>(.*?)</details>", html).group(1)
    assert f"p-value = {row['p_value']:.3f}" in details
    assert row["method_text"]["en"] in html  # in full, never cut
    assert "<svg class='cx-spark'" in html
    first = Dashboard(dash, Selection(dash.waves[0]), lang="en")
    assert "no previous wave" in first.tiles["nps"].value


def test_no_contact_identity_in_any_panel(dash, demo_ws):
    board = settled(Dashboard(dash, lang="en"))
    contacts = demo_ws.contacts(include_pii=True)
    page = " ".join(panel_html(board).values())
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
    board = settled(Dashboard(dash, lang="en"))
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
    assert "<th>Themes</th>" in board.comments.value
    rows = comment_rows(board.comments.value)
    assert len(rows) == min(board.page_size, int(attr(board.comments.value, "data-count")))
    labels = set(dash.theme_labels("en").values())
    assert all(set(filter(None, cells[2].split("; "))) <= labels for cells in rows)
    team = dash.options()["team"][0]
    board.filters["team"].value = team
    settled(board)
    assert attr(board.themes.value, "data-key") == f"{WAVE}|team={team}"
    n_team = int(dash.themes(Selection(WAVE, team=team), "en")[0]["n_comments"].iloc[0])
    assert int(attr(board.themes.value, "data-comments")) == n_team


def test_comments_are_paged_with_labelled_counts(dash):
    board = settled(Dashboard(dash, lang="en"))
    total = int(attr(board.comments.value, "data-count"))
    assert total > 2 * board.page_size
    assert f"Comments in this selection: {total}" in board.comments.value
    assert "1–20 of" in board.page_text.value and board.prev_page.disabled and not board.next_page.disabled
    first = comment_rows(board.comments.value)
    board.next_page.click()
    settled(board)
    assert f"21–40 of {total}" in board.page_text.value
    assert len(comment_rows(board.comments.value)) == 20 and comment_rows(board.comments.value) != first
    board.lang_toggle.value = "ru"
    settled(board)
    assert f"1–20 из {total}" in board.page_text.value  # a new view starts at the first page
    assert f"Комментариев в выборке: {total}" in board.comments.value
    # No bare count: every number in the comments' caption has its label.
    assert not re.search(r"<p class='cx-caption[^>]*>\d+</p>", board.comments.value)


def test_theme_filter_narrows_the_comments(dash):
    board = settled(Dashboard(dash, lang="en", page_size=1000))
    everything = int(attr(board.comments.value, "data-count"))
    options = dict(board.comment_theme.options)
    assert board.comment_theme.options[0] == ("All", "")
    assert list(options.values())[1:] == dash.codebook.theme_ids
    summary, _ = dash.themes(Selection(WAVE), "en")
    for theme in ("deadlines", summary["theme"].iloc[0]):
        label = dash.theme_labels("en")[theme]
        board.comment_theme.value = theme
        settled(board)
        want = int(summary.set_index("theme").loc[theme, "n"])
        assert 0 < int(attr(board.comments.value, "data-count")) == want < everything
        rows = comment_rows(board.comments.value)
        assert len(rows) == want
        assert all(label in cells[2].split("; ") for cells in rows)
    board.comment_category.value = "detractor"
    settled(board)
    rows = comment_rows(board.comments.value)
    assert 0 < len(rows) < want and all(cells[1] == "detractors" for cells in rows)
    board.comment_category.value = ""
    board.lang_toggle.value = "ru"
    settled(board)
    assert board.comment_theme.value == theme
    assert (dash.theme_labels("ru")[theme], theme) in board.comment_theme.options
    assert all(dash.theme_labels("ru")[theme] in cells[2].split("; ") for cells in comment_rows(board.comments.value))
    assert "О чём пишут" in board.themes.value and "У критиков" in board.themes.value
    board.comment_theme.value = ""
    settled(board)
    assert int(attr(board.comments.value, "data-count")) == everything


def test_themes_hidden_with_the_comments_in_a_small_selection(dash):
    counts = dash.data.responses[dash.data.responses["wave_id"] == WAVE]["manager"].value_counts()
    small = counts[(counts > 0) & (counts < 10)].index[0]
    board = settled(Dashboard(dash, Selection(WAVE, manager=small), lang="en"))
    key = f"{WAVE}|manager={small}"
    assert "cx-themes-hidden" in board.themes.value and attr(board.themes.value, "data-key") == key
    assert "<td>" not in board.themes.value
    assert "cx-comments-hidden" in board.comments.value and "fewer than 10" in board.comments.value


def test_comment_text_is_escaped(dash, monkeypatch):
    import pandas as pd

    board = settled(Dashboard(dash, lang="en"))
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
    board._draw_comments()
    settled(board)
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


def _open_widgets_naming_closed_ones() -> list[str]:
    """Open widgets whose state names a widget that is closed (the page's widget manager would fail on them)."""
    from ipywidgets.widgets.widget import _instances

    open_ids = {wid for wid, widget in _instances.items() if widget.comm is not None}
    bad = []
    for widget in list(_instances.values()):
        if widget.comm is None:
            continue
        try:
            state = widget.get_state()
        except AttributeError:  # serialising names a closed widget (its comm is gone)
            bad.append(f"{type(widget).__name__} names a closed widget")
            continue
        for name, value in state.items():
            refs = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
            for ref in refs:
                if isinstance(ref, str) and ref.startswith("IPY_MODEL_") and ref[len("IPY_MODEL_") :] not in open_ids:
                    bad.append(f"{type(widget).__name__}.{name} -> {ref}")
    return bad


def test_redraws_and_a_closed_prebuilt_board_leave_no_open_widget_naming_a_closed_one(dash, monkeypatch):
    # A page loads every open widget of its kernel; one naming a closed widget stops the whole page
    # ("widget model not found", nothing rendered). Old marks are closed late (after RETIRE_AFTER_SECONDS)
    # and a board closed before its visitor (Startup.widget) takes them along.
    from cxlab.present import dashboard_charts
    from cxlab.present.dashboard_startup import close_widgets

    monkeypatch.setattr(dashboard_charts, "RETIRE_AFTER_SECONDS", 0.0)  # every swap closes the last one's marks
    board = Dashboard(dash, Selection(WAVE), lang="en")
    teams = dash.options()["team"]
    for team in [*teams[:2], None, teams[0]]:
        board.select(team=team)
        board.wait()
    assert _open_widgets_naming_closed_ones() == []
    monkeypatch.setattr(dashboard_charts, "RETIRE_AFTER_SECONDS", 3600.0)  # now the old marks wait
    board.select(team=teams[1])
    board.wait()
    assert any(dashboard_charts._RETIRED.values())
    board.close()
    assert close_widgets(board.widget) > 0
    assert _open_widgets_naming_closed_ones() == []
