"""The audit trail: who signed in, who downloaded record-level data, who imported or undid an import,
and what was refused, in the append-only `audit` table.

Each row says who (the signed-in e-mail address, or on the command line the operating-system
account), in which role, did what, when, for which centre and over how many rows. `detail` holds
a file name or a page's address, never a value from a file. Rows are only ever added: nothing in
Reach changes or removes one.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING

from data.store import opened

if TYPE_CHECKING:    # pandas is loaded when a frame is made, not by the command line's start
    import pandas as pd

SIGN_IN, DOWNLOAD, IMPORT, UNDO, REFUSED, EXPORT = "sign-in", "download", "import", "undo", "refused", "export"
ACTIONS = (SIGN_IN, DOWNLOAD, IMPORT, UNDO, REFUSED, EXPORT)
AUDIT_COLUMNS = ("audit_id", "happened_at", "actor", "role", "action", "centre_id", "row_count", "detail")
_LONGEST = 300       # characters kept of the actor and the detail


def record(con, *, actor: str, role: str | None, action: str, centre_id: str | None = None,
           row_count: int | None = None, detail: str | None = None, at: datetime | None = None,
           once: bool = False) -> int:
    """Add one row to the audit trail, in the caller's write transaction, and return its number
    (the largest so far + 1: the store has one writer at a time, and the transaction holds it).

    With `once`, a row already there with the same actor, action and detail is not added again and
    its number is returned: one sign-in opens many pages, each a new session of the dashboard, and
    the sign-in (told apart by its token's time of issue in `detail`) is one row."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: expected one of {', '.join(ACTIONS)}")
    if not str(actor).strip():
        raise ValueError("an audit row needs someone who did it")
    values = [(at or datetime.now()).replace(microsecond=0), str(actor)[:_LONGEST], role, action, centre_id,
              None if row_count is None else int(row_count),
              None if detail is None else str(detail)[:_LONGEST]]
    if once:
        earlier = con.execute("SELECT min(audit_id) FROM audit WHERE actor = ? AND action = ? "
                              "AND detail IS NOT DISTINCT FROM ?", [values[1], action, values[6]]).fetchone()[0]
        if earlier is not None:
            return int(earlier)
    audit_id = con.execute("SELECT coalesce(max(audit_id), 0) + 1 FROM audit").fetchone()[0]
    con.execute(f"INSERT INTO audit ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' * len(AUDIT_COLUMNS))})",
                [audit_id, *values])
    return int(audit_id)


def record_in(db: str | os.PathLike | None, *, wait_seconds: float | None = 15, **row) -> int:
    """Open the store for writing, add one audit row (see `record`) and close it again."""
    with opened(db, wait_seconds=wait_seconds) as con:
        return record_committed(con, **row)


def record_committed(con, **row) -> int:
    """Add one audit row (see `record`) in a transaction of its own on an open write connection."""
    con.execute("BEGIN TRANSACTION")
    try:
        audit_id = record(con, **row)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return audit_id


def audit_trail(con, *, action: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """The audit trail, newest first (optionally one action only, or only the latest `limit` rows)."""
    frame = con.execute(
        f"""SELECT {', '.join(AUDIT_COLUMNS)} FROM audit
            WHERE ($action IS NULL OR action = $action)
            ORDER BY audit_id DESC
            LIMIT coalesce($limit, 9223372036854775807)""",
        {"action": action, "limit": limit}).df()
    frame["row_count"] = frame["row_count"].astype("Int64")
    return frame
