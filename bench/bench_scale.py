"""The England-scale benchmark: is Reach fast enough for a national team?

Builds a synthetic store the size of England (33,755 LSOAs, 3,000 centres, about 3 million
under-fives with registrations, birth records and contacts), then times the report per centre,
per LSOA and for the authority, a three-year monthly trend, and the import of a 3-million-row
births file. Every time is printed as a ratio to a baseline measured in the same run on the
same machine (a plain DuckDB scan of the same rows; for the import, a bare DuckDB load of the
same file into a new database), so the figures mean the same on a fast or a slow machine. It is
not a test: run it by hand.

    python bench/bench_scale.py            # England scale
    python bench/bench_scale.py --scale 0.1   # a tenth, for a quick look
    python bench/bench_scale.py --import-only [--profile]   # the import alone (and its profile)
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.store import connect  # noqa: E402
from reach.domain.months import month_ends  # noqa: E402
from reach.queries.publication import published_figures  # noqa: E402
from reach.queries.report import reach_report, reach_trend  # noqa: E402

AS_AT = date(2026, 9, 30)


def _timed(label, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    seconds = time.perf_counter() - start
    return result, seconds


def build_synthetic_store(db: Path, *, scale: float) -> dict:
    """Fill a store with England-sized synthetic data, in DuckDB SQL (seconds, not minutes)."""
    lsoas = int(33_755 * scale)
    centres = max(1, int(3_000 * scale))
    children = int(3_000_000 * scale)
    con = connect(db)
    con.execute("SELECT setseed(0.2026)")
    con.execute("""
        INSERT INTO centres (centre_id, name)
        SELECT 'C' || lpad(i::VARCHAR, 4, '0'), 'Centre ' || i FROM range(?) t(i)""", [centres])
    con.execute("""
        INSERT INTO reach_areas (lsoa_code, centre_id)
        SELECT 'E01' || lpad(i::VARCHAR, 6, '0'), 'C' || lpad((i % ?)::VARCHAR, 4, '0') FROM range(?) t(i)""",
                [centres, lsoas])
    con.execute("""
        INSERT INTO population (lsoa_code, period, children_0_4)
        SELECT lsoa_code, p, 70 + (random() * 40)::INTEGER
        FROM reach_areas, (VALUES (DATE '2024-06-30'), (DATE '2025-06-30')) v(p)""")
    con.execute("""
        INSERT INTO deprivation (lsoa_code, edition, idaci_decile)
        SELECT lsoa_code, 2019, 1 + (random() * 9.99)::INTEGER % 10 FROM reach_areas""")
    # Children: born over six years to the as-at date, living in a random LSOA.
    con.execute("""
        CREATE TEMP TABLE kids AS
        SELECT md5(i::VARCHAR) AS child_key,
               DATE '2026-09-30' - (random() * 2190)::INTEGER AS dob,
               'E01' || lpad(((random() * ?)::INTEGER % ?)::VARCHAR, 6, '0') AS lsoa_code,
               random() AS u
        FROM range(?) t(i)""", [lsoas, lsoas, int(children * 1.2)])
    con.execute("""
        INSERT INTO births (child_key, dob, lsoa_code, received_on, event, import_id)
        SELECT child_key, dob, lsoa_code, dob + 30 + (random() * 60)::INTEGER, 'birth', 1 FROM kids""")
    con.execute("""
        INSERT INTO registrations (child_key, dob, lsoa_code, centre_id, registered_on, family_key, import_id)
        SELECT k.child_key, k.dob, k.lsoa_code, ra.centre_id, k.dob + 40 + (random() * 200)::INTEGER,
               md5((hash(k.child_key) % 2000000)::VARCHAR), 2
        FROM kids k JOIN reach_areas ra USING (lsoa_code) WHERE k.u < 0.85""")
    # One in ten registered children moved and registered again elsewhere.
    con.execute("""
        INSERT INTO registrations (child_key, dob, lsoa_code, centre_id, registered_on, import_id)
        SELECT child_key, dob, 'E01' || lpad(((random() * ?)::INTEGER % ?)::VARCHAR, 6, '0'), centre_id,
               registered_on + 200, 3
        FROM registrations WHERE hash(child_key) % 10 = 0""", [lsoas, lsoas])
    con.execute("""
        INSERT INTO contacts (child_key, contact_on, centre_id, activity, import_id)
        SELECT DISTINCT child_key, registered_on + (random() * 700)::INTEGER, centre_id, 'session', 4
        FROM registrations, range(3) t(n)""")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("reach_areas", "centres", "births", "registrations", "contacts")}
    con.execute("CHECKPOINT")
    con.close()
    return counts


def baseline_scan(con) -> float:
    """The cost of touching the registrations once: distinct children per LSOA to a date."""
    _, seconds = _timed("baseline", lambda: con.execute(
        "SELECT lsoa_code, count(DISTINCT child_key) FROM registrations WHERE registered_on <= ? GROUP BY 1",
        [AS_AT]).fetchall())
    return seconds


def write_births_csv(path: Path, rows: int) -> None:
    """A births extract as health would send it: NHS numbers (valid check digits), dates, LSOAs."""
    import duckdb
    con = duckdb.connect()
    con.execute("SELECT setseed(0.5)")
    # Nine random digits, then the modulus-11 check digit (rows whose check would be 10 are dropped
    # and made up with a few spare rows).
    con.execute(f"""
        COPY (
          WITH digits AS (
            SELECT i, lpad(((random() * 999999999)::BIGINT)::VARCHAR, 9, '0') AS nine
            FROM range({int(rows * 1.15)}) t(i)
          ), checked AS (
            SELECT i, nine, 11 - (list_sum([ (10 - j) * (substr(nine, j + 1, 1))::INTEGER FOR j IN range(9)]) % 11) AS c
            FROM digits
          )
          SELECT nine || CASE WHEN c = 11 THEN '0' ELSE c::VARCHAR END AS nhs_number,
                 strftime(DATE '2025-01-01' + (i % 600)::INTEGER, '%Y-%m-%d') AS dob,
                 'E01' || lpad((i % 33755)::VARCHAR, 6, '0') AS lsoa_code,
                 '2026-09-15' AS received_on
          FROM checked WHERE c <> 10 LIMIT {rows}
        ) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def time_import(folder: Path, rows: int, *, profile: bool = False) -> tuple[float, float]:
    """Import a births file of `rows` rows into a new store, beside a bare DuckDB load of the same
    file into a new database (`CREATE TABLE AS SELECT * FROM read_csv`), and print both, the
    ratio and the second import of the same file; return (import seconds, bare seconds)."""
    import duckdb

    from data.importers import import_file

    csv = folder / "births.csv"
    write_births_csv(csv, rows)
    bare_db = folder / "bare.duckdb"
    quoted = str(csv).replace("'", "''")

    def bare_load() -> None:
        # Closed within the time, as an import is: the table is then written to disk.
        bare = duckdb.connect(str(bare_db))
        bare.execute(f"CREATE TABLE births AS SELECT * FROM read_csv('{quoted}', all_varchar = true)")
        bare.close()

    _, bare_seconds = _timed("bare", bare_load)
    store = folder / "import.duckdb"
    connect(store).close()
    profiler = None
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    summary, seconds = _timed("import", import_file, "births", csv, db=store)
    if profiler is not None:
        import pstats
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
    again, again_seconds = _timed("again", import_file, "births", csv, db=store)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nImport of a births file of {rows:,} rows ({csv.stat().st_size / 1e6:,.0f} MB):")
    print(f"{'bare DuckDB load (CREATE TABLE AS ... read_csv)':<52}{bare_seconds:>8.2f} s{1:>8.1f} x")
    print(f"{'import (checks, hashing, quarantine, one transaction)':<52}{seconds:>8.2f} s"
          f"{seconds / bare_seconds:>8.1f} x")
    print(f"{'the same file again (nothing changes)':<52}{again_seconds:>8.2f} s"
          f"{again_seconds / bare_seconds:>8.1f} x")
    print(f"  {summary.line()}\n  {again.line()}\n  peak memory of this process: {peak_mb:,.0f} MB")
    return seconds, bare_seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = England (default)")
    parser.add_argument("--skip-import", action="store_true", help="do not time the 3-million-row import")
    parser.add_argument("--import-only", action="store_true",
                        help="time only the import against a bare DuckDB load (no England store built)")
    parser.add_argument("--profile", action="store_true", help="profile the import (cProfile) and print it")
    args = parser.parse_args()
    if args.import_only:
        os.environ.setdefault("REACH_SECRET", "benchmark-only-not-a-real-key-0123456789")
        with tempfile.TemporaryDirectory() as folder:
            time_import(Path(folder), int(3_000_000 * args.scale), profile=args.profile)
        return 0

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "england.duckdb"
        os.environ.setdefault("REACH_SECRET", "benchmark-only-not-a-real-key-0123456789")
        counts, build_seconds = _timed("build", build_synthetic_store, db, scale=args.scale)
        print(f"Synthetic store built in {build_seconds:.1f} s: " +
              ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        con = connect(db, read_only=True)
        base = baseline_scan(con)
        print(f"\nBaseline (one DuckDB scan of the registrations): {base:.3f} s\n")
        print(f"{'measure':<44}{'seconds':>10}{'x baseline':>12}")
        rows = []
        for label, call in [
            ("report per centre", lambda: reach_report(con, as_at=AS_AT, by="centre")),
            ("report per LSOA", lambda: reach_report(con, as_at=AS_AT, by="lsoa")),
            ("report for the authority", lambda: reach_report(con, as_at=AS_AT, by="authority")),
            ("trend, 36 month-ends, per centre", lambda: reach_trend(
                con, dates=month_ends(until=AS_AT, months=36), by="centre")),
            ("for publication (all levels, protected)", lambda: published_figures(con, as_at=AS_AT)),
        ]:
            result, seconds = _timed(label, call)
            rows.append((label, seconds))
            print(f"{label:<44}{seconds:>10.2f}{seconds / base:>12.1f}")
        con.close()

        if not args.skip_import:
            time_import(Path(folder), int(3_000_000 * args.scale), profile=args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
