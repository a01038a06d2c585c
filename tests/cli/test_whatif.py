"""`python -m reach whatif` end to end: calibrated from a store, given options, no database at
all, and the faults that exit with status 2."""

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from data.store import connect
from reach.queries.calibration import calibrate
from reach.domain.whatif import SHARING_OPTIONS, steady_state_reach

PROJECT = Path(__file__).resolve().parents[2]
A1 = "E01000001"
AS_AT = date(2025, 6, 30)


def whatif(*args: str):
    return subprocess.run([sys.executable, "-m", "reach", "whatif", *args], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def db(empty_store) -> Path:
    """Riverside: one LSOA of 100 under-fives; two births a month shared on the 15th from January
    2024 to June 2025; the first of each month's pair registered ten days after it arrives."""
    con = connect(empty_store)
    con.execute("INSERT INTO centres (centre_id, name) VALUES ('C1', 'Riverside')")
    con.execute("INSERT INTO reach_areas (lsoa_code, centre_id) VALUES (?, 'C1')", [A1])
    con.execute("INSERT INTO population (lsoa_code, period, children_0_4) VALUES (?, DATE '2024-06-30', 100)", [A1])
    for m in range(18):
        received = date(2024 + m // 12, m % 12 + 1, 15)
        for child, age_days in ((f"a{m}", 30), (f"b{m}", 45)):
            con.execute("INSERT INTO births (child_key, dob, lsoa_code, received_on) VALUES (?, ?, ?, ?)",
                        [child, received - timedelta(days=age_days), A1, received])
        con.execute("INSERT INTO registrations (child_key, dob, lsoa_code, centre_id, registered_on) "
                    "VALUES (?, ?, ?, 'C1', ?)", [f"a{m}", received - timedelta(days=30), A1,
                                                  received + timedelta(days=10)])
    con.close()
    return empty_store


def test_json_from_the_store(db):
    result = whatif("--db", str(db), "--as-at", AS_AT.isoformat(), "--centre", "C1", "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    parameters = out["parameters"]
    assert list(parameters) == ["sharing", "delay_months", "contact_rate", "other_route_rate", "churn",
                                "arrivals_in_feed"]
    assert parameters["sharing"] == {**parameters["sharing"], "value": "monthly", "origin": "data", "records": 18}
    assert parameters["contact_rate"]["value"] == pytest.approx(0.5)
    assert parameters["churn"]["origin"] == "default"
    assert set(parameters["delay_months"]) == {"value", "origin", "records", "how"}
    con = connect(db, read_only=True)
    expected = 100 * steady_state_reach(calibrate(con, as_at=AS_AT, centre_id="C1").scenario())
    con.close()
    assert out["steady_state_reach_pct"] == pytest.approx(expected, abs=1e-9)
    assert list(out["all_sharing_options"]) == list(SHARING_OPTIONS)
    assert out["all_sharing_options"]["monthly"] == pytest.approx(out["steady_state_reach_pct"])
    # a0..a16 registered by 30 June 2025 (a17's registration is on 25 June: also in) -> 18 of 100
    assert out["current_reach_pct"] == pytest.approx(18.0)
    assert out["path"][0] == {"month": "2025-06", "reach_pct": pytest.approx(18.0)}
    # a7..a17 are under one (born after 30 June 2024), a0..a6 are one: 11 and 7 of 20 a year
    assert out["known_share_by_year_of_age"] == pytest.approx([11 / 20, 7 / 20, 0, 0, 0])
    assert out["path"][-1]["month"] == "2027-06"      # two years on by default
    assert out["target_pct"] == 97.0 and out["crosses_target_on"] is None
    assert out["summary"].startswith("Monthly sharing of births only would")


def test_given_options_are_marked_as_options(db):
    result = whatif("--db", str(db), "--as-at", "2025-06-30", "--sharing", "annual", "--contact-rate", "0.95",
                    "--other-route-rate", "0.02", "--churn", "0.01", "--delay-months", "0",
                    "--arrivals-in-feed", "--until", "2026-06-30", "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {p["origin"] for p in out["parameters"].values()} == {"option"}
    assert out["parameters"]["sharing"]["value"] == "annual"
    assert out["steady_state_reach_pct"] == pytest.approx(83.58, abs=0.005)   # the document's table
    assert out["all_sharing_options"]["monthly"] == pytest.approx(95.54, abs=0.005)
    assert len(out["path"]) == 13


def test_no_database_uses_the_stated_defaults(tmp_path):
    missing = tmp_path / "nothing.duckdb"
    result = whatif("--db", str(missing), "--sharing", "monthly", "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    origins = {name: p["origin"] for name, p in out["parameters"].items()}
    assert origins == {"sharing": "option", "delay_months": "default", "contact_rate": "default",
                       "other_route_rate": "default", "churn": "default", "arrivals_in_feed": "default"}
    assert out["parameters"]["contact_rate"]["value"] == 0.9
    assert "path" not in out and "current_reach_pct" not in out
    assert out["database"] is None
    assert not missing.exists()   # looking does not create a database


def test_the_outstanding_threshold_given_is_the_target(db):
    """--outstanding 90 aims at 90%: the JSON says so, and 90% comes no later than 97%."""
    # A scenario that gets to 97% within the horizon: every family contacted, strong other routes.
    scenario = ("--db", str(db), "--as-at", "2025-06-30", "--until", "2030-06-30", "--sharing", "monthly",
                "--contact-rate", "1", "--other-route-rate", "0.3", "--churn", "0", "--delay-months", "0",
                "--arrivals-in-feed", "--format", "json")
    crossing = {}
    for outstanding in ("90", "97"):
        result = whatif(*scenario, "--outstanding", outstanding)
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert out["target_pct"] == float(outstanding)
        assert f"enough for {outstanding}%" in out["summary"]
        crossing[outstanding] = date.fromisoformat(out["crosses_target_on"])
        first = next(point for point in out["path"] if point["reach_pct"] >= float(outstanding))
        assert first["month"] == crossing[outstanding].strftime("%Y-%m")
    assert crossing["90"] <= crossing["97"]
    # By default the target is the domain's outstanding threshold.
    assert json.loads(whatif(*scenario).stdout)["crosses_target_on"] == crossing["97"].isoformat()
    table = whatif(*scenario[:-2], "--outstanding", "90").stdout
    assert f"Reaches 90%: by {crossing['90'].isoformat()}" in table


def test_table_format_is_readable(db):
    result = whatif("--db", str(db), "--as-at", "2025-06-30", "--until", "2025-09-30")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "What if: the authority, as at 2025-06-30" in text
    assert "Long-run reach by sharing option" in text
    assert "  2025-09 " in text
    assert "Reaches 97%: not by 2025-09-30" in text


@pytest.mark.parametrize("args, message", [
    (["--contact-rate", "1.5"], "fraction from 0 to 1"),
    (["--churn", "-0.1"], "below 1"),
    (["--centre", "C9"], "No reach area for centre 'C9'"),
    (["--until", "2024-01-01"], "is before --as-at"),
    (["--until", "2200-01-01"], "Projections run for at most"),
    (["--outstanding", "0"], "--outstanding is a percentage above 0 and at most 100"),
    (["--outstanding", "120"], "--outstanding is a percentage above 0 and at most 100"),
])
def test_bad_arguments_exit_with_status_2_and_say_why(db, args, message):
    result = whatif("--db", str(db), "--as-at", "2025-06-30", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_malformed_values_are_argparse_errors(db):
    result = whatif("--db", str(db), "--sharing", "weekly")
    assert result.returncode == 2 and "invalid choice" in result.stderr
    result = whatif("--db", str(db), "--as-at", "30/06/2025")
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr


def test_help_explains_and_gives_examples():
    result = whatif("--help")
    assert result.returncode == 0
    for words in ("examples:", "python -m reach whatif --sharing monthly", "--no-arrivals-in-feed",
                  "quarterly sharing, 1 month's delay"):
        assert words in result.stdout


def test_the_headline_names_each_setting_given_that_differs_from_the_data(db):
    """The dashboard's headline, from its one home: set against the data's scenario when a given
    setting differs from it, 'as today' when none does."""
    common = ("--db", str(db), "--as-at", "2025-06-30", "--until", "2026-06-30", "--centre", "C1")
    out = json.loads(whatif(*common, "--contact-rate", "0.95", "--format", "json").stdout)
    data = json.loads(whatif(*common, "--format", "json").stdout)
    gap = round(round(out["reach_at_until_pct"], 1) - round(data["reach_at_until_pct"], 1), 1)
    assert gap > 0
    assert out["headline"] == (
        "With contact success at 95% instead of 50% (from the data), reach in Riverside would rise from 18.0% "
        f"today to {out['reach_at_until_pct']:.1f}% in June 2026, against {data['reach_at_until_pct']:.1f}% as "
        f"things are: {gap:.1f} points higher.")
    assert data["headline"].startswith("With birth data shared monthly, as today, reach in Riverside would rise from "
                                       "18.0% today to ")
    # A setting given as the data has it is no change; the table prints the same words.
    same = json.loads(whatif(*common, "--contact-rate", "0.5", "--sharing", "monthly", "--format", "json").stdout)
    assert same["headline"] == data["headline"]
    table = whatif(*common, "--contact-rate", "0.95").stdout
    assert out["headline"] in table
