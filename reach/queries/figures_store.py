"""The figures the dashboard opens on, worked out once right after an import and kept in the store.

At the size of a region or of England, the report and the trend take tens of seconds. Rather than
make the first person to open a page after an import wait for them, the step that follows every
import or undo (`python -m reach import` and `demo`, the Data page's import and undo) works out
the figures the pages open on and stores them in the table `stored_figures`:

- the report at every level (centre, LSOA, authority) and the 36-month trend by centre and for
  the authority, as at the date the pages open on (the last day the registrations cover, never
  after today) with the standard band thresholds;
- the other figures the pages open on at that date and those settings (what can be published,
  distances to sites, the What if model's starting values, the target groups of every centre
  together and of the centre My centre opens on, the results at five). `opening_calls` lists
  them; a test opens every page on stored figures and fails if a page asks for one of these
  with arguments the list does not give.

Each row is one call, named by its function and arguments (`call_key`), and carries the data
stamp it was worked out from (`data_stamp`): the import log (how many imports, the latest
import's number and finishing time, how many were undone) and the store's settings and schema
version. Not the file's modification time, which storing the figures changes itself, as does an
audit row written at sign-in. A page asks for a figure through `stored_or_computed`: when a row
for the same call and the same stamp is there, it is read (no computation); otherwise the figure
is worked out as before. So a figure asked for on another date, or with other thresholds, or
after data reached the store some other way, is always worked out afresh, never stale.

The rows are derived data, safe to drop: the table is made here when first written (it is not
one of the schema's tables, and the schema's checks pass over it), and each storing replaces
every row. A stored value is a Python pickle signed with a key derived from the store's
pseudonymisation key (HMAC-SHA256), and is read only if the signature holds: a row that anyone
without the key wrote or changed is passed over, never unpickled.

Storing never makes an import fail: `store_figures_after` returns one line saying what went
wrong, and the pages then work the figures out on first use, as they did before.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import time
from dataclasses import dataclass
from datetime import date
from collections.abc import Callable
from typing import Any

import pandas as pd

from data.settings import read_settings
from data.store import database_path, opened, secret_key
from reach.domain.measures import Bands, ReportOptions
from reach.domain.months import month_ends
from reach.domain.readiness import default_as_at
from reach.queries.readiness import data_coverage
from reach.queries.report import reach_reports, reach_trends

TABLE = "stored_figures"
TREND_MONTHS = 36          # the months the pages' trend shows (Overview, My centre)
TREND_LEVELS = ("centre", "authority")    # the levels the pages draw the trend for

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    call        VARCHAR PRIMARY KEY,   -- the function and its arguments (call_key)
    stamp       VARCHAR NOT NULL,      -- the data it was worked out from (data_stamp)
    stored_at   TIMESTAMP NOT NULL,
    seconds     DOUBLE,                -- how long working it out took
    payload     BLOB NOT NULL,         -- the value, pickled
    signature   VARCHAR NOT NULL       -- HMAC-SHA256 of call, stamp and payload
)"""


# --- what the figures were worked out from ---------------------------------------------------

def data_stamp(con) -> str:
    """What the figures depend on, as one line: the import log (imports, the latest import's
    number and finishing time, the imports undone) and every setting the store keeps (its schema
    version among them). It changes with every import, undo or change of settings, and with
    nothing else: not with a sign-in or a download (audit rows), nor with storing figures."""
    imports, latest, finished, undone = con.execute(
        "SELECT count(*), max(import_id), max(finished_at), count(*) FILTER (WHERE status = 'removed') "
        "FROM import_log").fetchone()
    settings = con.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    chosen = ";".join(f"{key}={value}" for key, value in settings)
    return f"imports {imports}, latest {latest} at {finished}, undone {undone}; {chosen}"


def call_key(function: Callable, args: tuple = (), kwargs: dict | None = None) -> str:
    """A call as text, `module.name(arg, ..., key=value, ...)`, the keywords sorted: the same
    call gives the same text in the dashboard and in the step after an import. Values are
    written by their repr (dates, numbers, dataclasses such as ReportOptions)."""
    parts = [repr(value) for value in args]
    parts += [f"{key}={value!r}" for key, value in sorted((kwargs or {}).items())]
    return f"{function.__module__}.{function.__qualname__}({', '.join(parts)})"


# --- the pages' two big figures ----------------------------------------------------------------

def dashboard_trends(con, *, until: date, months: int = TREND_MONTHS,
                     options: ReportOptions = ReportOptions()) -> dict[str, pd.DataFrame]:
    """The trend the pages draw: each month-end for `months` months up to `until` (the last
    point is `until` itself), by centre and for the authority (the LSOA level, the largest by
    far, is left out: no page draws it)."""
    trends = reach_trends(con, dates=month_ends(until=until, months=months), options=options)
    return {level: trends[level] for level in TREND_LEVELS}


def standard_options() -> ReportOptions:
    """The settings the pages open with: the standard band thresholds, as the sidebar gives them."""
    standard = Bands()
    return ReportOptions(bands=Bands(outstanding=float(standard.outstanding), good=float(standard.good),
                                     requires_improvement=float(standard.requires_improvement)))


# --- reading --------------------------------------------------------------------------------

def _signing_key(db) -> bytes:
    """A key for signing stored figures, derived from the store's pseudonymisation key (never
    the key itself)."""
    return hmac.new(secret_key(db), b"reach stored figures", hashlib.sha256).digest()


def _signature(key: bytes, call: str, stamp: str, payload: bytes) -> str:
    message = call.encode("utf-8") + b"\x00" + stamp.encode("utf-8") + b"\x00" + payload
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _has_table(con) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?", [TABLE]).fetchone()[0])


_MISSING = object()


def stored_value(con, db, call: str, stamp: str) -> Any:
    """The value stored for `call` at `stamp`, or `_MISSING` (none stored, another stamp, a
    signature that does not hold, or no key to check it with)."""
    try:
        if not _has_table(con):
            return _MISSING
        row = con.execute(f"SELECT payload, signature FROM {TABLE} WHERE call = ? AND stamp = ?",
                          [call, stamp]).fetchone()
        if row is None:
            return _MISSING
        payload, signature = bytes(row[0]), row[1]
        if not hmac.compare_digest(_signature(_signing_key(db), call, stamp, payload), signature):
            return _MISSING
        return pickle.loads(payload)     # signed with the store's key: written by Reach
    except Exception:      # no key, a damaged row: work the figure out instead
        return _MISSING


def stored_or_computed(con, db, function: Callable, *args, **kwargs):
    """`function(con, *args, **kwargs)`, read from the stored figures when they hold this call
    for the data as it is now, otherwise worked out."""
    value = stored_value(con, db, call_key(function, args, kwargs), data_stamp(con))
    if value is _MISSING:
        return function(con, *args, **kwargs)
    return value


def is_stored(con, db, function: Callable, *args, **kwargs) -> bool:
    """Whether the stored figures hold this call for the data as it is now."""
    return stored_value(con, db, call_key(function, args, kwargs), data_stamp(con)) is not _MISSING


# --- storing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredFigures:
    as_at: date | None      # the date the pages open on (None: nothing to store)
    figures: int            # calls stored
    seconds: float

    def line(self) -> str:
        if self.as_at is None:
            return "No figures to store yet."
        return (f"The dashboard's opening figures as at {self.as_at:%d %B %Y} are stored "
                f"({self.figures} sets, {self.seconds:.1f} s).")


def opening_calls(con, *, today: date, reports: dict[str, pd.DataFrame] | None = None
                  ) -> list[tuple[Callable, dict]]:
    """Every call the pages make when they open, at the date they open on and the standard
    settings, the report first. Some arguments come from the report (the centre My centre
    opens on, the authority's under-fives): pass `reports` when it has been worked out already.
    Imports are local: these reach every part of `reach.queries`."""
    from reach.queries.access import access_figures
    from reach.queries.best_start import published_outcome_levels
    from reach.queries.calibration import calibrate, known_share_by_age
    from reach.queries.publication import published_figures
    from reach.queries.target_groups import target_groups
    from reach.queries.worklist import unmatched_births, unmatched_counts

    as_at = default_as_at(data_coverage(con), today)
    options = standard_options()
    if reports is None:
        reports = reach_reports(con, as_at=as_at, options=options)
    calls: list[tuple[Callable, dict]] = [
        (reach_reports, dict(as_at=as_at, options=options)),
        (dashboard_trends, dict(until=as_at, months=TREND_MONTHS, options=options)),
        (published_figures, dict(as_at=as_at, options=options)),
        (access_figures, dict(as_at=as_at)),
        (calibrate, dict(as_at=as_at, centre_id=None)),
        (target_groups, dict(as_at=as_at, centre_id=None, options=options)),
    ]
    centres, authority = reports["centre"], reports["authority"]
    if not centres.empty:       # My centre opens on the first centre in the report's order
        first = centres["centre_id"].iloc[0]
        calls += [(target_groups, dict(as_at=as_at, centre_id=first, options=options)),
                  (unmatched_counts, dict(as_at=as_at, centre_id=first)),
                  (unmatched_births, dict(as_at=as_at, centre_id=first))]
    if not authority.empty:     # What if opens on the whole authority
        under_five = float(authority["children_under5"].iloc[0])
        calls.append((known_share_by_age, dict(as_at=as_at, centre_id=None, under_five=under_five)))
    target = read_settings(con).gld_target_pct
    calls.append((published_outcome_levels, dict(levels=("centre", "authority"), year=None, target_pct=target)))
    return calls


def projection_call(calibration, reports: dict[str, pd.DataFrame], *, as_at: date,
                    options: ReportOptions) -> tuple[Callable, dict] | None:
    """The What if page's projection of reach under two, as the page opens: the whole authority,
    the data's own settings, to a year after the date (None where there are no under-twos)."""
    from reach.domain.months import add_months
    from reach.queries.calibration import under_two_projection

    if reports["authority"].empty:
        return None
    position = reports["authority"].iloc[0]
    under_two = float(position["children_under2"])
    if not under_two > 0:
        return None
    return (under_two_projection, dict(scenario=calibration.scenario(), known=int(position["known_under2"]),
                                       under_two=under_two, start=as_at, until=add_months(as_at, 12),
                                       centre_id=None, target_share=options.bands.target_share))


def store_opening_figures(db: str | os.PathLike | None = None, *, today: date | None = None,
                          progress: Callable[[int, int, str], None] | None = None) -> StoredFigures:
    """Work out the figures the pages open on and store them, replacing every row stored before,
    in one transaction. A figure that cannot be worked out (the data does not allow it) is left
    out, and the page says why when it is opened, as before. Raises what the store raises
    (busy, a key problem): `store_figures_after` turns that into one line."""
    started = time.perf_counter()
    path = database_path(db)
    key = _signing_key(path)
    rows = []
    # Worked out on a read-only connection, so the dashboard may read meanwhile; written on a
    # write connection held only for the writing. Should an import come in between, the rows
    # carry the stamp of the data before it, and no page will ever read them.
    with opened(path, read_only=True) as con:
        stamp = data_stamp(con)
        day = default_as_at(data_coverage(con), today or date.today())
        began = time.perf_counter()
        reports = reach_reports(con, as_at=day, options=standard_options())
        first_seconds = time.perf_counter() - began
        calls = opening_calls(con, today=today or date.today(), reports=reports)
        for number, (function, kwargs) in enumerate(calls, start=1):
            began = time.perf_counter()
            try:
                value = reports if function is reach_reports else function(con, **kwargs)
                if function.__name__ == "calibrate" and kwargs.get("centre_id") is None:
                    follow = projection_call(value, reports, as_at=day, options=standard_options())
                    calls += [follow] if follow is not None else []
            except Exception:     # e.g. figures that cannot be protected for publication
                continue
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            call = call_key(function, (), kwargs)
            seconds = first_seconds if function is reach_reports else time.perf_counter() - began
            rows.append((call, stamp, seconds, payload, _signature(key, call, stamp, payload)))
            if progress:
                progress(number, len(calls), "storing the dashboard's figures")
    with opened(path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(_CREATE)
            con.execute(f"DELETE FROM {TABLE}")
            con.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, current_localtimestamp(), ?, ?, ?)", rows)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    as_at = calls[0][1]["as_at"] if calls else None
    return StoredFigures(as_at=as_at, figures=len(rows), seconds=time.perf_counter() - started)


def store_figures_after(db: str | os.PathLike | None = None, *, today: date | None = None) -> tuple[bool, str]:
    """The step after an import or an undo: store the opening figures, and say in one line how
    it went. Never raises (an import that is in stays in): (False, why) when they could not be
    stored, and the pages then work the figures out on first use."""
    try:
        stored = store_opening_figures(db, today=today)
    except MemoryError:
        return False, ("The dashboard's opening figures could not be stored (this computer ran out of memory): "
                       "each page works them out when first opened.")
    except Exception as error:
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        return False, (f"The dashboard's opening figures could not be stored ({reason}): each page works them "
                       "out when first opened.")
    return True, stored.line()
