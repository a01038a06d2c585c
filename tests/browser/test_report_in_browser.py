"""The exported web page in a real browser: opened from the file in Debian's Chromium with no
network, it asks for nothing beyond itself, runs no script, and shows the report's figures."""

from __future__ import annotations

from datetime import date

import pytest

from data.store import opened
from reach.presentation import format as fmt
from reach.presentation.report_html import html_file
from reach.queries.report import reach_reports
from reach.queries.report_tables import report_tables
from tests.browser.test_browser import CHROMIUM, _require_chromium

pytestmark = pytest.mark.browser

AS_AT = date(2026, 9, 30)


@pytest.mark.parametrize("centre_id", ["DEMO01", None])
def test_the_exported_page_opens_offline_and_shows_the_reports_figures(demo_db, tmp_path, centre_id):
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with opened(demo_db, read_only=True) as con:
        contents = report_tables(con, as_at=AS_AT, centre_id=centre_id)
        reports = reach_reports(con, as_at=AS_AT)
    page_file = tmp_path / "report.html"
    page_file.write_bytes(html_file(contents))
    if centre_id is None:
        row = reports["authority"].iloc[0]
    else:
        row = reports["centre"].set_index("centre_id").loc[centre_id]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(java_script_enabled=True)
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri(), wait_until="load")
            text = page.inner_text("body")
            scripts = page.evaluate("() => document.scripts.length")
            charts = page.evaluate("() => document.querySelectorAll('svg').length")
            pdf = page.pdf(format="A4")
        finally:
            browser.close()

    assert requests == [page_file.as_uri()], f"the page asked for more than itself: {requests[1:5]}"
    assert scripts == 0
    assert charts >= 2
    # The headline figures, as the report has them and as the page formats them.
    assert fmt.percent(row["reach_pct"]) in text
    assert fmt.count(row["known_children"]) in text
    assert fmt.count(row["children_under5"]) in text
    assert fmt.count(row["families_to_find"]) in text
    # It prints: Chromium lays it out on A4 pages.
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
