"""The steady state of the what-if model against the document: its two closed forms, its table,
an evaluation of its double integral written out independently, and the properties any sensible
model of sharing must have."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.domain.whatif import (DEFAULT_SCENARIO, SHARING_OPTIONS, Scenario, TargetOutOfReach, contact_rate_needed,
                          sharing_name, steady_state_by_sharing, steady_state_reach)


def scenario(F=3, p=0.9, h=0.02, c=0.01, d=0.0, arrivals=True) -> Scenario:
    return Scenario(sharing_months=F, contact_rate=p, other_route_rate=h, churn=c, delay_months=d,
                    arrivals_in_feed=arrivals)


# --- the document's closed forms --------------------------------------------------------------

@pytest.mark.parametrize("F", [1, 3, 6, 12, 2.5])
@pytest.mark.parametrize("p", [0.0, 0.5, 0.9, 1.0])
def test_no_churn_no_other_routes_no_delay_is_p_times_one_minus_F_over_120(F, p):
    assert steady_state_reach(scenario(F=F, p=p, h=0, c=0, d=0)) == pytest.approx(p * (1 - F / 120), abs=1e-9)


@pytest.mark.parametrize("h", [0.001, 0.01, 0.02, 0.05, 0.3])
@pytest.mark.parametrize("p", [0.0, 0.95])
def test_no_sharing_no_churn_is_the_other_routes_alone(h, p):
    expected = 1 - (1 - math.exp(-60 * h)) / (60 * h)
    assert steady_state_reach(scenario(F=None, p=p, h=h, c=0)) == pytest.approx(expected, abs=1e-9)


def test_no_sharing_and_no_other_routes_knows_nobody():
    assert steady_state_reach(scenario(F=None, p=1, h=0, c=0.01)) == 0.0


# --- the document's table ---------------------------------------------------------------------
# columns: (p, h, c, arrivals in feed); d = 0 throughout.
COLUMNS = [(1.0, 0.0, 0.0, True), (0.95, 0.02, 0.0, True), (0.95, 0.02, 0.01, True), (0.95, 0.02, 0.01, False)]
TABLE = {
    1: [99.17, 96.30, 95.54, 79.02],
    3: [97.50, 94.76, 93.12, 77.50],
    12: [90.00, 88.30, 83.58, 71.35],
    None: [0.00, 41.77, 35.75, 35.75],
}


@pytest.mark.parametrize("F", list(TABLE))
@pytest.mark.parametrize("column", range(4))
def test_the_documents_table_cell_by_cell(F, column):
    p, h, c, arrivals = COLUMNS[column]
    reach_pct = 100 * steady_state_reach(scenario(F=F, p=p, h=h, c=c, d=0, arrivals=arrivals))
    assert round(reach_pct, 2) == pytest.approx(TABLE[F][column], abs=1e-9)


# --- an independent evaluation of the definition ----------------------------------------------

def _by_the_definition(s: Scenario, n: int = 1500) -> float:
    """The document's definition as written: ages a uniform on [0, 60); tau = a with probability
    exp(-c a), else r < a with density c exp(-c r); P(notified by tau) = clamp((tau - d)/F);
    known with probability 1 - (1 - p P) exp(-h tau). A midpoint rule over a and, for each a,
    over r in [0, a): no swapping of integrals, no Gauss-Legendre."""
    F, d, p, h, c = s.sharing_months, s.delay_months, s.contact_rate, s.other_route_rate, s.churn

    def notified(tau):
        if F is None:
            return np.zeros_like(tau)
        return np.clip((tau - d) / F, 0, 1)

    def known(tau, eligible):
        return 1 - (1 - (p if eligible else 0) * notified(tau)) * np.exp(-h * tau)

    ages = (np.arange(n) + 0.5) * 60 / n
    total = 0.0
    for a in ages:
        r = (np.arange(n) + 0.5) * a / n
        arrived = np.sum(c * np.exp(-c * r) * known(r, s.arrivals_in_feed)) * a / n
        total += math.exp(-c * a) * known(np.array([a]), True)[0] + arrived
    return total / n


@pytest.mark.parametrize("s", [
    scenario(F=12, p=0.9, h=0.02, c=0.02, d=3, arrivals=False),
    scenario(F=1, p=0.95, h=0.05, c=0.01, d=1.5, arrivals=True),
    scenario(F=6, p=0.7, h=0.0, c=0.03, d=0.5, arrivals=True),
    scenario(F=3, p=1.0, h=0.1, c=0.0, d=4, arrivals=False),
    scenario(F=None, p=0.9, h=0.02, c=0.01, d=1, arrivals=True),
])
def test_matches_the_definition_evaluated_independently(s):
    assert 100 * steady_state_reach(s) == pytest.approx(100 * _by_the_definition(s), abs=0.02)


def test_a_worked_case_with_delay_churn_and_births_only():
    # F=12, d=3, c=0.02, h=0.02, p=0.9, arrivals out of the feed
    s = scenario(F=12, p=0.9, h=0.02, c=0.02, d=3, arrivals=False)
    assert round(100 * steady_state_reach(s), 2) == 54.07


# --- properties -------------------------------------------------------------------------------

rates = st.floats(0, 1, allow_nan=False)
hazards = st.floats(0, 0.3, allow_nan=False)
churns = st.floats(0, 0.2, allow_nan=False)
delays = st.floats(0, 12, allow_nan=False)
intervals = st.floats(0.25, 24, allow_nan=False)
TOLERANCE = 1e-9


@settings(max_examples=150, deadline=None)
@given(p=rates, h=hazards, c=churns, d=delays, arrivals=st.booleans(), F=st.one_of(st.none(), intervals))
def test_reach_is_a_share(p, h, c, d, arrivals, F):
    assert 0.0 <= steady_state_reach(scenario(F=F, p=p, h=h, c=c, d=d, arrivals=arrivals)) <= 1.0


@settings(max_examples=150, deadline=None)
@given(p=rates, h=hazards, c=churns, d=delays, arrivals=st.booleans(), F1=intervals, F2=intervals)
def test_more_frequent_sharing_never_lowers_reach(p, h, c, d, arrivals, F1, F2):
    often, seldom = min(F1, F2), max(F1, F2)
    reach = lambda F: steady_state_reach(scenario(F=F, p=p, h=h, c=c, d=d, arrivals=arrivals))
    assert reach(often) >= reach(seldom) - TOLERANCE
    assert reach(seldom) >= reach(None) - TOLERANCE


# A setting, its values, and whether more of it is better: a higher contact rate, a shorter delay.
BETTER_WHEN_HIGHER = {"p": (rates, True), "d": (delays, False)}


@pytest.mark.parametrize("name", list(BETTER_WHEN_HIGHER))
@settings(max_examples=150, deadline=None)
@given(data=st.data(), p=rates, h=hazards, c=churns, d=delays, arrivals=st.booleans(), F=intervals)
def test_a_higher_contact_rate_or_a_shorter_delay_never_lowers_reach(name, data, p, h, c, d, arrivals, F):
    values, higher_is_better = BETTER_WHEN_HIGHER[name]
    low, high = sorted((data.draw(values), data.draw(values)))
    better, worse = (high, low) if higher_is_better else (low, high)
    setting = dict(F=F, p=p, h=h, c=c, d=d, arrivals=arrivals)
    reach = lambda value: steady_state_reach(scenario(**{**setting, name: value}))
    assert reach(better) >= reach(worse) - TOLERANCE


@settings(max_examples=150, deadline=None)
@given(p=rates, h=hazards, c=churns, d=delays, F=st.one_of(st.none(), intervals))
def test_arrivals_in_the_feed_never_lower_reach(p, h, c, d, F):
    reach = lambda arrivals: steady_state_reach(scenario(F=F, p=p, h=h, c=c, d=d, arrivals=arrivals))
    assert reach(True) >= reach(False) - TOLERANCE


@settings(max_examples=100, deadline=None)
@given(p=rates, h=hazards, c=churns, d=delays, arrivals=st.booleans(), F=intervals)
def test_without_churn_arrivals_do_not_matter(p, h, d, c, arrivals, F):
    with_feed = steady_state_reach(scenario(F=F, p=p, h=h, c=0, d=d, arrivals=True))
    births_only = steady_state_reach(scenario(F=F, p=p, h=h, c=0, d=d, arrivals=False))
    assert with_feed == pytest.approx(births_only, abs=1e-12)


# --- every option at once, and what the target (97% unless given) needs ---------------------

def test_every_sharing_option_with_the_rest_fixed():
    by_option = steady_state_by_sharing(scenario(p=0.95, h=0.02, c=0.01, d=0))
    assert list(by_option) == list(SHARING_OPTIONS)
    assert [round(100 * v, 2) for v in by_option.values()] == [95.54, 93.12, 89.71, 83.58, 35.75]


def test_contact_rate_needed_for_97_percent_is_exact():
    s = scenario(F=1, p=0.9, h=0.02, c=0.0, d=0)
    needed = contact_rate_needed(s)
    assert 0.96 < needed < 0.97
    assert steady_state_reach(Scenario(**{**s.__dict__, "contact_rate": needed})) == pytest.approx(0.97, abs=1e-12)


def test_contact_rate_needed_when_other_routes_already_suffice():
    assert contact_rate_needed(scenario(F=12, p=0.5, h=2.0, c=0)) == 0.0


def test_contact_rate_needed_raises_when_97_percent_is_out_of_reach():
    with pytest.raises(TargetOutOfReach, match="even with every family contacted"):
        contact_rate_needed(scenario(F=12, p=0.9, h=0.02, c=0.01, d=3))


def test_contact_rate_needed_for_another_target():
    s = scenario(F=1, p=0.9, h=0.02, c=0.0, d=0)
    needed = contact_rate_needed(s, target_share=0.9)
    assert needed < contact_rate_needed(s)
    assert steady_state_reach(Scenario(**{**s.__dict__, "contact_rate": needed})) == pytest.approx(0.9, abs=1e-12)
    with pytest.raises(TargetOutOfReach, match="cannot get to 97.5% even"):
        contact_rate_needed(scenario(F=12, p=0.9, h=0.02, c=0.01, d=3), target_share=0.975)


# --- the scenario's checks --------------------------------------------------------------------

@pytest.mark.parametrize("changes, words", [
    ({"contact_rate": 1.2}, "fraction from 0 to 1"),
    ({"contact_rate": -0.1}, "fraction from 0 to 1"),
    ({"contact_rate": float("nan")}, "fraction from 0 to 1"),
    ({"other_route_rate": -0.01}, "0 or more"),
    ({"churn": 1.0}, "below 1"),
    ({"churn": -0.5}, "below 1"),
    ({"delay_months": -1}, "0 or more"),
    ({"sharing_months": 0}, "positive number of months"),
    ({"sharing_months": "monthly"}, "positive number of months"),
    ({"arrivals_in_feed": "yes"}, "True or False"),
])
def test_out_of_range_parameters_are_refused_with_a_clear_message(changes, words):
    with pytest.raises(ValueError, match=words):
        Scenario(**{**DEFAULT_SCENARIO.__dict__, **changes})


def test_sharing_names():
    assert [sharing_name(m) for m in SHARING_OPTIONS.values()] == list(SHARING_OPTIONS)
    assert sharing_name(2) == "every 2 months"
