"""Fixtures for the hostile-file tests: a small store to attack, and a way to prove it unchanged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from data.importers import import_file
from tests.stores import fingerprint

CENTRES = "centre_id,name,la_code\nC001,Riverbank Family Hub,E08000009\nC002,Hillside Centre,E08000009\n"
REACH_AREAS = "lsoa_code,centre_id\nE01006074,C001\nE01006075,C002\n"
BIRTHS = ("nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074\n"
          "4010232137,2024-05-02,E01006075\n")


@pytest.fixture(scope="session")
def _store_templates(tmp_path_factory) -> dict:
    """Small stores built once per run, one for each pseudonymisation key in use."""
    return {"folder": tmp_path_factory.mktemp("hostile_stores"), "built": {}}


@pytest.fixture
def store(tmp_path, _store_templates) -> Path:
    """A fresh store with a few rows in it (two centres, their areas, two births), in a folder
    of its own so that a test can also see any file appear beside it."""
    key = os.environ.get("REACH_SECRET", "")
    template = _store_templates["built"].get(key)
    if template is None:
        template = _store_templates["folder"] / f"store_{len(_store_templates['built'])}.duckdb"
        _build_store(template, _store_templates["folder"])
        _store_templates["built"][key] = template
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "reach.duckdb"
    shutil.copy(template, db)
    for extra in template.parent.glob(template.name + ".key"):     # where no REACH_SECRET is set
        shutil.copy(extra, db.with_name(db.name + ".key"))
    return db


def _build_store(db: Path, folder: Path) -> None:
    for kind, text in (("centres", CENTRES), ("reach-areas", REACH_AREAS), ("births", BIRTHS)):
        source = folder / f"{kind}.csv"
        source.write_text(text)
        import_file(kind, source, db=db, received_on="2024-06-30")


@pytest.fixture(name="fingerprint")
def fingerprint_fixture():
    """`fingerprint(db)`, for tests that compare a store before and after."""
    return fingerprint
