"""A CSV file of people read and checked in one pass (`importing._read_and_check`) stores exactly
what the usual way stores (the file read into raw rows, then checked): the same keyed hashes,
rows, row numbers, quarantine and message; and a file it cannot take goes the usual way."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from data.importers import import_file
from data.importers.errors import FileFault
from data.store import opened

KEY = b"a-test-key-for-hashing-32-bytes-or-more"
NBSP = "\u00a0"

# Valid NHS numbers (modulus 11): 9434765919, 4010232137, 9876543210.
BIRTHS = (
    "nhs_number,dob,lsoa_code,received_on\n"
    "9434765919,2024-05-01,E01006074,2024-06-30\n"          # 1: good
    "943 476 5919,2024-05-02,E01006075,2024-06-30\n"        # 2: duplicate of row 1
    "9434765918,2024-05-03,E01006076,2024-06-30\n"          # 3: fails the check digit
    ",,,\n"                                                 # 4: blank, numbered, not read
    "4010232137,2024-02-30,E01006077,2024-06-30\n"          # 5: not a real date
    "9876543210,2024-05-05,M32 9AN,\n"                      # 6: a postcode in lsoa_code
    f"  9876543210{NBSP},2024-05-06,e01006078,\n"           # 7: good, no received_on
    "4010232137,2024-05-07,E01006079,2024-06-30\n"          # 8: good (row 5 was faulty)
    "401023213,2024-05-08,E01006080,2024-06-30\n"           # 9: nine digits
    "9876543210,2024-05-09,E01006081,\n"                    # 10: duplicate of row 7
)

REGISTRATIONS = (
    "child_key,dob,lsoa_code,centre_id,registered_on,family_key,lone_parent\n"
    "C-1,2023-05-01,E01006074,C01,2024-01-10,FAM1,yes\n"
    "9434765919,2023-05-02,E01006075,C01,2024-01-11,FAM 2,no\n"
    "9434765918,2023-05-03,E01006076,C02,2024-01-12,,\n"     # a 10-digit key failing its check
    ",,,,,,\n"
    "C-1,2023-05-01,E01006074,C01,2024-01-10,FAM1,yes\n"     # duplicate of row 1
    "C-3,2023-05-04,E01006077,,2024-01-13,FAM3,maybe\n"      # no centre; not a yes/no value
    "C-4,2025-05-04,E01006078,C02,2024-01-13,FAM4,\n"        # born after registering
)

CONTACTS = (
    "nhs_number,contact_on,centre_id,activity\n"
    "9434765919,2024-03-01,C01,Stay and play\n"
    "9434765919,2024-03-01,C01,Stay and play\n"              # duplicate of row 1
    "9434765919,2024-03-02,C01,call 07700 900123\n"          # a telephone number in activity
    ",,,\n"
    "4010232137,2024-13-01,C02,Baby massage\n"               # not a real date
    "4010232137,2024-03-03,C02,Baby massage\n"
)


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _stored(db, table: str):
    with opened(db, read_only=True) as con:
        rows = con.execute(f"SELECT * EXCLUDE (import_id) FROM {table} ORDER BY ALL").fetchall()
        kept = con.execute("SELECT row_number, reason, row_data FROM quarantine ORDER BY 1").fetchall()
        log = con.execute("""SELECT rows_read, rows_loaded, rows_quarantined, rows_already_present,
                                    status, message FROM import_log ORDER BY import_id""").fetchall()
    return rows, kept, log


def _import_twice(kind: str, path, db):
    first = import_file(kind, path, db=db, received_on="2024-07-01")
    again = import_file(kind, path, db=db)
    return first.message, again.message, _stored(db, kind)


@pytest.fixture
def one_pass_calls(monkeypatch):
    """How many files were read and checked in one pass."""
    from data.importers import importing

    calls = []
    real = importing._read_and_check

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "_read_and_check", counted)
    return calls


# Placed by postcode with no lookup loaded yet, and postcodes no lookup could hold.
UNPLACED_BIRTHS = (
    "nhs_number,dob,postcode\n"
    "9434765919,2024-05-01,M32 9AN\n"
    "4010232137,2024-05-02,=HYPERLINK(\"http://x\")\n"
    "9876543210,2024-05-03,<b>M1 1AA</b>\n"
    f"1234567806,2024-05-04,{'M' * 5000}\n"
    "1234567814,2024-05-05,straße 1\n"
    "1234567822,2024-05-06,\n"
)


@pytest.mark.parametrize("kind, text", [("births", BIRTHS), ("registrations", REGISTRATIONS),
                                        ("contacts", CONTACTS), ("births", UNPLACED_BIRTHS)])
def test_one_pass_stores_what_the_usual_way_stores(tmp_path, monkeypatch, one_pass_calls, kind, text):
    monkeypatch.setenv("REACH_SECRET", KEY.decode())
    path = _write(tmp_path, f"{kind}.csv", text)
    fast = _import_twice(kind, path, tmp_path / "fast.duckdb")
    assert len(one_pass_calls) == 2
    monkeypatch.setattr("data.importers.importing._one_pass", lambda checker, source: False)
    usual = _import_twice(kind, path, tmp_path / "usual.duckdb")
    assert len(one_pass_calls) == 2
    assert fast == usual
    # The second import of the same file changes nothing.
    first, again, (rows, kept, log) = fast
    assert [entry[4] for entry in log] == ["loaded", "unchanged"]
    assert log[0][1] == len(rows) == log[1][3]


def test_births_in_one_pass_keep_their_keys_row_numbers_and_reasons(tmp_path, monkeypatch, one_pass_calls):
    monkeypatch.setenv("REACH_SECRET", KEY.decode())
    db = tmp_path / "reach.duckdb"
    summary = import_file("births", _write(tmp_path, "births.csv", BIRTHS), db=db, received_on="2024-07-01")
    assert one_pass_calls == [1]
    rows, kept, log = _stored(db, "births")
    assert summary.line() == "births: births.csv: 3 rows loaded, 6 quarantined, 0 already present"
    assert log[0][0] == 9                                         # the blank row is not read
    # Each key is HMAC-SHA256 of the cleaned NHS number under the store's key, as hex.
    expected = {hmac.new(KEY, number.encode(), hashlib.sha256).hexdigest(): number
                for number in ("9434765919", "4010232137", "9876543210")}
    assert {row[0] for row in rows} == set(expected)
    by_number = {expected[row[0]]: row for row in rows}
    assert str(by_number["9876543210"][1]) == "2024-05-06"
    assert str(by_number["9876543210"][3]) == "2024-07-01"        # no received_on: the file's date
    assert by_number["9876543210"][2] == "E01006078"
    reasons = {row: reason for row, reason, _ in kept}
    assert sorted(reasons) == [2, 3, 5, 6, 9, 10]
    assert reasons[2] == "duplicate of row 1"
    assert reasons[10] == "duplicate of row 7"
    assert reasons[3] == 'nhs_number "******5918" fails the NHS number check digit (modulus 11)'
    assert reasons[5] == 'dob "2024-02-30" is not a real date'
    assert reasons[9] == 'nhs_number "******3213" is not 10 digits'
    assert "M32 9AN" not in reasons[6] and "M32 ***" in reasons[6]
    shown = {row: data for row, _, data in kept}
    assert '"nhs_number":"******5919"' in shown[2] and "2024-05-02" in shown[2]
    assert "9434765919" not in " ".join(shown.values())
    again = import_file("births", _write(tmp_path, "births.csv", BIRTHS), db=db)
    assert again.message == ("births: births.csv: nothing changed: 0 rows loaded, 6 quarantined, 3 already "
                             "present. 3 rows had no received_on, so the date this file was first imported "
                             "(2024-07-01) was used.")


@pytest.mark.parametrize("kind, text", [("births", BIRTHS), ("registrations", REGISTRATIONS),
                                        ("contacts", CONTACTS)])
def test_repeated_keys_handed_over_as_a_table_find_the_same_duplicates(tmp_path, monkeypatch, kind, text):
    """A few repeated keys go to DuckDB as one parameter (no pandas loaded), many as a table:
    the same rows are found duplicates either way."""
    monkeypatch.setenv("REACH_SECRET", KEY.decode())
    from data.importers import importing

    path = _write(tmp_path, f"{kind}.csv", text)
    as_parameter = _import_twice(kind, path, tmp_path / "parameter.duckdb")
    monkeypatch.setattr(importing, "_REPEATED_AS_PARAMETER", 0)
    as_table = _import_twice(kind, path, tmp_path / "table.duckdb")
    assert as_parameter == as_table
    reasons = [reason for _, reason, _ in as_table[2][1]]
    assert sum(reason.startswith("duplicate of row") for reason in reasons) == (2 if kind == "births" else 1)


def test_a_file_duckdb_refuses_part_way_goes_the_usual_way(tmp_path, monkeypatch, one_pass_calls):
    monkeypatch.setenv("REACH_SECRET", KEY.decode())
    good = "".join(f"9434765919,2024-05-01,E{index:08d}\n" for index in range(5_000))
    path = tmp_path / "late.csv"
    path.write_bytes(("nhs_number,dob,lsoa_code\n" + good).encode() + b"943476591\xff,2024-05-01,E01006074\n")
    staged = []
    monkeypatch.setattr("data.importers.importing.load_csv", lambda *args, **kwargs: staged.append(1))
    with pytest.raises(FileFault) as fault:
        import_file("births", path, db=tmp_path / "reach.duckdb")
    assert one_pass_calls == [1]
    assert staged == []                    # DuckDB is not asked to read it a second time
    assert str(fault.value).startswith("late.csv: could not be read as CSV: it is not UTF-8 text (row ")
    with opened(tmp_path / "reach.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM births").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM import_log").fetchall() == [(0,)]


# Births placed by postcode: the lookup is made after the one pass, by an update of its table.
BIRTHS_BY_POSTCODE = (
    "nhs_number,dob,postcode,lsoa_code,event,received_on\n"
    "9434765919,2024-05-01,M32 9AN,,birth,2024-06-30\n"       # 1: placed by its postcode
    "4010232137,2024-05-02,m314fl,,,2024-06-30\n"             # 2: lower case, no space: found
    "9876543210,2024-02-30,ZZ99 9ZZ,,adopted,2024-06-30\n"    # 3: faults before and after the lookup's
    "9434765919,2024-05-04,M32 9AN,,birth,\n"                 # 4: duplicate of row 1
    "1234567806,2024-05-05,,E01006074,birth,\n"               # 5: placed by its LSOA code
    "1234567814,2024-05-06,,,birth,\n"                        # 6: neither
    "1234567822,2024-05-07,M32\t9AN,,birth,\n"                # 7: a tab in it: cleaned, found
    "1234567830,2024-05-08,M31 4FL,E01005000,birth,\n"        # 8: the LSOA code comes first
    "9876543210,2024-05-09,zz1 1zz,,,\n"                      # 9: not in the lookup
    "1234567806,2024-05-10,=SUM(A1:A9),,,\n"                  # 10: a formula: not a postcode
    "1234567814,2024-05-11,<script>M32 9AN</script>,,,\n"     # 11: markup: not a postcode
)


# A lookup far bigger than the file is not held in memory (`importing._look_up`): both ways.
@pytest.mark.parametrize("other_postcodes", [0, 3_000])
def test_births_placed_by_postcode_are_read_in_one_pass_and_looked_up_after(tmp_path, monkeypatch, one_pass_calls,
                                                                           other_postcodes):
    monkeypatch.setenv("REACH_SECRET", KEY.decode())
    path = _write(tmp_path, "births.csv", BIRTHS_BY_POSTCODE)
    others = "".join(f"A{number // 100:02d} {number // 10 % 10}A{chr(65 + number % 10)},E01000001\n"
                     for number in range(other_postcodes))
    lookup = _write(tmp_path, "postcodes.csv", "pcds,lsoa21cd\nM32 9AN,E01006179\nM31 4FL,E01006104\n" + others)
    from data.importers import importing

    held, setting = [], importing._setting

    def noted(con, name, value):
        held.append((name, value) == ("disabled_optimizers", "build_side_probe_side"))
        return setting(con, name, value)

    monkeypatch.setattr(importing, "_setting", noted)
    stores = {}
    for way in ("fast", "usual"):
        db = tmp_path / f"{way}.duckdb"
        import_file("postcodes", lookup, db=db)
        if way == "usual":
            monkeypatch.setattr("data.importers.importing._one_pass", lambda checker, source: False)
        stores[way] = _import_twice("births", path, db)
    assert len(one_pass_calls) == 2        # the two imports of the fast way, and no join in them
    assert stores["fast"] == stores["usual"]
    assert any(held) == (other_postcodes == 0)
    first, again, (rows, kept, log) = stores["fast"]
    assert first.startswith("births: births.csv: 5 rows loaded, 6 quarantined, 0 already present")
    assert sorted((str(row[1]), row[2]) for row in rows) == [
        ("2024-05-01", "E01006179"), ("2024-05-02", "E01006104"), ("2024-05-05", "E01006074"),
        ("2024-05-07", "E01006179"), ("2024-05-08", "E01005000")]
    assert [(row, reason) for row, reason, _ in kept] == [
        (3, 'dob "2024-02-30" is not a real date; postcode in district "ZZ99" is not in the postcode '
            'lookup; event "adopted" is not birth or arrival'),
        (4, "duplicate of row 1"),
        (6, "lsoa_code and postcode are both missing (expected where the child lives)"),
        (9, 'postcode in district "ZZ1" is not in the postcode lookup'),
        (10, "postcode is not in the postcode lookup"),
        (11, "postcode is not in the postcode lookup")]
    shown = " ".join(data for _, _, data in kept)
    assert "ZZ99 9ZZ" not in shown and "SUM" not in shown and "script" not in shown


# Every column each kind's files may have, optional ones included: the one pass must cope with all.
EVERY_COLUMN = {
    "births": ("nhs_number,dob,lsoa_code,postcode,received_on,event,arrived_on,sex\n"
               "9434765919,2024-05-01,,M32 9AN,2024-06-30,arrival,2024-06-01,F\n"),
    "registrations": ("child_key,dob,lsoa_code,postcode,centre_id,registered_on,family_key,lone_parent,"
                      "teenage_parent,workless_household,disability,minority_ethnic,father_engaged\n"
                      "C-1,2023-05-01,,M32 9AN,C01,2024-01-10,FAM1,yes,no,y,n,true,0\n"),
    "contacts": "nhs_number,contact_on,centre_id,activity\n9434765919,2024-03-01,C01,Stay and play\n",
}


@pytest.mark.parametrize("kind", sorted(EVERY_COLUMN))
def test_the_one_pass_reads_the_file_in_order_with_no_join_or_sort(tmp_path, monkeypatch, kind):
    """The rows are numbered by their place in the table the one query writes, so that query must
    keep the file's order: no join (DuckDB rewrites a long IN list outside a CASE into one, and a
    join may hand rows on in any order) and no sort."""
    import duckdb

    from data.importers import importing

    monkeypatch.setenv("REACH_SECRET", KEY.decode())
    queries = []
    real = importing.sql_functions

    def kept(con, sql, *, key):
        if sql.startswith(f"CREATE TEMP TABLE {importing.READ_TABLE} AS"):
            queries.append(sql.split(" AS ", 1)[1])
        return real(con, sql, key=key)

    monkeypatch.setattr(importing, "sql_functions", kept)
    import_file(kind, _write(tmp_path, f"{kind}.csv", EVERY_COLUMN[kind]), db=tmp_path / "reach.duckdb",
                received_on="2024-07-01")
    [select] = queries
    con = duckdb.connect()
    from data.importers.pseudonymise import key_pads

    params = {name: "2026-01-01" for name in ("today", "received_default")}
    params.update(key_pads(KEY), postcodes_loaded=True)
    used = {name: value for name, value in params.items() if f"${name}" in select}
    with importing.sql_functions(con, select, key=KEY):
        plan = "\n".join(row[1] for row in con.execute(f"EXPLAIN {select}", used or None).fetchall()).upper()
    assert "READ_CSV" in plan
    for operator in ("JOIN", "ORDER_BY", "ORDER BY", "WINDOW", "TOP_N"):
        assert operator not in plan, operator
