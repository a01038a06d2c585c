"""What every command shares: the exit statuses and which faults are the user's, the help
layout, the --db and date arguments, progress on stderr, and tables and CSV on stdout made safe
to print."""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import date

from data.dates import parse_date

# 0 success, 2 a fault in the input or the arguments, 3 the database is busy, 1 an internal
# error, 130 interrupted (see `cli.main.main`).
EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class InputFault(Exception):
    """A fault in a command's arguments that argparse cannot see (one date before another, a
    value out of range): exit status 2, with the message."""


@contextlib.contextmanager
def arguments_checked():
    """Around code that only checks or applies values the user gave (band thresholds, a what-if
    scenario): a ValueError raised there is the arguments' fault, and becomes an InputFault.
    Anywhere else a ValueError is a fault in Reach (pandas raises them too), not the user's."""
    try:
        yield
    except ValueError as error:
        raise InputFault(str(error)) from error


def is_input_fault(error: BaseException) -> bool:
    """Whether `error` is a fault in what the user gave (the arguments, the file, the database or
    key named), which exits with status 2, rather than a fault in Reach (status 1)."""
    from data.importers.errors import FileFault
    from data.store import KeyProblem, StoreVersionError
    from reach.domain.disclosure import DisclosureError
    from reach.queries.calibration import UnknownCentre
    return isinstance(error, (InputFault, FileFault, KeyProblem, StoreVersionError, DisclosureError,
                              UnknownCentre))


def date_argument(text: str) -> date:
    """A date option (`--as-at`), read as every date is (`data.dates.parse_date`); a fault is an
    argparse error, so the message names the option."""
    try:
        return parse_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def use_site_words(db) -> None:
    """Word this command's messages as the database calls its sites (children's centres or
    family hubs). A database that cannot be read yet (missing, busy, of another version) leaves
    the standard words: the command itself then says what is wrong."""
    from data.store import database_path, opened

    path = database_path(db)
    if not path.exists():
        return
    try:
        with opened(path, read_only=True, wait_seconds=0) as con:
            use_site_words_of(con)
    except Exception:
        return


def use_site_words_of(con) -> None:
    """`use_site_words` on a store the command has open already. A command that calls this as
    soon as it opens the store sets `words_from_its_store` on its parser, and the store is then
    opened once rather than twice (`cli.main.main`)."""
    from data.settings import read_settings
    from reach.presentation.wording import use

    use(read_settings(con).site_word)


def add_db_option(parser):
    parser.add_argument("--db", metavar="PATH",
                        help="the Reach database (default: $REACH_DB, else data/reach.duckdb)")


def add_command(commands, name: str, *, run, help: str, description: str, epilog: str) -> argparse.ArgumentParser:
    """Add a command to `python -m reach`, as every command is added: its help laid out as
    written, the --db option, and `run(args)`, which returns the exit status. The caller adds
    the command's own arguments to the parser returned."""
    parser = commands.add_parser(name, formatter_class=argparse.RawDescriptionHelpFormatter, help=help,
                                 description=description, epilog=epilog)
    add_db_option(parser)
    parser.set_defaults(func=run)
    return parser


def progress_printer(stream=sys.stderr):
    """Progress for large files on stderr, so stdout keeps only the one-line summary: a line
    that rewrites itself on a terminal, and a line per 100,000 rows read otherwise (a log)."""
    if stream.isatty():
        def report_in_place(done, total, stage):
            of = f" of {total:,}" if total else ""
            print(f"\r  {stage}: {done:,}{of} rows   ", end="", file=stream, flush=True)
        return report_in_place

    importer_stages = {"reading", "checking", "saving", "done"}

    def report(done, total, stage):
        if stage == "reading" and done and done % 100_000 == 0:
            print(f"  read {done:,} rows", file=stream, flush=True)
        elif stage not in importer_stages:   # the demo's steps, one line each
            print(f"  {stage}", file=stream, flush=True)
    return report


def print_table(frame, stream=None):
    """A readable fixed-width table: counts with thousands separators, percentages to 1 dp, and
    no control character from a name sent to the terminal. On stdout as it is when called (not
    as it was when this module was imported), so a captured or redirected stdout gets it."""
    from reach.presentation.format import format_frame
    from reach.presentation.safe_text import terminal_safe
    print(terminal_safe(format_frame(frame)).to_string(index=False), file=stream or sys.stdout)


def write_csv(frame, *, flags_as_words: bool = False) -> None:
    """`frame` as CSV on stdout, safe to open in a spreadsheet: a text cell that would run as a
    formula (a name starting with `=`, `+`, `-` or `@`) starts with `'`; numbers stay numbers.
    With `flags_as_words`, true/false columns are written `true` and `false` (not `True`)."""
    import numpy as np

    from reach.presentation.safe_text import spreadsheet_safe

    out = spreadsheet_safe(frame)
    if flags_as_words:
        # After the check for formulas, which has no text to look at in a flag, rather than
        # before it, where it would look at a word in every row of every flag column.
        for column in out.columns:
            if out[column].dtype == bool:
                out[column] = np.where(out[column].to_numpy(), "true", "false")
    out.to_csv(sys.stdout, index=False, lineterminator="\n")
