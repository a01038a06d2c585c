"""Where the store lives and how to open it.

DuckDB lets one process write a database file, or many processes read it, but not both at once.
So nothing in Reach holds a connection open for longer than it needs: the dashboard opens a
read-only connection for each batch of queries and closes it, which leaves the file free for
`python -m reach import` between page loads. A writer that finds the file busy waits a little,
then fails with a message that says what to do, rather than hanging.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import time
from pathlib import Path

import duckdb

from data.schema import create_schema

DEFAULT_DB = Path(__file__).resolve().parent / "reach.duckdb"
ENV_DB = "REACH_DB"
ENV_SECRET = "REACH_SECRET"
ENV_BUSY_WAIT = "REACH_BUSY_WAIT"
DEFAULT_BUSY_WAIT_SECONDS = 10.0


class StoreBusyError(RuntimeError):
    """Another program has the database open for writing (or reading while we want to write)."""


def database_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database to use: `--db` if given, else `REACH_DB`, else `data/reach.duckdb`."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB])
    return DEFAULT_DB


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text or "conflicting" in text or "already open" in text


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False,
            wait_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store, creating it (and its tables) if it does not exist.

    Waits up to `wait_seconds` (default: `REACH_BUSY_WAIT`, else 10 seconds) while another
    process holds the file, then raises StoreBusyError with advice. A read-only open of a
    missing file raises FileNotFoundError.
    """
    db = database_path(path)
    if wait_seconds is None:
        wait_seconds = float(os.environ.get(ENV_BUSY_WAIT, DEFAULT_BUSY_WAIT_SECONDS))
    if read_only and not db.exists():
        raise FileNotFoundError(f"No Reach database at {db}. Run `python -m reach demo` or import data first.")
    db.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(db), read_only=read_only)
            break
        except duckdb.IOException as error:
            if not _is_lock_error(error):
                raise
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    f"The database {db} is in use by another program (perhaps an import or the "
                    f"dashboard saving an upload). Try again in a moment. Details: {error}"
                ) from error
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    if not read_only:
        create_schema(con)
    return con


@contextlib.contextmanager
def opened(path: str | os.PathLike | None = None, *, read_only: bool = False,
           wait_seconds: float | None = None):
    """`with opened(db) as con:` opens the store and always closes it again."""
    con = connect(path, read_only=read_only, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()


def data_version(path: str | os.PathLike | None = None) -> tuple:
    """A value that changes whenever the database file changes: for cache keys."""
    db = database_path(path)
    parts = []
    for candidate in (db, Path(str(db) + ".wal")):
        try:
            info = candidate.stat()
            parts.append((info.st_mtime_ns, info.st_size))
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)


def secret_key(path: str | os.PathLike | None = None) -> bytes:
    """The key for pseudonymising NHS numbers.

    `REACH_SECRET` if set; otherwise a random key kept in a file beside the database
    (`<database>.key`), created on first use, readable by its owner only. The same key must be
    used for every import into one database, or births and registrations will not link.
    """
    env = os.environ.get(ENV_SECRET)
    if env:
        return env.encode("utf-8")
    key_file = Path(str(database_path(path)) + ".key")
    if key_file.exists():
        return key_file.read_bytes().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    # Written whole to a private temporary file, then linked into place: if two imports race to
    # create the key, exactly one link succeeds and the other reads a complete key, never half.
    draft = key_file.with_name(f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    try:
        os.link(draft, key_file)
    except FileExistsError:
        key = key_file.read_bytes().strip()
    finally:
        draft.unlink()
    return key
