"""Writing rows straight into a store, for tests that check one definition at a time
(not through the importers, which have tests of their own)."""


def insert_rows(con, table: str, rows: list[dict]) -> None:
    """INSERT each dict as a row of `table`; the first row's keys name the columns."""
    if not rows:
        return
    columns = list(rows[0])
    marks = ", ".join("?" for _ in columns)
    con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [[row[c] for c in columns] for row in rows])
