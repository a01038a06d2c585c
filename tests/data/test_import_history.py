"""The import history, the quarantine list, progress reports and undoing an import."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from data.importers import ImportSummary, import_file, import_history, list_quarantine, remove_import
from data.store import opened
from tests.data.files import write_lines as _write


@pytest.fixture
def two_imports(tmp_path, db) -> tuple[ImportSummary, ImportSummary]:
    births = import_file("births", _write(tmp_path, "births.csv", [
        "nhs_number,dob,lsoa_code", "9434765919,2024-05-01,E01006074", "9434765918,2024-05-01,E01006074",
        "4010232137,2024-05-02,E01006075"]), db=db, received_on="2024-06-30")
    areas = import_file("reach-areas", _write(tmp_path, "areas.csv", [
        "lsoa_code,centre_id", "E01006074,C1", "bad,C1"]), db=db)
    return births, areas


def test_list_quarantine_gives_every_rejected_row_with_its_file(db, two_imports):
    births, areas = two_imports
    with opened(db, read_only=True) as con:
        everything = list_quarantine(con)
        only_births = list_quarantine(con, kind="births")
        only_areas = list_quarantine(con, import_id=areas.import_id)
    assert list(everything.columns) == ["import_id", "kind", "file_name", "row_number", "reason", "row_data",
                                        "imported_at"]
    assert everything[["import_id", "kind", "file_name", "row_number"]].values.tolist() == [
        [births.import_id, "births", "births.csv", 2], [areas.import_id, "reach-areas", "areas.csv", 2]]
    assert only_births["reason"].tolist() == [
        'nhs_number "******5918" fails the NHS number check digit (modulus 11)']
    assert only_areas["reason"].tolist() == [
        'lsoa_code "bad" is not an LSOA code (expected E01 followed by 6 digits)']
    assert everything["imported_at"].notna().all()


def test_import_history_is_newest_first(db, two_imports):
    with opened(db, read_only=True) as con:
        history = import_history(con)
    assert history[["import_id", "kind", "rows_read", "rows_loaded", "rows_quarantined",
                    "rows_already_present", "status"]].values.tolist() == [
        [2, "reach-areas", 2, 1, 1, 0, "loaded"], [1, "births", 3, 2, 1, 0, "loaded"]]
    assert history["file_sha256"].str.len().tolist() == [64, 64]
    assert (history["finished_at"] >= history["started_at"]).all()


def test_removing_an_import_takes_away_its_rows_and_quarantine_and_keeps_the_history(tmp_path, db, two_imports):
    births, _ = two_imports
    removed = remove_import(births.import_id, db=db)
    assert (removed.rows_removed, removed.rows_unquarantined) == (2, 1)
    assert removed.line() == "births: births.csv: import 1 undone: 2 rows removed, 1 quarantined row cleared"
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM births").fetchall() == [(0,)]
        assert list_quarantine(con, kind="births").empty
        assert con.execute("SELECT count(*) FROM reach_areas").fetchall() == [(1,)]
        status, message = con.execute("SELECT status, message FROM import_log WHERE import_id = 1").fetchall()[0]
    assert status == "removed"
    assert "import 1 undone: 2 rows removed" in message
    # The file can be loaded again afterwards, in full.
    again = import_file("births", tmp_path / "births.csv", db=db, received_on="2024-06-30")
    assert (again.rows_loaded, again.rows_quarantined, again.status) == (2, 1, "loaded")


def test_removing_an_unknown_or_removed_import_is_refused(db, two_imports):
    with pytest.raises(ValueError, match="There is no import 99"):
        remove_import(99, db=db)
    remove_import(2, db=db)
    with pytest.raises(ValueError, match=r"Import 2 \(areas.csv\) was already removed"):
        remove_import(2, db=db)


def test_progress_is_reported_at_every_stage_and_every_batch(tmp_path, db, monkeypatch):
    monkeypatch.setattr("data.importers.reading.BATCH_ROWS", 2)
    lines = ["nhs_number,dob,lsoa_code"] + [f"9434765919,2024-05-0{day},E01006074" for day in range(1, 6)]
    calls = []
    import_file("births", _write(tmp_path, "b.csv", lines), db=db,
                received_on="2024-06-30", progress=lambda done, total, stage: calls.append((done, total, stage)))
    # DuckDB reads a CSV file in one step.
    assert calls == [(0, 5, "reading"), (5, 5, "reading"),
                     (5, 5, "checking"), (5, 5, "saving"), (5, 5, "done")]
    # A file the Python reader takes (a blank line at its end) is reported batch by batch.
    calls.clear()
    import_file("births", _write(tmp_path, "c.csv", [*lines, ""]), db=db,
                received_on="2024-06-30", progress=lambda done, total, stage: calls.append((done, total, stage)))
    assert calls == [(0, 6, "reading"), (2, 6, "reading"), (4, 6, "reading"), (5, 6, "reading"),
                     (5, 5, "checking"), (5, 5, "saving"), (5, 5, "done")]


def test_the_summary_is_frozen_and_says_one_row_in_the_singular(db, two_imports):
    _, areas = two_imports
    with pytest.raises(dataclasses.FrozenInstanceError):
        areas.rows_loaded = 5
    assert areas.line() == "reach-areas: areas.csv: 1 row loaded, 1 quarantined, 0 already present"
    big = dataclasses.replace(areas, rows_loaded=1204, rows_quarantined=3, rows_already_present=0,
                              kind="births", file_name="births_2024_06.csv")
    assert big.line() == "births: births_2024_06.csv: 1,204 rows loaded, 3 quarantined, 0 already present"
    again = dataclasses.replace(big, rows_loaded=0, rows_already_present=1204, status="unchanged")
    assert again.line() == ("births: births_2024_06.csv: nothing changed: 0 rows loaded, 3 quarantined, "
                            "1,204 already present")


# --- every kind: a second load of the same file changes nothing -------------------------------------

_SQUARE = [[[-2.30, 53.40], [-2.29, 53.40], [-2.29, 53.41], [-2.30, 53.41], [-2.30, 53.40]]]
_EVERY_KIND = {
    "postcodes": ("postcodes.csv", ["postcode,lsoa_code,lon,lat", "M32 9AN,E01006179,-2.31,53.44",
                                    "M31 4FL,E01006104,-2.42,53.41"]),
    "centres": ("centres.csv", ["urn,name,postcode", "22329,Partington,M31 4FL", "22963,Stretford,M32 9AN"]),
    "reach-areas": ("areas.csv", ["lsoa_code,centre_id", "E01006104,22329", "E01006179,22963"]),
    "population": ("population.csv", ["lsoa_code,children_0_4,period", "E01006104,80,2024",
                                      "E01006179,95,2024"]),
    "lsoa-lookup": ("lookup.csv", ["lsoa11cd,lsoa21cd", "E01006185,E01034000", "E01006185,E01034001"]),
    "deprivation": ("idaci.csv", ["lsoa_code,idaci_decile,year", "E01006104,2,2019", "E01006179,6,2019"]),
    "births": ("births.csv", ["nhs_number,dob,postcode", "9434765919,2024-05-01,M31 4FL",
                              "4010232137,2024-05-02,M32 9AN", "9434765918,2024-05-02,M32 9AN"]),
    "birth-counts": ("counts.csv", ["month,births,lsoa_code", "2024-05,17,E01006104", "2024-05,12,E01006179"]),
    "registrations": ("registrations.csv", ["nhs_number,dob,postcode,centre_id,registered_on,family_key",
                                            "9434765919,2024-05-01,M31 4FL,22329,2024-06-10,F1",
                                            "4010232137,2024-05-02,M32 9AN,22963,2024-04-10,F2"]),
    "contacts": ("contacts.csv", ["nhs_number,contact_on,centre_id", "9434765919,2024-06-11,22329",
                                  "9434765919,2024-06-18,22329"]),
}


def _table_rows(db: Path) -> dict[str, list]:
    from data.schema import TABLES

    with opened(db, read_only=True) as con:
        return {table: sorted(map(repr, con.execute(f"SELECT * FROM {table}").fetchall()))
                for table in TABLES if table != "import_log"}


def test_every_kind_loaded_twice_changes_nothing(tmp_path, db):
    import json

    files = {kind: _write(tmp_path, name, lines) for kind, (name, lines) in _EVERY_KIND.items()}
    files["boundaries"] = tmp_path / "lsoas.geojson"
    files["boundaries"].write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"lsoa_code": "E01006104"},
         "geometry": {"type": "Polygon", "coordinates": _SQUARE}}]}))
    first = {kind: import_file(kind, path, db=db, received_on="2024-06-30") for kind, path in files.items()}
    assert {kind: summary.rows_loaded for kind, summary in first.items()} == {
        "postcodes": 2, "centres": 2, "reach-areas": 2, "population": 2, "lsoa-lookup": 2, "deprivation": 2,
        "births": 2, "birth-counts": 2, "registrations": 1, "contacts": 2, "boundaries": 1}
    stored = _table_rows(db)
    for kind, path in files.items():
        again = import_file(kind, path, db=db, received_on="2024-06-30")
        assert again.status == "unchanged", kind
        assert "nothing changed" in again.message
        assert (again.rows_loaded, again.rows_quarantined, again.rows_already_present) == (
            0, first[kind].rows_quarantined, first[kind].rows_loaded), kind
    assert _table_rows(db) == stored
