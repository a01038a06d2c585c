"""The dashboard in a real browser: Debian's Chromium driven by Playwright.

Starts `streamlit run dashboard.py` on a free port against a copy of the demo authority, visits
every page in the navigation, and fails on any exception shown on a page or any request that
leaves this machine. Screenshots are saved under tests/screenshots/ for a person to look at.

Opt-in locally (it needs /usr/bin/chromium); in CI (CI=true) a missing browser is a failure,
never a silent skip.
"""

from __future__ import annotations

import os
import socket
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
PAGES = {   # url path: a heading the page must show
    "": "Overview",
    "my-centre": "My centre",
    "compare": "Compare centres",
    "map": "Map and gaps",
    "what-if": "What if",
    "data": "Data",
}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}

pytestmark = pytest.mark.browser


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


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db_template):
    _require_chromium()
    import shutil
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    port = _free_port()
    env = dict(os.environ, REACH_DB=str(db), REACH_SECRET="test-secret-not-for-real-data-0123456789")
    log = open(folder / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT / "dashboard.py"),
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
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            raise RuntimeError("streamlit did not start:\n" + (folder / "streamlit.log").read_text())
        time.sleep(0.3)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 2400})
        page = context.new_page()
        outside: list[str] = []
        errors: list[str] = []

        def watch(request):
            host = urlparse(request.url).hostname or ""
            if request.url.startswith(("data:", "blob:", "about:")):
                return
            if host not in LOCAL_HOSTS:
                outside.append(request.url)

        page.on("request", watch)
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, outside, errors
        context.close()
        browser.close()


def _wait_until_idle(page):
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    # The script runs at least once; wait until it has finished, and settled.
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
    page.wait_for_timeout(1500)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_without_error_or_outside_requests(server, browser_page, path):
    page, outside, errors = browser_page
    outside.clear()
    errors.clear()
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    _wait_until_idle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = path or "overview"
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert page.get_by_text(PAGES[path], exact=False).count() > 0, f"page {name!r} lacks {PAGES[path]!r}"
    assert not outside, f"requests left this machine: {outside[:5]}"
    assert not errors, f"errors in the page's JavaScript: {errors[:3]}"
