"""`demo`: build Brackenfold, the fictional demo authority, through the real importers."""

from __future__ import annotations

import sys

from cli.common import EXIT_INPUT, EXIT_OK, add_command, progress_printer
from data.store import database_path


def run_demo(args) -> int:
    from data.demo import build_demo

    db = database_path(args.db)
    if db.exists() and not args.force:
        print(f"{db} already exists. Use --force to replace it with the demo authority.", file=sys.stderr)
        return EXIT_INPUT
    if db.exists():
        from data import figures_worker
        figures_worker.stop(db)        # storing the figures of the store about to go
        db.unlink()
        for suffix in (".wal",):
            extra = db.with_name(db.name + suffix)
            if extra.exists():
                extra.unlink()
    summary = build_demo(db, progress=progress_printer())
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Demo authority built in {db}: {summary}")
    from cli.imports import store_dashboard_figures
    store_dashboard_figures(db)        # as after an import: the pages open on stored figures
    return EXIT_OK


def add_demo_parser(commands) -> None:
    p = add_command(
        commands, "demo", run=run_demo, help="build the fictional demo authority",
        description="Build Brackenfold, a fictional council with 5 years of data, through the real importers.",
        epilog="examples:\n  python -m reach demo\n  python -m reach demo --db demo.duckdb --force",
    )
    p.add_argument("--force", action="store_true", help="replace an existing database")
