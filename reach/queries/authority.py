"""Which local authority a store holds: the `la_code` its centres carry.

A store holds one authority; a regional file (`export --format parquet`) names it on every row
so that several authorities' files can be read together.
"""

from __future__ import annotations


def authority_codes(con) -> list[str]:
    """The local authority codes the centres carry, the commonest first (ties by code); empty
    when no centre carries one."""
    rows = con.execute("""
        SELECT trim(la_code) AS code, count(*) AS centres
        FROM centres
        WHERE nullif(trim(la_code), '') IS NOT NULL
        GROUP BY 1
        ORDER BY centres DESC, code
    """).fetchall()
    return [code for code, _ in rows]
