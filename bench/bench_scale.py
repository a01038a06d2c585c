"""The England-scale benchmark: every speed goal of Reach, in one run, against baselines.

Builds a synthetic store the size of England (33,755 LSOAs, 3,000 centres, about 3 million
under-fives with registrations, birth records and contacts), or a fraction of it with `--scale`,
then measures on this machine, in the same run, each operation beside the baseline it is judged
against:

- the import of the two big files (births and registrations, 3 million rows each at full scale)
  against a bare DuckDB load of the same file (`bench/bench_import.py`), in this process and
  through the command line (`python -m reach import --no-figures` against a Python that makes the
  bare load, each starting afresh);
- the report as at one date, per centre, per LSOA and for the authority, against one hand-written
  SQL query computing the same measures (`bench/bare_report.sql`), in this process and through
  the command line (a new Python each time, counting its start on both sides);
- a plain pandas script computing reach per centre from the same tables (the third baseline);
- the trend for 36 month-ends, every level, against the single-date report, every level; and again
  once the children's spells are kept, as the step after an import keeps them (not for --db);
- every dashboard page, the first time after an import and again (`bench/bench_pages.py`);

and prints one table of times and ratios, with the machine (cores, memory, Python and DuckDB
versions) and the peak memory. In-process times are the best of a few runs (`--repeats`), to be
fair to a busy machine. It is not a test: run it by hand.

    python bench/bench_scale.py                  # England scale (minutes, several GB of disk)
    python bench/bench_scale.py --scale 0.1      # a tenth, for a quick look
    python bench/bench_scale.py --scale 0.1 --skip-import --skip-pages
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from data.store import connect  # noqa: E402

AS_AT = date(2026, 9, 30)
MONTHS = 36
BARE_REPORT_SQL = Path(__file__).resolve().parent / "bare_report.sql"
SECRET = "benchmark-only-not-a-real-key-0123456789"

# The bare query through the command line: a new Python that imports DuckDB alone, runs the
# query and writes CSV, as `python -m reach report` does.
_BARE_COMMAND = """
import csv, datetime, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
cursor = con.execute(open(sys.argv[2]).read(), {"as_at": datetime.date.fromisoformat(sys.argv[3])})
out = csv.writer(sys.stdout)
out.writerow([c[0] for c in cursor.description])
out.writerows(cursor.fetchall())
"""

# The third baseline: reach per centre with pandas alone, from the same tables read whole.
_PANDAS_COMMAND = """
import sys, duckdb, pandas as pd
as_at = pd.Timestamp(sys.argv[2])
con = duckdb.connect(sys.argv[1], read_only=True)
regs = con.execute("SELECT child_key, dob, lsoa_code, registered_on, import_id, centre_id FROM registrations").df()
areas = con.execute("SELECT lsoa_code, centre_id FROM reach_areas").df()
population = con.execute("SELECT lsoa_code, period, children_0_4 FROM population").df()
regs = regs[regs["registered_on"] <= as_at].sort_values(["child_key", "registered_on", "import_id", "centre_id"])
latest = regs.drop_duplicates("child_key", keep="last")
fifth = latest["dob"] + pd.DateOffset(years=5)
known = latest[(latest["dob"] <= as_at) & (as_at < fifth)].groupby("lsoa_code").size().rename("known")
estimate = (population[population["period"] <= as_at].sort_values("period")
            .drop_duplicates("lsoa_code", keep="last").set_index("lsoa_code")["children_0_4"])
lsoas = areas.set_index("lsoa_code").join(known).join(estimate).fillna(0)
centres = lsoas.groupby("centre_id")[["known", "children_0_4"]].sum()
centres["reach_pct"] = 100 * centres["known"] / centres["children_0_4"]
centres.to_csv(sys.stdout)
"""


def _best_of(repeats: int, function) -> float:
    """The fastest of `repeats` runs, in seconds."""
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _command_seconds(repeats: int, *argv: str) -> float:
    """The fastest of `repeats` runs of a command in a new Python, output read and thrown away."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT), REACH_SECRET=os.environ.get("REACH_SECRET", SECRET))

    def run() -> None:
        done = subprocess.run([sys.executable, *argv], cwd=PROJECT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{argv[:2]} failed: {done.stderr.strip().splitlines()[-1:]}")
    return _best_of(repeats, run)


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


def machine() -> str:
    """Cores, memory, Python and DuckDB: what the times were measured on."""
    import duckdb
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {memory_gb:,.0f} GB memory, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}")


def peak_memory_mb() -> tuple[float, float]:
    """The peak resident memory of this process and of the largest command it ran, in MB."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def time_reports(db: Path, *, as_at: date = AS_AT, repeats: int = 3, keep_spells: bool = True) -> list[tuple]:
    """(operation, seconds, baseline, baseline seconds, goal) for the report and the trend; with
    `keep_spells`, the trend again after keeping the children's spells in the store."""
    from reach.domain.months import month_ends
    from reach.queries.report import reach_report, reach_reports, reach_trends

    sql = BARE_REPORT_SQL.read_text()
    con = connect(db, read_only=True)
    try:
        con.execute(sql, {"as_at": as_at}).fetchall()          # warm the file cache
        bare = _best_of(repeats, lambda: con.execute(sql, {"as_at": as_at}).fetchall())
        rows = [("bare SQL report, per centre (in process)", bare, None, None, None)]
        for by in ("centre", "lsoa", "authority"):
            seconds = _best_of(repeats, lambda level=by: reach_report(con, as_at=as_at, by=level))
            rows.append((f"report per {by} (in process)", seconds, "bare SQL report", bare, 1.5))
        every_level = _best_of(repeats, lambda: reach_reports(con, as_at=as_at))
        dates = month_ends(until=as_at, months=MONTHS)
        trend = _best_of(repeats, lambda: reach_trends(con, dates=dates))
        rows.append(("report, every level (in process)", every_level, None, None, None))
        rows.append((f"trend, {MONTHS} month-ends, every level", trend, "report, every level", every_level, 2.0))
    finally:
        con.close()
    if keep_spells:       # the step after an import keeps the children's spells; a trend then reads them
        from reach.queries.figures_store import keep_trend_spells
        start = time.perf_counter()
        keep_trend_spells(db, again=True)
        rows.append(("keeping the children's spells (after an import)", time.perf_counter() - start,
                     None, None, None))
        con = connect(db, read_only=True)
        try:
            kept = _best_of(repeats, lambda: reach_trends(con, dates=dates))
            rows.append((f"trend, {MONTHS} month-ends, spells kept", kept, "report, every level", every_level, 2.0))
        finally:
            con.close()
    day = as_at.isoformat()
    bare_cli = _command_seconds(repeats, "-c", _BARE_COMMAND, str(db), str(BARE_REPORT_SQL), day)
    rows.append(("bare SQL report, per centre (command line)", bare_cli, None, None, None))
    command = {}
    for by in ("centre", "lsoa", "authority"):
        command[by] = _command_seconds(repeats, "-m", "reach", "report", "--as-at", day, "--by", by, "--db", str(db))
        rows.append((f"python -m reach report --by {by}", command[by], "bare SQL report (command line)",
                     bare_cli, 1.5))
    pandas_cli = _command_seconds(repeats, "-c", _PANDAS_COMMAND, str(db), day)
    rows.append(("plain pandas script: reach per centre (command line)", pandas_cli, None, None, None))
    rows.append(("python -m reach report --by centre, against pandas", command["centre"], "plain pandas script",
                 pandas_cli, None))
    return rows


def time_imports(rows: int, workdir: Path) -> list[tuple]:
    """The two big files' imports against a bare DuckDB load (`bench/bench_import.py`), and the
    births file placed by postcode instead of LSOA."""
    try:
        from bench.bench_import import BY_POSTCODE, time_import
    except ImportError:
        print("(bench/bench_import.py is not there: the import is not timed)")
        return []
    timed = []
    for kind in ("births", BY_POSTCODE, "registrations"):
        result = time_import(rows, workdir / kind, kind=kind)
        timed.append((f"import of {result['rows']:,} {kind} rows", result["import_s"],
                      "bare DuckDB load of the file", result["bare_load_s"], 3.0))
        timed.append((f"the same {kind} file again", result["again_s"], "bare DuckDB load of the file",
                      result["bare_load_s"], None))
        timed.append((f"bare DuckDB load of the {kind} file (command line)", result["bare_command_s"],
                      None, None, None))
        command = "births --no-figures (by postcode)" if kind == BY_POSTCODE else f"{kind} --no-figures"
        timed.append((f"python -m reach import {command}", result["import_command_s"],
                      "the bare load (command line)", result["bare_command_s"], 3.0))
        timed.append((f"python -m reach import {command.replace(' --no-figures', '')} (figures after it)",
                      result["default_command_s"], "the bare load (command line)", result["bare_command_s"], 3.0))
        print(f"  import peak memory so far: {result['peak_rss_mb']:,.0f} MB")
    return timed


def time_dashboard(db: Path) -> list[tuple]:
    """Every page, first after an import and again (`bench/bench_pages.py`)."""
    try:
        from bench.bench_pages import time_pages
    except ImportError:
        print("(bench/bench_pages.py is not there: the pages are not timed)")
        return []
    timed = []
    for row in time_pages(db):
        timed.append((f"page {row['page']}: first time", row["first_s"], "goal", 3.0, None))
        timed.append((f"page {row['page']}: again", row["again_s"], "goal", 1.0, None))
    return timed


def print_table(rows: list[tuple]) -> None:
    print(f"\n{'operation':<56}{'seconds':>9}  {'against':<32}{'seconds':>9}{'ratio':>8}{'goal':>7}")
    for operation, seconds, against, base, goal in rows:
        if against is None:
            print(f"{operation:<56}{seconds:>9.2f}")
        elif against == "goal":
            print(f"{operation:<56}{seconds:>9.2f}  {'under ' + format(base, 'g') + ' s':<32}{'':>9}{'':>8}"
                  f"{'yes' if seconds < base else 'NO':>7}")
        else:
            ratio = seconds / base if base else float("nan")
            print(f"{operation:<56}{seconds:>9.2f}  {against:<32}{base:>9.2f}{ratio:>7.2f}x"
                  f"{(format(goal, 'g') + 'x') if goal else '':>7}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = England (default); 0.1 for a quick look")
    parser.add_argument("--db", help="time this store instead of building a synthetic one (not written to, "
                                     "unless the pages are timed: they store the figures they open on)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each; the fastest counts (default 3)")
    parser.add_argument("--skip-import", action="store_true", help="do not time the imports")
    parser.add_argument("--skip-pages", action="store_true", help="do not time the dashboard's pages")
    args = parser.parse_args()
    os.environ.setdefault("REACH_SECRET", SECRET)
    print(f"Machine: {machine()}")
    rows: list[tuple] = []
    with tempfile.TemporaryDirectory() as folder:
        if args.db:
            db = Path(args.db)
        else:
            db = Path(folder) / "england.duckdb"
            start = time.perf_counter()
            counts = build_synthetic_store(db, scale=args.scale)
            print(f"Synthetic store at scale {args.scale:g}, built in {time.perf_counter() - start:.0f} s: "
                  + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        rows += time_reports(db, repeats=args.repeats, keep_spells=not args.db)   # never written to a store of yours
        if not args.skip_pages:
            rows += time_dashboard(db)
        if not args.skip_import:
            rows += time_imports(int(3_000_000 * args.scale), Path(folder) / "imports")
    print_table(rows)
    own, commands = peak_memory_mb()
    print(f"\nPeak memory: {own:,.0f} MB in this process, {commands:,.0f} MB in the largest command it ran.")
    print(f"Machine: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
