"""Fixtures for the store and importer tests."""

from pathlib import Path

import pytest

from data.importers import import_file
from tests.data.files import write_lines


@pytest.fixture
def db(tmp_path) -> Path:
    """A fresh database path for one test."""
    return tmp_path / "reach.duckdb"


@pytest.fixture
def postcodes(tmp_path, db) -> None:
    """A postcode lookup in `db` with the postcodes of the two Trafford centres (laid out as in
    the ONS postcode directory: pcds, lsoa21cd, long, lat)."""
    path = write_lines(tmp_path, "postcodes.csv", ["pcds,lsoa21cd,long,lat",
                                                   "M32 9AN,E01006179,-2.3139,53.4408",
                                                   "M31 4FL,E01006104,-2.4254,53.4177"])
    import_file("postcodes", path, db=db)
