"""`worklist`: a centre's unmatched births with the families' contact details, for outreach; and
`exports`: the record of every such list written.

The contact details come from the health extract the data officer already holds, joined at export
time (`reach.queries.reidentify`); the store never holds them. The list is written with
owner-only permissions, never over an existing file unless asked, and the export is recorded.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

from cli.common import EXIT_OK, InputFault, add_command, date_argument
from reach.presentation.wording import current

PERSONAL_DATA_REMINDER = ("It holds personal data: keep it on a secure drive, share it only with the "
                          "staff who contact these families, and delete it when the outreach is done.")


def run_worklist(args) -> int:
    from data.audit import DOWNLOAD, record_committed
    from data.export_log import CONTACTABLE_WORKLIST, ExportRecord, operating_system_user, write_and_record
    from data.importers.contact_extract import ContactExtract
    from data.store import ENV_SECRET, database_path, opened, secret_key
    from reach.presentation.safe_text import spreadsheet_safe, terminal_text
    from reach.queries.reidentify import Found, contactable_worklist

    out = Path(args.out)
    _check_out(out, force=args.force)
    db = database_path(args.db)
    if not db.exists():
        raise FileNotFoundError(f"No Reach database at {db}. Import the births and registrations first.")
    if ENV_SECRET not in os.environ and not Path(f"{db}.key").exists():
        # A new key would match nothing: the births were pseudonymised with the one they were imported with.
        raise InputFault(f"There is no key beside {db} and {ENV_SECRET} is not set: set {ENV_SECRET} to the key the "
                         "births were imported with, or put its key file back beside the database.")
    read: dict[str, int] = {}
    # The extract is checked (size, header, NHS number column) before the store is opened.
    with ContactExtract(args.from_extract, sheet=args.sheet) as extract:
        key = secret_key(db)

        def find_contacts(wanted: set[str]) -> Found:
            contacts = extract.contacts_for(wanted, key=key)
            read.update(rows=contacts.rows_read, unusable=contacts.unusable)
            return Found(columns=contacts.columns, rows=contacts.rows)

        with opened(db) as con:
            listed = contactable_worklist(con, as_at=args.as_at, centre_id=args.centre, find_contacts=find_contacts)
            data = spreadsheet_safe(listed.frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
            # The record and the file stand or fall together: a file is never left unrecorded.
            write_and_record(
                con, ExportRecord(kind=CONTACTABLE_WORKLIST, centre_id=args.centre, as_at=args.as_at,
                                  rows_written=len(listed.frame), rows_matched=listed.matched,
                                  source_file=extract.file_name, out_file=str(out.absolute())),
                write=lambda: write_private(out, data, force=args.force),
                remove=lambda: out.unlink(missing_ok=True))
            # The contactable list is record-level data: in the audit trail too, by computer account.
            record_committed(con, actor=operating_system_user(), role=None, action=DOWNLOAD, centre_id=args.centre,
                             row_count=len(listed.frame),
                             detail=f"contactable worklist as at {args.as_at.isoformat()}")
    rows = len(listed.frame)
    if rows:
        found = (f"{listed.matched:,} with contact details from the extract and {listed.unmatched:,} not found "
                 "in it (listed with blank details and a note)" if listed.unmatched
                 else "all with contact details from the extract")
        print(terminal_text(f"Wrote the worklist of {current().site} {args.centre} as at {args.as_at.isoformat()} "
                            f"to {out}: "
                            f"{rows:,} {'child' if rows == 1 else 'children'}, {found}."))
    else:
        print(terminal_text(f"{current().site_title} {args.centre} has no unmatched births as at "
                            f"{args.as_at.isoformat()}: "
                            f"{out} holds the column headings only."))
    print(PERSONAL_DATA_REMINDER)
    if rows and not listed.matched:
        print(f"None of the children was found in the extract: check that it is the extract the births came "
              f"from, and that {ENV_SECRET} (or the key file) is the one they were imported with.", file=sys.stderr)
    if read.get("unusable"):
        print(f"{read['unusable']:,} of the extract's {read['rows']:,} rows had no valid NHS number and "
              "were passed over.", file=sys.stderr)
    return EXIT_OK


def _check_out(out: Path, *, force: bool) -> None:
    if out.is_dir():
        raise InputFault(f"{out} is a folder: --out names the file to write.")
    if (out.exists() or out.is_symlink()) and not force:
        raise InputFault(f"{out} already exists: choose another name, or add --force to replace it.")
    if not out.parent.is_dir():
        raise InputFault(f"There is no folder {out.parent} to write {out.name} in.")


def write_private(out: Path, data: bytes, *, force: bool) -> None:
    """Write `data` to `out`, readable and writable by its owner only (0600) from the moment it
    exists. Without `force` an existing file (or a link) at `out` is never replaced, even one that
    appears meanwhile; with it, a new private file is written beside it and put in its place whole
    (a link at `out` is replaced itself: what it points to is never written)."""
    target = out if not force else out.with_name(f".{out.name}.{os.getpid()}.part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(target, flags, 0o600)
    except FileExistsError:
        raise InputFault(f"{out} already exists: choose another name, or add --force to replace it.") from None
    try:
        os.fchmod(descriptor, 0o600)        # whatever the umask left
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if force:
            os.replace(target, out)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def run_exports(args) -> int:
    from data.export_log import export_history
    from data.store import opened
    from reach.presentation.safe_text import terminal_safe

    with opened(args.db, read_only=True) as con:
        frame = export_history(con)
    if frame.empty:
        print("No file with personal data has been written from this database.")
    else:
        frame["exported_at"] = frame["exported_at"].dt.strftime("%Y-%m-%d %H:%M")
        print(terminal_safe(frame.astype(object).where(frame.notna(), "")).to_string(index=False))
    return EXIT_OK


def add_worklist_parser(commands) -> None:
    p = add_command(
        commands, "worklist", run=run_worklist,
        help="a centre's unmatched births with contact details from the health extract",
        description=textwrap.dedent("""\
            The outreach worklist of one centre (its unmatched births as at the date), with each family's
            contact details from the health extract you already hold: its NHS numbers are hashed with this
            database's key and matched to the children on the list, at export time only. The CSV file has
            the worklist's columns, then every column of the extract except the NHS number (the child key
            links a row back to your records), then a note: a child the extract does not hold is listed
            with blank contact details and a note saying so. Only that centre's children are written.

            The file holds personal data. It is created readable by you only, and never over an existing
            file unless --force is given. Reach's database stores none of it: it records only that the
            list was written (by whom, when, for which centre, how many rows, the extract's file name);
            `python -m reach exports` lists those records. Text that a spreadsheet would run as a formula
            starts with an apostrophe."""),
        epilog=textwrap.dedent("""\
            example:
              python -m reach worklist --centre 22329 --as-at 2026-09-30 \\
                  --from-extract births_2026_09.csv --out worklist_22329.csv"""),
    )
    p.add_argument("--centre", required=True, metavar="ID", help="the centre whose worklist to write")
    p.add_argument("--as-at", required=True, type=date_argument, metavar="DATE",
                   help="the date the worklist is as at (YYYY-MM-DD)")
    p.add_argument("--from-extract", required=True, metavar="BIRTHS_FILE",
                   help="the health extract with NHS numbers and contact details (CSV or XLSX)")
    p.add_argument("--sheet", metavar="NAME", help="the sheet of a workbook to read (default: the first "
                                                   "with an NHS number column)")
    p.add_argument("--out", required=True, metavar="PATH", help="the CSV file to write")
    p.add_argument("--force", action="store_true", help="replace the file at --out if there is one")


def add_exports_parser(commands) -> None:
    add_command(commands, "exports", run=run_exports, help="list the files written with personal data",
                description="Every contactable worklist written from this database, newest first: who wrote "
                            "it (the computer account), when, for which centre and date, how many rows, the "
                            "extract it was matched to and where it went. Records are only ever added.",
                epilog="example:\n  python -m reach exports")
