"""Import one file: read it, check every row, quarantine the faulty ones, save the rest.

Each import is one transaction, its import_log row and quarantine rows included: it either
happens completely or not at all. Rows whose natural key is already stored count as already
present, so loading the same file twice changes no figure.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from data.dates import as_date
from data.importers.checks import CheckQuery, sql_text
from data.importers.errors import FileFault, over_limit, shortened
from data.importers.kinds import CHECKED, KIND_CHECKS, LOADABLE, Context, Kind, count_of, were
from data.importers.layouts import Layout, Resolved, accepts, check_kind, resolve_columns
from data.importers.limits import Limits, readable_bytes
from data.importers.pseudonymise import redact_sql
from data.importers.reading import (
    HEADER_SEARCH_ROWS,
    RAW_TABLE,
    READ_TABLE,
    Progress,
    csv_read_sql,
    duckdb_may_read,
    file_sha256,
    load_csv,
    load_raw,
    open_table,
    raw_columns,
    sql_functions,
)
from data.store import database_path, opened, secret_key

# Columns of the raw table that are for checking only, never shown in the quarantine.
_HIDDEN = ("_postcode", "_nhs_key", "_nhs_fault", "_family_key", "_child_key", "_child_fault",
           "_child_nhs", "_geometry", "_geo_reason")


@dataclass(frozen=True)
class ImportSummary:
    """What one import did, in numbers and in words."""

    import_id: int
    kind: str
    file_name: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_already_present: int
    status: str          # 'loaded' or 'unchanged'
    message: str
    # A trial import (`dry_run`) only: the commonest reasons rows were set aside, as
    # (reason, rows, first row), and where each field was read from, as (field, the file's column).
    faults: tuple[tuple[str, int, int], ...] = ()
    columns: tuple[tuple[str, str], ...] = ()

    def line(self) -> str:
        """One line for a person, e.g. `births: b.csv: 1,204 rows loaded, 3 quarantined, 0 already present`."""
        counts = (f"{count_of(self.rows_loaded, 'row')} loaded, {self.rows_quarantined:,} quarantined, "
                  f"{self.rows_already_present:,} already present")
        if self.status == "unchanged":
            return f"{self.kind}: {self.file_name}: nothing changed: {counts}"
        return f"{self.kind}: {self.file_name}: {counts}"


def import_file(kind: str, file_path: str | os.PathLike, *, db: str | os.PathLike | None = None,
                received_on: date | str | None = None, progress: Progress | None = None,
                original_name: str | None = None, replace: bool = False,
                sheet: str | None = None, layer: str | None = None, dry_run: bool = False) -> ImportSummary:
    """Import a file of the given kind into the store and say what happened.

    `received_on` dates the rows of a births or birth-counts file that carry no date of their
    own. `progress(rows_done, rows_total, stage)` is called as the import goes. `original_name`
    is the name to record and show (an upload arrives as a temporary file). `replace=True`
    makes a reach-areas file replace every reach area. `sheet` names the sheet of a workbook to
    read; without it, the first sheet with a header holding the kind's columns is read. `layer`
    names the layer of a boundary file with several (a GeoPackage).
    `dry_run=True` does everything but keep it: the transaction is rolled back, and a store that
    does not exist yet is not created (a temporary one stands in); the summary then also holds
    the commonest faults and where each field was read from, for `inspect`.

    Raises FileFault, and writes nothing, when the file as a whole cannot be taken. The cheap
    checks come first: the file's size (before it is read at all), then its header or layout
    (before it is hashed, which reads all of it), and only then is the store opened.
    """
    path = Path(file_path)
    file_name = original_name or path.name
    check_kind(kind, file_name)
    limits = Limits.current()
    _check_file(path, file_name, limits)
    received = None if received_on is None else as_date(received_on, name="received_on")
    report = progress or _quiet
    checker = KIND_CHECKS[kind]
    source = (_BoundarySource(path, file_name, layer=layer) if kind == "boundaries"
              else _TableSource(kind, path, file_name, limits, sheet=sheet))
    scratch = tempfile.TemporaryDirectory(prefix="reach-trial-") if dry_run else None
    try:
        if scratch is not None and not database_path(db).exists():
            db = Path(scratch.name) / "trial.duckdb"
        sha256 = source.sha256()
        # The key is checked before the store is opened, so a refused key creates nothing.
        key = secret_key(db) if checker.personal else None
        with opened(db) as con, _working_tables_left_as_they_are(con):
            # A CSV file of people is read and checked in one pass where it can be
            # (`_read_and_check`); where DuckDB refuses it, it is taken the usual way.
            read = None
            if isinstance(source, _TableSource) and _one_pass(checker, source):
                try:
                    read = _read(con, checker, source, key=key, file_name=file_name, sha256=sha256,
                                 received_on=received, replace=replace, report=report, one_pass=True)
                except _NotInOnePass as not_in_one_pass:
                    source.refused = not_in_one_pass.refused
            if read is None:
                # A CSV file is read by DuckDB before the transaction begins, since a read it
                # refuses would leave the transaction unusable (the Python reader then takes it).
                source.stage(con, key=key, personal=checker.personal, progress=report)
            # Put back after the transaction ends: an aborted one refuses every statement, a
            # change of setting too, until it is rolled back.
            with contextlib.ExitStack() as while_writing:
                con.execute("BEGIN TRANSACTION")
                try:
                    if read is None:
                        read = _read(con, checker, source, key=key, file_name=file_name, sha256=sha256,
                                     received_on=received, replace=replace, report=report)
                    limit = _memory_limit_for_writing(con)
                    if limit is not None:
                        while_writing.enter_context(_setting(con, "memory_limit", limit))
                    summary = _import(read, checker, report=report)
                    if dry_run:
                        summary = dataclasses.replace(summary, faults=_commonest_faults(con), columns=tuple(
                            (name, label) for name, label in source.resolved.labels.items()))
                        con.execute("ROLLBACK")
                    else:
                        con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
    finally:
        source.close()
        if scratch is not None:
            scratch.cleanup()
    report(summary.rows_read, summary.rows_read, "done")
    return summary


@contextlib.contextmanager
def _setting(con, name: str, value: str):
    """DuckDB's setting `name` at `value` for a while, then as it was."""
    shown = f"SELECT current_setting('{name}')"
    before = con.execute(shown).fetchall()[0][0]
    con.execute(f"SET {name} = '{value}'")
    try:
        yield
    finally:
        # DuckDB's own value exactly; any other as DuckDB showed it (a size to a tenth of its unit).
        con.execute(f"RESET {name}")
        if con.execute(shown).fetchall()[0][0] != before:
            con.execute(f"SET {name} = '{before}'")


def _working_tables_left_as_they_are(con):
    """No automatic checkpoint while the import runs.

    DuckDB checkpoints its in-memory tables too, the import's working tables among them, once the
    changes committed since the last one pass `checkpoint_threshold` (16 MiB); where a change was
    an update (duplicates marked in a table read before the transaction began), that checkpoint
    compresses the whole table afresh: 1.7 s of a 4.5 s import of 3 million birth records, spent
    on a table dropped a moment later. The store's own checkpoint still comes when it is closed,
    as always; the threshold is put back before that."""
    return _setting(con, "checkpoint_threshold", "1000 GiB")


# Once the rows read hold this much of DuckDB's memory, it is held, while they are written, to
# this much more than it holds.
WRITING_HELD_FROM_BYTES = 2**30
WRITING_HEADROOM_BYTES = 128 * 2**20
_BYTE_UNITS = {"B": 1, "BYTES": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "PB": 10**15,
               "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40, "PIB": 2**50}


def _memory_limit_for_writing(con) -> str | None:
    """The memory DuckDB is held to while a large file's rows are written, once they are read: a
    little more than it holds then; None to leave it as it is.

    Left to itself DuckDB keeps every block it writes in memory as well as on disk, and what it
    works with, for as long as its memory allows (80% of the machine's). 10 million contacts,
    held in 1.8 GB once read, took the process to 2.8 GB as they were written, and to 4.3 GB when
    the same file was imported again (each row matched against the 10 million stored). Held to
    128 MB more than it holds, DuckDB lets go of the blocks written (they are on disk already)
    and, where it must, moves some of its working rows to its spill folder (`<db>.tmp`,
    owner-only), in no more time: the process then peaks at 2.2 and 2.3 GB.

    Below 1 GB held (3 million birth records hold about 0.7 GB, and the process peaks at 1.4 GB)
    memory is no concern and DuckDB is left as it is: held, the first import of those records
    took 4% longer. Never raised above a lower limit set for the store."""
    used = int(con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()").fetchone()[0])
    if used < WRITING_HELD_FROM_BYTES:
        return None
    limit = used + WRITING_HEADROOM_BYTES
    current = _bytes_of(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
    return None if current is not None and current <= limit else f"{limit}B"


def _bytes_of(setting: str) -> int | None:
    """A size as DuckDB shows its settings ('18.6 GiB', '512.0 MiB'), in bytes; None for
    anything else."""
    number, _, unit = str(setting).strip().partition(" ")
    try:
        size = int(float(number) * _BYTE_UNITS[unit.strip().upper() or "B"])
    except (KeyError, ValueError, OverflowError):
        return None
    return size if size >= 0 else None


def _commonest_faults(con, shown: int = 5) -> tuple[tuple[str, int, int], ...]:
    """The reasons rows were set aside, commonest first, with how many and the first row."""
    rows = con.execute(f"""SELECT _reason, count(*), min(_row) FROM {CHECKED} WHERE _reason IS NOT NULL
                           GROUP BY _reason ORDER BY count(*) DESC, min(_row) LIMIT {int(shown)}""").fetchall()
    return tuple((reason, int(count), int(first)) for reason, count, first in rows)


def _check_file(path: Path, file_name: str, limits: Limits) -> None:
    """Refuse, without reading a byte of it, a path that is not an ordinary file (a folder, or a
    pipe or device, which could keep a reader waiting for ever) or that is over the size limit
    (a sparse file can claim 20 GB and would take a minute just to hash)."""
    expected = "a file to read"
    try:
        status = path.stat()
    except FileNotFoundError:
        raise FileFault(file_name, "the file does not exist", expected=expected) from None
    except OSError as error:
        raise FileFault(file_name, f"the file cannot be opened ({error.strerror or 'no access'})",
                        expected=expected) from None
    if not stat.S_ISREG(status.st_mode):
        what = "a folder" if stat.S_ISDIR(status.st_mode) else "a pipe, a device or another special file"
        raise FileFault(file_name, f"it is {what}, not a file; expected {expected}", expected=expected)
    if not os.access(path, os.R_OK):
        raise FileFault(file_name, f"the file cannot be read (permission denied); expected {expected}",
                        expected=expected)
    if status.st_size > limits.max_file_bytes:
        raise over_limit(file_name, f"the file is {readable_bytes(status.st_size)}",
                         limit="max_file_bytes",
                         expected=f"a file of at most {readable_bytes(limits.max_file_bytes)}")


def _quiet(rows_done: int, rows_total: int | None, stage: str) -> None:
    """No progress to show."""


class _NotInOnePass(Exception):
    """The file cannot be read and checked in one pass (`_read_and_check`) after all; `refused`
    when DuckDB's reader refused it (the Python reader is then to take it)."""

    def __init__(self, *, refused: bool = False):
        super().__init__()
        self.refused = refused


def _one_pass(checker: Kind, source: _TableSource) -> bool:
    """Whether to try reading and checking the file in one pass: a CSV file of a kind that
    allows it (whose rows are changed by nothing but the marking of duplicates)."""
    return (checker.one_pass and source.duckdb_may_read()
            and type(checker).after_duplicates is Kind.after_duplicates)


@dataclass
class _Read:
    """A file read and checked: the import in hand, when it began, and the rows read."""

    ctx: Context
    started_at: datetime
    rows_read: int


def _read(con, checker: Kind, source, *, key: bytes | None, file_name: str, sha256: str,
          received_on: date | None, replace: bool, report: Progress, one_pass: bool = False) -> _Read:
    """Read the file's rows into the raw table and check them into the table `checked`.

    In one pass (`_read_and_check`), this is done before the transaction begins, as a read by
    DuckDB always is (see `import_file`): the rows of a temporary table made inside one are
    numbered apart from the rest until it ends, and the file's rows are numbered by their place.
    """
    started_at = datetime.now()
    import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchall()[0][0]
    rows_read = 0 if one_pass else source.load(con, key=key, personal=checker.personal, progress=report)
    ctx = Context(con=con, kind=checker.name, file_name=file_name, sha256=sha256,
                  resolved=source.resolved, import_id=import_id, today=date.today(),
                  replace=replace, received_on=received_on, rows_read=rows_read, one_pass=one_pass,
                  sheet_name=getattr(getattr(source, "table", None), "sheet_name", None))
    ctx.params.update(
        today=ctx.today,
        postcodes_loaded=bool(con.execute("SELECT count(*) FROM postcodes").fetchall()[0][0]),
        reach_loaded=bool(con.execute("SELECT count(*) FROM reach_areas").fetchall()[0][0]),
    )
    ctx.notes.extend(getattr(source, "notes", []))
    if not one_pass:
        report(rows_read, rows_read, "checking")
    checker.prepare(ctx)
    query = checker.check(ctx)
    if one_pass:
        rows_read = ctx.rows_read = _read_and_check(ctx, source, query, key=key, personal=checker.personal,
                                                    duplicate_key=checker.duplicate_key(ctx), progress=report)
    else:
        ctx.run(f"CREATE TEMP TABLE {CHECKED} AS {query.sql()}")
    checker.after_check(ctx)
    return _Read(ctx=ctx, started_at=started_at, rows_read=rows_read)


def _import(read: _Read, checker: Kind, *, report: Progress) -> ImportSummary:
    """Mark duplicates, save the good rows, keep the faulty ones: the rest of an import, inside
    its transaction."""
    ctx, started_at, rows_read = read.ctx, read.started_at, read.rows_read
    import_id, file_name, sha256 = ctx.import_id, ctx.file_name, ctx.sha256
    received_on = ctx.received_on
    _mark_duplicates(ctx, checker.duplicate_key(ctx))
    checker.after_duplicates(ctx)
    # A view, not a copy: for a simple kind it is the good rows of `checked`, and a few million
    # rows need not be held twice.
    ctx.run(f"CREATE TEMP VIEW {LOADABLE} AS {checker.loadable(ctx)}")
    quarantined = ctx.scalar(f"SELECT count(*) FROM {CHECKED} WHERE _reason IS NOT NULL")
    same_quarantine = _same_quarantine(ctx)

    report(rows_read, rows_read, "saving")
    new, changed, present, removed = _write(ctx, checker)
    unchanged = not (new or changed or removed) and same_quarantine
    if not unchanged:
        ctx.run("DELETE FROM quarantine WHERE file_sha256 = $sha AND kind = $kind",
                {"sha": sha256, "kind": checker.name})
        _quarantine(ctx)
    summary = ImportSummary(
        import_id=import_id, kind=checker.name, file_name=file_name, rows_read=rows_read,
        rows_loaded=new + changed, rows_quarantined=quarantined, rows_already_present=present,
        status="unchanged" if unchanged else "loaded", message="",
    )
    notes = ctx.notes + checker.notes(ctx)
    if changed:
        notes.insert(0, f"Of the rows loaded, {changed:,} updated stored rows with new values.")
    message = " ".join([summary.line() + ".", *notes])
    summary = dataclasses.replace(summary, message=message)
    ctx.run(
        """INSERT INTO import_log (import_id, kind, file_name, file_sha256, received_on, started_at,
                                   finished_at, rows_read, rows_loaded, rows_quarantined,
                                   rows_already_present, status, message)
           VALUES ($id, $kind, $file, $sha, $received, $started, $finished, $read, $loaded,
                   $quarantined, $present, $status, $message)""",
        {"id": import_id, "kind": checker.name, "file": file_name, "sha": sha256,
         "received": received_on or ctx.received_on_used, "started": started_at,
         "finished": datetime.now(), "read": rows_read, "loaded": summary.rows_loaded,
         "quarantined": quarantined, "present": present, "status": summary.status,
         "message": message})
    return summary


def _mark_duplicates(ctx: Context, key: tuple[str, ...]) -> None:
    """A row whose key an earlier good row of the file already has: "duplicate of row N"."""
    # Only the keys held more than once are found, and only their later rows are touched. A NULL
    # in a key matches a NULL, as in a PARTITION BY. The keys are first told apart by a 64-bit
    # hash of them, far quicker than by the keys themselves (a child key is 64 characters): only
    # the rows whose hash is held more than once, nearly always the true duplicates alone, are
    # then grouped by their keys. Read in one pass, each row's hash was worked out as it was read
    # (`_key_hash`), and `checked` is a view of the table `read_rows`, which is the one written.
    table = READ_TABLE if ctx.one_pass else CHECKED
    row = f"{READ_TABLE}.rowid + 1" if ctx.one_pass else f"{CHECKED}._row"
    blank = f" AND NOT {READ_TABLE}._blank" if ctx.one_pass else ""
    listed = ", ".join(key)
    same = " AND ".join(f"{table}.{column} IS NOT DISTINCT FROM firsts.{column}" for column in key)
    key_hash = "_key_hash" if ctx.key_hashed else f"hash({listed})"
    repeated = _repeated_hashes(ctx, key_hash)
    if not len(repeated):
        return
    if ctx.key_hashed:
        listed, same = f"_key_hash, {listed}", f"{table}._key_hash = firsts._key_hash AND {same}"
    # A few repeated keys, the usual case, go to DuckDB as one parameter: handing it a table
    # instead (`register`) makes DuckDB import pandas, 0.3 s of every import from the command line.
    few = len(repeated) <= _REPEATED_AS_PARAMETER
    if few:
        repeated_hashes, params = "SELECT unnest($repeated_hashes::UBIGINT[])", {"repeated_hashes": repeated}
    else:
        ctx.con.register(_REPEATED_HASHES, pa.table({"key_hash": repeated}))
        repeated_hashes, params = f"SELECT key_hash FROM {_REPEATED_HASHES}", None
    try:
        ctx.run(f"""
            UPDATE {table} SET _reason = 'duplicate of row ' || firsts.first_row
            FROM (SELECT {listed}, min(_row) AS first_row FROM {CHECKED}
                  WHERE _reason IS NULL AND {key_hash} IN ({repeated_hashes})
                  GROUP BY {listed} HAVING count(*) > 1) firsts
            WHERE {same} AND {table}._reason IS NULL AND {row} > firsts.first_row{blank}""", params)
    finally:
        if not few:
            ctx.con.unregister(_REPEATED_HASHES)


_REPEATED_HASHES = "repeated_key_hashes"
# Up to this many repeated keys are handed to DuckDB as a parameter (0.04 s for 100,000), more
# as a table, which is quicker for many once pandas is loaded.
_REPEATED_AS_PARAMETER = 100_000


def _repeated_hashes(ctx: Context, key_hash: str) -> np.ndarray:
    """The hashes of the keys of good rows that more than one good row has, in order.

    Sorted in numpy rather than grouped by DuckDB: 10 million hashes, nearly all different, make
    a grouping of 10 million groups (1.1 to 1.3 s on 2 cores, and 2 to 3 s where the import's
    memory is held and the grouping spills), where a sort of their 80 MB takes 0.35 s and
    fetching them 0.15 s. A file without repeated rows, the usual case, then has nothing more to
    do."""
    good = ctx.run(f"SELECT {key_hash} AS key_hash FROM {CHECKED} WHERE _reason IS NULL")
    hashes = np.asarray(good.fetchnumpy()["key_hash"], dtype=np.uint64)
    hashes.sort()
    return np.unique(hashes[1:][hashes[1:] == hashes[:-1]])


# The raw columns for checking only that are still read once the rows are checked (for a note).
# The rest, the keyed hashes among them, are not kept in one pass: each of those is held once,
# as the checked value made from it.
_KEPT_HIDDEN = ("_child_nhs",)


def _read_and_check(ctx: Context, source: _TableSource, query: CheckQuery, *, key: bytes | None,
                    personal: bool, duplicate_key: tuple[str, ...], progress: Progress) -> int:
    """Read a CSV file and check its rows in one statement, into the table `read_rows`, of which
    `raw_rows` and `checked` are then views; return the number of rows read. Raises
    _NotInOnePass, with nothing made, where this cannot be done (run it outside a transaction).

    The usual way holds the file's rows twice over (the raw rows, then the checked ones, each
    with its 64-character keyed hash); here each row is held once, the raw values the quarantine
    shows beside the checked ones. The rows are numbered as `load_csv` numbers them.
    """
    read = source.read_sql(key=key, personal=personal)
    if read is None or not query.in_one_pass:
        raise _NotInOnePass
    select, read_params = read
    kept = [name for name in raw_columns(source.resolved, hashes_nhs_number=source.hashes(personal))
            if name not in _HIDDEN or name in _KEPT_HIDDEN]
    # The key that finds repeated rows is hashed as the rows are read, unless the lookup, which
    # comes after, gives a part of it.
    hashed = () if query.lookup and query.lookup.column in duplicate_key else duplicate_key
    sql = f"CREATE TEMP TABLE {READ_TABLE} AS {query.one_pass_sql(select, kept, hashed)}"
    try:
        with sql_functions(ctx.con, sql, key=key):
            ctx.run("SET preserve_insertion_order = true")
            ctx.run(sql, read_params)
    except duckdb.Error:
        ctx.run(f"DROP TABLE IF EXISTS {READ_TABLE}")
        raise _NotInOnePass(refused=True) from None
    # A lookup (a postcode's LSOA) would be a join, which may hand the rows on in any order,
    # and they are numbered by their place: it is made after, once the rows are in the table.
    _look_up(ctx, query)
    numbered = f"SELECT rowid + 1 AS _row, {{}} FROM {READ_TABLE} WHERE NOT _blank"
    ctx.run(f"CREATE TEMP VIEW {RAW_TABLE} AS "
            + numbered.format(", ".join(f'"_raw_{name}" AS "{name}"' for name in kept)))
    ctx.key_hashed = bool(hashed)
    checked = [*query.values, "_reason", *(["_key_hash"] if hashed else [])]
    ctx.run(f"CREATE TEMP VIEW {CHECKED} AS " + numbered.format(", ".join(checked)))
    rows_read = ctx.scalar(f"SELECT count(*) FROM {RAW_TABLE}")
    estimated = source.table.estimated_rows
    progress(0, estimated, "reading")
    progress(rows_read, max(estimated or 0, rows_read) or None, "reading")
    progress(rows_read, rows_read, "checking")
    return rows_read


# DuckDB holds the smaller side of a join in memory and reads the other past it. Updating rows
# in the order of the lookup read past them costs about 8 microseconds a row; holding the lookup
# instead and reading the rows past it in their order costs the same whatever their number
# (0.05 s for 1.7 million postcodes). So beyond a few thousand rows (a 300th of the lookup), the
# lookup is held: 200,000 births took 0.1 s instead of 1.6 s, 2,000 take 0.05 s instead of 0.02 s.
_LOOKUP_HELD_FROM = 1 / 300


def _look_up(ctx: Context, query: CheckQuery) -> None:
    """Give the rows read in one pass their values from the check's lookup (`looked_up_sql`)."""
    if query.lookup is None:
        return
    keyed = ctx.scalar(f"SELECT count(_lookup_key) FROM {READ_TABLE}")
    if not keyed:
        return
    held = keyed >= ctx.scalar(f"SELECT count(*) FROM {query.lookup.table}") * _LOOKUP_HELD_FROM
    with _setting(ctx.con, "disabled_optimizers", "build_side_probe_side") if held else contextlib.nullcontext():
        for statement in query.looked_up_sql(READ_TABLE):
            ctx.run(statement)


def _same_quarantine(ctx: Context) -> bool:
    """Whether this file's earlier import quarantined exactly the same rows for the same reasons."""
    return not ctx.scalar(f"""
        SELECT count(*) FROM (
            (SELECT row_number, reason FROM quarantine WHERE file_sha256 = $sha AND kind = $kind
             EXCEPT ALL SELECT _row, _reason FROM {CHECKED} WHERE _reason IS NOT NULL)
            UNION ALL
            (SELECT _row, _reason FROM {CHECKED} WHERE _reason IS NOT NULL
             EXCEPT ALL SELECT row_number, reason FROM quarantine WHERE file_sha256 = $sha AND kind = $kind))""",
        {"sha": ctx.sha256, "kind": ctx.kind})


def _write(ctx: Context, checker: Kind) -> tuple[int, int, int, int]:
    """Save the loadable rows; return (new, changed, already present, removed)."""
    table, columns = checker.table, checker.columns
    matches = " AND ".join(f"{table}.{column} = {LOADABLE}.{column}" for column in checker.key)
    total = ctx.scalar(f"SELECT count(*) FROM {LOADABLE}")
    known = ctx.scalar(f"SELECT count(*) FROM {LOADABLE} WHERE EXISTS (SELECT 1 FROM {table} WHERE {matches})")
    changed = 0
    compared = checker.compared(ctx)
    if checker.updates_rows(ctx) and compared:
        differs = " OR ".join(f"{table}.{column} IS DISTINCT FROM {LOADABLE}.{column}" for column in compared)
        changed = ctx.scalar(f"SELECT count(*) FROM {table} JOIN {LOADABLE} ON {matches} WHERE {differs}")
        if changed:
            assignments = ", ".join(f"{column} = {LOADABLE}.{column}" for column in checker.refreshed(ctx))
            ctx.run(f"""UPDATE {table} SET {assignments}, import_id = $id
                        FROM {LOADABLE} WHERE {matches} AND ({differs})""", {"id": ctx.import_id})
    removed = checker.remove_missing(ctx)
    ctx.params["removed"] = removed
    listed = ", ".join(columns)
    # The keys were matched once, above: where none of the rows is stored yet (a new file) they
    # are written without matching them again, and where all are (the same file again) nothing is
    # written. Only rows the kind removed (reach areas replaced) make the count out of date.
    if removed or 0 < known < total:
        _append(ctx, f"""INSERT INTO {table} ({listed}, import_id)
                         SELECT {listed}, $id FROM {LOADABLE}
                         WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {matches})""")
    elif known == 0:
        _append(ctx, f"INSERT INTO {table} ({listed}, import_id) SELECT {listed}, $id FROM {LOADABLE}")
    return total - known, changed, known - changed, removed


def _append(ctx: Context, insert: str) -> None:
    """Run an INSERT of the loadable rows, letting DuckDB write them in whatever order its
    threads finish (the rows of a table have no order of their own: a query orders what it
    shows). Kept in the file's order, a few million rows were held back and written a second
    time when the store was closed, which took longer than writing them."""
    with _setting(ctx.con, "preserve_insertion_order", "false"):
        ctx.run(insert, {"id": ctx.import_id})


def _quarantine(ctx: Context) -> None:
    """Keep the faulty rows with their reasons, showing nothing that may be personal.

    Personal columns were masked or never read. But any column may hold a value that does not
    belong there (a postcode in `lsoa_code`, an NHS number in `centre_id`), and a reason may
    quote one, so every value and every reason passes through `redact_sql` on its way in.
    """
    raw_columns = [column[0] for column in ctx.con.execute(f"SELECT * FROM {RAW_TABLE} LIMIT 0").description]
    shown = sorted((column for column in raw_columns if column != "_row" and column not in _HIDDEN),
                   key=lambda column: ctx.resolved.positions.get(column, len(raw_columns)))
    if ctx.one_pass:
        # `raw_rows` and `checked` are views of the one table `read_rows` (`_read_and_check`):
        # its faulty rows are read from it in one scan, where joining the two views by row
        # number would read every row of it twice.
        values = {column: redact_sql(f'r."_raw_{column}"') for column in shown}
        faulty = f"""(SELECT *, rowid + 1 AS _row FROM {READ_TABLE}
                      WHERE NOT _blank AND _reason IS NOT NULL) r"""
        row, reason = "r._row", "r._reason"
    else:
        values = {column: redact_sql(f'r."{column}"') for column in shown}
        faulty = f"{CHECKED} c JOIN {RAW_TABLE} r ON r._row = c._row WHERE c._reason IS NOT NULL"
        row, reason = "c._row", "c._reason"
    pairs = ", ".join(f"{sql_text(ctx.resolved.label(column))}, {values[column]}" for column in shown)
    row_data = f"json_object({pairs})::VARCHAR" if pairs else "NULL"
    ctx.run(f"""
        INSERT INTO quarantine
        SELECT $id, $kind, $file, $sha, {row}, {redact_sql(reason)}, {row_data}
        FROM {faulty} ORDER BY {row}""",
            {"id": ctx.import_id, "kind": ctx.kind, "file": ctx.file_name, "sha": ctx.sha256})


class _TableSource:
    """A CSV or XLSX file, its columns matched to the kind's before the store is opened."""

    def __init__(self, kind: str, path: Path, file_name: str, limits: Limits | None = None,
                 sheet: str | None = None):
        self.path = path
        self.table = open_table(path, file_name=file_name, limits=limits, sheet=sheet,
                                is_header=lambda header: accepts(kind, header))
        try:
            self.resolved = resolve_columns(kind, self.table.header, file_name=file_name)
        except FileFault as fault:
            self.table.close()
            if self.table.header_found or self.table.sheet_name is None:
                raise       # a CSV file: its first row is the header, as the message says
            looked = "every sheet" if sheet is None else f'the sheet "{self.table.sheet_name}"'
            raise FileFault(file_name, f"{fault.problem} (the header was looked for in the first "
                                       f"{HEADER_SEARCH_ROWS} rows of {looked}; this is the first row of "
                                       f'the sheet "{self.table.sheet_name}")',
                            column=fault.column, expected=fault.expected) from None
        except BaseException:
            self.table.close()
            raise
        where = self.table.where()
        self.notes = [where] if where else []
        self.refused = False       # DuckDB's reader refused the file (see `stage`)

    def sha256(self) -> str:
        """The file's SHA-256 (for a CSV file, from the one read that also counts its lines)."""
        scan = getattr(self.table, "scan", None)
        return scan.sha256 if scan is not None else file_sha256(self.path)

    def hashes(self, personal: bool) -> bool:
        """Whether the NHS number is hashed (a file of people without a child key)."""
        return personal and not self.resolved.has("child_key")

    def duckdb_may_read(self) -> bool:
        """Whether the file is CSV that DuckDB's reader may read (see `csv_read_sql`)."""
        return duckdb_may_read(self.table)

    def read_sql(self, *, key: bytes | None, personal: bool) -> tuple[str, dict] | None:
        """The SELECT with which DuckDB reads the file (see `csv_read_sql`), or None."""
        return csv_read_sql(self.table, self.resolved, key=key, hashes_nhs_number=self.hashes(personal))

    def stage(self, con, *, key: bytes | None, personal: bool, progress: Progress) -> None:
        """Read a CSV file into the raw table with DuckDB, where it can be (see `load_csv`):
        not where DuckDB has refused it already, reading and checking it in one pass."""
        if self.refused:
            self.staged = None
            return
        self.staged = load_csv(con, self.table, self.resolved, key=key, hashes_nhs_number=self.hashes(personal),
                               progress=progress)

    def load(self, con, *, key: bytes | None, personal: bool, progress: Progress) -> int:
        staged = getattr(self, "staged", None)
        if staged is not None:
            return staged
        return load_raw(con, self.table, self.resolved, key=key, hashes_nhs_number=self.hashes(personal),
                        progress=progress)

    def close(self) -> None:
        self.table.close()


class _BoundarySource:
    """A boundary file, read by the geo package into LSOA codes, names and WGS84 polygons.

    The geo package already rejects rows with a bad code, no shape or a repeated code; those
    rows come here with its reason and go to the quarantine like any other faulty row.
    """

    def __init__(self, path: Path, file_name: str, layer: str | None = None):
        self.path = path
        from geo.boundaries import BoundaryFileError, BoundaryLimits, read_boundaries

        # The limits in force (REACH_LIMIT_* settings applied), for each limit the reader knows.
        limits = Limits.current()
        shared = {field.name: getattr(limits, field.name)
                  for field in dataclasses.fields(BoundaryLimits) if hasattr(limits, field.name)}
        try:
            self.read = read_boundaries(path, original_name=file_name,
                                        limits=BoundaryLimits(**shared), layer=layer)
        except BoundaryFileError as error:
            raise FileFault(file_name, _without_file_name(str(error), file_name),
                            column=error.column, expected=error.expected) from error
        # The population-weighted centroid, where the file has one, is checked by the kind.
        centroid = self.read.centroid_columns
        self.resolved = Resolved(
            layout=Layout("a boundary file", (("lsoa_code",),), ("lsoa_name", "pwc_lon", "pwc_lat")),
            positions={"lsoa_code": 0, "lsoa_name": 1, **({"pwc_lon": 2, "pwc_lat": 3} if centroid else {})},
            labels={"lsoa_code": "lsoa_code", "lsoa_name": "lsoa_name",
                    **({"pwc_lon": centroid[0], "pwc_lat": centroid[1]} if centroid else {})},
        )
        self.notes = [f"Coordinates were read as {self.read.source_crs} and stored as WGS84 longitude/latitude."]
        if self.read.layer is not None:
            self.notes.insert(0, f'Read the layer "{shortened(self.read.layer, 60)}".')
        if self.read.repaired:
            self.notes.append(f"{count_of(self.read.repaired, 'shape')} that crossed "
                              f"{'itself' if self.read.repaired == 1 else 'themselves'} "
                              f"{were(self.read.repaired)} repaired.")

    def sha256(self) -> str:
        return file_sha256(self.path)

    def stage(self, con, *, key: bytes | None, personal: bool, progress: Progress) -> None:
        """Nothing to read ahead: the geo package read the whole file."""

    def load(self, con, *, key: bytes | None, personal: bool, progress: Progress) -> int:
        import shapely

        areas, rejects = self.read.areas, self.read.rejects
        total = len(areas) + len(rejects)
        progress(0, total, "reading")
        rejected = set(int(number) for number in rejects["row_number"])
        # The areas keep the file's order, so they fill the row numbers the rejects leave free.
        kept_rows = [number for number in range(1, total + 1) if number not in rejected]
        wkb = [bytes(data) for data in shapely.to_wkb(areas.geometry.array)] if len(areas) else []
        centroid = {name: pa.array([_text(v) for v in areas[name]] + [None] * len(rejects), type=pa.string())
                    for name in ("pwc_lon", "pwc_lat") if name in areas.columns}
        batch = pa.table({
            **centroid,
            "_row": pa.array(kept_rows + [int(n) for n in rejects["row_number"]], type=pa.int64()),
            "lsoa_code": pa.array([_text(v) for v in areas["lsoa_code"]]
                                  + [_text(v) for v in rejects["lsoa_code"]], type=pa.string()),
            "lsoa_name": pa.array([_text(v) for v in areas["lsoa_name"]] + [None] * len(rejects),
                                  type=pa.string()),
            "_geometry": pa.array(wkb + [None] * len(rejects), type=pa.binary()),
            "_geo_reason": pa.array([None] * len(areas) + [_text(v) for v in rejects["reason"]],
                                    type=pa.string()),
        })
        con.register("raw_batch", batch)
        con.execute(f"""CREATE TEMP TABLE {RAW_TABLE} AS
                        SELECT _row, nullif(trim(lsoa_code), '') AS lsoa_code,
                               nullif(trim(lsoa_name), '') AS lsoa_name, _geometry, _geo_reason
                               {"".join(f", nullif(trim({name}), '') AS {name}" for name in centroid)}
                        FROM raw_batch ORDER BY _row""")
        con.unregister("raw_batch")
        progress(total, total, "reading")
        return total

    def close(self) -> None:
        """Nothing stays open: the geo package read the whole file."""


def _without_file_name(message: str, file_name: str) -> str:
    """The geo package's message, less the file's name where it leads (FileFault adds it):
    "The zip file 'a.zip' holds ..." becomes "the zip file holds ..."."""
    import re

    if message.startswith(f"{file_name}: "):
        return message[len(file_name) + 2:]
    named = re.match(rf"The ([A-Za-z ]{{1,40}}?) '{re.escape(file_name)}' ", message)
    if named:
        return f"the {named.group(1)} {message[named.end():]}"
    return message


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)
