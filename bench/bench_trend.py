"""The trend against the single-date report: is the trend within 2x one date, whatever the
number of dates?

Builds the synthetic England-shaped store of `bench_scale.py` (or opens a store given with
--db, such as the demo), then times, in the same run on the same store:

- the report as at one date, every level (`reach_reports`);
- the trend for 36 and for 120 month-ends (or the numbers `--months` gives), every level
  (`reach_trends`), with the children's spells worked out by the trend itself;
- keeping the spells in the store, as the step after an import does (`keep_trend_spells`), and
  the same trends again, reading them (not for a store given with --db unless --keep-spells);

and prints each, in elapsed and in processor seconds, each trend's ratio to the report, and the
peak memory of the process. The goal is a ratio of 2 or less for every trend. On a busy machine
the elapsed times swing with what else runs; the processor seconds (every thread of this
process) swing less. It is not a test: run it by hand.

    python bench/bench_trend.py --scale 0.1             # a tenth of England
    python bench/bench_trend.py --db demo.duckdb        # an existing store (say, the demo)
    python bench/bench_trend.py --scale 0.1 --months 12,36,120
    python bench/bench_trend.py --db england.duckdb --keep-spells     # writes to that store
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data.store import connect  # noqa: E402
from reach.domain.months import month_ends  # noqa: E402
from reach.queries.report import reach_reports, reach_trends  # noqa: E402

AS_AT = date(2026, 9, 30)
MONTHS = (36, 120)


def _best_of(repeats: int, function) -> tuple[float, float]:
    """The fastest of a few runs, in elapsed and in processor seconds (the first run also warms
    DuckDB's caches)."""
    times = []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), _cpu_seconds()
        function()
        times.append((time.perf_counter() - start, _cpu_seconds() - cpu))
    return min(t[0] for t in times), min(t[1] for t in times)


def _cpu_seconds() -> float:
    used = os.times()
    return used.user + used.system


def peak_memory_mb() -> float:
    """The peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_trend(db: Path, *, as_at: date = AS_AT, months: int | tuple[int, ...] = MONTHS,
               repeats: int = 2, kept: bool = False) -> tuple[tuple[float, float], dict[int, tuple[float, float]]]:
    """(elapsed, processor) seconds for the single-date report, and for the trend of each number
    of month-ends in `months`, every level: reading the spells the store keeps (`kept`), or
    working them out, whether the store keeps them or not."""
    from reach.queries import trend

    counts = (months,) if isinstance(months, int) else tuple(months)
    stored_spells = trend._stored_spells
    if not kept:       # the trend as it is where nothing is kept: it works the spells out
        trend._stored_spells = lambda *args, **kwargs: None
    con = connect(db, read_only=True)
    try:
        reach_reports(con, as_at=as_at)                        # warm DuckDB's caches first
        report = _best_of(repeats, lambda: reach_reports(con, as_at=as_at))
        trends = {}
        for count in counts:
            dates = month_ends(until=as_at, months=count)
            trends[count] = _best_of(repeats, lambda dates=dates: reach_trends(con, dates=dates))
    finally:
        con.close()
        trend._stored_spells = stored_spells
    return report, trends


def keep_spells(db: Path) -> tuple[float, float]:
    """Keep the children's spells in the store as the step after an import does: (elapsed,
    processor) seconds."""
    from reach.queries.figures_store import keep_trend_spells

    start, cpu = time.perf_counter(), _cpu_seconds()
    keep_trend_spells(db, again=True)
    return time.perf_counter() - start, _cpu_seconds() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = England (default)")
    parser.add_argument("--db", help="time this store instead of building a synthetic one")
    parser.add_argument("--as-at", default=AS_AT.isoformat(), help=f"the last month-end (default {AS_AT})")
    parser.add_argument("--months", default=",".join(str(m) for m in MONTHS),
                        help="month-ends in each trend timed, separated by commas (default "
                             f"{','.join(str(m) for m in MONTHS)})")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each; the fastest counts (default 2)")
    parser.add_argument("--keep-spells", action="store_true",
                        help="with --db: keep the spells in that store, as after an import, and time again")
    args = parser.parse_args()
    as_at = date.fromisoformat(args.as_at)
    os.environ.setdefault("REACH_SECRET", "benchmark-only-not-a-real-key-0123456789")

    with tempfile.TemporaryDirectory() as folder:
        if args.db:
            db = Path(args.db)
            print(f"Store: {db.name}")
        else:
            from bench_scale import build_synthetic_store
            db = Path(folder) / "england.duckdb"
            counts = build_synthetic_store(db, scale=args.scale)
            print(f"Synthetic store at scale {args.scale:g}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        months = tuple(int(m) for m in str(args.months).split(",") if m.strip())
        report, trends = time_trend(db, as_at=as_at, months=months, repeats=args.repeats)
        kept_trends = kept_seconds = None
        if not args.db or args.keep_spells:
            kept_seconds = keep_spells(db)
            _, kept_trends = time_trend(db, as_at=as_at, months=months, repeats=args.repeats, kept=True)
    print(f"{'measure':<56}{'seconds':>10}{'processor s':>13}{'x report':>10}{'x processor':>13}")
    print(f"{'report as at one date, every level':<56}{report[0]:>10.2f}{report[1]:>13.2f}")
    for count, trend in trends.items():
        print(f"{f'trend, {count} month-ends, every level, spells worked out':<56}{trend[0]:>10.2f}{trend[1]:>13.2f}"
              f"{trend[0] / report[0]:>9.2f}x{trend[1] / report[1]:>12.2f}x")
    if kept_trends is not None and kept_seconds is not None:
        print(f"{'keeping the spells (the step after an import)':<56}{kept_seconds[0]:>10.2f}{kept_seconds[1]:>13.2f}")
        for count, trend in kept_trends.items():
            print(f"{f'trend, {count} month-ends, every level, spells kept':<56}{trend[0]:>10.2f}{trend[1]:>13.2f}"
                  f"{trend[0] / report[0]:>9.2f}x{trend[1] / report[1]:>12.2f}x")
    print("goal: each trend 2 x the report or less")
    print(f"peak memory of this process: {peak_memory_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
