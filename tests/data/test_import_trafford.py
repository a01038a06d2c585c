"""The published Trafford files, imported as they are (skipped where the folder is absent)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from data.importers import import_file
from tests.data.files import rows as _rows

pytestmark = pytest.mark.realdata


def _persons_under_five(path: Path, lsoa_code: str) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["area_code"] == lsoa_code and row["sex"] == "Persons":
                return sum(int(row[str(age)]) for age in range(5))
    raise AssertionError(f"{lsoa_code} has no Persons row in {path.name}")


@pytest.mark.parametrize("year, total", [(2024, 12_428), (2022, 12_976)])
def test_mid_year_estimates_as_published(trafford, db, year, total):
    path = trafford / "population" / f"mid-year_{year}_population_estimates_lsoa.csv"
    summary = import_file("population", path, db=db)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (417, 139, 0)
    assert _rows(db, "SELECT count(DISTINCT lsoa_code), min(period), max(period), sum(children_0_4) "
                     "FROM population") == [(139, date(year, 6, 30), date(year, 6, 30), total)]
    for lsoa_code in ("E01006074", "E01034001"):
        stored = _rows(db, f"SELECT children_0_4 FROM population WHERE lsoa_code = '{lsoa_code}'")
        assert stored == [(_persons_under_five(path, lsoa_code),)]
    assert import_file("population", path, db=db).status == "unchanged"


def test_census_age_bands(trafford, db):
    path = trafford / "population" / "2021_population_by_5_year_age_bands_lsoa_trafford.csv"
    summary = import_file("population", path, db=db)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2502, 139, 0)
    assert _rows(db, "SELECT sum(children_0_4), min(period) FROM population") == [(13_458, date(2021, 3, 21))]


def test_indices_of_deprivation_long_layout_takes_idaci_2019(trafford, db):
    summary = import_file("deprivation", trafford / "deprivation" / "trafford_IoD.csv", db=db)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2760, 138, 0)
    assert _rows(db, "SELECT DISTINCT edition FROM deprivation") == [(2019,)]
    deciles = dict(_rows(db, "SELECT idaci_decile, count(*) FROM deprivation GROUP BY 1"))
    assert deciles == {1: 5, 2: 11, 3: 8, 4: 10, 5: 8, 6: 6, 7: 13, 8: 17, 9: 24, 10: 36}
    with open(trafford / "deprivation" / "trafford_IoD.csv", newline="") as handle:
        idaci_2019 = {row["lsoa11cd"]: int(row["decile"]) for row in csv.DictReader(handle)
                      if row["index_domain"] == "Income Deprivation Affecting Children" and row["year"] == "2019"}
    assert dict(_rows(db, "SELECT lsoa_code, idaci_decile FROM deprivation")) == idaci_2019


def test_deprivation_on_2021_lsoas_with_the_split_mapped_through_a_lookup(trafford, db, tmp_path):
    import_file("population", trafford / "population" / "mid-year_2024_population_estimates_lsoa.csv", db=db)
    lookup = tmp_path / "lsoa11_to_lsoa21.csv"
    lookup.write_text("LSOA11CD,LSOA21CD\nE01006185,E01034000\nE01006185,E01034001\n")
    import_file("lsoa-lookup", lookup, db=db)
    summary = import_file("deprivation", trafford / "deprivation" / "trafford_IoD.csv", db=db)
    assert summary.rows_loaded == 139
    parent = _rows(db, "SELECT idaci_decile FROM deprivation WHERE lsoa_code = 'E01006185'")
    assert parent == []
    with open(trafford / "deprivation" / "trafford_IoD.csv", newline="") as handle:
        decile = next(int(row["decile"]) for row in csv.DictReader(handle)
                      if row["lsoa11cd"] == "E01006185" and row["year"] == "2019"
                      and row["index_domain"] == "Income Deprivation Affecting Children")
    assert _rows(db, "SELECT lsoa_code, idaci_decile, source_code FROM deprivation "
                     "WHERE source_code IS NOT NULL ORDER BY lsoa_code") == [
        ("E01034000", decile, "E01006185"), ("E01034001", decile, "E01006185")]
    assert "137 of the file's 138 LSOA codes are 2021 LSOAs known here" in summary.message
    assert "E01006185" in summary.message


def test_deprivation_without_the_lookup_lists_what_did_not_match(trafford, db):
    import_file("population", trafford / "population" / "mid-year_2024_population_estimates_lsoa.csv", db=db)
    summary = import_file("deprivation", trafford / "deprivation" / "trafford_IoD.csv", db=db)
    assert summary.rows_loaded == 137
    assert "1 code matched no known 2021 LSOA: E01006185." in summary.message


def test_dfe_childrens_centres(trafford, db):
    import_file("postcodes", trafford / "lookups" / "trafford_postcodes.csv", db=db)
    summary = import_file("centres", trafford / "childrens_centres" / "trafford_childrens_centres.csv", db=db)
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 0)
    assert _rows(db, "SELECT centre_id, lsoa_code FROM centres ORDER BY centre_id") == [
        ("22329", "E01006104"), ("22963", "E01006179")]
    assert _rows(db, "SELECT count(*) FROM centres WHERE lon BETWEEN -2.5 AND -2.2 AND lat BETWEEN 53.3 AND 53.5"
                 ) == [(2,)]


def test_postcode_lookup(trafford, db):
    summary = import_file("postcodes", trafford / "lookups" / "trafford_postcodes.csv", db=db)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (11_264, 11_264, 0)
    assert _rows(db, "SELECT count(DISTINCT lsoa_code) FROM postcodes") == [(139,)]
    assert _rows(db, "SELECT lsoa_code FROM postcodes WHERE postcode = 'M314FL'") == [("E01006104",)]
    assert _rows(db, "SELECT count(*) FROM postcodes WHERE lon IS NULL OR contains(postcode, ' ')") == [(0,)]


@pytest.mark.parametrize("name, areas", [("trafford_lsoa21_generalised.geojson", 139),
                                         ("trafford_lsoa11_super_generalised.geojson", 138)])
def test_boundaries(trafford, db, name, areas):
    summary = import_file("boundaries", trafford / "boundaries" / name, db=db)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (areas, areas, 0)
    assert _rows(db, "SELECT count(*), count(geometry), count(lsoa_name) FROM lsoas") == [(areas, areas, areas)]
    assert _rows(db, "SELECT lsoa_name FROM lsoas WHERE lsoa_code = 'E01006074'") == [("Trafford 025A",)]
