"""The tables of the Reach store, in one place.

Every table that holds imported rows carries `import_id`, the import that wrote the row, so the
import history can say what each file contributed. Natural keys are what make a second load of
the same rows change nothing: a row whose key is already present is counted as "already present",
not written again. The importer checks the key itself (each kind's `key`, see
`data.importers.kinds`), before it writes; the small tables also declare it as their PRIMARY KEY.
The three big tables of people (`births`, `registrations`, `contacts`, millions of rows in a
large area) do not: DuckDB keeps a primary key as an index beside the table, which made writing
3 million rows four or five times slower, and no query reads that index (nor the index on
`lsoa_code` they once had: DuckDB answers a query by scanning columns, not by looking rows up).

Personal data: `child_key` and `family_key` are keyed hashes (or keys pseudonymised upstream);
no name, address or full postcode is ever stored. Postcodes are turned into LSOAs at import.

The store records the version of these tables it was made with (`meta.schema_version`), which
`data.store` reads on every connection: a store made by an older Reach is brought up to date in
place (`upgrade_schema`), and one made by a newer Reach is refused, never written to.
"""

SCHEMA_VERSION = 5

# How a store made by an earlier version of Reach is brought up to this one. UPGRADES[n] holds
# the statements that turn a version n - 1 store into version n; they run in order, oldest
# first, in the one transaction of the upgrade. A new table or index needs no statement (every
# upgrade ends by creating whatever is missing), but a new column, a changed key or data moved
# between tables does. So when a table below changes, raise SCHEMA_VERSION and add its step,
# for example `2: ("ALTER TABLE centres ADD COLUMN IF NOT EXISTS opened_on DATE",)`, with a test
# that builds a store as the version before made it. Version 1 is the first Reach recorded.
# Version 2 adds the `exports` table, which the upgrade makes like any missing table: no step.
# Version 3 (family hubs and sign-in) adds the under-two estimate, population-weighted centroids,
# the kind of each site, and the tables `eyfsp`, `gld_counts` and `audit`.
# Version 4 (England scale) rebuilds `births`, `registrations` and `contacts` without their
# PRIMARY KEYs and drops the indexes `births_lsoa` and `registrations_lsoa`: see the top of this
# file. DuckDB cannot drop a primary key, so each table is copied, row for row and in order, into
# one made without it (`_rebuilt`).
# Version 5 (England scale) rebuilds the same three tables again, so that their keyed hashes
# (`child_key`, and `family_key` of registrations) are stored as they are, not compressed: a
# keyed hash is 64 random hexadecimal characters, which DuckDB's string compression shrinks only
# by half, at a cost that made writing 3 million of them take twice as long as writing the rest
# of the row. Every value stays exactly as it was; only the way the column is kept on disk changes.
# The `lsoa_code` of `births` and `registrations` is kept with zstd, named rather than found by
# DuckDB trying each way it has: the trying took 0.15 s of the 0.7 s that writing 3 million births
# took. zstd keeps the codes in half the room of none at all (a third more than the way DuckDB
# found), and a count by LSOA reads them as quickly. A store made before keeps its codes as they
# were, which changes nothing else: no upgrade step rebuilds it for this.
UNKEYED = ("births", "registrations", "contacts")


def _rebuilt(table: str, version: int) -> tuple[str, ...]:
    """The statements that rebuild `table` as TABLES now defines it (without a primary key,
    its keyed hashes uncompressed), keeping every row, in the order it had."""
    new = f"{table}_v{version}"
    made = TABLES[table].replace(f"CREATE TABLE IF NOT EXISTS {table} (", f"CREATE TABLE {new} (", 1)
    return (f"DROP INDEX IF EXISTS {table}_lsoa",
            made,
            f"INSERT INTO {new} BY NAME SELECT * FROM {table}",
            f"DROP TABLE {table}",
            f"ALTER TABLE {new} RENAME TO {table}")


UPGRADES: dict[int, tuple[str, ...]] = {
    2: (),
    3: ("ALTER TABLE population ADD COLUMN IF NOT EXISTS children_0_1 INTEGER",
        "ALTER TABLE lsoas ADD COLUMN IF NOT EXISTS pwc_lon DOUBLE",
        "ALTER TABLE lsoas ADD COLUMN IF NOT EXISTS pwc_lat DOUBLE",
        "ALTER TABLE centres ADD COLUMN IF NOT EXISTS site_type VARCHAR"),
}

TABLES = {
    "centres": """
        CREATE TABLE IF NOT EXISTS centres (
            centre_id   VARCHAR PRIMARY KEY,
            name        VARCHAR NOT NULL,
            la_code     VARCHAR,
            group_id    VARCHAR,      -- a hub and its satellite sites share a group
            lsoa_code   VARCHAR,      -- where the building is (from its postcode or point)
            lon         DOUBLE,
            lat         DOUBLE,
            import_id   INTEGER,
            site_type   VARCHAR       -- 'family hub' or 'children's centre', where the file says
        )""",
    "reach_areas": """
        CREATE TABLE IF NOT EXISTS reach_areas (
            lsoa_code   VARCHAR PRIMARY KEY,   -- an LSOA belongs to at most one centre
            centre_id   VARCHAR NOT NULL,
            import_id   INTEGER
        )""",
    "lsoas": """
        CREATE TABLE IF NOT EXISTS lsoas (
            lsoa_code   VARCHAR PRIMARY KEY,
            lsoa_name   VARCHAR,
            geometry    BLOB,         -- WKB, WGS84 longitude/latitude (EPSG:4326)
            import_id   INTEGER,
            pwc_lon     DOUBLE,       -- population-weighted centroid, where the file gives one
            pwc_lat     DOUBLE
        )""",
    "population": """
        CREATE TABLE IF NOT EXISTS population (
            lsoa_code     VARCHAR NOT NULL,
            period        DATE NOT NULL,      -- the estimate's reference date
            children_0_4  INTEGER NOT NULL,
            import_id     INTEGER,
            children_0_1  INTEGER,            -- ages 0 and 1; NULL where the estimate has only 0-4
            PRIMARY KEY (lsoa_code, period)
        )""",
    # One row per child assessed in the Early Years Foundation Stage Profile. `record_key` is the
    # child key where the file gives one; otherwise a key made from the row's own values and its
    # occurrence in the file, so that loading the same file again changes nothing.
    "eyfsp": """
        CREATE TABLE IF NOT EXISTS eyfsp (
            record_key       VARCHAR NOT NULL,
            child_key        VARCHAR,          -- keyed hash, as in births; NULL where not given
            dob              DATE NOT NULL,
            lsoa_code        VARCHAR NOT NULL,
            assessment_year  INTEGER NOT NULL, -- the year the school year ends: 2025 for 2024/25
            gld              BOOLEAN NOT NULL,
            fsm              BOOLEAN,
            import_id        INTEGER,
            PRIMARY KEY (record_key, assessment_year)
        )""",
    # Good level of development as counts, for authorities that share no child-level results.
    "gld_counts": """
        CREATE TABLE IF NOT EXISTS gld_counts (
            area_type        VARCHAR NOT NULL,  -- 'lsoa' or 'centre'
            area_code        VARCHAR NOT NULL,
            assessment_year  INTEGER NOT NULL,
            assessed         INTEGER NOT NULL,
            gld              INTEGER NOT NULL,
            fsm_assessed     INTEGER,
            fsm_gld          INTEGER,
            import_id        INTEGER,
            PRIMARY KEY (area_type, area_code, assessment_year)
        )""",
    # One row per child per extract it appeared in: the same child shared again in a later
    # extract is a new sighting (the earliest received_on is when the centre could first know).
    # Its key, (child_key, received_on), is checked by the importer: no PRIMARY KEY (see above).
    "births": """
        CREATE TABLE IF NOT EXISTS births (
            child_key    VARCHAR USING COMPRESSION uncompressed NOT NULL,
            dob          DATE NOT NULL,
            lsoa_code    VARCHAR USING COMPRESSION zstd NOT NULL,
            received_on  DATE NOT NULL,
            event        VARCHAR NOT NULL DEFAULT 'birth',   -- 'birth' or 'arrival'
            arrived_on   DATE,
            sex          VARCHAR,
            import_id    INTEGER
        )""",
    "birth_counts": """
        CREATE TABLE IF NOT EXISTS birth_counts (
            area_type    VARCHAR NOT NULL,    -- 'lsoa' or 'centre'
            area_code    VARCHAR NOT NULL,    -- an LSOA code or a centre_id
            month        DATE NOT NULL,       -- first day of the month of birth
            births       INTEGER NOT NULL,
            received_on  DATE,
            import_id    INTEGER,
            PRIMARY KEY (area_type, area_code, month)
        )""",
    # Key (child_key, centre_id, registered_on), checked by the importer.
    "registrations": """
        CREATE TABLE IF NOT EXISTS registrations (
            child_key           VARCHAR USING COMPRESSION uncompressed NOT NULL,
            dob                 DATE NOT NULL,
            lsoa_code           VARCHAR USING COMPRESSION zstd NOT NULL,
            centre_id           VARCHAR NOT NULL,
            registered_on       DATE NOT NULL,
            family_key          VARCHAR USING COMPRESSION uncompressed,
            lone_parent         BOOLEAN,
            teenage_parent      BOOLEAN,
            workless_household  BOOLEAN,
            disability          BOOLEAN,
            minority_ethnic     BOOLEAN,
            father_engaged      BOOLEAN,
            import_id           INTEGER
        )""",
    # Key (child_key, contact_on, centre_id, activity), checked by the importer.
    "contacts": """
        CREATE TABLE IF NOT EXISTS contacts (
            child_key    VARCHAR USING COMPRESSION uncompressed NOT NULL,
            contact_on   DATE NOT NULL,
            centre_id    VARCHAR NOT NULL DEFAULT '',
            activity     VARCHAR NOT NULL DEFAULT '',
            import_id    INTEGER
        )""",
    # The postcode lookup is kept (it is public reference data, not personal data) so that
    # later files with postcodes can be placed; keys are normalised: upper case, no spaces.
    "postcodes": """
        CREATE TABLE IF NOT EXISTS postcodes (
            postcode    VARCHAR PRIMARY KEY,
            lsoa_code   VARCHAR NOT NULL,
            lon         DOUBLE,
            lat         DOUBLE,
            import_id   INTEGER
        )""",
    "deprivation": """
        CREATE TABLE IF NOT EXISTS deprivation (
            lsoa_code      VARCHAR NOT NULL,   -- 2021 code (2011 codes mapped at import)
            edition        INTEGER NOT NULL,   -- IoD year, e.g. 2019; 0 where the file has none
            idaci_decile   INTEGER NOT NULL,   -- 1 = most deprived 10% in England
            source_code    VARCHAR,            -- the code as it was in the file, if mapped
            import_id      INTEGER,
            PRIMARY KEY (lsoa_code, edition)
        )""",
    # ONS LSOA 2011 -> 2021 lookup, used to put 2011-based deprivation onto 2021 LSOAs.
    "lsoa_lookup": """
        CREATE TABLE IF NOT EXISTS lsoa_lookup (
            lsoa11cd    VARCHAR NOT NULL,
            lsoa21cd    VARCHAR NOT NULL,
            import_id   INTEGER,
            PRIMARY KEY (lsoa11cd, lsoa21cd)
        )""",
    "quarantine": """
        CREATE TABLE IF NOT EXISTS quarantine (
            import_id    INTEGER NOT NULL,
            kind         VARCHAR NOT NULL,
            file_name    VARCHAR NOT NULL,
            file_sha256  VARCHAR NOT NULL,
            row_number   INTEGER,             -- 1 = the first data row after the header
            reason       VARCHAR NOT NULL,
            row_data     VARCHAR              -- the row as JSON, personal fields masked
        )""",
    "import_log": """
        CREATE TABLE IF NOT EXISTS import_log (
            import_id      INTEGER PRIMARY KEY,
            kind           VARCHAR NOT NULL,
            file_name      VARCHAR NOT NULL,
            file_sha256    VARCHAR NOT NULL,
            received_on    DATE,
            started_at     TIMESTAMP NOT NULL,
            finished_at    TIMESTAMP,
            rows_read      INTEGER,
            rows_loaded    INTEGER,
            rows_quarantined INTEGER,
            rows_already_present INTEGER,
            status         VARCHAR NOT NULL,  -- 'loaded', 'unchanged'
            message        VARCHAR
        )""",
    # Append-only: one row for each file written with personal data in it (the contactable
    # worklist of `python -m reach worklist`), so a data officer can say who took which list,
    # when, and where it went. It records the files' names and counts, never their content.
    "exports": """
        CREATE TABLE IF NOT EXISTS exports (
            export_id     INTEGER PRIMARY KEY,
            kind          VARCHAR NOT NULL,   -- 'contactable worklist'
            exported_at   TIMESTAMP NOT NULL,
            exported_by   VARCHAR NOT NULL,   -- the operating-system account that ran the command
            centre_id     VARCHAR,
            as_at         DATE,
            rows_written  INTEGER NOT NULL,
            rows_matched  INTEGER,            -- rows given contact details from the source file
            source_file   VARCHAR,            -- the name of the file read (the health extract)
            out_file      VARCHAR NOT NULL    -- where the file was written
        )""",
    # Append-only: who did what that an information governance officer asks about. Sign-ins,
    # every download of record-level data, every import and undo. It names people and counts,
    # never the content of what was seen.
    "audit": """
        CREATE TABLE IF NOT EXISTS audit (
            audit_id     INTEGER PRIMARY KEY,
            happened_at  TIMESTAMP NOT NULL,
            actor        VARCHAR NOT NULL,   -- the signed-in e-mail, or the operating-system account
            role         VARCHAR,
            action       VARCHAR NOT NULL,   -- 'sign-in', 'download', 'import', 'undo', 'refused'
            centre_id    VARCHAR,
            row_count    INTEGER,
            detail       VARCHAR
        )""",
    "meta": """
        CREATE TABLE IF NOT EXISTS meta (
            key    VARCHAR PRIMARY KEY,
            value  VARCHAR
        )""",
}

INDEXES = [
    "CREATE INDEX IF NOT EXISTS quarantine_import ON quarantine (import_id)",
]

UPGRADES[4] = tuple(statement for table in UNKEYED for statement in _rebuilt(table, 4))
UPGRADES[5] = tuple(statement for table in UNKEYED for statement in _rebuilt(table, 5))

# Target-group flags a registration may carry, in the order they are shown.
REGISTRATION_FLAGS = (
    "lone_parent",
    "teenage_parent",
    "workless_household",
    "disability",
    "minority_ethnic",
    "father_engaged",
)


class StoreVersionError(ValueError):
    """The store's tables are not of a version this Reach can use as they are: made by a newer
    Reach (upgrade Reach), or by an older one and opened only for reading (upgrade the store).
    The message says which, and what to do."""


def has_table(con, name: str) -> bool:
    """Whether the store has the table `name` (in its own schema, not a temporary one)."""
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?", [name]).fetchone()[0])


def recorded_version(con) -> int | None:
    """The schema version the store records; None for a store without Reach's tables (a new,
    empty file), which the first write connection sets up as the current version."""
    if not has_table(con, "meta"):
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        return None
    try:
        return int(row[0])
    except (TypeError, ValueError):
        raise StoreVersionError(
            "This database records a schema version that no version of Reach writes: it was not "
            "made by Reach, or it has been damaged. Restore it from your backup.") from None


def upgrade_schema(con, found: int | None) -> None:
    """Bring a store at schema `found` (None: no Reach tables yet) up to SCHEMA_VERSION, in one
    transaction: the UPGRADES steps after `found` in order, then every table and index that is
    missing, then the version. If any of it fails, all of it is undone. Writes nothing to a
    store already up to date, so it is safe on every write connection."""
    con.execute("BEGIN TRANSACTION")
    try:
        # A store without tables is made whole by the CREATE statements: no step applies to it.
        first_step = SCHEMA_VERSION + 1 if found is None else found + 1
        for version in range(first_step, SCHEMA_VERSION + 1):
            for statement in UPGRADES.get(version, ()):
                con.execute(statement)
        for ddl in (*TABLES.values(), *INDEXES):
            con.execute(ddl)
        if found != SCHEMA_VERSION:
            con.execute("INSERT INTO meta VALUES ('schema_version', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
