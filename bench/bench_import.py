"""How fast is an import, against a bare DuckDB load of the same file?

Writes a births extract and a registrations export of `--rows` rows each (3,000,000 by default,
the two big files of an England-sized load), or with `--kind births-by-postcode` a births extract
placed by postcode (imported into a store that has a lookup of 1,500,000 postcodes), or with
`--kind contacts` a contacts export (England has about 10 million a year: `--rows 10000000`),
then, for each, times in the same run:

- the bare load: `CREATE TABLE t AS SELECT * FROM read_csv(file, all_varchar = true)` into a new
  database file, which is then closed (so the table is written to disk, as an import's is).
  It is run three times and the best time is kept, to be fair to a busy machine;
- the import into a new store (every check, the hashing of NHS numbers, the quarantine and the
  one transaction), also the best of three, each into a new store;
- the same file imported again (nothing changes);
- both through the command line, each in a new Python, so that the start of Python counts on both
  sides: `python -m reach import KIND FILE --no-figures` into a new store against a Python that
  imports DuckDB and makes the bare load (each the best of three);

and prints each time with its ratio to the bare load, and the peak memory of the process. Beside
each time it prints the processor time the process used (every thread counted, so on 2 cores
up to twice the time): on a machine busy with other work that ratio moves far less than the
ratio of times does. It is not a test: run it by hand.

    python bench/bench_import.py                       # 3,000,000 rows a file
    python bench/bench_import.py --rows 300000         # a tenth, for a quick look
    python bench/bench_import.py --rows 300000 --profile   # where the time of the import goes
    python bench/bench_import.py --kind births --steps     # the time of each statement
    python bench/bench_import.py --kind births-by-postcode # births placed through the lookup
    python bench/bench_import.py --kind contacts --rows 10000000   # England's contacts

With `--steps`, each statement the import runs is timed (time and processor time), with the
file's scan (its SHA-256, line breaks and signs) and the closing of the store (its checkpoint);
statements under 0.02 s are left out of the list but counted in its total.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.figures_worker import BACKGROUND_FROM_ROWS  # noqa: E402  (the project on the path first)

BARE_TRIES = 3


def _cpu_seconds() -> float:
    """Processor time this process has used so far, every thread counted."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(function, *args, **kwargs):
    """(result, seconds, processor seconds) of one call."""
    start, cpu = time.perf_counter(), _cpu_seconds()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start, _cpu_seconds() - cpu


def _valid_nhs_numbers(rows: int) -> str:
    """A WITH clause giving `checked(i, nhs_number, c)`: nine random digits and their modulus-11
    check digit `c`, for a few more rows than wanted (a check of 10 is invalid; callers keep
    `WHERE c <> 10`)."""
    return f"""WITH digits AS (
            SELECT i, lpad(((random() * 999999999)::BIGINT)::VARCHAR, 9, '0') AS nine
            FROM range({int(rows * 1.15)}) t(i)
          ), with_check AS (
            SELECT i, nine, 11 - (list_sum([ (10 - j) * (substr(nine, j + 1, 1))::INTEGER FOR j IN range(9)]) % 11) AS c
            FROM digits
          ), checked AS (
            SELECT i, nine || CASE WHEN c = 11 THEN '0' ELSE c::VARCHAR END AS nhs_number, c FROM with_check
          )"""


# An England-sized postcode lookup: about as many postcodes as England has in use.
LOOKUP_POSTCODES = 1_500_000


def _postcode_sql(number: str) -> str:
    """SQL for the `number`th made-up postcode, e.g. "AB12 3CD": two letters, two digits, a space,
    a digit and two letters, each a part of the number."""
    def letter(divisor: int) -> str:
        return f"chr(65 + ({number} // {divisor} % 26)::INTEGER)"

    def digit(divisor: int) -> str:
        return f"({number} // {divisor} % 10)::VARCHAR"

    return (f"{letter(676000)} || {letter(17576000)} || {digit(6760)} || {digit(67600)} || ' ' "
            f"|| {digit(676)} || {letter(26)} || {letter(1)}")


def write_postcodes_csv(path: Path, postcodes: int = LOOKUP_POSTCODES) -> None:
    """A postcode lookup (an ONS Postcode Directory subset): each postcode's LSOA."""
    import duckdb
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT {_postcode_sql('i')} AS pcds, 'E01' || lpad((i % 33755)::VARCHAR, 6, '0') AS lsoa21cd
              FROM range({postcodes}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def write_births_csv(path: Path, rows: int, *, by_postcode: bool = False) -> None:
    """A births extract as health would send it: NHS numbers (valid check digits), dates, and
    where the child lives: an LSOA code, or `by_postcode` the postcode, as health often sends it
    (one in a thousand not in the lookup `write_postcodes_csv` writes)."""
    import duckdb
    con = duckdb.connect()
    con.execute("SELECT setseed(0.5)")
    residence = (f"""CASE WHEN i % 1000 = 999 THEN 'ZZ99 9ZZ'
                          ELSE {_postcode_sql(f'(i * 7919 % {LOOKUP_POSTCODES})')} END AS postcode"""
                 if by_postcode else "'E01' || lpad((i % 33755)::VARCHAR, 6, '0') AS lsoa_code")
    # Nine random digits, then the modulus-11 check digit (rows whose check would be 10 are dropped
    # and made up with a few spare rows).
    con.execute(f"""
        COPY (
          {_valid_nhs_numbers(rows)}
          SELECT nhs_number,
                 strftime(DATE '2025-01-01' + (i % 600)::INTEGER, '%Y-%m-%d') AS dob,
                 {residence},
                 '2026-09-15' AS received_on
          FROM checked WHERE c <> 10 LIMIT {rows}
        ) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def write_registrations_csv(path: Path, rows: int) -> None:
    """A registrations export as a centre's system would give it: NHS numbers, dates of birth,
    LSOAs, the centre, the date of registration, a family identifier and two yes/no flags."""
    import duckdb
    con = duckdb.connect()
    con.execute("SELECT setseed(0.7)")
    con.execute(f"""
        COPY (
          {_valid_nhs_numbers(rows)}
          SELECT nhs_number,
                 strftime(DATE '2023-01-01' + (i % 1200)::INTEGER, '%Y-%m-%d') AS dob,
                 'E01' || lpad((i % 33755)::VARCHAR, 6, '0') AS lsoa_code,
                 'C' || lpad((i % 3000)::VARCHAR, 4, '0') AS centre_id,
                 strftime(DATE '2023-01-01' + (i % 1200)::INTEGER + 40 + (i % 200)::INTEGER, '%Y-%m-%d')
                     AS registered_on,
                 'FAM' || (i // 2)::VARCHAR AS family_key,
                 CASE WHEN i % 7 = 0 THEN 'yes' ELSE 'no' END AS lone_parent,
                 CASE WHEN i % 11 = 0 THEN 'y' ELSE '' END AS teenage_parent
          FROM checked WHERE c <> 10 LIMIT {rows}
        ) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def write_contacts_csv(path: Path, rows: int) -> None:
    """A contacts export for a year as a centre's system would give it, in date order: each
    child's NHS number on three rows (three sessions, four months apart), the day, the centre
    and the activity."""
    import duckdb
    con = duckdb.connect()
    con.execute("SELECT setseed(0.9)")
    activities = "['Stay and play', 'Baby massage', 'Health visitor clinic', 'Speech and language']"
    child_count = -(-rows // 3)
    con.execute(f"""
        COPY (
          {_valid_nhs_numbers(child_count)}, children AS (
            SELECT nhs_number, row_number() OVER (ORDER BY i) AS n FROM checked WHERE c <> 10 LIMIT {child_count}
          )
          SELECT nhs_number,
                 strftime(DATE '2025-04-01' + ((n * 7 + k * 120) % 365)::INTEGER, '%Y-%m-%d') AS contact_on,
                 'C' || lpad((n % 3000)::VARCHAR, 4, '0') AS centre_id,
                 {activities}[1 + ((n + k) % 4)::INTEGER] AS activity
          FROM children, range(3) t(k) ORDER BY contact_on, centre_id, n LIMIT {rows}
        ) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


BY_POSTCODE = "births-by-postcode"
WRITERS = {"births": write_births_csv, "registrations": write_registrations_csv,
           BY_POSTCODE: partial(write_births_csv, by_postcode=True), "contacts": write_contacts_csv}


def bare_load(csv: Path, db: Path) -> tuple[float, float]:
    """(seconds, processor seconds) for the bare DuckDB load of `csv` into a new database file
    `db`, closed; the best of BARE_TRIES tries (each measure's own best)."""
    import duckdb

    quoted = str(csv).replace("'", "''")
    best, best_cpu = float("inf"), float("inf")

    def load() -> None:
        bare = duckdb.connect(str(db))
        bare.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{quoted}', all_varchar = true)")
        bare.close()

    for _ in range(BARE_TRIES):
        db.unlink(missing_ok=True)
        _, seconds, cpu = _timed(load)
        best, best_cpu = min(best, seconds), min(best_cpu, cpu)
    db.unlink(missing_ok=True)
    return best, best_cpu


# The bare load through the command line: a new Python that imports DuckDB alone and loads the
# file into a new database file, as `python -m reach import` does into a new store.
_BARE_COMMAND = """
import sys, duckdb
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true)", [sys.argv[1]])
con.close()
"""
PROJECT = Path(__file__).resolve().parents[1]


def command_line_loads(csv: Path, kind: str, workdir: Path, *, tries: int = BARE_TRIES,
                       template: Path | None = None) -> dict[str, float]:
    """The best of `tries` of each through the command line, into a new database file each time:
    "bare", a Python that loads the file with DuckDB alone; "import", `python -m reach import
    KIND FILE --no-figures` (the figures the dashboard opens on are a step of their own) into a
    new store, or into a copy of `template` where one is given; and "default", the same command
    as typed, without `--no-figures`: on a large store it returns once the import is in, and
    the background process it starts to store the figures is stopped before the next run."""
    import subprocess

    from data import figures_worker

    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    best = {"bare": float("inf"), "import": float("inf"), "default": float("inf")}
    for _ in range(tries):
        for side in best:
            db = workdir / f"command-line-{side}.duckdb"
            for suffix in ("", ".wal", ".key", ".figures.log"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            if side != "bare" and template is not None:
                shutil.copyfile(template, db)
            argv = (["-c", _BARE_COMMAND, str(csv), str(db)] if side == "bare"
                    else ["-m", "reach", "import", kind, str(csv), "--db", str(db)]
                    + (["--no-figures"] if side == "import" else []))
            start = time.perf_counter()
            done = subprocess.run([sys.executable, *argv], cwd=PROJECT, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            figures_worker.stop(db)
            if done.returncode:
                raise SystemExit(f"{side} through the command line failed: {done.stderr.strip()[-300:]}")
            best[side] = min(best[side], seconds)
    for side in best:
        for suffix in ("", ".wal", ".key", ".figures.log"):
            Path(str(workdir / f"command-line-{side}.duckdb") + suffix).unlink(missing_ok=True)
    return best


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Steps:
    """Times each statement an import runs, the scan of its file and the closing of its store,
    while in use: `with _Steps() as steps: import_file(...)`, then `steps.print()`."""

    def __init__(self):
        self.steps: list[tuple[float, float, str]] = []

    def __enter__(self):
        import contextlib

        import data.importers.importing as importing
        import data.importers.reading as reading

        steps = self.steps
        self._saved = (importing.opened, reading.scan_file)
        opened, scan_file = self._saved

        class Timed:
            def __init__(self, con):
                self._con = con

            def __getattr__(self, name):
                return getattr(self._con, name)

            def execute(self, sql, *args, **kwargs):
                (result, seconds, cpu) = _timed(self._con.execute, sql, *args, **kwargs)
                steps.append((seconds, cpu, " ".join(str(sql).split())))
                return result

        @contextlib.contextmanager
        def timed_opened(*args, **kwargs):
            start, cpu = time.perf_counter(), _cpu_seconds()
            with opened(*args, **kwargs) as con:
                yield Timed(con)
                start, cpu = time.perf_counter(), _cpu_seconds()
            steps.append((time.perf_counter() - start, _cpu_seconds() - cpu, "closing the store (checkpoint)"))

        def timed_scan(path):
            (result, seconds, cpu) = _timed(scan_file, path)
            steps.append((seconds, cpu, "scan of the file (SHA-256, line breaks, signs)"))
            return result

        importing.opened, reading.scan_file = timed_opened, timed_scan
        return self

    def __exit__(self, *exc_info):
        import data.importers.importing as importing
        import data.importers.reading as reading

        importing.opened, reading.scan_file = self._saved

    def print(self, title: str) -> None:
        print(f"\n{title}, step by step:\n{'time':>8}{'processor':>11}  statement")
        for seconds, cpu, what in self.steps:
            if seconds >= 0.02 or cpu >= 0.02:
                print(f"{seconds:>6.2f} s{cpu:>9.2f} s  {what[:100]}")
        total, total_cpu = sum(step[0] for step in self.steps), sum(step[1] for step in self.steps)
        print(f"{total:>6.2f} s{total_cpu:>9.2f} s  in all ({len(self.steps)} steps)")


def _written_elsewhere(writer, csv: Path, rows: int) -> None:
    """Write the file in a process of its own, so that the peak memory printed is the imports'
    and the bare loads', not that of making up the file (10 million contacts sorted by date)."""
    import multiprocessing

    process = multiprocessing.get_context("spawn").Process(target=writer, args=(csv, rows))
    process.start()
    process.join()
    if process.exitcode:
        raise SystemExit(f"writing {csv.name} failed")


def time_import(rows: int, workdir: Path, *, profile: bool = False, kind: str = "births",
                steps: bool = False, command_line: bool = True) -> dict:
    """Time the import of a `kind` file (one of `WRITERS`) of `rows` rows into a new
    store in `workdir`, beside the bare DuckDB load of the same file, and the same file imported
    again. Returns {"kind", "rows", "file_mb", "bare_load_s", "import_s", "again_s", "ratio",
    "again_ratio", "peak_rss_mb", "summary", "again_summary"}, and the processor seconds of each
    ("bare_cpu_s", "import_cpu_s", "again_cpu_s") with their ratios ("cpu_ratio",
    "again_cpu_ratio"). `peak_rss_mb` is the peak memory of this process so far (so of the
    largest import it has run). With `command_line`, also both through the command line
    (`command_line_loads`): "bare_command_s", "import_command_s" and "command_ratio", and the
    command as typed, figures and all: "default_command_s" and "default_command_ratio"."""
    from data.importers import import_file
    from data.store import connect

    reach_kind = "births" if kind == BY_POSTCODE else kind
    os.environ.setdefault("REACH_SECRET", "benchmark-only-not-a-real-key-0123456789")
    workdir.mkdir(parents=True, exist_ok=True)
    csv = workdir / f"{kind}.csv"
    _written_elsewhere(WRITERS[kind], csv, rows)
    bare_seconds, bare_cpu = bare_load(csv, workdir / f"bare-{kind}.duckdb")
    store = workdir / f"import-{kind}.duckdb"
    # Each import goes into a new store; births placed by postcode into one that has the postcode
    # lookup already (loaded once, not with each extract), copied from this one.
    template = None
    if kind == BY_POSTCODE:
        template = workdir / "with-postcodes.duckdb"
        write_postcodes_csv(workdir / "postcodes.csv")
        connect(template).close()
        import_file("postcodes", workdir / "postcodes.csv", db=template)

    def new_store() -> None:
        for suffix in ("", ".wal"):
            Path(str(store) + suffix).unlink(missing_ok=True)
        if template is None:
            connect(store).close()
        else:
            shutil.copyfile(template, store)

    new_store()
    profiler = None
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    timer = _Steps() if steps else None
    if timer is not None:
        with timer:
            summary, seconds, cpu = _timed(import_file, reach_kind, csv, db=store)
        timer.print(f"The import of {kind}")
    else:
        summary, seconds, cpu = _timed(import_file, reach_kind, csv, db=store)
    if profiler is not None:
        import pstats
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    # The best of BARE_TRIES, as the bare load is: each into a new store.
    for _ in range(BARE_TRIES - 1):
        new_store()
        _, other_seconds, other_cpu = _timed(import_file, reach_kind, csv, db=store)
        seconds, cpu = min(seconds, other_seconds), min(cpu, other_cpu)
    again, again_seconds, again_cpu = _timed(import_file, reach_kind, csv, db=store)
    command = {}
    if command_line:
        best = command_line_loads(csv, reach_kind, workdir, template=template)
        command = {"bare_command_s": best["bare"], "import_command_s": best["import"],
                   "command_ratio": best["import"] / best["bare"], "default_command_s": best["default"],
                   "default_command_ratio": best["default"] / best["bare"]}
    return {
        **command,
        "kind": kind, "rows": rows, "file_mb": csv.stat().st_size / 1e6,
        "bare_load_s": bare_seconds, "import_s": seconds, "again_s": again_seconds,
        "ratio": seconds / bare_seconds, "again_ratio": again_seconds / bare_seconds,
        "bare_cpu_s": bare_cpu, "import_cpu_s": cpu, "again_cpu_s": again_cpu,
        "cpu_ratio": cpu / bare_cpu, "again_cpu_ratio": again_cpu / bare_cpu,
        "peak_rss_mb": _peak_rss_mb(), "summary": summary.line(), "again_summary": again.line(),
    }


def time_imports(rows: int, workdir: Path, *, profile: bool = False) -> list[dict]:
    """`time_import` of the two big files, births then registrations, `rows` rows each."""
    return [time_import(rows, workdir, profile=profile, kind=kind) for kind in ("births", "registrations")]


def _print(result: dict) -> None:
    print(f"\nImport of a {result['kind']} file of {result['rows']:,} rows ({result['file_mb']:,.0f} MB):")
    print(f"{'':<52}{'time':>10}{'x':>7}{'processor':>12}{'x':>7}")
    for label, key, ratio in ((f"bare DuckDB load (best of {BARE_TRIES})", "bare", None),
                              (f"import, checks and all (best of {BARE_TRIES})", "import", ""),
                              ("the same file again (nothing changes)", "again", "again_")):
        seconds = result["bare_load_s" if key == "bare" else f"{key}_s"]
        times = 1.0 if ratio is None else result[f"{ratio}ratio"]
        cpu_times = 1.0 if ratio is None else result[f"{ratio}cpu_ratio"]
        cpu = result[f"{key}_cpu_s"]
        print(f"{label:<52}{seconds:>8.2f} s{times:>6.1f} x{cpu:>10.2f} s{cpu_times:>6.1f} x")
    if "command_ratio" in result:
        print(f"{'through the command line: bare load (best of 3)':<52}{result['bare_command_s']:>8.2f} s{1.0:>6.1f} x")
        print(f"{'  python -m reach import --no-figures (best of 3)':<52}{result['import_command_s']:>8.2f} s"
              f"{result['command_ratio']:>6.1f} x")
        print(f"{'  python -m reach import, as typed (best of 3)':<52}{result['default_command_s']:>8.2f} s"
              f"{result['default_command_ratio']:>6.1f} x")
        print(f"    (from {BACKGROUND_FROM_ROWS:,} people's rows, the figures then in the background)")
    print(f"  {result['summary']}\n  {result['again_summary']}\n"
          f"  peak memory of this process so far: {result['peak_rss_mb']:,.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3_000_000, help="rows in each file (default 3,000,000)")
    parser.add_argument("--profile", action="store_true", help="profile each import (cProfile) and print it")
    parser.add_argument("--kind", choices=(*WRITERS, "both"), default="both",
                        help="which file to time (default both: births and registrations)")
    parser.add_argument("--steps", action="store_true",
                        help="time each statement of the (first) import and print them")
    parser.add_argument("--no-command-line", action="store_true",
                        help="leave out the timing through the command line")
    args = parser.parse_args()
    kinds = ("births", "registrations") if args.kind == "both" else (args.kind,)
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            _print(time_import(args.rows, Path(folder), profile=args.profile, kind=kind, steps=args.steps,
                               command_line=not args.no_command_line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
