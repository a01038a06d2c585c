"""A kind's check (`CheckQuery`) parses each date and code once: the value and its fault share
the one parse, and the fault is looked for only where the value did not parse. The values and
reasons are exactly those the checks have always given, whichever way the rows are read."""

from __future__ import annotations

import duckdb

from data.importers.checks import CheckQuery, Fault, Fields
from data.importers.layouts import Layout, Resolved

ROWS = [
    # _row, dob, lsoa_code, received_on
    (1, "2024-05-01", "E01006074", "2024-06-30"),
    (2, "2024-02-30", "e01006075", None),             # no real day; lower case code; no received_on
    (3, "01/05/2024", "M32 9AN", "2024-06-31"),       # not ISO; a postcode; no real day
    (4, None, None, "30/06/2024"),                    # both missing; received_on not ISO
]


def _query() -> CheckQuery:
    resolved = Resolved(layout=Layout("a test file", (("dob",),), ("lsoa_code", "received_on")),
                        positions={"dob": 0, "lsoa_code": 1, "received_on": 2},
                        labels={"dob": "dob", "lsoa_code": "lsoa_code", "received_on": "received_on"})
    f = Fields(resolved)
    return CheckQuery(
        values={"dob": f.date("dob"), "lsoa_code": f.code("lsoa_code"),
                # A value with a default around its parse, as births' received_on has.
                "received_on": f"CASE WHEN r.received_on IS NULL THEN DATE '2024-07-01' "
                               f"ELSE {f.date('received_on')} END"},
        faults=[f.date_fault("dob", required=True), f.code_fault("lsoa_code", required=True),
                f.date_fault("received_on", required=False)])


def _checked(sql: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute("CREATE TABLE raw_rows (_row INTEGER, dob VARCHAR, lsoa_code VARCHAR, received_on VARCHAR)")
    con.executemany("INSERT INTO raw_rows VALUES (?, ?, ?, ?)", ROWS)
    return con.execute(f"SELECT _row, dob::VARCHAR, lsoa_code, received_on::VARCHAR, _reason FROM ({sql}) ORDER BY _row"
                       ).fetchall()


def test_values_and_reasons():
    assert _checked(_query().sql()) == [
        (1, "2024-05-01", "E01006074", "2024-06-30", None),
        (2, None, "E01006075", "2024-07-01", 'dob "2024-02-30" is not a real date'),
        (3, None, None, None, 'dob "01/05/2024" is not a date in the form YYYY-MM-DD; '
                              'lsoa_code "M32 ***" is not an LSOA code (expected E01 followed by 6 digits); '
                              'received_on "2024-06-31" is not a real date'),
        (4, None, None, None, "dob is missing (expected a date, YYYY-MM-DD); "
                              "lsoa_code is missing (expected E01 followed by 6 digits); "
                              'received_on "30/06/2024" is not a date in the form YYYY-MM-DD'),
    ]


def test_read_in_one_pass_the_same():
    read = "SELECT false AS _blank, _row, dob, lsoa_code, received_on FROM raw_rows ORDER BY _row"
    one_pass = f"SELECT row_number() OVER () AS _row, * FROM ({_query().one_pass_sql(f'({read})', [])})"
    assert _checked(one_pass) == _checked(_query().sql())


def test_each_date_and_code_is_parsed_once():
    query = _query()
    faults = [fault for fault in query.faults if isinstance(fault, Fault)]
    assert len(faults) == 3
    for sql in (query.sql(), query.one_pass_sql("(SELECT false AS _blank, * FROM raw_rows)", [])):
        for fault in faults:
            assert sql.count(fault.parsed) == 1, fault.parsed
        # Each fault is looked for where its value is NULL, not on every row.
        assert sql.count('IS NULL THEN CASE') >= 3


def test_a_source_that_is_not_the_raw_rows_is_checked_as_it_was():
    query = _query()
    query.source = "(SELECT * FROM raw_rows) r"
    assert "_parsed_" not in query.sql()
    assert _checked(query.sql()) == _checked(_query().sql())
