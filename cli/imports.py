"""`import`, `quarantine` and `history`: loading files, the rows set aside, and what was loaded."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

from cli.common import EXIT_INPUT, EXIT_OK, add_command, date_argument, progress_printer, write_csv
from data.importers import KINDS   # the importers' own list: the one list of kinds
from data import figures_worker
from data.figures_worker import BACKGROUND_FROM_ROWS
from data.store import database_path, opened


# --- import ----------------------------------------------------------------------------------

def run_import(args) -> int:
    from data.importers import FileFault, import_file

    started = time.perf_counter()
    try:
        summary = import_file(args.kind, args.file, db=args.db, received_on=args.received_on,
                              progress=progress_printer(), replace=args.replace,
                              sheet=args.sheet, layer=args.layer)
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
    _audit(args.db, summary)
    print(summary.line(), flush=True)
    # What else the importer noticed (editions skipped, codes it could not place) goes to stderr,
    # so stdout stays the one summary line that scripts read.
    notes = summary.message[len(summary.line()):].lstrip(". ").strip()
    if summary.message.startswith(summary.line()) and notes:
        print(textwrap.fill(notes, width=100, initial_indent="  ", subsequent_indent="  "), file=sys.stderr)
    if args.no_figures:
        return EXIT_OK
    took = f"Imported in {time.perf_counter() - started:,.1f} s."
    db = database_path(args.db)
    if not args.wait_for_figures and figures_worker.takes_long(db):
        # At a region's or England's scale the figures take far longer than the import (about a
        # minute against a few seconds): the command returns, and a background process stores them.
        from cli.figures import store_figures_in_background
        print(f"{took} {store_figures_in_background(db)}", file=sys.stderr, flush=True)
        return EXIT_OK
    print(f"{took} Now storing the figures the dashboard opens on "
          "(--no-figures leaves them to `python -m reach figures`, for when more files follow).",
          file=sys.stderr, flush=True)
    store_dashboard_figures(args.db)
    return EXIT_OK


def store_dashboard_figures(db) -> None:
    """After an import, once it is in and has said so: store the figures the dashboard's pages
    open on, so that no page waits for them (reach.queries.figures_store). A failure or Ctrl+C
    is one line on stderr, never a failed import: what was stored stays, and the pages work out
    the rest when first opened (or `python -m reach figures` stores them)."""
    from cli.figures import store_figures_now

    try:
        _, line = store_figures_now(db)
    except MemoryError:
        line = ("The dashboard's opening figures could not be stored (this computer ran out of memory): "
                "each page works them out when first opened.")
    except Exception as error:      # the store busy, a key problem: the import stands
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        line = (f"The dashboard's opening figures could not be stored ({reason}): each page works them "
                "out when first opened.")
    print(line, file=sys.stderr)


def _audit(db, summary) -> None:
    """The import in the audit trail, by the computer account that ran the command. The import is
    already in: if the trail cannot take the row (the database busy again), say so, and go on."""
    from data.audit import IMPORT, record_in
    from data.export_log import operating_system_user
    from data.store import StoreBusyError

    try:
        record_in(db, actor=operating_system_user(), role=None, action=IMPORT, row_count=summary.rows_loaded,
                  detail=f"import {summary.import_id}: {summary.kind}, {summary.file_name}")
    except StoreBusyError:
        print("The import is in, but the database was busy, so it was not written to the audit trail.",
              file=sys.stderr)


def _file_name(path: str) -> str:
    """The last part of a path, as a message names the file."""
    return Path(path).name or str(path)


def _kinds_help() -> str:
    """Each kind and the columns it needs, from the importers' own layouts."""
    from data.importers import columns_needed
    lines = ["kinds and the columns they need (column names in any case; see the README for aliases):"]
    lines += [textwrap.fill(columns_needed(kind), width=92, initial_indent=f"  {kind:<14} ",
                            subsequent_indent=" " * 17) for kind in KINDS]
    return "\n".join(lines)


def add_import_parser(commands) -> None:
    p = add_command(
        commands, "import", run=run_import, help="load a file into the store",
        description=textwrap.dedent("""\
            Load one file (CSV or XLSX; boundaries as GeoJSON, GeoPackage or zipped Shapefile).
            Files go in as published: the header is found by its columns, below any title rows,
            and in a workbook on the first sheet that has it (cover and notes sheets skipped).
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
              python -m reach import reach-areas reach_areas_2026.csv --replace
              python -m reach import deprivation File_3_IoD2019_IDACI.xlsx
              python -m reach import population sape_2022.xlsx --sheet 'Mid-2022 LSOA 2021'
            """).format(kinds=_kinds_help()),
    )
    p.add_argument("kind", choices=KINDS, metavar="KIND", help="what the file holds: " + ", ".join(KINDS))
    p.add_argument("file", metavar="FILE")
    p.add_argument("--received-on", type=date_argument, metavar="DATE",
                   help="the date health sent this births extract (for rows without received_on)")
    p.add_argument("--replace", action="store_true",
                   help="reach-areas only: the file replaces every reach area (a redrawing)")
    p.add_argument("--sheet", metavar="NAME",
                   help="workbooks only: the sheet to read (by default the first whose header has the "
                        "columns needed)")
    p.add_argument("--layer", metavar="NAME",
                   help="boundaries only: the layer of a GeoPackage to read (by default the first layer "
                        "of polygons with an LSOA code column)")
    after = p.add_mutually_exclusive_group()
    after.add_argument("--no-figures", action="store_true",
                       help="do not store the figures the dashboard opens on after this import (when more "
                            "files follow: the last import stores them, or `python -m reach figures` after "
                            "the last; otherwise each page works them out when first opened)")
    after.add_argument("--wait-for-figures", action="store_true",
                       help=f"store them before returning, however large the store (from "
                            f"{BACKGROUND_FROM_ROWS:,} people's rows, an import otherwise returns at once "
                            "and a background process stores them)")


# --- inspect -----------------------------------------------------------------------------------

def run_inspect(args) -> int:
    from data.importers import FileFault
    from data.importers.inspecting import inspect_file
    from reach.presentation.safe_text import terminal_text

    try:
        inspection = inspect_file(args.file, kind=args.kind, db=args.db, sheet=args.sheet)
    except FileFault as fault:
        print(f"It could not be imported: {fault}", file=sys.stderr)
        return EXIT_INPUT
    # The lines quote the file's own column names and reasons: no escape sequence reaches the terminal.
    for line in map(terminal_text, inspection.lines()):
        print(textwrap.fill(line, width=100, subsequent_indent="    ") if not line.startswith("  ") else line)
    return 0


def add_inspect_parser(commands) -> None:
    p = add_command(
        commands, "inspect", run=run_inspect, help="say what importing a file would do, writing nothing",
        description=textwrap.dedent("""\
            Look at a file before importing it: which kind it seems to be, which sheet and header
            row hold its data, which of its columns feeds which field, how many rows would be set
            aside and why (the commonest reasons, with the first row of each), and the command that
            imports it. The file goes through the real import, which is then undone: nothing is
            written, and a database that does not exist is not created."""),
        epilog=textwrap.dedent("""\
            examples:
              python -m reach inspect File_3_IoD2019_IDACI.xlsx
              python -m reach inspect council_postcodes.csv --kind postcodes"""),
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--kind", choices=KINDS, metavar="KIND",
                   help="the kind to try it as (by default the kind its header fits best)")
    p.add_argument("--sheet", metavar="NAME", help="workbooks only: the sheet to read")


# --- quarantine ------------------------------------------------------------------------------

def run_quarantine(args) -> int:
    from data.importers import list_quarantine

    with opened(args.db, read_only=True) as con:
        frame = list_quarantine(con, kind=args.kind)
    if args.format == "csv":
        write_csv(frame)
    elif frame.empty:
        print("The quarantine is empty: no rejected rows.")
    else:
        from reach.presentation.safe_text import terminal_safe
        columns = [c for c in ("import_id", "kind", "file_name", "row_number", "reason") if c in frame]
        print(terminal_safe(frame[columns]).to_string(index=False))
        print(f"\n{len(frame):,} rejected row(s). Use --format csv to export them with their data.")
    return EXIT_OK


def add_quarantine_parser(commands) -> None:
    p = add_command(
        commands, "quarantine", run=run_quarantine, help="list the rejected rows",
        description="The rows that imports set aside, with the file, the row number and the reason.",
        epilog="examples:\n  python -m reach quarantine\n  python -m reach quarantine --format csv > rejected.csv",
    )
    p.add_argument("--format", choices=("csv", "table"), default="table")
    p.add_argument("--kind", choices=KINDS, help="only rows from imports of this kind")


# --- history ---------------------------------------------------------------------------------

def run_history(args) -> int:
    from data.importers import import_history

    with opened(args.db, read_only=True) as con:
        frame = import_history(con)
    if frame.empty:
        print("Nothing has been imported yet.")
    else:
        from reach.presentation.safe_text import terminal_safe
        print(terminal_safe(frame).to_string(index=False))
    return EXIT_OK


def add_history_parser(commands) -> None:
    add_command(commands, "history", run=run_history, help="list the imports",
                description="Every import, newest first, with its counts.",
                epilog="example:\n  python -m reach history")
