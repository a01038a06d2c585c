"""The tables of the Reach store, in one place.

Every table that holds imported rows carries `import_id`, the import that wrote the row, so the
import history can say what each file contributed. Natural keys (the PRIMARY KEYs below) are what
make a second load of the same rows change nothing: a row whose key is already present is counted
as "already present", not written again.

Personal data: `child_key` and `family_key` are keyed hashes (or keys pseudonymised upstream);
no name, address or full postcode is ever stored. Postcodes are turned into LSOAs at import.
"""

SCHEMA_VERSION = 1

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
            import_id   INTEGER
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
            import_id   INTEGER
        )""",
    "population": """
        CREATE TABLE IF NOT EXISTS population (
            lsoa_code     VARCHAR NOT NULL,
            period        DATE NOT NULL,      -- the estimate's reference date
            children_0_4  INTEGER NOT NULL,
            import_id     INTEGER,
            PRIMARY KEY (lsoa_code, period)
        )""",
    # One row per child per extract it appeared in: the same child shared again in a later
    # extract is a new sighting (the earliest received_on is when the centre could first know).
    "births": """
        CREATE TABLE IF NOT EXISTS births (
            child_key    VARCHAR NOT NULL,
            dob          DATE NOT NULL,
            lsoa_code    VARCHAR NOT NULL,
            received_on  DATE NOT NULL,
            event        VARCHAR NOT NULL DEFAULT 'birth',   -- 'birth' or 'arrival'
            arrived_on   DATE,
            sex          VARCHAR,
            import_id    INTEGER,
            PRIMARY KEY (child_key, received_on)
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
    "registrations": """
        CREATE TABLE IF NOT EXISTS registrations (
            child_key           VARCHAR NOT NULL,
            dob                 DATE NOT NULL,
            lsoa_code           VARCHAR NOT NULL,
            centre_id           VARCHAR NOT NULL,
            registered_on       DATE NOT NULL,
            family_key          VARCHAR,
            lone_parent         BOOLEAN,
            teenage_parent      BOOLEAN,
            workless_household  BOOLEAN,
            disability          BOOLEAN,
            minority_ethnic     BOOLEAN,
            father_engaged      BOOLEAN,
            import_id           INTEGER,
            PRIMARY KEY (child_key, centre_id, registered_on)
        )""",
    "contacts": """
        CREATE TABLE IF NOT EXISTS contacts (
            child_key    VARCHAR NOT NULL,
            contact_on   DATE NOT NULL,
            centre_id    VARCHAR NOT NULL DEFAULT '',
            activity     VARCHAR NOT NULL DEFAULT '',
            import_id    INTEGER,
            PRIMARY KEY (child_key, contact_on, centre_id, activity)
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
    "meta": """
        CREATE TABLE IF NOT EXISTS meta (
            key    VARCHAR PRIMARY KEY,
            value  VARCHAR
        )""",
}

INDEXES = [
    "CREATE INDEX IF NOT EXISTS births_lsoa ON births (lsoa_code)",
    "CREATE INDEX IF NOT EXISTS registrations_lsoa ON registrations (lsoa_code)",
    "CREATE INDEX IF NOT EXISTS quarantine_import ON quarantine (import_id)",
]

# Target-group flags a registration may carry, in the order they are shown.
REGISTRATION_FLAGS = (
    "lone_parent",
    "teenage_parent",
    "workless_household",
    "disability",
    "minority_ethnic",
    "father_engaged",
)


def create_schema(con) -> None:
    """Create every table that does not exist yet. Safe to call on every connection."""
    for ddl in TABLES.values():
        con.execute(ddl)
    for ddl in INDEXES:
        con.execute(ddl)
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING",
        [str(SCHEMA_VERSION)],
    )
