"""Data-sharing compliance: is each source of data arriving as often as it usually does?

Inspectors criticised centres that were "not being updated regularly enough by partners about new
births". For each source this works out, as at a date D: when data last arrived, the usual
interval between deliveries, how many days old the latest delivery is, and whether it is overdue.

What counts as a delivery's date depends on what the source carries:

- birth records and birth counts: the date the data was received (`received_on`); a birth count
  loaded with no received date is dated by its import;
- registrations and contacts (exports of the centres' own system): an export is as fresh as its
  latest record, so a delivery is dated by the latest registration or contact in it, and the
  lag is the age of the latest record on or before D. (The day a file is loaded can be long
  after the data in it, which would make every back-loaded file look late or early.)
- population: the estimate's reference date; ONS publishes LSOA estimates about a year after
  it, so a year's delay is allowed on top of the usual interval.

Whether a source is overdue is decided by the one rule, `reach.domain.measures.is_overdue`
(see docs/definitions.md, "Birth-data lag"): its lag exceeds the interval it is due at, plus
the allowed delay, plus a grace period (14 days unless chosen). Birth records and birth counts
are due monthly, as the Overview and My centre hold them, whatever interval health has kept.
Every other source is due at its usual interval: the median gap between the distinct delivery
dates up to D, or, with fewer than two deliveries, the interval the source is expected to keep
(monthly, or yearly for population), which the table says it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from data.dates import as_date
from reach.domain.measures import BIRTH_DATA_DUE_EVERY_DAYS, GRACE_DAYS, is_overdue, overdue_after

ON_TIME, OVERDUE, NONE_RECEIVED = "on time", "overdue", "none received"


@dataclass(frozen=True)
class Source:
    name: str
    dated_by: str                 # what a delivery's date is, in words
    deliveries_sql: str           # one row per delivery: delivered_on (DATE)
    latest_sql: str | None        # the latest dated record on or before ? (None: latest delivery)
    expected_interval_days: int   # used when there are too few deliveries to measure
    allowed_delay_days: int = 0
    due_every_days: int | None = None   # the agreed interval, if any; else the usual interval


_IMPORT_DATE = "coalesce(l.received_on, CAST(l.started_at AS DATE))"

SOURCES: tuple[Source, ...] = (
    Source(
        name="Birth records",
        dated_by="the date received",
        deliveries_sql="SELECT DISTINCT received_on AS delivered_on FROM births",
        latest_sql=None,
        expected_interval_days=BIRTH_DATA_DUE_EVERY_DAYS,
        due_every_days=BIRTH_DATA_DUE_EVERY_DAYS,
    ),
    Source(
        name="Birth counts",
        dated_by="the date received",
        deliveries_sql=f"""
            SELECT DISTINCT coalesce(c.received_on, {_IMPORT_DATE}) AS delivered_on
            FROM birth_counts c LEFT JOIN import_log l USING (import_id)
        """,
        latest_sql=None,
        expected_interval_days=BIRTH_DATA_DUE_EVERY_DAYS,
        due_every_days=BIRTH_DATA_DUE_EVERY_DAYS,
    ),
    Source(
        name="Registrations",
        dated_by="the latest registration in each export",
        deliveries_sql="SELECT max(registered_on) AS delivered_on FROM registrations GROUP BY import_id",
        latest_sql="SELECT max(registered_on) FROM registrations WHERE registered_on <= ?",
        expected_interval_days=31,
    ),
    Source(
        name="Contacts",
        dated_by="the latest contact in each export",
        deliveries_sql="SELECT max(contact_on) AS delivered_on FROM contacts GROUP BY import_id",
        latest_sql="SELECT max(contact_on) FROM contacts WHERE contact_on <= ?",
        expected_interval_days=31,
    ),
    Source(
        name="Population estimates",
        dated_by="the estimate's reference date",
        deliveries_sql="SELECT DISTINCT period AS delivered_on FROM population",
        latest_sql=None,
        expected_interval_days=365,
        allowed_delay_days=365,
    ),
)

COLUMNS = ("source", "status", "last_received", "lag_days", "usual_interval_days", "due_every_days",
           "allowed_days", "overdue", "deliveries", "interval_basis", "dated_by")


def delivery_dates(con, source: Source, *, as_at) -> list[date]:
    """The distinct delivery dates of `source` on or before `as_at`, oldest first."""
    rows = con.execute(
        f"""
        SELECT DISTINCT delivered_on FROM ({source.deliveries_sql})
        WHERE delivered_on IS NOT NULL AND delivered_on <= ?
        ORDER BY delivered_on
        """,
        [as_date(as_at)],
    ).fetchall()
    return [row[0] for row in rows]


def usual_interval(con, source: Source, *, as_at) -> float | None:
    """The median gap in days between consecutive deliveries up to `as_at` (None if fewer than two)."""
    return con.execute(
        f"""
        WITH deliveries AS (
            SELECT DISTINCT delivered_on FROM ({source.deliveries_sql})
            WHERE delivered_on IS NOT NULL AND delivered_on <= ?
        ),
        gaps AS (
            SELECT delivered_on - lag(delivered_on) OVER (ORDER BY delivered_on) AS gap FROM deliveries
        )
        SELECT median(gap) FROM gaps WHERE gap IS NOT NULL
        """,
        [as_date(as_at)],
    ).fetchone()[0]


def compliance(con, *, as_at, grace_days: int = GRACE_DAYS) -> pd.DataFrame:
    """One row per source of data: is it arriving as usual, as at `as_at`?

    Columns: source, status ("overdue", "on time" or "none received"), last_received, lag_days,
    usual_interval_days, due_every_days (the agreed interval for birth data, else the usual
    one), allowed_days (due interval + allowed delay + grace: `overdue_after`), overdue (True,
    False, or missing when nothing was received), deliveries (how many up to as_at),
    interval_basis ("measured" or "expected", of the usual interval) and dated_by (what a
    delivery's date is). A missing figure is None.
    """
    if grace_days < 0:
        raise ValueError(f"grace_days must be 0 or more; got {grace_days}.")
    day = as_date(as_at)
    rows = []
    for source in SOURCES:
        deliveries = delivery_dates(con, source, as_at=day)
        latest = (con.execute(source.latest_sql, [day]).fetchone()[0] if source.latest_sql
                  else (deliveries[-1] if deliveries else None))
        measured = usual_interval(con, source, as_at=day)
        interval = float(measured) if measured is not None else float(source.expected_interval_days)
        due = float(source.due_every_days) if source.due_every_days is not None else interval
        allowed = overdue_after(due, delay_days=source.allowed_delay_days, grace_days=grace_days)
        lag = (day - latest).days if latest is not None else None
        overdue = None if lag is None else is_overdue(lag, overdue_after_days=allowed)
        rows.append({
            "source": source.name,
            "dated_by": source.dated_by,
            "deliveries": len(deliveries),
            "last_received": latest,
            "usual_interval_days": interval,
            "interval_basis": "measured" if measured is not None else "expected",
            "due_every_days": due,
            "lag_days": lag,
            "allowed_days": allowed,
            "overdue": overdue,
            "status": NONE_RECEIVED if overdue is None else (OVERDUE if overdue else ON_TIME),
        })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["deliveries"] = frame["deliveries"].astype("int64")
    frame["lag_days"] = frame["lag_days"].astype("Int64")
    frame["overdue"] = frame["overdue"].astype("boolean")
    return frame


def compliance_summary(frame: pd.DataFrame) -> str:
    """One sentence for the page: which sources are overdue or missing."""
    overdue = frame.loc[frame["status"] == OVERDUE, "source"].tolist()
    missing = frame.loc[frame["status"] == NONE_RECEIVED, "source"].tolist()
    parts = []
    if overdue:
        parts.append(f"Overdue: {', '.join(s.lower() for s in overdue)}.")
    if missing:
        parts.append(f"Never received by this date: {', '.join(s.lower() for s in missing)}.")
    if not parts:
        return "Every source of data is arriving on time."
    return " ".join(parts)


def describe(row) -> str:
    """A row of `compliance(...)` as a sentence for a data officer."""
    if row["status"] == NONE_RECEIVED:
        return f"nothing received by this date (dated by {row['dated_by']})."
    every = f"usually every {round(row['usual_interval_days']):,} days"
    if row["interval_basis"] == "expected":
        every = f"expected every {round(row['usual_interval_days']):,} days (too few deliveries to measure)"
    lag = int(row["lag_days"])
    when = ("on this date" if lag == 0 else "1 day before this date" if lag == 1
            else f"{lag:,} days before this date")
    due = ("" if row["due_every_days"] == row["usual_interval_days"]
           else f"due every {round(row['due_every_days']):,} days (monthly), so ")
    return (f"last received {row['last_received']:%d %b %Y}, {when}; {every}; "
            f"{due}overdue after {round(row['allowed_days']):,} days.")
