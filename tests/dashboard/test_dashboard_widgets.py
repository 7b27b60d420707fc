"""The dashboard as an executive sees it, in Chromium: right figures after quick changes, one language, colours.

Each test opens the real page (Voila serving notebooks/dashboard.ipynb on
the session's demo workspace) and checks what is on screen against
``DashboardData`` (which calls ``cxlab.metrics`` and ``cxlab.risk``, the
report's functions).  The first-screen screenshot of the Russian page is
written to ``docs/img/dashboard-ru.png``, the picture the README shows.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from cxlab.present.dashboard_data import DashboardData, Selection

from .conftest import open_dashboard, settle

pytestmark = pytest.mark.slow

METRICS = ("nps", "csi", "response_rate", "revenue_at_risk")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "dashboard-ru.png"
#: The colours of meaning (dashboard_text.CSS): good, bad, within chance.
COLOURS = {"good": "rgb(30, 132, 73)", "bad": "rgb(176, 58, 46)", "neutral": "rgb(107, 107, 107)"}


@pytest.fixture(scope="module")
def data(demo_ws):
    return DashboardData(demo_ws)


def wait_settled(page, key: str, timeout: int = 300_000, busy: str = ".cx-dashboard .cx-busy") -> None:
    """Until every tile shows ``key`` and nothing matching ``busy`` is still "calculating…", then the DOM is quiet."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            """([key, busy]) => {
                const tiles = [...document.querySelectorAll('.cx-dashboard .cx-tile')];
                return tiles.length === 4 && tiles.every(t => t.dataset.key === key)
                    && document.querySelectorAll(busy).length === 0;
            }""",
            arg=[key, busy],
            timeout=timeout,
        )
    except PlaywrightTimeout:
        still = page.evaluate(
            "busy => [...document.querySelectorAll(busy)].map(e => e.outerHTML.slice(0, 200))"
            " .concat([...document.querySelectorAll('.cx-dashboard .cx-tile')].map(t => t.dataset.key))",
            busy,
        )
        raise AssertionError(f"not settled on {key} within {timeout / 1000:g} s: busy / tile keys {still}") from None
    settle(page)
    # A background result may land after the quiet spell: the condition must still hold.
    assert page.locator(busy).count() == 0


def panel_keys(page) -> dict[str, str]:
    """Every element that says which selection it shows, by its place in the page."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.cx-dashboard [data-key]')].map((el, i) => {
            const panel = el.closest('[class*="cx-tile-"], [class*="cx-caption-"], .cx-at-risk, .cx-at-risk-first,'
                + ' .cx-themes, .cx-comments, .cx-page');
            return [`${i}:${panel ? panel.className.match(/cx-[\\w-]+/)[0] : el.className}`, el.dataset.key];
        }))"""
    )


def choose(page, steps: list[tuple[str, int]]) -> None:
    """Pick the options one after another in the same tick: no waiting between changes."""
    page.evaluate(
        """steps => { for (const [filter, index] of steps) {
            const select = document.querySelector(`.cx-filter-${filter} select`);
            select.selectedIndex = index;
            select.dispatchEvent(new Event('change', {bubbles: true}));
        } }""",
        [list(s) for s in steps],
    )


def test_quick_changes_settle_on_the_final_selections_figures(page, dashboard_server, data):
    open_dashboard(page, dashboard_server, "lang=en")
    opts = data.options()
    waves, teams = opts["wave"], opts["team"]
    assert len(opts["segment"]) >= 4
    # Waves not viewed yet (their churn scores are computed while the viewer moves on), teams and segments.
    steps = []
    for i in range(4):
        steps += [("wave", len(waves) - 2 - i), ("team", 1 + i % len(teams)), ("segment", i % 3)]
    # The final selection is none of the ones passed through (its segment is picked last, once).
    steps += [("wave", len(waves) - 3), ("team", 2), ("segment", 4)]
    final = Selection(waves[-3], team=teams[1], segment=opts["segment"][3])
    choose(page, steps)
    wait_settled(page, final.key())
    keys = panel_keys(page)
    assert len(keys) >= 12
    assert set(keys.values()) == {final.key()}, keys
    want = data.tiles(final).set_index("metric")
    for metric in METRICS:
        el = page.locator(f".cx-tile-{metric} .cx-tile")
        got, expected = el.get_attribute("data-value"), float(want.loc[metric, "estimate"])
        if math.isnan(expected):
            assert got == ""
        else:
            assert float(got) == pytest.approx(expected, rel=1e-5), metric
        assert int(el.get_attribute("data-n")) == int(want.loc[metric, "n"])
    top = page.locator(".cx-at-risk-first tr[data-client]")
    expected_top = list(data.at_risk(final, "en")["client_id"].head(top.count()))
    assert [top.nth(i).get_attribute("data-client") for i in range(top.count())] == expected_top
    assert page.js_errors == [] and page.external_requests == []


def _names(demo_ws, data, lang: str) -> list[str]:
    """What the page may show as written, longest first.

    Names of clients, managers and teams, and the workspace's own labels in
    ``lang`` (the questionnaire's directions, the catalogue's services, the
    segments and roles; a Russian label may hold a Latin acronym or word,
    "SERM", "Социальные сети и digital").  Ids are not labels: a value
    shown as its id is not allowed.
    """
    clients = demo_ws.clients()
    names = {str(n) for col in ("name", "manager", "team") if col in clients for n in clients[col].dropna()}
    for wave in demo_ws.wave_ids():
        frame = demo_ws.response_frame(wave)
        names |= {str(n) for col in ("manager", "team") if col in frame for n in frame[col].dropna()}
    actions = demo_ws.actions()
    if "owner" in actions:
        names |= set(actions["owner"].dropna().astype(str))
    names.add(demo_ws.name)  # the workspace is named for the company
    for name, values in data.options().items():
        labels = {data.value_label(name, v, lang) for v in values}
        names |= {lab for lab in labels if lab not in values}
    return sorted(names, key=len, reverse=True)


_PAGE_TEXT = """() => {
    // Every text of the dashboard (shown, in a closed "details" or in another tab) and what is visible
    // around it (the template's words), one a line.  Not text: style sheets, bqplot's toolbar (never
    // shown), empty tooltips and an empty widget label's "null" title (ipywidgets' own, never shown); a
    // comment is the client's own words, quoted as written.
    const skip = 'style, script, .toolbar_div, [class*="tooltip"], .cx-comments td:nth-child(4)';
    const lines = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!node.textContent.trim() || el.closest(skip)) continue;
        const shown = el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
        if (el.closest('.cx-dashboard') || shown) lines.push(node.textContent);
    }
    const attrs = [...document.querySelectorAll('.cx-dashboard [title], .cx-dashboard [placeholder],'
        + ' .cx-dashboard [aria-label]')].filter(el => !el.closest(skip) && !el.matches('.widget-label:empty'))
        .flatMap(el => ['title', 'placeholder', 'aria-label'].map(a => el.getAttribute(a) || ''));
    return [...lines, ...attrs].join('\\n');
}"""
#: Names of the metrics, of the software and of the tools whose methods are named.
SHARED = {"cxlab", "pymorphy", "Snowball"}


def foreign_words(text: str, lang: str, names: list[str], waves: list[str]) -> set[str]:
    text = text.replace("\xa0", " ")
    for name in names + waves:
        text = text.replace(name, " ")
    if lang == "ru":
        # Latin words of two letters or more; not acronyms (NPS, CSI, PR) nor a formula's variables (min_k).
        return {
            w
            for w in re.findall(r"(?<![A-Za-z_])[A-Za-z]{2,}(?![A-Za-z_])", text)
            if w not in SHARED and not (w.isupper() and len(w) <= 5)
        }
    return set(re.findall(r"[А-Яа-яЁё]+", text))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_one_language_per_page(page, dashboard_server, demo_ws, data, lang):
    names, waves = _names(demo_ws, data, lang), data.options()["wave"]
    open_dashboard(page, dashboard_server, f"lang={lang}")
    wait_settled(page, data.latest().key())
    assert foreign_words(page.evaluate(_PAGE_TEXT), lang, names, waves) == set()
    assert page.locator(".cx-filter-team select option").first.text_content() == {"ru": "Все", "en": "All"}[lang]
    # A filtered selection (a segment, a role: labels from the questionnaire, never ids) and another wave.
    segment, role = data.options()["segment"][0], data.options()["role"][0]
    choose(page, [("wave", len(waves) - 2), ("segment", 1), ("role", 1)])
    wait_settled(page, Selection(waves[-2], segment=segment, role=role).key())
    text = page.evaluate(_PAGE_TEXT).replace("\xa0", " ")
    assert foreign_words(text, lang, names, waves) == set()
    assert data.value_label("role", role, lang) in text
    assert page.js_errors == [] and page.external_requests == []


def _coloured_selection(data) -> tuple[Selection, str, str]:
    """A selection of the demo whose tiles have a real (good or bad) change, its metric and meaning."""
    opts = data.options()
    for wave in reversed(opts["wave"][1:]):
        for name in ("", "team", "segment"):
            for value in [None] if not name else opts[name]:
                sel = Selection(wave, **({name: value} if name else {}))
                for metric in ("nps", "csi", "response_rate"):
                    row = getattr(data, f"{metric}_tile")(sel)
                    if row.get("meaning") in ("good", "bad"):
                        return sel, metric, row["meaning"]
    pytest.fail("no real change in any tile of the demo workspace")


def test_change_colour_follows_its_meaning(page, dashboard_server, data):
    sel, metric, meaning = _coloured_selection(data)
    query = "&".join(f"{k}={v}" for k, v in {"wave": sel.wave, **sel.filters()}.items())
    open_dashboard(page, dashboard_server, f"lang=en&{query}")
    # The tiles only: a filtered selection's matrix is bootstrapped on view (not stored) and may take long.
    wait_settled(page, sel.key(), busy=".cx-dashboard .cx-tile.cx-busy")
    for m in METRICS:
        change = page.locator(f".cx-tile-{m} .cx-change")
        if not change.count():
            continue
        said = change.get_attribute("data-meaning") or "neutral"
        colour = change.evaluate("el => getComputedStyle(el).color")
        assert colour == COLOURS[said], (m, said, colour)
    assert page.locator(f".cx-tile-{metric} .cx-change").get_attribute("data-meaning") == meaning
    assert page.js_errors == []


def test_first_screen_answers_in_ten_seconds_and_is_the_readme_picture(page, dashboard_server, data):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_dashboard(page, dashboard_server, "lang=ru")
    wait_settled(page, data.latest().key())

    def box(selector: str) -> dict:
        return page.locator(selector).first.bounding_box()

    # On the first screen: every tile, revenue at risk, the top clients at risk and the NPS trend.
    for selector in [f".cx-tile-{m} .cx-tile" for m in METRICS] + [".cx-at-risk-first table", ".cx-chart-trend"]:
        b = box(selector)
        assert b and b["y"] + b["height"] <= 900, selector
    size = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('.cx-tile')].map("
        "el => [el.dataset.metric, parseFloat(getComputedStyle(el.querySelector('.cx-tile-value')).fontSize)]))"
    )
    assert size["nps"] == max(size.values()) and size["nps"] > min(size.values())
    assert "n = " in page.locator(".cx-tile-nps .cx-tile").inner_text()
    # Every chart label is at least 10 px.
    smallest = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('.cx-dashboard svg text')]"
        ".filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize)))"
    )
    assert smallest >= 10
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
    assert page.js_errors == [] and page.external_requests == []


def test_details_hover_tabs_and_comment_pages(page, dashboard_server, data):
    open_dashboard(page, dashboard_server, "lang=en")
    sel = data.latest()
    wait_settled(page, sel.key())
    row = data.nps_tile(sel)
    tile = page.locator(".cx-tile-nps .cx-tile")
    # The interval, the p-value and the method: one click away, in full.
    tile.locator("details summary").click()
    details = tile.locator("details").inner_text()
    assert f"{row['ci_low']:.1f} … {row['ci_high']:.1f}" in details
    assert row["method_text"]["en"] in details
    # Hovering a point of the trend names its wave, figure, interval and n.
    page.locator(".cx-chart-trend .dot").last.hover()
    tip = page.locator(".bqplot-tooltip, .common_tooltip, [class*='tooltip']").filter(has_text="n = ").first
    tip.wait_for(state="visible", timeout=10_000)
    assert f"{sel.wave}: NPS {row['estimate']:.1f}" in tip.inner_text() and f"n = {row['n']}" in tip.inner_text()
    # The IPA matrix in its tab: no two labels overlap.
    page.get_by_role("tab", name="Drivers").click()
    page.locator(".cx-chart-ipa").wait_for(state="visible")
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('.cx-chart-ipa .label text, .cx-chart-ipa text.label')]"
        ".filter(t => t.textContent.trim()).map(t => { const b = t.getBoundingClientRect();"
        " return [b.left, b.top, b.right, b.bottom]; })"
    )
    assert boxes, "the matrix labels none of its points"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    # Comments, 20 a page, with labelled counts.
    page.get_by_role("tab", name="Comments").click()
    total = int(page.locator(".cx-comments table").get_attribute("data-count"))
    assert f"1–20 of {total}" in page.locator(".cx-page").inner_text()
    page.locator(".cx-next").click()
    page.wait_for_function("() => document.querySelector('.cx-comments table')?.dataset.start === '20'")
    assert f"21–40 of {total}" in page.locator(".cx-page").inner_text()
    assert f"Comments in this selection: {total}" in page.locator(".cx-comments").inner_text()
    assert page.js_errors == []
