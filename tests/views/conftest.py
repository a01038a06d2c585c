"""Fixtures for driving the dashboard headlessly with Streamlit's AppTest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parents[2]
# The page tests share figure_data.py beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """st.cache_data survives between AppTest runs in one process: start each test clean."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app(demo_db, monkeypatch):
    """The dashboard on a private copy of the demo authority, run once."""
    monkeypatch.setenv("REACH_DB", str(demo_db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def empty_store_page(tmp_path, monkeypatch):
    """Open one page of the dashboard on a store with its tables but no data at all."""
    from data.store import connect

    empty = tmp_path / "empty.duckdb"
    connect(empty).close()
    monkeypatch.setenv("REACH_DB", str(empty))

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
        at.run()                        # the first run lays out the navigation
        at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_page
