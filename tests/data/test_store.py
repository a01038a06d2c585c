"""The store shared by the dashboard and the command line: neither may block or corrupt the other.

DuckDB lets one process write a file or many read it. The dashboard reads through short-lived
read-only connections; an import that finds the file in use waits, then says it is busy.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from data.store import KeyProblem, StoreBusyError, connect, data_version, database_path, opened, secret_key
from tests.stores import held_open

PROJECT = Path(__file__).resolve().parents[2]


def test_the_database_path_comes_from_the_option_then_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REACH_DB", str(tmp_path / "from_env.duckdb"))
    assert database_path(tmp_path / "given.duckdb") == tmp_path / "given.duckdb"
    assert database_path() == tmp_path / "from_env.duckdb"
    monkeypatch.delenv("REACH_DB")
    assert database_path().name == "reach.duckdb" and database_path().parent.name == "data"


def test_a_writer_waits_for_a_reader_that_finishes(empty_store):
    with held_open(empty_store, 1.5, read_only=True) as reader:
        started = time.monotonic()
        with opened(empty_store, wait_seconds=20) as con:
            con.execute("INSERT INTO centres (centre_id, name) VALUES ('C1', 'One')")
        assert time.monotonic() - started >= 0.5      # it waited rather than failing
        reader.wait(timeout=10)
    with opened(empty_store, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM centres").fetchone()[0] == 1


def test_a_writer_gives_up_with_advice_when_the_file_stays_busy(empty_store):
    with held_open(empty_store, 6, read_only=False), pytest.raises(StoreBusyError, match="in use by another program"):
        connect(empty_store, wait_seconds=1)


def test_an_import_from_the_command_line_while_the_file_is_busy_exits_3_and_changes_nothing(tmp_path, empty_store):
    centres = tmp_path / "centres.csv"
    centres.write_text("centre_id,name\nC1,One\n")
    with held_open(empty_store, 30, read_only=False):
        env = dict(os.environ, REACH_SECRET="a-key-for-this-test-only-32-bytes", REACH_BUSY_WAIT="1")
        result = subprocess.run(
            [sys.executable, "-m", "reach", "import", "centres", str(centres), "--db", str(empty_store)],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert "in use by another program" in result.stderr
    with opened(empty_store, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM centres").fetchone()[0] == 0


def test_readers_do_not_block_each_other(empty_store):
    with held_open(empty_store, 3, read_only=True), opened(empty_store, read_only=True, wait_seconds=0) as con:
        assert con.execute("SELECT count(*) FROM centres").fetchone()[0] == 0


def test_the_data_version_changes_when_an_import_writes(empty_store):
    before = data_version(empty_store)
    time.sleep(0.01)
    with opened(empty_store) as con:
        con.execute("INSERT INTO centres (centre_id, name) VALUES ('C1', 'One')")
    assert data_version(empty_store) != before


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
    monkeypatch.setenv("REACH_SECRET", "from-the-environment-32-bytes-long")
    assert secret_key(tmp_path / "reach.duckdb") == b"from-the-environment-32-bytes-long"
    assert not (tmp_path / "reach.duckdb.key").exists()


@pytest.mark.parametrize("secret, says", [
    ("", "REACH_SECRET is set but empty"),
    ("   ", "REACH_SECRET is set but empty"),
    ("only-31-bytes-so-one-too-few-xx", "REACH_SECRET is too short (31 bytes)"),
    ("  short-with-spaces-around-it          ", "REACH_SECRET is too short (27 bytes)"),
])
def test_a_short_or_empty_secret_in_the_environment_is_refused(tmp_path, monkeypatch, secret, says):
    monkeypatch.setenv("REACH_SECRET", secret)
    with pytest.raises(KeyProblem) as refused:
        secret_key(tmp_path / "reach.duckdb")
    message = str(refused.value)
    assert says in message and "at least 32 random characters" in message
    assert secret.strip() == "" or secret.strip() not in message
    assert not (tmp_path / "reach.duckdb.key").exists()     # no key file made in its place


def test_a_secret_of_32_bytes_is_enough(tmp_path, monkeypatch):
    monkeypatch.setenv("REACH_SECRET", "k" * 32)
    assert secret_key(tmp_path / "reach.duckdb") == b"k" * 32


@pytest.mark.parametrize("content, says", [
    (b"", "is empty"),
    (b" \n\t \n", "is empty"),
    (b"3f9a0c7e12", "is shorter than 32 bytes (it holds 10)"),
])
def test_an_empty_or_truncated_key_file_is_refused_not_replaced(tmp_path, monkeypatch, content, says):
    monkeypatch.delenv("REACH_SECRET")
    key_file = tmp_path / "reach.duckdb.key"
    key_file.write_bytes(content)
    with pytest.raises(KeyProblem) as refused:
        secret_key(tmp_path / "reach.duckdb")
    message = str(refused.value)
    assert says in message and "restore it from your backup" in message.lower()
    assert "a new key would stop new files linking to old ones" in message
    assert key_file.read_bytes() == content                  # left for the owner to restore


def test_a_key_file_readable_by_others_is_tightened(tmp_path, monkeypatch):
    monkeypatch.delenv("REACH_SECRET")
    key_file = tmp_path / "reach.duckdb.key"
    key_file.write_bytes(b"a" * 64)
    key_file.chmod(0o644)
    assert secret_key(tmp_path / "reach.duckdb") == b"a" * 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


# --- the store's files are its owner's only -------------------------------------------------------

def _modes(db: Path) -> dict[str, int]:
    """The permission bits of the database and any write-ahead log beside it."""
    return {path.name: stat.S_IMODE(path.stat().st_mode)
            for path in (db, Path(str(db) + ".wal")) if path.exists()}


def test_a_new_store_and_its_write_ahead_log_are_owner_only(tmp_path):
    db = tmp_path / "reach.duckdb"
    previous = os.umask(0o022)
    try:
        with opened(db) as con:
            con.execute("INSERT INTO centres (centre_id, name) VALUES ('C1', 'One')")
            during = _modes(db)
        after = _modes(db)
        assert os.umask(0o022) == 0o022                      # the umask is put back
    finally:
        os.umask(previous)
    assert "reach.duckdb.wal" in during                      # DuckDB had made its log by then
    assert set(during.values()) == {0o600} and after == {"reach.duckdb": 0o600}


def test_an_existing_store_readable_by_others_is_tightened_on_a_write_open(empty_store):
    empty_store.chmod(0o644)
    with opened(empty_store, read_only=True):
        pass
    assert stat.S_IMODE(empty_store.stat().st_mode) == 0o644        # reading leaves it alone
    with opened(empty_store):
        pass
    assert stat.S_IMODE(empty_store.stat().st_mode) == 0o600


def test_writers_on_several_threads_put_the_umask_back_once_all_are_done(tmp_path):
    previous = os.umask(0o022)
    try:
        def write(number: int) -> None:
            with opened(tmp_path / f"store{number}.duckdb") as con:
                con.execute("INSERT INTO centres (centre_id, name) VALUES ('C1', 'One')")
        threads = [threading.Thread(target=write, args=(number,)) for number in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert os.umask(0o022) == 0o022
    finally:
        os.umask(previous)
    assert {stat.S_IMODE(path.stat().st_mode) for path in tmp_path.glob("store*.duckdb")} == {0o600}
