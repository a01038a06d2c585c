"""The eyfsp and gld-counts imports: aliases, school years, yes/no values, duplicates, the
quarantine's reasons, pseudonymised NHS numbers, no postcode stored, and loading twice."""

from __future__ import annotations

import pytest

from data.importers import import_file
from data.store import connect, opened

# NHS numbers with valid check digits (modulus 11).
GOOD = ("9434765919", "9434765870", "4010232137")


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def store(empty_store, tmp_path):
    con = connect(empty_store)
    con.execute("INSERT INTO reach_areas (lsoa_code, centre_id) VALUES ('E01000001', 'C1'), ('E01000002', 'C1'), "
                "('E01000003', 'C2')")
    con.execute("INSERT INTO postcodes (postcode, lsoa_code) VALUES ('M329AB', 'E01000002')")
    con.close()
    return empty_store


def _rows(db, sql):
    with opened(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_eyfsp_aliases_school_years_and_yes_no_forms(store, tmp_path):
    path = _write(tmp_path, "eyfsp.csv",
                  "NHS_Number,Date of birth,Postcode,LSOA Code,Academic Year,GLD,FSM\n"
                  f"{GOOD[0]},2019-10-01,,E01000001,2024/25,Y,n\n"
                  f"{GOOD[1]},2019-11-01,M32 9AB,,202425,yes,TRUE\n"
                  f"{GOOD[2]},2018-11-01,,e01000003,2024,0,\n"
                  ",2019-12-01,,E01000001,2024-25,False,1\n")
    summary = import_file("eyfsp", path, db=store)
    assert (summary.rows_loaded, summary.rows_quarantined) == (4, 0)
    rows = _rows(store, "SELECT lsoa_code, assessment_year, gld, fsm FROM eyfsp ORDER BY dob")
    assert rows == [("E01000003", 2024, False, None), ("E01000001", 2025, True, False),
                    ("E01000002", 2025, True, True), ("E01000001", 2025, False, True)]


def test_nhs_numbers_are_pseudonymised_and_no_postcode_is_stored(store, tmp_path, monkeypatch):
    path = _write(tmp_path, "eyfsp.csv", "nhs_number,dob,postcode,assessment_year,gld\n"
                                         f"{GOOD[0]},2019-10-01,M32 9AB,2025,Y\n")
    import_file("eyfsp", path, db=store)
    (child_key, record_key), = _rows(store, "SELECT child_key, record_key FROM eyfsp")
    assert child_key != GOOD[0] and record_key == child_key
    with opened(store, read_only=True) as con:
        text = " ".join(str(v) for row in con.execute("SELECT * FROM eyfsp").fetchall() for v in row)
    assert GOOD[0] not in text and "M32" not in text and "9AB" not in text
    # The same hash as births use, so the child links to their registrations.
    births = _write(tmp_path, "births.csv", f"nhs_number,dob,lsoa_code\n{GOOD[0]},2019-10-01,E01000001\n")
    import_file("births", births, db=store, received_on="2019-11-01")
    assert _rows(store, "SELECT count(*) FROM births JOIN eyfsp USING (child_key)") == [(1,)]


def test_faulty_rows_are_quarantined_with_their_reasons(store, tmp_path):
    path = _write(tmp_path, "eyfsp.csv", "nhs_number,dob,lsoa_code,assessment_year,gld\n"
                  f"{GOOD[0]},2019-10-01,E01000001,2025,Y\n"          # 1 good
                  f"{GOOD[0]},2019-10-01,E01000001,2025,N\n"          # 2 the same child again
                  "9434765910,2019-10-01,E01000001,2025,Y\n"          # 3 check digit
                  ",2019-10-01,E01000001,2024/26,Y\n"                 # 4 not a school year
                  ",2019-10-01,E01000001,2025,maybe\n"                # 5 gld
                  ",2019-10-01,E01000001,2025,\n"                     # 6 gld missing
                  ",2024-10-01,E01000001,2025,Y\n"                    # 7 born after the year began
                  ",2019-10-01,X01000001,2025,Y\n"                    # 8 not an LSOA
                  ",2019-10-01,E01999999,2025,Y\n"                    # 9 outside every area: loaded
                  f"{GOOD[0]},2019-10-01,E01000001,2024,Y\n")         # 10 another year: loaded
    summary = import_file("eyfsp", path, db=store)
    assert (summary.rows_loaded, summary.rows_quarantined) == (3, 7)
    reasons = dict(_rows(store, "SELECT row_number, reason FROM quarantine ORDER BY row_number"))
    assert reasons[2] == "duplicate of row 1"
    assert "check digit" in reasons[3]
    assert reasons[4].startswith('assessment_year "2024/26" is not a school year')
    assert reasons[5].startswith('gld "maybe" is not a yes/no value')
    assert reasons[6].startswith("gld is missing")
    assert reasons[7] == "dob 2024-10-01 is after the school year 2024/25 began (assessment_year)"
    assert reasons[8].startswith('lsoa_code "X01000001" is not an LSOA code')
    assert "outside every reach area" in summary.message


def test_loading_the_same_file_twice_changes_nothing(store, tmp_path):
    # Rows without a key, two of them alike in every value: two children, the same twice.
    path = _write(tmp_path, "eyfsp.csv", "dob,lsoa_code,assessment_year,gld\n"
                  "2019-10-01,E01000001,2025,Y\n2019-10-01,E01000001,2025,Y\n2019-10-02,E01000001,2025,N\n")
    first = import_file("eyfsp", path, db=store)
    again = import_file("eyfsp", path, db=store)
    assert (first.rows_loaded, first.rows_quarantined) == (3, 0)
    assert (again.status, again.rows_loaded, again.rows_already_present) == ("unchanged", 0, 3)
    assert _rows(store, "SELECT count(*) FROM eyfsp") == [(3,)]


def test_gld_counts_checks(store, tmp_path):
    path = _write(tmp_path, "gld.csv", "time_period,lsoa_code,centre_id,assessed,gld,fsm_assessed,fsm_gld\n"
                  "202425,E01000001,,10,7,3,1\n"       # 1 good, by LSOA
                  "2025,,C2,20,12,,\n"                 # 2 good, by centre
                  "2025,E01000002,,20,25,,\n"          # 3 gld more than assessed
                  "2025,E01000003,,10,7,11,2\n"        # 4 fsm_assessed more than assessed
                  "2025,E01000003,,10,7,3,4\n"         # 5 fsm_gld more than fsm_assessed
                  "2025,E01000003,,10,-1,,\n"          # 6 negative
                  "2025,E01000003,,10,7,,2\n"          # 7 fsm_gld alone
                  "2025,E01999999,,10,7,,\n")          # 8 outside every reach area
    summary = import_file("gld-counts", path, db=store)
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 6)
    assert _rows(store, "SELECT * EXCLUDE (import_id) FROM gld_counts ORDER BY area_type") == [
        ("centre", "C2", 2025, 20, 12, None, None), ("lsoa", "E01000001", 2025, 10, 7, 3, 1)]
    reasons = dict(_rows(store, "SELECT row_number, reason FROM quarantine ORDER BY row_number"))
    assert reasons[3] == "gld 25 is more than assessed 20"
    assert reasons[4] == "fsm_assessed 11 is more than assessed 10"
    assert reasons[5] == "fsm_gld 4 is more than fsm_assessed 3"
    assert "negative" in reasons[6]
    assert reasons[7].startswith("fsm_gld is given without fsm_assessed")
    assert reasons[8] == "LSOA E01999999 is outside every reach area"
    assert import_file("gld-counts", path, db=store).status == "unchanged"


def test_an_eyfsp_import_can_be_undone(store, tmp_path):
    from data.importers import remove_import

    path = _write(tmp_path, "eyfsp.csv", "dob,lsoa_code,assessment_year,gld\n2019-10-01,E01000001,2025,Y\n")
    summary = import_file("eyfsp", path, db=store)
    removed = remove_import(summary.import_id, db=store)
    assert removed.rows_removed == 1
    assert _rows(store, "SELECT count(*) FROM eyfsp") == [(0,)]
