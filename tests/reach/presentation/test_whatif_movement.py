"""Why a What if headline figure moves: each move from today to the inspection month is given its
reason in words, for the under-fives and the under-twos alike."""

from datetime import date

import pytest

from reach.domain.whatif import Projection, Scenario
from reach.presentation.whatif_sentences import movement_sentence

SCENARIO = Scenario(sharing_months=3, delay_months=0.5, contact_rate=0.86, other_route_rate=0.017, churn=0.01,
                    arrivals_in_feed=True)


def _path(now: float, then: float, long_run: float) -> Projection:
    months = [f"2026-{m:02d}" for m in range(9, 13)]
    values = [now, (now + then) / 2, (now + then) / 2, then]
    return Projection(scenario=SCENARIO, start=date(2026, 9, 30), until=date(2026, 12, 15),
                      path=[{"month": m, "reach_pct": v} for m, v in zip(months, values)], target_share=0.97,
                      crosses_target_on=None, reach_at_until=then, steady_state_pct=long_run)


def test_a_fall_towards_a_lower_long_run_figure_says_so():
    words = movement_sentence(_path(85.7, 76.1, 79.7), subject="Reach under two")
    assert words.startswith("Reach under two falls from 85.7% today to 76.1% in December 2026 because these "
                            "settings would hold it at about 79.7% in the long run, below today's figure")


def test_a_rise_towards_a_higher_long_run_figure_says_so():
    words = movement_sentence(_path(82.6, 83.5, 86.0))
    assert words.startswith("Reach rises from 82.6% today to 83.5% in December 2026 because these settings would "
                            "hold it at about 86.0% in the long run, above today's figure")


def test_a_fall_though_the_long_run_is_higher_is_a_dip_on_the_way():
    words = movement_sentence(_path(82.6, 80.9, 86.0), group="the under-fives")
    assert words.startswith("Reach is lower in December 2026 (80.9%) than today (82.6%) though these settings would "
                            "hold it at about 86.0% in the long run: December 2026 falls in a dip")
    assert "growing out of the under-fives" in words


def test_a_rise_though_the_long_run_is_lower_is_a_peak_on_the_way():
    words = movement_sentence(_path(82.6, 84.0, 80.0))
    assert words.startswith("Reach is higher in December 2026 (84.0%) than today (82.6%) though these settings would "
                            "hold it at about 80.0% in the long run")


@pytest.mark.parametrize("then", [82.6, 82.64, 82.56])
def test_a_figure_that_does_not_move_as_shown_needs_no_words(then):
    assert movement_sentence(_path(82.6, then, 90.0)) == ""


def test_the_under_twos_settling_lower_than_the_under_fives_is_explained():
    words = movement_sentence(_path(85.7, 76.1, 79.7), subject="Reach under two", group="the under-twos",
                              settles_beside=86.0)
    assert "It settles lower than reach under five (86.0%)" in words
    same = movement_sentence(_path(85.7, 76.1, 86.0), subject="Reach under two", settles_beside=86.0)
    assert "settles lower" not in same
