"""What every kind of file is made of: the import in hand (`Context`) and the defaults a kind
starts from (`Kind`), with the names of the two working tables they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from data.importers.checks import CheckQuery, Fields, bound
from data.importers.layouts import Resolved

# The working tables of one import: every row a kind uses, parsed, with its fault or NULL
# (`checked`); and the rows to write to the store (`loadable`, made from a kind's `loadable`).
CHECKED = "checked"
LOADABLE = "loadable"


@dataclass
class Context:
    """What a kind needs to know about the import in hand."""

    con: duckdb.DuckDBPyConnection
    kind: str
    file_name: str
    sha256: str
    resolved: Resolved
    import_id: int
    today: date
    replace: bool = False
    received_on: date | None = None
    rows_read: int = 0
    params: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    received_on_used: date | None = None
    received_how: str | None = None    # how the date for rows without received_on was chosen
    sheet_name: str | None = None      # the workbook's sheet read, whose name may say what it holds
    one_pass: bool = False             # read and checked at once: `raw_rows` and `checked` are views
                                       # of one table, `read_rows` (see `importing._read_and_check`)
    key_hashed: bool = False           # in one pass, `read_rows` has `_key_hash`, the hash of the
                                       # key that finds repeated rows

    @property
    def fields(self) -> Fields:
        return Fields(self.resolved)

    def run(self, sql: str, params: dict | None = None):
        merged = {**self.params, **(params or {})}
        return self.con.execute(sql, bound(sql, merged))

    def scalar(self, sql: str, params: dict | None = None):
        return self.run(sql, params).fetchall()[0][0]

    def codes(self, sql: str, params: dict | None = None) -> list[str]:
        return [row[0] for row in self.run(sql, params).fetchall()]


class Kind:
    """The defaults: rows map one to one onto the store's table; a known key is left alone."""

    name: str
    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    file_key: tuple[str, ...] | None = None   # what "duplicate of row N" compares; default: key
    updates: bool = False                     # a known key with new values is a revision
    personal: bool = False                    # reads identifiers that must be pseudonymised
    one_pass: bool = False                    # a CSV file may be read and checked at once

    def duplicate_key(self, ctx: Context) -> tuple[str, ...]:
        return self.file_key or self.key

    def prepare(self, ctx: Context) -> None:
        """Set parameters the check needs (before it runs)."""

    def check(self, ctx: Context) -> CheckQuery:
        raise NotImplementedError

    def after_check(self, ctx: Context) -> None:
        """Notes on the raw rows, once they are read and checked (before duplicates are marked)."""

    def after_duplicates(self, ctx: Context) -> None:
        """Faults that need the whole file, found after duplicates are marked."""

    def loadable(self, ctx: Context) -> str:
        """SELECT of the rows to write, with exactly `columns`."""
        return f"SELECT {', '.join(self.columns)} FROM {CHECKED} WHERE _reason IS NULL"

    def updates_rows(self, ctx: Context) -> bool:
        return self.updates

    def compared(self, ctx: Context) -> tuple[str, ...]:
        """The columns that, when they differ from the store's, make a row an update."""
        return tuple(column for column in self.columns if column not in self.key)

    def refreshed(self, ctx: Context) -> tuple[str, ...]:
        """The columns an update writes: the compared ones, unless a kind says more."""
        return self.compared(ctx)

    def remove_missing(self, ctx: Context) -> int:
        """Delete store rows the file replaces; return how many (only reach areas do this)."""
        return 0

    def notes(self, ctx: Context) -> list[str]:
        """Sentences for the summary message, written after the rows are saved."""
        return []
