"""What the sign-in needs from the store: each centre with its group, so that a group id in the
roles file stands for every centre (hub and satellite sites) of the group."""

from __future__ import annotations


def centre_groups(con) -> dict[str, str | None]:
    """Each centre id with its group id (None where it has none), in order of centre id."""
    rows = con.execute("SELECT centre_id, group_id FROM centres ORDER BY centre_id").fetchall()
    return {str(centre): (None if group is None else str(group)) for centre, group in rows}
