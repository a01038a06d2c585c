"""The trend from running sums equals the single-date report at every date, level and column.

`reach_trends` finds its counts from interval ends and running sums; `reach_reports` by a range
join at one date. On the demo authority and on random small stores built to hit the edges (moves,
two registrations on one day, children born on 29 February, contacts a year apart to the day,
several birth records per child, birth counts with and without a delivery date, LSOAs with no or
only later population estimates, a centre with no reach area), each date of the trend must be
the report at that date, exactly.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from data.store import connect
from reach.domain.measures import ReportOptions
from reach.domain.months import month_ends
from reach.queries.report import LEVELS, reach_reports, reach_trends
from tests.reach.rows import insert_rows

NOT_TRENDED = ("known_families", "known_out_of_area")


def assert_trend_is_report(con, dates, options: ReportOptions = ReportOptions(), *, at=None) -> None:
    """The trend over `dates` is the report at each of them (or at each date of `at`)."""
    trends = reach_trends(con, dates=dates, options=options)
    for day in sorted(set(dates if at is None else at)):
        reports = reach_reports(con, as_at=day, options=options)
        for level in LEVELS:
            expected = reports[level].drop(columns=[c for c in NOT_TRENDED if c in reports[level]])
            trend = trends[level]
            got = trend[trend["as_at"] == day].drop(columns="as_at").reset_index(drop=True)
            assert list(got.columns) == list(expected.columns), level
            pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=f"{level} at {day}")
        assert set(trends["authority"]["as_at"]) == set(dates)


def test_the_trend_is_the_report_at_every_month_end_of_the_demo(demo_db):
    con = connect(demo_db, read_only=True)
    try:
        dates = month_ends(until=date(2026, 9, 30), months=36)
        assert_trend_is_report(con, dates)
        trend = reach_trends(con, dates=dates)["authority"]
        assert trend["known_children"].iloc[-1] > 1000        # the demo has thousands known
        assert trend["known_children"].nunique() > 12        # and the count moves month by month
    finally:
        con.close()


def _random_store(con, seed: int) -> list[date]:
    """A small authority with random children, all near the edges the rules have; returns dates
    to report at (month-ends, 28 and 29 February, odd days, a day before any data)."""
    rng = np.random.default_rng(seed)
    lsoas = [f"E01{i:06d}" for i in range(1, 8)]      # the last two are in no reach area
    insert_rows(con, "centres", [dict(centre_id=c, name=f"Centre {c}") for c in ("C1", "C2", "C3")])
    insert_rows(con, "reach_areas", [dict(lsoa_code=lsoa, centre_id="C1" if i < 3 else "C2")
                                     for i, lsoa in enumerate(lsoas[:5])])    # C3 has no area
    insert_rows(con, "population", [
        dict(lsoa_code=lsoas[0], period=date(2022, 6, 30), children_0_4=int(rng.integers(5, 30))),
        dict(lsoa_code=lsoas[0], period=date(2023, 6, 30), children_0_4=int(rng.integers(5, 30))),
        dict(lsoa_code=lsoas[1], period=date(2024, 2, 29), children_0_4=int(rng.integers(0, 30))),
        dict(lsoa_code=lsoas[2], period=date(2025, 6, 30), children_0_4=int(rng.integers(5, 30))),
        dict(lsoa_code=lsoas[3], period=date(2022, 6, 30), children_0_4=3),   # soon over 100%
        # lsoas[4] has none: its children seen are counted
    ])
    insert_rows(con, "deprivation", [dict(lsoa_code=lsoa, edition=2019, idaci_decile=int(rng.integers(1, 11)))
                                     for lsoa in lsoas[:4]])
    start = date(2019, 1, 1)
    leap_days = [date(2020, 2, 29), date(2024, 2, 29), date(2021, 2, 28), date(2023, 3, 1)]

    def day(low: int = 0, high: int = 2400) -> date:
        if rng.random() < 0.08:
            return leap_days[int(rng.integers(len(leap_days)))]
        return start + timedelta(days=int(rng.integers(low, high)))

    registrations, births, contacts = [], [], []
    for n in range(int(rng.integers(30, 60))):
        child = f"k{n}"
        dob = day(0, 2000)
        lsoa = lsoas[int(rng.integers(len(lsoas)))]
        if rng.random() < 0.8:
            births.append(dict(child_key=child, dob=dob, lsoa_code=lsoa, import_id=1,
                               received_on=dob + timedelta(days=int(rng.integers(0, 120))),
                               event="birth" if rng.random() < 0.85 else "arrival"))
            if rng.random() < 0.3:   # a second record: a later delivery, maybe elsewhere
                births.append(dict(child_key=child, dob=dob, lsoa_code=lsoas[int(rng.integers(len(lsoas)))],
                                   received_on=births[-1]["received_on"] + timedelta(days=int(rng.integers(1, 400))),
                                   event="birth", import_id=2))
        if rng.random() < 0.75:
            on = dob + timedelta(days=int(rng.integers(-30, 900)))
            registrations.append(dict(child_key=child, dob=dob, lsoa_code=lsoa, centre_id="C1",
                                      registered_on=on, family_key=f"f{n // 2}", import_id=1))
            if rng.random() < 0.3:   # moved, or registered again the same day at another centre
                later = on + timedelta(days=int(rng.integers(0, 700)))
                registrations.append(dict(child_key=child, dob=dob, lsoa_code=lsoas[int(rng.integers(len(lsoas)))],
                                          centre_id="C2", registered_on=later, family_key=f"f{n // 2}",
                                          import_id=int(rng.integers(1, 3))))
            first = on
            for m in range(int(rng.integers(0, 7))):
                when = first + timedelta(days=int(rng.integers(0, 800)))
                if rng.random() < 0.15 and contacts:          # a year to the day after another
                    previous = contacts[-1]["contact_on"]
                    when = previous.replace(year=previous.year + 1) if (previous.month, previous.day) != (2, 29) \
                        else date(previous.year + 1, 2, 28)
                if rng.random() < 0.1:
                    when = leap_days[int(rng.integers(len(leap_days)))]
                contacts.append(dict(child_key=child, contact_on=when, centre_id="C1", activity=f"a{m}", import_id=1))
    insert_rows(con, "births", births)
    insert_rows(con, "registrations", registrations)
    insert_rows(con, "contacts", contacts)
    counts = []
    for month in pd.date_range("2021-01-01", "2025-12-01", freq="MS").date:
        if rng.random() < 0.3:
            counts.append(dict(area_type="lsoa", area_code=lsoas[int(rng.integers(3))], month=month,
                               births=int(rng.integers(0, 9)), import_id=3,
                               received_on=None if rng.random() < 0.2
                               else month + timedelta(days=int(rng.integers(30, 200)))))
        if rng.random() < 0.2:
            counts.append(dict(area_type="centre", area_code="C2", month=month, births=int(rng.integers(0, 9)),
                               received_on=month + timedelta(days=45), import_id=3))
    insert_rows(con, "birth_counts", counts)
    dates = month_ends(until=date(2025, 3, 31), months=int(rng.integers(20, 50)))
    dates += [date(2024, 2, 28), date(2024, 2, 29), date(2018, 6, 1), day(), day(), day()]
    return sorted(set(dates))


def _some(dates: list[date], seed: int) -> list[date]:
    """The dates to check a random store's trend at (checking all of them costs a report each):
    the first and last, the leap days, and ten more at random."""
    picked = np.random.default_rng(seed).choice(len(dates), size=min(10, len(dates)), replace=False)
    edges = {dates[0], dates[-1], date(2024, 2, 28), date(2024, 2, 29)}
    return sorted(edges | {dates[int(i)] for i in picked})


@pytest.mark.parametrize("seed", range(6))
def test_the_trend_is_the_report_at_every_date_of_a_random_store(empty_con, seed):
    dates = _random_store(empty_con, seed)
    assert_trend_is_report(empty_con, dates, at=_some(dates, seed))
    known = reach_trends(empty_con, dates=dates)["authority"]["known_children"]
    assert known.max() > 0


@pytest.mark.parametrize("sustained", [1, 2, 0])
def test_the_trend_is_the_report_whatever_makes_contact_sustained(empty_con, sustained):
    dates = _random_store(empty_con, 11)
    options = ReportOptions(sustained_contacts=sustained)
    assert_trend_is_report(empty_con, dates, options, at=_some(dates, sustained))
    assert reach_trends(empty_con, dates=dates, options=options)["lsoa"]["sustained_contact"].max() > 0


def test_an_empty_store_has_a_trend_of_zeros(empty_con):
    dates = month_ends(until=date(2025, 3, 31), months=3)
    assert_trend_is_report(empty_con, dates)
    authority = reach_trends(empty_con, dates=dates)["authority"]
    assert list(authority["known_children"]) == [0, 0, 0]
