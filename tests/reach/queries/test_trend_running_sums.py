"""The trend's own steps, each against a small computation written here.

- The latest delivery of birth data on each date is a running maximum of deliveries placed on
  the dates: a delivery counts from its own day on, one before the first date counts on the
  first, one after the last on none; birth counts without a delivery date count never.
- The LSOAs are numbered in the order the report lists them (by centre, then code), so an LSOA
  whose code sorts before another's but whose centre sorts after still comes where the report
  puts it.
- The What if page's calibration takes the unknown under-fives from the LSOA counts alone; they
  are the report's children under five less its known children, for the authority and a centre.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data.store import connect
from reach.domain.months import month_ends
from reach.queries import report, trend
from reach.queries.calibration import _unknown_children
from reach.queries.report import reach_report, reach_trends
from tests.reach.queries.test_trend import assert_trend_is_report
from tests.reach.rows import insert_rows

# Centre Z01 has the LSOA whose code sorts first; centre A01 the other two.
FIRST, SECOND, THIRD = "E01000001", "E01000002", "E01000003"
DATES = [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]


def _births(rows):
    return [dict(child_key=f"k{n}", dob=date(2024, 12, 1), lsoa_code=lsoa, received_on=on, event="birth",
                 import_id=1) for n, (lsoa, on) in enumerate(rows)]


@pytest.fixture
def con(empty_con):
    insert_rows(empty_con, "centres", [dict(centre_id="Z01", name="Zeta"), dict(centre_id="A01", name="Alpha")])
    insert_rows(empty_con, "reach_areas", [dict(lsoa_code=FIRST, centre_id="Z01"),
                                           dict(lsoa_code=SECOND, centre_id="A01"),
                                           dict(lsoa_code=THIRD, centre_id="A01")])
    insert_rows(empty_con, "population", [dict(lsoa_code=code, period=date(2024, 6, 30), children_0_4=20)
                                          for code in (FIRST, SECOND, THIRD)])
    insert_rows(empty_con, "births", _births([
        (FIRST, date(2024, 12, 20)),     # before the first date: counts on the first
        (FIRST, date(2025, 2, 28)),      # on a date: counts on that date
        (SECOND, date(2025, 3, 1)),      # the day after a date: counts from the next
        (SECOND, date(2025, 5, 2)),      # after the last date: never
        ("E01000099", date(2025, 1, 5)),  # in no reach area
    ]))
    insert_rows(empty_con, "birth_counts", [
        dict(area_type="lsoa", area_code=THIRD, month=date(2024, 12, 1), births=3, received_on=date(2025, 4, 10),
             import_id=2),
        dict(area_type="lsoa", area_code=THIRD, month=date(2025, 1, 1), births=2, received_on=None, import_id=2),
    ])
    return empty_con


def _latest_delivery(con, lsoa: str, day: date) -> date | None:
    """The latest delivery on or before `day`, straight from the rows (the definition)."""
    days = [row[0] for row in con.execute(
        "SELECT received_on FROM births WHERE lsoa_code = ? UNION ALL "
        "SELECT received_on FROM birth_counts WHERE area_type = 'lsoa' AND area_code = ?", [lsoa, lsoa]).fetchall()]
    earlier = [d for d in days if d is not None and d <= day]
    return max(earlier) if earlier else None


def test_the_latest_birth_data_is_the_latest_delivery_on_or_before_each_date(con):
    frame = trend.lsoa_measures(con, dates=DATES)
    assert len(frame) == len(DATES) * 3
    got = {(r.lsoa_code, r.as_at): None if pd.isna(r.last_birth_data) else pd.Timestamp(r.last_birth_data).date()
           for r in frame.itertuples()}
    for (lsoa, day), latest in got.items():
        assert latest == _latest_delivery(con, lsoa, day), (lsoa, day)
    # Spelled out: FIRST on 31 January has only the December delivery; SECOND on 31 March the
    # one of 1 March, and still on 30 April (the May one comes after the last date); THIRD has
    # no delivery until the counts of 10 April (the undated counts never count).
    assert got[(FIRST, date(2025, 1, 31))] == date(2024, 12, 20)
    assert got[(SECOND, date(2025, 2, 28))] is None
    assert got[(SECOND, date(2025, 3, 31))] == got[(SECOND, date(2025, 4, 30))] == date(2025, 3, 1)
    assert got[(THIRD, date(2025, 3, 31))] is None
    assert got[(THIRD, date(2025, 4, 30))] == date(2025, 4, 10)


def test_the_lsoas_come_in_the_reports_order_even_when_codes_and_centres_disagree(con):
    frame = trend.lsoa_measures(con, dates=DATES)
    for day in DATES:
        codes = list(frame.loc[frame["as_at"] == day, "lsoa_code"])
        assert codes == [SECOND, THIRD, FIRST]      # centre A01 first, then Z01
    assert_trend_is_report(con, DATES)


def test_many_dates_give_the_report_at_each(con):
    dates = month_ends(until=date(2025, 12, 31), months=120)
    trends = reach_trends(con, dates=dates)
    assert len(trends["authority"]) == 120 and len(trends["lsoa"]) == 360
    assert_trend_is_report(con, dates, at=[dates[0], date(2025, 2, 28), date(2025, 3, 31), dates[-1]])


def _unknown_from_the_report(con, day: date, centre_id: str | None) -> float:
    if centre_id is None:
        row = reach_report(con, as_at=day, by="authority").iloc[0]
    else:
        frame = reach_report(con, as_at=day, by="centre")
        row = frame[frame["centre_id"] == centre_id].iloc[0]
    return max(float(row["children_under5"]) - float(row["known_children"]), 0.0)


@pytest.mark.parametrize("centre_id", [None, "DEMO07"])
def test_the_calibrations_unknown_children_are_the_reports(demo_db, centre_id, monkeypatch):
    con = connect(demo_db, read_only=True)
    try:
        days = [date(2025, 9, 30), date(2026, 9, 30)]
        expected = [_unknown_from_the_report(con, day, centre_id) for day in days]

        def no_full_trend(*args, **kwargs):
            raise AssertionError("the calibration should not work out the whole trend")

        monkeypatch.setattr(report, "reach_trends", no_full_trend)
        got = _unknown_children(con, dates=days, centre_id=centre_id)
    finally:
        con.close()
    assert got == expected
    assert all(value > 0 for value in got)


def test_counts_placed_in_64_bits_give_what_32_give(con, monkeypatch):
    in_32 = trend.lsoa_measures(con, dates=DATES)
    monkeypatch.setattr(trend, "_LARGEST_32_BIT_PLACE", 10)     # as for some 10,000 dates at England scale
    in_64 = trend.lsoa_measures(con, dates=DATES)
    pd.testing.assert_frame_equal(in_32, in_64)
    assert in_32["known_children"].sum() + in_32["unmatched_births"].sum() > 0
