"""Fixtures shared by every test package: the published Trafford files, an empty store, the demo
authority, and what the dashboard's page tests need (fresh caches, the files a page offers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from data.store import connect

PROJECT = Path(__file__).resolve().parents[1]
TRAFFORD = PROJECT.parent / "shared" / "realdata" / "trafford"


@pytest.fixture(scope="session")
def trafford() -> Path:
    """The folder of published Trafford files, where this checkout has it beside it; a test
    that asks for it is skipped where it is absent."""
    if not TRAFFORD.is_dir():
        pytest.skip("the Trafford real-data folder is not present")
    return TRAFFORD


@pytest.fixture(scope="session")
def _trafford_areas_read(trafford):
    from geo.boundaries import read_boundaries

    return read_boundaries(trafford / "boundaries" / "trafford_lsoa21_generalised.geojson").areas


@pytest.fixture
def trafford_areas(_trafford_areas_read):
    """Trafford's 139 LSOAs of 2021 (the generalised boundaries) as `read_boundaries` gives them,
    lon/lat polygons: read once per run, and a copy for each test to change as it likes."""
    return _trafford_areas_read.copy()


@pytest.fixture
def empty_store(tmp_path) -> Path:
    """A new store with its tables and no rows, alone in the test's folder."""
    db = tmp_path / "reach.duckdb"
    connect(db).close()
    return db


@pytest.fixture
def empty_con(empty_store):
    """A write connection to a new, empty store, closed after the test: for tests that write
    their rows straight into the tables (a module's own `con` fixture puts its rows in)."""
    con = connect(empty_store)
    yield con
    con.close()


@pytest.fixture(autouse=True)
def _test_secret(monkeypatch):
    """A fixed pseudonymisation key, so tests never create key files and hashes are known."""
    monkeypatch.setenv("REACH_SECRET", "test-secret-not-for-real-data-0123456789")


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory) -> Path:
    """The demo authority, built once per test run."""
    import os
    from data.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.duckdb"
    previous = os.environ.get("REACH_SECRET")
    os.environ["REACH_SECRET"] = "test-secret-not-for-real-data-0123456789"
    try:
        build_demo(db)
    finally:
        if previous is None:
            os.environ.pop("REACH_SECRET", None)
        else:
            os.environ["REACH_SECRET"] = previous
    return db


@pytest.fixture
def demo_db(demo_db_template, tmp_path) -> Path:
    """A private copy of the demo database that a test may change."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    return db


@pytest.fixture
def fresh_streamlit_caches():
    """st.cache_data survives between AppTest runs in one process: start and end a test clean."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def media(monkeypatch) -> list:
    """The in-memory file stores of each AppTest run, kept so a test can read what a download
    button would hand over (AppTest drops its runtime, and the files with it, after each run).
    Each store's `manager` is its run's file manager, which holds the buttons' deferred data (a
    callable run only when the button is pressed)."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    stores = []

    class KeptStorage(MemoryMediaFileStorage):
        def __init__(self, endpoint):
            super().__init__(endpoint)
            stores.append(self)

    class KeptManager(MediaFileManager):
        def __init__(self, storage):
            super().__init__(storage)
            storage.manager = self

    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", KeptStorage)
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", KeptManager)
    return stores
