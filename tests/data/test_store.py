"""The store shared by the dashboard and the command line: neither may block or corrupt the other.

DuckDB lets one process write a file or many read it. The dashboard reads through short-lived
read-only connections; an import that finds the file in use waits, then says it is busy.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from data.store import StoreBusyError, connect, data_version, database_path, opened, secret_key

PROJECT = Path(__file__).resolve().parents[2]


def _hold_open(db: Path, seconds: float, *, read_only: bool) -> subprocess.Popen:
    """Another process (as the dashboard would be) holding the database open for a while."""
    script = textwrap.dedent(f"""
        import sys, time, duckdb
        con = duckdb.connect({str(db)!r}, read_only={read_only})
        print("open", flush=True)
        time.sleep({seconds})
        con.close()
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "open"
    return process


def test_the_database_path_comes_from_the_option_then_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REACH_DB", str(tmp_path / "from_env.duckdb"))
    assert database_path(tmp_path / "given.duckdb") == tmp_path / "given.duckdb"
    assert database_path() == tmp_path / "from_env.duckdb"
    monkeypatch.delenv("REACH_DB")
    assert database_path().name == "reach.duckdb" and database_path().parent.name == "data"


def test_a_writer_waits_for_a_reader_that_finishes(tmp_path):
    db = tmp_path / "reach.duckdb"
    connect(db).close()
    reader = _hold_open(db, 1.5, read_only=True)
    started = time.monotonic()
    with opened(db, wait_seconds=20) as con:
        con.execute("INSERT INTO centres (centre_id, name) VALUES ('C1', 'One')")
    assert time.monotonic() - started >= 0.5      # it waited rather than failing
    reader.wait(timeout=10)
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM centres").fetchone()[0] == 1


def test_a_writer_gives_up_with_advice_when_the_file_stays_busy(tmp_path):
    db = tmp_path / "reach.duckdb"
    connect(db).close()
    writer = _hold_open(db, 6, read_only=False)
    try:
        with pytest.raises(StoreBusyError, match="in use by another program"):
            connect(db, wait_seconds=1)
    finally:
        writer.kill()
        writer.wait()


def test_an_import_from_the_command_line_while_the_file_is_busy_exits_3_and_changes_nothing(tmp_path):
    db = tmp_path / "reach.duckdb"
    connect(db).close()
    centres = tmp_path / "centres.csv"
    centres.write_text("centre_id,name\nC1,One\n")
    holder = _hold_open(db, 30, read_only=False)
    try:
        env = dict(os.environ, REACH_SECRET="x", REACH_BUSY_WAIT="1")
        result = subprocess.run(
            [sys.executable, "-m", "reach", "import", "centres", str(centres), "--db", str(db)],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3, result.stderr
    assert "in use by another program" in result.stderr
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM centres").fetchone()[0] == 0


def test_readers_do_not_block_each_other(tmp_path):
    db = tmp_path / "reach.duckdb"
    connect(db).close()
    reader = _hold_open(db, 3, read_only=True)
    try:
        with opened(db, read_only=True, wait_seconds=0) as con:
            assert con.execute("SELECT count(*) FROM centres").fetchone()[0] == 0
    finally:
        reader.kill()
        reader.wait()


def test_the_data_version_changes_when_an_import_writes(tmp_path):
    db = tmp_path / "reach.duckdb"
    connect(db).close()
    before = data_version(db)
    time.sleep(0.01)
    with opened(db) as con:
        con.execute("INSERT INTO centres (centre_id, name) VALUES ('C1', 'One')")
    assert data_version(db) != before


def test_a_read_only_open_of_a_missing_database_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m reach demo"):
        connect(tmp_path / "missing.duckdb", read_only=True)


def test_the_key_file_is_created_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("REACH_SECRET")
    db = tmp_path / "reach.duckdb"
    first = secret_key(db)
    key_file = tmp_path / "reach.duckdb.key"
    assert key_file.exists() and len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_key(db) == first                       # the same key every time

    keys = []
    other = tmp_path / "race.duckdb"
    threads = [threading.Thread(target=lambda: keys.append(secret_key(other))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1                            # concurrent first uses agree


def test_the_secret_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("REACH_SECRET", "from-the-environment")
    assert secret_key(tmp_path / "reach.duckdb") == b"from-the-environment"
    assert not (tmp_path / "reach.duckdb.key").exists()
