"""The schema version a store records: read on every connection, an older store brought up to date
in place (in one transaction), and a store from a newer Reach refused and never written to.

The upgrade path is tested as the next change to the tables will use it: this version's schema
plays the previous one, and a next version that adds a column and a table is put in its place
(`schema_two`). Each real upgrade has its own test beside the tables it adds (version 2, the
exports table: tests/cli/test_worklist.py).
"""

import hashlib

import duckdb
import pytest

from cli.main import main
from data import schema
from data.store import StoreVersionError, connect, data_version, opened, upgrade_store
from tests.stores import record_schema_version as _record, recorded_schema_version as _recorded

NOTE_COLUMN = "ALTER TABLE births ADD COLUMN IF NOT EXISTS note VARCHAR"
NOTES_TABLE = "CREATE TABLE IF NOT EXISTS notes (note_id INTEGER PRIMARY KEY, note VARCHAR)"
THIS, NEXT = schema.SCHEMA_VERSION, schema.SCHEMA_VERSION + 1


def _file_hash(db) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def _columns(db, table: str) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [row[0] for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table]).fetchall()]
    finally:
        con.close()


@pytest.fixture
def store_with_a_birth(empty_store):
    """A store made by this version's schema, holding one birth and one centre."""
    with opened(empty_store) as con:
        con.execute("INSERT INTO centres (centre_id, name) VALUES ('C1', 'Riverside')")
        con.execute("INSERT INTO births (child_key, dob, lsoa_code, received_on) "
                    "VALUES ('k1', DATE '2024-05-01', 'E01000001', DATE '2024-06-30')")
    return empty_store


@pytest.fixture
def schema_two(monkeypatch):
    """Reach as it will be at the next schema version: births gain a `note` column (an upgrade
    step) and there is a new `notes` table (made, like any missing table, by the upgrade)."""
    monkeypatch.setattr(schema, "SCHEMA_VERSION", NEXT)
    monkeypatch.setattr(schema, "UPGRADES", {**schema.UPGRADES, NEXT: (NOTE_COLUMN,)})
    monkeypatch.setitem(schema.TABLES, "notes", NOTES_TABLE)


# --- this version ----------------------------------------------------------------------------

def test_a_new_store_records_this_version(empty_store):
    assert _recorded(empty_store) == str(schema.SCHEMA_VERSION)
    with opened(empty_store, read_only=True) as con:
        assert schema.recorded_version(con) == schema.SCHEMA_VERSION


def test_opening_an_up_to_date_store_for_writing_writes_nothing(store_with_a_birth):
    before = data_version(store_with_a_birth)
    with opened(store_with_a_birth):
        pass
    assert data_version(store_with_a_birth) == before


def test_a_file_without_reach_tables_is_set_up_by_the_first_write(tmp_path):
    db = tmp_path / "made_elsewhere.duckdb"
    duckdb.connect(str(db)).close()
    with opened(db, read_only=True) as con:      # nothing to check: it has no tables yet
        assert schema.recorded_version(con) is None
    assert upgrade_store(db) is None
    assert _recorded(db) == str(schema.SCHEMA_VERSION)
    assert all(_columns(db, table) for table in schema.TABLES)


# --- a store made by a newer Reach -----------------------------------------------------------

@pytest.mark.parametrize("read_only", [True, False])
def test_a_store_from_a_newer_reach_is_refused_and_left_as_it_was(store_with_a_birth, read_only):
    newer = schema.SCHEMA_VERSION + 1
    _record(store_with_a_birth, str(newer))
    before = _file_hash(store_with_a_birth)
    with pytest.raises(StoreVersionError) as refused:
        connect(store_with_a_birth, read_only=read_only)
    message = str(refused.value)
    assert f"this database was made by a newer version of Reach (schema {newer}" in message
    assert "Upgrade Reach" in message
    assert _file_hash(store_with_a_birth) == before
    assert _recorded(store_with_a_birth) == str(newer)


@pytest.mark.parametrize("command", [
    ["report", "--as-at", "2025-01-01"],
    ["history"],
    ["upgrade"],
    ["import", "centres", "FILE"],
])
def test_every_command_refuses_a_store_from_a_newer_reach_with_status_2(store_with_a_birth, tmp_path, capsys,
                                                                       command):
    centres = tmp_path / "centres.csv"
    centres.write_text("centre_id,name\nC2,Hilltop\n")
    _record(store_with_a_birth, "99")
    before = _file_hash(store_with_a_birth)
    argv = [str(centres) if word == "FILE" else word for word in command]
    status = main([*argv, "--db", str(store_with_a_birth)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "this database was made by a newer version of Reach (schema 99" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert _file_hash(store_with_a_birth) == before


# --- a store made by an older Reach ----------------------------------------------------------

def test_a_write_connection_brings_an_older_store_up_to_date_and_keeps_its_rows(store_with_a_birth, schema_two):
    with opened(store_with_a_birth) as con:
        assert schema.recorded_version(con) == NEXT
        assert con.execute("SELECT child_key, note FROM births").fetchall() == [("k1", None)]
        assert con.execute("SELECT name FROM centres").fetchall() == [("Riverside",)]
        assert con.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    assert _columns(store_with_a_birth, "births")[-1] == "note"


def test_an_upgrade_that_fails_part_way_changes_nothing(store_with_a_birth, schema_two, monkeypatch):
    monkeypatch.setattr(schema, "UPGRADES", {**schema.UPGRADES,
                                             NEXT: (NOTE_COLUMN, "ALTER TABLE nowhere ADD COLUMN x INTEGER")})
    with pytest.raises(duckdb.Error):
        connect(store_with_a_birth)
    assert _recorded(store_with_a_birth) == str(THIS)
    assert "note" not in _columns(store_with_a_birth, "births")
    assert _columns(store_with_a_birth, "notes") == []


def test_a_read_only_connection_refuses_an_older_store_and_says_how_to_upgrade_it(store_with_a_birth, schema_two):
    before = _file_hash(store_with_a_birth)
    with pytest.raises(StoreVersionError) as refused:
        connect(store_with_a_birth, read_only=True)
    message = str(refused.value)
    assert f"made by an older version of Reach (schema {THIS})" in message
    assert "python -m reach upgrade" in message
    assert _file_hash(store_with_a_birth) == before


def test_the_upgrade_command_upgrades_once_then_has_nothing_to_do(store_with_a_birth, schema_two, capsys):
    db = str(store_with_a_birth)
    assert main(["report", "--as-at", "2025-01-01", "--db", db]) == 2        # read-only: refused
    assert "python -m reach upgrade" in capsys.readouterr().err
    assert main(["upgrade", "--db", db]) == 0
    assert capsys.readouterr().out.strip() == f"{db} was upgraded from schema {THIS} to schema {NEXT}."
    assert main(["upgrade", "--db", db]) == 0
    assert capsys.readouterr().out.strip() == f"{db} is up to date (schema {NEXT}): nothing to do."
    assert main(["report", "--as-at", "2025-01-01", "--db", db]) == 0


# --- version 3: family hubs and sign-in ------------------------------------------------------

def _as_schema_two(db) -> None:
    """Make `db` what Reach of schema 2 made: no under-two, centroid or site-type columns and
    none of the tables `eyfsp`, `gld_counts` and `audit`."""
    con = duckdb.connect(str(db))
    for table in ("eyfsp", "gld_counts", "audit"):
        con.execute(f"DROP TABLE {table}")
    for table, column in (("population", "children_0_1"), ("lsoas", "pwc_lon"), ("lsoas", "pwc_lat"),
                          ("centres", "site_type")):
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()


def test_a_schema_two_store_gains_the_family_hub_columns_and_tables_keeping_its_rows(store_with_a_birth):
    db = store_with_a_birth
    _as_schema_two(db)
    assert "children_0_1" not in _columns(db, "population")
    assert main(["upgrade", "--db", str(db)]) == 0
    assert _recorded(db) == str(schema.SCHEMA_VERSION)
    assert _columns(db, "population")[-1] == "children_0_1"
    assert _columns(db, "lsoas")[-2:] == ["pwc_lon", "pwc_lat"]
    assert _columns(db, "centres")[-1] == "site_type"
    assert _columns(db, "audit")[:3] == ["audit_id", "happened_at", "actor"]
    assert _columns(db, "eyfsp") and _columns(db, "gld_counts")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT child_key FROM births").fetchall() == [("k1",)]
        assert con.execute("SELECT centre_id, site_type FROM centres").fetchall() == [("C1", None)]
    finally:
        con.close()


# --- version 4: the big tables without primary keys -------------------------------------------

# The three tables as Reach of schema 3 made them: each with its natural key as a PRIMARY KEY,
# and an index on the LSOA of births and registrations.
_SCHEMA_THREE_PEOPLE = (
    """CREATE TABLE births (child_key VARCHAR NOT NULL, dob DATE NOT NULL, lsoa_code VARCHAR NOT NULL,
           received_on DATE NOT NULL, event VARCHAR NOT NULL DEFAULT 'birth', arrived_on DATE,
           sex VARCHAR, import_id INTEGER, PRIMARY KEY (child_key, received_on))""",
    """CREATE TABLE registrations (child_key VARCHAR NOT NULL, dob DATE NOT NULL,
           lsoa_code VARCHAR NOT NULL, centre_id VARCHAR NOT NULL, registered_on DATE NOT NULL,
           family_key VARCHAR, lone_parent BOOLEAN, teenage_parent BOOLEAN,
           workless_household BOOLEAN, disability BOOLEAN, minority_ethnic BOOLEAN,
           father_engaged BOOLEAN, import_id INTEGER, PRIMARY KEY (child_key, centre_id, registered_on))""",
    """CREATE TABLE contacts (child_key VARCHAR NOT NULL, contact_on DATE NOT NULL,
           centre_id VARCHAR NOT NULL DEFAULT '', activity VARCHAR NOT NULL DEFAULT '',
           import_id INTEGER, PRIMARY KEY (child_key, contact_on, centre_id, activity))""",
    "CREATE INDEX births_lsoa ON births (lsoa_code)",
    "CREATE INDEX registrations_lsoa ON registrations (lsoa_code)",
)


def _as_schema_three(db) -> None:
    """Make `db` what Reach of schema 3 made, holding rows in the three big tables: 2,500
    births (in an order no key would give), 3 registrations and 2 contacts."""
    con = duckdb.connect(str(db))
    for table in ("births", "registrations", "contacts"):
        con.execute(f"DROP TABLE {table}")
    for statement in _SCHEMA_THREE_PEOPLE:
        con.execute(statement)
    con.execute("""INSERT INTO births (child_key, dob, lsoa_code, received_on, import_id)
                   SELECT 'k' || ((i * 7919) % 2500), DATE '2024-01-01' + (i % 300)::INTEGER,
                          'E0100000' || (i % 10), DATE '2024-12-31', 1 FROM range(2500) t(i)""")
    con.execute("""INSERT INTO births VALUES ('k1', DATE '2024-02-02', 'E01000001', DATE '2025-03-31',
                                              'arrival', DATE '2025-03-01', 'F', 2)""")
    con.execute("""INSERT INTO registrations (child_key, dob, lsoa_code, centre_id, registered_on,
                                              family_key, lone_parent, import_id)
                   VALUES ('k1', DATE '2024-02-02', 'E01000001', 'C1', DATE '2024-03-01', 'f1', true, 3),
                          ('k1', DATE '2024-02-02', 'E01000001', 'C2', DATE '2024-03-01', 'f1', NULL, 3),
                          ('k2', DATE '2024-02-03', 'E01000002', 'C1', DATE '2024-04-01', NULL, false, 3)""")
    con.execute("""INSERT INTO contacts (child_key, contact_on, import_id)
                   VALUES ('k1', DATE '2024-05-01', 4), ('k2', DATE '2024-05-02', 4)""")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()


def _everything(db, table: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    finally:
        con.close()


def test_a_schema_three_store_loses_the_big_tables_keys_and_lsoa_indexes_keeping_every_row(store_with_a_birth):
    db = store_with_a_birth
    _as_schema_three(db)
    before = {table: _everything(db, table) for table in ("births", "registrations", "contacts")}
    assert len(before["births"]) == 2501
    assert main(["upgrade", "--db", str(db)]) == 0
    assert _recorded(db) == str(THIS)
    # Every row, with every value, in the order it had.
    for table, rows in before.items():
        assert _everything(db, table) == rows, table
    con = duckdb.connect(str(db), read_only=True)
    try:
        keyed = con.execute("""SELECT table_name FROM duckdb_constraints()
                               WHERE constraint_type = 'PRIMARY KEY' ORDER BY table_name""").fetchall()
        indexes = con.execute("SELECT index_name FROM duckdb_indexes() ORDER BY index_name").fetchall()
        columns = con.execute("""SELECT column_name, is_nullable, column_default FROM information_schema.columns
                                 WHERE table_name = 'contacts' ORDER BY ordinal_position""").fetchall()
    finally:
        con.close()
    keyed_tables = {name for (name,) in keyed}
    assert not keyed_tables & {"births", "registrations", "contacts"}
    assert {"centres", "population", "eyfsp", "import_log"} <= keyed_tables     # the small ones keep theirs
    assert indexes == [("quarantine_import",)]
    # NOT NULL and the defaults are kept.
    assert columns == [("child_key", "NO", None), ("contact_on", "NO", None), ("centre_id", "NO", "''"),
                       ("activity", "NO", "''"), ("import_id", "YES", None)]
    with opened(db) as con:
        con.execute("INSERT INTO births (child_key, dob, lsoa_code, received_on) "
                    "VALUES ('new-child', DATE '2024-05-01', 'E01000001', DATE '2024-06-30')")
        assert con.execute("SELECT event FROM births WHERE child_key = 'new-child'").fetchall() == [("birth",)]
    # Nothing more to do the second time.
    assert main(["upgrade", "--db", str(db)]) == 0


def test_an_upgraded_store_still_counts_a_second_load_as_already_present(store_with_a_birth, tmp_path):
    from data.importers import import_file

    db = store_with_a_birth
    _as_schema_three(db)
    assert main(["upgrade", "--db", str(db)]) == 0
    extract = tmp_path / "registrations.csv"
    extract.write_text("child_key,dob,lsoa_code,centre_id,registered_on\n"
                       "k1,2024-02-02,E01000001,C1,2024-03-01\n"        # stored before the upgrade
                       "k3,2024-02-04,E01000003,C1,2024-04-02\n")
    first = import_file("registrations", extract, db=db)
    again = import_file("registrations", extract, db=db)
    assert (first.rows_loaded, first.rows_already_present) == (1, 1)
    assert (again.rows_loaded, again.rows_already_present, again.status) == (0, 2, "unchanged")
    assert len(_everything(db, "registrations")) == 4


# --- version 5: the keyed hashes of the big tables stored uncompressed ---------------------------

def _as_schema_four(db) -> None:
    """Make `db` what Reach of schema 4 made: the three big tables without keys, their keyed
    hashes compressed as DuckDB chooses, holding 3,000 births, 2 registrations and 1 contact."""
    con = duckdb.connect(str(db))
    for table in ("births", "registrations", "contacts"):
        con.execute(f"DROP TABLE {table}")
    for statement in _SCHEMA_THREE_PEOPLE[:3]:
        con.execute(statement.replace(", PRIMARY KEY (child_key, received_on)", "")
                    .replace(", PRIMARY KEY (child_key, centre_id, registered_on)", "")
                    .replace(", PRIMARY KEY (child_key, contact_on, centre_id, activity)", ""))
    con.execute("""INSERT INTO births (child_key, dob, lsoa_code, received_on, import_id)
                   SELECT sha256('child ' || ((i * 7919) % 3000)), DATE '2024-01-01' + (i % 300)::INTEGER,
                          'E0100000' || (i % 10), DATE '2024-12-31', 1 FROM range(3000) t(i)""")
    con.execute("""INSERT INTO registrations (child_key, dob, lsoa_code, centre_id, registered_on,
                                              family_key, import_id)
                   VALUES ('k1', DATE '2024-02-02', 'E01000001', 'C1', DATE '2024-03-01', 'f1', 3),
                          ('k2', DATE '2024-02-03', 'E01000002', 'C1', DATE '2024-04-01', NULL, 3)""")
    con.execute("INSERT INTO contacts (child_key, contact_on, import_id) VALUES ('k1', DATE '2024-05-01', 4)")
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    con.close()


def _compression(db, table: str, column: str) -> set[str]:
    """How DuckDB keeps a column on disk, e.g. {"Uncompressed"} (a constant segment aside)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {row[0] for row in con.execute(
            "SELECT DISTINCT compression FROM pragma_storage_info(?) WHERE column_name = ?",
            [table, column]).fetchall()} - {"Constant"}
    finally:
        con.close()


def test_a_schema_four_store_keeps_every_row_and_stores_new_keyed_hashes_uncompressed(store_with_a_birth):
    db = store_with_a_birth
    _as_schema_four(db)
    before = {table: _everything(db, table) for table in ("births", "registrations", "contacts")}
    assert len(before["births"]) == 3000
    assert main(["upgrade", "--db", str(db)]) == 0
    assert _recorded(db) == str(THIS) == "5"
    for table, rows in before.items():
        assert _everything(db, table) == rows, table
    assert _compression(db, "births", "child_key") == {"Uncompressed"}
    assert _compression(db, "births", "lsoa_code") != {"Uncompressed"}     # the rest as before
    con = duckdb.connect(str(db), read_only=True)
    try:
        declared = {row[0]: row[1] for row in con.execute(
            "SELECT table_name, sql FROM duckdb_tables() WHERE table_name IN ('births', 'registrations', 'contacts')"
        ).fetchall()}
    finally:
        con.close()
    assert "child_key VARCHAR USING COMPRESSION Uncompressed NOT NULL" in declared["births"]
    assert "family_key VARCHAR USING COMPRESSION Uncompressed," in declared["registrations"]
    assert "child_key VARCHAR USING COMPRESSION Uncompressed NOT NULL" in declared["contacts"]
    assert main(["upgrade", "--db", str(db)]) == 0     # nothing more to do
