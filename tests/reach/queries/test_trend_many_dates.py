"""The trend over many dates at once, and the births behind its newborn reach.

- The trend for N dates is N single-date reports, at every level and column, for ten years of
  month-ends on the demo authority (120 dates) and for dates that are not month-ends, given out
  of order and twice.
- Births in the 12 complete months before each date, per LSOA and per centre, are the rules of
  docs/definitions.md worked out here by hand from the rows: a count health shared for the LSOA
  and month, else the birth records (each child where its latest record puts it); for a centre,
  a count shared for the centre as a whole, else its LSOAs' counts where any has one that month,
  else its birth records.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date

import pytest

from data.store import connect
from reach.domain.months import month_ends
from reach.queries import birth_records
from reach.queries.report import reach_reports, reach_trends
from tests.reach.queries.test_trend import assert_trend_is_report
from tests.reach.rows import A1, A2, B1, insert_rows, two_centres


@pytest.fixture(scope="module")
def demo_con(demo_db_template, tmp_path_factory):
    db = tmp_path_factory.mktemp("many_dates") / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    con = connect(db, read_only=True)
    yield con
    con.close()


def test_the_trend_for_120_month_ends_is_120_reports_of_the_demo(demo_con):
    dates = month_ends(until=date(2026, 9, 30), months=120)
    assert len(dates) == 120
    assert_trend_is_report(demo_con, dates)
    authority = reach_trends(demo_con, dates=dates)["authority"]
    assert list(authority["as_at"]) == sorted(dates)
    # The count moves over the ten years, to thousands known by the end.
    assert authority["known_children"].iloc[0] < authority["known_children"].iloc[-1]
    assert authority["known_children"].nunique() > 60
    assert authority["known_children"].iloc[-1] > 1000


def test_dates_that_are_not_month_ends_out_of_order_and_twice_are_each_a_report(demo_con):
    dates = [date(2026, 9, 30), date(2024, 2, 29), date(2025, 1, 1), date(2024, 2, 29), date(2023, 7, 14)]
    assert_trend_is_report(demo_con, dates)
    assert len(reach_trends(demo_con, dates=dates)["authority"]) == 4


# --- births in the last 12 months, against the rules written out here ------------------------

AS_AT = date(2025, 3, 31)        # the 12 complete months before: March 2024 to February 2025


def _month(year: int, month: int) -> date:
    return date(year, month, 1)


@pytest.fixture
def births_con(empty_con):
    two_centres(empty_con, {A1: 40, A2: 40, B1: 40})
    records = [   # child, date of birth, LSOA, received on
        ("a", date(2024, 4, 2), A1, date(2024, 5, 1)),
        ("b", date(2024, 6, 9), A1, date(2024, 7, 1)),
        ("c", date(2024, 6, 20), A2, date(2024, 7, 1)),
        ("c", date(2024, 6, 20), B1, date(2024, 9, 1)),      # moved: counted where the latest puts it
        ("d", date(2025, 3, 3), A2, date(2025, 3, 20)),      # in the date's own month: not counted
        ("e", date(2024, 3, 30), B1, date(2024, 4, 2)),      # March 2024: B1 has a count that month
        ("f", date(2025, 2, 27), B1, date(2025, 3, 2)),
        ("g", date(2024, 11, 5), A1, date(2024, 12, 1)),
    ]
    insert_rows(empty_con, "births", [dict(child_key=k, dob=dob, lsoa_code=lsoa, received_on=on, event="birth",
                                           import_id=1) for k, dob, lsoa, on in records])
    insert_rows(empty_con, "births", [dict(child_key="h", dob=date(2024, 8, 1), lsoa_code=A1,
                                           received_on=date(2024, 9, 1), event="arrival", import_id=1)])
    counts = [   # area type, area, month, births
        ("lsoa", A2, _month(2024, 6), 5),        # A2's count replaces its records that month
        ("lsoa", A1, _month(2024, 11), 0),       # a count of none still replaces the records
        ("centre", "C2", _month(2025, 2), 7),    # a count for Hilltop as a whole that month
        ("lsoa", B1, _month(2024, 3), 9),        # the first of the 12 months at the end of March 2025
    ]
    insert_rows(empty_con, "birth_counts", [dict(area_type=t, area_code=a, month=m, births=b,
                                                 received_on=date(2025, 3, 10), import_id=2)
                                            for t, a, m, b in counts])
    return empty_con


def _births_by_hand(con, as_at: date) -> tuple[dict, dict]:
    """Births in the 12 complete months before `as_at`'s month, per LSOA and per centre."""
    first = as_at.replace(day=1)
    window = []
    for _ in range(12):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
        window.append(first)
    latest: dict[str, tuple] = {}
    for child, dob, lsoa, received in con.execute(
            "SELECT child_key, dob, lsoa_code, received_on FROM births WHERE event = 'birth'").fetchall():
        if child not in latest or received > latest[child][2]:
            latest[child] = (dob, lsoa, received)
    recorded: dict = defaultdict(int)
    for dob, lsoa, _ in latest.values():
        recorded[(lsoa, dob.replace(day=1))] += 1
    counted = {(t, a, m): b for t, a, m, b in con.execute(
        "SELECT area_type, area_code, month, births FROM birth_counts").fetchall()}
    areas = con.execute("SELECT lsoa_code, centre_id FROM reach_areas").fetchall()
    per_lsoa = {lsoa: sum(counted.get(("lsoa", lsoa, m), recorded[(lsoa, m)]) for m in window)
                for lsoa, _ in areas}
    per_centre = {}
    for centre in {c for _, c in areas}:
        lsoas = [lsoa for lsoa, c in areas if c == centre]
        total = 0
        for m in window:
            if ("centre", centre, m) in counted:
                total += counted[("centre", centre, m)]
            elif any(("lsoa", lsoa, m) in counted for lsoa in lsoas):
                total += sum(counted.get(("lsoa", lsoa, m), 0) for lsoa in lsoas)
            else:
                total += sum(recorded[(lsoa, m)] for lsoa in lsoas)
        per_centre[centre] = total
    return per_lsoa, per_centre


@pytest.mark.parametrize("as_at", [AS_AT, date(2024, 12, 31), date(2025, 7, 15)])
def test_births_in_the_last_12_months_follow_the_rules_for_each_lsoa_and_centre(births_con, as_at):
    per_lsoa, per_centre = _births_by_hand(births_con, as_at)
    reports = reach_reports(births_con, as_at=as_at)
    assert dict(zip(reports["lsoa"]["lsoa_code"], reports["lsoa"]["births_12m"])) == per_lsoa
    assert dict(zip(reports["centre"]["centre_id"], reports["centre"]["births_12m"])) == per_centre
    assert reports["authority"]["births_12m"].iloc[0] == sum(per_centre.values())


def test_births_spelled_out_at_the_end_of_march_2025(births_con):
    per_lsoa, per_centre = _births_by_hand(births_con, AS_AT)
    # The 12 months are March 2024 to February 2025. A1: a (April) and b (June) from the records;
    # November is counted as none, so g is not added; h is an arrival. A2: June counted as 5; d
    # is born in March 2025. B1: March 2024 counted as 9 (in place of e), c (June), f (February).
    assert per_lsoa == {A1: 2, A2: 5, B1: 11}
    # Riverside: April from the records (a); in June A2 has a count, so its LSOAs' counts are
    # summed (5; A1 has none that month, so b is not added); November's count of none. Hilltop:
    # March's 9, June's record (c), and its own count of 7 for February in place of f.
    assert per_centre == {"C1": 1 + 5 + 0, "C2": 9 + 1 + 7}
    trend = reach_trends(births_con, dates=month_ends(until=date(2025, 7, 31), months=6))
    at_date = trend["centre"][trend["centre"]["as_at"] == AS_AT]
    assert dict(zip(at_date["centre_id"], at_date["births_12m"])) == per_centre


@pytest.mark.parametrize("picked_out", [True, False], ids=["children picked out", "every child grouped"])
def test_a_date_of_birth_corrected_across_the_12_months_edge_counts_where_the_latest_record_puts_it(
        births_con, monkeypatch, picked_out):
    # Where the months wanted hold few of the births, only children with a record born in them are
    # grouped (a national store holds years of births): a child whose date of birth a later record
    # moved into, or out of, the 12 months must still be counted by its latest record, exactly as
    # when every child is grouped. Both ways are taken here, whatever the store's spread of dates.
    monkeypatch.setattr(birth_records, "_MOST_OF_THE_BIRTHS", 100.0 if picked_out else 0.0)
    corrected = [   # child, date of birth, LSOA, received on
        ("i", date(2025, 3, 5), A1, date(2025, 3, 10)),      # first born in March 2025: outside
        ("i", date(2025, 2, 25), A1, date(2025, 3, 20)),     # corrected to February: inside
        ("j", date(2024, 5, 5), B1, date(2024, 6, 1)),       # first born in May 2024: inside
        ("j", date(2025, 3, 2), B1, date(2025, 3, 25)),      # corrected to March 2025: outside
    ]
    insert_rows(births_con, "births", [dict(child_key=k, dob=dob, lsoa_code=lsoa, received_on=on, event="birth",
                                            import_id=3) for k, dob, lsoa, on in corrected])
    per_lsoa, per_centre = _births_by_hand(births_con, AS_AT)
    assert per_lsoa == {A1: 2 + 1, A2: 5, B1: 11}          # i counted in February; j in no month
    reports = reach_reports(births_con, as_at=AS_AT)
    assert dict(zip(reports["lsoa"]["lsoa_code"], reports["lsoa"]["births_12m"])) == per_lsoa
    assert dict(zip(reports["centre"]["centre_id"], reports["centre"]["births_12m"])) == per_centre
    later = date(2025, 7, 15)                               # July 2024 to June 2025: j's March is inside
    assert dict(zip(*[reach_reports(births_con, as_at=later)["lsoa"][c] for c in ("lsoa_code", "births_12m")])) \
        == _births_by_hand(births_con, later)[0]


def test_the_children_are_picked_out_only_where_the_months_wanted_hold_few_of_the_births():
    six_years = (date(2020, 10, 1), date(2026, 9, 30))
    assert birth_records.worth_picking_out(date(2025, 9, 1), date(2026, 8, 1), *six_years)        # 12 of 72
    assert birth_records.worth_picking_out(date(2023, 9, 1), date(2026, 8, 1), *six_years)        # 36 of 72
    assert not birth_records.worth_picking_out(date(2015, 1, 1), date(2026, 8, 1), *six_years)    # all
    assert not birth_records.worth_picking_out(date(2025, 9, 1), date(2026, 8, 1), None, None)    # no births
