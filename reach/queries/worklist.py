"""The outreach worklist: the unmatched births behind the report's count, one row per child.

A child is on the worklist as at D when the birth (or arrivals) data received by D puts them
under five and living in a reach area, and no registration dated on or before D carries their
key: the "unmatched births" of docs/definitions.md. The list is pseudonymised: it carries the child key,
never an NHS number (none is ever stored), nor a name or an address. `reidentify` joins it, at
export time only, to the contact details of the health extract a data officer holds.

The rules follow the report's query line for line (the latest record received by D says where
the child lives), and a test holds the two to the same counts for every centre.
"""

from __future__ import annotations

import pandas as pd

from data.dates import as_date
from reach.domain.measures import under_five_sql

# Parameters, in order: the as-at date, then the centre (NULL for every reach area).
_UNMATCHED_SQL = f"""
WITH params AS (
    SELECT CAST(? AS DATE) AS d, CAST(? AS VARCHAR) AS centre
),
records AS (
    SELECT b.child_key, b.dob, b.lsoa_code, b.event, b.received_on,
           min(b.received_on) OVER (PARTITION BY b.child_key) AS first_received_on,
           row_number() OVER (PARTITION BY b.child_key
                              ORDER BY b.received_on DESC, b.import_id DESC) AS rn
    FROM births b, params p
    WHERE b.received_on <= p.d
),
registered AS (
    SELECT DISTINCT r.child_key FROM registrations r, params p WHERE r.registered_on <= p.d
)
SELECT r.child_key, r.dob, r.lsoa_code, l.lsoa_name, ra.centre_id, r.event,
       r.first_received_on AS received_on, p.d - r.first_received_on AS days_waiting
FROM records r
CROSS JOIN params p
JOIN reach_areas ra ON ra.lsoa_code = r.lsoa_code
LEFT JOIN lsoas l ON l.lsoa_code = r.lsoa_code
WHERE r.rn = 1
  AND {under_five_sql('r.dob', 'p.d')}
  AND r.child_key NOT IN (SELECT child_key FROM registered)
  AND (p.centre IS NULL OR ra.centre_id = p.centre)
"""

WORKLIST_COLUMNS = ("child_key", "dob", "lsoa_code", "lsoa_name", "centre_id", "event", "received_on",
                    "days_waiting")


def unmatched_births(con, *, as_at, centre_id: str | None = None) -> pd.DataFrame:
    """Every unmatched birth as at `as_at` for one centre (or every reach area when None).

    Columns: child_key, dob, lsoa_code, lsoa_name (blank where no boundary with names is loaded),
    centre_id, event ('birth' or 'arrival', from the latest
    record), received_on (when health first passed the child on) and days_waiting (from then
    to `as_at`). Newest first: a family is easiest to reach in the weeks after a birth or a
    move, so the list starts with the children passed on most recently.
    """
    day = as_date(as_at)
    frame = con.execute(
        f"SELECT * FROM ({_UNMATCHED_SQL}) ORDER BY received_on DESC, lsoa_code, dob DESC, child_key",
        [day, centre_id],
    ).df()
    for column in ("dob", "received_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["days_waiting"] = frame["days_waiting"].astype("int64")
    frame["lsoa_name"] = _blank_as_none(frame["lsoa_name"])
    return frame[list(WORKLIST_COLUMNS)].reset_index(drop=True)


def _blank_as_none(names: pd.Series) -> pd.Series:
    """Names where loaded, None (not NaN) where not: a blank cell, never the text 'nan'."""
    names = names.astype(object)
    return names.where(names.notna(), None)


def unmatched_counts(con, *, as_at, centre_id: str | None = None) -> pd.DataFrame:
    """Unmatched births counted by LSOA and month of birth (the first day of the month).

    Columns: lsoa_code, lsoa_name, centre_id, birth_month, unmatched_births; only the combinations with at
    least one child, newest month first within each LSOA.
    """
    day = as_date(as_at)
    frame = con.execute(
        f"""
        SELECT lsoa_code, lsoa_name, centre_id, CAST(date_trunc('month', dob) AS DATE) AS birth_month,
               count(*) AS unmatched_births
        FROM ({_UNMATCHED_SQL})
        GROUP BY ALL
        ORDER BY lsoa_code, birth_month DESC
        """,
        [day, centre_id],
    ).df()
    frame["birth_month"] = pd.to_datetime(frame["birth_month"]).dt.date
    frame["unmatched_births"] = frame["unmatched_births"].astype("int64")
    frame["lsoa_name"] = _blank_as_none(frame["lsoa_name"])
    return frame
