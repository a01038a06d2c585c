"""Reach over time: the projection converges to the steady state, shows the sharing cycle's
saw-tooth, agrees with a simulation of individual children, and says when the target (the
outstanding threshold, 97% unless given) is crossed."""

from datetime import date

import numpy as np
import pytest

from reach.domain.months import add_months
from reach.domain.whatif import (Scenario, months_until_period_end, project, project_to, steady_state_reach)


def scenario(F=3, p=0.9, h=0.02, c=0.01, d=1.0, arrivals=True) -> Scenario:
    return Scenario(sharing_months=F, contact_rate=p, other_route_rate=h, churn=c, delay_months=d,
                    arrivals_in_feed=arrivals)


# --- the long run -----------------------------------------------------------------------------

@pytest.mark.parametrize("s", [
    scenario(F=12, p=0.9, h=0.02, c=0.02, d=3, arrivals=False),
    scenario(F=1, p=0.95, h=0.02, c=0.01, d=0, arrivals=True),
    scenario(F=3, p=0.9, h=0.05, c=0.01, d=1.5, arrivals=True),
    scenario(F=6, p=0.8, h=0.0, c=0.0, d=2, arrivals=True),
    scenario(F=None, p=0.9, h=0.02, c=0.01, d=1, arrivals=True),
])
@pytest.mark.parametrize("known_share, phase", [(0.3, 0.0), (0.97, 0.7), (0.6, 2.5)])
def test_twenty_years_on_the_cycle_average_is_the_steady_state(s, known_share, phase):
    path = project(scenario=s, known=1000 * known_share, unknown=1000 * (1 - known_share), months=240,
                   start_month_phase=phase)
    last_year = [pct for _, pct in path[-12:]]   # 12 months hold a whole number of any cycle
    assert sum(last_year) / 12 == pytest.approx(100 * steady_state_reach(s), abs=0.2)
    assert sum(last_year) / 12 == pytest.approx(100 * steady_state_reach(s), abs=1e-3)   # in fact exact


def test_month_zero_is_todays_figure_and_months_follow():
    path = project(scenario=scenario(), known=880, unknown=120, months=3)
    assert [m for m, _ in path] == [0, 1, 2, 3]
    assert path[0][1] == pytest.approx(88.0)


def test_more_known_than_the_estimate_starts_from_100_percent():
    path = project(scenario=scenario(), known=120, unknown=0, months=1)
    assert path[0][1] == pytest.approx(100.0)


def test_saw_tooth_is_lowest_in_the_month_before_each_share_arrives():
    # Quarters end at months 0, 3, 6, ...; data arrives a month later, at the end of months 1, 4,
    # 7, ... So month 4 (the last before the share lands) is the cycle's lowest, month 5 its highest.
    s = scenario(F=3, p=0.9, h=0.02, c=0.01, d=1)
    path = dict(project(scenario=s, known=900, unknown=100, months=120, start_month_phase=0))
    for first in range(72, 117, 3):
        cycle = {m: path[m] for m in (first, first + 1, first + 2)}   # months 73..75 style: 72 ≡ 0 (mod 3)
        assert min(cycle, key=cycle.get) % 3 == 1
        assert max(cycle, key=cycle.get) % 3 == 2
    assert path[74] - path[73] > 1.0   # the tooth is plain to see: over a point


def test_no_sharing_has_no_saw_tooth():
    path = dict(project(scenario=scenario(F=None), known=500, unknown=500, months=80))
    assert max(path[m] for m in range(61, 81)) - min(path[m] for m in range(61, 81)) < 1e-9


@pytest.mark.parametrize("bad", [dict(known=0, unknown=0), dict(known=-1, unknown=5)])
def test_a_projection_needs_children(bad):
    with pytest.raises(ValueError, match="positive number of under-fives"):
        project(scenario=scenario(), months=3, **bad)


def test_an_age_profile_changes_the_start_but_not_the_long_run():
    s = scenario(F=1, p=0.9, h=0.02, c=0.01, d=1)
    even = project(scenario=s, known=500, unknown=500, months=72)
    young_unknown = project(scenario=s, known=500, unknown=500, months=72,
                            known_share_by_age=[0.0, 0.25, 0.5, 0.75, 1.0][::-1])
    assert young_unknown[0][1] == pytest.approx(50.0)
    assert young_unknown[12][1] != pytest.approx(even[12][1], abs=0.5)
    assert young_unknown[72][1] == pytest.approx(even[72][1], abs=1e-9)


# --- against a simulation of individual children ---------------------------------------------

def _simulated_month(s: Scenario, *, known_share: float, phase: float, month: int, children: int, rng) -> float:
    """Reach averaged over `month`, by following each child's place in the area through time.

    Each place is held by one child at a time. The child there at the start is known with
    probability `known_share`; if not, it is treated as born here, and its share is still to come
    if that share lands after the start. A place changes hands when its child turns five (a
    newborn takes it) or moves away (a newcomer of the same age takes it). A child who entered at
    time e is notified when the share covering e lands (the next period end, plus the delay),
    registered then with probability p if it is in the feed, and otherwise found by other routes
    at rate h from entry.
    """
    F, d, p, h, c = s.sharing_months, s.delay_months, s.contact_rate, s.other_route_rate, s.churn
    t = month - 1 + rng.random(children)
    age0 = 60 * rng.random(children)

    def notified_at(entry):
        if F is None:
            return np.full_like(entry, np.inf)
        return phase + np.ceil((entry - phase) / F) * F + d

    def exponential(rate, size):
        return rng.exponential(1 / rate, size) if rate > 0 else np.full(size, np.inf)

    # The first holder: here at the start.
    leaves = np.minimum(exponential(c, children), 60 - age0)
    aged_out = leaves == 60 - age0
    stays = leaves > t
    notify = notified_at(-age0)
    pending = notify > 0
    known_first = ((rng.random(children) < known_share)
                   | (exponential(h, children) <= t)
                   | (pending & (notify <= t) & (rng.random(children) < p)))
    known = np.where(stays, known_first, False)
    # Later holders: follow the chain until the holder at time t.
    entry, age_at_entry, born = leaves, np.where(aged_out, 0.0, age0 + leaves), aged_out
    open_ = ~stays
    while open_.any():
        stay = np.minimum(exponential(c, children), 60 - age_at_entry)
        aged_out = stay == 60 - age_at_entry
        leaves = entry + stay
        here = open_ & (leaves > t)
        eligible = born | s.arrivals_in_feed
        found = ((entry + exponential(h, children) <= t)
                 | (eligible & (notified_at(entry) <= t) & (rng.random(children) < p)))
        known = np.where(here, found, known)
        open_ = open_ & ~here
        entry, age_at_entry, born = leaves, np.where(aged_out, 0.0, age_at_entry + stay), aged_out
    return 100 * known.mean()


@pytest.mark.parametrize("s, known_share, phase", [
    (scenario(F=3, p=0.9, h=0.02, c=0.03, d=1, arrivals=True), 0.7, 1.5),
    (scenario(F=12, p=0.85, h=0.03, c=0.02, d=3, arrivals=False), 0.9, 4.0),
    (scenario(F=1, p=0.95, h=0.01, c=0.01, d=0.5, arrivals=True), 0.4, 0.25),
])
def test_the_months_ahead_agree_with_a_simulation_of_children(s, known_share, phase):
    rng = np.random.default_rng(20240601)
    path = dict(project(scenario=s, known=known_share, unknown=1 - known_share, months=30, start_month_phase=phase))
    for month in (1, 2, 4, 7, 12, 18, 30):
        simulated = _simulated_month(s, known_share=known_share, phase=phase, month=month, children=200_000, rng=rng)
        # 200,000 children: a standard error of about 0.1 points
        assert path[month] == pytest.approx(simulated, abs=0.5), month


# --- on the calendar --------------------------------------------------------------------------

def test_shares_follow_quarters_half_years_and_financial_years():
    start = date(2025, 1, 31)
    assert months_until_period_end(start, 1) == 0.0
    assert months_until_period_end(start, 3) == pytest.approx(59 / (365.25 / 12))      # 31 March
    assert months_until_period_end(start, 6) == pytest.approx(59 / (365.25 / 12))      # 31 March
    assert months_until_period_end(date(2025, 4, 30), 6) == pytest.approx(153 / (365.25 / 12))  # 30 Sept
    assert months_until_period_end(date(2025, 4, 30), 12) == pytest.approx(335 / (365.25 / 12))  # 31 March
    assert months_until_period_end(start, None) == 0.0


def test_projection_to_a_date_labels_months_and_ends_at_until():
    s = scenario(F=1, p=0.95, h=0.05, c=0.01, d=0.5)
    projection = project_to(scenario=s, known=880, under_five=1000, start=date(2025, 3, 31), until=date(2026, 3, 31))
    assert [p["month"] for p in projection.path][:3] == ["2025-03", "2025-04", "2025-05"]
    assert projection.path[-1]["month"] == "2026-03"
    assert len(projection.path) == 13
    assert projection.path[0]["reach_pct"] == pytest.approx(88.0)
    assert projection.reach_at_until == projection.path[-1]["reach_pct"]
    assert projection.steady_state_pct == pytest.approx(100 * steady_state_reach(s))


def test_an_until_between_month_ends_is_covered_by_the_path():
    projection = project_to(scenario=scenario(), known=50, under_five=100, start=date(2025, 3, 31),
                            until=date(2025, 5, 10))
    assert [p["month"] for p in projection.path] == ["2025-03", "2025-04", "2025-05"]


def test_a_start_within_a_month_is_followed_by_whole_calendar_months():
    s = scenario(F=3, p=0.9, h=0.02, c=0.01, d=1)
    projection = project_to(scenario=s, known=45, under_five=100, start=date(2025, 6, 25), until=date(2025, 9, 10))
    assert [p["month"] for p in projection.path] == ["2025-06", "2025-07", "2025-08", "2025-09"]
    assert projection.path[0]["reach_pct"] == pytest.approx(45.0)
    # The quarter to 30 June lands a month later, at the end of July: August is the first month
    # to have it all month.
    jumps = [b["reach_pct"] - a["reach_pct"] for a, b in zip(projection.path[1:], projection.path[2:])]
    assert jumps[0] > 2 * abs(jumps[1])


def test_crosses_target_on_is_the_first_month_end_at_or_above_97_percent():
    # Monthly sharing with births and arrivals, everyone contacted, strong other routes.
    s = scenario(F=1, p=1.0, h=0.3, c=0.01, d=0)
    projection = project_to(scenario=s, known=900, under_five=1000, start=date(2025, 3, 31), until=date(2026, 3, 31))
    pcts = [p["reach_pct"] for p in projection.path]
    first = next(i for i, pct in enumerate(pcts) if pct >= 97)
    assert first > 0 and all(pct < 97 for pct in pcts[:first])
    assert projection.target_share == 0.97
    assert projection.crosses_target_on == add_months(date(2025, 3, 31), first)
    assert projection.crosses_target_on == date(2025, 9, 30)


def test_a_lower_target_is_crossed_no_later():
    s = scenario(F=1, p=1.0, h=0.3, c=0.01, d=0)
    crossings = {target: project_to(scenario=s, known=900, under_five=1000, start=date(2025, 3, 31),
                                    until=date(2026, 3, 31), target_share=target).crosses_target_on
                 for target in (0.9, 0.95, 0.97)}
    assert crossings[0.9] == date(2025, 3, 31)          # already there
    assert crossings[0.9] <= crossings[0.95] <= crossings[0.97] == date(2025, 9, 30)


@pytest.mark.parametrize("target", [0, -0.5, 1.01, float("nan")])
def test_a_target_that_is_not_a_share_is_refused(target):
    with pytest.raises(ValueError, match="outstanding threshold"):
        project_to(scenario=scenario(), known=50, under_five=100, start=date(2025, 3, 31), until=date(2025, 9, 30),
                   target_share=target)


def test_crosses_target_on_is_none_when_97_is_never_reached():
    projection = project_to(scenario=scenario(F=12, d=3), known=900, under_five=1000,
                            start=date(2025, 3, 31), until=date(2030, 3, 31))
    assert projection.crosses_target_on is None


def test_already_at_97_percent_crosses_today():
    projection = project_to(scenario=scenario(F=1, p=1.0, h=0.3, d=0), known=980, under_five=1000,
                            start=date(2025, 3, 31), until=date(2025, 9, 30))
    assert projection.crosses_target_on == date(2025, 3, 31)


def test_projection_refuses_an_end_before_the_start_and_an_empty_area():
    with pytest.raises(ValueError, match="before the start"):
        project_to(scenario=scenario(), known=1, under_five=2, start=date(2025, 3, 31), until=date(2025, 1, 1))
    with pytest.raises(ValueError, match="without any under-fives"):
        project_to(scenario=scenario(), known=0, under_five=0, start=date(2025, 3, 31), until=date(2026, 1, 1))
