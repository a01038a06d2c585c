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

DuckDB finds the spells (window functions over each child's rows) and hands them over as
whole columns of numbers: an LSOA number, a kind, a first day and an end day. The rest is done
on arrays, in numpy, with no step per date, per LSOA or per row in Python. Each spell adds one
on the first requested date on or after its first day and takes one away on the first requested
date on or after its end day (a look-up in a table of the days between the first and the last
date); the +1s and -1s are summed per kind, LSOA and date in one count (`np.bincount`), and a
running sum along the dates gives the count on every date at once. Spells over before the first
date, or begun after the last, are left out from the start. The latest delivery of birth data is
placed the same way and a running maximum gives the latest on each date. The population estimate
in force is a search in each LSOA's estimates, ordered by date (the rules of the denominators are
asked in SQL once per estimate, not once per LSOA and date), and the births in the 12 months
before each date a 12-month running sum over months (`births_12m`, which the single-date report
uses too). The LSOAs are numbered in the order the report lists them, so every array lines up
with the report's rows. The cost grows with the children, not with the number of dates: 120
month-ends cost little more than 36.

Known families (distinct families, not a sum of spells) are not counted here: the trend does not
carry them (see `reach.queries.report.reach_trends`).

The results are the single-date report's exactly, at every date, level and column;
tests/reach/queries/test_trend.py and test_trend_many_dates.py hold them to that.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from data.dates import as_date
from data.schema import has_table
from reach.domain.measures import (
    ReportOptions,
    deprived_sql,
    fifth_birthday_sql,
    second_birthday_sql,
    children_under_two_sql,
    under_two_estimated_sql,
)
from reach.queries.birth_records import births_recorded_ctes, worth_picking_out
from reach.queries.stamps import figures_stamp

NEVER = "DATE '9999-12-31'"

# The first and last requested dates, and the LSOAs of the reach areas numbered from 0 in the
# order the report lists them (by centre, then code): the rows of every array below.
_AREAS_CTE = """
areas AS (
    SELECT lsoa_code, centre_id,
           CAST(row_number() OVER (ORDER BY centre_id, lsoa_code) - 1 AS INTEGER) AS lsoa_id
    FROM reach_areas
)"""
_BOUNDS_CTES = """
bounds AS (SELECT CAST(? AS DATE) AS first_d, CAST(? AS DATE) AS last_d),""" + _AREAS_CTE

# Every spell that touches the requested dates (one ended by the first date, or begun after the
# last, counts on none), as an LSOA number, a kind (the `KINDS` below, in order) and its first
# and end days as days since 1970. `{contacts_after_first}` is the number of contacts that makes
# contact sustained, less one.
KINDS = ("known_children", "newborns_known_12m", "unmatched_births", "sustained_contact",
         "known_under2", "unmatched_under2")

_SPELLS_SQL = f"""
WITH {_BOUNDS_CTES},
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
under_two_spells AS (  -- known (kind 4), or an unmatched birth (kind 5), and under two
    SELECT lsoa_id, kind, from_on, until_on FROM (
        SELECT lsoa_id, 4 AS kind, from_on, least(until_on, {second_birthday_sql('dob')}) AS until_on
        FROM known_spells
        UNION ALL
        SELECT lsoa_id, 5, from_on, least(until_on, {second_birthday_sql('dob')}) FROM unmatched_spells
    ) WHERE from_on < until_on
),
spells AS (
    SELECT lsoa_id, 0 AS kind, from_on, until_on FROM known_spells
    UNION ALL SELECT lsoa_id, 1, from_on, until_on FROM newborn_spells
    UNION ALL SELECT lsoa_id, 2, from_on, until_on FROM unmatched_spells
    UNION ALL SELECT lsoa_id, 3, from_on, until_on FROM sustained_spells
    UNION ALL SELECT lsoa_id, kind, from_on, until_on FROM under_two_spells
)
SELECT s.lsoa_id, CAST(s.kind AS TINYINT) AS kind,
       CAST(greatest(s.from_on, b.first_d) - DATE '1970-01-01' AS INTEGER) AS from_day,
       CAST(least(s.until_on, b.last_d + 1) - DATE '1970-01-01' AS INTEGER) AS until_day
FROM spells s, bounds b WHERE s.from_on <= b.last_d AND s.until_on > b.first_d
"""

# Every delivery of birth records or counts for an LSOA of a reach area up to the last date,
# once per LSOA and day: the latest on or before each date is then a running maximum.
_DELIVERIES_SQL = f"""
WITH {_BOUNDS_CTES}
SELECT DISTINCT a.lsoa_id, CAST(greatest(r.received_on, b.first_d) - DATE '1970-01-01' AS INTEGER) AS placed_day,
       CAST(r.received_on - DATE '1970-01-01' AS INTEGER) AS received_day
FROM (SELECT lsoa_code, received_on FROM births
      UNION ALL
      SELECT area_code, received_on FROM birth_counts
      WHERE area_type = 'lsoa' AND received_on IS NOT NULL) r
JOIN areas a USING (lsoa_code), bounds b
WHERE r.received_on <= b.last_d
"""

# Each LSOA's denominators under each of its population estimates, from the estimate's own
# date on, and (dated 1 January of the year 1) before its first: the latest estimate dated on
# or before the date, else the earliest (flagged), else NULL, where the children seen in births
# and registrations are counted instead. The rules are the report's (`children_under_two_sql`,
# `under_two_estimated_sql`), asked once per estimate rather than once per LSOA and date.
_TREND_ESTIMATES = dict(latest_0_4='lp.children_0_4', latest_0_1='lp.children_0_1',
                        earliest_0_4='ep.earliest_estimate', earliest_0_1='ep.earliest_under2')

_ESTIMATES_SQL = f"""
WITH {_BOUNDS_CTES},
area_population AS (
    SELECT a.lsoa_id, p.period, p.children_0_4, p.children_0_1
    FROM population p JOIN areas a USING (lsoa_code)
),
earliest_population AS (
    SELECT lsoa_id, earliest.under5 AS earliest_estimate, earliest.under2 AS earliest_under2
    FROM (SELECT lsoa_id, arg_min({{'under5': children_0_4, 'under2': children_0_1}}, period) AS earliest
          FROM area_population GROUP BY lsoa_id)
),
in_force AS (
    SELECT lsoa_id, period, children_0_4, children_0_1 FROM area_population
    UNION ALL
    SELECT lsoa_id, DATE '0001-01-01', NULL, NULL FROM areas
)
SELECT lp.lsoa_id, CAST(lp.period - DATE '1970-01-01' AS INTEGER) AS from_day,
       coalesce(lp.children_0_4, ep.earliest_estimate) AS children_under5,
       (lp.children_0_4 IS NULL) AS denominator_flagged,
       CASE WHEN lp.children_0_4 IS NOT NULL THEN NULL
            WHEN ep.earliest_estimate IS NOT NULL THEN 'no estimate this old: the earliest is used'
            ELSE 'no population estimate: children seen in births and registrations are counted'
       END AS denominator_note,
       {children_under_two_sql(**_TREND_ESTIMATES, seen='NULL')} AS children_under2,
       {under_two_estimated_sql(**_TREND_ESTIMATES)} AS under2_estimated
FROM in_force lp LEFT JOIN earliest_population ep USING (lsoa_id)
ORDER BY lp.lsoa_id, lp.period
"""

# The LSOAs, in their numbered order, with their deprivation decile.
_AREAS_SQL = f"""
WITH {_AREAS_CTE},
idaci AS (
    SELECT lsoa_code, arg_max(idaci_decile, edition) AS idaci_decile
    FROM deprivation GROUP BY lsoa_code
)
SELECT a.lsoa_id, a.lsoa_code, a.centre_id, i.idaci_decile,
       coalesce({deprived_sql('i.idaci_decile')}, false) AS deprived
FROM areas a LEFT JOIN idaci i USING (lsoa_code)
ORDER BY a.lsoa_id
"""

_EPOCH = date(1970, 1, 1)
# The places of the counts are numbered in 32 bits up to here, and in 64 beyond (some 10,000
# dates at England scale).
_LARGEST_32_BIT_PLACE = 2**31 - 1


def lsoa_measures(con, *, dates, options: ReportOptions = ReportOptions()) -> pd.DataFrame:
    """The raw counts per LSOA in a reach area for each date, as
    `reach.queries.report.lsoa_measures` gives them, from running sums."""
    counted = lsoa_arrays(con, dates=dates, options=options)
    return as_frame(counted)


def lsoa_arrays(con, *, dates, options: ReportOptions = ReportOptions()) -> dict:
    """The raw counts per LSOA and date as arrays of shape (dates, LSOAs), the LSOAs in the
    report's order; with the dates, the LSOAs' codes, centres and deciles beside them."""
    day_list = sorted({as_date(d) for d in dates})
    days = np.array([(d - _EPOCH).days for d in day_list], dtype=np.int64)
    bounds = [day_list[0], day_list[-1]]
    areas = con.execute(_AREAS_SQL).df()
    n, k = len(areas), len(days)

    # Each spell adds one from the first requested date on or after its first day up to the first
    # requested date on or after its end day (the column after the last when none is): a running
    # sum along the dates then counts it on exactly the dates it covers. The +1s and -1s are
    # counted in the order (kind, date, LSOA), so the running sums come out as (dates, LSOAs) for
    # each kind with nothing to transpose; and each step works in place on 32-bit numbers (20
    # million spells for 120 month-ends at England scale: a copy of a column is a tenth of a second).
    spells = _stored_spells(con, first=day_list[0], last=day_list[-1], options=options)
    if spells is None:
        spells = con.execute(_spells_sql(options), bounds).fetchnumpy()
    size = len(KINDS) * (k + 1) * n
    whole = np.int32 if size <= _LARGEST_32_BIT_PLACE else np.int64
    place = _placed_on(days)
    first_of_kind = spells["kind"].astype(whole)
    first_of_kind *= k + 1
    lsoa_ids = spells["lsoa_id"].astype(whole, copy=False)

    def at(day_column: str) -> np.ndarray:
        position = place(spells[day_column]).astype(whole, copy=False)
        position += first_of_kind
        position *= n
        position += lsoa_ids
        return position

    changes = np.bincount(at("from_day"), minlength=size)
    changes -= np.bincount(at("until_day"), minlength=size)
    running = changes.reshape(len(KINDS), k + 1, n)[:, :k, :].cumsum(axis=1)
    counts = {kind: running[i] for i, kind in enumerate(KINDS)}

    # The latest delivery on or before each date: each delivery placed on the first date on or
    # after it, then a running maximum along the dates.
    delivered = con.execute(_DELIVERIES_SQL, bounds).fetchnumpy()
    latest = np.full((k, n), np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, (place(delivered["placed_day"]), delivered["lsoa_id"]),
                  delivered["received_day"].astype(np.int64))
    latest = np.maximum.accumulate(latest, axis=0)

    # The estimate in force: the last of the LSOA's (ordered by LSOA, then date) on or before d.
    estimates = con.execute(_ESTIMATES_SQL, bounds).df()
    keys = (estimates["lsoa_id"].to_numpy(np.int64) << 32) + estimates["from_day"].to_numpy(np.int64) + 2**31
    wanted = (np.arange(n, dtype=np.int64)[None, :] << 32) + days[:, None] + 2**31
    chosen = np.searchsorted(keys, wanted, side="right") - 1
    return dict(day_list=day_list, areas=areas, counts=counts, latest_delivery=latest,
                estimates=estimates, chosen=chosen)


def _spells_sql(options: ReportOptions) -> str:
    """`_SPELLS_SQL` for the number of contacts that makes contact sustained (parameters: the
    first and the last date)."""
    return _SPELLS_SQL.replace("{contacts_after_first}", str(_sustained(options) - 1))


def _sustained(options: ReportOptions) -> int:
    return max(int(options.sustained_contacts), 1)


# -- the spells kept in the store -----------------------------------------------------------------
#
# The spells depend on the data alone, not on the dates a trend asks for. Worked out for every
# day, they are kept in the table `stored_spells` by the step after an import (`figures_store`),
# with the stamp of the data (`stamps.figures_stamp`) and the number of contacts that makes
# contact sustained; a trend for any dates then reads those that touch its dates, cut to them,
# instead of asking DuckDB to put every child's records in order again (4 to 5 s at England
# scale, whatever the dates). A spell cut to the dates is exactly the spell the query gives for
# those dates: each is an interval of days, and the query only cuts the same intervals to its
# bounds (contacts a year or more before the first date can end no piece after it, and records
# after the last date end a spell only after it). Like the stored figures, it is derived data,
# safe to drop, and not one of the schema's tables; kept for other data, it is passed over.

SPELLS_TABLE = "stored_spells"
_EVERY_DAY = [date(1, 1, 1), date(9999, 12, 30)]


def spells_to_keep(con, *, options: ReportOptions = ReportOptions()) -> dict[str, np.ndarray]:
    """Every spell, on every day (`lsoa_id`, `kind`, `from_day`, `until_day`), for `keep_spells`."""
    return con.execute(_spells_sql(options), _EVERY_DAY).fetchnumpy()


def keep_spells(con, spells: dict[str, np.ndarray], *, stamp: str,
                options: ReportOptions = ReportOptions()) -> None:
    """Keep `spells` (`spells_to_keep`) in the store for the data `stamp` names, in place of
    any kept before, in the caller's transaction on a write connection."""
    table = pa.table({name: spells[name] for name in ("lsoa_id", "kind", "from_day", "until_day")})
    con.register("reach_spells_to_keep", table)
    try:
        con.execute(f"""CREATE OR REPLACE TABLE {SPELLS_TABLE} AS
                        SELECT CAST(? AS VARCHAR) AS stamp, CAST(? AS INTEGER) AS sustained_contacts, *
                        FROM reach_spells_to_keep""", [stamp, _sustained(options)])
    finally:
        con.unregister("reach_spells_to_keep")


def spells_kept(con, *, stamp: str, options: ReportOptions = ReportOptions()) -> bool:
    """Whether the store keeps the spells of the data `stamp` names, for these options."""
    if not has_table(con, SPELLS_TABLE):
        return False
    # The table is replaced whole, so its first row says whose spells it holds.
    try:
        kept = con.execute(f"SELECT stamp, sustained_contacts FROM {SPELLS_TABLE} LIMIT 1").fetchone()
    except duckdb.Error:       # a table of that name that is not ours: none kept (the next keeping replaces it)
        return False
    return kept is not None and tuple(kept) == (stamp, _sustained(options))


def _stored_spells(con, *, first: date, last: date, options: ReportOptions) -> dict[str, np.ndarray] | None:
    """The kept spells that touch the days from `first` to `last`, cut to them, as the spells
    query gives them for those dates; None where the store keeps none for the data as it is."""
    if not spells_kept(con, stamp=figures_stamp(con), options=options):
        return None
    first_day, end_day = (first - _EPOCH).days, (last - _EPOCH).days + 1
    return con.execute(f"""
        SELECT lsoa_id, kind, greatest(from_day, $first) AS from_day, least(until_day, $end) AS until_day
        FROM {SPELLS_TABLE} WHERE from_day < $end AND until_day > $first""",
                       {"first": first_day, "end": end_day}).fetchnumpy()


def _placed_on(days: np.ndarray):
    """For days (since 1970) from the first requested date to the day after the last (the
    queries bring them within those bounds), the position of the first requested date on or
    after each: one past the last for the day after the last. One look-up in a table of the days
    between the first date and the last, rather than a search per day; a new array of 32-bit
    numbers, which the caller may change."""
    first, last = int(days[0]), int(days[-1])
    table = np.searchsorted(days, np.arange(first, last + 2)).astype(np.int32)

    def place(day: np.ndarray) -> np.ndarray:
        shifted = day.astype(np.int32, copy=True)
        shifted -= first
        return table[shifted]
    return place


def _estimate(estimates: pd.DataFrame, column: str, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The column of the estimate in force at each LSOA and date, and where it is missing."""
    values = estimates[column]
    missing = values.isna().to_numpy()
    filled = values.fillna(0).to_numpy(np.int64) if values.dtype != object else values.to_numpy()
    return filled[chosen], missing[chosen]


def as_frame(counted: dict) -> pd.DataFrame:
    """`lsoa_arrays` as the single-date report's LSOA frame (`.df()`): a row per date and LSOA,
    dates first, with the same columns and column types."""
    areas, counts, chosen = counted["areas"], counted["counts"], counted["chosen"]
    estimates, day_list = counted["estimates"], counted["day_list"]
    k, n = len(day_list), len(areas)
    under5, no_estimate = _estimate(estimates, "children_under5", chosen)
    under5 = np.where(no_estimate, counts["known_children"] + counts["unmatched_births"], under5)
    under2, no_under2 = _estimate(estimates, "children_under2", chosen)
    under2 = np.where(no_under2, counts["known_under2"] + counts["unmatched_under2"], under2)
    latest = counted["latest_delivery"]
    delivered = np.where(latest == np.iinfo(np.int64).min, np.datetime64("NaT"),
                         latest.astype("datetime64[D]")).astype("datetime64[us]")
    decile = areas["idaci_decile"]
    lsoa_of_row = np.tile(np.arange(n), k)
    chosen = chosen.ravel()
    dates = np.empty(k, dtype=object)
    dates[:] = day_list
    frame = pd.DataFrame({
        "as_at": np.repeat(dates, n),
        "lsoa_code": _text(areas["lsoa_code"], lsoa_of_row),
        "centre_id": _text(areas["centre_id"], lsoa_of_row),
        "children_under5": under5.ravel().astype(np.int64),
        "denominator_flagged": estimates["denominator_flagged"].to_numpy(bool)[chosen],
        # Python text, as the report's measures turn it (`_derive`), taken from the few notes:
        # turning 4 million Arrow values into Python text there took half a second.
        "denominator_note": pd.Series(estimates["denominator_note"].astype("object").to_numpy()[chosen],
                                      dtype="object", copy=False),
        "known_children": counts["known_children"].ravel(),
        "unmatched_births": counts["unmatched_births"].ravel(),
        "sustained_contact": counts["sustained_contact"].ravel(),
        "newborns_known_12m": counts["newborns_known_12m"].ravel(),
        "idaci_decile": (pd.array(decile.to_numpy(), dtype="Int32").take(lsoa_of_row) if decile.isna().any()
                         else decile.to_numpy(np.int32)[lsoa_of_row]),
        "deprived": areas["deprived"].to_numpy(bool)[lsoa_of_row],
        "last_birth_data": delivered.ravel(),
        "children_under2": under2.ravel().astype(np.int64),
        "known_under2": counts["known_under2"].ravel(),
        "under2_estimated": estimates["under2_estimated"].to_numpy(bool)[chosen],
    })
    return frame


def _text(values: pd.Series, rows: np.ndarray):
    """Text for each row from a few values (codes, notes), as DuckDB hands text over: Arrow-backed
    text, taken from the few values rather than converted one row at a time; on no rows at all,
    Python objects, as DuckDB's own empty frame has them."""
    if not len(rows):
        return np.array([], dtype=object)
    return pd.array(values.astype("object").to_numpy(), dtype="str").take(rows)


# Births in each of the 12 complete months before each date's month, per LSOA and per centre,
# for the report and the trend alike (docs/definitions.md). Per LSOA and month: the count health
# shared, else the birth records. Per centre and month: a count shared for the centre as a whole,
# else its LSOAs' counts summed (where any LSOA has one that month), else its birth records.
# Asked once per LSOA (or centre) and month with anything in it, for every month any date needs
# (parameters: the first and the last of those months); 12-month running sums then give every
# date at once.
_BIRTH_MONTHS_SQL = """
WITH span AS (SELECT CAST(? AS DATE) AS first_month, CAST(? AS DATE) AS last_month),""" + _AREAS_CTE + """,
{births_recorded},
counted AS (
    SELECT area_code AS lsoa_code, month, births AS counted FROM birth_counts
    WHERE area_type = 'lsoa'
),
recorded AS (
    SELECT lsoa_code, month, births AS recorded FROM records_by_lsoa_month
)
SELECT a.lsoa_id, CAST(datediff('month', s.first_month, month) AS INTEGER) AS m,
       c.counted, coalesce(r.recorded, 0) AS recorded
FROM counted c FULL JOIN recorded r USING (lsoa_code, month)
JOIN areas a USING (lsoa_code), span s
WHERE month BETWEEN s.first_month AND s.last_month AND month = date_trunc('month', month)
"""

_CENTRE_BIRTH_MONTHS_SQL = """
WITH span AS (SELECT CAST(? AS DATE) AS first_month, CAST(? AS DATE) AS last_month)
SELECT c.area_code AS centre_id, CAST(datediff('month', s.first_month, c.month) AS INTEGER) AS m, c.births
FROM birth_counts c, span s
WHERE c.area_type = 'centre' AND c.area_code IN (SELECT centre_id FROM reach_areas)
  AND c.month BETWEEN s.first_month AND s.last_month AND c.month = date_trunc('month', c.month)
"""


def births_12m(con, *, dates, areas: pd.DataFrame) -> dict:
    """Births in the 12 complete months before each date's month: {"lsoa": (dates, LSOAs),
    "centre": (dates, centres)}, the LSOAs those of `areas` (`lsoa_arrays`), the centres theirs in
    order ("centre_id")."""
    day_list = sorted({as_date(d) for d in dates})
    month_of = np.array([d.year * 12 + d.month - 1 for d in day_list], dtype=np.int64)
    first = int(month_of.min()) - 12
    months = int(month_of.max()) - first             # the months first .. last date's month - 1
    span = [date(first // 12, first % 12 + 1, 1),
            date((first + months - 1) // 12, (first + months - 1) % 12 + 1, 1)]
    n = len(areas)
    earliest, latest = con.execute("SELECT min(dob), max(dob) FROM births WHERE event = 'birth'").fetchone()
    within_span = worth_picking_out(span[0], span[1], earliest, latest)
    rows = con.execute(_BIRTH_MONTHS_SQL.format(births_recorded=births_recorded_ctes(within_span=within_span)),
                       span).df()
    lsoa_id, m = rows["lsoa_id"].to_numpy(np.int64), rows["m"].to_numpy(np.int64)
    has_count = rows["counted"].notna().to_numpy()
    counted = np.zeros((n, months), dtype=np.int64)
    counted[lsoa_id, m] = rows["counted"].fillna(0).to_numpy(np.int64)
    any_count = np.zeros((n, months), dtype=bool)
    any_count[lsoa_id, m] = has_count
    recorded = np.zeros((n, months), dtype=np.int64)
    recorded[lsoa_id, m] = rows["recorded"].to_numpy(np.int64)

    # The centres, as the LSOAs (in order by centre) run: each one's first LSOA.
    centre_ids = areas["centre_id"].to_numpy(object)
    starts = np.flatnonzero(np.r_[True, centre_ids[1:] != centre_ids[:-1]]) if n else np.zeros(0, dtype=np.int64)
    centre_births = np.zeros((len(starts), months), dtype=np.int64)
    if n:
        lsoa_counted = np.add.reduceat(counted, starts, axis=0)
        counted_somewhere = np.logical_or.reduceat(any_count, starts, axis=0)
        centre_births = np.where(counted_somewhere, lsoa_counted, np.add.reduceat(recorded, starts, axis=0))
        shared = con.execute(_CENTRE_BIRTH_MONTHS_SQL, span).df()
        position = {centre: i for i, centre in enumerate(centre_ids[starts])}
        centre_births[shared["centre_id"].map(position).to_numpy(np.int64),
                      shared["m"].to_numpy(np.int64)] = shared["births"].to_numpy(np.int64)

    def last_12(per_month: np.ndarray) -> np.ndarray:
        running = np.zeros((per_month.shape[0], months + 1), dtype=np.int64)
        np.cumsum(per_month, axis=1, out=running[:, 1:])
        end = month_of - first                         # one past the month before the date's
        return (running[:, end] - running[:, end - 12]).T

    return {"lsoa": last_12(np.where(any_count, counted, recorded)),
            "centre": last_12(centre_births), "centre_id": centre_ids[starts]}


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
