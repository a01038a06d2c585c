"""Sign-in and roles in a real browser, against a local identity provider.

The dashboard runs on a copy of the demo authority with sign-in configured (an `[auth]` section
naming oidc-provider-mock, served from this test) and a roles file giving a data officer, a
commissioner (by their domain) and the manager of one centre (DEMO01, by their address, which
beats the domain). Chromium signs in as each of them, as someone with no role, and not at all, and
the test checks what each may open, what is refused however it is reached (the navigation, the
centre chooser, the page's address and its `?centre=` parameter) and what the audit trail in the
store records. Two more servers run without sign-in configured: one, reached by a name that is not
"localhost" (so its Host header says the browser is elsewhere), refuses everything; the other
(REACH_ALLOW_ANONYMOUS=1), listening on this computer's network address and reached there, shows
its banner on the pages it opens.

Every request to a host that is not this computer is stopped and fails the test (the identity
provider's own page asks for a style sheet on a public CDN: that is stopped too, and allowed).
Screenshots go to tests/screenshots/sign-in-*.png.

Opt-in locally (it needs /usr/bin/chromium); in CI (CI=true) a missing browser is a failure,
never a silent skip.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
from contextlib import contextmanager

import pytest

from data.store import opened
from tests.browser.sign_in_harness import (BROWSER_ARGS, OTHER_NAME, Watch, identity_provider, sign_in,
                                           start_dashboard, this_computers_address, write_roles, write_secrets)
from tests.browser.test_browser import CHROMIUM, HEIGHT, SCREENSHOTS, _require_chromium

pytestmark = [pytest.mark.browser,
              # Authlib warns oidc-provider-mock (the test's identity provider) of its own deprecations.
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]

WIDTH = 1400
DATA_OFFICER = "amina.khan@brackenfold.gov.uk"
COMMISSIONER = "lee.patel@brackenfold.gov.uk"        # by the *@brackenfold.gov.uk line
MANAGER = "jo.smith@brackenfold.gov.uk"             # their own line beats the domain's
NO_ROLE = "sam.jones@elsewhere.example.org"
OWN_CENTRE, OTHER_CENTRE, THIRD_CENTRE = "DEMO01", "DEMO02", "DEMO03"
ROLES = [
    (DATA_OFFICER, "data_officer", ""),
    ("*@brackenfold.gov.uk", "commissioner", ""),
    (MANAGER, "centre_manager", OWN_CENTRE),
]
# The pages of aggregate figures, open to every role, as the navigation lists them; the Data page is
# a data officer's alone.
NAVIGATION = ["Overview", "My centre", "Compare centres", "Best Start", "Map and gaps", "What if"]
DATA_PAGE = ("data", "Data and definitions")
WORKLIST_BUTTON = "Download the worklist (pseudonymised)"
ANONYMOUS_BANNER = "REACH_ALLOW_ANONYMOUS=1"


# --- the servers and the browser -------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def provider():
    _require_chromium()
    with identity_provider() as base:
        yield base


@pytest.fixture(scope="module")
def signed(tmp_path_factory, demo_db_template, provider):
    """The dashboard with sign-in configured, on a copy of the demo authority."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("sign_in")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    dashboard = start_dashboard(folder, db=db, secrets=write_secrets(folder, provider=provider),
                                roles=write_roles(folder, ROLES))
    try:
        yield dashboard
    finally:
        dashboard.stop()


@pytest.fixture(scope="module")
def unconfigured(tmp_path_factory, demo_db_template):
    """The dashboard with no [auth] section, listening on this computer only."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("no_sign_in")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    dashboard = start_dashboard(folder, db=db, secrets=write_secrets(folder, provider=None))
    try:
        yield dashboard
    finally:
        dashboard.stop()


@pytest.fixture(scope="module")
def anonymous(tmp_path_factory, demo_db_template):
    """The dashboard with no [auth] section and REACH_ALLOW_ANONYMOUS=1, listening on this computer's
    own network address (or, on a computer with none, on 127.0.0.1 and reached by another name):
    returns the dashboard and the host to visit it by."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("anonymous")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    address = this_computers_address()
    dashboard = start_dashboard(folder, db=db, secrets=write_secrets(folder, provider=None),
                                address=address or "127.0.0.1", environment={"REACH_ALLOW_ANONYMOUS": "1"})
    try:
        yield dashboard, address or OTHER_NAME
    finally:
        dashboard.stop()


# The page's script has finished and nothing on it is waiting or stale. (Unlike the walk through
# every page in test_browser.py, charts need not have finished drawing: what is checked here is
# what the page holds, not how it looks.)
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (!document.querySelector("[data-testid='stMain'] h1")) return false;
  return !document.querySelector("[data-testid='stSkeleton'], [data-testid='stSpinner'], [data-stale='true']");
}"""


def _wait_until_drawn(page, timeout: float = 60.0) -> None:
    """Wait until SETTLED holds, and still holds a moment later (a rerun can start after a first finish)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.wait_for_function(SETTLED, timeout=max(1.0, deadline - time.monotonic()) * 1000, polling=50)
        page.wait_for_timeout(300)
        if page.evaluate(SETTLED):
            return
    raise AssertionError(f"{page.url} did not finish drawing in time")


@contextmanager
def tab(browser, provider: str = "http://127.0.0.1:1", *, local: frozenset[str] = frozenset()):
    """A new browser context (no cookies: nobody signed in) and a page in it; on leaving, fails on
    any request that left this machine or any JavaScript error."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    watch = Watch(context, provider=provider, local=local)
    page = context.new_page()
    try:
        yield page
        assert not watch.outside, f"requests left this machine: {watch.outside[:5]}"
        assert not watch.errors, f"errors in the page's JavaScript: {watch.errors[:3]}"
    finally:
        context.close()


def _open(page, url: str) -> None:
    page.goto(url, wait_until="commit")
    _wait_until_drawn(page)


def _go(page, title: str) -> None:
    """Open a page from the navigation, in the same session (no new page load)."""
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=re.compile(rf"^{re.escape(title)}$")).click()
    page.wait_for_function("title => { const h = document.querySelector(\"[data-testid='stMain'] h1\"); "
                           "return h && h.innerText.trim().startsWith(title); }", arg=title, timeout=60_000)
    _wait_until_drawn(page)


def _title(page) -> str:
    return page.locator("[data-testid='stMain'] h1").first.inner_text().strip()


def _main_text(page) -> str:
    """The page's text as read (without the invisible word joiners that keep addresses from
    turning into links)."""
    return page.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")


def _navigation(page) -> list[str]:
    return [text.strip() for text in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


def _count(page, test_id: str) -> int:
    return page.locator(f"[data-testid='{test_id}']").count()


def _no_figures(page) -> None:
    """Nothing of the authority's on the page: no figures, tables, charts, downloads or navigation."""
    for test_id in ("stMetric", "stDataFrame", "stPlotlyChart", "stDownloadButton", "stSidebarNav",
                    "stSelectbox", "stFileUploader", "stException"):
        assert _count(page, test_id) == 0, f"{test_id} on a page that should show nothing: {page.url}"
    body = page.locator("body").inner_text()
    assert "Lowther Park" not in body and "DEMO01" not in body, "a centre's name or id is on the page"


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"sign-in-{name}.png"), full_page=True)


def _audit(db) -> list[dict]:
    with opened(db, read_only=True, wait_seconds=15) as con:
        frame = con.execute("SELECT actor, role, action, centre_id, row_count, detail FROM audit "
                            "ORDER BY audit_id").df()
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _choose_centre(page, centre_id: str) -> None:
    """Choose a centre in the page's centre chooser (the options read "Name (ID)")."""
    chooser = page.locator("[data-testid='stSelectbox']").filter(has_text="Centre").first
    option = page.get_by_role("option", name=re.compile(rf"\({centre_id}\)$"))
    for _ in range(3):            # a rerun still drawing can close the list just opened: open it again
        chooser.click()
        try:
            option.click(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
            _wait_until_drawn(page)
    page.wait_for_timeout(300)
    _wait_until_drawn(page)


def _chosen_centre(page) -> str:
    chooser = page.locator("[data-testid='stSelectbox']").filter(has_text="Centre").first
    return chooser.evaluate("element => element.innerText + ' ' + "
                            "[...element.querySelectorAll('input')].map(input => input.value).join(' ')")


# --- not signed in, and signed in with no role --------------------------------------------------------

@pytest.mark.parametrize("path", ["", "my-centre?centre=DEMO01", "data"])
def test_not_signed_in_shows_only_the_sign_in_page(signed, browser, path):
    with tab(browser) as page:
        _open(page, signed.url(path))
        assert _title(page) == "Reach"
        assert page.get_by_role("button", name="Sign in").count() == 1
        _no_figures(page)
        if path == "":
            _shot(page, "not-signed-in")


def test_someone_with_no_role_sees_the_no_role_page_and_the_refusal_is_recorded(signed, browser, provider):
    with tab(browser, provider) as page:
        sign_in(page, signed, NO_ROLE)
        _wait_until_drawn(page)
        _shot(page, "no-role")
        assert _title(page) == "No role in Reach"
        assert NO_ROLE in _main_text(page)
        assert page.get_by_role("button", name="Sign out").count() == 1
        _no_figures(page)
        _open(page, signed.url("my-centre?centre=DEMO01"))      # signed in still, and still nothing
        assert _title(page) == "No role in Reach"
        _no_figures(page)
    rows = [(row["action"], row["detail"]) for row in _audit(signed.db) if row["actor"] == NO_ROLE]
    assert rows and set(rows) == {("refused", "no role")}, rows      # refused; never signed in


# --- a centre manager ------------------------------------------------------------------------------------

def test_a_centre_manager_sees_their_own_worklist_only_and_the_download_is_recorded(signed, browser, provider,
                                                                                   tmp_path):
    with tab(browser, provider) as page:
        sign_in(page, signed, MANAGER)
        _wait_until_drawn(page)
        assert _title(page) == "Overview"
        assert _navigation(page) == NAVIGATION, "a centre manager's navigation"
        assert "(centre manager)" in page.locator("[data-testid='stSidebar']").inner_text()

        # The Data page, by its address: refused, with nothing of it shown.
        _open(page, signed.url("data"))
        _shot(page, "manager-data-refused")
        assert "for data officers only" in _main_text(page)
        for test_id in ("stFileUploader", "stTabs", "stDataFrame", "stDownloadButton"):
            assert _count(page, test_id) == 0, f"{test_id} on the refused Data page"

        # Their own centre: the worklist, downloaded, and the download in the audit trail.
        _open(page, signed.url("my-centre"))
        assert f"({OWN_CENTRE})" in _chosen_centre(page), "My centre opens on the manager's own centre"
        button = page.get_by_role("button", name=WORKLIST_BUTTON)
        assert button.count() == 1
        with page.expect_download() as download:
            button.click()
        saved = tmp_path / "worklist.csv"
        download.value.save_as(saved)
        worklist = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
        assert worklist, "the downloaded worklist is empty"
        _wait_until_drawn(page)
        _shot(page, "manager-own-worklist")

        # Another centre by the chooser, from their own: figures, but no worklist.
        _choose_centre(page, THIRD_CENTRE)
        assert f"({THIRD_CENTRE})" in _chosen_centre(page)
        assert page.get_by_role("button", name=WORKLIST_BUTTON).count() == 0
        assert "record-level data, shown only to the managers of Daisy Bank Children's Centre" in _main_text(page)

        # Another centre by the page's ?centre= parameter.
        _open(page, signed.url(f"my-centre?centre={OTHER_CENTRE}"))
        _shot(page, "manager-other-centre-by-link")
        assert f"({OTHER_CENTRE})" in _chosen_centre(page)
        assert page.get_by_role("button", name=WORKLIST_BUTTON).count() == 0
        assert "record-level data, shown only to the managers of Thornley Family Hub" in _main_text(page)

        # Signing out (the provider asks to end its session too) leads back to the sign-in page.
        page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="End session").click(timeout=30_000)
        page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
        _wait_until_drawn(page)
        _no_figures(page)
        _open(page, signed.url("my-centre"))
        assert _title(page) == "Reach"
        _no_figures(page)

    rows = [row for row in _audit(signed.db) if row["actor"] == MANAGER]
    assert all(row["role"] == "centre_manager" for row in rows)
    downloads = [row for row in rows if row["action"] == "download"]
    assert [(row["centre_id"], row["row_count"]) for row in downloads] == [(OWN_CENTRE, len(worklist))]
    refused = {(row["centre_id"], row["detail"]) for row in rows if row["action"] == "refused"}
    assert refused == {(None, "page /data"), (OTHER_CENTRE, "worklist"), (THIRD_CENTRE, "worklist")}
    sign_ins = [row["action"] for row in rows].count("sign-in")
    assert sign_ins == 1, f"signed in once, opened pages by their address: {sign_ins} sign-ins in the audit trail"


# --- a commissioner --------------------------------------------------------------------------------------

def test_a_commissioner_opens_every_aggregate_page_but_no_worklist(signed, browser, provider):
    with tab(browser, provider) as page:
        sign_in(page, signed, COMMISSIONER)
        _wait_until_drawn(page)
        assert _navigation(page) == NAVIGATION
        assert "(commissioner)" in page.locator("[data-testid='stSidebar']").inner_text()
        for title in NAVIGATION:
            if title != "Overview":
                _go(page, title)
            assert _count(page, "stException") == 0, title
            assert _count(page, "stMetric") + _count(page, "stPlotlyChart") + _count(page, "stDataFrame") > 0, \
                f"no figures on {title}"
            if title == "My centre":      # opens on the first centre: its figures, not its worklist
                _shot(page, "commissioner-my-centre")
                assert page.get_by_role("button", name=WORKLIST_BUTTON).count() == 0
                assert "record-level data" in _main_text(page)
        _open(page, signed.url(f"my-centre?centre={OTHER_CENTRE}"))
        assert f"({OTHER_CENTRE})" in _chosen_centre(page)
        assert page.get_by_role("button", name=WORKLIST_BUTTON).count() == 0
        assert "record-level data" in _main_text(page)
        _open(page, signed.url("data"))
        assert "for data officers only" in _main_text(page)
        assert _count(page, "stFileUploader") == 0
    rows = [row for row in _audit(signed.db) if row["actor"] == COMMISSIONER]
    assert all(row["role"] == "commissioner" for row in rows)
    assert not [row for row in rows if row["action"] == "download"]
    assert ("refused", "page /data") in [(row["action"], row["detail"]) for row in rows]
    sign_ins = [row["action"] for row in rows].count("sign-in")
    assert sign_ins == 1, f"signed in once, opened pages by their address: {sign_ins} sign-ins in the audit trail"


# --- a data officer --------------------------------------------------------------------------------------

def test_a_data_officer_sees_the_data_page_and_the_audit_trail(signed, browser, provider, tmp_path):
    with tab(browser, provider) as page:
        sign_in(page, signed, DATA_OFFICER)
        _wait_until_drawn(page)
        assert _navigation(page) == [*NAVIGATION, "Data and definitions"]
        _go(page, DATA_PAGE[1])
        assert _count(page, "stFileUploader") == 1
        # The project's .streamlit/config.toml still applies beside the test's secrets file: its
        # toolbarMode "viewer" leaves the menu without the developer's Rerun and Clear cache.
        page.get_by_test_id("stMainMenu").click()
        menu = page.get_by_test_id("stMainMenuList")
        menu.wait_for(timeout=10_000)
        assert "Print" in menu.inner_text() and "Clear cache" not in menu.inner_text()
        page.keyboard.press("Escape")
        page.get_by_role("tab", name="Audit trail").click()
        _wait_until_drawn(page)
        panel = page.get_by_role("tabpanel", name="Audit trail")
        panel.locator("[data-testid='stDataFrame']").wait_for(timeout=30_000)
        _shot(page, "data-officer-audit-trail")
        with page.expect_download() as download:
            panel.get_by_role("button", name="Download CSV").click()
        saved = tmp_path / "audit.csv"
        download.value.save_as(saved)
        shown = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
        # Every centre's worklist is theirs to see.
        _open(page, signed.url(f"my-centre?centre={OTHER_CENTRE}"))
        assert page.get_by_role("button", name=WORKLIST_BUTTON).count() == 1
    stored = _audit(signed.db)
    assert any(row["actor"] == DATA_OFFICER and row["action"] == "sign-in" for row in stored)
    # The trail on the page is the store's as it was when drawn (their own sign-in included), newest first.
    in_page = [(row["actor"], row["action"]) for row in shown]
    assert (DATA_OFFICER, "sign-in") in in_page
    assert in_page == [(row["actor"], row["action"]) for row in reversed(stored[:len(in_page)])]


# --- no sign-in configured ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["", "my-centre?centre=DEMO01", "data"])
def test_without_sign_in_another_address_sees_only_the_refusal(unconfigured, browser, path):
    with tab(browser) as page:
        _open(page, unconfigured.url(path, host=OTHER_NAME))
        assert _title(page) == "Sign-in is not configured"
        _no_figures(page)
        if path == "":
            _shot(page, "not-configured-refused")


def test_without_sign_in_this_computer_is_a_data_officer(unconfigured, browser):
    with tab(browser) as page:
        _open(page, unconfigured.url("data"))
        assert _title(page) == DATA_PAGE[1]
        assert _count(page, "stFileUploader") == 1
        assert ANONYMOUS_BANNER not in page.locator("body").inner_text()


def test_anonymous_use_allowed_shows_its_banner_on_each_page(anonymous, browser):
    dashboard, host = anonymous
    with tab(browser, local=frozenset({host})) as page:
        _open(page, dashboard.url("", host=host))
        _shot(page, "anonymous-banner")
        # The banner is drawn before any page is chosen; three pages, the Data page among them, show it.
        for title in ("Overview", "My centre", DATA_PAGE[1]):
            if title != "Overview":
                _go(page, title)
            banner = page.locator("[data-testid='stAlert']").filter(has_text=ANONYMOUS_BANNER)
            assert banner.count() == 1, f"no banner on {title}"
            assert _count(page, "stException") == 0, title
        _open(page, dashboard.url(f"my-centre?centre={OTHER_CENTRE}", host=host))    # a page's address too
        assert page.locator("[data-testid='stAlert']").filter(has_text=ANONYMOUS_BANNER).count() == 1
