"""Centres, reach areas, population, postcodes, deprivation, LSOA lookup, birth counts, boundaries."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import shapely

from data.importers import FileFault, import_file
from tests.data.files import (import_lines as _import, counts as _counts, reasons as _reasons,
                              rows as _rows, write_lines as _write)


# --- centres -------------------------------------------------------------------------------------

DFE_CENTRES = [
    "name,address,postcode,telephone,unique_reference_number,lon,lat",
    "Partington Children's Centre,\"Central Road, Partington\",M31 4FL,0161-912-2122,22329,-2.4254,53.4176",
    "Stretford Children's Centre,\"9 Poplar Road, Stretford\",M32 9AN,0161-912-5020,22963,,",
]


def test_centres_keep_no_address_telephone_or_postcode_and_are_placed_by_postcode(tmp_path, db, postcodes):
    summary = import_file("centres", _write(tmp_path, "centres.csv", DFE_CENTRES), db=db)
    assert _counts(summary) == (2, 0, 0, "loaded")
    assert _rows(db, "SELECT * EXCLUDE (import_id, site_type) FROM centres ORDER BY centre_id") == [
        ("22329", "Partington Children's Centre", None, None, "E01006104", -2.4254, 53.4176),
        # No position in the file: the postcode's.
        ("22963", "Stretford Children's Centre", None, None, "E01006179", -2.3139, 53.4408),
    ]


def test_centres_without_a_postcode_lookup_have_no_lsoa_yet(tmp_path, db):
    import_file("centres", _write(tmp_path, "centres.csv", DFE_CENTRES), db=db)
    assert _rows(db, "SELECT centre_id, lsoa_code, lon FROM centres ORDER BY centre_id") == [
        ("22329", None, -2.4254), ("22963", None, None)]


def test_a_changed_centre_is_updated_and_an_identical_one_is_already_present(tmp_path, db):
    first = _write(tmp_path, "c1.csv", ["centre_id,name,la_code,group_id", "C1,Hub,E08000009,north",
                                        "C2,Satellite,E08000009,north"])
    import_file("centres", first, db=db)
    changed = _write(tmp_path, "c2.csv", ["centre_id,name", "C1,Hub (renamed)", "C2,Satellite"])
    summary = import_file("centres", changed, db=db)
    assert _counts(summary) == (1, 0, 1, "loaded")
    # Columns the second file lacks keep their stored values.
    assert _rows(db, "SELECT centre_id, name, la_code, group_id FROM centres ORDER BY centre_id") == [
        ("C1", "Hub (renamed)", "E08000009", "north"), ("C2", "Satellite", "E08000009", "north")]
    assert _counts(import_file("centres", changed, db=db)) == (0, 0, 2, "unchanged")


def test_centre_faults(tmp_path, db):
    summary = _import("centres", tmp_path, "centres.csv", ["centre_id,name,la_code,lon,lat",
                                                           "C1,,E08000009,,",
                                                           ",Nameless,,,",
                                                           "C3,Three,E05000009,,",
                                                           "C4,Four,,383000,398000",
                                                           "C5,Five,,-2.3,",
                                                           "C6,Six,e08000009,-2.3,53.4",
                                                           "C6,Six again,,,"], db=db)
    assert _counts(summary) == (1, 6, 0, "loaded")
    assert _reasons(db) == [
        (1, "name is missing (expected the centre's name)"),
        (2, "centre_id is missing (expected the centre's identifier, e.g. its DfE URN)"),
        (3, 'la_code "E05000009" is not a local authority code (expected E06, E07, E08, E09 or E10 '
            "followed by 6 digits)"),
        (4, 'lon "383000" is not in degrees (expected -180 to 180, WGS84); '
            'lat "398000" is not in degrees (expected -90 to 90, WGS84)'),
        (5, "lon and lat must be given together"),
        (7, "duplicate of row 6"),
    ]
    assert _rows(db, "SELECT la_code FROM centres") == [("E08000009",)]


# --- reach areas ------------------------------------------------------------------------------

def test_reach_areas_load_and_a_second_claim_in_the_file_names_both_centres(tmp_path, db):
    summary = _import("reach-areas", tmp_path, "areas.csv", ["LSOA_CODE,Centre_ID", "E01006074,22329",
                                                             "E01006075,22329", "E01006074,22963", "E01006075,22329",
                                                             "E0100607,22329", "E01006076,"], db=db)
    assert _counts(summary) == (2, 4, 0, "loaded")
    assert _reasons(db) == [
        (3, "LSOA E01006074 is claimed by both centre 22329 (row 1) and centre 22963"),
        (4, "duplicate of row 2"),
        (5, 'LSOA_CODE "E0100607" is not an LSOA code (expected E01 followed by 6 digits)'),
        (6, "Centre_ID is missing (expected the centre whose reach area the LSOA is in)"),
    ]
    # Centres that are not loaded yet are not a fault.
    assert "name 1 centre not in the centres list yet: 22329" in summary.message


def test_a_claim_on_an_lsoa_of_another_centre_is_quarantined_unless_replacing(tmp_path, db):
    import_file("reach-areas", _write(tmp_path, "a.csv", ["lsoa_code,centre_id", "E01006074,22329",
                                                          "E01006075,22329", "E01006076,22329"]), db=db)
    redrawn = _write(tmp_path, "b.csv", ["lsoa_code,centre_id", "E01006074,22963", "E01006075,22329",
                                         "E01006077,22963"])
    summary = import_file("reach-areas", redrawn, db=db)
    assert _counts(summary) == (1, 1, 1, "loaded")
    assert _reasons(db) == [(1, "LSOA E01006074 is claimed by both centre 22329 (already loaded) and "
                                "centre 22963; to redraw the reach areas, import the whole file as a "
                                "replacement")]
    replaced = import_file("reach-areas", redrawn, db=db, replace=True)
    assert _counts(replaced) == (1, 0, 2, "loaded")
    assert "1 LSOA no longer in this file was taken out of the reach areas." in replaced.message
    assert _rows(db, "SELECT lsoa_code, centre_id FROM reach_areas ORDER BY lsoa_code") == [
        ("E01006074", "22963"), ("E01006075", "22329"), ("E01006077", "22963")]
    assert _reasons(db) == []
    assert import_file("reach-areas", redrawn, db=db, replace=True).status == "unchanged"


# --- population ------------------------------------------------------------------------------

def test_population_long_form_with_dates_and_years(tmp_path, db):
    summary = _import("population", tmp_path, "pop.csv", ["lsoa_code,children_0_4,period",
                                                          "E01006074,52,2024-06-30", "E01006075,61,2023",
                                                          "E01006076,-3,2024", "E01006077,4.5,2024",
                                                          "E01006078,40.0,2024", "E01006079,40,30/06/2024",
                                                          "E01006074,53,2024"], db=db)
    assert _counts(summary) == (3, 4, 0, "loaded")
    assert _rows(db, "SELECT lsoa_code, period, children_0_4 FROM population ORDER BY lsoa_code") == [
        ("E01006074", date(2024, 6, 30), 52), ("E01006075", date(2023, 6, 30), 61),
        ("E01006078", date(2024, 6, 30), 40)]
    assert _reasons(db) == [
        (3, 'children_0_4 "-3" is negative (expected a whole number of 0 or more)'),
        (4, 'children_0_4 "4.5" is not a whole number'),
        (6, 'period "30/06/2024" is not a date (YYYY-MM-DD) or a year'),
        (7, "duplicate of row 1"),
    ]


def test_a_revised_estimate_replaces_the_old_one(tmp_path, db):
    import_file("population", _write(tmp_path, "a.csv", ["lsoa_code,children_0_4,period",
                                                         "E01006074,52,2024", "E01006075,61,2024"]), db=db)
    summary = import_file("population", _write(tmp_path, "b.csv", ["lsoa_code,children_0_4,period",
                                                                   "E01006074,55,2024", "E01006075,61,2024"]), db=db)
    assert _counts(summary) == (1, 0, 1, "loaded")
    assert _rows(db, "SELECT children_0_4 FROM population ORDER BY lsoa_code") == [(55,), (61,)]


def test_mid_year_layout_uses_persons_or_males_plus_females(tmp_path, db):
    header = "period,area_code,area_name,sex,all_ages,0,1,2,3,4,5"
    summary = _import("population", tmp_path, "mye.csv", [
        header,
        "2024-06-30,E01006074,A,Persons,900,10,11,12,13,14,99",
        "2024-06-30,E01006074,A,Males,450,5,5,6,6,7,50",
        "2024-06-30,E01006074,A,Females,450,5,6,6,7,7,49",
        "2024-06-30,E01006075,B,Males,450,1,2,3,4,5,50",
        "2024-06-30,E01006075,B,Females,450,1,1,1,1,1,49",
        "2024-06-30,E01006076,C,Males,450,1,2,3,4,5,50",
        "2024-06-30,W01000001,Wales,Persons,450,1,2,3,4,5,50",
        "2024-06-30,E01006077,D,Everyone,450,1,2,3,4,5,50",
    ], db=db)
    assert _counts(summary) == (2, 2, 0, "loaded")
    assert _rows(db, "SELECT lsoa_code, children_0_4 FROM population ORDER BY lsoa_code") == [
        ("E01006074", 60), ("E01006075", 20)]
    assert _reasons(db) == [
        (6, "no Persons row for this area and date, and no Females row to add to this one, "
            "so the number of children is unknown"),
        (8, 'sex "Everyone" is not Persons, Males or Females'),
    ]
    assert "1 area had no Persons row and took Males + Females" in summary.message
    assert "2 Males and Females rows were not needed" in summary.message
    assert "1 row for areas outside England was skipped" in summary.message


def test_census_age_band_layout_takes_the_under_five_band(tmp_path, db):
    summary = _import("population", tmp_path, "census.csv", [
        "area_code,area_name,geography,period,indicator,measure,unit,value",
        "E01006109,Trafford 001A,LSOA,2021-03-21,Aged 4 years and under,Count,Persons,74",
        "E01006109,Trafford 001A,LSOA,2021-03-21,Aged 5 to 9 years,Count,Persons,79"], db=db)
    assert _counts(summary) == (1, 0, 0, "loaded")
    assert _rows(db, "SELECT lsoa_code, period, children_0_4 FROM population") == [
        ("E01006109", date(2021, 3, 21), 74)]


def test_a_population_file_of_no_known_layout_says_which_layouts_exist(tmp_path, db):
    with pytest.raises(FileFault) as caught:
        import_file("population", _write(tmp_path, "p.csv", ["lsoa_code,under_fives", "E01006074,3"]), db=db)
    assert str(caught.value).startswith('p.csv: required column "children_0_4" (number of children aged 0 to 4) '
                                        "is missing; found columns: lsoa_code, under_fives; expected the long form")
    assert "the ONS mid-year layout (All Ages, 0, 1, 2, ...) (lsoa_code, 0, 1, 2, 3, 4)" in str(caught.value)
    assert "the ONS small area estimates by sex (F0 to F90, M0 to M90) (lsoa_code, F0," in str(caught.value)


# --- postcodes --------------------------------------------------------------------------------

def test_postcodes_are_normalised_and_an_onspd_layout_is_read(tmp_path, db):
    path = _write(tmp_path, "onspd.csv", [
        "pcd,pcd2,pcds,dointr,lsoa11,lsoa21,lat,long",
        "M329AN ,M32  9AN,M32 9AN,198001,E01006179,E01006179,53.4408,-2.3139",
        "CF101AA,CF10 1AA,CF10 1AA,198001,W01001939,W01001939,51.48,-3.17",
        "M99 1ZZ,M99 1ZZ,M99 1ZZ,198001,,,99.999999,0.000000",
        "M1 1AE,M1  1AE,M1 1AE,198001,E01005206,E01033677,99.999999,0.000000",
        "NOTAPC,NOTAPC,NOTAPC,198001,E01005206,E01033677,53.4,-2.2",
        "M1 1AF,M1  1AF,M1 1AF,198001,E01005206,E0103367,53.4,-2.2",
    ])
    summary = import_file("postcodes", path, db=db)
    assert _counts(summary) == (2, 2, 0, "loaded")
    assert _rows(db, "SELECT postcode, lsoa_code, lon, lat FROM postcodes ORDER BY postcode") == [
        ("M11AE", "E01033677", None, None), ("M329AN", "E01006179", -2.3139, 53.4408)]
    assert _reasons(db) == [
        (5, "pcds is not a valid postcode"),
        (6, 'lsoa21 "E0103367" is not an LSOA code (expected E01 followed by 6 digits)'),
    ]
    assert "2 postcodes with no LSOA, or in Wales, Scotland or Northern Ireland, were skipped." in summary.message
    assert import_file("postcodes", path, db=db).status == "unchanged"


# --- deprivation ---------------------------------------------------------------------------------

def test_deprivation_simple_layout(tmp_path, db):
    summary = _import("deprivation", tmp_path, "idaci.csv", ["lsoa_code,idaci_decile", "E01006074,3", "E01006075,11",
                                                             "E01006076,0", "E01006077,two"], db=db)
    assert _counts(summary) == (1, 3, 0, "loaded")
    assert _rows(db, "SELECT lsoa_code, edition, idaci_decile, source_code FROM deprivation") == [
        ("E01006074", 0, 3, None)]
    assert _reasons(db) == [
        (2, 'idaci_decile "11" is not a decile (expected 1 to 10, 1 = most deprived)'),
        (3, 'idaci_decile "0" is not a decile (expected 1 to 10, 1 = most deprived)'),
        (4, 'idaci_decile "two" is not a whole number'),
    ]


def test_deprivation_long_layout_takes_idaci_of_the_latest_edition(tmp_path, db):
    summary = _import("deprivation", tmp_path, "iod.csv", [
        "lsoa11cd,index_domain,decile,rank,year",
        "E01006074,Income Deprivation Affecting Children,3,3000,2019",
        "E01006074,Income Deprivation Affecting Children,4,4000,2015",
        "E01006074,Index of Multiple Deprivation,5,5000,2019",
        "E01006075,IDACI,7,7000,2019",
        "E01006076,income deprivation affecting children,1,100,19",
    ], db=db)
    assert _counts(summary) == (2, 1, 0, "loaded")
    assert _rows(db, "SELECT lsoa_code, edition, idaci_decile FROM deprivation ORDER BY lsoa_code") == [
        ("E01006074", 2019, 3), ("E01006075", 2019, 7)]
    assert _reasons(db) == [(5, 'year "19" is not a year (expected 4 digits, e.g. 2019)')]
    assert "Only the latest edition, 2019, was taken; 1 row of 2015 was skipped." in summary.message
    assert "1 row of other indices was skipped" in summary.message
    assert "No 2021 LSOAs are known yet" in summary.message


def test_2011_codes_map_onto_known_2021_lsoas_through_the_lookup(tmp_path, db):
    import_file("reach-areas", _write(tmp_path, "areas.csv", [
        "lsoa_code,centre_id", "E01000001,C1", "E01000021,C1", "E01000022,C1", "E01000023,C1",
        "E01000099,C1"]), db=db)
    import_file("lsoa-lookup", _write(tmp_path, "lookup.csv", [
        "LSOA11CD,LSOA21CD", "E01000002,E01000021", "E01000002,E01000022",   # a split
        "E01000003,E01000023", "E01000004,E01000023"]), db=db)               # a merge
    summary = import_file("deprivation", _write(tmp_path, "idaci.csv", [
        "lsoa11cd,idaci_decile,year", "E01000001,5,2019", "E01000002,2,2019", "E01000003,6,2019",
        "E01000004,4,2019"]), db=db)
    assert _counts(summary) == (4, 0, 0, "loaded")
    assert _rows(db, "SELECT lsoa_code, idaci_decile, source_code FROM deprivation ORDER BY lsoa_code") == [
        ("E01000001", 5, None), ("E01000021", 2, "E01000002"), ("E01000022", 2, "E01000002"),
        ("E01000023", 4, "E01000004")]
    assert ("1 of the file's 4 LSOA codes are 2021 LSOAs known here; 3 codes matched no known 2021 LSOA: "
            "E01000002, E01000003, E01000004.") in summary.message
    assert ("3 2021 LSOAs took the decile of their 2011 parent through the LSOA lookup (the most deprived "
            "parent where there are several): E01000021, E01000022, E01000023.") in summary.message
    assert "1 LSOA in reach areas still has no IDACI decile: E01000099." in summary.message


def test_lsoa_lookup_faults_and_welsh_rows(tmp_path, db):
    summary = import_file("lsoa-lookup", _write(tmp_path, "lookup.csv", [
        "lsoa11cd,lsoa21cd,chgind", "E01006185,E01034000,S", "E01006185,E01034001,S",
        "W01000001,W01000001,U", "E01006185,,S", "E01006185,E01034000,S"]), db=db)
    assert _counts(summary) == (2, 2, 0, "loaded")
    assert _reasons(db) == [(4, "lsoa21cd is missing (expected E01 followed by 6 digits)"),
                            (5, "duplicate of row 1")]
    assert "1 row for Wales was skipped." in summary.message
    assert _rows(db, "SELECT lsoa11cd, lsoa21cd FROM lsoa_lookup ORDER BY lsoa21cd") == [
        ("E01006185", "E01034000"), ("E01006185", "E01034001")]


# --- birth counts --------------------------------------------------------------------------------

def test_birth_counts_by_lsoa_and_by_centre(tmp_path, db):
    summary = _import("birth-counts", tmp_path, "counts.csv", ["month,births,lsoa_code,centre_id",
                                                               "2024-05,17,E01006074,", "2024-05-01,3,,22329",
                                                               "2024-5,4,E01006075,", "2024-06,-1,E01006075,",
                                                               "2024-06,2.5,E01006075,", "2024-06,2,,",
                                                               "2024-05,9,E01006074,"], db=db, received_on="2024-07-15")
    assert _counts(summary) == (2, 5, 0, "loaded")
    assert _rows(db, "SELECT area_type, area_code, month, births, received_on FROM birth_counts ORDER BY 1, 2") == [
        ("centre", "22329", date(2024, 5, 1), 3, date(2024, 7, 15)),
        ("lsoa", "E01006074", date(2024, 5, 1), 17, date(2024, 7, 15))]
    assert _reasons(db) == [
        (3, 'month "2024-5" is not a month in the form YYYY-MM'),
        (4, 'births "-1" is negative (expected a whole number of 0 or more)'),
        (5, 'births "2.5" is not a whole number'),
        (6, "lsoa_code or centre_id is missing (expected the area the births are counted in)"),
        (7, "duplicate of row 1"),
    ]


def test_birth_counts_outside_every_reach_area_are_quarantined_once_areas_exist(tmp_path, db):
    counts = _write(tmp_path, "counts.csv", ["month,births,lsoa_code", "2024-05,17,E01006074",
                                             "2024-05,12,E01009999"])
    assert import_file("birth-counts", counts, db=db, received_on="2024-07-15").rows_loaded == 2
    other = tmp_path / "other.duckdb"
    import_file("reach-areas", _write(tmp_path, "areas.csv", ["lsoa_code,centre_id", "E01006074,C1"]), db=other)
    summary = import_file("birth-counts", counts, db=other, received_on="2024-07-15")
    assert _counts(summary) == (1, 1, 0, "loaded")
    assert _reasons(other) == [(2, "LSOA E01009999 is outside every reach area")]


def test_a_revised_birth_count_replaces_the_old(tmp_path, db):
    import_file("birth-counts", _write(tmp_path, "a.csv", ["month,births,centre_id", "2024-05,17,C1",
                                                           "2024-06,15,C1"]), db=db, received_on="2024-07-15")
    summary = import_file("birth-counts", _write(tmp_path, "b.csv", ["month,births,centre_id",
                                                                     "2024-05,19,C1", "2024-06,15,C1"]),
                          db=db, received_on="2024-08-15")
    assert _counts(summary) == (1, 0, 1, "loaded")
    assert _rows(db, "SELECT month, births, received_on FROM birth_counts ORDER BY month") == [
        (date(2024, 5, 1), 19, date(2024, 8, 15)), (date(2024, 6, 1), 15, date(2024, 7, 15))]


# --- boundaries -------------------------------------------------------------------------------

def _square(x: float, y: float) -> list:
    return [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]]


def _geojson(folder: Path, features: list[tuple[str, str, list | None]]) -> Path:
    path = folder / "lsoas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA21CD": code, "LSOA21NM": name},
         "geometry": {"type": "Polygon", "coordinates": rings} if rings else None}
        for code, name, rings in features]}))
    return path


def test_boundaries_store_wkb_polygons_and_quarantine_what_the_reader_rejects(tmp_path, db):
    path = _geojson(tmp_path, [("E01000001", "Area 1", _square(-2.30, 53.40)),
                               ("E01000002", "Area 2", _square(-2.29, 53.40)),
                               ("X1", "Bad", _square(-2.28, 53.40)),
                               ("E01000001", "Again", _square(-2.27, 53.40))])
    summary = import_file("boundaries", path, db=db)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (4, 2, 2)
    stored = _rows(db, "SELECT lsoa_code, lsoa_name, geometry FROM lsoas ORDER BY lsoa_code")
    assert [(code, name) for code, name, _ in stored] == [("E01000001", "Area 1"), ("E01000002", "Area 2")]
    polygon = shapely.from_wkb(bytes(stored[0][2]))
    assert polygon.bounds == pytest.approx((-2.30, 53.40, -2.29, 53.41))
    assert [number for number, _ in _reasons(db)] == [3, 4]
    assert _reasons(db)[1][1] == "duplicate of row 1"
    assert import_file("boundaries", path, db=db).status == "unchanged"


def test_a_boundary_file_that_cannot_be_read_is_a_file_fault(tmp_path, db):
    path = _write(tmp_path, "lsoas.geojson", ["this is not geojson"])
    with pytest.raises(FileFault) as caught:
        import_file("boundaries", path, db=db)
    assert str(caught.value).startswith("lsoas.geojson: ")
    assert caught.value.expected
    assert not db.exists()
