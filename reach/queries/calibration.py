"""The what-if model's parameters, read from the store: each with where it came from.

Every parameter (`reach.domain.whatif_parameters.Parameter`) says whether it was derived from
the data or assumed, how many records stand behind it, and one plain sentence on how it was
worked out, so a data officer can check it and a manager can trust it.

How each is derived (as at a date D; "the area" is a centre's reach area, or every reach area):

* sharing: the median gap between deliveries of birth records (distinct `received_on` dates) in
  the two years to D (all deliveries if fewer than two fall there), rounded to monthly (under 2
  months), quarterly (under 4.5), 6-monthly (under 9) or annual. With registrations but no birth
  records at all, no sharing. The feed is the authority's, so this uses every birth record.
* delay: over the same deliveries, the median of the delivery date minus the latest date of
  birth among its births (arrivals excluded: their dates of birth say nothing of the lag), in
  months, never below 0.
* contact rate: of the children first notified to the area at least 3 months (91 days) before D
  and not already registered when notified, the share registered within those 91 days. A fixed
  window, so that families found years later by other routes do not count as contact success.
* other routes: children first registered in the year to D, under five and living in the area,
  with no birth record received on or before that day, per month of unknown under-fives. The
  unknown under-fives (children under five minus known children, from the reach report) are
  taken a year before D and at D, and their average counts for twelve months.
* churn: 1% a month (about 12% a year). Families who move away rarely tell the centre, so the
  records cannot show it.
* arrivals in feed: whether any record received in the year to D is an arrival.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import date, timedelta

from data.dates import as_date
from reach.domain.measures import under_five_sql
from reach.domain.whatif import (DAYS_PER_MONTH, TARGET_SHARE, UNDER_TWO_SPAN_MONTHS, Projection, Scenario, project_to,
                                 sharing_name)
from reach.domain.whatif_parameters import DEFAULT_PARAMETERS, Calibration, Parameter
from reach.queries import trend
from reach.queries.report import KNOWN_CHILDREN_CTES, reach_report

CONTACT_WINDOW_DAYS = 91          # time a centre has to register a notified family
RECENT_DELIVERIES_DAYS = 730      # sharing practice is read from the last two years
YEAR_DAYS = 365

# Median gaps (months) below which sharing counts as monthly, quarterly, 6-monthly; else annual.
_SHARING_THRESHOLDS = ((2.0, 1), (4.5, 3), (9.0, 6))


class UnknownCentre(ValueError):
    """The centre asked for has no reach area in the store (a mistyped ID, or reach areas not
    loaded yet); the message lists those that have one."""


# --- the queries -----------------------------------------------------------------------------
# The area: a centre's LSOAs, or every LSOA in a reach area when no centre is given. Parameters:
# the centre twice.
_AREA_SQL = "(SELECT lsoa_code FROM reach_areas WHERE centre_id = ? OR CAST(? AS VARCHAR) IS NULL)"

_DELIVERIES_SQL = """
SELECT received_on,
       max(dob) FILTER (WHERE event = 'birth') AS latest_birth,
       count(*) AS records
FROM births
WHERE received_on <= ?
GROUP BY received_on
ORDER BY received_on
"""

# Parameters: D, the last notification date with a full window, the centre twice, window days.
_CONTACT_SQL = f"""
WITH first_notified AS (
    SELECT child_key, min(received_on) AS received_on, arg_min(lsoa_code, received_on) AS lsoa_code
    FROM births WHERE received_on <= ?
    GROUP BY child_key
),
notified AS (
    SELECT f.child_key, f.received_on
    FROM first_notified f
    WHERE f.received_on <= ?
      AND f.lsoa_code IN {_AREA_SQL}
      AND NOT EXISTS (SELECT 1 FROM registrations r
                      WHERE r.child_key = f.child_key AND r.registered_on < f.received_on)
),
registered AS (
    SELECT DISTINCT n.child_key
    FROM notified n JOIN registrations r ON r.child_key = n.child_key
    WHERE r.registered_on >= n.received_on AND r.registered_on <= n.received_on + CAST(? AS INTEGER)
)
SELECT (SELECT count(*) FROM notified) AS notified, (SELECT count(*) FROM registered) AS registered
"""

# Parameters: D, the start of the year (exclusive), the centre twice.
_OTHER_ROUTE_SQL = f"""
WITH first_registration AS (
    SELECT child_key, min(registered_on) AS registered_on,
           arg_min(lsoa_code, registered_on) AS lsoa_code, arg_min(dob, registered_on) AS dob
    FROM registrations WHERE registered_on <= ?
    GROUP BY child_key
)
SELECT count(*)
FROM first_registration f
WHERE f.registered_on > ?
  AND f.lsoa_code IN {_AREA_SQL}
  AND {under_five_sql('f.dob', 'f.registered_on')}
  AND NOT EXISTS (SELECT 1 FROM births b WHERE b.child_key = f.child_key AND b.received_on <= f.registered_on)
"""


# Known children by completed year of age (0 to 4), by the report's own definition of known.
# Parameters: the date (as a one-item list), the centre twice.
_KNOWN_BY_YEAR_OF_AGE_SQL = f"""
WITH {KNOWN_CHILDREN_CTES}
SELECT {' + '.join(f"CAST(k.dob <= CAST(k.d - INTERVAL {n} YEAR AS DATE) AS INTEGER)" for n in range(1, 5))}
           AS year_of_age,
       count(*) AS known
FROM known k
WHERE k.lsoa_code IN {_AREA_SQL}
GROUP BY year_of_age
"""


def _count(con, sql: str, params) -> int:
    return int(con.cursor().execute(sql, params).fetchone()[0])


def _centre_exists(con, centre_id: str) -> None:
    found = _count(con, "SELECT count(*) FROM reach_areas WHERE centre_id = ?", [centre_id])
    if not found:
        known = [row[0] for row in con.cursor().execute(
            "SELECT DISTINCT centre_id FROM reach_areas ORDER BY 1 LIMIT 20").fetchall()]
        listed = ", ".join(known) if known else "none yet: import reach areas first"
        raise UnknownCentre(f"No reach area for centre {centre_id!r}. Centres with reach areas: {listed}.")


def _recent_deliveries(con, as_at: date) -> list[tuple[date, date | None, int]]:
    rows = con.cursor().execute(_DELIVERIES_SQL, [as_at]).fetchall()
    recent = [row for row in rows if row[0] > as_at - timedelta(days=RECENT_DELIVERIES_DAYS)]
    return recent if len(recent) >= 2 else rows


def _round_sharing(median_gap_months: float) -> int:
    for below, months in _SHARING_THRESHOLDS:
        if median_gap_months < below:
            return months
    return 12


def _sharing(con, as_at: date, deliveries) -> Parameter:
    if not deliveries:
        registrations = _count(con, "SELECT count(*) FROM registrations WHERE registered_on <= ?", [as_at])
        if registrations:
            return Parameter(None, "data", 0,
                             f"No birth records had been received by {as_at.isoformat()}, so no sharing.")
        return DEFAULT_PARAMETERS["sharing_months"]
    if len(deliveries) < 2:
        return replace(DEFAULT_PARAMETERS["sharing_months"],
                       how="Assumed quarterly: only one delivery of birth records so far, so no gap to measure.")
    dates = [row[0] for row in deliveries]
    gap = statistics.median((b - a).days / DAYS_PER_MONTH for a, b in zip(dates[:-1], dates[1:]))
    months = _round_sharing(gap)
    return Parameter(months, "data", len(deliveries),
                     f"The {len(deliveries)} deliveries of birth records from {dates[0].isoformat()} to "
                     f"{dates[-1].isoformat()} came a median {gap:.1f} months apart: {sharing_name(months)}.")


def _delay(deliveries) -> Parameter:
    lags = [(received - latest).days / DAYS_PER_MONTH for received, latest, _ in deliveries if latest is not None]
    if not lags:
        return DEFAULT_PARAMETERS["delay_months"]
    lag = max(0.0, statistics.median(lags))
    return Parameter(round(lag, 2), "data", len(lags),
                     f"Over {len(lags)} deliveries, birth records arrived a median {lag:.1f} months after "
                     "the latest birth they held.")


def _contact_rate(con, as_at: date, centre_id: str | None) -> Parameter:
    last_with_full_window = as_at - timedelta(days=CONTACT_WINDOW_DAYS)
    notified, registered = con.cursor().execute(
        _CONTACT_SQL, [as_at, last_with_full_window, centre_id, centre_id, CONTACT_WINDOW_DAYS]).fetchone()
    if not notified:
        return replace(DEFAULT_PARAMETERS["contact_rate"],
                       how="Assumed: 9 in 10 notified families register; no birth records received by "
                           f"{last_with_full_window.isoformat()} to measure it from.")
    return Parameter(registered / notified, "data", int(notified),
                     f"Of {notified:,} children in birth records received by {last_with_full_window.isoformat()} "
                     f"and not already registered, {registered:,} were registered within {CONTACT_WINDOW_DAYS} days.")


def _unknown_children(con, *, dates, centre_id: str | None) -> list[float]:
    """Children under five not known, on each date, from the reach report's own figures: a
    centre's (or the authority's) children under five and known children are the sums of its
    LSOAs', so the LSOA counts alone are worked out (`reach.queries.trend.lsoa_measures`),
    without the rest of the report."""
    frame = trend.lsoa_measures(con, dates=dates)
    if centre_id is not None:
        frame = frame[frame["centre_id"] == centre_id]
    summed = frame.groupby("as_at")[["children_under5", "known_children"]].sum()
    by_date = {day: max(float(row.children_under5) - float(row.known_children), 0.0)
               for day, row in summed.iterrows()}
    return [by_date.get(day, 0.0) for day in dates]


def _other_route_rate(con, as_at: date, centre_id: str | None) -> Parameter:
    year_before = as_at - timedelta(days=YEAR_DAYS)
    registrations = _count(con, "SELECT count(*) FROM registrations WHERE registered_on <= ?", [as_at])
    if not registrations:
        return DEFAULT_PARAMETERS["other_route_rate"]
    unknown_then, unknown_now = _unknown_children(con, dates=[year_before, as_at], centre_id=centre_id)
    child_months = 12 * (unknown_then + unknown_now) / 2
    if child_months <= 0:
        return replace(DEFAULT_PARAMETERS["other_route_rate"],
                       how="Assumed 2% a month: every under-five was already known, so the rate cannot be measured.")
    found = _count(con, _OTHER_ROUTE_SQL, [as_at, year_before, centre_id, centre_id])
    who = {0: "No child was", 1: "1 child was"}.get(found, f"{found:,} children were")
    return Parameter(found / child_months, "data", found,
                     f"{who} first registered in the year to {as_at.isoformat()} with no "
                     f"earlier birth record, over about {child_months:,.0f} months of unknown under-fives "
                     f"({unknown_then:,.0f} unknown a year before, {unknown_now:,.0f} at the date).")


def _arrivals_in_feed(con, as_at: date) -> Parameter:
    year_before = as_at - timedelta(days=YEAR_DAYS)
    records, arrivals = con.cursor().execute(
        "SELECT count(*), count(*) FILTER (WHERE event = 'arrival') FROM births "
        "WHERE received_on <= ? AND received_on > ?", [as_at, year_before]).fetchone()
    if not records:
        return DEFAULT_PARAMETERS["arrivals_in_feed"]
    if arrivals:
        return Parameter(True, "data", int(records),
                         f"{arrivals:,} of the {records:,} records received in the year to {as_at.isoformat()} "
                         "are children who moved in.")
    return Parameter(False, "data", int(records),
                     f"None of the {records:,} records received in the year to {as_at.isoformat()} is a child "
                     "who moved in: births only.")


def calibrate(con, *, as_at, centre_id: str | None = None) -> Calibration:
    """The model's parameters from the store as at `as_at`, for a centre or the whole authority.

    Where the data cannot say, the default is used and labelled so (origin 'default', 0 records).
    """
    day = as_date(as_at)
    if centre_id is not None:
        _centre_exists(con, centre_id)
    deliveries = _recent_deliveries(con, day)
    return Calibration(
        as_at=day,
        centre_id=centre_id,
        sharing_months=_sharing(con, day, deliveries),
        delay_months=_delay(deliveries),
        contact_rate=_contact_rate(con, day, centre_id),
        other_route_rate=_other_route_rate(con, day, centre_id),
        churn=DEFAULT_PARAMETERS["churn"],
        arrivals_in_feed=_arrivals_in_feed(con, day),
    )


def _report_row(con, *, as_at, centre_id: str | None):
    if centre_id is None:
        return reach_report(con, as_at=as_at, by="authority").iloc[0]
    frame = reach_report(con, as_at=as_at, by="centre")
    match = frame[frame["centre_id"] == centre_id]
    if match.empty:
        raise UnknownCentre(f"No centre {centre_id!r} in the store.")
    return match.iloc[0]


def current_position(con, *, as_at, centre_id: str | None = None) -> tuple[int, float]:
    """(known children, children under five) as at a date, for a centre or the authority: the
    reach report's own figures, so the what-if page starts where the report stands."""
    row = _report_row(con, as_at=as_at, centre_id=centre_id)
    return int(row["known_children"]), float(row["children_under5"])


def under_two_position(con, *, as_at, centre_id: str | None = None) -> tuple[int, float]:
    """(known children under two, children under two) as at a date: the report's own figures."""
    row = _report_row(con, as_at=as_at, centre_id=centre_id)
    return int(row["known_under2"]), float(row["children_under2"])


def known_share_by_age(con, *, as_at, centre_id: str | None = None, under_five: float | None = None) -> list[float]:
    """Today's known share in each year of age, 0 to 4: known children of that age over a fifth of
    the under-fives (population estimates come for ages 0-4 together, and the years are close to
    equal in size). The projection starts from it, so an area that knows its toddlers but not its
    four-year-olds is not treated as knowing every age alike. `under_five` is the report's figure
    for the area, when the caller has it already (`current_position` otherwise works it out)."""
    day = as_date(as_at)
    if under_five is None:
        _, under_five = current_position(con, as_at=day, centre_id=centre_id)
    if under_five <= 0:
        raise ValueError(f"No children under five in the area on {day.isoformat()}, so no known share by age.")
    counts = dict(con.cursor().execute(_KNOWN_BY_YEAR_OF_AGE_SQL, [[day], centre_id, centre_id]).fetchall())
    return [counts.get(year, 0) / (under_five / 5) for year in range(5)]


def known_share_by_age_under_two(con, *, as_at, under_two: float, centre_id: str | None = None) -> list[float]:
    """Today's known share at ages 0 and 1: known children of that age over half the children
    under two (`under_two`, the report's figure), for a projection of reach under two."""
    day = as_date(as_at)
    if under_two <= 0:
        raise ValueError(f"No children under two in the area on {day.isoformat()}, so no known share by age.")
    counts = dict(con.cursor().execute(_KNOWN_BY_YEAR_OF_AGE_SQL, [[day], centre_id, centre_id]).fetchall())
    return [counts.get(year, 0) / (under_two / 2) for year in range(2)]


def under_two_projection(con, *, scenario: Scenario, known: float, under_two: float, start: date, until: date,
                         centre_id: str | None = None, target_share: float = TARGET_SHARE) -> Projection:
    """Reach among the under-twos month by month from `start` (today: `known` of `under_two`,
    the report's figures) to `until`: the what-if model followed for ages 0 and 1 only, starting
    from today's known share at each of the two ages."""
    by_age = known_share_by_age_under_two(con, as_at=start, under_two=under_two, centre_id=centre_id)
    return project_to(scenario=scenario, known=known, under_five=under_two, start=as_date(start), until=as_date(until),
                      known_share_by_age=by_age, target_share=target_share, age_span_months=UNDER_TWO_SPAN_MONTHS)


def area_name(con, centre_id: str | None = None) -> str:
    """The area a scenario is for, as people call it: 'the authority', or the centre's name (its
    ID where the register has no name for it)."""
    if centre_id is None:
        return "the authority"
    row = con.cursor().execute("SELECT name FROM centres WHERE centre_id = ?", [centre_id]).fetchone()
    return row[0] if row else centre_id
