"""What every command shares: the exit statuses, the help layout, the --db and date arguments,
progress on stderr, and tables and CSV on stdout made safe to print."""

from __future__ import annotations

import argparse
import sys
from datetime import date

# 0 success, 2 a fault in the input or the arguments, 3 the database is busy, 1 an internal
# error, 130 interrupted (see `cli.main.main`).
EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    pass


def date_argument(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def add_db_option(parser):
    parser.add_argument("--db", metavar="PATH",
                        help="the Reach database (default: $REACH_DB, else data/reach.duckdb)")


def progress_printer(stream=sys.stderr):
    """Progress for large files on stderr, so stdout keeps only the one-line summary: a line
    that rewrites itself on a terminal, and a line per 100,000 rows read otherwise (a log)."""
    if stream.isatty():
        def report(done, total, stage):
            of = f" of {total:,}" if total else ""
            print(f"\r  {stage}: {done:,}{of} rows   ", end="", file=stream, flush=True)
        return report

    importer_stages = {"reading", "checking", "saving", "done"}

    def report(done, total, stage):
        if stage == "reading" and done and done % 100_000 == 0:
            print(f"  read {done:,} rows", file=stream, flush=True)
        elif stage not in importer_stages:   # the demo's steps, one line each
            print(f"  {stage}", file=stream, flush=True)
    return report


def print_table(frame, stream=sys.stdout):
    """A readable fixed-width table: counts with thousands separators, percentages to 1 dp, and
    no control character from a name sent to the terminal."""
    from reach.presentation.format import format_frame
    from reach.presentation.safe_text import terminal_safe
    print(terminal_safe(format_frame(frame)).to_string(index=False), file=stream)


def write_csv(frame) -> None:
    """`frame` as CSV on stdout, safe to open in a spreadsheet: a text cell that would run as a
    formula (a name starting with `=`, `+`, `-` or `@`) starts with `'`; numbers stay numbers."""
    from reach.presentation.safe_text import spreadsheet_safe
    spreadsheet_safe(frame).to_csv(sys.stdout, index=False, lineterminator="\n")
