"""Fixtures for the store and importer tests."""

import sys
from pathlib import Path

import pytest

# The importer tests share files.py beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def db(tmp_path) -> Path:
    """A fresh database path for one test."""
    return tmp_path / "reach.duckdb"
