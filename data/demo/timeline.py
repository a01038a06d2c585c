"""When the demo's story happens: its dates, and dates as whole days.

The simulation counts time in whole days since 1970 (plain integers are quick to compare and
sort by the hundred thousand); the helpers here turn dates into days and back. It steps through
calendar months with numpy's month unit (`datetime64[M]`): Reach's own month arithmetic lives in
`reach.domain.months`, which `data` may not import.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

# The demo's own date: the data runs to here, and every figure is shown as at this day.
DEMO_AS_AT = date(2026, 9, 30)

# The timeline. The simulation starts five years before the data does, so that the under-fives
# living here when the data starts were born (or arrived) inside the simulation.
SIMULATION_START = date(2016, 1, 1)
DATA_START = date(2021, 10, 1)
RECORDS_START = date(2023, 4, 1)          # quarterly birth records begin with this quarter
MONTHLY_START = date(2024, 10, 1)         # the data-sharing agreement: monthly, with arrivals
CONTACTS_START = date(2023, 10, 1)        # the contact export covers the three years to the demo date
ESTIMATE_PERIODS = [date(year, 6, 30) for year in range(2021, 2026)]   # ONS mid-year estimates
WIDE_LAYOUT_PERIOD = date(2024, 6, 30)    # published as ONS does, single years of age by sex

_EPOCH = date(1970, 1, 1)


def day_number(value: date) -> int:
    """A date as whole days since 1970."""
    return (value - _EPOCH).days


def iso_dates(days) -> np.ndarray:
    """Whole days since 1970 as ISO date strings."""
    return np.datetime_as_string(np.asarray(days, dtype="int64").astype("datetime64[D]"), unit="D")


def month_starts(first: date, last: date) -> list[date]:
    """First days of the months from `first`'s month to `last`'s month, inclusive."""
    months = np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1)
    return [day.item() for day in months.astype("datetime64[D]")]


def first_of_month(value: date, months_after: int = 0) -> date:
    """The first day of the month `months_after` months after `value`'s month."""
    return (np.datetime64(value, "M") + months_after).astype("datetime64[D]").item()


def fifth_birthday(dob: int) -> int:
    """The fifth birthday of a date of birth, in days; 29 February's is on 1 March."""
    born = _EPOCH + timedelta(days=dob)
    if (born.month, born.day) == (2, 29):
        return day_number(date(born.year + 5, 3, 1))
    return day_number(born.replace(year=born.year + 5))


def working_day(day: date) -> date:
    """The day itself, or the Monday after a weekend: extracts are sent on working days."""
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
