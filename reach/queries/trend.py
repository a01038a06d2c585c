"""The report's raw counts for many dates at once, from interval ends and running sums.

The single-date report (`reach.queries.report`) finds, for each date, who is known, unmatched
or in sustained contact by a range join of the dates against every registration, birth record
and contact: its cost grows with the number of dates. Here each child's state is turned into
intervals of days instead, and the count on every date comes from the interval ends:

- a **known spell** is a registration in force (from its `registered_on` to the next
  registration of the same child) cut to the days the child is under five (from the date of
  birth to the fifth birthday, `fifth_birthday_sql`): exactly the days `under_five_sql` is true;
- a **newborn spell** is a known spell cut to the twelve months after the month of birth
  (a child born in month m is a newborn of the report on every date from the first of month
  m + 1 to the last day of month m + 12);
- an **unmatched spell** is a birth record in force until the next record of the child or the
  day the child is first registered, cut to the days under five;
- an **under-two spell** is a known or an unmatched spell cut to the second birthday
  (`second_birthday_sql`): the known under-twos, and with the unmatched ones the under-twos
  counted where an LSOA has no population estimate;
- a **sustained spell** is a known spell cut to the days on which the child has at least N
  contacts in the 12 months up to the day (a contact on c counts on every day from c until the
  first day whose year-earlier date is c or later). With a child's contacts in order, the
  window holds N of them from the N-th of a run until the first of the run leaves it; those
  days come from one window function over the contacts, as disjoint pieces, with no running
  count per child and day.

Each spell adds one on its first day and takes one away on its end day. Each end is placed on
the first requested date on or after it (by a calendar of the days between the first and last
requested dates, an equality join), the +1s and -1s are summed per LSOA and date, and a running
sum over the dates gives the count on each date; spells over before the first date, or begun
after the last, are left out from the start. The latest delivery of birth data is placed the
same way, each delivery on the first date on or after it, and a running maximum gives the
latest on each date. The population estimate in force is an as-of join, and the births in the
12 months before each date a 12-month running sum. The LSOAs are numbered, in the order the
report lists them, so the heavy steps group and sort on numbers, not codes. Nothing here is
computed per date, so 36 dates cost little more than one.

Known families (distinct families, not a sum of spells) are not counted here: the trend does not
carry them (see `reach.queries.report.reach_trends`).

The results are the single-date report's exactly, at every date, level and column;
tests/reach/queries/test_trend.py holds them to that.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pyarrow as pa

from data.dates import as_date
from reach.domain.measures import (
    ReportOptions,
    deprived_sql,
    fifth_birthday_sql,
    second_birthday_sql,
    children_under_two_sql,
    under_two_estimated_sql,
)
from reach.queries.birth_records import BIRTHS_RECORDED_CTES

NEVER = "DATE '9999-12-31'"

# Every requested date, with its position k; the calendar places any day from the first requested
# date to the last on the first requested date on or after it (a day before the first counts on
# the first; a day after the last on none). The LSOAs of the reach areas are numbered in the order
# the report lists them (by centre, then code), so that the heavy steps group and sort on small
# numbers rather than on codes.
_DATES_CTES = """
asat AS (
    SELECT d, CAST(row_number() OVER (ORDER BY d) AS INTEGER) AS k
    FROM (SELECT DISTINCT CAST(unnest(?::DATE[]) AS DATE) AS d)
),
bounds AS (SELECT min(d) AS first_d, max(d) AS last_d FROM asat),
calendar AS (
    SELECT c.on_day, a.k
    FROM (SELECT CAST(t.day AS DATE) AS on_day
          FROM bounds, range(bounds.first_d, bounds.last_d + INTERVAL 1 DAY, INTERVAL 1 DAY) t(day)) c
    ASOF JOIN asat a ON c.on_day <= a.d
),
areas AS (
    SELECT lsoa_code, centre_id,
           CAST(row_number() OVER (ORDER BY centre_id, lsoa_code) AS INTEGER) AS lsoa_id
    FROM reach_areas
)"""

# The +1/-1 events of every spell, placed on requested dates, then the running sums per LSOA.
# Only spells that touch the requested dates are kept, from the start: one ended by the first
# date, or begun after the last, counts on none. `{contacts_after_first}` is the number of
# contacts that makes contact sustained, less one.
_LSOA_COUNTS_CTES = f"""
registration_spells AS (
    SELECT child_key, dob, lsoa_code, registered_on AS from_on,
           lead(registered_on) OVER (PARTITION BY child_key
                                     ORDER BY registered_on, import_id, centre_id) AS until_on
    FROM registrations
),
known_spells AS (      -- registered and under five, in a reach area: [from_on, until_on)
    SELECT s.child_key, a.lsoa_id, s.dob, s.from_on, s.until_on FROM (
        SELECT child_key, lsoa_code, dob,
               greatest(from_on, dob) AS from_on,
               least(coalesce(until_on, {NEVER}), {fifth_birthday_sql('dob')}) AS until_on
        FROM registration_spells
    ) s JOIN areas a USING (lsoa_code), bounds b
    WHERE s.from_on < s.until_on AND s.from_on <= b.last_d AND s.until_on > b.first_d
),
newborn_spells AS (    -- known, and born in one of the 12 complete months before the date's month
    SELECT lsoa_id, from_on, until_on FROM (
        SELECT lsoa_id,
               greatest(from_on, CAST(date_trunc('month', dob) + INTERVAL 1 MONTH AS DATE)) AS from_on,
               least(until_on, CAST(date_trunc('month', dob) + INTERVAL 13 MONTH AS DATE)) AS until_on
        FROM known_spells
    ) WHERE from_on < until_on
),
first_registered AS (
    SELECT child_key, min(registered_on) AS first_on FROM registrations GROUP BY child_key
),
unmatched_spells AS (  -- a birth record in force, not yet registered, under five, in a reach area
    SELECT a.lsoa_id, s.dob, s.from_on, s.until_on FROM (
        SELECT b.lsoa_code, b.dob, greatest(b.received_on, b.dob) AS from_on,
               least(coalesce(lead(b.received_on) OVER (PARTITION BY b.child_key
                                                        ORDER BY b.received_on, b.import_id),
                              {NEVER}),
                     coalesce(f.first_on, {NEVER}),
                     {fifth_birthday_sql('b.dob')}) AS until_on
        FROM births b LEFT JOIN first_registered f USING (child_key)
    ) s JOIN areas a USING (lsoa_code), bounds b
    WHERE s.from_on < s.until_on AND s.from_on <= b.last_d AND s.until_on > b.first_d
),
-- A contact on c is in the 12-month window of every day from c to the first day whose date a
-- year earlier is c or later (c + 1 year, or the day after for a contact on 29 February).
-- Only contacts in the window of some requested date matter.
contact_windows AS (
    SELECT child_key, contact_on, until_on FROM (
        SELECT child_key, contact_on,
               CASE WHEN CAST(CAST(contact_on + INTERVAL 1 YEAR AS DATE) - INTERVAL 1 YEAR AS DATE) < contact_on
                    THEN CAST(contact_on + INTERVAL 1 YEAR AS DATE) + 1
                    ELSE CAST(contact_on + INTERVAL 1 YEAR AS DATE) END AS until_on
        FROM contacts WHERE contact_on <= (SELECT last_d FROM bounds)
    ) WHERE until_on > (SELECT first_d FROM bounds)
),
-- With a child's contacts in order, the window holds N of them on every day from the N-th of a
-- run (contact i + N - 1) until contact i leaves it. Those intervals start and end in order, so
-- each, less the part the one before it covers, gives the days a child has N contacts in the
-- window as disjoint pieces: one window function, no running count per child and day.
contact_runs AS (
    SELECT child_key, until_on,
           lead(contact_on, {{contacts_after_first}}) OVER w AS nth_on,
           lag(until_on) OVER w AS previous_until
    FROM contact_windows
    WINDOW w AS (PARTITION BY child_key ORDER BY contact_on)
),
sustained_pieces AS (
    SELECT child_key, from_on, until_on FROM (
        SELECT child_key, greatest(nth_on, coalesce(previous_until, nth_on)) AS from_on, until_on
        FROM contact_runs WHERE nth_on IS NOT NULL
    ) WHERE from_on < until_on
),
sustained_spells AS (  -- known, with enough contacts in the 12 months up to the day
    SELECT k.lsoa_id, greatest(k.from_on, c.from_on) AS from_on, least(k.until_on, c.until_on) AS until_on
    FROM sustained_pieces c JOIN known_spells k USING (child_key)
    WHERE c.from_on < k.until_on AND k.from_on < c.until_on
),
under_two_spells AS (  -- known, or an unmatched birth, and under two
    SELECT lsoa_id, from_on, until_on, known FROM (
        SELECT lsoa_id, from_on, least(until_on, {second_birthday_sql('dob')}) AS until_on, 1 AS known
        FROM known_spells
        UNION ALL
        SELECT lsoa_id, from_on, least(until_on, {second_birthday_sql('dob')}), 0 FROM unmatched_spells
    ) WHERE from_on < until_on
),
spells AS (
    SELECT lsoa_id, from_on, until_on, 1 AS known, 0 AS newborn, 0 AS unmatched, 0 AS sustained,
           0 AS known2, 0 AS unmatched2
    FROM known_spells
    UNION ALL SELECT lsoa_id, from_on, until_on, 0, 1, 0, 0, 0, 0 FROM newborn_spells
    UNION ALL SELECT lsoa_id, from_on, until_on, 0, 0, 1, 0, 0, 0 FROM unmatched_spells
    UNION ALL SELECT lsoa_id, from_on, until_on, 0, 0, 0, 1, 0, 0 FROM sustained_spells
    UNION ALL SELECT lsoa_id, from_on, until_on, 0, 0, 0, 0, known, 1 - known FROM under_two_spells
),
events AS (             -- a day before the first requested date counts on the first
    SELECT lsoa_id, greatest(from_on, first_d) AS on_day,
           known, newborn, unmatched, sustained, known2, unmatched2
    FROM spells, bounds WHERE from_on <= last_d AND until_on > first_d
    UNION ALL
    SELECT lsoa_id, until_on, -known, -newborn, -unmatched, -sustained, -known2, -unmatched2
    FROM spells, bounds WHERE from_on <= last_d AND until_on > first_d AND until_on <= last_d
),
placed AS (            -- each event on the first requested date on or after it, by the calendar,
                       -- summed per LSOA and date (one number for the two: the fastest to group on)
    SELECT CAST(e.lsoa_id AS BIGINT) * 4294967296 + c.k AS cell,
           sum(e.known) AS known, sum(e.newborn) AS newborn,
           sum(e.unmatched) AS unmatched, sum(e.sustained) AS sustained,
           sum(e.known2) AS known2, sum(e.unmatched2) AS unmatched2
    FROM events e JOIN calendar c USING (on_day)
    GROUP BY cell
),
-- Every delivery of birth records or counts for an LSOA, placed likewise: the latest delivery
-- on or before each date is then a running maximum, with no as-of join over every delivery day.
delivered AS (
    SELECT CAST(a.lsoa_id AS BIGINT) * 4294967296 + c.k AS cell, max(r.received_on) AS received_on
    FROM (SELECT lsoa_code, received_on, greatest(received_on, first_d) AS on_day FROM (
              SELECT lsoa_code, received_on FROM births
              UNION ALL
              SELECT area_code, received_on FROM birth_counts
              WHERE area_type = 'lsoa' AND received_on IS NOT NULL), bounds
          WHERE received_on <= last_d) r
    JOIN areas a USING (lsoa_code)
    JOIN calendar c USING (on_day)
    GROUP BY cell
),
counts AS (
SELECT a.d, a.k, ar.lsoa_id, ar.lsoa_code, ar.centre_id,
       CAST(sum(coalesce(p.known, 0)) OVER w AS BIGINT) AS known_children,
       CAST(sum(coalesce(p.unmatched, 0)) OVER w AS BIGINT) AS unmatched_births,
       CAST(sum(coalesce(p.sustained, 0)) OVER w AS BIGINT) AS sustained_contact,
       CAST(sum(coalesce(p.newborn, 0)) OVER w AS BIGINT) AS newborns_known_12m,
       CAST(sum(coalesce(p.known2, 0)) OVER w AS BIGINT) AS known_under2,
       CAST(sum(coalesce(p.unmatched2, 0)) OVER w AS BIGINT) AS unmatched_under2,
       max(r.received_on) OVER w AS last_received
FROM asat a CROSS JOIN areas ar
LEFT JOIN placed p ON p.cell = CAST(ar.lsoa_id AS BIGINT) * 4294967296 + a.k
LEFT JOIN delivered r ON r.cell = CAST(ar.lsoa_id AS BIGINT) * 4294967296 + a.k
WINDOW w AS (PARTITION BY ar.lsoa_id ORDER BY a.k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)"""

# The rest of each LSOA's row: the denominator by an as-of join, the deprivation decile.
# Parameter: the list of dates.
# The estimates an LSOA's under-twos are taken from: the columns of the population choice below.
_TREND_ESTIMATES = dict(latest_0_4='lp.children_0_4', latest_0_1='lp.children_0_1',
                        earliest_0_4='ep.earliest_estimate', earliest_0_1='ep.earliest_under2')

_LSOA_MEASURES_SQL = f"""
WITH {_DATES_CTES},
{_LSOA_COUNTS_CTES},
area_population AS (
    SELECT * FROM population WHERE lsoa_code IN (SELECT lsoa_code FROM reach_areas)
),
earliest_population AS (
    SELECT lsoa_code, earliest.under5 AS earliest_estimate, earliest.under2 AS earliest_under2
    FROM (SELECT lsoa_code, arg_min({{'under5': children_0_4, 'under2': children_0_1}}, period) AS earliest
          FROM area_population GROUP BY lsoa_code)
),
idaci AS (
    SELECT lsoa_code, arg_max(idaci_decile, edition) AS idaci_decile
    FROM deprivation GROUP BY lsoa_code
)
SELECT c.d AS as_at, c.lsoa_code, c.centre_id,
       coalesce(lp.children_0_4, ep.earliest_estimate, c.known_children + c.unmatched_births, 0)
           AS children_under5,
       (lp.children_0_4 IS NULL) AS denominator_flagged,
       CASE WHEN lp.children_0_4 IS NOT NULL THEN NULL
            WHEN ep.earliest_estimate IS NOT NULL THEN 'no estimate this old: the earliest is used'
            ELSE 'no population estimate: children seen in births and registrations are counted'
       END AS denominator_note,
       c.known_children, c.unmatched_births, c.sustained_contact, c.newborns_known_12m,
       i.idaci_decile,
       coalesce({deprived_sql('i.idaci_decile')}, false) AS deprived,
       c.last_received AS last_birth_data,
       {children_under_two_sql(**_TREND_ESTIMATES, seen='c.known_under2 + c.unmatched_under2')}
           AS children_under2,
       c.known_under2,
       {under_two_estimated_sql(**_TREND_ESTIMATES)} AS under2_estimated
FROM counts c            -- the latest estimate dated on or before d, by an as-of join
ASOF LEFT JOIN area_population lp ON lp.lsoa_code = c.lsoa_code AND lp.period <= c.d
LEFT JOIN earliest_population ep ON ep.lsoa_code = c.lsoa_code
LEFT JOIN idaci i ON i.lsoa_code = c.lsoa_code
ORDER BY c.k, c.lsoa_id
"""


def lsoa_measures(con, *, dates, options: ReportOptions = ReportOptions()) -> pd.DataFrame:
    """The raw counts per LSOA in a reach area for each date, as
    `reach.queries.report.lsoa_measures` gives them, from running sums."""
    day_list = sorted({as_date(d) for d in dates})
    # Fewer than one contact counts as one: a child with no contact is never in sustained contact.
    sql = _LSOA_MEASURES_SQL.replace("{contacts_after_first}", str(max(int(options.sustained_contacts), 1) - 1))
    with warnings.catch_warnings():
        # DuckDB warns that Arrow from `execute` makes one more copy of the rows; cheap beside
        # converting them one Python object at a time, and it keeps the caller's connection.
        warnings.simplefilter("ignore", UserWarning)
        table = con.execute(sql, [day_list]).to_arrow_table()
    if not table.num_rows:          # no reach area: the column types of DuckDB's own empty frame
        frame = con.execute(sql, [day_list]).df()
        frame["as_at"] = pd.to_datetime(frame["as_at"]).dt.date
        return frame
    return _as_report_frame(table)


def _as_report_frame(table) -> pd.DataFrame:
    """An Arrow table as the single-date report's frame has it (`.df()`): a row per LSOA and
    date is many rows, and Arrow hands the text columns over without a Python string each. The
    dates stay dates; the latest delivery is a timestamp; a whole-number or yes/no column with a
    gap takes pandas' type with gaps (Int32, boolean), as DuckDB's own conversion gives it."""
    frame = table.to_pandas()
    frame["last_birth_data"] = pd.to_datetime(frame["last_birth_data"]).astype("datetime64[us]")
    for field, column in zip(table.schema, table.columns):
        if column.null_count and pa.types.is_integer(field.type):
            signed = "" if pa.types.is_signed_integer(field.type) else "U"
            frame[field.name] = frame[field.name].astype(f"{signed}Int{field.type.bit_width}")
        elif column.null_count and pa.types.is_boolean(field.type):
            frame[field.name] = frame[field.name].astype("boolean")
    return frame


# Births in each of the 12 complete months before each date's month, per LSOA and per centre:
# the rules of `reach.queries.report._BIRTHS_12M_SQL`, month by month for every month any date
# needs, then a 12-month running sum over a gapless run of months.
BIRTHS_12M_SQL = f"""
WITH asat AS (SELECT DISTINCT CAST(unnest(?::DATE[]) AS DATE) AS d),
span AS (
    SELECT CAST(min(date_trunc('month', d)) - INTERVAL 12 MONTH AS DATE) AS first_month,
           CAST(max(date_trunc('month', d)) - INTERVAL 1 MONTH AS DATE) AS last_month
    FROM asat
),
months AS (
    SELECT CAST(m AS DATE) AS month
    FROM span, range(span.first_month, span.last_month + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)
),
areas AS (                 -- numbered, so the running sums partition on numbers, not codes
    SELECT lsoa_code, centre_id,
           CAST(row_number() OVER (ORDER BY lsoa_code) AS INTEGER) AS lsoa_no,
           CAST(dense_rank() OVER (ORDER BY centre_id) AS INTEGER) AS centre_no
    FROM reach_areas
),
{BIRTHS_RECORDED_CTES},
lsoa_month AS (
    SELECT w.month, a.lsoa_no, a.centre_no, c.births AS counted, coalesce(r.births, 0) AS recorded
    FROM months w CROSS JOIN areas a
    LEFT JOIN birth_counts c ON c.area_type = 'lsoa' AND c.area_code = a.lsoa_code AND c.month = w.month
    LEFT JOIN records_by_lsoa_month r ON r.lsoa_code = a.lsoa_code AND r.month = w.month
),
centre_month AS (
    SELECT m.month, m.centre_no,
           sum(m.counted) AS lsoa_counted,        -- NULL when no LSOA has a count that month
           sum(m.recorded) AS recorded
    FROM lsoa_month m
    GROUP BY m.month, m.centre_no
),
centres AS (SELECT DISTINCT centre_no, centre_id FROM areas),
per_month AS (             -- level 0: an LSOA, numbered; level 1: a centre, numbered
    SELECT 0 AS level, lsoa_no AS area_no, month, coalesce(counted, recorded) AS births FROM lsoa_month
    UNION ALL
    SELECT 1, m.centre_no, m.month, coalesce(cc.births, m.lsoa_counted, m.recorded)
    FROM centre_month m JOIN centres USING (centre_no)
    LEFT JOIN birth_counts cc ON cc.area_type = 'centre' AND cc.area_code = centres.centre_id
                             AND cc.month = m.month
),
running AS (
    SELECT level, area_no, month,
           sum(births) OVER (PARTITION BY level, area_no ORDER BY month
                             ROWS BETWEEN 11 PRECEDING AND CURRENT ROW) AS births_12m
    FROM per_month
),
placed AS (
    SELECT r.level, r.area_no, a.d, r.births_12m
    FROM asat a JOIN running r ON r.month = CAST(date_trunc('month', a.d) - INTERVAL 1 MONTH AS DATE)
)
SELECT 'lsoa' AS level, p.d AS as_at, a.lsoa_code AS area, p.births_12m
FROM placed p JOIN areas a ON p.level = 0 AND a.lsoa_no = p.area_no
UNION ALL
SELECT 'centre', p.d, c.centre_id, p.births_12m
FROM placed p JOIN centres c ON p.level = 1 AND c.centre_no = p.area_no
"""

# The latest delivery of any birth data on or before each date (the authority's lag), and of
# counts shared for a centre as a whole (a centre's), by as-of joins.
AUTHORITY_LAST_RECEIVED_SQL = """
WITH asat AS (SELECT DISTINCT CAST(unnest(?::DATE[]) AS DATE) AS d),
deliveries AS (
    SELECT DISTINCT received_on FROM (
        SELECT received_on FROM births
        UNION ALL SELECT received_on FROM birth_counts WHERE received_on IS NOT NULL
    )
)
SELECT a.d AS as_at, r.received_on AS last_birth_data
FROM asat a ASOF LEFT JOIN deliveries r ON r.received_on <= a.d
"""

CENTRE_LAST_COUNTS_SQL = """
WITH asat AS (SELECT DISTINCT CAST(unnest(?::DATE[]) AS DATE) AS d),
deliveries AS (
    SELECT DISTINCT area_code AS centre_id, received_on FROM birth_counts
    WHERE area_type = 'centre' AND received_on IS NOT NULL
),
centres_asat AS (SELECT a.d, c.centre_id FROM asat a CROSS JOIN (SELECT DISTINCT centre_id FROM deliveries) c)
SELECT c.d AS as_at, c.centre_id, r.received_on AS last_centre_counts
FROM centres_asat c ASOF JOIN deliveries r ON r.centre_id = c.centre_id AND r.received_on <= c.d
"""
