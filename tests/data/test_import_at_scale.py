"""The import made quick for England-sized files keeps what it always did: the same pseudonyms,
the file's row numbers (read on several threads, blank rows counted), "duplicate of row N"
pointing at the first good row, and a second load of the same file changing nothing, now that the
big tables have no primary key to refuse a row twice."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from data.importers import import_file, importing
from data.store import opened


def _nhs_number(nine: int) -> str | None:
    """Nine digits and their modulus-11 check digit, or None where no check digit exists."""
    digits = f"{nine:09d}"
    check = 11 - sum((10 - place) * int(digit) for place, digit in enumerate(digits)) % 11
    if check == 10:
        return None
    return digits + ("0" if check == 11 else str(check))


def _numbers(count: int, start: int = 100_000_000) -> list[str]:
    found: list[str] = []
    nine = start
    while len(found) < count:
        number = _nhs_number(nine)
        if number is not None:
            found.append(number)
        nine += 7
    return found


def _rows(db, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_child_key_is_the_keyed_hash_of_the_nhs_number_as_it_always_was(empty_store, tmp_path):
    numbers = _numbers(3)
    extract = tmp_path / "births.csv"
    extract.write_text("nhs_number,dob,lsoa_code,received_on\n"
                       f"{numbers[0]},2025-01-02,E01000001,2025-02-01\n"
                       f"{numbers[1][:3]} {numbers[1][3:6]} {numbers[1][6:]},2025-01-03,E01000002,2025-02-01\n"
                       f" {numbers[2]} ,2025-01-04,E01000003,2025-02-01\n")
    summary = import_file("births", extract, db=empty_store)
    assert summary.rows_loaded == 3
    key = os.environ["REACH_SECRET"].encode("utf-8")
    expected = [hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest() for number in numbers]
    assert _rows(empty_store, "SELECT child_key FROM births ORDER BY dob") == [(digest,) for digest in expected]


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """A births file of 200,000 rows (about 8 MB, so DuckDB reads it in several pieces on every
    thread), with a blank row, bad dates and repeated children at known rows."""
    folder = tmp_path_factory.mktemp("big")
    numbers = _numbers(200_000)
    lines = ["nhs_number,dob,lsoa_code,received_on"]
    for row in range(1, 200_001):
        lines.append(f"{numbers[row - 1]},2025-{1 + row % 12:02d}-{1 + row % 28:02d},E01{row % 33755:06d},2026-01-31")
    # Row 1,000 is blank (numbered, not read); rows 77,777 and 199,999 have a bad date that names
    # their row; row 150,001 repeats the child of row 150,000 and row 160,000 that of row 10.
    lines[1_000] = ",,,"
    lines[77_777] = f"{numbers[77_776]},not-a-date-77777,E01000001,2026-01-31"
    lines[199_999] = f"{numbers[199_998]},not-a-date-199999,E01000001,2026-01-31"
    lines[150_001] = f"{numbers[149_999]},2025-03-03,E01000002,2026-01-31"
    lines[160_000] = f"{numbers[9]},2025-03-03,E01000002,2026-01-31"
    path = folder / "births.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_big_file_read_on_several_threads_keeps_its_row_numbers(big_file, tmp_path):
    db = tmp_path / "reach.duckdb"
    with opened(db) as con:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] >= 1
    summary = import_file("births", big_file, db=db)
    # 200,000 rows numbered, one blank: 199,999 read; four set aside, the rest loaded.
    assert (summary.rows_read, summary.rows_quarantined, summary.rows_loaded) == (199_999, 4, 199_995)
    quarantined = _rows(db, "SELECT row_number, reason FROM quarantine ORDER BY row_number")
    assert quarantined == [
        (77_777, 'dob "not-a-date-77777" is not a date in the form YYYY-MM-DD'),
        (150_001, "duplicate of row 150000"),
        (160_000, "duplicate of row 10"),
        (199_999, 'dob "not-a-date-199999" is not a date in the form YYYY-MM-DD'),
    ]
    # Each child is stored with the values of its own row, either side of the blank row.
    key = os.environ["REACH_SECRET"].encode("utf-8")
    numbers = [line.split(",")[0] for line in big_file.read_text().splitlines()[998:1003]]   # rows 998-1002
    keys = [hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest() for number in numbers if number]
    stored = dict(_rows(db, "SELECT child_key, lsoa_code FROM births WHERE child_key IN ({})".format(
        ", ".join(f"'{key}'" for key in keys))))
    assert [stored[key] for key in keys] == ["E01000998", "E01000999", "E01001001", "E01001002"]


def test_the_same_big_file_again_changes_nothing(big_file, tmp_path):
    db = tmp_path / "reach.duckdb"
    import_file("births", big_file, db=db)
    again = import_file("births", big_file, db=db)
    assert (again.status, again.rows_loaded, again.rows_already_present, again.rows_quarantined) == (
        "unchanged", 0, 199_995, 4)
    assert _rows(db, "SELECT count(*), count(DISTINCT (child_key, received_on)) FROM births") == [(199_995, 199_995)]


def test_a_duplicate_points_at_the_first_good_row_and_a_faulty_first_row_does_not_count(empty_store, tmp_path):
    numbers = _numbers(2)
    extract = tmp_path / "contacts.csv"
    extract.write_text("nhs_number,contact_on,centre_id,activity\n"
                       f"{numbers[0]},2025-13-01,C1,stay and play\n"     # 1: a bad date
                       f"{numbers[0]},2025-01-01,C1,stay and play\n"     # 2: the first good one
                       f"{numbers[0]},2025-01-01,C1,stay and play\n"     # 3: duplicate of row 2
                       f"{numbers[1]},2025-01-01,,\n"                    # 4: blank centre and activity
                       f"{numbers[1]},2025-01-01,,\n"                    # 5: duplicate of row 4
                       f"{numbers[0]},2025-01-01,C1,stay and play\n")    # 6: duplicate of row 2
    summary = import_file("contacts", extract, db=empty_store)
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 4)
    assert _rows(empty_store, "SELECT row_number, reason FROM quarantine ORDER BY row_number") == [
        (1, 'contact_on "2025-13-01" is not a real date'),
        (3, "duplicate of row 2"), (5, "duplicate of row 4"), (6, "duplicate of row 2")]
    again = import_file("contacts", extract, db=empty_store)
    assert (again.status, again.rows_already_present) == ("unchanged", 2)
    assert _rows(empty_store, "SELECT count(*) FROM contacts") == [(2,)]


@pytest.mark.parametrize("sign", [b"\n\n", b'" ', b"\x00"])
def test_one_read_of_a_file_gives_its_hash_its_lines_and_a_sign_split_between_blocks(tmp_path, sign):
    from data.importers.reading import scan_file

    block = 1 << 22                      # what the scan reads at a time
    line = b"1234567890,2025-01-01,E01000001\n"
    body = line * (block // len(line) + 10)
    # The sign's first byte ends the first block and its last begins the second.
    data = body[:block - 1] + sign + body[block + len(sign) - 1:]
    path = tmp_path / "births.csv"
    path.write_bytes(data)
    scan = scan_file(path)
    assert scan.sha256 == hashlib.sha256(data).hexdigest()
    assert scan.line_breaks == data.count(b"\n")
    assert not scan.duckdb_readable
    path.write_bytes(body)
    assert scan_file(path).duckdb_readable


def test_a_failure_of_the_scans_hashing_thread_is_raised_to_its_caller(tmp_path, monkeypatch):
    from data.importers import reading

    class Broken:
        def update(self, block):
            raise OSError("the disk went away")

    monkeypatch.setattr(reading.hashlib, "sha256", Broken)
    path = tmp_path / "births.csv"
    path.write_bytes(b"nhs_number,dob,lsoa_code\n9434765919,2024-05-01,E01006074\n")
    with pytest.raises(OSError, match="the disk went away"):
        reading.scan_file(path)


def test_an_imported_childs_keyed_hash_is_stored_uncompressed_and_its_lsoa_with_zstd(big_file, tmp_path):
    db = tmp_path / "reach.duckdb"
    import_file("births", big_file, db=db)
    kept = dict(_rows(db, """SELECT column_name, list(DISTINCT compression ORDER BY compression)
                             FROM pragma_storage_info('births')
                             WHERE compression <> 'Constant' AND column_name IN ('child_key', 'lsoa_code')
                             GROUP BY column_name"""))
    assert kept["child_key"] == ["Uncompressed"]
    assert kept["lsoa_code"] == ["ZSTD"]
    # Still the keyed hash of each NHS number, all 199,995 of them.
    key = os.environ["REACH_SECRET"].encode("utf-8")
    first = big_file.read_text().splitlines()[1].split(",")[0]
    lengths = "SELECT count(*), min(length(child_key)), max(length(child_key)) FROM births"
    assert _rows(db, lengths) == [(199_995, 64, 64)]
    digest = hmac.new(key, first.encode("ascii"), hashlib.sha256).hexdigest()
    assert _rows(db, f"SELECT count(*) FROM births WHERE child_key = '{digest}'") == [(1,)]


# -- the memory an import writes with -------------------------------------------------------------

def _limits_seen_while_writing(monkeypatch, spilled: list | None = None) -> list[str]:
    """The memory limit DuckDB had as each import began writing; in `spilled`, the modes of the
    spill folder and its files as each finished writing (None where there was none)."""
    seen: list[str] = []
    real_import = importing._import

    def watched(read, checker, *, report):
        con = read.ctx.con
        seen.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        summary = real_import(read, checker, report=report)
        if spilled is not None:
            folder = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
            spilled.append({path.is_dir(): stat.S_IMODE(path.stat().st_mode) for path in [folder, *folder.iterdir()]}
                           if folder.exists() else None)
        return summary

    monkeypatch.setattr(importing, "_import", watched)
    return seen


def test_a_small_import_leaves_duckdbs_memory_as_it_is(big_file, tmp_path, monkeypatch):
    seen = _limits_seen_while_writing(monkeypatch)
    with duckdb.connect() as con:
        default = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    import_file("births", big_file, db=tmp_path / "reach.duckdb")
    assert seen == [default]


def test_a_large_import_writes_with_duckdbs_memory_held_and_its_rows_as_before(big_file, tmp_path, monkeypatch):
    # 200,000 rows stand in for a large file: held from nothing, with 4 MB of room.
    monkeypatch.setattr(importing, "WRITING_HELD_FROM_BYTES", 0)
    monkeypatch.setattr(importing, "WRITING_HEADROOM_BYTES", 4 * 2**20)
    spilled: list = []
    seen = _limits_seen_while_writing(monkeypatch, spilled)
    db = tmp_path / "reach.duckdb"
    first = import_file("births", big_file, db=db)
    again = import_file("births", big_file, db=db)
    # The rows read held some tens of MB: each import wrote with them and 4 MB more.
    sizes = [importing._bytes_of(limit) for limit in seen]
    assert len(sizes) == 2 and all(size is not None and 4 * 2**20 < size < 256 * 2**20 for size in sizes), seen
    # DuckDB moved what it worked with to its spill folder, its owner's only, gone once closed.
    assert spilled[0] == {True: 0o700, False: 0o600}
    assert not Path(f"{db}.tmp").exists()
    # Stored as ever.
    assert (first.rows_loaded, first.rows_quarantined) == (199_995, 4)
    assert (again.status, again.rows_loaded, again.rows_already_present) == ("unchanged", 0, 199_995)
    assert _rows(db, "SELECT count(*), count(DISTINCT child_key) FROM births") == [(199_995, 199_995)]
    assert _rows(db, "SELECT count(*) FROM quarantine") == [(4,)]


def _held(con) -> str:
    """The memory limit while an import would write on this connection, then put back."""
    limit = importing._memory_limit_for_writing(con)
    with importing._setting(con, "memory_limit", limit) if limit else contextlib.nullcontext():
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_the_memory_held_is_put_back_and_never_raised(monkeypatch):
    monkeypatch.setattr(importing, "WRITING_HELD_FROM_BYTES", 0)
    monkeypatch.setattr(importing, "WRITING_HEADROOM_BYTES", 2**30)
    con = duckdb.connect()
    try:
        default = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert _held(con) == "1.0 GiB"
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default
        con.execute("SET memory_limit = '8GB'")
        _held(con)
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] in ("7.4 GiB", "7.3 GiB")
        con.execute("SET memory_limit = '512MB'")          # lower than it would hold to: left as it is
        assert _held(con) == "488.2 MiB"
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "488.2 MiB"
    finally:
        con.close()


def test_a_failed_import_tells_its_own_error_not_the_aborted_transactions(big_file, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "WRITING_HELD_FROM_BYTES", 0)
    seen = _limits_seen_while_writing(monkeypatch)
    held = importing._import

    def failing(read, checker, *, report):
        held(read, checker, report=report)
        read.ctx.con.execute("INSERT INTO import_log SELECT * FROM import_log")   # the transaction is aborted

    monkeypatch.setattr(importing, "_import", failing)
    db = tmp_path / "reach.duckdb"
    with pytest.raises(duckdb.ConstraintException):
        import_file("births", big_file, db=db)
    # It wrote held (the rows read and 128 MB), and the store has nothing of it.
    size = importing._bytes_of(seen[0])
    assert size is not None and 128 * 2**20 < size < 512 * 2**20, seen
    assert _rows(db, "SELECT count(*) FROM births") == [(0,)]


@pytest.mark.parametrize(("shown", "size"), [
    ("18.6 GiB", int(18.6 * 2**30)), ("488.2 MiB", int(488.2 * 2**20)), ("2.0 GB", 2 * 10**9),
    ("1024 bytes", 1024), ("16383.9 PiB", int(16383.9 * 2**50)),
    ("-1", None), ("unlimited", None), ("1.0 furlongs", None), ("inf GiB", None),
])
def test_a_size_as_duckdb_shows_it_is_read_in_bytes(shown, size):
    assert importing._bytes_of(shown) == size


def test_the_repeated_hashes_are_those_of_good_rows_held_more_than_once():
    con = duckdb.connect()
    try:
        con.execute(f"""CREATE TEMP TABLE {importing.CHECKED} AS
                        SELECT * FROM (VALUES (5::UBIGINT, NULL), (3, NULL), (5, NULL), (7, NULL), (3, NULL),
                                              (3, NULL), (9, 'a fault'), (9, NULL), (18446744073709551615, NULL),
                                              (18446744073709551615, NULL)) v(key_hash, _reason)""")
        ctx = SimpleNamespace(run=con.execute)
        # 9 is held twice, but once by a faulty row: not a repeat among the good rows.
        assert importing._repeated_hashes(ctx, "key_hash").tolist() == [3, 5, 18446744073709551615]
        con.execute(f"DELETE FROM {importing.CHECKED} WHERE key_hash IN (3, 5, 18446744073709551615)")
        assert importing._repeated_hashes(ctx, "key_hash").tolist() == []
        con.execute(f"DELETE FROM {importing.CHECKED}")
        assert importing._repeated_hashes(ctx, "key_hash").tolist() == []
    finally:
        con.close()
