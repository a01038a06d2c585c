"""The command line: `python -m reach COMMAND ...` (or `python -m cli COMMAND ...`).

Exit status: 0 success, 2 a fault in the input or the arguments (the message says which file,
which column and what was expected), 3 the database is busy (another program is writing it),
1 an internal error (one line; the details go to `<database>.errors.log`), 130 interrupted.

Each command lives in its own module (`cli.imports` for import, quarantine and history;
`cli.report`, `cli.demo`, `cli.whatif`), which adds its part of the parser; what they share is
in `cli.common`.
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from cli.common import EXIT_BUSY, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, is_input_fault, use_site_words
from cli.access import add_access_parser
from cli.demo import add_demo_parser
from cli.export import add_export_parser
from cli.figures import add_figures_parser
from cli.imports import add_history_parser, add_import_parser, add_inspect_parser, add_quarantine_parser
from cli.outcomes import add_outcomes_parser
from cli.report import add_report_parser
from cli.settings import add_settings_parser
from cli.sites import add_sites_parser
from cli.trend import add_trend_parser
from cli.upgrade import add_upgrade_parser
from cli.whatif import add_whatif_parser
from cli.worklist import add_exports_parser, add_worklist_parser
from data.store import StoreBusyError, database_path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reach",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.dedent("""\
            Reach: what share of the under-fives in each children's centre's area it knows.

            Load data with `import` (see first what it would do with `inspect`), read the figures
            with `report`, see rejected rows with
            `quarantine`, try the demo authority with `demo`, and model faster sharing of birth
            data with `whatif`; `upgrade` brings a database from an older Reach up to date.
            Every command takes --db PATH (default: $REACH_DB, else data/reach.duckdb)."""),
        epilog=textwrap.dedent("""\
            examples:
              python -m reach demo
              python -m reach import population mid-year_2024_population_estimates_lsoa.csv
              python -m reach report --as-at 2026-09-30 --format table
              python -m reach whatif --sharing monthly --format table"""),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_import_parser(commands)
    add_inspect_parser(commands)
    add_report_parser(commands)
    add_trend_parser(commands)
    add_access_parser(commands)
    add_sites_parser(commands)
    add_outcomes_parser(commands)
    add_export_parser(commands)
    add_quarantine_parser(commands)
    add_history_parser(commands)
    add_demo_parser(commands)
    add_figures_parser(commands)
    add_whatif_parser(commands)
    add_worklist_parser(commands)
    add_exports_parser(commands)
    add_upgrade_parser(commands)
    add_settings_parser(commands)
    return parser


def main(argv=None) -> int:
    """Run one command and return its exit status; no error ever ends in a traceback.

    0 done; 2 a fault in the file or the arguments (the message says what); 3 the database is
    busy; 130 stopped with Ctrl+C; 1 an internal error: a bug, or a fault of this computer (a
    full disk, a damaged database). For an internal error only one line is printed, naming the
    kind of error and the log that holds its details. A traceback can quote the data being
    worked on (a row, a name), so it is not printed, and not logged either: what is appended to
    `<database>.errors.log` beside the database (readable by its owner only, mode 0600) is the
    error's type and where it happened, file, line and function, frame by frame, never its text.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        use_site_words(getattr(args, "db", None))     # children's centres or family hubs
        return args.func(args)
    except StoreBusyError as error:
        print(str(error), file=sys.stderr)
        return EXIT_BUSY
    except FileNotFoundError as error:
        print(str(error), file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        print(f"{parser.prog} {args.command}: Reach ran out of memory on this computer",
              file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(f"\n{parser.prog} {args.command}: stopped (Ctrl+C); an import under way wrote nothing",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (`report ... | head`): nothing to say, and Python
        # must not complain again when it flushes stdout at exit.
        _silence_stdout()
        return EXIT_INTERNAL
    except Exception as error:
        if is_input_fault(error):    # a bare ValueError is not: pandas raises those on a bug
            from data.importers.errors import shortened
            print(f"{parser.prog} {args.command}: {shortened(str(error), 1_000)}", file=sys.stderr)
            return EXIT_INPUT
        where = _log_internal_error(args, error)
        saved = (f"the details were written to {where}" if where
                 else "the details could not be written to a log")
        print(f"Reach stopped because of an internal error ({type(error).__name__}); {saved}",
              file=sys.stderr)
        return EXIT_INTERNAL


def _log_internal_error(args, error: BaseException) -> str | None:
    """Append the error being handled (its type and frames, not its text) to the owner-only log
    beside the database, and return
    the log's path; None if it cannot be written (then the details are lost, never printed)."""
    import os
    from datetime import datetime

    from reach.presentation.safe_text import fault_summary

    try:
        log = database_path(getattr(args, "db", None))
        log = log.with_name(log.name + ".errors.log")
        # O_NOFOLLOW: a link planted at the log's name must not redirect the entry elsewhere.
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(log, flags, 0o600)
        try:
            os.fchmod(descriptor, 0o600)        # a log made before, by hand, is closed up too
            entry = (f"--- {datetime.now().isoformat(timespec='seconds')} "
                     f"python -m reach {args.command}\n{fault_summary(error)}\n")
            os.write(descriptor, entry.encode("utf-8", "replace"))
        finally:
            os.close(descriptor)
        return str(log)
    except Exception:
        return None


def _silence_stdout() -> None:
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
