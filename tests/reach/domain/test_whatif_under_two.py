"""The what-if model followed for the under-twos (ages 0 to 24 months): the long-run figure is the
document's formula with 24 in place of 60, the path starts at today's under-two figure and settles
on that long-run figure, and the under-fives' figures are unchanged by the option."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from data.store import opened
from reach.domain.whatif import UNDER_TWO_SPAN_MONTHS, Scenario, project, project_to, steady_state_reach
from reach.presentation.whatif_tables import steady_state_table
from reach.queries.report import reach_report

PROJECT = Path(__file__).resolve().parents[3]


def scenario(F=3, p=0.9, h=0.02, c=0.01, d=1.0, arrivals=True) -> Scenario:
    return Scenario(sharing_months=F, contact_rate=p, other_route_rate=h, churn=c, delay_months=d,
                    arrivals_in_feed=arrivals)


def _formula(s: Scenario, span: float) -> float:
    """The document's steady state over ages [0, span), by a fine midpoint sum (independent of
    the model's quadrature)."""
    x = (np.arange(400_000) + 0.5) * span / 400_000
    F, d, h, c = s.sharing_months, s.delay_months, s.other_route_rate, s.churn
    notified = np.clip((x - d) / F, 0, 1) if F is not None else np.zeros_like(x)
    born = 1 - (1 - s.contact_rate * notified) * np.exp(-h * x)
    arrival_rate = s.contact_rate if s.arrivals_in_feed else 0.0
    arrived = 1 - (1 - arrival_rate * notified) * np.exp(-h * x)
    integrand = np.exp(-c * x) * born + c * (span - x) * np.exp(-c * x) * arrived
    return float(integrand.mean())


@pytest.mark.parametrize("s", [scenario(), scenario(F=1, d=0.5, arrivals=False), scenario(F=12, h=0.0, c=0.03),
                               scenario(F=None)])
def test_the_long_run_under_two_figure_is_the_formula_over_24_months(s):
    assert steady_state_reach(s, age_span_months=24) == pytest.approx(_formula(s, 24.0), abs=1e-7)
    assert steady_state_reach(s) == pytest.approx(_formula(s, 60.0), abs=1e-7)


def test_the_under_two_path_starts_today_and_settles_on_its_long_run_figure():
    s = scenario(F=3)
    start, until = date(2026, 9, 30), date(2036, 9, 30)
    path = project_to(scenario=s, known=300, under_five=400, start=start, until=until,
                      age_span_months=UNDER_TWO_SPAN_MONTHS)
    assert path.path[0]["reach_pct"] == pytest.approx(75.0)
    assert path.steady_state_pct == pytest.approx(100 * _formula(s, 24.0), abs=1e-5)
    # Ten years on, the children of today have long turned two: a year's average is the long run.
    last_year = [point["reach_pct"] for point in path.path[-12:]]
    assert np.mean(last_year) == pytest.approx(path.steady_state_pct, abs=0.05)


def test_with_no_route_to_being_known_every_under_two_is_unknown_once_todays_have_turned_two():
    s = scenario(F=None, h=0.0, c=0.0)
    young = project_to(scenario=s, known=50, under_five=100, start=date(2026, 9, 30), until=date(2029, 9, 30),
                       age_span_months=24)
    assert young.path[0]["reach_pct"] == pytest.approx(50.0)
    assert young.path[-1]["reach_pct"] == pytest.approx(0.0, abs=1e-9)
    # The under-fives keep today's known children for five years, so their figure is not 0 then.
    older = project(scenario=s, known=50, unknown=50, months=30)
    assert older[-1][1] > 10


def test_a_span_outside_the_under_fives_is_refused():
    with pytest.raises(ValueError, match="age_span_months"):
        steady_state_reach(scenario(), age_span_months=72)


def test_the_long_run_table_adds_the_under_twos_last():
    table = steady_state_table(scenario(F=3))
    assert table.columns[-1] == "long_run_reach_under2_pct"
    monthly = table.set_index("sharing_option").at["monthly", "long_run_reach_under2_pct"]
    assert monthly == pytest.approx(100 * _formula(scenario(F=1), 24.0), abs=1e-5)


def test_the_whatif_command_prints_the_under_twos_from_the_report(demo_db):
    run = subprocess.run([sys.executable, "-m", "reach", "whatif", "--db", str(demo_db), "--as-at", "2026-09-30",
                          "--until", "2027-09-30", "--format", "json"], cwd=PROJECT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    young = json.loads(run.stdout)["under_two"]
    with opened(demo_db, read_only=True) as con:
        whole = reach_report(con, as_at=date(2026, 9, 30), by="authority").iloc[0]
    assert (young["known_under2"], young["children_under2"]) == (whole["known_under2"], whole["children_under2"])
    assert young["current_reach_pct"] == pytest.approx(whole["reach_under2_pct"])
    assert young["path"][0]["reach_pct"] == pytest.approx(whole["reach_under2_pct"])
    assert young["path"][-1]["month"] == "2027-09"
    table = subprocess.run([sys.executable, "-m", "reach", "whatif", "--db", str(demo_db), "--as-at", "2026-09-30",
                            "--format", "table"], cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert "Reach under two now:" in table.stdout
