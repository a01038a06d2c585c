"""The demo local authority: a fictional council, built in seconds, so a fresh machine opens with data.

Brackenfold (fictional) is drawn and simulated from one seed, so every figure is the same on
every machine and tests can assert numbers. It goes into the store through the real importers,
from the same kinds of files a council would load, so the demo exercises the path real data takes:

- LSOA boundaries (GeoJSON in British National Grid, so the boundary reader reprojects them),
  centres with a hub and its satellite, reach areas, an ONS-style postcode lookup;
- population estimates for five mid-years, one of them in the ONS published wide layout, with two
  LSOAs that have no estimate at all and one new-estate LSOA whose estimate is too low;
- the Indices of Deprivation in their long layout (2015 and 2019 editions, on unchanged codes);
- a realistic history of birth-data sharing: monthly birth counts by LSOA throughout, quarterly
  birth records from April 2023, then monthly records with arrivals from October 2024;
- the centres' registration and contact exports, with a few deliberately faulty rows.

NHS numbers are in the 999 test range, postcodes start with ZZ and LSOA codes with E019, so
nothing can be mistaken for a real person or place.

    timeline.py    the demo's dates, and dates as whole days
    geography.py   the council on the map: LSOAs, deprivation, centres and reach areas, postcodes
    simulation.py  the children, one by one: births, moves, registrations, contacts, extracts
    files.py       the files the council sends, in their published layouts
    council.py     all of it from one seed (`generate_demo`)
    staging.py     building a store out of sight and putting it in place whole

This module builds the demo into a store: `build_demo`, and `ensure_demo` for a first run.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from data.demo.council import DEFAULT_SEED, DemoCouncil, generate_demo
from data.demo.files import DemoFile, write_demo_files
from data.demo.geography import COUNCIL_NAME, LA_CODE
from data.demo.staging import move_store, remove_store, require_empty, staging_path
from data.demo.timeline import DEMO_AS_AT
from data.importers import ImportSummary, import_file
from data.store import database_path, opened

__all__ = [
    "COUNCIL_NAME",
    "DEFAULT_SEED",
    "DEMO_AS_AT",
    "LA_CODE",
    "DemoCouncil",
    "DemoFile",
    "DemoSummary",
    "Progress",
    "build_demo",
    "ensure_demo",
    "generate_demo",
    "write_demo_files",
]


@dataclass(frozen=True)
class DemoSummary:
    """What `build_demo` built: the council it drew, and what the import of each of its files did."""

    council: str
    lsoas: int
    centres: int
    children: int
    imports: tuple[ImportSummary, ...]
    seconds: float

    def __str__(self) -> str:
        loaded = sum(summary.rows_loaded for summary in self.imports)
        set_aside = sum(summary.rows_quarantined for summary in self.imports)
        return (f"{self.council}: {self.lsoas} LSOAs, {self.centres} centres, {self.children:,} children "
                f"simulated; {len(self.imports)} files imported ({loaded:,} rows loaded, "
                f"{set_aside} set aside for checking) in {self.seconds:.1f} s.")


Progress = Callable[[int, int, str], None]


def build_demo(db, *, seed: int = DEFAULT_SEED, progress: Progress | None = None) -> DemoSummary:
    """Build the demo council into the database `db`, which must not exist yet or be empty.

    Files are generated into a temporary folder and loaded with the real importers, in the order a
    council would load them. The store is built under a temporary name and moved into place only
    when complete, so an interrupted build never leaves a half-filled database behind.
    `progress(done, total, stage)` is called as each step finishes.
    """
    started = time.perf_counter()
    db = database_path(db)
    require_empty(db)
    report = progress or (lambda done, total, stage: None)

    council = generate_demo(seed=seed)
    total = len(council.files) + 1
    report(1, total, "Drawing and simulating the demo council")
    building = staging_path(db)
    remove_store(building)
    imports = []
    try:
        with tempfile.TemporaryDirectory(prefix="reach-demo-") as folder:
            for step, (demo_file, path) in enumerate(write_demo_files(council, folder), start=2):
                imports.append(import_file(demo_file.kind, path, db=building, received_on=demo_file.received_on,
                                           original_name=demo_file.file_name))
                report(step, total, f"Imported {demo_file.file_name}")
        with opened(building) as con:
            con.execute("INSERT INTO meta VALUES ('demo', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [f"{COUNCIL_NAME}; seed {seed}; as at {DEMO_AS_AT.isoformat()}"])
        move_store(building, db)
    finally:
        remove_store(building)
    return DemoSummary(council=COUNCIL_NAME, lsoas=len(council.lsoas), centres=len(council.centres),
                       children=len(council.children), imports=tuple(imports),
                       seconds=time.perf_counter() - started)


# One build at a time in this process: the dashboard serves several sessions on threads.
_ENSURING = threading.Lock()


def ensure_demo(db=None) -> bool:
    """Build the demo council when there is no database file yet. True if it was built.

    Safe to call from every page load: page loads that arrive while the demo is being built wait
    for it instead of building it again.
    """
    db = database_path(db)
    with _ENSURING:
        if db.exists():
            return False
        build_demo(db)
        return True
