"""The executive dashboard in a real browser: Voila serving notebooks/dashboard.ipynb, Debian's Chromium.

Each test opens the page (a new kernel runs the notebook), acts as a viewer
would, and checks what the page shows against ``cxlab.metrics`` on the
stored responses.  Every test ends with no JavaScript errors, nothing
fetched from outside the machine, and a screenshot in tests/artifacts/.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from cxlab import metrics

from .conftest import open_dashboard

pytestmark = pytest.mark.slow

TILE = ".cx-tile-{} .cx-tile"


def clean(page):
    assert page.js_errors == []
    assert page.external_requests == []


def tile(page, metric: str) -> dict:
    el = page.locator(TILE.format(metric))
    return {k: el.get_attribute(f"data-{k}") for k in ("value", "n", "key", "lang")} | {"text": el.inner_text()}


def wait_for_key(page, metric: str, key: str, timeout: int = 30_000) -> None:
    page.wait_for_function(
        "([sel, key]) => { const el = document.querySelector(sel); return el && el.dataset.key === key; }",
        arg=[TILE.format(metric), key],
        timeout=timeout,
    )


def test_refused_without_token(dashboard_server):
    base = f"http://{dashboard_server.host}:{dashboard_server.port}/"
    for url in (base, base + "?token=wrong-token-wrong-token"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url, timeout=30)
        assert err.value.code == 403
        assert b"cx-dashboard" not in err.value.read()


def test_nps_tile_is_metrics_for_latest_wave(page, dashboard_server, demo_ws):
    open_dashboard(page, dashboard_server)
    # What is slow (the previous wave's churn scores, say) shows "calculating…" until drawn.
    page.wait_for_function("() => !document.querySelector('.cx-dashboard .cx-busy')", timeout=120_000)
    wave = demo_ws.latest_wave()
    scores = demo_ws.responses(wave)["nps"].dropna()
    want = metrics.nps(scores)
    got = tile(page, "nps")
    assert got["key"] == wave and got["lang"] == "en"
    assert float(got["value"]) == pytest.approx(want.estimate, abs=1e-3)
    assert int(got["n"]) == want.n
    # What the executive reads: the value and n; the interval one click away.
    assert f"{want.estimate:.1f}" in got["text"]
    assert f"n = {want.n}" in got["text"]
    details = page.locator(TILE.format("nps") + " details")
    assert f"{want.ci_low:.1f} … {want.ci_high:.1f}" in details.text_content()
    for metric in ("csi", "response_rate", "revenue_at_risk"):
        assert page.locator(TILE.format(metric)).get_attribute("data-value")
    # The comments' themes (cxlab.text) above the comments, with the theme filter beside the category.
    assert page.locator(".cx-themes table").get_attribute("data-key") == wave
    assert page.locator(".cx-themes table tr[data-theme]").count() > 0
    assert page.locator(".cx-comment-theme select option").first.text_content() == "All"
    # Sources are stripped: no code reaches the page.
    html = page.content()
    assert "Startup()" not in html and "import" not in page.locator(".cx-dashboard").inner_text()
    clean(page)


def test_filter_change_updates_tiles_and_charts(page, dashboard_server, demo_ws):
    open_dashboard(page, dashboard_server)
    wave = demo_ws.latest_wave()
    trend_before = page.locator(".cx-chart-trend svg").first.inner_html()
    frame = demo_ws.response_frame(wave)
    team = sorted(frame["team"].dropna().unique())[0]
    page.locator(".cx-filter-team select").select_option(label=team)
    key = f"{wave}|team={team}"
    wait_for_key(page, "nps", key)
    want = metrics.nps(frame.loc[frame["team"] == team, "nps"].dropna())
    got = tile(page, "nps")
    assert float(got["value"]) == pytest.approx(want.estimate, abs=1e-3)
    assert int(got["n"]) == want.n < len(frame)
    # The charts and their captions follow (they are drawn after the tiles).
    page.wait_for_function(
        "key => document.querySelector('.cx-caption-ipa .cx-caption')?.dataset.key === key", arg=key, timeout=60_000
    )
    for name in ("trend", "by_service", "by_manager"):
        assert page.locator(f".cx-caption-{name} .cx-caption").get_attribute("data-key") == key
    assert page.locator(".cx-chart-trend svg").first.inner_html() != trend_before
    page.wait_for_function(
        "key => document.querySelector('.cx-at-risk table')?.dataset.key === key", arg=key, timeout=60_000
    )
    # A second filter narrows further; the wave filter moves the whole page.
    page.locator(".cx-filter-wave select").select_option(label="2026-Q2")
    wait_for_key(page, "nps", f"2026-Q2|team={team}")
    before = demo_ws.response_frame("2026-Q2")
    want = metrics.nps(before.loc[before["team"] == team, "nps"].dropna())
    assert float(tile(page, "nps")["value"]) == pytest.approx(want.estimate, abs=1e-3)
    clean(page)


def test_language_switch(page, dashboard_server):
    open_dashboard(page, dashboard_server)
    title = page.locator(TILE.format("revenue_at_risk") + " .cx-tile-title")
    assert title.text_content() == "Revenue at risk"
    page.get_by_role("button", name="RU").click()
    page.wait_for_function(
        f"() => document.querySelector('{TILE.format('revenue_at_risk')}')?.dataset.lang === 'ru'", timeout=30_000
    )
    assert title.text_content() == "Выручка под риском"
    assert page.locator(".cx-filter-team select option").first.text_content() == "Все"
    clean(page)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("wave=2031-Q1", "does not exist"),
        ("wave=..%2F..%2Fetc%2Fpasswd", "does not exist"),
        ("workspace=%2Fetc%2Fpasswd", "unknown parameter 'workspace'"),
    ],
)
def test_bad_query_is_refused_with_a_message(page, dashboard_server, query, says):
    root = open_dashboard(page, dashboard_server, query)
    assert "cx-dashboard-error" in root.get_attribute("class")
    text = root.inner_text()
    assert says in text
    assert "Traceback" not in page.content()
    assert page.locator(".cx-dashboard-ready").count() == 0
    clean(page)


def test_an_import_while_the_dashboard_is_open_succeeds_and_shows_on_reload(page, demo_ws_copy, tmp_path):
    """Issue 16: an executive's open dashboard must not block an import, and the next view shows it."""
    import subprocess
    import sys

    from cxlab.serve import start_dashboard

    ws = demo_ws_copy
    wave = ws.latest_wave()
    answered = set(ws.responses(wave)["contact_id"])
    free = [c for c in ws.contacts()["contact_id"] if c not in answered][:3]
    late = tmp_path / "late.csv"
    late.write_text(
        "response_id,contact_id,nps\n" + "".join(f"OPEN-{j},{c},10\n" for j, c in enumerate(free)), encoding="utf-8"
    )
    with start_dashboard(ws.path, lang="en") as server:
        open_dashboard(page, server)
        before = tile(page, "nps")
        run = subprocess.run(
            # --no-derive: this is about the import's transaction beside an open page; deriving after an
            # import is tests/store/test_derived.py's.
            [sys.executable, "-m", "cxlab.cli", "import", "--lock-timeout", "60", "--no-derive"]
            + ["--workspace", str(ws.path), "--wave", wave, str(late)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr
        assert "3 responses loaded" in run.stdout and "Traceback" not in run.stderr
        open_dashboard(page, server)
        after = tile(page, "nps")
    want = metrics.nps(ws.responses(wave)["nps"].dropna())
    assert int(after["n"]) == int(before["n"]) + 3 == want.n
    assert float(after["value"]) == pytest.approx(want.estimate, abs=1e-3)
    # Leaving the first view, Voila's page asks the server to shut its kernel down: accepted (no 403).
    clean(page)
