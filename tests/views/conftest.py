"""Fixtures for driving the dashboard headlessly with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _every_page_test_starts_with_fresh_caches(fresh_streamlit_caches):
    """Streamlit's caches are emptied before and after each page test (see tests/conftest.py)."""


@pytest.fixture
def app(demo_db, monkeypatch):
    """The dashboard on a private copy of the demo authority, run once."""
    monkeypatch.setenv("REACH_DB", str(demo_db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def empty_store_page(empty_store, monkeypatch):
    """Open one page of the dashboard on a store with its tables but no data at all."""
    monkeypatch.setenv("REACH_DB", str(empty_store))

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
        at.run()                        # the first run lays out the navigation
        at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_page
