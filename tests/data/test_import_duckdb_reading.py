"""A CSV file read by DuckDB gives exactly what the Python reader gives: the same rows, numbers,
trimmed values, keyed hashes, masks and reasons, or the same message. Where DuckDB could read a
file differently, the Python reader takes it."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pytest

from data.importers import import_file, keyed_hash_kernel
from data.importers.errors import FileFault
from data.importers.layouts import accepts, resolve_columns
from data.importers.pseudonymise import WHITESPACE
from data.importers.reading import load_csv, load_raw, open_table
from data.store import opened

KEY = b"a-test-key-for-hashing-32-bytes-or-more"
LONG_KEY = b"k" * 100        # longer than SHA-256's block: HMAC hashes the key first


@pytest.fixture(params=["sha instructions", "sql"])
def hashing(request, monkeypatch):
    """Each keyed hash made both ways DuckDB can make it: with the processor's SHA instructions
    (`keyed_hash_kernel`) and in SQL (where a processor has none)."""
    if request.param == "sql":
        monkeypatch.setattr(keyed_hash_kernel, "available", lambda: False)
    elif not keyed_hash_kernel.available():
        pytest.skip("this processor has no SHA instructions")
    return request.param


def _quiet(done, total, stage):
    """No progress to show."""


def _both(kind: str, path, *, key: bytes = KEY):
    """(read by DuckDB?, what the import route reads, what the Python reader reads): each the raw
    rows in order, or the FileFault's message."""
    def read(fast: bool):
        table = open_table(path, file_name=path.name, is_header=lambda header: accepts(kind, header))
        con = duckdb.connect()
        try:
            resolved = resolve_columns(kind, table.header, file_name=path.name)
            hashes = not resolved.has("child_key")
            rows = load_csv(con, table, resolved, key=key, hashes_nhs_number=hashes,
                            progress=_quiet) if fast else None
            used = rows is not None
            if rows is None:
                rows = load_raw(con, table, resolved, key=key, hashes_nhs_number=hashes, progress=_quiet)
            result = con.execute("SELECT * FROM raw_rows ORDER BY _row")
            names = [column[0] for column in result.description]
            return used, (rows, [dict(zip(names, row)) for row in result.fetchall()])
        except FileFault as fault:
            return False, str(fault)
        finally:
            con.close()
            table.close()

    used, fast = read(True)
    _, python = read(False)
    return used, fast, python


def _file(tmp_path, text: str, name: str = "f.csv", *, newline: str = "\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


NBSP, FIGURE, NARROW, SEPARATOR = "\u00a0", "\u2007", "\u202f", "\x1c"

BIRTHS = (
    "nhs_number,dob,lsoa_code,sex,received_on\n"
    f"943 476 5919,2024-05-01, E01006074{NBSP},F ,\n"
    f"943-476-5919,{FIGURE}2024-05-02\t,e01006075,{SEPARATOR}M{NARROW},2024-06-30\n"
    "9434765918,2024-05-03,E01006076,,\n"                      # fails the check digit
    "943476591,2024-05-04,E01006077,,\n"                       # nine digits
    "94347659١٩,2024-05-05,E01006078,,\n"                     # Arabic-Indic digits
    "ab-c\u0301d,2024-05-06,E01006079,,\n"                     # a combining accent at the end
    ",2024-05-07,E01006080,,\n"                                # missing
    ",,,,\n"                                                   # blank: numbered, not read
    f'"4010232137","2024-05-08","E01006081","a,""quoted""{NBSP}\n sex",\n'
    "   ,2024-05-09,E01006082,  ,\n"
)


@pytest.mark.parametrize("key", [KEY, LONG_KEY])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_births_read_by_duckdb_equal_the_python_reading(tmp_path, key, newline, hashing):
    used, fast, python = _both("births", _file(tmp_path, BIRTHS, newline=newline), key=key)
    assert used
    assert fast == python
    rows_read, rows = fast
    assert rows_read == 9
    assert [row["_row"] for row in rows] == [1, 2, 3, 4, 5, 6, 7, 9, 10]
    # The first two rows are the same child, hashed exactly as Python's hmac does.
    expected = hmac.new(key, b"9434765919", hashlib.sha256).hexdigest()
    assert rows[0] == {"_row": 1, "dob": "2024-05-01", "lsoa_code": "E01006074", "sex": "F",
                       "received_on": None, "nhs_number": "******5919", "_nhs_key": expected, "_nhs_fault": None}
    assert (rows[1]["_nhs_key"], rows[1]["sex"], rows[1]["dob"]) == (expected, "M", "2024-05-02")
    faults = [row["_nhs_fault"] for row in rows]
    assert faults[2] == 'nhs_number "******5918" fails the NHS number check digit (modulus 11)'
    assert faults[3] == 'nhs_number "******6591" is not 10 digits'
    assert faults[4] == 'nhs_number "******59١٩" is not 10 digits'
    assert faults[6] == "nhs_number is missing (expected a 10-digit NHS number)"
    assert rows[7]["sex"] == f'a,"quoted"{NBSP}{newline} sex'
    assert rows[8]["sex"] is None and rows[8]["_nhs_fault"] == faults[6]


def test_registrations_with_child_keys_family_keys_and_postcodes_are_read_alike(tmp_path, hashing):
    long_family = "family " + "é" * 60       # longer than the SHA instructions' one block takes
    text = ("child_key,dob,postcode,centre_id,registered_on,family_key\n"
            "943 476 5919,2023-01-01, m32 9an ,C1,2024-01-01, Smith 12 \n"
            "9434765918,2023-01-02,M32\t9AN,C1,2024-01-02,\n"          # ten digits failing the check
            "CK-000123,2023-01-03,m1 1ﬀ,C1,2024-01-03,fam\n"           # Python's upper: "FF"
            "  ,2023-01-04,straße 1,C1,2024-01-04,\n"
            f"CK-000124,2023-01-05,M1 1AA,C1,2024-01-05,{long_family}\n")
    used, fast, python = _both("registrations", _file(tmp_path, text))
    assert used
    assert fast == python
    rows = fast[1]
    assert [row["_child_nhs"] for row in rows] == ["yes", None, None, None, None]
    assert [row["child_key"] for row in rows] == ["******5919", "******5918", "CK-000123", None, "CK-000124"]
    assert rows[1]["_child_fault"] == ('child_key "******5918" looks like an NHS number (10 digits) but fails '
                                       "its check digit (modulus 11)")
    assert [row["_postcode"] for row in rows] == ["M329AN", "M329AN", "M11FF", "STRASSE1", "M11AA"]
    assert [row["family_key"] for row in rows] == ["******", None, "******", None, "******"]
    assert rows[0]["_family_key"] == hmac.new(KEY, b"Smith 12", hashlib.sha256).hexdigest()
    assert rows[4]["_family_key"] == hmac.new(KEY, long_family.encode("utf-8"), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("text, name", [
    ("nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074\n\n4010232137,2024-05-02,E01006075\n",
     "a blank line"),
    ("nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074\r\n\r\n4010232137,2024-05-02,E01006075\n",
     "a blank line after a CRLF"),
    ("nhs_number,dob,lsoa_code\n" + "9434765919,2024-05-01,E01006074\n" * 3_000
     + "9434765919,2024-05-01,E0100\x006074\n", "a NUL character"),
    ('nhs_number,dob,lsoa_code\n9434765919, "2024-05-01",E01006074\n', "a space before a quote"),
    ('nhs_number,dob,lsoa_code\n9434765919,"2024-05-01" ,E01006074\n', "a space after a quote"),
    ('Births extract, June\nnhs_number,"date of\nbirth",dob,lsoa_code\n9434765919,x,2024-05-01,E01006074\n',
     "a line break in the header"),
])
def test_a_file_duckdb_could_read_differently_is_read_by_python(tmp_path, text, name):
    used, fast, python = _both("births", _file(tmp_path, text))
    assert not used, name
    assert fast == python


@pytest.mark.parametrize("text", [
    # A row with a value too few, or too many; too many but blank (taken, the blank dropped).
    "nhs_number,dob,lsoa_code\n9434765919,2024-05-01\n",
    "nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074,x\n",
    "nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074,,\n",
    # Quotes out of place, a quote never closed, quotes inside an unquoted value.
    'nhs_number,dob,lsoa_code\n9434765919,"2024-05-01"x,E01006074\n',
    'nhs_number,dob,lsoa_code\n9434765919,"2024-05-01,E01006074\n',
    'nhs_number,dob,lsoa_code\n9434765919,20"24-05-01,E01006074\n',
    'nhs_number,dob,lsoa_code\n9434765919, "2024-05-01",E01006074\n',
    # A value longer than csv's limit.
    "nhs_number,dob,lsoa_code\n9434765919,2024-05-01," + "E" * 140_000 + "\n",
    # A title row above the header, and a header name with a line break in it.
    'Births extract, June\nnhs_number,"date of\nbirth",dob,lsoa_code\n9434765919,x,2024-05-01,E01006074\n',
])
def test_faulty_and_unusual_files_give_the_same_rows_or_message(tmp_path, text):
    used, fast, python = _both("births", _file(tmp_path, text))
    assert fast == python


def test_a_file_that_is_not_utf8_late_on_gives_the_python_message(tmp_path):
    good = "".join(f"9434765919,2024-05-01,E{index:08d}\n" for index in range(5_000))
    path = tmp_path / "late.csv"
    path.write_bytes(("nhs_number,dob,lsoa_code\n" + good).encode() + b"943476591\xff,2024-05-01,E01006074\n")
    used, fast, python = _both("births", path)
    assert not used
    assert fast == python
    assert fast.startswith("late.csv: could not be read as CSV: it is not UTF-8 text (row ")


def test_an_import_read_by_duckdb_and_one_read_by_python_store_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("REACH_SECRET", KEY.decode())
    path = _file(tmp_path, BIRTHS.replace(",,,,\n", ""), "births.csv")

    def imported(name: str):
        db = tmp_path / f"{name}.duckdb"
        summary = import_file("births", path, db=db, received_on="2024-06-30")
        with opened(db, read_only=True) as con:
            stored = con.execute("SELECT * EXCLUDE (import_id) FROM births ORDER BY ALL").fetchall()
            kept = con.execute("SELECT row_number, reason, row_data FROM quarantine ORDER BY 1").fetchall()
        return summary.message, stored, kept

    fast = imported("fast")
    monkeypatch.setattr("data.importers.reading._duckdb_can_read", lambda path: False)
    python = imported("python")
    assert fast == python
    message, stored, kept = fast
    assert message.startswith("births: births.csv: 2 rows loaded, 7 quarantined, 0 already present.")
    assert [row[0] for row in kept] == [2, 3, 4, 5, 6, 7, 9]


def test_whitespace_is_what_python_strips():
    assert WHITESPACE == "".join(char for char in map(chr, range(0x110000)) if char.isspace())


@pytest.mark.parametrize("value", [
    "", " ", "a", " a ", "C0001", "~", "!", "\x7f", "é", "\u00a0x\u00a0", "x\u2003", "\u3000a",
    "\t1\n", "\x1c1\x1f", "a b", "\u200b", "\r\n", "a\r\n", "a\u0301", "~\u0301", "ß",
])
def test_duckdb_strips_a_value_as_python_does(value):
    from data.importers.reading import _stripped_sql

    # The printable first and last characters are looked at by their codes and as text: a value
    # that starts or ends with anything else (an empty one, a space, a letter with an accent)
    # is trimmed as Python's strip() trims it.
    assert duckdb.connect().execute(f"SELECT {_stripped_sql('$value')}", {"value": value}).fetchall() == [
        (value.strip(),)]


@pytest.mark.parametrize("data, found", [
    (b"a,b\n\nc,d\n", True), (b'a, "b"\n', True), (b'"a" ,b\n', True), (b"a\x00b", True),
    (b"a\r\rb", True), (b"a\n\rb", True), (b"\n\n", True),
    # Every byte of a sign, but never side by side: no sign.
    (b'"a b",c\n"d"\n', False), (b"a\nb\rc\n", False), (b"a,b\r\nc,d\r\n", False), (b"", False),
])
def test_a_sign_that_duckdb_could_read_differently_is_found_only_where_it_is(data, found):
    from data.importers.reading import _has_sign

    assert _has_sign(data) is found
