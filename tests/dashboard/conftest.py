"""Browser tests of the executive dashboard: a real Voila server, Debian's Chromium, Playwright.

Fixtures
--------
dashboard_server (session)
    ``cxlab.serve.start_dashboard`` on the session's demo workspace, in English,
    on a free port (:class:`cxlab.serve.DashboardServer`); Voila's log goes to
    ``tests/artifacts/dashboard-server.log``.
browser (module)
    Chromium at ``/usr/bin/chromium`` driven by Playwright's sync API; nothing
    is downloaded (never ``playwright install``).  Skipped only when Chromium
    or Playwright is missing *and* ``$CI`` is unset; in CI that is a failure.
    Module scope, not session: while Playwright's sync API is running,
    asyncio takes the test thread for one with a running loop, and any later
    ``asyncio.run()`` (the mail tests', say) would fail.
page (function)
    A fresh context and page.  ``page.js_errors`` collects console errors and
    uncaught exceptions (tests assert it stays empty); requests that leave the
    machine are answered empty and listed in ``page.external_requests``; a
    screenshot is saved to ``tests/artifacts/<test>.png`` at teardown.

:func:`open_dashboard` opens the dashboard and waits for its root element;
:func:`settle` waits for a redraw (after a filter change, say) to finish.

Examples
--------
::

    def test_opens(page, dashboard_server):
        root = open_dashboard(page, dashboard_server, "wave=2026-Q3")
        assert "cx-dashboard-ready" in root.get_attribute("class")
        assert page.js_errors == []
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

__all__ = ["open_dashboard", "settle", "launch_browser", "CHROMIUM", "CHROMIUM_ARGS", "READY", "ERROR"]

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling Google's
# services, and on a closed network its own connections are refused.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
#: The dashboard marks its root with one of these once it has rendered.
READY, ERROR = "cx-dashboard-ready", "cx-dashboard-error"
#: The first render executes the notebook in a new kernel.
RENDER_TIMEOUT_MS = 120_000
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _unavailable(reason: str):
    # A machine without Chromium may skip; CI must have it (.ci/run installs it).
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI: .ci/run installs Debian's chromium, the dev extra playwright)")
    pytest.skip(reason)


def launch_browser(playwright):
    """Chromium at /usr/bin/chromium with the flags of a closed network."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def dashboard_server(demo_ws):
    from cxlab.present.derived_results import derive
    from cxlab.serve import start_dashboard

    # As after `make demo` or an import: the slow results are stored before anyone looks, so the
    # pages read them (computing them in the server's kernels while tests wait is not the real use).
    derive(demo_ws, progress=False)
    # Voila's log beside the screenshots, for a test that fails.
    server = start_dashboard(demo_ws.path, lang="en", log_path=ARTIFACTS / "dashboard-server.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    pw = sync_playwright().start()
    try:
        chromium = launch_browser(pw)
    except Exception:
        pw.stop()
        raise
    yield chromium
    chromium.close()
    pw.stop()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in _LOCAL_HOSTS


def _answer_empty(external: list):
    def handler(route):
        # Nothing may leave the machine (cxlab's template drops Voila's CDN
        # links).  An empty answer rather than a network error keeps a stray
        # request from failing as an unrelated console error; the list names it.
        url = route.request.url
        external.append(url)
        kind = "text/css" if urlsplit(url).path.endswith(".css") else "text/plain"
        route.fulfill(status=200, body="", content_type=kind)

    return handler


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")[:150] or "page"


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    external: list[str] = []
    context.route(lambda url: not _is_local(url), _answer_empty(external))
    pg = context.new_page()
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error":
            loc = msg.location or {}
            errors.append(f"console error: {msg.text} ({loc.get('url', '')}:{loc.get('lineNumber', '')})")

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    pg.js_errors = errors
    pg.external_requests = external
    yield pg
    try:
        settle(pg)  # not a frame of a redraw in progress
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{_artifact_name(request.node.nodeid)}.png"), full_page=True)
    except Exception as exc:  # a screenshot must not turn a pass into an error
        print(f"screenshot not saved: {exc}")
    finally:
        context.close()


_SETTLE_JS = """([quietMs, limitMs]) => new Promise(resolve => {
  const start = Date.now();
  let timer;
  const observer = new MutationObserver(() => {
    clearTimeout(timer);
    timer = Date.now() - start > limitMs ? done() : setTimeout(done, quietMs);
  });
  function done() {
    observer.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(Date.now() - start)));
  }
  observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  timer = setTimeout(done, quietMs);
})"""


def settle(page, quiet_ms: int = 300, limit_ms: int = 10_000) -> int:
    """Wait until the page's DOM has not changed for ``quiet_ms`` (at most ``limit_ms``), then two frames.

    Widgets draw after the root element appears, and a filter change redraws
    the outputs; this waits for the redraw rather than a fixed time.
    Returns the milliseconds waited.
    """
    return page.evaluate(_SETTLE_JS, [quiet_ms, limit_ms])


def open_dashboard(page, server, query="", timeout_ms: int = RENDER_TIMEOUT_MS):
    """Open ``server``'s dashboard with ``query`` and wait until it has rendered.

    Waits for the element with class ``cx-dashboard-ready`` (or
    ``cx-dashboard-error``, for a query the dashboard refuses) to be visible
    (Voila shows the cells only when the whole notebook has run), then for
    the widgets to finish drawing (:func:`settle`).

    Returns
    -------
    playwright.sync_api.Locator
        The dashboard's root element.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # "commit": Voila streams the page while the notebook runs, so the load
    # event comes only at the end; the wait below has the long timeout.
    page.goto(server.url_with(query), wait_until="commit", timeout=timeout_ms)
    root = page.locator(f".{READY}, .{ERROR}").first
    try:
        root.wait_for(state="visible", timeout=timeout_ms)
    except PlaywrightTimeout:
        loading = page.locator("#loading_text")
        status = loading.inner_text() if loading.count() else "(no progress text)"
        raise AssertionError(
            f"the dashboard did not render within {timeout_ms / 1000:g} s; page says "
            f"{status!r}; JS errors {page.js_errors}; server log ends:\n"
            f"{server.log_tail()}"
        ) from None
    settle(page)
    return root
