"""The figures the dashboard opens on, worked out once right after an import and kept in the store.

At the size of a region or of England, the report and the trend take tens of seconds. Rather than
make the first person to open a page after an import wait for them, the step that follows every
import or undo (`python -m reach import` and `demo`, the Data page's import and undo, and
`python -m reach figures` by hand) works out the figures the pages open on and stores them in the
table `stored_figures`:

- the report at every level (centre, LSOA, authority) and the 36-month trend by centre and for
  the authority, as at the date the pages open on (the last day the registrations cover, never
  after today) with the standard band thresholds;
- the other figures the pages open on at that date and those settings (what can be published,
  distances to sites, the What if model's starting values, the target groups of every centre
  together and of the centre My centre opens on, the results at five). `opening_calls` lists
  them; a test opens every page on stored figures and fails if a page asks for one of these
  with arguments the list does not give.

Each row is one call, named by its function and arguments (`call_key`), and carries the stamp
of the data it was worked out from (`figures_stamp`): the import log (how many imports, the
latest import's number and finishing time, how many were undone) and the store's schema version
and settings, less the settings no stored figure reads (the word for sites changes words only;
the target at five reaches a figure only as an argument, so it is in that figure's call). Not
the file's modification time, which storing the figures changes itself, as does an audit row
written at sign-in. A page asks for a figure through `stored_or_computed`: when a row for the
same call and the same stamp is there, it is read (no computation); otherwise the figure is
worked out as before. So a figure asked for on another date, or with other thresholds, or after
data reached the store some other way, is always worked out afresh, never stale.

Storing is a step after the import, never part of it: the import is in, and has said so, before
it starts. It asks the store each question once (`_Remembering`: the report per LSOA feeds the
report, what can be published, distances and target groups) and writes each figure in its own
short transaction as soon as it is worked out, the report and the trend first. So an interrupted
storing loses nothing: what was stored stays, and the next storing (`python -m reach figures`,
or the next import) works out only what is missing for the data as it is. It stops, writing
nothing more, should the data change meanwhile (that import stores its own). The report is stored
before the children's spells that the trend reads are kept, so at England scale the pages can
open on it some 10 seconds sooner.

The rows are derived data, safe to drop: the table is made here when first written (it is not
one of the schema's tables, and the schema's checks pass over it), and the first figure written
for new data removes every row of older data. A stored value is a Python pickle signed with a key
derived from the store's pseudonymisation key (HMAC-SHA256), and is read only if the signature
holds: a row that anyone without the key wrote or changed is passed over, never unpickled.

Storing never makes an import fail: `store_figures_after` returns one line saying what went
wrong, and the pages then work the figures out on first use, as they did before.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import inspect
import os
import pickle
import time
from dataclasses import dataclass
from datetime import date
from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd

from data.figures_worker import set_aside, stop_requested
from data.schema import has_table
from data.settings import read_settings
from data.store import database_path, opened, secret_key
from reach.domain.measures import Bands, ReportOptions
from reach.domain.months import month_ends, quarter_ends
from reach.domain.readiness import default_as_at
from reach.queries import trend
from reach.queries.readiness import data_coverage
from reach.queries.report import reach_reports, reach_trends
from reach.queries.stamps import figures_stamp

TABLE = "stored_figures"
TREND_MONTHS = 36          # the months the pages' trend shows (Overview, My centre)
TREND_LEVELS = ("centre", "authority")    # the levels the pages draw the trend for

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    call        VARCHAR PRIMARY KEY,   -- the function and its arguments (call_key)
    stamp       VARCHAR NOT NULL,      -- the data it was worked out from (figures_stamp)
    stored_at   TIMESTAMP NOT NULL,
    seconds     DOUBLE,                -- how long working it out took
    payload     BLOB NOT NULL,         -- the value, pickled
    signature   VARCHAR NOT NULL       -- HMAC-SHA256 of call, stamp and payload
)"""


def call_key(function: Callable, args: tuple = (), kwargs: dict | None = None) -> str:
    """A call as text, `module.name(arg, ..., key=value, ...)`, the keywords sorted and those
    given their function's own default left out: the same call gives the same text in the
    dashboard and in the step after an import, whether or not a caller spells a default out.
    Values are written by their repr (dates, numbers, dataclasses such as ReportOptions)."""
    parts = [repr(value) for value in args]
    parts += [f"{key}={value!r}" for key, value in sorted((kwargs or {}).items())
              if not _is_default(function, key, value)]
    return f"{function.__module__}.{function.__qualname__}({', '.join(parts)})"


def _is_default(function: Callable, keyword: str, value: object) -> bool:
    """Whether `value` is what `function` gives `keyword` when it is left out: the same type and
    equal (so 1 is not taken for True, nor a frame compared element by element)."""
    try:
        default = inspect.signature(function).parameters[keyword].default
    except (KeyError, TypeError, ValueError):
        return False
    if default is inspect.Parameter.empty or type(value) is not type(default):
        return False
    try:
        return (value == default) is True
    except Exception:       # a value whose == raises is simply not taken for the default
        return False


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
    return has_table(con, TABLE)


_MISSING = object()


def stored_value(con, db, call: str, stamp: str) -> Any:
    """The value stored for `call` at `stamp`, or `_MISSING` (none stored, another stamp, a
    signature that does not hold, or no key to check it with)."""
    try:
        if not _has_table(con):
            return _MISSING
        # Found by its key alone, the stamp compared after: filtered on both, DuckDB read every
        # stored payload to find one (0.45 s for the report at England scale, beside a dozen
        # publications of 18 MB each, against 0.015 s).
        row = con.execute(f"SELECT stamp, payload, signature FROM {TABLE} WHERE call = ?", [call]).fetchone()
        if row is None or row[0] != stamp:
            return _MISSING
        payload, signature = bytes(row[1]), row[2]
        if not hmac.compare_digest(_signature(_signing_key(db), call, stamp, payload), signature):
            return _MISSING
        return pickle.loads(payload)     # signed with the store's key: written by Reach
    except Exception:      # no key, a damaged row: work the figure out instead
        return _MISSING


def stored_or_computed(con, db, function: Callable, *args, **kwargs):
    """`function(con, *args, **kwargs)`, read from the stored figures when they hold this call
    for the data as it is now, otherwise worked out, with a background worker storing the
    figures paused meanwhile (`data.figures_worker.set_aside`): in the minute after a large
    import, a page that works out the report and the trend itself took 19 s with the worker
    paused, against 26 s beside it, at England scale on two processors. `db` None: the store
    `con` is connected to (a store in memory has nothing stored)."""
    if db is None:
        db = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
        if not db:
            return function(con, *args, **kwargs)
    value = stored_value(con, db, call_key(function, args, kwargs), figures_stamp(con))
    if value is _MISSING:
        with set_aside(database_path(db)):
            return function(con, *args, **kwargs)
    return value


def is_stored(con, db, function: Callable, *args, **kwargs) -> bool:
    """Whether the stored figures hold this call for the data as it is now."""
    return stored_value(con, db, call_key(function, args, kwargs), figures_stamp(con)) is not _MISSING


# --- storing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredFigures:
    as_at: date | None      # the date the pages open on (None: nothing to store)
    figures: int            # sets worked out and stored now
    seconds: float
    already: int = 0        # sets that were stored already for this data
    stopped: str | None = None     # why storing stopped before the end (None: it did not)

    def line(self) -> str:
        if self.as_at is None:
            return "No figures to store yet."
        if self.stopped:
            return (f"Storing the dashboard's opening figures stopped ({self.stopped}) after {self.figures} "
                    f"{'set' if self.figures == 1 else 'sets'}: each page works out the rest when first opened.")
        if not self.figures:
            return f"The dashboard's opening figures as at {self.as_at:%d %B %Y} were already stored."
        already = f", {self.already} already stored" if self.already else ""
        return (f"The dashboard's opening figures as at {self.as_at:%d %B %Y} are stored "
                f"({self.figures} {'set' if self.figures == 1 else 'sets'}{already}, {self.seconds:,.1f} s).")


class StoringInterrupted(KeyboardInterrupt):
    """Storing stopped with Ctrl+C, or a background worker asked to stop: what was stored stays
    (`stored` says how much)."""

    def __init__(self, stored: StoredFigures) -> None:
        super().__init__(stored.line())
        self.stored = stored


# What each call is, in words, for the progress line.
FIGURE_NAMES = {
    "reach_reports": "the report", "dashboard_trends": "the trend", "published_figures": "what can be published",
    "access_figures": "distances to sites", "calibrate": "the What if model", "target_groups": "target groups",
    "unmatched_counts": "births not yet registered", "unmatched_births": "births not yet registered",
    "known_share_by_age": "known children by age", "under_two_projection": "the projection for under-twos",
    "published_outcome_levels": "results at five",
}
# From how many LSOAs the earlier quarter-ends of a publication's trend are stored too. Each is
# protected as at its own date: a single authority (a thousand LSOAs at most) does its eleven
# in seconds, but an England-sized store took 8.5 minutes for one centre's web page.
QUARTERS_STORED_FROM_LSOAS = 2_000
LAST = ("published_figures",)     # the slowest at scale, and opened on by fewer pages: stored last
_DATA_CHANGED = "the data changed meanwhile; the newer data's own storing follows"

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
    if len(reports["lsoa"]) >= QUARTERS_STORED_FROM_LSOAS:
        # What can be published as at each earlier quarter-end, for the trend of a publication
        # (My centre "for publication", the report for publication): stored last of all.
        calls += [(published_figures, dict(as_at=day, options=options))
                  for day in quarter_ends(until=as_at, months=TREND_MONTHS) if day != as_at]
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


class _Remembering:
    """A read-only connection that answers a query it has answered before from memory: the
    opening figures ask the store the same questions many times (the report per LSOA feeds the
    report, what can be published, distances to sites and the target groups), and each is then
    asked once. Only for the storing step, whose data cannot change under it (it reads, and
    stops should the data change before it writes). A table handed out is a copy, as callers
    add columns to what they are given; a result larger than `largest_bytes` (such as the trend's
    rows for every LSOA and month, which nothing asks for twice) is not kept."""

    def __init__(self, largest_bytes: int = 64 * 2**20) -> None:
        self.con: Any = None
        self.largest_bytes = largest_bytes
        self.answers: dict[tuple, Any] = {}
        self.asked = 0
        self.answered = 0

    def on(self, con) -> _Remembering:
        self.con = con
        return self

    def cursor(self) -> _Remembering:
        return self

    def execute(self, sql: str, parameters: Any = None) -> _Answer:
        return _Answer(self, sql, parameters)

    def __getattr__(self, name: str) -> Any:      # anything else: the connection itself
        return getattr(self.con, name)


class _Answer:
    """One query's result, fetched from the store only when no identical query was answered
    before. The usual ways of fetching are remembered (`_KEPT`); any other is passed to the
    connection's own result, the query run afresh."""

    _KEPT = ("df", "fetchdf", "fetchall", "fetchnumpy", "to_arrow_table", "fetch_arrow_table", "arrow")
    _ARROW = ("to_arrow_table", "fetch_arrow_table", "arrow")

    def __init__(self, memory: _Remembering, sql: str, parameters: Any) -> None:
        self.memory, self.sql, self.parameters = memory, sql, parameters

    def _arrow(self) -> Any:
        """The rows as an Arrow table, from a relation: Arrow from `execute`'s result costs one
        more copy of the rows, and DuckDB warns about it. On a cursor of its own, as the
        connection may still hold another query's result."""
        cursor = self.memory.con.cursor()
        try:
            return cursor.sql(self.sql, params=self.parameters).to_arrow_table()
        finally:
            cursor.close()

    def _run(self):
        if self.parameters is None:
            return self.memory.con.execute(self.sql)
        return self.memory.con.execute(self.sql, self.parameters)

    def _fetched(self, how: str) -> Any:
        memory = self.memory
        key = (self.sql, repr(self.parameters), how)
        memory.asked += 1
        if key in memory.answers:
            memory.answered += 1
            return memory.answers[key]
        value = self._arrow() if how in self._ARROW else getattr(self._run(), how)()
        if isinstance(value, pd.DataFrame):
            size = int(value.memory_usage(deep=False).sum())
        else:
            size = int(getattr(value, "nbytes", 0))
        if self.sql.lstrip().upper().startswith(("SELECT", "WITH")) and size <= memory.largest_bytes:
            memory.answers[key] = value
        return value

    def df(self) -> pd.DataFrame:
        return self._fetched("df").copy(deep=True)

    def fetchdf(self) -> pd.DataFrame:
        return self._fetched("fetchdf").copy(deep=True)

    def fetchall(self) -> list:
        return list(self._fetched("fetchall"))

    def fetchnumpy(self) -> dict:
        return {name: column.copy() for name, column in self._fetched("fetchnumpy").items()}

    def to_arrow_table(self, *args: Any) -> Any:       # Arrow tables cannot be changed: shared as they are
        return self._fetched("to_arrow_table") if not args else self._run().to_arrow_table(*args)

    def fetch_arrow_table(self, *args: Any) -> Any:
        return self._fetched("fetch_arrow_table") if not args else self._run().fetch_arrow_table(*args)

    def arrow(self, *args: Any) -> Any:
        return self._fetched("arrow") if not args else self._run().arrow(*args)

    def fetchone(self) -> Any:
        rows = self._fetched("fetchall")
        self.position = getattr(self, "position", -1) + 1
        return rows[self.position] if self.position < len(rows) else None

    def __getattr__(self, name: str) -> Any:     # another way of reading a result: not remembered
        if name.startswith("_"):
            raise AttributeError(name)
        result = self._run()
        return getattr(result, name)


def _stored_calls(con, stamp: str) -> set[str]:
    if not _has_table(con):
        return set()
    return {row[0] for row in con.execute(f"SELECT call FROM {TABLE} WHERE stamp = ?", [stamp]).fetchall()}


def _write(path, key: bytes, stamp: str, call: str, seconds: float, payload: bytes) -> bool:
    """Store one figure in its own transaction, removing every row of older data. False (and
    nothing written) when the data has changed since the figure was worked out."""
    def write(con) -> None:
        con.execute(_CREATE)
        con.execute(f"DELETE FROM {TABLE} WHERE stamp <> ? OR call = ?", [stamp, call])
        con.execute(f"INSERT INTO {TABLE} VALUES (?, ?, current_localtimestamp(), ?, ?, ?)",
                    [call, stamp, seconds, payload, _signature(key, call, stamp, payload)])
    return _written_for(path, stamp, write)


def _written_for(path, stamp: str, write: Callable[[Any], None]) -> bool:
    """Run `write` on a write connection in one transaction if the data is still that of
    `stamp`: True; False, with nothing written, when it has changed meanwhile."""
    with opened(path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            if figures_stamp(con) != stamp:
                con.execute("ROLLBACK")
                return False
            write(con)
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):     # an interrupted statement may have ended it
                con.execute("ROLLBACK")
            raise
    return True


def _keep_spells(path, stamp: str, options: ReportOptions, *, again: bool,
                 announce: Callable[[], None] | None) -> bool:
    """Keep the children's spells for the trend (`trend.keep_spells`) unless kept already for
    this data: worked out on a read-only connection, written in one transaction. False (and
    nothing written) when the data has changed meanwhile. A failure to work them out leaves
    them to each trend, as before."""
    with opened(path, read_only=True) as con:
        if not again and trend.spells_kept(con, stamp=stamp, options=options):
            return True
        if announce:
            announce()
        try:
            spells = trend.spells_to_keep(con, options=options)
        except duckdb.Error:
            return True
    if stop_requested():
        raise KeyboardInterrupt
    return _written_for(path, stamp, lambda con: trend.keep_spells(con, spells, stamp=stamp, options=options))


def keep_trend_spells(db: str | os.PathLike | None = None, *, again: bool = False) -> bool:
    """Keep the children's spells for the trend, as the step after an import does (for a
    benchmark, or a store loaded some other way): False when the data changed meanwhile."""
    path = database_path(db)
    with opened(path, read_only=True) as con:
        stamp = figures_stamp(con)
    return _keep_spells(path, stamp, standard_options(), again=again, announce=None)


def store_opening_figures(db: str | os.PathLike | None = None, *, today: date | None = None,
                          progress: Callable[[int, int, str], None] | None = None,
                          again: bool = False) -> StoredFigures:
    """Work out the figures the pages open on that are not stored yet for the data as it is
    (with `again`, every one) and store each as soon as it is worked out. A figure that cannot
    be worked out (the data does not allow it) is left out, and the page says why when it is
    opened, as before. Raises what the store raises (busy, a key problem), and
    StoringInterrupted on Ctrl+C: `store_figures_after` turns either into one line."""
    started = time.perf_counter()
    path = database_path(db)
    key = _signing_key(path)
    today = today or date.today()
    memory = _Remembering()
    options = standard_options()
    # Worked out on read-only connections, so the dashboard may read meanwhile; each figure
    # written on a write connection held only for the writing.
    with opened(path, read_only=True) as con:
        stamp = figures_stamp(con)
        done = set() if again else _stored_calls(con, stamp)
        day = default_as_at(data_coverage(con), today)
        report_call = call_key(reach_reports, (), dict(as_at=day, options=options))
        reports = None if report_call not in done else stored_value(con, path, report_call, stamp)
        report_seconds = 0.0
        if reports is None or reports is _MISSING:
            began = time.perf_counter()
            reports = reach_reports(memory.on(con), as_at=day, options=options)
            report_seconds = time.perf_counter() - began
            done.discard(report_call)
        calls = opening_calls(con, today=today, reports=reports)
    calls.sort(key=lambda item: item[0].__name__ in LAST)      # stable: the report and trend first
    stored = already = 0
    stopped = None
    spells_ready = False
    try:
        number = 0
        while number < len(calls):
            function, kwargs = calls[number]
            if function is not reach_reports and not spells_ready:
                # The children's spells, for any dates (`trend`), once the report is stored (the
                # pages open on it, and it waits for nothing else): the trend reads them.
                spells_ready = True
                announce = (functools.partial(progress, number, len(calls), "the children's spells for the trend")
                            if progress else None)
                if not _keep_spells(path, stamp, options, again=again, announce=announce):
                    stopped = _DATA_CHANGED
                    break
            number += 1
            call = call_key(function, (), kwargs)
            follows = function.__name__ == "calibrate" and kwargs.get("centre_id") is None
            if call in done and not follows:
                already += 1
                continue
            if progress:
                progress(number, len(calls), FIGURE_NAMES.get(function.__name__, function.__name__))
            began = time.perf_counter()
            try:
                with opened(path, read_only=True) as con:
                    if call in done:      # stored already; read for the projection that follows it
                        value = stored_value(con, path, call, stamp)
                    elif function is reach_reports:
                        value = reports
                    else:
                        value = function(memory.on(con), **kwargs)
            except Exception:     # e.g. figures that cannot be protected for publication
                # A background worker asked to stop: DuckDB turns the interruption of a query into
                # an ordinary error, which alone would only skip this figure.
                if stop_requested():
                    raise KeyboardInterrupt from None
                continue
            if follows and value is not _MISSING:
                follow = projection_call(value, reports, as_at=day, options=options)
                calls += [follow] if follow is not None else []
            if call in done:
                already += 1
                continue
            seconds = report_seconds if function is reach_reports else time.perf_counter() - began
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            del value
            if not _write(path, key, stamp, call, seconds, payload):
                stopped = _DATA_CHANGED
                break
            stored += 1
    except KeyboardInterrupt as interrupt:
        raise StoringInterrupted(StoredFigures(as_at=day, figures=stored, already=already, stopped="interrupted",
                                               seconds=time.perf_counter() - started)) from interrupt
    return StoredFigures(as_at=day, figures=stored, already=already, stopped=stopped,
                         seconds=time.perf_counter() - started)


def store_figures_after(db: str | os.PathLike | None = None, *, today: date | None = None,
                        again: bool = False) -> tuple[bool, str]:
    """The step after an import, an undo or a change of settings: store the opening figures
    not stored yet for the data as it is, and say in one line how it went. Never raises (an
    import that is in stays in): (False, why) when they could not all be stored, and the pages
    then work the rest out on first use."""
    try:
        stored = store_opening_figures(db, today=today, again=again)
    except StoringInterrupted as interrupted:
        return False, interrupted.stored.line()
    except MemoryError:
        return False, ("The dashboard's opening figures could not be stored (this computer ran out of memory): "
                       "each page works them out when first opened.")
    except Exception as error:
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        return False, (f"The dashboard's opening figures could not be stored ({reason}): each page works them "
                       "out when first opened.")
    return stored.stopped is None, stored.line()
