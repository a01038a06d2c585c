"""The dashboard and the command line share one database: an import from the command line while
the dashboard is open shows on the next page load, with no restart."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def _known(at) -> int:
    metric = next(m for m in at.metric if m.label == "Known children")
    return int(metric.value.replace(",", ""))


def test_an_import_from_the_command_line_shows_without_a_restart(app, demo_db, tmp_path):
    before = _known(app)
    rows = ["child_key,dob,lsoa_code,centre_id,registered_on"]
    rows += [f"cli-new-child-{n},2025-01-01,E01900001,DEMO01,2026-09-01" for n in range(10)]
    registrations = tmp_path / "new_registrations.csv"
    registrations.write_text("\n".join(rows) + "\n")
    result = subprocess.run([sys.executable, "-m", "reach", "import", "registrations", str(registrations),
                             "--db", str(demo_db)], cwd=PROJECT, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "10 rows loaded" in result.stdout
    app.run()
    assert not app.exception
    assert _known(app) == before + 10
