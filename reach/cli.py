"""The command line: `python -m reach COMMAND ...`.

Exit status: 0 success, 2 a fault in the input or the arguments (the message says which file,
which column and what was expected), 3 the database is busy (another program is writing it),
1 an internal error (one line; the details go to `<database>.errors.log`), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from datetime import date

from data.store import StoreBusyError, database_path, opened

EXIT_OK, EXIT_INPUT, EXIT_BUSY = 0, 2, 3

IMPORT_KINDS = ("centres", "reach-areas", "boundaries", "population", "births", "birth-counts",
                "registrations", "contacts", "postcodes", "deprivation", "lsoa-lookup")


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


def _progress_printer(stream=sys.stderr):
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


# --- import ----------------------------------------------------------------------------------

def run_import(args) -> int:
    from data.importers import FileFault, import_file

    try:
        summary = import_file(args.kind, args.file, db=args.db, received_on=args.received_on,
                              progress=_progress_printer(), replace=args.replace)
    except FileFault as fault:
        print(f"\nImport refused, nothing was written: {fault}", file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        # The import was one transaction, rolled back on the way out: nothing was written.
        from data.importers.errors import shortened
        print(f"\nImport refused, nothing was written: {shortened(_file_name(args.file), 120)}: "
              "the file is too large to import on this computer (it ran out of memory)",
              file=sys.stderr)
        return EXIT_INPUT
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(summary.line(), flush=True)
    # What else the importer noticed (editions skipped, codes it could not place) goes to stderr,
    # so stdout stays the one summary line that scripts read.
    notes = summary.message[len(summary.line()):].lstrip(". ").strip()
    if summary.message.startswith(summary.line()) and notes:
        print(textwrap.fill(notes, width=100, initial_indent="  ", subsequent_indent="  "), file=sys.stderr)
    return EXIT_OK


# --- report ----------------------------------------------------------------------------------

def _print_table(frame, stream=sys.stdout):
    """A readable fixed-width table: counts with thousands separators, percentages to 1 dp, and
    no control character from a name sent to the terminal."""
    from reach.format import format_frame
    from reach.safe_text import terminal_safe
    print(terminal_safe(format_frame(frame)).to_string(index=False), file=stream)


def _write_csv(frame) -> None:
    """`frame` as CSV on stdout, safe to open in a spreadsheet: a text cell that would run as a
    formula (a name starting with `=`, `+`, `-` or `@`) starts with `'`; numbers stay numbers."""
    from reach.safe_text import spreadsheet_safe
    spreadsheet_safe(frame).to_csv(sys.stdout, index=False, lineterminator="\n")


def run_report(args) -> int:
    from reach.measures import Bands, ReportOptions
    from reach.report import json_ready, reach_report

    options = ReportOptions(bands=Bands(outstanding=args.outstanding, good=args.good,
                                        requires_improvement=args.requires_improvement),
                            sustained_contacts=args.sustained_contacts)
    with opened(args.db, read_only=True) as con:
        if args.publish:
            # Protected together with every other level and table, so that this level published
            # beside any other lets no hidden count be worked out.
            from reach.publication import published_figures
            frame = published_figures(con, as_at=args.as_at, options=options).tables[args.by]
        else:
            frame = reach_report(con, as_at=args.as_at, by=args.by, options=options)
    if args.format == "csv":
        out = frame.copy()
        for column in out.columns:
            if out[column].dtype == bool:
                out[column] = out[column].map({True: "true", False: "false"})
        _write_csv(out)
    elif args.format == "json":
        print(json.dumps({"as_at": args.as_at.isoformat(), "by": args.by, "rows": json_ready(frame)}, indent=2))
    else:
        _print_table(frame)
    return EXIT_OK


# --- quarantine ------------------------------------------------------------------------------

def run_quarantine(args) -> int:
    from data.importers import list_quarantine

    with opened(args.db, read_only=True) as con:
        frame = list_quarantine(con, kind=args.kind)
    if args.format == "csv":
        _write_csv(frame)
    elif frame.empty:
        print("The quarantine is empty: no rejected rows.")
    else:
        from reach.safe_text import terminal_safe
        columns = [c for c in ("import_id", "kind", "file_name", "row_number", "reason") if c in frame]
        print(terminal_safe(frame[columns]).to_string(index=False))
        print(f"\n{len(frame):,} rejected row(s). Use --format csv to export them with their data.")
    return EXIT_OK


# --- history ---------------------------------------------------------------------------------

def run_history(args) -> int:
    from data.importers import import_history

    with opened(args.db, read_only=True) as con:
        frame = import_history(con)
    if frame.empty:
        print("Nothing has been imported yet.")
    else:
        from reach.safe_text import terminal_safe
        print(terminal_safe(frame).to_string(index=False))
    return EXIT_OK


# --- demo ------------------------------------------------------------------------------------

def run_demo(args) -> int:
    from data.demo import build_demo

    db = database_path(args.db)
    if db.exists() and not args.force:
        print(f"{db} already exists. Use --force to replace it with the demo authority.", file=sys.stderr)
        return EXIT_INPUT
    if db.exists():
        db.unlink()
        for suffix in (".wal",):
            extra = db.with_name(db.name + suffix)
            if extra.exists():
                extra.unlink()
    summary = build_demo(db, progress=_progress_printer())
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Demo authority built in {db}: {summary}")
    return EXIT_OK


# --- the parser ------------------------------------------------------------------------------

def _kinds_help() -> str:
    """Each kind and the columns it needs, from the importers' own layouts."""
    from data.importers import columns_needed
    lines = ["kinds and the columns they need (column names in any case; see the README for aliases):"]
    lines += [textwrap.fill(columns_needed(kind), width=92, initial_indent=f"  {kind:<14} ",
                            subsequent_indent=" " * 17) for kind in IMPORT_KINDS]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reach",
        formatter_class=HelpFormatter,
        description=textwrap.dedent("""\
            Reach: what share of the under-fives in each children's centre's area it knows.

            Load data with `import`, read the figures with `report`, see rejected rows with
            `quarantine`, try the demo authority with `demo`, and model faster sharing of birth
            data with `whatif`. Every command takes --db PATH (default: $REACH_DB, else
            data/reach.duckdb)."""),
        epilog=textwrap.dedent("""\
            examples:
              python -m reach demo
              python -m reach import population mid-year_2024_population_estimates_lsoa.csv
              python -m reach report --as-at 2026-09-30 --format table
              python -m reach whatif --sharing monthly --format table"""),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser(
        "import", formatter_class=HelpFormatter, help="load a file into the store",
        description=textwrap.dedent("""\
            Load one file (CSV or XLSX; boundaries as GeoJSON, GeoPackage or zipped Shapefile).
            A fault in the file as a whole (unreadable, a required column missing) refuses the
            import, writes nothing and exits with status 2. Faulty rows are kept aside in the
            quarantine with their reason, and the rest is loaded. Loading the same file again
            changes nothing. NHS numbers are replaced by a keyed hash; postcodes become LSOAs
            and are not kept."""),
        epilog=textwrap.dedent("""\
            {kinds}

            examples:
              python -m reach import centres centres.csv
              python -m reach import births births_2026_08.csv --received-on 2026-09-14
              python -m reach import reach-areas reach_areas_2026.csv --replace""").format(kinds=_kinds_help()),
    )
    p.add_argument("kind", choices=IMPORT_KINDS, metavar="KIND", help="what the file holds: " + ", ".join(IMPORT_KINDS))
    p.add_argument("file", metavar="FILE")
    p.add_argument("--received-on", type=date_argument, metavar="DATE",
                   help="the date health sent this births extract (for rows without received_on)")
    p.add_argument("--replace", action="store_true",
                   help="reach-areas only: the file replaces every reach area (a redrawing)")
    add_db_option(p)
    p.set_defaults(func=run_import)

    p = commands.add_parser(
        "report", formatter_class=HelpFormatter, help="the reach figures as at a date",
        description="Every measure of the data contract as at a date, per centre (default), per LSOA, or for the whole authority.",
        epilog=textwrap.dedent("""\
            examples:
              python -m reach report --as-at 2026-09-30
              python -m reach report --as-at 2026-09-30 --by lsoa --format csv > lsoas.csv
              python -m reach report --as-at 2026-09-30 --format json --publish"""),
    )
    p.add_argument("--as-at", type=date_argument, required=True, metavar="DATE")
    p.add_argument("--by", choices=("centre", "lsoa", "authority"), default="centre")
    p.add_argument("--format", choices=("csv", "json", "table"), default="csv")
    p.add_argument("--publish", action="store_true",
                   help="suppress counts of 1 to 4 (and what would reveal them) for publication")
    p.add_argument("--outstanding", type=float, default=97.0, metavar="PCT", help="band threshold (default 97)")
    p.add_argument("--good", type=float, default=65.0, metavar="PCT", help="band threshold (default 65)")
    p.add_argument("--requires-improvement", type=float, default=51.0, metavar="PCT", help="band threshold (default 51)")
    p.add_argument("--sustained-contacts", type=int, default=3, metavar="N",
                   help="contacts in 12 months that count as sustained (default 3)")
    add_db_option(p)
    p.set_defaults(func=run_report)

    p = commands.add_parser(
        "quarantine", formatter_class=HelpFormatter, help="list the rejected rows",
        description="The rows that imports set aside, with the file, the row number and the reason.",
        epilog="examples:\n  python -m reach quarantine\n  python -m reach quarantine --format csv > rejected.csv",
    )
    p.add_argument("--format", choices=("csv", "table"), default="table")
    p.add_argument("--kind", choices=IMPORT_KINDS, help="only rows from imports of this kind")
    add_db_option(p)
    p.set_defaults(func=run_quarantine)

    p = commands.add_parser("history", formatter_class=HelpFormatter, help="list the imports",
                            description="Every import, newest first, with its counts.",
                            epilog="example:\n  python -m reach history")
    add_db_option(p)
    p.set_defaults(func=run_history)

    p = commands.add_parser(
        "demo", formatter_class=HelpFormatter, help="build the fictional demo authority",
        description="Build Brackenfold, a fictional council with 5 years of data, through the real importers.",
        epilog="examples:\n  python -m reach demo\n  python -m reach demo --db demo.duckdb --force",
    )
    p.add_argument("--force", action="store_true", help="replace an existing database")
    add_db_option(p)
    p.set_defaults(func=run_demo)

    try:
        from reach.whatif_command import add_whatif_parser
    except ImportError:   # the what-if command ships with the model
        pass
    else:
        add_whatif_parser(commands)
    return parser


def _file_name(path: str) -> str:
    """The last part of a path, as a message names the file."""
    from pathlib import Path
    return Path(path).name or str(path)


EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 130


def main(argv=None) -> int:
    """Run one command and return its exit status; no error ever ends in a traceback.

    0 done; 2 a fault in the file or the arguments (the message says what); 3 the database is
    busy; 130 stopped with Ctrl+C; 1 an internal error: a bug, or a fault of this computer (a
    full disk, a damaged database). For an internal error only one line is printed, naming the
    kind of error and the log that holds its details. A traceback can quote the data being
    worked on (a row, a name), so it is not printed where a colleague or a CI log might see it:
    it is appended to `<database>.errors.log` beside the database, readable by its owner only
    (mode 0600), which is where that data already lives and is already protected.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except StoreBusyError as error:
        print(str(error), file=sys.stderr)
        return EXIT_BUSY
    except FileNotFoundError as error:
        print(str(error), file=sys.stderr)
        return EXIT_INPUT
    except ValueError as error:
        from data.importers.errors import shortened
        print(f"{parser.prog} {args.command}: {shortened(str(error), 1_000)}", file=sys.stderr)
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
        where = _log_internal_error(args)
        saved = (f"the details were written to {where}" if where
                 else "the details could not be written to a log")
        print(f"Reach stopped because of an internal error ({type(error).__name__}); {saved}",
              file=sys.stderr)
        return EXIT_INTERNAL


def _log_internal_error(args) -> str | None:
    """Append the traceback being handled to the owner-only log beside the database, and return
    the log's path; None if it cannot be written (then the details are lost, never printed)."""
    import os
    import traceback
    from datetime import datetime

    try:
        log = database_path(getattr(args, "db", None))
        log = log.with_name(log.name + ".errors.log")
        # O_NOFOLLOW: a link planted at the log's name must not redirect the traceback elsewhere.
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(log, flags, 0o600)
        try:
            os.fchmod(descriptor, 0o600)        # a log made before, by hand, is closed up too
            entry = (f"--- {datetime.now().isoformat(timespec='seconds')} "
                     f"python -m reach {args.command}\n{traceback.format_exc()}\n")
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
