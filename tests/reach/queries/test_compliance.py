"""Data-sharing compliance per source, on a small store whose deliveries are worked by hand."""

from datetime import date, datetime

import pandas as pd
import pytest

from reach.queries.compliance import NONE_RECEIVED, OVERDUE, ON_TIME, compliance, compliance_summary
from tests.reach.rows import insert_rows as _insert

AS_AT = date(2025, 6, 10)


@pytest.fixture
def con(empty_con):
    con = empty_con
    # Birth records every month or so: gaps of 31, 28 and 32 days (median 31); the last in April.
    # The June extract arrives after AS_AT and must not count.
    received = ["2025-01-20", "2025-02-20", "2025-03-20", "2025-04-21", "2025-06-20"]
    _insert(con, "births", [
        dict(child_key=f"k{i}", dob=date(2024, 12, 1), lsoa_code="E01000001",
             received_on=date.fromisoformat(day), import_id=i)
        for i, day in enumerate(received, start=1)
    ])
    # One delivery of birth counts with no received date: dated by its import.
    _insert(con, "import_log", [
        dict(import_id=10, kind="birth-counts", file_name="counts.csv", file_sha256="x",
             received_on=None, started_at=datetime(2025, 3, 5, 9, 30), status="loaded"),
    ])
    _insert(con, "birth_counts", [
        dict(area_type="lsoa", area_code="E01000001", month=date(2025, 1, 1), births=4,
             received_on=None, import_id=10),
        dict(area_type="lsoa", area_code="E01000001", month=date(2025, 2, 1), births=6,
             received_on=None, import_id=10),
    ])
    # Two registration exports: the first runs up to 31 March, the second to 31 May.
    reg = lambda child, on, import_id: dict(child_key=child, dob=date(2024, 1, 1), lsoa_code="E01000001",
                                            centre_id="C1", registered_on=date.fromisoformat(on),
                                            import_id=import_id)
    _insert(con, "registrations", [reg("a", "2025-01-15", 20), reg("b", "2025-03-31", 20),
                                   reg("c", "2025-04-02", 21), reg("d", "2025-05-31", 21),
                                   reg("e", "2025-07-01", 21)])
    # Two population estimates a year apart (2024 was a leap year: 366 days).
    _insert(con, "population", [
        dict(lsoa_code="E01000001", period=date(2023, 6, 30), children_0_4=80, import_id=30),
        dict(lsoa_code="E01000001", period=date(2024, 6, 30), children_0_4=82, import_id=31),
    ])
    return con


def _row(frame, source):
    return frame.set_index("source").loc[source]


def test_birth_records_late_after_the_usual_monthly_gap(con):
    frame = compliance(con, as_at=AS_AT)
    births = _row(frame, "Birth records")
    assert births["deliveries"] == 4                      # the June extract is after AS_AT
    assert births["last_received"] == date(2025, 4, 21)
    assert births["usual_interval_days"] == 31.0
    assert births["interval_basis"] == "measured"
    assert births["lag_days"] == 50
    assert births["allowed_days"] == 31 + 14
    assert bool(births["overdue"]) is True
    assert births["status"] == OVERDUE


def test_birth_records_on_time_within_the_grace(con):
    births = _row(compliance(con, as_at=date(2025, 5, 30)), "Birth records")
    assert births["lag_days"] == 39
    assert births["status"] == ON_TIME
    assert bool(births["overdue"]) is False


def test_a_longer_grace_changes_the_verdict(con):
    births = _row(compliance(con, as_at=AS_AT, grace_days=20), "Birth records")
    assert births["allowed_days"] == 51
    assert births["status"] == ON_TIME


def test_birth_counts_without_received_date_use_the_import_date_and_expected_interval(con):
    counts = _row(compliance(con, as_at=AS_AT), "Birth counts")
    assert counts["deliveries"] == 1
    assert counts["last_received"] == date(2025, 3, 5)
    assert counts["interval_basis"] == "expected"
    assert counts["usual_interval_days"] == 31.0
    assert counts["lag_days"] == 97
    assert counts["status"] == OVERDUE


def test_registrations_dated_by_their_latest_record(con):
    registrations = _row(compliance(con, as_at=AS_AT), "Registrations")
    assert registrations["last_received"] == date(2025, 5, 31)   # not the July registration
    assert registrations["deliveries"] == 1     # the second export runs past AS_AT
    assert registrations["lag_days"] == 10
    assert registrations["status"] == ON_TIME
    later = _row(compliance(con, as_at=date(2025, 7, 31)), "Registrations")
    assert later["deliveries"] == 2
    assert later["usual_interval_days"] == (date(2025, 7, 1) - date(2025, 3, 31)).days


def test_nothing_received_is_said_and_not_called_overdue(con):
    contacts = _row(compliance(con, as_at=AS_AT), "Contacts")
    assert contacts["deliveries"] == 0
    assert contacts["last_received"] is None
    assert pd.isna(contacts["lag_days"])
    assert pd.isna(contacts["overdue"])
    assert contacts["status"] == NONE_RECEIVED


def test_population_allows_for_the_publication_delay(con):
    population = _row(compliance(con, as_at=AS_AT), "Population estimates")
    assert population["usual_interval_days"] == 366.0
    assert population["lag_days"] == 345
    assert population["allowed_days"] == 366 + 365 + 14
    assert population["status"] == ON_TIME


def test_summary_names_the_overdue_and_missing_sources(con):
    text = compliance_summary(compliance(con, as_at=AS_AT))
    assert text == "Overdue: birth records, birth counts. Never received by this date: contacts."


def test_negative_grace_is_refused(con):
    with pytest.raises(ValueError, match="grace_days"):
        compliance(con, as_at=AS_AT, grace_days=-1)
