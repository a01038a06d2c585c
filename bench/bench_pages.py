"""How long each page of the dashboard takes to open, the first time after an import and again.

Each page's script is run headless with Streamlit's own test harness (AppTest), on the store
given, in this process: first with every cached figure emptied (a first visit after an import,
once the import's step has stored the figures the pages open on), then again (a later visit,
from the dashboard's cache). The times are those of the script's run, the browser's drawing not
included. The figures are stored first by `python -m reach figures --again` in a process of its
own, as after an import, timed with its peak memory; this process's peak memory is then the
dashboard's, every page opened. It is not a test: run it by hand, or through `bench_scale.py`.

    python bench/bench_pages.py                 # the demo authority, built in a new folder
    python bench/bench_pages.py --db PATH       # a store of your own (it gets its stored figures)
    python bench/bench_pages.py --trace         # and the slowest figures each page worked out
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

# The pages, as the navigation in dashboard.py lists them.
PAGES = {
    "Overview": "views/overview.py",
    "My centre": "views/my_centre.py",
    "Compare": "views/compare.py",
    "Best Start": "views/best_start.py",
    "Map and gaps": "views/map.py",
    "What if": "views/whatif.py",
    "Data and definitions": "views/data.py",
}


def _clear_caches() -> None:
    import streamlit as st
    st.cache_data.clear()


def _traced(calls: dict):
    """Wrap views.common.read so that each figure worked out on a page is timed, by name."""
    from views import common

    original = common.read

    def read(function, *args, **kwargs):
        named = function
        if function.__name__ == "stored_or_computed":     # (path, the figure's function, ...)
            named = args[1]
        start = time.perf_counter()
        try:
            return original(function, *args, **kwargs)
        finally:
            calls[f"{named.__module__}.{named.__qualname__}"] += time.perf_counter() - start

    common.read = read
    return original


def time_pages(db_path, *, store_figures: bool = True, trace: bool = False,
               timeout: float = 600) -> list[dict]:
    """Time every page on the store at `db_path`: one row per page, `page`, `first_s` (the run
    with every cache emptied) and `again_s` (the next run of the same page, from the cache).

    With `store_figures`, the figures the pages open on are stored first, as an import does
    (`store_in_own_process`), and `store_s` and `store_peak_mb` in the first row say how long
    that took and the most memory it held. With `trace`, each row has `slowest`: the three figures that took
    longest to work out on the first run, with their seconds."""
    from streamlit.testing.v1 import AppTest

    db = Path(db_path)
    previous = os.environ.get("REACH_DB")
    os.environ["REACH_DB"] = str(db)
    os.environ.setdefault("REACH_SECRET", "bench-secret-not-for-real-data-0123456789")
    stored_seconds = stored_peak_mb = None
    if store_figures:
        stored_seconds, stored_peak_mb = store_in_own_process(db, timeout=timeout * 10)
    calls: dict = defaultdict(float)
    original = _traced(calls) if trace else None
    rows = []
    # Streamlit runs the page as the module `__main__`, and leaves it there: a process started
    # afterwards by `multiprocessing` (as the import benchmark's file writer is) would then run
    # the dashboard instead of this program. Put ours back when done.
    main_module = sys.modules["__main__"]
    try:
        for name, script in PAGES.items():
            _clear_caches()
            at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=timeout)
            at.run()                   # lays out the navigation (on the Overview)
            if at.exception:
                raise RuntimeError(f"{name}: {at.exception}")
            _clear_caches()            # so the page's first run works out or reads everything itself
            calls.clear()
            start = time.perf_counter()
            at.switch_page(script).run()
            first = time.perf_counter() - start
            if at.exception:
                raise RuntimeError(f"{name}: {at.exception}")
            slowest = sorted(calls.items(), key=lambda item: -item[1])[:3]
            start = time.perf_counter()
            at.run()
            again = time.perf_counter() - start
            row = {"page": name, "first_s": round(first, 3), "again_s": round(again, 3)}
            if trace:
                row["slowest"] = ", ".join(f"{n.rsplit('.', 1)[-1]} {s:.2f}s" for n, s in slowest)
            rows.append(row)
    finally:
        sys.modules["__main__"] = main_module
        if original is not None:
            from views import common
            common.read = original
        if previous is None:
            os.environ.pop("REACH_DB", None)
        else:
            os.environ["REACH_DB"] = previous
    if rows and stored_seconds is not None:
        rows[0]["store_s"] = round(stored_seconds, 3)
        rows[0]["store_peak_mb"] = round(stored_peak_mb or 0)
    return rows


def store_in_own_process(db: Path, *, timeout: float = 6000) -> tuple[float, float]:
    """Store the opening figures afresh as the step after an import does, in a new Python
    (`python -m reach figures --again`): its seconds and its peak memory in MB."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reach", "figures", "--again", "--db", str(db)], cwd=PROJECT,
                          env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"storing the figures failed: {done.stderr.strip().splitlines()[-1:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # The largest child so far: this one's own peak whenever it is the largest (as storing is).
    return seconds, max(peak, before) / 1024


def peak_memory_mb() -> float:
    """The most memory this process has held so far (resident), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="the store to time the pages on (default: the demo authority, built anew)")
    parser.add_argument("--no-store", action="store_true",
                        help="do not store the opening figures first (the pages work everything out)")
    parser.add_argument("--trace", action="store_true", help="name the slowest figures of each page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reach-bench-pages-") as folder:
        db = Path(args.db) if args.db else Path(folder) / "demo.duckdb"
        if not args.db:
            os.environ.setdefault("REACH_SECRET", "bench-secret-not-for-real-data-0123456789")
            from data.demo import build_demo
            build_demo(db)
        rows = time_pages(db, store_figures=not args.no_store, trace=args.trace)
    if rows and "store_s" in rows[0]:
        print(f"opening figures stored in {rows[0]['store_s']:.2f} s (python -m reach figures --again), "
              f"peak memory {rows[0]['store_peak_mb']:,} MB")
    print(f"{'page':<22} {'first (s)':>10} {'again (s)':>10}")
    for row in rows:
        line = f"{row['page']:<22} {row['first_s']:>10.2f} {row['again_s']:>10.2f}"
        if "slowest" in row:
            line += f"   {row['slowest']}"
        print(line)
    print(f"peak memory of the dashboard (this process, every page opened): {peak_memory_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
