"""Storing the dashboard's opening figures in a background process, and stopping it.

At the size of a region or of England, storing the figures the pages open on takes about a
minute, against a few seconds for the import before it. So `python -m reach import` on a large
store (and `python -m reach figures --background`) hands that step to a process of its own and
returns as soon as the import is in: the worker runs `python -m reach figures` at the lowest
priority, so a command or a page started meanwhile gets the processor first.

The worker only ever reads, but for a moment per figure to write it, so the dashboard reads
beside it. A writer never waits for it: the figures it is working on are of the data about to
change, so whatever opens the store to write (the next import, `figures` itself, a change of
settings) stops the worker first (`stop`), and the worker's stop is clean: its current query is
interrupted, an unfinished write rolled back, and what it stored stays. The next import (or
the command that wrote, as it ends) starts a new worker, which carries on from what is stored.
Every other command (`report`, `trend`, `export`, ...), and a page of the dashboard working out a
figure that is not stored yet, sets the worker aside while it runs (`set_aside`): paused, then
let go on.

Which process is the worker is kept beside the store, in `<store>.figures-worker` (its process
number); what it last said is in `<store>.figures.log`. Both are the owner's only, like the store.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

# Below this many people's rows (birth records, registrations and contacts together) the figures
# take seconds, and the import stores them itself before it returns, as it always has.
BACKGROUND_FROM_ROWS = 1_000_000
# A clean stop took 0.1 to 0.3 s at England's size (DuckDB interrupts its query at once); a
# worker still there after this is stopped outright, which DuckDB also survives.
CLEAN_STOP_SECONDS = 5.0
WORKER_FLAG = "--as-worker"
# How long the worker waits for the store (its REACH_BUSY_WAIT). A page that works out a figure
# itself holds the store for as long as that takes (half a minute at England's size on a busy
# machine), and a writer cannot open it meanwhile; a command waits 10 seconds and says the store
# is busy, but the worker has nobody waiting for it, and giving up would leave every figure after
# that one unstored. (A writer never waits for the worker: it stops it.)
STORE_WAIT_SECONDS = 600.0
_PEOPLE_TABLES = ("births", "registrations", "contacts")
# The workers this process has paused (`set_aside`: how many of its commands or pages hold each
# paused, as the dashboard's sessions run side by side) and stopped (`stop`), by process number.
_paused: dict[int, int] = {}
_paused_lock = threading.Lock()
_stopped_here: set[int] = set()
# Set in a worker asked to stop (SIGTERM): DuckDB turns the interruption of a query into an
# ordinary error, which those who catch errors must tell apart.
_stop_requested = threading.Event()


def worker_file(db: str | os.PathLike) -> Path:
    """The file that names the process storing this store's figures in the background. Beside
    the store as it was named (made absolute, links not followed), as the store's own files are."""
    return Path(os.path.abspath(db) + ".figures-worker")


def log_file(db: str | os.PathLike) -> Path:
    """What the last background storing said (its closing line, or why it failed)."""
    return Path(os.path.abspath(db) + ".figures.log")


def people_rows(con) -> int:
    """About how many people's rows the store holds: DuckDB's own count per table, no scan."""
    names = ", ".join(f"'{name}'" for name in _PEOPLE_TABLES)
    row = con.execute(f"SELECT coalesce(sum(estimated_size), 0) FROM duckdb_tables() "
                      f"WHERE schema_name = 'main' AND table_name IN ({names})").fetchone()
    return int(row[0])


def takes_long(db: str | os.PathLike) -> bool:
    """Whether the store is large enough (`BACKGROUND_FROM_ROWS`) for its figures to take more
    than a few seconds: then they are stored in the background."""
    import duckdb

    # DuckDB's own count, read straight from the file (data.store stops workers when it opens
    # the store to write, so it stands on this module, not this on it).
    try:
        con = duckdb.connect(str(db), read_only=True)
    except Exception:       # busy, say: store them here, which says what went wrong if it goes wrong
        return False
    try:
        return people_rows(con) >= BACKGROUND_FROM_ROWS
    except Exception:
        return False
    finally:
        con.close()


def start(db: str | os.PathLike, *, again: bool = False) -> int:
    """Start storing the figures of `db` in a background process (stopping one already running)
    and return its process number at once. The process outlives the command that started it.
    `again`: every figure, even those stored already (`figures --again`)."""
    db = Path(os.path.abspath(db))
    stop(db)
    with open(_private(log_file(db)), "w", encoding="utf-8") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "reach", "figures", "--db", str(db), WORKER_FLAG] + (["--again"] if again else []),
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            cwd=Path(__file__).resolve().parent.parent)
    _write_number(worker_file(db), worker.pid)
    _started(worker.pid)
    return worker.pid


def running(db: str | os.PathLike) -> int | None:
    """The process number of the worker storing this store's figures, or None."""
    number = _read_number(worker_file(db))
    return number if number is not None and _is_worker(number) else None


def stop(db: str | os.PathLike) -> bool:
    """Stop the worker storing this store's figures, if one runs (never this process): True if
    one was stopped. Returns once it has gone, so the store is free."""
    path = worker_file(db)
    number = _read_number(path)
    if number is None or number == os.getpid():
        return False
    stopped = False
    if _is_worker(number):
        stopped = True
        _signal(number, signal.SIGTERM)
        _signal(number, signal.SIGCONT)      # paused by a command (`set_aside`): it must run to stop
        if not _gone_within(number, CLEAN_STOP_SECONDS):
            _signal(number, signal.SIGKILL)
            _gone_within(number, CLEAN_STOP_SECONDS)
        _stopped_here.add(number)
    _forget(path, number)
    return stopped


@contextlib.contextmanager
def set_aside(db: str | os.PathLike):
    """`with set_aside(db):` around a command (or a figure a page works out): a worker storing
    the figures is paused while the command runs, and carries on afterwards where it was; with
    several at once (the dashboard's sessions), once the last of them ends. On a machine of two
    processors, a worker beside a report made the report 1.5 to 2 times slower, even at the
    lowest priority (memory and the processors' caches are shared too); paused, it cost nothing.
    Should the command write, the worker is stopped instead (`stop`), and a new one is started
    afterwards for the data as it is then."""
    number = running(db)
    if number is None or number == os.getpid():
        yield
        return
    with _paused_lock:
        if number not in _paused:
            _signal(number, signal.SIGSTOP)
        _paused[number] = _paused.get(number, 0) + 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused[number] -= 1
            if not _paused[number]:      # the last to hold it paused lets it go on
                del _paused[number]
                if _is_worker(number):
                    _signal(number, signal.SIGCONT)
        if number in _stopped_here and running(db) is None:
            try:
                start(db)
            except OSError:       # the command is done; its figures are left to the pages
                pass


@contextlib.contextmanager
def paused_workers_running():
    """Let the workers this process paused run for a moment: while a command waits for the store,
    which a paused worker may hold, writing a figure (see data.store)."""
    with _paused_lock:
        for number in _paused:
            _signal(number, signal.SIGCONT)
    try:
        yield
    finally:
        with _paused_lock:
            for number in _paused:
                _signal(number, signal.SIGSTOP)


def become_worker() -> None:
    """In the worker itself, before it starts: the lowest priority for the processor (and so for
    the disk, whose share follows it unless set apart), and a stop request (SIGTERM) that
    interrupts the figure being worked out."""
    try:
        # Linux: run only when the processor would otherwise be idle; its threads (DuckDB's,
        # started later) inherit it.
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        pass
    try:
        os.nice(19)
    except (AttributeError, OSError):
        pass
    signal.signal(signal.SIGTERM, _interrupted)


def finished(db: str | os.PathLike) -> None:
    """In the worker, when done: it no longer names itself as the store's worker."""
    _forget(worker_file(db), os.getpid())


def stop_requested() -> bool:
    """Whether this process is a worker asked to stop: its storing stops at the next figure."""
    return _stop_requested.is_set()


def _signal(number: int, which: int) -> None:
    try:
        os.kill(number, which)
    except (ProcessLookupError, PermissionError):     # gone meanwhile, or never ours
        pass


def _interrupted(signum, frame) -> None:
    _stop_requested.set()
    raise KeyboardInterrupt


def _private(path: Path) -> Path:
    """The path, made if missing, readable by its owner only."""
    path.touch(mode=0o600, exist_ok=True)
    os.chmod(path, 0o600)
    return path


def _write_number(path: Path, number: int) -> None:
    """Written whole or not at all: a reader never sees half a number."""
    partial = path.with_name(path.name + ".partial")
    _private(partial).write_text(str(number), encoding="ascii")
    os.replace(partial, path)


def _read_number(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):      # none there, or not ours to read: no worker known
        return None
    return int(text) if text.isdigit() else None


def _forget(path: Path, number: int) -> None:
    """Remove the worker file if it still names `number` (a newer worker may have replaced it)."""
    if _read_number(path) == number:
        try:
            path.unlink()
        except OSError:       # gone already, or a read-only folder: a stale number is harmless
            pass


def _is_worker(number: int) -> bool:
    """Whether the process is alive and is a Reach figures worker: a number the system has since
    given to another program is never signalled."""
    _reap(number)
    if not Path("/proc/self").exists():      # no /proc (not Linux): alive is all that can be known
        try:
            os.kill(number, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    try:
        command = Path(f"/proc/{number}/cmdline").read_bytes().split(b"\0")
        state = Path(f"/proc/{number}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError, OSError):
        return False
    return state not in ("Z", "X") and WORKER_FLAG.encode() in command and b"reach" in command


def _reap(number: int) -> None:
    """Collect the exit of a worker this process started, so it does not linger as a zombie."""
    try:
        os.waitpid(number, os.WNOHANG)
    except (ChildProcessError, OSError):
        pass


def _started(number: int, seconds: float = 5.0) -> None:
    """Wait until the new process runs the worker's command: for a few milliseconds after it is
    made it is still a copy of this one, which `_is_worker` would rightly not take for a worker,
    and a command run at once after this one would then neither pause nor stop it."""
    deadline = time.monotonic() + seconds
    while not _is_worker(number) and time.monotonic() < deadline:
        try:
            command = Path(f"/proc/{number}/cmdline").read_bytes()
            if not command or command == Path("/proc/self/cmdline").read_bytes():    # not yet its own
                time.sleep(0.001)
                continue
        except OSError:
            return       # gone (or no /proc): nothing to wait for
        return           # running another command: it failed to start as a worker; its log says why


def _gone_within(number: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _is_worker(number):
            return True
        time.sleep(0.02)
    return not _is_worker(number)
