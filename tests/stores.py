"""Looking at a store from outside Reach: proving it unchanged, reading or writing the schema
version it records as another program (or another version of Reach) would, with DuckDB itself,
and holding it open from another process."""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from data.schema import TABLES
from data.store import opened


def fingerprint(db: Path) -> dict:
    """Everything a refused import must leave as it was: each table's row count and a hash of its
    rows in order, and the names of the files beside the database (no key file or log appears)."""
    tables = {}
    with opened(db, read_only=True) as con:
        for table in TABLES:
            rows = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            tables[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    files = sorted(path.name for path in db.parent.iterdir() if not path.name.endswith(".wal"))
    return {"tables": tables, "files": files}


def recorded_schema_version(db: Path) -> str:
    """The schema version in the store's meta table, read without Reach's checks."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    finally:
        con.close()


def record_schema_version(db: Path, version: str) -> None:
    """Write a schema version into the store, as another version of Reach would have."""
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [version])
    finally:
        con.close()


@contextlib.contextmanager
def held_open(db: Path, seconds: float, *, read_only: bool):
    """Another process (as the dashboard would be) holding the database open for a while; it is
    stopped, if it is still running, when the block ends."""
    script = textwrap.dedent(f"""
        import sys, time, duckdb
        con = duckdb.connect({str(db)!r}, read_only={read_only})
        print("open", flush=True)
        time.sleep({seconds})
        con.close()
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "open"
        yield process
    finally:
        process.kill()
        process.wait()
