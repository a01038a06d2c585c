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
import importlib
import sys
import textwrap

from cli.common import EXIT_BUSY, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, is_input_fault, use_site_words
from data.store import StoreBusyError, database_path

# Every command, in the order the help lists them, and the module and function that add it to
# the parser. A command's module is imported only when that command is run (or the whole list is
# asked for): `report` then loads nothing that the importers, the maps or the what-if model
# stand on, which would add a fifth of a second to every report. The names must be the ones the
# modules give their commands (a test holds them equal).
COMMANDS = {
    "import": ("cli.imports", "add_import_parser"),
    "inspect": ("cli.imports", "add_inspect_parser"),
    "report": ("cli.report", "add_report_parser"),
    "trend": ("cli.trend", "add_trend_parser"),
    "access": ("cli.access", "add_access_parser"),
    "sites": ("cli.sites", "add_sites_parser"),
    "outcomes": ("cli.outcomes", "add_outcomes_parser"),
    "export": ("cli.export", "add_export_parser"),
    "quarantine": ("cli.imports", "add_quarantine_parser"),
    "history": ("cli.imports", "add_history_parser"),
    "demo": ("cli.demo", "add_demo_parser"),
    "figures": ("cli.figures", "add_figures_parser"),
    "whatif": ("cli.whatif", "add_whatif_parser"),
    "worklist": ("cli.worklist", "add_worklist_parser"),
    "exports": ("cli.worklist", "add_exports_parser"),
    "upgrade": ("cli.upgrade", "add_upgrade_parser"),
    "settings": ("cli.settings", "add_settings_parser"),
}

# The commands that start or stop the background worker storing the figures themselves; every
# other command sets it aside while it runs (data.figures_worker).
WORKER_OWN_COMMANDS = ("import", "demo", "figures")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; with `command` (one of COMMANDS), of that command alone,
    which parses its arguments and words its help and errors exactly as the whole parser does."""
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
    for name in [command] if command in COMMANDS else COMMANDS:
        module, adder = COMMANDS[name]
        getattr(importlib.import_module(module), adder)(commands)
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
    argv = sys.argv[1:] if argv is None else list(argv)
    # The command comes first (the only option before it is --help, which lists every command).
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    try:
        with _worker_set_aside(args):
            if not getattr(args, "words_from_its_store", False):
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


def _worker_set_aside(args):
    """A background worker storing the figures gives way to the command while it runs
    (data.figures_worker), but for the commands that start or stop it themselves."""
    import contextlib
    from data import figures_worker

    if args.command in WORKER_OWN_COMMANDS:
        return contextlib.nullcontext()
    return figures_worker.set_aside(database_path(getattr(args, "db", None)))


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
