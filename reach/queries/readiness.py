"""What the store holds of each kind of data, and the last date each dated source covers.

The rules that use these (the getting-started list, the date the figures start at) are in
`reach.domain.readiness`.
"""

from __future__ import annotations

from datetime import date

from reach.domain.readiness import STEPS, Coverage, StepStatus, default_as_at

# Each kind's table, and the date that says how far it reaches (None: not dated).
_TABLES: dict[str, tuple[str, str | None]] = {
    "centres": ("centres", None),
    "reach-areas": ("reach_areas", None),
    "boundaries": ("(SELECT * FROM lsoas WHERE geometry IS NOT NULL)", None),
    "postcodes": ("postcodes", None),
    "population": ("population", "period"),
    "deprivation": ("deprivation", None),
    "births": ("births", "received_on"),
    "birth-counts": ("birth_counts", "received_on"),
    "registrations": ("registrations", "registered_on"),
    "contacts": ("contacts", "contact_on"),
}

# A birth count loaded without a received date is dated by its import, as the data-sharing
# check dates it.
_BIRTH_COUNTS_RECEIVED = """
    SELECT max(coalesce(c.received_on, CAST(l.started_at AS DATE)))
    FROM birth_counts c LEFT JOIN import_log l USING (import_id)
"""


def data_coverage(con) -> Coverage:
    """The last date each dated source reaches (None where it has no rows)."""
    registrations, births, counts, contacts = con.execute(
        f"""
        SELECT (SELECT max(registered_on) FROM registrations),
               (SELECT max(received_on) FROM births),
               ({_BIRTH_COUNTS_RECEIVED}),
               (SELECT max(contact_on) FROM contacts)
        """
    ).fetchone()
    return Coverage(registrations=registrations, birth_records=births, birth_counts=counts, contacts=contacts)


def starting_as_at(con, today: date | None = None) -> date:
    """The date the figures start at: the last day the registrations cover, never after today
    (see `reach.domain.readiness.default_as_at`)."""
    return default_as_at(data_coverage(con), today or date.today())


def _rows_and_latest(con, kind: str) -> tuple[int, date | None]:
    table, dated_by = _TABLES[kind]
    if kind == "birth-counts":
        rows = con.execute("SELECT count(*) FROM birth_counts").fetchone()[0]
        return int(rows), con.execute(_BIRTH_COUNTS_RECEIVED).fetchone()[0]
    latest = f"max({dated_by})" if dated_by else "NULL"
    rows, last = con.execute(f"SELECT count(*), {latest} FROM {table}").fetchone()
    return int(rows), last


def readiness(con) -> list[StepStatus]:
    """Every step of the getting-started list, in order, with the rows loaded for it and the
    last date it covers."""
    statuses = []
    for step in STEPS:
        found = [_rows_and_latest(con, kind) for kind in step.kinds]
        rows = sum(count for count, _ in found)
        dates = [last for _, last in found if last is not None]
        statuses.append(StepStatus(step=step, rows=rows, latest=max(dates) if dates else None))
    return statuses
