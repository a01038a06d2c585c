"""Fixtures shared by every test package."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
TRAFFORD = PROJECT.parent / "shared" / "realdata" / "trafford"


@pytest.fixture
def trafford() -> Path:
    """The published Trafford files, where this checkout has them beside it."""
    if not TRAFFORD.is_dir():
        pytest.skip("the Trafford real-data folder is not present")
    return TRAFFORD


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
