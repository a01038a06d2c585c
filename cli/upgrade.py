"""`upgrade`: bring a database made by an older version of Reach up to this one, in place."""

from __future__ import annotations

import textwrap

from cli.common import EXIT_OK, add_command
from data import schema
from data.store import database_path, upgrade_store


def run_upgrade(args) -> int:
    db = database_path(args.db)
    before = upgrade_store(db)
    now = schema.SCHEMA_VERSION
    if before == now:
        print(f"{db} is up to date (schema {now}): nothing to do.")
    elif before is None:
        print(f"{db} had no Reach tables: they were made (schema {now}).")
    else:
        print(f"{db} was upgraded from schema {before} to schema {now}.")
    return EXIT_OK


def add_upgrade_parser(commands) -> None:
    add_command(
        commands, "upgrade", run=run_upgrade, help="bring a database from an older Reach up to date",
        description=textwrap.dedent("""\
            Bring a database made by an older version of Reach up to this one, in place and in one
            transaction (any import does the same). The dashboard only reads, so it asks for this
            rather than upgrading a database itself. A database made by a newer version of Reach
            is refused and left as it is (exit status 2)."""),
        epilog="example:\n  python -m reach upgrade --db data/my_council.duckdb",
    )
