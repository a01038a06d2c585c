"""`python -m reach trend`: the report's measures at each month-end, as_at first."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main

UNTIL = "2026-09-30"
PROJECT = Path(__file__).resolve().parents[2]


def _run(capfd, *args) -> str:
    """Run a command in this process and return what it wrote to stdout."""
    assert main(list(args)) == 0
    return capfd.readouterr().out


def test_the_trend_csv_is_the_report_at_each_month_end(demo_db, capfd):
    out = _run(capfd, "trend", "--until", UNTIL, "--months", "3", "--by", "authority", "--db", str(demo_db))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["as_at"] for row in rows] == ["2026-07-31", "2026-08-31", "2026-09-30"]
    assert list(rows[0])[:3] == ["as_at", "centre_id", "centre_name"]
    for row in rows:
        report = _run(capfd, "report", "--as-at", row["as_at"], "--by", "authority", "--db", str(demo_db))
        [expected] = list(csv.DictReader(io.StringIO(report)))
        trended = {k: v for k, v in expected.items() if k not in ("known_families", "known_out_of_area")}
        assert {k: v for k, v in row.items() if k != "as_at"} == trended
    assert int(rows[-1]["known_children"]) > 1000
    assert rows[-1]["denominator_flagged"] in ("true", "false")


def test_the_trend_by_centre_as_json_and_a_table(demo_db, capfd):
    data = json.loads(_run(capfd, "trend", "--until", UNTIL, "--months", "2", "--format", "json",
                           "--sustained-contacts", "2", "--db", str(demo_db)))
    assert (data["from"], data["until"], data["months"], data["by"]) == ("2026-08-31", UNTIL, 2, "centre")
    assert len(data["rows"]) == 2 * 12                         # the demo's 12 centres, two dates
    assert {row["as_at"] for row in data["rows"]} == {"2026-08-31", UNTIL}
    table = subprocess.run([sys.executable, "-m", "reach", "trend", "--until", UNTIL, "--months", "2", "--by", "lsoa",
                            "--format", "table", "--db", str(demo_db)],
                           cwd=PROJECT, capture_output=True, text=True, timeout=300, check=True).stdout
    assert table.splitlines()[0].split()[:2] == ["as_at", "lsoa_code"]
    assert len(table.splitlines()) == 1 + 2 * 136               # the demo's 136 LSOAs


@pytest.mark.parametrize("months", ["0", "many", "601"])
def test_a_number_of_months_out_of_range_is_refused(demo_db, capfd, months):
    with pytest.raises(SystemExit) as stopped:
        main(["trend", "--until", UNTIL, "--months", months, "--db", str(demo_db)])
    assert stopped.value.code == 2
    assert "--months" in capfd.readouterr().err


def test_a_slow_trend_without_kept_spells_says_how_to_keep_them(demo_db, capfd, monkeypatch):
    import cli.trend
    from reach.queries.figures_store import keep_trend_spells

    monkeypatch.setattr(cli.trend, "SLOW_SECONDS", 0.0)       # the demo is quick: any trend counts as slow
    trend = ["trend", "--until", UNTIL, "--months", "2", "--by", "authority", "--db", str(demo_db)]
    assert main(trend) == 0             # the demo as built for tests keeps no spells (`figures` would)
    said = capfd.readouterr()
    assert said.out.count("\n") == 3
    assert "not kept for this data" in said.err and "python -m reach figures" in said.err
    assert keep_trend_spells(demo_db)
    assert main(trend) == 0
    again = capfd.readouterr()
    assert again.out == said.out and again.err == ""
