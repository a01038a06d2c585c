"""Building a store out of sight and putting it in place whole.

The demo is built under a temporary name beside the database and moved into place only when
complete, so an interrupted build never leaves a half-filled database behind, and a database
that already holds data is never built over.
"""

from __future__ import annotations

import os
from pathlib import Path

from data.schema import TABLES
from data.store import opened

# The files that make up one store: the database, DuckDB's write-ahead log, and the key file
# that pseudonymises NHS numbers (absent when the key comes from the environment).
_STORE_SUFFIXES = ("", ".wal", ".key")


def staging_path(db: Path) -> Path:
    """Where `db` is built: a hidden name beside it, private to this process."""
    return db.with_name(f".{db.name}.building-{os.getpid()}")


def require_empty(db: Path) -> None:
    """Raise FileExistsError if `db` holds any data (a missing or empty file, or bare tables, is fine)."""
    if not db.exists() or db.stat().st_size == 0:
        return
    with opened(db, read_only=True) as con:
        present = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        holding = [table for table in TABLES if table in present and table != "meta"
                   and con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0]
    if holding:
        raise FileExistsError(
            f"The database {db} already holds data (in {', '.join(holding)}). The demo council is "
            f"only built into a new or empty database: choose another file, or remove this one first.")


def move_store(source: Path, target: Path) -> None:
    """Move a store's files over `target`'s. A log left at the target would be replayed into the
    new database, so it goes when the source has none."""
    for suffix in _STORE_SUFFIXES:
        moving = Path(str(source) + suffix)
        if moving.exists():
            os.replace(moving, Path(str(target) + suffix))
        elif suffix == ".wal":
            Path(str(target) + suffix).unlink(missing_ok=True)


def remove_store(path: Path) -> None:
    """Delete a store's files, those that exist."""
    for suffix in _STORE_SUFFIXES:
        Path(str(path) + suffix).unlink(missing_ok=True)
