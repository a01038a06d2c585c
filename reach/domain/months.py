"""Calendar months: the one home of Reach's month arithmetic.

The trend's month ends, the what-if model's calendar and the inspection date a year ahead all
step through months here. (`data` may not import `reach`, so the demo authority steps through
months with numpy's calendar month, `datetime64[M]`, rather than arithmetic of its own.)
"""

from __future__ import annotations

import calendar
from datetime import date


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, for a negative number); a month-end stays a
    month-end (31 January + 1 is 28 or 29 February, and 28 February + 1 is 31 March), and a day
    the shorter month lacks becomes its last day (30 January + 1 is 28 February)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if day == month_end(day):
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def months_between(start: date, until: date) -> int:
    """Calendar months from `start`'s month to `until`'s month (negative if `until` is earlier)."""
    return (until.year - start.year) * 12 + until.month - start.month


def month_ends_after(start: date, months: int) -> list[date]:
    """`start`, then the last day of each of the `months` calendar months after its month."""
    first = start.replace(day=1)
    return [start] + [month_end(add_months(first, k)) for k in range(1, months + 1)]


def month_ends(*, until: date, months: int) -> list[date]:
    """The last day of each of the `months` months up to and including `until`'s month, with
    `until` itself as the final point (so a trend ends on the chosen date)."""
    first = until.replace(day=1)
    return [month_end(add_months(first, -k)) for k in range(months - 1, 0, -1)] + [until]


def quarter_ends(*, until: date, months: int) -> list[date]:
    """The points of a trend for publication, oldest first: `until`, then every third month-end
    before it within `months` months. Each is protected as at its own date."""
    return month_ends(until=until, months=months)[::-3][::-1]
