"""Where a projection starts: today's reach, the figure every page shows, even when one year of
age holds more known children than a fifth of the population estimate."""

import pytest

from reach.domain.whatif import DEFAULT_SCENARIO, project


def test_month_zero_is_todays_overall_share_when_a_year_of_age_is_over_full():
    # 1.2 + 0.8 + 0.8 + 0.8 + 0.9 = 4.5 over five bands: today's reach is 90%, not the 86% of capping.
    path = project(scenario=DEFAULT_SCENARIO, known=90, unknown=10, months=3,
                   known_share_by_age=[1.2, 0.8, 0.8, 0.8, 0.9])
    assert path[0] == (0, pytest.approx(90.0))


def test_the_excess_goes_where_there_is_room_and_never_above_100_percent():
    from reach.domain.whatif import _fitted
    fitted = _fitted((1.3, 0.5, 1.0, 0.9, 0.8))
    assert max(fitted) <= 1.0
    assert sum(fitted) == pytest.approx(4.5)
    assert fitted[2] == 1.0 and fitted[0] == 1.0
    # The room left in each band (0.5, 0.1, 0.2 of 0.8 in all) takes the excess of 0.3 in proportion.
    assert fitted[1] == pytest.approx(0.5 + 0.5 * 0.3 / 0.8)
    assert fitted[3] == pytest.approx(0.9 + 0.1 * 0.3 / 0.8)


def test_more_known_than_the_estimate_starts_at_100_percent():
    path = project(scenario=DEFAULT_SCENARIO, known=100, unknown=0.0001, months=1,
                   known_share_by_age=[1.5, 1.2, 1.0, 0.9, 0.9])
    assert path[0][1] == pytest.approx(100.0)


def test_a_profile_below_100_percent_is_unchanged():
    path = project(scenario=DEFAULT_SCENARIO, known=70, unknown=30, months=1,
                   known_share_by_age=[0.5, 0.6, 0.7, 0.8, 0.9])
    assert path[0][1] == pytest.approx(70.0)
