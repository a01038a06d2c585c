"""What has been imported, what was quarantined, and undoing an import."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from data.importers.kinds import KIND_CHECKS, count_of
from data.importers.layouts import normalise_header
from data.importers.pseudonymise import looks_personal_sql, mask_whole, redact, redact_sql
from data.store import opened

if TYPE_CHECKING:    # pandas is loaded when a frame is made, not by the command line's start
    import pandas as pd

QUARANTINE_COLUMNS = ("import_id", "kind", "file_name", "row_number", "reason", "row_data", "imported_at")


# A family key masked by an older Reach, which kept its last four characters.
_OLD_FAMILY_MASK = r'(?i)"family[^a-z0-9"]*key":"[*]{6}[^"]'


def list_quarantine(con, *, kind: str | None = None, import_id: int | None = None) -> pd.DataFrame:
    """The quarantined rows, oldest import first and in file order, optionally of one kind or
    one import. `imported_at` is when the import that found the fault started.

    Rows are hidden as they are written (see `importing._quarantine`); they are checked again
    here so that a store filled by an older Reach shows nothing personal either.
    """
    frame = con.execute(
        f"""SELECT q.import_id, q.kind, q.file_name, q.row_number, {redact_sql('q.reason')} AS reason,
                   q.row_data, l.started_at AS imported_at,
                   ({looks_personal_sql('q.row_data')}) IS NOT NULL
                       OR regexp_matches(q.row_data, $old_family_mask) AS _suspect
            FROM quarantine q LEFT JOIN import_log l USING (import_id)
            WHERE ($kind IS NULL OR q.kind = $kind) AND ($import_id IS NULL OR q.import_id = $import_id)
            ORDER BY q.import_id, q.row_number""",
        {"kind": kind, "import_id": import_id, "old_family_mask": _OLD_FAMILY_MASK},
    ).df()
    suspect = frame["_suspect"].fillna(False).astype(bool)
    if suspect.any():
        frame.loc[suspect, "row_data"] = frame.loc[suspect, "row_data"].map(_hidden_row)
    return frame.drop(columns="_suspect")


def _hidden_row(text: str) -> str:
    """A quarantined row (JSON) with each value hidden as `redact` does, and a family key whole.

    Value by value, not the JSON text as a whole, so the hiding can never break its escaping."""
    try:
        row = json.loads(text)
    except (TypeError, ValueError):
        return redact(text) if isinstance(text, str) else text
    hidden = {name: mask_whole(value) if normalise_header(name) == "family_key"
              else redact(value) if isinstance(value, str) else value
              for name, value in row.items()}
    return json.dumps(hidden, ensure_ascii=False, separators=(",", ":"))


def import_history(con) -> pd.DataFrame:
    """The import log, newest first."""
    return con.execute("SELECT * FROM import_log ORDER BY import_id DESC").df()


@dataclass(frozen=True)
class RemovedImport:
    """What undoing an import took away."""

    import_id: int
    kind: str
    file_name: str
    rows_removed: int
    rows_unquarantined: int

    def line(self) -> str:
        return (f"{self.kind}: {self.file_name}: import {self.import_id} undone: "
                f"{count_of(self.rows_removed, 'row')} removed, "
                f"{count_of(self.rows_unquarantined, 'quarantined row')} cleared")


def remove_import(import_id: int, *, db: str | os.PathLike | None = None) -> RemovedImport:
    """Undo an import: delete the rows it wrote (or last updated) and its quarantine rows, in one
    transaction. Its import_log row stays, marked 'removed', so the history shows both.

    A row that this import updated is removed, not put back as it was before. Raises
    ValueError for an unknown import or one already removed.
    """
    with opened(db) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            found = con.execute("SELECT kind, file_name, status FROM import_log WHERE import_id = ?",
                                [import_id]).fetchall()
            if not found:
                raise ValueError(f"There is no import {import_id} in the history.")
            kind, file_name, status = found[0]
            if status == "removed":
                raise ValueError(f"Import {import_id} ({file_name}) was already removed.")
            table = KIND_CHECKS[kind].table
            removed = con.execute(f"""WITH gone AS (DELETE FROM {table} WHERE import_id = ? RETURNING 1)
                                      SELECT count(*) FROM gone""", [import_id]).fetchall()[0][0]
            cleared = con.execute("""WITH gone AS (DELETE FROM quarantine WHERE import_id = ? RETURNING 1)
                                     SELECT count(*) FROM gone""", [import_id]).fetchall()[0][0]
            result = RemovedImport(import_id=import_id, kind=kind, file_name=file_name,
                                   rows_removed=removed, rows_unquarantined=cleared)
            con.execute("""UPDATE import_log SET status = 'removed',
                                  message = concat_ws(' ', message, ?)
                           WHERE import_id = ?""",
                        [f"Undone on {datetime.now():%Y-%m-%d %H:%M}: {result.line()}.", import_id])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return result
