"""The record of files written with personal data in them: who wrote which, when, and where.

The store holds no name, address or NHS number, but `python -m reach worklist` writes a file
that does (the unmatched births joined, at export time, to the health extract the data officer
holds). Each such file is recorded in the append-only `exports` table: the operating-system
account that ran the command, the time, the centre, the date the list is as at, how many rows,
the name of the file read and where the output went. Only file names and counts are kept, never
a value from either file. Rows are only ever added: nothing in Reach changes or removes one.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:    # pandas is loaded when a frame is made, not by the command line's start
    import pandas as pd

CONTACTABLE_WORKLIST = "contactable worklist"
EXPORT_COLUMNS = ("export_id", "kind", "exported_at", "exported_by", "centre_id", "as_at", "rows_written",
                  "rows_matched", "source_file", "out_file")


@dataclass(frozen=True)
class ExportRecord:
    """One file written with personal data in it, as the `exports` table records it."""

    kind: str
    centre_id: str | None
    as_at: date | None
    rows_written: int
    rows_matched: int | None
    source_file: str | None     # the file's name, never its content
    out_file: str


def operating_system_user() -> str:
    """The account that runs this process, by its user ID where the system has one (so it is the
    account, not whatever the environment's USER says), else as `getpass` finds it."""
    try:
        import pwd
        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, AttributeError):
        try:
            return getpass.getuser()
        except Exception:
            return "unknown"


def record_export(con, record: ExportRecord, *, at: datetime | None = None, user: str | None = None) -> int:
    """Add `record` to the `exports` table, in the caller's transaction, and return its number."""
    export_id = con.execute("SELECT coalesce(max(export_id), 0) + 1 FROM exports").fetchone()[0]
    con.execute(
        f"INSERT INTO exports ({', '.join(EXPORT_COLUMNS)}) VALUES ({', '.join('?' * len(EXPORT_COLUMNS))})",
        [export_id, record.kind, (at or datetime.now()).replace(microsecond=0), user or operating_system_user(),
         record.centre_id, record.as_at, record.rows_written, record.rows_matched, record.source_file,
         record.out_file])
    return int(export_id)


def write_and_record(con, record: ExportRecord, *, write: Callable[[], None], remove: Callable[[], None]) -> int:
    """Write an export's file (`write`) and record it in one transaction: the two stand or fall
    together, so a file is never left unrecorded. If anything fails after the file was written,
    `remove` takes it away again before the record is rolled back."""
    written = False
    con.execute("BEGIN TRANSACTION")
    try:
        export_id = record_export(con, record)
        write()
        written = True
        con.execute("COMMIT")
    except BaseException:
        if written:
            remove()
        con.execute("ROLLBACK")
        raise
    return export_id


def export_history(con) -> pd.DataFrame:
    """Every recorded export, newest first."""
    frame = con.execute(f"SELECT {', '.join(EXPORT_COLUMNS)} FROM exports ORDER BY export_id DESC").df()
    if not frame.empty:
        import pandas as pd

        frame["as_at"] = pd.to_datetime(frame["as_at"]).dt.date
    return frame
