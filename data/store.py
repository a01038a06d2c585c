"""Where the store lives and how to open it.

DuckDB lets one process write a database file, or many processes read it, but not both at once.
So nothing in Reach holds a connection open for longer than it needs: the dashboard opens a
read-only connection for each batch of queries and closes it, which leaves the file free for
`python -m reach import` between page loads. A writer that finds the file busy waits a little,
then fails with a message that says what to do, rather than hanging. A background process
storing the dashboard's figures after a large import (data.figures_worker) is not waited for: a
writer stops it first.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import threading
import time
from pathlib import Path

import duckdb

from data import figures_worker, schema
from data.schema import StoreVersionError

DEFAULT_DB = Path(__file__).resolve().parent / "reach.duckdb"
ENV_DB = "REACH_DB"
ENV_SECRET = "REACH_SECRET"
ENV_BUSY_WAIT = "REACH_BUSY_WAIT"
DEFAULT_BUSY_WAIT_SECONDS = 10.0
# An HMAC key shorter than its hash (32 bytes for SHA-256) makes the pseudonyms easier to
# reverse by trying every NHS number; an empty one makes them a plain hash anyone can recompute.
MIN_KEY_BYTES = 32
# The store holds dates of birth, LSOAs and flags such as disability: its owner only may read it.
OWNER_ONLY = stat.S_IRUSR | stat.S_IWUSR
_STORE_FILE_SUFFIXES = ("", ".wal")


class StoreBusyError(RuntimeError):
    """Another program has the database open for writing (or reading while we want to write)."""


class KeyProblem(ValueError):
    """The pseudonymisation key is missing or too short to use. The message says which source
    (`REACH_SECRET` or the key file), what is needed and what to do; it never shows the key."""


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


class _OwnerOnlyFiles:
    """While in use, every file this process creates is readable by its owner only.

    DuckDB creates the database, its write-ahead log (`<db>.wal`) and its spill folder
    (`<db>.tmp`) itself, with the process's umask, which usually leaves them readable by every
    account on the machine; it has no option to ask for another mode. So writing runs under the
    umask 0o077. The umask belongs to the whole process (the dashboard serves several sessions
    on threads), so it is set when the first writer starts and put back when the last one ends,
    counted under a lock; meanwhile any other file the process creates is private too, which is
    only ever stricter.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._before = 0

    def __enter__(self):
        with self._lock:
            if self._users == 0:
                self._before = os.umask(0o077)
            self._users += 1

    def __exit__(self, *exc_info):
        with self._lock:
            self._users -= 1
            if self._users == 0:
                os.umask(self._before)


_owner_only_files = _OwnerOnlyFiles()


def make_owner_only(db: str | os.PathLike) -> None:
    """Tighten the store's files that exist (the database, its write-ahead log and spill folder)
    to their owner only, for a store created before Reach did so, or copied in by hand. A file
    that belongs to another account, or is on a read-only disk, is left as it is."""
    for suffix in _STORE_FILE_SUFFIXES + (".tmp",):
        candidate = Path(str(db) + suffix)
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        private = OWNER_ONLY | (stat.S_IXUSR if candidate.is_dir() else 0)
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            try:
                os.chmod(candidate, private)
            except OSError:   # another account's file, or a read-only disk: not ours to change
                pass


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False,
            wait_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store, creating it (and its tables) if it does not exist.

    Waits up to `wait_seconds` (default: `REACH_BUSY_WAIT`, else 10 seconds) while another
    process holds the file, then raises StoreBusyError with advice. A read-only open of a
    missing file raises FileNotFoundError.

    A write connection creates the database owner-only (0600) and tightens one that is wider.
    The write-ahead log DuckDB makes later is owner-only too when the connection is used through
    `opened`, as everything in Reach does; a bare `connect` guards only its own opening.

    The schema version the store records is checked on every connection (see `_checked_schema`):
    StoreVersionError for a store made by a newer Reach, or for an older one opened read-only; a
    write connection brings an older store up to date in place.
    """
    db = database_path(path)
    if read_only:
        return _connect(db, read_only=True, wait_seconds=wait_seconds)
    with _owner_only_files:
        return _connect(db, read_only=False, wait_seconds=wait_seconds)


def _connect(db: Path, *, read_only: bool, wait_seconds: float | None) -> duckdb.DuckDBPyConnection:
    con = _open(db, read_only=read_only, wait_seconds=wait_seconds)
    try:
        _checked_schema(con, db, read_only=read_only)
    except BaseException:
        con.close()
        raise
    if not read_only:
        make_owner_only(db)
    return con


def _open(db: Path, *, read_only: bool, wait_seconds: float | None) -> duckdb.DuckDBPyConnection:
    """The file opened by DuckDB, waiting while another program holds it; nothing checked yet."""
    if wait_seconds is None:
        wait_seconds = float(os.environ.get(ENV_BUSY_WAIT, DEFAULT_BUSY_WAIT_SECONDS))
    if read_only and not db.exists():
        raise FileNotFoundError(f"No Reach database at {db}. Run `python -m reach demo` or import data first.")
    db.parent.mkdir(parents=True, exist_ok=True)
    if not read_only:
        make_owner_only(db)
        # The figures a background worker is storing are of the data about to change: a writer
        # stops it rather than wait for it (data.figures_worker).
        figures_worker.stop(db)
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
            with figures_worker.paused_workers_running():    # one paused mid-write must finish it
                time.sleep(delay)
            delay = min(delay * 2, 0.5)
    return con


def _checked_schema(con, db: Path, *, read_only: bool) -> int | None:
    """Check the schema version `db` records against this Reach's, and return it (None: the
    file has no Reach tables yet).

    A store made by a newer Reach is refused and left untouched, whichever way it is opened. A
    write connection brings an older store (or a new, empty file) up to date, in one transaction.
    A read-only connection never writes, so it refuses an older store, saying how to upgrade it.
    """
    found = schema.recorded_version(con)
    if found is not None and found > schema.SCHEMA_VERSION:
        raise StoreVersionError(
            f"{db}: this database was made by a newer version of Reach (schema {found}; this "
            f"version knows schema {schema.SCHEMA_VERSION} and older), and was left as it is. Upgrade "
            f"Reach to use it.")
    if not read_only:
        schema.upgrade_schema(con, found)
    elif found is not None and found < schema.SCHEMA_VERSION:
        raise StoreVersionError(
            f"{db}: this database was made by an older version of Reach (schema {found}) and must "
            f"be brought up to date (schema {schema.SCHEMA_VERSION}) before it can be read. Run "
            f"`python -m reach upgrade`, or any import, which upgrades it in place, then try again.")
    return found


def upgrade_store(path: str | os.PathLike | None = None, *,
                  wait_seconds: float | None = None) -> int | None:
    """Bring the store up to this version of Reach in place, as any write connection does, and
    return the schema version it had before (None: the file had no Reach tables). Raises
    FileNotFoundError where there is no database, and StoreVersionError for a newer one."""
    db = database_path(path)
    if not db.exists():
        raise FileNotFoundError(f"No Reach database at {db}: there is nothing to upgrade.")
    with _owner_only_files:
        con = _open(db, read_only=False, wait_seconds=wait_seconds)
        try:
            found = _checked_schema(con, db, read_only=False)
        finally:
            con.close()
        make_owner_only(db)
    return found


@contextlib.contextmanager
def opened(path: str | os.PathLike | None = None, *, read_only: bool = False,
           wait_seconds: float | None = None):
    """`with opened(db) as con:` opens the store and always closes it again.

    A write connection keeps the files DuckDB creates owner-only for as long as it is open:
    the write-ahead log appears with the first write and goes at the checkpoint on closing.
    """
    if read_only:
        con = connect(path, read_only=True, wait_seconds=wait_seconds)
        try:
            yield con
        finally:
            con.close()
        return
    with _owner_only_files:
        con = connect(path, wait_seconds=wait_seconds)
        try:
            yield con
        finally:
            con.close()
            make_owner_only(database_path(path))


def data_version(path: str | os.PathLike | None = None) -> tuple:
    """A value that changes whenever the database file changes: for cache keys."""
    db = database_path(path)
    parts: list[tuple[int, int] | None] = []
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

    Raises KeyProblem for a key shorter than 32 bytes (leading and trailing spaces not
    counted): an empty or truncated key file, or a short or empty `REACH_SECRET`. A damaged key
    file is never replaced by a new key, as that would silently stop new files linking to the
    children already loaded.
    """
    env = os.environ.get(ENV_SECRET)
    if env is not None:
        return _checked_environment_key(env)
    key_file = Path(str(database_path(path)) + ".key")
    if key_file.exists():
        return _read_key_file(key_file)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    # Written whole to a private temporary file, then linked into place: if two imports race to
    # create the key, exactly one link succeeds and the other reads a complete key, never half.
    draft = key_file.with_name(f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    try:
        os.link(draft, key_file)
    except FileExistsError:
        key = _read_key_file(key_file)
    finally:
        draft.unlink()
    return key


_MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'


def _checked_environment_key(value: str) -> bytes:
    """`REACH_SECRET` as the key, if it is long enough. It is used exactly as set (spaces and
    all), as it always has been, so keys already in use keep giving the same pseudonyms."""
    length = len(value.strip().encode("utf-8"))
    if length >= MIN_KEY_BYTES:
        return value.encode("utf-8")
    found = "is set but empty" if length == 0 else f"is too short ({length} bytes)"
    raise KeyProblem(
        f"{ENV_SECRET} {found}: a key needs at least {MIN_KEY_BYTES} bytes. Set {ENV_SECRET} to "
        f"at least {MIN_KEY_BYTES} random characters (one way to make them: {_MAKE_A_KEY}), or "
        f"unset it to use the key file beside the database. Keep the key safe and use the same "
        f"one for every import: records imported under another key do not link to each other.")


def _read_key_file(key_file: Path) -> bytes:
    """The key in `key_file`, its mode tightened to owner-only if someone widened it."""
    key = key_file.read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        found = (f"is empty (a key needs at least {MIN_KEY_BYTES} bytes)" if not key
                 else f"is shorter than {MIN_KEY_BYTES} bytes (it holds {len(key)})")
        raise KeyProblem(
            f"The key file {key_file} {found}. Restore it from your backup — a new key would "
            f"stop new files linking to old ones. (Only if nothing has been imported into this "
            f"database yet, delete the key file and a new key will be made; or set {ENV_SECRET} "
            f"to at least {MIN_KEY_BYTES} random characters.)")
    try:
        if stat.S_IMODE(key_file.stat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO):
            os.chmod(key_file, OWNER_ONLY)
    except OSError:   # another account's file, or a read-only disk: not ours to change
        pass
    return key
