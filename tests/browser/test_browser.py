"""The dashboard in a real browser: Debian's Chromium driven by Playwright.

The walk a centre manager, a commissioner and a data officer take: every page in the navigation,
at 1400 px (a laptop's full screen) and at 800 px (the dashboard beside another window), on the
demo authority and on an empty database. Each visit is timed to the page fully drawn: the script
finished, no placeholder, spinner or "running" indicator left, every chart drawn (its SVG, and for
the map its map canvas loaded) and every table in view drawn. The timings go to
tests/screenshots/timings.csv and are printed. A page's first load is timed two ways:

- **From the sidebar**, the way a person goes from page to page: a tab opened on the dashboard,
  then each page chosen in the sidebar in turn, the first visit to that page in the session (the
  browser's Streamlit code already running, a moment's pause on each page as a person reads it).
  Every page must be fully drawn within two seconds, or on a machine too busy for that, within
  NAV_TIMES_FLOOR times the floor measured in the same run: a page of a bare Streamlit app
  (bare_app.py) chosen in its sidebar (`REACH_NAV_SECONDS` sets the limit outright). A page over
  it is given one more first visit in a new session, and the quicker counts.
- **In a new tab**, the page's address opened afresh (a new session: Streamlit's code starts up
  in the browser), in a browser that has opened the dashboard before and so keeps that code in
  its cache, as a person's browser does. Every chart, the map included, is drawn as SVG, with no
  charting code to start (Plotly's 4.7 MB of code runs only for the map that zooms and pans,
  when asked for). Recorded, and held to `REACH_PAGE_SECONDS` (8 seconds by default) or four times the
  Data page's first load in the same run, whichever is longer (a busy machine slows every page
  alike), so a page that has slowed badly fails. With `REACH_NEW_TAB_SECONDS=2` every page is
  held to the two-second goal instead: on a quiet machine they meet it, but a test machine busy
  with other work cannot promise it, so it is not the default. Either way a page over its limit
  is opened once more in a new tab, and the quicker counts, as in the sidebar.

The server is started, and its first visit made in a fresh browser (nothing cached), before the
pages are timed: that visit pays for loading Reach's Python modules and fetching the browser's
code, and is timed and recorded too ("first visit after start"), but held only to a looser limit.

A visit fails on any exception shown on the page, any request that leaves this machine, or any
JavaScript error. At 800 px it also fails unless the layout stacks: every chart takes at least
90% of the page's width, no tile's figure or label is cut short, and the sidebar is narrower.
Screenshots, named by database, page and width, are saved under tests/screenshots/.

Opt-in locally (it needs /usr/bin/chromium); in CI (CI=true) a missing browser is a failure,
never a silent skip.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT / "tests" / "screenshots"
TIMINGS = SCREENSHOTS / "timings.csv"
PAGES = {   # url path: (the name in screenshots, the page's title)
    "": ("overview", "Overview"),
    "my-centre": ("my-centre", "My centre"),
    "compare": ("compare", "Compare centres"),
    "best-start": ("best-start", "Best Start"),
    "map": ("map", "Map and gaps"),
    "what-if": ("what-if", "What if"),
    "data": ("data", "Data and definitions"),
}
WIDTHS = (1400, 800)
HEIGHT = 900
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
SECRET = "test-secret-not-for-real-data-0123456789"
PAGE_SECONDS = float(os.environ.get("REACH_PAGE_SECONDS", "8.0"))
GOAL_SECONDS = 2.0
NAV_SECONDS = float(os.environ["REACH_NAV_SECONDS"]) if os.environ.get("REACH_NAV_SECONDS") else None
NAV_TIMES_FLOOR = 8.0     # a page chosen in the sidebar may take this many times the bare app's page
FLOOR_CHOICES = 9         # pages chosen in the bare app's sidebar; the median is the floor
NEW_TAB_SECONDS = float(os.environ["REACH_NEW_TAB_SECONDS"]) if os.environ.get("REACH_NEW_TAB_SECONDS") else None
READING_SECONDS = 1.0     # the pause on each page before the next is chosen in the sidebar
TIMES_BASELINE = 4.0      # a page may take this many times the Data page's first load
FIRST_VISIT_SECONDS = 30.0

pytestmark = pytest.mark.browser

# True once the page is fully drawn: the script has finished, nothing is stale or waiting, the
# page's title is shown (the title given, when one is: the page chosen, not the one left), every
# chart has drawn (a map: its map loaded too) and every table in view has its canvas. Returns the
# number of charts plus one, so a test can say what it waited for.
FULLY_DRAWN = """(title) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const main = document.querySelector("[data-testid='stMain']");
  const h1 = main && main.querySelector("h1");
  if (!h1 || (title && !h1.innerText.startsWith(title))) return false;
  if (document.querySelector("[data-testid='stSkeleton'], [data-testid='stSpinner'], [data-stale='true']"))
    return false;
  const charts = main.querySelectorAll("[data-testid='stPlotlyChart']");
  for (const chart of charts) {
    const plot = chart.querySelector(".js-plotly-plot");
    if (!plot || !plot.querySelector(".main-svg") || !plot._fullLayout) return false;
    const map = plot._fullLayout.map && plot._fullLayout.map._subplot && plot._fullLayout.map._subplot.map;
    if (map && !(map.loaded() && map.isStyleLoaded())) return false;
  }
  // A chart drawn as SVG (every chart, the map too) is drawn with the page: counted, nothing to wait for.
  const drawings = [...main.querySelectorAll(".reach-chart svg")].filter(svg => svg.getBoundingClientRect().width > 0);
  for (const table of main.querySelectorAll("[data-testid='stDataFrame']")) {
    // A table is drawn when it comes into view (one below the fold, or in a closed expander, waits).
    if (table.closest("details:not([open])")) continue;
    const box = table.getBoundingClientRect();
    const inView = box.width > 0 && box.height > 0 && box.top < window.innerHeight && box.bottom > 0;
    if (inView && !table.querySelector("canvas")) return false;
  }
  return charts.length + drawings.length + 1;
}"""

# At a narrow width: what is squeezed or cut. Charts narrower than 90% of the page's width, tile
# figures or labels whose text is wider than their box, and the sidebar's width.
NARROW_LAYOUT = """() => {
  const block = document.querySelector("[data-testid='stMainBlockContainer']");
  const style = getComputedStyle(block);
  const width = block.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const squeezed = [];
  for (const chart of block.querySelectorAll("[data-testid='stPlotlyChart'], .reach-chart")) {
    const box = chart.getBoundingClientRect();
    if (box.width > 0 && box.width < 0.9 * width) squeezed.push(Math.round(box.width));
  }
  const cut = [];
  for (const part of block.querySelectorAll(
      "[data-testid='stMetricValue'], [data-testid='stMetricValue'] *, [data-testid='stMetricLabel'] *")) {
    if (part.clientWidth > 0 && part.scrollWidth > part.clientWidth + 1) cut.push(part.textContent.trim());
  }
  const sidebar = document.querySelector("section[data-testid='stSidebar']");
  const sidebarWidth = sidebar && sidebar.getAttribute("data-collapsed") === "false"
    ? sidebar.getBoundingClientRect().width : 0;
  return {width: Math.round(width), squeezed, cut, sidebar: Math.round(sidebarWidth),
          charts: block.querySelectorAll("[data-testid='stPlotlyChart'], .reach-chart").length};
}"""

_timings: list[dict] = []
_databases: dict[str, Path] = {}      # each server's database, by its address


def _require_chromium():
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db: Path, folder: Path, script: Path = PROJECT / "dashboard.py"):
    """`streamlit run dashboard.py` (or `script`) on `db`, on a free port; returns (process, base
    URL, log)."""
    port = _free_port()
    env = dict(os.environ, REACH_DB=str(db), REACH_SECRET=SECRET)
    log = open(folder / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script),
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, base, log
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            raise RuntimeError("streamlit did not start:\n" + (folder / "streamlit.log").read_text())
        time.sleep(0.2)


def _stop(process, log) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module", autouse=True)
def _write_timings():
    """After the module: every timing to timings.csv, and printed."""
    yield
    if not _timings:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with TIMINGS.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=["database", "page", "width", "how", "seconds", "charts"])
        writer.writeheader()
        writer.writerows(_timings)
    print(f"\nFirst load of each page, fully drawn (seconds; the goal is {GOAL_SECONDS:g}):")
    for row in _timings:
        print(f"  {row['database']:6} {row['page']:30} {row['width']:>5} px  {row['how']:8} {row['seconds']:5.2f} s"
              f"  ({row['charts']} charts){'' if row['seconds'] < GOAL_SECONDS else '  over the goal'}")


class Visit:
    """One first load of a page in a new tab: what it took, and what went wrong. With `context`,
    the tab opens in that browser context (which has opened the dashboard before); without, in
    a fresh one with nothing cached."""

    def __init__(self, browser, base: str, path: str, width: int, context=None):
        self._own_context = context is None
        self.context = context or browser.new_context(viewport={"width": width, "height": HEIGHT})
        self.page = self.context.new_page()
        self.page.set_viewport_size({"width": width, "height": HEIGHT})
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", self._watch)
        self.page.on("websocket", lambda socket_: self._watch_url(socket_.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        started = time.monotonic()
        self.page.goto(f"{base}/{path}", wait_until="commit")
        self.charts, drawn_at = _wait_until_drawn(self.page)
        self.seconds = drawn_at - started

    def _watch(self, request) -> None:
        self._watch_url(request.url)

    def _watch_url(self, url: str) -> None:
        if url.startswith(("data:", "blob:", "about:")):
            return
        if (urlparse(url).hostname or "") not in LOCAL_HOSTS:
            self.outside.append(url)

    def close(self) -> None:
        self.page.close()
        if self._own_context:
            self.context.close()


def _wait_until_drawn(page, timeout: float = 60.0, title: str | None = None) -> tuple[int, float]:
    """Wait until FULLY_DRAWN holds (with `title`: on the page of that title), and still holds a
    moment later (a rerun can start after a first finish); returns the number of charts and the
    moment it was first seen drawn (the moment counted, not the moment made sure of)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.wait_for_function(FULLY_DRAWN, arg=title,
                               timeout=max(1.0, deadline - time.monotonic()) * 1000, polling=50)
        drawn_at = time.monotonic()
        page.wait_for_timeout(400)
        charts = page.evaluate(FULLY_DRAWN, title)
        if charts:
            return int(charts) - 1, drawn_at
    raise AssertionError("the page was not fully drawn in time")


def _record(database: str, page: str, width: int, visit: Visit, *, how: str = "new tab") -> None:
    _timings.append({"database": database, "page": page, "width": width, "how": how,
                     "seconds": round(visit.seconds, 2), "charts": visit.charts})


def _check(visit: Visit, *, name: str, title: str, width: int, database: str) -> None:
    page = visit.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The page scrolls inside Streamlit's main area, not the document: to photograph all of it,
    # make the window as tall as the page first.
    tall = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": width, "height": min(max(HEIGHT, int(tall)), 12_000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / f"{database}-{name}-{width}.png"), full_page=True)
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert page.locator("[data-testid='stMain'] h1").first.inner_text().startswith(title), \
        f"page {name!r} is not titled {title!r}"
    assert not visit.outside, f"requests left this machine: {visit.outside[:5]}"
    assert not visit.errors, f"errors in the page's JavaScript: {visit.errors[:3]}"
    if width < 1000:
        layout = page.evaluate(NARROW_LAYOUT)
        assert not layout["squeezed"], (f"at {width} px, charts {layout['squeezed']} px wide in a page "
                                        f"{layout['width']} px wide: the columns did not stack")
        assert not layout["cut"], f"at {width} px, tile figures or labels are cut short: {layout['cut'][:5]}"
        assert layout["sidebar"] <= 240, f"at {width} px the sidebar is {layout['sidebar']} px wide"


# --- the demo authority ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, demo_db_template, browser):
    """The dashboard on a copy of the demo authority with its opening figures stored, as
    `python -m reach demo` leaves it, started, and its first visit made."""
    from reach.queries.figures_store import store_figures_after

    folder = tmp_path_factory.mktemp("browser_demo")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    previous = os.environ.get("REACH_SECRET")
    os.environ["REACH_SECRET"] = SECRET
    try:
        stored, line = store_figures_after(db)
    finally:
        if previous is None:
            os.environ.pop("REACH_SECRET", None)
        else:
            os.environ["REACH_SECRET"] = previous
    assert stored, line
    process, base, log = _start(db, folder)
    _databases[base] = db
    try:
        first = Visit(browser, base, "", WIDTHS[0])
        first.close()
        _record("demo", "first visit after start", WIDTHS[0], first)
        assert first.seconds < FIRST_VISIT_SECONDS, f"the first visit took {first.seconds:.1f} s"
        yield base
    finally:
        _stop(process, log)


@pytest.fixture(scope="module")
def returning_browser(browser, demo_server):
    """A browser context that has opened the dashboard before, so its code is in the cache."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
    Visit(browser, demo_server, "data", WIDTHS[0], context=context).close()     # fills the cache
    baseline = Visit(browser, demo_server, "data", WIDTHS[0], context=context)
    baseline.close()
    _record("demo", "baseline: the Data page again", WIDTHS[0], baseline)
    yield context, max(PAGE_SECONDS, TIMES_BASELINE * baseline.seconds)
    context.close()


class Chosen:
    """A page chosen in the sidebar of a tab already open (`visit`): the time from the click to
    the page fully drawn, in the same shape as a Visit's."""

    def __init__(self, visit: Visit, title: str):
        self.page, self.errors, self.outside = visit.page, visit.errors, visit.outside
        link = visit.page.locator("[data-testid='stSidebarNav'] a").filter(
            has=visit.page.get_by_text(title, exact=True))
        link.wait_for(timeout=10_000)
        started = time.monotonic()
        link.click()
        self.charts, drawn_at = _wait_until_drawn(visit.page, title=title)
        self.seconds = drawn_at - started


def _walk_the_sidebar(browser, base: str, width: int, context, opening: str, paths: list[str]) -> dict[str, float]:
    """Open `opening` in a new tab, then choose each of `paths` in the sidebar in turn, a moment
    on each page before the next; each is timed, recorded and checked. Returns the seconds each
    page took to be fully drawn."""
    tab = Visit(browser, base, opening, width, context=context)
    seconds = {}
    try:
        for path in paths:
            tab.page.wait_for_timeout(READING_SECONDS * 1000)
            chosen = Chosen(tab, PAGES[path][1])
            _record("demo", PAGES[path][0], width, chosen, how="sidebar")       # type: ignore[arg-type]
            exceptions = tab.page.locator("[data-testid='stException']")
            assert exceptions.count() == 0, exceptions.first.inner_text()
            seconds[path] = chosen.seconds
        assert not tab.outside, f"requests left this machine: {tab.outside[:5]}"
        assert not tab.errors, f"errors in the page's JavaScript: {tab.errors[:3]}"
    finally:
        tab.close()
    return seconds


@pytest.fixture(scope="module")
def sidebar_limit(browser, tmp_path_factory) -> float:
    """The seconds a page chosen in the sidebar may take: the goal, or on a machine too busy for
    it, NAV_TIMES_FLOOR times the floor measured now. The floor is the median time from choosing
    a page in the sidebar of a bare Streamlit app (bare_app.py, served beside the dashboard) to
    that page fully drawn: what Streamlit and the browser cost on this machine at this moment, with
    nothing of Reach in it. `REACH_NAV_SECONDS` sets the limit outright instead."""
    folder = tmp_path_factory.mktemp("bare_app")
    process, base, log = _start(folder / "none.duckdb", folder, script=Path(__file__).with_name("bare_app.py"))
    seconds = []
    try:
        tab = Visit(browser, base, "", WIDTHS[0])
        try:
            for choice in range(FLOOR_CHOICES):
                tab.page.wait_for_timeout(READING_SECONDS * 1000)
                seconds.append(Chosen(tab, "Second" if choice % 2 == 0 else "First").seconds)
        finally:
            tab.close()
    finally:
        _stop(process, log)
    floor = statistics.median(seconds)
    _timings.append({"database": "bare", "page": "floor: a bare app's page", "width": WIDTHS[0],
                     "how": "sidebar", "seconds": round(floor, 2), "charts": 0})
    return NAV_SECONDS if NAV_SECONDS is not None else max(GOAL_SECONDS, NAV_TIMES_FLOOR * floor)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_chosen_in_the_sidebar_is_drawn_within_the_goal(demo_server, browser, returning_browser,
                                                                   sidebar_limit, width):
    """A person opens the dashboard (here on the Data page) and goes through every other page from
    the sidebar; then, in another tab opened on the Overview, to the Data page. Each is that
    page's first visit in its session, and is drawn within two seconds, or on a machine too busy
    for that, within NAV_TIMES_FLOOR times a bare Streamlit page chosen the same way in this run."""
    context, _ = returning_browser
    others = [path for path in PAGES if path != "data"]
    seconds = {**_walk_the_sidebar(browser, demo_server, width, context, "data", others),
               **_walk_the_sidebar(browser, demo_server, width, context, "", ["data"])}
    # A page over the limit is given one more first visit, in a new session, and keeps the quicker:
    # a test machine busy with other work for a moment should not fail a page that is fast.
    again = [path for path in others if seconds[path] >= sidebar_limit]
    if again:
        for path, retried in _walk_the_sidebar(browser, demo_server, width, context, "data", again).items():
            seconds[path] = min(seconds[path], retried)
    if seconds["data"] >= sidebar_limit:
        seconds["data"] = min(seconds["data"], _walk_the_sidebar(browser, demo_server, width, context, "",
                                                                 ["data"])["data"])
    slow = [f"{PAGES[path][0]} {value:.2f} s" for path, value in seconds.items() if value >= sidebar_limit]
    assert not slow, (f"at {width} px, pages chosen in the sidebar took {sidebar_limit:.2f} s or more "
                      f"to be fully drawn, twice: {', '.join(slow)}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_on_the_demo_opens_fast_and_whole(demo_server, browser, returning_browser, path, width):
    name, title = PAGES[path]
    context, relative = returning_browser
    limit = relative if NEW_TAB_SECONDS is None else NEW_TAB_SECONDS
    visit = Visit(browser, demo_server, path, width, context=context)
    try:
        _record("demo", name, width, visit)
        _check(visit, name=name, title=title, width=width, database="demo")
        seconds = visit.seconds
    finally:
        visit.close()
    if seconds >= limit:        # the sidebar's rule: one more first load in a new tab, the quicker counts
        again = Visit(browser, demo_server, path, width, context=context)
        try:
            _record("demo", name, width, again, how="new tab, again")
            seconds = min(seconds, again.seconds)
        finally:
            again.close()
    assert seconds < limit, (f"{name} at {width} px took {seconds:.2f} s to be fully drawn in a new tab, twice "
                             f"(the limit is {limit:.1f} s)")


# --- an empty database -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def empty_server(tmp_path_factory, browser):
    """The dashboard on a new store with its tables and no rows (what a council starts from)."""
    from data.store import connect

    folder = tmp_path_factory.mktemp("browser_empty")
    db = folder / "reach.duckdb"
    previous = os.environ.get("REACH_SECRET")
    os.environ["REACH_SECRET"] = SECRET
    try:
        connect(db).close()
    finally:
        if previous is None:
            os.environ.pop("REACH_SECRET", None)
        else:
            os.environ["REACH_SECRET"] = previous
    process, base, log = _start(db, folder)
    try:
        yield base
    finally:
        _stop(process, log)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_on_an_empty_database_opens_whole(empty_server, browser, path, width):
    name, title = PAGES[path]
    visit = Visit(browser, empty_server, path, width)
    try:
        _record("empty", name, width, visit)
        _check(visit, name=name, title=title, width=width, database="empty")
    finally:
        visit.close()


# --- a shared What if link, and an import undone, in the browser --------------------------------

def _headline(page) -> str:
    """The What if page's headline: its first paragraph in bold."""
    return page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer'] strong").first.inner_text()


def _month_by_month_title(page) -> str:
    return page.locator(".reach-chart").filter(has_text="month by month").first.get_attribute("data-title")


def _shared_link(browser, base: str, *, choose, written: str, read) -> tuple[str, str, str]:
    """A What if link as a sender makes it (`choose` clicks a choice, which the address then holds
    as `written`) and as a receiver opens it in a fresh browser: the link, and what `read` reads
    on the sender's page and on the receiver's."""
    sender = Visit(browser, base, "what-if", WIDTHS[0])
    try:
        page = sender.page
        choose(page)
        page.wait_for_function("(written) => location.search.includes(written)", arg=written, timeout=30_000)
        _wait_until_drawn(page)
        link = page.locator("[data-testid='stCode'] code").first.inner_text().strip()
        sent = read(page)
    finally:
        sender.close()
    assert written in link
    receiver = Visit(browser, base, link.replace(base + "/", ""), WIDTHS[0])
    try:
        received = read(receiver.page)
        assert not receiver.errors and not receiver.outside
    finally:
        receiver.close()
    return link, sent, received


def test_a_shared_what_if_link_opens_on_the_senders_figures(demo_server, browser):
    link, sent, received = _shared_link(
        browser, demo_server, written="sharing=quarterly", read=_headline,
        choose=lambda page: page.get_by_test_id("stRadioGroup").get_by_text("Quarterly", exact=True).click())
    assert "as_at=" in link
    assert sent.startswith("Sharing birth data quarterly instead of monthly")
    assert received == sent


def test_a_shared_what_if_link_opens_on_the_under_twos_when_the_sender_chose_them(demo_server, browser):
    _, sent, received = _shared_link(
        browser, demo_server, written="children=under2", read=_month_by_month_title,
        choose=lambda page: page.get_by_test_id("stButtonGroup").get_by_text("Under-twos", exact=True).click())
    assert sent == received == "Reach under two month by month"


def test_the_map_zooms_and_pans_with_plotly_when_asked(demo_server, browser):
    """The Map page opens on its SVG map; "Zoom and pan" swaps in the Plotly map, which draws with
    no request leaving this machine (no tiles, no fonts) and no error."""
    visit = Visit(browser, demo_server, "map", WIDTHS[0])
    try:
        page = visit.page
        assert page.locator("[data-testid='stPlotlyChart']").count() == 0
        assert page.locator(".reach-chart svg").count() >= 1
        page.get_by_text("Zoom and pan", exact=True).click()
        page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=30_000)
        _wait_until_drawn(page, title="Map and gaps")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "demo-map-zoom-and-pan-1400.png"))
        exceptions = page.locator("[data-testid='stException']")
        assert exceptions.count() == 0, exceptions.first.inner_text()
        assert not visit.outside, f"requests left this machine: {visit.outside[:5]}"
        assert not visit.errors, f"errors in the page's JavaScript: {visit.errors[:3]}"
    finally:
        visit.close()


def test_an_import_then_its_undo_in_one_session_remove_exactly_that_import(demo_server, browser, tmp_path):
    extra = tmp_path / "one_more_centre.csv"
    extra.write_text("centre_id,name\nDEMO99,Browser Test Centre\n")
    visit = Visit(browser, demo_server, "data", WIDTHS[0])
    try:
        page = visit.page
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(extra))
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_text("1 row loaded").first.wait_for(timeout=60_000)
        page.get_by_role("tab", name="Import history").click()
        # The chooser, the confirmation and the button all name the import just made.
        confirm = page.get_by_text("Yes, remove the 1 row loaded from one_more_centre.csv")
        confirm.wait_for(timeout=30_000)
        chooser = page.locator("[data-testid='stSelectbox']").filter(has_text="Import to undo")
        assert "one_more_centre.csv" in chooser.evaluate("element => element.innerText + ' ' + "
                                                        "[...element.querySelectorAll('input')].map(i => i.value)"
                                                        ".join(' ')")
        number = re.search(r"\(import (\d+),", confirm.inner_text()).group(1)
        confirm.click()
        undo = page.get_by_role("button", name=f"Undo import {number}", exact=True)
        undo.wait_for(timeout=30_000)
        page.wait_for_function("() => !document.querySelector(\"[data-testid='stButton'] button[disabled]\")",
                               timeout=30_000)
        undo.click()
        page.wait_for_selector("[data-testid='stAlertContentSuccess']", timeout=60_000)
        _wait_until_drawn(page)
        page.screenshot(path=str(SCREENSHOTS / "demo-data-after-undo-1400.png"), full_page=True)
        message = page.locator("[data-testid='stAlertContentSuccess']").first.inner_text()
        assert "one_more_centre.csv" in message and "1" in message
        # The chooser moved on to the newest import left (the demo's results at five), and the box is clear.
        assert not page.get_by_text("Yes, remove the 1 row loaded from one_more_centre.csv").count()
        next_one = re.compile(r"Yes, remove the [\d,]+ rows loaded from brackenfold_eyfsp")
        assert page.get_by_text(next_one).count() == 1
        assert not page.get_by_role("checkbox").first.is_checked()
        assert not visit.errors and not visit.outside
    finally:
        visit.close()
    from data.store import opened
    with opened(_databases[demo_server], read_only=True) as con:
        assert con.execute("SELECT count(*) FROM centres WHERE centre_id = 'DEMO99'").fetchall()[0][0] == 0
