"""Writing rows straight into a store, for tests that check one definition at a time
(not through the importers, which have tests of their own)."""

from datetime import date

# The small authority most query tests start from: Riverside (C1) over A1 and A2, Hilltop (C2)
# over B1.
A1, A2, B1 = "E01000001", "E01000002", "E01000003"


def insert_rows(con, table: str, rows: list[dict]) -> None:
    """INSERT each dict as a row of `table`; the first row's keys name the columns."""
    if not rows:
        return
    columns = list(rows[0])
    marks = ", ".join("?" for _ in columns)
    con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [[row[c] for c in columns] for row in rows])


def two_centres(con, under_fives: dict[str, int] | None = None, *, period: date = date(2025, 6, 30)) -> None:
    """Riverside (C1), whose reach area is A1 and A2, and Hilltop (C2), whose area is B1; with a
    population estimate dated `period` for each LSOA in `under_fives` ({lsoa: children 0-4})."""
    insert_rows(con, "centres", [dict(centre_id="C1", name="Riverside"), dict(centre_id="C2", name="Hilltop")])
    insert_rows(con, "reach_areas", [dict(lsoa_code=A1, centre_id="C1"), dict(lsoa_code=A2, centre_id="C1"),
                                     dict(lsoa_code=B1, centre_id="C2")])
    insert_rows(con, "population", [dict(lsoa_code=lsoa, period=period, children_0_4=children)
                                    for lsoa, children in (under_fives or {}).items()])
