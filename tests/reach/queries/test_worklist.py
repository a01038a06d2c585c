"""The outreach worklist: the children behind the report's count of unmatched births.

A small store written row by row, each child placed to test one rule: received too late, turned
five, registered, moved between extracts, living outside every reach area.
"""

from datetime import date

import pytest

from data.store import opened
from reach.queries.report import reach_report
from reach.queries.worklist import WORKLIST_COLUMNS, unmatched_births, unmatched_counts

from tests.reach.rows import A1, A2, B1, two_centres

OUTSIDE = "E01000009"
AS_AT = date(2025, 9, 15)


def birth(child, dob, lsoa, received, event="birth", import_id=1):
    return (child, date.fromisoformat(dob), lsoa, date.fromisoformat(received), event, import_id)


@pytest.fixture
def con(empty_con):
    con = empty_con
    two_centres(con, {A1: 10, A2: 10, B1: 10})
    con.executemany(
        "INSERT INTO births (child_key, dob, lsoa_code, received_on, event, import_id) VALUES (?, ?, ?, ?, ?, ?)",
        [
            birth("k4", "2025-07-20", A2, "2025-08-01"),                 # unmatched
            birth("k8", "2025-08-10", A2, "2025-10-01"),                 # received after the date
            birth("k6", "2025-01-10", A1, "2025-02-01"),                 # registered below
            birth("k5", "2024-11-02", A1, "2025-03-01", import_id=1),    # moved: first shared in A1 ...
            birth("k5", "2024-11-02", B1, "2025-06-01", import_id=2),    # ... then in B1, where it counts
            birth("k10", "2020-09-15", A1, "2020-10-01"),                # five on the date
            birth("k11", "2025-05-05", OUTSIDE, "2025-06-01"),           # outside every reach area
            birth("k12", "2025-04-04", A1, "2025-05-01", "arrival"),     # registers only after the date
        ],
    )
    con.executemany(
        "INSERT INTO registrations (child_key, dob, lsoa_code, centre_id, registered_on) VALUES (?, ?, ?, ?, ?)",
        [("k6", date(2025, 1, 10), A1, "C1", date(2025, 2, 10)),
         ("k12", date(2025, 4, 4), A1, "C1", date(2025, 10, 1))],
    )
    return con


def test_the_worklist_holds_each_unmatched_child_once_newest_first(con):
    worklist = unmatched_births(con, as_at=AS_AT)
    assert list(worklist.columns) == list(WORKLIST_COLUMNS)
    assert list(worklist["child_key"]) == ["k4", "k12", "k5"]   # first passed on: Aug, May, March


def test_a_child_who_moved_is_listed_where_the_latest_record_puts_them(con):
    k5 = unmatched_births(con, as_at=AS_AT).set_index("child_key").loc["k5"]
    assert k5["lsoa_code"] == B1 and k5["centre_id"] == "C2"
    assert k5["received_on"] == date(2025, 3, 1)          # when health first passed the child on
    assert k5["days_waiting"] == (AS_AT - date(2025, 3, 1)).days


def test_the_list_for_one_centre_and_the_event(con):
    c1 = unmatched_births(con, as_at=AS_AT, centre_id="C1")
    assert list(c1["child_key"]) == ["k4", "k12"]
    assert list(c1["event"]) == ["birth", "arrival"]
    assert list(unmatched_births(con, as_at=AS_AT, centre_id="C2")["child_key"]) == ["k5"]


def test_registration_takes_a_child_off_the_list_from_its_date(con):
    after = unmatched_births(con, as_at=date(2025, 10, 1), centre_id="C1")
    assert list(after["child_key"]) == ["k8", "k4"]        # k12 registered; k8's record has arrived


def test_the_list_never_carries_an_nhs_number_or_a_name(con):
    columns = set(unmatched_births(con, as_at=AS_AT).columns)
    assert not columns & {"nhs_number", "name", "address", "postcode"}


def test_counts_by_lsoa_and_month_of_birth_with_the_lsoas_names(con):
    con.execute("INSERT INTO lsoas (lsoa_code, lsoa_name) VALUES (?, 'Ashton 001A')", [A1])
    counts = unmatched_counts(con, as_at=AS_AT, centre_id="C1")
    assert counts.to_dict(orient="records") == [
        {"lsoa_code": A1, "lsoa_name": "Ashton 001A", "centre_id": "C1", "birth_month": date(2025, 4, 1),
         "unmatched_births": 1},
        {"lsoa_code": A2, "lsoa_name": None, "centre_id": "C1", "birth_month": date(2025, 7, 1),
         "unmatched_births": 1},
    ]
    listed = unmatched_births(con, as_at=AS_AT, centre_id="C1")
    assert dict(zip(listed["lsoa_code"], listed["lsoa_name"])) == {A1: "Ashton 001A", A2: None}
    assert unmatched_counts(con, as_at=AS_AT)["unmatched_births"].sum() == 3


def test_the_worklist_agrees_with_the_report_for_every_centre(con):
    for day in (date(2025, 6, 30), AS_AT, date(2025, 10, 1)):
        report = reach_report(con, as_at=day).set_index("centre_id")
        worklist = unmatched_births(con, as_at=day)
        for centre_id in ("C1", "C2"):
            assert (worklist["centre_id"] == centre_id).sum() == report.loc[centre_id, "unmatched_births"]


def test_the_worklist_agrees_with_the_report_on_the_demo(demo_db):
    from data.demo import DEMO_AS_AT

    with opened(demo_db, read_only=True) as demo:
        report = reach_report(demo, as_at=DEMO_AS_AT).set_index("centre_id")
        worklist = unmatched_births(demo, as_at=DEMO_AS_AT)
        counts = unmatched_counts(demo, as_at=DEMO_AS_AT)
    per_centre = worklist.groupby("centre_id").size().reindex(report.index, fill_value=0)
    assert per_centre.to_dict() == report["unmatched_births"].to_dict()
    assert counts["unmatched_births"].sum() == len(worklist) == report["unmatched_births"].sum()

