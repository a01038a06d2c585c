"""`figures`: store the figures the dashboard's pages open on, as the step after an import does."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from typing import NoReturn

from cli.common import EXIT_BUSY, EXIT_INTERRUPTED, EXIT_OK, add_command
from data.figures_worker import WORKER_FLAG


def storing_progress(stream=None):
    """Which figure is being worked out, on one line that rewrites itself on a terminal;
    nothing otherwise (a log gets the closing line alone). Standard error as it is when called,
    not as it was when this module was loaded (a test's capture may have closed that one)."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None

    def report(done, total, name):
        print(f"\r  storing the figures the dashboard opens on: {done} of {total} ({name})"[:100].ljust(100),
              end="", file=stream, flush=True)
    return report


def store_figures_now(db, *, again: bool = False) -> tuple[int, str]:
    """Store the dashboard's opening figures not stored yet (all of them with `again`): the exit
    status and the line that says how it went. Ctrl+C keeps what was stored."""
    from reach.queries.figures_store import StoringInterrupted, store_opening_figures

    progress = storing_progress()
    try:
        stored = store_opening_figures(db, progress=progress, again=again)
        status, line = (EXIT_OK if stored.stopped is None else EXIT_BUSY), stored.line()
    except StoringInterrupted as interrupted:
        status, line = EXIT_INTERRUPTED, interrupted.stored.line()
    finally:
        if progress is not None:
            print("\r" + " " * 100 + "\r", end="", file=sys.stderr, flush=True)
    if status != EXIT_OK:
        line += " `python -m reach figures` stores the rest."
    return status, line


def run_figures(args) -> int:
    from data import figures_worker
    from data.store import database_path

    db = database_path(args.db)
    if args.background:
        print(store_figures_in_background(db, again=args.again))
        return EXIT_OK
    if args.as_worker:
        return _work_in_background(db, again=args.again)
    figures_worker.stop(db)     # here and now instead: a worker would only do the same beside us
    status, line = store_figures_now(db, again=args.again)
    print(line, file=sys.stdout if status == EXIT_OK else sys.stderr)
    return status


def _work_in_background(db, *, again: bool) -> NoReturn:
    """The background worker (data.figures_worker): store the figures, say how it went in its
    log, and end at once, so that whoever stopped it has the store back without waiting for
    Python to tidy gigabytes away (the store is closed by then)."""
    from data import figures_worker
    from data.store import ENV_BUSY_WAIT

    figures_worker.become_worker()
    os.environ[ENV_BUSY_WAIT] = str(figures_worker.STORE_WAIT_SECONDS)
    stopped = ("Stopped to let another command have the store; what was stored stays, and the next "
               "import or `python -m reach figures` stores the rest.")
    status, line = EXIT_INTERRUPTED, stopped
    try:
        status, line = store_figures_now(db, again=again)
    except BaseException:
        # Asked to stop, it ends in a KeyboardInterrupt, or in DuckDB's own error when the stop
        # came inside a query; anything else is a fault of its own, for the log.
        if not figures_worker.stop_requested():
            raise
    finally:
        figures_worker.finished(db)
    if figures_worker.stop_requested():        # one line however far it got
        status, line = EXIT_INTERRUPTED, stopped
    print(line, flush=True)
    os._exit(status)


def store_figures_in_background(db, *, again: bool = False) -> str:
    """Start a background process storing the figures (data.figures_worker); what to tell the person."""
    from data import figures_worker

    try:
        number = figures_worker.start(db, again=again)
    except OSError as error:      # a folder it may not write in, no process to spare
        reason = error.strerror or str(error)
        return (f"The figures the dashboard opens on could not be stored in the background ({reason}): "
                "each page works them out when first opened, or `python -m reach figures` stores them.")
    return (f"The figures the dashboard opens on are being stored in the background (process {number}, "
            f"about a minute at England's size; it says how it went in {figures_worker.log_file(db).name}). "
            "Pages opened meanwhile work out what is not stored yet; `python -m reach figures` stores "
            "them here and now instead.")


def add_figures_parser(commands) -> None:
    p = add_command(
        commands, "figures", run=run_figures, help="store the figures the dashboard opens on",
        description=textwrap.dedent("""\
            Work out the figures the dashboard's pages open on (the report, the trend, what can be
            published and the rest, as at the date the pages open on; from 2,000 LSOAs, what can be
            published as at each earlier quarter-end too) and keep them in the store, so that no
            page waits for them. Every import does this itself afterwards (on a large
            store, in a background process), unless told not to with --no-figures; run it once
            after the last of several such imports. Only what is not stored yet for the data as
            it is now is worked out: stopped part way (Ctrl+C), it keeps what it stored and
            carries on from there when run again."""),
        epilog=textwrap.dedent("""\
            examples:
              python -m reach import births births_2026_08.csv --no-figures
              python -m reach import registrations registrations_2026_08.csv --no-figures
              python -m reach figures
              python -m reach figures --background"""),
    )
    p.add_argument("--again", action="store_true",
                   help="work every figure out again, even those already stored for this data")
    p.add_argument("--background", action="store_true",
                   help="store them in a background process and return at once (what an import on a "
                        "large store does); the next import, or `figures` run again, stops it")
    p.add_argument(WORKER_FLAG, action="store_true", help=argparse.SUPPRESS)   # the background process itself
