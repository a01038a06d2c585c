"""An import run from the command line, in a process of its own, beside a dashboard that is open:
the way a data officer loads a file while the pages are in use."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def import_new_registrations(db: Path, folder: Path, *, prefix: str, count: int) -> subprocess.CompletedProcess:
    """Import `count` registrations of new children (keys `prefix-0`, ...) at DEMO01 into `db`
    with `python -m reach import`; returns the finished process (its output as text)."""
    rows = ["child_key,dob,lsoa_code,centre_id,registered_on"]
    rows += [f"{prefix}-{n},2025-01-01,E01900001,DEMO01,2026-09-01" for n in range(count)]
    registrations = folder / "new_registrations.csv"
    registrations.write_text("\n".join(rows) + "\n")
    return subprocess.run([sys.executable, "-m", "reach", "import", "registrations", str(registrations),
                           "--db", str(db)], cwd=PROJECT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=180)
