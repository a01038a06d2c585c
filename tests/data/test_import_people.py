"""Births, registrations and contacts: pseudonymised, placed, checked row by row, loaded once."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date

import pytest

from data.importers import import_file, is_valid_nhs_number, list_quarantine
from data.store import opened
from tests.data.files import import_lines as _import, reasons as _reasons, rows as _rows, write_lines as _write

SECRET = "a-test-key-for-hashing-32-bytes-or-more"


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("REACH_SECRET", SECRET)


def _key(nhs_number: str) -> str:
    return hmac.new(SECRET.encode(), nhs_number.encode(), hashlib.sha256).hexdigest()


# --- NHS numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, valid", [
    ("9434765919", True), ("943 476 5919", True), ("943-476-5919", True), ("4010232137", True),
    ("9434765918", False), ("943476591", False), ("94347659190", False), ("943476591X", False),
    ("", False),
])
def test_nhs_numbers_are_checked_by_modulus_11(text, valid):
    assert is_valid_nhs_number(text) is valid


def test_a_number_whose_check_digit_would_be_10_is_never_valid():
    # 000000006x: weighted sum 6 * 2 = 12, 12 % 11 = 1, 11 - 1 = 10: no check digit can be right.
    assert not any(is_valid_nhs_number(f"000000006{digit}") for digit in range(10))


# --- births -------------------------------------------------------------------------------------

def test_a_good_births_file_is_pseudonymised_and_stored(tmp_path, db):
    summary = _import("births", tmp_path, "births_2024_06.csv", [
        "nhs_number,dob,sex,lsoa_code,event,arrived_on",
        "943 476 5919,2024-05-01,F,E01006074,,",
        "4010232137,2024-05-02,M,E01006075,arrival,2024-06-03",
    ], db=db, received_on="2024-06-30")
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined, summary.rows_already_present,
            summary.status) == (2, 2, 0, 0, "loaded")
    assert summary.line() == "births: births_2024_06.csv: 2 rows loaded, 0 quarantined, 0 already present"
    stored = _rows(db, "SELECT child_key, dob, lsoa_code, received_on, event, arrived_on, sex FROM births ORDER BY dob")
    assert stored == [
        (_key("9434765919"), date(2024, 5, 1), "E01006074", date(2024, 6, 30), "birth", None, "F"),
        (_key("4010232137"), date(2024, 5, 2), "E01006075", date(2024, 6, 30), "arrival", date(2024, 6, 3), "M"),
    ]
    assert stored[0][0] != "9434765919" and len(stored[0][0]) == 64
    assert _rows(db, "SELECT kind, file_name, received_on, rows_read, rows_loaded, status FROM import_log") == [
        ("births", "births_2024_06.csv", date(2024, 6, 30), 2, 2, "loaded")]


def test_loading_the_same_births_file_twice_changes_nothing(tmp_path, db):
    lines = ["nhs_number,dob,lsoa_code", "9434765919,2024-05-01,E01006074",
             "4010232137,2024-05-02,E01006075", "9434765918,2024-05-02,E01006075"]
    path = _write(tmp_path, "births_2024_06.csv", lines)
    first = import_file("births", path, db=db, received_on="2024-06-30")
    second = import_file("births", path, db=db, received_on="2024-06-30")
    assert (first.rows_loaded, first.rows_quarantined, first.status) == (2, 1, "loaded")
    assert (second.rows_loaded, second.rows_quarantined, second.rows_already_present, second.status) == (
        0, 1, 2, "unchanged")
    assert second.line() == ("births: births_2024_06.csv: nothing changed: 0 rows loaded, 1 quarantined, "
                             "2 already present")
    assert "nothing changed" in second.message
    assert _rows(db, "SELECT count(*) FROM births") == [(2,)]
    # The quarantine lists the fault once, under the import that found it.
    assert _rows(db, "SELECT import_id, row_number FROM quarantine") == [(first.import_id, 3)]
    assert _rows(db, "SELECT import_id, status FROM import_log ORDER BY import_id") == [
        (1, "loaded"), (2, "unchanged")]


def test_without_received_on_the_date_of_import_is_used_and_kept_for_the_same_file(tmp_path, db, monkeypatch):
    class FirstOfMarch(date):
        @classmethod
        def today(cls):
            return date(2025, 3, 1)

    class SecondOfMarch(date):
        @classmethod
        def today(cls):
            return date(2025, 3, 2)

    path = _write(tmp_path, "b.csv", ["nhs_number,dob,lsoa_code", "9434765919,2025-02-01,E01006074"])
    monkeypatch.setattr("data.importers.importing.date", FirstOfMarch)
    first = import_file("births", path, db=db)
    assert "1 row had no received_on, so the date of import (2025-03-01) was used." in first.message
    monkeypatch.setattr("data.importers.importing.date", SecondOfMarch)
    second = import_file("births", path, db=db)
    assert second.status == "unchanged"
    assert "the date this file was first imported (2025-03-01) was used" in second.message
    assert _rows(db, "SELECT received_on FROM births") == [(date(2025, 3, 1),)]


def test_a_row_keeps_its_own_received_on(tmp_path, db):
    summary = _import("births", tmp_path, "b.csv", ["nhs_number,dob,lsoa_code,received_on",
                                                    "9434765919,2024-05-01,E01006074,2024-05-20",
                                                    "4010232137,2024-05-02,E01006074,",
                                                    "9990000018,2024-05-02,E01006074,20/05/2024"],
                      db=db, received_on="2024-06-30")
    assert summary.rows_loaded == 2
    assert _rows(db, "SELECT received_on FROM births ORDER BY dob") == [(date(2024, 5, 20),), (date(2024, 6, 30),)]
    assert _reasons(db) == [(3, 'received_on "20/05/2024" is not a date in the form YYYY-MM-DD')]


def test_every_row_fault_is_quarantined_with_its_reason_and_row_number(tmp_path, db, postcodes):
    summary = _import("births", tmp_path, "births_2024_06.csv", [
        "nhs_number,dob,postcode,mother_name,event",
        "9434765919,2024-05-01,M32 9AN,Jane Smith,",             # 1 good
        "9434765918,2024-05-01,M32 9AN,Ann Jones,",              # 2 check digit
        "94347659,2024-05-01,M32 9AN,Ann Jones,",                # 3 not 10 digits
        ",2024-05-01,M32 9AN,Ann Jones,",                        # 4 missing
        "4010232137,2023-02-30,M32 9AN,Ann Jones,",              # 5 impossible date
        "4010232137,01/05/2024,M32 9AN,Ann Jones,",              # 6 not ISO
        "4010232137,2099-01-01,M32 9AN,Ann Jones,",              # 7 in the future
        "4010232137,2024-07-01,M32 9AN,Ann Jones,",              # 8 after received_on
        "4010232137,2024-05-02,ZZ99 9ZZ,Ann Jones,",             # 9 unknown postcode
        "4010232137,2024-05-02,,Ann Jones,",                     # 10 no residence
        "4010232137,2024-05-02,m319 4fl,Ann Jones,adopted",      # 11 bad event, bad postcode
        "943 476 5919,2024-05-01,M31 4FL,Jane Smith,birth",      # 12 the child of row 1 again
        "4010232137,,M31 4FL,Ann Jones,",                        # 13 dob missing
    ], db=db, received_on="2024-06-30")
    assert (summary.rows_loaded, summary.rows_quarantined) == (1, 12)
    assert _reasons(db) == [
        (2, 'nhs_number "******5918" fails the NHS number check digit (modulus 11)'),
        (3, 'nhs_number "******7659" is not 10 digits'),
        (4, "nhs_number is missing (expected a 10-digit NHS number)"),
        (5, 'dob "2023-02-30" is not a real date'),
        (6, 'dob "01/05/2024" is not a date in the form YYYY-MM-DD'),
        (7, "dob 2099-01-01 is in the future"),
        (8, "received_on 2024-06-30 is before dob 2024-07-01"),
        (9, 'postcode in district "ZZ99" is not in the postcode lookup'),
        (10, "postcode is missing (expected where the child lives)"),
        (11, 'postcode is not in the postcode lookup; event "adopted" is not birth or arrival'),
        (12, "duplicate of row 1"),
        (13, "dob is missing (expected a date, YYYY-MM-DD)"),
    ]


def test_quarantined_rows_hide_nhs_numbers_and_drop_postcodes_and_names(tmp_path, db, postcodes):
    path = _write(tmp_path, "b.csv", ["NHS Number,DOB,Postcode,Mother Name,Address",
                                      "9434765918,2024-05-01,M32 9AN,Ann Jones,1 High St"])
    import_file("births", path, db=db, received_on="2024-06-30")
    with opened(db, read_only=True) as con:
        frame = list_quarantine(con)
    assert json.loads(frame.loc[0, "row_data"]) == {"NHS Number": "******5918", "DOB": "2024-05-01"}


def test_postcodes_unknown_before_the_lookup_are_placed_when_the_file_comes_again(tmp_path, db):
    path = _write(tmp_path, "b.csv", ["nhs_number,dob,postcode", "9434765919,2024-05-01,M32 9AN",
                                      "4010232137,2024-05-02,m31 4fl", "9990000018,2024-05-03,ZZ1 1ZZ"])
    first = import_file("births", path, db=db, received_on="2024-06-30")
    assert (first.rows_loaded, first.rows_quarantined) == (0, 3)
    assert _reasons(db)[0] == (1, "postcode cannot be placed: no postcode lookup has been loaded yet "
                                  "(import the postcodes file first)")
    lookup = _write(tmp_path, "postcodes.csv", ["postcode,lsoa_code", "M32 9AN,E01006179", "M31 4FL,E01006104"])
    import_file("postcodes", lookup, db=db)
    again = import_file("births", path, db=db, received_on="2024-06-30")
    assert (again.rows_loaded, again.rows_quarantined, again.status) == (2, 1, "loaded")
    assert _rows(db, "SELECT lsoa_code FROM births ORDER BY dob") == [("E01006179",), ("E01006104",)]
    # Each fault is listed once: the first import's quarantine rows were replaced.
    assert _rows(db, "SELECT import_id, row_number, reason FROM quarantine") == [
        (again.import_id, 3, 'postcode in district "ZZ1" is not in the postcode lookup')]


def test_lsoa_code_is_used_where_given_and_postcode_elsewhere(tmp_path, db, postcodes):
    summary = _import("births", tmp_path, "b.csv", ["nhs_number,dob,lsoa_code,postcode",
                                                    "9434765919,2024-05-01,E01006074,M32 9AN",
                                                    "4010232137,2024-05-02,,M32 9AN",
                                                    "9990000018,2024-05-03,,"], db=db, received_on="2024-06-30")
    assert summary.rows_loaded == 2
    assert _rows(db, "SELECT lsoa_code FROM births ORDER BY dob") == [("E01006074",), ("E01006179",)]
    assert _reasons(db) == [(3, "lsoa_code and postcode are both missing (expected where the child lives)")]


def test_a_family_outside_every_reach_area_is_loaded_not_quarantined(tmp_path, db):
    import_file("reach-areas", _write(tmp_path, "areas.csv", ["lsoa_code,centre_id", "E01006074,22329"]), db=db)
    summary = _import("births", tmp_path, "b.csv", ["nhs_number,dob,lsoa_code", "9434765919,2024-05-01,E01006074",
                                                    "4010232137,2024-05-02,E01009999"], db=db, received_on="2024-06-30")
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 0)
    assert ("1 of the rows is for children living outside every reach area: loaded, and counted as "
            "out of area.") in summary.message


def test_a_child_key_column_is_taken_as_it_is(tmp_path, db):
    summary = _import("births", tmp_path, "b.csv", ["child_key,nhs_number,dob,lsoa_code",
                                                    "upstream-7f3a,9434765919,2024-05-01,E01006074",
                                                    ",4010232137,2024-05-02,E01006074"],
                      db=db, received_on="2024-06-30")
    assert summary.rows_loaded == 1
    assert _rows(db, "SELECT child_key FROM births") == [("upstream-7f3a",)]
    assert _reasons(db) == [(2, "child_key is missing (expected the child's pseudonymised key)")]


def test_a_child_key_that_is_an_nhs_number_is_hashed_like_one_and_links(tmp_path, db):
    births = _write(tmp_path, "b.csv", ["child_key,dob,lsoa_code",
                                        "4010000007,2024-05-01,E01006074",
                                        "401 000 0074,2024-05-02,E01006074",
                                        "upstream-7f3a,2024-05-03,E01006074"])
    summary = import_file("births", births, db=db, received_on="2024-06-30")
    assert (summary.rows_loaded, summary.rows_quarantined) == (3, 0)
    assert "2 child keys were NHS numbers and were pseudonymised" in summary.message
    assert _rows(db, "SELECT child_key FROM births ORDER BY dob") == [
        (_key("4010000007"),), (_key("4010000074"),), ("upstream-7f3a",)]
    # The same children registered by NHS number are the same children.
    import_file("registrations", _write(tmp_path, "r.csv", [
        "nhs_number,dob,lsoa_code,centre_id,registered_on",
        "401-000-0007,2024-05-01,E01006074,22329,2024-06-10",
        "4010000074,2024-05-02,E01006074,22329,2024-06-10"]), db=db)
    assert _rows(db, "SELECT count(*) FROM births JOIN registrations USING (child_key)") == [(2,)]


def test_a_child_key_of_ten_digits_failing_the_check_digit_is_quarantined_masked(tmp_path, db):
    summary = _import("contacts", tmp_path, "c.csv", ["Child Key,contact_on", "4010000008,2024-06-01",
                                                      "4010000007,2024-06-01"], db=db)
    assert (summary.rows_loaded, summary.rows_quarantined) == (1, 1)
    assert "1 child key was an NHS number and was pseudonymised" in summary.message
    assert _reasons(db) == [(1, 'Child Key "******0008" looks like an NHS number (10 digits) but fails '
                                "its check digit (modulus 11)")]
    with opened(db, read_only=True) as con:
        frame = list_quarantine(con)
    assert json.loads(frame.loc[0, "row_data"]) == {"Child Key": "******0008", "contact_on": "2024-06-01"}
    assert _rows(db, "SELECT child_key FROM contacts") == [(_key("4010000007"),)]


# --- registrations -------------------------------------------------------------------------------

def test_registrations_hash_the_family_key_and_read_the_flags(tmp_path, db):
    summary = _import("registrations", tmp_path, "registrations.csv", [
        "nhs_number,dob,lsoa_code,centre_id,registered_on,family_key,lone_parent,teenage_parent,"
        "workless_household,disability,minority_ethnic,father_engaged",
        "9434765919,2024-05-01,E01006074,22329,2024-06-10,SMITH-77,Yes,n,1,0,,TRUE",
        "4010232137,2024-05-02,E01006074,99999,2024-06-11,,no,N,false,Y,y,",
    ], db=db)
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 0)
    stored = _rows(db, "SELECT * EXCLUDE (import_id) FROM registrations ORDER BY dob")
    assert stored == [
        (_key("9434765919"), date(2024, 5, 1), "E01006074", "22329", date(2024, 6, 10), _key("SMITH-77"),
         True, False, True, False, None, True),
        (_key("4010232137"), date(2024, 5, 2), "E01006074", "99999", date(2024, 6, 11), None,
         False, False, False, True, True, None),
    ]
    # A centre that is not in the centres list yet is not a fault.
    assert "Registrations name 2 centres not in the centres list yet: 22329, 99999" in summary.message


def test_registration_faults(tmp_path, db):
    summary = _import("registrations", tmp_path, "registrations.csv", [
        "nhs_number,dob,lsoa_code,centre_id,registered_on,lone_parent",
        "9434765919,2024-05-01,E01006074,22329,2024-04-30,",      # 1 before birth
        "9434765919,2024-05-01,E01006074,,2024-06-01,",           # 2 no centre
        "9434765919,2024-05-01,E01006074,22329,,",                # 3 no date
        "9434765919,2024-05-01,E01006074,22329,2024-06-01,maybe",  # 4 bad flag
        "9434765919,2024-05-01,E01006074,22329,2024-06-01,yes",   # 5 good
        "9434765919,2024-05-01,E01006074,22329,2024-06-01,no",    # 6 same key as 5
        "9434765919,2024-05-01,E01006074,22963,2024-06-01,no",    # 7 good: another centre
    ], db=db)
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 5)
    assert _reasons(db) == [
        (1, "registered_on 2024-04-30 is before dob 2024-05-01"),
        (2, "centre_id is missing (expected the centre the child is registered with)"),
        (3, "registered_on is missing (expected a date, YYYY-MM-DD)"),
        (4, 'lone_parent "maybe" is not a yes/no value (expected true/false, yes/no, y/n, 1/0 or blank)'),
        (6, "duplicate of row 5"),
    ]


def test_births_and_registrations_of_one_child_share_a_key(tmp_path, db):
    import_file("births", _write(tmp_path, "b.csv", ["nhs_number,dob,lsoa_code", "943-476-5919,2024-05-01,E01006074"]),
                db=db, received_on="2024-06-30")
    import_file("registrations", _write(tmp_path, "r.csv", ["NHS_No,dob,lsoa_code,centre_id,registered_on",
                                                            "9434765919,2024-05-01,E01006074,22329,2024-06-10"]),
                db=db)
    assert _rows(db, "SELECT count(*) FROM births JOIN registrations USING (child_key)") == [(1,)]


def test_a_quarantined_family_key_shows_no_character_of_itself(tmp_path, db):
    path = _write(tmp_path, "registrations.csv", [
        "nhs_number,dob,lsoa_code,centre_id,registered_on,family_key",
        "9434765919,2024-05-01,E01006074,22329,not a date,SMITH-77"])
    import_file("registrations", path, db=db)
    with opened(db, read_only=True) as con:
        row = json.loads(list_quarantine(con).loc[0, "row_data"])
    assert row["family_key"] == "******"


def test_a_centre_or_activity_that_looks_personal_is_quarantined_without_showing_it(tmp_path, db):
    summary = _import("contacts", tmp_path, "contacts.csv", [
        "nhs_number,contact_on,centre_id,activity",
        "9434765919,2024-06-01,22329,Stay and play",
        "9434765919,2024-06-02,401 000 0007,Stay and play",
        "9434765919,2024-06-03,22329,jane.smith@example.org",
        "9434765919,2024-06-04,22329,call 07700 900123",
        "9434765919,2024-06-05,22329,visit at M32 9AN"], db=db)
    assert (summary.rows_loaded, summary.rows_quarantined) == (1, 4)
    assert _reasons(db) == [
        (2, "centre_id holds what looks like an NHS number or a telephone number, which Reach does not keep"),
        (3, "activity holds what looks like an e-mail address, which Reach does not keep"),
        (4, "activity holds what looks like an NHS number or a telephone number, which Reach does not keep"),
        (5, "activity holds what looks like a postcode, which Reach does not keep"),
    ]
    with opened(db, read_only=True) as con:
        shown = [json.loads(text) for text in list_quarantine(con)["row_data"]]
    assert [(row["centre_id"], row["activity"]) for row in shown] == [
        ("******", "Stay and play"), ("22329", "***@***"), ("22329", "call ******"),
        ("22329", "visit at M32 ***")]


# --- contacts ------------------------------------------------------------------------------------

def test_contacts_load_with_empty_centre_and_activity_when_absent(tmp_path, db):
    path = _write(tmp_path, "contacts.csv", ["nhs_number,contact_on", "9434765919,2024-06-01",
                                             "9434765919,2024-06-08", "9434765919,2024-06-08",
                                             "9434765919,2024-6-8"])
    summary = import_file("contacts", path, db=db)
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 2)
    assert _rows(db, "SELECT child_key, contact_on, centre_id, activity FROM contacts ORDER BY contact_on") == [
        (_key("9434765919"), date(2024, 6, 1), "", ""), (_key("9434765919"), date(2024, 6, 8), "", "")]
    assert _reasons(db) == [(3, "duplicate of row 2"),
                            (4, 'contact_on "2024-6-8" is not a date in the form YYYY-MM-DD')]
    assert import_file("contacts", path, db=db).status == "unchanged"


def test_contacts_with_centre_and_activity(tmp_path, db):
    path = _write(tmp_path, "contacts.csv", ["child_key,contact_on,centre_id,activity",
                                             "k1,2024-06-01,22329,Stay and play",
                                             "k1,2024-06-01,22329,Baby massage",
                                             "k1,2024-06-01,,Baby massage"])
    assert import_file("contacts", path, db=db).rows_loaded == 3
    assert _rows(db, "SELECT centre_id, activity FROM contacts ORDER BY centre_id, activity") == [
        ("", "Baby massage"), ("22329", "Baby massage"), ("22329", "Stay and play")]


# --- nothing personal anywhere ---------------------------------------------------------------------

def test_no_nhs_number_postcode_or_family_key_is_stored_anywhere(tmp_path, db, postcodes):
    numbers = ["9434765919", "4010232137", "9434765918"]
    import_file("births", _write(tmp_path, "b.csv", [
        "nhs_number,dob,postcode,mother_name",
        "943 476 5919,2024-05-01,M32 9AN,Jane Smith",
        "4010232137,2024-05-02,M31 4FL,Ann Jones",
        "9434765918,2024-05-02,M31 4FL,Ann Jones",
        "9434765919,2024-05-09,ZZ9 9ZZ,Jane Smith"]), db=db, received_on="2024-06-30")
    import_file("registrations", _write(tmp_path, "r.csv", [
        "nhs_number,dob,postcode,centre_id,registered_on,family_key",
        "9434765919,2024-05-01,M32 9AN,22329,2024-06-10,FAMILY-SMITH-77",
        "4010232137,2024-05-02,M31 4FL,22329,2099-06-10,FAMILY-JONES-12",
        "4010232137,2024-05-02,M31 4FL,22329,2024-04-10,FAMILY-JONES-12"]), db=db)
    import_file("contacts", _write(tmp_path, "c.csv", ["nhs_number,contact_on", "9434765919,2024-06-11",
                                                       "9434765918,2024-06-11"]), db=db)
    forbidden = [*numbers, "943 476 5919", "M32 9AN", "M329AN", "M31 4FL", "M314FL", "ZZ9 9ZZ", "ZZ99ZZ",
                 "FAMILY-SMITH-77", "FAMILY-JONES-12", "Jane Smith", "Ann Jones"]
    found = []
    with opened(db, read_only=True) as con:
        columns = con.execute("""SELECT table_name, column_name FROM information_schema.columns
                                 WHERE data_type = 'VARCHAR' AND table_name <> 'postcodes'""").fetchall()
        assert len(columns) > 20
        for table, column in columns:
            for text in forbidden:
                hits = con.execute(f'SELECT count(*) FROM {table} WHERE contains("{column}", ?)',
                                   [text]).fetchall()[0][0]
                if hits:
                    found.append((table, column, text))
        masked = con.execute("SELECT count(*) FROM quarantine WHERE contains(row_data, '******5918')").fetchall()
    assert found == []
    assert masked == [(2,)]
