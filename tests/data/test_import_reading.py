"""Reading files: CSV and XLSX through the same checks, and whole-file faults that write nothing."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from data.importers import FileFault, import_file
from data.schema import TABLES
from data.store import opened


def _write(folder: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def _counts(db: Path) -> dict[str, int]:
    with opened(db, read_only=True) as con:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table in TABLES}


def _quarantine(db: Path) -> list[tuple[int, str]]:
    with opened(db, read_only=True) as con:
        return con.execute("SELECT row_number, reason FROM quarantine ORDER BY row_number").fetchall()


GOOD_BIRTHS = "nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074\n4010232137,2024-05-02,E01006075\n"


def test_a_missing_required_column_names_the_file_the_column_and_what_was_found(tmp_path, db):
    path = _write(tmp_path, "births_2024_06.csv", "nhs_number,postcode\n9434765919,M32 9AN\n")
    with pytest.raises(FileFault) as caught:
        import_file("births", path, db=db)
    assert str(caught.value) == ('births_2024_06.csv: required column "dob" (date of birth, YYYY-MM-DD) '
                                 "is missing; found columns: nhs_number, postcode")
    assert caught.value.file == "births_2024_06.csv"
    assert caught.value.column == "dob"
    assert caught.value.expected == "date of birth, YYYY-MM-DD"
    assert not db.exists()


def test_a_missing_choice_of_columns_names_both(tmp_path, db):
    path = _write(tmp_path, "b.csv", "dob,lsoa_code\n2024-05-01,E01006074\n")
    with pytest.raises(FileFault, match=r'required column "child_key" or "nhs_number"') as caught:
        import_file("births", path, db=db)
    assert caught.value.column == "child_key"


def test_an_unknown_kind_is_refused_with_the_kinds_that_exist(tmp_path, db):
    path = _write(tmp_path, "b.csv", GOOD_BIRTHS)
    with pytest.raises(FileFault) as caught:
        import_file("babies", path, db=db)
    assert str(caught.value).startswith(
        'b.csv: "babies" is not a kind of file Reach imports; expected one of: centres,')
    assert "lsoa-lookup" in caught.value.expected
    assert not db.exists()


def test_a_file_that_does_not_exist_is_a_file_fault(tmp_path, db):
    with pytest.raises(FileFault, match="does not exist"):
        import_file("births", tmp_path / "nowhere.csv", db=db)


@pytest.mark.parametrize("name, content, says", [
    ("empty.csv", b"", "the file is empty"),
    ("blank.csv", b"\n\n  \n", "the file is empty"),
    ("junk.csv", bytes(range(256)) * 40, "binary data"),
    ("latin1.csv", "nhs_number,dob,lsoa_code,name\n9434765919,2024-05-01,E01006074,Zoë\n".encode("latin-1"),
     "not UTF-8"),
    ("cut.csv", b"nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074\n4010232137,2024-05-0",
     "row 2 has 2 values but the header has 3 columns"),
    ("quote.csv", b'nhs_number,dob,lsoa_code\n9434765919,"2024-05-01,E01006074\n', "row 1 is garbled"),
    ("zipped.csv", b"PK\x03\x04" + b"\x00" * 64, "zip file or an Excel workbook"),
    ("semicolons.csv", b"nhs_number;dob;lsoa_code\n9434765919;2024-05-01;E01006074\n",
     "its values are separated by semicolons, not commas"),
])
def test_unreadable_csv_is_a_file_fault_and_writes_nothing(tmp_path, db, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileFault) as caught:
        import_file("births", path, db=db)
    message = str(caught.value)
    assert message.startswith(f"{name}: could not be read as CSV: ")
    assert says in message
    assert message.endswith("expected UTF-8 comma-separated text with a header row")
    assert caught.value.column is None
    assert not db.exists() or _counts(db)["import_log"] == 0


def test_a_fault_late_in_the_file_rolls_back_everything(tmp_path, db, monkeypatch):
    import_file("births", _write(tmp_path, "first.csv", GOOD_BIRTHS), db=db, received_on="2024-06-30")
    before = _counts(db)
    monkeypatch.setattr("data.importers.reading.BATCH_ROWS", 2)
    rows = "".join(f"9434765919,2024-05-0{day},E01006074\n" for day in range(1, 8))
    path = _write(tmp_path, "late.csv", "nhs_number,dob,lsoa_code\n" + rows + "4010232137,2024\n")
    with pytest.raises(FileFault, match="row 8 has 2 values"):
        import_file("births", path, db=db)
    assert _counts(db) == before


def test_a_failure_while_saving_leaves_the_store_as_it_was(tmp_path, db, monkeypatch):
    import_file("births", _write(tmp_path, "first.csv", GOOD_BIRTHS), db=db, received_on="2024-06-30")
    before = _counts(db)

    def broken(ctx):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("data.importers.importing._quarantine", broken)
    path = _write(tmp_path, "second.csv", "nhs_number,dob,lsoa_code\n9990000018,2024-05-03,E01006076\n"
                                         "123,2024-05-03,E01006076\n")
    with pytest.raises(RuntimeError, match="the disk is full"):
        import_file("births", path, db=db, received_on="2024-07-31")
    assert _counts(db) == before


def test_headers_match_ignoring_case_spaces_and_aliases_and_a_bom_is_tolerated(tmp_path, db):
    text = "\ufeff NHS Number ,Date of Birth,LSOA21CD\n9434765919,2024-05-01,e01006074\n"
    summary = import_file("births", _write(tmp_path, "b.csv", text), db=db, received_on="2024-06-30")
    assert summary.rows_loaded == 1
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT dob, lsoa_code FROM births").fetchall() == [(date(2024, 5, 1), "E01006074")]


def test_a_column_that_appears_twice_is_a_file_fault(tmp_path, db):
    path = _write(tmp_path, "b.csv", "nhs_number,dob,DOB,lsoa_code\n9434765919,2024-05-01,2024-05-01,E01006074\n")
    with pytest.raises(FileFault, match=r'the column dob appears more than once \("dob", "DOB"\)'):
        import_file("births", path, db=db)


def test_blank_rows_are_skipped_but_keep_their_row_number(tmp_path, db):
    text = ("nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074\n\n,,\n"
            "4010232137,2024-13-01,E01006074\n")
    summary = import_file("births", _write(tmp_path, "b.csv", text), db=db, received_on="2024-06-30")
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2, 1, 1)
    assert _quarantine(db) == [(4, 'dob "2024-13-01" is not a real date')]


def test_empty_values_after_the_last_column_are_tolerated(tmp_path, db):
    text = "nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074,,\n"
    assert import_file("births", _write(tmp_path, "b.csv", text), db=db, received_on="2024-06-30").rows_loaded == 1


def test_values_are_read_as_text_never_guessed(tmp_path, db):
    # A leading zero, a number-like centre id and a child_key that looks like a float stay as written.
    text = "child_key,dob,lsoa_code,centre_id,registered_on\n0012e5,2024-05-01,E01006074,007,2024-06-01\n"
    import_file("registrations", _write(tmp_path, "r.csv", text), db=db)
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT child_key, centre_id FROM registrations").fetchall() == [("0012e5", "007")]


# --- XLSX ------------------------------------------------------------------------------------------

def _workbook(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_takes_date_cells_and_numeric_nhs_numbers(tmp_path, db):
    path = _workbook(tmp_path / "births.xlsx", [
        ["NHS_Number", "DOB", "LSOA_Code", "received_on"],
        [9434765919, datetime(2024, 5, 1), "E01006074", date(2024, 6, 30)],
        ["401 023 2137", "2024-05-02", "E01006075", None],
    ])
    summary = import_file("births", path, db=db, received_on="2024-07-31")
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2, 2, 0)
    with opened(db, read_only=True) as con:
        stored = con.execute("SELECT dob, lsoa_code, received_on FROM births ORDER BY dob").fetchall()
    assert stored == [(date(2024, 5, 1), "E01006074", date(2024, 6, 30)),
                      (date(2024, 5, 2), "E01006075", date(2024, 7, 31))]


def test_xlsx_rows_go_through_the_same_checks(tmp_path, db):
    path = _workbook(tmp_path / "births.xlsx", [
        ["nhs_number", "dob", "lsoa_code"],
        [9434765918, datetime(2024, 5, 1), "E01006074"],
        [9434765919, "01/05/2024", "E01006074"],
        [4010232137, datetime(2024, 5, 1), "E1006074"],
    ])
    summary = import_file("births", path, db=db, received_on="2024-06-30")
    assert summary.rows_quarantined == 3
    assert _quarantine(db) == [
        (1, 'nhs_number "******5918" fails the NHS number check digit (modulus 11)'),
        (2, 'dob "01/05/2024" is not a date in the form YYYY-MM-DD'),
        (3, 'lsoa_code "E1006074" is not an LSOA code (expected E01 followed by 6 digits)'),
    ]


def test_xlsx_missing_column_is_the_same_file_fault(tmp_path, db):
    path = _workbook(tmp_path / "births.xlsx", [["nhs_number", "postcode"], [9434765919, "M32 9AN"]])
    with pytest.raises(FileFault, match=r'^births.xlsx: required column "dob"'):
        import_file("births", path, db=db)


def test_an_xlsx_that_is_not_a_zip_is_a_file_fault(tmp_path, db):
    path = _write(tmp_path, "births.xlsx", GOOD_BIRTHS)
    with pytest.raises(FileFault) as caught:
        import_file("births", path, db=db)
    assert str(caught.value) == ("births.xlsx: could not be read as XLSX: it is not an Excel workbook; "
                                 "expected an Excel workbook (.xlsx) with a sheet that has a header row")
    assert not db.exists()


def test_a_zip_that_is_not_a_workbook_is_a_file_fault(tmp_path, db):
    path = tmp_path / "births.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(FileFault, match="could not be read as XLSX"):
        import_file("births", path, db=db)


def test_the_uploaded_name_is_recorded_and_decides_the_format(tmp_path, db):
    upload = _workbook(tmp_path / "tmpa1b2c3", [["nhs_number", "dob", "lsoa_code"],
                                                [9434765919, datetime(2024, 5, 1), "E01006074"]])
    summary = import_file("births", upload, db=db, original_name="June births.xlsx", received_on="2024-06-30")
    assert summary.file_name == "June births.xlsx"
    assert summary.line() == "births: June births.xlsx: 1 row loaded, 0 quarantined, 0 already present"
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT file_name FROM import_log").fetchall() == [("June births.xlsx",)]


# --- messages that quote nothing from the file ----------------------------------------------------

def test_a_header_of_names_is_listed_but_a_row_of_data_is_not():
    from data.importers.errors import NO_HEADER, columns_found

    assert columns_found(["nhs_number", " postcode ", ""]) == "found columns: nhs_number, postcode"
    # The ONS mid-year layout's age columns are names, not data.
    assert columns_found(["LSOA 2021 Code", "Sex", "0", "1", "2", "3", "4", "2019"]).startswith("found columns")
    for first_row in (["9434765919", "Jane Smith"], ["Jane Smith", "943 476 5919"], ["M32 9AN", "Jane Smith"],
                      ["jane@example.org"], ["2024-05-01"], ["01/05/2024"], ["E01006074", "C001"],
                      ["Jane Smith", "0161 496 0000"]):
        assert columns_found(first_row) == NO_HEADER, first_row


def test_the_columns_found_are_cut_short():
    from data.importers.errors import columns_found

    text = columns_found([f"column_{n}_" + "x" * 60 for n in range(25)])
    assert text.count(",") == 19 and text.endswith(" and 5 more columns")
    assert "column_0_" + "x" * 28 + "..." in text


def test_a_file_fault_is_one_line_and_never_longer_than_the_cap():
    from data.importers.errors import MAX_MESSAGE_CHARS

    fault = FileFault("b\nc.csv", "problem " * 1_000 + "\r\x1b[2Jforged", expected="x")
    assert len(str(fault)) == MAX_MESSAGE_CHARS
    assert str(fault).endswith("...")
    assert not any(character in str(fault) for character in "\n\r\x1b")


def test_csv_errors_are_described_without_their_text():
    import csv

    from data.importers.reading import _csv_problem

    assert _csv_problem(csv.Error("field larger than field limit (131072)")) == \
        "a value is longer than 131,072 characters"
    assert _csv_problem(csv.Error("unexpected end of data")) == "a quoted value is never closed"
    assert _csv_problem(csv.Error("',' expected after '\"' near Jane Smith")) == "a quote mark is out of place"


def test_a_value_longer_than_csvs_limit_is_a_garbled_row(tmp_path, db):
    path = _write(tmp_path, "b.csv", 'nhs_number,dob,lsoa_code\n9434765919,"' + "x" * 200_000 + '",E01006074\n')
    with pytest.raises(FileFault, match=r"row 1 is garbled \(a value is longer than 131,072 characters\)"):
        import_file("births", path, db=db)
    assert _counts(db)["import_log"] == 0


# --- limits -------------------------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_refused_before_anything_is_read(tmp_path, db, monkeypatch):
    monkeypatch.setenv("REACH_LIMIT_MAX_FILE_BYTES", "50")
    path = _write(tmp_path, "b.csv", GOOD_BIRTHS)
    with pytest.raises(FileFault) as caught:
        import_file("births", path, db=db)
    assert str(caught.value).startswith(f"b.csv: the file is {len(GOOD_BIRTHS)} bytes; expected a file of at most "
                                        "50 bytes.")
    assert str(caught.value).endswith("raise the setting REACH_LIMIT_MAX_FILE_BYTES")
    assert not db.exists()


def test_a_limit_set_to_nonsense_is_a_clear_error(tmp_path, db, monkeypatch):
    monkeypatch.setenv("REACH_LIMIT_MAX_COLUMNS", "lots")
    with pytest.raises(ValueError, match="REACH_LIMIT_MAX_COLUMNS must be a whole number"):
        import_file("births", _write(tmp_path, "b.csv", GOOD_BIRTHS), db=db)


def test_a_header_at_the_column_limit_is_read_and_one_more_is_refused(tmp_path, db, monkeypatch):
    monkeypatch.setenv("REACH_LIMIT_MAX_COLUMNS", "4")
    fits = _write(tmp_path, "fits.csv", "nhs_number,dob,lsoa_code,sex\n9434765919,2024-05-01,E01006074,F\n")
    assert import_file("births", fits, db=db, received_on="2024-06-30").rows_loaded == 1
    wide = _write(tmp_path, "wide.csv", "nhs_number,dob,lsoa_code,sex,name\n9434765919,2024-05-01,E01006074,F,X\n")
    with pytest.raises(FileFault, match="the header has 5 columns; expected at most 4 columns"):
        import_file("births", wide, db=db)


def test_an_xlsx_header_over_the_column_limit_is_refused(tmp_path, db, monkeypatch):
    monkeypatch.setenv("REACH_LIMIT_MAX_COLUMNS", "4")
    path = _workbook(tmp_path / "births.xlsx", [["nhs_number", "dob", "lsoa_code", "sex", "name"],
                                                [9434765919, "2024-05-01", "E01006074", "F", "X"]])
    with pytest.raises(FileFault, match="the sheet \"Sheet\" has 5 columns; expected at most 4 columns"):
        import_file("births", path, db=db)
    assert not db.exists()


def test_xlsx_rows_up_to_the_limit_are_read(tmp_path, db, monkeypatch):
    monkeypatch.setenv("REACH_LIMIT_MAX_WORKBOOK_ROWS", "3")     # the header and two rows
    path = _workbook(tmp_path / "births.xlsx", [["nhs_number", "dob", "lsoa_code"],
                                                [9434765919, "2024-05-01", "E01006074"],
                                                [4010232137, "2024-05-02", "E01006075"]])
    assert import_file("births", path, db=db, received_on="2024-06-30").rows_loaded == 2


def test_values_beyond_the_header_in_xlsx_are_still_refused(tmp_path, db):
    path = _workbook(tmp_path / "births.xlsx", [["nhs_number", "dob", "lsoa_code"],
                                                [9434765919, "2024-05-01", "E01006074", None, "stray"]])
    with pytest.raises(FileFault, match="row 1 has values beyond the 3 columns of the header"):
        import_file("births", path, db=db, received_on="2024-06-30")
